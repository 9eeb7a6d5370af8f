//! The forwarder's rules, natively: a fake transport that answers from a script and
//! records every request, and a fake clock whose sleeps advance its time at once.

use mp_consent_bridge::consent::{
    AuthCodeConsent, Consent, DataConsent, DataKind, PushConsent, SubscribeOutcome, Token, UserProfile,
};
use mp_consent_bridge::forward::{
    BackendUrl, Clock, FixedHeaders, Forwarder, HeaderSource, HttpRequest, HttpResponse, LocalFuture, RetryPolicy,
    Routes, Transport, TransportFailure, MAX_BODY_BYTES,
};
use mp_consent_bridge::{BridgeError, ErrorCode};
use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::future::Future;
use std::pin::pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

const NOW: u64 = 1_700_000_000_000;

type Answer = Result<HttpResponse, TransportFailure>;

#[derive(Default)]
struct FakeTransport {
    script: RefCell<VecDeque<Answer>>,
    sent: RefCell<Vec<HttpRequest>>,
    /// While set, `send` stays pending (a request in flight).
    hold: Rc<Cell<bool>>,
}

struct Held {
    hold: Rc<Cell<bool>>,
    answer: Option<Answer>,
}

impl Future for Held {
    type Output = Answer;
    fn poll(mut self: std::pin::Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Answer> {
        if self.hold.get() {
            return Poll::Pending;
        }
        Poll::Ready(self.answer.take().unwrap_or(Err(TransportFailure::Network("script ended".into()))))
    }
}

impl Transport for FakeTransport {
    fn send(&self, request: HttpRequest) -> LocalFuture<Answer> {
        self.sent.borrow_mut().push(request);
        let answer = self.script.borrow_mut().pop_front();
        Box::pin(Held { hold: self.hold.clone(), answer })
    }
}

struct FakeClock {
    now: Cell<u64>,
    slept: RefCell<Vec<u32>>,
    keys: Cell<u32>,
}

impl Clock for FakeClock {
    fn now_ms(&self) -> u64 {
        self.now.get()
    }
    fn sleep(&self, ms: u32) -> LocalFuture<()> {
        self.slept.borrow_mut().push(ms);
        self.now.set(self.now.get() + u64::from(ms));
        Box::pin(async {})
    }
    fn jitter(&self) -> f64 {
        0.5
    }
    fn new_key(&self) -> String {
        self.keys.set(self.keys.get() + 1);
        format!("key-{}", self.keys.get())
    }
}

/// A header source that never settles.
struct Stuck;
impl HeaderSource for Stuck {
    fn headers(&self) -> LocalFuture<Result<Vec<(String, String)>, BridgeError>> {
        Box::pin(std::future::pending())
    }
}

struct Rig {
    transport: Rc<FakeTransport>,
    clock: Rc<FakeClock>,
    forwarder: Forwarder,
}

fn rig_with(headers: Box<dyn HeaderSource>, retries: u32) -> Rig {
    let transport = Rc::new(FakeTransport::default());
    let clock = Rc::new(FakeClock { now: Cell::new(NOW), slept: RefCell::default(), keys: Cell::new(0) });
    let forwarder = Forwarder::new(
        BackendUrl::parse("https://api.example.com/mp").expect("url"),
        Routes::default(),
        headers,
        10_000,
        RetryPolicy { retries, ..RetryPolicy::default() },
        transport.clone(),
        clock.clone(),
    );
    Rig { transport, clock, forwarder }
}

fn rig() -> Rig {
    rig_with(Box::new(FixedHeaders(vec![("X-Session".into(), "s-1".into())])), 2)
}

impl Rig {
    fn answer(&self, answers: impl IntoIterator<Item = Answer>) {
        self.transport.script.borrow_mut().extend(answers);
    }
    fn sent(&self) -> Vec<HttpRequest> {
        self.transport.sent.borrow().clone()
    }
    fn keys(&self) -> Vec<String> {
        self.sent().iter().map(|r| header(r, "Idempotency-Key")).collect()
    }
    fn forward(&self, consent: &Consent) -> Result<Option<String>, BridgeError> {
        block_on(self.forwarder.forward(consent))
    }
}

fn header(request: &HttpRequest, name: &str) -> String {
    request.headers.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()).unwrap_or_default()
}

fn block_on<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    let mut cx = Context::from_waker(Waker::noop());
    for _ in 0..1000 {
        if let Poll::Ready(v) = future.as_mut().poll(&mut cx) {
            return v;
        }
    }
    panic!("the future did not finish with every fake ready");
}

fn status(code: u16, body: &str) -> Answer {
    Ok(HttpResponse { status: code, retry_after: None, body: Some(body.to_owned()) })
}

fn token(raw: &str) -> Token {
    Token::parse(raw, "token").expect("a valid token")
}

fn phone(raw: &str, obtained_at: u64) -> Consent {
    Consent::Data(DataConsent::new(DataKind::PhoneNumber, token(raw), obtained_at))
}

fn pushes(tokens: &[(&str, &str)]) -> Consent {
    Consent::Subscribe(SubscribeOutcome {
        accepted: tokens.iter().map(|(id, t)| PushConsent::new((*id).into(), token(t), NOW)).collect(),
        rejected: Vec::new(),
    })
}

fn code<T: std::fmt::Debug>(r: Result<T, BridgeError>) -> ErrorCode {
    match r {
        Err(e) => e.code(),
        Ok(v) => panic!("expected an error, got {v:?}"),
    }
}

#[test]
fn a_token_travels_in_the_body_with_one_key_and_the_callers_headers() {
    let r = rig();
    r.answer([status(200, r#"{"ok":true}"#)]);
    assert_eq!(r.forward(&phone("dt-secret-1", NOW)).expect("forwarded").as_deref(), Some(r#"{"ok":true}"#));
    let sent = r.sent();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].url, "https://api.example.com/mp/consent/phone-number");
    assert_eq!(sent[0].body, format!(r#"{{"dataToken":"dt-secret-1","obtainedAt":{NOW}}}"#));
    assert_eq!(header(&sent[0], "X-Session"), "s-1");
    assert_eq!(header(&sent[0], "Content-Type"), "application/json");
    assert_eq!(header(&sent[0], "Idempotency-Key"), "key-1");
    assert!(!format!("{:?}", sent[0]).contains("dt-secret-1"), "requests debug-print redacted");
}

#[test]
fn transient_failures_are_retried_with_the_same_key_and_honour_retry_after() {
    let r = rig_with(Box::new(FixedHeaders::default()), 4);
    r.answer([
        Err(TransportFailure::Network("reset".into())),
        Err(TransportFailure::Timeout),
        Ok(HttpResponse { status: 429, retry_after: Some(2), body: Some(String::new()) }),
        status(503, "{}"),
        status(201, "[1]"),
    ]);
    assert_eq!(r.forward(&phone("dt-2", NOW)).expect("forwarded").as_deref(), Some("[1]"));
    assert_eq!(r.keys(), vec!["key-1"; 5]);
    // Full jitter at 0.5 of 200, 400, then Retry-After 2 s, then 0.5 of 1600.
    assert_eq!(*r.clock.slept.borrow(), vec![100, 200, 2000, 800]);
}

#[test]
fn retries_stop_at_the_count_and_end_in_the_last_failure() {
    let r = rig();
    r.answer([Err(TransportFailure::Timeout), Err(TransportFailure::Timeout), Err(TransportFailure::Timeout)]);
    assert_eq!(code(r.forward(&phone("dt-3", NOW))), ErrorCode::BackendTimeout);
    assert_eq!(r.sent().len(), 3);
    r.answer([status(500, "{}"), status(502, "{}"), status(503, r#"{"code":"DOWN"}"#)]);
    let e = r.forward(&phone("dt-3b", NOW)).expect_err("rejected");
    assert_eq!(
        (e.code(), e.details().status, e.details().backend_code.as_deref()),
        (ErrorCode::BackendRejected, Some(503), Some("DOWN"))
    );
}

#[test]
fn client_errors_are_not_retried_and_an_echoed_token_is_scrubbed() {
    let r = rig();
    let tok = "dt-echoed-4f3e2d1c";
    r.answer([status(400, &format!(r#"{{"code":"{tok}","message":"data token {tok} is invalid"}}"#))]);
    let e = r.forward(&phone(tok, NOW)).expect_err("rejected");
    assert_eq!(e.code(), ErrorCode::BackendRejected);
    assert_eq!(r.sent().len(), 1);
    assert_eq!(e.details().backend_message.as_deref(), Some("data token [redacted] is invalid"));
    assert!(!format!("{e:?} {e}").contains(tok));
}

#[test]
fn no_attempt_starts_and_no_wait_ends_past_the_deadline() {
    let r = rig();
    // 106 s into a 120 s life: inside the 15 s margin.
    assert_eq!(code(r.forward(&phone("dt-old", NOW - 106_000))), ErrorCode::TokenExpired);
    assert!(r.sent().is_empty());
    // 100 s old: one attempt, then a 5 s Retry-After would cross the deadline.
    r.answer([Ok(HttpResponse { status: 503, retry_after: Some(5), body: Some(String::new()) })]);
    assert_eq!(code(r.forward(&phone("dt-late", NOW - 100_000))), ErrorCode::TokenExpired);
    assert_eq!(r.sent().len(), 1);
    assert!(r.clock.slept.borrow().is_empty());
}

#[test]
fn a_forwarded_token_is_refused_alone_or_in_another_bundle() {
    let r = rig();
    r.answer([status(200, "{}")]);
    r.forward(&pushes(&[("A", "push-a"), ("B", "push-b")])).expect("forwarded");
    assert_eq!(code(r.forward(&pushes(&[("A", "push-a")]))), ErrorCode::TokenAlreadyUsed);
    assert_eq!(code(r.forward(&pushes(&[("B", "push-b"), ("C", "push-c")]))), ErrorCode::TokenAlreadyUsed);
    assert_eq!(r.sent().len(), 1);
}

#[test]
fn a_token_is_never_sent_under_a_second_key() {
    let r = rig_with(Box::new(FixedHeaders::default()), 0);
    r.answer([Err(TransportFailure::Timeout)]);
    let both = pushes(&[("A", "push-a"), ("B", "push-b")]);
    assert_eq!(code(r.forward(&both)), ErrorCode::BackendTimeout);
    // The backend may have it: a regrouped forward would reach it under a new key.
    assert_eq!(code(r.forward(&pushes(&[("A", "push-a")]))), ErrorCode::InvalidArgument);
    r.answer([status(200, "{}")]);
    r.forward(&both).expect("the same outcome again");
    assert_eq!(r.keys(), vec!["key-1", "key-1"]);
}

#[test]
fn a_forward_racing_with_itself_sends_once() {
    let r = rig();
    r.transport.hold.set(true);
    r.answer([status(200, "{}")]);
    let consent = phone("dt-race", NOW);
    let mut first = pin!(r.forwarder.forward(&consent));
    let mut cx = Context::from_waker(Waker::noop());
    assert!(first.as_mut().poll(&mut cx).is_pending(), "in flight");
    assert_eq!(code(r.forward(&consent)), ErrorCode::ConsentBusy);
    r.transport.hold.set(false);
    assert!(matches!(first.as_mut().poll(&mut cx), Poll::Ready(Ok(_))));
    assert_eq!(r.sent().len(), 1);
    assert_eq!(code(r.forward(&consent)), ErrorCode::TokenAlreadyUsed);
}

#[test]
fn a_dropped_forward_leaves_the_token_retryable_under_its_key() {
    let r = rig();
    r.transport.hold.set(true);
    let consent = phone("dt-dropped", NOW);
    {
        let mut pending = pin!(r.forwarder.forward(&consent));
        assert!(pending.as_mut().poll(&mut Context::from_waker(Waker::noop())).is_pending());
    }
    r.transport.hold.set(false);
    r.answer([status(200, "{}")]);
    r.forward(&consent).expect("retried");
    assert_eq!(r.keys(), vec!["key-1", "key-1"]);
}

#[test]
fn single_use_outlives_many_other_forwards() {
    let r = rig();
    r.answer((0..600).map(|_| status(200, "{}")));
    r.forward(&pushes(&[("T", "push-t")])).expect("forwarded");
    for i in 0..599 {
        r.forward(&phone(&format!("dt-{i}"), NOW)).expect("forwarded");
    }
    r.clock.now.set(NOW + 6 * 86_400_000);
    assert_eq!(code(r.forward(&pushes(&[("T", "push-t")]))), ErrorCode::TokenAlreadyUsed);
}

#[test]
fn oversized_and_malformed_answers_are_typed() {
    let r = rig();
    let none = |status| Ok(HttpResponse { status, retry_after: None, body: None });
    r.answer([none(200), none(404), status(200, "<html>"), status(200, r#"{"success":false,"code":"900201"}"#)]);
    assert_eq!(code(r.forward(&phone("dt-a", NOW))), ErrorCode::BackendInvalidResponse);
    assert_eq!(code(r.forward(&phone("dt-b", NOW))), ErrorCode::BackendRejected);
    assert_eq!(code(r.forward(&phone("dt-c", NOW))), ErrorCode::BackendInvalidResponse);
    let e = r.forward(&phone("dt-d", NOW)).expect_err("envelope");
    assert_eq!((e.code(), e.details().backend_code.as_deref()), (ErrorCode::BackendRejected, Some("900201")));
    assert!(MAX_BODY_BYTES >= 64 * 1024);
}

#[test]
fn headers_that_never_settle_time_out_and_send_nothing() {
    let r = rig_with(Box::new(Stuck), 2);
    let consent = phone("dt-stuck", NOW);
    assert_eq!(code(r.forward(&consent)), ErrorCode::InvalidConfig);
    assert!(r.sent().is_empty());
    assert_eq!(*r.clock.slept.borrow(), vec![10_000]);
}

#[test]
fn public_profiles_are_not_single_use_and_auth_codes_are() {
    let r = rig();
    r.answer((0..4).map(|_| status(200, "{}")));
    let profile = Consent::Profile(UserProfile { nick_name: "n".into(), ..UserProfile::default() });
    r.forward(&profile).expect("first");
    r.forward(&profile).expect("second");
    let code_consent = Consent::AuthCode(AuthCodeConsent::new(token("ac-1"), vec!["auth_base".into()], NOW));
    r.forward(&code_consent).expect("auth code");
    assert_eq!(code(r.forward(&code_consent)), ErrorCode::TokenAlreadyUsed);
    assert_eq!(r.keys(), vec!["key-1", "key-2", "key-3"]);
    assert_eq!(r.sent()[2].body, r#"{"authCode":"ac-1","scopes":["auth_base"]}"#);
}

#[test]
fn a_subscription_that_accepted_nothing_sends_nothing() {
    let r = rig();
    assert_eq!(r.forward(&Consent::Subscribe(SubscribeOutcome::default())).expect("nothing"), None);
    assert!(r.sent().is_empty());
}

#[test]
fn a_consent_handed_out_keeps_its_real_expiry_when_obtained_at_is_edited() {
    let r = rig();
    // The bridge handed this token out 110 s ago; the page sends it back claiming "now".
    r.forwarder.note_issued(&phone("dt-edited", NOW - 110_000));
    assert_eq!(code(r.forward(&phone("dt-edited", NOW))), ErrorCode::TokenExpired);
    assert!(r.sent().is_empty(), "nothing was sent for a token past its real deadline");
    // An edit the other way only shortens its life; an untouched one goes through.
    r.forwarder.note_issued(&phone("dt-fresh", NOW));
    r.answer([status(200, "{}")]);
    r.forward(&phone("dt-fresh", NOW)).expect("forwarded");
}

#[test]
fn a_push_token_twice_in_one_request_is_refused() {
    let r = rig();
    assert_eq!(code(r.forward(&pushes(&[("A", "push-same"), ("B", "push-same")]))), ErrorCode::InvalidArgument);
    assert!(r.sent().is_empty());
    r.answer([status(200, "{}")]);
    r.forward(&pushes(&[("A", "push-same")])).expect("the token alone is still usable");
}

#[test]
fn after_an_unknown_outcome_only_the_same_bytes_go_under_the_key() {
    let r = rig_with(Box::new(FixedHeaders::default()), 0);
    r.answer([Err(TransportFailure::Timeout)]);
    assert_eq!(code(r.forward(&pushes(&[("A", "push-a"), ("B", "push-b")]))), ErrorCode::BackendTimeout);
    // Same tokens, another order (or another template id): another body under the same
    // key, which an idempotent backend would answer with the first body's result.
    assert_eq!(code(r.forward(&pushes(&[("B", "push-b"), ("A", "push-a")]))), ErrorCode::InvalidArgument);
    assert_eq!(code(r.forward(&pushes(&[("A", "push-a"), ("C", "push-b")]))), ErrorCode::InvalidArgument);
    r.answer([status(200, "{}")]);
    r.forward(&pushes(&[("A", "push-a"), ("B", "push-b")])).expect("the same request again");
    let sent = r.sent();
    assert_eq!(sent.len(), 2);
    assert_eq!(r.keys(), vec!["key-1", "key-1"]);
    assert_eq!(sent[0].body, sent[1].body);
}
