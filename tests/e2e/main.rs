//! End-to-end tests: the real server (fresh database, demo directory) serving the built
//! app, driven in headless Chromium through chromedriver (WebDriver); the core journeys also in
//! Firefox ESR (geckodriver) and WebKit (WebKitWebDriver).
//!
//! Prerequisites, built by `scripts/test.sh`: the app in `dist/` (trunk) and the server
//! binary. Missing prerequisites fail the tests; they are never skipped.
#![cfg(not(target_arch = "wasm32"))]
#![allow(clippy::unwrap_used)] // tests fail loudly on unexpected errors

mod a11y;
mod accessibility;
mod change_reports;
mod dead_ends;
mod directory;
mod embedding;
mod enumeration;
mod first_load;
mod harness;
mod keyboard;
mod localization;
mod no_webassembly;
mod notifications;
mod phones;
mod reset_journeys;
mod security_info;
#[path = "../../server/tests/integration/slapd.rs"]
mod slapd;
mod steps;
mod themes;
