//! Time windows (`--from --to`, `--period 2026-11`) and buckets (`--by day|week|month`).

use jiff::civil::Date;
use jiff::{Span, Timestamp};

/// A half-open window of time; either end may be open.
#[derive(Debug, Clone, Copy, Default)]
pub struct Window {
    pub from: Option<Timestamp>,
    pub to: Option<Timestamp>,
}

impl Window {
    pub fn contains(&self, t: Timestamp) -> bool {
        self.from.is_none_or(|f| t >= f) && self.to.is_none_or(|to| t < to)
    }

    /// `--period 2026`, `2026-11` or `2026-11-30`.
    pub fn period(text: &str) -> Option<Window> {
        let t = text.trim();
        let (start, span) = match t.len() {
            4 => (Date::new(t.parse().ok()?, 1, 1).ok()?, Span::new().years(1)),
            7 => (
                format!("{t}-01").parse::<Date>().ok()?,
                Span::new().months(1),
            ),
            10 => (t.parse::<Date>().ok()?, Span::new().days(1)),
            _ => return None,
        };
        let end = start.checked_add(span).ok()?;
        Some(Window {
            from: Some(crate::time::start_of(start)),
            to: Some(crate::time::start_of(end)),
        })
    }

    /// `--from` and `--to`: a date means its whole day (`--to 2026-11-30` includes that day).
    pub fn between(from: Option<&str>, to: Option<&str>) -> Result<Window, String> {
        let from = from
            .map(|f| {
                crate::time::parse_timestamp(f)
                    .ok_or_else(|| format!("--from {f:?} is not a date or time"))
            })
            .transpose()?;
        let to = to
            .map(|t| match t.trim().parse::<Date>() {
                Ok(d) => d
                    .tomorrow()
                    .map(crate::time::start_of)
                    .map_err(|e| e.to_string()),
                Err(_) => crate::time::parse_timestamp(t)
                    .ok_or_else(|| format!("--to {t:?} is not a date or time")),
            })
            .transpose()?;
        Ok(Window { from, to })
    }
}

/// How rows are grouped in time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum By {
    Day,
    Week,
    Month,
}

impl By {
    pub fn parse(text: &str) -> Option<By> {
        match text {
            "day" => Some(By::Day),
            "week" => Some(By::Week),
            "month" => Some(By::Month),
            _ => None,
        }
    }

    /// `2026-11-30`, `2026-W49` or `2026-11` (UTC).
    pub fn bucket(self, t: Timestamp) -> String {
        let date = t.to_zoned_datetime(jiff::tz::TimeZone::UTC).date();
        match self {
            By::Day => date.to_string(),
            By::Week => {
                let w = date.iso_week_date();
                format!("{}-W{:02}", w.year(), w.week())
            }
            By::Month => format!("{}-{:02}", date.year(), date.month()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_and_buckets() {
        let w = Window::period("2026-11").expect("month");
        let t = |s: &str| crate::time::parse_timestamp(s).expect("time");
        assert!(w.contains(t("2026-11-01")));
        assert!(w.contains(t("2026-11-30T23:59:59Z")));
        assert!(!w.contains(t("2026-12-01")));
        assert!(Window::period("2026-13").is_none());
        let b = Window::between(Some("2026-11-01"), Some("2026-11-30")).expect("window");
        assert!(b.contains(t("2026-11-30T12:00:00Z")));
        assert_eq!(By::Week.bucket(t("2026-11-30T09:00:00Z")), "2026-W49");
        assert_eq!(By::Month.bucket(t("2026-11-30T09:00:00Z")), "2026-11");
    }
}
