//! Setting up security questions: choose the policy's number of different questions
//! (built-in, and the organisation's own) and answer each. New answers replace any before.

use super::SecurityInfo;
use super::form_buttons::FormButtons;
use crate::api::{self, ApiError};
use crate::components::error_summary::field_error;
use crate::components::text;
use crate::components::{ErrorSummary, FieldError, InlineError, InputKind, TextField, error_text};
use crate::i18n::*;
use crate::reset::prove_questions::question_text;
use leptos::prelude::*;
use leptos::task::spawn_local;
use sspr_api::reset::Answer;
use sspr_api::session::{MethodList, QuestionChoice};

/// Field ids, one pair per question (the error summary links to them).
const QUESTIONS: [&str; 5] = [
    "question-1",
    "question-2",
    "question-3",
    "question-4",
    "question-5",
];
const ANSWERS: [&str; 5] = ["answer-1", "answer-2", "answer-3", "answer-4", "answer-5"];

/// What is wrong with the choices and answers (question id, answer), field by field.
pub fn problems(chosen: &[(String, String)]) -> Vec<(usize, Problem)> {
    let mut out = Vec::new();
    for (index, (question, answer)) in chosen.iter().enumerate() {
        if question.is_empty() {
            out.push((index, Problem::NoQuestion));
        } else if chosen[..index]
            .iter()
            .any(|(earlier, _)| earlier == question)
        {
            out.push((index, Problem::SameQuestion));
        } else if answer.trim().is_empty() {
            out.push((index, Problem::NoAnswer));
        }
    }
    out
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Problem {
    NoQuestion,
    SameQuestion,
    NoAnswer,
}

#[component]
pub fn AddQuestions(done: Callback<MethodList>, cancel: Callback<()>) -> impl IntoView {
    let i18n = use_i18n();
    let page = expect_context::<SecurityInfo>();
    let choice = RwSignal::new(None::<QuestionChoice>);
    let rows = RwSignal::new(Vec::<(RwSignal<String>, RwSignal<String>)>::new());
    let errors = RwSignal::new(Vec::<FieldError>::new());
    let busy = RwSignal::new(false);
    let fail = move |error: ApiError| {
        if !page.ended_by(&error) && !page.reproves(&error) {
            errors.try_set(vec![FieldError::new(QUESTIONS[0], move |l| {
                error_text(l, &error)
            })]);
        }
    };
    spawn_local(async move {
        match api::question_choice().await {
            Ok(found) => {
                let count = usize::from(found.register).min(QUESTIONS.len());
                rows.try_set(
                    (0..count)
                        .map(|_| (RwSignal::new(String::new()), RwSignal::new(String::new())))
                        .collect(),
                );
                choice.try_set(Some(found));
            }
            Err(error) => fail(error),
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let chosen: Vec<(String, String)> = rows
            .get_untracked()
            .iter()
            .map(|(question, answer)| (question.get_untracked(), answer.get_untracked()))
            .collect();
        let found = problems(&chosen);
        if !found.is_empty() {
            errors.set(
                found
                    .into_iter()
                    .map(|(index, problem)| {
                        let field = match problem {
                            Problem::NoAnswer => ANSWERS[index],
                            _ => QUESTIONS[index],
                        };
                        FieldError::new(field, move |l| match problem {
                            Problem::NoQuestion => {
                                td_string!(l, security_info.add_questions.choose).to_owned()
                            }
                            Problem::SameQuestion => {
                                td_string!(l, security_info.add_questions.different).to_owned()
                            }
                            Problem::NoAnswer => {
                                td_string!(l, security_info.add_questions.answer_empty).to_owned()
                            }
                        })
                    })
                    .collect(),
            );
            return;
        }
        errors.set(Vec::new());
        busy.set(true);
        let answers = chosen
            .into_iter()
            .map(|(question, answer)| Answer { question, answer })
            .collect();
        spawn_local(async move {
            let result = api::set_answers(answers).await;
            busy.try_set(false);
            match result {
                Ok(list) => done.run(list),
                Err(error) => fail(error),
            }
        });
    };
    view! {
        <ErrorSummary errors />
        <h1 class="heading-xl">{text(|l| td_string!(l, security_info.add_questions.title))}</h1>
        <p class="body">{text(|l| td_string!(l, security_info.add_questions.lead))}</p>
        {move || choice.get().map(|found| {
            let ids = found.questions.clone();
            view! {
                <form novalidate on:submit=submit>
                    {rows.get().into_iter().enumerate().map(|(index, (question, answer))| {
                        let select_id = QUESTIONS[index];
                        let ids = ids.clone();
                        let select_error = field_error(errors, select_id);
                        let answer_error = field_error(errors, ANSWERS[index]);
                        view! {
                            <div class="form-group" class:form-group--error=move || select_error.with(Option::is_some)>
                                <label class="label" for=select_id>
                                    {move || td_string!(i18n.get_locale(), security_info.add_questions.question, number = index + 1).to_string()}
                                </label>
                                <InlineError field=select_id message=select_error />
                                <select class="select" id=select_id name=select_id
                                    on:change=move |ev| question.set(event_target_value(&ev))>
                                    <option value="" selected=move || question.with(String::is_empty)>
                                        {text(|l| td_string!(l, security_info.add_questions.pick))}
                                    </option>
                                    {ids.into_iter().map(|id| {
                                        let value = id.clone();
                                        let shown = id.clone();
                                        view! {
                                            <option value=value selected=move || question.with(|q| *q == id)>
                                                {move || question_text(i18n.get_locale(), &shown)}
                                            </option>
                                        }
                                    }).collect_view()}
                                </select>
                            </div>
                            <TextField id=ANSWERS[index]
                                label=Signal::derive(move || td_string!(i18n.get_locale(), security_info.add_questions.answer, number = index + 1).to_string())
                                value=answer
                                error=answer_error
                                kind=InputKind::ANSWER
                            />
                        }
                    }).collect_view()}
                    <FormButtons label=|l| td_string!(l, security_info.add_questions.save) busy cancel />
                </form>
            }
        })}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pair(question: &str, answer: &str) -> (String, String) {
        (question.to_owned(), answer.to_owned())
    }

    #[test]
    fn each_question_is_chosen_once_and_answered() {
        let ok = [pair("birth_city", "Lisbon"), pair("first_pet", "Biscuit")];
        assert!(problems(&ok).is_empty());
        let wrong = [
            pair("", "x"),
            pair("first_pet", "a"),
            pair("first_pet", "b"),
            pair("first_car", " "),
        ];
        assert_eq!(
            problems(&wrong),
            [
                (0, Problem::NoQuestion),
                (2, Problem::SameQuestion),
                (3, Problem::NoAnswer)
            ]
        );
    }
}
