//! Durations as people write them in definitions: `2 business days`, `16 business hours`,
//! `3 days`, `4h`, `30 minutes`; and SLA declarations built from them.

use serde::Deserialize;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unit {
    Minutes,
    Hours,
    Days,
    Weeks,
}

/// An amount of (business or calendar) time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Span {
    pub amount: u32,
    pub unit: Unit,
    /// Counted in the calendar's working hours rather than wall-clock time.
    pub business: bool,
}

impl std::str::FromStr for Span {
    type Err = String;

    fn from_str(text: &str) -> Result<Span, String> {
        let bad = || {
            format!("{text:?} is not a duration; write e.g. `2 business days`, `16 business hours`, `3 days` or `4h`")
        };
        let lower = text.trim().to_ascii_lowercase();
        let digits: String = lower.chars().take_while(char::is_ascii_digit).collect();
        let amount: u32 = digits.parse().map_err(|_| bad())?;
        let mut words: Vec<&str> = lower[digits.len()..].split_whitespace().collect();
        let business = words.first() == Some(&"business");
        if business {
            words.remove(0);
        }
        let unit = match words.as_slice() {
            ["m" | "min" | "mins" | "minute" | "minutes"] => Unit::Minutes,
            ["h" | "hour" | "hours"] => Unit::Hours,
            ["d" | "day" | "days"] => Unit::Days,
            ["w" | "week" | "weeks"] => Unit::Weeks,
            _ => return Err(bad()),
        };
        Ok(Span {
            amount,
            unit,
            business,
        })
    }
}

/// When an SLA warns: at a share of the allowed time, or some time before the due time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WarnAt {
    Percent(u8),
    Before(Span),
}

impl std::str::FromStr for WarnAt {
    type Err = String;

    fn from_str(text: &str) -> Result<WarnAt, String> {
        let trimmed = text.trim();
        if let Some(number) = trimmed.strip_suffix('%') {
            return match number.trim().parse::<u8>() {
                Ok(p) if (1..100).contains(&p) => Ok(WarnAt::Percent(p)),
                _ => Err(format!("warn_at {text:?} must be a percentage between 1% and 99% (a warning after the due time is no warning)")),
            };
        }
        let span = trimmed
            .strip_suffix("before")
            .ok_or_else(|| format!("warn_at {text:?} must be like `75%` or `4h before`"))?;
        span.parse().map(WarnAt::Before)
    }
}

/// What happens when an SLA warns or is breached: `raise_priority`, `escalate`,
/// `notify: <role>` (`supervisor` = the assignee's), `reassign: <role>`, `run: <action>`.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(try_from = "RawHandler")]
pub enum Handler {
    RaisePriority,
    Escalate,
    Notify(String),
    Reassign(String),
    Run(String),
}

#[derive(Deserialize)]
#[serde(untagged)]
enum RawHandler {
    Name(String),
    WithArgument(std::collections::BTreeMap<String, String>),
}

impl TryFrom<RawHandler> for Handler {
    type Error = String;

    fn try_from(raw: RawHandler) -> Result<Handler, String> {
        let known =
            "handlers are raise_priority, escalate, notify: ROLE, reassign: ROLE, run: ACTION";
        match raw {
            RawHandler::Name(name) => match name.as_str() {
                "raise_priority" => Ok(Handler::RaisePriority),
                "escalate" => Ok(Handler::Escalate),
                other => Err(format!("unknown SLA handler `{other}`; {known}")),
            },
            RawHandler::WithArgument(map) => {
                let mut entries = map.into_iter();
                match (entries.next(), entries.next()) {
                    (Some((key, arg)), None) => match key.as_str() {
                        "notify" => Ok(Handler::Notify(arg)),
                        "reassign" => Ok(Handler::Reassign(arg)),
                        "run" => Ok(Handler::Run(arg)),
                        other => Err(format!("unknown SLA handler `{other}`; {known}")),
                    },
                    _ => Err(format!(
                        "an SLA handler is one name or one `key: value`; {known}"
                    )),
                }
            }
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Sla {
    pub due: Span,
    pub warn_at: Option<WarnAt>,
    pub on_warn: Vec<Handler>,
    pub on_breach: Vec<Handler>,
    /// While this holds, the SLA clock stands still (checked after every command).
    pub pause_when: Option<super::Expr>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawSla {
    pub due: String,
    #[serde(default)]
    pub warn_at: Option<String>,
    #[serde(default)]
    pub on_warn: Vec<Handler>,
    #[serde(default)]
    pub on_breach: Vec<Handler>,
    /// Compiled by the loader, which knows the fields.
    #[serde(default)]
    pub pause_when: Option<String>,
}

impl RawSla {
    pub(crate) fn parse(self) -> Result<Sla, String> {
        let due: Span = self.due.parse()?;
        let warn_at = self
            .warn_at
            .as_deref()
            .map(str::parse::<WarnAt>)
            .transpose()?;
        if let Some(WarnAt::Before(before)) = warn_at {
            if before.business == due.business && minutes(before) >= minutes(due) {
                return Err(format!(
                    "warn_at `{}` is not before the due time `{}`",
                    self.warn_at.unwrap_or_default(),
                    self.due
                ));
            }
        }
        Ok(Sla {
            due,
            warn_at,
            on_warn: self.on_warn,
            on_breach: self.on_breach,
            pause_when: None,
        })
    }
}

/// A span as people write it: `2 business days`, `21 days`, `1 hour`.
pub fn text(span: Span) -> String {
    let unit = match span.unit {
        Unit::Minutes => "minute",
        Unit::Hours => "hour",
        Unit::Days => "day",
        Unit::Weeks => "week",
    };
    format!(
        "{}{} {unit}{}",
        span.amount,
        if span.business { " business" } else { "" },
        if span.amount == 1 { "" } else { "s" }
    )
}

/// Rough length in minutes, only to compare two spans of the same kind.
fn minutes(span: Span) -> u64 {
    let per = match span.unit {
        Unit::Minutes => 1,
        Unit::Hours => 60,
        Unit::Days => 60 * 24,
        Unit::Weeks => 60 * 24 * 7,
    };
    u64::from(span.amount) * per
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_what_people_write() {
        assert_eq!(
            "2 business days".parse::<Span>().unwrap(),
            Span {
                amount: 2,
                unit: Unit::Days,
                business: true
            }
        );
        assert_eq!(
            "4h".parse::<Span>().unwrap(),
            Span {
                amount: 4,
                unit: Unit::Hours,
                business: false
            }
        );
        assert!("2 buisness days".parse::<Span>().is_err());
        assert_eq!("75%".parse::<WarnAt>().unwrap(), WarnAt::Percent(75));
        assert!("150%".parse::<WarnAt>().is_err());
        assert!(matches!(
            "4h before".parse::<WarnAt>().unwrap(),
            WarnAt::Before(_)
        ));
    }

    #[test]
    fn handlers_with_and_without_arguments() {
        let raw: RawSla = serde_yaml::from_str("due: 2 business days\non_warn: [raise_priority, notify: supervisor]\non_breach: [run: escalate]").unwrap();
        let sla = raw.parse().unwrap();
        assert_eq!(
            sla.on_warn,
            vec![Handler::RaisePriority, Handler::Notify("supervisor".into())]
        );
        assert_eq!(sla.on_breach, vec![Handler::Run("escalate".into())]);
        assert!(serde_yaml::from_str::<RawSla>("due: 1 day\non_warn: [shout]").is_err());
    }

    #[test]
    fn warn_after_due_is_refused() {
        let raw = RawSla {
            due: "2 hours".into(),
            warn_at: Some("3 hours before".into()),
            on_warn: vec![],
            on_breach: vec![],
            pause_when: None,
        };
        assert!(raw.parse().is_err());
    }
}
