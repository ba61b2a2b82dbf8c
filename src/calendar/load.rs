//! `calendars:` in org.yaml, read from the positioned YAML tree so every problem (an unknown
//! time zone, `25:00`, a holiday on 2026-02-30) points at its line and column.
//!
//! ```yaml
//! calendars:
//!   poland:
//!     default: true
//!     time_zone: Europe/Warsaw
//!     hours: { mon-fri: "08:00-12:00,13:00-16:00" }
//!     holidays: [01-01, 12-25, 2026-04-06]      # MM-DD every year, or one date
//! ```

use std::collections::{BTreeMap, BTreeSet};

use jiff::civil::Date;
use jiff::tz::TimeZone;

use super::{Calendar, Calendars};
use crate::definition::yaml::{Node, NodeKind, Pos};

const KEYS: &[&str] = &["title", "default", "time_zone", "hours", "holidays"];
const DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/// Read the `calendars:` mapping; problems as (position, message).
pub fn load(node: &Node) -> Result<Calendars, Vec<(Pos, String)>> {
    let mut problems = Vec::new();
    let mut by_name = BTreeMap::new();
    let mut defaults = Vec::new();
    if !node.is_map() || node.entries().is_empty() {
        problems.push((
            node.pos,
            "`calendars` maps calendar names to { time_zone, hours, holidays }".to_string(),
        ));
    }
    for (key, value) in node.entries() {
        let name = key.as_str().unwrap_or_default().to_string();
        let mut say = |pos: Pos, message: String| {
            problems.push((pos, format!("calendar `{name}`: {message}")));
        };
        if let Some(calendar) = one(&name, value, &mut say) {
            if value.get("default").and_then(Node::as_str) == Some("true") {
                defaults.push((key.pos, name.clone()));
            }
            by_name.insert(name, calendar);
        }
    }
    let default = match (defaults.as_slice(), by_name.len()) {
        ([(_, name)], _) => name.clone(),
        ([], n) if n < 2 => by_name.keys().next().cloned().unwrap_or_default(),
        ([], _) => {
            problems.push((
                node.pos,
                "several calendars and none is `default: true`; mark the one that applies when none is named".into(),
            ));
            String::new()
        }
        ([_, (pos, _), ..], _) => {
            problems.push((*pos, "only one calendar may be `default: true`".into()));
            String::new()
        }
    };
    if problems.is_empty() {
        Ok(Calendars { by_name, default })
    } else {
        Err(problems)
    }
}

fn one(name: &str, node: &Node, say: &mut impl FnMut(Pos, String)) -> Option<Calendar> {
    if !node.is_map() {
        say(node.pos, "expected a mapping with `time_zone`".into());
        return None;
    }
    for (key, _) in node.entries() {
        let k = key.as_str().unwrap_or_default();
        if !KEYS.contains(&k) {
            say(
                key.pos,
                format!("unknown key `{k}`, expected one of {}", KEYS.join(", ")),
            );
        }
    }
    if let Some(d) = node.get("default") {
        if !matches!(d.as_str(), Some("true" | "false")) {
            say(d.pos, "`default` is true or false".into());
        }
    }
    let tz = match node.get("time_zone").and_then(Node::as_str) {
        Some(zone) => match bundled_zone(zone) {
            Ok(tz) => Some(tz),
            Err(_) => {
                say(
                    node.get("time_zone").map_or(node.pos, |n| n.pos),
                    format!("unknown time zone `{zone}`; write an IANA name like Europe/Warsaw or America/New_York"),
                );
                None
            }
        },
        None => {
            say(
                node.pos,
                "needs `time_zone:` (an IANA name like Europe/Warsaw)".into(),
            );
            None
        }
    };
    let week = match node.get("hours") {
        Some(hours) => week(hours, say),
        None => Some(Calendar::office_hours(TimeZone::UTC).week),
    };
    let (dates, yearly) = holidays(node.get("holidays"), say);
    Some(Calendar {
        name: name.to_string(),
        tz: tz?,
        week: week?,
        dates,
        yearly,
    })
}

fn week(node: &Node, say: &mut impl FnMut(Pos, String)) -> Option<[Vec<(i32, i32)>; 7]> {
    let mut week: [Vec<(i32, i32)>; 7] = Default::default();
    let mut ok = true;
    for (key, value) in node.entries() {
        let days = match day_range(key.as_str().unwrap_or_default()) {
            Some(days) => days,
            None => {
                say(key.pos, format!("`{}` is not a weekday or a range like mon-fri (mon tue wed thu fri sat sun)", key.as_str().unwrap_or_default()));
                ok = false;
                continue;
            }
        };
        match intervals(value.as_str().unwrap_or_default()) {
            Ok(list) => {
                for day in days {
                    week[day] = list.clone();
                }
            }
            Err(message) => {
                say(value.pos, message);
                ok = false;
            }
        }
    }
    if ok && week.iter().all(Vec::is_empty) {
        say(node.pos, "no working hours in the week".into());
        ok = false;
    }
    ok.then_some(week)
}

/// `mon` or `mon-fri` as weekday indexes (Monday 0).
fn day_range(text: &str) -> Option<Vec<usize>> {
    let index = |d: &str| DAYS.iter().position(|x| x.eq_ignore_ascii_case(d.trim()));
    match text.split_once('-') {
        Some((a, b)) => {
            let (a, b) = (index(a)?, index(b)?);
            (a <= b).then(|| (a..=b).collect())
        }
        None => index(text).map(|d| vec![d]),
    }
}

/// `08:00-12:00,13:00-17:00` (or `off`) as sorted, non-overlapping seconds after midnight.
fn intervals(text: &str) -> Result<Vec<(i32, i32)>, String> {
    let bad = || {
        format!(
            "{text:?} is not working hours like 09:00-17:00 or 08:00-12:00,13:00-17:00 (or `off`)"
        )
    };
    if text.trim().eq_ignore_ascii_case("off") {
        return Ok(Vec::new());
    }
    let mut list = Vec::new();
    for part in text.split(',') {
        let (a, b) = part.split_once('-').ok_or_else(bad)?;
        let (a, b) = (clock(a).ok_or_else(bad)?, clock(b).ok_or_else(bad)?);
        if a >= b {
            return Err(format!("{text:?}: {part} ends before it starts"));
        }
        list.push((a, b));
    }
    list.sort_unstable();
    if list.windows(2).any(|w| w[0].1 > w[1].0) {
        return Err(format!("{text:?}: the intervals overlap"));
    }
    Ok(list)
}

/// `08:30` as seconds after midnight; `24:00` is the end of the day.
fn clock(text: &str) -> Option<i32> {
    let (h, m) = text.trim().split_once(':')?;
    let (h, m): (i32, i32) = (h.parse().ok()?, m.parse().ok()?);
    let ok = (0..24).contains(&h) && (0..60).contains(&m) || (h == 24 && m == 0);
    ok.then_some(h * 3600 + m * 60)
}

type Holidays = (BTreeSet<Date>, BTreeSet<(i8, i8)>);

fn holidays(node: Option<&Node>, say: &mut impl FnMut(Pos, String)) -> Holidays {
    let mut dates = BTreeSet::new();
    let mut yearly = BTreeSet::new();
    let Some(node) = node else {
        return (dates, yearly);
    };
    if !matches!(node.kind, NodeKind::Seq(_)) && !node.is_null() {
        say(node.pos, "`holidays` is a list of dates".into());
    }
    for item in node.items() {
        let text = item.as_str().unwrap_or_default().trim();
        if let Ok(date) = text.parse::<Date>() {
            dates.insert(date);
        } else if let Some(md) = month_day(text) {
            yearly.insert(md);
        } else {
            say(
                item.pos,
                format!("holiday {text:?} is not a date (2026-12-24) or a yearly MM-DD (12-25)"),
            );
        }
    }
    (dates, yearly)
}

/// `12-25` as (12, 25), checked against a leap year so `02-29` is allowed.
fn month_day(text: &str) -> Option<(i8, i8)> {
    let (m, d) = text.split_once('-')?;
    if m.len() != 2 || d.len() != 2 {
        return None;
    }
    let (m, d): (i8, i8) = (m.parse().ok()?, d.parse().ok()?);
    Date::new(2024, m, d).ok().map(|_| (m, d))
}

/// A zone from the tz database compiled into the binary, never the host's zoneinfo: every
/// host of a team computes the same business hours, and no command pays for scanning
/// /usr/share/zoneinfo (jiff's default; 19% of an `open`, measured with callgrind).
fn bundled_zone(name: &str) -> Result<TimeZone, jiff::Error> {
    static DB: std::sync::OnceLock<jiff::tz::TimeZoneDatabase> = std::sync::OnceLock::new();
    DB.get_or_init(jiff::tz::TimeZoneDatabase::bundled)
        .get(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(src: &str) -> Result<Calendars, Vec<String>> {
        let (root, _) = crate::definition::yaml::parse("org.yaml", src).unwrap();
        let node = root.get("calendars").unwrap();
        load(node).map_err(|ps| {
            ps.into_iter()
                .map(|(p, m)| format!("{}:{}: {m}", p.line, p.col))
                .collect()
        })
    }

    #[test]
    fn split_hours_and_holidays() {
        let cals = parse("calendars:\n  pl:\n    time_zone: Europe/Warsaw\n    hours: { mon-thu: \"08:00-12:00,13:00-17:00\", fri: 08:00-14:00 }\n    holidays: [12-25, 2026-04-06]\n").unwrap();
        let pl = cals.get(Some("pl"));
        assert_eq!(cals.default, "pl");
        assert_eq!(
            pl.week[0],
            vec![(8 * 3600, 12 * 3600), (13 * 3600, 17 * 3600)]
        );
        assert_eq!(pl.week[4], vec![(8 * 3600, 14 * 3600)]);
        assert!(pl.week[5].is_empty());
        assert!(pl.yearly.contains(&(12, 25)));
        assert_eq!(pl.day_seconds(), 8 * 3600);
    }

    #[test]
    fn bad_input_points_at_it() {
        let errs = parse("calendars:\n  a:\n    time_zone: Europe/Warsw\n    hours: { mon: 25:00-26:00 }\n    holidays: [2026-02-30]\n    colour: red\n").unwrap_err();
        assert_eq!(errs.len(), 4, "{errs:?}");
        assert!(
            errs[0].starts_with("6:5: calendar `a`: unknown key `colour`"),
            "{errs:?}"
        );
        assert!(
            errs.iter()
                .any(|e| e.starts_with("3:16: calendar `a`: unknown time zone `Europe/Warsw`")),
            "{errs:?}"
        );
        assert!(errs.iter().any(|e| e.starts_with("4:19:")), "{errs:?}");
        assert!(
            errs.iter()
                .any(|e| e.starts_with("5:16: calendar `a`: holiday \"2026-02-30\"")),
            "{errs:?}"
        );
    }

    #[test]
    fn several_need_a_default() {
        let errs =
            parse("calendars:\n  a: { time_zone: UTC }\n  b: { time_zone: UTC }\n").unwrap_err();
        assert!(errs[0].contains("none is `default: true`"), "{errs:?}");
        let ok =
            parse("calendars:\n  a: { time_zone: UTC }\n  b: { time_zone: UTC, default: true }\n")
                .unwrap();
        assert_eq!(ok.default, "b");
    }
}
