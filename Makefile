# The two commands of the README: `make demo` and `make test`. Everything else is their set-up.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint typecheck unit system-deps runtime-deps clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP) runtime-deps
	$(BIN)/marsad demo --out demo

runtime-deps:
	bash scripts/system-deps.sh runtime

system-deps:
	bash scripts/system-deps.sh

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

typecheck: $(STAMP)
	$(BIN)/mypy src

unit: $(STAMP) system-deps
	$(BIN)/pytest -q -n 2 --dist loadfile

test: lint typecheck unit

clean:
	rm -rf $(VENV) demo marsad.db marsad.db-wal marsad.db-shm
