//! Questions (5.5).

use super::*;

#[tokio::test]
async fn security_answers_are_normalised_and_checked_all_together() {
    let h = Harness::new(POLICY).await;
    h.person("quinn@contoso.example").await;
    let flow = h.start("quinn@contoso.example").await;
    let (status, _, asked) = h.challenge(&flow, "security_questions").await;
    assert_eq!(status, StatusCode::OK);
    let asked: Vec<String> = serde_json::from_value(asked["questions"].clone()).unwrap();
    assert_eq!(asked.len(), 3);
    let answer = |q: &str, wrong: bool| {
        let a = match q {
            "birth_city" => "  LISBON ",
            "first_pet" => "biscuit!",
            _ => "riverside   primary",
        };
        json!({"question": q, "answer": if wrong && q == "first_pet" { "Rex" } else { a }})
    };
    let wrong: Vec<Value> = asked.iter().map(|q| answer(q, true)).collect();
    let (status, _, json) = h
        .verify(&flow, "security_questions", json!({"answers": wrong}))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(json["code"], "answers_incorrect");
    assert_eq!(json["attempts_left"], 4);
    let right: Vec<Value> = asked.iter().map(|q| answer(q, false)).collect();
    let (status, _, json) = h
        .verify(&flow, "security_questions", json!({"answers": right}))
        .await;
    assert_eq!(status, StatusCode::OK, "{json}");
    // Stored hashed: the answers are not in the database.
    assert!(
        !h.database_bytes()
            .windows(7)
            .any(|w| w == b"biscuit" || w == b"Biscuit")
    );
}
