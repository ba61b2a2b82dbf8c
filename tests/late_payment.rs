//! End to end: late-payment (seed 003) driven through the real binary.
//! klaus is billing, greta collections, lena the service lead (management).

mod common;
use common::*;

use serde_json::Value;

const PROCESS: &str = "late-payment";
const CUSTOMER: &str = "m.wolf@example.org";
/// The invoice is issued at T0 (2026-11-30) and due the next day.
const DUE_DATE: &str = "2026-12-01";
/// When `caseflow tick` sends the reminders: every 7 days from midnight of the due date in
/// the German calendar (Europe/Berlin, 23:00Z).
const REMINDER_DAYS: [&str; 3] = [
    "2026-12-07T23:00:00Z",
    "2026-12-14T23:00:00Z",
    "2026-12-21T23:00:00Z",
];
/// A week after the third reminder the case goes back to billing.
const BACK_TO_BILLING: &str = "2026-12-28T23:00:00Z";
const AFTER_REMINDERS: &str = "2027-01-07T09:00:00Z";

/// klaus opens the case for invoice R-2026-7781 of 184.20, due DUE_DATE.
fn overdue(ws: &Workspace) -> String {
    ws.open(
        "klaus",
        PROCESS,
        &[
            "invoice_number=R-2026-7781",
            "customer_number=K-7781",
            &format!("customer_email={CUSTOMER}"),
            "amount_due=184.20",
            &format!("due_date={DUE_DATE}"),
        ],
    )
}

/// Cron ticks once the ladder is over: the reminders go out and the case is still unpaid.
fn send_all_reminders(ws: &Workspace, case: &str) {
    ws.run_at(BACK_TO_BILLING, "root", &["tick"]).ok();
    assert_eq!(ws.steps(case), ["still_unpaid"]);
}

/// A reminder round: when, reminders_sent (before, after), and where the case went.
type Round = (Value, Option<(Value, Value)>, Vec<String>);

/// The (before, after) of field `name` in an event's changes, if it changed.
fn changed(event: &Value, name: &str) -> Option<(Value, Value)> {
    event["changes"]
        .as_array()?
        .iter()
        .find(|c| c["change"] == "field" && c["name"] == name)
        .map(|c| (c["before"].clone(), c["after"].clone()))
}

fn templates(ws: &Workspace, case: &str) -> Vec<String> {
    ws.outbox(case).into_iter().map(|q| q.template).collect()
}

// ---------------------------------------------------------------------------------------------

#[test]
fn three_reminders_from_the_due_date_then_billing_hands_the_debt_to_collections() {
    let ws = Workspace::init();
    let case = overdue(&ws);
    let opened = ws.show(&case);
    assert_eq!(opened["fields"]["reminders_sent"], 0);
    assert_eq!(opened["fields"]["amount_due"], "184.20");
    assert_eq!(strs(&opened["active_steps"]), ["payment_reminder"]);
    assert_eq!(strs(&opened["assignees"]), ["billing"]);

    for (i, day) in REMINDER_DAYS.iter().enumerate() {
        ws.run_at(day, "root", &["tick"]).ok();
        let after = ws.show(&case);
        assert_eq!(after["fields"]["reminders_sent"], i + 1);
        assert_eq!(
            strs(&after["active_steps"]),
            ["payment_reminder"],
            "reminder {}",
            i + 1
        );
    }
    ws.run_at(BACK_TO_BILLING, "root", &["tick"]).ok();
    assert_eq!(ws.steps(&case), ["still_unpaid"]);

    // Each round is in the history, counting up, and each sent the customer a reminder.
    let history = ws.history(&case);
    let rounds: Vec<Round> = history
        .iter()
        .filter(|e| e["kind"] == "reminded" && changed(e, "reminders_sent").is_some())
        .map(|e| {
            (
                e["at"].clone(),
                changed(e, "reminders_sent"),
                strs(&e["to_steps"]),
            )
        })
        .collect();
    let s = |x: &str| vec![x.to_string()];
    assert_eq!(
        rounds,
        [
            (
                Value::from(REMINDER_DAYS[0]),
                Some((0.into(), 1.into())),
                s("payment_reminder")
            ),
            (
                Value::from(REMINDER_DAYS[1]),
                Some((1.into(), 2.into())),
                s("payment_reminder")
            ),
            (
                Value::from(REMINDER_DAYS[2]),
                Some((2.into(), 3.into())),
                s("payment_reminder")
            ),
        ]
    );
    let reminders: Vec<_> = ws
        .outbox(&case)
        .into_iter()
        .filter(|q| q.template == "payment_reminder")
        .collect();
    assert_eq!(reminders.len(), 3);
    assert!(
        reminders.iter().all(|q| q.to == [CUSTOMER]),
        "{reminders:?}"
    );

    let n = ws.history(&case).len();
    let run = ws
        .run_at(
            AFTER_REMINDERS,
            "klaus",
            &["act", &case, "hand_over_to_collections"],
        )
        .fails(65);
    assert!(
        run.stderr
            .contains("hand_over_to_collections needs a comment"),
        "{}",
        run.stderr
    );
    assert_eq!(ws.history(&case).len(), n);

    let done = ws
        .run_at(
            AFTER_REMINDERS,
            "klaus",
            &[
                "act",
                &case,
                "hand_over_to_collections",
                "--comment",
                "no reaction to three reminders",
                "--json",
            ],
        )
        .ok()
        .json();
    assert_eq!(done["status"], "closed");
    assert_eq!(done["outcome"], "handed_to_collections");
    let handed = ws.outbox(&case);
    let last_two: Vec<(String, Vec<String>)> = handed[handed.len() - 2..]
        .iter()
        .map(|q| (q.template.clone(), q.to.clone()))
        .collect();
    assert_eq!(
        last_two,
        [
            ("debt_handed_over".to_string(), vec!["greta".to_string()]),
            (
                "debt_handed_to_collections".to_string(),
                vec![CUSTOMER.to_string()]
            ),
        ]
    );
}

#[test]
fn no_reminder_goes_out_before_the_due_date() {
    let ws = Workspace::init();
    let case = overdue(&ws);
    let n = ws.history(&case).len();
    let run = ws
        .run_at(
            "2026-11-30T22:59:59Z",
            "klaus",
            &["act", &case, "no_payment_after_reminders"],
        )
        .fails(65);
    assert!(
        run.stderr
            .contains("cannot be acted on before due_date 2026-11-30T23:00:00Z"),
        "{}",
        run.stderr
    );
    let quiet = ws
        .run_at("2026-12-07T22:59:59Z", "root", &["tick", "--json"])
        .ok()
        .json();
    assert_eq!(quiet["fired"], 0);
    assert_eq!(ws.history(&case).len(), n);
    assert_eq!(ws.show(&case)["fields"]["reminders_sent"], 0);
    assert!(ws.outbox(&case).is_empty());
    ws.run_at(REMINDER_DAYS[0], "root", &["tick"]).ok();
    assert_eq!(ws.show(&case)["fields"]["reminders_sent"], 1);
}

#[test]
fn new_payment_terms_move_the_due_date_and_the_reminders_start_again() {
    let ws = Workspace::init();
    let case = overdue(&ws);
    send_all_reminders(&ws, &case);
    let before = ws.show(&case);
    let n = ws.history(&case).len();

    let run = ws
        .run_at(
            AFTER_REMINDERS,
            "klaus",
            &["act", &case, "extend_payment_terms"],
        )
        .fails(65);
    assert!(
        run.stderr.contains("`new_due_date`") && run.stderr.contains("a comment"),
        "{}",
        run.stderr
    );
    for not_later in ["2026-11-15", DUE_DATE] {
        let run = ws
            .run_at(
                AFTER_REMINDERS,
                "klaus",
                &[
                    "act",
                    &case,
                    "extend_payment_terms",
                    "--field",
                    &format!("new_due_date={not_later}"),
                    "--comment",
                    "x",
                ],
            )
            .fails(65);
        assert!(
            run.stderr
                .contains("the new due date must be after the current due date"),
            "{}",
            run.stderr
        );
    }
    assert_eq!(ws.show(&case), before);
    assert_eq!(ws.history(&case).len(), n);

    let after = ws
        .run_at(
            AFTER_REMINDERS,
            "klaus",
            &[
                "act",
                &case,
                "extend_payment_terms",
                "--field",
                "new_due_date=2027-01-31",
                "--comment",
                "customer lost their job; one more month",
                "--json",
            ],
        )
        .ok()
        .json();
    assert_eq!(strs(&after["active_steps"]), ["payment_reminder"]);
    assert_eq!(after["fields"]["due_date"], "2027-01-31");
    assert_eq!(after["fields"]["reminders_sent"], 0);
    let extended = ws.history(&case).pop().unwrap();
    assert_eq!(extended["action"], "extend_payment_terms");
    assert_eq!(
        changed(&extended, "due_date"),
        Some((DUE_DATE.into(), "2027-01-31".into()))
    );
    assert_eq!(
        changed(&extended, "reminders_sent"),
        Some((3.into(), 0.into()))
    );
    assert_eq!(
        templates(&ws, &case).last().unwrap(),
        "payment_terms_extended"
    );

    // The reminders wait for the new due date (a week after it, in Berlin), then count
    // from zero again.
    ws.run_at("2027-02-06T22:59:59Z", "root", &["tick"]).ok();
    assert_eq!(ws.show(&case)["fields"]["reminders_sent"], 0);
    ws.run_at("2027-02-06T23:00:00Z", "root", &["tick"]).ok();
    let again = ws.show(&case);
    assert_eq!(again["fields"]["reminders_sent"], 1);
    assert_eq!(strs(&again["active_steps"]), ["payment_reminder"]);

    let paid = ws
        .run_at(
            "2027-02-03T09:00:00Z",
            "klaus",
            &[
                "act",
                &case,
                "record_payment",
                "--field",
                "paid_on=2027-02-03",
                "--field",
                "paid_amount=184.20",
                "--field",
                "payment_method=bank_transfer",
                "--json",
            ],
        )
        .ok()
        .json();
    assert_eq!(paid["outcome"], "paid");
    let rounds = ws
        .history(&case)
        .iter()
        .filter(|e| e["kind"] == "reminded" && changed(e, "reminders_sent").is_some())
        .count();
    assert_eq!(rounds, 4);
}

#[test]
fn management_writes_the_debt_off_hands_it_to_collections_or_extends_the_terms() {
    let ws = Workspace::init();
    let mut cases = Vec::new();
    for _ in 0..3 {
        let case = overdue(&ws);
        send_all_reminders(&ws, &case);
        let n = ws.history(&case).len();
        ws.run_at(
            AFTER_REMINDERS,
            "klaus",
            &["act", &case, "refer_to_management"],
        )
        .fails(65);
        assert_eq!(ws.history(&case).len(), n);
        let referred = ws
            .run_at(
                AFTER_REMINDERS,
                "klaus",
                &[
                    "act",
                    &case,
                    "refer_to_management",
                    "--comment",
                    "long-standing customer",
                    "--json",
                ],
            )
            .ok()
            .json();
        assert_eq!(strs(&referred["active_steps"]), ["management_decision"]);
        assert_eq!(strs(&referred["assignees"]), ["service_leads"]);
        let told = ws.outbox(&case).pop().unwrap();
        assert_eq!(told.template, "overdue_invoice_referred");
        assert_eq!(told.to, ["lena"]);
        cases.push(case);
    }

    // Billing may not take management's decisions.
    let before = ws.show(&cases[0]);
    ws.run_at(
        AFTER_REMINDERS,
        "klaus",
        &["act", &cases[0], "write_off", "--comment", "x"],
    )
    .fails(77);
    assert_eq!(ws.show(&cases[0]), before);

    let run = ws
        .run_at(AFTER_REMINDERS, "lena", &["act", &cases[0], "write_off"])
        .fails(65);
    assert!(
        run.stderr.contains("write_off needs a comment"),
        "{}",
        run.stderr
    );
    let written_off = ws
        .run_at(
            AFTER_REMINDERS,
            "lena",
            &[
                "act",
                &cases[0],
                "write_off",
                "--comment",
                "insolvency proceedings; not recoverable",
                "--json",
            ],
        )
        .ok()
        .json();
    assert_eq!(written_off["outcome"], "written_off");

    let collected = ws
        .run_at(
            AFTER_REMINDERS,
            "lena",
            &[
                "act",
                &cases[1],
                "hand_over_to_collections",
                "--comment",
                "no hardship",
                "--json",
            ],
        )
        .ok()
        .json();
    assert_eq!(collected["outcome"], "handed_to_collections");

    let extended = ws
        .run_at(
            AFTER_REMINDERS,
            "lena",
            &[
                "act",
                &cases[2],
                "extend_payment_terms",
                "--field",
                "new_due_date=2027-02-15",
                "--comment",
                "goodwill",
                "--json",
            ],
        )
        .ok()
        .json();
    assert_eq!(extended["status"], "open");
    assert_eq!(strs(&extended["active_steps"]), ["payment_reminder"]);
    assert_eq!(extended["fields"]["due_date"], "2027-02-15");
    assert_eq!(ws.history(&cases[2]).pop().unwrap()["actor"], "lena");
}

#[test]
fn a_full_payment_closes_the_case_at_any_stage_even_before_the_due_date() {
    let ws = Workspace::init();
    let late = overdue(&ws);
    send_all_reminders(&ws, &late);
    // Opened after the tick, so no reminder has gone out for it.
    let early = overdue(&ws);
    ws.run_at(
        AFTER_REMINDERS,
        "klaus",
        &["act", &late, "refer_to_management", "--comment", "x"],
    )
    .ok();

    let pay = |case: &str, amount: &str| {
        vec![
            "act".to_string(),
            case.to_string(),
            "record_payment".to_string(),
            "--field".to_string(),
            "paid_on=2026-11-30".to_string(),
            "--field".to_string(),
            format!("paid_amount={amount}"),
            "--field".to_string(),
            "payment_method=direct_debit".to_string(),
            "--json".to_string(),
        ]
    };
    for (case, step) in [(&early, "payment_reminder"), (&late, "management_decision")] {
        assert_eq!(ws.steps(case), [step]);
        let args = pay(case, "184.20");
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let paid = ws.run("klaus", &args).ok().json();
        assert_eq!(paid["status"], "closed", "{step}");
        assert_eq!(paid["outcome"], "paid", "{step}");
        assert!(paid["tasks"].as_array().unwrap().is_empty());
        assert_eq!(paid["fields"]["paid_amount"], "184.20");
        let last = ws.history(case).pop().unwrap();
        assert_eq!(last["action"], "record_payment");
        assert_eq!(strs(&last["from_steps"]), [step]);
        assert_eq!(templates(&ws, case).last().unwrap(), "payment_received");
    }
}

#[test]
fn a_payment_must_be_complete_and_recorded_by_billing() {
    let ws = Workspace::init();
    let case = overdue(&ws);
    let before = ws.show(&case);
    let n = ws.history(&case).len();

    let run = ws.run("klaus", &["act", &case, "record_payment"]).fails(65);
    for missing in ["`paid_on`", "`paid_amount`", "`payment_method`"] {
        assert!(run.stderr.contains(missing), "{missing}: {}", run.stderr);
    }
    let partial = [
        "act",
        &case,
        "record_payment",
        "--field",
        "paid_on=2026-11-30",
        "--field",
        "paid_amount=100.00",
        "--field",
        "payment_method=cash",
    ];
    let run = ws.run("klaus", &partial).fails(65);
    assert!(
        run.stderr
            .contains("the payment does not cover the amount due"),
        "{}",
        run.stderr
    );

    let full = [
        "act",
        &case,
        "record_payment",
        "--field",
        "paid_on=2026-11-30",
        "--field",
        "paid_amount=184.20",
        "--field",
        "payment_method=cash",
    ];
    for who in ["greta", "jonas", "lena"] {
        let run = ws.run(who, &full).fails(77);
        assert!(
            run.stderr.contains(&format!("{who} may not act")),
            "{}",
            run.stderr
        );
    }
    assert_eq!(ws.show(&case), before);
    assert_eq!(ws.history(&case).len(), n);
}

#[test]
fn only_billing_decides_after_the_reminders() {
    let ws = Workspace::init();
    let case = overdue(&ws);
    for who in ["greta", "jonas"] {
        let before = ws.show(&case);
        ws.run_at(
            REMINDER_DAYS[0],
            who,
            &["act", &case, "no_payment_after_reminders"],
        )
        .fails(77);
        assert_eq!(ws.show(&case), before);
    }
    send_all_reminders(&ws, &case);
    let before = ws.show(&case);
    let n = ws.history(&case).len();
    for who in ["greta", "jonas"] {
        ws.run_at(
            AFTER_REMINDERS,
            who,
            &["act", &case, "hand_over_to_collections", "--comment", "x"],
        )
        .fails(77);
    }
    assert_eq!(ws.show(&case), before);
    assert_eq!(ws.history(&case).len(), n);
}
