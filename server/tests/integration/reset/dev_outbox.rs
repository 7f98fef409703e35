//! Dev outbox (demo).

use super::*;

#[tokio::test]
async fn in_demo_mode_the_dev_outbox_shows_every_message_with_its_code_escaped() {
    let config = format!("{POLICY}\n[organisation]\nname = \"Contoso <b>IT</b>\"\n");
    let h = Harness::with(&config, true).await;
    h.person("nat@contoso.example").await;
    let flow = h.start("nat@contoso.example").await;
    assert_eq!(h.challenge(&flow, "email").await.0, StatusCode::OK);
    let code = h.last_code("nat@home.example").await;

    let (status, _, json) = h.request(from_loopback("/api/v1/dev/outbox")).await;
    assert_eq!(status, StatusCode::OK);
    let messages = json.as_array().unwrap();
    assert_eq!(messages.len(), 1, "{json}");
    assert_eq!(messages[0]["to"], "nat@home.example");
    assert_eq!(messages[0]["status"], "pending");
    assert!(messages[0]["body"].as_str().unwrap().contains(&code));

    let (status, page) = get_text(&h, "/dev/outbox").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains(&code), "{page}");
    assert!(page.contains("Contoso &lt;b&gt;IT&lt;/b&gt;"), "{page}");
    assert!(!page.contains("<b>IT</b>"), "unescaped markup: {page}");
}

#[tokio::test]
async fn outside_demo_mode_there_is_no_dev_outbox() {
    let h = Harness::new(POLICY).await;
    let (status, _, json) = h.request(from_loopback("/api/v1/dev/outbox")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(json["code"], "not_found");
    let (_, page) = get_text(&h, "/dev/outbox").await;
    assert!(!page.contains("Dev outbox"));
}
