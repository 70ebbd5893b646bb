# Two entry points (see README): `make demo` and `make test`. Everything else is a step of those.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
NOROOM := $(BIN)/noroom
PYTEST_ARGS ?=

.PHONY: demo test install node browser build report bench lint clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $@

install: $(VENV)/.installed

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
	  --as-of 2026-11-01 --valid-months 24 --out reports

demo: build report

test: install node browser
	$(BIN)/ruff check .
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install
	$(NOROOM) lint

bench: install node
	$(BIN)/python bench/build.py

clean:
	rm -rf dist reports .pytest_cache
