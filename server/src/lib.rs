//! SSPR reference server: the JSON API of `sspr-api` over an embedded SQLite directory,
//! serving the built web app from the same origin.

pub mod address_block;
pub mod admin;
pub mod captcha;
pub mod cli;
pub mod clock;
pub mod config;
pub mod crypto;
pub mod delivery;
pub mod demo;
pub mod directory;
pub mod http;
pub mod limits;
pub mod methods;
pub mod people;
pub mod phone;
pub mod policy;
pub mod private_files;
pub mod push;
pub mod reset;
pub mod seeded;
pub mod services;
pub mod session;
pub mod store;
pub mod texts;
pub mod theme;
pub mod tls;
