//! End to end: service-request (seed 003) driven through the real binary.
//! jonas and mia are customer service, klaus billing.

mod common;
use common::*;

use serde_json::Value;

const PROCESS: &str = "service-request";
const CUSTOMER: &str = "p.klein@example.org";

/// A request opened by mia on `topic`.
fn ask(ws: &Workspace, topic: &str) -> String {
    ws.open(
        "mia",
        PROCESS,
        &[
            &format!("customer_email={CUSTOMER}"),
            "customer_number=K-5120",
            &format!("topic={topic}"),
            "question=Wie kann ich das machen?",
        ],
    )
}

// ---------------------------------------------------------------------------------------------

#[test]
fn faq_topics_are_answered_at_intake_and_close_at_once() {
    let ws = Workspace::init();
    for topic in [
        "opening_hours",
        "payment_methods",
        "meter_reading_submission",
        "billing_dates",
    ] {
        let case = ask(&ws, topic);
        let shown = ws.show(&case);
        assert_eq!(shown["status"], "closed", "{topic}");
        assert_eq!(shown["outcome"], "answered_automatically", "{topic}");
        assert_eq!(shown["fields"]["answered_automatically"], true, "{topic}");
        assert!(shown["active_steps"].as_array().unwrap().is_empty());

        let history = ws.history(&case);
        assert_eq!(history.len(), 1, "{topic}: {history:?}");
        assert_eq!(history[0]["kind"], "opened");
        assert!(history[0]["to_steps"].as_array().unwrap().is_empty());

        let queued = ws.outbox(&case);
        assert_eq!(queued.len(), 1, "{topic}: {queued:?}");
        assert_eq!(queued[0].template, "faq_answer");
        assert_eq!(queued[0].to, [CUSTOMER]);
    }
}

#[test]
fn a_complex_request_goes_to_customer_service_and_is_answered_by_a_person() {
    let ws = Workspace::init();
    let case = ask(&ws, "tariff_change");
    let shown = ws.show(&case);
    assert_eq!(shown["status"], "open");
    assert_eq!(shown["fields"]["answered_automatically"], false);
    assert_eq!(strs(&shown["active_steps"]), ["service_desk"]);
    assert_eq!(strs(&shown["assignees"]), ["customer_service"]);
    assert!(ws.outbox(&case).is_empty());

    let n = ws.history(&case).len();
    let run = ws.run("jonas", &["act", &case, "answer"]).fails(65);
    assert!(
        run.stderr.contains("answer needs field `answer`"),
        "{}",
        run.stderr
    );
    assert_eq!(ws.history(&case).len(), n);
    assert_eq!(ws.steps(&case), ["service_desk"]);

    let done = ws
        .run(
            "jonas",
            &[
                "act",
                &case,
                "answer",
                "--field",
                "answer=Der Wechsel in den Ökotarif ist zum 1. Januar möglich.",
                "--json",
            ],
        )
        .ok()
        .json();
    assert_eq!(done["status"], "closed");
    assert_eq!(done["outcome"], "answered");
    assert_eq!(
        done["fields"]["answer"],
        "Der Wechsel in den Ökotarif ist zum 1. Januar möglich."
    );
    let queued = ws.outbox(&case);
    assert_eq!(queued.len(), 1, "{queued:?}");
    assert_eq!(queued[0].template, "request_answered");
    assert_eq!(queued[0].to, [CUSTOMER]);
    assert_eq!(ws.history(&case).pop().unwrap()["actor"], "jonas");
}

#[test]
fn a_question_about_a_bill_goes_straight_to_billing() {
    let ws = Workspace::init();
    let case = ask(&ws, "bill_query");
    let shown = ws.show(&case);
    assert_eq!(strs(&shown["active_steps"]), ["billing_desk"]);
    assert_eq!(strs(&shown["assignees"]), ["billing"]);
    let done = ws
        .run(
            "klaus",
            &[
                "act",
                &case,
                "answer",
                "--field",
                "answer=Die Nachzahlung ergibt sich aus ...",
                "--json",
            ],
        )
        .ok()
        .json();
    assert_eq!(done["outcome"], "answered");
}

#[test]
fn requests_passed_between_the_desks_keep_every_referral_in_the_history() {
    let ws = Workspace::init();
    let case = ask(&ws, "other");
    assert_eq!(ws.steps(&case), ["service_desk"]);
    let n = ws.history(&case).len();
    ws.run("mia", &["act", &case, "refer_to_billing"]).fails(65);
    assert_eq!(ws.history(&case).len(), n);

    let moves = [
        (
            "mia",
            "refer_to_billing",
            "about the dunning fee",
            "billing_desk",
        ),
        (
            "klaus",
            "refer_to_customer_service",
            "fee was already waived; customer wants to move",
            "service_desk",
        ),
        (
            "jonas",
            "refer_to_billing",
            "move-out means a final bill",
            "billing_desk",
        ),
    ];
    for (who, action, why, to) in moves {
        let after = ws
            .run(who, &["act", &case, action, "--comment", why, "--json"])
            .ok()
            .json();
        assert_eq!(strs(&after["active_steps"]), [to], "{action}");
    }
    ws.run(
        "klaus",
        &[
            "act",
            &case,
            "answer",
            "--field",
            "answer=Die Schlussrechnung kommt nach dem Auszug.",
        ],
    )
    .ok();
    assert_eq!(ws.show(&case)["outcome"], "answered");

    let history = ws.history(&case);
    let seen: Vec<(&str, Option<&str>, Value, Vec<String>)> = history
        .iter()
        .skip(1)
        .map(|e| {
            (
                e["actor"].as_str().unwrap(),
                e["action"].as_str(),
                e["comment"].clone(),
                strs(&e["to_steps"]),
            )
        })
        .collect();
    let mut expected: Vec<(&str, Option<&str>, Value, Vec<String>)> = moves
        .iter()
        .map(|(who, action, why, to)| {
            (*who, Some(*action), Value::from(*why), vec![to.to_string()])
        })
        .collect();
    expected.push(("klaus", Some("answer"), Value::Null, vec![]));
    assert_eq!(seen, expected);
}

#[test]
fn the_wrong_desk_may_not_answer_and_the_case_is_unchanged() {
    let ws = Workspace::init();
    let at_service = ask(&ws, "technical_problem");
    let at_billing = ask(&ws, "bill_query");
    for (case, who) in [
        (&at_service, "klaus"),
        (&at_service, "tom"),
        (&at_billing, "jonas"),
        (&at_billing, "greta"),
    ] {
        let before = ws.show(case);
        let n = ws.history(case).len();
        let run = ws
            .run(who, &["act", case, "answer", "--field", "answer=..."])
            .fails(77);
        assert!(
            run.stderr.contains(&format!("{who} may not act")),
            "{}",
            run.stderr
        );
        assert_eq!(ws.show(case), before);
        assert_eq!(ws.history(case).len(), n);
    }
}

#[test]
fn a_request_needs_a_known_topic_and_the_question() {
    let ws = Workspace::init();
    let run = ws
        .run(
            "mia",
            &[
                "open",
                PROCESS,
                "--field",
                &format!("customer_email={CUSTOMER}"),
                "--field",
                "topic=weather",
                "--field",
                "question=?",
            ],
        )
        .fails(65);
    assert!(
        run.stderr.contains("topic") && run.stderr.contains("opening_hours"),
        "{}",
        run.stderr
    );
    let run = ws
        .run(
            "mia",
            &[
                "open",
                PROCESS,
                "--field",
                &format!("customer_email={CUSTOMER}"),
                "--field",
                "topic=other",
            ],
        )
        .fails(65);
    assert!(
        run.stderr.contains("required field `question`"),
        "{}",
        run.stderr
    );
    let list = ws.run("root", &["list", "--format", "ids"]).ok().stdout;
    assert!(list.trim().is_empty(), "{list}");
}
