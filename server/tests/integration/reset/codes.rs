//! Codes (5.3).

use super::*;

#[tokio::test]
async fn codes_are_stored_hashed_single_use_bound_to_their_flow_and_expire() {
    let h = Harness::new(POLICY).await;
    h.person("adele@contoso.example").await;
    let flow = h.start("adele@contoso.example").await;
    let (status, _, sent) = h.challenge(&flow, "email").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(sent["code_expires_in_seconds"], 600);
    assert_eq!(sent["code_length"], 8);
    let code = h.last_code("ade@home.example").await;
    assert_eq!(code.len(), 8);
    // The database holds neither the code nor the message carrying it in clear.
    let bytes = h.database_bytes();
    assert!(
        !bytes.windows(code.len()).any(|w| w == code.as_bytes()),
        "plaintext code in the database"
    );

    // Bound to the flow: useless in another flow of the same person.
    let other = h.start("adele@contoso.example").await;
    h.clock().advance(1);
    assert_eq!(h.challenge(&other, "email").await.0, StatusCode::OK);
    let (status, _, json) = h.code(&other, &code).await;
    assert_eq!(
        (status, json["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("code_incorrect"))
    );

    // Right in its own flow, once.
    let (status, _, json) = h.code(&flow, &code).await;
    assert_eq!(status, StatusCode::OK, "{json}");
    assert_eq!(json["verified"], json!([flow.method("email")]));
    // Spent: its hash is gone from the database, so it can never be checked again.
    let stored = h.sql(&format!(
        "SELECT CASE WHEN code_hash IS NULL THEN 'gone' ELSE 'kept' END
         FROM reset_challenges WHERE flow_id = '{}'",
        flow.id()
    ));
    assert_eq!(stored, [["gone"]]);

    // Expiry: ten minutes. `early` is sent 31 s before `late`.
    let early = h.start("adele@contoso.example").await;
    h.clock().advance(31);
    assert_eq!(h.challenge(&early, "email").await.0, StatusCode::OK);
    let early_code = h.last_code("ade@home.example").await;
    let late = h.start("adele@contoso.example").await;
    h.clock().advance(31);
    assert_eq!(h.challenge(&late, "email").await.0, StatusCode::OK);
    let late_code = h.last_code("ade@home.example").await;
    // `early` one second before its ten minutes are up: still good.
    h.clock().advance(568);
    let (status, _, json) = h.code(&early, &early_code).await;
    assert_eq!(status, StatusCode::OK, "{json}");
    // `late` at exactly ten minutes: dead.
    h.clock().advance(32);
    let (status, _, json) = h.code(&late, &late_code).await;
    assert_eq!(
        (status, json["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("code_expired"))
    );
}
