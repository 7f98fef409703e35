//! The second step of sign-in: prove one of the person's methods (a code by e-mail, the
//! authenticator app's code, or their security answers), through the same challenge and
//! verify steps as a reset, then hand the proven flow to the session.

use super::SecurityInfo;
use crate::api::{self, ApiError, FlowKey};
use crate::components::code_input::without_separators;
use crate::components::error_summary::field_error;
use crate::components::text;
use crate::components::{ErrorSummary, FieldError, InputKind, TextField, error_text};
use crate::i18n::*;
use crate::reset::choose_method::method_label;
use crate::reset::prove_questions::question_text;
use leptos::prelude::*;
use leptos::task::spawn_local;
use sspr_api::MethodKind;
use sspr_api::reset::{Answer, OfferedMethod, Proof, ResetFlow};

const FIELD: &str = "proof";

#[component]
pub fn Prove(flow: ResetFlow) -> impl IntoView {
    let i18n = use_i18n();
    let page = expect_context::<SecurityInfo>();
    let key = FlowKey {
        id: flow.flow_id.clone(),
        secret: flow.flow_secret.clone().unwrap_or_default(),
    };
    let methods = flow.methods.clone();
    let chosen = RwSignal::new(methods.first().cloned());
    let code = RwSignal::new(String::new());
    // What the server asked for the chosen method: a code went out, or these questions.
    let sent = RwSignal::new(false);
    let asked = RwSignal::new(Vec::<(String, RwSignal<String>)>::new());
    let errors = RwSignal::new(Vec::<FieldError>::new());
    let busy = RwSignal::new(false);
    let field_error = field_error(errors, FIELD);

    let fail = move |error: ApiError| {
        if !page.ended_by(&error) {
            errors.try_set(vec![FieldError::new(FIELD, move |l| error_text(l, &error))]);
        }
    };
    // The chosen method's challenge: a code sent, or the questions to answer. An app
    // needs none.
    let challenge = {
        let key = key.clone();
        move |method: OfferedMethod| {
            sent.set(false);
            asked.set(Vec::new());
            code.set(String::new());
            errors.set(Vec::new());
            if method.kind == MethodKind::AppCode {
                return;
            }
            let key = key.clone();
            busy.set(true);
            spawn_local(async move {
                let result = api::send_challenge(&key, &method.id, None).await;
                busy.try_set(false);
                match result {
                    Ok(challenge) => {
                        sent.try_set(true);
                        let fields = challenge
                            .questions
                            .into_iter()
                            .map(|q| (q, RwSignal::new(String::new())))
                            .collect();
                        asked.try_set(fields);
                    }
                    Err(error) => fail(error),
                }
            });
        }
    };
    // Questions are asked at once; a code waits for "Send a code".
    if let Some(method) = chosen.get_untracked()
        && method.kind == MethodKind::SecurityQuestions
    {
        challenge(method);
    }

    let submit = {
        let key = key.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            let Some(method) = chosen.get_untracked() else {
                return;
            };
            if busy.get_untracked() {
                return;
            }
            let proof = if method.kind == MethodKind::SecurityQuestions {
                Proof::Answers(
                    asked
                        .get_untracked()
                        .into_iter()
                        .map(|(question, answer)| Answer {
                            question,
                            answer: answer.get_untracked(),
                        })
                        .collect(),
                )
            } else {
                Proof::Code(without_separators(&code.get_untracked()))
            };
            let key = key.clone();
            busy.set(true);
            spawn_local(async move {
                let result = match api::verify(&key, &method.id, &proof).await {
                    Ok(_) => api::prove_session(&key).await,
                    Err(error) => Err(error),
                };
                busy.try_set(false);
                match result {
                    Ok(session) => page.signed_in(session),
                    Err(error) => fail(error),
                }
            });
        }
    };

    let choices = methods.clone();
    let choose = challenge.clone();
    view! {
        <ErrorSummary errors />
        <h1 class="heading-xl">{text(|l| td_string!(l, security_info.prove.title))}</h1>
        <p class="body-lead">{text(|l| td_string!(l, security_info.prove.lead))}</p>
        {(choices.len() > 1).then(|| view! {
            <div class="form-group">
                <fieldset class="fieldset">
                    <legend class="fieldset__legend">{text(|l| td_string!(l, security_info.prove.choose))}</legend>
                    <div class="radios">
                        {choices.into_iter().map(|method| {
                            let input_id = format!("method-{}", method.id);
                            let id = method.id.clone();
                            let label_method = method.clone();
                            let choose = choose.clone();
                            view! {
                                <div class="radios__item">
                                    <input class="radios__input" type="radio" name="method" id=input_id.clone()
                                        data-kind=method.kind.as_str()
                                        prop:checked=move || chosen.with(|c| c.as_ref().is_some_and(|c| c.id == id))
                                        on:change=move |_| {
                                            chosen.set(Some(method.clone()));
                                            if method.kind == MethodKind::SecurityQuestions {
                                                choose(method.clone());
                                            } else {
                                                sent.set(false);
                                                code.set(String::new());
                                                errors.set(Vec::new());
                                            }
                                        }
                                    />
                                    <label class="label radios__label" for=input_id>
                                        {move || method_label(i18n.get_locale(), &label_method, None)}
                                    </label>
                                </div>
                            }
                        }).collect_view()}
                    </div>
                </fieldset>
            </div>
        })}
        {move || {
            let method = chosen.get()?;
            let needs_send = method.kind == MethodKind::Email && !sent.get();
            if needs_send {
                let challenge = challenge.clone();
                let label = method.clone();
                let send = move |_| challenge(method.clone());
                return Some(view! {
                    <p class="body">{move || method_label(i18n.get_locale(), &label, None)}</p>
                    <button type="button" class="button" id="send-code" on:click=send
                        aria-disabled=move || busy.get().then_some("true")>
                        {text(|l| td_string!(l, security_info.prove.send))}
                    </button>
                }.into_any());
            }
            let fields = if method.kind == MethodKind::SecurityQuestions {
                asked.get().into_iter().enumerate().map(|(index, (question, answer))| {
                    let id: &'static str = ["answer-1", "answer-2", "answer-3", "answer-4", "answer-5"]
                        .get(index).copied().unwrap_or("answer-5");
                    view! {
                        <TextField id
                            label=Signal::derive(move || question_text(i18n.get_locale(), &question))
                            value=answer
                            error=Signal::derive(move || (index == 0).then(|| field_error.get()).flatten())
                            kind=InputKind::ANSWER
                        />
                    }
                }).collect_view().into_any()
            } else {
                let hint = if method.kind == MethodKind::Email {
                    td_string!(i18n.get_locale(), security_info.prove.email_hint).to_owned()
                } else {
                    td_string!(i18n.get_locale(), security_info.prove.app_hint).to_owned()
                };
                view! {
                    <TextField id=FIELD
                        label=Signal::derive(move || td_string!(i18n.get_locale(), security_info.prove.code).to_owned())
                        hint=Signal::stored(hint)
                        value=code
                        error=field_error
                        kind=InputKind::ONE_TIME_CODE
                    />
                }.into_any()
            };
            let submit = submit.clone();
            Some(view! {
                <form novalidate on:submit=submit>
                    {fields}
                    <button type="submit" class="button" aria-disabled=move || busy.get().then_some("true")>
                        {text(|l| td_string!(l, security_info.prove.submit))}
                    </button>
                </form>
            }.into_any())
        }}
    }
}
