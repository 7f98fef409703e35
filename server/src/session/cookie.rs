//! The security-info page's session cookie: `__Host-sspr-session`, always Secure
//! (browsers take Secure cookies from http://localhost too), HttpOnly, SameSite=Strict,
//! Path=/, no Domain. Its value is 32 random bytes in hex; the store keeps only their
//! SHA-256, so a leaked database holds no usable session.

use sha2::{Digest, Sha256};

/// The cookie's name.
pub const COOKIE: &str = "__Host-sspr-session";

/// A new session id (256 random bits, hex).
pub fn new_id() -> String {
    crate::seeded::hex(&crate::crypto::random_bytes::<32>())
}

/// What the store keeps of a session id.
pub fn id_hash(id: &str) -> Vec<u8> {
    Sha256::digest(id.as_bytes()).to_vec()
}

/// The `Set-Cookie` value that starts a session. No Max-Age: the browser forgets it when it
/// closes, and the server ends it on its own timeouts whatever the browser keeps.
pub fn set_cookie(id: &str) -> String {
    format!("{COOKIE}={id}; Path=/; Secure; HttpOnly; SameSite=Strict")
}

/// The `Set-Cookie` value that removes it.
pub fn clear_cookie() -> String {
    format!("{COOKIE}=; Max-Age=0; Path=/; Secure; HttpOnly; SameSite=Strict")
}

/// The session id in a `Cookie` request header, if it is there and well formed.
pub fn from_header(header: &str) -> Option<&str> {
    crate::reset::device::cookie_value(header, COOKIE)
        .filter(|value| value.len() == 64 && value.bytes().all(|b| b.is_ascii_hexdigit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_long_random_and_stored_hashed() {
        let (a, b) = (new_id(), new_id());
        assert_eq!(a.len(), 64);
        assert_ne!(a, b);
        assert_eq!(id_hash(&a).len(), 32);
        assert_ne!(id_hash(&a), a.as_bytes());
    }

    #[test]
    fn the_cookie_is_host_only_secure_http_only_and_strict() {
        let set = set_cookie("ab");
        assert!(set.starts_with("__Host-sspr-session=ab;"), "{set}");
        for part in ["Secure", "HttpOnly", "SameSite=Strict", "Path=/"] {
            assert!(set.contains(part), "{set}");
        }
        assert!(!set.contains("Domain"));
        assert!(clear_cookie().contains("Max-Age=0"));
        let id = new_id();
        assert_eq!(
            from_header(&format!("a=b; {COOKIE}={id}")),
            Some(id.as_str())
        );
        assert_eq!(from_header(&format!("{COOKIE}=short")), None);
        assert_eq!(from_header("a=b"), None);
    }
}
