//! Accessibility checks run in the page under test: axe-core's WCAG 2.2 A/AA rules
//! (injected from the tools cache; nothing is fetched while the tests run), where the
//! focus is, horizontal scrolling, how often live regions speak, and keys pressed as a
//! keyboard-only person presses them (WebDriver actions, no clicks).
//!
//! Each check returns what it found instead of panicking, so
//! `accessibility::the_checks_fail_when_a_label_or_a_focus_move_is_removed` can show that
//! each one fails on a page broken at run time.

use crate::harness::Browser;
use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::key::Key;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// The axe-core rule tags the portal must pass: WCAG 2.0, 2.1 and 2.2, levels A and AA.
const WCAG_TAGS: [&str; 6] = [
    "wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa",
];

/// `axe.min.js` from the npm package scripts/setup.sh --for-tests installs.
fn axe_source() -> &'static str {
    static SOURCE: OnceLock<String> = OnceLock::new();
    SOURCE.get_or_init(|| {
        let path = crate::harness::npm_modules().join("axe-core/axe.min.js");
        std::fs::read_to_string(&path).unwrap_or_else(|e| {
            panic!(
                "axe-core is missing ({}: {e}): run scripts/setup.sh --for-tests",
                path.display()
            )
        })
    })
}

/// axe-core's WCAG 2.2 A/AA violations on the page as it is now, one line each:
/// `rule: help (selectors)`.
pub async fn axe_violations(browser: &Browser) -> Vec<String> {
    let loaded = browser
        .client
        .execute("return typeof window.axe === 'object'", vec![])
        .await
        .expect("script");
    if loaded != serde_json::Value::Bool(true) {
        browser
            .client
            .execute(axe_source(), vec![])
            .await
            .expect("inject axe-core");
    }
    let script = r#"
        const done = arguments[arguments.length - 1];
        axe.run(document, { runOnly: { type: 'tag', values: arguments[0] },
                            resultTypes: ['violations'] })
            .then(r => done(r.violations.map(v => v.id + ': ' + v.help + ' (' +
                v.nodes.map(n => n.target.join(' ')).join(', ') + ')')))
            .catch(e => done(['axe failed: ' + e]));
    "#;
    let found = browser
        .client
        .execute_async(script, vec![serde_json::json!(WCAG_TAGS)])
        .await
        .expect("run axe-core");
    found
        .as_array()
        .expect("a list")
        .iter()
        .map(|v| v.as_str().unwrap_or_default().to_owned())
        .collect()
}

/// By how many CSS pixels the page is wider than the window (0: no horizontal scroll).
pub async fn horizontal_overflow(browser: &Browser) -> i64 {
    browser
        .client
        .execute(
            "const e = document.documentElement; return e.scrollWidth - e.clientWidth;",
            vec![],
        )
        .await
        .expect("script")
        .as_i64()
        .unwrap_or(i64::MAX)
}

/// What the page breaks, as it is now: axe's violations and any horizontal scroll.
pub async fn problems(browser: &Browser) -> Vec<String> {
    let mut found = axe_violations(browser).await;
    let overflow = horizontal_overflow(browser).await;
    if overflow > 0 {
        found.push(format!("scrolls sideways by {overflow} px"));
    }
    found
}

/// Asserts that `state` (e.g. "en: the code step") has no problems.
pub async fn assert_accessible(browser: &Browser, state: &str) {
    let found = problems(browser).await;
    assert!(found.is_empty(), "{state}:\n  {}", found.join("\n  "));
}

/// The focused element as `tag#id.class`.
pub async fn focused(browser: &Browser) -> String {
    browser
        .client
        .execute(
            "const e = document.activeElement; \
             return e ? e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + \
                (e.className && typeof e.className === 'string' \
                    ? '.' + e.className.trim().split(/\\s+/).join('.') : '') : '';",
            vec![],
        )
        .await
        .expect("script")
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

/// Whether the focused element matches `css`.
pub async fn focus_matches(browser: &Browser, css: &str) -> bool {
    browser
        .client
        .execute(
            "return !!document.activeElement && document.activeElement.matches(arguments[0]);",
            vec![serde_json::json!(css)],
        )
        .await
        .expect("script")
        == serde_json::Value::Bool(true)
}

/// Waits (a short while) for the focus to arrive on the new step's heading or its error
/// summary, where a screen reader starts reading; where it is otherwise.
pub async fn focus_moved_to_step(browser: &Browser) -> Result<(), String> {
    let deadline = Instant::now() + Duration::from_secs(3);
    loop {
        if focus_matches(browser, "h1, .error-summary, [role=alertdialog]").await {
            return Ok(());
        }
        if Instant::now() > deadline {
            return Err(format!(
                "the focus stayed on {:?}, not the step's heading or error summary",
                focused(browser).await
            ));
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Presses `keys` one after another (each down and up) on whatever has the focus.
pub async fn press(browser: &Browser, keys: &[char]) {
    let mut actions = KeyActions::new("keyboard".into());
    for &key in keys {
        actions = actions
            .then(KeyAction::Down { value: key })
            .then(KeyAction::Up { value: key });
    }
    browser
        .client
        .perform_actions(actions)
        .await
        .expect("press keys");
}

/// Types `text` into whatever has the focus.
pub async fn type_text(browser: &Browser, text: &str) {
    press(browser, &text.chars().collect::<Vec<_>>()).await;
}

pub async fn shift_tab(browser: &Browser) {
    let actions = KeyActions::new("keyboard".into())
        .then(KeyAction::Down {
            value: Key::Shift.into(),
        })
        .then(KeyAction::Down {
            value: Key::Tab.into(),
        })
        .then(KeyAction::Up {
            value: Key::Tab.into(),
        })
        .then(KeyAction::Up {
            value: Key::Shift.into(),
        });
    browser
        .client
        .perform_actions(actions)
        .await
        .expect("press Shift+Tab");
}

/// Presses Tab until the element matching `css` has the focus (at most 25 times, waiting
/// first for it to be on the page); how many presses it took.
pub async fn tab_to(browser: &Browser, css: &str) -> usize {
    browser.wait_for(css).await;
    for presses in 0..=25 {
        if focus_matches(browser, css).await {
            return presses;
        }
        press(browser, &[Key::Tab.into()]).await;
    }
    panic!(
        "Tab never reached {css}; the focus is on {:?}",
        focused(browser).await
    );
}

/// Starts counting, in the page, each change to the text of every live region (`aria-live`,
/// `role=status`, `role=alert`), as a screen reader would hear it.
pub async fn listen_to_live_regions(browser: &Browser) {
    browser
        .client
        .execute(
            r#"
            window.__spoken = {};
            const regions = () => document.querySelectorAll('[aria-live], [role=status], [role=alert]');
            const name = e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + '.' + e.className;
            new MutationObserver(records => {
                for (const record of records) {
                    let node = record.target.nodeType === 1 ? record.target : record.target.parentElement;
                    const region = node && node.closest('[aria-live], [role=status], [role=alert]');
                    if (region && region.getAttribute('aria-live') !== 'off') {
                        window.__spoken[name(region)] = (window.__spoken[name(region)] || 0) + 1;
                    }
                }
            }).observe(document.body, { subtree: true, childList: true, characterData: true });
            return regions().length;
            "#,
            vec![],
        )
        .await
        .expect("script");
}

/// How many times each live region changed since [`listen_to_live_regions`].
pub async fn live_region_changes(browser: &Browser) -> Vec<(String, u64)> {
    let spoken = browser
        .client
        .execute("return window.__spoken || {};", vec![])
        .await
        .expect("script");
    spoken
        .as_object()
        .map(|o| {
            o.iter()
                .map(|(k, v)| (k.clone(), v.as_u64().unwrap_or(0)))
                .collect()
        })
        .unwrap_or_default()
}
