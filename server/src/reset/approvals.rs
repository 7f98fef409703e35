//! App notifications in the reset flow (docs/SECURITY.md, "App notifications"): the
//! portal's wait for the answer, the phone's list of requests and its decision, and a
//! report of a prompt the person did not ask for. The challenge that sends a request is
//! [`ResetService::challenge_from`]'s; the rules are `methods::app_notification`'s.
//!
//! The portal learns "approved" or "not approved", never why; an unknown account's decoy
//! flow ends "not approved" after a stable, believable time, counting a failure as a real
//! denial or timeout does (equal work: the same store calls).

use super::{FlowKey, ResetError, ResetService, messages};
use crate::methods::app_notification::{self, Answer};
use crate::methods::{Proving, proving};
use crate::store::ResetStore;
use crate::store::records::{
    ApprovalRecord, DeviceRecord, FlowMethod, FlowRecord, PromptsReported, ProofAttempt,
    ProofOutcome,
};
use sspr_api::MethodKind;
use sspr_api::authenticator::{
    ApprovalRequest, ApprovalRequests, ApprovalState, ApprovalStatus, DecideRequest, Decided,
    Decision,
};
use std::time::Duration;

/// How often the portal's wait reads the request when nothing woke it: an answer given
/// to another instance, or the end of the wait, is then seen within this time. An answer
/// given to this instance wakes the wait at once.
const POLL: Duration = Duration::from_secs(1);

impl<S: ResetStore> ResetService<S> {
    /// When an open request's wait ends without an approval: its timeout, or for a decoy
    /// (which nobody answers) the stable moment its "person" says no.
    fn approval_due(&self, flow: &FlowRecord, request: &ApprovalRecord) -> u64 {
        match flow.user {
            Some(_) => request.expires_at,
            None => {
                let subject = super::device::account_subject(&flow.subject);
                let end = app_notification::decoy_end(&self.keys.decoy, subject, &flow.id);
                (request.created_at + end).min(request.expires_at)
            }
        }
    }

    /// Settles an open request as not approved (its wait is over, or the person denied or
    /// reported it): a failure on the account and the method, as a wrong code is. `Ok` with
    /// the store's outcome.
    async fn fail_approval(
        &self,
        flow: &FlowRecord,
        method: &FlowMethod,
        request: &ApprovalRecord,
        now: u64,
    ) -> Result<ProofOutcome, ResetError> {
        let notice = self.owner_notice(flow, now).await?;
        let check =
            app_notification::checker(request.id.clone(), request.device, Answer::Fail, now);
        let outcome = self
            .store
            .attempt_proof(
                self.approval_attempt(flow, method, now),
                self.limits(),
                check,
                notice,
            )
            .await?;
        if matches!(outcome, ProofOutcome::Locked { .. }) {
            // The owner may have just been told.
            self.wake_outbox();
        }
        self.approvals.notify_waiters();
        Ok(outcome)
    }

    fn approval_attempt(&self, flow: &FlowRecord, method: &FlowMethod, now: u64) -> ProofAttempt {
        ProofAttempt {
            flow_id: flow.id.clone(),
            method_id: method.id.clone(),
            source: Proving::Approval,
            now,
        }
    }

    /// A request of the flow's method whose wait ended unanswered counts now, before
    /// another is sent (the portal's wait counts it when it sees the end first).
    pub(super) async fn settle_overdue(
        &self,
        flow: &FlowRecord,
        method: &FlowMethod,
        now: u64,
    ) -> Result<(), ResetError> {
        if let Some(request) = self.store.approval(&flow.id, &method.id).await?
            && request.settled_at.is_none()
            && now >= self.approval_due(flow, &request)
        {
            self.fail_approval(flow, method, &request, now).await?;
        }
        Ok(())
    }

    /// Settles every app-notification request of the flow whose wait is over, before the
    /// flow's counters are read or moved (the flow, a proof, a challenge): a decoy's "no"
    /// then counts from its moment as a real denial counts from the person's, so the tries
    /// left and the pauses tell no more than "not approved" already does.
    pub(super) async fn settle_flow(&self, flow: &FlowRecord, now: u64) -> Result<(), ResetError> {
        for method in &flow.methods {
            if method.kind == MethodKind::AppNotification {
                self.settle_overdue(flow, method, now).await?;
            }
        }
        Ok(())
    }

    /// `GET .../methods/{method}/approval`: the state of the method's newest request,
    /// answered as soon as it is not waiting, or after `wait` at most.
    pub async fn approval_status(
        &self,
        key: FlowKey<'_>,
        method_id: &str,
        wait: Duration,
    ) -> Result<ApprovalStatus, ResetError> {
        let (flow, method, proving) = self.live_method(key, method_id).await?;
        if proving != Proving::Approval {
            return Err(ResetError::InvalidProof(
                "only an app notification is waited for",
            ));
        }
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            // Listening before the read: an answer settled after it still wakes this wait.
            let settled = self.approvals.notified();
            tokio::pin!(settled);
            settled.as_mut().enable();
            let now = self.clock.now();
            let status = match self.store.approval(&flow.id, &method.id).await? {
                None => not_approved(),
                Some(request) if request.settled_at.is_some() => {
                    if request.approved {
                        ApprovalStatus {
                            state: ApprovalState::Approved,
                            seconds_left: 0,
                        }
                    } else {
                        not_approved()
                    }
                }
                Some(request) if now >= self.approval_due(&flow, &request) => {
                    self.fail_approval(&flow, &method, &request, now).await?;
                    not_approved()
                }
                Some(request) => ApprovalStatus {
                    state: ApprovalState::Waiting,
                    seconds_left: request.expires_at.saturating_sub(now),
                },
            };
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            if status.state != ApprovalState::Waiting || left.is_zero() {
                return Ok(status);
            }
            tokio::select! {
                () = &mut settled => {}
                () = tokio::time::sleep(left.min(POLL)) => {}
            }
        }
    }

    /// `GET /api/v1/authenticator/requests`: the device's open requests, newest first.
    pub async fn device_requests(
        &self,
        device: &DeviceRecord,
    ) -> Result<ApprovalRequests, ResetError> {
        let now = self.clock.now();
        let requests = self
            .store
            .device_approvals(device.method, now)
            .await?
            .into_iter()
            .filter(|request| request.user == Some(device.user))
            .map(|request| ApprovalRequest {
                seconds_left: request.expires_at.saturating_sub(now),
                request_id: request.id,
                user_id: request.user_id.unwrap_or_default(),
                client_ip: request.client_ip,
                browser: request.browser,
                requested_at: request.created_at,
                numbers: request.numbers,
            })
            .collect();
        Ok(ApprovalRequests { requests })
    }

    /// `POST /api/v1/authenticator/requests/{id}`: the device's answer. Only the open
    /// request of this device's own person, in time, can be approved, once; a report is
    /// taken after a denial or a timeout too.
    pub async fn decide(
        &self,
        device: &DeviceRecord,
        request_id: &str,
        decision: DecideRequest,
    ) -> Result<Decided, ResetError> {
        let now = self.clock.now();
        let answer = match decision.decision {
            Decision::Approve => Answer::Approve(decision.number.ok_or(
                ResetError::InvalidProof("approving needs the number chosen"),
            )?),
            Decision::Deny | Decision::Report => Answer::Fail,
        };
        let reporting = decision.decision == Decision::Report;
        let request = self
            .store
            .approval_by_id(request_id)
            .await?
            .filter(|r| r.device == Some(device.method) && r.user == Some(device.user))
            .ok_or(ResetError::ApprovalNotFound)?;
        let flow = self
            .store
            .flow(&request.flow_id)
            .await?
            .ok_or(ResetError::ApprovalNotFound)?;
        let method = flow
            .method(&request.method_id)
            .filter(|m| proving(m.kind) == Some(Proving::Approval))
            .cloned()
            .ok_or(ResetError::ApprovalNotFound)?;
        let state = if request.settled_at.is_some() {
            // Decided before: a replay, unless it says now that it was not them.
            if !reporting || request.approved {
                return Err(ResetError::ApprovalNotFound);
            }
            ApprovalState::NotApproved
        } else if now >= request.expires_at {
            // Too late to approve: the timeout counts (once), the answer does not.
            self.fail_approval(&flow, &method, &request, now).await?;
            if !reporting {
                return Err(ResetError::ApprovalNotFound);
            }
            ApprovalState::NotApproved
        } else {
            let notice = self.owner_notice(&flow, now).await?;
            let check = app_notification::checker(request.id.clone(), request.device, answer, now);
            let attempt = self.approval_attempt(&flow, &method, now);
            match self
                .store
                .attempt_proof(attempt, self.limits(), check, notice)
                .await?
            {
                ProofOutcome::Verified => ApprovalState::Approved,
                ProofOutcome::Wrong { .. } => ApprovalState::NotApproved,
                ProofOutcome::Locked { .. } => {
                    self.wake_outbox();
                    ApprovalState::NotApproved
                }
                ProofOutcome::CodeExpired | ProofOutcome::FlowGone if reporting => {
                    ApprovalState::NotApproved
                }
                ProofOutcome::CodeExpired | ProofOutcome::FlowGone => {
                    return Err(ResetError::ApprovalNotFound);
                }
            }
        };
        // The portal waiting on this request sees the answer now.
        self.approvals.notify_waiters();
        if reporting {
            self.report(&flow, &request, now).await?;
        }
        Ok(Decided { state })
    }

    /// "I did not ask for this": the owner is told at their addresses, and the prompts of
    /// the flow's scope (where the unwanted one came from: an attacker's is the account's
    /// anonymous scope) stop until a reset or an administrator lifts the pause. The owner's
    /// recognised browsers keep their own scopes.
    async fn report(
        &self,
        flow: &FlowRecord,
        request: &ApprovalRecord,
        now: u64,
    ) -> Result<(), ResetError> {
        let account = self
            .store
            .account_by_id(flow.user.unwrap_or(-1))
            .await?
            .ok_or(ResetError::ApprovalNotFound)?;
        let messages = super::addresses(&account)
            .iter()
            .map(|address| {
                messages::approval_reported(
                    &self.keys.outbox,
                    crate::texts::Language::of(account.preferred_locale.as_deref()),
                    &self.organisation,
                    &request.id,
                    address,
                    &account.user_id,
                )
            })
            .collect();
        self.store
            .report_prompts(PromptsReported {
                subject: flow.subject.clone(),
                kind: MethodKind::AppNotification,
                messages,
                user_id: account.user_id.clone(),
                now,
            })
            .await?;
        self.wake_outbox();
        Ok(())
    }
}

fn not_approved() -> ApprovalStatus {
    ApprovalStatus {
        state: ApprovalState::NotApproved,
        seconds_left: 0,
    }
}
