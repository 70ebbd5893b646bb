# Two entry points (see README): `make demo` and `make test`. Everything else is a step of those.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
NOROOM := $(BIN)/noroom
PYTEST_ARGS ?=

.PHONY: demo test install install-test node browser build report bench lint clean

# `make demo` installs only what building and reporting need; `make test` adds the test tools and
# the Parquet/Dask extras on top (issue 18). -qq: pip's notices about this machine's package mirrors
# are not ours to print; errors still show.
$(VENV)/.installed: pyproject.toml
	@echo "Setting up $(VENV) (first run only) ..."
	@$(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install -qq -e .
	@touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	@echo "Adding the test tools to $(VENV) ..."
	@$(BIN)/python -m pip install -qq -e '.[test]'
	@touch $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

# Test tools from npm, pinned in package-lock.json, into ./node_modules (never global).
node_modules/.installed: package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $@

node: node_modules/.installed

# Debian's Chromium for the browser tests and pdftoppm for looking at certificates.
browser:
	@if [ ! -x /usr/bin/chromium ] || ! command -v pdftoppm >/dev/null; then \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver poppler-utils; \
	fi

build: install
	$(NOROOM) build --out dist

report: install
	$(NOROOM) report --roster samples/roster.csv --staff samples/staff.csv \
	  --statements samples/statements.ndjson --completions samples/lms_export.csv \
	  --as-of 2026-11-01 --valid-months 24 --out reports --materials --draft

demo: build report
	@echo
	@echo "Packages:     dist/  (one zip per language and format; see README, 'L&D admin: which zip goes where')"
	@echo "Dashboard:    reports/dashboard.html"
	@echo "Certificates: reports/certificates/"
	@echo "Materials:    reports/materials/  (posters, flyer, door hanger, intranet images; DRAFT where the text is not reviewed)"

test: install-test node browser
	$(BIN)/ruff check .
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install
	$(NOROOM) lint

bench: install-test node
	$(BIN)/python bench/build.py

clean:
	rm -rf dist reports .pytest_cache
