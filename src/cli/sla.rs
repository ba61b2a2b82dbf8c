//! How a case stands against its SLAs, for `show` and `list --overdue/--at-risk`: each
//! running clock's due time, its state, and the business hours left (negative: overdue),
//! counted in the clock's own calendar.

use jiff::Timestamp;
use serde_json::json;

use crate::engine::{CaseState, Clock};
use crate::org::Org;
use crate::time::format_timestamp;

pub struct ClockView {
    /// `None`: the case's own SLA.
    pub step: Option<String>,
    pub clock: Clock,
    pub state: &'static str,
    /// Business hours from now to the due time (negative once overdue), to 0.1 h.
    pub hours_left: f64,
}

/// The case's clocks (its own first, then its steps'), as of `now`.
pub fn clocks(case: &CaseState, org: &Org, now: Timestamp) -> Vec<ClockView> {
    let own = case.sla.iter().map(|c| (None, c));
    let steps = case
        .tasks
        .iter()
        .filter_map(|t| t.sla.as_ref().map(|c| (Some(t.step.clone()), c)));
    own.chain(steps)
        .filter(|_| case.is_open())
        .map(|(step, clock)| {
            let cal = org.calendars.get(Some(&clock.calendar));
            let until = clock.paused_since.unwrap_or(now);
            let seconds = cal.between(until, clock.due_at);
            let state = if clock.paused_since.is_some() {
                "paused"
            } else if now >= clock.due_at {
                "overdue"
            } else if clock.warn_at.is_some_and(|w| now >= w) {
                "at_risk"
            } else {
                "on_time"
            };
            ClockView {
                step,
                clock: clock.clone(),
                state,
                hours_left: (seconds as f64 / 360.0).round() / 10.0,
            }
        })
        .collect()
}

impl ClockView {
    pub fn json(&self) -> serde_json::Value {
        json!({
            "step": self.step,
            "due_at": format_timestamp(self.clock.due_at),
            "warn_at": self.clock.warn_at.map(format_timestamp),
            "state": self.state,
            "business_hours_left": self.hours_left,
            "calendar": self.clock.calendar,
            "warned": self.clock.warned,
            "breached": self.clock.breached,
        })
    }

    /// `due 2026-12-08T15:00:00Z (overdue, -3.5 business hours)`
    pub fn text(&self) -> String {
        format!(
            "due {} ({}, {} business hours left)",
            format_timestamp(self.clock.due_at),
            self.state.replace('_', " "),
            self.hours_left
        )
    }
}
