//! `caseflow graph`: the Mermaid and DOT of the expense process (snapshots and the edges that
//! matter), files versus deployed names, errors, and the drift test that keeps
//! `docs/processes.md` equal to what the command generates from `processes/*.yaml`.

mod common;
use common::*;

use std::path::{Path, PathBuf};

const EXPENSE: &str = "processes/expense-reimbursement.yaml";
const DOCS: &str = "docs/processes.md";
const UPDATE_ENV: &str = "CASEFLOW_UPDATE_DOCS";

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// `caseflow ARGS` run in the repository, outside any workspace (an empty one is named so
/// that a stray caseflow.db or org.yaml in the checkout cannot change the output).
fn in_repo(args: &[&str]) -> Run {
    let empty = tempfile::tempdir().expect("tempdir");
    let output = caseflow()
        .current_dir(repo())
        .arg("--workspace")
        .arg(empty.path())
        .args(args)
        .output()
        .expect("run caseflow");
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// Every `processes/*.yaml`, relative to the repository, sorted by file name.
fn process_files() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(repo().join("processes"))
        .expect("processes/")
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".yaml"))
        .collect();
    names.sort();
    names
        .into_iter()
        .map(|n| format!("processes/{n}"))
        .collect()
}

/// What `docs/processes.md` should hold.
fn generated_docs() -> String {
    let files = process_files();
    let mut args = vec!["graph", "--format", "markdown"];
    args.extend(files.iter().map(String::as_str));
    in_repo(&args).ok().stdout
}

fn assert_lines(text: &str, lines: &[&str]) {
    for line in lines {
        assert!(
            text.lines().any(|l| l.trim() == *line),
            "missing line `{line}` in\n{text}"
        );
    }
}

#[test]
fn mermaid_of_the_expense_process() {
    let out = in_repo(&["graph", EXPENSE]).ok();
    insta::assert_snapshot!(out.stdout);
}

#[test]
fn dot_of_the_expense_process() {
    let out = in_repo(&["graph", "--format", "dot", EXPENSE]).ok();
    insta::assert_snapshot!(out.stdout);
}

#[test]
fn mermaid_has_the_edges_of_the_expense_process() {
    let out = in_repo(&["graph", EXPENSE]).ok();
    assert!(out.stdout.starts_with("flowchart TD\n"), "{}", out.stdout);
    assert_lines(
        &out.stdout,
        &[
            "start --> s_manager_review",
            // task actions, one edge each
            "s_manager_review -->|\"approve\"| s_payout",
            "s_manager_review -->|\"approve_partial\"| s_payout",
            "s_manager_review -->|\"reject\"| s_rejected",
            "s_manager_review -->|\"escalate\"| s_director_review",
            "s_director_review -->|\"approve\"| s_payout",
            // parallel: fork to each branch, finishing actions to the join, join to `then`
            "s_payout{{\"payout<br/>in parallel\"}}",
            "s_payout --> s_hr_acknowledge",
            "s_payout --> s_finance_payment",
            "s_hr_acknowledge -->|\"acknowledge\"| join_s_payout",
            "s_finance_payment -->|\"pay\"| join_s_payout",
            "join_s_payout --> s_paid",
            // decision: the condition, escaped, and otherwise
            "s_paid{\"paid\"}",
            "s_paid -->|\"approved_amount != null #amp;#amp; approved_amount #lt; amount\"| s_paid_partially",
            "s_paid -->|\"otherwise\"| s_paid_in_full",
            // nodes: title and assignee, end steps by outcome
            "s_manager_review[\"Manager approves, partly approves, rejects or escalates<br/>assignee: manager\"]",
            "s_paid_partially([\"partially_approved\"])",
        ],
    );
    // Inside the parallel, actions without `to:` join; they are not self-loops.
    assert!(
        !out.stdout
            .contains("s_hr_acknowledge -->|\"acknowledge\"| s_hr_acknowledge"),
        "{}",
        out.stdout
    );
}

#[test]
fn dot_has_the_edges_of_the_expense_process() {
    let out = in_repo(&["graph", "--format", "dot", EXPENSE]).ok();
    assert!(
        out.stdout
            .starts_with("digraph \"expense-reimbursement\" {\n"),
        "{}",
        out.stdout
    );
    assert!(out.stdout.ends_with("}\n"), "{}", out.stdout);
    assert_lines(
        &out.stdout,
        &[
            "\"start\" -> \"s_manager_review\";",
            "\"s_manager_review\" -> \"s_payout\" [label=\"approve\"];",
            "\"s_manager_review\" -> \"s_director_review\" [label=\"escalate\"];",
            "\"s_payout\" -> \"s_hr_acknowledge\";",
            "\"s_payout\" -> \"s_finance_payment\";",
            "\"s_finance_payment\" -> \"join_s_payout\" [label=\"pay\"];",
            "\"join_s_payout\" -> \"s_paid\";",
            "\"s_paid\" -> \"s_paid_partially\" [label=\"approved_amount != null && approved_amount < amount\"];",
            "\"s_paid\" -> \"s_paid_in_full\" [label=\"otherwise\"];",
        ],
    );
}

#[test]
fn anytime_actions_are_dashed_edges_from_any_open_step() {
    let ws = tempfile::tempdir().expect("tempdir");
    let file = ws.path().join("leave.yaml");
    std::fs::write(
        &file,
        "process: leave\nid_prefix: LVE\nroles:\n  employee: { from: opener }\n  manager: { supervisor_of: employee }\nstart: review\nsteps:\n  review:\n    assignee: manager\n    actions:\n      approve: { to: approved }\n      note: {}\n  approved: { end: approved }\n  withdrawn: { end: withdrawn }\nanytime:\n  withdraw: { to: withdrawn }\n",
    )
    .expect("write");
    let file = file.to_str().expect("utf-8 path");
    let out = in_repo(&["graph", file]).ok();
    assert_lines(
        &out.stdout,
        &[
            "anytime(\"any open step\")",
            "anytime -.->|\"withdraw\"| s_withdrawn",
            // outside a parallel, an action without `to:` stays on the step
            "s_review -->|\"note\"| s_review",
        ],
    );
    let dot = in_repo(&["graph", "--format", "dot", file]).ok();
    assert_lines(
        &dot.stdout,
        &["\"anytime\" -> \"s_withdrawn\" [label=\"withdraw\", style=dashed];"],
    );
}

#[test]
fn a_deployed_process_is_drawn_by_name_like_its_file() {
    let ws = Workspace::init();
    let by_name = ws.run("root", &["graph", "expense-reimbursement"]).ok();
    let by_file = in_repo(&["graph", EXPENSE]).ok();
    assert_eq!(by_name.stdout, by_file.stdout);
    let markdown = ws
        .run(
            "root",
            &["graph", "--format", "markdown", "expense-reimbursement"],
        )
        .ok();
    assert!(
        markdown
            .stdout
            .contains("defined in `caseflow.db: expense-reimbursement v1`"),
        "{}",
        markdown.stdout
    );
}

#[test]
fn without_arguments_the_workspace_processes_folder_is_drawn() {
    let ws = Workspace::init();
    let out = ws.run("root", &["graph"]).ok();
    let by_file = in_repo(&["graph", "processes"]).ok();
    assert_eq!(out.stdout, by_file.stdout);
}

#[test]
fn an_unknown_process_name_suggests_a_deployed_one() {
    let ws = Workspace::init();
    let out = ws.run("root", &["graph", "expense-reimbursment"]).fails(66);
    assert_eq!(
        out.stderr,
        "error: `expense-reimbursment` is neither a definition file nor a deployed process; did you mean `expense-reimbursement`?\n\
         hint: run `caseflow processes` to see what is deployed, or give the path of a .yaml file\n"
    );
    assert!(out.stdout.is_empty(), "{}", out.stdout);
}

#[test]
fn a_missing_file_is_missing_input() {
    let out = in_repo(&["graph", "processes/no-such-process.yaml"]).fails(66);
    assert!(
        out.stderr
            .contains("error: processes/no-such-process.yaml does not exist"),
        "{}",
        out.stderr
    );
}

#[test]
fn a_broken_file_gives_the_errors_of_check_without_a_workspace() {
    let dir = tempfile::tempdir().expect("tempdir");
    let source =
        std::fs::read_to_string(repo().join("fixtures/check/unknown_step.yaml")).expect("fixture");
    std::fs::write(dir.path().join("broken.yaml"), source).expect("write");
    let output = caseflow()
        .current_dir(dir.path())
        .args(["graph", "broken.yaml"])
        .output()
        .expect("run caseflow");
    assert_eq!(output.status.code(), Some(65));
    assert!(output.stdout.is_empty());
    assert_eq!(
        String::from_utf8_lossy(&output.stderr),
        "error: broken.yaml:14:22: step `review` goes to unknown step `dnoe`; did you mean `done`?\n   |\n14 |       approve: { to: dnoe }\n   |                      ^^^^\n\
         1 error found\n\
         hint: fix the lines above and run `caseflow check` again\n"
    );
}

#[test]
fn markdown_of_several_processes_has_an_index_and_a_section_each() {
    let dir = tempfile::tempdir().expect("tempdir");
    let leave: PathBuf = dir.path().join("leave.yaml");
    std::fs::write(
        &leave,
        "process: leave\ntitle: Leave request\ndescription: Days off.\nid_prefix: LVE\nfields:\n  days: { type: integer, required: true, title: Days }\nroles:\n  employee: { from: opener }\n  manager: { supervisor_of: employee }\nstart: review\nsteps:\n  review:\n    assignee: manager\n    actions:\n      approve: { to: approved }\n  approved: { end: approved }\n",
    )
    .expect("write");
    let out = in_repo(&[
        "graph",
        "--format",
        "markdown",
        EXPENSE,
        leave.to_str().expect("utf-8 path"),
    ])
    .ok();
    let text = &out.stdout;
    assert!(text.starts_with("# Processes\n\nGenerated by `caseflow graph --format markdown processes/*.yaml`; do not edit.\n\n- [Expense advance or reimbursement](#process-expense-reimbursement) (`expense-reimbursement`)\n- [Leave request](#process-leave) (`leave`)\n"), "{text}");
    let expense = text
        .find("## Expense advance or reimbursement")
        .expect("expense");
    let leave_at = text.find("## Leave request").expect("leave");
    assert!(expense < leave_at, "sections in argument order");
    assert_eq!(text.matches("```mermaid\nflowchart TD\n").count(), 2);
    assert!(
        text.contains("| `days` | integer | yes |  | Days |  |"),
        "{text}"
    );
    assert!(
        text.contains("| `manager` | the supervisor of `employee` (org.yaml) |"),
        "{text}"
    );
    assert!(
        text.contains("| `receipt` | Payment receipt from finance |"),
        "{text}"
    );
}

#[test]
fn json_carries_the_text_and_the_processes() {
    let out = in_repo(&["graph", "--json", EXPENSE]).ok();
    let doc = out.json();
    assert_eq!(doc["format"], "mermaid");
    assert_eq!(doc["processes"][0]["process"], "expense-reimbursement");
    assert_eq!(doc["processes"][0]["source"], EXPENSE);
    assert!(doc["text"]
        .as_str()
        .is_some_and(|t| t.starts_with("flowchart TD\n")));
}

/// The drift test: docs/processes.md is exactly what the command makes of processes/*.yaml.
/// With CASEFLOW_UPDATE_DOCS=1 it rewrites the file instead.
#[test]
fn docs_processes_md_is_up_to_date() {
    let expected = generated_docs();
    let path = repo().join(DOCS);
    if std::env::var(UPDATE_ENV).is_ok_and(|v| v == "1") {
        std::fs::write(&path, &expected).expect("write docs/processes.md");
        return;
    }
    let actual = std::fs::read_to_string(&path).unwrap_or_default();
    if actual != expected {
        let line = actual
            .lines()
            .zip(expected.lines())
            .position(|(a, e)| a != e)
            .unwrap_or_else(|| actual.lines().count().min(expected.lines().count()))
            + 1;
        panic!(
            "{DOCS} is out of date with processes/*.yaml (first difference at line {line}).\n\
             Regenerate it with:\n    {UPDATE_ENV}=1 cargo test --test graph docs_processes_md_is_up_to_date\n\
             or:\n    cargo run -- graph --format markdown processes/ > {DOCS}\n\
             and commit the result."
        );
    }
}

#[test]
fn docs_have_a_section_for_every_process_file() {
    let generated = generated_docs();
    let committed = std::fs::read_to_string(repo().join(DOCS)).unwrap_or_default();
    let updating = std::env::var(UPDATE_ENV).is_ok_and(|v| v == "1");
    let files = process_files();
    assert!(!files.is_empty());
    for file in &files {
        let source = std::fs::read_to_string(repo().join(file)).expect("read");
        let def = caseflow::definition::load(file, &source, None)
            .unwrap_or_else(|e| panic!("{file} does not load: {e:?}"));
        let anchor = format!("<a id=\"process-{}\"></a>", def.name);
        let defined_in = format!("Process `{}`, defined in `{file}`;", def.name);
        let index = format!("](#process-{})", def.name);
        for (what, text) in [("generated", &generated), ("docs/processes.md", &committed)] {
            if updating && what != "generated" {
                continue;
            }
            for part in [&anchor, &defined_in, &index] {
                assert!(
                    text.contains(part.as_str()),
                    "{what}: no section for {file} (missing `{part}`); regenerate with {UPDATE_ENV}=1 cargo test --test graph"
                );
            }
        }
    }
}
