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
