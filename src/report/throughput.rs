//! `throughput`: cases opened and closed per day, week or month, with the median and 90th
//! percentile time to close (hours) of the cases closed in each period.

use std::collections::BTreeMap;

use super::{median_p90, By, Chart, ChartKind, Report, Window};
use crate::engine::CaseState;
use crate::sheets::write::Out;

#[derive(Default)]
struct Bucket {
    opened: i64,
    closed: i64,
    seconds: Vec<i64>,
}

pub struct Throughput {
    window: Window,
    by: By,
    buckets: BTreeMap<String, Bucket>,
}

impl Throughput {
    pub fn new(window: Window, by: By) -> Throughput {
        Throughput {
            window,
            by,
            buckets: BTreeMap::new(),
        }
    }

    pub fn case(&mut self, case: &CaseState) {
        if self.window.contains(case.opened_at) {
            self.buckets
                .entry(self.by.bucket(case.opened_at))
                .or_default()
                .opened += 1;
        }
        if let Some(closed) = case.closed_at.filter(|t| self.window.contains(*t)) {
            let b = self.buckets.entry(self.by.bucket(closed)).or_default();
            b.closed += 1;
            b.seconds
                .push(closed.as_second() - case.opened_at.as_second());
        }
    }

    pub fn finish(self) -> Report {
        let rows = self
            .buckets
            .into_iter()
            .map(|(period, b)| {
                let (median, p90) = median_p90(b.seconds);
                vec![
                    Out::Text(period),
                    Out::Int(b.opened),
                    Out::Int(b.closed),
                    median,
                    p90,
                ]
            })
            .collect();
        Report {
            kind: "throughput",
            title: "Cases opened and closed, and hours to close".into(),
            headers: [
                "period",
                "opened",
                "closed",
                "median hours to close",
                "p90 hours to close",
            ]
            .map(String::from)
            .to_vec(),
            rows,
            chart: Some(Chart {
                kind: ChartKind::Line,
                title: "Throughput".into(),
                categories: 0,
                series: vec![1, 2],
            }),
        }
    }
}
