//! Pauses and time (issue 10).

use super::*;

#[tokio::test]
async fn the_flow_says_which_methods_are_paused_and_for_how_long_for_decoys_too() {
    let h = Harness::new(&format!("{POLICY}\n[policy.lockout]\nmax_failures = 8\n")).await;
    h.person("rui@contoso.example").await;
    let mut views = Vec::new();
    for user_id in ["rui@contoso.example", "nobody@contoso.example"] {
        let flow = h.start(user_id).await;
        let kind = flow.kinds()[0].clone();
        // Five wrong tries pause the method (codes.max_attempts), not yet the account.
        for _ in 0..5 {
            fail_once(&h, &flow).await;
        }
        h.clock().advance(100);
        let (status, _, json) = h.get_flow(&flow).await;
        assert_eq!(status, StatusCode::OK);
        let paused: Vec<&Value> = json["methods"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|m| m.get("locked_for_seconds").is_some())
            .collect();
        assert_eq!(paused.len(), 1, "{user_id}: {json}");
        assert_eq!(paused[0]["kind"], kind.as_str());
        assert_eq!(
            paused[0]["locked_for_seconds"], 800,
            "{user_id}: 900 s less 100"
        );
        assert!(json.get("locked_for_seconds").is_none(), "{json}");
        // A new flow sees the same pause from the start.
        let again = h.start(user_id).await;
        let method = again.0["methods"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["kind"] == kind.as_str())
            .unwrap()
            .clone();
        assert_eq!(method["locked_for_seconds"], 800);
        // Three more failures elsewhere pause the whole account (8 in a row).
        let other = again
            .kinds()
            .into_iter()
            .find(|k| *k != kind)
            .unwrap_or(kind.clone());
        for _ in 0..3 {
            fail_once_with(&h, &again, &other).await;
        }
        let (_, _, mut json) = h.get_flow(&again).await;
        assert_eq!(json["locked_for_seconds"], 900, "{user_id}: {json}");
        // The methods differ between accounts as they do between real ones; the rest of
        // the answer has one shape.
        json.as_object_mut().unwrap().remove("methods");
        views.push(shape(&json));
        h.clock().advance(3600);
    }
    assert_eq!(views[0], views[1]);
}

#[tokio::test]
async fn extending_a_flow_keeps_what_was_proven_and_stops_at_an_hour() {
    let h = Harness::new(&POLICY.replace("[policy]\n", "[policy]\nflow_lifetime_seconds = 600\n"))
        .await;
    let secret = h.person("ines@contoso.example").await;
    let flow = h.start("ines@contoso.example").await;
    assert_eq!(flow.0["expires_in_seconds"], 600);
    assert_eq!(flow.0["can_extend"], true);
    h.totp_proven(&flow, &secret).await;
    h.clock().advance(500);
    let extended = |(status, _, json): (StatusCode, HeaderMap, Value)| {
        assert_eq!(status, StatusCode::OK, "{json}");
        json
    };
    // A full lifetime from now, the proven method kept.
    let json = extended(h.extend(&flow).await);
    assert_eq!(json["expires_in_seconds"], 600);
    assert_eq!(json["verified"].as_array().unwrap().len(), 1);
    // Again and again, never past an hour after the start.
    for _ in 0..6 {
        h.clock().advance(500);
        extended(h.extend(&flow).await);
    }
    let json = extended(h.extend(&flow).await);
    // 3500 s after the start: 100 s are left of the hour, and no more time can be had.
    assert_eq!(json["expires_in_seconds"], 100, "{json}");
    assert_eq!(json["can_extend"], false);
    h.clock().advance(100);
    let (status, _, json) = h.extend(&flow).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{json}");
    assert_eq!(json["code"], "flow_not_found");
    // Without the flow's secret there is nothing to extend.
    let other = h.start("ines@contoso.example").await;
    let (status, _, _) = h
        .request(
            Request::post(format!("/api/v1/reset/flows/{}/extend", other.id()))
                .header("content-type", "application/json")
                .body(Body::from("{}"))
                .unwrap(),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}
