# The two commands of the README: `make build` (install, then build the sample site into output/)
# and `make test` (install everything the tests need, then run them all). CI runs `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: build test lint install install-test docs clean

$(BIN)/clinic-pages: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	touch $@

install: $(BIN)/clinic-pages

build: install
	$(BIN)/clinic-pages build

install-test: install
	$(BIN)/pip install --quiet -e '.[test]'
	bash tests/setup-system.sh

# ruff and mypy first: a lint or type error fails in seconds (mypy: about 30 s without its cache), before the
# minutes of pytest. pytest runs in one process per core, at most 4 (pytest-xdist): each builds its own copy of the
# session's shared builds, so more would spend more on those than they save. `--dist worksteal`: a process that
# runs out of tests takes some from the other's queue, so the few long tests do not leave one core idle at the end
# (a fresh clone on this 2-core machine, one run each: 708 s of pytest with the default split, 538 s with worksteal).
test: install-test
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/pytest -q -n auto --maxprocesses 4 --dist worksteal

# ruff (rules and line length in pyproject.toml) and mypy on generator/ ([tool.mypy]) alone, as `test` runs them.
lint: install-test
	$(BIN)/ruff check .
	$(BIN)/mypy

docs: install
	$(BIN)/python -m generator.datadoc

clean:
	rm -rf $(VENV) output .output.staging .output.lock
