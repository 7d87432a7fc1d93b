# batchops: the two commands of the README's quick start, and a few more.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/batchops demo

test: $(STAMP)
	$(BIN)/python -m pytest -q
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/python -m benchmarks.log_scan
	$(BIN)/python -m benchmarks.remote_scan
	$(BIN)/python -m benchmarks.inventory
	$(BIN)/python -m benchmarks.errors_report

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
