//! The language of what the server sends (docs/I18N.md): codes and calls of a reset, its
//! "your password was reset" and registration codes in the language the person uses in
//! the portal (the app's `Accept-Language`), else their account's `preferred_locale`;
//! notices about an account in its own language, whoever asks. The expected words are
//! read from `server/locales/` here, not from the server's code.

use super::change_notices::last_to;
use super::phones::PHONE_POLICY;
use super::sessions::{proven_session, session_get};
use super::*;
use sspr_api::MethodKind;

/// A locale file of the server's.
fn locale(tag: &str) -> Value {
    let path = format!("{}/locales/{tag}.json", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// `template` (a JSON text) with its placeholders filled.
fn fill(template: &Value, vars: &[(&str, &str)]) -> String {
    let vars: Vec<(&str, &dyn std::fmt::Display)> = vars
        .iter()
        .map(|(name, value)| (*name, value as &dyn std::fmt::Display))
        .collect();
    sspr_api::text::interpolate(template.as_str().unwrap(), &vars)
}

#[tokio::test]
async fn a_resets_code_and_its_notice_are_in_the_language_of_the_portal() {
    let h = Harness::new(POLICY).await;
    let secret = h.person("greta@contoso.example").await;
    // The account's own setting gives way to the portal's language.
    h.sql("UPDATE users SET preferred_locale = 'fr' WHERE user_id = 'greta@contoso.example'");
    let flow = h.start("greta@contoso.example").await;
    let path = flow.challenge_path("email");
    let (status, _, sent) = h
        .flow_post_in(&flow, &path, json!({}), "de-AT, en;q=0.5")
        .await;
    assert_eq!(status, StatusCode::OK, "{sent}");
    assert_eq!(sent["code_expires_in_seconds"], 600);

    let de = locale("de");
    let code = h.last_code("gre@home.example").await;
    let (subject, body) = last_to(&h, "gre@home.example").await;
    assert_eq!(
        subject,
        fill(
            &de["email"]["code"]["subject"],
            &[("organisation", "Contoso")]
        )
    );
    assert_eq!(
        body,
        fill(
            &de["email"]["code"]["body"]["other"],
            &[
                ("organisation", "Contoso"),
                ("code", &code),
                ("count", "10")
            ]
        )
    );
    assert!(body.contains("Minuten"), "{body}");

    // The code works as any; the reset's notice follows the portal's language too.
    let (status, _, json) = h.code(&flow, &code).await;
    assert_eq!(status, StatusCode::OK, "{json}");
    h.totp_proven(&flow, &secret).await;
    let path = format!("/api/v1/reset/flows/{}/password", flow.id());
    let password = json!({"password": "a brand new passphrase"});
    let (status, _, done) = h.flow_post_in(&flow, &path, password, "de").await;
    assert_eq!(status, StatusCode::OK, "{done}");
    let (subject, body) = last_to(&h, "gre@home.example").await;
    let vars = [
        ("organisation", "Contoso"),
        ("user_id", "greta@contoso.example"),
    ];
    assert_eq!(subject, fill(&de["email"]["reset_done"]["subject"], &vars));
    assert_eq!(body, fill(&de["email"]["reset_done"]["body"], &vars));
}

#[tokio::test]
async fn without_a_language_the_code_is_in_the_accounts_own() {
    let h = Harness::new(POLICY).await;
    h.person("felix@contoso.example").await;
    h.sql("UPDATE users SET preferred_locale = 'fr' WHERE user_id = 'felix@contoso.example'");
    let flow = h.start("felix@contoso.example").await;
    assert_eq!(h.challenge(&flow, "email").await.0, StatusCode::OK);
    let fr = locale("fr");
    let code = h.last_code("fel@home.example").await;
    let (subject, body) = last_to(&h, "fel@home.example").await;
    assert_eq!(
        subject,
        fill(
            &fr["email"]["code"]["subject"],
            &[("organisation", "Contoso")]
        )
    );
    assert_eq!(
        body,
        fill(
            &fr["email"]["code"]["body"]["other"],
            &[
                ("organisation", "Contoso"),
                ("code", &code),
                ("count", "10")
            ]
        )
    );

    // A language the server does not write in is no language: the account's again; and
    // with neither, English.
    h.clock().advance(31);
    let path = flow.challenge_path("email");
    let (status, _, _) = h
        .flow_post_in(&flow, &path, json!({}), "sv-SE, fi;q=0.5")
        .await;
    assert_eq!(status, StatusCode::OK);
    let (subject, _) = last_to(&h, "fel@home.example").await;
    assert!(subject.starts_with("Code de vérification"), "{subject}");
    h.person("erin@contoso.example").await;
    let flow = h.start("erin@contoso.example").await;
    assert_eq!(h.challenge(&flow, "email").await.0, StatusCode::OK);
    let (subject, body) = last_to(&h, "eri@home.example").await;
    assert_eq!(subject, "Contoso verification code");
    assert!(body.contains("It expires in 10 minutes."), "{body}");
}

#[tokio::test]
async fn a_text_message_code_and_a_call_are_in_the_language_of_the_portal() {
    let h = Harness::new(PHONE_POLICY).await;
    h.person("kenji.sato").await;
    let region = sspr_server::phone::number::region("GB").unwrap();
    for (kind, number) in [
        (MethodKind::MobilePhone, "07400 123456"),
        (MethodKind::OfficePhone, "020 7946 0012"),
    ] {
        h.directory
            .add_phone("kenji.sato", kind, number, region)
            .await
            .unwrap();
    }
    let ja = locale("ja");
    let flow = h.start("kenji.sato").await;
    let path = flow.challenge_path("mobile_phone");
    let (status, _, sent) = h
        .flow_post_in(&flow, &path, json!({"channel": "sms"}), "ja-JP,ja;q=0.9")
        .await;
    assert_eq!(status, StatusCode::OK, "{sent}");
    let code = h.last_phone_code("sms").await;
    assert_eq!(code.len(), 8);
    let items = h.phone().await;
    assert_eq!(
        items[0].text,
        fill(
            &ja["phone"]["text_code"],
            &[("code", &code), ("organisation", "Contoso")]
        )
    );

    // An office phone's call, in another flow, reads the script in the person's language.
    h.clock().advance(120);
    let flow = h.start("kenji.sato").await;
    let path = flow.challenge_path("office_phone");
    let (status, _, sent) = h.flow_post_in(&flow, &path, json!({}), "ja").await;
    assert_eq!(status, StatusCode::OK, "{sent}");
    let items = h.phone().await;
    assert_eq!(items[0].channel, "call");
    assert_eq!(
        items[0].text,
        fill(&ja["phone"]["confirm_call"], &[("organisation", "Contoso")])
    );
}

#[tokio::test]
async fn a_registration_code_is_in_the_language_of_the_page() {
    let h = Harness::new(POLICY).await;
    let secret = h.person("ines@contoso.example").await;
    let cookie = proven_session(&h, "ines@contoso.example", &secret).await;
    let request = Request::post("/api/v1/session/registrations")
        .header("content-type", "application/json")
        .header("cookie", &cookie)
        .header("accept-language", "it-IT")
        .body(Body::from(
            json!({"kind": "email", "address": "ines@new.example"}).to_string(),
        ))
        .unwrap();
    let (status, _, pending) = h.request(request).await;
    assert_eq!(status, StatusCode::CREATED, "{pending}");
    let it = locale("it");
    let code = h.last_code("ines@new.example").await;
    let (subject, body) = last_to(&h, "ines@new.example").await;
    let registration = &it["email"]["registration_code"];
    assert_eq!(
        subject,
        fill(&registration["subject"], &[("organisation", "Contoso")])
    );
    let purpose = registration["purpose_new_address"].as_str().unwrap();
    assert_eq!(
        body,
        fill(
            &registration["body"]["other"],
            &[
                ("organisation", "Contoso"),
                ("code", &code),
                ("purpose", purpose),
                ("count", "10")
            ]
        )
    );
}

#[tokio::test]
async fn a_change_notice_is_in_the_accounts_language_whoever_asks() {
    let h = Harness::new(POLICY).await;
    let secret = h.person("pola@contoso.example").await;
    h.sql("UPDATE users SET preferred_locale = 'pl' WHERE user_id = 'pola@contoso.example'");
    let cookie = proven_session(&h, "pola@contoso.example", &secret).await;
    let (_, list) = session_get(&h, &cookie, "/api/v1/session/methods").await;
    let questions = super::sessions::method_of(&list, "security_questions");
    // Made from a browser in German: the notice is still in the account's Polish.
    let request = Request::delete(format!("/api/v1/session/methods/{questions}"))
        .header("cookie", &cookie)
        .header("accept-language", "de")
        .body(Body::empty())
        .unwrap();
    assert_eq!(h.request(request).await.0, StatusCode::OK);

    let pl = locale("pl");
    let notice = &pl["notice"];
    let (subject, body) = last_to(&h, "pol@home.example").await;
    assert_eq!(
        subject,
        fill(
            &notice["method_removed"]["subject"],
            &[("organisation", "Contoso")]
        )
    );
    let method = notice["kind"]["security_questions"].as_str().unwrap();
    let what = fill(&notice["method_removed"]["what"], &[("method", method)]);
    let at = body.find("/report/").unwrap();
    let link_start = body[..at].rfind('\n').unwrap() + 1;
    let link = body[link_start..].trim_end();
    assert_eq!(
        body,
        fill(
            &notice["body"],
            &[
                ("what", &what),
                ("organisation", "Contoso"),
                ("user_id", "pola@contoso.example"),
                ("link", link)
            ]
        )
    );

    // The link's page is in Polish too.
    let token = link.rsplit('/').next().unwrap();
    let response = h
        .app
        .clone()
        .oneshot(
            Request::get(format!("/report/{token}"))
                .header("accept-language", "de")
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    let html = String::from_utf8(bytes.to_vec()).unwrap();
    assert!(html.contains("<html lang=\"pl\" dir=\"ltr\">"), "{html}");
    let title = pl["report_page"]["title"].as_str().unwrap();
    assert!(html.contains(title), "{html}");
}
