//! The PostgreSQL store's own promises: `migrate-store` copies a SQLite workspace
//! losslessly (every case shows and verifies the same), and ticks from several hosts at once
//! fire each timer exactly once. These need a server: they run when CASEFLOW_TEST_POSTGRES
//! is set (`.ci/run` starts one) and say they skipped otherwise. The rest of the suite runs
//! against PostgreSQL in that same pass.

mod common;
use common::*;

use serde_json::Value;

/// A SQLite workspace with some history: approvals, comments, an attachment, a fired timer,
/// a queued notification, a rejected case.
fn busy_sqlite_workspace() -> (Workspace, Vec<String>) {
    let ws = Workspace {
        dir: tempfile::tempdir().expect("tempdir"),
        database: None,
    };
    ws.run("root", &["init"]).ok();
    let mut cases = Vec::new();
    for n in 0..5 {
        let lines = format!("lines=Taxi: {n}5.00");
        cases.push(ws.open(
            "alice",
            "expense-reimbursement",
            &["kind=reimbursement", &lines],
        ));
    }
    ws.run("maria", &["approve", &cases[0]]).ok();
    ws.run("maria", &["reject", &cases[1], "--reason", "no receipt"])
        .ok();
    ws.run(
        "alice",
        &["comment", &cases[2], "receipt follows; ' OR 1=1 --"],
    )
    .ok();
    let receipt = ws.file("receipt.txt", "Hotel 120.00\n");
    ws.run(
        "alice",
        &["attach", &cases[3], receipt.to_str().expect("path")],
    )
    .ok();
    // Three business days later the manager-review SLA has warned and breached.
    ws.run_at("2026-12-04T09:00:00Z", "root", &["tick", "--no-send"])
        .ok();
    (ws, cases)
}

/// What an operator sees of a case, minus nothing.
fn seen(ws: &Workspace, case: &str) -> (Value, Value) {
    let show = ws.run("root", &["show", case, "--json"]).ok().json();
    let history = ws.run("root", &["history", case, "--json"]).ok().json();
    (show, history)
}

#[test]
fn migrate_store_copies_every_row_and_the_copy_shows_and_verifies_the_same() {
    let Some(server) = postgres_server() else {
        eprintln!("skipped: set CASEFLOW_TEST_POSTGRES to run the PostgreSQL tests");
        return;
    };
    let (ws, cases) = busy_sqlite_workspace();
    let before: Vec<_> = cases.iter().map(|c| seen(&ws, c)).collect();
    let list_before = ws.run("root", &["list", "--json"]).ok().json();

    // An empty database of its own: a workspace folder whose caseflow.toml names it.
    let target = Workspace::empty();
    let url = target.database.as_ref().map(|d| d.url.clone());
    let url = url.unwrap_or_else(|| server.clone());
    let report = ws
        .run("root", &["migrate-store", "--to", &url, "--json"])
        .ok()
        .json();
    assert_eq!(report["tables"]["cases"], 5, "{report}");
    assert!(report["tables"]["events"].as_i64().expect("events") >= 10);
    assert_eq!(report["tables"]["attachments"], 1);
    assert_eq!(report["problems"], serde_json::json!([]));

    // The same workspace files, now reading PostgreSQL: every case the same.
    let switched = Workspace {
        dir: tempfile::tempdir().expect("tempdir"),
        database: None,
    };
    for entry in ["org.yaml", "processes", "templates"] {
        copy_tree(&ws.path().join(entry), &switched.path().join(entry));
    }
    std::fs::write(
        switched.path().join("caseflow.toml"),
        format!("[database]\nurl = \"{url}\"\n"),
    )
    .expect("caseflow.toml");
    for (case, (show, history)) in cases.iter().zip(&before) {
        let (show_pg, history_pg) = seen(&switched, case);
        assert_eq!(&show_pg, show, "show {case}");
        assert_eq!(&history_pg, history, "history {case}");
    }
    assert_eq!(
        switched.run("root", &["list", "--json"]).ok().json(),
        list_before
    );
    switched.run("root", &["audit", "verify"]).ok();
    // Ids continue after the copied ones: a new case and new events chain on.
    let next = switched.open(
        "alice",
        "expense-reimbursement",
        &["kind=advance", "lines=Flight: 420.00"],
    );
    assert_eq!(next, "EXP-2026-0006");
    switched.run("maria", &["approve", &cases[2]]).ok();
    switched.run("root", &["audit", "verify"]).ok();

    // A second copy into a database that holds data is refused unless --force.
    let run = ws.run("root", &["migrate-store", "--to", &url]).fails(73);
    assert!(run.stderr.contains("--force"), "{}", run.stderr);
    ws.run("root", &["migrate-store", "--to", &url, "--force"])
        .ok();
    assert_eq!(seen(&switched, &cases[2]), before[2]);
}

#[test]
fn four_ticks_from_four_hosts_fire_each_timer_exactly_once() {
    if !on_postgres() {
        eprintln!("skipped: set CASEFLOW_TEST_POSTGRES to run the PostgreSQL tests");
        return;
    }
    let ws = Workspace::init();
    let invoice = [
        "invoice_number=R-2026-7781",
        "customer_number=K-7781",
        "customer_email=m.wolf@example.org",
        "amount_due=184.20",
        "due_date=2026-12-01",
    ];
    let cases: Vec<String> = (0..12)
        .map(|_| ws.open("klaus", "late-payment", &invoice))
        .collect();
    // Each moment makes one more reminder due per case; four ticks race at each.
    let mut fired = 0;
    for at in [
        "2026-12-02T00:00:00Z",
        "2026-12-09T00:00:00Z",
        "2026-12-16T00:00:00Z",
        "2027-01-10T00:00:00Z",
    ] {
        let runs: Vec<Value> = std::thread::scope(|scope| {
            let ticks: Vec<_> = (0..4)
                .map(|_| {
                    scope.spawn(|| {
                        ws.run_at(at, "root", &["tick", "--json", "--no-send"])
                            .ok()
                            .json()
                    })
                })
                .collect();
            ticks.into_iter().map(|t| t.join().expect("tick")).collect()
        });
        fired += runs
            .iter()
            .map(|r| r["fired"].as_u64().expect("fired"))
            .sum::<u64>();
    }
    let reminded: usize = cases
        .iter()
        .map(|case| {
            ws.history(case)
                .iter()
                .filter(|e| e["kind"] == "reminded")
                .count()
        })
        .sum();
    assert_eq!(
        reminded,
        12 * 4,
        "every case reminded three times and handed over"
    );
    assert_eq!(fired, 12 * 4);
    for case in &cases {
        assert_eq!(ws.steps(case), ["still_unpaid"]);
    }
}

fn copy_tree(from: &std::path::Path, to: &std::path::Path) {
    if from.is_dir() {
        std::fs::create_dir_all(to).expect("mkdir");
        for entry in std::fs::read_dir(from).expect("read dir") {
            let entry = entry.expect("entry");
            copy_tree(&entry.path(), &to.join(entry.file_name()));
        }
    } else {
        std::fs::copy(from, to).expect("copy");
    }
}
