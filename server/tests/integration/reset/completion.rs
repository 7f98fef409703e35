//! Completion (5.10).

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_duplicate_submissions_change_the_password_once_and_notify_once() {
    let h = Harness::new(POLICY).await;
    let secret = h.person("carla@contoso.example").await;
    let flow = h.email_proven("carla@contoso.example").await;
    h.totp_proven(&flow, &secret).await;
    let (a, b, c) = tokio::join!(
        h.set_password(&flow, "the same new passphrase"),
        h.set_password(&flow, "the same new passphrase"),
        h.set_password(&flow, "the same new passphrase"),
    );
    for (status, _, json) in [&a, &b, &c] {
        assert_eq!(*status, StatusCode::OK, "{json}");
    }
    let notices = h
        .messages()
        .await
        .into_iter()
        .filter(|(_, s, _)| s.contains("password was reset"))
        .count();
    assert_eq!(notices, 1);
    let events = h.services.store.recent_audit_events(100).await.unwrap();
    assert_eq!(events.iter().filter(|e| *e == "password_reset").count(), 1);
}

#[tokio::test]
async fn a_fault_inside_the_completing_transaction_leaves_the_old_password_and_sends_nothing() {
    for point in [
        FaultPoint::AfterPasswordWritten,
        FaultPoint::AfterSessionsRevoked,
        FaultPoint::AfterMessagesQueued,
    ] {
        let h = Harness::new(POLICY).await;
        let secret = h.person("fay@contoso.example").await;
        let flow = h.email_proven("fay@contoso.example").await;
        h.totp_proven(&flow, &secret).await;
        let before = h.messages().await.len();
        h.services.store.arm_fault(Some(point));
        let (status, _, json) = h.set_password(&flow, "a brand new passphrase").await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{point:?}");
        assert_eq!(json["code"], "service_unavailable");
        assert!(
            h.directory
                .check_password("fay@contoso.example", "lantern harbour seventeen")
                .await
                .unwrap(),
            "{point:?}"
        );
        assert_eq!(
            h.messages().await.len(),
            before,
            "{point:?}: a notification escaped"
        );
        // Retrying once the fault is gone completes the reset.
        h.services.store.arm_fault(None);
        assert_eq!(
            h.set_password(&flow, "a brand new passphrase").await.0,
            StatusCode::OK
        );
        assert!(
            h.directory
                .check_password("fay@contoso.example", "a brand new passphrase")
                .await
                .unwrap()
        );
    }
}

#[tokio::test]
async fn a_relay_that_is_down_never_fails_a_reset_and_gets_each_message_once_later() {
    let h = Harness::new(POLICY).await;
    let relay = FakeSmtp::start(Mode::Down).await;
    let worker = h.worker(relay.port);
    let secret = h.person("nina@contoso.example").await;
    let flow = h.email_proven("nina@contoso.example").await;
    h.totp_proven(&flow, &secret).await;
    let (status, _, json) = h.set_password(&flow, "a brand new passphrase").await;
    assert_eq!(status, StatusCode::OK, "{json}");
    assert!(
        h.directory
            .check_password("nina@contoso.example", "a brand new passphrase")
            .await
            .unwrap()
    );
    let queued = h.messages().await.len();
    assert_eq!(queued, 2, "the code and the notification");

    // Down: every message is tried, none is lost, none is given up.
    let pass = worker.deliver_due().await.unwrap();
    assert_eq!(
        pass,
        Pass {
            sent: 0,
            retrying: queued,
            given_up: 0
        }
    );
    assert!(relay.connections() >= queued);
    assert!(relay.received().is_empty());
    // Not due again before the wait is over, even once the relay is back.
    relay.set_mode(Mode::Up);
    assert_eq!(worker.deliver_due().await.unwrap(), Pass::default());
    h.clock().advance(15);
    let pass = worker.deliver_due().await.unwrap();
    assert_eq!(pass.sent, queued);
    // Later passes send nothing again.
    h.clock().advance(3600);
    assert_eq!(worker.deliver_due().await.unwrap(), Pass::default());

    let received = relay.received();
    assert_eq!(received.len(), queued);
    let notices: Vec<_> = received
        .iter()
        .filter(|m| m.data.contains("password was reset"))
        .collect();
    assert_eq!(notices.len(), 1, "{received:?}");
    assert_eq!(notices[0].to, ["<nin@home.example>"]);
    assert!(
        notices[0].data.contains("Message-ID: <"),
        "{}",
        notices[0].data
    );
    assert!(
        notices[0].data.contains("Contoso IT")
            && notices[0].data.contains("<no-reply@contoso.example>"),
        "{}",
        notices[0].data
    );
}

#[tokio::test]
async fn a_message_the_relay_refuses_for_good_is_given_up_at_once() {
    let h = Harness::new(POLICY).await;
    let relay = FakeSmtp::start(Mode::RefuseRecipients).await;
    let worker = h.worker(relay.port);
    h.person("omar@contoso.example").await;
    let flow = h.start("omar@contoso.example").await;
    assert_eq!(h.challenge(&flow, "email").await.0, StatusCode::OK);
    let pass = worker.deliver_due().await.unwrap();
    assert_eq!(
        pass,
        Pass {
            sent: 0,
            retrying: 0,
            given_up: 1
        }
    );
    h.clock().advance(3600);
    assert_eq!(worker.deliver_due().await.unwrap(), Pass::default());
    assert_eq!(relay.connections(), 1);
}

#[tokio::test]
async fn an_administrator_reset_tells_the_other_administrators() {
    let h = Harness::new(POLICY).await;
    for (user_id, email) in [
        ("adm1@contoso.example", "one@admins.example"),
        ("adm2@contoso.example", "two@admins.example"),
    ] {
        h.services
            .store
            .create_user_if_missing(&NewUser {
                user_id,
                display_name: "Admin",
                email: Some(email),
                is_admin: true,
                groups: &["sspr-users"],
            })
            .await
            .unwrap();
        h.directory
            .add_email(user_id, &format!("{}@home.example", &user_id[..3]))
            .await
            .unwrap();
    }
    let secret = h
        .directory
        .add_totp("adm1@contoso.example", None)
        .await
        .unwrap();
    h.directory
        .add_totp("adm2@contoso.example", None)
        .await
        .unwrap();
    // An administrator known only by an e-mail method is told too.
    h.services
        .store
        .create_user_if_missing(&NewUser {
            user_id: "adm3@contoso.example",
            display_name: "Admin Three",
            email: None,
            is_admin: true,
            groups: &[],
        })
        .await
        .unwrap();
    h.directory
        .add_email("adm3@contoso.example", "three@admins.example")
        .await
        .unwrap();
    // Each is told in their own account's language, not the one resetting's.
    h.sql("UPDATE users SET preferred_locale = 'es' WHERE user_id = 'adm2@contoso.example'");
    let flow = h.email_proven("adm1@contoso.example").await;
    h.totp_proven(&flow, &secret).await;
    assert_eq!(
        h.set_password(&flow, "a brand new passphrase").await.0,
        StatusCode::OK
    );
    let messages = h.messages().await;
    let subject_to = |to: &str| {
        messages
            .iter()
            .find(|(rcpt, _, _)| rcpt == to)
            .map(|(_, subject, _)| subject.clone())
            .unwrap_or_default()
    };
    let es: Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/locales/es.json")).unwrap(),
    )
    .unwrap();
    let spanish = es["email"]["admin_reset"]["subject"]
        .as_str()
        .unwrap()
        .replace("{{ organisation }}", "Contoso");
    assert_eq!(subject_to("two@admins.example"), spanish);
    assert_eq!(
        subject_to("three@admins.example"),
        "Contoso: an administrator’s password was reset"
    );
    let recipients: Vec<String> = h
        .messages()
        .await
        .into_iter()
        .skip(1)
        .map(|(to, _, _)| to)
        .collect();
    assert!(recipients.contains(&"one@admins.example".to_owned()));
    assert!(recipients.contains(&"adm@home.example".to_owned()));
    assert!(
        recipients.contains(&"two@admins.example".to_owned()),
        "{recipients:?}"
    );
    assert!(
        recipients.contains(&"three@admins.example".to_owned()),
        "{recipients:?}"
    );
}

#[tokio::test]
async fn completion_signs_every_session_out_bumps_the_credential_version_and_signs_nobody_in() {
    let h = Harness::new(POLICY).await;
    let secret = h.person("lou@contoso.example").await;
    h.person("max@contoso.example").await;
    for (user, id) in [
        ("lou@contoso.example", 1u8),
        ("lou@contoso.example", 2),
        ("max@contoso.example", 3),
    ] {
        h.sql(&format!(
            "INSERT INTO sessions (id_hash, user_id, created_at, expires_at)
             SELECT {}, id, 0, 9999999999 FROM users WHERE user_id = '{user}'",
            h.blob_literal(&[id; 32])
        ));
    }
    let number = |sql: String| -> i64 { h.sql(&sql)[0][0].parse().unwrap() };
    let version = |user: &str| -> i64 {
        number(format!(
            "SELECT credential_version FROM users WHERE user_id = '{user}'"
        ))
    };
    let sessions = |user: &str| -> i64 {
        number(format!(
            "SELECT count(*) FROM sessions s JOIN users u ON u.id = s.user_id
             WHERE u.user_id = '{user}'"
        ))
    };
    let before = version("lou@contoso.example");
    let flow = h.email_proven("lou@contoso.example").await;
    h.totp_proven(&flow, &secret).await;
    let (status, headers, json) = h.set_password(&flow, "a brand new passphrase").await;
    assert_eq!(status, StatusCode::OK, "{json}");
    assert_eq!(json["sessions_signed_out"], true);
    assert_eq!(json["notification_sent"], true);
    // The only cookie is the one that recognises this browser for later resets; it
    // signs nobody in (no session row, below).
    let cookies: Vec<_> = headers.get_all("set-cookie").iter().collect();
    assert_eq!(cookies.len(), 1, "{cookies:?}");
    assert!(
        cookies[0]
            .to_str()
            .unwrap()
            .starts_with("__Host-sspr-device="),
        "signed in by a reset: {cookies:?}"
    );
    assert_eq!(version("lou@contoso.example"), before + 1);
    assert_eq!(sessions("lou@contoso.example"), 0);
    assert_eq!(
        sessions("max@contoso.example"),
        1,
        "someone else signed out"
    );
}

#[tokio::test]
async fn a_completed_flow_answers_a_repeat_only_while_it_lasts_and_counts_wrong_guesses() {
    let h = Harness::new(POLICY).await;
    let secret = h.person("gus@contoso.example").await;
    let flow = h.email_proven("gus@contoso.example").await;
    h.totp_proven(&flow, &secret).await;
    assert_eq!(
        h.set_password(&flow, "the chosen passphrase").await.0,
        StatusCode::OK
    );
    // The same password again: the same answer (a retry after a lost response).
    let (status, _, json) = h.set_password(&flow, "the chosen passphrase").await;
    assert_eq!(status, StatusCode::OK, "{json}");
    // Guesses at the new password count like any failure, until the account locks.
    for _ in 0..9 {
        let (status, _, json) = h.set_password(&flow, "some other guess 1").await;
        assert_eq!(json["code"], "flow_completed", "{status}");
    }
    h.set_password(&flow, "some other guess 2").await;
    let (status, _, json) = h.set_password(&flow, "the chosen passphrase").await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{json}");
    assert_eq!(json["code"], "account_locked");
    assert_eq!(json["retry_after_seconds"], 15 * 60);
    // Once the flow is over, it tells nothing at all.
    h.clock().advance(20 * 60);
    let (_, _, json) = h.set_password(&flow, "the chosen passphrase").await;
    assert_eq!(json["code"], "flow_not_found");
}

#[tokio::test]
async fn an_account_disabled_during_its_flow_cannot_complete_it() {
    let h = Harness::new(POLICY).await;
    let secret = h.person("hal@contoso.example").await;
    let flow = h.email_proven("hal@contoso.example").await;
    h.totp_proven(&flow, &secret).await;
    h.services
        .store
        .set_enabled("hal@contoso.example", false, START)
        .await
        .unwrap();
    let (status, _, json) = h.set_password(&flow, "a brand new passphrase").await;
    assert_eq!(json["code"], "flow_not_found", "{status}");
    assert!(
        h.directory
            .check_password("hal@contoso.example", "lantern harbour seventeen")
            .await
            .unwrap()
    );
    assert!(
        h.messages()
            .await
            .iter()
            .all(|(_, subject, _)| !subject.contains("password was reset"))
    );
}

#[tokio::test]
async fn a_flow_expires_twenty_minutes_after_it_started() {
    let h = Harness::new(POLICY).await;
    let secret = h.person("ivy@contoso.example").await;
    let flow = h.email_proven("ivy@contoso.example").await;
    h.clock().advance(20 * 60 - 1);
    h.totp_proven(&flow, &secret).await;
    h.clock().advance(1);
    for (status, _, json) in [
        h.set_password(&flow, "a brand new passphrase").await,
        h.get_flow(&flow).await,
    ] {
        assert_eq!(status, StatusCode::NOT_FOUND, "{json}");
        assert_eq!(json["code"], "flow_not_found");
    }
}

#[tokio::test]
async fn two_addresses_of_one_kind_never_count_as_two_methods() {
    let h = Harness::new(POLICY).await;
    h.user("jo@contoso.example", false, &["sspr-users"]).await;
    for address in ["jo@home.example", "jo@work.example"] {
        h.directory
            .add_email("jo@contoso.example", address)
            .await
            .unwrap();
    }
    // Two methods required, one kind registered: a decoy, which sends nothing anywhere.
    let flow = h.start("jo@contoso.example").await;
    if flow.kinds().contains(&"email".to_owned()) {
        assert_eq!(h.challenge(&flow, "email").await.0, StatusCode::OK);
    }
    assert!(h.messages().await.is_empty());
    // With an app too, e-mail is offered once (the first address).
    h.directory
        .add_totp("jo@contoso.example", None)
        .await
        .unwrap();
    let flow = h.start("jo@contoso.example").await;
    assert_eq!(flow.kinds(), ["app_code", "email"]);
}
