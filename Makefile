# One entry point per job. `make help` lists them.
SHELL := /bin/bash
.DEFAULT_GOAL := help
export UV_PYTHON_DOWNLOADS := never
UV := $(shell command -v uv 2>/dev/null || echo python3 -m uv)
VENV := .venv
SYNCED := $(VENV)/.ehelse-synced
# Once `setup` has synced the environment with uv.lock, its programs run directly: `uv run`
# would check the environment again on every call (0.2-0.5 s, twice per `make report`).
RUN = $(if $(wildcard $(SYNCED)),$(VENV)/bin/,$(UV) run --frozen )
YEAR ?=
REGION ?=
QUICK ?=

.PHONY: help setup browser plotly report test test-fast lint bench clean

help: ## Vis målene
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

setup: $(SYNCED) ## Installer uv (ved behov) og Python-avhengighetene fra uv.lock

# A stamp newer than uv.lock and pyproject.toml: the environment is in sync, nothing to do.
$(SYNCED): uv.lock pyproject.toml
	@command -v uv >/dev/null 2>&1 || python3 -m uv --version >/dev/null 2>&1 || python3 -m pip install --quiet uv
	@$(UV) sync --frozen --quiet --compile-bytecode  # .pyc up front: PYTHONDONTWRITEBYTECODE may be set
	@$(VENV)/bin/python -m compileall -q src  # the project's own too (uv compiles site-packages only)
	@touch $@

browser: ## Installer det rapporttestene trenger fra Debian ved behov: chromium, poppler-utils, npm
	@missing=""; \
	  command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	  { command -v pdftotext && command -v pdfinfo && command -v pdftoppm; } >/dev/null 2>&1 || missing="$$missing poppler-utils"; \
	  command -v npm >/dev/null 2>&1 || missing="$$missing npm"; \
	  if [ -n "$$missing" ]; then \
	    echo "Installerer$$missing fra Debian ..."; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  fi

# The bundle is committed: only a change of plotly.js version or of the trace types the figures
# use needs this (tests/unit/test_plotly_bundle.py says when).
plotly: browser ## Bygg plotly.js-pakken på nytt med bare sporene figurene bruker (npm, report/vendor/plotly)
	@cd report/vendor/plotly && npm ci --no-audit --no-fund --loglevel=error && node build.mjs
	@echo "Skrev report/templates/plotly-ehelse.min.js ($$(du -k report/templates/plotly-ehelse.min.js | cut -f1) kB)"

report: setup browser ## Bygg rapporten fra dataene i repoet (HTML og PDF; YEAR=2024, REGION=46 eller REGION=all)
	@$(RUN)ehelse report $(if $(YEAR),--year $(YEAR)) $(if $(REGION),--region $(REGION))

lint: setup ## ruff og mypy (også rapportkapitlene og notatbøkene)
	@$(RUN)ruff check src tests bench report notebooks
	@$(RUN)ruff format --check src tests bench report notebooks
	@$(RUN)mypy

test: setup browser lint ## Kjør alle tester (ruff, mypy, pytest)
	@$(RUN)pytest -n 2 --dist loadgroup

test-fast: setup ## Kjør enhets- og integrasjonstestene uten nettleser (under to minutter)
	@$(RUN)pytest -n 2 --dist loadgroup tests/unit tests/integration

bench: setup browser ## Kjør ytelsesmålingene (QUICK=1 for en kort runde)
	@$(RUN)python -m bench $(if $(QUICK),--quick)

clean: ## Fjern genererte data og rapporter
	rm -rf data/processed/* report/_output
