#!/usr/bin/env bash
# Installs what SSPR needs to build (and, with --for-tests, to test), skipping whatever is
# already present. Safe to run again and again.
#
# Tools go to a cache outside the clone ($SSPR_CACHE, default ~/.cache/sspr), so a fresh
# clone on the same machine reuses them. Nothing is downloaded from outside the package
# registries (crates.io, Debian, npm).
#
#   scripts/setup.sh              toolchain for building and running
#   scripts/setup.sh --for-tests  also the test browsers (Chromium, Firefox ESR, WebKitGTK)
#                                 and their drivers, axe-core, PostgreSQL
#
# SSPR_CACHE=DIR puts the tools elsewhere; SSPR_WASM_ROUTE=debian forces the build-std route.
set -euo pipefail

. "$(dirname "$0")/common.sh"
TRUNK_VERSION=0.21.14
BINARYEN_VERSION=132
TWILIO_PY_VERSION=9.13.0
HTTP_ECE_VERSION=1.2.1
AXE_CORE_VERSION=4.14.1
GECKODRIVER_VERSION=0.37.1
FOR_TESTS=false
[ "${1:-}" = "--for-tests" ] && FOR_TESTS=true

ok() { printf '    %s\n' "$*"; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }
have() { command -v "$1" >/dev/null 2>&1; }

mkdir -p "$CACHE/bin"

SUDO=""
[ "$(id -u)" -ne 0 ] && have sudo && SUDO="sudo"
APT_UPDATED=false
apt_install() {
    have apt-get || die "missing: $* (install them with your system's package manager)"
    if ! $APT_UPDATED; then
        step "apt-get update"
        $SUDO apt-get update -q >/dev/null
        APT_UPDATED=true
    fi
    step "apt-get install $*"
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q "$@" >/dev/null
}

# --- Rust -----------------------------------------------------------------------------
step "Rust toolchain"
have cargo || die "cargo is not installed: install Rust with rustup (https://rustup.rs), then run this again"
ok "$(cargo --version)"

# --- wasm32 standard library ------------------------------------------------------------
# The ordinary route is rustup's prebuilt target. Where rustup cannot download (machines
# that reach only package registries), Debian's rustc-web ships the standard library's
# source, which cargo's build-std compiles for wasm32.
step "wasm32-unknown-unknown target"
# Both routes build the release app's standard library from source (scripts/common.sh,
# build_app): rustup's needs its rust-src component beside the target.
rustup_ready() {
    rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown \
        && rustup component list --installed 2>/dev/null | grep -qx rust-src
}
MODE_FILE="$CACHE/wasm-mode"
mode=$(cat "$MODE_FILE" 2>/dev/null || true)
# SSPR_WASM_ROUTE=debian forces the build-std route (to check it where rustup works).
if [ "${SSPR_WASM_ROUTE:-}" = debian ]; then
    mode=debian
elif have rustup && rustup_ready; then
    mode=rustup
elif [ "$mode" != debian ] && have rustup; then
    ok "trying rustup (60 s at most)"
    if timeout 60 rustup target add wasm32-unknown-unknown >/dev/null 2>&1 \
        && timeout 60 rustup component add rust-src >/dev/null 2>&1; then
        mode=rustup
    else
        ok "rustup could not download the target; using Debian's rustc-web with build-std"
        mode=debian
    fi
else
    mode=debian
fi
if [ "$mode" = debian ]; then
    wasm_ld=$(ls /usr/lib/llvm-*/bin/wasm-ld 2>/dev/null | sort -V | tail -1 || true)
    if [ ! -x /usr/bin/rustc ] || [ ! -d /usr/lib/rustlib/src/rust/library ] || [ -z "$wasm_ld" ] \
        || ! /usr/bin/rustc --print target-list 2>/dev/null | grep -qx wasm32-unknown-unknown; then
        apt_install rustc-web cargo-web rust-web-src lld-19
        wasm_ld=$(ls /usr/lib/llvm-*/bin/wasm-ld | sort -V | tail -1)
    fi
    # Debian's compiler, first on PATH only for wasm builds (scripts/wasm-env.sh).
    mkdir -p "$CACHE/debian-rust"
    for tool in cargo rustc rustdoc; do ln -sf "/usr/bin/$tool" "$CACHE/debian-rust/$tool"; done
    cat >"$CACHE/wasm-env" <<EOF
export PATH="$CACHE/debian-rust:\$PATH"
export RUSTC_BOOTSTRAP=1
export CARGO_UNSTABLE_BUILD_STD=std,panic_abort
export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_LINKER="$wasm_ld"
EOF
    ok "$(/usr/bin/rustc --version) with build-std, linker $wasm_ld"
else
    : >"$CACHE/wasm-env"
    ok "rustup target installed"
fi
echo "$mode" >"$MODE_FILE"

# --- trunk ------------------------------------------------------------------------------
step "trunk"
trunk_version=$(trunk --version 2>/dev/null | awk '{print $2}' || true)
case "$trunk_version" in
    0.21.1[4-9] | 0.21.[2-9][0-9] | 0.2[2-9].*) ok "trunk $trunk_version" ;;
    *)
        ok "installing trunk $TRUNK_VERSION from crates.io (about 20 minutes on 2 cores, once)"
        cargo install trunk --version "$TRUNK_VERSION" --locked --root "$CACHE" --quiet
        ok "$(trunk --version)"
        ;;
esac

# --- wasm-bindgen-cli, exactly the version in Cargo.lock ---------------------------------
step "wasm-bindgen-cli"
bindgen_version=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' "$ROOT/Cargo.lock")
[ -n "$bindgen_version" ] || die "wasm-bindgen not found in Cargo.lock"
if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" = "$bindgen_version" ] \
    && have wasm-bindgen-test-runner; then
    ok "wasm-bindgen $bindgen_version"
else
    ok "installing wasm-bindgen-cli $bindgen_version (about 4 minutes, once)"
    # Not --locked: a locked dependency of some releases is missing from the index.
    cargo install wasm-bindgen-cli --version "$bindgen_version" --root "$CACHE" --quiet
    ok "$(wasm-bindgen --version)"
fi

# --- wasm-opt ---------------------------------------------------------------------------
# Debian's binaryen is too old for current Rust output; npm's `binaryen` package ships a
# working wasm-opt.
step "wasm-opt"
wasm_opt_version=$(wasm-opt --version 2>/dev/null | awk '{print $3}' || true)
if [ -n "$wasm_opt_version" ] && [ "$wasm_opt_version" -ge 116 ] 2>/dev/null; then
    ok "wasm-opt $wasm_opt_version"
else
    have npm || apt_install nodejs npm
    mkdir -p "$CACHE/npm"
    npm install --prefix "$CACHE/npm" --no-audit --no-fund --silent "binaryen@$BINARYEN_VERSION"
    ln -sf "$CACHE/npm/node_modules/.bin/wasm-opt" "$CACHE/bin/wasm-opt"
    ok "$(wasm-opt --version)"
fi

# --- http_ece, for the Web Push tests ---------------------------------------------------
# server/tests/integration/push.rs has node decrypt the server's push messages with this
# independent implementation of RFC 8291 (found through NODE_PATH in $CACHE/npm).
if $FOR_TESTS; then
    step "http_ece (npm) for the Web Push tests"
    http_ece=$(node -p 'require(process.argv[1]).version' \
        "$CACHE/npm/node_modules/http_ece/package.json" 2>/dev/null || true)
    if [ "${http_ece%.*}" != "${HTTP_ECE_VERSION%.*}" ]; then
        { have node && have npm; } || apt_install nodejs npm
        mkdir -p "$CACHE/npm"
        npm install --prefix "$CACHE/npm" --no-audit --no-fund --silent --save-exact \
            "http_ece@$HTTP_ECE_VERSION"
        http_ece=$HTTP_ECE_VERSION
    fi
    ok "http_ece $http_ece"
fi

# --- playwright-core, for the push delivered to the authenticator's service worker -----
# tests/e2e/notifications.rs has it connect to the test's Chromium over the DevTools
# protocol (it drives the system Chromium; it downloads no browser).
if $FOR_TESTS; then
    step "playwright-core (npm) for the service-worker push test"
    if [ ! -f "$CACHE/npm/node_modules/playwright-core/package.json" ]; then
        { have node && have npm; } || apt_install nodejs npm
        mkdir -p "$CACHE/npm"
        npm install --prefix "$CACHE/npm" --no-audit --no-fund --silent playwright-core@1
    fi
    ok "playwright-core $(node -p 'require(process.argv[1]).version' \
        "$CACHE/npm/node_modules/playwright-core/package.json")"
fi

# --- axe-core, the accessibility rules the e2e tests run in every page -----------------
# tests/e2e/accessibility.rs injects its axe.min.js into the page under test (read from
# $CACHE/npm; nothing is fetched while the tests run).
if $FOR_TESTS; then
    step "axe-core (npm) for the accessibility tests"
    axe=$(node -p 'require(process.argv[1]).version' \
        "$CACHE/npm/node_modules/axe-core/package.json" 2>/dev/null || true)
    if [ "$axe" != "$AXE_CORE_VERSION" ]; then
        { have node && have npm; } || apt_install nodejs npm
        mkdir -p "$CACHE/npm"
        npm install --prefix "$CACHE/npm" --no-audit --no-fund --silent --save-exact \
            "axe-core@$AXE_CORE_VERSION"
    fi
    ok "axe-core $AXE_CORE_VERSION"
fi

# --- twilio (PyPI), for the Twilio provider tests -------------------------------------
# server/tests/integration/phone/twilio.rs signs callbacks with this package's own
# RequestValidator, found through SSPR_PY_DIR (scripts/common.sh). Without its
# dependencies: the validator needs only Python's standard library.
if $FOR_TESTS; then
    step "twilio (PyPI) for the Twilio callback tests"
    if [ ! -d "$SSPR_PY_DIR/twilio-$TWILIO_PY_VERSION.dist-info" ]; then
        have python3 || apt_install python3
        python3 -m pip --version >/dev/null 2>&1 || apt_install python3-pip
        PIP_ROOT_USER_ACTION=ignore python3 -m pip install --quiet --disable-pip-version-check \
            --no-deps --upgrade --target "$SSPR_PY_DIR" "twilio==$TWILIO_PY_VERSION"
    fi
    ok "twilio $TWILIO_PY_VERSION in $SSPR_PY_DIR"
fi

# --- browser for tests ------------------------------------------------------------------
if $FOR_TESTS; then
    step "Chromium and chromedriver"
    if ! have chromedriver || ! { have chromium || have chromium-browser || have google-chrome; }; then
        apt_install chromium chromium-driver
    fi
    ok "$(chromedriver --version | cut -d' ' -f1-2)"
    have brotli || apt_install brotli

    # The core journeys also run in Firefox ESR (geckodriver, from crates.io: Debian has
    # no package) and in WebKit (WebKitGTK's WebKitWebDriver and MiniBrowser, on a
    # virtual X display from Xvfb). A browser missing is a set-up failure, never a skip.
    step "Firefox ESR and geckodriver"
    have firefox-esr || have firefox || apt_install firefox-esr
    if [ "$(geckodriver --version 2>/dev/null | awk 'NR == 1 {print $2}')" != "$GECKODRIVER_VERSION" ]; then
        ok "installing geckodriver $GECKODRIVER_VERSION from crates.io (about 8 minutes, once)"
        cargo install geckodriver --version "$GECKODRIVER_VERSION" --locked --root "$CACHE" --quiet
    fi
    ok "$({ firefox-esr --version || firefox --version; } 2>/dev/null | head -1), $(geckodriver --version | head -1)"
    step "WebKitGTK, WebKitWebDriver and Xvfb"
    { have WebKitWebDriver && have Xvfb; } || apt_install webkit2gtk-driver xvfb
    ok "WebKitWebDriver $(dpkg-query -W -f '${Version}' webkit2gtk-driver 2>/dev/null || echo present), $(command -v Xvfb)"
    # The e2e screenshots show the portal in every language: Japanese and Chinese need a
    # font with their characters (Arabic and Hebrew are in DejaVu, which Chromium brings).
    step "a font for Japanese and Chinese"
    if ! { have fc-list && [ -n "$(fc-list :lang=ja)" ]; }; then
        apt_install fonts-droid-fallback
    fi
    ok "$(fc-list :lang=ja family | head -1)"

    # The store's contract suite and the several-instances tests run on a real
    # PostgreSQL, which they start themselves in a temp dir (initdb + pg_ctl): only the
    # server's programs are needed, no running service.
    step "PostgreSQL server programs"
    if ! pg_bin_dir >/dev/null; then
        apt_install postgresql
    fi
    pg_bin=$(pg_bin_dir) || die "PostgreSQL's initdb not found after installing postgresql"
    ok "$("$pg_bin/postgres" --version) in $pg_bin"

    # The directory tests start their own OpenLDAP slapd (ppolicy, refint) in a temp dir
    # from a generated slapd.conf: only the programs are needed, and the package is told
    # not to set up a directory of its own.
    step "OpenLDAP slapd and ldap-utils"
    if ! { [ -x /usr/sbin/slapd ] && have ldapwhoami; }; then
        if have debconf-set-selections; then
            echo "slapd slapd/no_configuration boolean true" | $SUDO debconf-set-selections
        fi
        apt_install slapd ldap-utils
    fi
    [ -x /usr/sbin/slapd ] || die "slapd not found after installing slapd"
    ok "$(/usr/sbin/slapd -VV 2>&1 | head -1 | sed 's/.*slapd /slapd /; s/ (.*//')"
fi

# trunk builds offline, so every crate (and the standard library's own dependencies) must
# be in cargo's cache first.
step "crates for the wasm build"
# build_app builds the standard library from source on both routes: fetch its crates too.
wasm_env env RUSTC_BOOTSTRAP=1 CARGO_UNSTABLE_BUILD_STD=std,panic_abort \
    cargo fetch --target wasm32-unknown-unknown --quiet
ok "fetched"

step "tools ready (cache: $CACHE)"
