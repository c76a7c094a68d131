"""The foundation every other package stands on: reference data, settings, shared contracts.

It imports nothing of ours (`tests/unit/test_package_layers.py`), so anything may import it.
"""
