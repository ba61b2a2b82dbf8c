//! `sla`: open tasks on time, at risk (past their warning) or breached (past their due
//! time) per process, step and assignee, plus the warnings and breaches recorded in the
//! window. Built on the time issue's contract: `tasks.due_at` / `tasks.warn_at` (RFC 3339
//! UTC, NULL without an SLA) and events of kind `sla_warned` / `sla_breached`.

use std::collections::BTreeMap;

use jiff::Timestamp;

use super::{Chart, ChartKind, Report, Window};
use crate::sheets::write::Out;

/// One open task with an SLA.
#[derive(Debug, Clone)]
pub struct SlaTask {
    pub process: String,
    pub step: String,
    pub assignee: String,
    pub due_at: Timestamp,
    pub warn_at: Option<Timestamp>,
}

/// A recorded warning or breach: (process, step, kind, at).
pub type SlaEvent = (String, String, String, Timestamp);

#[derive(Default)]
struct Counts {
    on_time: i64,
    at_risk: i64,
    breached: i64,
    warned: i64,
    breaches: i64,
}

pub fn sla(tasks: &[SlaTask], events: &[SlaEvent], window: Window, now: Timestamp) -> Report {
    let mut rows: BTreeMap<(String, String, String), Counts> = BTreeMap::new();
    for t in tasks {
        let c = rows
            .entry((t.process.clone(), t.step.clone(), t.assignee.clone()))
            .or_default();
        if t.due_at <= now {
            c.breached += 1;
        } else if t.warn_at.is_some_and(|w| w <= now) {
            c.at_risk += 1;
        } else {
            c.on_time += 1;
        }
    }
    for (process, step, kind, at) in events {
        if !window.contains(*at) {
            continue;
        }
        let c = rows
            .entry((process.clone(), step.clone(), "(recorded)".into()))
            .or_default();
        match kind.as_str() {
            "sla_warned" => c.warned += 1,
            _ => c.breaches += 1,
        }
    }
    let rows = rows
        .into_iter()
        .map(|((p, s, a), c)| {
            vec![
                Out::Text(p),
                Out::Text(s),
                Out::Text(a),
                Out::Int(c.on_time),
                Out::Int(c.at_risk),
                Out::Int(c.breached),
                Out::Int(c.warned),
                Out::Int(c.breaches),
            ]
        })
        .collect();
    Report {
        kind: "sla",
        title: "Service levels of open tasks".into(),
        headers: [
            "process",
            "step",
            "assignee",
            "on time",
            "at risk",
            "breached",
            "warnings recorded",
            "breaches recorded",
        ]
        .map(String::from)
        .to_vec(),
        rows,
        chart: Some(Chart {
            kind: ChartKind::Bar,
            title: "Open tasks by service level".into(),
            categories: 1,
            series: vec![3, 4, 5],
        }),
    }
}
