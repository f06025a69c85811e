# Compact Tracker. `make run` serves the app; `make test` runs the whole test suite.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1:8000

.PHONY: run test lint migrate reference messages worker fuzz-api generated-client bench backup restore clean

$(VENV)/.installed: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.txt
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

migrate: $(VENV)/.installed
	mkdir -p var
	$(PY) manage.py migrate --noinput

reference: migrate
	$(PY) manage.py load_reference_data
	$(PY) manage.py seed_demo

## Set up everything (venv, database, reference data) and serve on http://127.0.0.1:8000
run: reference
	SITE_URL="$${SITE_URL:-http://$(HOST)}" $(PY) manage.py runserver $(HOST)

lint: $(VENV)/.installed-dev
	$(PY) -m ruff check .
	$(PY) manage.py check --fail-level WARNING
	$(PY) manage.py makemigrations --check --dry-run

## Lint, then the whole pytest suite (SQLite unless DATABASE_URL is set)
test: lint
	$(PY) -m pytest $(PYTEST_ARGS)

## Fuzz the API with schemathesis (needs DATABASE_URL on PostgreSQL and REDIS_URL)
fuzz-api: $(VENV)/.installed-dev
	bash .ci/fuzz-api

## Read every list and detail through a client generated from the schema (needs DATABASE_URL)
generated-client: $(VENV)/.installed-dev
	bash .ci/generated-client

$(VENV)/.installed-bench: $(VENV)/.installed requirements-bench.txt
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-bench.txt
	touch $@

## Benchmark at two scales on PostgreSQL + Redis (see README, Performance); writes bench/RESULTS.md
bench: $(VENV)/.installed-bench
	$(PY) bench/run.py $(BENCH_ARGS)

## Refresh the French catalogue after changing user-facing strings
messages: $(VENV)/.installed
	$(PY) manage.py makemessages -l fr -l es -l ar --ignore=.venv --ignore=var --ignore=static
	$(PY) manage.py compilemessages --ignore=.venv

## A Celery worker (needs REDIS_URL)
worker: $(VENV)/.installed
	$(VENV)/bin/celery -A compact_tracker worker -l info --concurrency=2

BACKUP_DIR ?= var/backups

## Back up the database and MEDIA_ROOT into one dated archive in BACKUP_DIR (README, Backups)
backup: $(VENV)/.installed
	$(PY) manage.py backup --output "$(BACKUP_DIR)"

## Restore ARCHIVE=… into the empty database DATABASE_URL names and an empty MEDIA_ROOT
restore: $(VENV)/.installed
	@test -n "$(ARCHIVE)" || { echo "usage: make restore ARCHIVE=var/backups/compact-tracker-YYYYMMDD-HHMMSS.tar [DATABASE_URL=…]" >&2; exit 2; }
	$(PY) manage.py restore "$(ARCHIVE)"

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
