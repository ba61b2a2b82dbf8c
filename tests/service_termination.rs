//! End to end: service-termination (seed 003) driven through the real binary.
//! jonas and mia are customer service, tom network operations, klaus billing, greta
//! collections.

mod common;
use common::*;

use serde_json::Value;

const PROCESS: &str = "service-termination";
/// The termination date the cases below ask for, and a time on that day.
const TERMINATION_DATE: &str = "2026-12-15";
const ON_THE_DAY: &str = "2026-12-15T10:00:00Z";
const CUSTOMER: &str = "k.lang@example.org";

/// jonas records customer K-2040's request to end their gas supply on TERMINATION_DATE.
fn terminate(ws: &Workspace) -> String {
    ws.open(
        "jonas",
        PROCESS,
        &[
            "customer_number=K-2040",
            &format!("customer_email={CUSTOMER}"),
            "service=gas",
            &format!("termination_date={TERMINATION_DATE}"),
        ],
    )
}

/// On the day tom records `reading`.
fn read_meter(ws: &Workspace, case: &str, reading: &str) -> Value {
    ws.run_at(
        ON_THE_DAY,
        "tom",
        &[
            "act",
            case,
            "record_final_reading",
            "--field",
            &format!("final_reading={reading}"),
            "--json",
        ],
    )
    .ok()
    .json()
}

/// klaus issues the final bill for `amount`.
fn issue_bill(ws: &Workspace, case: &str, amount: &str) -> Value {
    let bill = ws.file("final-bill.pdf", "Schlussrechnung K-2040");
    ws.run_at(
        ON_THE_DAY,
        "klaus",
        &[
            "act",
            case,
            "issue_final_bill",
            "--field",
            &format!("final_bill_amount={amount}"),
            "--attach",
            &format!("final_bill={}", bill.display()),
            "--json",
        ],
    )
    .ok()
    .json()
}

fn templates(ws: &Workspace, case: &str) -> Vec<String> {
    ws.outbox(case).into_iter().map(|q| q.template).collect()
}

// ---------------------------------------------------------------------------------------------

#[test]
fn an_amount_owed_is_paid_and_the_service_ends_terminated() {
    let ws = Workspace::init();
    let case = terminate(&ws);
    let opened = ws.show(&case);
    assert_eq!(opened["fields"]["termination_date"], TERMINATION_DATE);
    assert_eq!(strs(&opened["active_steps"]), ["final_meter_reading"]);
    assert_eq!(strs(&opened["assignees"]), ["network_operations"]);
    // The confirmation goes out as the case opens.
    let queued = ws.outbox(&case);
    assert_eq!(queued.len(), 1, "{queued:?}");
    assert_eq!(queued[0].template, "termination_confirmed");
    assert_eq!(queued[0].to, [CUSTOMER]);
    assert_eq!(queued[0].seq, 1);

    let read = read_meter(&ws, &case, "48213");
    assert_eq!(read["fields"]["final_reading"], 48213);
    assert_eq!(strs(&read["active_steps"]), ["final_bill"]);
    assert_eq!(strs(&read["assignees"]), ["billing"]);

    let billed = issue_bill(&ws, &case, "86.40");
    assert_eq!(billed["fields"]["final_bill_amount"], "86.40");
    assert_eq!(strs(&billed["active_steps"]), ["final_payment"]);
    assert_eq!(billed["attachments"][0]["kind"], "final_bill");

    let before = ws.history(&case).len();
    let run = ws
        .run_at(ON_THE_DAY, "klaus", &["act", &case, "record_payment"])
        .fails(65);
    assert!(
        run.stderr.contains("needs field `paid_on`"),
        "{}",
        run.stderr
    );
    assert_eq!(ws.history(&case).len(), before);

    let paid = ws
        .run_at(
            "2026-12-20T09:00:00Z",
            "klaus",
            &[
                "act",
                &case,
                "record_payment",
                "--field",
                "paid_on=2026-12-19",
                "--json",
            ],
        )
        .ok()
        .json();
    assert_eq!(paid["status"], "closed");
    assert_eq!(paid["outcome"], "terminated");
    assert_eq!(paid["fields"]["paid_on"], "2026-12-19");

    let history = ws.history(&case);
    let seen: Vec<(&str, Option<&str>)> = history
        .iter()
        .map(|e| (e["actor"].as_str().unwrap(), e["action"].as_str()))
        .collect();
    assert_eq!(
        seen,
        [
            ("jonas", None),
            ("tom", Some("record_final_reading")),
            ("klaus", Some("issue_final_bill")),
            ("klaus", Some("record_payment")),
        ]
    );
    assert_eq!(
        templates(&ws, &case),
        ["termination_confirmed", "final_bill", "service_terminated"]
    );
}

#[test]
fn the_final_reading_waits_for_the_termination_date() {
    let ws = Workspace::init();
    let case = terminate(&ws);
    let before = ws.history(&case).len();
    let run = ws
        .run_at(
            "2026-12-14T23:59:00Z",
            "tom",
            &[
                "act",
                &case,
                "record_final_reading",
                "--field",
                "final_reading=48213",
            ],
        )
        .fails(65);
    assert!(
        run.stderr
            .contains("cannot be acted on before termination_date 2026-12-15T00:00:00Z"),
        "{}",
        run.stderr
    );
    assert_eq!(ws.history(&case).len(), before);
    assert!(ws.show(&case)["fields"].get("final_reading").is_none());
    read_meter(&ws, &case, "48213");
    assert_eq!(ws.steps(&case), ["final_bill"]);
}

#[test]
fn the_reading_and_the_bill_are_required_and_a_negative_reading_is_refused() {
    let ws = Workspace::init();
    let case = terminate(&ws);
    let n = ws.history(&case).len();
    let run = ws
        .run_at(ON_THE_DAY, "tom", &["act", &case, "record_final_reading"])
        .fails(65);
    assert!(
        run.stderr.contains("needs field `final_reading`"),
        "{}",
        run.stderr
    );
    let run = ws
        .run_at(
            ON_THE_DAY,
            "tom",
            &[
                "act",
                &case,
                "record_final_reading",
                "--field",
                "final_reading=-5",
            ],
        )
        .fails(65);
    assert!(
        run.stderr.contains("a meter reading cannot be negative"),
        "{}",
        run.stderr
    );
    assert_eq!(ws.history(&case).len(), n);
    assert_eq!(ws.steps(&case), ["final_meter_reading"]);

    read_meter(&ws, &case, "48213");
    let n = ws.history(&case).len();
    let run = ws
        .run_at(ON_THE_DAY, "klaus", &["act", &case, "issue_final_bill"])
        .fails(65);
    assert!(
        run.stderr.contains("`final_bill_amount`")
            && run.stderr.contains("`final_bill` attachment"),
        "{}",
        run.stderr
    );
    assert_eq!(ws.history(&case).len(), n);
    assert_eq!(ws.steps(&case), ["final_bill"]);
}

#[test]
fn an_implausible_reading_goes_back_for_a_new_one_and_each_round_is_in_the_history() {
    let ws = Workspace::init();
    let case = terminate(&ws);
    read_meter(&ws, &case, "4821");
    let n = ws.history(&case).len();
    let run = ws
        .run_at(ON_THE_DAY, "klaus", &["act", &case, "request_new_reading"])
        .fails(65);
    assert!(run.stderr.contains("needs a comment"), "{}", run.stderr);
    assert_eq!(ws.history(&case).len(), n);

    let back = ws
        .run_at(
            ON_THE_DAY,
            "klaus",
            &[
                "act",
                &case,
                "request_new_reading",
                "--comment",
                "lower than the last annual reading (47950)",
                "--json",
            ],
        )
        .ok()
        .json();
    assert_eq!(strs(&back["active_steps"]), ["final_meter_reading"]);
    assert_eq!(strs(&back["assignees"]), ["network_operations"]);

    read_meter(&ws, &case, "48213");
    issue_bill(&ws, &case, "86.40");

    let history = ws.history(&case);
    let readings: Vec<(Value, Value)> = history
        .iter()
        .filter(|e| e["action"] == "record_final_reading")
        .map(|e| {
            let c = e["changes"]
                .as_array()
                .unwrap()
                .iter()
                .find(|c| c["name"] == "final_reading")
                .unwrap_or_else(|| panic!("{e}"))
                .clone();
            (c["before"].clone(), c["after"].clone())
        })
        .collect();
    assert_eq!(
        readings,
        [
            (Value::Null, Value::from(4821)),
            (Value::from(4821), Value::from(48213)),
        ]
    );
    let resent = history
        .iter()
        .find(|e| e["action"] == "request_new_reading")
        .unwrap();
    assert_eq!(resent["actor"], "klaus");
    assert_eq!(
        resent["comment"],
        "lower than the last annual reading (47950)"
    );
    assert_eq!(strs(&resent["from_steps"]), ["final_bill"]);
    assert_eq!(strs(&resent["to_steps"]), ["final_meter_reading"]);
    assert_eq!(ws.steps(&case), ["final_payment"]);
}

#[test]
fn a_credit_on_the_final_bill_is_refunded_and_the_service_ends_terminated() {
    let ws = Workspace::init();
    let case = terminate(&ws);
    read_meter(&ws, &case, "48213");
    let billed = issue_bill(&ws, &case, "-42.10");
    assert_eq!(strs(&billed["active_steps"]), ["refund_credit"]);
    assert_eq!(strs(&billed["assignees"]), ["billing"]);
    let run = ws
        .run_at(ON_THE_DAY, "klaus", &["act", &case, "refund"])
        .fails(65);
    assert!(
        run.stderr.contains("needs field `refunded_on`"),
        "{}",
        run.stderr
    );
    let done = ws
        .run_at(
            ON_THE_DAY,
            "klaus",
            &[
                "act",
                &case,
                "refund",
                "--field",
                "refunded_on=2026-12-16",
                "--json",
            ],
        )
        .ok()
        .json();
    assert_eq!(done["outcome"], "terminated");
    assert_eq!(done["fields"]["final_bill_amount"], "-42.10");
    assert_eq!(
        templates(&ws, &case),
        [
            "termination_confirmed",
            "final_bill",
            "credit_refunded",
            "service_terminated"
        ]
    );
}

#[test]
fn with_nothing_owed_the_service_ends_as_soon_as_the_bill_is_issued() {
    let ws = Workspace::init();
    let case = terminate(&ws);
    read_meter(&ws, &case, "48213");
    let billed = issue_bill(&ws, &case, "0.00");
    assert_eq!(billed["status"], "closed");
    assert_eq!(billed["outcome"], "terminated");
    let last = ws.history(&case).pop().unwrap();
    assert_eq!(last["action"], "issue_final_bill");
    assert!(last["to_steps"].as_array().unwrap().is_empty());
}

#[test]
fn an_unpaid_final_bill_is_handed_over_to_collections() {
    let ws = Workspace::init();
    let case = terminate(&ws);
    read_meter(&ws, &case, "48213");
    issue_bill(&ws, &case, "312.75");
    let n = ws.history(&case).len();
    ws.run_at(
        ON_THE_DAY,
        "klaus",
        &["act", &case, "hand_over_to_collections"],
    )
    .fails(65);
    assert_eq!(ws.history(&case).len(), n);
    let done = ws
        .run_at(
            "2027-01-20T09:00:00Z",
            "klaus",
            &[
                "act",
                &case,
                "hand_over_to_collections",
                "--comment",
                "no payment 5 weeks after the final bill",
                "--json",
            ],
        )
        .ok()
        .json();
    assert_eq!(done["status"], "closed");
    assert_eq!(done["outcome"], "handed_to_collections");
    let last = ws.outbox(&case).pop().unwrap();
    assert_eq!(last.template, "final_bill_debt_handed_over");
    assert_eq!(last.to, ["greta"]);
    assert!(!templates(&ws, &case).contains(&"service_terminated".to_string()));
}

#[test]
fn each_step_refuses_people_outside_its_team_and_the_case_is_unchanged() {
    let ws = Workspace::init();
    let case = terminate(&ws);
    let attempts: [(&str, &[&str]); 2] = [
        (
            "jonas",
            &["record_final_reading", "--field", "final_reading=1"],
        ),
        (
            "klaus",
            &["record_final_reading", "--field", "final_reading=1"],
        ),
    ];
    for (who, args) in attempts {
        let before = ws.show(&case);
        let mut all = vec!["act", case.as_str()];
        all.extend_from_slice(args);
        let run = ws.run_at(ON_THE_DAY, who, &all).fails(77);
        assert!(
            run.stderr.contains(&format!("{who} may not act")),
            "{}",
            run.stderr
        );
        assert_eq!(ws.show(&case), before);
    }
    read_meter(&ws, &case, "48213");
    let before = ws.show(&case);
    let n = ws.history(&case).len();
    let bill = ws.file("final-bill.pdf", "x");
    for who in ["tom", "greta", "jonas"] {
        ws.run_at(
            ON_THE_DAY,
            who,
            &[
                "act",
                &case,
                "issue_final_bill",
                "--field",
                "final_bill_amount=1.00",
                "--attach",
                &format!("final_bill={}", bill.display()),
            ],
        )
        .fails(77);
    }
    assert_eq!(ws.show(&case), before);
    assert_eq!(ws.history(&case).len(), n);
}

#[test]
fn opening_without_a_termination_date_is_refused_naming_it() {
    let ws = Workspace::init();
    let run = ws
        .run(
            "jonas",
            &[
                "open",
                PROCESS,
                "--field",
                "customer_number=K-2040",
                "--field",
                &format!("customer_email={CUSTOMER}"),
                "--field",
                "service=gas",
            ],
        )
        .fails(65);
    assert!(
        run.stderr.contains("required field `termination_date`"),
        "{}",
        run.stderr
    );
    let list = ws.run("root", &["list", "--format", "ids"]).ok().stdout;
    assert!(list.trim().is_empty(), "{list}");
}
