//! Which language the app speaks.
//!
//! On the first visit the browser's languages (`navigator.languages`, best first) are
//! negotiated against the locales the app ships, with range fallback (`fr-CA` -> `fr`;
//! `pt-BR` -> `pt` -> the default, English). A choice made with the language switcher is
//! remembered in `localStorage` and wins over the browser's list on later visits; nothing
//! is remembered until someone chooses.

use crate::i18n::Locale;
use leptos_i18n::Locale as _;

/// The `localStorage` key of the chosen language.
pub const STORAGE_KEY: &str = "sspr.locale";

/// The best shipped locale for the browser's preferred languages, best first.
pub fn negotiate<T: AsRef<[u8]>>(preferred: &[T]) -> Locale {
    Locale::find_locale(preferred)
}

/// The locale to start with: the remembered choice, else the negotiated one.
pub fn choose<T: AsRef<[u8]>>(remembered: Option<&str>, preferred: &[T]) -> Locale {
    remembered
        .and_then(|tag| tag.parse::<Locale>().ok())
        .unwrap_or_else(|| negotiate(preferred))
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

/// The locale for this page load: the one the page's URL asks for (`?locale=`, as an
/// embedding login page may) when the app ships it, else the remembered choice, else the
/// browser's.
pub fn initial() -> Locale {
    let window = leptos::prelude::window();
    let forced = window
        .location()
        .search()
        .ok()
        .and_then(|search| web_sys::UrlSearchParams::new_with_str(&search).ok())
        .and_then(|params| params.get("locale"));
    // The asked-for language first: unshipped, the browser's list decides.
    let mut preferred: Vec<String> = forced.iter().cloned().collect();
    preferred.extend(
        window
            .navigator()
            .languages()
            .iter()
            .filter_map(|tag| tag.as_string()),
    );
    let remembered = match forced {
        Some(_) => None,
        None => storage().and_then(|s| s.get_item(STORAGE_KEY).ok().flatten()),
    };
    choose(remembered.as_deref(), &preferred)
}

/// Remembers a choice made with the switcher. Where storage is unavailable (private
/// modes, disabled storage) the choice lasts for this page only.
pub fn remember(locale: Locale) {
    if let Some(storage) = storage() {
        let _ = storage.set_item(STORAGE_KEY, locale.as_str());
    }
}

fn storage() -> Option<web_sys::Storage> {
    leptos::prelude::window().local_storage().ok().flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_language_the_page_asks_for_goes_first_and_an_unshipped_one_is_passed_over() {
        assert_eq!(choose(None, &["fr", "en-US"]), Locale::fr);
        assert_eq!(choose(None, &["de", "fr-FR", "en"]), Locale::fr);
    }

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
    fn a_remembered_choice_wins_over_the_browser() {
        assert_eq!(choose(Some("fr"), &["en-US"]), Locale::fr);
        assert_eq!(choose(Some("en"), &["fr-FR"]), Locale::en);
    }

    #[test]
    fn a_stale_or_tampered_choice_is_ignored() {
        assert_eq!(choose(Some("xx"), &["fr-FR"]), Locale::fr);
        assert_eq!(choose(Some(""), &["en"]), Locale::en);
        assert_eq!(choose::<&str>(None, &["fr"]), Locale::fr);
    }

    #[test]
    fn offered_follows_the_configuration() {
        assert_eq!(offered(&["fr".into()]), [Locale::fr]);
        assert_eq!(
            offered(&["fr".into(), "en".into()]),
            [Locale::fr, Locale::en]
        );
        assert_eq!(offered(&["de".into()]), [Locale::en, Locale::fr]);
    }
}
