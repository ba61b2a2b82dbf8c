//! Management reports: aggregations over cases and their events, computed while the store
//! streams them (so a report over many cases needs little memory), and rendered as a
//! terminal table, csv, json or an xlsx workbook with a native chart.
//!
//! Each kind is one accumulator ([`Builder`]): fed every case (retyped with its definition)
//! and, where it needs them, the events; `finish` gives a [`Report`], a titled table of
//! typed cells that every output format can show. Money is summed as exact decimals.

pub mod period;
mod register;
mod sla;
mod summary;
mod throughput;
pub mod totals;
mod workload;
pub mod xlsx;

use std::collections::BTreeMap;

use crate::engine::CaseState;
use crate::sheets::write::Out;
use crate::store::EventRow;

pub use period::{By, Window};
pub use register::Register;
pub use sla::{sla, SlaTask};
pub use summary::Summary;
pub use throughput::Throughput;
pub use totals::Totals;
pub use workload::Workload;

/// A finished report: a table of typed cells and, where a picture says more, a chart.
#[derive(Debug, Clone)]
pub struct Report {
    pub kind: &'static str,
    pub title: String,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<Out>>,
    pub chart: Option<Chart>,
}

/// A chart of some columns against another.
#[derive(Debug, Clone)]
pub struct Chart {
    pub kind: ChartKind,
    pub title: String,
    /// The column naming the categories (x axis).
    pub categories: usize,
    /// The columns plotted (each one series).
    pub series: Vec<usize>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChartKind {
    Column,
    Bar,
    Line,
}

/// One report being built.
pub enum Builder {
    Summary(Summary),
    Workload(Workload),
    Throughput(Throughput),
    Totals(Totals),
    Register(Register),
}

impl Builder {
    /// Whether the report needs the cases' events too.
    pub fn wants_events(&self) -> bool {
        matches!(self, Builder::Workload(_))
    }

    pub fn case(&mut self, case: &CaseState) {
        match self {
            Builder::Summary(b) => b.case(case),
            Builder::Workload(b) => b.case(case),
            Builder::Throughput(b) => b.case(case),
            Builder::Totals(b) => b.case(case),
            Builder::Register(b) => b.case(case),
        }
    }

    pub fn event(&mut self, case: &str, event: &EventRow) {
        if let Builder::Workload(b) = self {
            b.event(case, event);
        }
    }

    pub fn finish(self) -> Report {
        match self {
            Builder::Summary(b) => b.finish(),
            Builder::Workload(b) => b.finish(),
            Builder::Throughput(b) => b.finish(),
            Builder::Totals(b) => b.finish(),
            Builder::Register(b) => b.finish(),
        }
    }
}

/// The cell as the terminal table and json show it.
pub fn shown(out: &Out) -> String {
    match out {
        Out::Number(n) => format!("{n:.1}"),
        Out::DateTime(t) => crate::time::format_timestamp(*t),
        other => other.csv_plain(),
    }
}

/// The report as one JSON document: rows as objects keyed by column; money as exact text.
pub fn to_json(report: &Report) -> serde_json::Value {
    let rows: Vec<serde_json::Value> = report
        .rows
        .iter()
        .map(|row| {
            let map: serde_json::Map<String, serde_json::Value> = report
                .headers
                .iter()
                .zip(row)
                .map(|(h, out)| (h.clone(), json_of(out)))
                .collect();
            serde_json::Value::Object(map)
        })
        .collect();
    serde_json::json!({"report": report.kind, "title": report.title, "columns": report.headers, "rows": rows})
}

fn json_of(out: &Out) -> serde_json::Value {
    match out {
        Out::Empty => serde_json::Value::Null,
        Out::Int(i) => serde_json::json!(i),
        Out::Number(n) => serde_json::json!((n * 10.0).round() / 10.0),
        Out::Bool(b) => serde_json::json!(b),
        other => serde_json::json!(shown(other)),
    }
}

/// Count into a map, creating the entry.
fn bump<K: Ord>(map: &mut BTreeMap<K, i64>, key: K) {
    *map.entry(key).or_default() += 1;
}

/// Median and 90th percentile (nearest rank) of durations in seconds, as hours.
pub fn median_p90(mut seconds: Vec<i64>) -> (Out, Out) {
    if seconds.is_empty() {
        return (Out::Empty, Out::Empty);
    }
    seconds.sort_unstable();
    let rank = |p: f64| {
        let n = seconds.len();
        let i = ((p * n as f64).ceil() as usize).clamp(1, n) - 1;
        Out::Number(seconds[i] as f64 / 3600.0)
    };
    (rank(0.5), rank(0.9))
}
