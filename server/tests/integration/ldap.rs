//! The LDAP backend against a real OpenLDAP `slapd` (`slapd.rs`): people, groups and
//! account state read from it, binds as the person, and passwords written back under the
//! directory's own policy.

use crate::slapd::{self, Slapd};
use sspr_api::password::PasswordProblem;
use sspr_server::people::ldap::LdapDirectory;
use sspr_server::people::{DirectoryConfig, DirectoryFailure};

/// The directory of `slapd`, configured as an organisation's `[directory]` would be.
pub(crate) fn directory(slapd: &Slapd) -> LdapDirectory {
    let DirectoryConfig::Ldap(config) = toml::from_str::<Table>(&slapd.config_toml())
        .unwrap()
        .directory
    else {
        panic!("not an LDAP [directory]");
    };
    LdapDirectory::new(config.settings().unwrap()).unwrap()
}

#[derive(serde::Deserialize)]
struct Table {
    directory: DirectoryConfig,
}

#[tokio::test]
async fn people_come_with_their_groups_state_and_stable_id() {
    let slapd = Slapd::start();
    let directory = directory(&slapd);
    let lena = directory
        .find("LENA")
        .await
        .unwrap()
        .expect("lena is found in any case");
    assert_eq!(lena.user_id, "lena");
    assert_eq!(lena.display_name, "Lena Fischer");
    assert_eq!(lena.email.as_deref(), Some("lena@example.org"));
    assert_eq!(lena.dn, slapd::person_dn("lena"));
    assert_eq!(lena.stable_id, slapd.read(&lena.dn, "entryUUID")[0]);
    assert!(lena.enabled && !lena.locked && !lena.is_admin && lena.must_change);
    assert!(lena.groups.iter().any(|g| g == "sspr-users"));
    assert!(
        lena.groups
            .iter()
            .any(|g| g == "cn=sspr-users,ou=groups,dc=example,dc=org")
    );

    let ada = directory.find("ada").await.unwrap().unwrap();
    assert!(ada.is_admin, "a member of sspr-admins");
    let dan = directory.find("dan").await.unwrap().unwrap();
    assert!(
        !dan.enabled,
        "locked for good by an administrator: disabled"
    );
    let lou = directory.find("lou").await.unwrap().unwrap();
    assert!(lou.enabled && lou.locked, "locked out, and may reset");
    let otto = directory.find("otto").await.unwrap().unwrap();
    assert!(otto.groups.is_empty());
    assert_eq!(directory.find("nobody").await.unwrap(), None);
    // A filter's special characters are searched for, not obeyed: unescaped, `le*`
    // would find Lena alone, and `lena)(uid=*` would be a filter of its own.
    assert_eq!(directory.find("le*").await.unwrap(), None);
    assert_eq!(directory.find("lena)(uid=*").await.unwrap(), None);
}

#[tokio::test]
async fn a_password_is_checked_by_binding_as_the_person_and_never_empty() {
    let slapd = Slapd::start();
    let directory = directory(&slapd);
    let dn = slapd::person_dn(slapd::OMAR.0);
    assert!(directory.check_password(&dn, slapd::OMAR.1).await.unwrap());
    assert!(
        !directory
            .check_password(&dn, "not omar's password")
            .await
            .unwrap()
    );
    // An empty password would be an unauthenticated bind, which LDAP lets succeed.
    assert!(!directory.check_password(&dn, "").await.unwrap());
    // The bind an unknown user ID gets answers (and always "no").
    assert_eq!(directory.check_nobody("anything at all").await, Ok(false));
}

#[tokio::test]
async fn a_reset_writes_the_password_back_under_the_directorys_policy() {
    let slapd = Slapd::start();
    let directory = directory(&slapd);
    let lena = directory.find("lena").await.unwrap().unwrap();
    assert_eq!(slapd.read(&lena.dn, "pwdReset"), ["TRUE"]);

    // ppolicy's minimum is 12: refused with the reason, nothing changed.
    let short = directory
        .reset_password(&lena, "short pass")
        .await
        .unwrap_err();
    assert_eq!(
        short,
        DirectoryFailure::Refused(PasswordProblem::DirectoryTooShort)
    );
    assert!(slapd.binds(&lena.dn, slapd::LENA.1));

    directory
        .reset_password(&lena, "a brand new passphrase")
        .await
        .unwrap();
    assert!(slapd.binds(&lena.dn, "a brand new passphrase"));
    assert!(
        !slapd.binds(&lena.dn, slapd::LENA.1),
        "the old password no longer works"
    );
    assert!(
        slapd.read(&lena.dn, "pwdReset").is_empty(),
        "must-change flag cleared"
    );

    // The history (3): the old one, and the current one, are refused.
    let lena = directory.find("lena").await.unwrap().unwrap();
    for used in [slapd::LENA.1, "a brand new passphrase"] {
        let again = directory.reset_password(&lena, used).await.unwrap_err();
        assert_eq!(
            again,
            DirectoryFailure::Refused(PasswordProblem::SameAsCurrent),
            "{used}"
        );
    }
}

#[tokio::test]
async fn a_reset_lifts_a_lockout() {
    let slapd = Slapd::start();
    let directory = directory(&slapd);
    let lou = directory.find("lou").await.unwrap().unwrap();
    assert!(lou.locked);
    directory
        .reset_password(&lou, "lou's fresh passphrase")
        .await
        .unwrap();
    assert!(!directory.find("lou").await.unwrap().unwrap().locked);
    assert!(slapd.binds(&lou.dn, "lou's fresh passphrase"));
}

#[tokio::test]
async fn a_signed_in_person_changes_their_own_password_with_the_current_one() {
    let slapd = Slapd::start();
    let directory = directory(&slapd);
    let dn = slapd::person_dn(slapd::OMAR.0);
    let wrong = directory
        .change_own_password(&dn, "not the current one", "omar's next passphrase")
        .await;
    assert!(
        matches!(wrong, Err(DirectoryFailure::Unavailable(_))),
        "{wrong:?}"
    );
    directory
        .change_own_password(&dn, slapd::OMAR.1, "omar's next passphrase")
        .await
        .unwrap();
    assert!(slapd.binds(&dn, "omar's next passphrase"));
}

/// Whether the directory's health comes to `ok` within ten seconds (checks are reused
/// for two).
async fn health_becomes(directory: &LdapDirectory, ok: bool) -> bool {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while std::time::Instant::now() < deadline {
        if directory.health().await.is_ok() == ok {
            return true;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    false
}

#[tokio::test]
async fn a_directory_that_goes_down_is_unavailable_and_is_used_again_once_back() {
    let mut slapd = Slapd::start();
    let directory = directory(&slapd);
    directory.health().await.unwrap();
    assert!(directory.find("omar").await.unwrap().is_some());
    slapd.stop();
    assert!(health_becomes(&directory, false).await);
    assert!(matches!(
        directory.find("omar").await,
        Err(DirectoryFailure::Unavailable(_))
    ));
    slapd.restart();
    assert!(health_becomes(&directory, true).await);
    assert!(directory.find("omar").await.unwrap().is_some());
}
