//! A damaged, newer or busy database gives a clear message and the documented exit code,
//! never a panic.

mod common;
use common::*;

#[test]
fn corrupt_database_is_reported_not_panicked() {
    let ws = Workspace::init();
    if ws.database.is_some() {
        eprintln!("skipped: a damaged caseflow.db is SQLite's case");
        return;
    }
    std::fs::write(ws.path().join("caseflow.db"), vec![0x42u8; 8192]).expect("write");
    let _ = std::fs::remove_file(ws.path().join("caseflow.db-wal"));
    let _ = std::fs::remove_file(ws.path().join("caseflow.db-shm"));
    let out = ws.run("root", &["list"]).fails(74);
    assert!(
        out.stderr
            .contains("is not a caseflow database or is damaged"),
        "{}",
        out.stderr
    );
    assert!(!out.stderr.contains("panicked"));
}

#[test]
fn newer_schema_is_refused() {
    let ws = Workspace::init();
    if ws.database.is_some() {
        ws.sql("UPDATE caseflow_schema SET version = 99");
    } else {
        ws.sql("PRAGMA user_version = 99");
    }
    let out = ws.run("root", &["list"]).fails(78);
    assert!(
        out.stderr
            .contains("written by a newer caseflow (schema 99"),
        "{}",
        out.stderr
    );
}

#[test]
fn busy_past_the_timeout_exits_75_and_changes_nothing() {
    let ws = Workspace::init();
    let case = ws.open(
        "alice",
        "expense-reimbursement",
        &["kind=advance", "lines=Flight: 420.00"],
    );
    let before = ws.history(&case).len();
    // Another writer holds the write lock: SQLite's, or caseflow's advisory lock on PostgreSQL.
    let mut holder: Box<dyn FnMut(&str)> = match &ws.database {
        Some(db) => {
            let mut client = db.client();
            Box::new(move |sql: &str| client.batch_execute(sql).expect("lock"))
        }
        None => {
            let conn = rusqlite::Connection::open(ws.path().join("caseflow.db")).expect("open");
            Box::new(move |sql: &str| conn.execute_batch(sql).expect("lock"))
        }
    };
    if ws.database.is_some() {
        holder("BEGIN; SELECT pg_advisory_xact_lock(7161131761843072887)");
    } else {
        holder("BEGIN IMMEDIATE");
    }
    let out = caseflow()
        .env("CASEFLOW_BUSY_TIMEOUT_MS", "200")
        .args([
            "--workspace",
            ws.path().to_str().expect("path"),
            "--now",
            T0,
            "--as",
            "alice",
            "comment",
            &case,
            "hello",
        ])
        .output()
        .expect("run");
    assert_eq!(
        out.status.code(),
        Some(75),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("retry"));
    holder("ROLLBACK");
    assert_eq!(ws.history(&case).len(), before);
}

#[test]
fn not_a_workspace_is_66_with_a_hint() {
    let dir = tempfile::tempdir().expect("tmp");
    let out = caseflow()
        .args(["--workspace", dir.path().to_str().expect("path"), "list"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(66));
    assert!(String::from_utf8_lossy(&out.stderr).contains("caseflow init"));
}

#[test]
fn unparsable_now_is_a_usage_error() {
    let ws = Workspace::init();
    ws.run_at("next tuesday", "root", &["list"]).fails(64);
}
