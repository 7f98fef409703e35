//! Resets and sign-ins of people in an LDAP directory (a real slapd with ppolicy,
//! `slapd.rs`): the password written back under the directory's own rules, its refusals
//! shown as reasons with the flow still usable, a directory that is down losing nothing,
//! groups and account state from the directory, renames keeping methods.

use super::sessions::{change_password, prove, session_status, sign_in_request};
use super::{Harness, POLICY, StatusCode};
use crate::slapd::{self, Slapd};
use serde_json::json;
use sspr_server::store::records::FaultPoint;

async fn harness(slapd: &Slapd) -> Harness {
    Harness::new(&format!("{POLICY}\n{}", slapd.config_toml())).await
}

/// A flow of `user_id` with both methods proven, ready for the new password.
async fn proven(h: &Harness, user_id: &str) -> super::Flow {
    let secret = h.directory_person(user_id).await;
    let flow = h.email_proven(user_id).await;
    h.totp_proven(&flow, &secret).await;
    flow
}

/// Whether `flow` is a real person's (a decoy has no user); as SQL both backends answer alike.
fn is_real(h: &Harness, flow: &super::Flow) -> bool {
    h.sql(&format!(
        "SELECT count(*) FROM reset_flows WHERE id = '{}' AND user_id IS NOT NULL",
        flow.id()
    ))[0][0]
        == "1"
}

/// `column` (a boolean) of `user_id`'s row, as 0 or 1 on both backends.
fn flag(h: &Harness, user_id: &str, column: &str) -> bool {
    h.sql(&format!(
        "SELECT CASE WHEN {column} THEN 1 ELSE 0 END FROM users WHERE user_id = '{user_id}'"
    ))[0][0]
        == "1"
}

#[tokio::test]
async fn a_reset_writes_the_new_password_to_the_directory_and_keeps_none_here() {
    let slapd = Slapd::start();
    let h = harness(&slapd).await;
    let flow = proven(&h, "lena").await;
    let (status, _, json) = h.set_password(&flow, "a sturdy new passphrase").await;
    assert_eq!(status, StatusCode::OK, "{json}");
    let dn = slapd::person_dn("lena");
    assert!(slapd.binds(&dn, "a sturdy new passphrase"));
    assert!(!slapd.binds(&dn, slapd::LENA.1), "the old password is gone");
    assert!(
        slapd.read(&dn, "pwdReset").is_empty(),
        "no change forced at next sign-in"
    );
    let uuid = &slapd.read(&dn, "entryUUID")[0];
    let kept = h.sql(&format!(
        "SELECT count(*) FROM users
         WHERE user_id = 'lena' AND directory_id = '{uuid}' AND password_hash IS NULL"
    ));
    assert_eq!(
        kept[0][0], "1",
        "keyed by the entryUUID, and no password hash kept for a directory's person"
    );
    // Repeating the request (a lost answer) gets the same answer, checked by a bind.
    let (status, _, json) = h.set_password(&flow, "a sturdy new passphrase").await;
    assert_eq!(status, StatusCode::OK, "{json}");
}

#[tokio::test]
async fn the_directorys_refusal_is_the_reason_and_the_person_tries_another() {
    let slapd = Slapd::start();
    let h = harness(&slapd).await;
    let flow = proven(&h, "omar").await;
    // Long enough for this server (8), too short for the directory's policy (12).
    let (status, _, json) = h.set_password(&flow, "Tulip-9 Sky").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{json}");
    assert_eq!(json["code"], "password_rejected");
    assert_eq!(json["password_problems"], json!(["directory_too_short"]));
    // Its history holds the current password.
    let (status, _, json) = h.set_password(&flow, slapd::OMAR.1).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{json}");
    assert_eq!(json["password_problems"], json!(["same_as_current"]));
    assert!(
        slapd.binds(&slapd::person_dn("omar"), slapd::OMAR.1),
        "nothing changed"
    );
    // The same flow goes on.
    let (status, _, json) = h.set_password(&flow, "picks a longer one now").await;
    assert_eq!(status, StatusCode::OK, "{json}");
    assert!(slapd.binds(&slapd::person_dn("omar"), "picks a longer one now"));
}

#[tokio::test]
async fn a_directory_down_mid_reset_says_try_again_and_the_same_flow_completes_once_back() {
    let mut slapd = Slapd::start();
    let h = harness(&slapd).await;
    let flow = proven(&h, "omar").await;
    slapd.stop();
    let (status, _, json) = h.set_password(&flow, "waiting out the storm").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{json}");
    assert_eq!(json["code"], "service_unavailable");
    let (status, _, health) = h
        .request(
            axum::http::Request::get("/api/v1/health")
                .body(axum::body::Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "degraded, not down");
    assert_eq!(health["status"], "degraded");
    assert_eq!(health["directory"], "unreachable");
    slapd.restart();
    let (status, _, json) = h.set_password(&flow, "waiting out the storm").await;
    assert_eq!(status, StatusCode::OK, "{json}");
    assert!(slapd.binds(&slapd::person_dn("omar"), "waiting out the storm"));
    // Health checks are reused for two seconds: ok again within a few.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let (_, _, health) = h
            .request(
                axum::http::Request::get("/api/v1/health")
                    .body(axum::body::Body::empty())
                    .unwrap(),
            )
            .await;
        if health["status"] == "ok" {
            assert_eq!(health["directory"], "ok");
            break;
        }
        assert!(std::time::Instant::now() < deadline, "{health}");
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
}

#[tokio::test]
async fn a_retry_after_a_failure_that_followed_the_directorys_accept_completes() {
    let slapd = Slapd::start();
    let h = harness(&slapd).await;
    let flow = proven(&h, "omar").await;
    // The directory takes the password, then this server fails before the flow is done.
    h.services
        .store
        .arm_fault(Some(FaultPoint::AfterPasswordWritten));
    let (status, _, _) = h.set_password(&flow, "survives a crash today").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(slapd.binds(&slapd::person_dn("omar"), "survives a crash today"));
    h.services.store.arm_fault(None);
    // Another password tried meanwhile, refused by the history: the note of the first
    // one's write stays.
    let (status, _, json) = h.set_password(&flow, slapd::OMAR.1).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{json}");
    // Writing it again would break the history rule; the retry binds with it instead.
    let (status, _, json) = h.set_password(&flow, "survives a crash today").await;
    assert_eq!(status, StatusCode::OK, "{json}");
}

/// One method to prove, for people; administrators always prove two.
const ONE_METHOD: &str = r#"
[captcha]
max_number = 1000

[policy]
scope = "selected"
group = "sspr-users"
methods_required = 1
methods = ["email", "app_code"]
"#;

#[tokio::test]
async fn scope_administrators_and_disabled_accounts_come_from_the_directory() {
    let slapd = Slapd::start();
    let h = Harness::new(&format!("{ONE_METHOD}\n{}", slapd.config_toml())).await;
    for user_id in ["ada", "otto", "omar"] {
        h.directory_person(user_id).await;
    }
    assert!(flag(&h, "ada", "is_admin") && flag(&h, "ada", "enabled"));
    assert!(!flag(&h, "omar", "is_admin"));
    // The administrators' rule, from the directory's sspr-admins group.
    assert_eq!(h.start("ada").await.0["methods_required"], 2);
    assert_eq!(h.start("omar").await.0["methods_required"], 1);
    for user_id in ["ada", "omar"] {
        let flow = h.start(user_id).await;
        assert!(
            is_real(&h, &flow),
            "{user_id} is in sspr-users: a real flow"
        );
    }
    // Outside the policy's group, or unknown: decoys.
    for user_id in ["otto", "nobody"] {
        let flow = h.start(user_id).await;
        assert!(!is_real(&h, &flow), "{user_id} gets a decoy");
    }
    // Disabled in the directory (ppolicy's lock for good), or moved out of the group
    // there: a decoy at the next start, methods or not.
    slapd.disable("omar");
    slapd.leave_group("ada");
    for user_id in ["omar", "ada"] {
        let flow = h.start(user_id).await;
        assert!(!is_real(&h, &flow), "{user_id} gets a decoy now");
    }
}

#[tokio::test]
async fn a_locked_out_person_resets_and_is_unlocked() {
    let slapd = Slapd::start();
    let h = harness(&slapd).await;
    let flow = proven(&h, "lou").await;
    let (status, _, json) = h.set_password(&flow, "back in again at last").await;
    assert_eq!(status, StatusCode::OK, "{json}");
    let dn = slapd::person_dn("lou");
    assert!(slapd.read(&dn, "pwdAccountLockedTime").is_empty());
    assert!(slapd.binds(&dn, "back in again at last"));
}

#[tokio::test]
async fn without_unlock_on_reset_the_lockout_stays_after_the_reset() {
    let slapd = Slapd::start();
    let h = Harness::new(&format!(
        "{POLICY}\n{}unlock_on_reset = false\n",
        slapd.config_toml()
    ))
    .await;
    let dn = slapd::person_dn("lou");
    let before = slapd.read(&dn, "pwdAccountLockedTime");
    let flow = proven(&h, "lou").await;
    let (status, _, json) = h.set_password(&flow, "a fresh passphrase kept").await;
    assert_eq!(status, StatusCode::OK, "{json}");
    assert_eq!(
        slapd.read(&dn, "pwdAccountLockedTime"),
        before,
        "the lock is kept"
    );
    assert!(
        !slapd.binds(&dn, "a fresh passphrase kept"),
        "locked: no bind yet"
    );
    // Once an administrator lifts the lock, the new password is the one that works.
    slapd.modify(&format!(
        "dn: {dn}\nchangetype: modify\ndelete: pwdAccountLockedTime\n"
    ));
    assert!(slapd.binds(&dn, "a fresh passphrase kept"));
}

#[tokio::test]
async fn a_rename_in_the_directory_keeps_the_persons_methods() {
    let slapd = Slapd::start();
    let h = harness(&slapd).await;
    h.directory_person("omar").await;
    slapd.rename("omar", "omar.haddad");
    let flow = h.start("omar.haddad").await;
    assert!(is_real(&h, &flow), "the renamed person has a real flow");
    assert_eq!(
        flow.kinds(),
        ["app_code", "email"],
        "with the methods registered before"
    );
    let old = h.start("omar").await;
    assert!(!is_real(&h, &old), "the old user ID is no one's now");
    assert_eq!(
        h.sql("SELECT count(*) FROM users")[0][0],
        "1",
        "one row, renamed, not a second one"
    );
}

#[tokio::test]
async fn signing_in_to_the_security_info_page_binds_as_the_person() {
    let slapd = Slapd::start();
    let h = harness(&slapd).await;
    h.directory_person("omar").await;
    let (status, _, json) = h
        .request(sign_in_request("omar", slapd::OMAR.1, None))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{json}");
    assert_eq!(json["user_id"], "omar");
    for (user_id, password) in [
        ("omar", "not omar's password"),
        ("omar", ""),
        ("nobody", "x"),
        ("dan", slapd::DAN.1),
        ("otto", "x"),
    ] {
        let (status, _, json) = h.request(sign_in_request(user_id, password, None)).await;
        assert_eq!(
            json["code"], "sign_in_failed",
            "{user_id} {password:?}: {status} {json}"
        );
    }
}

/// Omar signs in with his directory password: the answer and the session cookie.
async fn omar_signs_in(h: &Harness) -> (serde_json::Value, String) {
    let (status, headers, json) = h
        .request(sign_in_request("omar", slapd::OMAR.1, None))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{json}");
    let cookie = headers["set-cookie"].to_str().unwrap();
    (json, cookie.split(';').next().unwrap().to_owned())
}

async fn unlock(h: &Harness, flow: &super::Flow) -> (StatusCode, serde_json::Value) {
    let path = format!("/api/v1/reset/flows/{}/unlock", flow.id());
    let (status, _, json) = h.flow_post(flow, &path, json!({})).await;
    (status, json)
}

#[tokio::test]
async fn a_locked_out_person_who_knows_their_password_unlocks_the_account_instead() {
    let slapd = Slapd::start();
    let h = Harness::new(&format!(
        "{POLICY}\n{}offer_unlock = true\n",
        slapd.config_toml()
    ))
    .await;
    let secret = h.directory_person("lou").await;
    // Nothing is said of the lockout before the methods are proven.
    let flow = h.email_proven("lou").await;
    let (_, _, view) = h.get_flow(&flow).await;
    assert!(view.get("unlock_offered").is_none(), "{view}");
    assert_eq!(unlock(&h, &flow).await.1["code"], "not_verified");
    h.totp_proven(&flow, &secret).await;
    let (_, _, view) = h.get_flow(&flow).await;
    assert_eq!(view["unlock_offered"], true, "{view}");
    let (status, done) = unlock(&h, &flow).await;
    assert_eq!(status, StatusCode::OK, "{done}");
    assert_eq!(done["unlocked"], true);
    assert_eq!(done["notification_sent"], true);
    // Told at the directory's address and the registered one, in words of its own.
    for address in ["lou@example.org", "lou@home.example"] {
        assert!(
            h.messages()
                .await
                .iter()
                .any(|(to, subject, body)| to == address
                    && subject.contains("was unlocked")
                    && body.contains("did not change")),
            "{address}: {:?}",
            h.messages().await
        );
    }
    let dn = slapd::person_dn("lou");
    assert!(
        slapd.read(&dn, "pwdAccountLockedTime").is_empty(),
        "unlocked"
    );
    assert!(
        slapd.binds(&dn, slapd::LOU.1),
        "with the password they knew"
    );
    // The flow is used up: no password with it afterwards, no second unlock.
    let (status, _, json) = h.set_password(&flow, "a password after all").await;
    assert_eq!(status, StatusCode::CONFLICT, "{json}");
    assert_eq!(unlock(&h, &flow).await.1["code"], "flow_completed");
}

#[tokio::test]
async fn the_unlock_is_offered_only_for_a_lockout_and_only_when_the_organisation_says_so() {
    let slapd = Slapd::start();
    // Omar is not locked out: no unlock to offer.
    let on = Harness::new(&format!(
        "{POLICY}\n{}offer_unlock = true\n",
        slapd.config_toml()
    ))
    .await;
    let flow = proven(&on, "omar").await;
    let (_, _, view) = on.get_flow(&flow).await;
    assert!(view.get("unlock_offered").is_none(), "{view}");
    let (status, json) = unlock(&on, &flow).await;
    assert_eq!(
        (status, json["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_request"))
    );
    // Lou is, but the organisation does not offer it (the default).
    let off = harness(&slapd).await;
    let flow = proven(&off, "lou").await;
    let (_, _, view) = off.get_flow(&flow).await;
    assert!(view.get("unlock_offered").is_none(), "{view}");
    assert_eq!(unlock(&off, &flow).await.0, StatusCode::BAD_REQUEST);
    assert!(
        !slapd
            .read(&slapd::person_dn("lou"), "pwdAccountLockedTime")
            .is_empty()
    );
    // A decoy answers as an unproven flow.
    let decoy = on.start("nobody").await;
    assert_eq!(unlock(&on, &decoy).await.1["code"], "not_verified");
}

#[tokio::test]
async fn a_signed_in_person_changes_their_directory_password_under_its_rules() {
    let slapd = Slapd::start();
    let h = harness(&slapd).await;
    let secret = h.directory_person("omar").await;
    let (json, cookie) = omar_signs_in(&h).await;
    let proof = super::Flow(json["proof"].clone());
    let (status, _, json) = h.app_code_at(&proof, &secret, h.clock().now()).await;
    assert_eq!(status, StatusCode::OK, "{json}");
    assert_eq!(prove(&h, &cookie, &proof).await.0, StatusCode::OK);

    let (status, json) = change_password(&h, &cookie, slapd::OMAR.1, "Tulip-9 Sky").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{json}");
    assert_eq!(json["password_problems"], json!(["directory_too_short"]));
    let (status, json) = change_password(&h, &cookie, slapd::OMAR.1, "a change of my own").await;
    assert_eq!(status, StatusCode::OK, "{json}");
    let dn = slapd::person_dn("omar");
    assert!(slapd.binds(&dn, "a change of my own"));
    assert!(!slapd.binds(&dn, slapd::OMAR.1));
}

#[tokio::test]
async fn leaving_the_group_or_being_disabled_during_a_reset_stops_it_at_the_write() {
    let slapd = Slapd::start();
    let h = harness(&slapd).await;
    let flow = proven(&h, "omar").await;
    slapd.leave_group("omar");
    let (status, _, json) = h.set_password(&flow, "no longer allowed here").await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{json}");
    assert!(
        slapd.binds(&slapd::person_dn("omar"), slapd::OMAR.1),
        "nothing written"
    );

    let flow = proven(&h, "ada").await;
    slapd.disable("ada");
    let (status, _, json) = h.set_password(&flow, "no longer allowed here").await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{json}");
}

#[tokio::test]
async fn a_person_disabled_in_the_directory_is_signed_out_at_the_next_lookup() {
    let slapd = Slapd::start();
    let h = harness(&slapd).await;
    h.directory_person("omar").await;
    let (_, cookie) = omar_signs_in(&h).await;
    assert_eq!(session_status(&h, &cookie).await.0, StatusCode::OK);
    slapd.disable("omar");
    // Any lookup of Omar (here a reset's start) brings the directory's word.
    h.start("omar").await;
    assert_eq!(
        session_status(&h, &cookie).await.0,
        StatusCode::UNAUTHORIZED
    );
}
