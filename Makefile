# cluster_research — reproduction package Makefile.
# Needs only Python 3 (>= 3.10) on the machine: every target bootstraps .venv itself,
# installing the pinned versions in constraints.txt. A second run does not reinstall.

SHELL       := /bin/bash
PYTHON      ?= python3
VENV        ?= .venv
BIN         := $(VENV)/bin
PY          := $(BIN)/python
STAMP       := $(VENV)/.install-stamp
JOBS        ?= 2
NBVAL_FLAGS := --nbval-lax --nbval-sanitize-with tests/nbval_sanitize.cfg -p no:cacheprovider

export MPLBACKEND := Agg
export PYTHONHASHSEED := 0
export PYDEVD_DISABLE_FILE_VALIDATION := 1

.DEFAULT_GOAL := help
.PHONY: help install reproduce test test-lib test-notebooks lab report bench refresh-notebooks clean distclean

help: ## List the targets
	@echo "cluster_research — make targets:"
	@grep -E '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | awk -F'\t' '{printf "  %-18s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml constraints.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --disable-pip-version-check -q -c constraints.txt -e '.[dev]'
	@touch $(STAMP)
	@echo "installed into $(VENV) (pinned by constraints.txt)"

install: $(STAMP) ## Create .venv and install the package with pinned dependencies

reproduce: $(STAMP) ## Rebuild processed data, run every notebook not up to date (papermill) and render the report into outputs/ (FORCE=1: every run)
	$(PY) -m cluster_research build-data
	$(PY) -m cluster_research reproduce --jobs $(JOBS) $(if $(FORCE),--force,)

TEST_JOBS   ?= 2

test: $(STAMP) ## Run the library tests, then the notebook output tests (nbval), TEST_JOBS=2 processes (pytest-xdist); prints the 5 slowest tests of each step and the wall time
	@start=$$(date +%s); status=0; \
	$(PY) -m pytest -n $(TEST_JOBS) --dist loadfile tests cluster_research --doctest-modules -q -p no:cacheprovider --durations=5 || status=$$?; \
	if [ $$status -ne 0 ]; then echo "library tests failed: notebooks not validated"; \
	elif compgen -G "notebooks/*.ipynb" > /dev/null; then \
		$(PY) -m pytest -n $(TEST_JOBS) --dist loadfile $(NBVAL_FLAGS) notebooks -q --durations=5 || status=$$?; \
	else echo "no notebooks to validate"; fi; \
	echo "make test: wall time $$(( $$(date +%s) - start )) s"; exit $$status

test-lib: $(STAMP) ## Run only the library tests
	$(PY) -m pytest tests cluster_research --doctest-modules -q -p no:cacheprovider --durations=5

test-notebooks: $(STAMP) ## Check the .py/.ipynb pairs are in sync, then run the nbval notebook tests
	$(PY) -m pytest tests/test_notebook_pairs.py -q -p no:cacheprovider
	$(PY) -m pytest $(NBVAL_FLAGS) notebooks -q --durations=5

refresh-notebooks: $(STAMP) ## Sync each .py/.ipynb pair (newer file wins; stops if both were edited), re-execute in place
	$(PY) notebooks/sync_guard.py
	$(BIN)/jupytext --sync notebooks/[0-9][0-9]_*.ipynb
	$(PY) -m cluster_research refresh
	$(BIN)/jupytext --sync notebooks/[0-9][0-9]_*.ipynb

lab: $(STAMP) ## Open JupyterLab on the notebooks
	$(BIN)/jupyter lab --notebook-dir=notebooks

report: $(STAMP) ## Build the report (Sphinx project docs/) from outputs/ into outputs/report/html; fails when runs are missing, failed or stale (ALLOW_INCOMPLETE=1 to build anyway)
	$(PY) -m cluster_research report --jobs $(JOBS) $(if $(ALLOW_INCOMPLETE),--allow-incomplete,)

bench: $(STAMP) ## Run the speed and memory benchmarks (benchmarks/*.py); BASE=REV runs each on REV first (before/after in one session)
	$(PY) benchmarks/run_all.py $(if $(BASE),--base $(BASE),)

clean: ## Remove outputs and caches (keeps .venv)
	rm -rf outputs .pytest_cache .hypothesis .ruff_cache
	find . -name __pycache__ -type d -prune -not -path './$(VENV)/*' -exec rm -rf {} +

distclean: clean ## Also remove the virtual environment
	rm -rf $(VENV)
