# wenshu — set-up and entry points. `make run` and `make test` do everything on a fresh clone.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: install sysdeps services run test bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --disable-pip-version-check --upgrade pip==25.3
	$(BIN)/pip install -q --disable-pip-version-check -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

# LibreOffice, CJK fonts, poppler: installed with apt-get when missing (root on the dev/CI machine).
sysdeps:
	bash .ci/sysdeps.sh

# Redis and PostgreSQL at 127.0.0.1: started when stopped (the integration tests use them for real).
services:
	bash .ci/services.sh

run: install sysdeps
	$(BIN)/wenshu run

test: install sysdeps services
	$(BIN)/ruff check .
	$(BIN)/wenshu doctor
	$(BIN)/python -m pytest -p no:cacheprovider $(PYTEST_ARGS)

bench: install sysdeps services
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) out .pytest_cache
