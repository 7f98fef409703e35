//! Password (5.6).

use super::*;

#[tokio::test]
async fn the_new_password_is_checked_then_set_and_the_old_one_stops_working() {
    let h = Harness::new(POLICY).await;
    let secret = h.person("megan@contoso.example").await;
    let flow = h.email_proven("megan@contoso.example").await;
    // One method of two: not yet.
    let (status, _, json) = h.set_password(&flow, "a brand new passphrase").await;
    assert_eq!(
        (status, json["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("not_verified"))
    );
    h.totp_proven(&flow, &secret).await;
    for (password, problem) in [
        ("short", "too_short"),
        ("password1", "common"),
        ("megan@contoso.example!", "contains_personal_info"),
        ("lantern harbour seventeen", "same_as_current"),
    ] {
        let (status, _, json) = h.set_password(&flow, password).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{password}");
        assert_eq!(json["code"], "password_rejected");
        assert!(
            json["password_problems"]
                .as_array()
                .unwrap()
                .contains(&json!(problem)),
            "{password}: {json}"
        );
    }
    let (status, _, json) = h.set_password(&flow, "a brand new passphrase").await;
    assert_eq!(status, StatusCode::OK, "{json}");
    assert_eq!(
        json,
        json!({"notification_sent": true, "sessions_signed_out": true})
    );
    assert!(
        h.directory
            .check_password("megan@contoso.example", "a brand new passphrase")
            .await
            .unwrap()
    );
    assert!(
        !h.directory
            .check_password("megan@contoso.example", "lantern harbour seventeen")
            .await
            .unwrap()
    );
    // The flow is spent: the same password again is answered the same, another is refused.
    assert_eq!(
        h.set_password(&flow, "a brand new passphrase").await.0,
        StatusCode::OK
    );
    let (status, _, json) = h.set_password(&flow, "yet another passphrase").await;
    assert_eq!(
        (status, json["code"].as_str()),
        (StatusCode::CONFLICT, Some("flow_completed"))
    );
    let (_, _, json) = h.get_flow(&flow).await;
    assert_eq!(json["code"], "flow_completed");
    // The person was told.
    let messages = h.messages().await;
    let done: Vec<_> = messages
        .iter()
        .filter(|(_, s, _)| s.contains("password was reset"))
        .collect();
    assert_eq!(done.len(), 1, "{messages:?}");
    assert_eq!(done[0].0, "meg@home.example");
    // A recent password cannot come back either.
    let flow = h.email_proven("megan@contoso.example").await;
    h.clock().advance(30);
    h.totp_proven(&flow, &secret).await;
    let (_, _, json) = h.set_password(&flow, "lantern harbour seventeen").await;
    assert_eq!(json["password_problems"], json!(["same_as_current"]));
}
