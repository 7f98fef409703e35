use serde::{Deserialize, Serialize};

/// Body of `GET /api/v1/health`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Health {
    /// `"ok"` when the server can serve requests, including reaching its database;
    /// `"degraded"` when only its LDAP directory does not answer (nobody can reset or sign
    /// in until it does, and nothing is lost meanwhile).
    pub status: HealthStatus,
    /// The server's version (the workspace version).
    pub version: String,
    /// The LDAP directory's state, when people are in one (`[directory] kind = "ldap"`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub directory: Option<DirectoryHealth>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum HealthStatus {
    Ok,
    Degraded,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum DirectoryHealth {
    Ok,
    Unreachable,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ok_serialises_as_the_documented_shape() {
        let health = Health {
            status: HealthStatus::Ok,
            version: "1.2.3".into(),
            directory: None,
        };
        let json = serde_json::to_value(&health).unwrap();
        assert_eq!(json["status"], "ok");
        assert_eq!(json["version"], "1.2.3");
        assert!(
            json.get("directory").is_none(),
            "no directory named without one"
        );
        let degraded = Health {
            status: HealthStatus::Degraded,
            version: "1.2.3".into(),
            directory: Some(DirectoryHealth::Unreachable),
        };
        let json = serde_json::to_value(&degraded).unwrap();
        assert_eq!(json["status"], "degraded");
        assert_eq!(json["directory"], "unreachable");
    }
}
