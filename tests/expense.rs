//! End to end: the expense-reimbursement process driven through the real binary.

mod common;
use common::*;

use serde_json::Value;
use sha2::{Digest, Sha256};

const PROCESS: &str = "expense-reimbursement";
/// The pay_date the claims below ask for, and a time on that day.
const PAY_DATE: &str = "2026-12-07";
const PAY_DAY: &str = "2026-12-07T10:00:00Z";
const LINES: &str = "lines=Taxi: 25.00; Hotel: 180.50";

/// A reimbursement claim of 205.50 by `actor`, paid on PAY_DATE.
fn claim(ws: &Workspace, actor: &str) -> String {
    ws.open(
        actor,
        PROCESS,
        &["kind=reimbursement", LINES, &format!("pay_date={PAY_DATE}")],
    )
}

/// A claim above the escalation threshold (5500.50).
fn big_claim(ws: &Workspace, actor: &str) -> String {
    ws.open(
        actor,
        PROCESS,
        &[
            "kind=reimbursement",
            "lines=Conference: 4000; Hotel: 1500.50",
            &format!("pay_date={PAY_DATE}"),
        ],
    )
}

fn receipt(ws: &Workspace) -> (String, String) {
    let contents = "Payment receipt #4711: 205.50 EUR";
    let path = ws.file("receipt.pdf", contents);
    let sha = format!("{:x}", Sha256::digest(contents.as_bytes()));
    (path.display().to_string(), sha)
}

fn ids(run: Run) -> Vec<String> {
    run.ok()
        .stdout
        .lines()
        .map(str::to_string)
        .filter(|l| !l.is_empty())
        .collect()
}

/// HR acknowledges and finance pays (with a receipt) on the pay day.
fn finish_payout(ws: &Workspace, case: &str) -> Value {
    ws.run("hana", &["act", case, "acknowledge"]).ok();
    let (file, _) = receipt(ws);
    ws.run_at(
        PAY_DAY,
        "felix",
        &[
            "act",
            case,
            "pay",
            "--attach",
            &format!("receipt={file}"),
            "--json",
        ],
    )
    .ok()
    .json()
}

// 1 -----------------------------------------------------------------------------------------

#[test]
fn full_path_approve_acknowledge_pay_closes_approved_with_receipt_and_ordered_history() {
    let ws = Workspace::init();
    let case = claim(&ws, "alice");
    assert_eq!(case, "EXP-2026-0001");
    let opened = ws.show(&case);
    assert_eq!(opened["status"], "open");
    assert_eq!(opened["process"], PROCESS);
    assert_eq!(opened["version"], 1);
    assert_eq!(opened["fields"]["amount"], "205.50");
    assert_eq!(opened["fields"]["kind"], "reimbursement");
    assert_eq!(opened["fields"]["pay_date"], PAY_DATE);
    assert_eq!(strs(&opened["active_steps"]), ["manager_review"]);
    assert_eq!(strs(&opened["assignees"]), ["maria"]);

    let approved = ws.run("maria", &["approve", &case, "--json"]).ok().json();
    assert_eq!(
        strs(&approved["active_steps"]),
        ["hr_acknowledge", "finance_payment"]
    );
    assert_eq!(strs(&approved["assignees"]), ["hr", "finance"]);
    assert!(approved["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .all(|t| t["assignee_kind"] == "group"));

    let acknowledged = ws
        .run("hana", &["act", &case, "acknowledge", "--json"])
        .ok()
        .json();
    assert_eq!(acknowledged["status"], "open");
    assert_eq!(strs(&acknowledged["active_steps"]), ["finance_payment"]);

    let (file, sha) = receipt(&ws);
    let paid = ws
        .run_at(
            PAY_DAY,
            "felix",
            &[
                "act",
                &case,
                "pay",
                "--attach",
                &format!("receipt={file}"),
                "--json",
            ],
        )
        .ok()
        .json();
    assert_eq!(paid["status"], "closed");
    assert_eq!(paid["outcome"], "approved");

    let shown = ws.show(&case);
    assert_eq!(shown["status"], "closed");
    assert_eq!(shown["outcome"], "approved");
    assert_eq!(shown["closed_at"], PAY_DAY);
    assert!(shown["active_steps"].as_array().unwrap().is_empty());
    let attachments = shown["attachments"].as_array().unwrap();
    assert_eq!(attachments.len(), 1, "{shown}");
    assert_eq!(attachments[0]["kind"], "receipt");
    assert_eq!(attachments[0]["name"], "receipt.pdf");
    assert_eq!(attachments[0]["sha256"], sha.as_str());
    assert_eq!(
        attachments[0]["size"],
        std::fs::metadata(&file).unwrap().len()
    );

    let history = ws.history(&case);
    let seen: Vec<(i64, &str, &str, Option<&str>)> = history
        .iter()
        .map(|e| {
            (
                e["seq"].as_i64().unwrap(),
                e["actor"].as_str().unwrap(),
                e["kind"].as_str().unwrap(),
                e["action"].as_str(),
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            (1, "alice", "opened", None),
            (2, "maria", "acted", Some("approve")),
            (3, "hana", "acted", Some("acknowledge")),
            (4, "felix", "acted", Some("pay")),
        ]
    );
    assert_eq!(strs(&history[1]["from_steps"]), ["manager_review"]);
    assert_eq!(
        strs(&history[1]["to_steps"]),
        ["hr_acknowledge", "finance_payment"]
    );
    assert_eq!(strs(&history[3]["from_steps"]), ["finance_payment"]);
    assert!(history[3]["to_steps"].as_array().unwrap().is_empty());
    assert_eq!(history[3]["at"], PAY_DAY);
}

// 2 -----------------------------------------------------------------------------------------

#[test]
fn partial_approval_below_the_claim_ends_partially_approved() {
    let ws = Workspace::init();
    let case = claim(&ws, "alice");
    let after = ws
        .run(
            "maria",
            &[
                "act",
                &case,
                "approve_partial",
                "--field",
                "approved_amount=150.00",
                "--comment",
                "hotel over policy",
                "--json",
            ],
        )
        .ok()
        .json();
    assert_eq!(
        strs(&after["active_steps"]),
        ["hr_acknowledge", "finance_payment"]
    );
    assert_eq!(after["fields"]["approved_amount"], "150.00");
    let last = ws.history(&case).pop().unwrap();
    assert_eq!(last["action"], "approve_partial");
    assert_eq!(last["comment"], "hotel over policy");

    let paid = finish_payout(&ws, &case);
    assert_eq!(paid["status"], "closed");
    assert_eq!(paid["outcome"], "partially_approved");
}

#[test]
fn partial_approval_of_the_whole_amount_or_more_is_refused_by_the_check() {
    let ws = Workspace::init();
    let case = claim(&ws, "alice");
    let before = ws.events(&case);
    for amount in ["205.50", "300.00"] {
        let run = ws
            .run(
                "maria",
                &[
                    "act",
                    &case,
                    "approve_partial",
                    "--field",
                    &format!("approved_amount={amount}"),
                    "--comment",
                    "x",
                ],
            )
            .fails(65);
        assert!(
            run.stderr
                .contains("the approved amount must be less than the amount claimed"),
            "{}",
            run.stderr
        );
        assert_eq!(ws.events(&case), before);
    }
    let shown = ws.show(&case);
    assert_eq!(strs(&shown["active_steps"]), ["manager_review"]);
    assert!(shown["fields"].get("approved_amount").is_none(), "{shown}");
}

#[test]
fn partial_approval_without_a_comment_is_refused_naming_the_comment() {
    let ws = Workspace::init();
    let case = claim(&ws, "alice");
    let before = ws.events(&case);
    let run = ws
        .run(
            "maria",
            &[
                "act",
                &case,
                "approve_partial",
                "--field",
                "approved_amount=100.00",
            ],
        )
        .fails(65);
    assert!(run.stderr.contains("comment"), "{}", run.stderr);
    assert_eq!(ws.events(&case), before);
    assert_eq!(strs(&ws.show(&case)["active_steps"]), ["manager_review"]);
}

// 3 -----------------------------------------------------------------------------------------

#[test]
fn rejection_closes_the_case_rejected_with_the_reason_in_history() {
    let ws = Workspace::init();
    let case = claim(&ws, "alice");
    let after = ws
        .run(
            "maria",
            &[
                "reject",
                &case,
                "--reason",
                "no receipts attached",
                "--json",
            ],
        )
        .ok()
        .json();
    assert_eq!(after["status"], "closed");
    assert_eq!(after["outcome"], "rejected");
    let shown = ws.show(&case);
    assert_eq!(shown["status"], "closed");
    assert_eq!(shown["outcome"], "rejected");
    let last = ws.history(&case).pop().unwrap();
    assert_eq!(last["actor"], "maria");
    assert_eq!(last["kind"], "acted");
    assert_eq!(last["action"], "reject");
    assert_eq!(last["comment"], "no receipts attached");
}

#[test]
fn reject_without_a_reason_is_a_usage_error() {
    let ws = Workspace::init();
    let case = claim(&ws, "alice");
    let before = ws.events(&case);
    let run = ws.run("maria", &["reject", &case]).fails(64);
    assert!(run.stderr.contains("--reason"), "{}", run.stderr);
    // A blank reason is no reason either.
    ws.run("maria", &["reject", &case, "--reason", "  "])
        .fails(65);
    assert_eq!(ws.events(&case), before);
    assert_eq!(ws.show(&case)["status"], "open");
}

// 4 -----------------------------------------------------------------------------------------

#[test]
fn manual_escalation_goes_to_the_directors_group_and_a_director_approves_to_payout() {
    let ws = Workspace::init();
    let case = claim(&ws, "alice");
    let after = ws
        .run(
            "maria",
            &[
                "escalate",
                &case,
                "--reason",
                "over my approval limit",
                "--json",
            ],
        )
        .ok()
        .json();
    assert_eq!(strs(&after["active_steps"]), ["director_review"]);
    assert_eq!(strs(&after["assignees"]), ["directors"]);
    assert_eq!(after["tasks"][0]["assignee_kind"], "group");

    let last = ws.history(&case).pop().unwrap();
    assert_eq!(last["actor"], "maria");
    assert_eq!(last["kind"], "escalated");
    assert_eq!(last["action"], "escalate");
    assert_eq!(last["comment"], "over my approval limit");
    assert_eq!(strs(&last["to_steps"]), ["director_review"]);

    // maria is not a director: the case has left her hands.
    ws.run("maria", &["approve", &case]).fails(77);
    let approved = ws.run("dmitri", &["approve", &case, "--json"]).ok().json();
    assert_eq!(
        strs(&approved["active_steps"]),
        ["hr_acknowledge", "finance_payment"]
    );
    let paid = finish_payout(&ws, &case);
    assert_eq!(paid["outcome"], "approved");
}

// 5 -----------------------------------------------------------------------------------------

#[test]
fn claim_above_threshold_opens_in_director_review_by_automatic_escalation() {
    let ws = Workspace::init();
    let case = big_claim(&ws, "alice");
    let shown = ws.show(&case);
    assert_eq!(shown["fields"]["amount"], "5500.50");
    assert_eq!(strs(&shown["active_steps"]), ["director_review"]);
    assert_eq!(strs(&shown["assignees"]), ["directors"]);

    let history = ws.history(&case);
    assert_eq!(history.len(), 2, "{history:?}");
    assert_eq!(history[0]["kind"], "opened");
    assert_eq!(history[0]["actor"], "alice");
    let escalated = &history[1];
    assert_eq!(escalated["kind"], "escalated");
    assert_eq!(escalated["actor"], "caseflow");
    assert!(
        escalated["note"]
            .as_str()
            .unwrap_or("")
            .contains("amount > escalation_threshold"),
        "{escalated}"
    );
    assert_eq!(strs(&escalated["from_steps"]), ["manager_review"]);
    assert_eq!(strs(&escalated["to_steps"]), ["director_review"]);
}

#[test]
fn claim_exactly_at_threshold_stays_with_the_manager() {
    let ws = Workspace::init();
    let case = ws.open("alice", PROCESS, &["kind=advance", "lines=Laptop: 5000.00"]);
    let shown = ws.show(&case);
    assert_eq!(shown["fields"]["amount"], "5000.00");
    assert_eq!(strs(&shown["active_steps"]), ["manager_review"]);
    assert!(ws.history(&case).iter().all(|e| e["kind"] != "escalated"));
}

// 6 -----------------------------------------------------------------------------------------

const ORG_OLGA_DIRECTOR: &str = "\
people:
  alice:  { name: Alice Smith,     email: alice@example.com,  supervisor: maria,  groups: [staff] }
  bob:    { name: Bob Jones,       email: bob@example.com,    supervisor: maria,  groups: [staff] }
  maria:  { name: María López,     email: maria@example.com,  supervisor: dmitri, groups: [managers] }
  dmitri: { name: Dmitri Ivanov,   email: dmitri@example.com, groups: [directors] }
  olga:   { name: Olga Petrova,    email: olga@example.com,   supervisor: dmitri, groups: [directors] }
  hana:   { name: Hana Kowalska,   email: hana@example.com,   supervisor: maria,  groups: [hr] }
  felix:  { name: Felix Wagner,    email: felix@example.com,  supervisor: maria,  groups: [finance] }
  fiona:  { name: Fiona García,    email: fiona@example.com,  supervisor: maria,  groups: [finance] }
  root:   { name: Ada Admin,       email: admin@example.com,  groups: [admins] }
";

#[test]
fn director_cannot_approve_own_claim_in_director_review_but_another_director_can() {
    let ws = Workspace::init();
    ws.file("org.yaml", ORG_OLGA_DIRECTOR);
    let case = big_claim(&ws, "olga");
    let shown = ws.show(&case);
    assert_eq!(strs(&shown["active_steps"]), ["director_review"]);
    assert_eq!(strs(&shown["assignees"]), ["directors"]);

    let before = ws.events(&case);
    let run = ws.run("olga", &["approve", &case]).fails(77);
    assert!(
        run.stderr.contains("separation of duties"),
        "{}",
        run.stderr
    );
    assert_eq!(ws.events(&case), before);
    assert_eq!(strs(&ws.show(&case)["active_steps"]), ["director_review"]);

    let approved = ws.run("dmitri", &["approve", &case, "--json"]).ok().json();
    assert_eq!(
        strs(&approved["active_steps"]),
        ["hr_acknowledge", "finance_payment"]
    );
    assert_eq!(ws.history(&case).pop().unwrap()["actor"], "dmitri");
}

// 7 -----------------------------------------------------------------------------------------

#[test]
fn colleague_who_is_not_the_manager_may_not_approve_and_the_case_is_unchanged() {
    let ws = Workspace::init();
    let case = claim(&ws, "alice");
    let before_show = ws.show(&case);
    let before = ws.events(&case);
    let run = ws.run("bob", &["approve", &case]).fails(77);
    assert!(run.stderr.contains("maria"), "{}", run.stderr);
    assert_eq!(ws.events(&case), before);
    assert_eq!(ws.show(&case)["active_steps"], before_show["active_steps"]);
    assert_eq!(ws.show(&case)["fields"], before_show["fields"]);
}

// 8 -----------------------------------------------------------------------------------------

#[test]
fn finance_cannot_pay_before_pay_date_but_can_on_it() {
    let ws = Workspace::init();
    let case = claim(&ws, "alice");
    ws.run("maria", &["approve", &case]).ok();
    ws.run("hana", &["act", &case, "acknowledge"]).ok();
    let (file, _) = receipt(&ws);
    let attach = format!("receipt={file}");
    let before = ws.events(&case);
    let run = ws
        .run_at(
            "2026-12-06T23:59:59Z",
            "felix",
            &["act", &case, "pay", "--attach", &attach],
        )
        .fails(65);
    assert!(run.stderr.contains("pay_date"), "{}", run.stderr);
    assert_eq!(ws.events(&case), before);
    let shown = ws.show(&case);
    assert_eq!(shown["status"], "open");
    assert!(
        shown["attachments"].as_array().unwrap().is_empty(),
        "a refused pay kept its attachment: {shown}"
    );

    let paid = ws
        .run_at(
            "2026-12-07T00:00:00Z",
            "felix",
            &["act", &case, "pay", "--attach", &attach, "--json"],
        )
        .ok()
        .json();
    assert_eq!(paid["outcome"], "approved");
}

// 9 -----------------------------------------------------------------------------------------

#[test]
fn action_not_offered_by_the_step_is_refused_listing_the_offered_actions() {
    let ws = Workspace::init();
    let case = claim(&ws, "alice");
    let before = ws.events(&case);
    let run = ws.run("maria", &["act", &case, "pay"]).fails(65);
    for action in ["approve", "approve_partial", "reject", "escalate"] {
        assert!(
            run.stderr.contains(action),
            "{action} not listed: {}",
            run.stderr
        );
    }
    assert!(
        run.stderr
            .contains("approve, approve_partial, reject, escalate"),
        "{}",
        run.stderr
    );
    assert_eq!(ws.events(&case), before);
}

// 10 ----------------------------------------------------------------------------------------

#[test]
fn bad_date_on_open_is_refused_naming_the_field_and_opens_nothing() {
    let ws = Workspace::init();
    let run = ws
        .run(
            "alice",
            &[
                "open",
                PROCESS,
                "--field",
                "kind=reimbursement",
                "--field",
                LINES,
                "--field",
                "pay_date=notadate",
            ],
        )
        .fails(65);
    assert!(run.stderr.contains("pay_date"), "{}", run.stderr);
    assert!(run.stderr.contains("a date"), "{}", run.stderr);
    assert!(ids(ws.run("root", &["list", "--format", "ids"])).is_empty());
}

#[test]
fn computed_amount_cannot_be_given_on_open() {
    let ws = Workspace::init();
    let run = ws
        .run(
            "alice",
            &[
                "open",
                PROCESS,
                "--field",
                "kind=reimbursement",
                "--field",
                LINES,
                "--field",
                "amount=abc",
            ],
        )
        .fails(65);
    assert!(run.stderr.contains("amount"), "{}", run.stderr);
    let run = ws
        .run(
            "alice",
            &[
                "open",
                PROCESS,
                "--field",
                "kind=reimbursement",
                "--field",
                LINES,
                "--field",
                "amount=3.00",
            ],
        )
        .fails(65);
    assert!(
        run.stderr.contains("`amount`") && run.stderr.contains("computed"),
        "{}",
        run.stderr
    );
    assert!(ids(ws.run("root", &["list", "--format", "ids"])).is_empty());
}

#[test]
fn missing_required_lines_on_open_is_refused_naming_lines() {
    let ws = Workspace::init();
    let run = ws
        .run("alice", &["open", PROCESS, "--field", "kind=reimbursement"])
        .fails(65);
    assert!(run.stderr.contains("lines"), "{}", run.stderr);
    assert!(ids(ws.run("root", &["list", "--format", "ids"])).is_empty());
}

#[test]
fn unknown_field_is_refused_with_a_did_you_mean() {
    let ws = Workspace::init();
    let run = ws
        .run(
            "alice",
            &[
                "open",
                PROCESS,
                "--field",
                "kind=reimbursement",
                "--field",
                LINES,
                "--field",
                "paydate=2026-12-07",
            ],
        )
        .fails(65);
    assert!(run.stderr.contains("paydate"), "{}", run.stderr);
    assert!(
        run.stderr.contains("did you mean `pay_date`"),
        "{}",
        run.stderr
    );

    let case = claim(&ws, "alice");
    let before = ws.events(&case);
    let run = ws
        .run("alice", &["set", &case, "--field", "catgory=travel"])
        .fails(65);
    assert!(
        run.stderr.contains("did you mean `category`"),
        "{}",
        run.stderr
    );
    assert_eq!(ws.events(&case), before);
}

#[test]
fn bad_money_on_approve_partial_leaves_history_unchanged() {
    let ws = Workspace::init();
    let case = claim(&ws, "alice");
    let before = ws.events(&case);
    let run = ws
        .run(
            "maria",
            &[
                "act",
                &case,
                "approve_partial",
                "--field",
                "approved_amount=abc",
                "--comment",
                "too much",
            ],
        )
        .fails(65);
    assert!(run.stderr.contains("approved_amount"), "{}", run.stderr);
    assert_eq!(ws.events(&case), before);
    assert_eq!(strs(&ws.show(&case)["active_steps"]), ["manager_review"]);
}

#[test]
fn bad_value_in_set_leaves_history_unchanged() {
    let ws = Workspace::init();
    let case = claim(&ws, "alice");
    let before = ws.events(&case);
    let run = ws
        .run("alice", &["set", &case, "--field", "pay_date=31/12/2026"])
        .fails(65);
    assert!(run.stderr.contains("pay_date"), "{}", run.stderr);
    ws.run("alice", &["set", &case, "--field", "kind=gift"])
        .fails(65);
    assert_eq!(ws.events(&case), before);
    assert_eq!(ws.show(&case)["fields"]["pay_date"], PAY_DATE);
}

#[test]
fn unknown_case_is_exit_66() {
    let ws = Workspace::init();
    let run = ws
        .run("root", &["show", "EXP-2026-9999", "--json"])
        .fails(66);
    assert!(run.stderr.contains("EXP-2026-9999"), "{}", run.stderr);
    ws.run("root", &["history", "EXP-2026-9999"]).fails(66);
    ws.run("maria", &["approve", "EXP-2026-9999"]).fails(66);
}

#[test]
fn acting_on_a_closed_case_is_refused_and_changes_nothing() {
    let ws = Workspace::init();
    let case = claim(&ws, "alice");
    ws.run(
        "maria",
        &["reject", &case, "--reason", "duplicate of EXP-2026-0000"],
    )
    .ok();
    let before = ws.events(&case);
    for (actor, args) in [
        ("maria", vec!["approve", &case]),
        ("maria", vec!["reject", &case, "--reason", "again"]),
        ("root", vec!["act", &case, "approve"]),
        (
            "alice",
            vec!["set", &case, "--field", "pay_date=2026-12-31"],
        ),
    ] {
        let run = ws.run(actor, &args).fails(65);
        assert!(run.stderr.contains("closed"), "{args:?}: {}", run.stderr);
        assert_eq!(ws.events(&case), before, "{args:?}");
    }
    assert_eq!(ws.show(&case)["outcome"], "rejected");
}

// 11 ----------------------------------------------------------------------------------------

#[test]
fn managers_supervisor_may_approve_and_the_event_says_he_acted_as_supervisor() {
    let ws = Workspace::init();
    let case = claim(&ws, "alice");
    let after = ws.run("dmitri", &["approve", &case, "--json"]).ok().json();
    assert_eq!(
        strs(&after["active_steps"]),
        ["hr_acknowledge", "finance_payment"]
    );
    let last = ws.history(&case).pop().unwrap();
    assert_eq!(last["actor"], "dmitri");
    assert_eq!(last["action"], "approve");
    let note = last["note"].as_str().unwrap_or_default();
    assert!(
        note.contains("dmitri") && note.contains("supervisor"),
        "{last}"
    );
}

// 12 ----------------------------------------------------------------------------------------

#[test]
fn set_is_audited_with_before_and_after() {
    let ws = Workspace::init();
    let case = claim(&ws, "alice");
    let before = ws.events(&case);
    let after = ws
        .run(
            "maria",
            &[
                "set",
                &case,
                "--field",
                "pay_date=2026-12-14",
                "--comment",
                "bank holiday",
                "--json",
            ],
        )
        .ok()
        .json();
    assert_eq!(after["fields"]["pay_date"], "2026-12-14");
    let history = ws.history(&case);
    assert_eq!(history.len(), before + 1);
    let set = history.last().unwrap();
    assert_eq!(set["kind"], "fields_set");
    assert_eq!(set["actor"], "maria");
    assert_eq!(set["comment"], "bank holiday");
    let changes = set["changes"].as_array().unwrap();
    let change = changes
        .iter()
        .find(|c| c["change"] == "field" && c["name"] == "pay_date")
        .unwrap_or_else(|| panic!("{set}"));
    assert_eq!(change["before"], PAY_DATE);
    assert_eq!(change["after"], "2026-12-14");

    // Changing the lines recomputes the amount, and both changes are recorded.
    ws.run("maria", &["set", &case, "--field", "lines=Taxi: 30.00"])
        .ok();
    let set = ws.history(&case).pop().unwrap();
    let changes = set["changes"].as_array().unwrap();
    let amount = changes
        .iter()
        .find(|c| c["name"] == "amount")
        .unwrap_or_else(|| panic!("{set}"));
    assert_eq!(amount["before"], "205.50");
    assert_eq!(amount["after"], "30.00");
}

// 13 ----------------------------------------------------------------------------------------

#[test]
fn list_filters_by_queue_status_process_step_field_and_prints_ids_in_opening_order() {
    let ws = Workspace::init();
    let a1 = claim(&ws, "alice");
    let a2 = ws.open("bob", PROCESS, &["kind=advance", "lines=Flight: 420.00"]);
    let a3 = big_claim(&ws, "alice");
    let a4 = claim(&ws, "bob");
    ws.run("maria", &["reject", &a4, "--reason", "duplicate"])
        .ok();
    let a5 = claim(&ws, "maria"); // her own claim waits for dmitri

    let list = |actor: &str, args: &[&str]| {
        let mut all = vec!["list"];
        all.extend_from_slice(args);
        all.extend_from_slice(&["--format", "ids"]);
        ids(ws.run(actor, &all))
    };
    assert_eq!(
        list("root", &[]),
        [a1.clone(), a2.clone(), a3.clone(), a4.clone(), a5.clone()]
    );
    assert_eq!(list("maria", &["--mine"]), [a1.clone(), a2.clone()]);
    assert_eq!(list("dmitri", &["--mine"]), [a3.clone(), a5.clone()]);
    assert!(list("alice", &["--mine"]).is_empty());
    assert_eq!(
        list("root", &["--status", "closed"]),
        std::slice::from_ref(&a4)
    );
    assert_eq!(
        list("root", &["--status", "open"]),
        [a1.clone(), a2.clone(), a3.clone(), a5.clone()]
    );
    assert_eq!(
        list("root", &["--process", PROCESS]),
        [a1.clone(), a2.clone(), a3.clone(), a4.clone(), a5.clone()]
    );
    assert!(list("root", &["--process", "complaints"]).is_empty());
    assert_eq!(
        list("root", &["--step", "director_review"]),
        std::slice::from_ref(&a3)
    );
    assert_eq!(
        list("root", &["--step", "manager_review"]),
        [a1.clone(), a2.clone(), a5.clone()]
    );
    assert_eq!(
        list("root", &["--field", "kind=advance"]),
        std::slice::from_ref(&a2)
    );
    assert_eq!(
        list(
            "root",
            &["--field", "kind=reimbursement", "--status", "open"]
        ),
        [a1.clone(), a3.clone(), a5.clone()]
    );

    let json = ws.run("root", &["list", "--mine", "--json"]).ok().json();
    assert!(
        json["cases"].as_array().unwrap().is_empty(),
        "root has no queue: {json}"
    );
    let json = ws.run("maria", &["list", "--mine", "--json"]).ok().json();
    let got: Vec<&str> = json["cases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(got, [a1.as_str(), a2.as_str()]);
}

// 14 ----------------------------------------------------------------------------------------

#[test]
fn case_ids_are_sequential_per_prefix_and_year() {
    let ws = Workspace::init();
    assert_eq!(claim(&ws, "alice"), "EXP-2026-0001");
    assert_eq!(claim(&ws, "bob"), "EXP-2026-0002");
    // A refused opening does not use up a number.
    ws.run("alice", &["open", PROCESS, "--field", "kind=advance"])
        .fails(65);
    let next_year = ws
        .run_at(
            "2027-01-04T09:00:00Z",
            "alice",
            &[
                "open",
                PROCESS,
                "--field",
                "kind=advance",
                "--field",
                "lines=Train: 89.90",
                "--json",
            ],
        )
        .ok()
        .json();
    assert_eq!(next_year["id"], "EXP-2027-0001");
    assert_eq!(next_year["opened_at"], "2027-01-04T09:00:00Z");
    assert_eq!(claim(&ws, "alice"), "EXP-2026-0003");
}

// 15 ----------------------------------------------------------------------------------------

#[test]
fn deploy_is_idempotent_and_a_changed_definition_becomes_version_2_while_old_cases_stay_on_1() {
    let ws = Workspace::init();
    // Every bundled process is deployed; pick this one's entry by name.
    let entry = |deployed: &Value| -> Value {
        deployed["deployed"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["process"] == PROCESS)
            .unwrap_or_else(|| panic!("{PROCESS} not deployed: {deployed}"))
            .clone()
    };
    let deployed = entry(&ws.run("root", &["deploy", "--json"]).ok().json());
    assert_eq!(deployed["process"], PROCESS);
    assert_eq!(deployed["changed"], false);
    assert_eq!(deployed["version"], 1);
    let text = ws.run("root", &["deploy"]).ok();
    assert!(text.stdout.contains("unchanged"), "{}", text.stdout);

    let old = claim(&ws, "alice");

    let path = ws
        .path()
        .join("processes")
        .join("expense-reimbursement.yaml");
    let source = std::fs::read_to_string(&path).unwrap();
    let edited = source.replace(
        "\ntitle: Expense advance or reimbursement\n",
        "\ntitle: Expense claim\n",
    );
    assert_ne!(source, edited, "the title line was not found");
    std::fs::write(&path, edited).unwrap();

    let deployed = entry(&ws.run("root", &["deploy", "--json"]).ok().json());
    assert_eq!(deployed["changed"], true);
    assert_eq!(deployed["version"], 2);
    let again = entry(&ws.run("root", &["deploy", "--json"]).ok().json());
    assert_eq!(again["changed"], false);
    assert_eq!(again["version"], 2);

    let new = claim(&ws, "bob");
    let new_case = ws.show(&new);
    assert_eq!(new_case["version"], 2);
    assert_eq!(new_case["title"], "Expense claim");
    let old_case = ws.show(&old);
    assert_eq!(old_case["version"], 1);
    assert_eq!(old_case["title"], "Expense advance or reimbursement");

    let processes = ws.run("root", &["processes", "--json"]).ok().json();
    let p = processes["processes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == PROCESS)
        .unwrap();
    assert_eq!(p["latest_version"], 2);
    assert_eq!(p["title"], "Expense claim");
    assert_eq!(p["open_by_version"]["1"], 1, "{p}");
    assert_eq!(p["open_by_version"]["2"], 1, "{p}");

    // The old case still runs on its own version.
    ws.run("maria", &["approve", &old]).ok();
    assert_eq!(ws.show(&old)["version"], 1);
}

// Beyond the brief ---------------------------------------------------------------------------

/// Regression: the requester could `set` the expense lines after the manager approved, raising
/// the amount past both the approval and the escalation threshold. Only people who may act on
/// an open step (or admins) may change fields.
#[test]
fn requester_cannot_raise_the_claim_after_approval() {
    let ws = Workspace::init();
    let case = claim(&ws, "alice");
    ws.run("maria", &["approve", &case]).ok();
    let before = ws.events(&case);
    ws.run("alice", &["set", &case, "--field", "lines=Taxi: 42000.00"])
        .fails(77);
    assert_eq!(ws.events(&case), before);
    assert_eq!(ws.show(&case)["fields"]["amount"], "205.50");
}
