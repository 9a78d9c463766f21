# The two commands of the README: `make demo` and `make test`; `make check` is the fast loop
# (CONTRIBUTING.md). Everything else is their set-up.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test check lint typecheck unit fast system-deps runtime-deps clean

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

# The unit tests: pure domain logic, no store, no server, nothing slow. The SQLite integration
# tests need no server either, but run the whole job on scenarios (minutes): `make test` has them.
fast: $(STAMP)
	$(BIN)/pytest -q -n 2 -m "not (postgres or browser or java or server or slow)" tests/unit

check: lint typecheck fast

clean:
	rm -rf $(VENV) demo marsad.db marsad.db-wal marsad.db-shm
