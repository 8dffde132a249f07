# faxline developer entry points. `make run` starts the embedded install; `make test` is CI.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# The spandsp binding (cffi API mode), compiled against the installed headers.
SPANDSP_DIR := src/faxline/telephony/spandsp
SPANDSP_STAMP := $(SPANDSP_DIR)/.built

.PHONY: help run test lint fmt typecheck deps-system venv spandsp clean

help: ## Show the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

deps-system: ## Check (and as root on Debian, install) Chromium, libspandsp, LibreOffice, kamailio, rtpengine, SIPp...
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

# Rebuilt when missing or when its build script (the declarations) is newer; importing the
# binding also builds it when the extension file itself is missing.
$(SPANDSP_STAMP): $(SPANDSP_DIR)/build.py $(STAMP) | deps-system
	$(BIN)/python -m faxline.telephony.spandsp.build
	@touch $@

spandsp: deps-system venv $(SPANDSP_STAMP) ## Build the spandsp binding (cffi, needs gcc, libspandsp-dev, libtiff-dev)

run: deps-system venv $(SPANDSP_STAMP) ## Migrate, load the demo data and serve the portal on 127.0.0.1:8000
	$(BIN)/faxline migrate --noinput
	@echo "Demo data (portal address and sign-ins):"
	$(BIN)/faxline demo
	exec $(BIN)/faxline serve

test: deps-system venv $(SPANDSP_STAMP) ## Lint, type-check and run the tests (SQLite; PostgreSQL too when CI=true or DATABASE_URL is set)
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
