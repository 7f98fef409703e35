//! Durations and counts in words, in the person's language: "40 minutes", "1 heure
//! 20 minutes", "You have 4 tries left", never "2406 s". Each unit is a plural text of the
//! locale files (`duration.*`), its form chosen by the language's CLDR rules.

use crate::i18n::*;
use leptos::prelude::*;

/// `seconds` as a person says it: seconds under a minute, whole minutes (rounded up, so
/// a wait is never shorter than said) under an hour, then hours and minutes.
pub fn duration_text(locale: Locale, seconds: u64) -> String {
    if seconds < 60 {
        return td_string!(locale, duration.seconds, count = seconds.max(1));
    }
    let minutes_total = seconds.div_ceil(60);
    let (hours, minutes) = (minutes_total / 60, minutes_total % 60);
    let minutes_text = td_string!(locale, duration.minutes, count = minutes);
    if hours == 0 {
        return minutes_text;
    }
    let hours_text = td_string!(locale, duration.hours, count = hours);
    if minutes == 0 {
        hours_text
    } else {
        td_string!(
            locale,
            duration.hours_and_minutes,
            hours = hours_text,
            minutes = minutes_text
        )
    }
}

/// A sentence with a live duration in it: `text`'s `{{ wait }}` is `seconds` in words,
/// both following the language ("Try again in 14 minutes.", "14 分後にもう一度お試しください。").
#[component]
pub fn SentenceWithDuration(
    text: fn(Locale) -> &'static str,
    #[prop(into)] seconds: Signal<u64>,
) -> impl IntoView {
    let i18n = use_i18n();
    move || with_duration(i18n.get_locale(), text(i18n.get_locale()), seconds.get())
}

/// `template` with its `{{ wait }}` as `seconds` in words.
pub fn with_duration(locale: Locale, template: &str, seconds: u64) -> String {
    fill(
        locale,
        template,
        &[("wait", &duration_text(locale, seconds))],
    )
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
    fn french_durations_agree_in_number() {
        let fr = |s| duration_text(Locale::fr, s);
        assert_eq!(fr(1), "1 seconde");
        assert_eq!(fr(30), "30 secondes");
        assert_eq!(fr(60), "1 minute");
        assert_eq!(fr(898), "15 minutes");
        assert_eq!(fr(7200), "2 heures");
        assert_eq!(fr(3660), "1 heure 1 minute");
    }

    #[test]
    fn a_sentence_takes_its_duration_where_the_language_puts_it() {
        let template = td_string!(Locale::ja, reset.paused.wait);
        let sentence = with_duration(Locale::ja, template, 840);
        assert!(sentence.contains("14 分"), "{sentence}");
        assert!(!sentence.contains("{{"), "{sentence}");
        let english = with_duration(Locale::en, td_string!(Locale::en, reset.paused.wait), 840);
        assert_eq!(english, "You can try again in 14 minutes.");
    }

    #[test]
    fn each_language_takes_its_own_plural_forms() {
        // Polish: one, few (2-4, 22-24), many (5-21, 25-31).
        assert_eq!(duration_text(Locale::pl, 120), "2 minuty");
        assert_eq!(duration_text(Locale::pl, 300), "5 minut");
        assert_eq!(duration_text(Locale::pl, 22 * 60), "22 minuty");
        // Japanese has a single form.
        assert_eq!(duration_text(Locale::ja, 300), "5 分");
    }
}
