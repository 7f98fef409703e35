//! A minimal outbound HTTP/1.1 client for the telephony providers (and Web Push): one
//! request on one fresh connection, `https://` over rustls with the Mozilla roots
//! (webpki-roots, nothing read from the system), `http://` in the clear (local fakes in
//! tests, a gateway on the loopback). One timeout covers connecting, the TLS handshake,
//! the request and the whole answer; answers are read up to [`MAX_BODY`].
//!
//! Errors never carry header values or bodies: the callers put credentials in headers
//! and codes in bodies.

use crate::delivery::SendFailure;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Bytes;
use hyper::header::{HeaderName, HeaderValue};
use hyper::{Method, Request, Uri};
use hyper_util::rt::TokioIo;
use sha2::{Digest, Sha256};
use std::sync::{Arc, OnceLock};
use std::time::Duration;
use tokio::net::TcpStream;
use tokio::task::JoinHandle;
use tokio_rustls::TlsConnector;
use tokio_rustls::rustls::pki_types::ServerName;
use tokio_rustls::rustls::{ClientConfig, RootCertStore};

/// The largest answer body read; a longer one fails with [`HttpError::TooLarge`].
pub const MAX_BODY: usize = 1024 * 1024;

/// What the server answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpAnswer {
    pub status: u16,
    /// Every header whose value is visible ASCII, names in lower case, in order.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl HttpAnswer {
    /// The first value of header `name` (any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }

    pub fn content_type(&self) -> Option<&str> {
        self.header("content-type")
    }

    /// `Retry-After` in seconds, when given as seconds (the HTTP-date form is ignored).
    pub fn retry_after(&self) -> Option<u64> {
        self.header("retry-after")?.trim().parse().ok()
    }

    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

/// Why no answer came back.
#[derive(Debug, thiserror::Error)]
pub enum HttpError {
    /// The URL cannot be used (the reason, never the URL: it may hold a token).
    #[error("unusable URL: {0}")]
    Url(&'static str),
    /// A header the caller gave is not valid HTTP (its name; the value may be secret).
    #[error("invalid request header {0:?}")]
    Header(String),
    #[error("cannot connect: {0}")]
    Connect(std::io::Error),
    #[error("TLS handshake failed: {0}")]
    Tls(std::io::Error),
    /// The TLS settings could not be built (cannot happen with ring's defaults).
    #[error("TLS is not available")]
    TlsSetup,
    #[error("HTTP exchange failed: {0}")]
    Http(#[from] hyper::Error),
    #[error("the answer's body is larger than {MAX_BODY} bytes")]
    TooLarge,
    #[error("no answer within {0:?}")]
    Timeout(Duration),
}

impl HttpError {
    /// Whether the same request might work later (the network, the server's side), as
    /// opposed to a request that is wrong in itself.
    pub fn is_transient(&self) -> bool {
        !matches!(self, HttpError::Url(_) | HttpError::Header(_))
    }
}

/// `POST url` with `headers` and `body`; see [`request`].
pub async fn post(
    url: &str,
    headers: &[(&str, String)],
    body: Vec<u8>,
    timeout: Duration,
) -> Result<HttpAnswer, HttpError> {
    request(Method::POST, url, headers, body, timeout).await
}

/// One request on a fresh connection, answered within `timeout`. `Host` and
/// `Content-Length` are set here; `headers` add to them.
pub async fn request(
    method: Method,
    url: &str,
    headers: &[(&str, String)],
    body: Vec<u8>,
    timeout: Duration,
) -> Result<HttpAnswer, HttpError> {
    let target = Target::parse(url)?;
    let mut builder = Request::builder()
        .method(method)
        .uri(target.path_and_query.as_str())
        .header(hyper::header::HOST, target.host_header.as_str());
    for (name, value) in headers {
        let header_name = HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| HttpError::Header((*name).to_owned()))?;
        let header_value =
            HeaderValue::from_str(value).map_err(|_| HttpError::Header((*name).to_owned()))?;
        builder = builder.header(header_name, header_value);
    }
    let request = builder
        .body(Full::new(Bytes::from(body)))
        .map_err(|_| HttpError::Url("the request cannot be built from it"))?;
    tokio::time::timeout(timeout, exchange(&target, request))
        .await
        .map_err(|_| HttpError::Timeout(timeout))?
}

/// Where a URL points, split the way a request needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Target {
    tls: bool,
    /// The host to connect to and to name in TLS (IPv6 without brackets).
    host: String,
    port: u16,
    /// `Host:` as RFC 9110 wants it (the port only when not the scheme's default).
    host_header: String,
    path_and_query: String,
}

impl Target {
    fn parse(url: &str) -> Result<Target, HttpError> {
        let uri: Uri = url.parse().map_err(|_| HttpError::Url("not a valid URL"))?;
        let tls = match uri.scheme_str() {
            Some("https") => true,
            Some("http") => false,
            _ => return Err(HttpError::Url("the scheme is not http or https")),
        };
        let authority = uri
            .authority()
            .ok_or(HttpError::Url("the URL has no host"))?;
        if authority.as_str().contains('@') {
            return Err(HttpError::Url("credentials in the URL are not supported"));
        }
        let bracketed = authority.host();
        if bracketed.is_empty() {
            return Err(HttpError::Url("the URL has no host"));
        }
        let host = bracketed
            .strip_prefix('[')
            .and_then(|h| h.strip_suffix(']'))
            .unwrap_or(bracketed)
            .to_owned();
        let default_port = if tls { 443 } else { 80 };
        let port = authority.port_u16().unwrap_or(default_port);
        let host_header = if port == default_port {
            bracketed.to_owned()
        } else {
            format!("{bracketed}:{port}")
        };
        let path_and_query = uri
            .path_and_query()
            .map_or("/", |pq| pq.as_str())
            .to_owned();
        let path_and_query = if path_and_query.starts_with('/') {
            path_and_query
        } else {
            format!("/{path_and_query}")
        };
        Ok(Target {
            tls,
            host,
            port,
            host_header,
            path_and_query,
        })
    }
}

/// Aborts the connection's task when the exchange ends or is dropped (timeout).
struct AbortOnDrop(JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

async fn exchange(target: &Target, request: Request<Full<Bytes>>) -> Result<HttpAnswer, HttpError> {
    let tcp = TcpStream::connect((target.host.as_str(), target.port))
        .await
        .map_err(HttpError::Connect)?;
    // Requests are small and answered at once: don't wait to fill segments.
    let _ = tcp.set_nodelay(true);
    if target.tls {
        let name = ServerName::try_from(target.host.clone())
            .map_err(|_| HttpError::Url("the host is not a valid TLS server name"))?;
        let tls = TlsConnector::from(tls_config()?)
            .connect(name, tcp)
            .await
            .map_err(HttpError::Tls)?;
        send(TokioIo::new(tls), request).await
    } else {
        send(TokioIo::new(tcp), request).await
    }
}

async fn send<T>(io: TokioIo<T>, request: Request<Full<Bytes>>) -> Result<HttpAnswer, HttpError>
where
    T: tokio::io::AsyncRead + tokio::io::AsyncWrite + Send + Unpin + 'static,
{
    let (mut sender, connection) = hyper::client::conn::http1::handshake(io).await?;
    let _connection = AbortOnDrop(tokio::spawn(async move {
        // Its errors surface through the request's own result.
        let _ = connection.await;
    }));
    let response = sender.send_request(request).await?;
    let status = response.status().as_u16();
    let headers = response
        .headers()
        .iter()
        .filter_map(|(name, value)| {
            let value = value.to_str().ok()?;
            Some((name.as_str().to_owned(), value.to_owned()))
        })
        .collect();
    let body = Limited::new(response.into_body(), MAX_BODY)
        .collect()
        .await
        .map_err(|err| match err.downcast::<hyper::Error>() {
            Ok(err) => HttpError::Http(*err),
            Err(_) => HttpError::TooLarge,
        })?
        .to_bytes()
        .to_vec();
    Ok(HttpAnswer {
        status,
        headers,
        body,
    })
}

/// The TLS settings, built once: ring, TLS 1.2 and 1.3, the Mozilla roots, HTTP/1.1.
fn tls_config() -> Result<Arc<ClientConfig>, HttpError> {
    static CONFIG: OnceLock<Option<Arc<ClientConfig>>> = OnceLock::new();
    CONFIG
        .get_or_init(|| {
            let provider = Arc::new(tokio_rustls::rustls::crypto::ring::default_provider());
            let roots = RootCertStore {
                roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
            };
            let mut config = ClientConfig::builder_with_provider(provider)
                .with_safe_default_protocol_versions()
                .ok()?
                .with_root_certificates(roots)
                .with_no_client_auth();
            config.alpn_protocols = vec![b"http/1.1".to_vec()];
            Some(Arc::new(config))
        })
        .clone()
        .ok_or(HttpError::TlsSetup)
}

/// Whether `url` is an `http://` or `https://` URL this client can post to.
pub fn is_http_url(url: &str) -> bool {
    Target::parse(url).is_ok()
}

/// `text` as an origin (`https://host[:port]`, a trailing `/` allowed and dropped), or
/// `None` when it is not an http(s) origin (a path, a query, credentials).
pub fn http_origin(text: &str) -> Option<String> {
    let trimmed = text.strip_suffix('/').unwrap_or(text);
    let uri: Uri = trimmed.parse().ok()?;
    let scheme = uri.scheme_str().filter(|s| *s == "http" || *s == "https")?;
    let authority = uri.authority()?;
    let plain = |pq: &hyper::http::uri::PathAndQuery| pq.as_str().is_empty() || pq.as_str() == "/";
    if authority.as_str().contains('@')
        || authority.host().is_empty()
        || !uri.path_and_query().is_none_or(plain)
        || trimmed.ends_with('/')
    {
        return None;
    }
    Some(format!("{scheme}://{authority}"))
}

/// What a provider's answer means for the outbox: `Ok` with the answer on 2xx; worth a
/// later try ([`SendFailure::Transient`]) on a network error, a timeout, 408, 429 or
/// 5xx; refused for good ([`SendFailure::Permanent`]) on any other status. The text
/// names `service`, the status and the provider's own `message` (or `error`) from a
/// JSON body, never what was sent.
pub fn delivery_outcome(
    service: &str,
    result: Result<HttpAnswer, HttpError>,
) -> Result<HttpAnswer, SendFailure> {
    let answer = match result {
        Ok(answer) => answer,
        Err(err) if err.is_transient() => {
            return Err(SendFailure::Transient(format!("{service}: {err}")));
        }
        Err(err) => return Err(SendFailure::Permanent(format!("{service}: {err}"))),
    };
    if answer.is_success() {
        return Ok(answer);
    }
    let mut text = format!("{service} answered {}", answer.status);
    if let Some(reason) = provider_message(&answer.body) {
        text.push_str(": ");
        text.push_str(&reason);
    }
    if let Some(seconds) = answer.retry_after() {
        text.push_str(&format!(" (retry after {seconds} s)"));
    }
    if matches!(answer.status, 408 | 429 | 500..=599) {
        Err(SendFailure::Transient(text))
    } else {
        Err(SendFailure::Permanent(text))
    }
}

/// The `message` (or `error`) of a JSON error body, with its `code` when it has one,
/// made safe for a log line (no control characters, at most 300 characters).
fn provider_message(body: &[u8]) -> Option<String> {
    let json: serde_json::Value = serde_json::from_slice(body).ok()?;
    let message = json
        .get("message")
        .or_else(|| json.get("error"))
        .and_then(|m| m.as_str())?;
    let mut text: String = message
        .chars()
        .filter(|c| !c.is_control())
        .take(300)
        .collect();
    if let Some(code) = json.get("code").and_then(|c| c.as_u64()) {
        text.push_str(&format!(" (code {code})"));
    }
    Some(text)
}

/// A message's de-duplication key as providers get it: SHA-256, in lower-case hex (the
/// same on every try of the message; the key itself stays inside).
pub fn dedupe_token(key: &str) -> String {
    hex(&Sha256::digest(key.as_bytes()))
}

/// `bytes` in lower-case hex.
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for &byte in bytes {
        out.push(char::from(DIGITS[usize::from(byte >> 4)]));
        out.push(char::from(DIGITS[usize::from(byte & 0x0f)]));
    }
    out
}

/// `pairs` as an `application/x-www-form-urlencoded` body (the WHATWG URL standard's
/// serializer: `*-._` and alphanumerics kept, space as `+`, the rest `%XX` of UTF-8).
pub fn form_encode<K: AsRef<str>, V: AsRef<str>>(pairs: &[(K, V)]) -> String {
    let mut out = String::new();
    for (i, (name, value)) in pairs.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        encode_component(name.as_ref(), &mut out);
        out.push('=');
        encode_component(value.as_ref(), &mut out);
    }
    out
}

fn encode_component(text: &str, out: &mut String) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for &byte in text.as_bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'*' | b'-' | b'.' | b'_' => {
                out.push(char::from(byte));
            }
            b' ' => out.push('+'),
            _ => {
                out.push('%');
                out.push(char::from(HEX[usize::from(byte >> 4)]));
                out.push(char::from(HEX[usize::from(byte & 0x0f)]));
            }
        }
    }
}

/// An `application/x-www-form-urlencoded` body as its pairs, in order (the WHATWG
/// parser: `+` is a space, a `%` not followed by two hex digits stays as it is, invalid
/// UTF-8 becomes U+FFFD, empty pieces are skipped, a piece without `=` has an empty value).
pub fn form_decode(body: &[u8]) -> Vec<(String, String)> {
    body.split(|&b| b == b'&')
        .filter(|piece| !piece.is_empty())
        .map(|piece| {
            let (name, value) = match piece.iter().position(|&b| b == b'=') {
                Some(at) => (&piece[..at], &piece[at + 1..]),
                None => (piece, &piece[piece.len()..]),
            };
            (decode_component(name), decode_component(value))
        })
        .collect()
}

fn decode_component(bytes: &[u8]) -> String {
    fn hex(byte: u8) -> Option<u8> {
        char::from(byte)
            .to_digit(16)
            .and_then(|d| u8::try_from(d).ok())
    }
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => match (
                bytes.get(i + 1).copied().and_then(hex),
                bytes.get(i + 2).copied().and_then(hex),
            ) {
                (Some(high), Some(low)) => {
                    out.push(high << 4 | low);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            byte => out.push(byte),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::TcpListener;

    #[test]
    fn urls_are_split_for_the_request() {
        let target =
            Target::parse("https://api.twilio.com/2010-04-01/Accounts?x=1").expect("valid");
        assert_eq!(
            target,
            Target {
                tls: true,
                host: "api.twilio.com".into(),
                port: 443,
                host_header: "api.twilio.com".into(),
                path_and_query: "/2010-04-01/Accounts?x=1".into(),
            }
        );
        let target = Target::parse("http://[::1]:8080").expect("valid");
        assert_eq!(target.host, "::1");
        assert_eq!(target.port, 8080);
        assert_eq!(target.host_header, "[::1]:8080");
        assert_eq!(target.path_and_query, "/");
        let target = Target::parse("http://gw.example:80/x").expect("valid");
        assert_eq!(target.host_header, "gw.example");
        for bad in [
            "ftp://x/",
            "/relative",
            "https://user:pw@x/",
            "not a url",
            "https://",
        ] {
            assert!(
                matches!(Target::parse(bad), Err(HttpError::Url(_))),
                "{bad} accepted"
            );
        }
    }

    #[test]
    fn forms_round_trip_as_browsers_encode_them() {
        let body = form_encode(&[
            ("To", "+447700900123"),
            ("Body", "Your code: 123 456 & more=é"),
            ("Twiml", "<Say>a/b</Say>"),
        ]);
        assert_eq!(
            body,
            "To=%2B447700900123&Body=Your+code%3A+123+456+%26+more%3D%C3%A9\
             &Twiml=%3CSay%3Ea%2Fb%3C%2FSay%3E"
        );
        assert_eq!(
            form_decode(body.as_bytes()),
            vec![
                ("To".to_owned(), "+447700900123".to_owned()),
                ("Body".to_owned(), "Your code: 123 456 & more=é".to_owned()),
                ("Twiml".to_owned(), "<Say>a/b</Say>".to_owned()),
            ]
        );
        assert_eq!(
            form_decode(b"a=%zz&&b&c=%4"),
            vec![
                ("a".to_owned(), "%zz".to_owned()),
                ("b".to_owned(), String::new()),
                ("c".to_owned(), "%4".to_owned()),
            ]
        );
    }

    /// A one-shot HTTP server: reads one request, answers `answer`, gives the request back.
    async fn one_shot(answer: &'static [u8]) -> (u16, JoinHandle<String>) {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let handle = tokio::spawn(async move {
            let (mut stream, _) = listener.accept().await.expect("accept");
            let mut seen = Vec::new();
            let mut buf = [0u8; 4096];
            loop {
                let n = stream.read(&mut buf).await.expect("read");
                seen.extend_from_slice(&buf[..n]);
                let text = String::from_utf8_lossy(&seen);
                if let Some(end) = text.find("\r\n\r\n") {
                    let length = text
                        .lines()
                        .find_map(|l| l.strip_prefix("content-length: "))
                        .and_then(|v| v.trim().parse::<usize>().ok())
                        .unwrap_or(0);
                    if seen.len() >= end + 4 + length {
                        break;
                    }
                }
                if n == 0 {
                    break;
                }
            }
            stream.write_all(answer).await.expect("write");
            let _ = stream.shutdown().await;
            String::from_utf8_lossy(&seen).into_owned()
        });
        (port, handle)
    }

    #[tokio::test]
    async fn posts_with_host_and_length_and_reads_the_answer() {
        let (port, server) = one_shot(
            b"HTTP/1.1 429 Too Many Requests\r\ncontent-type: application/json\r\n\
              retry-after: 7\r\ncontent-length: 2\r\n\r\n{}",
        )
        .await;
        let answer = post(
            &format!("http://127.0.0.1:{port}/a/b?c=d"),
            &[("X-Test", "yes".into())],
            b"hello".to_vec(),
            Duration::from_secs(5),
        )
        .await
        .expect("answered");
        assert_eq!(answer.status, 429);
        assert_eq!(answer.content_type(), Some("application/json"));
        assert_eq!(answer.retry_after(), Some(7));
        assert_eq!(answer.body, b"{}");
        assert!(!answer.is_success());
        let seen = server.await.expect("server");
        assert!(seen.starts_with("POST /a/b?c=d HTTP/1.1\r\n"), "{seen}");
        assert!(
            seen.contains(&format!("host: 127.0.0.1:{port}\r\n")),
            "{seen}"
        );
        assert!(seen.contains("x-test: yes\r\n"), "{seen}");
        assert!(seen.contains("content-length: 5\r\n"), "{seen}");
        assert!(seen.ends_with("\r\n\r\nhello"), "{seen}");
    }

    #[tokio::test]
    async fn an_oversized_answer_is_refused() {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let port = listener.local_addr().expect("addr").port();
        tokio::spawn(async move {
            let (mut stream, _) = listener.accept().await.expect("accept");
            let mut buf = [0u8; 4096];
            let _ = stream.read(&mut buf).await;
            let head = format!(
                "HTTP/1.1 200 OK\r\ncontent-length: {}\r\n\r\n",
                MAX_BODY + 1
            );
            let _ = stream.write_all(head.as_bytes()).await;
            let _ = stream.write_all(&vec![b'x'; MAX_BODY + 1]).await;
        });
        let result = post(
            &format!("http://127.0.0.1:{port}/"),
            &[],
            Vec::new(),
            Duration::from_secs(5),
        )
        .await;
        assert!(matches!(result, Err(HttpError::TooLarge)), "{result:?}");
    }

    #[tokio::test]
    async fn a_silent_server_times_out_and_a_closed_port_fails_to_connect() {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let result = post(
            &format!("http://127.0.0.1:{port}/"),
            &[],
            Vec::new(),
            Duration::from_millis(200),
        )
        .await;
        assert!(matches!(result, Err(HttpError::Timeout(_))), "{result:?}");
        assert!(result.err().is_some_and(|e| e.is_transient()));
        drop(listener);
        let result = post(
            &format!("http://127.0.0.1:{port}/"),
            &[],
            Vec::new(),
            Duration::from_secs(5),
        )
        .await;
        assert!(matches!(result, Err(HttpError::Connect(_))), "{result:?}");
    }

    #[tokio::test]
    async fn https_goes_through_tls() {
        // A server that is not TLS at all: the handshake fails, and the request is not
        // sent in the clear.
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let server = tokio::spawn(async move {
            let (mut stream, _) = listener.accept().await.expect("accept");
            let mut hello = [0u8; 5];
            let _ = stream.read_exact(&mut hello).await;
            let _ = stream.write_all(b"HTTP/1.1 200 OK\r\n\r\n").await;
            hello
        });
        let result = post(
            &format!("https://127.0.0.1:{port}/"),
            &[],
            b"secret body".to_vec(),
            Duration::from_secs(5),
        )
        .await;
        assert!(matches!(result, Err(HttpError::Tls(_))), "{result:?}");
        let hello = server.await.expect("server");
        assert_eq!(hello[0], 0x16, "a TLS handshake record came first");
    }

    #[tokio::test]
    async fn bad_headers_are_named_without_their_value() {
        let result = post(
            "http://127.0.0.1:9/",
            &[("Authorization", "Basic secret\nvalue".into())],
            Vec::new(),
            Duration::from_secs(1),
        )
        .await;
        let err = result.expect_err("refused");
        assert!(!err.is_transient());
        assert!(!err.to_string().contains("secret"));
    }

    #[test]
    fn origins_and_urls_are_checked() {
        assert_eq!(
            http_origin("https://sspr.example/").as_deref(),
            Some("https://sspr.example")
        );
        assert_eq!(
            http_origin("http://127.0.0.1:8080").as_deref(),
            Some("http://127.0.0.1:8080")
        );
        for bad in [
            "https://sspr.example/reset",
            "https://sspr.example?x=1",
            "https://sspr.example//",
            "ftp://sspr.example",
            "https://u@sspr.example",
            "sspr.example",
        ] {
            assert_eq!(http_origin(bad), None, "{bad}");
        }
        assert!(is_http_url("https://api.twilio.com"));
        assert!(!is_http_url("api.twilio.com"));
    }

    fn answer(status: u16, body: &str) -> Result<HttpAnswer, HttpError> {
        Ok(HttpAnswer {
            status,
            headers: vec![("retry-after".into(), "30".into())],
            body: body.as_bytes().to_vec(),
        })
    }

    #[test]
    fn answers_are_sorted_into_retry_or_give_up() {
        assert!(delivery_outcome("twilio", answer(201, "{}")).is_ok());
        for status in [408, 429, 500, 503] {
            assert!(matches!(
                delivery_outcome("twilio", answer(status, "")),
                Err(SendFailure::Transient(_))
            ));
        }
        let refused = delivery_outcome(
            "twilio",
            answer(
                400,
                r#"{"code":21211,"message":"Invalid 'To'\nPhone Number"}"#,
            ),
        );
        assert_eq!(
            refused.err(),
            Some(SendFailure::Permanent(
                "twilio answered 400: Invalid 'To'Phone Number (code 21211) (retry after 30 s)"
                    .into()
            ))
        );
        assert!(matches!(
            delivery_outcome("webhook", Err(HttpError::Timeout(Duration::from_secs(1)))),
            Err(SendFailure::Transient(_))
        ));
        assert!(matches!(
            delivery_outcome("webhook", Err(HttpError::Url("x"))),
            Err(SendFailure::Permanent(_))
        ));
    }

    #[test]
    fn dedupe_tokens_are_sha256_hex() {
        assert_eq!(
            dedupe_token("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn the_tls_config_builds_once_with_the_roots() {
        let config = tls_config().expect("built");
        assert!(Arc::ptr_eq(&config, &tls_config().expect("built")));
        assert_eq!(config.alpn_protocols, vec![b"http/1.1".to_vec()]);
    }
}
