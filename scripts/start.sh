#!/usr/bin/env bash
# Sets up, builds the app (release) and the server (release), and starts the server in demo
# mode on 127.0.0.1:8080. Extra arguments go to the server (see `sspr-server --help`).
set -euo pipefail
. "$(dirname "$0")/common.sh"
cd "$ROOT"

"$ROOT/scripts/setup.sh"

step "building the web app (trunk, release)"
build_app

step "building the server (release)"
cargo build --release --locked -p sspr-server

step "starting the server"
exec "$TARGET_DIR/release/sspr-server" --demo --app-dir "$ROOT/dist" "$@"
