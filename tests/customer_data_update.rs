//! End to end: customer-data-update (seed 003) driven through the real binary.
//! jonas and mia are customer service (service lead lena); klaus is billing.

mod common;
use common::*;

use serde_json::Value;

const PROCESS: &str = "customer-data-update";

/// The profile on file for customer K-1001, and who asks.
fn request(ws: &Workspace, requested_by: &str) -> String {
    ws.open(
        "jonas",
        PROCESS,
        &[
            "customer_number=K-1001",
            &format!("requested_by={requested_by}"),
            "requested_change=moved to Potsdam, new phone number",
            "customer_name=Erika Mustermann",
            "address=Hauptstraße 1, 10115 Berlin",
            "customer_email=erika@example.org",
            "phone=030 1234567",
            "payment_method=direct_debit",
        ],
    )
}

/// The field changes recorded on an event, as (name, before, after), sorted by name.
fn field_changes(event: &Value) -> Vec<(String, Value, Value)> {
    let mut changes: Vec<(String, Value, Value)> = event["changes"]
        .as_array()
        .unwrap_or_else(|| panic!("no changes: {event}"))
        .iter()
        .filter(|c| c["change"] == "field")
        .map(|c| {
            (
                c["name"].as_str().expect("field name").to_string(),
                c["before"].clone(),
                c["after"].clone(),
            )
        })
        .collect();
    changes.sort_by(|a, b| a.0.cmp(&b.0));
    changes
}

fn change(name: &str, before: &str, after: &str) -> (String, Value, Value) {
    (name.to_string(), Value::from(before), Value::from(after))
}

// ---------------------------------------------------------------------------------------------

#[test]
fn a_verified_update_records_old_and_new_values_and_notifies_customer_and_billing() {
    let ws = Workspace::init();
    let case = request(&ws, "customer");
    let opened = ws.show(&case);
    assert_eq!(strs(&opened["active_steps"]), ["verify_and_update"]);
    assert_eq!(strs(&opened["assignees"]), ["customer_service"]);
    assert_eq!(opened["tasks"][0]["assignee_kind"], "group");

    let after = ws
        .run(
            "mia",
            &[
                "act",
                &case,
                "apply_update",
                "--field",
                "address=Ringstraße 5, 14467 Potsdam",
                "--field",
                "phone=0331 7654321",
                "--field",
                "customer_email=erika.m@example.org",
                "--comment",
                "checked against the registration certificate",
                "--json",
            ],
        )
        .ok()
        .json();
    assert_eq!(after["status"], "closed");
    assert_eq!(after["outcome"], "updated");
    let fields = &ws.show(&case)["fields"];
    assert_eq!(fields["address"], "Ringstraße 5, 14467 Potsdam");
    assert_eq!(fields["phone"], "0331 7654321");
    assert_eq!(fields["customer_email"], "erika.m@example.org");
    assert_eq!(fields["customer_name"], "Erika Mustermann");

    // The audit trail: each changed field with its old and new value, and nothing else.
    let update = ws.history(&case).pop().unwrap();
    assert_eq!(update["actor"], "mia");
    assert_eq!(update["action"], "apply_update");
    assert_eq!(
        update["comment"],
        "checked against the registration certificate"
    );
    assert_eq!(
        field_changes(&update),
        [
            change(
                "address",
                "Hauptstraße 1, 10115 Berlin",
                "Ringstraße 5, 14467 Potsdam"
            ),
            change("customer_email", "erika@example.org", "erika.m@example.org"),
            change("phone", "030 1234567", "0331 7654321"),
        ]
    );

    // The customer (at the new address) and billing are told.
    let queued = ws.outbox(&case);
    assert_eq!(queued.len(), 2, "{queued:?}");
    assert_eq!(queued[0].template, "customer_data_updated");
    assert_eq!(queued[0].to, ["erika.m@example.org"]);
    assert_eq!(queued[1].template, "customer_profile_changed");
    assert_eq!(queued[1].to, ["klaus"]);
    assert!(queued
        .iter()
        .all(|q| q.seq == update["seq"].as_i64().unwrap()));
}

#[test]
fn corrections_made_with_set_before_the_update_are_audited_too() {
    let ws = Workspace::init();
    let case = request(&ws, "customer");
    ws.run(
        "jonas",
        &[
            "set",
            &case,
            "--field",
            "customer_name=Erika Muster-Mann",
            "--field",
            "payment_method=bank_transfer",
            "--comment",
            "typo in the name; customer switches to transfer",
        ],
    )
    .ok();
    let set = ws.history(&case).pop().unwrap();
    assert_eq!(set["kind"], "fields_set");
    assert_eq!(set["actor"], "jonas");
    assert_eq!(
        field_changes(&set),
        [
            change("customer_name", "Erika Mustermann", "Erika Muster-Mann"),
            change("payment_method", "direct_debit", "bank_transfer"),
        ]
    );
    assert_eq!(strs(&ws.show(&case)["active_steps"]), ["verify_and_update"]);

    ws.run(
        "jonas",
        &[
            "act",
            &case,
            "apply_update",
            "--field",
            "phone=0331 1",
            "--comment",
            "ok",
        ],
    )
    .ok();
    let update = ws.history(&case).pop().unwrap();
    assert_eq!(
        field_changes(&update),
        [change("phone", "030 1234567", "0331 1")]
    );
    assert_eq!(ws.show(&case)["outcome"], "updated");
}

#[test]
fn a_third_party_request_needs_the_authorisation_on_file() {
    let ws = Workspace::init();
    let case = request(&ws, "authorised_party");
    let shown = ws.show(&case);
    assert_eq!(strs(&shown["active_steps"]), ["check_authorisation"]);
    assert_eq!(strs(&shown["assignees"]), ["customer_service"]);

    let before = ws.history(&case).len();
    let run = ws
        .run("mia", &["act", &case, "authorisation_confirmed"])
        .fails(65);
    assert!(
        run.stderr.contains("needs a `authorisation` attachment"),
        "{}",
        run.stderr
    );
    assert_eq!(ws.history(&case).len(), before);
    assert_eq!(
        strs(&ws.show(&case)["active_steps"]),
        ["check_authorisation"]
    );

    let proxy = ws.file("vollmacht.pdf", "Power of attorney for Erika Mustermann");
    let after = ws
        .run(
            "mia",
            &[
                "act",
                &case,
                "authorisation_confirmed",
                "--attach",
                &format!("authorisation={}", proxy.display()),
                "--json",
            ],
        )
        .ok()
        .json();
    assert_eq!(strs(&after["active_steps"]), ["verify_and_update"]);
    assert_eq!(after["attachments"][0]["kind"], "authorisation");

    ws.run(
        "mia",
        &[
            "act",
            &case,
            "apply_update",
            "--field",
            "address=Ringstraße 5, 14467 Potsdam",
            "--comment",
            "son holds power of attorney",
        ],
    )
    .ok();
    assert_eq!(ws.show(&case)["outcome"], "updated");
}

#[test]
fn an_unauthorised_third_party_is_declined_and_nothing_changes() {
    let ws = Workspace::init();
    let case = request(&ws, "authorised_party");
    let before = ws.show(&case)["fields"].clone();
    let after = ws
        .run(
            "jonas",
            &[
                "act",
                &case,
                "decline",
                "--comment",
                "caller could not prove authorisation",
                "--json",
            ],
        )
        .ok()
        .json();
    assert_eq!(after["outcome"], "declined");
    assert_eq!(after["fields"], before);
    let queued = ws.outbox(&case);
    assert_eq!(queued.len(), 1, "{queued:?}");
    assert_eq!(queued[0].template, "customer_data_update_declined");
    assert_eq!(queued[0].to, ["erika@example.org"]);
}

#[test]
fn inaccurate_information_is_declined_with_a_reason_and_the_profile_is_unchanged() {
    let ws = Workspace::init();
    let case = request(&ws, "customer");
    let before = ws.show(&case)["fields"].clone();
    let n = ws.history(&case).len();
    let run = ws.run("mia", &["act", &case, "decline"]).fails(65);
    assert!(
        run.stderr.contains("decline needs a comment"),
        "{}",
        run.stderr
    );
    assert_eq!(ws.history(&case).len(), n);

    let after = ws
        .run(
            "mia",
            &[
                "act",
                &case,
                "decline",
                "--comment",
                "address does not exist",
                "--json",
            ],
        )
        .ok()
        .json();
    assert_eq!(after["status"], "closed");
    assert_eq!(after["outcome"], "declined");
    assert_eq!(ws.show(&case)["fields"], before);
    let last = ws.history(&case).pop().unwrap();
    assert_eq!(last["comment"], "address does not exist");
    assert!(field_changes(&last).is_empty(), "{last}");
    assert_eq!(
        ws.outbox(&case)[0].template,
        "customer_data_update_declined"
    );
}

#[test]
fn an_update_without_a_verification_note_or_with_an_invalid_value_changes_nothing() {
    let ws = Workspace::init();
    let case = request(&ws, "customer");
    let before = ws.show(&case);
    let n = ws.history(&case).len();

    let run = ws
        .run(
            "mia",
            &[
                "act",
                &case,
                "apply_update",
                "--field",
                "phone=0331 7654321",
            ],
        )
        .fails(65);
    assert!(
        run.stderr.contains("apply_update needs a comment"),
        "{}",
        run.stderr
    );

    let run = ws
        .run(
            "mia",
            &[
                "act",
                &case,
                "apply_update",
                "--field",
                "customer_email=erika at example.org",
                "--comment",
                "checked",
            ],
        )
        .fails(65);
    assert!(run.stderr.contains("customer_email"), "{}", run.stderr);

    assert_eq!(ws.show(&case), before);
    assert_eq!(ws.history(&case).len(), n);
    assert!(ws.outbox(&case).is_empty());
}

#[test]
fn someone_outside_customer_service_may_not_update_and_the_case_is_unchanged() {
    let ws = Workspace::init();
    let case = request(&ws, "customer");
    let before = ws.show(&case);
    let n = ws.history(&case).len();
    for who in ["klaus", "greta", "ivan"] {
        let run = ws
            .run(
                who,
                &[
                    "act",
                    &case,
                    "apply_update",
                    "--field",
                    "address=Somewhere 1",
                    "--comment",
                    "x",
                ],
            )
            .fails(77);
        assert!(
            run.stderr.contains(&format!("{who} may not act")),
            "{}",
            run.stderr
        );
        ws.run(who, &["set", &case, "--field", "phone=0"]).fails(77);
    }
    assert_eq!(ws.show(&case), before);
    assert_eq!(ws.history(&case).len(), n);
}

#[test]
fn opening_without_the_profile_on_file_is_refused_naming_the_missing_field() {
    let ws = Workspace::init();
    let run = ws
        .run(
            "jonas",
            &[
                "open",
                PROCESS,
                "--field",
                "customer_number=K-1001",
                "--field",
                "requested_by=customer",
                "--field",
                "requested_change=new address",
                "--field",
                "customer_name=Erika Mustermann",
                "--field",
                "customer_email=erika@example.org",
            ],
        )
        .fails(65);
    assert!(
        run.stderr.contains("required field `address`"),
        "{}",
        run.stderr
    );
    let run = ws
        .run(
            "jonas",
            &[
                "open",
                PROCESS,
                "--field",
                "customer_number=K-1001",
                "--field",
                "requested_by=neighbour",
            ],
        )
        .fails(65);
    assert!(run.stderr.contains("requested_by"), "{}", run.stderr);
    let list = ws.run("root", &["list", "--format", "ids"]).ok().stdout;
    assert!(list.trim().is_empty(), "{list}");
}
