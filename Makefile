# ImpactChain — the README's two commands:
#   make dev    run the whole platform locally (make dev ARGS=--seed for demo donations)
#   make test   install what is needed, then lint, type-check and run every test
# Both install everything on a fresh machine and are quick when nothing changed.

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMPS := .make
ANVIL_DIR := $(CURDIR)/node_modules/@foundry-rs/anvil-linux-amd64/bin
FORGE_DIR := $(CURDIR)/node_modules/@foundry-rs/forge-linux-amd64/bin
SLITHER_VENV := .venv-slither

export APE_DATA_FOLDER := $(CURDIR)/.ape
# ape-solidity compiles in place (leaving contracts/.cache behind) when the checkout itself
# lies under the temp dir, and ape then stops finding sources past its 500-file scan; a
# project-local TMPDIR keeps compilation isolated wherever the checkout is.
export TMPDIR := $(CURDIR)/.ape/tmp
export SOLCX_BINARY_PATH := $(CURDIR)/toolchain/solcx
export PATH := $(CURDIR)/$(BIN):$(ANVIL_DIR):$(FORGE_DIR):$(PATH)
export PIP_DISABLE_PIP_VERSION_CHECK := 1

CONTRACTS := $(shell find contracts -name '*.sol' -not -path 'contracts/.cache/*' 2>/dev/null)

.PHONY: dev test install lint typecheck test-contracts test-python slither bench console keeper clean

dev: install
	$(BIN)/impactchain dev $(ARGS)

# Lint and types first (cheap, fail fast); then slither and both test suites two at a time:
# the python suite waits on PostgreSQL, Redis and anvil often enough that overlapping it with
# the CPU-bound contract suite saves minutes on two cores.
test: install lint typecheck
	$(MAKE) --no-print-directory --output-sync=target -j2 slither test-contracts test-python

install: $(STAMPS)/venv $(STAMPS)/npm $(STAMPS)/compile

$(TMPDIR):
	@mkdir -p $@

# setup.py and the C source: the editable install compiles the log decoder (impactchain/_decoder.c).
$(STAMPS)/venv: requirements.lock pyproject.toml setup.py impactchain/_decoder.c | $(TMPDIR)
	@mkdir -p $(STAMPS)
	@$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), "ImpactChain needs Python 3.11 (ape pins), found " + sys.version.split()[0]'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=24"
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	@touch $@

$(STAMPS)/npm: package.json package-lock.json
	@mkdir -p $(STAMPS)
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

# --force: ape recompiles only the files that changed, but FundingRoundFactory embeds
# FundingRound's creation code, so an incremental build would leave a stale factory.
$(STAMPS)/compile: $(STAMPS)/venv $(STAMPS)/npm ape-config.yaml $(CONTRACTS)
	rm -rf contracts/.cache
	$(BIN)/ape compile --force
	@touch $@

lint: $(STAMPS)/venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMPS)/venv
	$(BIN)/mypy

# Narrow either with e.g. `make test-contracts T=tests/contracts/auctions` or
# `make test-python T="tests/integration/indexer -k reorg"`.
test-contracts: install
	$(BIN)/ape test $(or $(T),tests/contracts)

test-python: install
	$(BIN)/pytest -p no:ape_test $(or $(T),tests/unit tests/integration)

# Static analysis in its own virtualenv (slither's pins would fight ape's); offline through
# forge from npm and the solc shim. Fails on any high/medium finding without a triage.
$(STAMPS)/slither: toolchain/slither-requirements.lock | $(TMPDIR)
	@mkdir -p $(STAMPS)
	@test -x $(SLITHER_VENV)/bin/python || $(PYTHON) -m venv $(SLITHER_VENV)
	$(SLITHER_VENV)/bin/python -m pip install --quiet -r toolchain/slither-requirements.lock
	@touch $@

slither: $(STAMPS)/slither $(STAMPS)/npm
	$(SLITHER_VENV)/bin/python toolchain/slither_check.py

# ape against the chain `make dev` runs (offline compiler and caches set up as above).
RPC ?= http://127.0.0.1:8545
console: install
	$(BIN)/ape console --network $(RPC)

keeper: install
	$(BIN)/ape run keeper --network $(RPC) $(ARGS)

# Every benchmark in bench/, each printing its own table (run on purpose; never timed tests).
bench: install
	@for module in $(sort $(basename $(notdir $(wildcard bench/[a-z]*.py)))); do \
		echo "== bench.$$module"; $(BIN)/python -m bench.$$module; \
	done

clean:
	rm -rf $(STAMPS) .build .ape contracts/.cache .slither
