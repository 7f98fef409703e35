//! Attempts (5.2).

use super::*;

#[tokio::test]
async fn five_wrong_codes_lock_the_method_and_a_resend_does_not_reset_the_count() {
    let h = Harness::new(POLICY).await;
    h.person("alex@contoso.example").await;
    let flow = h.start("alex@contoso.example").await;
    h.challenge(&flow, "email").await;
    for left in [4, 3, 2] {
        let (status, _, json) = h.code(&flow, "11111111").await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(json["attempts_left"], left, "{json}");
    }
    // A resend (after the 30 s wait) brings a new code but not new tries.
    let (status, headers, json) = h.challenge(&flow, "email").await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{json}");
    assert_eq!(json["code"], "rate_limited");
    assert!(
        headers["retry-after"]
            .to_str()
            .unwrap()
            .parse::<u64>()
            .unwrap()
            <= 30
    );
    h.clock().advance(30);
    assert_eq!(h.challenge(&flow, "email").await.0, StatusCode::OK);
    let (_, _, json) = h.code(&flow, "11111111").await;
    assert_eq!(json["attempts_left"], 1, "{json}");
    let (status, headers, json) = h.code(&flow, "11111111").await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(json["code"], "method_locked");
    assert_eq!(json["retry_after_seconds"], 900);
    assert_eq!(headers["retry-after"], "900");
    // Locked: even the right code is refused, and no new code is sent.
    let code = h.last_code("ale@home.example").await;
    let (_, _, json) = h.code(&flow, &code).await;
    assert_eq!(json["code"], "method_locked");
    h.clock().advance(600);
    let (_, _, json) = h.challenge(&flow, "email").await;
    assert_eq!(json["code"], "method_locked");
    assert_eq!(json["retry_after_seconds"], 300, "time left is stated");
    // Other methods still work.
    let secret_flow = h.start("alex@contoso.example").await;
    h.clock().advance(300);
    // After the lock, a new code can be sent and used.
    assert_eq!(h.challenge(&secret_flow, "email").await.0, StatusCode::OK);
    let code = h.last_code("ale@home.example").await;
    assert_eq!(h.code(&secret_flow, &code).await.0, StatusCode::OK);
}

#[tokio::test]
async fn a_code_dies_after_five_wrong_tries_even_within_its_lifetime() {
    let h = Harness::new(&POLICY.replace(
        "[policy]",
        "[policy]\nlockout = { max_failures = 50, lockout_minutes = 1 }",
    ))
    .await;
    h.person("dora@contoso.example").await;
    let flow = h.start("dora@contoso.example").await;
    h.challenge(&flow, "email").await;
    let code = h.last_code("dor@home.example").await;
    for _ in 0..5 {
        h.code(&flow, "00000001").await;
    }
    // The method lock (1 minute) passes; the code itself stays dead.
    h.clock().advance(61);
    let (status, _, json) = h.code(&flow, &code).await;
    assert_eq!(
        (status, json["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("code_expired"))
    );
}

#[tokio::test]
async fn the_account_locks_across_methods_and_flows_with_time_left() {
    let h = Harness::new(POLICY).await;
    let secret = h.person("lee@contoso.example").await;
    // 5 wrong e-mail codes (method lock) + 5 wrong app codes = 10 = account lock.
    let flow = h.start("lee@contoso.example").await;
    h.challenge(&flow, "email").await;
    for _ in 0..5 {
        h.code(&flow, "12121212").await;
    }
    let other = h.start("lee@contoso.example").await;
    for _ in 0..4 {
        let (_, _, json) = h
            .verify(&other, "app_code", json!({"code": "000000"}))
            .await;
        assert_eq!(json["code"], "code_incorrect");
    }
    let (status, headers, json) = h
        .verify(&other, "app_code", json!({"code": "000000"}))
        .await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(json["code"], "account_locked", "{json}");
    assert_eq!(headers["retry-after"], "900");
    // Everything is locked now, in a new flow too, with the time left stated.
    h.clock().advance(100);
    let fresh = h.start("lee@contoso.example").await;
    let right = totp::code_at(&secret, h.clock().now());
    let (_, _, json) = h.verify(&fresh, "app_code", json!({"code": right})).await;
    assert_eq!(json["code"], "account_locked");
    assert_eq!(json["retry_after_seconds"], 800);
    let (_, _, json) = h.challenge(&fresh, "email").await;
    assert_eq!(json["code"], "account_locked");
    // An unknown account locks the same way (its counters are kept too).
    let ghost = h.start("ghost.account@contoso.example").await;
    let kind = ghost.kinds()[0].clone();
    if kind != "security_questions" {
        if kind == "email" {
            h.challenge(&ghost, "email").await;
        }
        let mut last = Value::Null;
        for _ in 0..5 {
            last = h.verify(&ghost, &kind, json!({"code": "000000"})).await.2;
        }
        assert_eq!(last["code"], "method_locked", "{last}");
    }
    // After the lock the right code works.
    h.clock().advance(800);
    let right = totp::code_at(&secret, h.clock().now());
    let (status, _, json) = h.verify(&fresh, "app_code", json!({"code": right})).await;
    assert_eq!(status, StatusCode::OK, "{json}");
}

#[tokio::test]
async fn sends_per_hour_are_limited_with_retry_after() {
    let h = Harness::new(POLICY).await;
    h.person("send@contoso.example").await;
    for _ in 0..5 {
        let flow = h.start("send@contoso.example").await;
        assert_eq!(h.challenge(&flow, "email").await.0, StatusCode::OK);
        h.clock().advance(60);
    }
    let flow = h.start("send@contoso.example").await;
    let (status, headers, json) = h.challenge(&flow, "email").await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    // Its own code, not the resend wait's: the app says "too many codes", not "use the
    // code we sent" (a decoy answers alike: every_kind_of_account_... and below).
    assert_eq!(json["code"], "too_many_codes");
    // The first send was 300 s ago: the window opens 3300 s from now.
    assert_eq!(headers["retry-after"], "3300");
    assert_eq!(json["retry_after_seconds"], 3300);
    assert_eq!(h.messages().await.len(), 5);
    h.clock().advance(3300);
    let flow = h.start("send@contoso.example").await;
    assert_eq!(h.challenge(&flow, "email").await.0, StatusCode::OK);
}

#[tokio::test]
async fn an_unknown_id_runs_out_of_codes_like_a_real_account() {
    // E-mail and app code, both required: every flow, real or decoy, offers e-mail.
    let h = Harness::new(
        "[policy]\nscope = \"all\"\nmethods_required = 2\nmethods = [\"email\", \"app_code\"]\n\
         [policy.lockout]\nsends_per_hour = 2\n",
    )
    .await;
    h.person("kim@contoso.example").await;
    let mut answers = Vec::new();
    for user_id in ["kim@contoso.example", "nobody@contoso.example"] {
        let mut last = None;
        for _ in 0..3 {
            let flow = h.start(user_id).await;
            last = Some(h.challenge(&flow, "email").await);
        }
        let (status, headers, json) = last.unwrap();
        answers.push((status, header_set(&headers), json));
    }
    assert_eq!(answers[0].2["code"], "too_many_codes");
    assert_eq!(answers[0], answers[1]);
}
