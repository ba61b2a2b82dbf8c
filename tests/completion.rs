//! Completion as a person at a bash prompt gets it: source `completions/caseflow.bash` in a
//! real bash, check `complete -p`, then call the completion function with COMP_WORDS set and
//! read COMPREPLY. The binary answers from a real workspace (case ids, the actions the case's
//! step offers, people, processes).

mod common;
use common::*;

use std::path::Path;
use std::process::Command;

/// The directory holding the built binary, to put first on PATH.
fn bin_dir() -> String {
    let bin = assert_cmd::cargo::cargo_bin("caseflow");
    bin.parent().expect("bin dir").display().to_string()
}

/// Run `script` in bash with the registration sourced; its stdout.
fn bash(ws: &Path, actor: &str, script: &str) -> String {
    let registration = Path::new(env!("CARGO_MANIFEST_DIR")).join("completions/caseflow.bash");
    let full = format!("source {}\n{script}", registration.display());
    let output = Command::new("bash")
        .args(["--norc", "--noprofile", "-c", &full])
        .env_clear()
        .env(
            "PATH",
            format!(
                "{}:{}",
                bin_dir(),
                std::env::var("PATH").unwrap_or_default()
            ),
        )
        .env("CASEFLOW_WORKSPACE", ws)
        .env("CASEFLOW_USER", actor)
        .env("CASEFLOW_NOW", T0)
        .env("NO_COLOR", "1")
        .output()
        .expect("bash runs");
    assert!(
        output.status.success(),
        "bash failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// What <Tab> offers after `line` (the last word is the one being completed).
fn complete(ws: &Path, actor: &str, line: &str) -> Vec<String> {
    let mut words: Vec<String> = line.split(' ').map(|w| format!("'{w}'")).collect();
    if line.ends_with(' ') {
        words.pop();
        words.push("''".into());
    }
    let script = format!(
        "COMP_WORDS=({words})\nCOMP_CWORD={cword}\nCOMP_LINE='{line}'\nCOMP_POINT={point}\nCOMP_TYPE=9\n\
         _clap_complete_caseflow caseflow \"${{COMP_WORDS[COMP_CWORD]}}\" \"${{COMP_WORDS[COMP_CWORD-1]}}\"\n\
         printf '%s\\n' \"${{COMPREPLY[@]}}\"",
        words = words.join(" "),
        cword = words.len() - 1,
        point = line.len(),
    );
    let mut found: Vec<String> = bash(ws, actor, &script)
        .lines()
        .map(|l| l.trim().to_string())
        .filter(|l| !l.is_empty())
        .collect();
    found.sort();
    found
}

fn workspace_with_cases() -> (Workspace, String, String) {
    let ws = Workspace::init();
    let fields = [
        "kind=reimbursement",
        "lines=Taxi: 25.00",
        "pay_date=2026-12-15",
    ];
    let first = ws.open("alice", "expense-reimbursement", &fields);
    let second = ws.open("alice", "expense-reimbursement", &fields);
    (ws, first, second)
}

#[test]
fn bash_registers_the_completion_function() {
    let ws = Workspace::init();
    let out = bash(ws.path(), "alice", "complete -p caseflow");
    assert!(out.contains("-F _clap_complete_caseflow caseflow"), "{out}");
}

#[test]
fn subcommands_complete() {
    let ws = Workspace::init();
    let found = complete(ws.path(), "alice", "caseflow hi");
    assert_eq!(found, vec!["history"]);
}

#[test]
fn case_ids_of_the_workspace_complete() {
    let (ws, first, second) = workspace_with_cases();
    assert_eq!(first, "EXP-2026-0001");
    let found = complete(ws.path(), "maria", "caseflow show EXP-");
    assert_eq!(found, vec![first.clone(), second.clone()]);
    let found = complete(ws.path(), "maria", "caseflow approve EXP-2026-0002");
    assert_eq!(found, vec![second]);
}

#[test]
fn actions_offered_by_the_case_step_complete() {
    let (ws, first, _) = workspace_with_cases();
    let line = format!("caseflow act {first} ");
    let found = complete(ws.path(), "maria", &line);
    for action in ["approve", "approve_partial", "reject", "escalate"] {
        assert!(
            found.contains(&action.to_string()),
            "{action} not in {found:?}"
        );
    }
    let found = complete(
        ws.path(),
        "maria",
        &format!("caseflow act {first} approve_"),
    );
    assert_eq!(found, vec!["approve_partial"]);
}

#[test]
fn processes_people_and_groups_complete() {
    let ws = Workspace::init();
    let found = complete(ws.path(), "alice", "caseflow open expense-");
    assert_eq!(found, vec!["expense-reimbursement"]);
    // graph draws deployed processes and files: both complete.
    let found = complete(ws.path(), "alice", "caseflow graph cont");
    assert_eq!(found, vec!["contract-approval", "contract-conclusion"]);
    let found = complete(ws.path(), "alice", "caseflow --as mari");
    assert!(found.contains(&"maria".to_string()), "{found:?}");
    assert!(found.iter().all(|p| p.starts_with("mari")), "{found:?}");
    let found = complete(ws.path(), "alice", "caseflow list --assignee fin");
    assert!(found.contains(&"finance".to_string()), "{found:?}");
}

#[test]
fn outside_a_workspace_values_complete_to_nothing() {
    let empty = tempfile::tempdir().expect("tempdir");
    let found = complete(empty.path(), "alice", "caseflow show EXP-");
    assert!(found.is_empty(), "{found:?}");
}

/// What the binary offers for `line` when a shell that passes whole words (fish, zsh) asks.
fn candidates(ws: &Path, actor: &str, line: &str) -> Vec<String> {
    let output = caseflow()
        .env("COMPLETE", "fish")
        .env("CASEFLOW_WORKSPACE", ws)
        .env("CASEFLOW_USER", actor)
        .arg("--")
        .args(line.split(' '))
        .output()
        .expect("run");
    let mut found: Vec<String> = String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|l| l.split('\t').next().unwrap_or_default().to_string())
        .collect();
    found.sort();
    found
}

#[test]
fn field_names_and_enum_values_complete() {
    let (ws, first, _) = workspace_with_cases();
    let found = complete(
        ws.path(),
        "alice",
        "caseflow open expense-reimbursement --field ki",
    );
    assert_eq!(found, vec!["kind="]);
    // bash splits words at `=`; shells that do not get the values of an enum field.
    let found = candidates(
        ws.path(),
        "alice",
        "caseflow open expense-reimbursement --field kind=",
    );
    assert_eq!(found, vec!["kind=advance", "kind=reimbursement"]);
    let found = candidates(
        ws.path(),
        "maria",
        &format!("caseflow set {first} --field category=tr"),
    );
    assert_eq!(found, vec!["category=travel"]);
    // Computed fields (the total) are not offered.
    let found = complete(
        ws.path(),
        "maria",
        &format!("caseflow set {first} --field am"),
    );
    assert!(found.is_empty(), "{found:?}");
}
