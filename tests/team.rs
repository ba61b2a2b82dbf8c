//! Team workspaces (`init --team`): the OS account decides who acts, only admins may act
//! for someone else and every such event records both names, and what caseflow creates is
//! shared with the folder's group only.

mod common;
use common::*;

use std::os::unix::fs::PermissionsExt;

/// The account running the tests.
fn me() -> String {
    let out = std::process::Command::new("id")
        .arg("-un")
        .output()
        .expect("id -un");
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

fn team_workspace() -> Workspace {
    let ws = Workspace::empty();
    caseflow()
        .arg("--workspace")
        .arg(ws.path())
        .args(["--now", T0, "init", "--team"])
        .assert()
        .success();
    ws
}

/// Map this OS account to `person` (and nobody else) in the workspace's org.yaml.
fn map_me_to(ws: &Workspace, person: &str) {
    let path = ws.path().join("org.yaml");
    let org = std::fs::read_to_string(&path).expect("org.yaml");
    let account = me();
    if person == account {
        return; // a person whose id is the account is already mapped
    }
    let mut out = String::new();
    for line in org.lines() {
        let id = line.trim_start().split(':').next().unwrap_or_default();
        if line.starts_with("  ") && !line.starts_with("   ") && id == account {
            // A person whose id is the account would also match it; rename them away.
            out.push_str(&line.replacen(&account, &format!("{account}_person"), 1));
        } else if line.starts_with(&format!("  {person}:")) {
            out.push_str(&line.replacen("{ name:", &format!("{{ os_user: {account}, name:"), 1));
        } else {
            out.push_str(line);
        }
        out.push('\n');
    }
    std::fs::write(&path, out).expect("write org.yaml");
}

/// Run in the team workspace with no `--as` unless given.
fn run(ws: &Workspace, as_: Option<&str>, args: &[&str]) -> Run {
    let mut cmd = caseflow();
    cmd.arg("--workspace").arg(ws.path()).args(["--now", T0]);
    if let Some(person) = as_ {
        cmd.args(["--as", person]);
    }
    let output = cmd.args(args).output().expect("run");
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

fn mode(path: &std::path::Path) -> u32 {
    std::fs::metadata(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .permissions()
        .mode()
        & 0o7777
}

#[test]
fn a_team_workspace_is_group_only() {
    let ws = team_workspace();
    assert_eq!(mode(ws.path()), 0o2770);
    for dir in ["processes", "templates", "outbox"] {
        assert_eq!(mode(&ws.path().join(dir)), 0o2770, "{dir}");
    }
    let sqlite = ws.database.is_none();
    if sqlite {
        assert_eq!(mode(&ws.path().join("caseflow.db")), 0o660);
    }
    assert_eq!(mode(&ws.path().join("org.yaml")), 0o660);
    assert_eq!(
        mode(&ws.path().join("processes/expense-reimbursement.yaml")),
        0o660
    );
    map_me_to(&ws, "alice");
    run(
        &ws,
        None,
        &[
            "open",
            "expense-reimbursement",
            "--field",
            "kind=advance",
            "--field",
            "lines=Taxi: 20.00",
        ],
    )
    .ok();
    if sqlite {
        assert_eq!(mode(&ws.path().join("caseflow.db")), 0o660);
    }
}

#[test]
fn the_os_account_is_the_actor_and_others_may_not_pretend() {
    let ws = team_workspace();
    map_me_to(&ws, "alice");
    let opened = run(
        &ws,
        None,
        &[
            "open",
            "expense-reimbursement",
            "--json",
            "--field",
            "kind=advance",
            "--field",
            "lines=Taxi: 20.00",
        ],
    )
    .ok()
    .json();
    let case = opened["id"].as_str().expect("id").to_string();
    let history = run(&ws, None, &["history", &case, "--json"]).ok().json();
    assert_eq!(history["events"][0]["actor"], "alice");
    assert_eq!(history["events"][0]["note"], serde_json::Value::Null);

    // CASEFLOW_USER and --as cannot make alice someone else.
    let run_as = run(&ws, Some("maria"), &["approve", &case]).fails(77);
    assert!(
        run_as.stderr.contains("only members of `admins`"),
        "{}",
        run_as.stderr
    );
    let env = caseflow()
        .arg("--workspace")
        .arg(ws.path())
        .env("CASEFLOW_USER", "maria")
        .args(["--now", T0, "approve", &case])
        .output()
        .expect("run");
    assert_eq!(env.status.code(), Some(77));
    // Naming yourself is fine.
    run(&ws, Some("alice"), &["comment", &case, "on my way"]).ok();
}

#[test]
fn an_admin_may_act_for_someone_and_the_event_says_so() {
    let ws = team_workspace();
    map_me_to(&ws, "root");
    let opened = run(
        &ws,
        Some("alice"),
        &[
            "open",
            "expense-reimbursement",
            "--json",
            "--field",
            "kind=advance",
            "--field",
            "lines=Taxi: 20.00",
        ],
    )
    .ok()
    .json();
    let case = opened["id"].as_str().expect("id").to_string();
    let history = run(&ws, None, &["history", &case, "--json"]).ok().json();
    assert_eq!(history["events"][0]["actor"], "alice");
    assert_eq!(history["events"][0]["note"], "root as alice");
    run(&ws, Some("alcie"), &["comment", &case, "typo"]).fails(77);
    // The chain covers the note like every other column.
    run(&ws, None, &["audit", "verify"]).ok();
}

#[test]
fn an_account_nobody_maps_is_refused_with_how_to_fix_it() {
    let ws = team_workspace();
    map_me_to(&ws, "nobody-at-all");
    let refused = run(&ws, None, &["list"]).fails(77);
    assert!(
        refused.stderr.contains(&format!("add `os_user: {}`", me())),
        "{}",
        refused.stderr
    );
}

#[test]
fn a_plain_workspace_still_lets_as_name_anyone() {
    let ws = Workspace::init();
    let case = ws.open(
        "alice",
        "expense-reimbursement",
        &["kind=advance", "lines=Taxi: 20.00"],
    );
    ws.run("maria", &["comment", &case, "seen"]).ok();
    assert_eq!(ws.history(&case)[1]["actor"], "maria");
}
