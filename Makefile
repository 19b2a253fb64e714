# Task runner. `make demo` runs the main job, `make test` runs every test; both set up
# the virtualenv and the local Neo4j on a fresh machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEVICES ?= 10000

.PHONY: demo test unit integration lint typecheck bench db-up db-down db-status db-reset clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/proteus run --devices $(DEVICES)

# Tests marked `docker` build the real image: where no Docker daemon answers `docker info`
# they are deselected (pytest counts them as deselected), never skipped.
NOT_DOCKER = $(if $(shell timeout 20 docker info >/dev/null 2>&1 && echo up),,-m "not docker")

test: $(STAMP)
	$(BIN)/python -m pytest tests $(NOT_DOCKER)

unit: $(STAMP)
	$(BIN)/python -m pytest tests/unit

integration: $(STAMP)
	$(BIN)/python -m pytest tests/integration $(NOT_DOCKER)

lint: $(STAMP)
	$(BIN)/ruff check proteus tests

typecheck: $(STAMP)
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/proteus bench generate --devices 200000

db-up: $(STAMP)
	$(BIN)/proteus db up

db-down: $(STAMP)
	$(BIN)/proteus db down

db-status: $(STAMP)
	$(BIN)/proteus db status

db-reset: $(STAMP)
	$(BIN)/proteus db reset --yes

clean:
	rm -rf $(VENV) .proteus-test .pytest_cache .mypy_cache .ruff_cache
