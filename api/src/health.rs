use serde::{Deserialize, Serialize};

/// Body of `GET /api/v1/health`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Health {
    /// `"ok"` when the server can serve requests, including reaching its database.
    pub status: HealthStatus,
    /// The server's version (the workspace version).
    pub version: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum HealthStatus {
    Ok,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ok_serialises_as_the_documented_shape() {
        let health = Health {
            status: HealthStatus::Ok,
            version: "1.2.3".into(),
        };
        let json = serde_json::to_value(&health).unwrap();
        assert_eq!(json["status"], "ok");
        assert_eq!(json["version"], "1.2.3");
    }
}
