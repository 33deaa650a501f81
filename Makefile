# Thin wrapper: the real work is in scripts/, which is what README and CI run.
# `make help` lists the targets.

VENV := .venv
BIN := $(VENV)/bin
ALEMBIC_CONFIG ?= alembic.ini

.DEFAULT_GOAL := help
.PHONY: help setup demo test lint format typecheck schemas migration

help:  ## list the targets
	@grep -E '^[a-z]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

setup:  ## create or update .venv with the dev tools
	./scripts/setup

demo:  ## run the demo on a fresh SQLite database (ARGS=... go to `pearl demo`)
	./scripts/demo $(ARGS)

test:  ## every check: ruff, mypy, Rego, pytest (ARGS=... go to pytest)
	./scripts/test $(ARGS)

lint: setup  ## ruff check and ruff format --check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: setup  ## apply ruff's fixes and formatting
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

typecheck: setup  ## mypy (strict; configured in pyproject.toml)
	$(BIN)/mypy

schemas: setup  ## regenerate the JSON Schemas in pearl_core/schemas from the models
	$(BIN)/python -m pearl_core.schemas.generate

# Autogenerate diffs the models against a database at head: by default a scratch
# SQLite file, upgraded from empty first. MIGRATION_DB_URL=postgresql+asyncpg://...
# diffs against a PostgreSQL database instead (it must be at head already).
MIGRATION_SCRATCH := $(VENV)/pearl-migration.db
MIGRATION_DB_URL ?=

migration: setup  ## new Alembic revision from model changes: make migration m="add findings"
	@test -n "$(m)" || { echo 'usage: make migration m="what changed"' >&2; exit 2; }
ifeq ($(MIGRATION_DB_URL),)
	rm -f $(MIGRATION_SCRATCH)
	$(BIN)/alembic -c $(ALEMBIC_CONFIG) -x url=sqlite+aiosqlite:///$(MIGRATION_SCRATCH) upgrade head
	$(BIN)/alembic -c $(ALEMBIC_CONFIG) -x url=sqlite+aiosqlite:///$(MIGRATION_SCRATCH) \
	  revision --autogenerate -m "$(m)"
	rm -f $(MIGRATION_SCRATCH)
else
	$(BIN)/alembic -c $(ALEMBIC_CONFIG) -x url=$(MIGRATION_DB_URL) revision --autogenerate -m "$(m)"
endif
