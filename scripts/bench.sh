#!/usr/bin/env bash
# Measures the budgets of README, Budgets and prints them (reported, not asserted):
#   - first-load size (scripts/measure-size.sh)
#   - navigation to a usable user-ID field in headless Chromium, on loopback and with
#     4x CPU slowdown + slow 4G (scripts/bench/page-load.cjs, playwright-core from npm)
#   - server throughput and latency of endpoints that do not hash passwords (wrk), on
#     SQLite, on PostgreSQL, and on two instances over one PostgreSQL
#   - start, send and verify for real accounts vs unknown user IDs, median and p95
#     (server/examples/enumeration_timing.rs; docs/SECURITY.md R1), on each backend
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
servers=()
cleanup() {
    for pid in "${servers[@]}"; do kill "$pid" 2>/dev/null || true; done
    [ -n "${pg_data:-}" ] && pg_as "$pg_bin/pg_ctl" -D "$pg_data" -m fast stop >/dev/null 2>&1 || true
    rm -rf "$data"
}
trap cleanup EXIT

# Starts a demo server with the given database; sets $url to where it listens.
start_server() {
    local log="$data/server-${#servers[@]}.log"
    "$TARGET_DIR/release/sspr-server" --demo --listen 127.0.0.1:0 --app-dir "$ROOT/dist" \
        --database "$1" >"$log" 2>&1 &
    servers+=("$!")
    url=""
    for _ in $(seq 1 100); do
        url=$(sed -n 's/^SSPR listening on //p' "$log")
        [ -n "$url" ] && return
        sleep 0.1
    done
    cat "$log"; echo "the server did not start" >&2; exit 1
}

# wrk on each of $@ (URLs) at once; prints req/s (summed) and the worst p99.
load() {
    local i=0 outs=() pids=()
    for target in "$@"; do
        wrk -t2 -c64 -d"${DURATION}s" --latency "$target" >"$data/wrk-$i.txt" &
        pids+=("$!"); outs+=("$data/wrk-$i.txt"); i=$((i + 1))
    done
    wait "${pids[@]}"
    awk '/Requests\/sec/ {rps+=$2} /^ +99%/ {p=$2; v=p+0; if (p ~ /us$/) v/=1000; else if (p ~ /[^m]s$/) v*=1000; if (v>max) {max=v; worst=p}} END {printf "%.0f req/s, p99 %s\n", rps, worst}' "${outs[@]}"
}

start_server "$data/sspr.sqlite3"
step "navigation to a usable user-ID field (goal: 150 ms loopback, 1.5 s throttled)"
NODE_PATH="$CACHE/npm/node_modules" node "$ROOT/scripts/bench/page-load.cjs" "$url/" 15

step "server throughput on SQLite, endpoints that do not hash (goal: 5,000 req/s, p99 < 20 ms)"
for path in /api/v1/health /api/v1/config /api/v1/captcha /; do
    printf '%s: ' "$path"
    load "$url$path"
done
echo "(wrk and the server share this machine's cores: $(nproc); /health asks the database)"

step "real accounts vs unknown user IDs on SQLite: start, send, verify (in process; goal: alike)"
cargo run --release --locked -q -p sspr-server --example enumeration_timing "${TIMING_ACCOUNTS:-60}"

# --- PostgreSQL: a throwaway server in $data (as nobody when run as root) -------------
pg_bin=$(pg_bin_dir) || { echo "PostgreSQL's programs are missing: run scripts/setup.sh --for-tests" >&2; exit 1; }
pg_as() { if [ "$(id -u)" -eq 0 ]; then setpriv --reuid=nobody --regid=nogroup --clear-groups -- "$@"; else "$@"; fi; }
[ "$(id -u)" -eq 0 ] && chown nobody "$data"
pg_data="$data/pg"
pg_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
pg_as "$pg_bin/initdb" -D "$pg_data" -U sspr --auth=trust -E UTF8 --locale=C >/dev/null
pg_as "$pg_bin/pg_ctl" -D "$pg_data" -l "$data/pg.log" -w \
    -o "-k $data -p $pg_port -c listen_addresses=127.0.0.1 -c max_connections=200" start >/dev/null
for db in bench timing; do "$pg_bin/createdb" -h 127.0.0.1 -p "$pg_port" -U sspr "$db"; done
pg_url="postgres://sspr@127.0.0.1:$pg_port"

step "server throughput on PostgreSQL $("$pg_bin/postgres" --version | awk '{print $3}'), one instance"
start_server "$pg_url/bench"
first=$url
for path in /api/v1/health /api/v1/config; do
    printf '%s: ' "$path"
    load "$url$path"
done

step "two instances on one PostgreSQL, loaded at once (on $(nproc) cores: contention, not scale)"
start_server "$pg_url/bench"
for path in /api/v1/health /api/v1/config; do
    printf '%s, both: ' "$path"
    load "$first$path" "$url$path"
done

step "real accounts vs unknown user IDs on PostgreSQL: start, send, verify (in process)"
SSPR_BENCH_DATABASE="$pg_url/timing" \
    cargo run --release --locked -q -p sspr-server --example enumeration_timing "${TIMING_ACCOUNTS:-60}"
