#!/usr/bin/env bash
# Measures the budgets of README, Budgets and prints them (reported, not asserted):
#   - first-load size (scripts/measure-size.sh)
#   - navigation to a usable user-ID field in headless Chromium, on loopback and with
#     4x CPU slowdown + slow 4G (scripts/bench/page-load.cjs, playwright-core from npm)
#   - server throughput and latency of endpoints that do not hash passwords (wrk), on
#     SQLite, on PostgreSQL, and on two instances over one PostgreSQL
#   - start, send and verify for real accounts vs unknown user IDs, median and p95
#     (server/examples/enumeration_timing.rs; docs/SECURITY.md R1), on each backend
#   - a whole reset, start to done, in Chromium, Firefox and WebKit (the e2e core journeys
#     against the release server, timed by the test harness)
# and ends with one table: each figure beside its budget.
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

data=$(mktemp -d)
table="$data/table.tsv"
# A row of the closing table: what, measured, budget.
row() { printf '%s\t%s\t%s\n' "$1" "$2" "$3" >>"$table"; }
# The brotli column of measure-size.sh's line starting with $1.
brotli_of() { awk -v label="$1" 'index($0, label) == 1 { n = split(substr($0, length(label) + 1), f, " "); print f[3]; exit }' "$data/size.txt"; }

step "first-load size"
"$ROOT/scripts/measure-size.sh" | tee "$data/size.txt"
row "first load, reset portal, brotli" "$(brotli_of "first load: portal ") B" "<= 120 KB on the way to 100 KB"
largest=$(awk '/^first load: portal, / { sub(/^first load: portal, /, ""); print $1; exit }' "$data/size.txt")
row "the same with the largest locale ($largest)" "$(brotli_of "first load: portal, $largest") B" "<= 120 KB"
row "a whole reset, brotli" "$(brotli_of "portal, whole reset") B" "(reported)"
row "first load, security-info page" "$(brotli_of "first load: security info") B" "(reported)"
row "first load, authenticator page" "$(brotli_of "first load: authenticator") B" "(reported)"
row "embed.js, the login page's widget" "$(brotli_of "embed.js") B" "a few KB"

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
step "navigation to a usable user-ID field (goal: 150 ms loopback, 1.2 s throttled)"
NODE_PATH="$CACHE/npm/node_modules" node "$ROOT/scripts/bench/page-load.cjs" "$url/" 15 | tee "$data/load.jsonl"
while IFS=$'\t' read -r profile figure; do
    case "$profile" in loopback) budget="<= 150 ms" ;; *) budget="<= 1.2 s" ;; esac
    row "usable user-ID field, $profile (median, p95; Chromium)" "$figure" "$budget"
    row "the app taking the first step over, $profile (median, p95)" "$(node -e 'for (const l of require("fs").readFileSync(process.argv[1], "utf8").trim().split("\n")) { const r = JSON.parse(l); if (r.profile === process.argv[2]) console.log(r.app_median_ms + " ms, p95 " + r.app_p95_ms + " ms"); }' "$data/load.jsonl" "$profile")" "(reported)"
done < <(node -e 'for (const l of require("fs").readFileSync(process.argv[1], "utf8").trim().split("\n")) { const r = JSON.parse(l); console.log(r.profile + "\t" + r.median_ms + " ms, p95 " + r.p95_ms + " ms"); }' "$data/load.jsonl")

step "server throughput on SQLite, endpoints that do not hash (goal: 5,000 req/s, p99 < 20 ms)"
for path in /api/v1/health /api/v1/config /api/v1/captcha /; do
    figure=$(load "$url$path")
    echo "$path: $figure"
    row "GET $path, SQLite" "$figure" "$([ "$path" = / ] && echo "(the page, not an API)" || echo ">= 5,000 req/s, p99 < 20 ms")"
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
    figure=$(load "$url$path")
    echo "$path: $figure"
    row "GET $path, PostgreSQL" "$figure" ">= 5,000 req/s, p99 < 20 ms"
done

step "two instances on one PostgreSQL, loaded at once (on $(nproc) cores: contention, not scale)"
start_server "$pg_url/bench"
for path in /api/v1/health /api/v1/config; do
    figure=$(load "$first$path" "$url$path")
    echo "$path, both: $figure"
    row "GET $path, two instances on one PostgreSQL" "$figure" ">= 5,000 req/s, p99 < 20 ms"
done

step "real accounts vs unknown user IDs on PostgreSQL: start, send, verify (in process)"
SSPR_BENCH_DATABASE="$pg_url/timing" \
    cargo run --release --locked -q -p sspr-server --example enumeration_timing "${TIMING_ACCOUNTS:-60}"

step "a whole reset, start to done, in each browser (the e2e core journeys, release server)"
journeys="$data/journeys.tsv"
for run in 1 2 3; do
    SSPR_JOURNEY_TIMINGS="$journeys" SSPR_SERVER_BIN="$TARGET_DIR/release/sspr-server" \
        SSPR_APP_DIR="$ROOT/dist" cargo test --locked -q -p sspr-app --test e2e -- \
        --test-threads=1 reset_journeys::a_reset_with_an_emailed_code_read_from_the_dev_outbox \
        reset_journeys::a_reset_with_an_authenticator_app_code >/dev/null
done
# The median of the three runs of each journey in each engine.
sort -t$'\t' -k1,1 -k2,2 -k3,3n "$journeys" | awk -F'\t' '
    { key = $1 "\t" $2; times[key] = times[key] " " $3 }
    END { for (key in times) { n = split(substr(times[key], 2), t, " "); print key "\t" t[int((n + 1) / 2)] } }' \
    | sort | while IFS=$'\t' read -r engine journey ms; do
        echo "$engine, $journey: $ms ms"
        row "$journey, start to done, $engine (median of 3)" "$ms ms" "(reported)"
    done

step "the budgets, measured on $(nproc) cores ($(date -u +%F))"
{ printf 'measure\tmeasured\tbudget\n'; cat "$table"; } | column -t -s$'\t'
