//! Business calendars: a time zone, weekly working hours (possibly split), holidays, and the
//! arithmetic SLAs, waits and reminders need: add or subtract business time, and count the
//! business time between two instants.
//!
//! Pure (no clock, no I/O): everything is computed from the arguments, on `jiff` so time
//! zones and DST transitions are right. Business time is counted in seconds internally so
//! that `between(t, add(t, s)) == s` holds exactly.
//!
//! Conventions, chosen so the property tests can hold them:
//! - a working interval is closed at its end: adding business time that ends exactly when
//!   the office closes gives 17:00, not the next morning;
//! - adding from outside working hours starts at the next opening;
//! - one *business day* is the longest working day of the calendar's week (8 hours for
//!   Mon–Fri 09:00–17:00), one business week the whole week's working time.

mod load;

use std::collections::{BTreeMap, BTreeSet};

use jiff::civil::{Date, Time, Weekday};
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp, ToSpan};

pub use load::load;

use crate::definition::duration::{Span, Unit};

/// The name of the calendar an org.yaml without calendars gets.
pub const BUILTIN: &str = "default";

/// How many days without any working time we look through before giving up (a calendar
/// whose whole year is holidays). Loading refuses a week without working hours, so this
/// only bounds pathological holiday lists.
const MAX_IDLE_DAYS: i32 = 3 * 366;

/// One named business calendar.
#[derive(Clone, Debug, PartialEq)]
pub struct Calendar {
    pub name: String,
    pub tz: TimeZone,
    /// Working intervals per weekday (Monday first), seconds after local midnight,
    /// sorted and not overlapping.
    pub week: [Vec<(i32, i32)>; 7],
    /// Holidays on one date.
    pub dates: BTreeSet<Date>,
    /// Holidays every year: (month, day).
    pub yearly: BTreeSet<(i8, i8)>,
}

/// The named calendars of an organisation, and which one applies when none is named.
#[derive(Clone, Debug, PartialEq)]
pub struct Calendars {
    pub by_name: BTreeMap<String, Calendar>,
    pub default: String,
}

impl Default for Calendars {
    /// Mon–Fri 09:00–17:00 UTC, no holidays: what an org.yaml without calendars gets.
    fn default() -> Self {
        let mut by_name = BTreeMap::new();
        by_name.insert(BUILTIN.to_string(), Calendar::office_hours(TimeZone::UTC));
        Calendars {
            by_name,
            default: BUILTIN.to_string(),
        }
    }
}

impl Calendars {
    /// The calendar called `name`, else the default one.
    pub fn get(&self, name: Option<&str>) -> &Calendar {
        name.and_then(|n| self.by_name.get(n))
            .or_else(|| self.by_name.get(&self.default))
            .or_else(|| self.by_name.values().next())
            .unwrap_or_else(|| builtin())
    }

    pub fn contains(&self, name: &str) -> bool {
        self.by_name.contains_key(name)
    }

    /// A calendar picked by a case field's value: the calendar of that name (any case),
    /// else the default.
    pub fn named_like(&self, value: &str) -> &str {
        self.by_name
            .keys()
            .find(|k| k.eq_ignore_ascii_case(value.trim()))
            .unwrap_or(&self.default)
    }
}

fn builtin() -> &'static Calendar {
    static CAL: std::sync::OnceLock<Calendar> = std::sync::OnceLock::new();
    CAL.get_or_init(|| Calendar::office_hours(TimeZone::UTC))
}

fn weekday_index(day: Weekday) -> usize {
    day.to_monday_zero_offset() as usize
}

impl Calendar {
    /// Mon–Fri 09:00–17:00 in `tz`, no holidays.
    pub fn office_hours(tz: TimeZone) -> Calendar {
        let day = vec![(9 * 3600, 17 * 3600)];
        Calendar {
            name: BUILTIN.to_string(),
            tz,
            week: [
                day.clone(),
                day.clone(),
                day.clone(),
                day.clone(),
                day,
                Vec::new(),
                Vec::new(),
            ],
            dates: BTreeSet::new(),
            yearly: BTreeSet::new(),
        }
    }

    pub fn is_holiday(&self, date: Date) -> bool {
        self.dates.contains(&date) || self.yearly.contains(&(date.month(), date.day()))
    }

    /// The working intervals of one local date, as instants (empty on holidays).
    fn intervals(&self, date: Date) -> Vec<(Timestamp, Timestamp)> {
        if self.is_holiday(date) {
            return Vec::new();
        }
        self.week[weekday_index(date.weekday())]
            .iter()
            .filter_map(|&(from, to)| {
                let start = self.instant(date, from)?;
                let end = self.instant(date, to)?;
                (start < end).then_some((start, end))
            })
            .collect()
    }

    /// `seconds` after local midnight of `date` (a time skipped by DST moves forward).
    fn instant(&self, date: Date, seconds: i32) -> Option<Timestamp> {
        let dt = if seconds >= 86_400 {
            date.tomorrow().ok()?.to_datetime(Time::midnight())
        } else {
            let time = Time::midnight()
                .checked_add(SignedDuration::from_secs(i64::from(seconds)))
                .ok()?;
            date.to_datetime(time)
        };
        self.tz.to_ambiguous_timestamp(dt).compatible().ok()
    }

    fn local_date(&self, at: Timestamp) -> Date {
        at.to_zoned_datetime(self.tz.clone()).date()
    }

    /// Working seconds of the longest day of the week: one business day.
    pub fn day_seconds(&self) -> i64 {
        self.week
            .iter()
            .map(|day| day.iter().map(|(a, b)| i64::from(b - a)).sum::<i64>())
            .max()
            .unwrap_or(0)
    }

    /// Working seconds of a whole week: one business week.
    pub fn week_seconds(&self) -> i64 {
        self.week
            .iter()
            .flatten()
            .map(|(a, b)| i64::from(b - a))
            .sum()
    }

    /// `seconds` of business time after `start` (from the next opening when `start` is
    /// outside working hours). Never lands outside working hours.
    pub fn add(&self, start: Timestamp, seconds: i64) -> Timestamp {
        if seconds < 0 {
            return self.sub(start, -seconds);
        }
        let mut left = seconds;
        let mut date = self.local_date(start).yesterday().unwrap_or(Date::MIN);
        let mut idle = 0;
        while idle < MAX_IDLE_DAYS {
            let intervals = self.intervals(date);
            idle = if intervals.is_empty() { idle + 1 } else { 0 };
            for (from, to) in intervals {
                if to < start || (to == start && left > 0) {
                    continue;
                }
                let begin = from.max(start);
                let available = to.as_second() - begin.as_second();
                if left <= available {
                    return begin
                        .checked_add(SignedDuration::from_secs(left))
                        .unwrap_or(begin);
                }
                left -= available;
            }
            match date.tomorrow() {
                Ok(next) => date = next,
                Err(_) => break,
            }
        }
        start
    }

    /// `seconds` of business time before `end` (from the last closing when `end` is outside
    /// working hours).
    pub fn sub(&self, end: Timestamp, seconds: i64) -> Timestamp {
        if seconds < 0 {
            return self.add(end, -seconds);
        }
        let mut left = seconds;
        let mut date = self.local_date(end).tomorrow().unwrap_or(Date::MAX);
        let mut idle = 0;
        while idle < MAX_IDLE_DAYS {
            let intervals = self.intervals(date);
            idle = if intervals.is_empty() { idle + 1 } else { 0 };
            for (from, to) in intervals.into_iter().rev() {
                if from > end || (from == end && left > 0) {
                    continue;
                }
                let finish = to.min(end);
                let available = finish.as_second() - from.as_second();
                if left <= available {
                    return finish
                        .checked_sub(SignedDuration::from_secs(left))
                        .unwrap_or(finish);
                }
                left -= available;
            }
            match date.yesterday() {
                Ok(previous) => date = previous,
                Err(_) => break,
            }
        }
        end
    }

    /// Business seconds from `from` to `to` (negative when `to` is earlier).
    pub fn between(&self, from: Timestamp, to: Timestamp) -> i64 {
        if to < from {
            return -self.between(to, from);
        }
        let mut total = 0;
        let mut date = self.local_date(from).yesterday().unwrap_or(Date::MIN);
        let last = self.local_date(to).tomorrow().unwrap_or(Date::MAX);
        while date <= last {
            for (start, end) in self.intervals(date) {
                let a = start.max(from);
                let b = end.min(to);
                if a < b {
                    total += b.as_second() - a.as_second();
                }
            }
            match date.tomorrow() {
                Ok(next) => date = next,
                Err(_) => break,
            }
        }
        total
    }

    /// Business seconds a business span stands for.
    pub fn business_seconds(&self, span: Span) -> i64 {
        let amount = i64::from(span.amount);
        match span.unit {
            Unit::Minutes => amount * 60,
            Unit::Hours => amount * 3600,
            Unit::Days => amount * self.day_seconds(),
            Unit::Weeks => amount * self.week_seconds(),
        }
    }

    /// The instant `span` after `start`: business time for business spans, else wall-clock
    /// time (days and weeks keep the local time of day across DST changes).
    pub fn after(&self, start: Timestamp, span: Span) -> Timestamp {
        if span.business {
            return self.add(start, self.business_seconds(span));
        }
        self.calendar_shift(start, span, 1)
    }

    /// The instant `span` before `end` (see [`Calendar::after`]).
    pub fn before(&self, end: Timestamp, span: Span) -> Timestamp {
        if span.business {
            return self.sub(end, self.business_seconds(span));
        }
        self.calendar_shift(end, span, -1)
    }

    fn calendar_shift(&self, at: Timestamp, span: Span, sign: i64) -> Timestamp {
        let amount = i64::from(span.amount) * sign;
        let zoned = at.to_zoned_datetime(self.tz.clone());
        let shifted = match span.unit {
            Unit::Minutes => zoned.checked_add(amount.minutes()),
            Unit::Hours => zoned.checked_add(amount.hours()),
            Unit::Days => zoned.checked_add(amount.days()),
            Unit::Weeks => zoned.checked_add(amount.weeks()),
        };
        shifted.map(|z| z.timestamp()).unwrap_or(at)
    }

    /// Is `at` inside working hours (closing time included)?
    pub fn is_working(&self, at: Timestamp) -> bool {
        let date = self.local_date(at);
        [date.yesterday().ok(), Some(date)]
            .into_iter()
            .flatten()
            .flat_map(|d| self.intervals(d))
            .any(|(from, to)| from <= at && at <= to)
    }

    /// Midnight at the start of `date` in the calendar's time zone.
    pub fn start_of(&self, date: Date) -> Timestamp {
        self.instant(date, 0)
            .unwrap_or_else(|| crate::time::start_of(date))
    }
}

#[cfg(test)]
mod tests;
