//! Notices of changes made while signed in (docs/SECURITY.md, "Change notices"): who is
//! told, in which language, and the "this wasn't me" link: nothing happens on GET; a
//! report (once, from the portal's origin only) signs every session out, blocks the
//! security-info page and suspends a method the change made, until a reset with the
//! other methods (which removes it) or an administrator restores them.

use super::registrations::{add_answers, no_methods};
use super::sessions::{
    method_of, prove, proven_session, session_get, session_post, session_status, sign_in_request,
};
use super::*;
use sspr_server::admin::{UserCommand, run_user};
use sspr_server::crypto::totp::TotpSecret;

const REGISTRATIONS: &str = "/api/v1/session/registrations";

/// Registers `address` as the session's e-mail method (code and all).
async fn register_email(h: &Harness, cookie: &str, address: &str) -> Value {
    let (status, pending) = session_post(
        h,
        cookie,
        REGISTRATIONS,
        json!({"kind": "email", "address": address}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{pending}");
    let code = h.last_code(address).await;
    let path = format!(
        "{REGISTRATIONS}/{}/confirm",
        pending["registration_id"].as_str().unwrap()
    );
    let (status, list) = session_post(h, cookie, &path, json!({"code": code})).await;
    assert_eq!(status, StatusCode::OK, "{list}");
    list
}

/// The newest message to `to`: (subject, body).
pub(super) async fn last_to(h: &Harness, to: &str) -> (String, String) {
    let messages = h.messages().await;
    let (_, subject, body) = messages
        .iter()
        .rev()
        .find(|(rcpt, _, _)| rcpt == to)
        .unwrap_or_else(|| panic!("nothing to {to}: {messages:?}"));
    (subject.clone(), body.clone())
}

/// The report token in a notice's body.
fn token_in(body: &str) -> String {
    let at = body
        .find("/report/")
        .unwrap_or_else(|| panic!("no link: {body}"));
    body[at + "/report/".len()..]
        .chars()
        .take_while(char::is_ascii_hexdigit)
        .collect()
}

async fn page(h: &Harness, request: Request<Body>) -> (StatusCode, String) {
    let response = h.app.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    (status, String::from_utf8(bytes.to_vec()).unwrap())
}

fn form_post(token: &str, origin: Option<&str>) -> Request<Body> {
    let mut request = Request::post(format!("/report/{token}"))
        .header("content-type", "application/x-www-form-urlencoded");
    if let Some(origin) = origin {
        request = request.header("origin", origin);
    }
    request.body(Body::empty()).unwrap()
}

/// A person with the directory address `dir@home.example`, an app and answers (no e-mail
/// method), signed in with their app in `locale`.
async fn app_and_questions(h: &Harness, user_id: &str, locale: &str) -> (TotpSecret, String) {
    no_methods(h, user_id, Some("dir@home.example")).await;
    add_answers(h, user_id).await;
    let secret = h.directory.add_totp(user_id, None).await.unwrap();
    let mut request = sign_in_request(user_id, "lantern harbour seventeen", None);
    *request.body_mut() = Body::from(
        json!({"user_id": user_id, "password": "lantern harbour seventeen", "locale": locale})
            .to_string(),
    );
    let (status, headers, json) = h.request(request).await;
    assert_eq!(status, StatusCode::CREATED, "{json}");
    let cookie = headers["set-cookie"].to_str().unwrap();
    let cookie = cookie.split(';').next().unwrap().to_owned();
    let proof = Flow(json["proof"].clone());
    h.totp_proven(&proof, &secret).await;
    assert_eq!(prove(h, &cookie, &proof).await.0, StatusCode::OK);
    (secret, cookie)
}

#[tokio::test]
async fn an_added_address_is_told_elsewhere_in_their_language_and_a_report_undoes_it() {
    let h = Harness::new(POLICY).await;
    let (secret, cookie) = app_and_questions(&h, "ada@contoso.example", "fr-FR").await;
    register_email(&h, &cookie, "ada.new@elsewhere.example").await;
    // Told at the address the directory holds, not at the one just added; in French.
    let (subject, body) = last_to(&h, "dir@home.example").await;
    assert!(subject.contains("ajoutée"), "{subject}");
    assert!(body.contains("une adresse e-mail"), "{body}");
    assert!(body.contains("http://localhost:"), "{body}");
    let messages = h.messages().await;
    let to_new = messages
        .iter()
        .filter(|(to, _, _)| to == "ada.new@elsewhere.example")
        .count();
    assert_eq!(to_new, 1, "only the code went to the new address");
    let token = token_in(&body);
    assert_eq!(token.len(), 32, "{body}");

    // Opening the link (a mail scanner does) changes nothing.
    for _ in 0..2 {
        let (status, html) = page(
            &h,
            Request::get(format!("/report/{token}"))
                .body(Body::empty())
                .unwrap(),
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("lang=\"fr\""), "{html}");
        assert!(html.contains("Était-ce vous"), "{html}");
        assert!(html.contains("<form method=\"post\">"), "{html}");
    }
    assert_eq!(session_status(&h, &cookie).await.0, StatusCode::OK);
    let (_, report) = session_get(&h, &cookie, &format!("/api/v1/reports/{token}")).await;
    assert_eq!(report["change"], "method_added", "{report}");
    assert_eq!(report["method_kind"], "email");
    assert_eq!(report["reported"], false);

    // Reported from another site: refused.
    let (status, _) = page(&h, form_post(&token, Some("https://evil.example"))).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // Reported from the page: every session out, the page closed, the address suspended.
    let (status, html) = page(&h, form_post(&token, Some("http://localhost:8080"))).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(html.contains("Signalé"), "{html}");
    assert_eq!(
        session_status(&h, &cookie).await.0,
        StatusCode::UNAUTHORIZED
    );
    let (status, _, json) = h
        .request(sign_in_request(
            "ada@contoso.example",
            "lantern harbour seventeen",
            None,
        ))
        .await;
    assert_eq!(
        (status, &json["code"]),
        (StatusCode::FORBIDDEN, &json!("account_blocked"))
    );
    let flow = h.start("ada@contoso.example").await;
    assert_eq!(flow.kinds(), ["app_code", "security_questions"]);
    // Once only.
    let (status, html) = page(&h, form_post(&token, None)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("déjà"), "{html}");

    // A reset with the methods left restores the page and removes the suspended address.
    h.clock().advance(30);
    h.totp_proven(&flow, &secret).await;
    let (_, _, asked) = h.challenge(&flow, "security_questions").await;
    let answers: Vec<Value> = asked["questions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| {
            let answer = match q.as_str().unwrap() {
                "birth_city" => "Lisbon",
                "first_pet" => "Biscuit",
                _ => "Riverside Primary",
            };
            json!({"question": q, "answer": answer})
        })
        .collect();
    let (status, _, json) = h
        .verify(&flow, "security_questions", json!({"answers": answers}))
        .await;
    assert_eq!(status, StatusCode::OK, "{json}");
    let (status, _, json) = h.set_password(&flow, "a brand new passphrase").await;
    assert_eq!(status, StatusCode::OK, "{json}");
    let (status, _, json) = h
        .request(sign_in_request(
            "ada@contoso.example",
            "a brand new passphrase",
            None,
        ))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{json}");
    assert_eq!(
        h.sql("SELECT count(*) FROM methods WHERE kind = 'email'"),
        [["0"]]
    );
    let audit = h.services.store.recent_audit_events(100).await.unwrap();
    assert!(audit.contains(&"change_reported".to_owned()), "{audit:?}");
}

#[tokio::test]
async fn a_changed_address_is_told_at_the_old_one_and_an_administrator_can_restore_it() {
    let h = Harness::new(POLICY).await;
    let secret = h.person("cal@contoso.example").await;
    let cookie = proven_session(&h, "cal@contoso.example", &secret).await;
    register_email(&h, &cookie, "cal@new.example").await;
    let (subject, body) = last_to(&h, "cal@home.example").await;
    assert!(subject.contains("was changed"), "{subject}");
    assert!(
        body.contains("A sign-in method was changed: an email address."),
        "{body}"
    );
    let token = token_in(&body);

    let path = format!("/api/v1/reports/{token}");
    let (status, _, done) = h.post(&path, json!({})).await;
    assert_eq!(status, StatusCode::OK, "{done}");
    assert_eq!(done["method_suspended"], true);
    assert_eq!(done["sessions_signed_out"], 1);
    let flow = h.start("cal@contoso.example").await;
    assert_eq!(flow.kinds(), ["app_code", "security_questions"]);
    let (status, _, json) = h.post(&path, json!({})).await;
    assert_eq!(
        (status, &json["code"]),
        (StatusCode::NOT_FOUND, &json!("report_not_found"))
    );

    // The help desk sees it suspended, judges it theirs, and restores it.
    let mut listed = Vec::new();
    run_user(
        &h.directory,
        UserCommand::Methods {
            user_id: "cal@contoso.example".into(),
        },
        3,
        &mut std::io::empty(),
        &mut listed,
    )
    .await
    .unwrap();
    let listed = String::from_utf8(listed).unwrap();
    assert!(
        listed.contains("cal@new.example\t(default)\t(suspended")
            || listed.contains("cal@new.example\t(suspended"),
        "{listed}"
    );
    let mut out = Vec::new();
    run_user(
        &h.directory,
        UserCommand::RestoreMethods {
            user_id: "cal@contoso.example".into(),
        },
        3,
        &mut std::io::empty(),
        &mut out,
    )
    .await
    .unwrap();
    let flow = h.start("cal@contoso.example").await;
    assert_eq!(flow.kinds(), ["app_code", "email", "security_questions"]);
    h.clock().advance(30);
    let cookie = proven_session(&h, "cal@contoso.example", &secret).await;
    let (_, list) = session_get(&h, &cookie, "/api/v1/session/methods").await;
    method_of(&list, "email");
}

#[tokio::test]
async fn a_removal_and_a_password_change_are_told_and_their_links_expire() {
    let h = Harness::new(POLICY).await;
    let secret = h.person("dan@contoso.example").await;
    let cookie = proven_session(&h, "dan@contoso.example", &secret).await;
    let (_, list) = session_get(&h, &cookie, "/api/v1/session/methods").await;
    let questions = method_of(&list, "security_questions");
    let request = Request::delete(format!("/api/v1/session/methods/{questions}"))
        .header("cookie", &cookie)
        .body(Body::empty())
        .unwrap();
    assert_eq!(h.request(request).await.0, StatusCode::OK);
    let (subject, body) = last_to(&h, "dan@home.example").await;
    assert!(subject.contains("removed"), "{subject}");
    assert!(body.contains("security questions"), "{body}");
    let removal = token_in(&body);

    let change = json!({
        "current_password": "lantern harbour seventeen",
        "new_password": "a brand new passphrase"
    });
    let (status, json) = session_post(&h, &cookie, "/api/v1/session/password", change).await;
    assert_eq!(status, StatusCode::OK, "{json}");
    assert_eq!(json["notification_sent"], true);
    let (subject, body) = last_to(&h, "dan@home.example").await;
    assert_eq!(subject, "Your Contoso password was changed");
    let change = token_in(&body);
    assert_ne!(change, removal);

    // Reporting the password change: out everywhere, nothing suspended.
    let (status, _, done) = h
        .post(&format!("/api/v1/reports/{change}"), json!({}))
        .await;
    assert_eq!(status, StatusCode::OK, "{done}");
    assert_eq!(done["method_suspended"], false);
    assert_eq!(
        session_status(&h, &cookie).await.0,
        StatusCode::UNAUTHORIZED
    );

    // A week on, the other link no longer works, as a page or in the API.
    h.clock().advance(7 * 86400);
    let (status, html) = page(
        &h,
        Request::get(format!("/report/{removal}"))
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(html.contains("does not work"), "{html}");
    let (status, _, json) = h
        .request(
            Request::get(format!("/api/v1/reports/{removal}"))
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(
        (status, &json["code"]),
        (StatusCode::NOT_FOUND, &json!("report_not_found"))
    );
    let (status, _) = page(
        &h,
        Request::get("/report/not-a-token")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn reported_new_answers_are_suspended_too() {
    let h = Harness::new(POLICY).await;
    let secret = h.person("fox@contoso.example").await;
    let cookie = proven_session(&h, "fox@contoso.example", &secret).await;
    let answer = |question: &str, answer: &str| json!({"question": question, "answer": answer});
    let three = json!({"answers": [
        answer("first_car", "Beetle"), answer("oldest_cousin", "Sam"), answer("first_job_city", "Porto")
    ]});
    let (status, list) =
        session_post(&h, &cookie, "/api/v1/session/security-questions", three).await;
    assert_eq!(status, StatusCode::OK, "{list}");
    let (subject, body) = last_to(&h, "fox@home.example").await;
    assert!(subject.contains("was changed"), "{subject}");
    assert!(body.contains("security questions"), "{body}");
    let (status, _, done) = h
        .post(&format!("/api/v1/reports/{}", token_in(&body)), json!({}))
        .await;
    assert_eq!(status, StatusCode::OK, "{done}");
    assert_eq!(done["method_suspended"], true);
    let flow = h.start("fox@contoso.example").await;
    assert_eq!(flow.kinds(), ["app_code", "email"]);
}
