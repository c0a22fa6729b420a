# dmp — the two commands are `make run` and `make test`; `make help` lists the others.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
PYTEST_ARGS ?=

.DEFAULT_GOAL := help

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip

$(STAMP): $(BIN)/python requirements.lock pyproject.toml
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	@touch $(STAMP)

.PHONY: help install run test lint format lock i18n bench clean

help: ## List the targets
	@grep -E '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

install: $(STAMP) ## Create .venv and install the locked dependencies

run: $(STAMP) ## Migrate, seed the demo on first start, serve on http://127.0.0.1:8000 (with the worker)
	$(BIN)/dmp migrate
	$(BIN)/dmp demo
	@# The worker (e-mails, reminders, exports, majority…) runs beside the server and stops with it.
	$(BIN)/dmp worker --interval 5 --quiet & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/dmp serve

lint: $(STAMP) ## ruff (lint and format check) and mypy --strict on src/
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

test: lint ## Lint, then the whole test suite (PostgreSQL too when DMP_TEST_POSTGRES_URL is set)
	$(BIN)/pytest -n auto -p no:cacheprovider $(PYTEST_ARGS)

format: $(STAMP) ## Apply ruff fixes and formatting
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

lock: ## Re-resolve pyproject.toml into requirements.lock (in a throwaway venv)
	rm -rf .venv-lock
	$(PYTHON) -m venv .venv-lock
	.venv-lock/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	.venv-lock/bin/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	.venv-lock/bin/python -m pip freeze --exclude-editable --disable-pip-version-check | grep -v '^-e ' > requirements.lock
	rm -rf .venv-lock

i18n: $(STAMP) ## Extract messages, update and compile the English catalogue
	$(BIN)/pybabel extract -F babel.cfg -k N_ -o src/dmp/locale/messages.pot --no-location --sort-output --project dmp --copyright-holder "dmp developers" src/dmp
	$(BIN)/pybabel update -i src/dmp/locale/messages.pot -d src/dmp/locale -l en --no-fuzzy-matching --ignore-obsolete --width 100
	$(BIN)/pybabel compile -d src/dmp/locale -l en --statistics

bench: $(STAMP) ## Benchmarks (see bench/README.md)
	$(BIN)/python -m bench

clean: ## Remove the virtualenv and local data
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
