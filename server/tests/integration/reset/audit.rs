//! Audit (5.11).

use super::*;

#[tokio::test]
async fn security_events_are_audited_without_secrets() {
    let h = Harness::new(&format!("{POLICY}\n[policy.lockout]\nsends_per_hour = 1\n")).await;
    let secret = h.person("pat@contoso.example").await;
    let flow = h.start("pat@contoso.example").await;
    assert_eq!(h.challenge(&flow, "email").await.0, StatusCode::OK);
    let code = h.last_code("pat@home.example").await;
    h.code(&flow, "00000000").await;
    assert_eq!(h.code(&flow, &code).await.0, StatusCode::OK);
    h.totp_proven(&flow, &secret).await;
    h.set_password(&flow, "a secret new passphrase").await;
    // A second flow hits the hourly send limit.
    let again = h.start("pat@contoso.example").await;
    assert_eq!(
        h.challenge(&again, "email").await.0,
        StatusCode::TOO_MANY_REQUESTS
    );
    h.start("nobody@contoso.example").await;

    let rows: Vec<(String, String, String)> = h
        .sql("SELECT event, coalesce(subject, ''), coalesce(detail, '') FROM audit_log ORDER BY id")
        .into_iter()
        .map(|row| (row[0].clone(), row[1].clone(), row[2].clone()))
        .collect();
    let events: Vec<&str> = rows.iter().map(|(event, _, _)| event.as_str()).collect();
    for expected in [
        "reset_flow_started",
        "reset_proof_failed",
        "reset_method_verified",
        "password_reset",
        "reset_send_limit_reached",
    ] {
        assert!(
            events.contains(&expected),
            "{expected} missing from {events:?}"
        );
    }
    assert!(rows.contains(&(
        "reset_flow_started".to_owned(),
        sspr_server::reset::decoy::subject(&h.services.keys.decoy, "nobody@contoso.example"),
        "decoy".to_owned()
    )));
    let all = format!("{rows:?}");
    for secret_text in [
        code.as_str(),
        "00000000",
        "a secret new passphrase",
        "Biscuit",
        "lantern",
    ] {
        assert!(!all.contains(secret_text), "{secret_text} in the audit log");
    }
}
