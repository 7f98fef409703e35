//! Which language the app speaks (docs/I18N.md, "Negotiation").
//!
//! `public/boot.js` decides before any wasm runs, so that the page can fetch that
//! language's texts alongside the wasm: the language the page's URL forces (`?locale=`,
//! as an embedding login page may), else the one chosen earlier with the switcher
//! (`localStorage`), else the browser's languages in order (`navigator.languages`) with
//! region and script fallback (`pt-BR`, `fr-CA` -> `fr`, `zh-CN` -> `zh-Hans`), else
//! English. It writes the decision into `<html lang>`, where the app reads it.

use crate::i18n::Locale;

/// The `localStorage` key of the chosen language (boot.js reads it).
pub const STORAGE_KEY: &str = "sspr.locale";

/// The shipped locales the organisation offers, in its order; every shipped locale when
/// the configuration names none of them (so the switcher is never empty).
pub fn offered(configured: &[String]) -> Vec<Locale> {
    let offered: Vec<Locale> = configured
        .iter()
        .filter_map(|tag| tag.parse::<Locale>().ok())
        .collect();
    if offered.is_empty() {
        Locale::ALL.to_vec()
    } else {
        offered
    }
}

/// The locale this page load starts in: the one boot.js wrote into `<html lang>`;
/// English when there is none it ships.
pub fn initial() -> Locale {
    leptos::prelude::document()
        .document_element()
        .and_then(|html| html.get_attribute("lang"))
        .and_then(|tag| tag.parse().ok())
        .unwrap_or(Locale::en)
}

/// Remembers a choice made with the switcher. Where storage is unavailable (private
/// modes, disabled storage) the choice lasts for this page only.
pub fn remember(locale: Locale) {
    if let Some(storage) = leptos::prelude::window().local_storage().ok().flatten() {
        let _ = storage.set_item(STORAGE_KEY, locale.as_str());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_parse_to_shipped_locales_in_any_case() {
        assert_eq!("fr".parse::<Locale>(), Ok(Locale::fr));
        assert_eq!("pt-br".parse::<Locale>(), Ok(Locale::pt_BR));
        assert_eq!("zh-Hans".parse::<Locale>(), Ok(Locale::zh_Hans));
        assert!("xx".parse::<Locale>().is_err());
        assert!("".parse::<Locale>().is_err());
    }

    #[test]
    fn offered_follows_the_configuration() {
        assert_eq!(offered(&["fr".into()]), [Locale::fr]);
        assert_eq!(
            offered(&["fr".into(), "en".into()]),
            [Locale::fr, Locale::en]
        );
        assert_eq!(offered(&["xx".into()]), Locale::ALL.to_vec());
        assert!(Locale::ar.is_rtl() && Locale::he.is_rtl() && !Locale::fr.is_rtl());
    }
}
