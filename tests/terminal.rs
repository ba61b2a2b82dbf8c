//! On a real terminal (a pseudo-terminal from util-linux `script`): colour appears unless
//! NO_COLOR, and a history taller than the terminal goes through $PAGER. The pipe side of the
//! same rules is in tests/output.rs. Skipped (with a note) where `script` is not installed.

mod common;
use common::*;

use std::path::Path;
use std::process::Command;

/// Run `command` in a 5-row, 100-column pseudo-terminal; what the terminal showed.
fn on_terminal(ws: &Path, env: &[(&str, &str)], command: &str) -> Option<String> {
    let bin = assert_cmd::cargo::cargo_bin("caseflow");
    let dir = bin.parent()?.display().to_string();
    let mut cmd = Command::new("script");
    cmd.env_clear()
        .env(
            "PATH",
            format!("{dir}:{}", std::env::var("PATH").unwrap_or_default()),
        )
        .env("CASEFLOW_WORKSPACE", ws)
        .env("CASEFLOW_NOW", T0)
        .env("TERM", "xterm");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let output = cmd
        .args([
            "-qec",
            &format!("stty rows 5 cols 100; {command}"),
            "/dev/null",
        ])
        .output()
        .ok()?;
    Some(String::from_utf8_lossy(&output.stdout).into_owned())
}

fn script_available() -> bool {
    let found = Command::new("script").arg("--version").output().is_ok();
    if !found {
        eprintln!("note: util-linux `script` not installed; terminal tests skipped");
    }
    found
}

#[test]
fn errors_are_coloured_on_a_terminal_unless_no_color() {
    if !script_available() {
        return;
    }
    let ws = Workspace::init();
    let shown = on_terminal(ws.path(), &[], "caseflow show NOPE-1").expect("script runs");
    assert!(
        shown.contains("\u{1b}[") && shown.contains("no case NOPE-1"),
        "{shown:?}"
    );
    let plain =
        on_terminal(ws.path(), &[("NO_COLOR", "1")], "caseflow show NOPE-1").expect("script");
    assert!(!plain.contains("\u{1b}["), "{plain:?}");
    assert!(plain.contains("error: no case NOPE-1"), "{plain:?}");
}

#[test]
fn a_long_history_goes_through_the_pager_on_a_terminal() {
    if !script_available() {
        return;
    }
    let ws = Workspace::init();
    let id = ws.open(
        "alice",
        "expense-reimbursement",
        &["kind=reimbursement", "lines=Taxi: 25.00"],
    );
    let pager = ws.file("pager.sh", "#!/bin/sh\necho PAGED-BY-TEST\ncat\n");
    let pager = format!("sh {}", pager.display());
    let shown = on_terminal(
        ws.path(),
        &[("PAGER", &pager), ("NO_COLOR", "1")],
        &format!("caseflow history {id}"),
    )
    .expect("script runs");
    assert!(shown.contains("PAGED-BY-TEST"), "{shown}");
    assert!(shown.contains("opened"), "{shown}");
    // An empty PAGER (or pager = "" in caseflow.toml) switches paging off.
    let unpaged = on_terminal(
        ws.path(),
        &[("PAGER", ""), ("NO_COLOR", "1")],
        &format!("caseflow history {id}"),
    )
    .expect("script runs");
    assert!(
        !unpaged.contains("PAGED-BY-TEST") && unpaged.contains("opened"),
        "{unpaged}"
    );
}
