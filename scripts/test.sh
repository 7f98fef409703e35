#!/usr/bin/env bash
# Sets up and runs every test: formatting, lints, native unit and HTTP tests (the server's
# on SQLite and again on PostgreSQL), component tests in headless Chromium, and end-to-end
# tests (real server + built app + Chromium).
set -euo pipefail
. "$(dirname "$0")/common.sh"
cd "$ROOT"
started=$(date +%s)

"$ROOT/scripts/setup.sh" --for-tests

step "cargo fmt --check"
cargo fmt --all -- --check

step "cargo clippy (native, all targets, -D warnings)"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "building the web app (trunk, release) for the end-to-end tests"
build_app

step "building the server"
cargo build --locked -p sspr-server

step "native tests: contract, server, app logic, end-to-end in headless Chromium"
SSPR_SERVER_BIN="$TARGET_DIR/debug/sspr-server" SSPR_APP_DIR="$ROOT/dist" \
    cargo test --workspace --locked

step "the server's integration tests again, on PostgreSQL (the store's contract suite)"
# The tests start a throwaway PostgreSQL server themselves (server/tests/integration/
# postgres.rs); the several-instances tests already ran on it in the pass above.
SSPR_TEST_STORE=postgres cargo test --locked -p sspr-server --test integration -- --skip instances

step "component tests in headless Chromium (wasm-bindgen-test)"
CHROMEDRIVER=${CHROMEDRIVER:-$(command -v chromedriver)} \
CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
    wasm_env cargo test --locked --target wasm32-unknown-unknown -p sspr-app --test web

step "size of a first load (reported, not asserted)"
"$ROOT/scripts/measure-size.sh"

step "all tests passed in $(( $(date +%s) - started )) s"
