//! `register`: the cases of a process closed in the window, with chosen fields (e.g. the
//! cancellations register), oldest first.

use super::{Report, Window};
use crate::engine::CaseState;
use crate::sheets::write::Out;

pub struct Register {
    window: Window,
    /// (field name, header)
    fields: Vec<(String, String)>,
    rows: Vec<(jiff::Timestamp, Vec<Out>)>,
}

impl Register {
    pub fn new(window: Window, fields: Vec<(String, String)>) -> Register {
        Register {
            window,
            fields,
            rows: Vec::new(),
        }
    }

    pub fn case(&mut self, case: &CaseState) {
        let Some(closed) = case.closed_at.filter(|t| self.window.contains(*t)) else {
            return;
        };
        let mut row = vec![
            Out::text(&case.id),
            Out::DateTime(closed),
            Out::text(case.outcome.clone().unwrap_or_default()),
            Out::text(&case.opened_by),
            case.external_ref
                .clone()
                .map(Out::Text)
                .unwrap_or(Out::Empty),
        ];
        row.extend(
            self.fields
                .iter()
                .map(|(f, _)| Out::from_value(case.fields.get(f))),
        );
        self.rows.push((closed, row));
    }

    pub fn finish(mut self) -> Report {
        self.rows
            .sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1[0].csv().cmp(&b.1[0].csv())));
        let mut headers: Vec<String> = ["case", "closed at", "outcome", "opened by", "reference"]
            .map(String::from)
            .to_vec();
        headers.extend(self.fields.iter().map(|(_, h)| h.clone()));
        Report {
            kind: "register",
            title: "Register of closed cases".into(),
            headers,
            rows: self.rows.into_iter().map(|(_, r)| r).collect(),
            chart: None,
        }
    }
}
