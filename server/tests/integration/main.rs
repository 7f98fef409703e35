//! Every integration test of the server in one binary (as Kanidm does): one build and one
//! link instead of one per file, a shared harness, and modules by concern.
//!
//! - `harness`: services over a fresh database, the router, requests as the app sends them;
//! - `http`: problem details, app files, security headers, origin and host guards, limits;
//! - `openapi`: the document against the router and the contract types;
//! - `reset`: the reset flow, one module per concern (docs/SECURITY.md);
//! - `store_interface`: the flow over a store that fails chosen operations;
//! - `cli`: the `sspr-server` binary itself;
//! - `postgres`: a throwaway PostgreSQL server for the suite and the several-instances tests;
//! - `ldap`: the LDAP backend against `slapd`, a throwaway OpenLDAP server of each test's own.
//!
//! The harness's tests run on SQLite, or on PostgreSQL with `SSPR_TEST_STORE=postgres`:
//! `./sspr.sh test` runs them on both, so they are the contract every backend meets.

#![allow(clippy::unwrap_used)] // tests fail loudly on unexpected errors

mod cli;
mod fake_smtp;
mod harness;
mod http;
mod instances;
mod ldap;
mod openapi;
mod phone;
#[path = "../../src/store/postgres/throwaway.rs"]
mod postgres;
mod push;
mod reset;
mod slapd;
mod store_interface;
mod tls;
