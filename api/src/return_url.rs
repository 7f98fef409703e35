//! Where the portal may send a person at the end (`?return=`, link mode): the one rule the
//! app follows and the server logs by.

/// Whether `raw` is a safe place to send the person after a reset from a page of
/// `origin`: a path on this site, or a URL of this origin or of one of `allowed` (the
/// organisation's login pages, `[server] embedding_origins`). Anything else (another site,
/// `javascript:`, `//evil`, `\evil`, control characters) is refused, so the link cannot be
/// used to send people elsewhere.
pub fn is_followed(raw: &str, origin: &str, allowed: &[String]) -> bool {
    let raw = raw.trim();
    // Browsers drop tabs and newlines inside URLs ("/\t/evil" becomes "//evil"): anything
    // of the kind makes the URL unsafe.
    if raw.chars().any(|c| c.is_control() || c.is_whitespace()) || raw.contains('\\') {
        return false;
    }
    if raw.starts_with('/') && !raw.starts_with("//") {
        return true;
    }
    // What follows the origin must start a path or a query (not `@evil.example`).
    let of_origin = |origin: &str| {
        raw.strip_prefix(origin)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('/') || rest.starts_with('?'))
    };
    std::iter::once(origin)
        .chain(allowed.iter().map(String::as_str))
        .any(|o| !o.is_empty() && of_origin(o))
}
