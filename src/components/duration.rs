//! Durations and counts in words, in the person's language: "40 minutes", "1 heure
//! 20 minutes", "You have 4 tries left", never "2406 s". The plural rules are CLDR's for
//! the app's languages, written out here: leptos_i18n's plural support links ICU's data,
//! which costs more of the first load than the two rules it would replace.

use crate::i18n::*;
use leptos::prelude::*;

/// Whether `n` takes the "one" form in `locale` (CLDR: English 1 only; French 0 and 1).
pub fn is_one(locale: Locale, n: u64) -> bool {
    match locale {
        Locale::fr => n < 2,
        Locale::en => n == 1,
    }
}

/// `seconds` as a person says it: seconds under a minute, whole minutes (rounded up, so
/// a wait is never shorter than said) under an hour, then hours and minutes.
pub fn duration_text(locale: Locale, seconds: u64) -> String {
    if seconds < 60 {
        let n = seconds.max(1);
        return if is_one(locale, n) {
            td_string!(locale, duration.second, n).to_string()
        } else {
            td_string!(locale, duration.seconds, n).to_string()
        };
    }
    let minutes_total = seconds.div_ceil(60);
    let (hours, minutes) = (minutes_total / 60, minutes_total % 60);
    let minutes_text = |n: u64| {
        if is_one(locale, n) {
            td_string!(locale, duration.minute, n).to_string()
        } else {
            td_string!(locale, duration.minutes, n).to_string()
        }
    };
    if hours == 0 {
        return minutes_text(minutes);
    }
    let hours_text = if is_one(locale, hours) {
        td_string!(locale, duration.hour, n = hours).to_string()
    } else {
        td_string!(locale, duration.hours, n = hours).to_string()
    };
    if minutes == 0 {
        hours_text
    } else {
        td_string!(
            locale,
            duration.hours_and_minutes,
            hours = hours_text,
            minutes = minutes_text(minutes)
        )
        .to_string()
    }
}

/// A duration that follows `seconds` and the language as they change.
#[component]
pub fn DurationText(#[prop(into)] seconds: Signal<u64>) -> impl IntoView {
    let i18n = use_i18n();
    move || duration_text(i18n.get_locale(), seconds.get())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn english_durations_round_up_and_agree_in_number() {
        let en = |s| duration_text(Locale::en, s);
        assert_eq!(en(0), "1 second");
        assert_eq!(en(1), "1 second");
        assert_eq!(en(45), "45 seconds");
        assert_eq!(en(60), "1 minute");
        assert_eq!(en(61), "2 minutes");
        assert_eq!(en(2406), "41 minutes");
        assert_eq!(en(3600), "1 hour");
        assert_eq!(en(4800), "1 hour 20 minutes");
        assert_eq!(en(86_400), "24 hours");
    }

    #[test]
    fn french_durations_use_the_french_one_form_for_zero_and_one() {
        let fr = |s| duration_text(Locale::fr, s);
        assert_eq!(fr(1), "1 seconde");
        assert_eq!(fr(30), "30 secondes");
        assert_eq!(fr(60), "1 minute");
        assert_eq!(fr(898), "15 minutes");
        assert_eq!(fr(7200), "2 heures");
        assert_eq!(fr(3660), "1 heure 1 minute");
        assert!(is_one(Locale::fr, 0));
        assert!(!is_one(Locale::en, 0));
    }
}
