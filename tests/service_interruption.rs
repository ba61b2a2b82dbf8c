//! End to end: service-interruption (seed 003) driven through the real binary.
//! mia and jonas are customer service, tom network operations, klaus billing, lena the
//! service lead.

mod common;
use common::*;

use serde_json::Value;

const PROCESS: &str = "service-interruption";
const CUSTOMER: &str = "h.braun@example.org";
const DOWN_SINCE: &str = "2026-11-30T07:40:00Z";

/// mia records a power cut on Lindenweg reported by one customer and affecting three.
fn record(ws: &Workspace, extra: &[&str]) -> String {
    let mut fields = vec![
        "service=electricity",
        "affected_customers=K-3001, K-3002, K-3017",
        "location=Lindenweg 2-14",
    ];
    let since = format!("interrupted_at={DOWN_SINCE}");
    let email = format!("customer_email={CUSTOMER}");
    fields.push(&since);
    fields.push(&email);
    fields.extend_from_slice(extra);
    ws.open("mia", PROCESS, &fields)
}

/// tom reports the supply back at `at`, for `reason`.
fn restored(ws: &Workspace, case: &str, at: &str, reason: &str) -> Value {
    ws.run(
        "tom",
        &[
            "act",
            case,
            "report_restored",
            "--field",
            &format!("restored_at={at}"),
            "--field",
            &format!("reason={reason}"),
            "--json",
        ],
    )
    .ok()
    .json()
}

// ---------------------------------------------------------------------------------------------

#[test]
fn recorded_restored_with_status_updates_and_confirmed_ends_resolved() {
    let ws = Workspace::init();
    let case = record(&ws, &[]);
    let opened = ws.show(&case);
    assert_eq!(
        opened["fields"]["affected_customers"],
        serde_json::json!(["K-3001", "K-3002", "K-3017"])
    );
    assert_eq!(opened["fields"]["interrupted_at"], DOWN_SINCE);
    assert_eq!(strs(&opened["active_steps"]), ["restore_supply"]);
    assert_eq!(strs(&opened["assignees"]), ["network_operations"]);
    let queued = ws.outbox(&case);
    assert_eq!(queued.len(), 2, "{queued:?}");
    assert_eq!(
        (queued[0].template.as_str(), queued[0].to.clone()),
        ("interruption_recorded", vec![CUSTOMER.to_string()])
    );
    assert_eq!(
        (queued[1].template.as_str(), queued[1].to.clone()),
        ("interruption_reported", vec!["tom".to_string()])
    );

    // Status updates keep the case where it is; each is in the history and goes to the customer.
    for update in [
        "crew on site, cable fault found",
        "repair under way, about 2 hours",
    ] {
        let after = ws
            .run(
                "tom",
                &[
                    "act",
                    &case,
                    "post_status_update",
                    "--comment",
                    update,
                    "--json",
                ],
            )
            .ok()
            .json();
        assert_eq!(strs(&after["active_steps"]), ["restore_supply"]);
    }
    let n = ws.history(&case).len();
    ws.run("tom", &["act", &case, "post_status_update"])
        .fails(65);
    assert_eq!(ws.history(&case).len(), n);

    let after = restored(&ws, &case, "2026-11-30T11:05:00Z", "network_fault");
    assert_eq!(strs(&after["active_steps"]), ["confirm_with_customer"]);
    assert_eq!(strs(&after["assignees"]), ["customer_service"]);
    assert_eq!(after["fields"]["restored_at"], "2026-11-30T11:05:00Z");
    assert_eq!(after["fields"]["reason"], "network_fault");

    let done = ws
        .run("jonas", &["act", &case, "confirm_restored", "--json"])
        .ok()
        .json();
    assert_eq!(done["status"], "closed");
    assert_eq!(done["outcome"], "resolved");

    let history = ws.history(&case);
    let seen: Vec<(&str, Option<&str>, Value)> = history
        .iter()
        .map(|e| {
            (
                e["actor"].as_str().unwrap(),
                e["action"].as_str(),
                e["comment"].clone(),
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            ("mia", None, Value::Null),
            (
                "tom",
                Some("post_status_update"),
                Value::from("crew on site, cable fault found")
            ),
            (
                "tom",
                Some("post_status_update"),
                Value::from("repair under way, about 2 hours")
            ),
            ("tom", Some("report_restored"), Value::Null),
            ("jonas", Some("confirm_restored"), Value::Null),
        ]
    );
    let templates: Vec<String> = ws.outbox(&case).into_iter().map(|q| q.template).collect();
    assert_eq!(
        templates,
        [
            "interruption_recorded",
            "interruption_reported",
            "interruption_status_update",
            "interruption_status_update",
            "supply_restored",
        ]
    );
}

#[test]
fn restoring_needs_the_time_and_the_reason_and_cannot_predate_the_interruption() {
    let ws = Workspace::init();
    let case = record(&ws, &[]);
    let before = ws.show(&case);
    let n = ws.history(&case).len();
    let run = ws.run("tom", &["act", &case, "report_restored"]).fails(65);
    assert!(
        run.stderr.contains("`restored_at`") && run.stderr.contains("`reason`"),
        "{}",
        run.stderr
    );
    let run = ws
        .run(
            "tom",
            &[
                "act",
                &case,
                "report_restored",
                "--field",
                "restored_at=2026-11-30T07:00:00Z",
                "--field",
                "reason=storm_damage",
            ],
        )
        .fails(65);
    assert!(
        run.stderr
            .contains("the supply cannot be restored before it was interrupted"),
        "{}",
        run.stderr
    );
    assert_eq!(ws.show(&case), before);
    assert_eq!(ws.history(&case).len(), n);
}

#[test]
fn a_customer_still_without_supply_sends_it_back_and_each_round_is_in_the_history() {
    let ws = Workspace::init();
    let case = record(&ws, &[]);
    restored(&ws, &case, "2026-11-30T09:30:00Z", "network_fault");
    let n = ws.history(&case).len();
    ws.run("jonas", &["act", &case, "still_interrupted"])
        .fails(65);
    assert_eq!(ws.history(&case).len(), n);
    let back = ws
        .run(
            "jonas",
            &[
                "act",
                &case,
                "still_interrupted",
                "--comment",
                "K-3017 still has no power",
                "--json",
            ],
        )
        .ok()
        .json();
    assert_eq!(strs(&back["active_steps"]), ["restore_supply"]);
    assert_eq!(strs(&back["assignees"]), ["network_operations"]);

    restored(&ws, &case, "2026-11-30T12:15:00Z", "network_fault");
    ws.run("mia", &["act", &case, "confirm_restored"]).ok();
    assert_eq!(ws.show(&case)["outcome"], "resolved");

    let history = ws.history(&case);
    let rounds: Vec<(Option<&str>, Vec<String>, Vec<String>)> = history
        .iter()
        .skip(1)
        .map(|e| {
            (
                e["action"].as_str(),
                strs(&e["from_steps"]),
                strs(&e["to_steps"]),
            )
        })
        .collect();
    let s = |x: &[&str]| x.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    assert_eq!(
        rounds,
        [
            (
                Some("report_restored"),
                s(&["restore_supply"]),
                s(&["confirm_with_customer"])
            ),
            (
                Some("still_interrupted"),
                s(&["confirm_with_customer"]),
                s(&["restore_supply"])
            ),
            (
                Some("report_restored"),
                s(&["restore_supply"]),
                s(&["confirm_with_customer"])
            ),
            (
                Some("confirm_restored"),
                s(&["confirm_with_customer"]),
                s(&[])
            ),
        ]
    );
    assert_eq!(history[2]["comment"], "K-3017 still has no power");
    let second = history[3]["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "restored_at")
        .cloned()
        .unwrap_or_else(|| panic!("{}", history[3]));
    assert_eq!(second["before"], "2026-11-30T09:30:00Z");
    assert_eq!(second["after"], "2026-11-30T12:15:00Z");
}

#[test]
fn fees_or_penalties_are_settled_by_billing_before_the_case_closes() {
    let ws = Workspace::init();
    let case = record(&ws, &["fees_or_penalties=45.00"]);
    restored(&ws, &case, "2026-11-30T11:05:00Z", "third_party_damage");
    let after = ws
        .run("jonas", &["act", &case, "confirm_restored", "--json"])
        .ok()
        .json();
    assert_eq!(after["status"], "open");
    assert_eq!(strs(&after["active_steps"]), ["settle_fees_or_penalties"]);
    assert_eq!(strs(&after["assignees"]), ["billing"]);

    let n = ws.history(&case).len();
    let run = ws.run("klaus", &["act", &case, "settled"]).fails(65);
    assert!(
        run.stderr.contains("settled needs a comment"),
        "{}",
        run.stderr
    );
    assert_eq!(ws.history(&case).len(), n);
    let done = ws
        .run(
            "klaus",
            &[
                "act",
                &case,
                "settled",
                "--comment",
                "damage charged to the excavation contractor; customers credited 15.00 each",
                "--json",
            ],
        )
        .ok()
        .json();
    assert_eq!(done["status"], "closed");
    assert_eq!(done["outcome"], "resolved_with_fees_or_penalties");
    assert_eq!(done["fields"]["fees_or_penalties"], "45.00");
}

#[test]
fn each_step_refuses_people_outside_its_team_and_the_case_is_unchanged() {
    let ws = Workspace::init();
    let case = record(&ws, &["fees_or_penalties=45.00"]);
    let check = |who: &str, args: &[&str]| {
        let before = ws.show(&case);
        let n = ws.history(&case).len();
        let mut all = vec!["act", case.as_str()];
        all.extend_from_slice(args);
        let run = ws.run(who, &all).fails(77);
        assert!(
            run.stderr.contains(&format!("{who} may not act")),
            "{}",
            run.stderr
        );
        assert_eq!(ws.show(&case), before);
        assert_eq!(ws.history(&case).len(), n);
    };
    check("jonas", &["post_status_update", "--comment", "x"]);
    check(
        "klaus",
        &[
            "report_restored",
            "--field",
            "restored_at=2026-11-30T11:05:00Z",
            "--field",
            "reason=other",
        ],
    );
    restored(&ws, &case, "2026-11-30T11:05:00Z", "other");
    check("tom", &["confirm_restored"]);
    ws.run("jonas", &["act", &case, "confirm_restored"]).ok();
    check("greta", &["settled", "--comment", "x"]);
    check("mia", &["settled", "--comment", "x"]);
}

#[test]
fn opening_without_the_affected_customers_is_refused_naming_them() {
    let ws = Workspace::init();
    let run = ws
        .run(
            "mia",
            &[
                "open",
                PROCESS,
                "--field",
                "service=water",
                "--field",
                "interrupted_at=2026-11-30T07:40:00Z",
            ],
        )
        .fails(65);
    assert!(
        run.stderr.contains("required field `affected_customers`"),
        "{}",
        run.stderr
    );
    let list = ws.run("root", &["list", "--format", "ids"]).ok().stdout;
    assert!(list.trim().is_empty(), "{list}");
}
