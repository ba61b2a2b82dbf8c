//! Crash safety: `kill -9` at random moments while commands write. After every round the
//! database passes `PRAGMA integrity_check`, and every case is whole: its events are
//! gap-free, chain-verified and as many as the case records (`audit verify`). A command
//! that reported success is always there.
//!
//! `CASEFLOW_CRASH_ROUNDS` sets the number of rounds (default 200).

mod common;
use common::*;

use std::process::Stdio;
use std::time::{Duration, Instant};

use rusqlite::Connection;

fn rounds() -> usize {
    std::env::var("CASEFLOW_CRASH_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200)
}

/// A small deterministic generator (no extra dependency): xorshift.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

/// SQLite's own check of the file; on PostgreSQL the server keeps its files whole and the
/// per-case checks (`audit verify`, counts) are what this test asks of caseflow.
fn integrity(ws: &Workspace) -> String {
    if ws.database.is_some() {
        return "ok".into();
    }
    let conn = Connection::open(ws.path().join("caseflow.db")).expect("open");
    conn.query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .expect("integrity_check")
}

#[test]
fn kill_9_during_writes_never_leaves_a_partial_command() {
    let ws = Workspace::init();
    let first = ws.open(
        "alice",
        "expense-reimbursement",
        &["kind=advance", "lines=Taxi: 20.00"],
    );
    // Kill anywhere from the start to past the end of a typical command on this machine.
    let typical = (0..5)
        .map(|n| {
            let started = Instant::now();
            ws.run("alice", &["comment", &first, &format!("calibration {n}")])
                .ok();
            started.elapsed()
        })
        .max()
        .expect("runs");
    let window = (typical.as_micros() as u64 * 3 / 2).max(1);
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let (mut confirmed, mut killed) = (Vec::new(), 0);
    for round in 0..rounds() {
        let note = format!("round {round}");
        let args: Vec<String> = match round % 3 {
            0 => vec![
                "open".into(),
                "expense-reimbursement".into(),
                "--json".into(),
                "--field".into(),
                "kind=advance".into(),
                "--field".into(),
                format!("lines=Round {round}: 1.00"),
            ],
            1 => vec!["comment".into(), first.clone(), note.clone()],
            _ => vec![
                "attach".into(),
                first.clone(),
                ws.file(&format!("scan-{round}.txt"), &note.repeat(2000))
                    .display()
                    .to_string(),
            ],
        };
        let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("caseflow"))
            .env_clear()
            .arg("--workspace")
            .arg(ws.path())
            .args(["--now", T0, "--as", "alice"])
            .args(&args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn");
        let deadline = Instant::now() + Duration::from_micros(rng.below(window));
        while Instant::now() < deadline {
            if child.try_wait().expect("wait").is_some() {
                break;
            }
            std::thread::sleep(Duration::from_micros(200));
        }
        let _ = child.kill();
        let status = child.wait().expect("wait");
        if status.success() {
            confirmed.push(round);
        } else {
            killed += 1;
        }
        assert_eq!(integrity(&ws), "ok", "round {round}");
    }
    ws.run("root", &["audit", "verify"]).ok();
    // Every comment that reported success is there, exactly once.
    let history = ws.history(&first);
    for round in confirmed.iter().filter(|r| *r % 3 == 1) {
        let text = format!("round {round}");
        let found = history
            .iter()
            .filter(|e| e["comment"] == text.as_str())
            .count();
        assert_eq!(found, 1, "{text}");
    }
    let cases = ws.run("root", &["list", "--json"]).ok().json()["cases"]
        .as_array()
        .map_or(0, Vec::len);
    eprintln!(
        "{} rounds (kill window {window} µs): {} completed, {killed} killed; {cases} cases; integrity ok after each, lost 0",
        rounds(),
        confirmed.len()
    );
    assert!(!confirmed.is_empty(), "some commands must complete");
    assert!(killed > 0, "the test must actually kill some commands");
}

/// Start `caseflow ARGS` and kill it after `after` unless it finished; true when it completed.
fn run_or_kill(ws: &Workspace, now: &str, actor: &str, args: &[&str], after: Duration) -> bool {
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("caseflow"))
        .env_clear()
        .arg("--workspace")
        .arg(ws.path())
        .args(["--now", now, "--as", actor])
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    let deadline = Instant::now() + after;
    while Instant::now() < deadline {
        if let Some(status) = child.try_wait().expect("wait") {
            return status.success();
        }
        std::thread::sleep(Duration::from_micros(500));
    }
    let _ = child.kill();
    child.wait().expect("wait").success()
}

fn count(ws: &Workspace, sql: &str) -> i64 {
    let sql = format!("SELECT CAST(({sql}) AS TEXT)");
    let rows = ws.sql_rows(&sql, "");
    let value = rows.first().and_then(|r| r[0].clone()).expect("a count");
    value.parse().expect("a number")
}

/// An import of a 10 000-row sheet killed at random moments is there whole or not at all.
/// `CASEFLOW_CRASH_IMPORT_ROUNDS` sets the rounds (default 6; each imports up to 10k rows).
#[test]
fn kill_9_during_a_10k_row_import_leaves_all_or_nothing() {
    let ws = Workspace::init();
    let rounds: usize = std::env::var("CASEFLOW_CRASH_IMPORT_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(6);
    let sheet = |round: usize| {
        let mut csv = String::from("Ref,kind,lines\n");
        for i in 0..10_000 {
            csv.push_str(&format!("R{round}-{i},advance,Row {i}: 1.00\n"));
        }
        ws.file(&format!("sheet-{round}.csv"), &csv)
    };
    let import = |round: usize, after: Duration| {
        let path = sheet(round);
        let path = path.to_str().expect("path").to_string();
        run_or_kill(
            &ws,
            T0,
            "alice",
            &[
                "import",
                &path,
                "--process",
                "expense-reimbursement",
                "--key",
                "Ref",
            ],
            after,
        )
    };
    let started = Instant::now();
    assert!(
        import(0, Duration::from_secs(600)),
        "a whole import completes"
    );
    let typical = started.elapsed();
    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    let (mut whole, mut absent) = (1, 0);
    for round in 1..=rounds {
        let after = Duration::from_micros(rng.below(typical.as_micros() as u64 * 3 / 2 + 1));
        import(round, after);
        assert_eq!(integrity(&ws), "ok", "round {round}");
        let there = count(
            &ws,
            &format!("SELECT count(*) FROM cases WHERE external_ref LIKE 'R{round}-%'"),
        );
        match there {
            10_000 => whole += 1,
            0 => absent += 1,
            partial => panic!("round {round}: {partial} of 10000 rows imported"),
        }
    }
    eprintln!("import crash rounds: {rounds} (+1 whole), {whole} whole, {absent} absent, 0 partial; one import takes {typical:?}");
}

/// `tick` and `notify send` killed at random moments: every timer fires once, every message
/// is delivered, nothing twice. `CASEFLOW_CRASH_ROUNDS` rounds of each (default 200).
#[test]
fn kill_9_during_tick_and_notify_send_loses_and_doubles_nothing() {
    let ws = Workspace::init();
    let mut cases = Vec::new();
    for n in 0..30 {
        let case = ws.open(
            "alice",
            "expense-reimbursement",
            &["kind=advance", &format!("lines=Item {n}: 1.00")],
        );
        if n % 2 == 0 {
            ws.run("maria", &["reject", &case, "--reason", "no receipt"])
                .ok();
        }
        cases.push(case);
    }
    let queued = count(&ws, "SELECT count(*) FROM outbox");
    assert!(queued >= 15, "rejections queued mail");
    let mut rng = Rng(0xdead_beef_cafe_f00d);
    let rounds = rounds();
    for round in 0..rounds {
        // Time moves on through the SLA's warning and breach while ticks are killed.
        let hour = 9 + round * 72 / rounds;
        let now = format!("2026-12-{:02}T{:02}:00:00Z", 1 + hour / 24, hour % 24);
        let command: &[&str] = if round % 2 == 0 {
            &["tick", "--no-send"]
        } else {
            &["notify", "send"]
        };
        run_or_kill(
            &ws,
            &now,
            "root",
            command,
            Duration::from_micros(rng.below(40_000)),
        );
        assert_eq!(integrity(&ws), "ok", "round {round}");
    }
    assert!(run_or_kill(
        &ws,
        "2026-12-10T12:00:00Z",
        "root",
        &["tick", "--no-send"],
        Duration::from_secs(60)
    ));
    assert!(run_or_kill(
        &ws,
        "2026-12-10T12:00:00Z",
        "root",
        &["notify", "send"],
        Duration::from_secs(60)
    ));
    // Every timer fired exactly once per open task.
    for case in cases.iter().skip(1).step_by(2) {
        let history = ws.history(case);
        for kind in ["sla_warned", "sla_breached"] {
            let fired = history.iter().filter(|e| e["kind"] == kind).count();
            assert_eq!(fired, 1, "{case}: {kind}");
        }
    }
    // Every message sent, each once: one .eml file per Message-ID, none left queued.
    assert_eq!(
        count(&ws, "SELECT count(*) FROM outbox WHERE status <> 'sent'"),
        0
    );
    // A send killed while writing leaves at most a hidden `.tmp*` file, never a partial `.eml`.
    let files = std::fs::read_dir(ws.path().join("outbox"))
        .expect("outbox")
        .filter_map(Result::ok)
        .filter(|e| e.path().extension().is_some_and(|x| x == "eml"))
        .count() as i64;
    assert_eq!(files, count(&ws, "SELECT count(*) FROM outbox"));
    ws.run("root", &["audit", "verify"]).ok();
    eprintln!("tick/notify crash rounds: {rounds}; {queued} messages, all sent once; every SLA timer fired once");
}
