//! TOTP (5.4).

use super::*;

#[tokio::test]
async fn totp_accepts_one_step_of_drift_and_never_a_used_step() {
    let h = Harness::new(POLICY).await;
    let secret = h.person("tom@contoso.example").await;
    let now = h.clock().now();
    let flow = h.start("tom@contoso.example").await;
    // Two steps behind: refused.
    let (_, _, json) = h.app_code_at(&flow, &secret, now - 60).await;
    assert_eq!(json["code"], "code_incorrect");
    // One step behind: accepted.
    let (status, _, json) = h.app_code_at(&flow, &secret, now - 30).await;
    assert_eq!(status, StatusCode::OK, "{json}");
    // The same step again, in a new flow: refused.
    let again = h.start("tom@contoso.example").await;
    let (_, _, json) = h.app_code_at(&again, &secret, now - 30).await;
    assert_eq!(json["code"], "code_incorrect");
    // The current step is newer: accepted; then it is used up too.
    let (status, _, _) = h.app_code_at(&again, &secret, now).await;
    assert_eq!(status, StatusCode::OK);
    let third = h.start("tom@contoso.example").await;
    let (_, _, json) = h.app_code_at(&third, &secret, now).await;
    assert_eq!(json["code"], "code_incorrect");
    // Sealed at rest: the raw secret is not in the database.
    assert!(
        !h.database_bytes()
            .windows(20)
            .any(|w| w == secret.as_bytes())
    );
}
