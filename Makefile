# Lianmeng — the two commands are `make run` and `make test` (see README.md).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
PG_URL ?= postgresql://postgres@127.0.0.1:5432/lianmeng_$(shell echo $$$$)

.PHONY: run test venv lint types pytest pytest-sqlite pytest-postgres demo messages vendor bench clean

$(BIN)/lianmeng: pyproject.toml
	test -x $(BIN)/pip || $(PYTHON) -m venv --clear $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

venv: $(BIN)/lianmeng

# `make run` also starts one `lianmeng worker` (background tasks: assignment computations, mails,
# reports), stopped when the server stops.
run: venv
	DEBUG=$${DEBUG:-true} $(BIN)/lianmeng demo
	DEBUG=$${DEBUG:-true} $(BIN)/lianmeng worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	DEBUG=$${DEBUG:-true} $(BIN)/lianmeng serve --port $(PORT)

# lint first (seconds); the types (mypy, about a minute from a clean clone) are checked beside the two
# pytest runs, and the target fails if any of the three failed.
test: venv lint
	@mkdir -p var/test-logs; \
	$(MAKE) --no-print-directory types > var/test-logs/types.log 2>&1 & t=$$!; \
	$(MAKE) --no-print-directory pytest; rp=$$?; \
	wait $$t; rt=$$?; \
	echo "== types (exit $$rt)"; cat var/test-logs/types.log; \
	test $$rp -eq 0 && test $$rt -eq 0

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

types: venv
	DEBUG=true $(BIN)/mypy
	DEBUG=true $(BIN)/lianmeng makemigrations --check --dry-run > /dev/null

# The two databases run side by side (one per core), each with its own var/ directory; both logs are
# printed, and the target fails if either run failed. `make pytest-sqlite` / `pytest-postgres` run one.
pytest: venv
	@mkdir -p var/test-logs; \
	LIANMENG_VAR_DIR=var/test-sqlite $(BIN)/pytest -q $(PYTEST_ARGS) > var/test-logs/sqlite.log 2>&1 & s=$$!; \
	LIANMENG_VAR_DIR=var/test-postgres DATABASE_URL=$(PG_URL) $(BIN)/pytest -q $(PYTEST_ARGS) \
	  > var/test-logs/postgres.log 2>&1 & p=$$!; \
	wait $$s; rs=$$?; wait $$p; rp=$$?; \
	echo "== pytest on SQLite (exit $$rs)"; cat var/test-logs/sqlite.log; \
	echo "== pytest on PostgreSQL (exit $$rp)"; cat var/test-logs/postgres.log; \
	test $$rs -eq 0 && test $$rp -eq 0

pytest-sqlite: venv
	$(BIN)/pytest -q $(PYTEST_ARGS)

pytest-postgres: venv
	DATABASE_URL=$(PG_URL) $(BIN)/pytest -q $(PYTEST_ARGS)

messages: venv
	cd lianmeng && ../$(BIN)/lianmeng makemessages -l en --no-obsolete && ../$(BIN)/lianmeng compilemessages -l en

vendor:
	bash frontend/copy-assets.sh

bench: venv
	$(BIN)/python bench/directory.py

clean:
	rm -rf $(VENV) var/ *.egg-info
