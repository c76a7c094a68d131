"""Synthetic demo returns: the calibrated six-station set and the messy variants."""

from doorstep.demo.generate import generate_demo_deliveries, generate_demo_returns, load_plan
from doorstep.demo.messy import generate_messy_returns

__all__ = [
    "generate_demo_deliveries",
    "generate_demo_returns",
    "generate_messy_returns",
    "load_plan",
]
