//! Who is asking: the peer's address, or, when the peer is one of the configured reverse
//! proxies, the address the proxies recorded in `X-Forwarded-For` (docs/SECURITY.md R2). The
//! header is believed only hop by hop from the right, as far as the hops are trusted, so a
//! client cannot choose its own address by sending the header itself.

use axum::http::HeaderMap;
use std::net::IpAddr;

pub use crate::address_block::AddressBlock;
use crate::address_block::canonical;

/// The TCP peer's address, when the server recorded it (in-process callers have none).
pub fn peer_ip(request: &axum::extract::Request) -> Option<IpAddr> {
    request
        .extensions()
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|info| info.0.ip())
}

/// True for loopback addresses, IPv4-mapped ones (`::ffff:127.0.0.1`) included.
pub fn is_loopback(ip: IpAddr) -> bool {
    canonical(ip).is_loopback()
}

/// The client's address: `peer` unless it is a trusted proxy; then the nearest address in
/// `X-Forwarded-For` that is not a trusted proxy (or the farthest trusted one).
pub fn client_ip(peer: IpAddr, headers: &HeaderMap, trusted: &[AddressBlock]) -> IpAddr {
    let is_trusted = |ip: IpAddr| trusted.iter().any(|block| block.contains(ip));
    let mut client = canonical(peer);
    if !is_trusted(client) {
        return client;
    }
    let hops: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .collect();
    for hop in hops.iter().rev() {
        let Ok(ip) = hop.trim().parse::<IpAddr>() else {
            // Garbage from beyond the last trusted hop: the last trusted hop it is.
            return client;
        };
        client = canonical(ip);
        if !is_trusted(client) {
            return client;
        }
    }
    client
}

/// The key rate limits count under: the address, or its /64 for IPv6 (one subscriber
/// usually holds a whole /64).
pub fn limit_key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => IpAddr::V6((u128::from(v6) & (u128::MAX << 64)).into()),
        v4 => v4,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use axum::http::HeaderValue;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    fn forwarded(values: &[&str]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for value in values {
            headers.append("x-forwarded-for", HeaderValue::from_str(value).unwrap());
        }
        headers
    }

    #[test]
    fn blocks_parse_and_match() {
        let block = AddressBlock::parse("10.0.0.0/8").unwrap();
        assert!(block.contains(ip("10.200.3.4")));
        assert!(!block.contains(ip("11.0.0.1")));
        assert!(block.contains(ip("::ffff:10.1.1.1")));
        let one = AddressBlock::parse("192.0.2.7").unwrap();
        assert!(one.contains(ip("192.0.2.7")) && !one.contains(ip("192.0.2.8")));
        let v6 = AddressBlock::parse("2001:db8::/32").unwrap();
        assert!(v6.contains(ip("2001:db8:1::5")) && !v6.contains(ip("2001:db9::1")));
        assert!(
            AddressBlock::parse("0.0.0.0/0")
                .unwrap()
                .contains(ip("8.8.8.8"))
        );
        for bad in ["10.0.0.0/33", "not-an-ip", "10.0.0.0/x", "::/129"] {
            assert_eq!(AddressBlock::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn forwarded_for_from_an_untrusted_peer_is_ignored() {
        let headers = forwarded(&["203.0.113.9"]);
        assert_eq!(
            client_ip(ip("198.51.100.1"), &headers, &[]),
            ip("198.51.100.1")
        );
    }

    #[test]
    fn forwarded_for_is_read_from_the_right_through_trusted_hops_only() {
        let trusted = [
            AddressBlock::parse("10.0.0.0/8").unwrap(),
            AddressBlock::parse("127.0.0.1").unwrap(),
        ];
        // The client wrote a fake first entry; the proxies appended the real hops.
        let headers = forwarded(&["1.2.3.4, 203.0.113.9", "10.0.0.5"]);
        assert_eq!(
            client_ip(ip("127.0.0.1"), &headers, &trusted),
            ip("203.0.113.9")
        );
        assert_eq!(
            client_ip(ip("127.0.0.1"), &forwarded(&["garbage"]), &trusted),
            ip("127.0.0.1")
        );
        assert_eq!(
            client_ip(ip("127.0.0.1"), &HeaderMap::new(), &trusted),
            ip("127.0.0.1")
        );
    }

    #[test]
    fn ipv6_clients_are_counted_by_their_64() {
        assert_eq!(limit_key(ip("2001:db8:1:2:aaaa::1")), ip("2001:db8:1:2::"));
        assert_eq!(limit_key(ip("192.0.2.1")), ip("192.0.2.1"));
    }
}
