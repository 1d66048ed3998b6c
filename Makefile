# hotline — two commands on a fresh clone:  make run   |   make test
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PG_URL ?= postgres://postgres@127.0.0.1:5432/test
# The deploy topology test uses its own database <PG_URL's name>_deploy and empties this
# Redis database.
DEPLOY_REDIS_URL ?= redis://127.0.0.1:6379/1
# The fault suite uses its own database <PG_URL's name>_faults and empties this Redis database.
FAULTS_REDIS_URL ?= redis://127.0.0.1:6379/2
PYTEST_ARGS ?=
# The suite again with the wall clock fixed on days that cross holidays (the first working
# day after 国庆, and a day of 2027, a year chinesecalendar does not know): a test that
# depends on the real date fails here, not on some day of the year.
FIXED_DATES ?= 2026-10-08T09:00+08:00 2027-01-04T09:00+08:00

.PHONY: setup browser-deps deploy-deps run test test-sqlite test-postgres test-dates test-deploy test-faults dist lint format check bench models clean

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

# The deploy topology test puts Debian's nginx in front of the app servers.  Installed when
# missing, like Chromium above.
deploy-deps:
	@if [ -x /usr/sbin/nginx ]; then :; else \
	  echo "installing nginx for the deploy topology test"; \
	  SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends nginx; \
	fi

# sdist + wheel in dist/.  The npm vendor files (gitignored) are produced first, so the
# wheel carries them: `pip install dist/hotline-*.whl` needs no checkout and no npm.
dist: setup
	rm -rf dist build
	npm run vendor
	$(BIN)/python -m build --quiet --outdir dist .
	@ls dist

# Start the system on the embedded default (SQLite) with demo data.
run: setup
	$(BIN)/hotline run

# The whole test suite, on SQLite and on PostgreSQL, the non-browser suite on fixed dates,
# then the production topology once (what CI runs).
test: setup browser-deps lint test-sqlite test-postgres test-dates test-deploy test-faults

# Two test processes (pytest-xdist): the machine has two cores; CI stays well under 30 min.
XDIST ?= -n 2

test-sqlite: setup browser-deps
	$(BIN)/pytest -q $(XDIST) $(PYTEST_ARGS)

test-postgres: setup browser-deps
	HOTLINE_DATABASE_URL=$(PG_URL) $(BIN)/pytest -q $(XDIST) $(PYTEST_ARGS)

# The production topology, once: the wheel installed into a clean venv, nginx with TLS in
# front of two `hotline run --role web` on PostgreSQL + Redis and one `--role worker`.
test-deploy: setup deploy-deps dist
	HOTLINE_DATABASE_URL=$(PG_URL) HOTLINE_DEPLOY_REDIS_URL=$(DEPLOY_REDIS_URL) \
	  $(BIN)/pytest -q -p no:cacheprovider deploy/tests $(PYTEST_ARGS)

# The fault suite (issue 13): real processes on PostgreSQL + Redis, with the worker and
# roll-up children killed, Redis cut off and the database refusing connections
# (hotline/tests/faults, docs/operations.md).  Deselected from the other runs.
test-faults: setup
	HOTLINE_DATABASE_URL=$(PG_URL) HOTLINE_FAULTS_REDIS_URL=$(FAULTS_REDIS_URL) \
	  $(BIN)/pytest -q -p no:cacheprovider -m faults hotline/tests/faults $(PYTEST_ARGS)

# The regex linear-time checks read no clock: they run once, in the suites above.
test-dates: setup
	@for d in $(FIXED_DATES); do \
	  echo "== the suite with the clock at $$d"; \
	  $(BIN)/pytest -q $(XDIST) -m "not browser" --fixed-now=$$d \
	    --ignore=hotline/tests/security/test_regex_linear_time.py $(PYTEST_ARGS) || exit 1; \
	done

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
	rm -rf $(VENV) node_modules hotline/web/static/vendor var/test .pytest_cache dist build
