# Everything a fresh machine needs (Python >= 3.11 and make) is installed from here:
# a private copy of uv in .tools/, then the locked environment in .venv/.
PYTHON ?= python3
UV_VERSION := 0.9.5
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
export UV_PROJECT_ENVIRONMENT := $(VENV)
export PREFECT_SERVER_ANALYTICS_ENABLED := false
export DO_NOT_TRACK := 1

.PHONY: help venv demo test lint typecheck sqlfluff bench clean

help:
	@echo "make demo   deliver the demo returns, publish the 2024 issues to May, run the night of 6 June"
	@echo "make test   run the test suite (unit, integration, end-to-end)"
	@echo "make lint   ruff, mypy and sqlfluff"
	@echo "make bench  run the benchmarks under benchmarks/"

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"

$(VENV)/.synced: $(UV) pyproject.toml uv.lock
	$(UV) sync --frozen --python $(PYTHON)
	@touch $@

venv: $(VENV)/.synced

demo: venv
	$(VENV)/bin/doorstep demo

test: venv
	$(VENV)/bin/pytest -n 2 --dist loadfile

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy foundation doorstep flows transforms expectations warehouse
	$(VENV)/bin/sqlfluff lint warehouse

bench: venv
	$(VENV)/bin/python benchmarks/run.py

clean:
	rm -rf $(VENV) $(TOOLS) data
