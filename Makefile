# One entry point per job. `make help` lists them.
SHELL := /bin/bash
.DEFAULT_GOAL := help
export UV_PYTHON_DOWNLOADS := never
UV := $(shell command -v uv 2>/dev/null || echo python3 -m uv)
RUN := $(UV) run --frozen
YEAR ?=
REGION ?=
QUICK ?=

.PHONY: help setup browser report test lint bench clean

help: ## Vis målene
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-8s %s\n", $$1, $$2}'

setup: ## Installer uv (ved behov) og Python-avhengighetene fra uv.lock
	@command -v uv >/dev/null 2>&1 || python3 -m uv --version >/dev/null 2>&1 || python3 -m pip install --quiet uv
	@$(UV) sync --frozen --quiet --compile-bytecode  # .pyc up front: PYTHONDONTWRITEBYTECODE may be set

browser: ## Installer Debians chromium (for PDF-figurer og skjermbilder) ved behov
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Installerer chromium fra Debian ..."; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

report: setup browser ## Bygg rapporten fra dataene i repoet (HTML og PDF)
	@if [ ! -f data/processed/current ] || \
	  [ -n "$$(find data/raw src/analysis/ingest -newer data/processed/current -type f -print -quit)" ]; then \
	  $(RUN) ehelse ingest; fi
	@$(RUN) ehelse report $(if $(YEAR),--year $(YEAR)) $(if $(REGION),--region $(REGION))

lint: setup ## ruff og mypy
	@$(RUN) ruff check src tests bench
	@$(RUN) ruff format --check src tests bench
	@$(RUN) mypy

test: setup browser lint ## Kjør alle tester (ruff, mypy, pytest)
	@$(RUN) pytest -n 2 --dist loadgroup

bench: setup browser ## Kjør ytelsesmålingene (QUICK=1 for en kort runde)
	@$(RUN) python -m bench $(if $(QUICK),--quick)

clean: ## Fjern genererte data og rapporter
	rm -rf data/processed/* report/_output
