//! The weighted lists of `Accept-Language` and `Accept-Encoding`: each item a value and
//! its `q` (RFC 9110, section 12.4.2).

/// An item of such a list (`fr-CA;q=0.9`, `br`): its value and its `q` in thousandths
/// (1000 without one); `None` when its `q` is malformed.
pub fn weighted(item: &str) -> Option<(&str, u16)> {
    let mut parts = item.split(';');
    let value = parts.next()?.trim();
    let mut quality = 1000;
    for param in parts {
        if let Some((name, q)) = param.split_once('=')
            && name.trim().eq_ignore_ascii_case("q")
        {
            quality = parse_quality(q.trim())?;
        }
    }
    Some((value, quality))
}

/// A `q` value (`0` to `1`, up to three decimals) in thousandths; `None` when malformed.
fn parse_quality(value: &str) -> Option<u16> {
    let (whole, fraction) = value.split_once('.').unwrap_or((value, ""));
    if fraction.len() > 3 || !fraction.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let thousandths = format!("{fraction:0<3}").parse::<u16>().ok()?;
    match whole {
        "0" => Some(thousandths),
        "1" if thousandths == 0 => Some(1000),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::weighted;

    #[test]
    fn items_have_their_weight_in_thousandths() {
        assert_eq!(weighted(" fr-CA ; q=0.9"), Some(("fr-CA", 900)));
        assert_eq!(weighted("br"), Some(("br", 1000)));
        assert_eq!(weighted("br;Q=0"), Some(("br", 0)));
        assert_eq!(weighted("br;q=1.000"), Some(("br", 1000)));
        assert_eq!(weighted("br;q=1.5"), None);
        assert_eq!(weighted("br;q=0.1234"), None);
        assert_eq!(weighted("br;q=abc"), None);
    }
}
