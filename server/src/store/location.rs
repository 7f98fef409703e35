//! Where the store lives, as the configuration names it (`server.database`, `--database`):
//! a SQLite file path (the embedded default), or a PostgreSQL URL
//! (`postgres://user:password@host:5432/sspr`, also `postgresql://`) that several server
//! instances can share.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::path::PathBuf;

#[derive(Clone, PartialEq, Eq)]
pub enum DatabaseLocation {
    /// A SQLite file, created with its folder on first start.
    Sqlite(PathBuf),
    /// A PostgreSQL connection URL (its password is never logged).
    Postgres(String),
}

impl DatabaseLocation {
    /// A PostgreSQL URL when `text` starts with `postgres://` or `postgresql://`; else a
    /// SQLite file path (an optional `sqlite://` prefix is dropped).
    pub fn parse(text: &str) -> DatabaseLocation {
        let trimmed = text.trim();
        let lower = trimmed.to_ascii_lowercase();
        if lower.starts_with("postgres://") || lower.starts_with("postgresql://") {
            DatabaseLocation::Postgres(trimmed.to_owned())
        } else {
            let path = trimmed.strip_prefix("sqlite://").unwrap_or(trimmed);
            DatabaseLocation::Sqlite(PathBuf::from(path))
        }
    }

    /// The folder for files kept beside the database (the key file by default): the
    /// SQLite file's folder, or `data/` for a database on a server.
    pub fn local_folder(&self) -> PathBuf {
        match self {
            DatabaseLocation::Sqlite(path) => path.parent().map(PathBuf::from).unwrap_or_default(),
            DatabaseLocation::Postgres(_) => PathBuf::from("data"),
        }
    }
}

impl Default for DatabaseLocation {
    fn default() -> Self {
        DatabaseLocation::Sqlite(PathBuf::from("data/sspr.sqlite3"))
    }
}

impl std::str::FromStr for DatabaseLocation {
    type Err = std::convert::Infallible;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Ok(DatabaseLocation::parse(text))
    }
}

/// For logs and messages: the path, or the URL with its password replaced by `***`.
impl fmt::Display for DatabaseLocation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DatabaseLocation::Sqlite(path) => write!(f, "{}", path.display()),
            DatabaseLocation::Postgres(url) => f.write_str(&redacted(url)),
        }
    }
}

impl fmt::Debug for DatabaseLocation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DatabaseLocation({self})")
    }
}

/// `url` with the password of its user-info part (between `user:` and `@`) hidden, and
/// any `password=` parameter too.
fn redacted(url: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("", url));
    let (authority_end, _) = rest
        .char_indices()
        .find(|(_, c)| matches!(c, '/' | '?'))
        .unwrap_or((rest.len(), ' '));
    let (authority, tail) = rest.split_at(authority_end);
    let authority = match authority.rsplit_once('@') {
        Some((user_info, host)) => match user_info.split_once(':') {
            Some((user, _password)) => format!("{user}:***@{host}"),
            None => authority.to_owned(),
        },
        None => authority.to_owned(),
    };
    let tail = match tail.split_once('?') {
        Some((path, query)) => {
            let query: Vec<String> = query
                .split('&')
                .map(|pair| match pair.split_once('=') {
                    Some((key, _)) if key.eq_ignore_ascii_case("password") => {
                        format!("{key}=***")
                    }
                    _ => pair.to_owned(),
                })
                .collect();
            format!("{path}?{}", query.join("&"))
        }
        None => tail.to_owned(),
    };
    format!("{scheme}://{authority}{tail}")
}

impl Serialize for DatabaseLocation {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            DatabaseLocation::Sqlite(path) => path.serialize(serializer),
            DatabaseLocation::Postgres(url) => url.serialize(serializer),
        }
    }
}

impl<'de> Deserialize<'de> for DatabaseLocation {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(DatabaseLocation::parse(&String::deserialize(deserializer)?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_name_postgres_and_anything_else_is_a_file() {
        assert_eq!(
            DatabaseLocation::parse("postgres://sspr@db:5432/sspr"),
            DatabaseLocation::Postgres("postgres://sspr@db:5432/sspr".into())
        );
        assert!(matches!(
            DatabaseLocation::parse("PostgreSQL://db/sspr"),
            DatabaseLocation::Postgres(_)
        ));
        assert_eq!(
            DatabaseLocation::parse("data/sspr.sqlite3"),
            DatabaseLocation::Sqlite("data/sspr.sqlite3".into())
        );
        assert_eq!(
            DatabaseLocation::parse("sqlite:///var/lib/sspr/db.sqlite3"),
            DatabaseLocation::Sqlite("/var/lib/sspr/db.sqlite3".into())
        );
    }

    #[test]
    fn passwords_never_show() {
        let shown = DatabaseLocation::parse("postgres://sspr:s3cret@db:5432/sspr?sslmode=require")
            .to_string();
        assert_eq!(shown, "postgres://sspr:***@db:5432/sspr?sslmode=require");
        let shown =
            DatabaseLocation::parse("postgres://db/sspr?user=sspr&password=s3cret").to_string();
        assert_eq!(shown, "postgres://db/sspr?user=sspr&password=***");
        assert!(
            !format!("{:?}", DatabaseLocation::parse("postgres://a:s3cret@b/c")).contains("s3cret")
        );
    }

    #[test]
    fn the_key_file_folder() {
        assert_eq!(
            DatabaseLocation::parse("/var/lib/sspr/db.sqlite3").local_folder(),
            PathBuf::from("/var/lib/sspr")
        );
        assert_eq!(
            DatabaseLocation::parse("postgres://db/sspr").local_folder(),
            PathBuf::from("data")
        );
    }
}
