//! `summary`: open cases per process and step (now), closed cases per process and outcome
//! (in the window) — "requests in progress", "cases per stage".

use std::collections::BTreeMap;

use super::{bump, Chart, ChartKind, Report, Window};
use crate::engine::CaseState;
use crate::sheets::write::Out;

pub struct Summary {
    window: Window,
    open: BTreeMap<(String, String), i64>,
    closed: BTreeMap<(String, String), i64>,
}

impl Summary {
    pub fn new(window: Window) -> Summary {
        Summary {
            window,
            open: BTreeMap::new(),
            closed: BTreeMap::new(),
        }
    }

    pub fn case(&mut self, case: &CaseState) {
        if case.is_open() {
            for step in case.active_steps() {
                bump(&mut self.open, (case.process.clone(), step));
            }
        } else if case.closed_at.is_some_and(|t| self.window.contains(t)) {
            let outcome = format!("({})", case.outcome.clone().unwrap_or_default());
            bump(&mut self.closed, (case.process.clone(), outcome));
        }
    }

    pub fn finish(self) -> Report {
        let mut rows = Vec::new();
        for ((process, step), n) in &self.open {
            rows.push(vec![
                Out::text(format!("{process} / {step}")),
                Out::text(process),
                Out::text(step),
                Out::Int(*n),
                Out::Int(0),
            ]);
        }
        for ((process, outcome), n) in &self.closed {
            rows.push(vec![
                Out::text(format!("{process} / {outcome}")),
                Out::text(process),
                Out::text(outcome),
                Out::Int(0),
                Out::Int(*n),
            ]);
        }
        rows.sort_by(|a, b| a[0].csv().cmp(&b[0].csv()));
        for row in &mut rows {
            row.remove(0);
        }
        Report {
            kind: "summary",
            title: "Cases per process and step".into(),
            headers: ["process", "step or outcome", "open", "closed"]
                .map(String::from)
                .to_vec(),
            rows,
            chart: Some(Chart {
                kind: ChartKind::Bar,
                title: "Cases per stage".into(),
                categories: 1,
                series: vec![2, 3],
            }),
        }
    }
}
