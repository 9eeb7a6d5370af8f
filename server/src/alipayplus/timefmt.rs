//! ISO 8601 times as Alipay+ writes them (`2019-11-27T12:01:01+08:30`), through the `time`
//! crate: `Request-Time` / `Response-Time` headers and token expiry times.

use time::format_description::well_known::Rfc3339;
use time::{OffsetDateTime, UtcOffset};

/// `ms` (Unix milliseconds) as `YYYY-MM-DDTHH:MM:SS+00:00` (whole seconds, UTC, with the
/// numeric offset the documentation's samples show).
pub fn format_ms(ms: u64) -> String {
    let secs = i64::try_from(ms / 1000).unwrap_or(i64::MAX);
    let t = OffsetDateTime::from_unix_timestamp(secs).unwrap_or(OffsetDateTime::UNIX_EPOCH);
    // Seconds precision, and "+00:00" rather than "Z".
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}+00:00",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// Parses an RFC 3339 / ISO 8601 time with an offset into Unix milliseconds; `None` when
/// it is not one (or before 1970).
pub fn parse_ms(text: &str) -> Option<u64> {
    if text.len() > 64 {
        return None;
    }
    let t = OffsetDateTime::parse(text.trim(), &Rfc3339).ok()?.to_offset(UtcOffset::UTC);
    u64::try_from(t.unix_timestamp_nanos() / 1_000_000).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_offsets() {
        assert_eq!(format_ms(0), "1970-01-01T00:00:00+00:00");
        assert_eq!(format_ms(1_795_000_000_999), "2026-11-18T11:06:40+00:00");
        assert_eq!(parse_ms("2026-11-18T11:06:40+00:00"), Some(1_795_000_000_000));
        assert_eq!(parse_ms("2026-11-18T19:06:40+08:00"), Some(1_795_000_000_000));
        assert_eq!(parse_ms("2026-11-18T11:06:40.250Z"), Some(1_795_000_000_250));
        assert_eq!(parse_ms("2026-11-18 11:06:40"), None);
        assert_eq!(parse_ms("yesterday"), None);
    }
}
