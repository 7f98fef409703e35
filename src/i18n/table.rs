//! The texts of each loaded language, flattened to `(path, text)` pairs: a plural text's
//! forms are `path.one`, `path.other`, ... Loaded once per language for the life of the
//! page (a handful of languages at most), so their strings live as long. Looked up by a
//! plain scan: a few hundred short comparisons per text, and no sorting code in the wasm.

use super::Locale;
use std::cell::RefCell;

type Texts = Vec<(Box<str>, &'static str)>;

thread_local! {
    static LOADED: RefCell<Vec<(Locale, Texts)>> = const { RefCell::new(Vec::new()) };
}

/// Whether `locale`'s texts are here (English always is).
pub fn is_loaded(locale: Locale) -> bool {
    locale == Locale::en || LOADED.with_borrow(|loaded| loaded.iter().any(|(l, _)| *l == locale))
}

/// Keeps `locale`'s texts: `(path, text)` pairs in any order.
pub fn store(locale: Locale, texts: Vec<(String, String)>) {
    let texts: Texts = texts
        .into_iter()
        .map(|(path, text)| {
            let text: &'static str = Box::leak(text.into_boxed_str());
            (path.into_boxed_str(), text)
        })
        .collect();
    LOADED.with_borrow_mut(|loaded| {
        loaded.retain(|(l, _)| *l != locale);
        loaded.push((locale, texts));
    });
}

/// `path` in `locale`'s texts, if they are loaded and have it.
pub fn lookup(locale: Locale, path: &str) -> Option<&'static str> {
    #[cfg(not(target_arch = "wasm32"))]
    super::loading::load_from_disk(locale);
    LOADED.with_borrow(|loaded| {
        let (_, texts) = loaded.iter().find(|(l, _)| *l == locale)?;
        texts
            .iter()
            .find(|(p, _)| **p == *path)
            .map(|(_, text)| *text)
    })
}
