//! Recognised browsers (docs/SECURITY.md, "Limits that cannot be turned into a weapon"):
//! a browser that completed a reset for an account gets a long-lived cookie that names it
//! for that account. Its later flows count their failures and sends in a scope of their
//! own, so an attacker who fills the account's anonymous counters cannot keep the owner
//! from resetting on their own device.
//!
//! The cookie is self-contained: each entry is a random tag with a keyed MAC over the
//! account's subject and the tag, so the server stores nothing and a tag is worth nothing
//! for another account. It is `__Host-`, Secure, HttpOnly and SameSite=Strict, set only
//! after a secret has been proven (a completed reset), so it never tells accounts apart.
//! Browsers withhold it from the portal inside another site's iframe; there, flows use the
//! anonymous scope.

use crate::crypto::keys::Key;
use crate::crypto::random_bytes;
use subtle::ConstantTimeEq;

/// The cookie's name.
pub const COOKIE: &str = "__Host-sspr-device";
/// Accounts one browser is remembered for (a shared computer); the oldest goes first.
const MAX_ENTRIES: usize = 5;
/// How long a browser stays recognised: 400 days, the longest browsers keep a cookie.
const MAX_AGE_SECONDS: u64 = 400 * 86_400;

fn mac(key: &Key, subject: &str, tag: &str) -> String {
    let full = key.mac(format!("device\0{subject}\0{tag}").as_bytes());
    crate::seeded::hex(&full[..16])
}

fn entries(cookie: &str) -> impl Iterator<Item = (&str, &str)> {
    cookie
        .split('_')
        .filter_map(|entry| entry.split_once('.'))
        .filter(|(tag, mac)| tag.len() == 32 && mac.len() == 32)
}

/// The tag of this browser for the account of `subject`, when the cookie holds a valid
/// entry for it.
pub fn recognise(key: &Key, subject: &str, cookie: &str) -> Option<String> {
    entries(cookie)
        .find(|(tag, given)| bool::from(mac(key, subject, tag).as_bytes().ct_eq(given.as_bytes())))
        .map(|(tag, _)| tag.to_owned())
}

/// The cookie's new value: an entry for `subject` (the one already there, or a new tag),
/// plus the others it held, newest first, at most [`MAX_ENTRIES`].
pub fn remember(key: &Key, subject: &str, cookie: Option<&str>) -> String {
    let cookie = cookie.unwrap_or_default();
    let tag = recognise(key, subject, cookie)
        .unwrap_or_else(|| crate::seeded::hex(&random_bytes::<16>()));
    let mut kept = vec![format!("{tag}.{}", mac(key, subject, &tag))];
    kept.extend(
        entries(cookie)
            .filter(|(other, _)| *other != tag)
            .map(|(tag, mac)| format!("{tag}.{mac}")),
    );
    kept.truncate(MAX_ENTRIES);
    kept.join("_")
}

/// The `Set-Cookie` value that stores `value`.
pub fn set_cookie(value: &str) -> String {
    format!(
        "{COOKIE}={value}; Max-Age={MAX_AGE_SECONDS}; Path=/; Secure; HttpOnly; SameSite=Strict"
    )
}

/// The cookie's value in a `Cookie` request header, if it is there.
pub fn from_header(header: &str) -> Option<&str> {
    cookie_value(header, COOKIE)
}

/// The value of the cookie `name` in a `Cookie` request header, if it is there.
pub fn cookie_value<'a>(header: &'a str, name: &str) -> Option<&'a str> {
    header
        .split(';')
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(found, _)| *found == name)
        .map(|(_, value)| value)
}

/// The counters' subject for a flow: the account's, or the recognised browser's own.
pub fn scoped_subject(subject: &str, tag: Option<&str>) -> String {
    match tag {
        Some(tag) => format!("{subject}:{tag}"),
        None => subject.to_owned(),
    }
}

/// The account's subject of a flow's (possibly scoped) subject.
pub fn account_subject(scoped: &str) -> &str {
    scoped.split(':').next().unwrap_or(scoped)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::keys::ServerKeys;

    #[test]
    fn a_remembered_browser_is_recognised_for_its_account_only() {
        let key = ServerKeys::ephemeral().decoy;
        let cookie = remember(&key, "alice", None);
        let tag = recognise(&key, "alice", &cookie).unwrap();
        assert_eq!(recognise(&key, "bob", &cookie), None);
        // Remembering again keeps the tag; another account adds an entry.
        let cookie = remember(&key, "alice", Some(&cookie));
        assert_eq!(recognise(&key, "alice", &cookie).unwrap(), tag);
        let both = remember(&key, "bob", Some(&cookie));
        assert!(recognise(&key, "bob", &both).is_some());
        assert_eq!(recognise(&key, "alice", &both).unwrap(), tag);
        // Another server's key, or a forged MAC, is not recognised.
        let other = ServerKeys::ephemeral().decoy;
        assert_eq!(recognise(&other, "alice", &cookie), None);
        let forged = format!("{tag}.{}", "0".repeat(32));
        assert_eq!(recognise(&key, "alice", &forged), None);
    }

    #[test]
    fn at_most_five_accounts_are_remembered_newest_first() {
        let key = ServerKeys::ephemeral().decoy;
        let mut cookie = String::new();
        for subject in ["a", "b", "c", "d", "e", "f"] {
            cookie = remember(&key, subject, Some(&cookie));
        }
        assert!(recognise(&key, "f", &cookie).is_some());
        assert!(recognise(&key, "b", &cookie).is_some());
        assert_eq!(recognise(&key, "a", &cookie), None);
    }

    #[test]
    fn the_cookie_is_read_from_the_header_and_set_safely() {
        assert_eq!(
            from_header("theme=dark; __Host-sspr-device=abc; x=y"),
            Some("abc")
        );
        assert_eq!(from_header("theme=dark"), None);
        let set = set_cookie("abc");
        for part in [
            "__Host-sspr-device=abc",
            "Secure",
            "HttpOnly",
            "SameSite=Strict",
            "Path=/",
        ] {
            assert!(set.contains(part), "{set}");
        }
        assert!(!set.contains("Domain"));
        assert_eq!(account_subject(&scoped_subject("s1", Some("t"))), "s1");
        assert_eq!(scoped_subject("s1", None), "s1");
    }
}
