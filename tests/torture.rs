//! Concurrency torture: 16 processes open, import, comment on, approve and `tick` cases of
//! one workspace at once for a while. Afterwards: every command that exited 0 has its event exactly once,
//! none that failed has any, case ids are unique and gap-free, every chain verifies, and
//! nobody saw "database is busy" (exit 75) while the busy timeout had not run out.
//!
//! `CASEFLOW_TORTURE_SECS` sets the duration (default 8; the long run in the notes is 60).

mod common;
use common::*;

use std::collections::BTreeSet;
use std::sync::Mutex;
use std::time::{Duration, Instant};

fn duration() -> Duration {
    Duration::from_secs(
        std::env::var("CASEFLOW_TORTURE_SECS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(8),
    )
}

#[derive(Default)]
struct Outcomes {
    opened: Vec<String>,
    comments_ok: Vec<(String, String)>,
    comments_failed: Vec<(String, String)>,
    approved: Vec<String>,
    imported: Vec<String>,
    ticks: usize,
    busy: usize,
    other_failures: Vec<String>,
    commands: usize,
}

fn worker(ws: &Workspace, id: usize, until: Instant, out: &Mutex<Outcomes>) {
    let mut mine: Vec<String> = Vec::new();
    let mut n = 0;
    while Instant::now() < until {
        n += 1;
        let run = match n % 4 {
            _ if n % 9 == 5 => {
                let run = ws.run_at("2026-12-03T12:00:00Z", "root", &["tick", "--no-send"]);
                out.lock().expect("lock").ticks += usize::from(run.code == 0);
                run
            }
            _ if n % 9 == 7 => {
                let sheet = ws.file(
                    &format!("w{id}-n{n}.csv"),
                    &format!("Ref,kind,lines\nw{id}-n{n}-a,advance,Taxi: 2.00\nw{id}-n{n}-b,reimbursement,Hotel: 20.00\n"),
                );
                let path = sheet.to_str().expect("path").to_string();
                let run = ws.run(
                    "alice",
                    &[
                        "import",
                        &path,
                        "--process",
                        "expense-reimbursement",
                        "--key",
                        "Ref",
                        "--json",
                    ],
                );
                if run.code == 0 {
                    let created = run.json()["created"]
                        .as_array()
                        .cloned()
                        .unwrap_or_default();
                    assert_eq!(created.len(), 2, "an import is whole: {}", run.stdout);
                    let mut o = out.lock().expect("lock");
                    o.imported.extend(
                        created
                            .iter()
                            .map(|c| c["case"].as_str().expect("case").to_string()),
                    );
                }
                run
            }
            0 | 1 if mine.is_empty() || n % 4 == 0 => {
                let run = ws.run(
                    "alice",
                    &[
                        "open",
                        "expense-reimbursement",
                        "--json",
                        "--field",
                        "kind=advance",
                        "--field",
                        &format!("lines=W{id} N{n}: 1.00"),
                    ],
                );
                if run.code == 0 {
                    let case = run.json()["id"].as_str().expect("id").to_string();
                    mine.push(case.clone());
                    out.lock().expect("lock").opened.push(case);
                }
                run
            }
            1 | 2 => {
                let case = mine[n % mine.len()].clone();
                let text = format!("w{id} n{n}");
                let run = ws.run("alice", &["comment", &case, &text]);
                let mut o = out.lock().expect("lock");
                if run.code == 0 {
                    o.comments_ok.push((case, text));
                } else {
                    o.comments_failed.push((case, text));
                }
                run
            }
            _ => {
                let Some(case) = mine.pop() else { continue };
                let run = ws.run("maria", &["approve", &case]);
                if run.code == 0 {
                    out.lock().expect("lock").approved.push(case);
                }
                run
            }
        };
        let mut o = out.lock().expect("lock");
        o.commands += 1;
        match run.code {
            0 => {}
            75 => o.busy += 1,
            code => o
                .other_failures
                .push(format!("exit {code}: {}", run.stderr)),
        }
    }
}

#[test]
fn sixteen_processes_mixing_writes_lose_nothing_and_double_nothing() {
    let ws = Workspace::init();
    let out = Mutex::new(Outcomes::default());
    let until = Instant::now() + duration();
    std::thread::scope(|scope| {
        for id in 0..16 {
            let (ws, out) = (&ws, &out);
            scope.spawn(move || worker(ws, id, until, out));
        }
    });
    let o = out.into_inner().expect("outcomes");
    assert_eq!(o.busy, 0, "no command may give up before the busy timeout");
    assert!(o.other_failures.is_empty(), "{:?}", o.other_failures);

    // Ids: unique, gap-free, exactly the successful opens.
    let listed = ws
        .run("root", &["list", "--format", "ids", "--status", "open"])
        .ok();
    let closed = ws
        .run("root", &["list", "--format", "ids", "--status", "closed"])
        .ok();
    let all: BTreeSet<String> = listed
        .stdout
        .lines()
        .chain(closed.stdout.lines())
        .map(str::to_string)
        .collect();
    let opened: BTreeSet<String> = o.opened.iter().chain(&o.imported).cloned().collect();
    assert_eq!(
        opened.len(),
        o.opened.len() + o.imported.len(),
        "ids are unique"
    );
    assert_eq!(
        all, opened,
        "every successful open and import, and nothing else"
    );
    assert!(
        o.ticks > 0 && !o.imported.is_empty(),
        "ticks and imports ran"
    );
    let expected: BTreeSet<String> = (1..=opened.len())
        .map(|n| format!("EXP-2026-{n:04}"))
        .collect();
    assert_eq!(opened, expected, "ids are gap-free");

    // Every successful comment once, no failed one, every approval recorded once.
    for case in &opened {
        let history = ws.history(case);
        for (_, text) in o.comments_ok.iter().filter(|(c, _)| c == case) {
            let found = history
                .iter()
                .filter(|e| e["comment"] == text.as_str())
                .count();
            assert_eq!(found, 1, "{case}: {text}");
        }
        for (_, text) in o.comments_failed.iter().filter(|(c, _)| c == case) {
            assert!(
                history.iter().all(|e| e["comment"] != text.as_str()),
                "{case}: {text}"
            );
        }
        let approvals = history.iter().filter(|e| e["action"] == "approve").count();
        assert_eq!(approvals, usize::from(o.approved.contains(case)), "{case}");
    }
    ws.run("root", &["audit", "verify"]).ok();
    eprintln!(
        "torture: {} commands by 16 processes in {:?}: {} opens, {} imported cases, {} ticks, {} comments, {} approvals; busy 0, lost 0, doubled 0",
        o.commands,
        duration(),
        o.opened.len(),
        o.imported.len(),
        o.ticks,
        o.comments_ok.len(),
        o.approved.len()
    );
}
