//! The `sspr-server` binary itself: start-time refusals and the administrative commands,
//! run as a person would run them.

#![allow(clippy::unwrap_used)] // tests fail loudly on unexpected errors

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Output, Stdio};

/// The server binary on a database in `dir`, with `args`, its output piped.
fn spawn(dir: &tempfile::TempDir, args: &[&str], stdin: Stdio) -> std::process::Child {
    Command::new(env!("CARGO_BIN_EXE_sspr-server"))
        .arg("--database")
        .arg(dir.path().join("db.sqlite3"))
        .args(args)
        .env("SSPR_LOG", "error")
        .env_remove("SSPR_DEMO_UNSAFE_ANYWHERE")
        .stdin(stdin)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

fn server(dir: &tempfile::TempDir, args: &[&str], stdin: &str) -> Output {
    let mut child = spawn(dir, args, Stdio::piped());
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

/// Starts the server to serve and returns its standard error once it exits, refusing to
/// start; panics (after stopping it) if it starts listening instead.
fn refused_start(dir: &tempfile::TempDir, args: &[&str]) -> String {
    let mut child = spawn(dir, args, Stdio::null());
    let stdout = child.stdout.take().unwrap();
    let started = BufReader::new(stdout)
        .lines()
        .any(|line| line.is_ok_and(|line| line.starts_with("SSPR listening on ")));
    if started {
        child.kill().unwrap();
        child.wait().unwrap();
        panic!("the server started with {args:?}");
    }
    let output = child.wait_with_output().unwrap();
    assert!(!output.status.success());
    text(&output.stderr)
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn e_mail_codes_without_a_relay_are_refused_at_start_outside_demo_mode() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("sspr.toml");
    std::fs::write(
        &config,
        "[server]\npublic_url = \"https://sspr.contoso.example\"\n\
         [policy]\nscope = \"all\"\nmethods = [\"email\", \"app_code\"]\n",
    )
    .unwrap();
    let config = config.to_str().unwrap();
    let output = server(&dir, &["--config", config, "--listen", "127.0.0.1:0"], "");
    assert!(!output.status.success());
    let stderr = text(&output.stderr);
    assert!(stderr.contains("no SMTP relay is configured"), "{stderr}");
    assert!(stderr.contains("[smtp] host"), "{stderr}");
}

#[test]
fn an_impossible_policy_is_refused_with_the_key_to_change() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("sspr.toml");
    std::fs::write(
        &config,
        "[policy]\nmethods_required = 2\nmethods = [\"email\"]\n",
    )
    .unwrap();
    let output = server(&dir, &["--config", config.to_str().unwrap(), "policy"], "");
    assert!(!output.status.success());
    assert!(
        text(&output.stderr).contains("policy.methods"),
        "{}",
        text(&output.stderr)
    );
}

#[test]
fn a_low_contrast_theme_stops_the_server_at_start_saying_which_colour_and_why() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("sspr.toml");
    std::fs::write(&config, "[theme]\nbrand = \"#7fb2e5\"\n").unwrap();
    let said = refused_start(&dir, &["--demo", "--config", config.to_str().unwrap()]);
    assert!(
        said.contains("theme.brand") && said.contains("2.23:1") && said.contains("darker"),
        "{said}"
    );
}

#[test]
fn people_are_administered_from_the_command_line_with_secrets_on_stdin() {
    let dir = tempfile::tempdir().unwrap();
    let add = server(
        &dir,
        &[
            "user",
            "add",
            "kim@contoso.example",
            "--name",
            "Kim Akers",
            "--group",
            "sspr-users",
        ],
        "",
    );
    assert!(add.status.success(), "{}", text(&add.stderr));
    let password = server(
        &dir,
        &["user", "set-password", "kim@contoso.example"],
        "amber window seventy\n",
    );
    assert!(password.status.success(), "{}", text(&password.stderr));
    let weak = server(
        &dir,
        &["user", "set-password", "kim@contoso.example"],
        "password\n",
    );
    assert!(!weak.status.success());
    assert!(
        text(&weak.stderr).contains("most common"),
        "{}",
        text(&weak.stderr)
    );
    let app = server(&dir, &["user", "add-app", "kim@contoso.example"], "");
    assert!(
        text(&app.stdout).contains("otpauth://totp/"),
        "{}",
        text(&app.stdout)
    );
    let methods = server(&dir, &["user", "methods", "kim@contoso.example"], "");
    assert!(
        text(&methods.stdout).contains("app_code"),
        "{}",
        text(&methods.stdout)
    );
    let users = server(&dir, &["users"], "");
    assert!(text(&users.stdout).contains("kim@contoso.example\tKim Akers\tuser\tsspr-users"));
    let questions = server(&dir, &["questions"], "");
    assert!(text(&questions.stdout).lines().any(|l| l == "first_pet"));
}

#[test]
fn outside_demo_mode_the_server_needs_its_public_url_or_allowed_hosts() {
    let dir = tempfile::tempdir().unwrap();
    let stderr = refused_start(&dir, &["--listen", "127.0.0.1:0"]);
    assert!(stderr.contains("server.public_url"), "{stderr}");
    assert!(stderr.contains("server.allowed_hosts"), "{stderr}");
    assert!(stderr.contains("DNS rebinding"), "{stderr}");
}

#[test]
fn demo_mode_refuses_an_address_that_is_not_loopback() {
    let dir = tempfile::tempdir().unwrap();
    let stderr = refused_start(&dir, &["--demo", "--listen", "0.0.0.0:0"]);
    assert!(
        stderr.contains("--demo refuses to listen on 0.0.0.0:0"),
        "{stderr}"
    );
    assert!(stderr.contains("--demo-unsafe-anywhere"), "{stderr}");
    assert!(
        !dir.path().join("db.sqlite3").exists(),
        "nothing seeded before the refusal"
    );
}

#[test]
fn demo_mode_refuses_a_database_with_people_who_are_not_demo_users() {
    let dir = tempfile::tempdir().unwrap();
    let add = server(
        &dir,
        &["user", "add", "kim@contoso.example", "--name", "Kim"],
        "",
    );
    assert!(add.status.success(), "{}", text(&add.stderr));
    let stderr = refused_start(&dir, &["--demo", "--listen", "127.0.0.1:0"]);
    assert!(stderr.contains("--demo refuses the database"), "{stderr}");
    assert!(stderr.contains("kim@contoso.example"), "{stderr}");
    assert!(stderr.contains("--demo-unsafe-anywhere"), "{stderr}");
    let users = server(&dir, &["users"], "");
    assert_eq!(
        text(&users.stdout).lines().count(),
        1,
        "no demo account was added: {}",
        text(&users.stdout)
    );
}

/// Starts the server and returns its standard error up to the listening line, then stops
/// it.
fn started(dir: &tempfile::TempDir, args: &[&str]) -> String {
    let mut child = spawn(dir, args, Stdio::null());
    let stdout = child.stdout.take().unwrap();
    let started = BufReader::new(stdout)
        .lines()
        .any(|line| line.is_ok_and(|line| line.starts_with("SSPR listening on ")));
    child.kill().unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(started, "did not start: {}", text(&output.stderr));
    text(&output.stderr)
}

#[test]
fn demo_mode_starts_on_loopback_and_again_on_its_own_database() {
    let dir = tempfile::tempdir().unwrap();
    started(&dir, &["--demo", "--listen", "127.0.0.1:0"]);
    // Seeded once, the database holds only demo users: a restart is fine.
    started(&dir, &["--demo", "--listen", "127.0.0.1:0"]);
}

#[test]
fn the_unsafe_demo_flag_starts_anyway_with_a_loud_warning() {
    let dir = tempfile::tempdir().unwrap();
    let stderr = started(
        &dir,
        &["--demo", "--demo-unsafe-anywhere", "--listen", "0.0.0.0:0"],
    );
    assert!(
        stderr.contains("WARNING: --demo-unsafe-anywhere"),
        "{stderr}"
    );
}

#[cfg(unix)]
#[test]
fn a_key_file_others_can_read_stops_the_server_with_the_chmod_to_run() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("sspr.key");
    std::fs::write(&key, [9; 32]).unwrap();
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o644)).unwrap();
    let stderr = refused_start(&dir, &["--demo", "--listen", "127.0.0.1:0"]);
    assert!(
        stderr.contains(&format!("chmod 600 {}", key.display())),
        "{stderr}"
    );
}
