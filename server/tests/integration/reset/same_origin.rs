//! CSRF (5.8).

use super::*;

#[tokio::test]
async fn state_changing_reset_requests_need_json_from_the_same_origin() {
    let h = Harness::new(POLICY).await;
    let captcha = h.captcha().await;
    let body = json!({"user_id": "x@contoso.example", "captcha": captcha}).to_string();
    let (status, _, json) = h
        .request(
            Request::post("/api/v1/reset/flows")
                .header("content-type", "application/json")
                .header("origin", "https://evil.example")
                .header("host", "sspr.contoso.example")
                .body(Body::from(body.clone()))
                .unwrap(),
        )
        .await;
    assert_eq!(
        (status, json["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("forbidden_origin"))
    );
    let (status, _, json) = h
        .request(
            Request::post("/api/v1/reset/flows")
                .header("content-type", "text/plain")
                .body(Body::from(body))
                .unwrap(),
        )
        .await;
    assert_eq!(
        (status, json["code"].as_str()),
        (
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Some("unsupported_media_type")
        )
    );
    // Malformed JSON is a problem document too, and the CAPTCHA is required.
    let (status, _, json) = h.post("/api/v1/reset/flows", json!({"user_id": "x"})).await;
    assert_eq!(
        (status, json["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_request"))
    );
    let mut captcha = h.captcha().await;
    captcha.number += 1;
    let (status, _, json) = h
        .post(
            "/api/v1/reset/flows",
            json!({"user_id": "x@contoso.example", "captcha": captcha}),
        )
        .await;
    assert_eq!(
        (status, json["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("captcha_invalid"))
    );
}
