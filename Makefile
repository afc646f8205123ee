# pod-security-policy: build, test and run the Kubewarden policy.
#
#   make run     evaluate the bundled examples (examples/matrix.yml: requests x settings)
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

# Every native build and test runs in one profile (`e2e`, see the root Cargo.toml) and selects
# the whole workspace, then the targets it needs. Cargo decides the features of a shared
# dependency per command, from the packages the command selects: `-p psp-host` alone would
# build wasmtime (and what depends on tokio or serde_json) with other features than the tests,
# and so a second time. With `--workspace` everywhere, `make run`, `make test`, the tools and
# the bench share one build of every dependency.
NATIVE_BUILD := $(CARGO) build --profile e2e --workspace
NATIVE_BIN := $(CARGO_TARGET_DIR)/e2e

# That profile is unoptimised (see the root Cargo.toml), where compiling the policy module takes
# seconds: the host keeps compiled modules here, so that the tests' processes compile it once.
PSP_MODULE_CACHE ?= $(CARGO_TARGET_DIR)/psp-module-cache
export PSP_MODULE_CACHE

# `make run REQUEST=path/to/request.json SETTINGS=path/to/settings.yml`
REQUEST ?=
SETTINGS ?=

# Default goal: the module.
.DEFAULT_GOAL := all
.PHONY: FORCE all setup test unit-tests e2e-tests pulumi-tests push lint fmt fmt-check run bench clean distclean help

all: policy.wasm

help:
	@echo "make run         evaluate the bundled examples (REQUEST=file [SETTINGS=file] for one request)"
	@echo "make test        unit tests, then end-to-end tests"
	@echo "make bench       benchmarks of policy.wasm against its parse-only floor (BENCH_ARGS=--quick)"
	@echo "make push REF=registry://HOST/PATH:TAG [INSECURE=1]   publish annotated-policy.wasm"
	@echo "make policy.wasm / annotated-policy.wasm / artifacthub-pkg.yml / e2e-tests / pulumi-tests"
	@echo "make lint / fmt / fmt-check / clean"
	@echo "make fuzz [FUZZ_SECONDS=600] / fuzz-ci [FUZZ_CI_SECONDS=20] / fuzz-cmin   (nightly, cargo-fuzz)"

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
# `kwctl annotate` when kwctl is installed, else the built-in psp-annotate (crate psp-tools),
# which embeds the same JSON: metadata.yml, protocolVersion asked from the module, the README as
# the io.kubewarden.policy.usage annotation.
annotated-policy.wasm: policy.wasm metadata.yml README.md
	@if command -v $(KWCTL) >/dev/null 2>&1; then \
		echo "$(KWCTL) annotate -m metadata.yml -u README.md -o $@ policy.wasm"; \
		$(KWCTL) annotate -m metadata.yml -u README.md -o $@ policy.wasm; \
	else \
		echo "psp-annotate -m metadata.yml -u README.md -o $@ policy.wasm (no $(KWCTL) on PATH)"; \
		$(NATIVE_BUILD) -q --bin psp-annotate \
		&& "$(NATIVE_BIN)/psp-annotate" -m metadata.yml -u README.md -o $@ policy.wasm; \
	fi

# Publishes annotated-policy.wasm as an OCI artifact: `make push REF=registry://HOST/PATH:TAG`.
# `kwctl push` when kwctl is installed, else the built-in psp-push (the same manifest: config {}
# application/vnd.wasm.config.v1+json, one application/vnd.wasm.content.layer.v1+wasm layer, the
# metadata annotations). Plain HTTP only with INSECURE=1.
REF ?=
INSECURE ?=
PUSH_INSECURE := $(filter 1 true yes,$(INSECURE))
push: annotated-policy.wasm
	@if [ -z "$(REF)" ]; then \
		echo "usage: make push REF=registry://HOST[:PORT]/PATH:TAG [INSECURE=1]" >&2; exit 2; \
	fi
	@if command -v $(KWCTL) >/dev/null 2>&1; then \
		sources=""; \
		if [ -n "$(PUSH_INSECURE)" ]; then \
			host="$(REF)"; host="$${host#registry://}"; host="$${host%%/*}"; \
			sources="$$(mktemp)"; trap 'rm -f "$$sources"' EXIT; \
			printf 'insecure_sources:\n  - "%s"\n' "$$host" > "$$sources"; \
		fi; \
		echo "$(KWCTL) push $${sources:+--sources-path $$sources }annotated-policy.wasm $(REF)"; \
		$(KWCTL) push $${sources:+--sources-path "$$sources"} annotated-policy.wasm "$(REF)"; \
	else \
		echo "psp-push $(if $(PUSH_INSECURE),--insecure )annotated-policy.wasm $(REF) (no $(KWCTL) on PATH)"; \
		$(NATIVE_BUILD) -q --bin psp-push \
		&& "$(NATIVE_BIN)/psp-push" $(if $(PUSH_INSECURE),--insecure) annotated-policy.wasm "$(REF)"; \
	fi

# The Artifact Hub package file, from metadata.yml and questions-ui.yml, in the form
# `kwctl scaffold artifacthub` writes (built-in psp-artifacthub; a test keeps the file in sync).
artifacthub-pkg.yml: metadata.yml questions-ui.yml
	$(NATIVE_BUILD) -q --bin psp-artifacthub
	"$(NATIVE_BIN)/psp-artifacthub" -m metadata.yml -q questions-ui.yml -o $@

test: unit-tests e2e-tests pulumi-tests

# The unit tests of every crate (the policy natively, the waPC host against a WAT guest,
# psp-run's and psp-bench's own, the tools'), in the profile of everything else (see above).
unit-tests: setup
	$(CARGO) test --profile e2e --workspace --lib --bins

# The integration tests: the module through the waPC host (crate e2e-tests), psp-run's demo
# (crate psp-host), and the shipping tools (crate psp-tools: annotate, OCI push/pull against a
# docker-registry on 127.0.0.1, manifests against the CRDs, PSP migration).
e2e-tests: policy.wasm
	@bash scripts/setup.sh registry
	$(CARGO) test --profile e2e --workspace --test '*'

# The Pulumi example's unit test (examples/pulumi, Pulumi's mocks: no cluster, no Pulumi
# service). Its pinned requirements go to a virtualenv outside the work tree, reinstalled when
# requirements.txt changes.
PULUMI_VENV ?= $(HOME)/.cache/psp-pulumi-venv
pulumi-tests:
	@bash scripts/setup.sh python
	@if [ ! -x "$(PULUMI_VENV)/bin/python" ]; then python3 -m venv "$(PULUMI_VENV)"; fi
	@cmp -s examples/pulumi/requirements.txt "$(PULUMI_VENV)/requirements.txt" || { \
		echo "pip install -r examples/pulumi/requirements.txt (into $(PULUMI_VENV))"; \
		"$(PULUMI_VENV)/bin/pip" install --disable-pip-version-check -q -r examples/pulumi/requirements.txt \
		&& cp examples/pulumi/requirements.txt "$(PULUMI_VENV)/requirements.txt"; }
	cd examples/pulumi && PYTHONDONTWRITEBYTECODE=1 "$(PULUMI_VENV)/bin/python" -m pytest -v -p no:cacheprovider

lint: setup
	$(CARGO) clippy --profile e2e --workspace --all-targets -- -D warnings
	$(CARGO) clippy --target=$(WASM_TARGET) -p pod-security-policy --lib -- -D warnings

fmt:
	$(CARGO) fmt --all

fmt-check:
	$(CARGO) fmt --all -- --check

run: policy.wasm
	$(NATIVE_BUILD) --bin psp-run
	"$(NATIVE_BIN)/psp-run" --policy policy.wasm \
		$(if $(REQUEST),--request-path "$(REQUEST)",--examples) \
		$(if $(SETTINGS),--settings-path "$(SETTINGS)")

# The benchmark variant of the module: the same code, release settings and wasm-opt pass as
# policy.wasm (profile `bench-floor` inherits `release`, in its own output folder so that it
# never overwrites the shipped module's build), plus the `parse_only` export that `psp-bench`
# uses as its floor. `make bench BENCH_ARGS=--quick` for a short run. psp-bench itself is built
# optimised, in profile `bench-host` (see the root Cargo.toml): its first build compiles wasmtime
# once more.
BENCH_PROFILE := --profile bench-floor --config 'profile.bench-floor.inherits="release"'
POLICY_BENCH_WASM := $(CARGO_TARGET_DIR)/policy-bench.wasm
BENCH_ARGS ?=

bench: policy.wasm
	$(CARGO) build --target=$(WASM_TARGET) $(BENCH_PROFILE) -p pod-security-policy --features bench-floor
	@built="$(CARGO_TARGET_DIR)/$(WASM_TARGET)/bench-floor/pod_security_policy.wasm"; \
	if command -v $(WASM_OPT) >/dev/null 2>&1; then \
		$(WASM_OPT) $(WASM_OPT_FLAGS) "$$built" -o "$$built.opt" && built="$$built.opt"; \
	fi; \
	cmp -s "$$built" "$(POLICY_BENCH_WASM)" || cp -v "$$built" "$(POLICY_BENCH_WASM)"
	$(CARGO) build --profile bench-host --workspace --bin psp-bench
	"$(CARGO_TARGET_DIR)/bench-host/psp-bench" --policy policy.wasm --floor "$(POLICY_BENCH_WASM)" $(BENCH_ARGS)

# Fuzzing: cargo-fuzz on the nightly toolchain, in fuzz/ (a workspace of its own, built in its own
# target folder so that nightly and sanitizer flags never invalidate the main build). Each run uses one core
# (fuzz/run.sh: -jobs=1 -workers=1, niced). `make fuzz` grows fuzz/corpus/, `make fuzz-cmin` minimises it;
# `make fuzz-ci` reads the committed corpus and keeps nothing. A finding lands in fuzz/artifacts/<target>/
# and fails the target.
FUZZ_TARGETS := evaluate_raw settings_raw evaluate_structured
FUZZ_SECONDS ?= 600
FUZZ_CI_SECONDS ?= 20
FUZZ_CARGO ?= cargo +nightly
FUZZ_TARGET_DIR ?= $(HOME)/.cache/psp-fuzz-target
export FUZZ_TARGET_DIR
.PHONY: fuzz-setup fuzz-build fuzz fuzz-ci fuzz-cmin

fuzz-setup:
	@rustup toolchain list | grep -q '^nightly' \
		|| { echo "fuzz: needs the nightly toolchain (rustup toolchain install nightly)" >&2; exit 1; }
	@command -v cargo-fuzz >/dev/null 2>&1 \
		|| CARGO_TARGET_DIR="$(FUZZ_TARGET_DIR)/install" cargo install cargo-fuzz --locked

fuzz-build: fuzz-setup
	CARGO_TARGET_DIR="$(FUZZ_TARGET_DIR)" $(FUZZ_CARGO) fuzz build

fuzz: fuzz-build
	@status=0; for t in $(FUZZ_TARGETS); do bash fuzz/run.sh $$t $(FUZZ_SECONDS) grow || status=1; done; exit $$status

fuzz-ci: fuzz-build
	@status=0; for t in $(FUZZ_TARGETS); do bash fuzz/run.sh $$t $(FUZZ_CI_SECONDS) scratch || status=1; done; exit $$status

fuzz-cmin: fuzz-build
	@for t in $(FUZZ_TARGETS); do bash fuzz/run.sh $$t 0 cmin || exit 1; done

# Removes this project's artefacts; the dependencies stay built (distclean removes them too).
clean:
	rm -f policy.wasm annotated-policy.wasm "$(POLICY_BENCH_WASM)"
	rm -rf "$(PSP_MODULE_CACHE)"
	$(CARGO) clean --profile e2e -p pod-security-policy -p psp-host -p e2e-tests -p psp-tools
	$(CARGO) clean --profile bench-host -p pod-security-policy -p psp-host -p e2e-tests -p psp-tools
	$(CARGO) clean --release --target=$(WASM_TARGET) -p pod-security-policy

distclean: clean
	$(CARGO) clean

FORCE:
