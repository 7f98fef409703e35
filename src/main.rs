//! Entry point of the web app (built by trunk for wasm32).

fn main() {
    // Debug builds log a panic's message to the console. Release builds abort at once
    // (`-Cpanic=immediate-abort`, see scripts/common.sh): no panic hook ever runs there,
    // so none is installed.
    #[cfg(debug_assertions)]
    console_error_panic_hook::set_once();
    sspr_app::start();
}
