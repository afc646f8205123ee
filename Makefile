# pod-security-policy: build, test and run the Kubewarden policy.
#
#   make run     evaluate the bundled examples (examples/requests x examples/settings)
#   make test    unit tests, then end-to-end tests against the built policy.wasm
#
# Every target installs what it needs (scripts/setup.sh: the wasm32-wasip1 target).

SHELL := /bin/bash
CARGO ?= cargo
KWCTL ?= kwctl
WASM_TARGET := wasm32-wasip1

# One target dir for everything, outside the work tree, so that wasmtime (the test host's
# engine) is built once per machine.
CARGO_TARGET_DIR ?= $(HOME)/.cache/psp-target
export CARGO_TARGET_DIR

# `make run REQUEST=path/to/request.json SETTINGS=path/to/settings.yml`
REQUEST ?=
SETTINGS ?=

# Default goal: the module.
.DEFAULT_GOAL := all
.PHONY: FORCE all setup test unit-tests e2e-tests lint fmt fmt-check run clean distclean help

all: policy.wasm

help:
	@echo "make run         evaluate the bundled examples (REQUEST=file [SETTINGS=file] for one request)"
	@echo "make test        unit tests, then end-to-end tests"
	@echo "make policy.wasm / annotated-policy.wasm / e2e-tests / lint / fmt / fmt-check / clean"

setup:
	@bash scripts/setup.sh

# The policy module. Cargo always runs (it knows best what changed, include_str! files too); the
# copy keeps its date when the module did not change.
policy.wasm: FORCE
	@bash scripts/setup.sh
	$(CARGO) build --target=$(WASM_TARGET) --release -p pod-security-policy
	@cmp -s "$(CARGO_TARGET_DIR)/$(WASM_TARGET)/release/pod_security_policy.wasm" $@ \
		|| cp -v "$(CARGO_TARGET_DIR)/$(WASM_TARGET)/release/pod_security_policy.wasm" $@

# The module with its metadata (custom section io.kubewarden.metadata): what gets published.
annotated-policy.wasm: policy.wasm $(wildcard metadata.yml README.md)
	@if command -v $(KWCTL) >/dev/null 2>&1 && [ -f metadata.yml ]; then \
		echo "$(KWCTL) annotate -m metadata.yml -u README.md -o $@ policy.wasm"; \
		$(KWCTL) annotate -m metadata.yml -u README.md -o $@ policy.wasm; \
	else \
		echo "NOTE: no $(KWCTL) on PATH or no metadata.yml: $@ is an unannotated copy of policy.wasm"; \
		cp policy.wasm $@; \
	fi

test: unit-tests e2e-tests

unit-tests: setup
	$(CARGO) test -p pod-security-policy --lib

e2e-tests: policy.wasm
	$(CARGO) test --profile e2e -p e2e-tests

# Native clippy shares the e2e profile's dependency builds (wasmtime) with the tests.
lint: setup
	$(CARGO) clippy --profile e2e --workspace --all-targets -- -D warnings
	$(CARGO) clippy --target=$(WASM_TARGET) -p pod-security-policy --lib -- -D warnings

fmt:
	$(CARGO) fmt --all

fmt-check:
	$(CARGO) fmt --all -- --check

run: policy.wasm
	$(CARGO) run --profile e2e -p e2e-tests --bin psp-run -- --policy policy.wasm \
		$(if $(REQUEST),--request-path "$(REQUEST)",--examples) \
		$(if $(SETTINGS),--settings-path "$(SETTINGS)")

# Removes this project's artefacts; the dependencies stay built (distclean removes them too).
clean:
	rm -f policy.wasm annotated-policy.wasm
	$(CARGO) clean -p pod-security-policy -p e2e-tests
	$(CARGO) clean --profile e2e -p pod-security-policy -p e2e-tests
	$(CARGO) clean --release --target=$(WASM_TARGET) -p pod-security-policy

distclean: clean
	$(CARGO) clean

FORCE:
