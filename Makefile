# Everything runs inside .venv, which these targets build from pyproject.toml.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

# ansible-core imports DSA from cryptography, which then warns on every ansible command: one third party's notice to
# another, nothing to act on here. (tests/integration/targets/setup_emulator/expected_errors.sh says the same to the
# targets' playbooks, which ansible-test runs in an environment of its own.)
export PYTHONWARNINGS := ignore:DSA is deprecated:UserWarning

.PHONY: venv install test lint unit e2e ansible-test ansible-test-oldest ansible-lint demo bench bench-large bench-fleet bench-module \
	dist clean pulumi-engine

venv: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]' --config-settings editable_mode=strict > $(VENV)/install.log 2>&1 \
		|| { cat $(VENV)/install.log; exit 1; }
	touch $(STAMP)

# A strict editable install links files, so it is redone whenever the set of files changes.
FILES_HASH := $(shell git ls-files -co --exclude-standard 2>/dev/null | md5sum | cut -c1-12)
EDITABLE := $(VENV)/.editable-$(FILES_HASH)

# The checkout under the collection's import name (ansible_collections.edgeops.cloudflare_lists), for what the
# installed package leaves out: the tests' support package (on pytest's pythonpath), and mypy's view of the core.
IMPORT_ROOT := .work/import

install: $(EDITABLE)
	@mkdir -p $(IMPORT_ROOT)/ansible_collections/edgeops
	@ln -sfn ../../../.. $(IMPORT_ROOT)/ansible_collections/edgeops/cloudflare_lists

$(EDITABLE): $(STAMP)
	rm -f $(VENV)/.editable-*
	$(BIN)/pip install --quiet --no-deps -e . --config-settings editable_mode=strict > $(VENV)/install.log 2>&1 \
		|| { cat $(VENV)/install.log; exit 1; }
	touch $@

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	MYPYPATH=$(IMPORT_ROOT) $(BIN)/mypy -p ansible_collections.edgeops.cloudflare_lists.plugins.module_utils \
		-p edgeops_cloudflare_lists -p pulumi_provider

# The Pulumi CLI, built from Go modules into a cache outside the repository (tools/build-pulumi.sh): about 8 minutes
# the first time on a machine, a second after; and beside it Pulumi YAML's language host (tools/build-pulumi-yaml.sh,
# about 4 minutes the first time). The engine tests run against them; EDGEOPS_SKIP_PULUMI_ENGINE=1 skips them (and
# the builds) explicitly.
pulumi-engine:
	@tools/build-pulumi.sh >/dev/null
	@tools/build-pulumi-yaml.sh >/dev/null

# The engine is built (or found) in the background while every other test runs; its own tests run once it is there.
ENGINE_TESTS := tests/e2e/pulumi_engine_runs
ENGINE_LOG := .work/pulumi-engine-build.log

unit: install
	@if [ -n "$$EDGEOPS_SKIP_PULUMI_ENGINE" ]; then \
		echo "EDGEOPS_SKIP_PULUMI_ENGINE is set: the Pulumi engine is not built and its tests are skipped"; \
		$(BIN)/pytest; \
	else \
		mkdir -p .work; \
		{ tools/build-pulumi.sh >.work/pulumi-engine-root && tools/build-pulumi-yaml.sh >/dev/null; } 2>$(ENGINE_LOG) & \
		build=$$!; \
		echo "The Pulumi engine is built or found in the background (log: $(ENGINE_LOG)); its tests run last."; \
		$(BIN)/pytest --ignore=$(ENGINE_TESTS); status=$$?; \
		if ! wait $$build; then cat $(ENGINE_LOG); echo "The Pulumi engine could not be built (above)."; exit 1; fi; \
		PULUMI_ENGINE_ROOT=$$(cat .work/pulumi-engine-root) $(BIN)/pytest $(ENGINE_TESTS) || status=1; \
		exit $$status; \
	fi

ansible-test: install
	PATH=$(CURDIR)/$(BIN):$$PATH $(BIN)/python tests/ansible_test.py

# The oldest ansible-core the collection supports (meta/runtime.yml's requires_ansible), beside the newest one in
# .venv: its own venv, with the project installed in (lenient) editable mode for the emulator the targets start.
OLDEST_ANSIBLE_CORE := 2.15
OLDEST_VENV := .venv-ansible-core-$(OLDEST_ANSIBLE_CORE)
OLDEST_STAMP := $(OLDEST_VENV)/.installed

$(OLDEST_STAMP): pyproject.toml
	$(PYTHON) -m venv $(OLDEST_VENV)
	$(OLDEST_VENV)/bin/pip install --quiet --upgrade pip
	$(OLDEST_VENV)/bin/pip install --quiet 'ansible-core==$(OLDEST_ANSIBLE_CORE).*' -e . > $(OLDEST_VENV)/install.log 2>&1 \
		|| { cat $(OLDEST_VENV)/install.log; exit 1; }
	touch $@

ansible-test-oldest: $(OLDEST_STAMP) install
	PATH=$(CURDIR)/$(OLDEST_VENV)/bin:$$PATH $(OLDEST_VENV)/bin/python tests/ansible_test.py sanity integration

test: lint unit ansible-test ansible-test-oldest

demo: install
	PATH=$(CURDIR)/$(BIN):$$PATH bash examples/demo.sh

bench: install
	$(BIN)/python benchmarks/waiter_schedules.py
	$(BIN)/python benchmarks/sync_strategies.py
	$(BIN)/python benchmarks/large_list.py

bench-large: install
	$(BIN)/python benchmarks/large_list.py

bench-fleet: install
	$(BIN)/python benchmarks/fleet.py

# bulk_operation_info beside ansible.builtin.uri, through ansible-playbook (about 5 minutes).
bench-module: install
	$(BIN)/python benchmarks/module_vs_uri.py

# The pip package (command, Pulumi provider, emulator and the collection, as one wheel) and the collection's
# Galaxy tarball, in dist/.
dist: venv
	rm -rf dist build/lib
	$(BIN)/pip wheel --quiet --no-deps --wheel-dir dist .
	$(BIN)/ansible-galaxy collection build --force --output-path dist . >/dev/null
	@ls -1 dist

clean:
	rm -rf $(VENV) $(OLDEST_VENV) build dist *.egg-info .work tests/output .pytest_cache .mypy_cache .ruff_cache
