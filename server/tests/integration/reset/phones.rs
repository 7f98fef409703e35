//! Phone methods over HTTP, through the demo provider's simulator: a mobile phone's code by
//! text, WhatsApp or voice (the person's choice of the policy's channels), an office
//! phone's call answered with #, their send and call limits, and decoys that offer and
//! "call" them like real accounts.

use super::*;
use sspr_api::MethodKind;
use sspr_api::dev::DevCallState;
use sspr_server::directory::Directory;
use sspr_server::phone::number;
use sspr_server::store::ResetStore;

/// Mobile and office phones (and e-mail, app code), one method, the demo provider.
pub(super) const PHONE_POLICY: &str = r#"
[captcha]
max_number = 1000

[phone]
provider = "demo"
default_region = "GB"

[policy]
scope = "selected"
group = "sspr-users"
methods_required = 1
methods = ["email", "app_code", "mobile_phone", "office_phone"]

[policy.phone]
mobile_channels = ["sms", "whatsapp", "voice"]
"#;

const MOBILE: &str = "+447400123456";
const OFFICE: &str = "+442079460012";
const NEW_PASSWORD: &str = "copper kettle whistles";

async fn add_phone(directory: &Directory, user_id: &str, kind: MethodKind, typed: &str) {
    let region = number::region("GB").unwrap();
    directory
        .add_phone(user_id, kind, typed, region)
        .await
        .unwrap();
}

/// A person in scope with e-mail, an app (its secret), a mobile phone and an office phone.
async fn phone_person(h: &Harness, user_id: &str) -> sspr_server::crypto::totp::TotpSecret {
    let secret = h.person(user_id).await;
    add_phone(
        &h.directory,
        user_id,
        MethodKind::MobilePhone,
        "07400 123456",
    )
    .await;
    add_phone(
        &h.directory,
        user_id,
        MethodKind::OfficePhone,
        "020 7946 0012",
    )
    .await;
    secret
}

/// Proves the flow's mobile phone with a code sent on `channel`.
async fn mobile_proven(h: &Harness, flow: &Flow, channel: &str) -> Value {
    let (status, _, sent) = h
        .challenge_with(flow, "mobile_phone", json!({"channel": channel}))
        .await;
    assert_eq!(status, StatusCode::OK, "{sent}");
    assert_eq!(sent["channel"], channel);
    assert_eq!(sent["code_length"], 8);
    let items = h.phone().await;
    assert_eq!(items[0].to, MOBILE);
    assert_eq!(items[0].channel, channel);
    let code = h.last_phone_code(channel).await;
    let (status, _, json) = h
        .verify(flow, "mobile_phone", json!({ "code": code }))
        .await;
    assert_eq!(status, StatusCode::OK, "{json}");
    json
}

/// Places the flow's office-phone call and presses # on the simulator; the call's state.
async fn press_hash(h: &Harness, flow: &Flow) -> DevCallState {
    let (status, _, sent) = h.challenge(flow, "office_phone").await;
    assert_eq!(status, StatusCode::OK, "{sent}");
    assert_eq!(sent["call_seconds"], 60);
    assert!(sent.get("code_length").is_none(), "nothing to type: {sent}");
    let items = h.phone().await;
    let call = &items[0];
    assert_eq!((call.channel.as_str(), call.to.as_str()), ("call", OFFICE));
    assert_eq!(call.call, Some(DevCallState::Ringing));
    let simulator = h.services.demo_phone.as_ref().unwrap();
    simulator
        .act(call.id, sspr_server::phone::demo::CallAction::PressHash)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_reset_with_a_code_by_text_whatsapp_or_voice() {
    for channel in ["sms", "whatsapp", "voice"] {
        let h = Harness::new(PHONE_POLICY).await;
        phone_person(&h, "robin.quill").await;
        let flow = h.start("robin.quill").await;
        let mobile = &flow.0["methods"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["kind"] == "mobile_phone")
            .unwrap()
            .clone();
        assert_eq!(mobile["hint"], "•••• 56");
        let proven = mobile_proven(&h, &flow, channel).await;
        assert_eq!(proven["verified"], json!([mobile["id"]]));
        let (status, _, done) = h.set_password(&flow, NEW_PASSWORD).await;
        assert_eq!(status, StatusCode::OK, "{channel}: {done}");
    }
}

#[tokio::test]
async fn a_channel_the_policy_does_not_offer_is_refused() {
    let h = Harness::new(&PHONE_POLICY.replace(
        "mobile_channels = [\"sms\", \"whatsapp\", \"voice\"]",
        "mobile_channels = [\"sms\"]",
    ))
    .await;
    phone_person(&h, "robin.quill").await;
    let config = h
        .request(Request::get("/api/v1/config").body(Body::empty()).unwrap())
        .await
        .2;
    assert_eq!(config["phone_channels"], json!(["sms"]));
    let flow = h.start("robin.quill").await;
    let (status, _, problem) = h
        .challenge_with(&flow, "mobile_phone", json!({"channel": "whatsapp"}))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{problem}");
    assert_eq!(problem["code"], "invalid_request");
    assert!(h.phone().await.is_empty());
    // Without a channel, the policy's first.
    let (status, _, sent) = h.challenge(&flow, "mobile_phone").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(sent["channel"], "sms");
}

#[tokio::test]
async fn a_reset_with_an_office_phone_call_answered_with_hash() {
    let h = Harness::new(PHONE_POLICY).await;
    phone_person(&h, "robin.quill").await;
    let flow = h.start("robin.quill").await;
    let office = flow.method("office_phone");
    assert_eq!(press_hash(&h, &flow).await, DevCallState::Confirmed);
    let (_, _, now) = h.get_flow(&flow).await;
    assert_eq!(now["verified"], json!([office]));
    let (status, _, done) = h.set_password(&flow, NEW_PASSWORD).await;
    assert_eq!(status, StatusCode::OK, "{done}");
}

#[tokio::test]
async fn an_office_phone_takes_no_typed_code_and_a_key_press_counts_once() {
    let h = Harness::new(PHONE_POLICY).await;
    phone_person(&h, "robin.quill").await;
    let flow = h.start("robin.quill").await;
    let (status, _, problem) = h
        .verify(&flow, "office_phone", json!({"code": "12345678"}))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{problem}");
    assert_eq!(h.get_flow(&flow).await.2["verified"], json!([]));
    assert_eq!(press_hash(&h, &flow).await, DevCallState::Confirmed);
    // The same reference again (a replayed callback) changes nothing.
    let items = h.phone().await;
    let reference_of_call = items[0].id;
    let simulator = h.services.demo_phone.as_ref().unwrap();
    assert_eq!(
        simulator
            .act(
                reference_of_call,
                sspr_server::phone::demo::CallAction::PressHash
            )
            .await,
        None,
        "a confirmed call has no buttons left"
    );
    let rows = h.sql("SELECT count(*) FROM audit_log WHERE event = 'reset_method_verified'");
    assert_eq!(rows[0][0], "1");
}

#[tokio::test]
async fn a_key_press_after_the_flow_ended_proves_nothing() {
    let h = Harness::new(PHONE_POLICY).await;
    phone_person(&h, "robin.quill").await;
    let flow = h.start("robin.quill").await;
    let (status, _, _) = h.challenge(&flow, "office_phone").await;
    assert_eq!(status, StatusCode::OK);
    let call = h.phone().await[0].id;
    h.clock().advance(3600);
    let simulator = h.services.demo_phone.as_ref().unwrap();
    let state = simulator
        .act(call, sspr_server::phone::demo::CallAction::PressHash)
        .await;
    assert_eq!(state, Some(DevCallState::NotConfirmed));
}

#[tokio::test]
async fn calls_wait_for_each_other_and_stop_at_the_limit_with_retry_after() {
    let h = Harness::new(PHONE_POLICY).await;
    phone_person(&h, "robin.quill").await;
    let flow = h.start("robin.quill").await;
    assert_eq!(h.challenge(&flow, "office_phone").await.0, StatusCode::OK);
    // A call at a time: another only once this one's minute is over.
    let (status, headers, problem) = h.challenge(&flow, "office_phone").await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{problem}");
    assert_eq!(problem["code"], "rate_limited");
    assert!(headers.contains_key("retry-after"));
    // Nor from another flow started meanwhile: one call at a time per account.
    let parallel = h.start("robin.quill").await;
    let (status, _, problem) = h.challenge(&parallel, "office_phone").await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{problem}");
    assert_eq!(problem["code"], "rate_limited");
    let mut calls = h.phone().await.len();
    for _ in 1..5 {
        h.clock().advance(61);
        let flow = h.start("robin.quill").await;
        assert_eq!(h.challenge(&flow, "office_phone").await.0, StatusCode::OK);
        calls = h.phone().await.len();
    }
    h.clock().advance(61);
    let flow = h.start("robin.quill").await;
    let (status, headers, problem) = h.challenge(&flow, "office_phone").await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{problem}");
    assert_eq!(problem["code"], "too_many_codes");
    let retry: u64 = headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=15 * 60).contains(&retry), "{retry}");
    assert_eq!(calls, 5);
    assert_eq!(h.phone().await.len(), 5, "five calls, no more");
    // Texts have their own allowance.
    let (status, _, _) = h.challenge(&flow, "mobile_phone").await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn texts_count_per_channel_within_the_hour() {
    let h = Harness::new(&format!(
        "{PHONE_POLICY}\n[policy.lockout]\nsends_per_hour = 2\n"
    ))
    .await;
    phone_person(&h, "robin.quill").await;
    for _ in 0..2 {
        let flow = h.start("robin.quill").await;
        let sent = h
            .challenge_with(&flow, "mobile_phone", json!({"channel": "sms"}))
            .await;
        assert_eq!(sent.0, StatusCode::OK, "{}", sent.2);
    }
    let flow = h.start("robin.quill").await;
    let (status, headers, problem) = h
        .challenge_with(&flow, "mobile_phone", json!({"channel": "sms"}))
        .await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{problem}");
    assert_eq!(problem["code"], "too_many_codes");
    assert!(headers.contains_key("retry-after"));
    // WhatsApp is another channel, with its own hour.
    let (status, _, _) = h
        .challenge_with(&flow, "mobile_phone", json!({"channel": "whatsapp"}))
        .await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn decoys_offer_and_call_phones_like_real_accounts() {
    let h = Harness::new(&format!(
        "[server]\nrequests_per_ip_per_minute = 10000\n{PHONE_POLICY}"
    ))
    .await;
    phone_person(&h, "robin.quill").await;
    let real = h.start("robin.quill").await;
    // Unknown IDs until one offers each phone kind.
    let mut seen_mobile = None;
    let mut seen_office = None;
    for n in 0..64 {
        let flow = h.start(&format!("nobody.{n}@contoso.example")).await;
        let keys = |flow: &Value| {
            flow.as_object()
                .unwrap()
                .keys()
                .cloned()
                .collect::<Vec<_>>()
        };
        assert_eq!(keys(&flow.0), keys(&real.0));
        for method in flow.0["methods"].as_array().unwrap() {
            if method["kind"] == "mobile_phone" {
                let hint = method["hint"].as_str().unwrap();
                assert!(
                    hint.starts_with("•••• ") && hint.len() == "•••• 23".len(),
                    "{hint}"
                );
                seen_mobile.get_or_insert(Flow(flow.0.clone()));
            }
            if method["kind"] == "office_phone" {
                seen_office.get_or_insert(Flow(flow.0.clone()));
            }
        }
    }
    let decoy = seen_mobile.expect("a decoy with a mobile phone");
    let (status, _, sent) = h
        .challenge_with(&decoy, "mobile_phone", json!({"channel": "whatsapp"}))
        .await;
    assert_eq!(status, StatusCode::OK);
    let (_, _, real_sent) = h
        .challenge_with(&real, "mobile_phone", json!({"channel": "whatsapp"}))
        .await;
    assert_eq!(shape(&sent), shape(&real_sent));
    let decoy = seen_office.expect("a decoy with an office phone");
    let (status, _, sent) = h.challenge(&decoy, "office_phone").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(sent["call_seconds"], 60);
    // Only the real account's message ever reaches a phone.
    let items = h.phone().await;
    assert_eq!(items.len(), 1, "{items:?}");
    assert_eq!(items[0].to, MOBILE);
    let (status, _, problem) = h.verify(&decoy, "office_phone", json!({"code": "1"})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{problem}");
}

#[tokio::test]
async fn two_phone_methods_for_a_policy_of_two() {
    let h =
        Harness::new(&PHONE_POLICY.replace("methods_required = 1", "methods_required = 2")).await;
    phone_person(&h, "robin.quill").await;
    let flow = h.start("robin.quill").await;
    assert_eq!(flow.0["methods_required"], 2);
    mobile_proven(&h, &flow, "sms").await;
    let (status, _, problem) = h.set_password(&flow, NEW_PASSWORD).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{problem}");
    assert_eq!(press_hash(&h, &flow).await, DevCallState::Confirmed);
    let (status, _, done) = h.set_password(&flow, NEW_PASSWORD).await;
    assert_eq!(status, StatusCode::OK, "{done}");
}

#[tokio::test]
async fn a_reset_with_each_method_that_may_stand_alone() {
    for kind in ["email", "app_code", "mobile_phone", "office_phone"] {
        let h = Harness::new(PHONE_POLICY).await;
        let secret = phone_person(&h, "robin.quill").await;
        let flow = h.start("robin.quill").await;
        match kind {
            "email" => {
                h.challenge(&flow, "email").await;
                let code = h.last_code("rob@home.example").await;
                assert_eq!(h.code(&flow, &code).await.0, StatusCode::OK);
            }
            "app_code" => h.totp_proven(&flow, &secret).await,
            "mobile_phone" => {
                mobile_proven(&h, &flow, "sms").await;
            }
            _ => assert_eq!(press_hash(&h, &flow).await, DevCallState::Confirmed),
        }
        let (status, _, done) = h.set_password(&flow, NEW_PASSWORD).await;
        assert_eq!(status, StatusCode::OK, "{kind}: {done}");
    }
}

#[tokio::test]
async fn numbers_are_kept_in_e164_and_junk_is_refused() {
    let h = Harness::new(PHONE_POLICY).await;
    phone_person(&h, "robin.quill").await;
    let account = h
        .services
        .store
        .account("robin.quill")
        .await
        .unwrap()
        .unwrap();
    let mut numbers: Vec<String> = account
        .methods
        .iter()
        .filter_map(|m| m.contact.clone())
        .filter(|c| c.starts_with('+'))
        .collect();
    numbers.sort();
    assert_eq!(numbers, [OFFICE, MOBILE]);
    let region = number::region("GB").unwrap();
    let refused = h
        .directory
        .add_phone("robin.quill", MethodKind::MobilePhone, "12", region)
        .await;
    assert!(refused.is_err());
}

#[tokio::test]
async fn phones_registered_on_the_security_info_page_count_once_their_code_is_typed() {
    use super::registrations::app_only;
    use super::sessions::{proven_session, session_post};
    let h = Harness::new(PHONE_POLICY).await;
    let secret = app_only(&h, "ana@contoso.example").await;
    let cookie = proven_session(&h, "ana@contoso.example", &secret).await;
    let registrations = "/api/v1/session/registrations";
    let (status, problem) = session_post(
        &h,
        &cookie,
        registrations,
        json!({"kind": "mobile_phone", "number": "12"}),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{problem}");
    assert_eq!(problem["code"], "invalid_phone_number");

    // A mobile by WhatsApp, typed as people type it (the default region fills in +44).
    let (status, pending) = session_post(
        &h,
        &cookie,
        registrations,
        json!({"kind": "mobile_phone", "number": "07400 123456", "channel": "whatsapp"}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{pending}");
    assert_eq!(pending["sent_to"], MOBILE);
    assert_eq!(h.phone().await[0].channel, "whatsapp");
    let code = h.last_phone_code("whatsapp").await;
    let confirm = format!(
        "{registrations}/{}/confirm",
        pending["registration_id"].as_str().unwrap()
    );
    let (status, list) = session_post(&h, &cookie, &confirm, json!({ "code": code })).await;
    assert_eq!(status, StatusCode::OK, "{list}");
    let mobile = list["methods"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["kind"] == "mobile_phone")
        .unwrap_or_else(|| panic!("{list}"));
    assert_eq!(mobile["detail"], "•••• 56");

    // An office phone, confirmed by a code read out on a voice call.
    let (status, pending) = session_post(
        &h,
        &cookie,
        registrations,
        json!({"kind": "office_phone", "number": "+44 20 7946 0012"}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{pending}");
    let code = h.last_phone_code("voice").await;
    let confirm = format!(
        "{registrations}/{}/confirm",
        pending["registration_id"].as_str().unwrap()
    );
    let (status, list) = session_post(&h, &cookie, &confirm, json!({ "code": code })).await;
    assert_eq!(status, StatusCode::OK, "{list}");

    // Both now reset the password.
    let flow = h.start("ana@contoso.example").await;
    assert_eq!(flow.kinds(), ["app_code", "mobile_phone", "office_phone"]);
    assert_eq!(press_hash(&h, &flow).await, DevCallState::Confirmed);
    let (status, _, done) = h.set_password(&flow, NEW_PASSWORD).await;
    assert_eq!(status, StatusCode::OK, "{done}");
}

#[tokio::test]
async fn a_key_press_on_an_earlier_call_is_no_try_and_the_live_call_still_works() {
    let h = Harness::new(PHONE_POLICY).await;
    phone_person(&h, "robin.quill").await;
    let flow = h.start("robin.quill").await;
    assert_eq!(h.challenge(&flow, "office_phone").await.0, StatusCode::OK);
    let first = h.phone().await[0].id;
    h.clock().advance(61);
    assert_eq!(h.challenge(&flow, "office_phone").await.0, StatusCode::OK);
    let second = h.phone().await[0].id;
    assert_ne!(first, second);
    let simulator = h.services.demo_phone.as_ref().unwrap();
    let press = sspr_server::phone::demo::CallAction::PressHash;
    assert_eq!(
        simulator.act(first, press).await,
        Some(DevCallState::NotConfirmed)
    );
    let failed = h.sql("SELECT count(*) FROM audit_log WHERE event = 'reset_proof_failed'");
    assert_eq!(failed[0][0], "0", "the old call's # counted as a failure");
    assert_eq!(
        simulator.act(second, press).await,
        Some(DevCallState::Confirmed)
    );
}

#[tokio::test]
async fn without_phones_in_the_policy_no_flow_offers_one_not_even_an_administrators_decoy() {
    // About one unknown ID in sixteen gets an administrator's shape; none may offer a
    // method no real account of this policy could have.
    let h = Harness::new(&format!(
        "[server]\nrequests_per_ip_per_minute = 10000\n{POLICY}"
    ))
    .await;
    let mut administrators = 0;
    for n in 0..96 {
        let flow = h.start(&format!("nobody.{n}@contoso.example")).await;
        administrators += usize::from(
            flow.0["methods_required"] == 2
                && !flow.kinds().iter().any(|k| k == "security_questions"),
        );
        for kind in flow.kinds() {
            assert!(
                !["mobile_phone", "office_phone", "app_notification"].contains(&kind.as_str()),
                "{kind} offered: {}",
                flow.0
            );
        }
    }
    assert!(
        administrators > 0,
        "some decoys take an administrator's shape"
    );
}

/// The dev outbox shows a text message or a call as its recipient gets it: its words, not
/// the provider's envelope, whose call reference is what proves the call.
#[tokio::test]
async fn the_dev_outbox_shows_a_phone_message_s_words_not_its_call_reference() {
    let h = Harness::with(PHONE_POLICY, true).await;
    phone_person(&h, "robin.quill").await;
    let flow = h.start("robin.quill").await;
    let (status, _, sent) = h
        .challenge_with(&flow, "mobile_phone", json!({"channel": "sms"}))
        .await;
    assert_eq!(status, StatusCode::OK, "{sent}");
    let (status, _, sent) = h.challenge(&flow, "office_phone").await;
    assert_eq!(status, StatusCode::OK, "{sent}");
    let delivered = h.phone().await;
    let (status, _, json) = h.request(from_loopback("/api/v1/dev/outbox")).await;
    assert_eq!(status, StatusCode::OK);
    for to in [MOBILE, OFFICE] {
        let listed = json
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["to"] == to)
            .unwrap_or_else(|| panic!("{to}: {json}"));
        let body = listed["body"].as_str().unwrap();
        let item = delivered.iter().find(|i| i.to == to).unwrap();
        assert_eq!(body, item.text, "{to}");
        assert!(!body.contains(flow.id()), "no call reference: {body}");
    }
}
