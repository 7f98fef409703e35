//! One module per kind of sign-in method: how it is masked, challenged and proven. The
//! reset flow (and next the security-info page) asks these; adding a kind is a new file
//! here plus the arms the compiler then asks for in [`proving`] and [`hint`] (no `_ =>`
//! arm over method kinds anywhere).
//!
//! - [`sent_code`]: a code the server sends (e-mail, text, WhatsApp, voice);
//! - [`mobile_phone`]: a code by text, WhatsApp or voice call, on the channel chosen;
//! - [`office_phone`]: a call answered with #, no code to type;
//! - [`app_code`]: a TOTP code from an authenticator app;
//! - [`app_notification`]: the authenticator page approves, choosing the portal's number;
//! - [`questions`]: security questions, answered together.

pub mod app_code;
pub mod app_notification;
pub mod mask;
pub mod mobile_phone;
pub mod office_phone;
pub mod questions;
pub mod sent_code;

use crate::store::records::ProofCheck;
use sspr_api::MethodKind;

/// How a kind of method is proven (the store's name for it: what it loads to check).
pub use crate::store::records::ProofSource as Proving;

/// How `kind` is proven, or `None` when this version cannot prove it yet.
pub fn proving(kind: MethodKind) -> Option<Proving> {
    match kind {
        // An office phone's key press proves the code its call carries.
        MethodKind::Email | MethodKind::MobilePhone | MethodKind::OfficePhone => {
            Some(Proving::SentCode)
        }
        MethodKind::AppCode => Some(Proving::Totp),
        MethodKind::SecurityQuestions => Some(Proving::Questions),
        MethodKind::AppNotification => Some(Proving::Approval),
    }
}

/// Whether this server can prove a kind of method yet (policies enabling others are
/// refused at start).
pub fn can_prove(kind: MethodKind) -> bool {
    proving(kind).is_some()
}

/// The masked contact shown for a method (`•••@home.example`, `•••• 12`); none for kinds
/// without a contact. `contact` is the address or number (a decoy passes a made-up one).
pub fn hint(kind: MethodKind, contact: &str) -> Option<String> {
    match kind {
        MethodKind::Email => Some(mask::email(contact)),
        MethodKind::MobilePhone | MethodKind::OfficePhone => Some(mask::phone(contact)),
        MethodKind::AppCode | MethodKind::AppNotification | MethodKind::SecurityQuestions => None,
    }
}

/// A checker's answer: right (with the TOTP step used, to refuse it again) or wrong.
fn verdict(right: bool, totp_step: Option<u64>) -> ProofCheck {
    if right {
        ProofCheck::Right { totp_step }
    } else {
        ProofCheck::Wrong
    }
}
