# Bootstraps .venv, then delegates to invoke (see tasks.py).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 8000

.PHONY: serve build test bench lint clean

$(STAMP): pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

serve: $(STAMP)
	$(BIN)/invoke serve --port $(PORT)

build: $(STAMP)
	$(BIN)/invoke build

test: $(STAMP)
	$(BIN)/invoke test

bench: $(STAMP)
	$(BIN)/invoke bench

lint: $(STAMP)
	$(BIN)/invoke lint

clean:
	rm -rf output var .pytest_cache
