//! HTTPS served by the server itself (`[server] tls_cert_file`, `tls_key_file`) and the
//! demo's `--demo-self-signed-tls`: the `sspr-server` binary, reached with a rustls client
//! that trusts only the certificate under test.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::mpsc;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio_rustls::rustls::pki_types::{CertificateDer, ServerName};
use tokio_rustls::rustls::{self, ClientConfig, RootCertStore};

/// The server binary on a database in `dir`, with `args`.
fn command(dir: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_sspr-server"));
    command
        .arg("--database")
        .arg(dir.join("db.sqlite3"))
        .args(args)
        .env("SSPR_LOG", "error")
        .env_remove("SSPR_CONFIG")
        .env_remove("SSPR_LISTEN")
        .env_remove("SSPR_DEMO")
        .env_remove("SSPR_DEMO_UNSAFE_ANYWHERE")
        .env_remove("SSPR_DEMO_SELF_SIGNED_TLS")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    command
}

/// A running server, stopped when dropped.
struct Server {
    child: Child,
    /// What it printed up to and with its start line.
    stdout: Vec<String>,
    /// The start line's URL.
    url: String,
}

impl Server {
    fn start(dir: &Path, args: &[&str]) -> Server {
        let mut child = command(dir, args).spawn().unwrap();
        let stdout = child.stdout.take().unwrap();
        let (lines, received) = mpsc::channel();
        // Reads (and so drains) standard output for the server's whole life.
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if lines.send(line).is_err() {
                    break;
                }
            }
        });
        let mut printed = Vec::new();
        loop {
            match received.recv_timeout(Duration::from_secs(60)) {
                Ok(line) => {
                    let url = line.strip_prefix("SSPR listening on ").map(str::to_owned);
                    printed.push(line);
                    if let Some(url) = url {
                        return Server {
                            child,
                            stdout: printed,
                            url,
                        };
                    }
                }
                Err(_) => {
                    let _ = child.kill();
                    let output = child.wait_with_output().unwrap();
                    panic!(
                        "the server did not start: {printed:?} {}",
                        String::from_utf8_lossy(&output.stderr)
                    );
                }
            }
        }
    }

    fn port(&self) -> u16 {
        self.url.rsplit(':').next().unwrap().parse().unwrap()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The server's standard error once it has refused to start.
fn refused_start(dir: &Path, args: &[&str]) -> String {
    let output = command(dir, args).output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(!output.status.success(), "started: {stdout}");
    assert!(!stdout.contains("SSPR listening on"), "{stdout}");
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// A self-signed certificate for `localhost` and 127.0.0.1 written into `dir` as
/// `{name}.crt` and `{name}.key` (PKCS#8 PEM).
fn test_certificate(dir: &Path, name: &str) -> (PathBuf, PathBuf, CertificateDer<'static>) {
    let made =
        rcgen::generate_simple_self_signed(vec!["localhost".to_owned(), "127.0.0.1".to_owned()])
            .unwrap();
    let cert = dir.join(format!("{name}.crt"));
    let key = dir.join(format!("{name}.key"));
    std::fs::write(&cert, made.cert.pem()).unwrap();
    std::fs::write(&key, made.signing_key.serialize_pem()).unwrap();
    (cert, key, made.cert.der().clone())
}

fn write_config(dir: &Path, cert: &Path, key: &Path) -> PathBuf {
    let config = dir.join("sspr.toml");
    std::fs::write(
        &config,
        format!(
            "[server]\nallowed_hosts = [\"localhost\"]\ntls_cert_file = {cert:?}\ntls_key_file = {key:?}\n",
        ),
    )
    .unwrap();
    config
}

/// `GET path` over TLS to 127.0.0.1:`port` as `name`, trusting `root` only; the whole
/// answer (HTTP/1.0: the server closes the connection after it), or the handshake's error.
async fn get_over_tls(
    port: u16,
    root: CertificateDer<'static>,
    name: &str,
    host: Option<&str>,
) -> Result<String, std::io::Error> {
    let mut roots = RootCertStore::empty();
    roots.add(root).unwrap();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    let tcp = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .unwrap();
    let server_name = ServerName::try_from(name.to_owned()).unwrap();
    let mut tls = connector.connect(server_name, tcp).await?;
    let host = host
        .map(|host| format!("Host: {host}\r\n"))
        .unwrap_or_default();
    tls.write_all(format!("GET /api/v1/health HTTP/1.0\r\n{host}\r\n").as_bytes())
        .await?;
    let mut answer = Vec::new();
    // A close without TLS's close_notify still ends the answer.
    let _ = tls.read_to_end(&mut answer).await;
    Ok(String::from_utf8_lossy(&answer).into_owned())
}

#[tokio::test]
async fn https_is_served_with_the_configured_certificate_and_plain_http_is_not() {
    let dir = tempfile::tempdir().unwrap();
    let (cert, key, der) = test_certificate(dir.path(), "server");
    let config = write_config(dir.path(), &cert, &key);
    let server = Server::start(
        dir.path(),
        &[
            "--config",
            config.to_str().unwrap(),
            "--listen",
            "127.0.0.1:0",
        ],
    );
    assert!(
        server.url.starts_with("https://127.0.0.1:"),
        "{}",
        server.url
    );
    let port = server.port();

    let answer = get_over_tls(port, der.clone(), "localhost", None)
        .await
        .unwrap();
    assert!(answer.starts_with("HTTP/1.0 200"), "{answer}");
    assert!(
        answer
            .to_ascii_lowercase()
            .contains("strict-transport-security: max-age="),
        "the server's own TLS means HSTS: {answer}"
    );

    // Another certificate is not this server's.
    let (_, _, other) = test_certificate(dir.path(), "other");
    let refused = get_over_tls(port, other, "localhost", None).await;
    assert!(refused.is_err(), "{refused:?}");

    // Plain HTTP on the TLS port gets no HTTP answer.
    let mut plain = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .unwrap();
    plain
        .write_all(b"GET /api/v1/health HTTP/1.0\r\n\r\n")
        .await
        .unwrap();
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(15), plain.read_to_end(&mut answer))
        .await
        .expect("the server closes a plain connection");
    assert!(
        !answer.starts_with(b"HTTP/"),
        "{}",
        String::from_utf8_lossy(&answer)
    );
}

#[test]
fn a_missing_key_file_is_refused_at_start_with_the_key_to_change() {
    let dir = tempfile::tempdir().unwrap();
    let (cert, _, _) = test_certificate(dir.path(), "server");
    let missing = dir.path().join("nowhere.key");
    let config = write_config(dir.path(), &cert, &missing);
    let stderr = refused_start(
        dir.path(),
        &[
            "--config",
            config.to_str().unwrap(),
            "--listen",
            "127.0.0.1:0",
        ],
    );
    assert!(
        stderr.contains("cannot read server.tls_key_file"),
        "{stderr}"
    );
    assert!(stderr.contains("nowhere.key"), "{stderr}");
}

#[test]
fn a_key_of_another_certificate_is_refused_at_start() {
    let dir = tempfile::tempdir().unwrap();
    let (cert, _, _) = test_certificate(dir.path(), "server");
    let (_, other_key, _) = test_certificate(dir.path(), "other");
    let config = write_config(dir.path(), &cert, &other_key);
    let stderr = refused_start(
        dir.path(),
        &[
            "--config",
            config.to_str().unwrap(),
            "--listen",
            "127.0.0.1:0",
        ],
    );
    assert!(
        stderr.contains("does not belong to the certificate"),
        "{stderr}"
    );
    assert!(stderr.contains("set server.tls_key_file"), "{stderr}");
}

#[test]
fn a_certificate_without_its_key_is_refused_at_start() {
    let dir = tempfile::tempdir().unwrap();
    let (cert, _, _) = test_certificate(dir.path(), "server");
    let config = dir.path().join("sspr.toml");
    std::fs::write(
        &config,
        format!("[server]\nallowed_hosts = [\"localhost\"]\ntls_cert_file = {cert:?}\n"),
    )
    .unwrap();
    let stderr = refused_start(
        dir.path(),
        &[
            "--config",
            config.to_str().unwrap(),
            "--listen",
            "127.0.0.1:0",
        ],
    );
    assert!(stderr.contains("server.tls_key_file"), "{stderr}");
    assert!(stderr.contains("set it too"), "{stderr}");
}

#[test]
fn the_self_signed_flag_is_for_demo_mode_only() {
    let dir = tempfile::tempdir().unwrap();
    let stderr = refused_start(
        dir.path(),
        &["--demo-self-signed-tls", "--listen", "0.0.0.0:0"],
    );
    assert!(stderr.contains("--demo"), "{stderr}");
}

#[tokio::test]
async fn the_demo_self_signed_flag_makes_a_certificate_for_this_machine_beyond_loopback() {
    let dir = tempfile::tempdir().unwrap();
    let authority_file = dir.path().join(sspr_server::tls::DEMO_AUTHORITY_FILE);

    // On loopback, the flag makes nothing: browsers count http://localhost as secure.
    let loopback = Server::start(
        dir.path(),
        &[
            "--demo",
            "--demo-self-signed-tls",
            "--listen",
            "127.0.0.1:0",
        ],
    );
    assert!(loopback.url.starts_with("http://"), "{}", loopback.url);
    assert!(!authority_file.exists());
    drop(loopback);

    // Beyond loopback without the flag: plain HTTP, no certificate.
    let plain = Server::start(
        dir.path(),
        &["--demo", "--demo-unsafe-anywhere", "--listen", "0.0.0.0:0"],
    );
    assert!(plain.url.starts_with("http://"), "{}", plain.url);
    assert!(!authority_file.exists());
    drop(plain);

    let server = Server::start(
        dir.path(),
        &[
            "--demo",
            "--demo-unsafe-anywhere",
            "--demo-self-signed-tls",
            "--listen",
            "0.0.0.0:0",
        ],
    );
    assert!(server.url.starts_with("https://0.0.0.0:"), "{}", server.url);
    let port = server.port();
    let pem = std::fs::read(&authority_file).expect("the authority beside the database");
    let authority = {
        use rustls::pki_types::pem::PemObject;
        CertificateDer::from_pem_slice(&pem).unwrap()
    };
    // Its fingerprint and path are printed for the phone's owner to compare.
    let printed = server.stdout.join("\n");
    let fingerprint = sspr_server::tls::fingerprint(&authority);
    assert_eq!(fingerprint.len(), 32 * 3 - 1);
    assert!(printed.contains(&fingerprint), "{printed}");
    assert!(
        printed.contains(&authority_file.display().to_string()),
        "{printed}"
    );

    // The certificate covers the loopback address, localhost and the host name, and
    // requests may name them.
    let mut names = vec!["localhost".to_owned(), "127.0.0.1".to_owned()];
    names.extend(sspr_server::tls::host_name());
    for name in names {
        let host = sspr_server::tls::host_with_port(&name, port);
        let answer = get_over_tls(port, authority.clone(), &name, Some(&host))
            .await
            .unwrap_or_else(|error| panic!("{name}: {error}"));
        assert!(answer.starts_with("HTTP/1.0 200"), "{name}: {answer}");
    }
    // And nothing else.
    let refused = get_over_tls(port, authority, "sspr.contoso.example", None).await;
    assert!(refused.is_err(), "{refused:?}");
}
