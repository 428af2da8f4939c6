# The two commands of the portal: `make run` and `make test`.
SHELL := /bin/bash
VENV := .venv
PYTHON := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed
SOURCES := services/kit services/identity services/family services/vault services/billing services/notify gateway deploy tests

.PHONY: run test install lock system clean a11y-docs bench

run: install
	bash deploy/system-deps.sh run
	$(PYTHON) deploy/localstack.py

test: install tests/franceconnect/node_modules/.installed tests/a11y/node_modules/.installed
	bash deploy/system-deps.sh test
	bash tests/run-all.sh

# the OpenID Connect provider standing in for FranceConnect in the tests
tests/franceconnect/node_modules/.installed: tests/franceconnect/package-lock.json
	npm ci --prefix tests/franceconnect --no-audit --no-fund --loglevel=error
	touch $@

# axe-core, the accessibility engine the audit of every page injects in Chromium
tests/a11y/node_modules/.installed: tests/a11y/package-lock.json
	npm ci --prefix tests/a11y --no-audit --no-fund --loglevel=error
	touch $@

# the audit of every page, writing the accessibility statement and the README's screenshots
a11y-docs: install tests/franceconnect/node_modules/.installed tests/a11y/node_modules/.installed
	bash deploy/system-deps.sh test
	PORTAIL_A11Y_DOCS=1 $(PYTHON) -m pytest tests/a11y -q

install: $(INSTALLED)

# Only what the lock names, each file checked against its hash.
$(INSTALLED): requirements.txt requirements-dev.txt
	test -x $(PYTHON) || python3 -m venv $(VENV)
	$(PYTHON) -m pip install -q --require-hashes --no-deps -r requirements-dev.txt
	printf '%s\n' $(addprefix $(CURDIR)/,$(SOURCES)) > $$($(PYTHON) -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')/portail.pth
	touch $@

# The locks, from the direct pins of requirements.in and requirements-dev.in (see the README, "Upgrading").
LOCK := $(VENV)/bin/uv pip compile --quiet --python-version 3.11 --generate-hashes --no-strip-extras --custom-compile-command "make lock"

lock: install
	$(LOCK) requirements.in -o requirements.txt
	$(LOCK) -c requirements.txt requirements-dev.in -o requirements-dev.txt

clean:
	rm -rf $(VENV) var

# The benchmarks (bench/): each starts the portal on PostgreSQL and a fresh vhost,
# prints its figures beside a baseline measured in the same run, as a table and as JSON.
bench: install
	bash deploy/system-deps.sh test
	mkdir -p var/bench
	set -e; export BENCH_RESULTS=var/bench; \
	echo "### bench/api_load.py"; $(PYTHON) bench/api_load.py --seconds 8 --families 8; \
	echo "### bench/logins.py"; $(PYTHON) bench/logins.py --seconds 8 --login-clients 4; \
	echo "### bench/billing_run.py"; $(PYTHON) bench/billing_run.py --households 2000 10000 --wait 120; \
	echo "### bench/vault_throughput.py"; $(PYTHON) bench/vault_throughput.py; \
	echo "### bench/preregistration_rush.py"; $(PYTHON) bench/preregistration_rush.py --replicas 2
