//! Signing in to the security-info page and its sessions (docs/SECURITY.md, "Sessions"):
//! the cookie's attributes, rotation at sign-in, idle and absolute timeouts on the
//! injected clock, sign-out, revocation by a reset, one answer for every wrong sign-in,
//! failures counted against the account's limit, and foreign origins refused.

use super::*;
use sspr_server::crypto::totp::TotpSecret;

const SESSION: &str = "/api/v1/session";

pub(super) fn sign_in_request(
    user_id: &str,
    password: &str,
    cookie: Option<&str>,
) -> Request<Body> {
    let mut request = Request::post(SESSION).header("content-type", "application/json");
    if let Some(cookie) = cookie {
        request = request.header("cookie", format!("theme=dark; {cookie}"));
    }
    request
        .body(Body::from(
            json!({"user_id": user_id, "password": password}).to_string(),
        ))
        .unwrap()
}

/// Signs in; the `name=value` of the session cookie set.
pub(super) async fn sign_in(h: &Harness, user_id: &str, previous: Option<&str>) -> String {
    let (status, headers, json) = h
        .request(sign_in_request(
            user_id,
            "lantern harbour seventeen",
            previous,
        ))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{json}");
    assert_eq!(json["user_id"], user_id);
    assert_eq!(json["method_proven"], false);
    let set = headers["set-cookie"].to_str().unwrap();
    set.split(';').next().unwrap().to_owned()
}

pub(super) async fn session_status(h: &Harness, cookie: &str) -> (StatusCode, Value) {
    let request = Request::get(SESSION)
        .header("cookie", cookie)
        .body(Body::empty())
        .unwrap();
    let (status, _, json) = h.request(request).await;
    (status, json)
}

#[tokio::test]
async fn a_sign_in_sets_a_host_only_secure_strict_cookie_and_the_session_answers() {
    let h = Harness::new(POLICY).await;
    h.person("ana@contoso.example").await;
    let (status, headers, json) = h
        .request(sign_in_request(
            "ana@contoso.example",
            "lantern harbour seventeen",
            None,
        ))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{json}");
    let set = headers["set-cookie"].to_str().unwrap();
    assert!(set.starts_with("__Host-sspr-session="), "{set}");
    for part in ["; Secure", "; HttpOnly", "; SameSite=Strict", "; Path=/"] {
        assert!(set.contains(part), "{set}");
    }
    assert!(!set.to_ascii_lowercase().contains("domain"), "{set}");
    let value = set.split(';').next().unwrap();
    assert_eq!(
        value.len(),
        "__Host-sspr-session=".len() + 64,
        "256-bit id: {set}"
    );
    assert_eq!(json["idle_timeout_seconds"], 15 * 60);
    assert_eq!(json["expires_in_seconds"], 8 * 3600);
    assert_eq!(headers["cache-control"], "no-store");

    let (status, json) = session_status(&h, value).await;
    assert_eq!(status, StatusCode::OK, "{json}");
    assert_eq!(json["display_name"], "Robin Quill");
    // The database holds the id's hash, never the id.
    let id = value.split_once('=').unwrap().1;
    assert!(!String::from_utf8_lossy(&h.database_bytes()).contains(id));
}

#[tokio::test]
async fn an_unknown_id_a_wrong_password_and_a_disabled_account_answer_alike() {
    let h = Harness::new(POLICY).await;
    h.person("ben@contoso.example").await;
    h.person("cy@contoso.example").await;
    h.services
        .store
        .set_enabled("cy@contoso.example", false, START)
        .await
        .unwrap();
    let mut answers = Vec::new();
    for (user_id, password) in [
        ("nobody@contoso.example", "lantern harbour seventeen"),
        ("ben@contoso.example", "not the password"),
        ("cy@contoso.example", "lantern harbour seventeen"),
    ] {
        let (status, headers, json) = h.request(sign_in_request(user_id, password, None)).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{json}");
        assert!(headers.get("set-cookie").is_none());
        answers.push((status, header_set(&headers), json));
    }
    assert_eq!(answers[0], answers[1]);
    assert_eq!(answers[1], answers[2]);
    assert_eq!(answers[0].2["code"], "sign_in_failed");
}

#[tokio::test]
async fn failed_sign_ins_pause_the_account_for_real_and_unknown_ids_alike() {
    let h = Harness::new(POLICY).await;
    h.person("dee@contoso.example").await;
    for user_id in ["dee@contoso.example", "ghost@contoso.example"] {
        let mut last = Value::Null;
        for _ in 0..10 {
            last = h.request(sign_in_request(user_id, "wrong", None)).await.2;
        }
        assert_eq!(last["code"], "account_locked", "{user_id}: {last}");
        assert_eq!(last["retry_after_seconds"], 15 * 60, "{user_id}");
        // Paused: even the right password is refused until the pause ends.
        let (status, _, json) = h
            .request(sign_in_request(user_id, "lantern harbour seventeen", None))
            .await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{json}");
    }
    h.clock().advance(15 * 60);
    sign_in(&h, "dee@contoso.example", None).await;
}

#[tokio::test]
async fn a_new_sign_in_ends_the_browsers_previous_session() {
    let h = Harness::new(POLICY).await;
    h.person("ola@contoso.example").await;
    let first = sign_in(&h, "ola@contoso.example", None).await;
    let second = sign_in(&h, "ola@contoso.example", Some(&first)).await;
    assert_ne!(first, second);
    assert_eq!(session_status(&h, &first).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(session_status(&h, &second).await.0, StatusCode::OK);
    // Another browser's session is not touched by it.
    let elsewhere = sign_in(&h, "ola@contoso.example", None).await;
    let _third = sign_in(&h, "ola@contoso.example", Some(&second)).await;
    assert_eq!(session_status(&h, &elsewhere).await.0, StatusCode::OK);
}

#[tokio::test]
async fn a_session_ends_when_idle_and_at_its_absolute_end_however_used() {
    let h = Harness::new(POLICY).await;
    h.person("fay@contoso.example").await;
    // Idle: 15 minutes without a request.
    let idle = sign_in(&h, "fay@contoso.example", None).await;
    h.clock().advance(15 * 60 - 1);
    assert_eq!(session_status(&h, &idle).await.0, StatusCode::OK);
    h.clock().advance(15 * 60 - 1);
    assert_eq!(
        session_status(&h, &idle).await.0,
        StatusCode::OK,
        "each use counts"
    );
    h.clock().advance(15 * 60);
    let (status, json) = session_status(&h, &idle).await;
    assert_eq!(
        (status, &json["code"]),
        (StatusCode::UNAUTHORIZED, &json!("not_signed_in"))
    );

    // Absolute: 8 hours after sign-in, even when used every 10 minutes.
    let busy = sign_in(&h, "fay@contoso.example", None).await;
    for _ in 0..(8 * 6 - 1) {
        h.clock().advance(10 * 60);
        assert_eq!(session_status(&h, &busy).await.0, StatusCode::OK);
    }
    h.clock().advance(10 * 60);
    assert_eq!(session_status(&h, &busy).await.0, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn signing_out_ends_the_session_and_removes_the_cookie() {
    let h = Harness::new(POLICY).await;
    h.person("gus@contoso.example").await;
    let cookie = sign_in(&h, "gus@contoso.example", None).await;
    let request = Request::delete(SESSION)
        .header("cookie", &cookie)
        .body(Body::empty())
        .unwrap();
    let (status, headers, _) = h.request(request).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let set = headers["set-cookie"].to_str().unwrap();
    assert!(
        set.starts_with("__Host-sspr-session=;") && set.contains("Max-Age=0"),
        "{set}"
    );
    assert_eq!(
        session_status(&h, &cookie).await.0,
        StatusCode::UNAUTHORIZED
    );
    let events = h.sql("SELECT event FROM audit_log ORDER BY id");
    let events: Vec<&str> = events.iter().map(|row| row[0].as_str()).collect();
    assert!(
        events.contains(&"signed_in") && events.contains(&"signed_out"),
        "{events:?}"
    );
}

#[tokio::test]
async fn a_password_reset_signs_every_session_out() {
    let h = Harness::new(POLICY).await;
    let secret = h.person("hal@contoso.example").await;
    let here = sign_in(&h, "hal@contoso.example", None).await;
    let there = sign_in(&h, "hal@contoso.example", None).await;
    let flow = h.email_proven("hal@contoso.example").await;
    h.totp_proven(&flow, &secret).await;
    let (status, _, json) = h.set_password(&flow, "a brand new passphrase").await;
    assert_eq!(status, StatusCode::OK, "{json}");
    assert_eq!(session_status(&h, &here).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(session_status(&h, &there).await.0, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn signing_in_and_out_from_another_origin_is_refused() {
    let h = Harness::new(POLICY).await;
    h.person("ivy@contoso.example").await;
    let cookie = sign_in(&h, "ivy@contoso.example", None).await;
    let foreign_sign_in = Request::post(SESSION)
        .header("content-type", "application/json")
        .header("origin", "https://evil.example")
        .body(Body::from(
            json!({"user_id": "ivy@contoso.example", "password": "lantern harbour seventeen"})
                .to_string(),
        ))
        .unwrap();
    let (status, _, json) = h.request(foreign_sign_in).await;
    assert_eq!(
        (status, &json["code"]),
        (StatusCode::FORBIDDEN, &json!("forbidden_origin"))
    );
    let foreign_sign_out = Request::delete(SESSION)
        .header("cookie", &cookie)
        .header("origin", "https://evil.example")
        .body(Body::empty())
        .unwrap();
    assert_eq!(h.request(foreign_sign_out).await.0, StatusCode::FORBIDDEN);
    assert_eq!(
        session_status(&h, &cookie).await.0,
        StatusCode::OK,
        "still signed in"
    );
}

/// POSTs the proof of `flow` for the session `cookie`.
pub(super) async fn prove(h: &Harness, cookie: &str, flow: &Flow) -> (StatusCode, Value) {
    let request = Request::post("/api/v1/session/proof")
        .header("content-type", "application/json")
        .header("cookie", cookie)
        .header(FLOW_SECRET_HEADER, flow.secret())
        .body(Body::from(json!({"flow_id": flow.id()}).to_string()))
        .unwrap();
    let (status, _, json) = h.request(request).await;
    (status, json)
}

/// Signs in; the session cookie and the proof flow of the answer.
pub(super) async fn sign_in_with_proof(h: &Harness, user_id: &str) -> (String, Flow) {
    let (status, headers, json) = h
        .request(sign_in_request(user_id, "lantern harbour seventeen", None))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{json}");
    let cookie = headers["set-cookie"].to_str().unwrap();
    let cookie = cookie.split(';').next().unwrap().to_owned();
    (cookie, Flow(json["proof"].clone()))
}

#[tokio::test]
async fn sign_in_then_asks_for_one_method_and_a_proof_completes_it_once() {
    let h = Harness::new(POLICY).await;
    let secret = h.person("jo@contoso.example").await;
    let (cookie, proof) = sign_in_with_proof(&h, "jo@contoso.example").await;
    // Their own methods, one of them to prove (the reset policy asks two).
    assert_eq!(proof.0["methods_required"], 1, "{}", proof.0);
    assert_eq!(
        proof.kinds(),
        ["app_code", "email", "security_questions"],
        "{}",
        proof.0
    );
    assert_eq!(session_status(&h, &cookie).await.1["method_proven"], false);
    let (status, json) = prove(&h, &cookie, &proof).await;
    assert_eq!(
        (status, &json["code"]),
        (StatusCode::FORBIDDEN, &json!("not_verified"))
    );

    let (status, _, json) = h.app_code_at(&proof, &secret, h.clock().now()).await;
    assert_eq!(status, StatusCode::OK, "{json}");
    let (status, json) = prove(&h, &cookie, &proof).await;
    assert_eq!(status, StatusCode::OK, "{json}");
    assert_eq!(json["method_proven"], true);
    assert_eq!(session_status(&h, &cookie).await.1["method_proven"], true);
    // Used up.
    let (status, json) = prove(&h, &cookie, &proof).await;
    assert_eq!(
        (status, &json["code"]),
        (StatusCode::CONFLICT, &json!("flow_completed"))
    );
}

#[tokio::test]
async fn a_sign_in_proof_can_never_set_a_password() {
    let h = Harness::new(POLICY).await;
    h.person("kit@contoso.example").await;
    let (_, proof) = sign_in_with_proof(&h, "kit@contoso.example").await;
    assert_eq!(h.challenge(&proof, "email").await.0, StatusCode::OK);
    let code = h.last_code("kit@home.example").await;
    assert_eq!(h.code(&proof, &code).await.0, StatusCode::OK);
    let (status, _, json) = h.set_password(&proof, "a brand new passphrase").await;
    assert_eq!(
        (status, &json["code"]),
        (StatusCode::NOT_FOUND, &json!("flow_not_found"))
    );
    assert!(
        h.directory
            .check_password("kit@contoso.example", "lantern harbour seventeen")
            .await
            .unwrap()
    );
}

#[tokio::test]
async fn another_persons_proof_or_a_reset_flow_proves_nothing() {
    let h = Harness::new(POLICY).await;
    let lea = h.person("lea@contoso.example").await;
    let mo = h.person("mo@contoso.example").await;
    let (lea_cookie, _) = sign_in_with_proof(&h, "lea@contoso.example").await;
    let (_, mo_proof) = sign_in_with_proof(&h, "mo@contoso.example").await;
    h.app_code_at(&mo_proof, &mo, h.clock().now()).await;
    let (status, json) = prove(&h, &lea_cookie, &mo_proof).await;
    assert_eq!(
        (status, &json["code"]),
        (StatusCode::NOT_FOUND, &json!("flow_not_found"))
    );
    // A reset flow of her own, with a method proven, is not a sign-in's proof either.
    let reset = h.start("lea@contoso.example").await;
    h.clock().advance(30);
    h.app_code_at(&reset, &lea, h.clock().now()).await;
    let (status, _) = prove(&h, &lea_cookie, &reset).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(
        session_status(&h, &lea_cookie).await.1["method_proven"],
        false
    );
}

#[tokio::test]
async fn a_person_without_methods_gets_no_proof_to_make() {
    let h = Harness::new(POLICY).await;
    h.user("ned@contoso.example", false, &["sspr-users"]).await;
    h.directory
        .set_password("ned@contoso.example", "lantern harbour seventeen")
        .await
        .unwrap();
    let (status, _, json) = h
        .request(sign_in_request(
            "ned@contoso.example",
            "lantern harbour seventeen",
            None,
        ))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{json}");
    assert!(json.get("proof").is_none(), "{json}");
    assert_eq!(json["method_proven"], false);
}

pub(super) async fn change_password(
    h: &Harness,
    cookie: &str,
    current: &str,
    new: &str,
) -> (StatusCode, Value) {
    let request = Request::post("/api/v1/session/password")
        .header("content-type", "application/json")
        .header("cookie", cookie)
        .body(Body::from(
            json!({"current_password": current, "new_password": new}).to_string(),
        ))
        .unwrap();
    let (status, _, json) = h.request(request).await;
    (status, json)
}

/// Signs in and proves the authenticator app; the session cookie.
pub(super) async fn proven_session(h: &Harness, user_id: &str, secret: &TotpSecret) -> String {
    let (cookie, proof) = sign_in_with_proof(h, user_id).await;
    let (status, _, json) = h.app_code_at(&proof, secret, h.clock().now()).await;
    assert_eq!(status, StatusCode::OK, "{json}");
    assert_eq!(prove(h, &cookie, &proof).await.0, StatusCode::OK);
    cookie
}

#[tokio::test]
async fn a_password_change_needs_the_current_password_and_the_rules_and_signs_others_out() {
    let h = Harness::new(POLICY).await;
    let secret = h.person("pia@contoso.example").await;
    let elsewhere = sign_in(&h, "pia@contoso.example", None).await;
    let cookie = proven_session(&h, "pia@contoso.example", &secret).await;
    let (status, json) = change_password(&h, &cookie, "not it", "a brand new passphrase").await;
    assert_eq!(
        (status, &json["code"]),
        (StatusCode::FORBIDDEN, &json!("password_incorrect"))
    );
    let current = "lantern harbour seventeen";
    let (status, json) = change_password(&h, &cookie, current, "password").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{json}");
    assert_eq!(json["code"], "password_rejected");
    let (status, json) = change_password(&h, &cookie, current, current).await;
    assert_eq!(
        json["password_problems"],
        json!(["same_as_current"]),
        "{status} {json}"
    );

    let (status, json) = change_password(&h, &cookie, current, "a brand new passphrase").await;
    assert_eq!(status, StatusCode::OK, "{json}");
    assert_eq!(json["sessions_signed_out"], 1);
    assert_eq!(json["notification_sent"], true);
    assert!(
        h.directory
            .check_password("pia@contoso.example", "a brand new passphrase")
            .await
            .unwrap()
    );
    assert_eq!(
        session_status(&h, &cookie).await.0,
        StatusCode::OK,
        "this one stays"
    );
    assert_eq!(
        session_status(&h, &elsewhere).await.0,
        StatusCode::UNAUTHORIZED
    );
    let notices: Vec<_> = h
        .messages()
        .await
        .into_iter()
        .filter(|(_, subject, _)| subject.contains("password was changed"))
        .collect();
    assert_eq!(notices.len(), 1, "{notices:?}");
    assert_eq!(notices[0].0, "pia@home.example");
}

#[tokio::test]
async fn a_password_change_without_a_recent_proof_asks_for_a_new_one() {
    let h = Harness::new(POLICY).await;
    let secret = h.person("rex@contoso.example").await;
    let current = "lantern harbour seventeen";
    // The password alone is not enough.
    let unproven = sign_in(&h, "rex@contoso.example", None).await;
    let (status, json) = change_password(&h, &unproven, current, "a brand new passphrase").await;
    assert_eq!(
        (status, &json["code"]),
        (StatusCode::FORBIDDEN, &json!("proof_needed"))
    );
    // A proof counts for ten minutes.
    let cookie = proven_session(&h, "rex@contoso.example", &secret).await;
    h.clock().advance(10 * 60);
    session_status(&h, &cookie).await;
    let (status, json) = change_password(&h, &cookie, current, "a brand new passphrase").await;
    assert_eq!(
        (status, &json["code"]),
        (StatusCode::FORBIDDEN, &json!("proof_needed"))
    );
    // A new proof, and the change goes through.
    let request = Request::post("/api/v1/session/proof/new")
        .header("content-type", "application/json")
        .header("cookie", &cookie)
        .body(Body::from("{}"))
        .unwrap();
    let (status, _, json) = h.request(request).await;
    assert_eq!(status, StatusCode::CREATED, "{json}");
    let proof = Flow(json);
    let (status, _, json) = h.app_code_at(&proof, &secret, h.clock().now()).await;
    assert_eq!(status, StatusCode::OK, "{json}");
    assert_eq!(prove(&h, &cookie, &proof).await.0, StatusCode::OK);
    let (status, json) = change_password(&h, &cookie, current, "a brand new passphrase").await;
    assert_eq!(status, StatusCode::OK, "{json}");
}

pub(super) async fn session_get(h: &Harness, cookie: &str, path: &str) -> (StatusCode, Value) {
    let request = Request::get(path)
        .header("cookie", cookie)
        .body(Body::empty())
        .unwrap();
    let (status, _, json) = h.request(request).await;
    (status, json)
}

async fn delete_method(h: &Harness, cookie: &str, method: &str) -> (StatusCode, Value) {
    let request = Request::delete(format!("/api/v1/session/methods/{method}"))
        .header("cookie", cookie)
        .body(Body::empty())
        .unwrap();
    let (status, _, json) = h.request(request).await;
    (status, json)
}

pub(super) fn method_of(list: &Value, kind: &str) -> String {
    list["methods"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["kind"] == kind)
        .unwrap_or_else(|| panic!("no {kind} in {list}"))["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn the_methods_are_listed_masked_once_a_method_was_proven() {
    let h = Harness::new(POLICY).await;
    let secret = h.person("sam@contoso.example").await;
    let unproven = sign_in(&h, "sam@contoso.example", None).await;
    let (status, json) = session_get(&h, &unproven, "/api/v1/session/methods").await;
    assert_eq!(
        (status, &json["code"]),
        (StatusCode::FORBIDDEN, &json!("proof_needed"))
    );
    let cookie = proven_session(&h, "sam@contoso.example", &secret).await;
    let (status, list) = session_get(&h, &cookie, "/api/v1/session/methods").await;
    assert_eq!(status, StatusCode::OK, "{list}");
    assert_eq!(list["methods"].as_array().unwrap().len(), 3, "{list}");
    assert_eq!(list["methods_required"], 2);
    assert_eq!(list["can_reset"], true);
    let email = list["methods"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["kind"] == "email")
        .unwrap();
    assert_eq!(email["detail"], "•••@home.example", "{list}");
    assert!(!list.to_string().contains("sam@home.example"), "{list}");
}

#[tokio::test]
async fn a_method_the_reset_needs_stays_and_others_go_for_good() {
    let h = Harness::new(POLICY).await;
    let secret = h.person("tia@contoso.example").await;
    let other = h.person("uma@contoso.example").await;
    let cookie = proven_session(&h, "tia@contoso.example", &secret).await;
    let (_, list) = session_get(&h, &cookie, "/api/v1/session/methods").await;
    // Someone else's method, or no method at all, is not found.
    let uma = proven_session(&h, "uma@contoso.example", &other).await;
    let (_, uma_list) = session_get(&h, &uma, "/api/v1/session/methods").await;
    for foreign in [
        method_of(&uma_list, "email"),
        "nonsense".into(),
        "999999".into(),
    ] {
        let (status, json) = delete_method(&h, &cookie, &foreign).await;
        assert_eq!(
            (status, &json["code"]),
            (StatusCode::NOT_FOUND, &json!("method_not_found"))
        );
    }
    assert_eq!(
        session_get(&h, &uma, "/api/v1/session/methods").await.1["methods"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
    // E-mail goes: the app and the questions still make two.
    let (status, left) = delete_method(&h, &cookie, &method_of(&list, "email")).await;
    assert_eq!(status, StatusCode::OK, "{left}");
    assert_eq!(left["methods"].as_array().unwrap().len(), 2);
    assert_eq!(left["can_reset"], true);
    // The app cannot: questions alone never prove a reset.
    let (status, json) = delete_method(&h, &cookie, &method_of(&list, "app_code")).await;
    assert_eq!(
        (status, &json["code"]),
        (StatusCode::CONFLICT, &json!("method_needed"))
    );
    // A reset offers only what is left.
    let flow = h.start("tia@contoso.example").await;
    assert_eq!(
        flow.kinds(),
        ["app_code", "security_questions"],
        "{}",
        flow.0
    );
    let events = h.sql("SELECT event FROM audit_log WHERE event = 'method_deleted'");
    assert_eq!(events.len(), 1);
}

#[tokio::test]
async fn deleting_a_method_needs_a_recent_proof_and_the_same_origin() {
    let h = Harness::new(POLICY).await;
    let secret = h.person("val@contoso.example").await;
    let cookie = proven_session(&h, "val@contoso.example", &secret).await;
    let (_, list) = session_get(&h, &cookie, "/api/v1/session/methods").await;
    let email = method_of(&list, "email");
    let foreign = Request::delete(format!("/api/v1/session/methods/{email}"))
        .header("cookie", &cookie)
        .header("origin", "https://evil.example")
        .body(Body::empty())
        .unwrap();
    assert_eq!(h.request(foreign).await.0, StatusCode::FORBIDDEN);
    h.clock().advance(10 * 60);
    let (status, json) = delete_method(&h, &cookie, &email).await;
    assert_eq!(
        (status, &json["code"]),
        (StatusCode::FORBIDDEN, &json!("proof_needed"))
    );
    let (_, still) = session_get(&h, &cookie, "/api/v1/session/methods").await;
    assert_eq!(still["methods"].as_array().unwrap().len(), 3);
}

#[tokio::test]
async fn one_method_of_ones_own_is_the_default() {
    let h = Harness::new(POLICY).await;
    let secret = h.person("wyn@contoso.example").await;
    let other = h.person("xia@contoso.example").await;
    let cookie = proven_session(&h, "wyn@contoso.example", &secret).await;
    let (_, list) = session_get(&h, &cookie, "/api/v1/session/methods").await;
    let set_default = |method: String| {
        Request::post(format!("/api/v1/session/methods/{method}/default"))
            .header("content-type", "application/json")
            .header("cookie", &cookie)
            .body(Body::from("{}"))
            .unwrap()
    };
    let (status, _, after) = h.request(set_default(method_of(&list, "app_code"))).await;
    assert_eq!(status, StatusCode::OK, "{after}");
    let defaults: Vec<_> = after["methods"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["is_default"] == true)
        .map(|m| m["kind"].clone())
        .collect();
    assert_eq!(defaults, [json!("app_code")], "{after}");
    let (_, stored) = session_get(&h, &cookie, "/api/v1/session/methods").await;
    assert_eq!(stored, after, "what the store keeps");
    // Another person's method stays theirs.
    let xia = proven_session(&h, "xia@contoso.example", &other).await;
    let (_, xia_list) = session_get(&h, &xia, "/api/v1/session/methods").await;
    let (status, _, json) = h.request(set_default(method_of(&xia_list, "email"))).await;
    assert_eq!(
        (status, &json["code"]),
        (StatusCode::NOT_FOUND, &json!("method_not_found"))
    );
    assert_eq!(
        session_get(&h, &xia, "/api/v1/session/methods").await.1,
        xia_list
    );
}

/// A state-changing request of the session `cookie`, as the app sends it.
pub(super) async fn session_post(
    h: &Harness,
    cookie: &str,
    path: &str,
    body: Value,
) -> (StatusCode, Value) {
    let request = Request::post(path)
        .header("content-type", "application/json")
        .header("cookie", cookie)
        .body(Body::from(body.to_string()))
        .unwrap();
    let (status, _, json) = h.request(request).await;
    (status, json)
}
