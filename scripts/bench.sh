#!/usr/bin/env bash
# Measures the budgets of README, Budgets and prints them (reported, not asserted):
#   - first-load size (scripts/measure-size.sh)
#   - navigation to a usable user-ID field in headless Chromium, on loopback and with
#     4x CPU slowdown + slow 4G (scripts/bench/page-load.cjs, playwright-core from npm)
#   - server throughput and latency of endpoints that do not hash passwords (wrk)
#   - start, send and verify for real accounts vs unknown user IDs, median and p95
#     (server/examples/enumeration_timing.rs; docs/SECURITY.md R1)
# Usage: scripts/bench.sh [seconds per load test, default 10]
set -euo pipefail
. "$(dirname "$0")/common.sh"
cd "$ROOT"
DURATION=${1:-10}

"$ROOT/scripts/setup.sh" --for-tests
command -v wrk >/dev/null 2>&1 || {
    step "apt-get install wrk"
    SUDO=""; [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null && SUDO=sudo
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q wrk >/dev/null
}
if [ ! -d "$CACHE/npm/node_modules/playwright-core" ]; then
    step "npm install playwright-core (drives the system Chromium; downloads no browser)"
    npm install --prefix "$CACHE/npm" --no-audit --no-fund --silent playwright-core@1
fi

step "building the web app and the server (release)"
build_app
cargo build --release --locked -p sspr-server

step "first-load size"
"$ROOT/scripts/measure-size.sh"

data=$(mktemp -d)
trap 'kill "$server" 2>/dev/null || true; rm -rf "$data"' EXIT
"$TARGET_DIR/release/sspr-server" --demo --listen 127.0.0.1:0 --app-dir "$ROOT/dist" \
    --database "$data/sspr.sqlite3" >"$data/server.log" 2>&1 &
server=$!
url=""
for _ in $(seq 1 100); do
    url=$(sed -n 's/^SSPR listening on //p' "$data/server.log")
    [ -n "$url" ] && break
    sleep 0.1
done
[ -n "$url" ] || { cat "$data/server.log"; echo "the server did not start" >&2; exit 1; }

step "navigation to a usable user-ID field (goal: 150 ms loopback, 1.5 s throttled)"
NODE_PATH="$CACHE/npm/node_modules" node "$ROOT/scripts/bench/page-load.cjs" "$url/" 15

step "server throughput, endpoints that do not hash (goal: 5,000 req/s, p99 < 20 ms)"
for path in /api/v1/health /api/v1/config /api/v1/captcha /; do
    printf '%s: ' "$path"
    wrk -t2 -c64 -d"${DURATION}s" --latency "$url$path" \
        | awk '/Requests\/sec/ {rps=$2} /^ +99%/ {p99=$2} END {printf "%s req/s, p99 %s\n", rps, p99}'
done
echo "(wrk and the server share this machine's cores: $(nproc))"

step "real accounts vs unknown user IDs: start, send, verify (in process; goal: alike)"
cargo run --release --locked -q -p sspr-server --example enumeration_timing "${TIMING_ACCOUNTS:-60}"
