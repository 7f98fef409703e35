//! The reset policy (README, Configuration): who may reset, with how many of which methods,
//! and the limits around codes and lockouts. Read from the `[policy]` table of the
//! configuration; a policy that cannot work is refused at start with a message that says
//! what to change.

use serde::{Deserialize, Serialize};
use sspr_api::MethodKind;
use std::collections::BTreeSet;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// Nobody can reset (the safe default until an administrator decides).
    Disabled,
    /// Members of `policy.group` only.
    Selected,
    /// Everyone in the directory.
    All,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Policy {
    pub scope: Scope,
    /// The group whose members may reset when `scope = "selected"`.
    pub group: Option<String>,
    /// How many different methods a person proves at reset: 1 or 2.
    pub methods_required: u8,
    /// The methods people may register and use.
    pub methods: Vec<MethodKind>,
    pub security_questions: QuestionsPolicy,
    pub registration: RegistrationPolicy,
    pub notifications: NotificationPolicy,
    pub codes: CodePolicy,
    pub lockout: LockoutPolicy,
    pub sessions: SessionPolicy,
    pub phone: PhonePolicy,
    /// Seconds a person has from start to new password (130..=3600). Two minutes before
    /// the end the portal offers to extend it by as much again, up to an hour in all.
    pub flow_lifetime_seconds: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct QuestionsPolicy {
    /// How many questions a person registers answers for (3..=5).
    pub register: u8,
    /// How many of them are asked at reset (3..=5, at most `register`).
    pub ask: u8,
    /// The organisation's own questions, offered after the built-in ones as `custom_1`,
    /// `custom_2`, ... (at most 20, each up to 200 characters). Append only: an id is its
    /// place in the list, so editing or removing one changes the question for people who
    /// answered it. Each is its text, or `{ text = "...", translations = { de = "..." } }`
    /// with its text in other languages.
    pub custom: Vec<CustomQuestionText>,
}

/// One of the organisation's own questions, as the configuration gives it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum CustomQuestionText {
    /// The same text in every language.
    Plain(String),
    /// A text, and the question in other languages by locale tag.
    Translated {
        text: String,
        #[serde(default)]
        translations: std::collections::BTreeMap<String, String>,
    },
}

impl CustomQuestionText {
    fn text(&self) -> &str {
        match self {
            CustomQuestionText::Plain(text) | CustomQuestionText::Translated { text, .. } => text,
        }
    }

    fn translations(&self) -> impl Iterator<Item = (&String, &String)> {
        let translations = match self {
            CustomQuestionText::Plain(_) => None,
            CustomQuestionText::Translated { translations, .. } => Some(translations),
        };
        translations.into_iter().flatten()
    }
}

impl From<&str> for CustomQuestionText {
    fn from(text: &str) -> Self {
        CustomQuestionText::Plain(text.to_owned())
    }
}

impl QuestionsPolicy {
    /// The organisation's own questions with their ids.
    pub fn custom_questions(&self) -> Vec<sspr_api::questions::CustomQuestion> {
        self.custom
            .iter()
            .enumerate()
            .map(|(index, question)| sspr_api::questions::CustomQuestion {
                id: sspr_api::questions::custom_id(index),
                text: question.text().trim().to_owned(),
                translations: question
                    .translations()
                    .map(|(tag, text)| (tag.clone(), text.trim().to_owned()))
                    .collect(),
            })
            .collect()
    }

    /// Every question id people choose from: the built-in ones, then the custom ones.
    pub fn ids(&self) -> Vec<String> {
        sspr_api::questions::BUILT_IN
            .iter()
            .map(|&id| id.to_owned())
            .chain((0..self.custom.len()).map(sspr_api::questions::custom_id))
            .collect()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PhonePolicy {
    /// The ways a mobile phone may get its code, in the order offered (the person chooses
    /// when there is more than one).
    pub mobile_channels: Vec<sspr_api::method::PhoneChannel>,
    /// Calls (office phone) and app notifications per account and channel in 15 minutes
    /// (anti push-bombing, 1..=20).
    pub prompts_per_15_minutes: u32,
}

impl Default for PhonePolicy {
    fn default() -> Self {
        PhonePolicy {
            mobile_channels: vec![
                sspr_api::method::PhoneChannel::Sms,
                sspr_api::method::PhoneChannel::Voice,
            ],
            prompts_per_15_minutes: 5,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RegistrationPolicy {
    /// Ask people to register methods when they sign in to the security-info page.
    pub require_at_sign_in: bool,
    /// Ask people to reconfirm their methods after this many days (0 = never, up to 730).
    pub reconfirm_days: u16,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct NotificationPolicy {
    /// Tell people when their password was reset.
    pub notify_user: bool,
    /// Tell all administrators when another administrator resets their password.
    pub notify_admins_on_admin_reset: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CodePolicy {
    /// Digits in e-mailed and texted codes (6..=10).
    pub length: u32,
    /// Minutes a code stays valid (1..=10).
    pub lifetime_minutes: u32,
    /// Wrong tries before a code is dead (1..=5).
    pub max_attempts: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LockoutPolicy {
    /// Failed proofs in a row that pause an account's self-service reset (1..=100). Each
    /// further pause lasts twice as long as the one before, up to a day; at most 100
    /// failures count in a day. A browser that reset the account before counts apart.
    pub max_failures: u32,
    /// Minutes the first pause lasts (1..=1440); a method pauses this long after
    /// `codes.max_attempts` failures.
    pub lockout_minutes: u32,
    /// Codes sent per account and channel per hour (anti-flooding, 1..=20).
    pub sends_per_hour: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SessionPolicy {
    /// Minutes without a request after which a security-info session ends (5..=120).
    pub idle_minutes: u32,
    /// Hours after sign-in after which it ends whatever the use (1..=24).
    pub absolute_hours: u32,
    /// Minutes a method proof counts as recent: older, deleting or changing a method or
    /// the password asks to prove a method again (1..=60).
    pub recent_proof_minutes: u32,
}

impl Default for SessionPolicy {
    fn default() -> Self {
        SessionPolicy {
            idle_minutes: 15,
            absolute_hours: 8,
            recent_proof_minutes: 10,
        }
    }
}

impl LockoutPolicy {
    /// The per-account failure limit: growing pauses (docs/SECURITY.md), which slow an
    /// attacker down without a lock that only an administrator can lift. Reset and sign-in
    /// count against the same one.
    pub fn account_limit(&self) -> crate::limits::Limit {
        crate::limits::Limit {
            threshold: i64::from(self.max_failures),
            lock_seconds: i64::from(self.lockout_minutes) * 60,
            growing: true,
        }
    }
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            scope: Scope::Disabled,
            group: None,
            methods_required: 1,
            methods: vec![MethodKind::Email, MethodKind::AppCode],
            security_questions: QuestionsPolicy::default(),
            registration: RegistrationPolicy::default(),
            notifications: NotificationPolicy::default(),
            codes: CodePolicy::default(),
            lockout: LockoutPolicy::default(),
            sessions: SessionPolicy::default(),
            phone: PhonePolicy::default(),
            flow_lifetime_seconds: 20 * 60,
        }
    }
}

impl Default for QuestionsPolicy {
    fn default() -> Self {
        QuestionsPolicy {
            register: 3,
            ask: 3,
            custom: Vec::new(),
        }
    }
}

impl Default for RegistrationPolicy {
    fn default() -> Self {
        RegistrationPolicy {
            require_at_sign_in: true,
            reconfirm_days: 180,
        }
    }
}

impl Default for NotificationPolicy {
    fn default() -> Self {
        NotificationPolicy {
            notify_user: true,
            notify_admins_on_admin_reset: true,
        }
    }
}

impl Default for CodePolicy {
    fn default() -> Self {
        CodePolicy {
            length: 8,
            lifetime_minutes: 10,
            max_attempts: 5,
        }
    }
}

impl Default for LockoutPolicy {
    fn default() -> Self {
        LockoutPolicy {
            max_failures: 10,
            lockout_minutes: 15,
            sends_per_hour: 5,
        }
    }
}

/// Methods administrators may use: any but security questions (phones and app
/// notifications where the policy enables them, see [`Policy::requirement`]).
pub const ADMIN_METHODS: [MethodKind; 5] = [
    MethodKind::AppNotification,
    MethodKind::AppCode,
    MethodKind::Email,
    MethodKind::MobilePhone,
    MethodKind::OfficePhone,
];

/// What the policy asks of one person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Requirement {
    pub methods_required: u8,
    pub allowed: BTreeSet<MethodKind>,
}

/// A policy that cannot work, and how to fix it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("policy.{key}: {message}")]
pub struct PolicyError {
    pub key: &'static str,
    pub message: String,
}

fn invalid(key: &'static str, message: impl Into<String>) -> Result<(), PolicyError> {
    Err(PolicyError {
        key,
        message: message.into(),
    })
}

fn in_range<T: PartialOrd + std::fmt::Display>(
    key: &'static str,
    value: T,
    low: T,
    high: T,
) -> Result<(), PolicyError> {
    if value < low || value > high {
        return invalid(key, format!("{value} is outside {low}..={high}"));
    }
    Ok(())
}

impl Policy {
    /// Refuses a policy that cannot work.
    pub fn validate(&self) -> Result<(), PolicyError> {
        let enabled: BTreeSet<MethodKind> = self.methods.iter().copied().collect();
        if self.scope == Scope::Selected && self.group.as_deref().is_none_or(str::is_empty) {
            return invalid(
                "group",
                "scope = \"selected\" needs the group whose members may reset",
            );
        }
        if !(1..=2).contains(&self.methods_required) {
            return invalid(
                "methods_required",
                format!("{} must be 1 or 2", self.methods_required),
            );
        }
        if self.scope != Scope::Disabled && enabled.is_empty() {
            return invalid("methods", "enable at least one method");
        }
        if let Some(kind) = enabled
            .iter()
            .find(|kind| !crate::methods::can_prove(**kind))
        {
            return invalid(
                "methods",
                format!(
                    "{} is not available in this version yet; enable app_code, app_notification, email, mobile_phone, office_phone or security_questions",
                    kind.as_str()
                ),
            );
        }
        let channels = &self.phone.mobile_channels;
        if enabled.contains(&MethodKind::MobilePhone) && channels.is_empty() {
            return invalid(
                "phone.mobile_channels",
                "list at least one of \"sms\", \"whatsapp\", \"voice\" or disable mobile_phone",
            );
        }
        if channels
            .iter()
            .enumerate()
            .any(|(index, channel)| channels[..index].contains(channel))
        {
            return invalid("phone.mobile_channels", "name each channel once");
        }
        if enabled.len() < usize::from(self.methods_required) {
            return invalid(
                "methods",
                format!(
                    "{} methods are required at reset but only {} enabled; enable more methods or require fewer",
                    self.methods_required,
                    enabled.len()
                ),
            );
        }
        if enabled.contains(&MethodKind::SecurityQuestions) && self.methods_required < 2 {
            return invalid(
                "methods",
                "security questions are never the only proof: set methods_required = 2 or disable them",
            );
        }
        let questions = &self.security_questions;
        in_range("security_questions.register", questions.register, 3, 5)?;
        if questions.custom.len() > 20 {
            return invalid("security_questions.custom", "at most 20 custom questions");
        }
        let mut seen = BTreeSet::new();
        for question in &questions.custom {
            let text = question.text().trim();
            let texts = std::iter::once(text).chain(question.translations().map(|(_, t)| t.trim()));
            for text in texts {
                if text.is_empty() || text.chars().count() > 200 {
                    return invalid(
                        "security_questions.custom",
                        format!("{text:?}: a question has 1 to 200 characters"),
                    );
                }
            }
            for (tag, _) in question.translations() {
                let well_formed = !tag.is_empty()
                    && tag.len() <= 35
                    && tag.split('-').all(|part| {
                        !part.is_empty() && part.chars().all(|c| c.is_ascii_alphanumeric())
                    });
                if !well_formed {
                    return invalid(
                        "security_questions.custom",
                        format!("{tag:?} is not a language tag (like de or pt-BR)"),
                    );
                }
            }
            if !seen.insert(text.to_lowercase()) {
                return invalid(
                    "security_questions.custom",
                    format!("{text:?} is listed twice"),
                );
            }
        }
        in_range("security_questions.ask", questions.ask, 3, 5)?;
        if questions.ask > questions.register {
            return invalid(
                "security_questions.ask",
                format!(
                    "cannot ask {} questions when people register {}",
                    questions.ask, questions.register
                ),
            );
        }
        in_range(
            "registration.reconfirm_days",
            self.registration.reconfirm_days,
            0,
            730,
        )?;
        in_range("codes.length", self.codes.length, 6, 10)?;
        in_range("codes.lifetime_minutes", self.codes.lifetime_minutes, 1, 10)?;
        in_range("codes.max_attempts", self.codes.max_attempts, 1, 5)?;
        in_range("lockout.max_failures", self.lockout.max_failures, 1, 100)?;
        in_range(
            "lockout.lockout_minutes",
            self.lockout.lockout_minutes,
            1,
            1440,
        )?;
        in_range("lockout.sends_per_hour", self.lockout.sends_per_hour, 1, 20)?;
        in_range(
            "phone.prompts_per_15_minutes",
            self.phone.prompts_per_15_minutes,
            1,
            20,
        )?;
        in_range("sessions.idle_minutes", self.sessions.idle_minutes, 5, 120)?;
        in_range(
            "sessions.absolute_hours",
            self.sessions.absolute_hours,
            1,
            24,
        )?;
        in_range(
            "sessions.recent_proof_minutes",
            self.sessions.recent_proof_minutes,
            1,
            60,
        )?;
        in_range(
            "flow_lifetime_seconds",
            self.flow_lifetime_seconds,
            130,
            3600,
        )?;
        Ok(())
    }

    /// Whether a person with these groups may reset at all.
    pub fn in_scope(&self, groups: &[String]) -> bool {
        match self.scope {
            Scope::Disabled => false,
            Scope::All => true,
            Scope::Selected => self
                .group
                .as_deref()
                .is_some_and(|group| groups.iter().any(|g| g.eq_ignore_ascii_case(group))),
        }
    }

    /// What one person must prove. Administrators always need two methods and never
    /// use security questions, whatever the rest of the policy says. App notifications
    /// only where the policy enables them: a phone is enrolled on the security-info page
    /// only then (no command registers one), so an administrator's decoy must not offer
    /// them otherwise.
    pub fn requirement(&self, is_admin: bool) -> Requirement {
        if is_admin {
            Requirement {
                methods_required: 2,
                // Codes by e-mail and app whatever `methods` says; phones and app
                // notifications only where the policy enables them (they need a provider
                // or the authenticator page, and a decoy must not offer what no real
                // account could).
                allowed: ADMIN_METHODS
                    .into_iter()
                    .filter(|kind| {
                        matches!(kind, MethodKind::Email | MethodKind::AppCode)
                            || self.methods.contains(kind)
                    })
                    .collect(),
            }
        } else {
            Requirement {
                methods_required: self.methods_required,
                allowed: self.methods.iter().copied().collect(),
            }
        }
    }
}

/// A plain-language summary of the effective policy (`sspr-server policy`).
pub fn describe(policy: &Policy) -> String {
    let names = |kinds: &BTreeSet<MethodKind>| {
        kinds
            .iter()
            .map(|k| k.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let who = match policy.scope {
        Scope::Disabled => "nobody (scope = \"disabled\")".to_owned(),
        Scope::All => "everyone in the directory".to_owned(),
        Scope::Selected => format!(
            "members of the group {:?}",
            policy.group.as_deref().unwrap_or_default()
        ),
    };
    let user = policy.requirement(false);
    let admin = policy.requirement(true);
    format!(
        "Self-service password reset: {who}\n\
         Users prove {} of: {}\n\
         Administrators prove {} of: {}\n\
         Codes: {} digits, valid {} min, {} tries; pause after {} failures for {} min, doubling up to a day (at most 100 failures a day); {} sends per hour and channel\n\
         A reset lasts {} min, extendable to {} min in all\n",
        user.methods_required,
        names(&user.allowed),
        admin.methods_required,
        names(&admin.allowed),
        policy.codes.length,
        policy.codes.lifetime_minutes,
        policy.codes.max_attempts,
        policy.lockout.max_failures,
        policy.lockout.lockout_minutes,
        policy.lockout.sends_per_hour,
        policy.flow_lifetime_seconds.div_ceil(60),
        sspr_api::reset::MAX_FLOW_SECONDS / 60,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Policy {
        toml::from_str(text).unwrap()
    }

    #[test]
    fn the_default_is_safe_and_valid() {
        let policy = Policy::default();
        assert_eq!(policy.scope, Scope::Disabled);
        assert!(!policy.in_scope(&["anyone".into()]));
        policy.validate().unwrap();
    }

    #[test]
    fn impossible_policies_are_refused_with_the_key_to_change() {
        for (text, key) in [
            ("scope = \"selected\"", "group"),
            ("methods_required = 3", "methods_required"),
            ("methods_required = 0", "methods_required"),
            ("scope = \"all\"\nmethods = []", "methods"),
            ("methods_required = 2\nmethods = [\"email\"]", "methods"),
            ("methods = [\"security_questions\"]", "methods"),
            ("methods = [\"email\", \"security_questions\"]", "methods"),
            (
                "methods = [\"mobile_phone\"]\n[phone]\nmobile_channels = []",
                "phone.mobile_channels",
            ),
            (
                "methods = [\"mobile_phone\"]\n[phone]\nmobile_channels = [\"sms\", \"sms\"]",
                "phone.mobile_channels",
            ),
            (
                "[phone]\nprompts_per_15_minutes = 21",
                "phone.prompts_per_15_minutes",
            ),
            (
                "[security_questions]\nregister = 3\nask = 4",
                "security_questions.ask",
            ),
            (
                "[security_questions]\nregister = 6",
                "security_questions.register",
            ),
            (
                "[registration]\nreconfirm_days = 731",
                "registration.reconfirm_days",
            ),
            (
                "[security_questions]\ncustom = [\"  \"]",
                "security_questions.custom",
            ),
            (
                "[security_questions]\ncustom = [\"Team?\", \"team? \"]",
                "security_questions.custom",
            ),
            (
                "[security_questions]\ncustom = [{ text = \"Team?\", translations = { de = \" \" } }]",
                "security_questions.custom",
            ),
            (
                "[security_questions]\ncustom = [{ text = \"Team?\", translations = { \"de de\" = \"Team?\" } }]",
                "security_questions.custom",
            ),
            ("[codes]\nlength = 5", "codes.length"),
            ("[codes]\nlifetime_minutes = 11", "codes.lifetime_minutes"),
            ("[codes]\nmax_attempts = 6", "codes.max_attempts"),
            ("[lockout]\nmax_failures = 101", "lockout.max_failures"),
        ] {
            let err = parse(text).validate().unwrap_err();
            assert_eq!(err.key, key, "{text}: {err}");
        }
    }

    #[test]
    fn custom_questions_may_carry_their_text_in_other_languages() {
        let policy = parse(
            "[security_questions]\ncustom = [\"First team?\", { text = \"Project name?\", translations = { de = \"Name des Projekts?\", pt-BR = \" Nome do projeto? \" } }]",
        );
        assert!(policy.validate().is_ok());
        let questions = policy.security_questions.custom_questions();
        assert_eq!(questions[0].text_in("de"), "First team?");
        assert_eq!(questions[1].id, "custom_2");
        assert_eq!(questions[1].text_in("de"), "Name des Projekts?");
        assert_eq!(questions[1].text_in("pt-BR"), "Nome do projeto?");
        assert_eq!(questions[1].text_in("fr"), "Project name?");
    }

    #[test]
    fn two_required_with_two_enabled_works() {
        let policy = parse(
            "scope = \"all\"\nmethods_required = 2\nmethods = [\"email\", \"security_questions\"]",
        );
        policy.validate().unwrap();
        assert_eq!(policy.requirement(false).methods_required, 2);
    }

    #[test]
    fn administrators_need_two_methods_and_never_questions() {
        let policy = parse(
            "scope = \"all\"\nmethods_required = 2\nmethods = [\"email\", \"security_questions\"]",
        );
        let admin = policy.requirement(true);
        assert_eq!(admin.methods_required, 2);
        assert!(!admin.allowed.contains(&MethodKind::SecurityQuestions));
        assert!(admin.allowed.contains(&MethodKind::AppCode));
        let one = parse("scope = \"all\"\nmethods = [\"email\"]");
        assert_eq!(one.requirement(true).methods_required, 2);
        assert_eq!(one.requirement(false).methods_required, 1);
    }

    #[test]
    fn selected_scope_is_group_membership() {
        let policy = parse("scope = \"selected\"\ngroup = \"sspr-users\"");
        policy.validate().unwrap();
        assert!(policy.in_scope(&["SSPR-Users".into()]));
        assert!(!policy.in_scope(&["others".into()]));
        assert!(!policy.in_scope(&[]));
        assert!(parse("scope = \"all\"").in_scope(&[]));
    }

    #[test]
    fn describe_says_who_and_what() {
        let text = describe(&parse(
            "scope = \"selected\"\ngroup = \"sspr-users\"\nmethods = [\"email\"]",
        ));
        assert!(
            text.contains("members of the group \"sspr-users\""),
            "{text}"
        );
        assert!(text.contains("Users prove 1 of: email"), "{text}");
        // Phones and app notifications only where the policy enables them.
        assert!(
            text.contains("Administrators prove 2 of: app_code, email\n")
                || text.contains("Administrators prove 2 of: app_code, email."),
            "{text}"
        );
        let with_phones = describe(&parse(
            "scope = \"all\"\nmethods = [\"email\", \"app_notification\"]",
        ));
        assert!(
            with_phones.contains("Administrators prove 2 of: app_notification, app_code, email"),
            "{with_phones}"
        );
    }

    #[test]
    fn unknown_methods_and_keys_are_refused() {
        assert!(toml::from_str::<Policy>("methods = [\"carrier_pigeon\"]").is_err());
        assert!(toml::from_str::<Policy>("method_required = 1").is_err());
    }
}
