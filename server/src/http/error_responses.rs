//! The error answers many operations share, documented once: each type is one OpenAPI
//! response (an RFC 9457 problem with its stable `code`, its body the `Problem` schema),
//! listed by name in a handler's `#[utoipa::path(responses(...))]`. An operation whose
//! answer for a status says more (several codes for one status) writes that response out
//! itself.

use std::collections::BTreeMap;
use utoipa::IntoResponses;
use utoipa::openapi::{ContentBuilder, HeaderBuilder, Ref, RefOr, Response, ResponseBuilder};

/// Declares a response type: its status and description, and `retry_after` when it
/// carries a `Retry-After` header.
macro_rules! problem_response {
    ($(#[$doc:meta])* $name:ident, $status:literal, $description:literal, retry_after) => {
        problem_response!(@ $(#[$doc])* $name, $status, $description, true);
    };
    ($(#[$doc:meta])* $name:ident, $status:literal, $description:literal) => {
        problem_response!(@ $(#[$doc])* $name, $status, $description, false);
    };
    (@ $(#[$doc:meta])* $name:ident, $status:literal, $description:literal, $retry:expr) => {
        $(#[$doc])*
        pub struct $name;
        impl IntoResponses for $name {
            fn responses() -> BTreeMap<String, RefOr<Response>> {
                BTreeMap::from([($status.to_string(), problem($description, $retry).into())])
            }
        }
    };
}

problem_response!(
    /// 403 `forbidden_origin`.
    ForbiddenOrigin, 403, "`forbidden_origin`: sent from another origin"
);
problem_response!(
    /// 404 `flow_not_found`.
    FlowNotFound, 404, "`flow_not_found`: no such flow, or it expired"
);
problem_response!(
    /// 409 `flow_completed`.
    FlowCompleted, 409, "`flow_completed`: the password was already reset with this flow"
);
problem_response!(
    /// 401 `not_signed_in`, for the security-info page's session.
    NotSignedIn, 401, "`not_signed_in`: no session, or it ended"
);
problem_response!(
    /// 401 `device_not_recognised`, for the authenticator page's signed requests.
    DeviceNotRecognised, 401, "`device_not_recognised`: no valid signature of an enrolled device (`x-device-id`, `x-device-time` within 120 s of the server's clock, `x-device-signature`)"
);
problem_response!(
    /// 404 `method_not_found`, for the signed-in person's methods.
    MethodNotFound, 404, "`method_not_found`: the person has no method with this id"
);
problem_response!(
    /// 415 `unsupported_media_type`.
    UnsupportedMediaType, 415, "`unsupported_media_type`: the body is not `application/json`"
);
problem_response!(
    /// 429 `rate_limited`, from the per-address limit.
    RateLimited, 429, "`rate_limited`: too many requests from this address", retry_after
);
problem_response!(
    /// 503 `service_unavailable`.
    ServiceUnavailable, 503, "`service_unavailable`: the database does not answer; try again later"
);

/// A problem response: `application/problem+json` with the `Problem` schema.
fn problem(description: &str, retry_after: bool) -> Response {
    let content = ContentBuilder::new()
        .schema(Some(Ref::from_schema_name("Problem")))
        .build();
    let mut response = ResponseBuilder::new()
        .description(description)
        .content("application/problem+json", content);
    if retry_after {
        response = response.header(
            "Retry-After",
            HeaderBuilder::new()
                .schema(<u64 as utoipa::PartialSchema>::schema())
                .description(Some("Seconds to wait, as in `retry_after_seconds`"))
                .build(),
        );
    }
    response.build()
}
