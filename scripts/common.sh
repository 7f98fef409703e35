# Sourced by the scripts: paths and the environment for wasm builds.
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE=${SSPR_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/sspr}
export PATH="$CACHE/bin:$HOME/.cargo/bin:$PATH"
# Python packages the tests use (scripts/setup.sh --for-tests installs them there).
export SSPR_PY_DIR=${SSPR_PY_DIR:-$CACHE/py}
# CI starts from a fresh clone each time: keep its build artefacts in the cache so that
# unchanged crates are not compiled again. Developers keep the usual ./target.
if [ -n "${CI:-}" ] && [ -z "${CARGO_TARGET_DIR:-}" ]; then
    export CARGO_TARGET_DIR="$CACHE/ci-target"
    # Incremental caches grow by gigabytes a run and a fresh clone gains little from them.
    export CARGO_INCREMENTAL=${CARGO_INCREMENTAL:-0}
fi
TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}

step() { printf '\033[1m==> %s\033[0m\n' "$*"; }

# Runs a command with the wasm32 toolchain set up by scripts/setup.sh. Wasm builds use
# their own target dir: they may use another compiler than the native builds.
wasm_env() {
    (
        # shellcheck disable=SC1091
        [ -f "$CACHE/wasm-env" ] && . "$CACHE/wasm-env"
        export CARGO_TARGET_DIR="$TARGET_DIR/wasm"
        "$@"
    )
}

# The release build of the app's three areas into dist/. Smaller than trunk's
# default (measured in the README's budgets): the standard library is built from source
# with panics that abort at once (no panic messages, locations or Debug text in the
# wasm), and Leptos erases view types (`erase_components`), which folds its many
# monomorphised views into shared code. Debug builds and component tests keep panic
# messages. Both need RUSTC_BOOTSTRAP (unstable flags on the stable compiler), as the
# build-std route of scripts/setup.sh already does.
# One area's release build (`index`, `reset-wizard`, `security-info`, `authenticator`:
# its HTML file) into the folder $2.
trunk_build() {
    (cd "$ROOT" && wasm_env env RUSTC_BOOTSTRAP=1 CARGO_UNSTABLE_BUILD_STD=std,panic_abort \
        CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="--cfg erase_components -Zunstable-options -Cpanic=immediate-abort -Zlocation-detail=none -Zfmt-debug=none" \
        trunk build --release --dist "$2" --html-output "$1.html" "$1.html")
}

build_app() {
    # One trunk build per bundle (trunk empties its dist folder on every build): each into a
    # stage of its own, then merged into dist/ (shared files must be the same bytes).
    local stage area
    mkdir -p "$TARGET_DIR"
    stage=$(mktemp -d "$TARGET_DIR/dist-stage.XXXXXX")
    for area in index reset-wizard security-info authenticator; do
        trunk_build "$area" "$stage/$area" || { rm -rf "$stage"; return 1; }
    done
    local f other
    # The wizard's HTML only drives its build: its bundle is started from index.html.
    rm "$stage/reset-wizard/reset-wizard.html"
    for f in "$stage/reset-wizard"/* "$stage/security-info"/* "$stage/authenticator"/*; do
        other="$stage/index/$(basename "$f")"
        if [ -e "$other" ] && ! diff -rq "$f" "$other" >/dev/null; then
            echo "the areas' builds disagree on $(basename "$f")" >&2
            rm -rf "$stage"
            return 1
        fi
    done
    mkdir -p "$ROOT/dist"
    find "$ROOT/dist" -mindepth 1 -delete
    cp -R "$stage/index/." "$stage/reset-wizard/." "$stage/security-info/." "$stage/authenticator/." "$ROOT/dist/"
    rm -rf "$stage"
    # Our own scripts and stylesheets are served without their comments (written for
    # readers; browsers need none of it): whole-line `//` comments, and `/* ... */`.
    local script sheet
    for script in boot.js embed.js embedded.js authenticator-sw.js; do
        if [ -f "$ROOT/dist/$script" ]; then
            perl -ni -e 'print unless m{^\s*//}' "$ROOT/dist/$script"
        fi
    done
    for sheet in "$ROOT"/dist/*.css; do
        perl -0pi -e 's{/\*.*?\*/\n?}{}gs' "$sheet"
    done
    # Each language's texts, fetched by boot.js for the page's language (docs/I18N.md),
    # served as they are written, without the indentation.
    # The reset portal's copy (locales/reset/, index.html's data-locales) leaves out the
    # security-info and authenticator pages' texts but their titles: a third of the file.
    mkdir -p "$ROOT/dist/locales/reset"
    local file
    for file in "$ROOT"/locales/*.json; do
        perl -MJSON::PP -0777 -ne 'print JSON::PP->new->utf8->encode(JSON::PP::decode_json($_))' \
            "$file" > "$ROOT/dist/locales/$(basename "$file")" || return 1
        perl -MJSON::PP -0777 -ne 'my $t = JSON::PP::decode_json($_);
            for my $area (qw(security_info authenticator)) { $t->{$area} = { title => $t->{$area}{title} } }
            print JSON::PP->new->utf8->encode($t)' \
            "$file" > "$ROOT/dist/locales/reset/$(basename "$file")" || return 1
    done
}

# The folder with PostgreSQL's server and client programs (initdb, pg_ctl, postgres,
# createdb, psql): Debian's /usr/lib/postgresql/<version>/bin (newest), else the folder on
# PATH that has them all. Fails when there is none.
pg_bin_dir() {
    local dir
    dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
    if [ -n "$dir" ] && [ -x "$dir/initdb" ]; then
        echo "$dir"
        return
    fi
    command -v initdb >/dev/null 2>&1 || return 1
    dir=$(dirname "$(command -v initdb)")
    [ -x "$dir/createdb" ] && [ -x "$dir/pg_ctl" ] && echo "$dir"
}
