//! When to retry a forward and how long to wait: only network failures, timeouts, 5xx and
//! 429; exponential backoff with full jitter; `Retry-After` honoured up to a cap.

/// Default number of retries after the first attempt.
pub const DEFAULT_RETRIES: u32 = 2;
/// Most retries accepted in options.
pub const MAX_RETRIES: u32 = 10;

/// What one attempt ended in, as far as retrying is concerned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AttemptOutcome {
    /// The request failed before any answer (connection refused, reset, DNS, CORS).
    Network,
    /// The request was aborted by the bridge's timeout.
    Timeout,
    /// The backend answered with this status and optional `Retry-After` seconds.
    Status(u16, Option<u32>),
}

/// Retry parameters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Retries after the first attempt.
    pub retries: u32,
    /// First backoff step, ms.
    pub base_delay_ms: u32,
    /// Longest wait between attempts, ms (also caps `Retry-After`).
    pub max_delay_ms: u32,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy { retries: DEFAULT_RETRIES, base_delay_ms: 200, max_delay_ms: 5_000 }
    }
}

impl RetryPolicy {
    /// Whether `outcome` is worth another attempt at all.
    pub fn is_retryable(outcome: AttemptOutcome) -> bool {
        match outcome {
            AttemptOutcome::Network | AttemptOutcome::Timeout => true,
            AttemptOutcome::Status(s, _) => s == 429 || (500..600).contains(&s),
        }
    }

    /// The wait before retry number `retry` (1-based) after `outcome`, or `None` to stop.
    /// `jitter` in `[0, 1)` spreads clients apart (full jitter).
    pub fn delay_ms(&self, retry: u32, outcome: AttemptOutcome, jitter: f64) -> Option<u32> {
        if retry == 0 || retry > self.retries || !Self::is_retryable(outcome) {
            return None;
        }
        if let AttemptOutcome::Status(_, Some(secs)) = outcome {
            return Some(secs.saturating_mul(1000).min(self.max_delay_ms));
        }
        let ceiling = self.base_delay_ms.saturating_mul(1u32 << (retry - 1).min(16)).min(self.max_delay_ms);
        let jitter = if jitter.is_finite() { jitter.clamp(0.0, 1.0) } else { 0.5 };
        Some((f64::from(ceiling) * jitter) as u32)
    }
}

/// Parses a `Retry-After` header given in seconds (HTTP dates are ignored).
pub fn parse_retry_after(value: &str) -> Option<u32> {
    let v = value.trim();
    (!v.is_empty() && v.len() <= 9 && v.bytes().all(|b| b.is_ascii_digit())).then(|| v.parse().ok()).flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_only_transient_failures() {
        let p = RetryPolicy::default();
        for o in [
            AttemptOutcome::Network,
            AttemptOutcome::Timeout,
            AttemptOutcome::Status(503, None),
            AttemptOutcome::Status(429, None),
        ] {
            assert!(p.delay_ms(1, o, 0.5).is_some(), "{o:?}");
        }
        for s in [400, 401, 403, 404, 409, 422, 200, 301] {
            assert_eq!(p.delay_ms(1, AttemptOutcome::Status(s, None), 0.5), None, "{s}");
        }
    }

    #[test]
    fn bounded_count_exponential_ceiling_and_retry_after_cap() {
        let p = RetryPolicy { retries: 3, base_delay_ms: 100, max_delay_ms: 1000 };
        assert_eq!(p.delay_ms(1, AttemptOutcome::Network, 0.999_999), Some(99));
        assert_eq!(p.delay_ms(2, AttemptOutcome::Network, 0.999_999), Some(199));
        assert_eq!(p.delay_ms(3, AttemptOutcome::Network, 0.999_999), Some(399));
        assert_eq!(p.delay_ms(4, AttemptOutcome::Network, 0.5), None);
        assert_eq!(p.delay_ms(1, AttemptOutcome::Status(429, Some(1)), 0.0), Some(1000));
        assert_eq!(p.delay_ms(1, AttemptOutcome::Status(429, Some(3600)), 0.0), Some(1000));
        assert_eq!(p.delay_ms(1, AttemptOutcome::Network, f64::NAN), Some(50));
    }

    #[test]
    fn retry_after_parses_seconds_only() {
        assert_eq!(parse_retry_after(" 2 "), Some(2));
        assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"), None);
        assert_eq!(parse_retry_after("-1"), None);
        assert_eq!(parse_retry_after(""), None);
    }
}
