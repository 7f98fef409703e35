#!/usr/bin/env bash
# Reports what a first load of the portal transfers: each file of dist/ raw, gzip and
# brotli (quality 11), and the total. Reported, not asserted: budgets live in the README.
# Files fetched later (the common-password list, loaded when the password page opens)
# are listed apart and not counted in the first load.
set -euo pipefail
. "$(dirname "$0")/common.sh"
dist=${1:-$ROOT/dist}
[ -f "$dist/index.html" ] || { echo "no build in $dist: build the app first (build_app in scripts/common.sh, or ./sspr.sh start)" >&2; exit 1; }
total_raw=0 total_gz=0 total_br=0
printf '%-24s %10s %10s %10s\n' file raw gzip brotli
LATER="common-passwords.txt"
for f in "$dist"/*; do
    case " $LATER " in *" $(basename "$f") "*) continue ;; esac
    case "$f" in *.br | *.partial) continue ;; esac  # the server's precompressed copies
    raw=$(wc -c <"$f")
    gz=$(gzip -9 -c "$f" | wc -c)
    br=$(brotli -c -q 11 "$f" | wc -c)
    total_raw=$((total_raw + raw)) total_gz=$((total_gz + gz)) total_br=$((total_br + br))
    printf '%-24s %10d %10d %10d\n' "$(basename "$f")" "$raw" "$gz" "$br"
done
printf '%-24s %10d %10d %10d\n' "first load (all)" "$total_raw" "$total_gz" "$total_br"
for name in $LATER; do
    f="$dist/$name"
    [ -f "$f" ] || continue
    printf '%-24s %10d %10d %10d  (later, when needed)\n' "$name" "$(wc -c <"$f")" \
        "$(gzip -9 -c "$f" | wc -c)" "$(brotli -c -q 11 "$f" | wc -c)"
done
