# hotline — two commands on a fresh clone:  make run   |   make test
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PG_URL ?= postgres://postgres@127.0.0.1:5432/test
PYTEST_ARGS ?=

.PHONY: setup run test test-sqlite test-postgres lint format check bench clean

# Install everything into a local virtualenv (re-run when pyproject.toml changes).
$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $@

# Front-end packages from npm (lockfile), copied to static/vendor/ and served locally.
node_modules/.installed: package.json package-lock.json scripts/vendor.mjs
	npm ci --no-audit --no-fund
	npm run vendor
	touch $@

setup: $(VENV)/.installed node_modules/.installed

# Start the system on the embedded default (SQLite) with demo data.
run: setup
	$(BIN)/hotline run

# The whole test suite, on SQLite and on PostgreSQL (what CI runs).
test: setup lint test-sqlite test-postgres

test-sqlite: setup
	$(BIN)/pytest -q $(PYTEST_ARGS)

test-postgres: setup
	HOTLINE_DATABASE_URL=$(PG_URL) $(BIN)/pytest -q $(PYTEST_ARGS)

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: setup
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

check: test

bench: setup
	@for f in benchmarks/*.py; do echo "== $$f"; $(BIN)/python $$f || exit 1; done

clean:
	rm -rf $(VENV) node_modules static/vendor var/test .pytest_cache
