# Two entry points a new machine needs: `make demo` and `make test`. Each installs what it
# needs first (a venv with the project, the sandbox control plane build, and for the tests the
# helm CLI), cached between runs.

PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip
STAMP_RUN := $(VENV)/.installed-run
STAMP_DEV := $(VENV)/.installed-dev
# mypy's incremental cache, kept between clones like the sandbox and helm builds: entries
# are checked against each file's hash (and mypy's version), so a stale one is never used,
# and a warm run type-checks in seconds instead of about a minute.
MYPY_CACHE ?= $(HOME)/.cache/chatops/mypy

.PHONY: demo test lint sandbox helm venv venv-dev bench clean-venv

$(STAMP_RUN): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -e .
	touch $@

# The test environment adds the linters and the training stack (torch is a large download).
$(STAMP_DEV): $(STAMP_RUN)
	$(PIP) install -q -e '.[dev,train]'
	touch $@

venv: $(STAMP_RUN)
venv-dev: $(STAMP_DEV)

sandbox:
	bash sandbox/build.sh >/dev/null

# The helm CLI the chart's tests run (built from its Go module, cached under ~/.cache/chatops/helm).
helm:
	bash deploy/helm/build-helm.sh >/dev/null

demo: venv sandbox
	$(VENV)/bin/chatops demo

lint: venv-dev
	$(VENV)/bin/ruff check chatops intents finetune runbooks tests bench
	$(VENV)/bin/mypy --cache-dir "$(MYPY_CACHE)"
	$(VENV)/bin/lint-imports

# pytest's exit code 5 (no tests collected) must fail the run, not pass it silently.
test: venv-dev sandbox helm lint
	CHATOPS_REQUIRE_SANDBOX=1 $(PY) -m pytest; rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "pytest collected no tests" >&2; exit 1; fi; exit $$rc

clean-venv:
	rm -rf $(VENV)
