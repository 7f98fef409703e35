//! The demo provider: nothing leaves the machine. Every text, WhatsApp message and call
//! the outbox hands it lands on the phone simulator (`/dev/phone`, demo mode, loopback
//! only, like the dev outbox), where a call rings with Answer / Press # / Hang up buttons.
//! Pressing # reports the key press to the reset flow exactly as a real provider's
//! callback would, so the demo walks the same path as production.

use super::Telephony;
use super::provider::{BoxFuture, CallConfirmation, CallSink, Outbound, OutboundChannel};
use crate::delivery::SendFailure;
use axum::Router;
use sspr_api::dev::DevPhoneItem;
use std::collections::VecDeque;
use std::sync::{Arc, Mutex, OnceLock};

/// Items the simulator keeps (newest first).
const KEPT: usize = 50;

/// Where a simulated call is (the wire's name for it).
pub use sspr_api::dev::DevCallState as CallState;

/// One thing the simulated phone received, with the reference its key press reports.
#[derive(Debug, Clone)]
struct PhoneItem {
    shown: DevPhoneItem,
    reference: Option<String>,
}

/// A button on a ringing call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallAction {
    Answer,
    PressHash,
    HangUp,
}

impl CallAction {
    pub fn parse(name: &str) -> Option<CallAction> {
        match name {
            "answer" => Some(CallAction::Answer),
            "press-hash" => Some(CallAction::PressHash),
            "hang-up" => Some(CallAction::HangUp),
            _ => None,
        }
    }
}

/// The demo provider and its simulator's state.
pub struct DemoPhone {
    items: Mutex<(u64, VecDeque<PhoneItem>)>,
    sink: OnceLock<Arc<dyn CallSink>>,
    clock: crate::clock::Clock,
}

impl DemoPhone {
    pub fn new(clock: crate::clock::Clock) -> DemoPhone {
        DemoPhone {
            items: Mutex::new((0, VecDeque::new())),
            sink: OnceLock::new(),
            clock,
        }
    }

    /// What the phone received, newest first.
    pub fn items(&self) -> Vec<DevPhoneItem> {
        match self.items.lock() {
            Ok(items) => items.1.iter().map(|item| item.shown.clone()).collect(),
            Err(_) => Vec::new(),
        }
    }

    /// Presses a button on call `id`; the call's state after it, `None` when there is no
    /// such call or the button does nothing in its state.
    pub async fn act(&self, id: u64, action: CallAction) -> Option<CallState> {
        let reference = {
            let mut items = self.items.lock().ok()?;
            let item = items.1.iter_mut().find(|item| item.shown.id == id)?;
            let state = item.shown.call?;
            let next = match (state, action) {
                (CallState::Ringing, CallAction::Answer) => CallState::Answered,
                (CallState::Ringing | CallState::Answered, CallAction::HangUp) => CallState::HungUp,
                // Pressing # answers a ringing call first, as on a real phone.
                (CallState::Ringing | CallState::Answered, CallAction::PressHash) => {
                    item.reference.clone()?;
                    CallState::Answered
                }
                _ => return None,
            };
            item.shown.call = Some(next);
            if action != CallAction::PressHash {
                return Some(next);
            }
            item.reference.clone()?
        };
        let confirmed = match self.sink.get() {
            Some(sink) => sink.confirmed(&reference).await,
            None => CallConfirmation::Unknown,
        };
        let state = if confirmed == CallConfirmation::Confirmed {
            CallState::Confirmed
        } else {
            CallState::NotConfirmed
        };
        let mut items = self.items.lock().ok()?;
        if let Some(item) = items.1.iter_mut().find(|item| item.shown.id == id) {
            item.shown.call = Some(state);
        }
        Some(state)
    }
}

impl Telephony for DemoPhone {
    fn name(&self) -> &'static str {
        "demo"
    }

    fn send<'a>(&'a self, message: &'a Outbound) -> BoxFuture<'a, Result<(), SendFailure>> {
        Box::pin(async move {
            let mut items = self
                .items
                .lock()
                .map_err(|_| SendFailure::Transient("the simulator is unavailable".into()))?;
            items.0 += 1;
            let item = PhoneItem {
                shown: DevPhoneItem {
                    id: items.0,
                    channel: message.channel.as_str().to_owned(),
                    to: message.to.clone(),
                    text: message.text.clone(),
                    received_at: self.clock.now(),
                    call: (message.channel == OutboundChannel::Call).then_some(CallState::Ringing),
                },
                reference: message.call.clone(),
            };
            items.1.push_front(item);
            items.1.truncate(KEPT);
            Ok(())
        })
    }

    fn callbacks(&self, sink: Arc<dyn CallSink>) -> Option<Router> {
        // The simulator's buttons report through the same sink a provider's callback
        // would; its pages are served by `http::dev_phone`.
        let _ = self.sink.set(sink);
        None
    }
}
