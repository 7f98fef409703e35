//! The LDAP / Active Directory backend: people, their groups and account state read from
//! the directory, passwords checked by binding as the person and written back with the
//! directory's own rules applied (docs/DIRECTORY.md).
//!
//! The service account's connections (`connections` of them, each carrying many
//! operations at once) are opened on first use and opened again after a failure; every
//! operation has the configured timeout. A person's own bind always takes a connection of
//! its own, so the service connections never change identity.

pub mod config;
pub mod refusals;

use super::{DirectoryFailure, DirectoryPerson};
use config::{Flavour, LdapSettings, Membership};
use ldap3::controls::RawControl;
use ldap3::exop::PasswordModify;
use ldap3::{Ldap, LdapConnAsync, LdapConnSettings, Mod, Scope, SearchEntry};
use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use tokio::sync::Mutex;

/// `pwdAccountLockedTime` of an account an administrator locked for good (ppolicy): the
/// account is disabled, not locked out by failures.
const LOCKED_FOR_GOOD: &str = "000001010000Z";

/// Active Directory's `userAccountControl` flag of a disabled account.
const AD_ACCOUNTDISABLE: u64 = 0x2;

const INVALID_CREDENTIALS: u32 = 49;

pub struct LdapDirectory {
    settings: LdapSettings,
    tls: Arc<rustls::ClientConfig>,
    pool: Vec<Mutex<Option<Ldap>>>,
    next: AtomicUsize,
    /// The last health check and when it ran: `/api/v1/health` is anyone's to call, and
    /// must not become a way to make the server search the directory at will.
    health: Mutex<Option<(std::time::Instant, Result<(), DirectoryFailure>)>>,
}

/// How long a health check's answer is reused.
const HEALTH_REUSED_FOR: std::time::Duration = std::time::Duration::from_secs(2);

impl std::fmt::Debug for LdapDirectory {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LdapDirectory")
            .field("url", &self.settings.url)
            .finish_non_exhaustive()
    }
}

fn unavailable(what: &str, err: impl std::fmt::Display) -> DirectoryFailure {
    DirectoryFailure::Unavailable(format!("{what}: {err}"))
}

impl LdapDirectory {
    /// Prepares the connections (opened on first use: a directory down at start does not
    /// stop the server, which reports it in its health).
    pub fn new(settings: LdapSettings) -> Result<LdapDirectory, DirectoryFailure> {
        let tls = tls_config(&settings)?;
        let pool = (0..settings.connections)
            .map(|_| Mutex::new(None))
            .collect();
        Ok(LdapDirectory {
            settings,
            tls,
            pool,
            next: AtomicUsize::new(0),
            health: Mutex::new(None),
        })
    }

    pub fn settings(&self) -> &LdapSettings {
        &self.settings
    }

    async fn connect(&self) -> Result<Ldap, DirectoryFailure> {
        let settings = LdapConnSettings::new()
            .set_conn_timeout(self.settings.timeout)
            .set_starttls(self.settings.starttls)
            .set_config(Arc::clone(&self.tls));
        let (conn, ldap) = LdapConnAsync::with_settings(settings, &self.settings.url)
            .await
            .map_err(|err| unavailable("cannot connect to the directory", err))?;
        tokio::spawn(async move {
            if let Err(err) = conn.drive().await {
                tracing::warn!(error = %err, "directory connection ended");
            }
        });
        Ok(ldap)
    }

    /// A bound service connection: the next one of the pool, opened (and bound) again
    /// when it was never opened or has failed.
    async fn service(&self) -> Result<Ldap, DirectoryFailure> {
        let index = self.next.fetch_add(1, Ordering::Relaxed) % self.pool.len();
        let mut slot = self.pool[index].lock().await;
        if let Some(ldap) = slot.as_mut()
            && !ldap.is_closed()
        {
            return Ok(ldap.clone());
        }
        *slot = None;
        let mut ldap = self.connect().await?;
        let bound = ldap
            .with_timeout(self.settings.timeout)
            .simple_bind(&self.settings.bind_dn, &self.settings.bind_password)
            .await
            .map_err(|err| unavailable("cannot bind as directory.bind_dn", err))?;
        if bound.rc != 0 {
            return Err(DirectoryFailure::Unavailable(format!(
                "the directory refused directory.bind_dn (result {}: {})",
                bound.rc, bound.text
            )));
        }
        *slot = Some(ldap.clone());
        Ok(ldap)
    }

    /// Runs `op` on a service connection; a connection that failed is dropped, so the
    /// next operation opens a fresh one.
    async fn with_service<T, F, Fut>(&self, what: &str, op: F) -> Result<T, DirectoryFailure>
    where
        F: FnOnce(Ldap) -> Fut,
        Fut: std::future::Future<Output = ldap3::result::Result<T>>,
    {
        let ldap = self.service().await?;
        match op(ldap).await {
            Ok(value) => Ok(value),
            Err(err) => {
                self.forget_broken().await;
                Err(unavailable(what, err))
            }
        }
    }

    async fn forget_broken(&self) {
        for slot in &self.pool {
            let mut slot = slot.lock().await;
            if slot.as_mut().is_some_and(|ldap| ldap.is_closed()) {
                *slot = None;
            }
        }
    }

    /// Whether the directory answers the service account now.
    /// (At most one check per [`HEALTH_REUSED_FOR`]; callers in between share it.)
    pub async fn health(&self) -> Result<(), DirectoryFailure> {
        let mut last = self.health.lock().await;
        if let Some((at, answer)) = last.as_ref()
            && at.elapsed() < HEALTH_REUSED_FOR
        {
            return answer.clone();
        }
        let answer = self.check_health().await;
        *last = Some((std::time::Instant::now(), answer.clone()));
        answer
    }

    async fn check_health(&self) -> Result<(), DirectoryFailure> {
        let timeout = self.settings.timeout;
        let base = self.settings.base_dn.clone();
        let result = self
            .with_service("the directory does not answer", |mut ldap| async move {
                ldap.with_timeout(timeout)
                    .search(&base, Scope::Base, "(objectClass=*)", vec!["1.1"])
                    .await
            })
            .await?;
        match result.1.rc {
            0 => Ok(()),
            rc => Err(DirectoryFailure::Unavailable(format!(
                "the directory answered a search of directory.base_dn with result {rc}: {}",
                result.1.text
            ))),
        }
    }

    /// The person whose user-ID attribute is `user_id` (any case, as the directory
    /// compares), with their groups and account state; `None` when there is none, or more
    /// than one.
    pub async fn find(&self, user_id: &str) -> Result<Option<DirectoryPerson>, DirectoryFailure> {
        let s = &self.settings;
        let filter = format!(
            "(&{}({}={}))",
            s.user_filter,
            s.user_id_attribute,
            ldap3::ldap_escape(user_id)
        );
        let mut attributes = vec![
            s.user_id_attribute.clone(),
            s.display_name_attribute.clone(),
            s.email_attribute.clone(),
            s.stable_id_attribute.clone(),
        ];
        match s.flavour {
            Flavour::Openldap => {
                attributes.extend(["pwdAccountLockedTime".to_owned(), "pwdReset".to_owned()])
            }
            Flavour::ActiveDirectory => attributes
                .extend(["userAccountControl", "lockoutTime", "pwdLastSet"].map(str::to_owned)),
        }
        if s.membership == Membership::MemberOf {
            attributes.push("memberOf".into());
        }
        let (timeout, base) = (s.timeout, s.base_dn.clone());
        let ldap3::SearchResult(entries, result) = self
            .with_service("cannot search the directory", |mut ldap| async move {
                ldap.with_timeout(timeout)
                    .search(&base, Scope::Subtree, &filter, attributes)
                    .await
            })
            .await?;
        if result.rc != 0 {
            return Err(DirectoryFailure::Unavailable(format!(
                "searching people failed with result {}: {}",
                result.rc, result.text
            )));
        }
        if entries.len() > 1 {
            tracing::warn!(
                count = entries.len(),
                "more than one directory entry has this user ID: treated as unknown"
            );
            return Ok(None);
        }
        let Some(entry) = entries.into_iter().next() else {
            // The group search a person's lookup makes, so an unknown ID costs as much.
            if s.membership == Membership::Member {
                self.groups_naming(&self.nobody()).await?;
            }
            return Ok(None);
        };
        let entry = SearchEntry::construct(entry);
        let Some(stable_id) = stable_id(&entry, &s.stable_id_attribute) else {
            tracing::warn!(dn = %entry.dn, attribute = %s.stable_id_attribute, "directory entry without its stable id: treated as unknown");
            return Ok(None);
        };
        let groups = match s.membership {
            Membership::MemberOf => first_values(&entry, "memberOf"),
            Membership::Member => self.groups_naming(&entry.dn).await?,
        };
        Ok(Some(self.person(entry, stable_id, groups)))
    }

    /// The DNs of the groups under `group_base_dn` that list `dn` as a member.
    async fn groups_naming(&self, dn: &str) -> Result<Vec<String>, DirectoryFailure> {
        let s = &self.settings;
        let escaped = ldap3::ldap_escape(dn);
        let filter = format!("(|(member={escaped})(uniqueMember={escaped}))");
        let (timeout, base) = (s.timeout, s.group_base_dn.clone());
        let ldap3::SearchResult(entries, result) = self
            .with_service(
                "cannot search the directory's groups",
                |mut ldap| async move {
                    ldap.with_timeout(timeout)
                        .search(&base, Scope::Subtree, &filter, vec!["1.1"])
                        .await
                },
            )
            .await?;
        if result.rc != 0 {
            return Err(DirectoryFailure::Unavailable(format!(
                "searching groups failed with result {}: {}",
                result.rc, result.text
            )));
        }
        Ok(entries
            .into_iter()
            .map(|entry| SearchEntry::construct(entry).dn)
            .collect())
    }

    fn person(
        &self,
        entry: SearchEntry,
        stable_id: String,
        group_dns: Vec<String>,
    ) -> DirectoryPerson {
        let s = &self.settings;
        let one = |attribute: &str| first_values(&entry, attribute).into_iter().next();
        let user_id = one(&s.user_id_attribute).unwrap_or_default();
        let display_name = one(&s.display_name_attribute).unwrap_or_else(|| user_id.clone());
        let email = one(&s.email_attribute).filter(|address| address.contains('@'));
        let (enabled, locked_at, must_change) = match s.flavour {
            Flavour::Openldap => {
                let lock = one("pwdAccountLockedTime");
                (
                    lock.as_deref() != Some(LOCKED_FOR_GOOD),
                    lock.filter(|at| at != LOCKED_FOR_GOOD),
                    one("pwdReset").is_some_and(|flag| flag.eq_ignore_ascii_case("TRUE")),
                )
            }
            Flavour::ActiveDirectory => {
                let control = one("userAccountControl").and_then(|v| v.parse::<u64>().ok());
                (
                    control.is_some_and(|flags| flags & AD_ACCOUNTDISABLE == 0),
                    one("lockoutTime").filter(|at| at != "0"),
                    one("pwdLastSet").as_deref() == Some("0"),
                )
            }
        };
        // Each group by its DN and by the value of its first RDN (its cn), so the policy's
        // `group` and `admin_groups` may name either.
        let mut groups = Vec::new();
        for dn in group_dns {
            if let Some(name) = first_rdn_value(&dn) {
                groups.push(name);
            }
            groups.push(dn);
        }
        let is_admin = s.admin_groups.iter().any(|admin| {
            groups
                .iter()
                .any(|group| group.eq_ignore_ascii_case(admin.trim()))
        });
        DirectoryPerson {
            stable_id,
            dn: entry.dn,
            user_id,
            display_name,
            email,
            enabled,
            locked: locked_at.is_some(),
            locked_at,
            must_change,
            is_admin,
            groups,
        }
    }

    /// Whether `password` is the current password of `dn`, by binding as them on a
    /// connection of its own: as this server writes passwords (NFC), then as typed when
    /// that differs (one set elsewhere). An empty password is never tried: LDAP takes it
    /// as an unauthenticated bind, which succeeds; a bind that fails is made instead, the
    /// same round trip as a wrong password.
    pub async fn check_password(&self, dn: &str, password: &str) -> Result<bool, DirectoryFailure> {
        if password.is_empty() || dn.is_empty() {
            return self.check_nobody(password).await;
        }
        let normalized = sspr_api::password::normalize(password);
        if self.binds(dn, &normalized).await? {
            return Ok(true);
        }
        if normalized != password {
            return self.binds(dn, password).await;
        }
        Ok(false)
    }

    /// Work equal to [`LdapDirectory::check_password`] for a user ID with no entry: a bind
    /// that fails, so an unknown user ID takes about as long as a wrong password.
    pub async fn check_nobody(&self, password: &str) -> Result<bool, DirectoryFailure> {
        let password = if password.is_empty() { "-" } else { password };
        self.binds(&self.nobody(), password).await.map(|_| false)
    }

    /// A DN under `base_dn` that names no one.
    fn nobody(&self) -> String {
        format!("cn=sspr-no-such-person,{}", self.settings.base_dn)
    }

    /// Whether a simple bind as `dn` with `password` (never empty) succeeds.
    async fn binds(&self, dn: &str, password: &str) -> Result<bool, DirectoryFailure> {
        let mut ldap = self.connect().await?;
        let result = ldap
            .with_timeout(self.settings.timeout)
            .simple_bind(dn, password)
            .await
            .map_err(|err| unavailable("cannot bind to the directory", err));
        let _ = ldap.unbind().await;
        let result = result?;
        match result.rc {
            0 => Ok(true),
            INVALID_CREDENTIALS => Ok(false),
            rc => Err(DirectoryFailure::Unavailable(format!(
                "the directory answered a bind with result {rc}: {}",
                result.text
            ))),
        }
    }

    /// Sets `person`'s password as the service account (a reset): the directory's own
    /// rules apply, and its refusal is the reason the person is shown. Afterwards the
    /// "must change at next sign-in" flag is cleared (the person chose this password), and
    /// on Active Directory the lockout is lifted when `unlock_on_reset` says so.
    pub async fn reset_password(
        &self,
        person: &DirectoryPerson,
        password: &str,
    ) -> Result<(), DirectoryFailure> {
        match self.settings.flavour {
            Flavour::Openldap => {
                let ldap = self.service().await?;
                self.password_modify(ldap, Some(&person.dn), None, password)
                    .await?;
                // The password is set by now: what follows is logged when it fails, not
                // reported as the reset's failure.
                // ppolicy clears pwdReset itself when the writer is no password
                // administrator; a directory set up otherwise still gets it cleared.
                let cleared = match self.still_must_change(&person.dn).await {
                    Ok(true) => {
                        self.modify(
                            &person.dn,
                            vec![Mod::Delete(b"pwdReset".to_vec(), HashSet::new())],
                        )
                        .await
                    }
                    other => other.map(|_| ()),
                };
                if let Err(failure) = cleared {
                    tracing::warn!(%failure, "password set; pwdReset not cleared");
                }
                // ppolicy lifts its lock on every password change; without
                // `unlock_on_reset` the lock the person had is put back.
                if let (Some(at), false) = (&person.locked_at, self.settings.unlock_on_reset) {
                    let relock = vec![Mod::Replace(
                        b"pwdAccountLockedTime".to_vec(),
                        HashSet::from([at.as_bytes().to_vec()]),
                    )];
                    if let Err(failure) = self.modify(&person.dn, relock).await {
                        tracing::warn!(%failure, "password set; the lockout not put back");
                    }
                }
            }
            Flavour::ActiveDirectory => {
                let value = ad_password(password);
                let ldap = self.service().await?;
                self.ad_write(
                    ldap,
                    &person.dn,
                    vec![Mod::Replace(b"unicodePwd".to_vec(), HashSet::from([value]))],
                )
                .await?;
                let mut after = Vec::new();
                if person.must_change {
                    after.push(Mod::Replace(
                        b"pwdLastSet".to_vec(),
                        HashSet::from([b"-1".to_vec()]),
                    ));
                }
                if person.locked && self.settings.unlock_on_reset {
                    after.push(Mod::Replace(
                        b"lockoutTime".to_vec(),
                        HashSet::from([b"0".to_vec()]),
                    ));
                }
                // The password is set by now: a failure here is logged, not the reset's.
                if !after.is_empty()
                    && let Err(failure) = self.modify(&person.dn, after).await
                {
                    tracing::warn!(%failure, "password set; pwdLastSet or lockoutTime not updated");
                }
            }
        }
        Ok(())
    }

    /// A signed-in person's own change: bound as them with `current`, under their own
    /// rights and the directory's rules.
    pub async fn change_own_password(
        &self,
        dn: &str,
        current: &str,
        password: &str,
    ) -> Result<(), DirectoryFailure> {
        if current.is_empty() {
            return Err(DirectoryFailure::Unavailable("no current password".into()));
        }
        let mut ldap = self.connect().await?;
        let bound = ldap
            .with_timeout(self.settings.timeout)
            .simple_bind(dn, current)
            .await
            .map_err(|err| unavailable("cannot bind to the directory", err))?;
        if bound.rc != 0 {
            let _ = ldap.unbind().await;
            return Err(DirectoryFailure::Unavailable(format!(
                "the directory refused the current password (result {})",
                bound.rc
            )));
        }
        let result = match self.settings.flavour {
            Flavour::Openldap => {
                self.password_modify(ldap.clone(), None, Some(current), password)
                    .await
            }
            Flavour::ActiveDirectory => {
                let mods = vec![
                    Mod::Delete(
                        b"unicodePwd".to_vec(),
                        HashSet::from([ad_password(current)]),
                    ),
                    Mod::Add(
                        b"unicodePwd".to_vec(),
                        HashSet::from([ad_password(password)]),
                    ),
                ];
                self.ad_write(ldap.clone(), dn, mods).await
            }
        };
        let _ = ldap.unbind().await;
        result
    }

    /// Lifts a lockout without changing the password.
    pub async fn unlock(&self, person: &DirectoryPerson) -> Result<(), DirectoryFailure> {
        let mods = match self.settings.flavour {
            Flavour::Openldap => vec![Mod::Delete(
                b"pwdAccountLockedTime".to_vec(),
                HashSet::new(),
            )],
            Flavour::ActiveDirectory => {
                vec![Mod::Replace(
                    b"lockoutTime".to_vec(),
                    HashSet::from([b"0".to_vec()]),
                )]
            }
        };
        self.modify(&person.dn, mods).await
    }

    async fn password_modify(
        &self,
        mut ldap: Ldap,
        target: Option<&str>,
        current: Option<&str>,
        password: &str,
    ) -> Result<(), DirectoryFailure> {
        let request = PasswordModify {
            user_id: target,
            old_pass: current,
            new_pass: Some(password),
        };
        let outcome = ldap
            .with_timeout(self.settings.timeout)
            .with_controls(vec![RawControl {
                ctype: refusals::PASSWORD_POLICY_OID.into(),
                crit: false,
                val: None,
            }])
            .extended(request)
            .await;
        let result = match outcome {
            Ok(ldap3::result::ExopResult(_, result)) => result,
            Err(err) => {
                self.forget_broken().await;
                return Err(unavailable(
                    "cannot write the password to the directory",
                    err,
                ));
            }
        };
        written(&result)
    }

    async fn ad_write(
        &self,
        mut ldap: Ldap,
        dn: &str,
        mods: Vec<Mod<Vec<u8>>>,
    ) -> Result<(), DirectoryFailure> {
        let outcome = ldap
            .with_timeout(self.settings.timeout)
            .with_controls(vec![RawControl {
                ctype: refusals::AD_POLICY_HINTS_OID.into(),
                crit: false,
                val: Some(refusals::AD_POLICY_HINTS_VALUE.to_vec()),
            }])
            .modify(dn, mods)
            .await;
        match outcome {
            Ok(result) => written(&result),
            Err(err) => {
                self.forget_broken().await;
                Err(unavailable(
                    "cannot write the password to the directory",
                    err,
                ))
            }
        }
    }

    async fn modify(&self, dn: &str, mods: Vec<Mod<Vec<u8>>>) -> Result<(), DirectoryFailure> {
        let timeout = self.settings.timeout;
        let result = self
            .with_service("cannot update the directory entry", |mut ldap| async move {
                ldap.with_timeout(timeout).modify(dn, mods).await
            })
            .await?;
        match result.rc {
            0 => Ok(()),
            rc => Err(DirectoryFailure::Unavailable(format!(
                "the directory refused an update (result {rc}: {})",
                result.text
            ))),
        }
    }

    async fn still_must_change(&self, dn: &str) -> Result<bool, DirectoryFailure> {
        let timeout = self.settings.timeout;
        let ldap3::SearchResult(entries, _) = self
            .with_service("cannot read the directory entry", |mut ldap| async move {
                ldap.with_timeout(timeout)
                    .search(dn, Scope::Base, "(objectClass=*)", vec!["pwdReset"])
                    .await
            })
            .await?;
        Ok(entries.into_iter().next().is_some_and(|entry| {
            first_values(&SearchEntry::construct(entry), "pwdReset")
                .iter()
                .any(|flag| flag.eq_ignore_ascii_case("TRUE"))
        }))
    }
}

/// A password write's answer: done, refused for a reason the person can act on, or a
/// fault.
fn written(result: &ldap3::LdapResult) -> Result<(), DirectoryFailure> {
    if result.rc == 0 {
        return Ok(());
    }
    let policy = result
        .ctrls
        .iter()
        .find(|control| control.1.ctype == refusals::PASSWORD_POLICY_OID)
        .and_then(|control| control.1.val.as_deref())
        .and_then(refusals::policy_error);
    match refusals::refusal(result.rc, policy, &result.text) {
        Some(problem) => Err(DirectoryFailure::Refused(problem)),
        None => Err(DirectoryFailure::Unavailable(format!(
            "the directory did not take the password (result {}: {})",
            result.rc, result.text
        ))),
    }
}

/// Active Directory's `unicodePwd` value: the password in double quotes, UTF-16LE.
fn ad_password(password: &str) -> Vec<u8> {
    format!("\"{password}\"")
        .encode_utf16()
        .flat_map(u16::to_le_bytes)
        .collect()
}

/// The values of `attribute` (any case), text ones only.
fn first_values(entry: &SearchEntry, attribute: &str) -> Vec<String> {
    entry
        .attrs
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(attribute))
        .map(|(_, values)| values.clone())
        .unwrap_or_default()
}

/// The stable id as text: `entryUUID` as given, binary ones (`objectGUID`) in hex.
fn stable_id(entry: &SearchEntry, attribute: &str) -> Option<String> {
    let hex = |bytes: &[u8]| bytes.iter().map(|b| format!("{b:02x}")).collect::<String>();
    if let Some((_, values)) = entry
        .bin_attrs
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(attribute))
    {
        return values.first().map(|bytes| hex(bytes));
    }
    let text = first_values(entry, attribute).into_iter().next()?;
    if attribute.eq_ignore_ascii_case("objectGUID") {
        // A GUID whose sixteen bytes happen to be UTF-8 arrives as text.
        return Some(hex(text.as_bytes()));
    }
    Some(text).filter(|id| !id.is_empty())
}

/// `Sales Team` of `cn=Sales Team,ou=groups,dc=example,dc=org` (escaped characters kept,
/// the escape dropped).
fn first_rdn_value(dn: &str) -> Option<String> {
    let (mut value, mut escaped, mut in_value) = (String::new(), false, false);
    for c in dn.chars() {
        if escaped {
            if in_value {
                value.push(c);
            }
            escaped = false;
            continue;
        }
        match c {
            '\\' => escaped = true,
            ',' | '+' => break,
            '=' if !in_value => in_value = true,
            _ if in_value => value.push(c),
            _ => {}
        }
    }
    let value = value.trim().to_owned();
    Some(value).filter(|v| !v.is_empty())
}

fn tls_config(settings: &LdapSettings) -> Result<Arc<rustls::ClientConfig>, DirectoryFailure> {
    use rustls::pki_types::CertificateDer;
    use rustls::pki_types::pem::PemObject;
    let mut roots = rustls::RootCertStore::empty();
    match &settings.ca_file {
        Some(path) => {
            let pem = std::fs::read(path).map_err(|err| {
                DirectoryFailure::Unavailable(format!(
                    "cannot read directory.ca_file {}: {err}",
                    path.display()
                ))
            })?;
            for cert in CertificateDer::pem_slice_iter(&pem) {
                let cert = cert.map_err(|err| {
                    DirectoryFailure::Unavailable(format!(
                        "directory.ca_file {} is not valid PEM: {err}",
                        path.display()
                    ))
                })?;
                roots.add(cert).map_err(|err| {
                    DirectoryFailure::Unavailable(format!(
                        "directory.ca_file {}: {err}",
                        path.display()
                    ))
                })?;
            }
        }
        None => roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned()),
    }
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map_err(|err| DirectoryFailure::Unavailable(format!("TLS for the directory: {err}")))?
    .with_root_certificates(roots)
    .with_no_client_auth();
    Ok(Arc::new(config))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn active_directory_passwords_are_quoted_utf16le() {
        assert_eq!(ad_password("ab"), vec![0x22, 0, 0x61, 0, 0x62, 0, 0x22, 0]);
    }

    #[test]
    fn a_groups_name_is_its_first_rdn_value() {
        assert_eq!(
            first_rdn_value("cn=Sales Team,ou=groups,dc=example,dc=org").as_deref(),
            Some("Sales Team")
        );
        assert_eq!(first_rdn_value("cn=a\\,b,dc=x").as_deref(), Some("a,b"));
        assert_eq!(first_rdn_value("nonsense"), None);
    }
}
