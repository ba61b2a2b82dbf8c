//! Line 5, time and reports: `caseflow tick` over 100k open cases (17% past their SLA, and
//! none), and `caseflow report` over the 1M-case workspace of line 2.
//!
//! Both commands come from other issues (time; spreadsheets and reports). In a build without
//! them the rows say so. The tick data relies on the time issue storing each task's due time
//! when the step is entered (its spec): the generator opens claims at past instants through
//! `engine::open` + `Db::record`, so `manager_review`'s `2 business days` SLA makes 17% of
//! them due at the bench's `--now`.

use std::path::Path;
use std::process::Command;

use crate::data::ts;
use crate::report::{Row, Section};
use crate::spawn::{copy_dir, time};
use crate::stats::{ms, Samples};
use crate::Bench;

/// Rows for tick with 17% due and with none due. `startup` is `caseflow --version`'s p50.
pub fn tick(b: &Bench, startup: f64) -> Vec<Row> {
    let n = b.cfg.tick_cases;
    let label = |p: u64| format!("`tick`, {} open cases, {p}% due", crate::cli::human(n));
    if let Some(why) = b.cf.lacks("tick") {
        return vec![
            Row::unavailable(&label(17), "—".into(), "< 350 ms", &why),
            Row::unavailable(
                &label(0),
                format!("`caseflow --version` {}", ms(startup)),
                "≤ start-up + 10 ms",
                &why,
            ),
        ];
    }
    let now = ts(&b.cf.now);
    let mut rows = Vec::new();
    for due in [17u64, 0] {
        eprintln!("line 5: tick data, {n} cases, {due}% due");
        let cached = b.cache.tick_set(n, due, now);
        let mut s = Samples::new();
        let mut failure = None;
        let mut fired = String::new();
        for _ in 0..b.cfg.tick_reps {
            let ws = b.scratch.join("tick");
            copy_dir(&cached, &ws);
            let run = time(&mut b.cf.cmd(&ws, "root", &["tick"]));
            let _ = std::fs::remove_dir_all(&ws);
            if !run.ok() {
                failure = Some(run.why());
                break;
            }
            s.push(run.took);
            fired = run.stdout.lines().last().unwrap_or("").trim().to_string();
        }
        if let Some(why) = failure {
            rows.push(Row::unavailable(&label(due), "—".into(), "", &why));
            continue;
        }
        let (floor, target, met) = if due == 0 {
            (
                format!("`caseflow --version` {}", ms(startup)),
                "≤ start-up + 10 ms",
                s.median() <= startup + 10.0,
            )
        } else {
            ("—".to_string(), "< 350 ms", s.median() < 350.0)
        };
        rows.push(Row {
            line: format!("{} (last line: {})", label(due), fired.replace('|', "/")),
            n: s.len().to_string(),
            median: ms(s.median()),
            p99: ms(s.p99()),
            floor,
            ratio: if due == 0 {
                format!("+{}", ms(s.median() - startup))
            } else {
                "—".into()
            },
            target: target.into(),
            verdict: Row::judged(met),
        });
    }
    rows
}

/// The raw query each report's floor runs, as its own process (this harness).
fn floor_sql(kind: &str) -> &'static str {
    match kind {
        "summary" => "SELECT c.process, t.step, c.status, count(*) FROM cases c LEFT JOIN tasks t ON t.case_id = c.id GROUP BY 1, 2, 3",
        "workload" => "SELECT actor, count(DISTINCT case_id) FROM events GROUP BY actor",
        "throughput" => "SELECT substr(opened_at, 1, 7), count(*), count(closed_at) FROM cases WHERE process = 'expense-reimbursement' GROUP BY 1",
        _ => "SELECT substr(opened_at, 1, 7), sum(CAST(json_extract(state, '$.fields.amount') AS REAL)) FROM cases WHERE process = 'expense-reimbursement' GROUP BY 1",
    }
}

/// Reports over the largest operator workspace (1M cases in the full run).
pub fn reports(b: &Bench, ws: &Path, cases: usize) -> Vec<Row> {
    let kinds = ["summary", "workload", "throughput", "totals"];
    let lacks = b.cf.lacks("report");
    let db = ws.join("caseflow.db");
    let mut rows = Vec::new();
    for kind in kinds {
        let mut floor = Samples::new();
        let mut ours = Samples::new();
        let mut failure = None;
        for _ in 0..b.cfg.report_reps {
            let f = time(
                Command::new(&b.self_exe)
                    .arg("--floor-sql")
                    .arg(&db)
                    .arg(floor_sql(kind)),
            );
            assert!(f.ok(), "floor query for {kind} failed: {}", f.why());
            floor.push(f.took);
            if lacks.is_none() && failure.is_none() {
                let run = time(&mut b.cf.cmd(
                    ws,
                    "maria",
                    &["report", kind, "--process", "expense-reimbursement"],
                ));
                if run.ok() {
                    ours.push(run.took);
                } else {
                    failure = Some(run.why());
                }
            }
        }
        let line = format!(
            "`report {kind} --process expense-reimbursement` over {} cases",
            crate::cli::human(cases)
        );
        let floor_text = format!("raw SQL aggregate, own process: {}", ms(floor.median()));
        if let Some(why) = lacks.clone().or(failure) {
            rows.push(Row::unavailable(&line, floor_text, "< 1 s", &why));
            continue;
        }
        rows.push(Row {
            line,
            n: ours.len().to_string(),
            median: ms(ours.median()),
            p99: ms(ours.p99()),
            floor: floor_text,
            ratio: format!("{:.1}×", ours.median() / floor.median()),
            target: "< 1 s".into(),
            verdict: Row::judged(ours.median() < 1000.0),
        });
    }
    rows
}

pub fn section(rows: Vec<Row>, notes: Vec<String>) -> Section {
    Section {
        title: "5. Import, export, tick, reports".into(),
        about: "Import: a seeded 10-column late-payment sheet (money and dates as typed cells), \
                `caseflow import FILE --process late-payment --key \"Invoice number\"` on a fresh \
                workspace, vs calamine reading it and raw rusqlite inserting its rows in one \
                transaction (one process, timed end to end). Export: `caseflow export FILE.xlsx` \
                of a workspace of as many late-payment cases (same rows, opened through the \
                library), vs rust_xlsxwriter (`constant_memory`) writing the very cells of \
                caseflow's file, read back with calamine; peak memory from `/usr/bin/time`. \
                Tick: a copy of a workspace of open expense claims for every run, `--now` fixed. \
                Reports: on the largest workspace of line 2, each next to a raw SQL aggregate \
                run as its own process."
            .into(),
        rows,
        notes,
    }
}
