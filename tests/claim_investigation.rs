//! End to end: the claim-investigation process (seed 002, Starliner claims) driven through
//! the real binary: head's note, incoming and outgoing numbers (also under concurrency), the
//! letter to the customer, each fault branch with its evidence, interim results, the source
//! of the compensation, and the manager changing the status.

mod common;
use common::*;

use serde_json::Value;

const PROCESS: &str = "claim-investigation";

/// `--attach KIND=FILE` for a fresh file of that kind.
fn doc(ws: &Workspace, kind: &str) -> String {
    let path = ws.file(&format!("{kind}.pdf"), &format!("{kind} contents"));
    format!("{kind}={}", path.display())
}

/// Run `act CASE ACTION` with the given documents attached.
fn act_with(ws: &Workspace, actor: &str, case: &str, action: &str, kinds: &[&str]) -> Run {
    let mut args: Vec<String> = vec!["act".into(), case.into(), action.into()];
    for kind in kinds {
        args.push("--attach".into());
        args.push(doc(ws, kind));
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    ws.run(actor, &args)
}

fn templates(ws: &Workspace, case: &str) -> Vec<(String, String)> {
    ws.sql_rows(
        "SELECT template, recipients FROM outbox WHERE case_id = ?1 ORDER BY id",
        case,
    )
    .into_iter()
    .map(|r| {
        (
            r[0].clone().unwrap_or_default(),
            r[1].clone().unwrap_or_default(),
        )
    })
    .collect()
}

/// A claim entered by `manager` with the claim file.
fn open_claim(ws: &Workspace, manager: &str) -> String {
    let file = doc(ws, "claim_file");
    ws.run(
        manager,
        &[
            "open",
            PROCESS,
            "--field",
            "contract_number=SL-2024/17",
            "--field",
            "company=Acme Travel",
            "--field",
            "description=Hotel booked for the wrong dates",
            "--field",
            "customer_email=office@acme.example",
            "--attach",
            &file,
            "--json",
        ],
    )
    .ok()
    .json()["id"]
        .as_str()
        .expect("id")
        .to_string()
}

fn send_to_conflict_resolution(ws: &Workspace, case: &str) {
    ws.run(
        "sergei",
        &[
            "act",
            case,
            "send_to_conflict_resolution",
            "--field",
            "explanatory_note=Key account, handle first",
        ],
    )
    .ok();
}

/// A claim of ivan's, registered and written to the customer: waiting for the fault.
fn claim_at_fault(ws: &Workspace) -> String {
    let case = open_claim(ws, "ivan");
    send_to_conflict_resolution(ws, &case);
    ws.run("natalia", &["act", &case, "register"]).ok();
    act_with(ws, "ivan", &case, "letter_sent", &["customer_letter"]).ok();
    assert_eq!(ws.steps(&case), ["fault"]);
    case
}

fn choose(ws: &Workspace, case: &str, at_fault: &str) {
    ws.run(
        "pavel",
        &[
            "act",
            case,
            "choose_culprit",
            "--field",
            &format!("at_fault={at_fault}"),
        ],
    )
    .ok();
}

fn interim(ws: &Workspace, case: &str) {
    act_with(
        ws,
        "pavel",
        case,
        "send_interim_results",
        &["interim_letter"],
    )
    .ok();
}

fn charge(ws: &Workspace, case: &str, action: &str) {
    ws.run(
        "pavel",
        &[
            "act",
            case,
            action,
            "--field",
            "culprit=Booking system",
            "--field",
            "compensation=150.00",
            "--comment",
            "goodwill for the customer",
        ],
    )
    .ok();
}

fn finish(ws: &Workspace, case: &str) -> Value {
    assert_eq!(ws.steps(case), ["change_status"]);
    ws.run("ivan", &["act", case, "status_changed", "--json"])
        .ok()
        .json()
}

#[test]
fn employee_at_fault_is_fined_after_evidence_and_interim_results() {
    let ws = Workspace::init();
    let case = open_claim(&ws, "ivan");
    let opened = ws.show(&case);
    assert_eq!(strs(&opened["active_steps"]), ["head_review"]);
    assert_eq!(strs(&opened["assignees"]), ["sergei"]);
    assert_eq!(opened["fields"]["contract_number"], "SL-2024/17");
    assert_eq!(opened["checklist"][0]["kind"], "claim_file");
    assert_eq!(opened["checklist"][0]["attached"], true);

    // Another manager is not the head; nothing changes.
    let before = ws.history(&case).len();
    ws.run("yulia", &["act", &case, "send_to_conflict_resolution"])
        .fails(77);
    // The head must add the explanatory note.
    let run = ws
        .run("sergei", &["act", &case, "send_to_conflict_resolution"])
        .fails(65);
    assert!(run.stderr.contains("`explanatory_note`"), "{}", run.stderr);
    assert_eq!(ws.history(&case).len(), before);
    assert_eq!(ws.steps(&case), ["head_review"]);
    send_to_conflict_resolution(&ws, &case);

    // Conflict resolution gives the incoming and the outgoing numbers.
    ws.run("ivan", &["act", &case, "register"]).fails(77);
    let registered = ws
        .run("natalia", &["act", &case, "register", "--json"])
        .ok()
        .json();
    assert_eq!(registered["fields"]["incoming_number"], "IN-2026-00001");
    assert_eq!(registered["fields"]["outgoing_number"], "OUT-2026-00001");
    assert_eq!(strs(&registered["assignees"]), ["ivan"]);
    // The stage is visible with its title.
    let shown = ws.run("root", &["show", &case]).ok().stdout;
    assert!(
        shown.contains("Manager writes to the customer quoting the incoming number"),
        "{shown}"
    );

    let run = ws.run("ivan", &["act", &case, "letter_sent"]).fails(65);
    assert!(
        run.stderr.contains("a `customer_letter` attachment"),
        "{}",
        run.stderr
    );
    act_with(&ws, "ivan", &case, "letter_sent", &["customer_letter"]).ok();
    choose(&ws, &case, "employee");
    assert_eq!(ws.steps(&case), ["employee_evidence"]);
    let missing: Vec<String> = ws.show(&case)["checklist"]
        .as_array()
        .expect("checklist")
        .iter()
        .filter(|d| d["attached"] == false)
        .map(|d| d["kind"].as_str().expect("kind").to_string())
        .collect();
    assert_eq!(
        missing,
        [
            "call_recordings",
            "correspondence",
            "employee_conversation",
            "employee_explanation"
        ]
    );

    // The employee branch needs its four pieces of evidence.
    let run = act_with(
        &ws,
        "pavel",
        &case,
        "evidence_collected",
        &["call_recordings"],
    )
    .fails(65);
    for kind in [
        "employee_conversation",
        "employee_explanation",
        "correspondence",
    ] {
        assert!(
            run.stderr.contains(&format!("a `{kind}` attachment")),
            "{kind}: {}",
            run.stderr
        );
    }
    act_with(
        &ws,
        "pavel",
        &case,
        "evidence_collected",
        &[
            "employee_conversation",
            "employee_explanation",
            "call_recordings",
            "correspondence",
        ],
    )
    .ok();
    assert_eq!(ws.steps(&case), ["interim_results"]);
    interim(&ws, &case);
    let interim_sent = templates(&ws, &case)
        .into_iter()
        .find(|(t, _)| t == "interim_results")
        .expect("interim results queued");
    assert!(
        interim_sent.1.contains("office@acme.example"),
        "{interim_sent:?}"
    );
    assert!(
        interim_sent.1.contains("ivan@example.com"),
        "{interim_sent:?}"
    );

    assert_eq!(ws.steps(&case), ["culprit_and_compensation"]);
    let run = act_with(&ws, "pavel", &case, "fine_employee", &[]).fails(65);
    for what in ["`culprit`", "`compensation`", "a `fine_notice` attachment"] {
        assert!(run.stderr.contains(what), "{what}: {}", run.stderr);
    }
    let mut args = vec![
        "act",
        &case,
        "fine_employee",
        "--field",
        "culprit=Agent who booked",
        "--field",
        "compensation=80.00",
    ];
    let notice = doc(&ws, "fine_notice");
    args.extend(["--attach", &notice]);
    ws.run("pavel", &args).ok();
    assert!(templates(&ws, &case)
        .iter()
        .any(|(t, to)| t == "claim_resolved_change_status" && to.contains("ivan@example.com")));
    ws.run("pavel", &["act", &case, "status_changed"]).fails(77);
    let closed = finish(&ws, &case);
    assert_eq!(closed["status"], "closed");
    assert_eq!(closed["outcome"], "employee_fined");
    assert_eq!(closed["fields"]["compensation_source"], "employee_fine");
    assert_eq!(closed["fields"]["compensation"], "80.00");
    // Closing never renumbers.
    assert_eq!(closed["fields"]["incoming_number"], "IN-2026-00001");
}

#[test]
fn system_and_fo_fault_goes_to_the_loyalty_budget_after_the_head_refuses_the_company_budget() {
    let ws = Workspace::init();
    let case = claim_at_fault(&ws);
    choose(&ws, &case, "system_and_fo");
    assert_eq!(ws.steps(&case), ["system_and_fo_investigation"]);
    let run = act_with(&ws, "pavel", &case, "investigated", &["ovr_report"]).fails(65);
    assert!(
        run.stderr.contains("a `fo_report` attachment"),
        "{}",
        run.stderr
    );
    act_with(
        &ws,
        "pavel",
        &case,
        "investigated",
        &["ovr_report", "fo_report"],
    )
    .ok();
    interim(&ws, &case);
    // Only an employee at fault can be fined.
    let run = ws
        .run(
            "pavel",
            &[
                "act",
                &case,
                "fine_employee",
                "--field",
                "culprit=x",
                "--field",
                "compensation=1",
                "--attach",
                &doc(&ws, "fine_notice"),
            ],
        )
        .fails(65);
    assert!(
        run.stderr
            .contains("only an employee at fault can be fined"),
        "{}",
        run.stderr
    );

    // Round 1: the head refuses the company budget; round 2: the loyalty budget is approved.
    charge(&ws, &case, "charge_company_budget");
    let shown = ws.show(&case);
    assert_eq!(strs(&shown["active_steps"]), ["budget_approval"]);
    assert_eq!(strs(&shown["assignees"]), ["sergei"]);
    ws.run("pavel", &["act", &case, "approve"]).fails(77);
    ws.run(
        "sergei",
        &["reject", &case, "--reason", "Use the loyalty budget"],
    )
    .ok();
    assert_eq!(ws.steps(&case), ["culprit_and_compensation"]);
    charge(&ws, &case, "charge_loyalty_budget");
    ws.run("sergei", &["approve", &case]).ok();
    let closed = finish(&ws, &case);
    assert_eq!(closed["outcome"], "paid_from_loyalty_budget");
    assert_eq!(closed["fields"]["compensation_source"], "loyalty_budget");

    let history = ws.history(&case);
    let rounds: Vec<&str> = history
        .iter()
        .filter_map(|e| e["action"].as_str())
        .filter(|a| a.starts_with("charge_") || *a == "approve" || *a == "reject")
        .collect();
    assert_eq!(
        rounds,
        [
            "charge_company_budget",
            "reject",
            "charge_loyalty_budget",
            "approve"
        ]
    );
    let refusal = history
        .iter()
        .find(|e| e["action"] == "reject")
        .expect("reject");
    assert_eq!(refusal["comment"], "Use the loyalty budget");
}

#[test]
fn system_fault_needs_the_ovr_report_and_fo_fault_the_fo_report() {
    let ws = Workspace::init();
    let system = claim_at_fault(&ws);
    choose(&ws, &system, "system");
    assert_eq!(ws.steps(&system), ["system_investigation"]);
    act_with(&ws, "pavel", &system, "investigated", &["fo_report"]).fails(65);
    act_with(&ws, "pavel", &system, "investigated", &["ovr_report"]).ok();
    interim(&ws, &system);
    charge(&ws, &system, "charge_company_budget");
    ws.run("sergei", &["approve", &system]).ok();
    assert_eq!(finish(&ws, &system)["outcome"], "paid_from_company_budget");

    let fo = claim_at_fault(&ws);
    choose(&ws, &fo, "fo");
    assert_eq!(ws.steps(&fo), ["fo_investigation"]);
    let run = act_with(&ws, "pavel", &fo, "investigated", &["ovr_report"]).fails(65);
    assert!(
        run.stderr.contains("a `fo_report` attachment"),
        "{}",
        run.stderr
    );
    act_with(&ws, "pavel", &fo, "investigated", &["fo_report"]).ok();
    interim(&ws, &fo);
    charge(&ws, &fo, "charge_loyalty_budget");
    ws.run("sergei", &["approve", &fo]).ok();
    assert_eq!(finish(&ws, &fo)["outcome"], "paid_from_loyalty_budget");
}

#[test]
fn supplier_fault_waits_for_the_reply_and_ends_with_payment_approved_or_not() {
    let ws = Workspace::init();
    let mut outcomes = Vec::new();
    for approved in [true, false] {
        let case = claim_at_fault(&ws);
        choose(&ws, &case, "supplier");
        assert_eq!(ws.steps(&case), ["letter_to_supplier"]);
        ws.run("pavel", &["act", &case, "send_to_supplier"])
            .fails(65);
        act_with(
            &ws,
            "pavel",
            &case,
            "send_to_supplier",
            &["supplier_letter"],
        )
        .ok();
        assert_eq!(ws.steps(&case), ["awaiting_supplier_reply"]);
        // A reminder keeps the case waiting.
        ws.run("natalia", &["act", &case, "chase_supplier"]).ok();
        assert_eq!(ws.steps(&case), ["awaiting_supplier_reply"]);
        assert!(templates(&ws, &case)
            .iter()
            .any(|(t, _)| t == "supplier_reminder"));
        // The reply arriving moves the case on by itself.
        let reply = ws.file("reply.pdf", "supplier reply");
        ws.run(
            "natalia",
            &[
                "attach",
                &case,
                reply.to_str().expect("path"),
                "--kind",
                "supplier_reply",
            ],
        )
        .ok();
        assert_eq!(ws.steps(&case), ["interim_results"]);
        let resumed = ws
            .history(&case)
            .into_iter()
            .find(|e| e["kind"] == "resumed")
            .expect("resumed");
        assert_eq!(resumed["actor"], "caseflow");
        interim(&ws, &case);
        assert_eq!(ws.steps(&case), ["supplier_compensation"]);
        if approved {
            ws.run("pavel", &["act", &case, "supplier_payment_approved"])
                .fails(65);
            ws.run(
                "pavel",
                &[
                    "act",
                    &case,
                    "supplier_payment_approved",
                    "--field",
                    "compensation=300.00",
                ],
            )
            .ok();
        } else {
            ws.run(
                "pavel",
                &[
                    "act",
                    &case,
                    "supplier_payment_not_approved",
                    "--comment",
                    "Supplier disputes the claim",
                ],
            )
            .ok();
        }
        let closed = finish(&ws, &case);
        assert_eq!(closed["fields"]["compensation_source"], "supplier");
        outcomes.push(closed["outcome"].as_str().expect("outcome").to_string());
    }
    assert_eq!(
        outcomes,
        ["supplier_payment_approved", "supplier_payment_not_approved"]
    );
}

#[test]
fn whoever_entered_the_claim_may_not_judge_the_fault() {
    let ws = Workspace::init();
    // natalia (conflict resolution) enters a claim herself: her head is sergei.
    let case = open_claim(&ws, "natalia");
    assert_eq!(strs(&ws.show(&case)["assignees"]), ["sergei"]);
    send_to_conflict_resolution(&ws, &case);
    ws.run("natalia", &["act", &case, "register"]).ok();
    act_with(&ws, "natalia", &case, "letter_sent", &["customer_letter"]).ok();
    let before = ws.history(&case).len();
    let run = ws
        .run(
            "natalia",
            &[
                "act",
                &case,
                "choose_culprit",
                "--field",
                "at_fault=supplier",
            ],
        )
        .fails(77);
    assert!(
        run.stderr
            .contains("separation of duties excludes the manager"),
        "{}",
        run.stderr
    );
    assert_eq!(ws.history(&case).len(), before);
    let shown = ws.show(&case);
    assert_eq!(strs(&shown["active_steps"]), ["fault"]);
    assert!(shown["fields"].get("at_fault").is_none(), "{shown}");
    choose(&ws, &case, "supplier");
    assert_eq!(ws.steps(&case), ["letter_to_supplier"]);
}

#[test]
fn claims_registered_concurrently_get_distinct_incoming_and_outgoing_numbers() {
    let ws = Workspace::init();
    let cases: Vec<String> = (0..6)
        .map(|_| {
            let case = open_claim(&ws, "yulia");
            send_to_conflict_resolution(&ws, &case);
            case
        })
        .collect();
    let path = ws.path().to_path_buf();
    let handles: Vec<_> = cases
        .iter()
        .enumerate()
        .map(|(i, case)| {
            let path = path.clone();
            let case = case.clone();
            let actor = if i % 2 == 0 { "natalia" } else { "pavel" };
            std::thread::spawn(move || {
                let output = caseflow()
                    .arg("--workspace")
                    .arg(&path)
                    .args(["--now", T0, "--as", actor, "--json"])
                    .args(["act", &case, "register"])
                    .output()
                    .expect("run");
                assert!(
                    output.status.success(),
                    "{}",
                    String::from_utf8_lossy(&output.stderr)
                );
                let doc: Value = serde_json::from_slice(&output.stdout).expect("json");
                (
                    doc["fields"]["incoming_number"]
                        .as_str()
                        .expect("incoming")
                        .to_string(),
                    doc["fields"]["outgoing_number"]
                        .as_str()
                        .expect("outgoing")
                        .to_string(),
                )
            })
        })
        .collect();
    let (mut incoming, mut outgoing): (Vec<String>, Vec<String>) = handles
        .into_iter()
        .map(|h| h.join().expect("thread"))
        .unzip();
    incoming.sort();
    outgoing.sort();
    let expected = |prefix: &str| -> Vec<String> {
        (1..=6).map(|n| format!("{prefix}-2026-{n:05}")).collect()
    };
    assert_eq!(incoming, expected("IN"));
    assert_eq!(outgoing, expected("OUT"));
    // Every claim's stage can be looked up: all are now with their manager for the letter.
    let listed = ws
        .run("root", &["list", "--process", PROCESS, "--json"])
        .ok()
        .json();
    let stages: Vec<Vec<String>> = listed["cases"]
        .as_array()
        .expect("cases")
        .iter()
        .map(|c| strs(&c["active_steps"]))
        .collect();
    assert_eq!(stages.len(), 6);
    assert!(
        stages.iter().all(|s| s == &["letter_to_customer"]),
        "{stages:?}"
    );
}
