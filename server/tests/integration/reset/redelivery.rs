//! The outbox's lease: a worker that dies holding a message keeps every other worker off
//! it until the lease ends, and a message sent again (its first sending never marked, as
//! when a worker dies between the relay's "250 OK" and its own bookkeeping) keeps its
//! Message-ID, so the duplicate can be recognised. docs/ARCHITECTURE.md, "Several
//! instances".

use super::*;
use crate::fake_smtp::Received;
use sspr_server::store::OutboxStore;

fn message_ids(received: &[Received]) -> Vec<String> {
    received
        .iter()
        .map(|m| {
            m.data
                .lines()
                .find_map(|l| l.strip_prefix("Message-ID: "))
                .unwrap()
                .to_owned()
        })
        .collect()
}

#[tokio::test]
async fn a_message_held_by_a_dead_worker_waits_for_its_lease_and_keeps_its_message_id() {
    let h = Harness::new(POLICY).await;
    let relay = FakeSmtp::start(Mode::Up).await;
    h.person("rui@contoso.example").await;
    let flow = h.start("rui@contoso.example").await;
    assert_eq!(h.challenge(&flow, "email").await.0, StatusCode::OK);
    let store = &h.services.store;
    let queued = store
        .due_messages(
            START,
            10,
            vec![sspr_server::store::records::MessageChannel::Email],
        )
        .await
        .unwrap();
    assert_eq!(queued.len(), 1);
    let message = &queued[0];

    // A worker claims it, then dies before sending.
    let lease = sspr_server::delivery::LEASE_SECONDS;
    assert!(
        store
            .claim_message(message.id, START, START + lease)
            .await
            .unwrap()
    );
    // Another worker leaves it alone while the lease lasts...
    let worker = h.worker(relay.port);
    assert_eq!(worker.deliver_due().await.unwrap().sent, 0);
    h.clock().advance(lease - 1);
    assert_eq!(worker.deliver_due().await.unwrap().sent, 0);
    assert!(relay.received().is_empty());
    // ...and sends it once the lease is over.
    h.clock().advance(1);
    assert_eq!(worker.deliver_due().await.unwrap().sent, 1);
    let first = message_ids(&relay.received());
    assert_eq!(first.len(), 1);

    // Sent, but the sending was never recorded (the worker died right after the relay's
    // answer): the next try sends it again, under the same Message-ID.
    h.sql(&format!(
        "UPDATE outbox SET sent_at = NULL, next_attempt_at = {} WHERE id = {}",
        START + lease,
        message.id
    ));
    assert_eq!(worker.deliver_due().await.unwrap().sent, 1);
    let both = message_ids(&relay.received());
    assert_eq!(both.len(), 2);
    assert_eq!(both[0], both[1], "a redelivery keeps its Message-ID");
    let from: lettre::message::Mailbox = "Contoso IT <no-reply@contoso.example>".parse().unwrap();
    assert_eq!(
        both[0],
        sspr_server::delivery::message_id(&message.dedupe_key, &from)
    );
}
