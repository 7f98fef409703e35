//! A person renamed in the directory keeps everything: their records are keyed by a
//! stable id, not by the user ID (docs/ARCHITECTURE.md, "Where a change goes").

use super::*;
use sspr_server::store::DirectoryStore;

#[tokio::test]
async fn a_renamed_person_resets_with_the_methods_they_had() {
    let h = Harness::new(POLICY).await;
    let secret = h.person("ada@contoso.example").await;
    h.person("bob@contoso.example").await;
    let store = &h.services.store;
    let renamed = store
        .rename_user("ada@contoso.example", "ada.lovelace@contoso.example", START)
        .await
        .unwrap();
    assert!(renamed);

    // Under the new ID: the same e-mail address and authenticator app prove it's her.
    let flow = h.email_proven("ada.lovelace@contoso.example").await;
    h.totp_proven(&flow, &secret).await;
    let (status, _, json) = h.set_password(&flow, "a brand new passphrase").await;
    assert_eq!(status, StatusCode::OK, "{json}");
    assert!(
        h.directory
            .check_password("ada.lovelace@contoso.example", "a brand new passphrase")
            .await
            .unwrap()
    );
    // The old ID names no one now.
    assert!(
        DirectoryStore::account(store, "ada@contoso.example")
            .await
            .unwrap()
            .is_none()
    );

    // Another person's ID is refused, in any case; a change of case alone is a rename.
    for taken in ["bob@contoso.example", "BOB@contoso.example"] {
        let renamed = store
            .rename_user("ada.lovelace@contoso.example", taken, START)
            .await
            .unwrap();
        assert!(!renamed, "{taken}");
    }
    let renamed = store
        .rename_user(
            "ada.lovelace@contoso.example",
            "Ada.Lovelace@contoso.example",
            START,
        )
        .await
        .unwrap();
    assert!(renamed);
    let account = DirectoryStore::account(store, "ada.lovelace@contoso.example")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(account.user_id, "Ada.Lovelace@contoso.example");
    assert_eq!(account.methods.len(), 3, "e-mail, app and questions kept");
    assert_eq!(account.questions.len(), 3, "answers kept");
}
