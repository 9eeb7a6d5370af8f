//! The HTTP-client seam: platform modules build an [`HttpRequest`] and send it through an
//! [`HttpClient`]. The default, [`ReqwestClient`], is reqwest over rustls; tests and
//! merchants with their own stack implement the trait.
//!
//! Every request carries its own timeout and response-size cap: the client stops reading
//! once the cap is passed, so a hostile or broken platform cannot make the server buffer
//! an unbounded answer. Redirects are never followed (a platform API does not redirect,
//! and following one would resend the signed request elsewhere).

use crate::error::{Error, ErrorCode, Result};
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

/// A boxed future, so [`HttpClient`] can be used as `dyn HttpClient`.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// HTTP method of a platform call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    /// `GET`
    Get,
    /// `POST`
    Post,
}

impl Method {
    /// The method's name as sent on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
        }
    }
}

/// One request to a platform.
#[derive(Clone)]
pub struct HttpRequest {
    /// The method.
    pub method: Method,
    /// The absolute URL. It may carry a token in its query when the platform's API
    /// demands it (Binance `openData`), so it is never printed whole.
    pub url: String,
    /// Header names and values; values may be secrets (a JWT), so they are never printed.
    pub headers: Vec<(String, String)>,
    /// The body (empty for `GET`).
    pub body: Vec<u8>,
    /// The whole exchange must finish within this.
    pub timeout: Duration,
    /// Largest response body accepted, in bytes.
    pub max_response_bytes: usize,
}

impl fmt::Debug for HttpRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Path only: the query and the header values may hold secrets.
        let path = self.url.split('?').next().unwrap_or_default();
        f.debug_struct("HttpRequest")
            .field("method", &self.method)
            .field("url", &format_args!("{path}?<redacted>"))
            .field("headers", &self.headers.iter().map(|(k, _)| k.as_str()).collect::<Vec<_>>())
            .field("body_len", &self.body.len())
            .field("timeout", &self.timeout)
            .field("max_response_bytes", &self.max_response_bytes)
            .finish()
    }
}

/// A platform's answer.
#[derive(Clone)]
pub struct HttpResponse {
    /// The HTTP status code.
    pub status: u16,
    /// Header names (lower case) and values.
    pub headers: Vec<(String, String)>,
    /// The body, at most the request's `max_response_bytes`.
    pub body: Vec<u8>,
}

impl HttpResponse {
    /// The first value of header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

impl fmt::Debug for HttpResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The body may hold encrypted personal data or tokens: its size only.
        f.debug_struct("HttpResponse").field("status", &self.status).field("body_len", &self.body.len()).finish()
    }
}

/// Sends one HTTP request. Implementations must honour the request's timeout and size
/// cap, must not follow redirects, and must map failures to [`ErrorCode::Unreachable`]
/// (nothing was sent), [`ErrorCode::Network`], [`ErrorCode::Timeout`] or [`ErrorCode::ResponseTooLarge`] without putting the URL or
/// headers in the error.
pub trait HttpClient: Send + Sync {
    /// Sends `request` and reads the whole (capped) answer.
    fn send(&self, request: HttpRequest) -> BoxFuture<'_, Result<HttpResponse>>;
}

impl<C: HttpClient + ?Sized> HttpClient for std::sync::Arc<C> {
    fn send(&self, request: HttpRequest) -> BoxFuture<'_, Result<HttpResponse>> {
        (**self).send(request)
    }
}

/// The default client: reqwest with rustls (webpki roots), no redirects, no proxy from
/// the environment unless reqwest's defaults say so.
#[derive(Clone, Debug)]
pub struct ReqwestClient {
    inner: reqwest::Client,
}

impl ReqwestClient {
    /// A client with a 5-second connect timeout.
    pub fn new() -> Result<Self> {
        let inner = reqwest::Client::builder()
            .use_rustls_tls()
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(Duration::from_secs(5))
            .build()
            .map_err(|e| {
                Error::new(ErrorCode::InvalidConfig, format!("cannot build the HTTP client: {}", e.without_url()))
            })?;
        Ok(ReqwestClient { inner })
    }

    /// Wraps an existing reqwest client (the caller is responsible for its redirect policy).
    pub fn from_client(inner: reqwest::Client) -> Self {
        ReqwestClient { inner }
    }
}

/// Turns a reqwest failure into a typed error without the URL (it may hold a token).
fn transport_error(e: reqwest::Error) -> Error {
    if e.is_timeout() {
        Error::new(ErrorCode::Timeout, "the platform did not answer in time; check its status and the server's network")
    } else if e.is_connect() {
        Error::new(
            ErrorCode::Unreachable,
            format!("could not connect ({}); check the base URL and the server's network", e.without_url()),
        )
    } else {
        Error::new(
            ErrorCode::Network,
            format!(
                "the connection failed ({}); check the platform's status and the server's network",
                e.without_url()
            ),
        )
    }
}

impl HttpClient for ReqwestClient {
    fn send(&self, request: HttpRequest) -> BoxFuture<'_, Result<HttpResponse>> {
        Box::pin(async move {
            let method = match request.method {
                Method::Get => reqwest::Method::GET,
                Method::Post => reqwest::Method::POST,
            };
            let mut builder = self.inner.request(method, &request.url).timeout(request.timeout);
            for (k, v) in &request.headers {
                builder = builder.header(k, v);
            }
            if request.method == Method::Post {
                builder = builder.body(request.body);
            }
            let mut response = builder.send().await.map_err(transport_error)?;
            let status = response.status().as_u16();
            let too_large = || {
                Error::new(
                    ErrorCode::ResponseTooLarge,
                    format!("the platform's answer is over {} bytes; it was not read", request.max_response_bytes),
                )
                .with_status(status)
            };
            if response.content_length().is_some_and(|n| n > request.max_response_bytes as u64) {
                return Err(too_large());
            }
            let headers = response
                .headers()
                .iter()
                .filter_map(|(k, v)| v.to_str().ok().map(|v| (k.as_str().to_owned(), v.to_owned())))
                .collect();
            let mut body = Vec::new();
            while let Some(chunk) = response.chunk().await.map_err(transport_error)? {
                if body.len() + chunk.len() > request.max_response_bytes {
                    return Err(too_large());
                }
                body.extend_from_slice(&chunk);
            }
            Ok(HttpResponse { status, headers, body })
        })
    }
}

/// Checks a platform base URL: `https`, or `http` to a loopback host (tests, simulators).
/// Returns it without a trailing `/`.
pub fn check_base_url(url: &str) -> Result<String> {
    let bad = |why: &str| Error::new(ErrorCode::InvalidConfig, format!("the base URL {why}"));
    let parsed = reqwest::Url::parse(url).map_err(|_| bad("is not an absolute URL"))?;
    if parsed.query().is_some()
        || parsed.fragment().is_some()
        || !parsed.username().is_empty()
        || parsed.password().is_some()
    {
        return Err(bad("must not carry a query, fragment, user name or password"));
    }
    let loopback = match parsed.host() {
        Some(url::Host::Domain(d)) => d == "localhost",
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => return Err(bad("has no host")),
    };
    match parsed.scheme() {
        "https" => {}
        "http" if loopback => {}
        "http" => return Err(bad("must use https (plain http is accepted for loopback hosts only)")),
        _ => return Err(bad("must be an https URL")),
    }
    Ok(url.trim_end_matches('/').to_owned())
}

/// `scheme://host:port` of a URL, for startup lines and logs: never a path, query or
/// credentials, whatever the URL carried. `<invalid URL>` when it does not parse.
pub fn origin_of(url: &str) -> String {
    match reqwest::Url::parse(url) {
        Ok(u) => match (u.host_str(), u.port_or_known_default()) {
            (Some(host), Some(port)) => format!("{}://{host}:{port}", u.scheme()),
            (Some(host), None) => format!("{}://{host}", u.scheme()),
            _ => "<invalid URL>".to_owned(),
        },
        Err(_) => "<invalid URL>".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_never_carry_credentials_or_paths() {
        assert_eq!(origin_of("https://:secret@h.example/p?q=1"), "https://h.example:443");
        assert_eq!(origin_of("http://127.0.0.1:9000/x"), "http://127.0.0.1:9000");
        assert_eq!(origin_of("not a url"), "<invalid URL>");
    }

    #[test]
    fn base_url_rules() {
        assert_eq!(
            check_base_url("https://dip-cb.binanceapi.com/").ok().as_deref(),
            Some("https://dip-cb.binanceapi.com")
        );
        assert!(check_base_url("http://127.0.0.1:9000").is_ok());
        assert!(check_base_url("http://localhost:9000").is_ok());
        for bad in
            ["http://example.com", "ftp://127.0.0.1", "not a url", "https://h/?a=1", "https://u@h/", "https://:pw@h/"]
        {
            let e = check_base_url(bad).err().map(|e| e.code());
            assert_eq!(e, Some(ErrorCode::InvalidConfig), "{bad}");
        }
    }

    #[test]
    fn request_debug_hides_query_and_header_values() {
        let r = HttpRequest {
            method: Method::Get,
            url: "https://h/p?openData=tok-secret".into(),
            headers: vec![("X-Mp-Open-Api-Token".into(), "jwt-secret".into())],
            body: Vec::new(),
            timeout: Duration::from_secs(1),
            max_response_bytes: 10,
        };
        let shown = format!("{r:?}");
        assert!(!shown.contains("tok-secret") && !shown.contains("jwt-secret"), "{shown}");
    }
}
