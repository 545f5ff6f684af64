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

# The suite runs in TEST_WORKERS processes (pytest-xdist), one test file per worker at a
# time so a file's fixtures stay in one process. Most of its time is waiting on servers,
# clusters and subprocesses, so even two cores run two workers well (BENCHMARKS.md, "Test
# suite"); each worker starts its own sandbox and PostgreSQL server, so more than four
# cost more than they save. TEST_WORKERS=0 runs everything in this one process.
TEST_WORKERS ?= $(shell n=$$(nproc 2>/dev/null || echo 2); [ $$n -lt 2 ] && n=2; [ $$n -gt 4 ] && n=4; echo $$n)

# pytest's exit code 5 (no tests collected) must fail the run, not pass it silently.
test: venv-dev sandbox helm lint
	CHATOPS_REQUIRE_SANDBOX=1 $(PY) -m pytest -n $(TEST_WORKERS) --dist loadfile; rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "pytest collected no tests" >&2; exit 1; fi; exit $$rc

clean-venv:
	rm -rf $(VENV)
