#!/usr/bin/env bash
# Runs a command with the wasm32 toolchain that scripts/setup.sh chose, for example:
#   scripts/wasm-env.sh trunk serve
#   scripts/wasm-env.sh cargo test --target wasm32-unknown-unknown --test web
set -euo pipefail
. "$(dirname "$0")/common.sh"
wasm_env "$@"
