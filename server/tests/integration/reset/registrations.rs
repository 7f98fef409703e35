//! Adding and changing methods on the security-info page (docs/SECURITY.md, "Registering
//! methods"): each kind counts only once verified and is then used in a full reset; a
//! changed address is used only once verified; the policy's rules; a stale proof; a person
//! with no methods needs a second proof (a one-time pass, once, until it expires, or a
//! code to the directory's address); registrations are the session's own.

use super::sessions::{
    method_of, prove, proven_session, session_get, session_post, session_status, sign_in,
    sign_in_with_proof,
};
use super::*;
use sspr_server::admin::{UserCommand, run_user};
use sspr_server::crypto::totp::TotpSecret;

const REGISTRATIONS: &str = "/api/v1/session/registrations";

async fn confirm(h: &Harness, cookie: &str, pending: &Value, code: &str) -> (StatusCode, Value) {
    let path = format!(
        "{REGISTRATIONS}/{}/confirm",
        pending["registration_id"].as_str().unwrap()
    );
    session_post(h, cookie, &path, json!({ "code": code })).await
}

/// A person in scope with a password and only an authenticator app.
pub(super) async fn app_only(h: &Harness, user_id: &str) -> TotpSecret {
    h.user(user_id, false, &["sspr-users"]).await;
    h.directory
        .set_password(user_id, "lantern harbour seventeen")
        .await
        .unwrap();
    h.directory.add_totp(user_id, None).await.unwrap()
}

/// A person in scope with a password and no method at all.
pub(super) async fn no_methods(h: &Harness, user_id: &str, email: Option<&str>) {
    let user = NewUser {
        user_id,
        display_name: "Robin Quill",
        email,
        is_admin: false,
        groups: &["sspr-users"],
    };
    assert!(
        h.services
            .store
            .create_user_if_missing(&user)
            .await
            .unwrap()
    );
    h.directory
        .set_password(user_id, "lantern harbour seventeen")
        .await
        .unwrap();
}

/// Registers the three answers every test person has (birth city, first pet, school).
pub(super) async fn add_answers(h: &Harness, user_id: &str) {
    let answers = [
        ("birth_city".into(), "Lisbon".into()),
        ("first_pet".into(), "Biscuit".into()),
        ("first_school".into(), "Riverside Primary".into()),
    ];
    h.directory.set_answers(user_id, &answers, 3).await.unwrap();
}

fn kinds(list: &Value) -> Vec<String> {
    let mut kinds: Vec<String> = list["methods"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["kind"].as_str().unwrap().to_owned())
        .collect();
    kinds.sort();
    kinds
}

#[tokio::test]
async fn an_address_counts_only_once_its_code_is_typed_and_then_resets_the_password() {
    let h = Harness::new(POLICY).await;
    let secret = app_only(&h, "ana@contoso.example").await;
    add_answers(&h, "ana@contoso.example").await;
    let cookie = proven_session(&h, "ana@contoso.example", &secret).await;
    let (status, pending) = session_post(
        &h,
        &cookie,
        REGISTRATIONS,
        json!({"kind": "email", "address": "  ana.new@elsewhere.example "}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{pending}");
    assert_eq!(pending["sent_to"], "ana.new@elsewhere.example");
    assert_eq!(pending["expires_in_seconds"], 10 * 60);
    assert!(pending.get("replaces").is_none(), "{pending}");
    let code = h.last_code("ana.new@elsewhere.example").await;

    // Pending: neither listed nor offered by a reset.
    let (_, list) = session_get(&h, &cookie, "/api/v1/session/methods").await;
    assert_eq!(kinds(&list), ["app_code", "security_questions"]);
    let flow = h.start("ana@contoso.example").await;
    assert_eq!(flow.kinds(), ["app_code", "security_questions"]);

    let (status, json) = confirm(&h, &cookie, &pending, "00000000").await;
    assert_eq!(
        (status, &json["code"], &json["attempts_left"]),
        (StatusCode::BAD_REQUEST, &json!("code_incorrect"), &json!(4))
    );
    let (status, list) = confirm(&h, &cookie, &pending, &code).await;
    assert_eq!(status, StatusCode::OK, "{list}");
    assert_eq!(kinds(&list), ["app_code", "email", "security_questions"]);
    assert_eq!(list["can_reset"], true);
    let email = &list["methods"].as_array().unwrap()[2];
    assert_eq!(email["kind"], "email", "{list}");
    assert_eq!(email["detail"], "•••@elsewhere.example", "{list}");
    assert_eq!(email["registered_at"], h.clock().now());
    assert!(email.get("last_used_at").is_none(), "{email}");
    // Used once: the registration is gone.
    let (status, json) = confirm(&h, &cookie, &pending, &code).await;
    assert_eq!(
        (status, &json["code"]),
        (StatusCode::NOT_FOUND, &json!("registration_not_found"))
    );

    // The whole reset with it, over HTTP.
    let flow = h.start("ana@contoso.example").await;
    assert_eq!(flow.kinds(), ["app_code", "email", "security_questions"]);
    assert_eq!(h.challenge(&flow, "email").await.0, StatusCode::OK);
    let code = h.last_code("ana.new@elsewhere.example").await;
    assert_eq!(h.code(&flow, &code).await.0, StatusCode::OK);
    h.clock().advance(30);
    h.totp_proven(&flow, &secret).await;
    let (status, _, done) = h.set_password(&flow, "a brand new passphrase").await;
    assert_eq!(status, StatusCode::OK, "{done}");
    // The reset signed the page's session out; signed in again, the method shows its use.
    assert_eq!(
        session_status(&h, &cookie).await.0,
        StatusCode::UNAUTHORIZED
    );
    let audit = h.services.store.recent_audit_events(50).await.unwrap();
    assert!(audit.contains(&"method_added".to_owned()), "{audit:?}");
}

#[tokio::test]
async fn an_app_counts_only_once_it_shows_a_right_code_and_that_code_is_spent() {
    let h = Harness::new(POLICY).await;
    h.person("ben@contoso.example").await;
    // A person with e-mail and questions only: their app goes.
    let (cookie, proof) = sign_in_with_proof(&h, "ben@contoso.example").await;
    assert_eq!(h.challenge(&proof, "email").await.0, StatusCode::OK);
    let code = h.last_code("ben@home.example").await;
    assert_eq!(h.code(&proof, &code).await.0, StatusCode::OK);
    assert_eq!(prove(&h, &cookie, &proof).await.0, StatusCode::OK);
    let (_, list) = session_get(&h, &cookie, "/api/v1/session/methods").await;
    let old_app = method_of(&list, "app_code");

    let (status, pending) =
        session_post(&h, &cookie, REGISTRATIONS, json!({"kind": "app_code"})).await;
    assert_eq!(status, StatusCode::CREATED, "{pending}");
    assert_eq!(pending["replaces"], old_app.as_str(), "{pending}");
    assert_eq!(pending["expires_in_seconds"], 15 * 60);
    let uri = pending["otpauth_uri"].as_str().unwrap();
    let base32 = pending["secret"].as_str().unwrap();
    assert!(uri.starts_with("otpauth://totp/"), "{uri}");
    assert!(uri.contains(&format!("secret={base32}")), "{uri}");
    let secret = TotpSecret::from_base32(base32).unwrap();
    // Only the sealed secret is stored.
    assert!(!String::from_utf8_lossy(&h.database_bytes()).contains(base32));

    // Until confirmed, the old app still resets and the new one proves nothing.
    let now = h.clock().now();
    let flow = h.start("ben@contoso.example").await;
    let (status, _, _) = h.app_code_at(&flow, &secret, now).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    let (status, _) = confirm(&h, &cookie, &pending, "000000").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let right = totp::code_at(&secret, now);
    let (status, list) = confirm(&h, &cookie, &pending, &right).await;
    assert_eq!(status, StatusCode::OK, "{list}");
    // The same method row, its secret replaced.
    assert_eq!(method_of(&list, "app_code"), old_app);
    assert_eq!(kinds(&list).len(), 3);

    // The code that confirmed it cannot be replayed in a reset; the next one works.
    let flow = h.start("ben@contoso.example").await;
    let (status, _, json) = h.verify(&flow, "app_code", json!({"code": right})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{json}");
    h.clock().advance(30);
    let (status, _, json) = h.app_code_at(&flow, &secret, h.clock().now()).await;
    assert_eq!(status, StatusCode::OK, "{json}");
    let audit = h.services.store.recent_audit_events(50).await.unwrap();
    assert!(audit.contains(&"method_changed".to_owned()), "{audit:?}");
}

#[tokio::test]
async fn a_changed_address_is_used_only_once_it_is_verified() {
    let h = Harness::new(POLICY).await;
    let secret = h.person("cat@contoso.example").await;
    let cookie = proven_session(&h, "cat@contoso.example", &secret).await;
    let (_, list) = session_get(&h, &cookie, "/api/v1/session/methods").await;
    let email = method_of(&list, "email");
    let (_, pending) = session_post(
        &h,
        &cookie,
        REGISTRATIONS,
        json!({"kind": "email", "address": "cat@new.example"}),
    )
    .await;
    assert_eq!(pending["replaces"], email.as_str());
    let code = h.last_code("cat@new.example").await;

    // Not confirmed: a reset's code still goes to the old address.
    let flow = h.start("cat@contoso.example").await;
    h.clock().advance(60);
    assert_eq!(h.challenge(&flow, "email").await.0, StatusCode::OK);
    let last = h.messages().await.pop().unwrap();
    assert_eq!(last.0, "cat@home.example");

    let (status, list) = confirm(&h, &cookie, &pending, &code).await;
    assert_eq!(status, StatusCode::OK, "{list}");
    assert_eq!(method_of(&list, "email"), email);
    assert_eq!(kinds(&list).len(), 3, "replaced, not added: {list}");
    let flow = h.start("cat@contoso.example").await;
    assert_eq!(h.challenge(&flow, "email").await.0, StatusCode::OK);
    let last = h.messages().await.pop().unwrap();
    assert_eq!(last.0, "cat@new.example");
}

#[tokio::test]
async fn wrong_codes_use_up_a_registration_and_sends_are_limited() {
    let h = Harness::new(POLICY).await;
    let secret = app_only(&h, "dov@contoso.example").await;
    let cookie = proven_session(&h, "dov@contoso.example", &secret).await;
    let body = json!({"kind": "email", "address": "dov@elsewhere.example"});
    let (_, pending) = session_post(&h, &cookie, REGISTRATIONS, body.clone()).await;
    let code = h.last_code("dov@elsewhere.example").await;
    for left in (0..5).rev() {
        let (_, json) = confirm(&h, &cookie, &pending, "00000000").await;
        assert_eq!(json["attempts_left"], left, "{json}");
    }
    let (status, json) = confirm(&h, &cookie, &pending, &code).await;
    assert_eq!(
        (status, &json["code"]),
        (StatusCode::NOT_FOUND, &json!("registration_not_found"))
    );
    // Another code at once is refused; after the resend wait the hour's limit holds.
    let (status, json) = session_post(&h, &cookie, REGISTRATIONS, body.clone()).await;
    assert_eq!(
        (status, &json["code"]),
        (StatusCode::TOO_MANY_REQUESTS, &json!("rate_limited"))
    );
    let mut last = Value::Null;
    for _ in 0..5 {
        h.clock().advance(61);
        last = session_post(&h, &cookie, REGISTRATIONS, body.clone())
            .await
            .1;
        if last["code"] == "too_many_codes" {
            break;
        }
    }
    assert_eq!(last["code"], "too_many_codes", "{last}");
}

#[tokio::test]
async fn the_policy_decides_the_kinds_and_administrators_never_register_questions() {
    let policy = r#"
[captcha]
max_number = 1000

[policy]
scope = "all"
methods_required = 2
methods = ["app_code", "security_questions"]
"#;
    let h = Harness::new(policy).await;
    let secret = app_only(&h, "eli@contoso.example").await;
    let cookie = proven_session(&h, "eli@contoso.example", &secret).await;
    let (status, json) = session_post(
        &h,
        &cookie,
        REGISTRATIONS,
        json!({"kind": "email", "address": "eli@elsewhere.example"}),
    )
    .await;
    assert_eq!(
        (status, &json["code"]),
        (StatusCode::FORBIDDEN, &json!("method_disabled"))
    );
    assert!(h.messages().await.is_empty());

    let questions = "/api/v1/session/security-questions";
    let (status, choice) = session_get(&h, &cookie, questions).await;
    assert_eq!(status, StatusCode::OK, "{choice}");
    assert_eq!(choice["register"], 3);
    assert_eq!(choice["registered"], false);
    let ids: Vec<String> = choice["questions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| q.as_str().unwrap().to_owned())
        .collect();
    let answer = |question: &str, answer: &str| json!({"question": question, "answer": answer});
    let two = json!({"answers": [answer(&ids[0], "Lisbon"), answer(&ids[1], "Biscuit")]});
    let (status, json) = session_post(&h, &cookie, questions, two).await;
    assert_eq!(
        (status, &json["code"]),
        (StatusCode::BAD_REQUEST, &json!("invalid_request"))
    );
    assert!(json["detail"].as_str().unwrap().contains("3"), "{json}");
    let same =
        json!({"answers": [answer(&ids[0], "a"), answer(&ids[0], "b"), answer(&ids[1], "c")]});
    assert_eq!(
        session_post(&h, &cookie, questions, same).await.0,
        StatusCode::BAD_REQUEST
    );
    let three = json!({"answers": [
        answer(&ids[0], "Lisbon"), answer(&ids[1], "Biscuit"), answer(&ids[2], "Riverside")
    ]});
    let (status, list) = session_post(&h, &cookie, questions, three).await;
    assert_eq!(status, StatusCode::OK, "{list}");
    assert_eq!(kinds(&list), ["app_code", "security_questions"]);
    assert_eq!(list["may_add"], json!(["app_code", "security_questions"]));
    // The answers are never stored in the clear.
    assert!(!String::from_utf8_lossy(&h.database_bytes()).contains("Riverside"));

    // An administrator: the questions are refused, whatever the policy enables.
    h.user("root@contoso.example", true, &[]).await;
    h.directory
        .set_password("root@contoso.example", "lantern harbour seventeen")
        .await
        .unwrap();
    let admin_secret = h
        .directory
        .add_totp("root@contoso.example", None)
        .await
        .unwrap();
    let admin = proven_session(&h, "root@contoso.example", &admin_secret).await;
    let (_, list) = session_get(&h, &admin, "/api/v1/session/methods").await;
    assert_eq!(list["may_add"], json!(["app_code"]), "{list}");
    let (status, json) = session_get(&h, &admin, questions).await;
    assert_eq!(
        (status, &json["code"]),
        (StatusCode::FORBIDDEN, &json!("method_not_for_admins"))
    );
    let three =
        json!({"answers": [answer(&ids[0], "x"), answer(&ids[1], "y"), answer(&ids[2], "z")]});
    let (status, json) = session_post(&h, &admin, questions, three).await;
    assert_eq!(
        (status, &json["code"]),
        (StatusCode::FORBIDDEN, &json!("method_not_for_admins"))
    );
}

#[tokio::test]
async fn a_stale_proof_asks_for_a_new_one_before_adding() {
    let h = Harness::new(POLICY).await;
    let secret = app_only(&h, "fay@contoso.example").await;
    let cookie = proven_session(&h, "fay@contoso.example", &secret).await;
    h.clock().advance(10 * 60);
    let (status, json) =
        session_post(&h, &cookie, REGISTRATIONS, json!({"kind": "app_code"})).await;
    assert_eq!(
        (status, &json["code"]),
        (StatusCode::FORBIDDEN, &json!("proof_needed"))
    );
}

#[tokio::test]
async fn registrations_are_the_sessions_own_and_refuse_foreign_origins() {
    let h = Harness::new(POLICY).await;
    let secret = app_only(&h, "gus@contoso.example").await;
    let other = app_only(&h, "hal@contoso.example").await;
    let cookie = proven_session(&h, "gus@contoso.example", &secret).await;
    let theirs = proven_session(&h, "hal@contoso.example", &other).await;
    let (_, pending) = session_post(
        &h,
        &cookie,
        REGISTRATIONS,
        json!({"kind": "email", "address": "gus@elsewhere.example"}),
    )
    .await;
    let code = h.last_code("gus@elsewhere.example").await;

    // Another person's session cannot confirm it, even with the right code.
    let (status, json) = confirm(&h, &theirs, &pending, &code).await;
    assert_eq!(
        (status, &json["code"]),
        (StatusCode::NOT_FOUND, &json!("registration_not_found"))
    );
    // Nor a request from another origin.
    let path = format!(
        "{REGISTRATIONS}/{}/confirm",
        pending["registration_id"].as_str().unwrap()
    );
    for (path, body) in [
        (path.as_str(), json!({"code": code})),
        (REGISTRATIONS, json!({"kind": "app_code"})),
        ("/api/v1/session/security-questions", json!({"answers": []})),
        ("/api/v1/session/proof/pass", json!({"pass": "x"})),
        ("/api/v1/session/proof/contact", json!({})),
    ] {
        let foreign = Request::post(path)
            .header("content-type", "application/json")
            .header("cookie", &cookie)
            .header("origin", "https://evil.example")
            .body(Body::from(body.to_string()))
            .unwrap();
        let (status, _, json) = h.request(foreign).await;
        assert_eq!(
            (status, &json["code"]),
            (StatusCode::FORBIDDEN, &json!("forbidden_origin")),
            "{path}"
        );
    }
    // Signing out ends the registration with the session.
    let sign_out = Request::delete("/api/v1/session")
        .header("cookie", &cookie)
        .body(Body::empty())
        .unwrap();
    assert_eq!(h.request(sign_out).await.0, StatusCode::NO_CONTENT);
    h.clock().advance(30);
    let cookie = proven_session(&h, "gus@contoso.example", &secret).await;
    assert_eq!(
        confirm(&h, &cookie, &pending, &code).await.1["code"],
        "registration_not_found"
    );
    let left = h.sql("SELECT count(*) FROM method_registrations");
    assert_eq!(left, [["0"]]);
}

/// Issues a one-time pass with the command line; the pass printed.
async fn issue_pass(h: &Harness, user_id: &str, minutes: u64) -> String {
    let mut out = Vec::new();
    run_user(
        &h.directory,
        UserCommand::IssuePass {
            user_id: user_id.to_owned(),
            valid_minutes: minutes,
        },
        3,
        &mut std::io::empty(),
        &mut out,
    )
    .await
    .unwrap();
    let out = String::from_utf8(out).unwrap();
    out.lines().last().unwrap().to_owned()
}

#[tokio::test]
async fn a_password_alone_plants_no_method_and_a_one_time_pass_works_once_until_it_expires() {
    let h = Harness::new(POLICY).await;
    no_methods(&h, "ida@contoso.example", None).await;
    let cookie = sign_in(&h, "ida@contoso.example", None).await;
    let (_, json) = session_status(&h, &cookie).await;
    assert_eq!(json["registration"]["contact_proof"], false, "{json}");
    for (path, body) in [
        (REGISTRATIONS, json!({"kind": "app_code"})),
        (
            REGISTRATIONS,
            json!({"kind": "email", "address": "ida@evil.example"}),
        ),
    ] {
        let (status, json) = session_post(&h, &cookie, path, body).await;
        assert_eq!(
            (status, &json["code"]),
            (StatusCode::FORBIDDEN, &json!("proof_needed"))
        );
    }
    // No address in the directory: no code to send either.
    let (status, json) =
        session_post(&h, &cookie, "/api/v1/session/proof/contact", json!({})).await;
    assert_eq!(
        (status, &json["code"]),
        (StatusCode::NOT_FOUND, &json!("method_not_offered"))
    );
    let pass_path = "/api/v1/session/proof/pass";
    let (status, json) = session_post(&h, &cookie, pass_path, json!({"pass": "WRONG-PASS"})).await;
    assert_eq!(
        (status, &json["code"]),
        (StatusCode::BAD_REQUEST, &json!("pass_invalid"))
    );

    let pass = issue_pass(&h, "ida@contoso.example", 60).await;
    assert_eq!(pass.len(), 23, "{pass}");
    assert!(!String::from_utf8_lossy(&h.database_bytes()).contains(&pass));
    // Typed loosely, it proves the session.
    let typed = pass.to_lowercase().replace('-', " ");
    let (status, json) = session_post(&h, &cookie, pass_path, json!({"pass": typed})).await;
    assert_eq!(status, StatusCode::OK, "{json}");
    assert_eq!(json["method_proven"], true);
    let (status, pending) =
        session_post(&h, &cookie, REGISTRATIONS, json!({"kind": "app_code"})).await;
    assert_eq!(status, StatusCode::CREATED, "{pending}");
    let secret = TotpSecret::from_base32(pending["secret"].as_str().unwrap()).unwrap();
    let (status, list) = confirm(
        &h,
        &cookie,
        &pending,
        &totp::code_at(&secret, h.clock().now()),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{list}");
    assert_eq!(kinds(&list), ["app_code"]);

    // Once: another session cannot use it again.
    let again = sign_in(&h, "ida@contoso.example", None).await;
    let (status, json) = session_post(&h, &again, pass_path, json!({"pass": pass})).await;
    assert_eq!(
        (status, &json["code"]),
        (StatusCode::BAD_REQUEST, &json!("pass_invalid"))
    );

    // A pass expires.
    no_methods(&h, "jon@contoso.example", None).await;
    let pass = issue_pass(&h, "jon@contoso.example", 5).await;
    h.clock().advance(5 * 60);
    let cookie = sign_in(&h, "jon@contoso.example", None).await;
    let (status, json) = session_post(&h, &cookie, pass_path, json!({"pass": pass})).await;
    assert_eq!(
        (status, &json["code"]),
        (StatusCode::BAD_REQUEST, &json!("pass_invalid"))
    );
    let audit = h.services.store.recent_audit_events(100).await.unwrap();
    for event in ["one_time_pass_issued", "one_time_pass_used", "method_added"] {
        assert!(audit.contains(&event.to_owned()), "{event}: {audit:?}");
    }
}

#[tokio::test]
async fn a_code_to_the_directorys_address_proves_a_person_with_no_methods() {
    let h = Harness::new(POLICY).await;
    no_methods(&h, "kim@contoso.example", Some("kim.private@home.example")).await;
    let cookie = sign_in(&h, "kim@contoso.example", None).await;
    let (_, json) = session_status(&h, &cookie).await;
    assert_eq!(json["registration"]["contact_proof"], true, "{json}");
    let contact = "/api/v1/session/proof/contact";
    let (status, pending) = session_post(&h, &cookie, contact, json!({})).await;
    assert_eq!(status, StatusCode::CREATED, "{pending}");
    assert_eq!(pending["sent_to"], "•••@home.example");
    let code = h.last_code("kim.private@home.example").await;
    let path = format!("{contact}/{}", pending["registration_id"].as_str().unwrap());
    // Not a method registration: it cannot be confirmed as one.
    let (status, _) = confirm(&h, &cookie, &pending, &code).await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "the session is not proven yet"
    );
    let (status, json) = session_post(&h, &cookie, &path, json!({"code": "00000000"})).await;
    assert_eq!(
        (status, &json["code"]),
        (StatusCode::BAD_REQUEST, &json!("code_incorrect"))
    );
    let (status, json) = session_post(&h, &cookie, &path, json!({"code": code})).await;
    assert_eq!(status, StatusCode::OK, "{json}");
    assert_eq!(json["method_proven"], true);
    // The directory's address proved the session; it is not a method.
    let (_, list) = session_get(&h, &cookie, "/api/v1/session/methods").await;
    assert_eq!(kinds(&list), Vec::<String>::new());

    // Someone with methods proves one of those instead.
    h.person("lia@contoso.example").await;
    let theirs = sign_in(&h, "lia@contoso.example", None).await;
    let (status, json) = session_post(&h, &theirs, contact, json!({})).await;
    assert_eq!(
        (status, &json["code"]),
        (StatusCode::NOT_FOUND, &json!("method_not_offered"))
    );
}

#[tokio::test]
async fn expired_registrations_and_passes_are_purged() {
    let h = Harness::new(POLICY).await;
    let secret = app_only(&h, "max@contoso.example").await;
    let cookie = proven_session(&h, "max@contoso.example", &secret).await;
    session_post(&h, &cookie, REGISTRATIONS, json!({"kind": "app_code"})).await;
    issue_pass(&h, "max@contoso.example", 5).await;
    h.clock().advance(15 * 60);
    let report = h
        .services
        .store
        .purge(h.clock().now(), std::time::Duration::from_secs(86400 * 400))
        .await
        .unwrap();
    assert_eq!(report.registrations, 2, "{report:?}");
    assert_eq!(h.sql("SELECT count(*) FROM one_time_passes"), [["0"]]);
}

#[tokio::test]
async fn sign_in_interrupts_until_the_methods_are_enough_and_asks_to_reconfirm_after_the_days() {
    let policy = format!("{POLICY}\n[policy.registration]\nreconfirm_days = 30\n");
    let h = Harness::new(&policy).await;
    let secret = app_only(&h, "ned@contoso.example").await;
    let registered = h.clock().now();
    let (status, headers, json) = h
        .request(super::sessions::sign_in_request(
            "ned@contoso.example",
            "lantern harbour seventeen",
            None,
        ))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{json}");
    let status_now = &json["registration"];
    assert_eq!(status_now["registration_required"], true, "{json}");
    assert_eq!(status_now["methods_registered"], 1);
    assert_eq!(status_now["methods_required"], 2);
    assert_eq!(status_now["can_reset"], false);
    assert_eq!(status_now["reconfirm_at"], registered + 30 * 86400);
    assert_eq!(status_now["reconfirm_due"], false);
    let cookie = headers["set-cookie"].to_str().unwrap();
    let cookie = cookie.split(';').next().unwrap().to_owned();
    let proof = Flow(json["proof"].clone());
    h.totp_proven(&proof, &secret).await;
    assert_eq!(prove(&h, &cookie, &proof).await.0, StatusCode::OK);

    h.clock().advance(60);
    let (_, pending) = session_post(
        &h,
        &cookie,
        REGISTRATIONS,
        json!({"kind": "email", "address": "ned@elsewhere.example"}),
    )
    .await;
    let code = h.last_code("ned@elsewhere.example").await;
    assert_eq!(
        confirm(&h, &cookie, &pending, &code).await.0,
        StatusCode::OK
    );
    let (_, json) = session_status(&h, &cookie).await;
    let status_now = &json["registration"];
    assert_eq!(status_now["registration_required"], false, "{json}");
    assert_eq!(status_now["can_reset"], true);
    assert_eq!(status_now["methods_registered"], 2);
    // Registering counts as confirming: the reminder moved with it.
    let added = h.clock().now();
    assert_eq!(status_now["reconfirm_at"], added + 30 * 86400);

    // Thirty days on, sign-in asks them to reconfirm; confirming moves the date.
    h.clock().advance(30 * 86400);
    let (cookie, proof) = sign_in_with_proof(&h, "ned@contoso.example").await;
    let (_, json) = session_status(&h, &cookie).await;
    assert_eq!(json["registration"]["reconfirm_due"], true, "{json}");
    let (status, json) = session_post(&h, &cookie, "/api/v1/session/reconfirm", json!({})).await;
    assert_eq!(
        (status, &json["code"]),
        (StatusCode::FORBIDDEN, &json!("proof_needed")),
        "a password alone cannot reconfirm"
    );
    h.totp_proven(&proof, &secret).await;
    assert_eq!(prove(&h, &cookie, &proof).await.0, StatusCode::OK);
    let (status, json) = session_post(&h, &cookie, "/api/v1/session/reconfirm", json!({})).await;
    assert_eq!(status, StatusCode::OK, "{json}");
    assert_eq!(json["registration"]["reconfirm_due"], false);
    assert_eq!(
        json["registration"]["reconfirm_at"],
        h.clock().now() + 30 * 86400
    );
    let audit = h.services.store.recent_audit_events(20).await.unwrap();
    assert!(
        audit.contains(&"methods_reconfirmed".to_owned()),
        "{audit:?}"
    );
}

#[tokio::test]
async fn without_reconfirm_days_or_the_interrupt_nobody_is_asked() {
    let policy = format!(
        "{POLICY}\n[policy.registration]\nreconfirm_days = 0\nrequire_at_sign_in = false\n"
    );
    let h = Harness::new(&policy).await;
    app_only(&h, "oak@contoso.example").await;
    let (status, _, json) = h
        .request(super::sessions::sign_in_request(
            "oak@contoso.example",
            "lantern harbour seventeen",
            None,
        ))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{json}");
    assert_eq!(json["registration"]["can_reset"], false);
    assert_eq!(json["registration"]["registration_required"], false);
    assert!(json["registration"].get("reconfirm_at").is_none(), "{json}");
    // Out of the policy's scope, nothing is required either.
    let h2 = Harness::new(POLICY).await;
    h2.user("out@contoso.example", false, &[]).await;
    h2.directory
        .set_password("out@contoso.example", "lantern harbour seventeen")
        .await
        .unwrap();
    let (_, _, json) = h2
        .request(super::sessions::sign_in_request(
            "out@contoso.example",
            "lantern harbour seventeen",
            None,
        ))
        .await;
    assert_eq!(json["registration"]["in_scope"], false, "{json}");
    assert_eq!(json["registration"]["registration_required"], false);
}

#[tokio::test]
async fn the_organisations_own_questions_are_offered_answered_asked_and_drawn_by_decoys() {
    let policy =
        format!("{POLICY}\n[policy.security_questions]\ncustom = [\"Name of your first team?\"]\n");
    let h = Harness::new(&policy).await;
    let (status, _, config) = h
        .request(Request::get("/api/v1/config").body(Body::empty()).unwrap())
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        config["custom_questions"],
        json!([{"id": "custom_1", "text": "Name of your first team?"}])
    );
    let secret = app_only(&h, "pat@contoso.example").await;
    let cookie = proven_session(&h, "pat@contoso.example", &secret).await;
    let questions = "/api/v1/session/security-questions";
    let (_, choice) = session_get(&h, &cookie, questions).await;
    assert_eq!(
        choice["questions"].as_array().unwrap().len(),
        11,
        "{choice}"
    );
    assert_eq!(choice["questions"][10], "custom_1");
    let answer = |question: &str, answer: &str| json!({"question": question, "answer": answer});
    let unknown = json!({"answers": [
        answer("custom_2", "x"), answer("birth_city", "Lisbon"), answer("first_pet", "Biscuit")
    ]});
    let (status, json) = session_post(&h, &cookie, questions, unknown).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{json}");
    let three = json!({"answers": [
        answer("custom_1", "The Otters"), answer("birth_city", "Lisbon"), answer("first_pet", "Biscuit")
    ]});
    let (status, list) = session_post(&h, &cookie, questions, three).await;
    assert_eq!(status, StatusCode::OK, "{list}");

    // A reset asks it and takes its answer.
    let flow = h.start("pat@contoso.example").await;
    let (_, _, asked) = h.challenge(&flow, "security_questions").await;
    let ids: Vec<&str> = asked["questions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| q.as_str().unwrap())
        .collect();
    assert!(ids.contains(&"custom_1"), "{asked}");
    let answers: Vec<Value> = ids
        .iter()
        .map(|&id| {
            let text = match id {
                "custom_1" => "the otters",
                "birth_city" => "Lisbon",
                _ => "Biscuit",
            };
            answer(id, text)
        })
        .collect();
    let (status, _, json) = h
        .verify(&flow, "security_questions", json!({"answers": answers}))
        .await;
    assert_eq!(status, StatusCode::OK, "{json}");

    // Decoys draw from the same questions, so a custom one tells nobody an account is real.
    let mut decoy_asked_custom = false;
    for n in 0..40 {
        let flow = h.start(&format!("nobody{n}@contoso.example")).await;
        if !flow.kinds().contains(&"security_questions".to_owned()) {
            continue;
        }
        let (_, _, asked) = h.challenge(&flow, "security_questions").await;
        if asked["questions"]
            .as_array()
            .unwrap()
            .contains(&json!("custom_1"))
        {
            decoy_asked_custom = true;
            break;
        }
    }
    assert!(decoy_asked_custom);
}
