//! Requests per client address (docs/SECURITY.md R2): a ceiling on what one address can ask of
//! the CAPTCHA and reset endpoints, on top of the per-account and per-method limits that
//! do the real work. Over the ceiling: 429 with Retry-After. The address is the peer's, or
//! the one the configured proxies forwarded ([`super::client_ip`]).

use super::client_ip::{AddressBlock, client_ip, limit_key};
use super::problem::ApiError;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::net::{IpAddr, Ipv4Addr};
use std::num::NonZeroU32;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// Checks between two sweeps of addresses whose allowance is full again.
const SWEEP_EVERY: u64 = 10_000;

pub struct IpLimiter {
    limiter: DefaultKeyedRateLimiter<IpAddr>,
    clock: DefaultClock,
    trusted: Vec<AddressBlock>,
    checks: AtomicU64,
}

impl IpLimiter {
    /// `per_minute` requests a minute per address, all of them usable in a burst.
    pub fn new(per_minute: NonZeroU32, trusted: Vec<AddressBlock>) -> IpLimiter {
        IpLimiter {
            limiter: RateLimiter::keyed(Quota::per_minute(per_minute)),
            clock: DefaultClock::default(),
            trusted,
            checks: AtomicU64::new(0),
        }
    }

    /// `Err(seconds to wait)` when `peer` (or the client behind it) is over its allowance.
    pub fn check(&self, peer: IpAddr, headers: &axum::http::HeaderMap) -> Result<(), u64> {
        if self.checks.fetch_add(1, Ordering::Relaxed) % SWEEP_EVERY == SWEEP_EVERY - 1 {
            self.limiter.retain_recent();
            self.limiter.shrink_to_fit();
        }
        let key = limit_key(client_ip(peer, headers, &self.trusted));
        self.limiter.check_key(&key).map_err(|not_until| {
            not_until
                .wait_time_from(self.clock.now())
                .as_secs_f64()
                .ceil()
                .max(1.0) as u64
        })
    }
}

/// The client's address as the limit saw it (through trusted proxies only), for handlers
/// that show it (an app notification tells the phone where a reset was asked from);
/// absent for in-process callers without a peer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddress(pub IpAddr);

pub async fn guard(
    State(limiter): State<Arc<IpLimiter>>,
    mut request: Request,
    next: Next,
) -> Response {
    // In-process callers (tests) have no peer; they share one allowance.
    let known = super::client_ip::peer_ip(&request);
    let peer = known.unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED));
    if known.is_some() {
        let client = client_ip(peer, request.headers(), &limiter.trusted);
        request.extensions_mut().insert(ClientAddress(client));
    }
    match limiter.check(peer, request.headers()) {
        Ok(()) => next.run(request).await,
        Err(retry_after) => {
            tracing::warn!(%peer, retry_after, "too many requests from one address");
            ApiError::RateLimited { retry_after }.into_response()
        }
    }
}
