# The two commands a newcomer needs: `make run` and `make test`. See README.md.
PYTHON ?= python3
VENV ?= .venv
PORT ?= 8000
BIN := $(VENV)/bin

.PHONY: run test lint format lock bench clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "The portal needs Python 3.11 or newer; $(PYTHON) is " + sys.version.split()[0] + ". Set PYTHON=python3.11 (or newer).")'
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed-base: requirements/base.lock | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements/base.lock
	@touch $@

$(VENV)/.installed-dev: requirements/dev.lock | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements/dev.lock
	@touch $@ $(VENV)/.installed-base

## make run: the portal with demo data on SQLite, tasks in process, at http://127.0.0.1:$(PORT)
run: export DJANGO_SETTINGS_MODULE = cswb.settings.dev
run: export PORTAL_BASE_URL ?= http://127.0.0.1:$(PORT)
run: $(VENV)/.installed-base
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	@echo "Serving http://127.0.0.1:$(PORT)/ (Ctrl-C to stop)"
	$(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

## make test: lint, format check, import contracts, then every test on PostgreSQL and Redis, browser tests included
test: export DJANGO_SETTINGS_MODULE = cswb.settings.test
test: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/pytest

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: $(VENV)/.installed-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## make bench: fill a separate PostgreSQL database with seed_scale; time the heavy pages and digests
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/cswb_bench
bench: export DJANGO_SETTINGS_MODULE = cswb.settings.test
bench: export DATABASE_URL = $(BENCH_DATABASE_URL)
bench: $(VENV)/.installed-dev
	psql "$(dir $(BENCH_DATABASE_URL))postgres" -qc "DROP DATABASE IF EXISTS $(notdir $(BENCH_DATABASE_URL))"
	psql "$(dir $(BENCH_DATABASE_URL))postgres" -qc "CREATE DATABASE $(notdir $(BENCH_DATABASE_URL))"
	$(BIN)/python manage.py migrate --noinput -v0
	$(BIN)/python manage.py seed_scale
	$(BIN)/python bench/pages.py
	$(BIN)/python bench/digests.py
	$(BIN)/python bench/imports.py

## make lock: re-pin requirements/*.lock from pyproject.toml (needs uv: pip install uv)
lock:
	uv pip compile pyproject.toml --universal --python-version 3.11 -o requirements/base.lock
	uv pip compile pyproject.toml --extra dev --universal --python-version 3.11 -o requirements/dev.lock

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles test-artifacts .pytest_cache .ruff_cache
