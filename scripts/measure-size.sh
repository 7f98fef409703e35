#!/usr/bin/env bash
# Reports what a first load of each area of the app transfers (the reset portal, the
# security-info page, the authenticator page): each file raw, gzip and brotli (quality 11), and each area's total.
# Reported, not asserted: budgets live in the README. Files fetched later (the reset
# wizard's bundle, fetched in the background once the first step is on screen; the
# common-password list, loaded when the password page opens) are not counted in a first
# load; "whole reset" is everything a reset transfers.
set -euo pipefail
. "$(dirname "$0")/common.sh"
dist=${1:-$ROOT/dist}
[ -f "$dist/index.html" ] || { echo "no build in $dist: build the app first (build_app in scripts/common.sh, or ./sspr.sh start)" >&2; exit 1; }
SHARED="boot.js favicon.svg main.css"
PORTAL="index.html sspr-reset-start.js sspr-reset-start_bg.wasm $SHARED"
# The reset wizard: fetched in the background once the first step is on screen.
WIZARD="sspr-app.js sspr-app_bg.wasm"
SECURITY_INFO="security-info.html sspr-security-info.js sspr-security-info_bg.wasm security-info.css $SHARED"
AUTHENTICATOR="authenticator.html sspr-authenticator.js sspr-authenticator_bg.wasm authenticator.css authenticator.webmanifest $SHARED"
LATER="common-passwords.txt"
# The widget an organisation's login page loads (not part of the portal's own loads).
EMBED="embed.js"

sizes() {  # raw gzip brotli of a file
    printf '%d %d %d\n' "$(wc -c <"$1")" "$(gzip -9 -c "$1" | wc -c)" "$(brotli -c -q 11 "$1" | wc -c)"
}

printf '%-28s %10s %10s %10s\n' file raw gzip brotli
for name in $PORTAL $WIZARD sspr-security-info.js sspr-security-info_bg.wasm security-info.css security-info.html \
    sspr-authenticator.js sspr-authenticator_bg.wasm authenticator.css authenticator.html; do
    f="$dist/$name"
    [ -f "$f" ] || { echo "missing $name in $dist" >&2; exit 1; }
    read -r raw gz br < <(sizes "$f")
    printf '%-28s %10d %10d %10d\n' "$name" "$raw" "$gz" "$br"
done
area() {  # label, then the files of the area
    local label=$1 total_raw=0 total_gz=0 total_br=0 raw gz br
    shift
    for name in "$@"; do
        read -r raw gz br < <(sizes "$dist/$name")
        total_raw=$((total_raw + raw)) total_gz=$((total_gz + gz)) total_br=$((total_br + br))
    done
    printf '%-28s %10d %10d %10d\n' "$label" "$total_raw" "$total_gz" "$total_br"
}
# shellcheck disable=SC2086
area "first load: portal" $PORTAL
# shellcheck disable=SC2086
area "portal, whole reset" $PORTAL $WIZARD common-passwords.txt
# shellcheck disable=SC2086
area "first load: security info" $SECURITY_INFO
# shellcheck disable=SC2086
area "first load: authenticator" $AUTHENTICATOR
# The texts: English is in the wasm; another language's file is fetched with the page.
largest=0 largest_name=
# The portal's copy of the texts (locales/reset/: without the other pages' texts).
for f in "$dist"/locales/reset/*.json; do
    read -r raw gz br < <(sizes "$f")
    if [ "$br" -gt "$largest" ]; then largest=$br largest_name=$(basename "$f"); fi
done
read -r raw gz br < <(sizes "$dist/locales/reset/$largest_name")
printf '%-28s %10d %10d %10d  (the largest locale, fetched with the page)\n' "locales/reset/$largest_name" "$raw" "$gz" "$br"
# shellcheck disable=SC2086
area "first load: portal, ${largest_name%.json}" $PORTAL "locales/reset/$largest_name"
# The same first step with every locale compiled in instead (SSPR_BUNDLE_ALL_LOCALES,
# build.rs): what loading a language on demand saves. Skipped with SIZE_SKIP_BUNDLED=1.
if [ "${SIZE_SKIP_BUNDLED:-}" != 1 ]; then
    bundled=$(mktemp -d "${TARGET_DIR:-/tmp}/bundled.XXXXXX")
    if SSPR_BUNDLE_ALL_LOCALES=1 trunk_build index "$bundled" >"$bundled.log" 2>&1; then
        read -r raw gz br < <(sizes "$bundled/sspr-reset-start_bg.wasm")
        read -r raw2 gz2 br2 < <(sizes "$dist/sspr-reset-start_bg.wasm")
        printf '%-28s %10d %10d %10d  (every locale compiled in: +%d B brotli)\n' \
            "first step, bundled" "$raw" "$gz" "$br" "$((br - br2))"
    else
        echo "the bundled build failed (see $bundled.log)" >&2
    fi
    rm -rf "$bundled"
fi
for name in $EMBED; do
    read -r raw gz br < <(sizes "$dist/$name")
    printf '%-28s %10d %10d %10d  (the login page'"'"'s widget)\n' "$name" "$raw" "$gz" "$br"
done
for name in $LATER; do
    f="$dist/$name"
    [ -f "$f" ] || continue
    read -r raw gz br < <(sizes "$f")
    printf '%-28s %10d %10d %10d  (portal, later, when needed)\n' "$name" "$raw" "$gz" "$br"
done
