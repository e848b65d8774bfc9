# The two commands a newcomer needs: `make run` and `make test`. See README.md.
PYTHON ?= python3
VENV ?= .venv
PORT ?= 8000
# `make test` runs the tests in this many processes at once (pytest-xdist).
TEST_PROCESSES ?= 2
BIN := $(VENV)/bin

.PHONY: run test lint format lock bench bench-data bench-clean loadtest clean

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
	$(BIN)/pytest -n $(TEST_PROCESSES)

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: $(VENV)/.installed-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## make bench: fill a separate PostgreSQL database with seed_scale (once), then time each main page
## beside a floor view under gunicorn at two sizes, and the digests
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/cswb_bench
# Redis database 11: the tests use 12 to 15.
BENCH_REDIS_URL ?= redis://127.0.0.1:6379/11
BENCH_PORT ?= 8105
LOADTEST_PORT ?= 8106
BENCH_ENV = DJANGO_SETTINGS_MODULE=bench.settings DATABASE_URL=$(BENCH_DATABASE_URL) \
	REDIS_URL=$(BENCH_REDIS_URL) DJANGO_SECRET_KEY=bench-only-key-0123456789-abcdefghijklmnopqrstuvwxyz \
	DJANGO_SECURE_SSL_REDIRECT=false DJANGO_ALLOWED_HOSTS=127.0.0.1,localhost,testserver \
	WEB_ACCESS_LOG=/dev/null

# Three tenants in one database: the seed_scale size, twice the actions, twice the tables. Filled
# once (about ten minutes); later runs reuse them. `make bench-clean` drops the database.
bench-data: $(VENV)/.installed-dev
	psql "$(dir $(BENCH_DATABASE_URL))postgres" -tAc "SELECT 1 FROM pg_database WHERE datname = '$(notdir $(BENCH_DATABASE_URL))'" | grep -q 1 \
	  || psql "$(dir $(BENCH_DATABASE_URL))postgres" -qc "CREATE DATABASE $(notdir $(BENCH_DATABASE_URL))"
	# The PostgreSQL settings docker-compose uses (README, "Running at scale").
	psql "$(BENCH_DATABASE_URL)" -qc "ALTER DATABASE $(notdir $(BENCH_DATABASE_URL)) SET max_parallel_workers_per_gather = 0" \
	  -c "ALTER DATABASE $(notdir $(BENCH_DATABASE_URL)) SET work_mem = '16MB'" \
	  -c "ALTER DATABASE $(notdir $(BENCH_DATABASE_URL)) SET random_page_cost = 1.1"
	$(BENCH_ENV) $(BIN)/python manage.py migrate --noinput -v0
	$(BENCH_ENV) $(BIN)/python manage.py seed_scale --if-missing
	$(BENCH_ENV) $(BIN)/python manage.py seed_scale --if-missing --tenant scale-2x-actions --actions 400000
	$(BENCH_ENV) $(BIN)/python manage.py seed_scale --if-missing --tenant scale-2x-tables --tables 400
	$(BENCH_ENV) $(BIN)/python manage.py roll_overdue  # as the hourly task would, on a later day
	$(BENCH_ENV) $(BIN)/python manage.py collectstatic --noinput -v0

bench: bench-data
	$(BENCH_ENV) BENCH_PORT=$(BENCH_PORT) $(BIN)/python bench/pages.py
	$(BENCH_ENV) $(BIN)/python bench/explain.py scale
	DJANGO_SETTINGS_MODULE=cswb.settings.test DATABASE_URL=$(BENCH_DATABASE_URL) $(BIN)/python bench/digests.py
	DJANGO_SETTINGS_MODULE=cswb.settings.test DATABASE_URL=$(BENCH_DATABASE_URL) $(BIN)/python bench/imports.py
	DJANGO_SETTINGS_MODULE=cswb.settings.test DATABASE_URL=$(BENCH_DATABASE_URL) $(BIN)/python bench/organization_imports.py
	DJANGO_SETTINGS_MODULE=cswb.settings.test DATABASE_URL=$(BENCH_DATABASE_URL) $(BIN)/python bench/indicator_pages.py

## make loadtest: 50 people of mixed roles reading and writing for 90 s against gunicorn (production
## settings) on the bench database; prints throughput, p50/p95/p99 and errors
loadtest: bench-data
	$(BENCH_ENV) LOADTEST_PORT=$(LOADTEST_PORT) $(BIN)/python bench/loadtest.py 50 90

bench-clean:
	psql "$(dir $(BENCH_DATABASE_URL))postgres" -qc "DROP DATABASE IF EXISTS $(notdir $(BENCH_DATABASE_URL))"

## make lock: re-pin requirements/*.lock from pyproject.toml (needs uv: pip install uv)
lock:
	uv pip compile pyproject.toml --universal --python-version 3.11 -o requirements/base.lock
	uv pip compile pyproject.toml --extra dev --universal --python-version 3.11 -o requirements/dev.lock

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles test-artifacts .pytest_cache .ruff_cache
