# Two commands: `make run` serves the API, `make test` runs the whole suite.
# `make test-citus` runs the suite (or CITUS_TESTS) on a Citus cluster under var/citus.
# Both create .venv and install what they need on first use.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test test-citus citus lint typecheck contracts openapi bench clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

run: $(STAMP)
	$(BIN)/python -m api.serve

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

contracts: $(STAMP)
	$(BIN)/lint-imports

test: lint typecheck contracts
	$(BIN)/python -m pytest -n 2 --dist loadfile

# Builds and installs Citus into the system PostgreSQL 15 the first time (needs root).
CITUS_BUILD ?= ../shared/citus/build.sh
CITUS_TESTS ?= tests
CITUS := $(BIN)/python -m infra.db.citus

citus: $(STAMP)
	@test -f "$$(/usr/lib/postgresql/15/bin/pg_config --pkglibdir 2>/dev/null)/citus.so" || \
		$$([ "$$(id -u)" = 0 ] || echo sudo) bash $(CITUS_BUILD) $(CURDIR)/var/citus-build

test-citus: citus
	trap '$(CITUS) stop' EXIT; \
	$(CITUS) start >/dev/null && \
	DATABASE_URL="$$($(CITUS) url)" $(BIN)/python -m pytest -n 2 --dist loadfile $(CITUS_TESTS)

openapi: $(STAMP)
	$(BIN)/python -m api.export_openapi openapi/openapi.json

bench: $(STAMP)
	$(BIN)/python -m bench.run
	$(BIN)/python -m bench.checkin
	$(BIN)/python -m bench.outbox_lag
	$(BIN)/python -m bench.members_import
	$(BIN)/python -m bench.members_search
	$(BIN)/python -m bench.transfers
	$(BIN)/python -m bench.login_flood
	$(BIN)/python -m bench.development_queues
	$(BIN)/python -m bench.dues_callbacks
	$(BIN)/python -m bench.dues_bills
	$(BIN)/python -m bench.dues_summary
	$(BIN)/python -m bench.webhooks
	$(BIN)/python -m bench.checkin_webhooks
	$(BIN)/python -m bench.points_stars
	$(BIN)/python -m bench.points_lag

clean:
	rm -rf $(VENV) var
