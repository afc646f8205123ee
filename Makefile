# pod-security-policy: build, test and run the Kubewarden policy.
#
#   make run     evaluate the bundled examples (examples/requests x examples/settings)
#   make test    unit tests, then end-to-end tests against the built policy.wasm
#   make bench   benchmarks: the table of the README's Performance section
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
.PHONY: FORCE all setup test unit-tests e2e-tests lint fmt fmt-check run bench clean distclean help

all: policy.wasm

help:
	@echo "make run         evaluate the bundled examples (REQUEST=file [SETTINGS=file] for one request)"
	@echo "make test        unit tests, then end-to-end tests"
	@echo "make bench       benchmarks of policy.wasm against its parse-only floor (BENCH_ARGS=--quick)"
	@echo "make policy.wasm / annotated-policy.wasm / e2e-tests / lint / fmt / fmt-check / clean"

setup:
	@bash scripts/setup.sh

# The policy module. Cargo always runs (it knows best what changed, include_str! files too); the
# copy keeps its date when the module did not change. wasm-opt (Debian's binaryen, installed by
# scripts/setup.sh) shrinks it by a fifth; without it the module is used as cargo built it.
WASM_OPT ?= wasm-opt
WASM_OPT_FLAGS ?= -Oz --enable-bulk-memory --enable-sign-ext --enable-mutable-globals \
	--enable-nontrapping-float-to-int
policy.wasm: FORCE
	@bash scripts/setup.sh
	$(CARGO) build --target=$(WASM_TARGET) --release -p pod-security-policy
	@built="$(CARGO_TARGET_DIR)/$(WASM_TARGET)/release/pod_security_policy.wasm"; \
	if command -v $(WASM_OPT) >/dev/null 2>&1; then \
		$(WASM_OPT) $(WASM_OPT_FLAGS) "$$built" -o "$$built.opt" && built="$$built.opt"; \
	else \
		echo "NOTE: no $(WASM_OPT) on PATH: policy.wasm is not size-optimised"; \
	fi; \
	cmp -s "$$built" $@ || cp -v "$$built" $@

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

# The benchmark variant of the module: the same code and release settings (profile
# `bench-floor` inherits `release`, in its own output folder so that it never overwrites the
# shipped module's build), plus the `parse_only` export that `psp-bench` uses as its floor.
BENCH_PROFILE := --profile bench-floor --config 'profile.bench-floor.inherits="release"'
POLICY_BENCH_WASM := $(CARGO_TARGET_DIR)/policy-bench.wasm
BENCH_ARGS ?=

bench: policy.wasm
	$(CARGO) build --target=$(WASM_TARGET) $(BENCH_PROFILE) -p pod-security-policy --features bench-floor
	@cmp -s "$(CARGO_TARGET_DIR)/$(WASM_TARGET)/bench-floor/pod_security_policy.wasm" "$(POLICY_BENCH_WASM)" \
		|| cp -v "$(CARGO_TARGET_DIR)/$(WASM_TARGET)/bench-floor/pod_security_policy.wasm" "$(POLICY_BENCH_WASM)"
	$(CARGO) build --profile e2e -p e2e-tests --bin psp-bench
	"$(CARGO_TARGET_DIR)/e2e/psp-bench" --policy policy.wasm --floor "$(POLICY_BENCH_WASM)" $(BENCH_ARGS)

# Removes this project's artefacts; the dependencies stay built (distclean removes them too).
clean:
	rm -f policy.wasm annotated-policy.wasm "$(POLICY_BENCH_WASM)"
	$(CARGO) clean -p pod-security-policy -p e2e-tests
	$(CARGO) clean --profile e2e -p pod-security-policy -p e2e-tests
	$(CARGO) clean --release --target=$(WASM_TARGET) -p pod-security-policy

distclean: clean
	$(CARGO) clean

FORCE:
