//! What goes to a phone: the texts of codes and calls, and how they are sealed in the
//! outbox (a small JSON body, so a call's reference travels sealed with its script).

use crate::crypto::keys::Key;
use crate::crypto::sealed;
use crate::phone::{Outbound, OutboundChannel};
use crate::store::records::{MessageChannel, NewMessage, QueuedMessage};
use crate::texts::{Language, message};
use serde::{Deserialize, Serialize};

/// A phone message's sealed body.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Body {
    text: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    call: Option<String>,
    /// The BCP 47 tag of the language `text` was written in, so that a call is spoken,
    /// and answers its key press, in it. Absent in bodies sealed before it was kept:
    /// English.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    language: Option<String>,
}

/// A code by text, WhatsApp or voice. A voice call reads the digits one by one.
#[allow(clippy::too_many_arguments)]
pub fn code(
    key: &Key,
    language: Language,
    channel: OutboundChannel,
    organisation: &str,
    dedupe_key: String,
    number: &str,
    code: &str,
    expires_at: u64,
) -> NewMessage {
    let text = match channel {
        OutboundChannel::Voice => {
            let digits = spaced(code);
            message!(language, phone.voice_code, organisation, digits)
        }
        _ => message!(language, phone.text_code, code, organisation),
    };
    seal(
        key,
        language,
        channel,
        dedupe_key,
        number,
        text,
        None,
        Some(expires_at),
    )
}

/// An office-phone call: the person answers and presses # to confirm it is them.
/// `reference` comes back with the key press.
pub fn confirm_call(
    key: &Key,
    language: Language,
    organisation: &str,
    dedupe_key: String,
    number: &str,
    reference: String,
    expires_at: u64,
) -> NewMessage {
    let text = message!(language, phone.confirm_call, organisation);
    seal(
        key,
        language,
        OutboundChannel::Call,
        dedupe_key,
        number,
        text,
        Some(reference),
        Some(expires_at),
    )
}

fn spaced(code: &str) -> String {
    code.chars()
        .map(String::from)
        .collect::<Vec<_>>()
        .join(", ")
}

#[allow(clippy::too_many_arguments)]
fn seal(
    key: &Key,
    language: Language,
    channel: OutboundChannel,
    dedupe_key: String,
    number: &str,
    text: String,
    call: Option<String>,
    discard_after: Option<u64>,
) -> NewMessage {
    let body = Body {
        text,
        call,
        language: Some(language.tag().to_owned()),
    };
    let body = serde_json::to_vec(&body).unwrap_or_default();
    NewMessage {
        sealed_body: sealed::seal(key, &dedupe_key, &body),
        dedupe_key,
        channel: MessageChannel::Phone(channel),
        recipient: number.to_owned(),
        subject: String::new(),
        discard_after,
    }
}

/// The queued message as the provider is handed it; `None` when its body cannot be opened
/// with this server's key or it is not a phone message.
pub fn outbound(key: &Key, message: &QueuedMessage) -> Option<Outbound> {
    let MessageChannel::Phone(channel) = message.channel else {
        return None;
    };
    let bytes = sealed::open(key, &message.dedupe_key, &message.sealed_body).ok()?;
    let body: Body = serde_json::from_slice(&bytes).ok()?;
    Some(Outbound {
        channel,
        to: message.recipient.clone(),
        text: body.text,
        key: message.dedupe_key.clone(),
        call: body.call,
        language: Language::of(body.language.as_deref()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::keys::ServerKeys;
    use crate::store::records::DeliveryStatus;

    fn queued(new: NewMessage) -> QueuedMessage {
        QueuedMessage {
            id: 1,
            dedupe_key: new.dedupe_key,
            channel: new.channel,
            recipient: new.recipient,
            subject: new.subject,
            sealed_body: new.sealed_body,
            created_at: 0,
            attempts: 0,
            status: DeliveryStatus::Pending,
        }
    }

    #[test]
    fn a_call_carries_the_language_of_its_script() {
        let keys = ServerKeys::ephemeral();
        let german = Language::of(Some("de"));
        let call = confirm_call(
            &keys.outbox,
            german,
            "Contoso",
            "call-1".into(),
            "+442079460000",
            "ref-1".into(),
            100,
        );
        let outbound = outbound(&keys.outbox, &queued(call)).expect("opens");
        assert_eq!(outbound.language, german);
        assert_eq!(outbound.call.as_deref(), Some("ref-1"));
        assert!(outbound.text.contains("Rautetaste"), "{}", outbound.text);
    }

    #[test]
    fn a_body_sealed_without_a_language_is_english() {
        let keys = ServerKeys::ephemeral();
        let mut message = queued(confirm_call(
            &keys.outbox,
            Language::of(Some("ja")),
            "Contoso",
            "call-2".into(),
            "+442079460000",
            "ref-2".into(),
            100,
        ));
        let old = br#"{"text":"This is Contoso.","call":"ref-2"}"#;
        message.sealed_body = sealed::seal(&keys.outbox, &message.dedupe_key, old);
        let outbound = outbound(&keys.outbox, &message).expect("opens");
        assert_eq!(outbound.language, Language::ENGLISH);
        assert_eq!(outbound.text, "This is Contoso.");
    }
}
