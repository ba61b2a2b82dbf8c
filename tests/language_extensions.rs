//! The language extensions that the seed processes need, on one small fixture process
//! (`fixtures/language/extensions.yaml`): numbering sequences, document checklists,
//! `wait_for`, sub-tasks and consultations, roles chosen by condition or workload, field
//! patterns and instalment schedules.

mod common;
use common::*;

use serde_json::Value;

const PROCESS: &str = "extensions-demo";

fn workspace() -> Workspace {
    let ws = Workspace::init();
    let fixture = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/language/extensions.yaml"
    );
    ws.run("root", &["deploy", fixture]).ok();
    ws
}

fn attach(ws: &Workspace, case: &str, kind: &str) -> Run {
    let file = ws.file(&format!("{kind}.pdf"), kind);
    let spec = format!("{}", file.display());
    ws.run("jonas", &["attach", case, &spec, "--kind", kind])
}

#[test]
fn register_numbers_come_from_their_sequence_and_are_kept_on_loops() {
    let ws = workspace();
    let first = ws.open("jonas", PROCESS, &["customer_type=person"]);
    let second = ws.open("jonas", PROCESS, &["customer_type=person"]);
    assert_eq!(ws.show(&first)["fields"]["incoming_number"], "IN-2026-0001");
    assert_eq!(
        ws.show(&second)["fields"]["incoming_number"],
        "IN-2026-0002"
    );
    attach(&ws, &first, "id_card").ok();
    // The case moved on by itself; send it back and forth: the number stays.
    assert_eq!(steps(&ws.show(&first)), ["handle"]);
    ws.run("root", &["act", &first, "send_back"]).ok();
    ws.run("root", &["act", &first, "reply"]).ok();
    let case = ws.show(&first);
    assert_eq!(case["fields"]["incoming_number"], "IN-2026-0001");
    assert_eq!(case["fields"]["outgoing_number"], "OUT/1");
    // A new year starts the yearly sequence again; the plain one goes on.
    let next_year = ws
        .run_at(
            "2027-01-04T09:00:00Z",
            "jonas",
            &["open", PROCESS, "--field", "customer_type=person", "--json"],
        )
        .ok()
        .json();
    assert_eq!(next_year["fields"]["incoming_number"], "IN-2027-0001");
}

#[test]
fn register_numbers_never_repeat_under_concurrent_opens() {
    let ws = workspace();
    let path = ws.path().to_path_buf();
    let handles: Vec<_> = (0..8)
        .map(|_| {
            let path = path.clone();
            std::thread::spawn(move || {
                let output = caseflow()
                    .arg("--workspace")
                    .arg(&path)
                    .args(["--now", T0, "--as", "jonas", "--json", "open", PROCESS])
                    .args(["--field", "customer_type=person"])
                    .output()
                    .expect("run");
                assert!(
                    output.status.success(),
                    "{}",
                    String::from_utf8_lossy(&output.stderr)
                );
                let doc: Value = serde_json::from_slice(&output.stdout).expect("json");
                doc["fields"]["incoming_number"]
                    .as_str()
                    .expect("number")
                    .to_string()
            })
        })
        .collect();
    let mut numbers: Vec<String> = handles
        .into_iter()
        .map(|h| h.join().expect("thread"))
        .collect();
    numbers.sort();
    let expected: Vec<String> = (1..=8).map(|n| format!("IN-2026-{n:04}")).collect();
    assert_eq!(numbers, expected);
}

#[test]
fn the_checklist_follows_the_case_and_the_waiting_step_resumes_when_it_is_complete() {
    let ws = workspace();
    let case = ws.open("jonas", PROCESS, &["customer_type=company"]);
    let shown = ws.show(&case);
    let kinds: Vec<(&str, bool)> = shown["checklist"]
        .as_array()
        .expect("checklist")
        .iter()
        .map(|d| {
            (
                d["kind"].as_str().expect("kind"),
                d["attached"].as_bool().expect("bool"),
            )
        })
        .collect();
    assert_eq!(kinds, [("company_register", false), ("id_card", false)]);
    // A mandate puts the power of attorney on the checklist (required_when sees `documents`).
    attach(&ws, &case, "mandate").ok();
    attach(&ws, &case, "id_card").ok();
    let shown = ws.show(&case);
    assert_eq!(steps(&shown), ["collect"]);
    let missing: Vec<&str> = shown["checklist"]
        .as_array()
        .expect("checklist")
        .iter()
        .filter(|d| d["attached"] == false)
        .map(|d| d["kind"].as_str().expect("kind"))
        .collect();
    assert_eq!(missing, ["company_register", "power_of_attorney"]);
    attach(&ws, &case, "company_register").ok();
    assert_eq!(steps(&ws.show(&case)), ["collect"]);
    attach(&ws, &case, "power_of_attorney").ok();
    assert_eq!(steps(&ws.show(&case)), ["handle"]);
    let history = ws.history(&case);
    let resumed = history
        .iter()
        .find(|e| e["kind"] == "resumed")
        .expect("a resumed event");
    assert_eq!(resumed["actor"], "caseflow");
    assert!(resumed["note"]
        .as_str()
        .unwrap_or_default()
        .contains("missing_documents"));
}

#[test]
fn an_action_requiring_the_checklist_lists_what_is_missing() {
    let ws = workspace();
    let case = ws.open("jonas", PROCESS, &["customer_type=company"]);
    ws.run(
        "jonas",
        &[
            "act",
            &case,
            "accept_anyway",
            "--comment",
            "customer is known",
        ],
    )
    .ok();
    let run = ws.run("root", &["act", &case, "reply"]).fails(65);
    assert!(
        run.stderr.contains("a `company_register` attachment"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("a `id_card` attachment"),
        "{}",
        run.stderr
    );
    assert_eq!(steps(&ws.show(&case)), ["handle"]);
}

#[test]
fn a_vip_goes_to_the_vip_team_and_others_to_the_least_loaded_member() {
    let ws = workspace();
    let assignee_of = |case: &str| {
        ws.run("jonas", &["act", case, "accept_anyway", "--comment", "go"])
            .ok();
        ws.show(case)["tasks"][0]["assignee"]
            .as_str()
            .expect("assignee")
            .to_string()
    };
    let vip = ws.open("jonas", PROCESS, &["customer_type=person", "tier=vip"]);
    assert_eq!(assignee_of(&vip), "vip_team");
    // complaints_team is kasia, marek, piotr: each new case goes to whoever has least.
    let mut got = Vec::new();
    for _ in 0..4 {
        let case = ws.open("jonas", PROCESS, &["customer_type=person"]);
        got.push(assignee_of(&case));
    }
    assert_eq!(got, ["kasia", "marek", "piotr", "kasia"]);
}

#[test]
fn a_subtask_holds_its_step_until_done_and_a_consultation_does_not() {
    let ws = workspace();
    let case = ws.open("jonas", PROCESS, &["customer_type=person"]);
    ws.run("jonas", &["act", &case, "accept_anyway", "--comment", "go"])
        .ok();
    let handler = ws.show(&case)["tasks"][0]["assignee"]
        .as_str()
        .expect("a")
        .to_string();
    ws.run(
        &handler,
        &[
            "subtask",
            &case,
            "--to",
            "klaus",
            "Check the instalments paid",
        ],
    )
    .ok();
    ws.run(
        &handler,
        &["consult", &case, "--to", "marek", "Seen this model before?"],
    )
    .ok();
    attach(&ws, &case, "id_card").ok();
    let run = ws.run(&handler, &["act", &case, "reply"]).fails(65);
    assert!(
        run.stderr.contains("sub-tasks are open: #"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("Check the instalments paid (klaus)"),
        "{}",
        run.stderr
    );
    // klaus finds it in his list and is told how to finish it.
    let mine = ws.run("klaus", &["list", "--mine", "--json"]).ok().json();
    assert_eq!(mine["cases"][0]["id"], case.as_str());
    let shown = ws.run("klaus", &["show", &case]).ok();
    assert!(shown.stdout.contains("Your subtask #"), "{}", shown.stdout);
    // Someone else cannot finish klaus's sub-task; klaus can.
    ws.run("bob", &["done", &case, "--comment", "x"]).fails(65);
    ws.run("klaus", &["done", &case, "--comment", "Paid 3 of 6"])
        .ok();
    // A consultation needs an answer, and does not hold the step.
    ws.run("marek", &["done", &case]).fails(65);
    ws.run(&handler, &["act", &case, "reply"]).ok();
    let shown = ws.show(&case);
    assert_eq!(shown["status"], "closed");
    assert_eq!(shown["side_tasks"].as_array().map(Vec::len), Some(0));
    let kinds: Vec<String> = ws
        .history(&case)
        .iter()
        .map(|e| e["kind"].as_str().unwrap_or_default().to_string())
        .collect();
    for kind in ["subtask", "subtask_done", "consultation"] {
        assert!(
            kinds.iter().any(|k| k == kind),
            "no {kind} event in {kinds:?}"
        );
    }
}

#[test]
fn a_consultation_answer_returns_to_whoever_asked() {
    let ws = workspace();
    let case = ws.open("jonas", PROCESS, &["customer_type=person"]);
    ws.run(
        "jonas",
        &[
            "consult",
            &case,
            "--to",
            "greta",
            "Does the customer owe anything?",
        ],
    )
    .ok();
    let run = ws
        .run(
            "greta",
            &["answer", &case, "--comment", "No, all paid", "--json"],
        )
        .ok();
    assert_eq!(run.json()["side_tasks"].as_array().map(Vec::len), Some(0));
    let history = ws.history(&case);
    let answered = history
        .iter()
        .find(|e| e["kind"] == "answered")
        .expect("answered");
    assert_eq!(answered["actor"], "greta");
    assert_eq!(answered["comment"], "No, all paid");
}

#[test]
fn a_field_pattern_refuses_what_does_not_match() {
    let ws = workspace();
    let run = ws
        .run(
            "jonas",
            &[
                "open",
                PROCESS,
                "--field",
                "customer_type=person",
                "--field",
                "phone=call me",
            ],
        )
        .fails(65);
    assert!(
        run.stderr.contains(r#"field `phone`: "call me" does not match the pattern \+?[0-9 ]{6,20} (digits and spaces, optionally a leading +)"#),
        "{}",
        run.stderr
    );
    ws.open(
        "jonas",
        PROCESS,
        &["customer_type=person", "phone=+49 30 1234567"],
    );
}

#[test]
fn an_instalment_schedule_is_exact_and_follows_its_inputs() {
    let ws = workspace();
    let case = ws.open(
        "jonas",
        PROCESS,
        &[
            "customer_type=person",
            "owed=100.00",
            "months=3",
            "first_due=2027-01-31",
        ],
    );
    let schedule = &ws.show(&case)["fields"]["schedule"];
    assert_eq!(
        schedule,
        &serde_json::json!([
            {"description": "2027-01-31", "amount": "33.33"},
            {"description": "2027-02-28", "amount": "33.33"},
            {"description": "2027-03-31", "amount": "33.34"}
        ])
    );
    ws.run("root", &["set", &case, "--field", "frequency=quarterly"])
        .ok();
    assert_eq!(
        ws.show(&case)["fields"]["schedule"][1]["description"],
        "2027-04-30"
    );
    let run = ws
        .run("root", &["set", &case, "--field", "schedule=x: 1"])
        .fails(65);
    assert!(run.stderr.contains("computed"), "{}", run.stderr);
}

#[test]
fn a_notification_with_no_recipient_is_noted_not_queued() {
    let ws = Workspace::init();
    let def = ws.file(
        "notes.yaml",
        "process: notes\nid_prefix: NTE\nfields:\n  customer_email: { type: email }\nroles:\n  customer: { email_field: customer_email }\n  clerk: { from: opener }\nstart: work\nsteps:\n  work:\n    assignee: clerk\n    actions:\n      done: { to: closed, notify: [customer: thanks, clerk: done_copy] }\n  closed: { end: done }\n",
    );
    ws.run("root", &["deploy", &def.display().to_string()]).ok();
    let case = ws.open("jonas", "notes", &[]);
    ws.run("jonas", &["act", &case, "done"]).ok();
    let queued: Vec<String> = ws.outbox(&case).into_iter().map(|q| q.template).collect();
    assert_eq!(queued, ["done_copy"]);
    let last = ws.history(&case).pop().expect("event");
    assert_eq!(
        last["note"],
        "`thanks` not queued: role `customer` has no recipient"
    );
}
