# faxline developer entry points. `make run` starts the embedded install; `make test` is CI.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: help run test lint fmt typecheck deps-system venv clean

help: ## Show the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

deps-system: ## Check (and as root on Debian, install) Chromium, libspandsp and LibreOffice
	@bash scripts/system-deps.sh

# The virtualenv is (re)installed when pyproject.toml is newer than the stamp.
$(STAMP): pyproject.toml
	@if [ ! -x $(BIN)/python ]; then \
		echo "Creating $(VENV) with $(PYTHON)"; \
		$(PYTHON) -m venv $(VENV); \
	fi
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $@

venv: $(STAMP) ## Create or update the virtualenv in .venv

run: deps-system venv ## Migrate, load the demo data and serve the portal on 127.0.0.1:8000
	$(BIN)/faxline migrate --noinput
	@echo "Demo data (portal address and sign-ins):"
	$(BIN)/faxline demo
	exec $(BIN)/faxline serve

test: deps-system venv ## Lint, type-check and run the tests (SQLite; PostgreSQL too when CI=true or DATABASE_URL is set)
	@bash scripts/test.sh

lint: venv ## ruff check, ruff format --check, mypy and the import contracts (lint-imports)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	PYTHONPATH=src $(BIN)/lint-imports --no-logo

typecheck: venv ## mypy only
	$(BIN)/mypy

fmt: venv ## Fix what ruff can fix and format the code
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean: ## Remove caches and test artifacts (keeps .venv and var/)
	rm -rf .mypy_cache .ruff_cache .pytest_cache test-artifacts
	find . -path ./.venv -prune -o -name __pycache__ -type d -exec rm -rf {} +
