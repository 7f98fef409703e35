//! Starts the product and a browser for a test, and stops both when the test ends.

use fantoccini::wd::Capabilities;
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// How long the app may take to render something a test waits for.
pub const UI_TIMEOUT: Duration = Duration::from_secs(20);

pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The text of `key` (dotted path) in the real locale file `locales/<locale>.json`.
/// A text of `locales/<locale>.json` by its key path (a plural form as `key.other`).
pub fn locale_text(locale: &str, key: &str) -> String {
    let path = repo_root().join("locales").join(format!("{locale}.json"));
    let text = std::fs::read_to_string(&path).expect("locale file");
    let json: serde_json::Value = serde_json::from_str(&text).expect("locale JSON");
    let value = key.split('.').fold(&json, |node, part| &node[part]);
    value
        .as_str()
        .unwrap_or_else(|| panic!("{key} is not a string in {}", path.display()))
        .to_owned()
}

/// `node_modules` of the tools cache, where scripts/setup.sh installs npm packages
/// (`$SSPR_CACHE`, else `${XDG_CACHE_HOME:-$HOME/.cache}/sspr`, as scripts/common.sh).
pub fn npm_modules() -> std::path::PathBuf {
    let set = |name: &str| std::env::var_os(name).filter(|value| !value.is_empty());
    let cache = set("SSPR_CACHE")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| {
            set("XDG_CACHE_HOME")
                .map(std::path::PathBuf::from)
                .unwrap_or_else(|| {
                    std::path::PathBuf::from(set("HOME").unwrap_or_default()).join(".cache")
                })
                .join("sspr")
        });
    cache.join("npm/node_modules")
}

/// The server process with its own database and the built app.
pub struct Product {
    child: Child,
    pub url: String,
    data: tempfile::TempDir,
}

/// The built app the tests serve: `$SSPR_APP_DIR`, or `dist/`.
pub fn app_dir() -> PathBuf {
    std::env::var_os("SSPR_APP_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_root().join("dist"))
}

/// The server binary the tests run: `$SSPR_SERVER_BIN`, or the debug build.
fn server_binary() -> PathBuf {
    std::env::var_os("SSPR_SERVER_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            // <target>/tmp is CARGO_TARGET_TMPDIR; the debug binary is beside it.
            Path::new(env!("CARGO_TARGET_TMPDIR"))
                .parent()
                .expect("target dir")
                .join("debug/sspr-server")
        })
}

impl Product {
    /// With the default configuration.
    pub fn start() -> Product {
        Product::start_with_config("")
    }

    /// With `config_toml` as the server's configuration file.
    pub fn start_with_config(config_toml: &str) -> Product {
        Product::start_with_app(config_toml, &app_dir())
    }

    /// With `config_toml`, serving the built app from `app_dir` (a test's own copy of
    /// [`app_dir`]).
    pub fn start_with_app(config_toml: &str, app_dir: &Path) -> Product {
        let server = server_binary();
        assert!(
            server.exists(),
            "server binary {} is missing: run scripts/test.sh (or cargo build -p sspr-server)",
            server.display()
        );
        assert!(
            app_dir.join("index.html").exists(),
            "the built app is missing from {}: run scripts/test.sh (or trunk build --release)",
            app_dir.display()
        );
        let data = tempfile::tempdir().expect("temp dir");
        let config = data.path().join("sspr.toml");
        std::fs::write(&config, config_toml).expect("write the configuration");
        let mut child = Command::new(&server)
            .args(["--listen", "127.0.0.1:0", "--demo", "--app-dir"])
            .arg(app_dir)
            .arg("--config")
            .arg(&config)
            .arg("--database")
            .arg(data.path().join("sspr.sqlite3"))
            .env("SSPR_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start the server");
        let stdout = child.stdout.take().expect("server stdout");
        let mut lines = BufReader::new(stdout).lines();
        let url = loop {
            match lines.next() {
                Some(Ok(line)) => {
                    if let Some(url) = line.strip_prefix("SSPR listening on ") {
                        break url.to_owned();
                    }
                }
                _ => {
                    let _ = child.kill();
                    panic!("the server exited before listening");
                }
            }
        };
        // Keep draining stdout so the server never blocks on a full pipe.
        std::thread::spawn(move || lines.for_each(drop));
        Product { child, url, data }
    }

    /// Runs an administrative command of the server binary on this product's database
    /// (e.g. `["user", "issue-pass", id]`); what it printed.
    pub fn admin(&self, args: &[&str]) -> String {
        let output = Command::new(server_binary())
            .arg("--database")
            .arg(self.database())
            .arg("--config")
            .arg(self.data.path().join("sspr.toml"))
            .args(args)
            .output()
            .expect("run the server binary");
        assert!(
            output.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout).expect("UTF-8")
    }

    /// The server's SQLite database (tests read it beside the running server).
    pub fn database(&self) -> PathBuf {
        self.data.path().join("sspr.sqlite3")
    }

    /// `GET` a JSON document from the server (plain HTTP/1.1 on loopback).
    pub fn get_json(&self, path: &str) -> serde_json::Value {
        let (status, _, json) = self.request("GET", path, None, &[]);
        assert_eq!(status, 200, "{path}: {json}");
        json
    }

    /// A JSON request to the server as a non-browser client would send it: the status,
    /// the `Set-Cookie` header if any, and the body (`Null` when empty).
    pub fn request(
        &self,
        method: &str,
        path: &str,
        body: Option<&serde_json::Value>,
        headers: &[(&str, &str)],
    ) -> (u16, Option<String>, serde_json::Value) {
        use std::io::{Read, Write};
        let authority = self.url.trim_start_matches("http://");
        let mut stream = std::net::TcpStream::connect(authority).expect("connect");
        let body = body.map(|b| b.to_string()).unwrap_or_default();
        let mut head =
            format!("{method} {path} HTTP/1.1\r\nHost: {authority}\r\nConnection: close\r\n");
        if !body.is_empty() {
            head.push_str(&format!(
                "Content-Type: application/json\r\nContent-Length: {}\r\n",
                body.len()
            ));
        }
        for (name, value) in headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        write!(stream, "{head}\r\n{body}").expect("send");
        let mut response = String::new();
        stream.read_to_string(&mut response).expect("read");
        let (head, body) = response.split_once("\r\n\r\n").expect("HTTP response");
        let status = head
            .split_whitespace()
            .nth(1)
            .and_then(|code| code.parse().ok())
            .expect("status");
        let cookie = head.lines().find_map(|line| {
            let (name, value) = line.split_once(':')?;
            name.eq_ignore_ascii_case("set-cookie")
                .then(|| value.trim().split(';').next().unwrap_or("").to_owned())
        });
        let body = if head
            .to_ascii_lowercase()
            .contains("transfer-encoding: chunked")
        {
            dechunk(body)
        } else {
            body.to_owned()
        };
        let json = if body.trim().is_empty() {
            serde_json::Value::Null
        } else {
            serde_json::from_str(&body).expect("JSON")
        };
        (status, cookie, json)
    }

    /// The newest code e-mailed to `address`, from the demo's dev outbox, waiting for the
    /// first one to be queued (the page may still be asking for it).
    pub fn last_code_to(&self, address: &str) -> String {
        let deadline = Instant::now() + UI_TIMEOUT;
        let message = loop {
            let messages = self.get_json("/api/v1/dev/outbox");
            let found = messages
                .as_array()
                .expect("messages")
                .iter()
                .find(|m| m["to"] == address)
                .cloned();
            match found {
                Some(message) => break message,
                None if Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(100));
                }
                None => panic!("no message to {address}: {messages}"),
            }
        };
        message["body"]
            .as_str()
            .expect("body")
            .split_whitespace()
            // Right-to-left messages isolate the code (U+2068 … U+2069).
            .map(|w| w.trim_matches(|c: char| !c.is_ascii_digit()))
            .find(|w| w.len() >= 6 && w.bytes().all(|b| b.is_ascii_digit()))
            .expect("a code in the message")
            .to_owned()
    }
}

fn dechunk(body: &str) -> String {
    let mut out = String::new();
    let mut rest = body;
    while let Some((size, after)) = rest.split_once("\r\n") {
        let size = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if size == 0 {
            break;
        }
        out.push_str(&after[..size]);
        rest = after[size..].trim_start_matches("\r\n");
    }
    out
}

impl Drop for Product {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The browser engines the tests drive, each through its own WebDriver server.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Engine {
    /// Chromium through chromedriver (every test).
    Chromium,
    /// Firefox ESR through geckodriver (the core journeys).
    Firefox,
    /// WebKitGTK's MiniBrowser through WebKitWebDriver, on a virtual X display (the core
    /// journeys). The engine of Safari, not iOS Safari itself.
    WebKit,
}

impl Engine {
    pub fn name(self) -> &'static str {
        match self {
            Engine::Chromium => "chromium",
            Engine::Firefox => "firefox",
            Engine::WebKit => "webkit",
        }
    }
}

/// Tests of an async journey `fn(Engine)`, one per engine: `<journey>::chromium`,
/// `<journey>::firefox`, `<journey>::webkit`.
#[macro_export]
macro_rules! in_every_engine {
    ($journey:ident) => {
        mod $journey {
            use $crate::harness::Engine;
            #[tokio::test]
            async fn chromium() {
                super::$journey(Engine::Chromium).await
            }
            #[tokio::test]
            async fn firefox() {
                super::$journey(Engine::Firefox).await
            }
            #[tokio::test]
            async fn webkit() {
                super::$journey(Engine::WebKit).await
            }
        }
    };
}

/// Appends how long `journey` took in `engine` to `$SSPR_JOURNEY_TIMINGS` when set
/// (scripts/bench.sh reports them; nothing asserts a time).
pub fn record_journey(engine: Engine, journey: &str, took: Duration) {
    use std::io::Write;
    let Some(path) = std::env::var_os("SSPR_JOURNEY_TIMINGS") else {
        return;
    };
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .expect("the journey timings file");
    writeln!(file, "{}\t{journey}\t{}", engine.name(), took.as_millis()).expect("write");
}

/// A headless browser behind its own WebDriver server, with the given browser languages.
pub struct Browser {
    pub client: Client,
    driver: Child,
    /// WebKit's virtual display.
    display: Option<Child>,
    _profile: tempfile::TempDir,
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

/// The first of `names` on `PATH`, or `$variable` when set.
fn program(variable: &str, names: &[&str]) -> Option<PathBuf> {
    if let Some(path) = std::env::var_os(variable) {
        return Some(path.into());
    }
    let dirs: Vec<PathBuf> = std::env::var_os("PATH")
        .map(|paths| std::env::split_paths(&paths).collect())
        .unwrap_or_default();
    names
        .iter()
        .flat_map(|name| dirs.iter().map(move |dir| dir.join(name)))
        .find(|path| path.exists())
}

fn chromium_binary() -> Option<PathBuf> {
    program(
        "CHROME_BIN",
        &["chromium", "chromium-browser", "google-chrome"],
    )
}

/// A driver program that must be there (scripts/setup.sh --for-tests installs it).
fn required(variable: &str, names: &[&str]) -> PathBuf {
    program(variable, names).unwrap_or_else(|| {
        panic!(
            "{} is not installed: run scripts/setup.sh --for-tests",
            names[0]
        )
    })
}

/// Starts a WebDriver server as the leader of its own process group (so that dropping
/// the [`Browser`] stops the browser it starts too), its scratch files in `profile`.
fn spawn_driver(mut command: Command, profile: &Path) -> Child {
    command
        .env("TMPDIR", profile)
        .process_group(0)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| {
            panic!(
                "start {:?}: {e} (run scripts/setup.sh --for-tests)",
                command.get_program()
            )
        })
}

/// Starts Xvfb on a display it picks itself (`-displayfd`); the child and `:<n>`.
fn virtual_display() -> (Child, String) {
    let mut xvfb = Command::new(required("XVFB", &["Xvfb"]))
        .args([
            "-displayfd",
            "1",
            "-screen",
            "0",
            "1280x1024x24",
            "-nolisten",
            "tcp",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start Xvfb (run scripts/setup.sh --for-tests)");
    let mut line = String::new();
    let stdout = xvfb.stdout.take().expect("Xvfb stdout");
    BufReader::new(stdout)
        .read_line(&mut line)
        .expect("Xvfb reports its display");
    let number = line.trim();
    assert!(!number.is_empty(), "Xvfb did not start");
    (xvfb, format!(":{number}"))
}

/// Where screenshots for review go: `$SSPR_SCREENSHOTS`, or `target/screenshots`.
pub fn screenshot_dir() -> PathBuf {
    std::env::var_os("SSPR_SCREENSHOTS")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            Path::new(env!("CARGO_TARGET_TMPDIR"))
                .parent()
                .expect("target dir")
                .join("screenshots")
        })
}

impl Browser {
    /// `accept_language` is what `navigator.languages` reports, e.g. `"fr-FR"`.
    pub async fn start(accept_language: &str) -> Browser {
        Browser::start_with(accept_language, None).await
    }

    /// A phone's screen: 360 CSS pixels wide (Chromium's device emulation).
    pub async fn start_at(accept_language: &str, width: u32) -> Browser {
        Browser::start_with(accept_language, Some((width, 780))).await
    }

    pub async fn start_phone(accept_language: &str) -> Browser {
        Browser::start_with(accept_language, Some((360, 780))).await
    }

    /// A browser whose person prefers the dark scheme (`prefers-color-scheme: dark`).
    pub async fn start_dark(accept_language: &str) -> Browser {
        Browser::launch(accept_language, None, &["--force-dark-mode"]).await
    }

    /// Chromium with extra command-line switches (e.g. `--js-flags=--jitless`).
    pub async fn start_with_switches(accept_language: &str, switches: &[&str]) -> Browser {
        Browser::launch(accept_language, None, switches).await
    }

    async fn start_with(accept_language: &str, screen: Option<(u32, u32)>) -> Browser {
        Browser::launch(accept_language, screen, &[]).await
    }

    /// `engine` at a desktop window (1024 x 768).
    pub async fn start_in(engine: Engine, accept_language: &str) -> Browser {
        match engine {
            Engine::Chromium => Browser::start(accept_language).await,
            Engine::Firefox => Browser::firefox(accept_language).await,
            Engine::WebKit => Browser::webkit(accept_language).await,
        }
    }

    async fn launch(accept_language: &str, screen: Option<(u32, u32)>, extra: &[&str]) -> Browser {
        let chromedriver = required("CHROMEDRIVER", &["chromedriver"]);
        let port = free_port();
        let profile = tempfile::tempdir().expect("profile dir");
        // Chromium's own scratch directories (about 100 MB each) go inside the profile,
        // so they are removed with it instead of piling up in /tmp.
        let mut command = Command::new(&chromedriver);
        command.arg(format!("--port={port}"));
        let driver = spawn_driver(command, profile.path());
        let mut options = serde_json::json!({
            // The authenticator page may show notifications (no prompt in headless mode).
            // Third-party cookies blocked, as Safari and Firefox do and Chromium will: the
            // portal embedded in another site's login page must work without them.
            "prefs": {
                "profile.default_content_setting_values.notifications": 1,
                "profile.cookie_controls_mode": 1
            },
            "args": [
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--window-size=1024,768",
                format!("--user-data-dir={}", profile.path().display()),
                format!("--accept-lang={accept_language}"),
                format!("--lang={accept_language}"),
            ]
        });
        if let Some(binary) = chromium_binary() {
            options["binary"] = binary.to_string_lossy().into();
        }
        if let Some(args) = options["args"].as_array_mut() {
            args.extend(extra.iter().map(|arg| serde_json::json!(arg)));
        }
        if let Some((width, height)) = screen {
            options["mobileEmulation"] = serde_json::json!({
                "deviceMetrics": {"width": width, "height": height, "pixelRatio": 1}
            });
        }
        let mut capabilities = Capabilities::new();
        capabilities.insert("goog:chromeOptions".into(), options);
        Browser::connect(Engine::Chromium, port, capabilities, driver, None, profile).await
    }

    /// Headless Firefox ESR through geckodriver.
    async fn firefox(accept_language: &str) -> Browser {
        let geckodriver = required("GECKODRIVER", &["geckodriver"]);
        let firefox = required("FIREFOX_BIN", &["firefox-esr", "firefox"]);
        let port = free_port();
        let profile = tempfile::tempdir().expect("profile dir");
        // geckodriver makes Firefox's profile in TMPDIR: inside ours, removed with it.
        let mut command = Command::new(&geckodriver);
        command.args(["--port", &port.to_string()]);
        let driver = spawn_driver(command, profile.path());
        let mut capabilities = Capabilities::new();
        capabilities.insert(
            "moz:firefoxOptions".into(),
            serde_json::json!({
                "binary": firefox.to_string_lossy(),
                "args": ["-headless", "-width", "1024", "-height", "768"],
                "prefs": {
                    "intl.accept_languages": accept_language,
                    "browser.shell.checkDefaultBrowser": false,
                    "app.update.auto": false
                }
            }),
        );
        Browser::connect(Engine::Firefox, port, capabilities, driver, None, profile).await
    }

    /// WebKitGTK's MiniBrowser through WebKitWebDriver, on its own Xvfb display. Its
    /// languages come from the environment (`LANGUAGE`), as on a Linux desktop.
    async fn webkit(accept_language: &str) -> Browser {
        let webkitdriver = required("WEBKIT_WEBDRIVER", &["WebKitWebDriver"]);
        let (xvfb, display) = virtual_display();
        let port = free_port();
        let profile = tempfile::tempdir().expect("profile dir");
        let language = accept_language.replace('-', "_");
        let mut command = Command::new(&webkitdriver);
        command
            .arg(format!("--port={port}"))
            .env("DISPLAY", &display)
            .env("LANGUAGE", &language)
            .env("LANG", format!("{language}.UTF-8"))
            .env("XDG_CACHE_HOME", profile.path().join("cache"))
            .env("XDG_DATA_HOME", profile.path().join("data"));
        let driver = spawn_driver(command, profile.path());
        let browser = Browser::connect(
            Engine::WebKit,
            port,
            Capabilities::new(),
            driver,
            Some(xvfb),
            profile,
        )
        .await;
        browser
            .client
            .set_window_rect(0, 0, 1024, 768)
            .await
            .expect("window size");
        browser
    }

    async fn connect(
        engine: Engine,
        port: u16,
        capabilities: Capabilities,
        driver: Child,
        display: Option<Child>,
        profile: tempfile::TempDir,
    ) -> Browser {
        let webdriver = format!("http://127.0.0.1:{port}");
        let deadline = Instant::now() + Duration::from_secs(30);
        let client = loop {
            match ClientBuilder::new(HttpConnector::new())
                .capabilities(capabilities.clone())
                .connect(&webdriver)
                .await
            {
                Ok(client) => break client,
                Err(e) if Instant::now() > deadline => {
                    panic!("cannot start {}: {e}", engine.name())
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(200)).await,
            }
        };
        Browser {
            client,
            driver,
            display,
            _profile: profile,
        }
    }

    /// Loads `path` (e.g. `/security-info`) from the product, and waits until the app has
    /// taken over the page (the reset portal shows its first step as static HTML before;
    /// a page that cannot start says why in the placeholder, `role=alert`).
    pub async fn open(&self, product: &Product, path: &str) {
        let url = format!("{}{path}", product.url);
        self.client.goto(&url).await.expect("navigate");
        self.wait_until(
            "!document.getElementById('boot') || \
             document.getElementById('boot').getAttribute('role') === 'alert'",
        )
        .await;
    }

    /// Waits, within the UI timeout, until the JavaScript expression `js_condition` is true.
    pub async fn wait_until(&self, js_condition: &str) {
        let deadline = Instant::now() + UI_TIMEOUT;
        while Instant::now() < deadline {
            let ok = self
                .client
                .execute(&format!("return !!({js_condition});"), vec![])
                .await
                .expect("script");
            if ok == serde_json::Value::Bool(true) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("never true: {js_condition}");
    }

    /// Waits for the page heading to be `key` of `locale`, then checks `<html lang>`.
    pub async fn expect_heading(&self, locale: &str, key: &str) {
        self.wait_for_text("h1", &locale_text(locale, key)).await;
        assert_eq!(self.html_attr("lang").await.as_deref(), Some(locale));
    }

    /// Waits until the element matching `css` has exactly `expected` as its text.
    pub async fn wait_for_text(&self, css: &str, expected: &str) {
        let deadline = Instant::now() + UI_TIMEOUT;
        let mut last = String::new();
        while Instant::now() < deadline {
            if let Ok(element) = self.client.find(Locator::Css(css)).await {
                last = element.text().await.unwrap_or_default();
                if last.trim() == expected {
                    return;
                }
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("{css} never showed {expected:?}; last seen {last:?}");
    }

    /// An attribute of `<html>`.
    pub async fn html_attr(&self, name: &str) -> Option<String> {
        let html = self
            .client
            .find(Locator::Css("html"))
            .await
            .expect("<html>");
        html.attr(name).await.expect("attribute")
    }

    /// Waits for an element to be on the page.
    pub async fn wait_for(&self, css: &str) -> fantoccini::elements::Element {
        self.client
            .wait()
            .at_most(UI_TIMEOUT)
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("{css} never appeared: {e}"))
    }

    /// Replaces the text of the field matching `css`.
    pub async fn fill(&self, css: &str, text: &str) {
        let field = self.wait_for(css).await;
        field.clear().await.expect("clear");
        field.send_keys(text).await.expect("type");
    }

    pub async fn click(&self, css: &str) {
        self.wait_for(css).await.click().await.expect("click");
    }

    /// The value of the field matching `css`.
    pub async fn value_of(&self, css: &str) -> String {
        self.wait_for(css)
            .await
            .prop("value")
            .await
            .expect("value")
            .unwrap_or_default()
    }

    /// Waits until the element matching `css` contains `expected` in its text.
    pub async fn wait_for_text_containing(&self, css: &str, expected: &str) {
        let deadline = Instant::now() + UI_TIMEOUT;
        let mut last = String::new();
        while Instant::now() < deadline {
            if let Ok(element) = self.client.find(Locator::Css(css)).await {
                last = element.text().await.unwrap_or_default();
                if last.contains(expected) {
                    return;
                }
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("{css} never contained {expected:?}; last seen {last:?}");
    }

    /// Saves what the browser shows as `<name>.png` in [`screenshot_dir`], for review.
    pub async fn screenshot(&self, name: &str) {
        let png = self.client.screenshot().await.expect("screenshot");
        let dir = screenshot_dir();
        std::fs::create_dir_all(&dir).expect("screenshot dir");
        std::fs::write(dir.join(format!("{name}.png")), png).expect("write screenshot");
    }

    /// The text of the element matching `css` (waiting for it).
    pub async fn text_of(&self, css: &str) -> String {
        self.wait_for(css).await.text().await.expect("text")
    }

    /// An attribute of the element matching `css` (waiting for it).
    pub async fn attr_of(&self, css: &str, name: &str) -> Option<String> {
        self.wait_for(css)
            .await
            .attr(name)
            .await
            .expect("attribute")
    }

    /// Whether an element matching `css` is on the page now.
    pub async fn has(&self, css: &str) -> bool {
        self.client.find(Locator::Css(css)).await.is_ok()
    }

    pub async fn quit(self) {
        let _ = self.client.clone().close().await;
    }
}

/// The driver, its browser and WebKit's display go with the `Browser`, also when a test
/// fails.
impl Drop for Browser {
    fn drop(&mut self) {
        // The driver leads its own process group: the browser it started goes with it
        // (killing the driver alone would leave the browser running after a failed test).
        if let Ok(group) = libc::pid_t::try_from(self.driver.id())
            && group > 1
        {
            // SAFETY: a plain system call; the group is the driver's own (process_group(0)).
            unsafe { libc::killpg(group, libc::SIGKILL) };
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
        if let Some(display) = &mut self.display {
            let _ = display.kill();
            let _ = display.wait();
        }
    }
}
