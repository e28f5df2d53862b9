# One command each: `make run` serves the demo portal, `make test` runs the whole suite.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app app
HOST ?= 127.0.0.1
PORT ?= 5000
PG_TEST_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test

.PHONY: run serve install test test-postgres lint audit format bench soak clean

$(VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev-installed: $(VENV)/.installed requirements-dev.txt
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

## run: install, create or upgrade the SQLite database, load the demo data, serve on $(HOST):$(PORT)
run: $(VENV)/.installed
	$(FLASK) db upgrade
	$(FLASK) seed-demo
	$(FLASK) run --host $(HOST) --port $(PORT)

## serve: the same with gunicorn (several workers), as in production
serve: $(VENV)/.installed
	$(FLASK) db upgrade
	GUNICORN_BIND=$(HOST):$(PORT) $(BIN)/gunicorn --config gunicorn.conf.py app:app

## test: install the test tools and run the whole suite (SQLite; PostgreSQL too when
## PORTAL_TEST_DATABASE_URL names one)
test: $(VENV)/.dev-installed
	$(BIN)/python -m pytest

## test-postgres: the suite again on the PostgreSQL at $(PG_TEST_URL)
test-postgres: $(VENV)/.dev-installed
	PORTAL_TEST_DATABASE_URL=$(PG_TEST_URL) $(BIN)/python -m pytest

## lint: ruff, and the layers of portal/ (import-linter's contracts in pyproject.toml)
lint: $(VENV)/.dev-installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

## audit: bandit on portal/ (each accepted finding is a `# nosec` with its reason beside it),
## and pip-audit on requirements.txt when its vulnerability database can be reached
audit: $(VENV)/.dev-installed
	$(BIN)/bandit -q -r portal
	$(BIN)/python .ci/pip_audit.py

format: $(VENV)/.dev-installed
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## bench: public pages and feeds against a bare Flask app in one run, ONE table with the goals
## (wrk when installed); benchmarks/event_list.py and scale.py measure at scale
bench: $(VENV)/.dev-installed
	$(BIN)/python benchmarks/pages.py

## soak: 500 inquiries while the mail server is down, then every message delivered exactly once
soak: $(VENV)/.dev-installed
	$(BIN)/python benchmarks/inquiry_soak.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
