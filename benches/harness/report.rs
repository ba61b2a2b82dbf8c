//! The rows of BENCHMARKS.md and how they are written.
//!
//! Every row carries its floor measured in the same run and the ratio to it: absolute
//! times drift from machine to machine and minute to minute here, ratios hold.

use std::fmt::Write as _;

/// Whether a row meets its target.
#[derive(Clone, Debug)]
pub enum Verdict {
    Met,
    Missed,
    /// No target, or nothing to judge.
    Info,
    /// The line could not run; says why.
    NotAvailable(String),
}

#[derive(Clone, Debug)]
pub struct Row {
    pub line: String,
    pub n: String,
    pub median: String,
    pub p99: String,
    pub floor: String,
    pub ratio: String,
    pub target: String,
    pub verdict: Verdict,
}

impl Row {
    /// A row whose command is not in this build (or whose peer is not installed).
    pub fn unavailable(line: &str, floor: String, target: &str, why: &str) -> Row {
        Row {
            line: line.into(),
            n: "—".into(),
            median: "n/a".into(),
            p99: "n/a".into(),
            floor,
            ratio: "—".into(),
            target: target.into(),
            verdict: Verdict::NotAvailable(why.into()),
        }
    }

    pub fn judged(met: bool) -> Verdict {
        if met {
            Verdict::Met
        } else {
            Verdict::Missed
        }
    }
}

/// A section of the report: one numbered line of the issue.
pub struct Section {
    pub title: String,
    pub about: String,
    pub rows: Vec<Row>,
    pub notes: Vec<String>,
}

pub struct Header {
    pub mode: String,
    pub date: String,
    pub commit: String,
    pub machine: Vec<String>,
    pub took: String,
}

pub fn render(header: &Header, sections: &[Section]) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# Benchmarks\n");
    let _ =
        writeln!(
        out,
        "Written by `benches/run{}` (see README, \"Benchmarks\"). Every figure is a whole-process \
         or in-process time on this machine; each line's **floor** was measured in the same run, \
         and the **ratio** to it is the figure to compare across machines.\n",
        if header.mode == "quick" { " --quick" } else { "" }
    );
    let _ = writeln!(out, "- mode: **{}**", header.mode);
    let _ = writeln!(out, "- date: {}", header.date);
    let _ = writeln!(out, "- commit: `{}`", header.commit);
    for m in &header.machine {
        let _ = writeln!(out, "- {m}");
    }
    let _ = writeln!(out, "- the whole run took {}\n", header.took);
    for s in sections {
        let _ = writeln!(out, "## {}\n", s.title);
        if !s.about.is_empty() {
            let _ = writeln!(out, "{}\n", s.about);
        }
        let _ = writeln!(
            out,
            "| what | n | median | p99 | floor (same run) | ratio | target | |"
        );
        let _ = writeln!(out, "|---|---:|---:|---:|---|---|---|---|");
        for r in &s.rows {
            let verdict = match &r.verdict {
                Verdict::Met => "✅ met".to_string(),
                Verdict::Missed => "❌ missed".to_string(),
                Verdict::Info => String::new(),
                Verdict::NotAvailable(why) => format!("n/a — {why}"),
            };
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} | {} | {} |",
                r.line, r.n, r.median, r.p99, r.floor, r.ratio, r.target, verdict
            );
        }
        for n in &s.notes {
            let _ = writeln!(out, "\n{n}");
        }
        let _ = writeln!(out);
    }
    out
}
