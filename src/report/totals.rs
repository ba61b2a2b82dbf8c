//! `totals`: the exact sum of a money field per period, employee or category (any field),
//! e.g. reimbursements per month or per employee.

use std::collections::BTreeMap;

use rust_decimal::Decimal;

use super::{By, Chart, ChartKind, Report, Window};
use crate::engine::CaseState;
use crate::sheets::write::Out;
use crate::value::Value;

/// What the rows are.
#[derive(Debug, Clone)]
pub enum Group {
    Period(By),
    /// The person who opened the case.
    Opener,
    Field(String),
}

pub struct Totals {
    window: Window,
    field: String,
    group: Group,
    sums: BTreeMap<String, (i64, Decimal)>,
}

impl Totals {
    pub fn new(window: Window, field: String, group: Group) -> Totals {
        Totals {
            window,
            field,
            group,
            sums: BTreeMap::new(),
        }
    }

    pub fn case(&mut self, case: &CaseState) {
        if !self.window.contains(case.opened_at) {
            return;
        }
        let amount = match case.fields.get(&self.field) {
            Some(Value::Money(m)) => *m,
            Some(Value::Text(t)) => match crate::value::parse_money(t) {
                Some(m) => m,
                None => return,
            },
            _ => return,
        };
        let key = match &self.group {
            Group::Period(by) => by.bucket(case.opened_at),
            Group::Opener => case.opened_by.clone(),
            Group::Field(f) => case
                .fields
                .get(f)
                .map(ToString::to_string)
                .unwrap_or_else(|| "(none)".into()),
        };
        let entry = self.sums.entry(key).or_default();
        entry.0 += 1;
        entry.1 += amount;
    }

    pub fn finish(self) -> Report {
        let group = match &self.group {
            Group::Period(_) => "period".to_string(),
            Group::Opener => "opened by".to_string(),
            Group::Field(f) => f.clone(),
        };
        let total: Decimal = self.sums.values().map(|(_, s)| *s).sum();
        let count: i64 = self.sums.values().map(|(n, _)| *n).sum();
        let mut rows: Vec<Vec<Out>> = self
            .sums
            .into_iter()
            .map(|(k, (n, s))| vec![Out::Text(k), Out::Int(n), Out::Money(s)])
            .collect();
        rows.push(vec![Out::text("total"), Out::Int(count), Out::Money(total)]);
        Report {
            kind: "totals",
            title: format!("Sum of {} per {group}", self.field),
            headers: vec![group, "cases".into(), self.field.clone()],
            rows,
            chart: Some(Chart {
                kind: ChartKind::Column,
                title: format!("{} per group", self.field),
                categories: 0,
                series: vec![2],
            }),
        }
    }
}
