//! The security-info page: a signed-in person's sign-in methods. Its own bundle
//! (`src/bin/security_info.rs`). One component per stage, one file each: sign in with the
//! password ([`sign_in`]), prove a method ([`prove`]) or, for someone with none, an
//! administrator's one-time pass ([`first_proof`]), then the methods ([`methods`]). This
//! module holds what the stages share ([`SecurityInfo`]) and shows the current one.

pub mod add_app;
pub mod add_email;
pub mod add_notification;
pub mod add_phone;
pub mod add_questions;
pub mod change_password;
pub mod first_proof;
pub mod form_buttons;
pub mod method_row;
pub mod methods;
pub mod prove;
pub mod registration;
pub mod sign_in;

use crate::api::{self, ApiError};
use crate::components::{Message, error_text, message};
use leptos::prelude::*;
use leptos::task::spawn_local;
use sspr_api::ErrorCode;
use sspr_api::reset::ResetFlow;
use sspr_api::session::SessionInfo;

/// Where the person is on the page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stage {
    /// Asking the server whether this browser is signed in.
    Loading,
    SignIn,
    /// Signed in with the password: one of their methods to prove, in this flow.
    Prove(ResetFlow),
    /// Signed in with the password, with no method to prove.
    FirstProof,
    /// Signed in and proven: their methods.
    Methods,
    /// Signed in and proven, and the policy asks for more methods first ("Your
    /// organization needs more information..."): their methods, to add to.
    Interrupt,
    /// Signed in and proven, and it is time to confirm the methods are still theirs.
    Reconfirm,
}

/// What every stage can reach.
#[derive(Debug, Clone, Copy)]
pub struct SecurityInfo {
    pub stage: RwSignal<Stage>,
    pub session: RwSignal<Option<SessionInfo>>,
    /// A message for the sign-in form, e.g. "your session ended".
    pub notice: RwSignal<Option<Message>>,
}

impl SecurityInfo {
    /// After a sign-in or a proof: the next stage the session calls for.
    pub fn signed_in(&self, mut session: SessionInfo) {
        let registration = &session.registration;
        let stage = match (session.method_proven, session.proof.take()) {
            (true, _) if registration.registration_required => Stage::Interrupt,
            (true, _) if registration.reconfirm_due => Stage::Reconfirm,
            (true, _) => Stage::Methods,
            (false, Some(flow)) => Stage::Prove(flow),
            (false, None) => Stage::FirstProof,
        };
        self.session.set(Some(session));
        self.stage.set(stage);
    }

    /// Back to the sign-in form, saying why when there is a reason.
    pub fn signed_out(&self, notice: Option<Message>) {
        self.session.set(None);
        self.notice.set(notice);
        self.stage.set(Stage::SignIn);
    }

    /// A change asked for a recent proof (`proof_needed`): prove a method again, then
    /// back to the methods. True when it did.
    pub fn reproves(&self, error: &ApiError) -> bool {
        if error.code() != Some(ErrorCode::ProofNeeded) {
            return false;
        }
        let page = *self;
        spawn_local(async move {
            match api::new_proof().await {
                Ok(flow) => page.stage.set(Stage::Prove(flow)),
                Err(error) => {
                    if !page.ended_by(&error) {
                        page.signed_out(Some(message(move |l| error_text(l, &error))));
                    }
                }
            }
        });
        true
    }

    /// An error that ended the session (timed out, signed out elsewhere, a reset): back to
    /// sign-in with its message. True when it did.
    pub fn ended_by(&self, error: &ApiError) -> bool {
        if error.code() != Some(ErrorCode::NotSignedIn) {
            return false;
        }
        let error = error.clone();
        self.signed_out(Some(message(move |l| error_text(l, &error))));
        true
    }
}

/// Reads the browser's session: signed in and proven goes to the methods; signed in with
/// the password only gets a new proof flow; anything else signs in.
async fn resume(page: SecurityInfo) {
    let session = match api::session().await {
        Ok(session) => session,
        Err(error) => {
            let notice = (error.code() != Some(ErrorCode::NotSignedIn))
                .then(|| message(move |l| error_text(l, &error)));
            page.signed_out(notice);
            return;
        }
    };
    if session.method_proven {
        page.signed_in(session);
        return;
    }
    match api::new_proof().await {
        Ok(flow) => page.signed_in(SessionInfo {
            proof: Some(flow),
            ..session
        }),
        Err(error) if error.code() == Some(ErrorCode::MethodNotOffered) => page.signed_in(session),
        Err(error) => {
            if !page.ended_by(&error) {
                page.signed_out(Some(message(move |l| error_text(l, &error))));
            }
        }
    }
}

#[component]
pub fn SecurityInfoPage() -> impl IntoView {
    let page = SecurityInfo {
        stage: RwSignal::new(Stage::Loading),
        session: RwSignal::new(None),
        notice: RwSignal::new(None),
    };
    provide_context(page);
    spawn_local(resume(page));
    move || match page.stage.get() {
        Stage::Loading => ().into_any(),
        Stage::SignIn => view! { <sign_in::SignIn /> }.into_any(),
        Stage::Prove(flow) => view! { <prove::Prove flow /> }.into_any(),
        Stage::FirstProof => view! { <first_proof::FirstProof /> }.into_any(),
        Stage::Methods => view! { <methods::Methods mode=methods::Mode::Manage /> }.into_any(),
        Stage::Interrupt => view! { <methods::Methods mode=methods::Mode::Interrupt /> }.into_any(),
        Stage::Reconfirm => view! { <methods::Methods mode=methods::Mode::Reconfirm /> }.into_any(),
    }
}
