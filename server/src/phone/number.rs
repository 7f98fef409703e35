//! Phone numbers as people type them (`07400 123456`, `+44 7400 123456`, `(201) 555-0123`),
//! parsed in the configured default region and validated against libphonenumber's
//! metadata (the `phonenumber` crate), then kept in E.164 (`+447400123456`).

use phonenumber::country::Id;

/// A region numbers are read in (ISO 3166: `Region::GB`).
pub use phonenumber::country::Id as Region;
use phonenumber::{Mode, PhoneNumber};
use std::str::FromStr;

/// The longest typed number looked at (anything longer is not a phone number).
const MAX_TYPED: usize = 40;

/// A region code `[phone] default_region` may name (`GB`, `US`), or `None`.
pub fn region(code: &str) -> Option<Id> {
    Id::from_str(&code.to_ascii_uppercase()).ok()
}

/// `typed` in E.164 when it is a valid number (read in `default_region` when it has no
/// `+`), `None` otherwise.
pub fn e164(typed: &str, default_region: Id) -> Option<String> {
    let typed = typed.trim();
    if typed.is_empty() || typed.chars().count() > MAX_TYPED {
        return None;
    }
    let number: PhoneNumber = phonenumber::parse(Some(default_region), typed).ok()?;
    phonenumber::is_valid(&number).then(|| number.format().mode(Mode::E164).to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gb() -> Id {
        region("gb").unwrap_or(Id::GB)
    }

    #[test]
    fn national_and_international_forms_give_one_e164() {
        assert_eq!(e164("07400 123456", gb()).as_deref(), Some("+447400123456"));
        assert_eq!(
            e164("+44 7400 123456", gb()).as_deref(),
            Some("+447400123456")
        );
        assert_eq!(
            e164("020 7946 0012", gb()).as_deref(),
            Some("+442079460012")
        );
        assert_eq!(
            e164("+1 (201) 555-0123", gb()).as_deref(),
            Some("+12015550123")
        );
        assert_eq!(
            e164("(201) 555-0123", Id::US).as_deref(),
            Some("+12015550123")
        );
    }

    #[test]
    fn invalid_numbers_are_refused() {
        assert_eq!(e164("", gb()), None);
        assert_eq!(e164("12", gb()), None);
        assert_eq!(e164("+44 1", gb()), None);
        assert_eq!(e164("not a number", gb()), None);
        assert_eq!(e164(&"1".repeat(60), gb()), None);
    }

    #[test]
    fn regions_are_iso_codes() {
        assert_eq!(region("FR"), Some(Id::FR));
        assert_eq!(region("XX"), None);
    }
}
