# Set-up and everyday commands. Every target bootstraps .venv on first use,
# so a fresh clone needs only Python 3.11+ and make.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint screenshots bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

## run: open tidings (first run shows the bundled welcome feed)
run: $(STAMP)
	$(BIN)/tidings

## test: run the whole test suite (the tmux end-to-end test skips without tmux)
test: $(STAMP)
	$(BIN)/pytest -q

## lint: ruff format check, ruff lint and mypy on the core
lint: $(STAMP)
	$(BIN)/ruff format --check reader tests benchmarks screenshots
	$(BIN)/ruff check reader tests benchmarks screenshots
	$(BIN)/mypy

## screenshots: regenerate the SVG screenshots in screenshots/
screenshots: $(STAMP)
	$(BIN)/python screenshots/generate.py screenshots

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache
