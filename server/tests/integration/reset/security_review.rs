//! Security review (docs/SECURITY.md, findings).

use super::*;

/// Finding 2: setting the password runs the same checks in the same order for real and
/// decoy flows. Before the fix, an expired real flow answered 404 and a decoy 403.
#[tokio::test]
async fn setting_the_password_answers_alike_for_real_and_decoy_flows_alive_or_expired() {
    let h = Harness::new(POLICY).await;
    h.person("uma@contoso.example").await;
    let real = h.start("uma@contoso.example").await;
    let decoy = h.start("nobody.at.all@contoso.example").await;
    let mut answers = Vec::new();
    for flow in [&real, &decoy] {
        let (status, headers, json) = h.set_password(flow, "a perfectly fine passphrase").await;
        answers.push((status, header_set(&headers), json));
    }
    assert_eq!(answers[0].0, StatusCode::FORBIDDEN, "{:?}", answers[0]);
    assert_eq!(answers[0], answers[1]);
    h.clock().advance(20 * 60);
    let mut expired = Vec::new();
    for flow in [&real, &decoy] {
        let (status, headers, json) = h.set_password(flow, "a perfectly fine passphrase").await;
        expired.push((status, header_set(&headers), json));
    }
    assert_eq!(expired[0].0, StatusCode::NOT_FOUND, "{:?}", expired[0]);
    assert_eq!(expired[0], expired[1]);
}

/// Finding 2: a huge body is refused before any flow lookup or normalisation.
#[tokio::test]
async fn a_huge_request_body_is_refused_before_the_flow_is_looked_up() {
    let h = Harness::new(POLICY).await;
    let decoy = h.start("nobody.at.all@contoso.example").await;
    let huge = "x".repeat(sspr_server::http::MAX_BODY_BYTES + 1);
    let (status, _, json) = h.set_password(&decoy, &huge).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{json}");
    assert_eq!(json["code"], "invalid_request");
    // Not the flow's answer (403 not_verified): the flow was never reached.
    let (status, _, _) = h
        .post(
            "/api/v1/reset/flows",
            json!({"user_id": huge, "captcha": h.captcha().await}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

/// Finding 7: a method is read only through its owner. Method ids can be reused once
/// methods are deleted; a live flow must never reach another person's method. Before the
/// fix the code went to the other person's address.
#[tokio::test]
async fn a_flow_never_uses_a_method_row_that_now_belongs_to_someone_else() {
    let h = Harness::new(POLICY).await;
    h.person("vic@contoso.example").await;
    h.person("wes@contoso.example").await;
    let flow = h.start("vic@contoso.example").await;
    // Vic's e-mail method is deleted and its id reused for an address of Wes's.
    let row = h.sql(
        "SELECT m.id, (SELECT id FROM users WHERE user_id = 'wes@contoso.example')
         FROM methods m JOIN users u ON u.id = m.user_id
         WHERE u.user_id = 'vic@contoso.example' AND m.kind = 'email'",
    );
    let (id, wes) = (&row[0][0], &row[0][1]);
    h.sql(&format!("DELETE FROM methods WHERE id = {id}"));
    // PostgreSQL's identity column takes a given id only when told to.
    let overriding = if h.on_postgres() {
        "OVERRIDING SYSTEM VALUE"
    } else {
        ""
    };
    h.sql(&format!(
        "INSERT INTO methods (id, user_id, kind, contact, created_at) {overriding}
         VALUES ({id}, {wes}, 'email', 'wes.private@home.example', 0)"
    ));
    let (status, _, json) = h.challenge(&flow, "email").await;
    assert_eq!(status, StatusCode::OK, "{json}");
    let messages = h.messages().await;
    assert!(
        messages
            .iter()
            .all(|(to, _, _)| to != "wes.private@home.example"),
        "{messages:?}"
    );
    assert!(messages.is_empty(), "{messages:?}");
}

/// Finding 4: a flow id alone (from a log, a proxy, another client) cannot act on the
/// flow: without the secret the start answer gave, the flow does not exist. Before the
/// fix the id was the only credential.
#[tokio::test]
async fn a_flow_id_without_its_secret_cannot_read_verify_or_set_the_password() {
    let h = Harness::new(POLICY).await;
    let secret = h.person("xan@contoso.example").await;
    let flow = h.email_proven("xan@contoso.example").await;
    h.totp_proven(&flow, &secret).await;
    let wrong = "0".repeat(32);
    for header in [None, Some(wrong.as_str())] {
        let with = |request: axum::http::request::Builder| match header {
            Some(value) => request.header(FLOW_SECRET_HEADER, value),
            None => request,
        };
        let path = format!("/api/v1/reset/flows/{}", flow.id());
        for request in [
            with(Request::get(&path)).body(Body::empty()).unwrap(),
            with(Request::post(format!("{path}/password")))
                .header("content-type", "application/json")
                .body(Body::from(
                    json!({"password": "stolen flow passphrase"}).to_string(),
                ))
                .unwrap(),
            with(Request::post(format!("{path}/methods/m1/challenge")))
                .header("content-type", "application/json")
                .body(Body::from("{}"))
                .unwrap(),
            with(Request::post(format!("{path}/methods/m1/verify")))
                .header("content-type", "application/json")
                .body(Body::from(json!({"code": "123456"}).to_string()))
                .unwrap(),
        ] {
            let (status, _, json) = h.request(request).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{header:?}: {json}");
            assert_eq!(json["code"], "flow_not_found");
        }
    }
    assert!(
        h.directory
            .check_password("xan@contoso.example", "lantern harbour seventeen")
            .await
            .unwrap()
    );
    // The browser that started it still can.
    let (status, _, json) = h.set_password(&flow, "a brand new passphrase").await;
    assert_eq!(status, StatusCode::OK, "{json}");
}

/// Finding 4: the logs of a whole reset, at the most detailed level, hold no flow id,
/// flow secret, code or password. Before the fix every request line carried the flow id.
#[tokio::test]
async fn the_logs_of_a_whole_reset_hold_no_flow_id_secret_code_or_password() {
    let (log, _guard) = CapturedLog::capture(tracing::Level::TRACE);

    let h = Harness::new(POLICY).await;
    let secret = h.person("yan@contoso.example").await;
    let flow = h.start("yan@contoso.example").await;
    assert_eq!(h.challenge(&flow, "email").await.0, StatusCode::OK);
    let code = h.last_code("yan@home.example").await;
    assert_eq!(h.code(&flow, &code).await.0, StatusCode::OK);
    let app_code = totp::code_at(&secret, h.clock().now());
    h.totp_proven(&flow, &secret).await;
    // A request from another origin is logged as a warning.
    h.request(
        Request::post(format!("/api/v1/reset/flows/{}/password", flow.id()))
            .header("content-type", "application/json")
            .header("origin", "https://evil.example")
            .header("host", "sspr.contoso.example")
            .body(Body::from("{}"))
            .unwrap(),
    )
    .await;
    let password = "a brand new passphrase";
    assert_eq!(h.set_password(&flow, password).await.0, StatusCode::OK);

    let text = log.text();
    assert!(
        text.contains("/api/v1/reset/flows/{id}/password") && text.contains("cross-origin"),
        "the requests were not logged at all:\n{text}"
    );
    for secret in [flow.id(), flow.secret(), &code, &app_code, password] {
        assert!(!text.contains(secret), "{secret:?} in the log:\n{text}");
    }
}

/// Finding 3: limits cannot be turned into a weapon. Attackers spread over 50 client
/// addresses, guessing app codes all day, get at most 100 guesses against the account;
/// meanwhile the owner's browser, recognised from an earlier reset, resets at once; and
/// the owner is told once. Before the fix the account locked for good at 100 failures
/// (only an administrator could lift it), the owner was locked out with it, and was never
/// told.
#[tokio::test]
async fn attackers_cannot_keep_the_owner_from_resetting_and_get_at_most_100_guesses_a_day() {
    let h = Harness::new(&format!(
        "{POLICY}\n[server]\nrequests_per_ip_per_minute = 100000\n"
    ))
    .await;
    let user = "zoe@contoso.example";
    let secret = h.person(user).await;
    // The owner reset once before, on her own browser, which now holds the cookie.
    let flow = h.email_proven(user).await;
    h.totp_proven(&flow, &secret).await;
    let (status, headers, json) = h.set_password(&flow, "a first new passphrase").await;
    assert_eq!(status, StatusCode::OK, "{json}");
    let set_cookie = headers["set-cookie"].to_str().unwrap();
    for part in [
        "__Host-sspr-device=",
        "Secure",
        "HttpOnly",
        "SameSite=Strict",
    ] {
        assert!(set_cookie.contains(part), "{set_cookie}");
    }
    let cookie = set_cookie.split(';').next().unwrap().to_owned();
    h.clock().advance(60);

    let began = h.clock().now();
    let mut guesses = 0;
    let mut flow: Option<Flow> = None;
    let mut owner_reset = false;
    for n in 0..20_000u32 {
        if h.clock().now() >= began + 86_400 {
            break;
        }
        let peer = std::net::SocketAddr::from(([198, 51, 100, (n % 50) as u8 + 1], 40_000));
        if flow.is_none() {
            flow = Some(start_from(&h, user, peer, None).await);
        }
        let now = h.clock().now();
        let right: Vec<String> = [now - 30, now, now + 30]
            .iter()
            .map(|t| totp::code_at(&secret, *t))
            .collect();
        let wrong = ["000000", "111111", "222222"]
            .into_iter()
            .find(|code| !right.iter().any(|r| r == code))
            .unwrap();
        let attempt = flow.as_ref().unwrap();
        let mut request = Request::post(format!(
            "/api/v1/reset/flows/{}/methods/{}/verify",
            attempt.id(),
            attempt.method("app_code")
        ))
        .header("content-type", "application/json")
        .header(FLOW_SECRET_HEADER, attempt.secret())
        .body(Body::from(json!({"code": wrong}).to_string()))
        .unwrap();
        request
            .extensions_mut()
            .insert(axum::extract::ConnectInfo(peer));
        let (_, _, json) = h.request(request).await;
        match json["code"].as_str().unwrap() {
            "code_incorrect" => guesses += 1,
            "account_locked" | "method_locked" => {
                let wait = json["retry_after_seconds"]
                    .as_u64()
                    .expect("every pause says when it ends");
                assert!(wait <= 86_400, "{json}");
                h.clock().advance(wait);
            }
            "flow_not_found" => flow = None,
            other => panic!("unexpected answer {other}: {json}"),
        }
        // Six hours in, with the attack under way, the owner resets on her own browser.
        if !owner_reset && h.clock().now() >= began + 6 * 3600 {
            let mine = start_from(&h, user, "192.0.2.9:5000".parse().unwrap(), Some(&cookie)).await;
            let (status, _, json) = h.challenge(&mine, "email").await;
            assert_eq!(status, StatusCode::OK, "the owner's code: {json}");
            let code = h.last_code("zoe@home.example").await;
            let (status, _, json) = h.code(&mine, &code).await;
            assert_eq!(status, StatusCode::OK, "{json}");
            h.totp_proven(&mine, &secret).await;
            let (status, _, json) = h.set_password(&mine, "the owner's own passphrase").await;
            assert_eq!(status, StatusCode::OK, "{json}");
            owner_reset = true;
        }
    }
    assert!(h.clock().now() >= began + 86_400, "the day did not pass");
    assert!(owner_reset);
    assert!(guesses <= 100, "{guesses} guesses in a day");
    assert!(guesses >= 20, "the test hardly attacked: {guesses}");
    assert!(
        h.directory
            .check_password(user, "the owner's own passphrase")
            .await
            .unwrap()
    );
    let notices: Vec<_> = h
        .messages()
        .await
        .into_iter()
        .filter(|(_, subject, _)| subject.contains("trying to reset"))
        .collect();
    assert_eq!(notices.len(), 1, "{notices:?}");
    assert_eq!(notices[0].0, "zoe@home.example");
}

/// Finding 1: a real e-mail hint is one that decoys show too. Before the fix a real hint
/// kept the address's first letter and its domain's case (`C•••@Family.Example`), which
/// no decoy could show, and decoys drew only from six webmail domains.
#[tokio::test]
async fn a_real_email_hint_is_one_decoys_show_too() {
    let h = Harness::new(&format!(
        "{POLICY}\n[server]\nrequests_per_ip_per_minute = 100000\n"
    ))
    .await;
    for (user, address) in [
        ("ann@contoso.example", "ann@home.example"),
        ("ben@contoso.example", "ben@home.example"),
        ("cara@contoso.example", "Cara.X@Family.Example"),
    ] {
        h.user(user, false, &["sspr-users"]).await;
        h.directory.add_email(user, address).await.unwrap();
        h.directory.add_totp(user, None).await.unwrap();
    }
    let real = h.start("cara@contoso.example").await;
    let hint = |flow: &Flow| {
        flow.0["methods"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["kind"] == "email")
            .map(|m| m["hint"].as_str().unwrap().to_owned())
    };
    let real_hint = hint(&real).unwrap();
    assert_eq!(real_hint, "•••@family.example");
    let mut decoy_hints = std::collections::BTreeMap::new();
    for i in 0..60 {
        if let Some(hint) = hint(&h.start(&format!("person{i}@contoso.example")).await) {
            *decoy_hints.entry(hint).or_insert(0) += 1;
        }
    }
    assert!(decoy_hints.contains_key(&real_hint), "{decoy_hints:?}");
    // Drawn from the registered domains only.
    assert!(
        decoy_hints
            .keys()
            .all(|h| h == "•••@family.example" || h == "•••@home.example"),
        "{decoy_hints:?}"
    );
}

/// Finding 1: the questions asked never tell a real account from a decoy. A decoy asks
/// from as many questions as the policy has people register; before the fix a person with
/// more answers registered (under an earlier policy) was asked from all of them. And
/// registering takes exactly the policy's number.
#[tokio::test]
async fn a_real_account_is_asked_from_as_many_questions_as_a_decoy() {
    let h = Harness::new(&format!(
        "{POLICY}\n[server]\nrequests_per_ip_per_minute = 100000\n"
    ))
    .await;
    h.person("dana@contoso.example").await;
    let five: Vec<(String, String)> = [
        "birth_city",
        "first_pet",
        "first_school",
        "first_car",
        "childhood_street",
    ]
    .iter()
    .map(|q| ((*q).to_owned(), "an answer".to_owned()))
    .collect();
    // The policy asks for three: four or two are refused, five registered under a policy
    // that asked for five (as before a change of policy) are kept.
    for wrong in [&five[..4], &five[..2]] {
        let err = h
            .directory
            .set_answers("dana@contoso.example", wrong, 3)
            .await
            .unwrap_err();
        assert!(
            err.to_string().contains("security_questions.register"),
            "{err}"
        );
    }
    h.directory
        .set_answers("dana@contoso.example", &five, 5)
        .await
        .unwrap();
    let mut asked = std::collections::BTreeSet::new();
    for _ in 0..25 {
        let flow = h.start("dana@contoso.example").await;
        let (status, _, json) = h.challenge(&flow, "security_questions").await;
        assert_eq!(status, StatusCode::OK, "{json}");
        for q in json["questions"].as_array().unwrap() {
            asked.insert(q.as_str().unwrap().to_owned());
        }
    }
    assert_eq!(asked.len(), 3, "{asked:?}");
}

/// Finding 8: security answers are stored as a slow keyed hash (argon2id with a pepper
/// from the server's key), not a bare HMAC that a leaked database and key would give up
/// to a dictionary at once. Finding 10: answers are compared in Unicode NFC. Before the
/// fix the stored value was an HMAC, and "Cafe" + combining accent did not match "Café".
#[tokio::test]
async fn security_answers_are_slow_keyed_hashes_compared_in_nfc() {
    let h = Harness::new(POLICY).await;
    h.person("eli@contoso.example").await;
    let answers: Vec<(String, String)> = [
        ("birth_city", "Café"),
        ("first_pet", "Biscuit"),
        ("first_school", "Riverside"),
    ]
    .iter()
    .map(|(q, a)| ((*q).to_owned(), (*a).to_owned()))
    .collect();
    h.directory
        .set_answers("eli@contoso.example", &answers, 3)
        .await
        .unwrap();
    let row = h.sql(
        "SELECT u.id, a.answer_hash FROM security_answers a JOIN users u ON u.id = a.user_id
         WHERE u.user_id = 'eli@contoso.example' AND a.question = 'first_pet'",
    );
    let user: i64 = row[0][0].parse().unwrap();
    let stored: Vec<u8> = (0..row[0][1].len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&row[0][1][i..i + 2], 16).unwrap())
        .collect();
    let expected = sspr_server::crypto::passwords::answer_hash(
        &h.services.keys.answers,
        user,
        "first_pet",
        "biscuit",
    )
    .unwrap();
    assert_eq!(stored, expected.to_vec());
    let bare = h.services.keys.answers.mac(b"biscuit");
    assert_ne!(stored, bare.to_vec());

    let flow = h.start("eli@contoso.example").await;
    let (_, _, asked) = h.challenge(&flow, "security_questions").await;
    let given: Vec<Value> = asked["questions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| {
            let answer = match q.as_str().unwrap() {
                "birth_city" => "CAFE\u{301}",
                "first_pet" => "biscuit",
                _ => "riverside",
            };
            json!({"question": q, "answer": answer})
        })
        .collect();
    let (status, _, json) = h
        .verify(&flow, "security_questions", json!({"answers": given}))
        .await;
    assert_eq!(status, StatusCode::OK, "{json}");
}
