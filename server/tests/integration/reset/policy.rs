//! Policy (3).

use super::*;

#[tokio::test]
async fn administrators_need_two_methods_and_never_get_questions() {
    let h = Harness::new(POLICY).await;
    h.user("boss@contoso.example", true, &["sspr-users"]).await;
    h.directory
        .add_email("boss@contoso.example", "bos@home.example")
        .await
        .unwrap();
    h.directory
        .set_answers(
            "boss@contoso.example",
            &[
                ("birth_city".into(), "a".into()),
                ("first_pet".into(), "b".into()),
                ("first_school".into(), "c".into()),
            ],
            3,
        )
        .await
        .unwrap();
    // E-mail and questions only: not enough for an administrator, so a decoy (no message).
    let flow = h.start("boss@contoso.example").await;
    assert_eq!(flow.0["methods_required"], 2);
    if flow.kinds().contains(&"email".to_owned()) {
        h.challenge(&flow, "email").await;
    }
    assert!(h.messages().await.is_empty());
    // With an authenticator app too, the real methods appear, without questions.
    h.directory
        .add_totp("boss@contoso.example", None)
        .await
        .unwrap();
    let flow = h.start("boss@contoso.example").await;
    // Listed in the order of kinds, as decoys are.
    assert_eq!(flow.kinds(), ["app_code", "email"]);
}

#[tokio::test]
async fn one_method_policies_let_people_in_with_a_single_proof() {
    let h = Harness::new(
        "[captcha]\nmax_number = 1000\n[policy]\nscope = \"all\"\nmethods_required = 1\nmethods = [\"email\", \"app_code\"]",
    )
    .await;
    h.person("una@contoso.example").await;
    let flow = h.email_proven("una@contoso.example").await;
    let (status, _, json) = h.set_password(&flow, "a brand new passphrase").await;
    assert_eq!(status, StatusCode::OK, "{json}");
}
