//! Step 3 for security questions: the questions the server picked for this flow, each in
//! the person's language, answered together. A wrong set of answers is one error for the
//! whole group (the server does not say which answer was wrong, and neither does the page).

use super::step_heading::{StepHeading, fixed};
use super::wizard::Step;
use super::{OtherMethodLink, Portal};
use crate::api::{self, ApiError};
use crate::components::error_summary::described_by;
use crate::components::error_summary::field_error;
use crate::components::text;
use crate::components::{ErrorSummary, FieldError, InlineError, InputKind, TextField};
use crate::i18n::*;
use leptos::prelude::*;
use leptos::task::spawn_local;
use sspr_api::reset::{Answer, Proof};

/// A built-in question in `locale`, or one of the organisation's own (its text as the
/// configuration gives it); an id this app does not know is shown as it is.
pub fn question_text(locale: Locale, id: &str) -> String {
    let text = match id {
        "birth_city" => td_string!(locale, questions.birth_city),
        "first_pet" => td_string!(locale, questions.first_pet),
        "first_school" => td_string!(locale, questions.first_school),
        "childhood_nickname" => td_string!(locale, questions.childhood_nickname),
        "first_job_city" => td_string!(locale, questions.first_job_city),
        "favourite_teacher" => td_string!(locale, questions.favourite_teacher),
        "parents_met_city" => td_string!(locale, questions.parents_met_city),
        "oldest_cousin" => td_string!(locale, questions.oldest_cousin),
        "first_car" => td_string!(locale, questions.first_car),
        "childhood_street" => td_string!(locale, questions.childhood_street),
        other => {
            return crate::components::helpdesk_link::organisation_config()
                .and_then(|config| {
                    config
                        .custom_questions
                        .into_iter()
                        .find(|question| question.id == other)
                })
                .map_or_else(
                    || other.to_owned(),
                    |question| question.text_in(locale.as_str()).to_owned(),
                );
        }
    };
    text.to_owned()
}

/// Field ids are fixed strings (the error summary links to them).
const FIELDS: [&str; 5] = ["answer-1", "answer-2", "answer-3", "answer-4", "answer-5"];
/// The group of answers, for what is wrong with them together.
pub const GROUP: &str = "answers";

/// The questions as one group: the group's own error above them (wrong answers, a pause),
/// each question's own below its label (left empty).
#[component]
pub fn AnswersGroup(
    #[prop(into)] questions: Signal<Vec<String>>,
    answers: [RwSignal<String>; 5],
    #[prop(into)] errors: Signal<Vec<FieldError>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let group_error = field_error(errors, GROUP);
    let invalid = move || group_error.with(Option::is_some);
    view! {
        <div class="form-group" class:form-group--error=invalid>
            <fieldset
                class="fieldset"
                id=GROUP
                tabindex="-1"
                aria-describedby=move || described_by(GROUP, true, invalid())
            >
                <legend class="fieldset__legend fieldset__legend--m">{text(|l| td_string!(l, reset.questions.legend))}</legend>
                <div class="hint" id=format!("{GROUP}-hint")>{text(|l| td_string!(l, reset.questions.hint))}</div>
                <InlineError field=GROUP message=group_error />
                {move || {
                    questions
                        .get()
                        .into_iter()
                        .take(FIELDS.len())
                        .enumerate()
                        .map(|(index, question)| {
                            let field = FIELDS[index];
                            let value = answers[index];
                            let error = field_error(errors, field);
                            view! {
                                <TextField
                                    id=field
                                    label=Signal::derive(move || question_text(i18n.get_locale(), &question))
                                    value
                                    error
                                    kind=InputKind::ANSWER
                                />
                            }
                        })
                        .collect_view()
                }}
            </fieldset>
        </div>
    }
}

#[component]
pub fn ProveQuestions(method_id: String) -> impl IntoView {
    let portal = expect_context::<Portal>();
    let flow_key = portal.flow_key().unwrap_or_default();
    let questions = RwSignal::new(Vec::<String>::new());
    let answers: [RwSignal<String>; 5] = std::array::from_fn(|_| RwSignal::new(String::new()));
    let errors = RwSignal::new(Vec::<FieldError>::new());
    let loading = RwSignal::new(true);
    let checking = RwSignal::new(false);

    let fail = move |error: ApiError| portal.show_error(errors, GROUP, &error);

    {
        let flow_key = flow_key.clone();
        let method_id = method_id.clone();
        spawn_local(async move {
            let result = api::send_challenge(&flow_key, &method_id, None).await;
            if !portal.still_on(&Step::Prove(method_id)) {
                return;
            }
            loading.try_set(false);
            match result {
                Ok(challenge) => {
                    questions.try_set(challenge.questions);
                }
                Err(error) => fail(error),
            }
        });
    }

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        // Nothing to answer yet (still loading, or loading failed): never send an empty
        // set of answers, which would count as a wrong try.
        if checking.get_untracked()
            || loading.get_untracked()
            || questions.with_untracked(Vec::is_empty)
        {
            return;
        }
        let asked = questions.get_untracked();
        let mut missing = Vec::new();
        let mut given = Vec::new();
        for (index, question) in asked.iter().enumerate().take(FIELDS.len()) {
            let answer = answers[index].get_untracked();
            if answer.trim().is_empty() {
                let number = index + 1;
                missing.push(FieldError::new(FIELDS[index], move |l| {
                    td_string!(l, reset.questions.empty, number).to_string()
                }));
            }
            given.push(Answer {
                question: question.clone(),
                answer,
            });
        }
        if !missing.is_empty() {
            errors.set(missing);
            return;
        }
        checking.set(true);
        let flow_key = flow_key.clone();
        let method_id = method_id.clone();
        spawn_local(async move {
            let result = api::verify(&flow_key, &method_id, &Proof::Answers(given)).await;
            if !portal.still_on(&Step::Prove(method_id)) {
                return;
            }
            checking.try_set(false);
            match result {
                Ok(flow) => portal.flow_changed(flow),
                Err(error) => fail(error),
            }
        });
    };

    view! {
        <ErrorSummary errors />
        <StepHeading text=fixed(|l| td_string!(l, reset.questions.heading)) />
        <p class="status" role="status" aria-live="polite">
            {move || loading.get().then(|| view! {
                <span class="spinner" aria-hidden="true"></span>
                {text(|l| td_string!(l, app.loading))}
            })}
        </p>
        <form novalidate on:submit=submit>
            <AnswersGroup questions answers errors />
            <button type="submit" class="button" aria-disabled=move || checking.get().then_some("true")>
                {text(|l| td_string!(l, reset.next))}
            </button>
        </form>
        <OtherMethodLink />
    }
}
