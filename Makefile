# hotline — two commands on a fresh clone:  make run   |   make test
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PG_URL ?= postgres://postgres@127.0.0.1:5432/test
PYTEST_ARGS ?=

.PHONY: setup browser-deps run test test-sqlite test-postgres lint format check bench models clean

# Install everything into a local virtualenv (re-run when pyproject.toml changes).
$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $@

# Front-end packages from npm (lockfile), copied to hotline/web/static/vendor/ and served locally.
node_modules/.installed: package.json package-lock.json scripts/vendor.mjs
	npm ci --no-audit --no-fund
	npm run vendor
	touch $@

setup: $(VENV)/.installed node_modules/.installed

# The browser tests drive Debian's Chromium through Playwright (never a downloaded browser)
# and need a Chinese font so pages render text, not boxes.  Installed when missing.
browser-deps:
	@if [ -x /usr/bin/chromium ] && fc-list 2>/dev/null | grep -qi wqy; then :; else \
	  echo "installing chromium and fonts-wqy-microhei for the browser tests"; \
	  SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq \
	    chromium fonts-wqy-microhei fontconfig; \
	fi

# Start the system on the embedded default (SQLite) with demo data.
run: setup
	$(BIN)/hotline run

# The whole test suite, on SQLite and on PostgreSQL (what CI runs).
test: setup browser-deps lint test-sqlite test-postgres

test-sqlite: setup browser-deps
	$(BIN)/pytest -q $(PYTEST_ARGS)

test-postgres: setup browser-deps
	HOTLINE_DATABASE_URL=$(PG_URL) $(BIN)/pytest -q $(PYTEST_ARGS)

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: setup
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

check: test

# Rebuild the shipped default models (hotline/nlp/models/) from ../shared/data and the seeds,
# with fixed seeds (docs/intelligence.md).  The data is read, never copied.
models: setup
	OMP_NUM_THREADS=1 $(BIN)/python -m hotline.nlp.build_models --data ../shared/data

bench: setup
	@for f in benchmarks/*.py; do echo "== $$f"; $(BIN)/python $$f || exit 1; done

clean:
	rm -rf $(VENV) node_modules hotline/web/static/vendor var/test .pytest_cache
