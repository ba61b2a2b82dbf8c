//! End to end: the payment-plan process (seed 003, "Kreiere Zahlungsplan-Aufgabe") driven
//! through the real binary: amount owed, computed instalment schedule, oral or written
//! consent, agreement signed by both parties (four-eyes), monitoring, missed instalments
//! back to collection, completion.

mod common;
use common::*;

use serde_json::json;

const PROCESS: &str = "payment-plan";

/// `--attach KIND=FILE` for a fresh file of that kind.
fn doc(ws: &Workspace, kind: &str) -> String {
    let path = ws.file(&format!("{kind}.pdf"), &format!("{kind} contents"));
    format!("{kind}={}", path.display())
}

/// Each queued template with all its recipients' addresses.
fn outbox(ws: &Workspace, case: &str) -> Vec<(String, String)> {
    ws.outbox(case)
        .into_iter()
        .map(|q| {
            (
                q.template,
                [q.to_addresses, q.cc_addresses].concat().join(", "),
            )
        })
        .collect()
}

fn open_plan(ws: &Workspace, agent: &str) -> String {
    ws.open(
        agent,
        PROCESS,
        &[
            "account_number=40012345",
            "customer_name=Familie Krause",
            "customer_email=krause@kunde.example",
        ],
    )
}

fn amount(ws: &Workspace, case: &str, owed: &str) {
    ws.run(
        "klaus",
        &[
            "act",
            case,
            "amount_determined",
            "--field",
            &format!("amount_owed={owed}"),
        ],
    )
    .ok();
}

fn propose(ws: &Workspace, case: &str, count: &str, every: &str) {
    ws.run(
        "jonas",
        &[
            "act",
            case,
            "propose_plan",
            "--field",
            &format!("instalment_count={count}"),
            "--field",
            &format!("frequency={every}"),
            "--field",
            "first_due=2027-01-15",
        ],
    )
    .ok();
}

fn oral_consent(ws: &Workspace, case: &str) {
    ws.run(
        "mia",
        &[
            "act",
            case,
            "customer_agrees",
            "--field",
            "consent=oral",
            "--comment",
            "agreed on the phone",
        ],
    )
    .ok();
}

/// From the agreement step to monitoring: signed by the customer and countersigned.
fn sign(ws: &Workspace, case: &str) {
    ws.run(
        "jonas",
        &[
            "act",
            case,
            "customer_signed",
            "--attach",
            &doc(ws, "signed_agreement"),
        ],
    )
    .ok();
    ws.run("lena", &["act", case, "countersign"]).ok();
    assert_eq!(ws.steps(case), ["monitoring"]);
}

fn paid(ws: &Workspace, case: &str) -> Run {
    ws.run("greta", &["act", case, "instalment_paid"])
}

fn missed(ws: &Workspace, case: &str, why: &str) {
    ws.run(
        "greta",
        &["act", case, "instalment_missed", "--comment", why],
    )
    .ok();
    assert_eq!(ws.steps(case), ["collection"]);
}

#[test]
fn a_plan_is_computed_agreed_in_writing_signed_monitored_and_completed() {
    let ws = Workspace::init();
    // The account number must look like one.
    let run = ws
        .run(
            "jonas",
            &[
                "open",
                PROCESS,
                "--field",
                "account_number=AB-12",
                "--field",
                "customer_name=X",
            ],
        )
        .fails(65);
    assert!(
        run.stderr
            .contains("field `account_number`: \"AB-12\" does not match")
            && run.stderr.contains("6 to 12 digits"),
        "{}",
        run.stderr
    );
    let case = open_plan(&ws, "jonas");
    let shown = ws.show(&case);
    assert_eq!(strs(&shown["active_steps"]), ["account_review"]);
    assert_eq!(strs(&shown["assignees"]), ["billing"]);

    // Customer service does not set the amount owed; accounting does, and it must be > 0.
    let before = ws.history(&case).len();
    ws.run("jonas", &["act", &case, "amount_determined"])
        .fails(77);
    let run = ws
        .run("klaus", &["act", &case, "amount_determined"])
        .fails(65);
    assert!(run.stderr.contains("`amount_owed`"), "{}", run.stderr);
    let run = ws
        .run(
            "klaus",
            &[
                "act",
                &case,
                "amount_determined",
                "--field",
                "amount_owed=0",
            ],
        )
        .fails(65);
    assert!(
        run.stderr
            .contains("a payment plan needs an amount owed above zero"),
        "{}",
        run.stderr
    );
    assert_eq!(ws.history(&case).len(), before);
    assert!(ws.show(&case)["fields"].get("amount_owed").is_none());
    amount(&ws, &case, "1000.00");
    assert_eq!(ws.steps(&case), ["plan"]);

    // Frequency and duration are needed; the schedule is computed exactly.
    let run = ws.run("jonas", &["act", &case, "propose_plan"]).fails(65);
    for what in ["`instalment_count`", "`first_due`"] {
        assert!(run.stderr.contains(what), "{what}: {}", run.stderr);
    }
    let run = ws
        .run(
            "jonas",
            &[
                "act",
                &case,
                "propose_plan",
                "--field",
                "instalment_count=1",
                "--field",
                "first_due=2027-01-15",
            ],
        )
        .fails(65);
    assert!(
        run.stderr.contains("between 2 and 36 instalments"),
        "{}",
        run.stderr
    );
    propose(&ws, &case, "3", "monthly");
    let shown = ws.show(&case);
    assert_eq!(strs(&shown["active_steps"]), ["consent"]);
    assert_eq!(
        shown["fields"]["schedule"],
        json!([
            {"description": "2027-01-15", "amount": "333.33"},
            {"description": "2027-02-15", "amount": "333.33"},
            {"description": "2027-03-15", "amount": "333.34"}
        ])
    );
    assert!(outbox(&ws, &case)
        .iter()
        .any(|(t, r)| t == "payment_plan_proposal" && r.contains("krause@kunde.example")));

    // Written consent needs the customer's letter.
    let run = ws
        .run(
            "mia",
            &[
                "act",
                &case,
                "customer_agrees",
                "--field",
                "consent=written",
                "--comment",
                "letter received",
            ],
        )
        .fails(65);
    assert!(
        run.stderr
            .contains("written consent needs the customer's letter"),
        "{}",
        run.stderr
    );
    ws.run(
        "mia",
        &[
            "act",
            &case,
            "customer_agrees",
            "--field",
            "consent=written",
            "--comment",
            "letter received",
            "--attach",
            &doc(&ws, "written_consent"),
        ],
    )
    .ok();
    assert_eq!(ws.steps(&case), ["agreement"]);
    let run = ws
        .run("jonas", &["act", &case, "customer_signed"])
        .fails(65);
    assert!(
        run.stderr.contains("a `signed_agreement` attachment"),
        "{}",
        run.stderr
    );
    sign(&ws, &case);
    let agreed = outbox(&ws, &case)
        .into_iter()
        .find(|(t, _)| t == "payment_plan_agreed")
        .expect("agreed");
    assert!(agreed.1.contains("krause@kunde.example"), "{agreed:?}");
    assert!(agreed.1.contains("greta@example.com"), "{agreed:?}");

    // Monitoring: the plan completes only when every instalment is paid.
    let run = ws.run("greta", &["act", &case, "plan_completed"]).fails(65);
    assert!(
        run.stderr
            .contains("not every instalment has been paid yet"),
        "{}",
        run.stderr
    );
    for _ in 0..3 {
        paid(&ws, &case).ok();
    }
    let run = paid(&ws, &case).fails(65);
    assert!(run.stderr.contains("already paid"), "{}", run.stderr);
    assert_eq!(ws.show(&case)["fields"]["instalments_paid"], 3);
    let closed = ws
        .run("greta", &["act", &case, "plan_completed", "--json"])
        .ok()
        .json();
    assert_eq!(closed["status"], "closed");
    assert_eq!(closed["outcome"], "completed");
    assert!(outbox(&ws, &case)
        .iter()
        .any(|(t, _)| t == "payment_plan_completed"));
}

#[test]
fn missed_instalments_reopen_collection_until_the_debt_goes_to_an_agency() {
    let ws = Workspace::init();
    let case = open_plan(&ws, "jonas");
    amount(&ws, &case, "600.00");
    propose(&ws, &case, "4", "monthly");
    oral_consent(&ws, &case);
    sign(&ws, &case);
    paid(&ws, &case).ok();

    // Round 1: missed, then caught up: back to monitoring.
    ws.run("greta", &["act", &case, "instalment_missed"])
        .fails(65);
    missed(&ws, &case, "January instalment not received");
    ws.run(
        "jonas",
        &["act", &case, "payment_caught_up", "--comment", "x"],
    )
    .fails(77);
    ws.run(
        "greta",
        &["act", &case, "payment_caught_up", "--comment", "paid late"],
    )
    .ok();
    let shown = ws.show(&case);
    assert_eq!(strs(&shown["active_steps"]), ["monitoring"]);
    assert_eq!(shown["fields"]["instalments_paid"], 2);

    // Round 2: missed again; the terms are reviewed and a new plan is drawn up.
    missed(&ws, &case, "March instalment not received");
    ws.run(
        "greta",
        &[
            "act",
            &case,
            "new_plan",
            "--comment",
            "customer lost their job",
        ],
    )
    .ok();
    let shown = ws.show(&case);
    assert_eq!(strs(&shown["active_steps"]), ["account_review"]);
    assert_eq!(shown["fields"]["instalments_paid"], 0);
    amount(&ws, &case, "300.00");
    propose(&ws, &case, "6", "fortnightly");
    assert_eq!(
        ws.show(&case)["fields"]["schedule"][1],
        json!({"description": "2027-01-29", "amount": "50.00"})
    );
    oral_consent(&ws, &case);
    sign(&ws, &case);

    // Round 3: missed once more; handed over to a collection agency.
    missed(&ws, &case, "nothing paid on the new plan");
    let closed = ws
        .run(
            "greta",
            &[
                "act",
                &case,
                "hand_to_collection_agency",
                "--comment",
                "no reaction to three reminders",
                "--json",
            ],
        )
        .ok()
        .json();
    assert_eq!(closed["outcome"], "handed_to_collection_agency");
    assert_eq!(closed["fields"]["missed_instalments"], 3);

    let history = ws.history(&case);
    let misses: Vec<&str> = history
        .iter()
        .filter(|e| e["action"] == "instalment_missed")
        .map(|e| e["comment"].as_str().expect("comment"))
        .collect();
    assert_eq!(
        misses,
        [
            "January instalment not received",
            "March instalment not received",
            "nothing paid on the new plan"
        ]
    );
    let agreements = history
        .iter()
        .filter(|e| e["action"] == "countersign")
        .count();
    assert_eq!(agreements, 2);
}

#[test]
fn the_customer_may_ask_for_other_terms_and_then_refuse() {
    let ws = Workspace::init();
    let case = open_plan(&ws, "mia");
    amount(&ws, &case, "450.00");
    propose(&ws, &case, "3", "monthly");
    ws.run(
        "jonas",
        &[
            "act",
            &case,
            "change_terms",
            "--comment",
            "wants weekly payments",
        ],
    )
    .ok();
    assert_eq!(ws.steps(&case), ["plan"]);
    propose(&ws, &case, "3", "weekly");
    assert_eq!(
        ws.show(&case)["fields"]["schedule"][2],
        json!({"description": "2027-01-29", "amount": "150.00"})
    );
    ws.run("jonas", &["act", &case, "customer_refuses"])
        .fails(65);
    let closed = ws
        .run(
            "jonas",
            &[
                "act",
                &case,
                "customer_refuses",
                "--comment",
                "will pay in full next month instead",
                "--json",
            ],
        )
        .ok()
        .json();
    assert_eq!(closed["status"], "closed");
    assert_eq!(closed["outcome"], "refused_by_customer");
    let proposals = ws
        .history(&case)
        .iter()
        .filter(|e| e["action"] == "propose_plan")
        .count();
    assert_eq!(proposals, 2);
}

#[test]
fn whoever_negotiated_the_plan_does_not_sign_it_for_the_company() {
    let ws = Workspace::init();
    // lena (service lead) negotiated this plan herself.
    let case = open_plan(&ws, "lena");
    amount(&ws, &case, "200.00");
    propose(&ws, &case, "2", "monthly");
    oral_consent(&ws, &case);
    ws.run(
        "jonas",
        &[
            "act",
            &case,
            "customer_signed",
            "--attach",
            &doc(&ws, "signed_agreement"),
        ],
    )
    .ok();
    assert_eq!(ws.steps(&case), ["countersignature"]);
    let before = ws.history(&case).len();
    let run = ws.run("lena", &["act", &case, "countersign"]).fails(77);
    assert!(
        run.stderr
            .contains("separation of duties excludes the agent"),
        "{}",
        run.stderr
    );
    assert_eq!(ws.history(&case).len(), before);
    assert_eq!(ws.steps(&case), ["countersignature"]);
    // Her director signs instead, once the task is handed to him.
    ws.run("root", &["assign", &case, "--to", "dmitri"]).ok();
    ws.run("dmitri", &["act", &case, "countersign"]).ok();
    assert_eq!(ws.steps(&case), ["monitoring"]);
}
