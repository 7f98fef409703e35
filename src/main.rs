//! Entry point of the web app (built by trunk for wasm32).

fn main() {
    console_error_panic_hook::set_once();
    sspr_app::start();
}
