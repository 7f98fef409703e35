//! Administrative commands of `sspr-server`: people, groups and methods in the directory.
//! Secrets (passwords, security answers) are read from standard input, never from the
//! command line, where other users of the machine could see them.

use crate::directory::{Directory, DirectoryError};
use crate::store::{AdminStore, DirectoryStore, NewUser};
use clap::Subcommand;
use sspr_api::{MethodKind, questions};
use std::io::BufRead;

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Add a person to the directory.
    Add {
        /// The user ID they sign in with, e.g. adele.vance@contoso.com.
        user_id: String,
        /// Display name.
        #[arg(long)]
        name: String,
        /// Their own address for notifications (not a sign-in method).
        #[arg(long)]
        email: Option<String>,
        /// An administrator: always proves two methods, never security questions.
        #[arg(long)]
        admin: bool,
        /// A group to add them to (repeat for more).
        #[arg(long = "group")]
        groups: Vec<String>,
    },
    /// Give a person a new user ID (their directory renamed them); their methods,
    /// answers and password stay theirs.
    Rename {
        user_id: String,
        new_user_id: String,
    },
    /// Stop a person from resetting or signing in (signs their sessions out).
    Disable { user_id: String },
    /// Let a disabled person back in.
    Enable { user_id: String },
    /// Set a password, read from the first line of standard input and checked against the
    /// password rules, e.g. `printf '%s\n' "$PW" | sspr-server user set-password ID`.
    SetPassword { user_id: String },
    /// Add a person to a group (created when missing).
    AddToGroup { user_id: String, group: String },
    /// Clear an account's reset lockouts and failure counters.
    Unlock { user_id: String },
    /// List a person's registered sign-in methods.
    Methods { user_id: String },
    /// Register an e-mail address for codes.
    AddEmail { user_id: String, address: String },
    /// Register a mobile phone (codes by text, WhatsApp or voice) or, with --office, an
    /// office phone (a call answered with #). A number without a country code is read in
    /// `[phone] default_region`.
    AddPhone {
        user_id: String,
        number: String,
        #[arg(long)]
        office: bool,
    },
    /// Register an authenticator app; prints the new secret and its otpauth:// URI once.
    AddApp {
        user_id: String,
        /// The issuer shown in the authenticator app.
        #[arg(long, default_value = "SSPR")]
        issuer: String,
    },
    /// Lift the block a "this wasn't me" report put on a person's methods: the
    /// security-info page opens to them again and the methods it suspended work again.
    RestoreMethods { user_id: String },
    /// Issue a one-time pass: with it and their password a person who has no sign-in
    /// method yet proves it is them on the security-info page, once, and registers
    /// methods. Printed this once (only its hash is kept); a new one replaces the last.
    IssuePass {
        user_id: String,
        /// Minutes it stays valid (5 to 1440).
        #[arg(long, default_value_t = 60, value_parser = clap::value_parser!(u64).range(5..=1440))]
        valid_minutes: u64,
    },
    /// Replace the security answers: one `question_id=answer` per line on standard input
    /// (ids from `sspr-server questions`).
    SetAnswers { user_id: String },
}

impl UserCommand {
    /// The person the command is about.
    pub fn user_id(&self) -> &str {
        match self {
            UserCommand::Add { user_id, .. }
            | UserCommand::Rename { user_id, .. }
            | UserCommand::Disable { user_id }
            | UserCommand::Enable { user_id }
            | UserCommand::SetPassword { user_id }
            | UserCommand::AddToGroup { user_id, .. }
            | UserCommand::Unlock { user_id }
            | UserCommand::Methods { user_id }
            | UserCommand::AddEmail { user_id, .. }
            | UserCommand::AddPhone { user_id, .. }
            | UserCommand::AddApp { user_id, .. }
            | UserCommand::RestoreMethods { user_id }
            | UserCommand::IssuePass { user_id, .. }
            | UserCommand::SetAnswers { user_id } => user_id,
        }
    }

    /// The command's name when it changes what an LDAP directory holds (people, their
    /// names, groups, state and passwords): then it is done in the directory, not here.
    pub fn directorys_own(&self) -> Option<&'static str> {
        match self {
            UserCommand::Add { .. } => Some("add"),
            UserCommand::Rename { .. } => Some("rename"),
            UserCommand::Disable { .. } => Some("disable"),
            UserCommand::Enable { .. } => Some("enable"),
            UserCommand::SetPassword { .. } => Some("set-password"),
            UserCommand::AddToGroup { .. } => Some("add-to-group"),
            _ => None,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    #[error(transparent)]
    Directory(#[from] DirectoryError),
    #[error("cannot read standard input: {0}")]
    Stdin(#[from] std::io::Error),
    #[error("no password on standard input")]
    NoPassword,
    #[error("line {0} of standard input is not question_id=answer")]
    AnswerLine(usize),
    #[error("{0} already exists")]
    Exists(String),
    #[error("cannot make the provisioning URI: {0}")]
    Totp(String),
}

impl From<crate::store::StoreError> for AdminError {
    fn from(err: crate::store::StoreError) -> Self {
        AdminError::Directory(DirectoryError::Store(err))
    }
}

/// Runs `command`, reading secrets from `input` and writing what it did to `out`.
/// `answers_required`: how many security answers a person registers (the policy's
/// `security_questions.register`).
pub async fn run_user(
    directory: &Directory,
    command: UserCommand,
    answers_required: usize,
    input: &mut dyn BufRead,
    out: &mut dyn std::io::Write,
) -> Result<(), AdminError> {
    let store = &directory.store;
    let now = directory.clock.now();
    match command {
        UserCommand::Add {
            user_id,
            name,
            email,
            admin,
            groups,
        } => {
            let groups: Vec<&str> = groups.iter().map(String::as_str).collect();
            let user = NewUser {
                user_id: &user_id,
                display_name: &name,
                email: email.as_deref(),
                is_admin: admin,
                groups: &groups,
            };
            if !store.create_user_if_missing(&user).await? {
                return Err(AdminError::Exists(user_id));
            }
            writeln!(out, "added {user_id}")?;
        }
        UserCommand::Rename {
            user_id,
            new_user_id,
        } => {
            if !store.rename_user(&user_id, &new_user_id, now).await? {
                return Err(AdminError::Exists(new_user_id));
            }
            writeln!(
                out,
                "renamed {user_id} to {new_user_id}; their methods, answers and password are kept"
            )?;
        }
        UserCommand::Disable { user_id } => {
            store.set_enabled(&user_id, false, now).await?;
            writeln!(out, "disabled {user_id}; their sessions are signed out")?;
        }
        UserCommand::Enable { user_id } => {
            store.set_enabled(&user_id, true, now).await?;
            writeln!(out, "enabled {user_id}")?;
        }
        UserCommand::SetPassword { user_id } => {
            let mut line = String::new();
            input.read_line(&mut line)?;
            let password = line.trim_end_matches(['\r', '\n']);
            if password.is_empty() {
                return Err(AdminError::NoPassword);
            }
            directory.set_password(&user_id, password).await?;
            writeln!(
                out,
                "password set for {user_id}; their sessions are signed out"
            )?;
        }
        UserCommand::AddToGroup { user_id, group } => {
            store.add_to_group(&user_id, &group, now).await?;
            writeln!(out, "{user_id} is in {group}")?;
        }
        UserCommand::Unlock { user_id } => {
            directory.unlock(&user_id).await?;
            writeln!(out, "unlocked {user_id}")?;
        }
        UserCommand::Methods { user_id } => {
            for method in store.list_methods(&user_id).await? {
                writeln!(
                    out,
                    "{}\t{}\t{}{}{}",
                    method.id,
                    method.kind,
                    method.contact.as_deref().unwrap_or("-"),
                    if method.is_default { "\t(default)" } else { "" },
                    if method.suspended {
                        "\t(suspended by a report: sspr-server user restore-methods)"
                    } else {
                        ""
                    }
                )?;
            }
            if let Some(account) = store.account(&user_id).await?
                && !account.questions.is_empty()
            {
                writeln!(
                    out,
                    "\tanswers registered for: {}",
                    account.questions.join(", ")
                )?;
            }
        }
        UserCommand::AddEmail { user_id, address } => {
            let id = directory.add_email(&user_id, &address).await?;
            writeln!(out, "e-mail method {id} added for {user_id}")?;
        }
        UserCommand::AddPhone {
            user_id,
            number,
            office,
        } => {
            let kind = if office {
                MethodKind::OfficePhone
            } else {
                MethodKind::MobilePhone
            };
            let id = directory
                .add_phone(&user_id, kind, &number, directory.phone_region)
                .await?;
            writeln!(out, "{} method {id} added for {user_id}", kind.as_str())?;
        }
        UserCommand::AddApp { user_id, issuer } => {
            let secret = directory.add_totp(&user_id, None).await?;
            let uri = secret
                .provisioning_uri(&issuer, &user_id)
                .map_err(|err| AdminError::Totp(err.to_string()))?;
            writeln!(out, "authenticator app added for {user_id}")?;
            writeln!(out, "secret: {}", secret.base32())?;
            writeln!(out, "uri:    {uri}")?;
        }
        UserCommand::RestoreMethods { user_id } => {
            store.restore_methods(&user_id, now).await?;
            writeln!(
                out,
                "restored {user_id}'s methods; the security-info page is open to them again"
            )?;
        }
        UserCommand::IssuePass {
            user_id,
            valid_minutes,
        } => {
            let pass = crate::session::pass::generate();
            let expires_at = now + valid_minutes * 60;
            store
                .issue_pass(&user_id, crate::session::pass::hash(&pass), now, expires_at)
                .await?;
            writeln!(
                out,
                "one-time pass for {user_id} (valid {valid_minutes} minutes, once):"
            )?;
            writeln!(out, "{pass}")?;
        }
        UserCommand::SetAnswers { user_id } => {
            let mut answers = Vec::new();
            for (index, line) in input.lines().enumerate() {
                let line = line?;
                if line.trim().is_empty() {
                    continue;
                }
                let (question, answer) = line
                    .split_once('=')
                    .ok_or(AdminError::AnswerLine(index + 1))?;
                answers.push((question.trim().to_owned(), answer.to_owned()));
            }
            directory
                .set_answers(&user_id, &answers, answers_required)
                .await?;
            writeln!(out, "{} answers set for {user_id}", answers.len())?;
        }
    }
    Ok(())
}

/// `sspr-server questions`: the question ids, built-in ones then the policy's own (with
/// their text).
pub fn list_questions(
    policy: &crate::policy::QuestionsPolicy,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    for id in questions::BUILT_IN {
        writeln!(out, "{id}")?;
    }
    for question in policy.custom_questions() {
        writeln!(out, "{}	{}", question.id, question.text)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::clock::Clock;
    use crate::crypto::keys::ServerKeys;
    use crate::crypto::passwords::PasswordHasher;
    use crate::store::SqliteStore;
    use sspr_api::MethodKind;
    use std::sync::Arc;

    struct Fixture {
        _dir: tempfile::TempDir,
        directory: Directory,
    }

    fn fixture() -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let directory = Directory {
            store: SqliteStore::open(&dir.path().join("db.sqlite3"))
                .unwrap()
                .into(),
            keys: Arc::new(ServerKeys::ephemeral()),
            hasher: PasswordHasher::new(1).unwrap(),
            clock: Clock::system(),
            custom_questions: 0,
            phone_region: phonenumber::country::Id::GB,
        };
        Fixture {
            _dir: dir,
            directory,
        }
    }

    async fn run(directory: &Directory, command: UserCommand, stdin: &str) -> String {
        let mut out = Vec::new();
        run_user(directory, command, 3, &mut stdin.as_bytes(), &mut out)
            .await
            .unwrap();
        String::from_utf8(out).unwrap()
    }

    #[tokio::test]
    async fn a_person_is_added_given_methods_and_a_password_from_stdin() {
        let f = fixture();
        let d = &f.directory;
        let id = "robin@contoso.example".to_owned();
        run(
            d,
            UserCommand::Add {
                user_id: id.clone(),
                name: "Robin Quill".into(),
                email: None,
                admin: false,
                groups: vec!["sspr-users".into()],
            },
            "",
        )
        .await;
        run(
            d,
            UserCommand::AddEmail {
                user_id: id.clone(),
                address: "robin@home.example".into(),
            },
            "",
        )
        .await;
        let printed = run(
            d,
            UserCommand::AddApp {
                user_id: id.clone(),
                issuer: "Contoso".into(),
            },
            "",
        )
        .await;
        assert!(printed.contains("otpauth://totp/"), "{printed}");
        run(
            d,
            UserCommand::SetAnswers {
                user_id: id.clone(),
            },
            "birth_city=Lisbon\nfirst_pet = Biscuit\n\nfirst_school=Riverside\n",
        )
        .await;
        run(
            d,
            UserCommand::SetPassword {
                user_id: id.clone(),
            },
            "glass meadow thirty one\n",
        )
        .await;
        assert!(
            d.check_password(&id, "glass meadow thirty one")
                .await
                .unwrap()
        );
        let account = d.store.account(&id).await.unwrap().unwrap();
        let kinds: Vec<MethodKind> = account.methods.iter().map(|m| m.kind).collect();
        assert_eq!(
            kinds,
            [
                MethodKind::Email,
                MethodKind::AppCode,
                MethodKind::SecurityQuestions
            ]
        );
        assert_eq!(account.questions.len(), 3);
        assert_eq!(account.groups, ["sspr-users"]);
        let listed = run(
            d,
            UserCommand::Methods {
                user_id: id.clone(),
            },
            "",
        )
        .await;
        assert!(listed.contains("email\trobin@home.example"), "{listed}");
        assert!(
            listed.contains("answers registered for: birth_city, first_pet, first_school"),
            "{listed}"
        );
        run(
            d,
            UserCommand::Disable {
                user_id: id.clone(),
            },
            "",
        )
        .await;
        assert!(!d.store.account(&id).await.unwrap().unwrap().enabled);
    }

    #[tokio::test]
    async fn bad_input_is_refused_with_a_reason() {
        let f = fixture();
        let d = &f.directory;
        let add = || UserCommand::Add {
            user_id: "sam@contoso.example".into(),
            name: "Sam".into(),
            email: None,
            admin: false,
            groups: vec![],
        };
        run(d, add(), "").await;
        let mut sink = Vec::new();
        let mut refused = async |command: UserCommand, stdin: &str| {
            run_user(d, command, 3, &mut stdin.as_bytes(), &mut sink)
                .await
                .unwrap_err()
                .to_string()
        };
        assert!(refused(add(), "").await.contains("already exists"));
        let weak = refused(
            UserCommand::SetPassword {
                user_id: "sam@contoso.example".into(),
            },
            "password\n",
        )
        .await;
        assert!(weak.contains("most common"), "{weak}");
        let empty = refused(
            UserCommand::SetPassword {
                user_id: "sam@contoso.example".into(),
            },
            "",
        )
        .await;
        assert!(empty.contains("no password"), "{empty}");
        let line = refused(
            UserCommand::SetAnswers {
                user_id: "sam@contoso.example".into(),
            },
            "birth_city Lisbon\n",
        )
        .await;
        assert!(line.contains("line 1"), "{line}");
        let unknown = refused(
            UserCommand::Unlock {
                user_id: "nobody@contoso.example".into(),
            },
            "",
        )
        .await;
        assert!(unknown.contains("nobody@contoso.example"), "{unknown}");
    }
}
