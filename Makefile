# Two commands on a bare machine with Python 3.11+ and make:
#   make demo   set up a virtualenv and run the offline demo
#   make test   set up a virtualenv and run the whole test suite
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

DEMO_DB ?= demo.db
Q      ?= Why are startups moving to open-weight models?

.PHONY: demo ask chat test lint format bench venv clean migration

venv: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# The demo keeps its data in $(DEMO_DB) (rerunning reuses it), so `make ask` and `make chat`
# go on from there without activating the virtualenv.
demo: venv
	$(BIN)/podbrief demo --db $(DEMO_DB)

ask: venv
	DATABASE_URL=sqlite:///$(DEMO_DB) $(BIN)/podbrief ask "$(Q)"

chat: venv
	DATABASE_URL=sqlite:///$(DEMO_DB) $(BIN)/podbrief chat

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
	for area in feeds transcripts insights quality claim_weights answers topics search chat discord scheduling providers cli; do \
	  $(BIN)/python -m bench.$$area || exit 1; done

clean:
	rm -rf $(VENV) podbrief.db $(DEMO_DB) .pytest_cache

# Regenerate the initial migration from bot/models.py (pre-release: one migration per area).
# Later migrations (0002_search: FTS5/tsvector, 0003_demo_feeds, 0004_feed_content_hash,
# 0005_feed_categories, 0006_tsv_inline and 0007_gin_pending_list: PostgreSQL storage only)
# build on 0001, so they step aside meanwhile (0003 to 0005 skip a column 0001 already has).
migration: venv
	rm -f bot/core/migrations/versions/0001_initial.py /tmp/podbrief-migration.db
	mkdir -p .migrations-aside && mv bot/core/migrations/versions/000[2-9]_*.py .migrations-aside/
	$(BIN)/python -c "from alembic import command; from bot.core.db import alembic_config, create_db_engine; \
	cfg = alembic_config(create_db_engine('sqlite:////tmp/podbrief-migration.db')); \
	command.revision(cfg, message='initial schema', autogenerate=True, rev_id='0001', head='base')"; \
	status=$$?; mv .migrations-aside/*.py bot/core/migrations/versions/ && rmdir .migrations-aside; \
	exit $$status
	mv bot/core/migrations/versions/0001_initial_schema.py bot/core/migrations/versions/0001_initial.py
	$(BIN)/ruff format bot/core/migrations/versions/0001_initial.py
	$(BIN)/ruff check --fix --quiet bot/core/migrations/versions/0001_initial.py || true
