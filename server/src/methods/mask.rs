//! Masked contact data: enough for a person to recognise their own address or number, too
//! little to learn it, and nothing a decoy cannot show too (docs/SECURITY.md,
//! enumeration). `Adele@Home.example` -> `•••@home.example`, `+44 7700 900123` -> `•••• 23`.
//!
//! The local part is hidden entirely: its first letter would have to come from the user ID
//! for a decoy to show it, and a real address's does not always. The domain is shown in
//! lower case, and decoys draw theirs from the domains people actually registered.

const DOTS: &str = "•••";

pub fn email(address: &str) -> String {
    match address.rsplit_once('@') {
        Some((_, domain)) => format!("{DOTS}@{}", domain.to_lowercase()),
        None => DOTS.to_owned(),
    }
}

pub fn phone(number: &str) -> String {
    let digits: Vec<char> = number.chars().filter(char::is_ascii_digit).collect();
    let last: String = digits[digits.len().saturating_sub(2)..].iter().collect();
    format!("•••• {last}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_keep_only_the_domain_in_lower_case() {
        assert_eq!(email("adele.vance@home.example"), "•••@home.example");
        assert_eq!(email("Ö@X.Example"), "•••@x.example");
        assert_eq!(email("@x.example"), "•••@x.example");
        assert_eq!(email("no-at-sign"), "•••");
    }

    #[test]
    fn phones_keep_the_last_two_digits() {
        assert_eq!(phone("+44 7700 900123"), "•••• 23");
        assert_eq!(phone("7"), "•••• 7");
    }
}
