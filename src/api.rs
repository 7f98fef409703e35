//! Every HTTP call the app makes, and its typed errors. Request and response shapes come
//! from the `sspr-api` contract crate, the same types the server serialises.

use gloo_net::http::{Request, RequestBuilder, Response};
use serde::Serialize;
use serde::de::DeserializeOwned;
use sspr_api::authenticator::{
    ApprovalRequests, ApprovalStatus, AuthenticatorConfig, DecideRequest, Decided, Enrol, Enrolled,
};
use sspr_api::captcha::{CaptchaChallenge, CaptchaSolution};
use sspr_api::method::PhoneChannel;
use sspr_api::problem::PROBLEM_CONTENT_TYPE;
use sspr_api::reset::{
    Answer, Challenge, ChallengeRequest, FLOW_SECRET_HEADER, NewPassword, Proof, ResetDone,
    ResetFlow, StartReset,
};
use sspr_api::session::{
    ChangePassword, ConfirmCode, MethodList, NewMethod, OneTimePass, PasswordChanged,
    PendingMethod, QuestionChoice, SecurityAnswers, SessionInfo, SessionProof, SignIn,
};
use sspr_api::{ErrorCode, Problem, PublicConfig, paths};

/// Why a call failed, in terms the UI can explain.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApiError {
    /// The request did not reach the server (offline, DNS, connection refused).
    #[error("the server could not be reached")]
    Network,
    /// The server answered with a problem document (boxed: it is the large variant).
    #[error("the server refused the request: {}", .0.code.as_str())]
    Problem(Box<Problem>),
    /// The server answered with something that is not the expected JSON.
    #[error("unexpected response (HTTP {status})")]
    Unexpected { status: u16 },
}

impl ApiError {
    /// The problem's code, if the server gave one.
    pub fn code(&self) -> Option<ErrorCode> {
        match self {
            ApiError::Problem(problem) => Some(problem.code),
            _ => None,
        }
    }

    /// The problem document, if the server gave one.
    pub fn problem(&self) -> Option<&Problem> {
        match self {
            ApiError::Problem(problem) => Some(problem),
            _ => None,
        }
    }
}

/// The organisation's settings: the copy the server put into the reset portal's page
/// (`#sspr-config`, server/src/http/reset_page.rs), else `GET /api/v1/config`.
pub async fn config() -> Result<PublicConfig, ApiError> {
    if let Some(config) = config_in_page() {
        return Ok(config);
    }
    get(paths::CONFIG).await
}

fn config_in_page() -> Option<PublicConfig> {
    let text = leptos::prelude::document()
        .get_element_by_id("sspr-config")?
        .text_content()?;
    let value = js_sys::JSON::parse(&text).ok()?;
    serde_wasm_bindgen::from_value(value).ok()
}

/// `GET /api/v1/captcha`.
pub async fn captcha() -> Result<CaptchaChallenge, ApiError> {
    get(paths::CAPTCHA).await
}

/// `POST /api/v1/reset/flows`.
pub async fn start_reset(user_id: String, captcha: CaptchaSolution) -> Result<ResetFlow, ApiError> {
    post(paths::RESET_FLOWS, None, &StartReset { user_id, captcha }).await
}

/// A reset flow as requests name it: its id (in the URL) and the secret the server gave
/// when it started (in a header: URLs get logged, headers do not).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FlowKey {
    pub id: String,
    pub secret: String,
}

/// `GET /api/v1/reset/flows/{flow}`.
pub async fn reset_flow(flow: &FlowKey) -> Result<ResetFlow, ApiError> {
    send(request_get(&paths::reset_flow(&flow.id)).header(FLOW_SECRET_HEADER, &flow.secret)).await
}

/// `{}`: requests that carry nothing but must be JSON.
#[derive(Serialize)]
struct Empty {}

/// `POST .../methods/{method}/challenge`: send a code (a mobile phone's on `channel`),
/// place a call, or get the questions.
pub async fn send_challenge(
    flow: &FlowKey,
    method_id: &str,
    channel: Option<PhoneChannel>,
) -> Result<Challenge, ApiError> {
    let path = paths::reset_challenge(&flow.id, method_id);
    post(&path, Some(flow), &ChallengeRequest { channel }).await
}

/// `POST .../extend`: more time, what was proven kept.
pub async fn extend_flow(flow: &FlowKey) -> Result<ResetFlow, ApiError> {
    post(&paths::reset_extend(&flow.id), Some(flow), &Empty {}).await
}

/// `POST .../methods/{method}/verify`.
pub async fn verify(flow: &FlowKey, method_id: &str, proof: &Proof) -> Result<ResetFlow, ApiError> {
    post(&paths::reset_verify(&flow.id, method_id), Some(flow), proof).await
}

/// `POST .../password`.
pub async fn set_password(flow: &FlowKey, password: String) -> Result<ResetDone, ApiError> {
    let path = paths::reset_password(&flow.id);
    post(&path, Some(flow), &NewPassword { password }).await
}

/// `POST .../unlock`: unlocks the directory account, keeping its password (only when the
/// flow says `unlock_offered`).
pub async fn unlock(flow: &FlowKey) -> Result<ResetDone, ApiError> {
    post(&paths::reset_unlock(&flow.id), Some(flow), &Empty {}).await
}

/// `POST /api/v1/session`: sign in to the security-info page (the browser keeps the
/// session cookie; the app never sees it).
pub async fn sign_in(
    user_id: String,
    password: String,
    locale: &str,
) -> Result<SessionInfo, ApiError> {
    let body = SignIn {
        user_id,
        password,
        locale: Some(locale.to_owned()),
    };
    post(paths::SESSION, None, &body).await
}

/// `GET /api/v1/session`: the signed-in session, or `not_signed_in`.
pub async fn session() -> Result<SessionInfo, ApiError> {
    get(paths::SESSION).await
}

/// `DELETE /api/v1/session`: sign out.
pub async fn sign_out() -> Result<(), ApiError> {
    let response = request_delete(paths::SESSION)
        .send()
        .await
        .map_err(|_| ApiError::Network)?;
    if response.ok() {
        Ok(())
    } else {
        Err(ApiError::Unexpected {
            status: response.status(),
        })
    }
}

/// `POST /api/v1/session/proof`: a method was proven in the sign-in's `flow`.
pub async fn prove_session(flow: &FlowKey) -> Result<SessionInfo, ApiError> {
    let body = SessionProof {
        flow_id: flow.id.clone(),
    };
    post(paths::SESSION_PROOF, Some(flow), &body).await
}

/// `POST /api/v1/session/proof/new`: a new flow in which to prove a method.
pub async fn new_proof() -> Result<ResetFlow, ApiError> {
    post(paths::SESSION_NEW_PROOF, None, &Empty {}).await
}

/// `POST /api/v1/session/proof/pass`: an administrator's one-time pass.
pub async fn prove_with_pass(pass: String) -> Result<SessionInfo, ApiError> {
    post(paths::SESSION_PASS, None, &OneTimePass { pass }).await
}

/// `POST /api/v1/session/proof/contact`: for a person with no method, a code to the
/// address the directory holds.
pub async fn send_contact_code() -> Result<PendingMethod, ApiError> {
    post(paths::SESSION_CONTACT_PROOF, None, &Empty {}).await
}

/// `POST /api/v1/session/proof/contact/{id}`: that code.
pub async fn prove_with_contact(registration: &str, code: String) -> Result<SessionInfo, ApiError> {
    let path = paths::session_contact_proof(registration);
    post(&path, None, &ConfirmCode { code }).await
}

/// `POST /api/v1/session/reconfirm`: the methods are still right.
pub async fn reconfirm() -> Result<SessionInfo, ApiError> {
    post(paths::SESSION_RECONFIRM, None, &Empty {}).await
}

/// `GET /api/v1/session/methods`.
pub async fn methods() -> Result<MethodList, ApiError> {
    get(paths::SESSION_METHODS).await
}

/// `POST /api/v1/session/registrations`: start adding (or changing) a method.
pub async fn start_registration(method: &NewMethod) -> Result<PendingMethod, ApiError> {
    post(paths::SESSION_REGISTRATIONS, None, method).await
}

/// `POST /api/v1/session/registrations/{id}/confirm`: the code that makes it count.
pub async fn confirm_registration(
    registration: &str,
    code: String,
) -> Result<MethodList, ApiError> {
    let path = paths::session_registration_confirm(registration);
    post(&path, None, &ConfirmCode { code }).await
}

/// `GET /api/v1/session/security-questions`.
pub async fn question_choice() -> Result<QuestionChoice, ApiError> {
    get(paths::SESSION_QUESTIONS).await
}

/// `POST /api/v1/session/security-questions`.
pub async fn set_answers(answers: Vec<Answer>) -> Result<MethodList, ApiError> {
    post(paths::SESSION_QUESTIONS, None, &SecurityAnswers { answers }).await
}

/// `DELETE /api/v1/session/methods/{id}`: remove one of the person's methods.
pub async fn delete_method(method: &str) -> Result<MethodList, ApiError> {
    send(request_delete(&paths::session_method(method))).await
}

/// `POST /api/v1/session/methods/{id}/default`.
pub async fn set_default(method: &str) -> Result<MethodList, ApiError> {
    let path = format!("{}/default", paths::session_method(method));
    post(&path, None, &Empty {}).await
}

/// `POST /api/v1/session/password`: change the password while signed in.
pub async fn change_password(
    current_password: String,
    new_password: String,
) -> Result<PasswordChanged, ApiError> {
    let body = ChangePassword {
        current_password,
        new_password,
    };
    post(paths::SESSION_PASSWORD, None, &body).await
}

/// `GET /api/v1/authenticator/config`: the organisation and the VAPID key.
pub async fn authenticator_config() -> Result<AuthenticatorConfig, ApiError> {
    get(paths::AUTHENTICATOR_CONFIG).await
}

/// `POST /api/v1/authenticator/enrol`: this phone becomes the person's device.
pub async fn enrol(body: &Enrol) -> Result<Enrolled, ApiError> {
    post(paths::AUTHENTICATOR_ENROL, None, body).await
}

/// `GET /api/v1/authenticator/requests`, signed by the device.
pub async fn approval_requests() -> Result<ApprovalRequests, ApiError> {
    let path = paths::AUTHENTICATOR_REQUESTS;
    let mut request = request_get(path);
    for (name, value) in device_headers("GET", path, "").await? {
        request = request.header(&name, &value);
    }
    send(request).await
}

/// `POST /api/v1/authenticator/requests/{id}`, signed by the device.
pub async fn decide(request_id: &str, body: &DecideRequest) -> Result<Decided, ApiError> {
    let path = paths::authenticator_request(request_id);
    let json = to_json(body)?;
    let mut request = request_post(&path).header("content-type", "application/json");
    for (name, value) in device_headers("POST", &path, &json).await? {
        request = request.header(&name, &value);
    }
    let request = request
        .body(json)
        .map_err(|_| ApiError::Unexpected { status: 0 })?;
    let response = request.send().await.map_err(|_| ApiError::Network)?;
    read_json(response).await
}

/// `GET .../methods/{method}/approval`: the portal's wait for the phone (answers once the
/// state changes, or after about 25 seconds).
pub async fn approval(flow: &FlowKey, method_id: &str) -> Result<ApprovalStatus, ApiError> {
    send(
        request_get(&paths::reset_approval(&flow.id, method_id))
            .header(FLOW_SECRET_HEADER, &flow.secret),
    )
    .await
}

/// The device's signature of a request, as headers (a device that cannot sign sends
/// nothing, and the server says who it does not recognise).
async fn device_headers(
    method: &str,
    path: &str,
    body: &str,
) -> Result<Vec<(String, String)>, ApiError> {
    crate::authenticator::device::signed_headers(method, path, body)
        .await
        .map_err(|_| ApiError::Unexpected { status: 0 })
}

/// `body` as JSON text, through the browser's `JSON.stringify`.
pub(crate) fn to_json<B: Serialize>(body: &B) -> Result<String, ApiError> {
    serde_wasm_bindgen::to_value(body)
        .ok()
        .and_then(|value| js_sys::JSON::stringify(&value).ok())
        .and_then(|text| text.as_string())
        .ok_or(ApiError::Unexpected { status: 0 })
}

/// The list of common passwords (sorted, one per line), fetched when the password page
/// opens rather than in the first load.
pub async fn common_passwords() -> Result<String, ApiError> {
    let response = request_get(paths::COMMON_PASSWORDS)
        .send()
        .await
        .map_err(|_| ApiError::Network)?;
    let status = response.status();
    if !response.ok() {
        return Err(ApiError::Unexpected { status });
    }
    response
        .text()
        .await
        .map_err(|_| ApiError::Unexpected { status })
}

thread_local! {
    static LANGUAGE: std::cell::Cell<&'static str> = const { std::cell::Cell::new("en") };
}

/// The language the person reads the app in. Every request says it (`Accept-Language`),
/// so that what the server sends them, a code or a notice, is in that language too.
pub fn set_language(tag: &'static str) {
    LANGUAGE.set(tag);
}

fn request_get(path: &str) -> RequestBuilder {
    Request::get(path).header("accept-language", LANGUAGE.get())
}

fn request_post(path: &str) -> RequestBuilder {
    Request::post(path).header("accept-language", LANGUAGE.get())
}

fn request_delete(path: &str) -> RequestBuilder {
    Request::delete(path).header("accept-language", LANGUAGE.get())
}

async fn get<T: DeserializeOwned>(path: &str) -> Result<T, ApiError> {
    send(request_get(path)).await
}

/// A JSON `POST`, about `flow` (its secret in the header) when given.
async fn post<B: Serialize, T: DeserializeOwned>(
    path: &str,
    flow: Option<&FlowKey>,
    body: &B,
) -> Result<T, ApiError> {
    let json = to_json(body)?;
    let mut request = request_post(path).header("content-type", "application/json");
    if let Some(flow) = flow {
        request = request.header(FLOW_SECRET_HEADER, &flow.secret);
    }
    let request = request
        .body(json)
        .map_err(|_| ApiError::Unexpected { status: 0 })?;
    let response = request.send().await.map_err(|_| ApiError::Network)?;
    read_json(response).await
}

/// A JSON body parsed by the browser, then read into `T`.
async fn parse<T: DeserializeOwned>(response: Response) -> Option<T> {
    let text = response.text().await.ok()?;
    let value = js_sys::JSON::parse(&text).ok()?;
    serde_wasm_bindgen::from_value(value).ok()
}

async fn send<T: DeserializeOwned>(request: RequestBuilder) -> Result<T, ApiError> {
    let response = request.send().await.map_err(|_| ApiError::Network)?;
    read_json(response).await
}

async fn read_json<T: DeserializeOwned>(response: Response) -> Result<T, ApiError> {
    let status = response.status();
    if response.ok() {
        return parse::<T>(response)
            .await
            .ok_or(ApiError::Unexpected { status });
    }
    let is_problem = response
        .headers()
        .get("content-type")
        .is_some_and(|media| media.starts_with(PROBLEM_CONTENT_TYPE));
    if !is_problem {
        return Err(ApiError::Unexpected { status });
    }
    match parse::<Problem>(response).await {
        Some(problem) => Err(ApiError::Problem(Box::new(problem))),
        None => Err(ApiError::Unexpected { status }),
    }
}
