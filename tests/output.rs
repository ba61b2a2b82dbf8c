//! Output for people and for pipes: colour only when wanted, tables at a fixed width, `list`
//! formats for scripts, no pager into a pipe, `-v`, and error messages that say what went
//! wrong, about what, and what to do next (snapshots, NO_COLOR, fixed width).

mod common;
use common::*;

const FIELDS: [&str; 2] = ["kind=reimbursement", "lines=Taxi: 25.00; Hotel: 180.50"];

fn with_case() -> (Workspace, String) {
    let ws = Workspace::init();
    let id = ws.open("alice", "expense-reimbursement", &FIELDS);
    (ws, id)
}

/// `caseflow ARGS` in `ws` with extra environment variables.
fn run_env(ws: &Workspace, actor: &str, env: &[(&str, &str)], args: &[&str]) -> Run {
    let mut cmd = caseflow();
    cmd.arg("--workspace")
        .arg(ws.path())
        .args(["--now", T0, "--as", actor]);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let output = cmd.args(args).output().expect("run");
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

#[test]
fn list_formats_for_pipes() {
    let (ws, id) = with_case();
    let second = ws.open("bob", "expense-reimbursement", &FIELDS);
    let ids = ws.run("root", &["list", "--format", "ids"]).ok();
    assert_eq!(ids.stdout, format!("{id}\n{second}\n"));
    let tsv = ws.run("root", &["list", "--format", "tsv"]).ok();
    let lines: Vec<&str> = tsv.stdout.lines().collect();
    assert_eq!(
        lines[0],
        "id\tprocess\tstatus\tsteps\tassignees\tpriority\topened_at"
    );
    assert_eq!(
        lines[1],
        format!("{id}\texpense-reimbursement\topen\tmanager_review\tmaria\tnormal\t{T0}")
    );
    assert!(!tsv.stdout.contains('│'));
}

#[test]
fn tables_fit_a_fixed_width() {
    let (ws, id) = with_case();
    ws.run(
        "maria",
        &[
            "approve",
            &id,
            "--comment",
            "fine, both are within the travel policy of the company",
        ],
    )
    .ok();
    for width in ["60", "100"] {
        let out = run_env(&ws, "root", &[("COLUMNS", width)], &["history", &id]).ok();
        let max: usize = width.parse().expect("width");
        assert!(
            out.stdout.lines().all(|l| l.chars().count() <= max),
            "wider than {width}:\n{}",
            out.stdout
        );
    }
    let list = run_env(&ws, "root", &[("COLUMNS", "80")], &["list"]).ok();
    insta::assert_snapshot!(list.stdout);
    let history = run_env(&ws, "root", &[("COLUMNS", "80")], &["history", &id]).ok();
    insta::assert_snapshot!(history.stdout);
}

#[test]
fn colour_only_when_forced_and_never_with_no_color() {
    let ws = Workspace::init();
    let plain = ws.run("root", &["show", "NOPE-1"]).fails(66);
    assert!(!plain.stderr.contains('\u{1b}'), "{}", plain.stderr);
    // Not a terminal, but forced: colour; NO_COLOR wins over forcing.
    let mut cmd = assert_cmd::Command::cargo_bin("caseflow").expect("bin");
    let forced = cmd
        .env_clear()
        .env("CLICOLOR_FORCE", "1")
        .arg("--workspace")
        .arg(ws.path())
        .args(["show", "NOPE-1"])
        .output()
        .expect("run");
    assert!(String::from_utf8_lossy(&forced.stderr).contains("\u{1b}["));
    let mut cmd = assert_cmd::Command::cargo_bin("caseflow").expect("bin");
    let both = cmd
        .env_clear()
        .env("CLICOLOR_FORCE", "1")
        .env("NO_COLOR", "1")
        .arg("--workspace")
        .arg(ws.path())
        .args(["show", "NOPE-1"])
        .output()
        .expect("run");
    assert!(!String::from_utf8_lossy(&both.stderr).contains('\u{1b}'));
}

#[test]
fn no_pager_into_a_pipe() {
    let (ws, id) = with_case();
    let marker = ws.path().join("paged");
    let pager = ws.file(
        "pager.sh",
        &format!("#!/bin/sh\ntouch {}\ncat\n", marker.display()),
    );
    let out = run_env(
        &ws,
        "root",
        &[
            ("PAGER", &format!("sh {}", pager.display())),
            ("LINES", "3"),
        ],
        &["history", &id],
    )
    .ok();
    assert!(out.stdout.contains("opened"), "{}", out.stdout);
    assert!(!marker.exists(), "the pager ran although stdout is a pipe");
}

#[test]
fn verbose_says_where_who_and_when_on_stderr() {
    let ws = Workspace::init();
    let out = run_env(
        &ws,
        "alice",
        &[("CASEFLOW_LOCALE", "de")],
        &["-v", "list", "--format", "ids"],
    )
    .ok();
    assert_eq!(out.stdout, "");
    assert!(
        out.stderr.contains(&format!("as alice; now {T0}")),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr
            .contains("config locale = de (env CASEFLOW_LOCALE)"),
        "{}",
        out.stderr
    );
    ws.run("alice", &["-v", "-q", "list"]).fails(64);
}

#[test]
fn show_ends_with_commands_to_copy() {
    let (ws, id) = with_case();
    let out = ws.run("maria", &["show", &id]).ok();
    let tail: Vec<&str> = out.stdout.lines().rev().take(5).collect();
    assert!(
        tail.contains(&format!("  caseflow act {id} approve").as_str()),
        "{}",
        out.stdout
    );
    assert!(tail.contains(&"You (maria) may now:"), "{}", out.stdout);
    let doc = ws.run("maria", &["show", &id, "--json"]).ok().json();
    let partial = doc["actions"]
        .as_array()
        .expect("actions")
        .iter()
        .find(|a| a["action"] == "approve_partial")
        .cloned()
        .expect("approve_partial offered");
    assert_eq!(
        partial["command"],
        format!("caseflow act {id} approve_partial --field approved_amount=… --comment '…'")
    );
    let out = ws.run("bob", &["show", &id]).ok();
    assert!(
        out.stdout
            .trim_end()
            .ends_with("bob may not act on this case now; it waits for maria."),
        "{}",
        out.stdout
    );
}

/// Each error: what went wrong, about what, and a hint.
#[test]
fn error_messages() {
    let (ws, id) = with_case();
    let mut all = String::new();
    let mut record = |title: &str, run: Run| {
        assert!(
            run.stderr.contains("\nhint: "),
            "{title} has no hint: {}",
            run.stderr
        );
        all.push_str(&format!("$ {title}  (exit {})\n{}\n", run.code, run.stderr));
    };
    record(
        "act approv",
        ws.run("maria", &["act", &id, "approv"]).fails(65),
    );
    record("approve as bob", ws.run("bob", &["approve", &id]).fails(77));
    record(
        "approve as marie",
        ws.run("marie", &["approve", &id]).fails(77),
    );
    record(
        "assign --to finanse",
        ws.run("maria", &["assign", &id, "--to", "finanse"])
            .fails(65),
    );
    record(
        "act --step manager_reveiw",
        ws.run(
            "maria",
            &["act", &id, "approve", "--step", "manager_reveiw"],
        )
        .fails(65),
    );
    record(
        "open expense-reimbursment",
        ws.run("alice", &["open", "expense-reimbursment"]).fails(66),
    );
    record(
        "set amout",
        ws.run("maria", &["set", &id, "--field", "amout=3"])
            .fails(65),
    );
    record(
        "reject without comment",
        ws.run("maria", &["reject", &id, "--reason", ""]).fails(65),
    );
    record(
        "show unknown case",
        ws.run("maria", &["show", "EXP-2026-0999"]).fails(66),
    );
    insta::assert_snapshot!(all);
}

/// `init DIR` names files relative to DIR; the snippet is read from there, not from the
/// current folder.
#[test]
fn init_errors_show_the_line_from_the_new_workspace() {
    let cwd = tempfile::tempdir().expect("tempdir");
    let dir = cwd.path().join("cases");
    std::fs::create_dir_all(dir.join("processes")).expect("mkdir");
    std::fs::write(
        dir.join("processes/mine.yaml"),
        "process: mine\ncolour: red\n",
    )
    .expect("write");
    std::fs::create_dir_all(cwd.path().join("processes")).expect("mkdir");
    std::fs::write(
        cwd.path().join("processes/mine.yaml"),
        "unrelated: 1\nunrelated: 2\n",
    )
    .expect("write");
    let output = caseflow()
        .current_dir(cwd.path())
        .args(["--now", T0, "init", "cases"])
        .output()
        .expect("run");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(65), "{stderr}");
    assert!(stderr.contains("2 | colour: red"), "{stderr}");
    assert!(!stderr.contains("unrelated"), "{stderr}");
}
