//! Every HTTP call the app makes, and its typed errors. Request and response shapes come
//! from the `sspr-api` contract crate, the same types the server serialises.

use gloo_net::http::{Request, Response};
use serde::de::DeserializeOwned;
use sspr_api::problem::PROBLEM_CONTENT_TYPE;
use sspr_api::{ErrorCode, Problem, PublicConfig, paths};

/// Why a call failed, in terms the UI can explain.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApiError {
    /// The request did not reach the server (offline, DNS, connection refused).
    #[error("the server could not be reached")]
    Network,
    /// The server answered with a problem document.
    #[error("the server refused the request: {}", code.as_str())]
    Problem {
        code: ErrorCode,
        retry_after_seconds: Option<u64>,
    },
    /// The server answered with something that is not the expected JSON.
    #[error("unexpected response (HTTP {status})")]
    Unexpected { status: u16 },
}

/// `GET /api/v1/config`.
pub async fn config() -> Result<PublicConfig, ApiError> {
    let response = Request::get(paths::CONFIG)
        .send()
        .await
        .map_err(|_| ApiError::Network)?;
    read_json(response).await
}

async fn read_json<T: DeserializeOwned>(response: Response) -> Result<T, ApiError> {
    let status = response.status();
    if response.ok() {
        return response
            .json::<T>()
            .await
            .map_err(|_| ApiError::Unexpected { status });
    }
    let is_problem = response
        .headers()
        .get("content-type")
        .is_some_and(|media| media.starts_with(PROBLEM_CONTENT_TYPE));
    if !is_problem {
        return Err(ApiError::Unexpected { status });
    }
    match response.json::<Problem>().await {
        Ok(problem) => Err(ApiError::Problem {
            code: problem.code,
            retry_after_seconds: problem.retry_after_seconds,
        }),
        Err(_) => Err(ApiError::Unexpected { status }),
    }
}
