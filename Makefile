# Two commands on a bare machine with Python 3.11+ and make:
#   make demo   set up a virtualenv and run the offline demo
#   make test   set up a virtualenv and run the whole test suite
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test lint format bench venv clean migration

venv: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: venv
	$(BIN)/podbrief demo

test: venv
	$(BIN)/ruff check bot handlers tests bench
	$(BIN)/python -m pytest

lint: venv
	$(BIN)/ruff check bot handlers tests bench
	$(BIN)/ruff format --check bot handlers tests bench

format: venv
	$(BIN)/ruff format bot handlers tests bench
	$(BIN)/ruff check --fix bot handlers tests bench

bench: venv
	for area in feeds transcripts insights quality search chat discord scheduling providers cli; do \
	  $(BIN)/python -m bench.$$area || exit 1; done

clean:
	rm -rf $(VENV) podbrief.db .pytest_cache

# Regenerate the initial migration from bot/models.py (pre-release: one migration per area).
# Later migrations (0002_search: FTS5/tsvector) build on 0001, so they step aside meanwhile.
migration: venv
	rm -f bot/core/migrations/versions/0001_initial.py /tmp/podbrief-migration.db
	mkdir -p .migrations-aside && mv bot/core/migrations/versions/0002_*.py .migrations-aside/
	$(BIN)/python -c "from alembic import command; from bot.core.db import alembic_config, create_db_engine; \
	cfg = alembic_config(create_db_engine('sqlite:////tmp/podbrief-migration.db')); \
	command.revision(cfg, message='initial schema', autogenerate=True, rev_id='0001', head='base')"; \
	status=$$?; mv .migrations-aside/*.py bot/core/migrations/versions/ && rmdir .migrations-aside; \
	exit $$status
	mv bot/core/migrations/versions/0001_initial_schema.py bot/core/migrations/versions/0001_initial.py
	$(BIN)/ruff format bot/core/migrations/versions/0001_initial.py
	$(BIN)/ruff check --fix --quiet bot/core/migrations/versions/0001_initial.py || true
