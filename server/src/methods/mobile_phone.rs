//! A mobile phone: a code by text, WhatsApp or voice call, on the channel the person
//! chooses among the policy's (`[policy.phone] mobile_channels`). The code itself follows
//! [`super::sent_code`]'s rules (length, lifetime, tries, send limits), as e-mail's does.

use crate::phone::OutboundChannel;
use sspr_api::method::PhoneChannel;

/// Where a decoy's code is "sent": a number no provider delivers to (the message is
/// sealed like a real one, then never queued).
pub const DECOY_NUMBER: &str = "+10000000000";

/// The channel a code goes out on: the one asked for when the policy offers it, the
/// policy's first when none was asked for; `None` when the one asked for is not offered.
pub fn channel(offered: &[PhoneChannel], asked: Option<PhoneChannel>) -> Option<PhoneChannel> {
    match asked {
        Some(asked) => offered.contains(&asked).then_some(asked),
        None => offered.first().copied(),
    }
}

/// The outbox channel of a mobile phone's code.
pub fn outbound(channel: PhoneChannel) -> OutboundChannel {
    match channel {
        PhoneChannel::Sms => OutboundChannel::Sms,
        PhoneChannel::Whatsapp => OutboundChannel::Whatsapp,
        PhoneChannel::Voice => OutboundChannel::Voice,
    }
}

/// The name the send limits count under: each channel has its own hourly allowance.
pub fn send_channel(channel: PhoneChannel) -> String {
    format!("mobile_phone:{}", channel.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_channel_asked_for_must_be_offered() {
        let offered = [PhoneChannel::Sms, PhoneChannel::Voice];
        assert_eq!(channel(&offered, None), Some(PhoneChannel::Sms));
        assert_eq!(
            channel(&offered, Some(PhoneChannel::Voice)),
            Some(PhoneChannel::Voice)
        );
        assert_eq!(channel(&offered, Some(PhoneChannel::Whatsapp)), None);
        assert_eq!(channel(&[], None), None);
    }
}
