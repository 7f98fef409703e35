//! The demo directory: a handful of people so that someone trying the product on one
//! machine has accounts to reset. Seeded by `--demo`; seeding twice changes nothing.

use crate::crypto::totp::TotpSecret;
use crate::directory::{Directory, DirectoryError};
use crate::policy::{Policy, Scope};
use crate::store::{AdminStore, NewUser, UserSummary};
use sspr_api::MethodKind;
use sspr_api::method::PhoneChannel;

/// The group that self-service password reset is enabled for in the demo policy.
pub const DEMO_GROUP: &str = "sspr-users";

pub const DEMO_USERS: &[NewUser<'static>] = &[
    NewUser {
        user_id: "adele.vance@contoso.example",
        display_name: "Adele Vance",
        email: Some("adele.vance@home.example"),
        is_admin: false,
        groups: &[DEMO_GROUP],
    },
    NewUser {
        user_id: "alex.wilber@contoso.example",
        display_name: "Alex Wilber",
        email: Some("alex.wilber@home.example"),
        is_admin: false,
        groups: &[DEMO_GROUP],
    },
    NewUser {
        user_id: "megan.bowen@contoso.example",
        display_name: "Megan Bowen",
        email: Some("megan.bowen@home.example"),
        is_admin: true,
        groups: &[DEMO_GROUP],
    },
    NewUser {
        user_id: "lee.gu@contoso.example",
        display_name: "Lee Gu",
        email: None,
        is_admin: false,
        groups: &[],
    },
];

/// The demo's help desk, linked from the portal's dead ends when no other is configured.
pub const HELPDESK_URL: &str = "mailto:helpdesk@contoso.example";

/// The password every demo account starts with.
pub const DEMO_PASSWORD: &str = "Orchard lantern 1984";

/// The answers every demo account registered (question id, answer).
pub const DEMO_ANSWERS: [(&str, &str); 3] = [
    ("birth_city", "Lisbon"),
    ("first_pet", "Biscuit"),
    ("first_school", "Riverside"),
];

/// What each demo person registered, by user ID: e-mail address for codes, authenticator
/// app (with this fixed secret, so the demo can be tried with any authenticator app),
/// security answers.
pub struct DemoMethods {
    pub user_id: &'static str,
    pub email: Option<&'static str>,
    pub totp_secret: Option<[u8; 20]>,
    pub answers: bool,
    /// A mobile phone (codes by text, WhatsApp or voice) and an office phone (a call
    /// answered with #); made-up numbers.
    pub mobile: Option<&'static str>,
    pub office: Option<&'static str>,
}

/// The region the demo's phone numbers are read in.
pub const PHONE_REGION: &str = "GB";

pub const DEMO_METHODS: &[DemoMethods] = &[
    DemoMethods {
        user_id: "adele.vance@contoso.example",
        email: Some("adele.vance@home.example"),
        totp_secret: Some(*b"sspr-demo-adele-2026"),
        answers: true,
        mobile: None,
        office: None,
    },
    DemoMethods {
        user_id: "alex.wilber@contoso.example",
        email: Some("alex.wilber@home.example"),
        totp_secret: None,
        answers: true,
        mobile: Some("+44 7400 123456"),
        office: None,
    },
    DemoMethods {
        user_id: "megan.bowen@contoso.example",
        email: Some("megan.bowen@home.example"),
        totp_secret: Some(*b"sspr-demo-megan-2026"),
        answers: false,
        mobile: None,
        office: Some("+44 20 7946 0012"),
    },
];

/// The reset policy of the demo when the configuration leaves reset disabled: members of
/// the demo group prove two of e-mail code, authenticator app code, phones, app
/// notifications (a phone enrolled on the security-info page: no demo person has one) and
/// security questions.
pub fn policy() -> Policy {
    Policy {
        scope: Scope::Selected,
        group: Some(DEMO_GROUP.to_owned()),
        methods_required: 2,
        methods: vec![
            MethodKind::AppNotification,
            MethodKind::Email,
            MethodKind::AppCode,
            MethodKind::MobilePhone,
            MethodKind::OfficePhone,
            MethodKind::SecurityQuestions,
        ],
        phone: crate::policy::PhonePolicy {
            mobile_channels: PhoneChannel::ALL.to_vec(),
            ..crate::policy::PhonePolicy::default()
        },
        ..Policy::default()
    }
}

/// Adds the demo users that are missing, each with a password and methods; returns how
/// many were added. Users already there are left as they are.
pub async fn seed(directory: &Directory) -> Result<usize, DirectoryError> {
    let mut added = 0;
    for user in DEMO_USERS {
        if !directory.store.create_user_if_missing(user).await? {
            continue;
        }
        added += 1;
        directory.set_password(user.user_id, DEMO_PASSWORD).await?;
        let Some(methods) = DEMO_METHODS.iter().find(|m| m.user_id == user.user_id) else {
            continue;
        };
        if let Some(email) = methods.email {
            directory.add_email(user.user_id, email).await?;
        }
        if let Some(secret) = methods.totp_secret {
            directory
                .add_totp(user.user_id, Some(TotpSecret::from_bytes(secret)))
                .await?;
        }
        let region =
            crate::phone::number::region(PHONE_REGION).unwrap_or(phonenumber::country::Id::GB);
        for (kind, number) in [
            (MethodKind::MobilePhone, methods.mobile),
            (MethodKind::OfficePhone, methods.office),
        ] {
            if let Some(number) = number {
                directory
                    .add_phone(user.user_id, kind, number, region)
                    .await?;
            }
        }
        if methods.answers {
            let answers: Vec<(String, String)> = DEMO_ANSWERS
                .iter()
                .map(|(q, a)| ((*q).to_owned(), (*a).to_owned()))
                .collect();
            let required = usize::from(policy().security_questions.register);
            directory
                .set_answers(user.user_id, &answers, required)
                .await?;
        }
    }
    Ok(added)
}

/// The banner printed at start in demo mode: where to go and whom to try.
pub fn banner(url: &str, users: &[UserSummary]) -> String {
    let width = users
        .iter()
        .map(|u| u.user_id.len())
        .max()
        .unwrap_or(0)
        .max("user ID".len());
    let mut out = String::new();
    out.push_str("\nSSPR demo directory\n");
    out.push_str(&format!(
        "  {:<width$}  {:<14}  {:<24}  methods\n",
        "user ID", "name", "role"
    ));
    for user in users {
        let role = match (user.is_admin, user.enabled) {
            (_, false) => "disabled",
            (true, true) => "administrator",
            (false, true) if user.groups.iter().any(|g| g == DEMO_GROUP) => "user",
            (false, true) => "user (not in sspr-users)",
        };
        let methods = DEMO_METHODS
            .iter()
            .find(|m| m.user_id == user.user_id)
            .map(describe_methods)
            .unwrap_or_else(|| "none".to_owned());
        out.push_str(&format!(
            "  {:<width$}  {:<14}  {role:<24}  {methods}\n",
            user.user_id, user.display_name
        ));
    }
    out.push_str(&format!(
        "\nPassword of every demo account: {DEMO_PASSWORD}\n"
    ));
    let answers: Vec<String> = DEMO_ANSWERS
        .iter()
        .map(|(q, a)| format!("{q} = {a}"))
        .collect();
    out.push_str(&format!("Security answers: {}\n", answers.join(", ")));
    out.push_str(&format!(
        "E-mailed codes:  {url}/dev/outbox (nothing leaves this machine without [smtp])\n"
    ));
    out.push_str(&format!(
        "Texts and calls: {url}/dev/phone (the phone simulator)\n"
    ));
    out.push_str(&format!("\nReset portal:  {url}/\n"));
    out.push_str(&format!("Security info: {url}/security-info\n"));
    out
}

fn describe_methods(methods: &DemoMethods) -> String {
    let mut parts = Vec::new();
    if let Some(email) = methods.email {
        parts.push(format!("e-mail {email}"));
    }
    if let Some(secret) = methods.totp_secret {
        parts.push(format!(
            "app code (secret {})",
            TotpSecret::from_bytes(secret).base32()
        ));
    }
    if let Some(number) = methods.mobile {
        parts.push(format!("mobile {number}"));
    }
    if let Some(number) = methods.office {
        parts.push(format!("office phone {number}"));
    }
    if methods.answers {
        parts.push("security questions".to_owned());
    }
    parts.join(", ")
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::clock::Clock;
    use crate::crypto::keys::ServerKeys;
    use crate::crypto::passwords::PasswordHasher;
    use crate::store::{DirectoryStore, SqliteStore};
    use std::sync::Arc;

    fn directory(dir: &tempfile::TempDir) -> Directory {
        Directory {
            store: SqliteStore::open(&dir.path().join("db.sqlite3"))
                .unwrap()
                .into(),
            keys: Arc::new(ServerKeys::ephemeral()),
            hasher: PasswordHasher::new(2).unwrap(),
            clock: Clock::system(),
            custom_questions: 0,
            phone_region: phonenumber::country::Id::GB,
        }
    }

    #[tokio::test]
    async fn seeding_twice_adds_the_users_and_their_methods_once() {
        let dir = tempfile::tempdir().unwrap();
        let directory = directory(&dir);
        assert_eq!(seed(&directory).await.unwrap(), DEMO_USERS.len());
        assert_eq!(seed(&directory).await.unwrap(), 0);
        let store = &directory.store;
        assert_eq!(store.list_users().await.unwrap().len(), DEMO_USERS.len());
        let adele = store
            .account("adele.vance@contoso.example")
            .await
            .unwrap()
            .unwrap();
        let kinds: Vec<MethodKind> = adele.methods.iter().map(|m| m.kind).collect();
        assert_eq!(
            kinds,
            [
                MethodKind::Email,
                MethodKind::AppCode,
                MethodKind::SecurityQuestions
            ]
        );
        assert_eq!(adele.questions.len(), DEMO_ANSWERS.len());
        assert!(
            directory
                .check_password("adele.vance@contoso.example", DEMO_PASSWORD)
                .await
                .unwrap()
        );
        let lee = store
            .account("lee.gu@contoso.example")
            .await
            .unwrap()
            .unwrap();
        assert!(lee.methods.is_empty());
    }

    #[test]
    fn the_demo_policy_is_valid_and_lets_the_demo_group_reset() {
        let policy = policy();
        policy.validate().unwrap();
        assert!(policy.in_scope(&[DEMO_GROUP.to_owned()]));
        assert!(!policy.in_scope(&[]));
    }

    #[tokio::test]
    async fn banner_lists_every_user_their_methods_and_the_urls() {
        let dir = tempfile::tempdir().unwrap();
        let directory = directory(&dir);
        seed(&directory).await.unwrap();
        let text = banner(
            "http://127.0.0.1:8080",
            &directory.store.list_users().await.unwrap(),
        );
        for user in DEMO_USERS {
            assert!(text.contains(user.user_id), "{text}");
        }
        assert!(text.contains("megan.bowen@contoso.example  Megan Bowen     administrator"));
        assert!(
            text.contains("Lee Gu          user (not in sspr-users)  none"),
            "{text}"
        );
        let adele_secret = TotpSecret::from_bytes(*b"sspr-demo-adele-2026").base32();
        assert!(text.contains(&adele_secret), "{text}");
        assert!(text.contains(DEMO_PASSWORD));
        assert!(text.contains("birth_city = Lisbon"));
        assert!(text.contains("http://127.0.0.1:8080/dev/outbox"));
        assert!(text.contains("Reset portal:  http://127.0.0.1:8080/"));
    }
}
