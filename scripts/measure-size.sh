#!/usr/bin/env bash
# Reports what a first load of the portal transfers: each file of dist/ raw, gzip and
# brotli (quality 11), and the total. Reported, not asserted: budgets live in the README.
set -euo pipefail
. "$(dirname "$0")/common.sh"
dist=${1:-$ROOT/dist}
[ -f "$dist/index.html" ] || { echo "no build in $dist: run trunk build --release first" >&2; exit 1; }
total_raw=0 total_gz=0 total_br=0
printf '%-24s %10s %10s %10s\n' file raw gzip brotli
for f in "$dist"/*; do
    raw=$(wc -c <"$f")
    gz=$(gzip -9 -c "$f" | wc -c)
    br=$(brotli -c -q 11 "$f" | wc -c)
    total_raw=$((total_raw + raw)) total_gz=$((total_gz + gz)) total_br=$((total_br + br))
    printf '%-24s %10d %10d %10d\n' "$(basename "$f")" "$raw" "$gz" "$br"
done
printf '%-24s %10d %10d %10d\n' "first load (all)" "$total_raw" "$total_gz" "$total_br"
