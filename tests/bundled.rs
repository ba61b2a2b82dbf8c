//! The processes shipped in the binary: `init` deploys every `processes/*.yaml`, each passes
//! `check` against the bundled org.yaml, and every role that names a group or person is
//! staffed by it.

mod common;
use common::*;

fn process_files() -> Vec<String> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/processes");
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("processes/")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".yaml"))
        .collect();
    names.sort();
    names
}

#[test]
fn init_deploys_every_process_file() {
    let ws = Workspace::init();
    let listed = ws.run("root", &["processes", "--json"]).ok().json();
    let mut deployed: Vec<String> = listed["processes"]
        .as_array()
        .expect("processes")
        .iter()
        .map(|p| p["name"].as_str().expect("name").to_string())
        .collect();
    deployed.sort();
    let mut expected: Vec<String> = process_files()
        .iter()
        .map(|f| f.trim_end_matches(".yaml").to_string())
        .collect();
    expected.sort();
    assert_eq!(deployed, expected, "file names must match process names");
    assert!(!deployed.is_empty());
}

#[test]
fn every_bundled_process_passes_check_against_the_bundled_org() {
    let ws = Workspace::init();
    let run = ws.run("root", &["check"]).ok();
    let count = process_files().len();
    assert!(
        run.stdout.contains(&format!("ok: {count} definition")),
        "{}",
        run.stdout
    );
}

#[test]
fn demo_plays_cases_of_three_processes_to_their_outcomes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let output = caseflow()
        .args(["--now", T0, "--json", "demo", "--dir"])
        .arg(dir.path())
        .output()
        .expect("run demo");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let doc: serde_json::Value = serde_json::from_slice(&output.stdout).expect("json");
    // The demo always plays in its own caseflow.db.
    let ws = Workspace {
        dir,
        database: None,
    };
    let mut processes = Vec::new();
    for id in doc["cases"].as_array().expect("cases") {
        let case = ws.show(id.as_str().expect("id"));
        let process = case["process"].as_str().expect("process").to_string();
        if !processes.contains(&process) {
            processes.push(process);
        }
    }
    assert_eq!(
        processes,
        [
            "expense-reimbursement",
            "customer-onboarding",
            "contract-approval"
        ]
    );
    let contract = ws.show("CTR-2026-0001");
    assert_eq!(contract["outcome"], "signed");
    let rounds = ws
        .history("CTR-2026-0001")
        .iter()
        .filter(|e| e["action"] == "resubmit")
        .count();
    assert_eq!(rounds, 1);
}
