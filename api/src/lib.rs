//! The SSPR JSON API contract.
//!
//! Every JSON shape that crosses the wire between the web app and the server is defined
//! here, once. The crate builds for `wasm32-unknown-unknown` (the app) and natively (the
//! server), so the two sides cannot drift apart.

pub mod captcha;
pub mod config;
pub mod health;
pub mod method;
pub mod password;
pub mod problem;

pub use config::{LocaleTag, PublicConfig};
pub use health::Health;
pub use method::MethodKind;
pub use problem::{ErrorCode, Problem};

/// Every endpoint lives under this prefix; a breaking change gets a new version.
pub const API_PREFIX: &str = "/api/v1";

/// Paths of the endpoints, relative to the server's origin.
pub mod paths {
    /// `GET`: liveness and database reachability.
    pub const HEALTH: &str = "/api/v1/health";
    /// `GET`: the organisation's public configuration (name, locales, help desk).
    pub const CONFIG: &str = "/api/v1/config";
    /// `GET`: a fresh proof-of-work CAPTCHA challenge.
    pub const CAPTCHA: &str = "/api/v1/captcha";
}
