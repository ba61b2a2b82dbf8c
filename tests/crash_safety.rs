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

fn integrity(ws: &Workspace) -> String {
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
