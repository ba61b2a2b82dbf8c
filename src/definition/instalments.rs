//! Instalment schedules: a `lines` field computed from an amount, a number of instalments,
//! a frequency and the first due date. Each line is `due date: amount`. Amounts are exact:
//! every instalment is the total divided evenly and cut to cents, and the last one takes
//! the remaining cents, so the schedule always adds up to the total. Dates step from the
//! first due date by whole weeks or calendar months (31 January + 1 month = 28 February).

use jiff::civil::Date;
use jiff::Span;
use rust_decimal::{Decimal, RoundingStrategy};

use crate::value::Line;

/// `instalments: { total: owed, count: months, every: frequency, first_due: start }`
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Instalments {
    /// A money field.
    pub total: String,
    /// An integer field.
    pub count: String,
    pub every: Frequency,
    /// A date field.
    pub first_due: String,
}

/// How often an instalment falls due: fixed, or read from an enum field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Frequency {
    Fixed(Every),
    Field(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Every {
    Weekly,
    Fortnightly,
    Monthly,
    Quarterly,
    Yearly,
}

/// The most instalments a schedule may have (thirty years of months).
pub const MAX_INSTALMENTS: i64 = 360;

impl Every {
    pub const NAMES: &'static [&'static str] =
        &["weekly", "fortnightly", "monthly", "quarterly", "yearly"];

    pub fn parse(text: &str) -> Option<Every> {
        match text {
            "weekly" => Some(Every::Weekly),
            "fortnightly" => Some(Every::Fortnightly),
            "monthly" => Some(Every::Monthly),
            "quarterly" => Some(Every::Quarterly),
            "yearly" => Some(Every::Yearly),
            _ => None,
        }
    }

    /// The span from the first due date to the `n`th (0-based): computed from the first
    /// date each time, so month ends do not drift (31 Jan, 28 Feb, 31 Mar).
    fn offset(self, n: i64) -> Span {
        match self {
            Every::Weekly => Span::new().weeks(n),
            Every::Fortnightly => Span::new().weeks(2 * n),
            Every::Monthly => Span::new().months(n),
            Every::Quarterly => Span::new().months(3 * n),
            Every::Yearly => Span::new().years(n),
        }
    }
}

/// The schedule, or why there is none (a count out of range, a negative total).
pub fn schedule(
    total: Decimal,
    count: i64,
    every: Every,
    first_due: Date,
) -> Result<Vec<Line>, String> {
    if !(1..=MAX_INSTALMENTS).contains(&count) {
        return Err(format!(
            "{count} instalments: a schedule has 1 to {MAX_INSTALMENTS}"
        ));
    }
    if total.is_sign_negative() {
        return Err(format!("cannot schedule a negative amount ({total})"));
    }
    let each = (total / Decimal::from(count)).round_dp_with_strategy(2, RoundingStrategy::ToZero);
    let last = total - each * Decimal::from(count - 1);
    (0..count)
        .map(|n| {
            let due = first_due
                .checked_add(every.offset(n))
                .map_err(|_| format!("instalment {} falls after the year 9999", n + 1))?;
            Ok(Line {
                description: due.to_string(),
                amount: if n == count - 1 { last } else { each },
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;
    use proptest::prelude::*;

    #[test]
    fn last_instalment_takes_the_remaining_cents() {
        let lines = schedule(Decimal::new(10000, 2), 3, Every::Monthly, date(2026, 1, 31)).unwrap();
        let shown: Vec<String> = lines
            .iter()
            .map(|l| format!("{}: {}", l.description, l.amount))
            .collect();
        assert_eq!(
            shown,
            [
                "2026-01-31: 33.33",
                "2026-02-28: 33.33",
                "2026-03-31: 33.34"
            ]
        );
    }

    #[test]
    fn refuses_counts_out_of_range_and_negative_totals() {
        assert!(schedule(Decimal::ONE, 0, Every::Weekly, date(2026, 1, 1)).is_err());
        assert!(schedule(Decimal::ONE, 361, Every::Weekly, date(2026, 1, 1)).is_err());
        assert!(schedule(-Decimal::ONE, 2, Every::Weekly, date(2026, 1, 1)).is_err());
    }

    fn every() -> impl Strategy<Value = Every> {
        prop_oneof![
            Just(Every::Weekly),
            Just(Every::Fortnightly),
            Just(Every::Monthly),
            Just(Every::Quarterly),
            Just(Every::Yearly),
        ]
    }

    proptest! {
        #[test]
        fn a_schedule_adds_up_and_its_dates_rise(
            cents in 0i64..100_000_000,
            count in 1i64..=120,
            every in every(),
            day in 0i32..3650,
        ) {
            let first = date(2020, 1, 1).checked_add(Span::new().days(day)).unwrap();
            let total = Decimal::new(cents, 2);
            let lines = schedule(total, count, every, first).unwrap();
            prop_assert_eq!(lines.len() as i64, count);
            prop_assert_eq!(lines.iter().map(|l| l.amount).sum::<Decimal>(), total);
            prop_assert!(lines.iter().all(|l| l.amount >= Decimal::ZERO && l.amount.scale() <= 2));
            let dates: Vec<Date> = lines.iter().map(|l| l.description.parse().unwrap()).collect();
            prop_assert_eq!(dates[0], first);
            prop_assert!(dates.windows(2).all(|w| w[0] < w[1]));
            // No instalment differs from another by more than the cents left over.
            let max = lines.iter().map(|l| l.amount).max().unwrap();
            let min = lines.iter().map(|l| l.amount).min().unwrap();
            prop_assert!(max - min < Decimal::new(count, 2) + Decimal::new(1, 2));
        }
    }
}
