# Bootstraps .venv from the lock, then delegates to invoke (see tasks.py).
#
# uv.lock (from pyproject.toml) is the one source of the versions. The files pip installs
# from are exported from it, with hashes: requirements/runtime.txt (build, serve),
# requirements/test.txt (tests, lint) and functions/requirements.txt (the Lambda package).
# Tools that pin their own world live in their own environments under .venv/tools/:
# checkov (requirements/checkov.txt, make test) and the SAM CLI (requirements/sam.txt).
# `make lock` regenerates all of them; `make lock UPGRADE=1` also moves to newer releases.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip --disable-pip-version-check --quiet
TOOLS := $(VENV)/tools
RUNTIME := $(VENV)/.installed-runtime
STAMP := $(VENV)/.installed
SAM := $(TOOLS)/sam/.installed
PORT ?= 8000
UV := $(BIN)/uv
UPGRADE ?=
# The project's own packages (functions/, plugins/) are used in place, through a .pth file:
# nothing to build, nothing fetched that the lock does not name.
LINK = $(BIN)/python -c 'import pathlib, sys, sysconfig; \
  pathlib.Path(sysconfig.get_path("purelib"), "passerelle.pth").write_text( \
  "".join(str(pathlib.Path(p).resolve()) + "\n" for p in sys.argv[1:]))' functions plugins
PIN := --universal --python-version 3.11 --generate-hashes --quiet $(if $(UPGRADE),--upgrade)

.PHONY: serve build test bench lint clean lock deploy-tools

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' || \
	  { echo "Python 3.11 is required (the Lambda runtime is python3.11): PYTHON=python3.11 make ..." >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)

# Build and serve: the runtime set only.
$(RUNTIME): requirements/runtime.txt | $(BIN)/python
	$(PIP) install --require-hashes -r requirements/runtime.txt
	$(LINK)
	touch $@

# Tests and lint: the runtime set plus the test tools, and checkov beside them.
$(STAMP): requirements/test.txt requirements/checkov.txt | $(BIN)/python
	$(PIP) install --require-hashes -r requirements/test.txt
	$(LINK)
	test -x $(TOOLS)/checkov/bin/python || $(BIN)/python -m venv $(TOOLS)/checkov
	$(TOOLS)/checkov/bin/python -m pip --disable-pip-version-check --quiet \
	  install --require-hashes -r requirements/checkov.txt
	touch $@ $(RUNTIME)

# The SAM CLI for invoke deploy (and sam validate / sam build by hand).
$(SAM): requirements/sam.txt | $(BIN)/python
	test -x $(TOOLS)/sam/bin/python || $(BIN)/python -m venv $(TOOLS)/sam
	$(TOOLS)/sam/bin/python -m pip --disable-pip-version-check --quiet \
	  install --require-hashes -r requirements/sam.txt
	touch $@

deploy-tools: $(SAM)

serve: $(RUNTIME)
	$(BIN)/invoke serve --port $(PORT)

build: $(RUNTIME)
	$(BIN)/invoke build

test: $(STAMP)
	$(BIN)/invoke test

bench: $(STAMP)
	$(BIN)/invoke bench

lint: $(STAMP)
	$(BIN)/invoke lint

# Regenerates uv.lock and every requirements file from pyproject.toml and requirements/*.in.
lock: $(STAMP)
	$(UV) lock --python 3.11 $(if $(UPGRADE),--upgrade)
	$(UV) export --frozen --no-emit-project --no-default-groups --quiet -o requirements/runtime.txt
	$(UV) export --frozen --no-emit-project --no-default-groups --extra test --quiet \
	  -o requirements/test.txt
	$(UV) export --frozen --no-emit-project --only-group lambda --quiet -o functions/requirements.txt
	$(UV) pip compile $(PIN) requirements/checkov.in -o requirements/checkov.txt
	$(UV) pip compile $(PIN) requirements/sam.in -o requirements/sam.txt

clean:
	rm -rf output var .pytest_cache .aws-sam
