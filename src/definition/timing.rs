//! The clock-driven parts of a definition: which business calendar applies, waits,
//! timeouts and reminder ladders. SLAs themselves are in [`super::duration`].

use serde::Deserialize;

use super::duration::{Handler, Span};

/// Which calendar a process's times are counted in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CalendarPick {
    /// An org.yaml calendar by name.
    Named(String),
    /// The calendar named by a case field's value (e.g. the customer's region), else the
    /// default calendar.
    Field(String),
}

/// What a step adds to the timing of its task.
#[derive(Debug, Clone, Default)]
pub struct Timing {
    /// The step's own calendar, over the process's.
    pub calendar: Option<String>,
    /// `wait: 5 business days`: a task step's actions are refused until then; an automatic
    /// step holds the case that long before it moves on.
    pub wait: Option<Span>,
    /// Leave a task step by itself when nothing happened in time.
    pub timeout: Option<Timeout>,
    /// Repeating reminders while the step is open.
    pub remind: Option<Remind>,
    /// `waiting: customer`: the case's SLA clock (and this step's) stops here.
    pub waiting_customer: bool,
}

/// `timeout: { after: 10 business days, to: cancelled }`
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Timeout {
    pub after: Span,
    pub to: String,
}

/// `remind: { every: 7 days, times: 3, to: customer, template: reminder, then: escalate }`
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Remind {
    pub every: Span,
    pub times: u32,
    pub to: String,
    pub template: String,
    /// What happens `every` after the last reminder (SLA handlers).
    pub then: Vec<Handler>,
    /// An integer field counting the reminders sent.
    pub count: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawTimeout {
    pub after: String,
    pub to: String,
}

#[derive(Deserialize)]
#[serde(untagged)]
pub(crate) enum OneOrMany {
    One(Handler),
    Many(Vec<Handler>),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawRemind {
    pub every: String,
    pub times: u32,
    pub to: String,
    pub template: String,
    #[serde(default)]
    pub then: Option<OneOrMany>,
    #[serde(default)]
    pub count: Option<String>,
}

impl RawRemind {
    pub(crate) fn parse(self) -> Result<Remind, String> {
        let every: Span = self.every.parse()?;
        if every.amount == 0 {
            return Err("remind: `every` must be longer than nothing".into());
        }
        if self.times == 0 {
            return Err("remind: `times` must be at least 1".into());
        }
        Ok(Remind {
            every,
            times: self.times,
            to: self.to,
            template: self.template,
            then: match self.then {
                None => Vec::new(),
                Some(OneOrMany::One(h)) => vec![h],
                Some(OneOrMany::Many(hs)) => hs,
            },
            count: self.count,
        })
    }
}
