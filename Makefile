# Fortnight — the two commands: `make run` (demo site) and `make test` (whole suite).
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
# These targets are for development, tests and benchmarks: a fixed, public key
# is fine there (production sets its own SECRET_KEY and never runs make).
export SECRET_KEY ?= fortnight-development-only-key-not-secret

.PHONY: run test lint bench messages compile-messages schema clean

$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

compile-messages: $(VENV)/.installed
	$(PY) manage.py compile_translations

## make run: the demo site on SQLite, with a Celery worker and beat (Ctrl-C stops all three).
run: compile-messages
	DEBUG=$${DEBUG:-1} $(PY) manage.py migrate --noinput
	DEBUG=$${DEBUG:-1} $(PY) manage.py load_demo
	DEBUG=$${DEBUG:-1} PORT=$(PORT) bin/run-demo

## make test: lint, migrations check, then the whole suite (PostgreSQL/Redis when DATABASE_URL/REDIS_URL are set).
test: compile-messages lint
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) -m pytest $(PYTEST_ARGS)

lint: $(VENV)/.installed
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

## make messages: refresh the FR/NL/EN catalogues from the code (needs GNU gettext).
messages: $(VENV)/.installed
	DEBUG=1 $(PY) manage.py makemessages -l fr -l nl -l en --no-obsolete --ignore=.venv --ignore=var --ignore=bench

## make bench: benchmarks on gunicorn + PostgreSQL + Redis; writes bench/RESULTS.md (see bench/README.md).
bench: compile-messages
	$(PY) bench/run.py

clean:
	rm -rf $(VENV) var

## make schema: regenerate docs/openapi.yaml from the code.
schema: $(VENV)/.installed
	$(PY) manage.py spectacular --lang en --validate --fail-on-warn --file docs/openapi.yaml
