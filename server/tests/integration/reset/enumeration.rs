//! Enumeration (5.1).

use super::*;

#[tokio::test]
async fn every_kind_of_account_gets_the_same_answers_at_start_and_at_send() {
    let h = Harness::new(POLICY).await;
    h.person("real.person@contoso.example").await;
    h.person("disabled.person@contoso.example").await;
    h.services
        .store
        .set_enabled("disabled.person@contoso.example", false, START)
        .await
        .unwrap();
    h.user("outside.scope@contoso.example", false, &["other"])
        .await;
    h.directory
        .add_email("outside.scope@contoso.example", "out@home.example")
        .await
        .unwrap();
    h.directory
        .add_totp("outside.scope@contoso.example", None)
        .await
        .unwrap();
    h.user("no.methods@contoso.example", false, &["sspr-users"])
        .await;

    let mut seen = Vec::new();
    for user_id in [
        "real.person@contoso.example",
        "nobody.here@contoso.example",
        "disabled.person@contoso.example",
        "outside.scope@contoso.example",
        "no.methods@contoso.example",
    ] {
        let (status, headers, body) = h.start_raw(user_id).await;
        assert_eq!(status, StatusCode::CREATED, "{user_id}: {body}");
        assert_eq!(body["methods_required"], 2, "{user_id}");
        let flow = Flow(body.clone());
        let methods = body["methods"].as_array().unwrap();
        assert!(methods.len() >= 2, "{user_id}: {body}");
        for method in methods {
            assert!(shape(method).as_object().unwrap().contains_key("id"));
        }
        // Send to the first method offered, whatever it is.
        let kind = flow.kinds()[0].clone();
        let (send_status, send_headers, send_body) = h.challenge(&flow, &kind).await;
        assert_eq!(send_status, StatusCode::OK, "{user_id}: {send_body}");
        seen.push((
            user_id,
            shape(&json!({"flow_id": body["flow_id"], "expires_in_seconds": body["expires_in_seconds"],
                          "methods_required": body["methods_required"], "verified": body["verified"]})),
            header_set(&headers),
            header_set(&send_headers),
            kind,
            shape(&send_body),
        ));
    }
    let (_, flow_shape, start_headers, send_headers, _, _) = &seen[0];
    for (user_id, other_shape, other_start, other_send, kind, send_shape) in &seen[1..] {
        assert_eq!(other_shape, flow_shape, "{user_id}");
        assert_eq!(other_start, start_headers, "{user_id}");
        assert_eq!(other_send, send_headers, "{user_id}");
        // Same kind, same answer shape as the real account's.
        let real = seen
            .iter()
            .find(|s| &s.4 == kind && s.0 == "real.person@contoso.example");
        if let Some(real) = real {
            assert_eq!(send_shape, &real.5, "{user_id}");
        }
    }
    // Only the real account got a message.
    let messages = h.messages().await;
    assert!(
        messages.iter().all(|(to, _, _)| to == "rea@home.example"),
        "{messages:?}"
    );
}

#[tokio::test]
async fn a_locked_account_and_a_locked_unknown_id_answer_alike() {
    let h = Harness::new(&format!("{POLICY}\n[policy.lockout]\nmax_failures = 3\n")).await;
    h.person("kim@contoso.example").await;
    let mut answers = Vec::new();
    for user_id in ["kim@contoso.example", "nobody@contoso.example"] {
        let flow = h.start(user_id).await;
        for _ in 0..3 {
            fail_once(&h, &flow).await;
        }
        // A new flow starts like any other, and the lock shows when a method is used.
        let (status, start_headers, body) = h.start_raw(user_id).await;
        assert_eq!(status, StatusCode::CREATED);
        let flow = Flow(body);
        let kind = flow.kinds()[0].clone();
        let (status, headers, json) = h.challenge(&flow, &kind).await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{user_id}: {json}");
        assert_eq!(json["code"], "account_locked");
        answers.push((header_set(&start_headers), header_set(&headers), json));
    }
    assert_eq!(answers[0], answers[1]);
}

#[tokio::test]
async fn an_unknown_user_gets_the_same_decoy_every_time_and_can_prove_nothing() {
    let h = Harness::new(POLICY).await;
    let first = h.start("ghost@contoso.example").await;
    let second = h.start("Ghost@Contoso.example").await;
    assert_ne!(first.id(), second.id());
    assert_eq!(first.0["methods"], second.0["methods"]);
    let kinds = first.kinds();
    if kinds.contains(&"email".to_owned()) {
        assert_eq!(h.challenge(&first, "email").await.0, StatusCode::OK);
        let (status, _, json) = h.code(&first, "00000000").await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(json["code"], "code_incorrect");
    }
    let (status, _, json) = h.set_password(&first, "a perfectly fine passphrase").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(json["code"], "not_verified");
}
