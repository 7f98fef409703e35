//! Codes the server sends (e-mail, text, WhatsApp, voice; an office call carries one): drawn from the OS CSPRNG,
//! stored as a keyed hash bound to their flow and method, compared in constant time
//! (docs/SECURITY.md R3).

use super::verdict;
use crate::crypto::codes;
use crate::crypto::keys::ServerKeys;
use crate::policy::CodePolicy;
use crate::store::interface::ProofChecker;
use crate::store::records::ProofInput;
use std::sync::Arc;

/// A new code for a method of a flow.
pub struct NewCode {
    /// The code itself, for the message only (never stored).
    pub code: String,
    /// Its keyed hash, bound to the flow and method: what the store keeps.
    pub hash: Vec<u8>,
    pub expires_at: u64,
    /// Seconds it lives.
    pub lifetime: u64,
}

/// An e-mail address a code can be sent to (the contract crate's rule, the app's too).
pub use sspr_api::method::email_address;

/// What a code is bound to.
fn binding(flow_id: &str, method_id: &str) -> String {
    format!("reset/{flow_id}/{method_id}")
}

/// What the code of a method registration (security-info page) is bound to.
pub fn registration_binding(registration: &str) -> String {
    format!("registration/{registration}")
}

/// Draws a code for `method_id` of `flow_id` at `now`, under the policy's length and
/// lifetime.
pub fn draw(
    keys: &ServerKeys,
    policy: &CodePolicy,
    flow_id: &str,
    method_id: &str,
    now: u64,
) -> NewCode {
    draw_bound(keys, policy, &binding(flow_id, method_id), now)
}

/// Draws a code bound to `binding` at `now`, under the policy's length and lifetime.
pub fn draw_bound(keys: &ServerKeys, policy: &CodePolicy, binding: &str, now: u64) -> NewCode {
    let code = codes::generate(policy.length);
    let lifetime = u64::from(policy.lifetime_minutes) * 60;
    let hash = codes::hash(&keys.codes, binding, &code).to_vec();
    NewCode {
        code,
        hash,
        expires_at: now + lifetime,
        lifetime,
    }
}

/// Checks a typed code against the live code's hash. A decoy compares like a real flow
/// and is never right.
pub fn checker(
    keys: Arc<ServerKeys>,
    flow_id: &str,
    method_id: &str,
    typed: String,
    decoy: bool,
) -> ProofChecker {
    let binding = binding(flow_id, method_id);
    Box::new(move |input: &ProofInput| {
        let right = input
            .code_hash
            .as_deref()
            .is_some_and(|hash| codes::verify(&keys.codes, &binding, &typed, hash));
        verdict(right && !decoy, None)
    })
}
