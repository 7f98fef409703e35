//! Which language the app speaks.
//!
//! On the first visit the browser's languages (`navigator.languages`, best first) are
//! negotiated against the locales the app ships, with range fallback (`fr-CA` -> `fr`;
//! `pt-BR` -> `pt` -> the default, English). The language switcher's choice is then
//! remembered in a first-party cookie and wins over the browser's list on later visits.

use crate::i18n::Locale;
use leptos_i18n::Locale as _;
use leptos_i18n::context::CookieOptions;

/// The cookie that remembers the chosen language (not a secret; readable by the app).
pub const COOKIE_NAME: &str = "sspr_locale";

/// Remembered for a year.
const COOKIE_MAX_AGE_MS: i64 = 365 * 24 * 60 * 60 * 1000;

/// The best shipped locale for the browser's preferred languages, best first.
pub fn negotiate<T: AsRef<[u8]>>(preferred: &[T]) -> Locale {
    Locale::find_locale(preferred)
}

/// The shipped locales the organisation offers, in its order; every shipped locale when
/// the configuration names none of them (so the switcher is never empty).
pub fn offered(configured: &[String]) -> Vec<Locale> {
    let offered: Vec<Locale> = configured
        .iter()
        .filter_map(|tag| tag.parse::<Locale>().ok())
        .collect();
    if offered.is_empty() {
        Locale::get_all().to_vec()
    } else {
        offered
    }
}

/// Cookie settings: whole site, a year, same-site only.
pub fn cookie_options() -> CookieOptions<Locale> {
    CookieOptions::<Locale>::default()
        .path("/")
        .max_age(COOKIE_MAX_AGE_MS)
        .same_site(leptos_use::SameSite::Lax)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_and_regional_matches() {
        assert_eq!(negotiate(&["fr"]), Locale::fr);
        assert_eq!(negotiate(&["fr-FR", "en-US"]), Locale::fr);
        assert_eq!(negotiate(&["fr-CA"]), Locale::fr);
        assert_eq!(negotiate(&["en-US", "fr-FR"]), Locale::en);
    }

    #[test]
    fn first_supported_preference_wins() {
        assert_eq!(negotiate(&["de-DE", "fr-BE", "en"]), Locale::fr);
    }

    #[test]
    fn unsupported_languages_fall_back_to_english() {
        assert_eq!(negotiate(&["pt-BR", "pt"]), Locale::en);
        assert_eq!(negotiate::<&str>(&[]), Locale::en);
        assert_eq!(negotiate(&["not a tag!"]), Locale::en);
    }

    #[test]
    fn offered_follows_the_configuration() {
        assert_eq!(offered(&["fr".into()]), [Locale::fr]);
        assert_eq!(offered(&["fr".into(), "en".into()]), [Locale::fr, Locale::en]);
        assert_eq!(offered(&["de".into()]), [Locale::en, Locale::fr]);
    }
}
