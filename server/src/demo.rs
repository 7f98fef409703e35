//! The demo directory: a handful of people so that someone trying the product on one
//! machine has accounts to reset. Seeded by `--demo`; seeding twice changes nothing.

use crate::store::{NewUser, SqliteStore, StoreError, UserSummary};

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

/// Adds the demo users that are missing; returns how many were added.
pub async fn seed(store: &SqliteStore) -> Result<usize, StoreError> {
    let mut added = 0;
    for user in DEMO_USERS {
        if store.create_user_if_missing(user).await? {
            added += 1;
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
    out.push_str(&format!("  {:<width$}  {:<14}  role\n", "user ID", "name"));
    for user in users {
        let role = match (user.is_admin, user.enabled) {
            (_, false) => "disabled",
            (true, true) => "administrator",
            (false, true) if user.groups.iter().any(|g| g == DEMO_GROUP) => "user",
            (false, true) => "user (not in sspr-users)",
        };
        out.push_str(&format!(
            "  {:<width$}  {:<14}  {role}\n",
            user.user_id, user.display_name
        ));
    }
    out.push_str(&format!("\nReset portal:  {url}/\n"));
    out.push_str(&format!("Security info: {url}/security-info\n"));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn seeding_twice_adds_the_users_once() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(&dir.path().join("db.sqlite3")).unwrap();
        assert_eq!(seed(&store).await.unwrap(), DEMO_USERS.len());
        assert_eq!(seed(&store).await.unwrap(), 0);
        assert_eq!(store.list_users().await.unwrap().len(), DEMO_USERS.len());
    }

    #[tokio::test]
    async fn banner_lists_every_user_and_the_urls() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(&dir.path().join("db.sqlite3")).unwrap();
        seed(&store).await.unwrap();
        let text = banner("http://127.0.0.1:8080", &store.list_users().await.unwrap());
        for user in DEMO_USERS {
            assert!(text.contains(user.user_id), "{text}");
        }
        assert!(text.contains("megan.bowen@contoso.example  Megan Bowen     administrator"));
        assert!(
            text.contains("lee.gu@contoso.example       Lee Gu          user (not in sspr-users)")
        );
        assert!(text.contains("Reset portal:  http://127.0.0.1:8080/"));
    }
}
