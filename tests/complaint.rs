//! End to end: the complaint process (seed 001, "proceso de quejas o reclamos") driven
//! through the real binary: phone and written intake, analysis, sub-tasks, daily notes,
//! validation by the head, response letter, closing call, cancellation with or without costs.

mod common;
use common::*;

use serde_json::Value;

const PROCESS: &str = "complaint";

/// `--attach KIND=FILE` for a fresh file of that kind.
fn doc(ws: &Workspace, kind: &str) -> String {
    let path = ws.file(&format!("{kind}.pdf"), &format!("{kind} contents"));
    format!("{kind}={}", path.display())
}

fn outbox(ws: &Workspace, case: &str) -> Vec<(String, Vec<String>, Vec<String>)> {
    ws.outbox(case)
        .into_iter()
        .map(|q| (q.template, q.to_addresses, q.cc_addresses))
        .collect()
}

fn phone_complaint(ws: &Workspace, analyst: &str) -> String {
    ws.open(
        analyst,
        PROCESS,
        &[
            "channel=phone",
            "summary=Invoice charged twice for October",
            "caller_name=Juan Pérez",
            "caller_role=Treasurer",
            "customer_email=juan@cliente.example",
        ],
    )
}

fn analyse(ws: &Workspace, analyst: &str, case: &str) {
    ws.run(
        analyst,
        &[
            "act",
            case,
            "analysis_done",
            "--field",
            "invoice_number=FV-102938",
            "--field",
            "instalments_paid=3",
            "--field",
            "balance=1200.50",
            "--field",
            "document_status=PR",
            "--comment",
            "Ibes: 3 of 6 instalments paid; Diresp: PR; advisor Rosa, coordinator Pablo",
        ],
    )
    .ok();
}

fn propose_solution(ws: &Workspace, analyst: &str, case: &str, solution: &str) {
    ws.run(
        analyst,
        &[
            "act",
            case,
            "propose_solution",
            "--field",
            &format!("proposed_solution={solution}"),
            "--comment",
            "agreed with billing",
        ],
    )
    .ok();
}

fn send_response(ws: &Workspace, analyst: &str, case: &str) {
    ws.run(
        analyst,
        &[
            "act",
            case,
            "send_response",
            "--attach",
            &doc(ws, "response_letter"),
            "--comment",
            "receipt confirmed by phone",
        ],
    )
    .ok();
}

fn close_with_causes(ws: &Workspace, analyst: &str, case: &str) -> Value {
    ws.run(
        analyst,
        &[
            "act",
            case,
            "close_case",
            "--field",
            "cause=Duplicate posting",
            "--field",
            "error=Billing run executed twice",
            "--field",
            "responsible_area=Billing",
            "--json",
        ],
    )
    .ok()
    .json()
}

#[test]
fn phone_complaint_goes_through_negotiation_twice_and_closes_resolved() {
    let ws = Workspace::init();
    let case = phone_complaint(&ws, "ana");
    let opened = ws.show(&case);
    assert_eq!(opened["status"], "open");
    assert_eq!(strs(&opened["active_steps"]), ["analysis"]);
    // The analyst who took the call is the lead.
    assert_eq!(strs(&opened["assignees"]), ["ana"]);
    assert_eq!(opened["fields"]["caller_name"], "Juan Pérez");
    assert_eq!(opened["fields"]["caller_role"], "Treasurer");
    // No scan on the checklist for a phone complaint.
    assert_eq!(opened["checklist"].as_array().map(Vec::len), Some(0));
    // The generic "in progress" message went to the customer.
    assert_eq!(
        outbox(&ws, &case),
        [(
            "complaint_in_progress".to_string(),
            vec!["juan@cliente.example".to_string()],
            vec![]
        )]
    );

    // Another analyst may not act on ana's case; nothing changes.
    let before = ws.history(&case).len();
    let run = ws.run("luis", &["act", &case, "analysis_done"]).fails(77);
    assert!(run.stderr.contains("luis may not act"), "{}", run.stderr);
    assert_eq!(ws.history(&case).len(), before);
    assert_eq!(ws.steps(&case), ["analysis"]);

    // The analysis must record invoice, instalments paid, balance and document status.
    let run = ws.run("ana", &["act", &case, "analysis_done"]).fails(65);
    for missing in [
        "invoice_number",
        "instalments_paid",
        "balance",
        "document_status",
        "a comment",
    ] {
        assert!(run.stderr.contains(missing), "{missing}: {}", run.stderr);
    }
    let run = ws
        .run(
            "ana",
            &[
                "act",
                &case,
                "analysis_done",
                "--field",
                "invoice_number=fv 12",
            ],
        )
        .fails(65);
    assert!(
        run.stderr
            .contains("field `invoice_number`: \"fv 12\" does not match"),
        "{}",
        run.stderr
    );
    assert_eq!(ws.history(&case).len(), before);
    analyse(&ws, "ana", &case);
    let shown = ws.show(&case);
    assert_eq!(strs(&shown["active_steps"]), ["follow_up"]);
    assert_eq!(shown["fields"]["balance"], "1200.50");
    assert_eq!(shown["fields"]["instalments_paid"], 3);

    // Daily progress notes stay on the step and need a comment.
    ws.run("ana", &["act", &case, "progress_note"]).fails(65);
    for note in ["Called the customer", "Billing checking the posting"] {
        ws.run("ana", &["act", &case, "progress_note", "--comment", note])
            .ok();
    }
    assert_eq!(ws.steps(&case), ["follow_up"]);

    // Someone else is given an action; the case cannot go on until it is done.
    ws.run(
        "ana",
        &[
            "subtask",
            &case,
            "--to",
            "pedro",
            "Reverse the duplicate posting",
        ],
    )
    .ok();
    let side = ws.show(&case)["side_tasks"].clone();
    assert_eq!(side[0]["assignee"], "pedro");
    assert_eq!(side[0]["step"], "follow_up");
    let run = ws
        .run(
            "ana",
            &[
                "act",
                &case,
                "propose_solution",
                "--field",
                "proposed_solution=Credit note",
                "--comment",
                "x",
            ],
        )
        .fails(65);
    assert!(
        run.stderr.contains("Reverse the duplicate posting (pedro)"),
        "{}",
        run.stderr
    );
    assert_eq!(ws.steps(&case), ["follow_up"]);
    ws.run("pedro", &["done", &case, "--comment", "Posting reversed"])
        .ok();

    // Round 1: the head sends the solution back to negotiation.
    propose_solution(&ws, "ana", &case, "Credit note for one instalment");
    let shown = ws.show(&case);
    assert_eq!(strs(&shown["active_steps"]), ["head_validation"]);
    assert_eq!(strs(&shown["assignees"]), ["cs_heads"]);
    assert_eq!(shown["fields"]["resolution"], "solution");
    ws.run("ana", &["act", &case, "validate"]).fails(77);
    ws.run("lucia", &["act", &case, "send_back"]).fails(65);
    ws.run(
        "lucia",
        &[
            "act",
            &case,
            "send_back",
            "--comment",
            "Offer the full month",
        ],
    )
    .ok();
    assert_eq!(ws.steps(&case), ["follow_up"]);
    propose_solution(&ws, "ana", &case, "Credit note for the full month");
    ws.run("lucia", &["act", &case, "validate"]).ok();
    assert_eq!(ws.steps(&case), ["response"]);

    // The response letter is required, and is copied to the area involved and the head.
    let run = ws
        .run("ana", &["act", &case, "send_response", "--comment", "sent"])
        .fails(65);
    assert!(
        run.stderr.contains("a `response_letter` attachment"),
        "{}",
        run.stderr
    );
    ws.run("ana", &["set", &case, "--field", "area_contact=pedro"])
        .ok();
    send_response(&ws, "ana", &case);
    let letters: Vec<_> = outbox(&ws, &case)
        .into_iter()
        .filter(|(t, _, _)| t == "complaint_response")
        .collect();
    assert_eq!(
        letters,
        [(
            "complaint_response".to_string(),
            vec!["juan@cliente.example".to_string()],
            vec![
                "pedro@example.com".to_string(),
                "lucia@example.com".to_string()
            ]
        )]
    );

    // Round 2: the customer does not accept on the closing call: back to negotiation.
    assert_eq!(ws.steps(&case), ["closing_call"]);
    ws.run(
        "ana",
        &[
            "act",
            &case,
            "not_accepted",
            "--comment",
            "Wants the late fee waived too",
        ],
    )
    .ok();
    assert_eq!(ws.steps(&case), ["follow_up"]);
    propose_solution(&ws, "ana", &case, "Credit note and late fee waived");
    ws.run("lucia", &["act", &case, "validate"]).ok();
    send_response(&ws, "ana", &case);
    ws.run(
        "ana",
        &["act", &case, "accepted", "--comment", "Customer accepts"],
    )
    .ok();
    assert_eq!(ws.steps(&case), ["causes"]);

    // Cause, error and responsible area are required to close.
    let run = ws.run("ana", &["act", &case, "close_case"]).fails(65);
    for missing in ["`cause`", "`error`", "`responsible_area`"] {
        assert!(run.stderr.contains(missing), "{missing}: {}", run.stderr);
    }
    let closed = close_with_causes(&ws, "ana", &case);
    assert_eq!(closed["status"], "closed");
    assert_eq!(closed["outcome"], "resolved");
    assert_eq!(closed["fields"]["responsible_area"], "Billing");
    assert_eq!(
        closed["fields"]["proposed_solution"],
        "Credit note and late fee waived"
    );

    // The history keeps every round of the negotiation loop.
    let history = ws.history(&case);
    let actions: Vec<&str> = history
        .iter()
        .filter_map(|e| e["action"].as_str())
        .collect();
    assert_eq!(
        actions,
        [
            "analysis_done",
            "progress_note",
            "progress_note",
            "propose_solution",
            "send_back",
            "propose_solution",
            "validate",
            "send_response",
            "not_accepted",
            "propose_solution",
            "validate",
            "send_response",
            "accepted",
            "close_case",
        ]
    );
    let notes: Vec<&str> = history
        .iter()
        .filter(|e| e["action"] == "progress_note")
        .map(|e| e["comment"].as_str().expect("comment"))
        .collect();
    assert_eq!(
        notes,
        ["Called the customer", "Billing checking the posting"]
    );
    let kinds: Vec<&str> = history
        .iter()
        .map(|e| e["kind"].as_str().expect("kind"))
        .collect();
    assert!(kinds.contains(&"subtask"), "{kinds:?}");
    assert!(kinds.contains(&"subtask_done"), "{kinds:?}");
    assert!(outbox(&ws, &case)
        .iter()
        .any(|(t, to, _)| t == "complaint_closed" && to == &["lucia@example.com"]));
}

#[test]
fn written_complaint_waits_for_the_scan_and_the_lead_analyst() {
    let ws = Workspace::init();
    let case = ws.open(
        "sofia",
        PROCESS,
        &[
            "channel=written",
            "summary=Letter disputing the balance",
            "caller_name=Marta Gil",
            "caller_role=Office manager",
        ],
    );
    let shown = ws.show(&case);
    assert_eq!(strs(&shown["active_steps"]), ["digitisation"]);
    assert_eq!(strs(&shown["assignees"]), ["digitisation"]);
    assert_eq!(shown["checklist"][0]["kind"], "written_complaint");
    assert_eq!(shown["checklist"][0]["attached"], false);

    // An analyst is not the digitisation clerk.
    ws.run("ana", &["act", &case, "assign_lead_analyst"])
        .fails(77);
    let run = ws
        .run("sofia", &["act", &case, "assign_lead_analyst"])
        .fails(65);
    assert!(
        run.stderr.contains("a `written_complaint` attachment"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("`lead_analyst`"), "{}", run.stderr);

    // The scan alone is not enough; once the lead analyst is named too, the case moves on.
    let scan = ws.file("letter.pdf", "scanned letter");
    ws.run(
        "sofia",
        &[
            "attach",
            &case,
            scan.to_str().expect("path"),
            "--kind",
            "written_complaint",
        ],
    )
    .ok();
    assert_eq!(ws.steps(&case), ["digitisation"]);
    ws.run("sofia", &["set", &case, "--field", "lead_analyst=luis"])
        .ok();
    let shown = ws.show(&case);
    assert_eq!(strs(&shown["active_steps"]), ["analysis"]);
    assert_eq!(strs(&shown["assignees"]), ["luis"]);
    assert_eq!(shown["checklist"][0]["attached"], true);
    let resumed = ws
        .history(&case)
        .into_iter()
        .find(|e| e["kind"] == "resumed")
        .expect("resumed");
    assert_eq!(resumed["actor"], "caseflow");
    // The opener (clerk) is not the lead: the call-taking analyst role follows the channel.
    ws.run("sofia", &["act", &case, "analysis_done"]).fails(77);
}

#[test]
fn the_head_may_not_validate_a_solution_she_led_herself() {
    let ws = Workspace::init();
    let scan = doc(&ws, "written_complaint");
    let case = ws
        .run(
            "sofia",
            &[
                "open",
                PROCESS,
                "--field",
                "channel=written",
                "--field",
                "summary=Escalated letter",
                "--field",
                "caller_name=Eva",
                "--field",
                "caller_role=CEO",
                "--field",
                "lead_analyst=lucia",
                "--attach",
                &scan,
                "--json",
            ],
        )
        .ok()
        .json()["id"]
        .as_str()
        .expect("id")
        .to_string();
    // Everything was there at opening: straight to the analysis, led by lucia.
    assert_eq!(strs(&ws.show(&case)["assignees"]), ["lucia"]);
    analyse(&ws, "lucia", &case);
    propose_solution(&ws, "lucia", &case, "Refund");
    assert_eq!(ws.steps(&case), ["head_validation"]);
    let before = ws.history(&case).len();
    let run = ws.run("lucia", &["act", &case, "validate"]).fails(77);
    assert!(
        run.stderr
            .contains("separation of duties excludes the lead"),
        "{}",
        run.stderr
    );
    assert_eq!(ws.history(&case).len(), before);
    assert_eq!(ws.steps(&case), ["head_validation"]);
    ws.run("root", &["act", &case, "validate"]).ok();
    assert_eq!(ws.steps(&case), ["response"]);
}

/// Phone complaint by luis up to the closing call of a cancellation with `costs`.
fn cancellation_until_closing_call(ws: &Workspace, costs: &str) -> String {
    let case = phone_complaint(ws, "luis");
    analyse(ws, "luis", &case);
    ws.run(
        "luis",
        &[
            "act",
            &case,
            "propose_cancellation",
            "--field",
            &format!("cancellation_costs={costs}"),
            "--comment",
            "invoice issued to the wrong branch",
        ],
    )
    .ok();
    ws.run("lucia", &["act", &case, "validate"]).ok();
    send_response(ws, "luis", &case);
    assert_eq!(ws.steps(&case), ["closing_call"]);
    case
}

#[test]
fn cancellation_with_costs_needs_the_signed_consent_and_a_signed_filed_memo() {
    let ws = Workspace::init();
    let case = cancellation_until_closing_call(&ws, "85.00");
    let shown = ws.show(&case);
    assert_eq!(shown["fields"]["resolution"], "cancellation");
    assert_eq!(shown["checklist"][0]["kind"], "signed_cost_consent");

    // Costs to settle: the customer's signed consent is needed before accepting.
    let run = ws
        .run("luis", &["act", &case, "accepted", "--comment", "ok"])
        .fails(65);
    assert!(
        run.stderr.contains("a `signed_cost_consent` attachment"),
        "{}",
        run.stderr
    );
    ws.run(
        "luis",
        &[
            "act",
            &case,
            "accepted",
            "--comment",
            "Customer accepts the costs",
            "--attach",
            &doc(&ws, "signed_cost_consent"),
        ],
    )
    .ok();
    assert_eq!(ws.steps(&case), ["cancellation_memo"]);
    ws.run("luis", &["act", &case, "memo_ready"]).fails(65);
    ws.run(
        "luis",
        &[
            "act",
            &case,
            "memo_ready",
            "--attach",
            &doc(&ws, "cancellation_memo"),
        ],
    )
    .ok();

    // Operations management signs; the analyst cannot, and a memo can be sent back once.
    assert_eq!(strs(&ws.show(&case)["assignees"]), ["directors"]);
    ws.run("luis", &["act", &case, "sign_memo"]).fails(77);
    ws.run(
        "olga",
        &[
            "act",
            &case,
            "send_back",
            "--comment",
            "Missing the customer letter",
        ],
    )
    .ok();
    assert_eq!(ws.steps(&case), ["cancellation_memo"]);
    ws.run(
        "luis",
        &[
            "act",
            &case,
            "memo_ready",
            "--attach",
            &doc(&ws, "cancellation_memo"),
        ],
    )
    .ok();
    ws.run("dmitri", &["act", &case, "sign_memo"]).ok();
    assert_eq!(ws.steps(&case), ["memo_filing"]);
    ws.run("sofia", &["act", &case, "memo_filed"]).fails(65);
    ws.run(
        "sofia",
        &[
            "act",
            &case,
            "memo_filed",
            "--attach",
            &doc(&ws, "filed_memo"),
        ],
    )
    .ok();
    assert_eq!(ws.steps(&case), ["causes"]);
    let closed = close_with_causes(&ws, "luis", &case);
    assert_eq!(closed["outcome"], "cancelled_with_costs");
    assert_eq!(closed["fields"]["cancellation_costs"], "85.00");
    let memo_rounds = ws
        .history(&case)
        .iter()
        .filter(|e| e["action"] == "memo_ready")
        .count();
    assert_eq!(memo_rounds, 2);
}

#[test]
fn cancellation_without_costs_needs_no_consent_and_negative_costs_are_refused() {
    let ws = Workspace::init();
    let case = phone_complaint(&ws, "luis");
    analyse(&ws, "luis", &case);
    let run = ws
        .run(
            "luis",
            &[
                "act",
                &case,
                "propose_cancellation",
                "--field",
                "cancellation_costs=-5",
                "--comment",
                "x",
            ],
        )
        .fails(65);
    assert!(
        run.stderr
            .contains("the costs to settle cannot be negative"),
        "{}",
        run.stderr
    );
    assert_eq!(ws.steps(&case), ["follow_up"]);

    let case = cancellation_until_closing_call(&ws, "0");
    assert_eq!(
        ws.show(&case)["checklist"].as_array().map(Vec::len),
        Some(0)
    );
    ws.run(
        "luis",
        &[
            "act",
            &case,
            "accepted",
            "--comment",
            "Accepts the cancellation",
        ],
    )
    .ok();
    ws.run(
        "luis",
        &[
            "act",
            &case,
            "memo_ready",
            "--attach",
            &doc(&ws, "cancellation_memo"),
        ],
    )
    .ok();
    ws.run("olga", &["act", &case, "sign_memo"]).ok();
    ws.run(
        "sofia",
        &[
            "act",
            &case,
            "memo_filed",
            "--attach",
            &doc(&ws, "filed_memo"),
        ],
    )
    .ok();
    let closed = close_with_causes(&ws, "luis", &case);
    assert_eq!(closed["outcome"], "cancelled_without_costs");
}
