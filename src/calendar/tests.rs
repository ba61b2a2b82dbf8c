//! Examples and properties of business-time arithmetic, including DST transitions in
//! Europe/Warsaw, Europe/Berlin and America/New_York (time zone data is bundled, so these
//! run the same on a machine without /usr/share/zoneinfo).

use super::*;
use proptest::prelude::*;

fn ts(text: &str) -> Timestamp {
    text.parse().unwrap()
}

fn zone(name: &str) -> Calendar {
    let mut cal = Calendar::office_hours(TimeZone::get(name).unwrap());
    // Split hours and a yearly and a one-off holiday, to exercise every rule.
    cal.week[0] = vec![(8 * 3600, 12 * 3600), (13 * 3600, 17 * 3600)];
    cal.yearly.insert((12, 25));
    cal.dates.insert(Date::new(2026, 4, 6).unwrap());
    cal
}

fn span(text: &str) -> Span {
    text.parse().unwrap()
}

#[test]
fn two_business_days_skip_the_weekend() {
    let cal = Calendar::office_hours(TimeZone::UTC);
    // Friday 15:00 + 16 business hours = Tuesday 15:00.
    let due = cal.after(ts("2026-12-04T15:00:00Z"), span("2 business days"));
    assert_eq!(due, ts("2026-12-08T15:00:00Z"));
    assert_eq!(cal.between(ts("2026-12-04T15:00:00Z"), due), 16 * 3600);
    // From Saturday, the clock starts on Monday morning.
    let due = cal.after(ts("2026-12-05T10:00:00Z"), span("4 business hours"));
    assert_eq!(due, ts("2026-12-07T13:00:00Z"));
}

#[test]
fn holidays_and_yearly_rules_are_skipped() {
    let cal = zone("UTC");
    // Thursday 24 Dec 16:00 + 2h: Friday 25 Dec is a yearly holiday, so Monday 28th, whose
    // morning ends at 12:00; the second hour is 08:00-09:00... after 1h on the 24th.
    let due = cal.after(ts("2026-12-24T16:00:00Z"), span("2 business hours"));
    assert_eq!(due, ts("2026-12-28T09:00:00Z"));
    // The one-off holiday (Easter Monday 2026) is a working Monday otherwise.
    assert!(!cal.is_working(ts("2026-04-06T10:00:00Z")));
    assert!(cal.is_working(ts("2026-04-13T10:00:00Z")));
}

#[test]
fn split_hours_skip_lunch() {
    let cal = zone("UTC");
    // Monday 11:00 + 2h = 14:00 (12-13 is lunch).
    assert_eq!(
        cal.add(ts("2026-12-07T11:00:00Z"), 2 * 3600),
        ts("2026-12-07T14:00:00Z")
    );
    assert_eq!(
        cal.sub(ts("2026-12-07T14:00:00Z"), 2 * 3600),
        ts("2026-12-07T11:00:00Z")
    );
}

#[test]
fn working_hours_are_local_across_dst() {
    // Warsaw moves to summer time on Sunday 29 March 2026: 09:00 local is 08:00Z before
    // and 07:00Z after.
    let cal = Calendar::office_hours(TimeZone::get("Europe/Warsaw").unwrap());
    let due = cal.after(ts("2026-03-27T15:00:00Z"), span("1 business hours"));
    // Friday 16:00 local + 1h = 17:00 local (16:00Z).
    assert_eq!(due, ts("2026-03-27T16:00:00Z"));
    let due = cal.after(ts("2026-03-27T16:00:00Z"), span("1 business hours"));
    assert_eq!(due, ts("2026-03-30T08:00:00Z"));
    // New York falls back on 1 November 2026; three calendar days keep the local time.
    let ny = Calendar::office_hours(TimeZone::get("America/New_York").unwrap());
    let later = ny.after(ts("2026-10-31T14:00:00Z"), span("3 days"));
    assert_eq!(later, ts("2026-11-03T15:00:00Z"));
}

#[test]
fn defaults_without_calendars() {
    let cals = Calendars::default();
    let cal = cals.get(Some("nonexistent"));
    assert_eq!(cal.tz, TimeZone::UTC);
    assert_eq!(cal.day_seconds(), 8 * 3600);
    assert_eq!(cal.week_seconds(), 40 * 3600);
}

const ZONES: [&str; 4] = ["Europe/Warsaw", "Europe/Berlin", "America/New_York", "UTC"];

/// Instants around the 2026 DST changes of all three zones (March, October, November).
fn instant() -> impl Strategy<Value = Timestamp> {
    let start = ts("2026-03-01T00:00:00Z").as_second();
    let end = ts("2026-11-30T00:00:00Z").as_second();
    (start..end).prop_map(|s| Timestamp::from_second(s).unwrap())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn add_then_between_is_identity(z in 0..ZONES.len(), t in instant(), secs in 0i64..400 * 3600) {
        let cal = zone(ZONES[z]);
        let end = cal.add(t, secs);
        prop_assert_eq!(cal.between(t, end), secs);
    }

    #[test]
    fn never_lands_outside_working_hours(z in 0..ZONES.len(), t in instant(), secs in 0i64..200 * 3600) {
        let cal = zone(ZONES[z]);
        prop_assert!(cal.is_working(cal.add(t, secs)));
        prop_assert!(cal.is_working(cal.sub(t, secs)));
    }

    #[test]
    fn monotonic(z in 0..ZONES.len(), t in instant(), a in 0i64..200 * 3600, b in 0i64..200 * 3600, shift in 0i64..7 * 86_400) {
        let cal = zone(ZONES[z]);
        let (small, big) = (a.min(b), a.max(b));
        prop_assert!(cal.add(t, small) <= cal.add(t, big));
        prop_assert!(cal.sub(t, small) >= cal.sub(t, big));
        let later = Timestamp::from_second(t.as_second() + shift).unwrap();
        prop_assert!(cal.add(t, a) <= cal.add(later, a));
        prop_assert!(cal.between(t, later) >= 0);
    }

    #[test]
    fn sub_undoes_add_inside_working_hours(z in 0..ZONES.len(), t in instant(), secs in 1i64..200 * 3600) {
        let cal = zone(ZONES[z]);
        let start = cal.add(t, 0);
        let end = cal.add(start, secs);
        prop_assert_eq!(cal.between(cal.sub(end, secs), end), secs);
        prop_assert!(cal.sub(end, secs) >= start || !cal.is_working(start));
    }
}
