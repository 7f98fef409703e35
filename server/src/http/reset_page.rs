//! The reset portal's page: the app folder's `index.html` with its first step
//! (`#first-step`) filled in by the server, so that the user-ID field is on screen, in the
//! person's language, before any script or wasm has arrived (docs/ARCHITECTURE.md,
//! "First load").
//!
//! Each shipped language's page is rendered once, when the server starts, from the
//! portal's copy of its texts (`locales/reset/<tag>.json` in the app folder, English for a
//! key a language lacks), with the organisation's name and how many methods the policy
//! asks for, and kept in memory. A request gets the language `?locale=` forces, else the
//! first of its `Accept-Language` the app ships, else English: the order public/boot.js
//! negotiates in, except for a language chosen with the switcher, which only the browser
//! knows (boot.js then puts that language's texts in).
//!
//! Its stylesheets (the app's and the organisation's theme) are put into the page, so
//! that nothing but the page stands between the request and the field; the response's
//! CSP allows exactly those by their hashes (`InlineStyles`, `security_headers.rs`).
//!
//! Per request, the step is hidden when the page is not on it (a reload in the middle of
//! a reset, `?step=`; the embedded portal, `?embed=1`), and `?user=` fills in the field.

use super::app_files::brotli_best;
use super::html::escape;
use super::security_headers::InlineStyles;
use crate::texts::Language;
use axum::body::Bytes;
use axum::extract::Query;
use axum::http::{HeaderMap, HeaderValue, Uri, header};
use axum::response::{Html, IntoResponse, Response};
use base64::Engine as _;
use sha2::{Digest, Sha256};
use sspr_api::config::PublicConfig;
use std::collections::HashMap;
use std::path::Path;
use std::sync::OnceLock;

/// The longest `?user=` put into the field (longer is no user ID; the field stays empty).
const MAX_PREFILL_CHARS: usize = 256;

/// The reset portal's page in every shipped language.
#[derive(Debug, Default)]
pub struct ResetPage {
    pages: Vec<Page>,
    /// The CSP hash sources of the stylesheets put into the page (empty: none).
    styles: Option<InlineStyles>,
}

/// One language's page, and its brotli form made on the first request that can take it.
#[derive(Debug)]
struct Page {
    language: Language,
    html: String,
    brotli: OnceLock<Option<Bytes>>,
}

/// What the page says of the organisation.
pub struct Organisation<'a> {
    /// `GET /api/v1/config`'s answer: the name and policy on the first step, and the
    /// whole of it in the page for the app and boot.js (`#sspr-config`), so that
    /// neither has to ask.
    pub config: &'a PublicConfig,
    /// `/theme.css` (crate::theme), empty when there is no valid theme.
    pub theme_css: &'a str,
}

impl ResetPage {
    /// Renders `index.html` of `app_dir` in every language; empty when the app is not
    /// built (the page is then read from the folder on each request, as other pages are).
    pub fn load(app_dir: &Path, organisation: &Organisation) -> ResetPage {
        let Ok(template) = std::fs::read_to_string(app_dir.join("index.html")) else {
            return ResetPage::default();
        };
        if !template.contains("id=\"first-step\"") {
            // Not the portal's page (an app folder of another build): served as it is.
            return ResetPage::default();
        }
        let (template, hashes) = inline_stylesheets(&template, app_dir, organisation.theme_css);
        let config = organisation.config;
        let template = with_config(
            &template,
            &serde_json::to_string(config).unwrap_or_default(),
        );
        let folder = app_dir.join("locales/reset");
        let read = |language: Language| -> Option<HashMap<String, String>> {
            let file = folder.join(format!("{}.json", language.tag()));
            let json = std::fs::read_to_string(file).ok()?;
            let value = serde_json::from_str::<serde_json::Value>(&json).ok()?;
            Some(sspr_api::text::flatten(&value).into_iter().collect())
        };
        let mut missing = Vec::new();
        let english = read(Language::ENGLISH).unwrap_or_else(|| {
            missing.push(Language::ENGLISH.tag());
            HashMap::new()
        });
        let mut pages = Vec::new();
        for language in Language::all() {
            let own = if language == Language::ENGLISH {
                HashMap::new()
            } else {
                read(language).unwrap_or_else(|| {
                    missing.push(language.tag());
                    HashMap::new()
                })
            };
            let texts = Texts {
                language,
                own: &own,
                english: &english,
            };
            pages.push(Page {
                language,
                html: render(
                    &template,
                    &texts,
                    &config.organisation_name,
                    config.methods_required,
                ),
                brotli: OnceLock::new(),
            });
        }
        if !missing.is_empty() {
            tracing::warn!(
                folder = %folder.display(),
                languages = %missing.join(", "),
                "the first step has no texts in these languages (it shows their English)"
            );
        }
        let styles = (!hashes.is_empty()).then(|| InlineStyles(hashes.join(" ").into()));
        ResetPage { pages, styles }
    }

    /// The page for a request to `uri` with `headers`.
    pub fn respond(&self, uri: &Uri, headers: &HeaderMap) -> Option<Response> {
        let query = Query::<HashMap<String, String>>::try_from_uri(uri)
            .map(|Query(query)| query)
            .unwrap_or_default();
        let language = query
            .get("locale")
            .and_then(|tag| Language::supported(tag))
            .or_else(|| Language::of_request(headers))
            .unwrap_or_default();
        let page = self.pages.iter().find(|page| page.language == language)?;
        let moved = query.get("step").is_some_and(|step| step != "identify");
        let embedded = query.get("embed").is_some_and(|embed| embed == "1");
        let prefill = ["user", "user_id"]
            .iter()
            .filter_map(|name| query.get(*name))
            .find(|value| !value.is_empty() && value.chars().count() <= MAX_PREFILL_CHARS);
        let hidden = moved || embedded;
        // The page as it was rendered, to a browser taking brotli: compressed once, at
        // the best quality (what the app's files get ahead of time); else compressed on
        // the way out.
        let compressed = (!hidden && prefill.is_none() && accepts_brotli(headers))
            .then(|| {
                page.brotli
                    .get_or_init(|| brotli_best(page.html.as_bytes()).ok().map(Bytes::from))
                    .clone()
            })
            .flatten();
        let mut response = match compressed {
            Some(bytes) => (
                [
                    (header::CONTENT_TYPE, "text/html; charset=utf-8"),
                    (header::CONTENT_ENCODING, "br"),
                ],
                bytes,
            )
                .into_response(),
            None => {
                Html(for_request(&page.html, hidden, prefill.map(String::as_str))).into_response()
            }
        };
        if let Some(styles) = &self.styles {
            response.extensions_mut().insert(styles.clone());
        }
        let headers = response.headers_mut();
        headers.insert(
            header::VARY,
            HeaderValue::from_static("accept-encoding, accept-language"),
        );
        if let Ok(tag) = HeaderValue::from_str(language.tag()) {
            headers.insert(header::CONTENT_LANGUAGE, tag);
        }
        Some(response)
    }
}

/// `template` with `config_json` in a JSON data block (`#sspr-config`) at the end of its
/// head: not a script, so the CSP has nothing to allow; `<` escaped, so the data cannot
/// end the element.
fn with_config(template: &str, config_json: &str) -> String {
    if config_json.is_empty() {
        return template.to_owned();
    }
    let block = format!(
        "<script type=\"application/json\" id=\"sspr-config\">{}</script></head>",
        config_json.replace('<', "\\u003c")
    );
    template.replacen("</head>", &block, 1)
}

/// Whether `Accept-Encoding` takes brotli (`br`, not at `q=0`).
fn accepts_brotli(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .filter_map(super::accept::weighted)
        .any(|(coding, quality)| coding.eq_ignore_ascii_case("br") && quality > 0)
}

/// `template` with each stylesheet it links outside `<noscript>` put in as a `<style>`:
/// `/theme.css` from `theme_css`, the others from `app_dir`. Returns the page and each
/// inlined sheet's CSP hash source. A sheet that cannot be read, or that would end the
/// `<style>` element early, stays a link.
fn inline_stylesheets(template: &str, app_dir: &Path, theme_css: &str) -> (String, Vec<String>) {
    const LINK: &str = "<link rel=\"stylesheet\" href=\"/";
    let mut out = String::with_capacity(template.len() + 16 * 1024);
    let mut hashes = Vec::new();
    let mut rest = template;
    while let Some(at) = rest.find(LINK) {
        let Some(end) = rest[at..].find('>').map(|i| at + i + 1) else {
            break;
        };
        let link = &rest[at..end];
        let name = link[LINK.len()..].split('"').next().unwrap_or_default();
        let in_noscript = rest[..at].trim_end().ends_with("<noscript>");
        let safe_name = name.ends_with(".css")
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b));
        let css = match name {
            _ if in_noscript || !safe_name => None,
            "theme.css" => (!theme_css.is_empty()).then(|| theme_css.to_owned()),
            _ => std::fs::read_to_string(app_dir.join(name)).ok(),
        }
        .filter(|css| !css.to_ascii_lowercase().contains("</style"));
        out.push_str(&rest[..at]);
        match css {
            Some(css) => {
                let digest = Sha256::digest(css.as_bytes());
                let hash = base64::engine::general_purpose::STANDARD.encode(digest);
                hashes.push(format!("'sha256-{hash}'"));
                out.push_str("<style>");
                out.push_str(&css);
                out.push_str("</style>");
            }
            None => out.push_str(link),
        }
        rest = &rest[end..];
    }
    out.push_str(rest);
    (out, hashes)
}

/// A language's texts, English where it has none.
struct Texts<'a> {
    language: Language,
    own: &'a HashMap<String, String>,
    english: &'a HashMap<String, String>,
}

impl Texts<'_> {
    fn get(&self, key: &str) -> Option<&str> {
        self.own
            .get(key)
            .or_else(|| self.english.get(key))
            .map(String::as_str)
    }

    /// The first step's lead: one method, or `count` of them (a plural text).
    fn lead(&self, count: u8) -> Option<String> {
        if count <= 1 {
            return self.get("reset.intro_single").map(str::to_owned);
        }
        let category = sspr_api::text::plural_category(self.language.tag(), u64::from(count));
        let own = |key: &str| self.own.get(key);
        let several = own(&format!("reset.intro_several.{category}"))
            .or_else(|| own("reset.intro_several.other"))
            .or_else(|| self.english.get("reset.intro_several.other"))?;
        Some(several.replace("{{ count }}", &count.to_string()))
    }
}

/// `template` (index.html) in `texts`' language: `<html lang dir>`, the title, each
/// `data-text` element's text, the organisation's name and the lead; `#first-step` says which
/// language it is in (`data-locale`, read by boot.js).
fn render(template: &str, texts: &Texts, organisation: &str, methods_required: u8) -> String {
    let language = texts.language;
    let dir = if language.is_rtl() { "rtl" } else { "ltr" };
    let mut page = template.replacen(
        "<html lang=\"en\" dir=\"ltr\">",
        &format!("<html lang=\"{}\" dir=\"{dir}\">", language.tag()),
        1,
    );
    page = fill_data_texts(&page, texts);
    // The title the app gives the first step (src/app.rs).
    if let (Some(heading), Some(start), Some(end)) = (
        texts.get("reset.title"),
        page.find("<title>"),
        page.find("</title>"),
    ) && start < end
    {
        let title = if organisation.is_empty() {
            heading.to_owned()
        } else {
            format!("{heading} – {organisation}")
        };
        page.replace_range(start + "<title>".len()..end, &escape(&title));
    }
    page = put_into(
        &page,
        "id=\"first-step-organisation\"",
        &escape(organisation),
    );
    if let Some(lead) = texts.lead(methods_required) {
        page = put_into(&page, "id=\"first-step-lead\"", &escape(&lead));
    }
    page.replacen(
        "id=\"first-step\"",
        &format!("id=\"first-step\" data-locale=\"{}\"", language.tag()),
        1,
    )
}

/// `page` with the text of each element marked `data-text="key"` replaced by the text of
/// that key (when there is one). Such elements hold text only.
fn fill_data_texts(page: &str, texts: &Texts) -> String {
    const MARK: &str = "data-text=\"";
    let mut out = String::with_capacity(page.len() + page.len() / 4);
    let mut rest = page;
    while let Some(at) = rest.find(MARK) {
        let after_mark = at + MARK.len();
        let Some(key_len) = rest[after_mark..].find('"') else {
            break;
        };
        let key = &rest[after_mark..after_mark + key_len];
        let Some(open_end) = rest[after_mark..].find('>').map(|i| after_mark + i + 1) else {
            break;
        };
        let Some(text_len) = rest[open_end..].find('<') else {
            break;
        };
        out.push_str(&rest[..open_end]);
        match texts.get(key) {
            Some(text) => out.push_str(&escape(text)),
            None => out.push_str(&rest[open_end..open_end + text_len]),
        }
        rest = &rest[open_end + text_len..];
    }
    out.push_str(rest);
    out
}

/// `page` with `content` (markup) put into the empty element whose start tag holds
/// `attribute`; unchanged when there is none.
fn put_into(page: &str, attribute: &str, content: &str) -> String {
    let Some(at) = page.find(attribute) else {
        return page.to_owned();
    };
    let Some(open_end) = page[at..].find('>').map(|i| at + i + 1) else {
        return page.to_owned();
    };
    format!("{}{content}{}", &page[..open_end], &page[open_end..])
}

/// A rendered page for one request: the first step hidden when the page is not on it,
/// the field filled in with `prefill`.
fn for_request(page: &str, hidden: bool, prefill: Option<&str>) -> String {
    let mut page = page.to_owned();
    if hidden {
        page = page.replacen("id=\"first-step\"", "id=\"first-step\" hidden", 1);
    }
    if let Some(value) = prefill {
        page = page.replacen(
            "id=\"user-id\"",
            &format!("id=\"user-id\" value=\"{}\"", escape(value)),
            1,
        );
    }
    page
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The repository's index.html: the markup the server fills in.
    const INDEX: &str = include_str!("../../../index.html");

    fn texts(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    fn english() -> HashMap<String, String> {
        texts(&[
            ("reset.title", "Get back into your account"),
            ("reset.intro_single", "You need one method."),
            ("reset.intro_several.other", "You need {{ count }} methods."),
            ("reset.next", "Continue"),
        ])
    }

    #[test]
    fn the_first_step_is_in_the_language_with_the_organisation_and_policy() {
        let polish = texts(&[
            ("reset.title", "Odzyskaj dostęp do konta"),
            (
                "reset.intro_several.few",
                "Potrzebujesz {{ count }} metod <b>.",
            ),
            ("reset.intro_several.other", "wrong form"),
            ("reset.identify.label", "Identyfikator"),
        ]);
        let english = english();
        let polish = Texts {
            language: Language::supported("pl").unwrap(),
            own: &polish,
            english: &english,
        };
        let page = render(INDEX, &polish, "Contoso & Co", 3);
        assert!(page.contains("<html lang=\"pl\" dir=\"ltr\">"), "{page}");
        assert!(page.contains(">Odzyskaj dostęp do konta</h1>"), "{page}");
        assert!(page.contains(">Identyfikator</label>"), "{page}");
        // A key Polish lacks is read in English.
        assert!(page.contains(">Continue</button>"), "{page}");
        // The plural form of 3 in Polish, escaped.
        assert!(
            page.contains(">Potrzebujesz 3 metod &lt;b&gt;.</p>"),
            "{page}"
        );
        assert!(page.contains(">Contoso &amp; Co</span>"), "{page}");
        assert!(
            page.contains("<title>Odzyskaj dostęp do konta – Contoso &amp; Co</title>"),
            "{page}"
        );
        assert!(
            page.contains("id=\"first-step\" data-locale=\"pl\""),
            "{page}"
        );
    }

    #[test]
    fn right_to_left_and_one_method() {
        let english = english();
        let hebrew = texts(&[("reset.intro_single", "שיטה אחת")]);
        let hebrew = Texts {
            language: Language::supported("he").unwrap(),
            own: &hebrew,
            english: &english,
        };
        let page = render(INDEX, &hebrew, "Contoso", 1);
        assert!(page.contains("<html lang=\"he\" dir=\"rtl\">"), "{page}");
        assert!(page.contains(">שיטה אחת</p>"), "{page}");
    }

    #[test]
    fn off_the_first_step_it_is_hidden_and_a_user_is_filled_in_escaped() {
        let english = english();
        let texts = Texts {
            language: Language::ENGLISH,
            own: &HashMap::new(),
            english: &english,
        };
        let page = render(INDEX, &texts, "Contoso", 1);
        let hidden = for_request(&page, true, Some("a\"><script>"));
        assert!(hidden.contains("id=\"first-step\" hidden"), "{hidden}");
        assert!(
            hidden.contains("id=\"user-id\" value=\"a&quot;&gt;&lt;script&gt;\""),
            "{hidden}"
        );
        assert!(!hidden.contains("<script>\""));
    }

    fn config(organisation_name: &str, methods_required: u8) -> PublicConfig {
        PublicConfig {
            organisation_name: organisation_name.into(),
            locales: vec!["en".into()],
            helpdesk_url: None,
            sign_in_url: None,
            methods_required,
            custom_questions: Vec::new(),
            phone_channels: Vec::new(),
            embedding_origins: Vec::new(),
        }
    }

    fn loaded() -> (tempfile::TempDir, ResetPage) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("index.html"), INDEX).unwrap();
        std::fs::create_dir_all(dir.path().join("locales/reset")).unwrap();
        for tag in ["en", "fr", "pl"] {
            let file = format!("{}/../locales/{tag}.json", env!("CARGO_MANIFEST_DIR"));
            std::fs::copy(file, dir.path().join(format!("locales/reset/{tag}.json"))).unwrap();
        }
        std::fs::write(dir.path().join("main.css"), "body { margin: 0 }").unwrap();
        let organisation = Organisation {
            config: &config("Contoso</script>", 2),
            theme_css: ":root { --colour-brand: #1d4f91; }",
        };
        let page = ResetPage::load(dir.path(), &organisation);
        (dir, page)
    }

    async fn body_of(response: Response) -> (HeaderMap, String) {
        let headers = response.headers().clone();
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .unwrap();
        (headers, String::from_utf8(bytes.to_vec()).unwrap())
    }

    #[tokio::test]
    async fn a_request_gets_its_language_forced_first_then_accepted() {
        let (_dir, page) = loaded();
        assert!(!page.pages.is_empty());
        // The configuration in the page, unable to end its element.
        let english = &page.pages[0].html;
        assert!(
            english.contains(
                "<script type=\"application/json\" id=\"sspr-config\">\
                 {\"organisation_name\":\"Contoso\\u003c/script>\",\"locales\":[\"en\"],\
                 \"methods_required\":2}</script></head>"
            ),
            "{english}"
        );
        let french: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(format!("{}/../locales/fr.json", env!("CARGO_MANIFEST_DIR")))
                .unwrap(),
        )
        .unwrap();
        let title = french["reset"]["title"].as_str().unwrap();
        let mut headers = HeaderMap::new();
        headers.insert(
            header::ACCEPT_LANGUAGE,
            "sv, fr-CA;q=0.9, en;q=0.5".parse().unwrap(),
        );
        let uri: Uri = "/".parse().unwrap();
        let (sent, body) = body_of(page.respond(&uri, &headers).unwrap()).await;
        assert!(body.contains(&format!(">{}</h1>", escape(title))), "{body}");
        assert!(body.contains("<html lang=\"fr\" dir=\"ltr\">"));
        assert_eq!(sent[header::CONTENT_LANGUAGE], "fr");
        assert_eq!(sent[header::VARY], "accept-encoding, accept-language");
        // ?locale= wins; one the app does not ship leaves it to Accept-Language.
        let uri: Uri = "/?locale=PL&user=alex%40contoso.example".parse().unwrap();
        let (_, body) = body_of(page.respond(&uri, &headers).unwrap()).await;
        assert!(body.contains("<html lang=\"pl\""), "{body}");
        assert!(body.contains("value=\"alex@contoso.example\""), "{body}");
        let uri: Uri = "/?locale=sv&step=method-m1".parse().unwrap();
        let (_, body) = body_of(page.respond(&uri, &headers).unwrap()).await;
        assert!(body.contains("<html lang=\"fr\""), "{body}");
        assert!(body.contains("id=\"first-step\" hidden data-locale=\"fr\""));
        let uri: Uri = "/?embed=1".parse().unwrap();
        let (_, body) = body_of(page.respond(&uri, &HeaderMap::new()).unwrap()).await;
        assert!(body.contains("<html lang=\"en\""), "{body}");
        assert!(body.contains("hidden data-locale=\"en\""), "{body}");
        // Two methods, in English.
        assert!(body.contains("2 of the sign-in methods"), "{body}");
    }

    #[test]
    fn stylesheets_are_put_in_with_their_hashes_but_not_the_noscript_one() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("main.css"), "h1 { color: red }").unwrap();
        std::fs::write(dir.path().join("bad.css"), "a{}</style><script>").unwrap();
        let template = "<head><link rel=\"stylesheet\" href=\"/main.css\" data-integrity=\"none\"/>\
            <link rel=\"stylesheet\" href=\"/theme.css\">\
            <link rel=\"stylesheet\" href=\"/bad.css\">\
            <link rel=\"stylesheet\" href=\"/missing.css\">\
            <noscript><link rel=\"stylesheet\" href=\"/main.css\"></noscript></head>";
        let (page, hashes) = inline_stylesheets(template, dir.path(), ":root{}");
        assert_eq!(
            page,
            "<head><style>h1 { color: red }</style><style>:root{}</style>\
            <link rel=\"stylesheet\" href=\"/bad.css\">\
            <link rel=\"stylesheet\" href=\"/missing.css\">\
            <noscript><link rel=\"stylesheet\" href=\"/main.css\"></noscript></head>"
        );
        let hash = |css: &str| {
            let digest = Sha256::digest(css.as_bytes());
            format!(
                "'sha256-{}'",
                base64::engine::general_purpose::STANDARD.encode(digest)
            )
        };
        assert_eq!(hashes, [hash("h1 { color: red }"), hash(":root{}")]);
        // Without a theme its link stays.
        let (page, hashes) = inline_stylesheets(template, dir.path(), "");
        assert!(page.contains("href=\"/theme.css\""));
        assert_eq!(hashes.len(), 1);
    }

    #[test]
    fn brotli_is_taken_unless_refused() {
        let takes = |value: &str| {
            let mut headers = HeaderMap::new();
            headers.insert(header::ACCEPT_ENCODING, value.parse().unwrap());
            accepts_brotli(&headers)
        };
        assert!(takes("gzip, deflate, br, zstd"));
        assert!(takes("BR;q=0.5"));
        assert!(!takes("gzip"));
        assert!(!takes("br;q=0, gzip"));
        assert!(!takes("brotli"));
        assert!(!accepts_brotli(&HeaderMap::new()));
    }

    #[test]
    fn without_a_built_app_there_is_no_page() {
        let dir = tempfile::tempdir().unwrap();
        let organisation = Organisation {
            config: &config("Contoso", 1),
            theme_css: "",
        };
        assert!(ResetPage::load(dir.path(), &organisation).pages.is_empty());
    }
}
