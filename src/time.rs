//! Timestamps at the edge: `--now`, datetime fields and stored times are UTC instants,
//! written with second precision (`2026-11-30T09:00:00Z`) so they sort as text.

use jiff::civil::{Date, DateTime};
use jiff::tz::TimeZone;
use jiff::Timestamp;

/// Accepts RFC 3339 (`2026-11-30T09:00:00Z`, offsets too), a civil date-time taken as UTC
/// (`2026-11-30T09:00`, `2026-11-30 09:00:00`) or a bare date (midnight UTC).
pub fn parse_timestamp(text: &str) -> Option<Timestamp> {
    let text = text.trim();
    if let Ok(ts) = text.parse::<Timestamp>() {
        return Some(ts);
    }
    if let Ok(dt) = text.replacen(' ', "T", 1).parse::<DateTime>() {
        return dt
            .to_zoned_datetime(TimeZone::UTC)
            .ok()
            .map(|z| z.timestamp());
    }
    text.parse::<Date>()
        .ok()
        .and_then(|d| d.to_zoned_datetime(TimeZone::UTC).ok())
        .map(|z| z.timestamp())
}

pub fn format_timestamp(ts: Timestamp) -> String {
    ts.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// Midnight UTC at the start of `date`.
pub fn start_of(date: Date) -> Timestamp {
    date.to_zoned_datetime(TimeZone::UTC)
        .map(|z| z.timestamp())
        .unwrap_or(Timestamp::UNIX_EPOCH)
}

/// The UTC calendar year of an instant (case ids are numbered per year).
pub fn year_of(ts: Timestamp) -> i16 {
    ts.to_zoned_datetime(TimeZone::UTC).year()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_common_shapes() {
        for text in [
            "2026-11-30T09:00:00Z",
            "2026-11-30T10:00:00+01:00",
            "2026-11-30T09:00",
            "2026-11-30 09:00:00",
        ] {
            assert_eq!(
                parse_timestamp(text).map(format_timestamp).as_deref(),
                Some("2026-11-30T09:00:00Z"),
                "{text}"
            );
        }
        assert_eq!(
            parse_timestamp("2026-11-30")
                .map(format_timestamp)
                .as_deref(),
            Some("2026-11-30T00:00:00Z")
        );
        assert!(parse_timestamp("yesterday").is_none());
    }
}
