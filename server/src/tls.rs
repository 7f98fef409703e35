//! HTTPS served by the server itself: phones reach it over the network, and WebCrypto (the
//! phone authenticator's keys) needs a secure context.
//!
//! `[server] tls_cert_file` and `tls_key_file` name a PEM certificate chain and its private
//! key, read and checked at start. In demo mode `--demo-self-signed-tls` makes throwaway
//! certificates instead ([`demo_certificate`]).
//!
//! Connections are accepted by [`listener`], which hands `axum::serve` finished TLS
//! streams: handshakes run in their own tasks with a time limit, so a client that opens a
//! connection and stays silent delays nobody else. `axum::serve` keeps its graceful
//! shutdown and its `ConnectInfo<SocketAddr>`, as over plain TCP.

use rustls::ServerConfig;
use rustls::pki_types::pem::{self, PemObject};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use sha2::{Digest, Sha256};
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::server::TlsStream;

const CERT_KEY: &str = "server.tls_cert_file";
const KEY_KEY: &str = "server.tls_key_file";

/// The file, beside the database, that holds the demo's certificate authority (PEM).
pub const DEMO_AUTHORITY_FILE: &str = "sspr-demo-ca.crt";

/// How long a client may take over its TLS handshake.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// Why TLS cannot be served. Each message names the setting to change.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error("cannot read {key} {path}: {source}")]
    Read {
        key: &'static str,
        path: PathBuf,
        source: io::Error,
    },
    #[error("{key} {path} {message}")]
    Pem {
        key: &'static str,
        path: PathBuf,
        message: String,
    },
    #[error(
        "the private key in {KEY_KEY} {key} does not belong to the certificate in {CERT_KEY} {cert}: set {KEY_KEY} to that certificate's key (or {CERT_KEY} to the key's certificate)"
    )]
    Mismatch { cert: PathBuf, key: PathBuf },
    #[error("cannot serve TLS with {CERT_KEY} {cert} and {KEY_KEY} {key}: {message}")]
    Unusable {
        cert: PathBuf,
        key: PathBuf,
        message: String,
    },
    #[error("cannot make the demo certificate: {0}")]
    Generate(String),
    #[error("cannot write the demo certificate authority to {path}: {source}")]
    Write { path: PathBuf, source: io::Error },
}

/// The TLS configuration from `[server] tls_cert_file` and `tls_key_file`: the chain and a
/// key that belongs to its first certificate.
pub fn load(cert_file: &Path, key_file: &Path) -> Result<Arc<ServerConfig>, TlsError> {
    let read = |key: &'static str, path: &Path| {
        std::fs::read(path).map_err(|source| TlsError::Read {
            key,
            path: path.to_owned(),
            source,
        })
    };
    let pem_error = |key: &'static str, path: &Path, message: String| TlsError::Pem {
        key,
        path: path.to_owned(),
        message,
    };
    let cert_pem = read(CERT_KEY, cert_file)?;
    let key_pem = read(KEY_KEY, key_file)?;
    let chain = CertificateDer::pem_slice_iter(&cert_pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|error| pem_error(CERT_KEY, cert_file, format!("is not valid PEM: {error}")))?;
    if chain.is_empty() {
        return Err(pem_error(
            CERT_KEY,
            cert_file,
            "holds no certificate: give a PEM file of the certificate chain (-----BEGIN CERTIFICATE-----, the server's first)".into(),
        ));
    }
    let key = PrivateKeyDer::from_pem_slice(&key_pem).map_err(|error| {
        let message = match error {
            pem::Error::NoItemsFound => "holds no private key: give a PEM file with -----BEGIN PRIVATE KEY----- (PKCS#8), BEGIN RSA PRIVATE KEY or BEGIN EC PRIVATE KEY".to_owned(),
            other => format!("is not valid PEM: {other}"),
        };
        pem_error(KEY_KEY, key_file, message)
    })?;
    server_config(chain, key).map_err(|error| match error {
        rustls::Error::InconsistentKeys(rustls::InconsistentKeys::KeyMismatch) => {
            TlsError::Mismatch {
                cert: cert_file.to_owned(),
                key: key_file.to_owned(),
            }
        }
        other => TlsError::Unusable {
            cert: cert_file.to_owned(),
            key: key_file.to_owned(),
            message: other.to_string(),
        },
    })
}

/// A rustls server configuration (ring, TLS 1.2 and 1.3, HTTP/1.1) for `chain` and `key`;
/// refuses a key that does not belong to the chain's first certificate.
pub fn server_config(
    chain: Vec<CertificateDer<'static>>,
    key: PrivateKeyDer<'static>,
) -> Result<Arc<ServerConfig>, rustls::Error> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_no_client_auth()
        .with_single_cert(chain, key)?;
    // The server speaks HTTP/1.1 only (axum's `http1`).
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

/// The demo's certificates, made at start.
pub struct DemoCertificate {
    /// The certificate authority a phone is told to trust, PEM.
    pub authority_pem: String,
    /// Its SHA-256 fingerprint, `AB:CD:…` as browsers and phones show it.
    pub authority_fingerprint: String,
    /// The names the server's certificate covers (addresses and host names).
    pub names: Vec<String>,
    /// The server's certificate (signed by the authority) and its key.
    pub server: Arc<ServerConfig>,
}

/// Makes a certificate authority and, signed by it, a certificate for `names`, both valid
/// from a day before `now` for a year (phones refuse longer-lived server certificates).
///
/// An authority rather than one self-signed certificate, because phones install only
/// authorities as trusted (Android, iOS's "full trust"). Its private key is dropped once it
/// has signed: it is never written anywhere, so trusting the authority lets nobody make
/// certificates for other sites. The server's key stays in memory.
pub fn demo_certificate(names: Vec<String>, now: SystemTime) -> Result<DemoCertificate, TlsError> {
    use rcgen::{
        BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose,
        IsCa, Issuer, KeyPair, KeyUsagePurpose,
    };
    let generate = |error: rcgen::Error| TlsError::Generate(error.to_string());
    let seconds = now
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |since| since.as_secs());
    let now = time::OffsetDateTime::from_unix_timestamp(i64::try_from(seconds).unwrap_or(0))
        .map_err(|error| TlsError::Generate(error.to_string()))?;
    let not_before = now - time::Duration::days(1);
    let not_after = now + time::Duration::days(365);
    let first = names.first().cloned().unwrap_or_else(|| "localhost".into());

    let mut authority = CertificateParams::default();
    authority.distinguished_name = DistinguishedName::new();
    authority.distinguished_name.push(
        DnType::CommonName,
        format!("SSPR demo CA for {first} ({})", now.date()),
    );
    authority.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    authority.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    authority.not_before = not_before;
    authority.not_after = not_after;
    let authority_key = KeyPair::generate().map_err(generate)?;
    let authority_cert = authority.self_signed(&authority_key).map_err(generate)?;

    let mut server = CertificateParams::new(names.clone()).map_err(generate)?;
    server.distinguished_name = DistinguishedName::new();
    server
        .distinguished_name
        .push(DnType::CommonName, format!("SSPR demo ({first})"));
    server.is_ca = IsCa::ExplicitNoCa;
    server.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    server.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    server.use_authority_key_identifier_extension = true;
    server.not_before = not_before;
    server.not_after = not_after;
    let server_key = KeyPair::generate().map_err(generate)?;
    let server_cert = {
        let issuer = Issuer::new(authority, authority_key);
        server.signed_by(&server_key, &issuer).map_err(generate)?
        // The authority's key goes with `issuer`.
    };
    let chain = vec![server_cert.der().clone(), authority_cert.der().clone()];
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(server_key.serialize_der()));
    Ok(DemoCertificate {
        authority_pem: authority_cert.pem(),
        authority_fingerprint: fingerprint(authority_cert.der()),
        names,
        server: server_config(chain, key).map_err(|error| TlsError::Generate(error.to_string()))?,
    })
}

/// Writes the demo's certificate authority into `folder` (created if missing, mode 0700);
/// returns the file's path.
pub fn write_demo_authority(folder: &Path, demo: &DemoCertificate) -> Result<PathBuf, TlsError> {
    let path = folder.join(DEMO_AUTHORITY_FILE);
    let write = |source| TlsError::Write {
        path: path.clone(),
        source,
    };
    if !folder.as_os_str().is_empty() {
        crate::private_files::create_dir_all(folder).map_err(write)?;
    }
    std::fs::write(&path, &demo.authority_pem).map_err(write)?;
    Ok(path)
}

/// SHA-256 of a certificate, as `AB:CD:…`.
pub fn fingerprint(der: &[u8]) -> String {
    Sha256::digest(der)
        .iter()
        .map(|byte| format!("{byte:02X}"))
        .collect::<Vec<_>>()
        .join(":")
}

/// The names a demo listening on `listen` is reached by: the address (for an unspecified
/// one, the address the default route leaves from, which phones on the network reach, and
/// the loopback addresses), `localhost`, and this machine's host name (with `.local`, the
/// name phones find it by over mDNS, when the name has no domain).
pub fn demo_names(listen: IpAddr) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    if listen.is_unspecified() {
        // `[::]` takes IPv4 connections too (unless the system says otherwise).
        names.extend(
            outbound_address(SocketAddr::from(([192, 0, 2, 1], 9))).map(|ip| ip.to_string()),
        );
        if listen.is_ipv6() {
            let probe = SocketAddr::from(([0x2001, 0xdb8, 0, 0, 0, 0, 0, 1], 9));
            names.extend(outbound_address(probe).map(|ip| ip.to_string()));
        }
        names.push("127.0.0.1".into());
        if listen.is_ipv6() {
            names.push("::1".into());
        }
    } else {
        names.push(listen.to_string());
    }
    names.push("localhost".into());
    if let Some(host) = host_name() {
        if !host.contains('.') {
            names.push(format!("{host}.local"));
        }
        names.push(host);
    }
    let mut unique = Vec::new();
    for name in names {
        if !unique.contains(&name) {
            unique.push(name);
        }
    }
    unique
}

/// The local address of the route to `probe` (connecting a UDP socket sends nothing).
fn outbound_address(probe: SocketAddr) -> Option<IpAddr> {
    let any: SocketAddr = if probe.is_ipv4() {
        SocketAddr::from(([0, 0, 0, 0], 0))
    } else {
        SocketAddr::from(([0u16; 8], 0))
    };
    let socket = std::net::UdpSocket::bind(any).ok()?;
    socket.connect(probe).ok()?;
    let ip = socket.local_addr().ok()?.ip();
    (!ip.is_unspecified() && !ip.is_loopback()).then_some(ip)
}

/// This machine's host name, lower case, when it is a DNS name.
pub fn host_name() -> Option<String> {
    let name = hostname::get()
        .ok()?
        .into_string()
        .ok()?
        .to_ascii_lowercase();
    let valid = !name.is_empty()
        && name != "localhost"
        && name.len() <= 253
        && name.split('.').all(|label| {
            (1..=63).contains(&label.len())
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        });
    valid.then_some(name)
}

/// A `Host` value for `name` on `port` (IPv6 addresses in brackets).
pub fn host_with_port(name: &str, port: u16) -> String {
    match name.parse::<IpAddr>() {
        Ok(IpAddr::V6(ip)) => format!("[{ip}]:{port}"),
        _ => format!("{name}:{port}"),
    }
}

/// What `axum::serve` accepts HTTPS connections from. (Through `tap_io`, whose listener
/// axum gives `ConnectInfo<SocketAddr>`, the client's address.)
pub type Listener = axum::serve::TapIo<TlsListener, fn(&mut TlsStream<TcpStream>)>;

/// Accepts TLS connections on `tcp` with `config`.
pub fn listener(tcp: TcpListener, config: Arc<ServerConfig>) -> io::Result<Listener> {
    use axum::serve::ListenerExt;
    let local = tcp.local_addr()?;
    let (sender, connections) = mpsc::channel(64);
    tokio::spawn(accept_loop(tcp, TlsAcceptor::from(config), sender));
    let tap: fn(&mut TlsStream<TcpStream>) = |_| {};
    Ok(TlsListener { connections, local }.tap_io(tap))
}

/// Connections whose TLS handshake is done.
pub struct TlsListener {
    connections: mpsc::Receiver<(TlsStream<TcpStream>, SocketAddr)>,
    local: SocketAddr,
}

impl axum::serve::Listener for TlsListener {
    type Io = TlsStream<TcpStream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        match self.connections.recv().await {
            Some(connection) => connection,
            // The accepting task ends only once this listener is gone.
            None => std::future::pending().await,
        }
    }

    fn local_addr(&self) -> io::Result<SocketAddr> {
        Ok(self.local)
    }
}

/// Accepts connections and shakes hands in a task each, until the listener is dropped
/// (`axum::serve` drops it when shutting down).
async fn accept_loop(
    tcp: TcpListener,
    acceptor: TlsAcceptor,
    sender: mpsc::Sender<(TlsStream<TcpStream>, SocketAddr)>,
) {
    loop {
        let accepted = tokio::select! {
            () = sender.closed() => return,
            accepted = tcp.accept() => accepted,
        };
        let (stream, peer) = match accepted {
            Ok(accepted) => accepted,
            Err(error) => {
                // As axum does: a connection's own failure concerns it only; others (too
                // many open files) call for a pause.
                if !matches!(
                    error.kind(),
                    io::ErrorKind::ConnectionRefused
                        | io::ErrorKind::ConnectionAborted
                        | io::ErrorKind::ConnectionReset
                ) {
                    tracing::error!(%error, "cannot accept a connection");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                }
                continue;
            }
        };
        let acceptor = acceptor.clone();
        let sender = sender.clone();
        tokio::spawn(async move {
            match tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(stream)).await {
                Ok(Ok(tls)) => {
                    // Fails only when shutting down; the connection is then dropped.
                    let _ = sender.send((tls, peer)).await;
                }
                Ok(Err(error)) => tracing::debug!(%peer, %error, "TLS handshake failed"),
                Err(_) => tracing::debug!(%peer, "TLS handshake timed out"),
            }
        });
    }
}
