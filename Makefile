# One command each: `make run` serves the demo portal, `make test` runs the whole suite.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app app
HOST ?= 127.0.0.1
PORT ?= 5000
PG_TEST_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test

.PHONY: help run serve install test test-fast test-serial test-postgres lint audit format bench translations \
	soak clean

# The test targets run on every core (pytest-xdist); tests that share something outside the
# database (Redis) run on one worker (--dist loadgroup). PYTEST_ARGS adds options:
# `make test PYTEST_ARGS="-k feed"`.
XDIST ?= -n auto --dist loadgroup
PYTEST := $(BIN)/python -m pytest $(XDIST) $(PYTEST_ARGS)

## help: this list: every target, with what it does
help:
	@awk '/^## / { sub(/^## /, ""); split($$0, part, ": "); \
		if (part[1] ~ /^[a-z-]+$$/ && index($$0, ": ")) { name = part[1]; text = substr($$0, length(name) + 3) } \
		else { name = ""; text = $$0 } \
		printf "  %-14s %s\n", name, text }' $(MAKEFILE_LIST)

$(VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev-installed: $(VENV)/.installed requirements-dev.txt
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

## install: .venv with requirements.txt, what production runs
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

## test: install the test tools and run the whole suite on every core (SQLite; PostgreSQL
## when PORTAL_TEST_DATABASE_URL names one)
test: $(VENV)/.dev-installed
	$(PYTEST)

## test-fast: the edit loop: the suite without the browser and slow tests
test-fast: $(VENV)/.dev-installed
	$(PYTEST) -m "not browser and not slow"

## test-serial: the whole suite in one process, in order (to read a failure that only
## happens alongside others)
test-serial: $(VENV)/.dev-installed
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## test-postgres: the suite again on the PostgreSQL at $(PG_TEST_URL) (each worker on a
## database of its own beside it: test_gw0, test_gw1...)
test-postgres: $(VENV)/.dev-installed
	PORTAL_TEST_DATABASE_URL=$(PG_TEST_URL) $(PYTEST)

## lint: ruff, and the layers of portal/ (import-linter's contracts in pyproject.toml)
lint: $(VENV)/.dev-installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy

## audit: bandit on portal/ (each accepted finding is a `# nosec` with its reason beside it),
## and pip-audit on requirements.txt when its vulnerability database can be reached
audit: $(VENV)/.dev-installed
	$(BIN)/bandit -q -r portal
	$(BIN)/python .ci/pip_audit.py

## translations: extract the strings of the public pages and mails into translations/messages.pot,
## bring every language's catalogue up to date with it, and compile them (docs/translations.md)
translations: $(VENV)/.dev-installed
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext --add-comments=Translators: \
		--sort-by-file --project=portal -o translations/messages.pot .
	$(BIN)/pybabel update -i translations/messages.pot -d translations --ignore-obsolete
	$(BIN)/pybabel compile -d translations --statistics

## format: ruff's fixes and formatting
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

## clean: remove .venv and the tools' caches
clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
