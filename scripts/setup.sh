#!/usr/bin/env bash
# Everything a fresh Debian 12 machine with rustup needs to build and test this project.
# Idempotent: safe to run before every build (the Makefile does).
set -euo pipefail

if ! command -v rustup >/dev/null 2>&1; then
    echo "setup: rustup is required (https://rustup.rs); cargo and rustc come with it" >&2
    exit 1
fi

# The policy is a WASI (preview 1) module.
if ! rustup target list --installed | grep -qx wasm32-wasip1; then
    echo "setup: rustup target add wasm32-wasip1"
    rustup target add wasm32-wasip1
fi

# wasm-opt shrinks the module (Debian's binaryen package).
if ! command -v wasm-opt >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1; then
    echo "setup: apt-get install binaryen (wasm-opt)"
    (apt-get update -qq && apt-get install -y -qq binaryen >/dev/null) \
        || echo "setup: binaryen could not be installed; policy.wasm will not be size-optimised" >&2
fi

# `make lint` and `make fmt` use clippy and rustfmt, which minimal rustup profiles leave out.
for component in clippy rustfmt; do
    if ! rustup component list --installed | grep -q "^${component}"; then
        echo "setup: rustup component add ${component}"
        rustup component add "${component}"
    fi
done

# Optional components, named on the command line (`bash scripts/setup.sh registry python`):
#   registry  Debian's docker-registry (the CNCF distribution registry), which the OCI round-trip
#             tests of crate psp-tools start on 127.0.0.1 (the package's own service is not used);
#   python    python3 with venv, for the Pulumi example's unit test (`make pulumi-tests`).
# A failed install is reported here and left to the tests that need it, which fail saying so.
apt_install() {
    if ! command -v apt-get >/dev/null 2>&1; then
        echo "setup: no apt-get: install $* yourself" >&2
        return 1
    fi
    echo "setup: apt-get install $*"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

for component in "$@"; do
    case "${component}" in
        registry)
            if ! command -v docker-registry >/dev/null 2>&1 && [ -z "${DOCKER_REGISTRY_BIN:-}" ]; then
                apt_install docker-registry \
                    || echo "setup: docker-registry could not be installed; the registry tests will fail" >&2
            fi
            ;;
        python)
            if ! command -v python3 >/dev/null 2>&1 || ! python3 -c 'import venv, ensurepip' >/dev/null 2>&1; then
                apt_install python3 python3-venv \
                    || echo "setup: python3 with venv could not be installed; make pulumi-tests will fail" >&2
            fi
            ;;
        *)
            echo "setup: unknown component ${component} (known: registry, python)" >&2
            exit 2
            ;;
    esac
done
