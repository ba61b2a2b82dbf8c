//! End to end: the complaint-sla process (seed 004, "Skargi i reklamacje") through the real
//! binary: validity check, routing by tier / SLA terms / workload, remedies, the superior's
//! approval above the limit, reassignment and consultation, and the letters queued.

mod common;
use common::*;

use serde_json::Value;

const PROCESS: &str = "complaint-sla";
const CUSTOMER: &str = "jan@example.com";

/// A complaint about a washing machine under warranty, worth `value`, plus `extra` fields
/// (later ones override earlier ones of the same name).
fn complaint(ws: &Workspace, value: &str, extra: &[&str]) -> String {
    let value = format!("claim_value={value}");
    let mut fields = vec![
        "customer_name=Jan Kowalski",
        "customer_email=jan@example.com",
        "subject=device",
        "serial_number=SN-123456",
        "description=The washing machine does not spin",
        "event_date=2026-11-20",
        "covered_from=2025-01-10",
        "covered_until=2027-01-10",
        value.as_str(),
    ];
    fields.extend_from_slice(extra);
    ws.open("jonas", PROCESS, &fields)
}

/// Each recipient by address, or by person id when they have none.
fn outbox(ws: &Workspace, case: &str) -> Vec<(String, Vec<String>)> {
    ws.outbox(case)
        .into_iter()
        .map(|q| {
            let to = q
                .to_addresses
                .into_iter()
                .zip(q.to)
                .map(|(a, n)| if a.is_empty() { n } else { a })
                .collect();
            (q.template, to)
        })
        .collect()
}

fn templates(ws: &Workspace, case: &str) -> Vec<String> {
    outbox(ws, case).into_iter().map(|(t, _)| t).collect()
}

fn assignee(case: &Value) -> String {
    case["tasks"][0]["assignee"]
        .as_str()
        .unwrap_or_else(|| panic!("no task: {case}"))
        .to_string()
}

#[test]
fn standard_complaints_go_to_the_least_loaded_member_and_a_repair_below_the_limit_is_answered_at_once(
) {
    let ws = Workspace::init();
    let run = ws
        .run(
            "jonas",
            &[
                "open",
                PROCESS,
                "--priority",
                "high",
                "--json",
                "--field",
                "customer_name=Jan Kowalski",
                "--field",
                "customer_email=jan@example.com",
                "--field",
                "subject=device",
                "--field",
                "serial_number=SN-123456",
                "--field",
                "description=The washing machine does not spin",
                "--field",
                "event_date=2026-11-20",
                "--field",
                "covered_from=2025-01-10",
                "--field",
                "covered_until=2027-01-10",
                "--field",
                "claim_value=1500",
            ],
        )
        .ok()
        .json();
    let first = run["id"].as_str().expect("id").to_string();
    assert_eq!(first, "CPL-2026-0001");
    assert_eq!(run["priority"], "high");
    assert_eq!(run["fields"]["register_number"], "REK/2026/00001");
    assert_eq!(run["fields"]["identified"], true);
    assert_eq!(run["fields"]["covered"], true);
    assert_eq!(strs(&run["active_steps"]), ["analysis"]);
    // complaints_team is kasia, marek, piotr: each new complaint goes to whoever has least.
    let mut handlers = vec![assignee(&run)];
    let mut cases = vec![first.clone()];
    for _ in 0..3 {
        let case = complaint(&ws, "300", &[]);
        handlers.push(assignee(&ws.show(&case)));
        cases.push(case);
    }
    assert_eq!(handlers, ["kasia", "marek", "piotr", "kasia"]);
    assert_eq!(
        ws.show(&cases[3])["fields"]["register_number"],
        "REK/2026/00004"
    );
    // Once marek's case is decided he has the fewest open tasks, so the next one is his.
    let decided = cases[1].clone();
    let closed = ws
        .run("marek", &["act", &decided, "decide_repair", "--json"])
        .ok()
        .json();
    assert_eq!(closed["status"], "closed");
    assert_eq!(closed["outcome"], "repair");
    assert_eq!(closed["fields"]["remedy"], "repair");
    let next = complaint(&ws, "300", &[]);
    assert_eq!(assignee(&ws.show(&next)), "marek");
    assert_eq!(
        outbox(&ws, &decided),
        [
            ("complaint_received".to_string(), vec![CUSTOMER.to_string()]),
            (
                "decision_letter_repair".to_string(),
                vec![CUSTOMER.to_string()]
            ),
        ]
    );
    assert_eq!(
        ws.moves(&decided),
        [
            mv("jonas", "opened", "", "", "analysis"),
            mv("marek", "acted", "decide_repair", "analysis", ""),
        ]
    );
    assert_eq!(ws.show(&first)["status"], "open");
}

#[test]
fn vip_customers_go_to_the_vip_team_and_sla_contracts_to_the_premium_team() {
    let ws = Workspace::init();
    let vip = complaint(&ws, "300", &["tier=vip", "contract_terms=sla"]);
    let sla = complaint(&ws, "300", &["contract_terms=sla"]);
    let standard = complaint(&ws, "300", &[]);
    assert_eq!(assignee(&ws.show(&vip)), "zofia");
    assert_eq!(assignee(&ws.show(&sla)), "marek");
    // marek now has one task more than kasia and piotr, so the standard one skips him.
    assert_eq!(assignee(&ws.show(&standard)), "kasia");
    // Someone outside the chosen team may not decide (exit 77), and nothing changes.
    let before = ws.history(&vip).len();
    let run = ws
        .run("kasia", &["act", &vip, "decide_replacement"])
        .fails(77);
    assert!(
        run.stderr.contains("kasia may not act on case"),
        "{}",
        run.stderr
    );
    assert_eq!(ws.history(&vip).len(), before);
    assert_eq!(strs(&ws.show(&vip)["active_steps"]), ["analysis"]);
    ws.run("zofia", &["act", &vip, "decide_replacement"]).ok();
    let shown = ws.show(&vip);
    assert_eq!(shown["outcome"], "replacement");
    assert_eq!(
        templates(&ws, &vip),
        ["complaint_received", "decision_letter_replacement"]
    );
}

#[test]
fn a_complaint_not_covered_on_the_event_date_gets_a_rejection_letter_at_once() {
    let ws = Workspace::init();
    // Warranty ended before the fault; bought after the "event"; no warranty date at all.
    let expired = complaint(&ws, "300", &["covered_until=2026-11-19"]);
    let before_purchase = complaint(&ws, "300", &["covered_from=2026-11-21"]);
    let undated = ws.open(
        "jonas",
        PROCESS,
        &[
            "customer_name=Jan Kowalski",
            "customer_email=jan@example.com",
            "subject=service",
            "service_name=Internet 300",
            "description=No connection",
            "event_date=2026-11-20",
            "claim_value=100",
        ],
    );
    for case in [&expired, &before_purchase, &undated] {
        let shown = ws.show(case);
        assert_eq!(shown["status"], "closed", "{case}");
        assert_eq!(shown["outcome"], "rejected_not_covered", "{case}");
        assert_eq!(shown["fields"]["covered"], false, "{case}");
        assert_eq!(shown["fields"]["identified"], true, "{case}");
        assert!(shown["tasks"].as_array().unwrap().is_empty());
        assert_eq!(
            outbox(&ws, case),
            [
                ("complaint_received".to_string(), vec![CUSTOMER.to_string()]),
                (
                    "rejection_letter_not_covered".to_string(),
                    vec![CUSTOMER.to_string()]
                ),
            ]
        );
    }
    // The event on the last day of the warranty is still covered.
    let last_day = complaint(&ws, "300", &["covered_until=2026-11-20"]);
    assert_eq!(ws.show(&last_day)["status"], "open");
}

#[test]
fn an_unidentified_subject_loops_back_to_the_registrar_until_it_is_identified() {
    let ws = Workspace::init();
    // A malformed policy number is refused at intake, naming the field and the pattern.
    let run = ws
        .run(
            "jonas",
            &[
                "open",
                PROCESS,
                "--field",
                "customer_name=Jan Kowalski",
                "--field",
                "customer_email=jan@example.com",
                "--field",
                "subject=policy",
                "--field",
                "policy_number=12345",
                "--field",
                "description=Claim refused by the agent",
                "--field",
                "event_date=2026-11-20",
                "--field",
                "claim_value=800",
            ],
        )
        .fails(65);
    assert!(
        run.stderr.contains("field `policy_number`: \"12345\" does not match the pattern POL/[0-9]{4}/[0-9]{6} (like POL/2026/000123)"),
        "{}",
        run.stderr
    );
    // A policy complaint without the policy number waits for the registrar.
    let case = complaint(&ws, "800", &["subject=policy"]);
    let shown = ws.show(&case);
    assert_eq!(shown["fields"]["identified"], false);
    assert_eq!(strs(&shown["active_steps"]), ["complete_data"]);
    assert_eq!(assignee(&shown), "jonas");
    // Only the registrar completes it.
    ws.run("kasia", &["act", &case, "data_completed"]).fails(77);
    // Completed without the number: checked again, back to the registrar (round 2).
    ws.run("jonas", &["act", &case, "data_completed"]).ok();
    assert_eq!(strs(&ws.show(&case)["active_steps"]), ["complete_data"]);
    // Round 3 brings the number; covered, so it reaches a handler.
    ws.run(
        "jonas",
        &[
            "act",
            &case,
            "data_completed",
            "--field",
            "policy_number=POL/2026/000123",
        ],
    )
    .ok();
    let shown = ws.show(&case);
    assert_eq!(shown["fields"]["identified"], true);
    assert_eq!(strs(&shown["active_steps"]), ["analysis"]);
    assert_eq!(
        ws.moves(&case),
        [
            mv("jonas", "opened", "", "", "complete_data"),
            mv(
                "jonas",
                "acted",
                "data_completed",
                "complete_data",
                "complete_data"
            ),
            mv(
                "jonas",
                "acted",
                "data_completed",
                "complete_data",
                "analysis"
            ),
        ]
    );

    // When the subject cannot be identified, the registrar closes it, with a reason.
    let other = complaint(&ws, "800", &["subject=service"]);
    let run = ws
        .run("jonas", &["act", &other, "close_unidentified"])
        .fails(65);
    assert!(
        run.stderr.contains("a comment (--comment"),
        "{}",
        run.stderr
    );
    assert_eq!(ws.show(&other)["status"], "open");
    ws.run(
        "jonas",
        &[
            "act",
            &other,
            "close_unidentified",
            "--comment",
            "No such service on the account",
        ],
    )
    .ok();
    let shown = ws.show(&other);
    assert_eq!(shown["outcome"], "rejected_not_identified");
    assert_eq!(
        templates(&ws, &other),
        ["complaint_received", "rejection_letter_not_identified"]
    );
}

#[test]
fn above_the_limit_the_superior_approves_and_can_send_the_decision_back() {
    let ws = Workspace::init();
    let case = complaint(&ws, "5000", &[]);
    assert_eq!(assignee(&ws.show(&case)), "kasia");
    // A discount needs its amount, and no more than the claim.
    let run = ws
        .run("kasia", &["act", &case, "decide_discount"])
        .fails(65);
    assert!(run.stderr.contains("`discount_amount`"), "{}", run.stderr);
    let run = ws
        .run(
            "kasia",
            &[
                "act",
                &case,
                "decide_discount",
                "--field",
                "discount_amount=6000",
            ],
        )
        .fails(65);
    assert!(
        run.stderr
            .contains("the discount must be more than 0 and at most the value of the claim"),
        "{}",
        run.stderr
    );
    assert!(!ws.show(&case)["fields"]
        .as_object()
        .unwrap()
        .contains_key("discount_amount"));
    ws.run(
        "kasia",
        &[
            "act",
            &case,
            "decide_discount",
            "--field",
            "discount_amount=500",
        ],
    )
    .ok();
    let shown = ws.show(&case);
    assert_eq!(strs(&shown["active_steps"]), ["superior_approval"]);
    assert_eq!(assignee(&shown), "team_leads");
    // The handler may not approve her own decision, and it cannot be handed to her.
    ws.run("kasia", &["approve", &case]).fails(77);
    let run = ws
        .run("root", &["assign", &case, "--to", "kasia"])
        .fails(77);
    assert!(
        run.stderr
            .contains("separation of duties excludes the handler"),
        "{}",
        run.stderr
    );
    ws.run("root", &["assign", &case, "--to", "tomasz"]).ok();
    // Sending back needs a reason.
    ws.run("tomasz", &["act", &case, "send_back"]).fails(65);
    ws.run(
        "tomasz",
        &[
            "act",
            &case,
            "send_back",
            "--comment",
            "Offer a replacement",
        ],
    )
    .ok();
    let shown = ws.show(&case);
    assert_eq!(strs(&shown["active_steps"]), ["analysis"]);
    let second_handler = assignee(&shown);
    ws.run(&second_handler, &["act", &case, "decide_replacement"])
        .ok();
    assert_eq!(strs(&ws.show(&case)["active_steps"]), ["superior_approval"]);
    let done = ws.run("tomasz", &["approve", &case, "--json"]).ok().json();
    assert_eq!(done["outcome"], "replacement");
    assert_eq!(done["fields"]["remedy"], "replacement");
    assert_eq!(
        templates(&ws, &case),
        ["complaint_received", "decision_letter_replacement"]
    );
    let rounds: Vec<_> = ws
        .moves(&case)
        .into_iter()
        .filter(|m| m.1 == "acted")
        .map(|m| (m.2, m.3, m.4))
        .collect();
    let r = |a: &str, f: &str, t: &str| (a.to_string(), f.to_string(), t.to_string());
    assert_eq!(
        rounds,
        [
            r("decide_discount", "analysis", "superior_approval"),
            r("send_back", "superior_approval", "analysis"),
            r("decide_replacement", "analysis", "superior_approval"),
            r("approve", "superior_approval", ""),
        ]
    );
}

#[test]
fn below_the_limit_a_discount_or_a_refusal_needs_no_approval() {
    let ws = Workspace::init();
    let discount = complaint(&ws, "2000", &[]);
    ws.run(
        "kasia",
        &[
            "act",
            &discount,
            "decide_discount",
            "--field",
            "discount_amount=150.50",
        ],
    )
    .ok();
    let shown = ws.show(&discount);
    assert_eq!(shown["outcome"], "discount");
    assert_eq!(shown["fields"]["discount_amount"], "150.50");
    assert_eq!(
        templates(&ws, &discount),
        ["complaint_received", "decision_letter_discount"]
    );

    let refusal = complaint(&ws, "40", &[]);
    let handler = assignee(&ws.show(&refusal));
    let run = ws.run(&handler, &["act", &refusal, "refuse"]).fails(65);
    assert!(run.stderr.contains("a comment"), "{}", run.stderr);
    ws.run(
        &handler,
        &[
            "act",
            &refusal,
            "refuse",
            "--comment",
            "Damage caused by misuse",
        ],
    )
    .ok();
    let shown = ws.show(&refusal);
    assert_eq!(shown["outcome"], "refused");
    assert_eq!(shown["fields"]["remedy"], "refusal");
    assert_eq!(
        templates(&ws, &refusal),
        ["complaint_received", "decision_letter_refusal"]
    );
}

#[test]
fn the_handler_consults_a_colleague_and_hands_the_case_over() {
    let ws = Workspace::init();
    let case = complaint(&ws, "300", &[]);
    assert_eq!(assignee(&ws.show(&case)), "kasia");
    ws.run(
        "kasia",
        &[
            "consult",
            &case,
            "--to",
            "zofia",
            "Is model X2 a valid replacement?",
        ],
    )
    .ok();
    let shown = ws.show(&case);
    let side = shown["side_tasks"].as_array().expect("side_tasks");
    assert_eq!(side.len(), 1);
    assert_eq!(side[0]["kind"], "consultation");
    assert_eq!(side[0]["assignee"], "zofia");
    assert_eq!(side[0]["asked_by"], "kasia");
    ws.run(
        "zofia",
        &["answer", &case, "--comment", "Yes, X2 replaces it"],
    )
    .ok();
    assert!(ws.show(&case)["side_tasks"].as_array().unwrap().is_empty());
    // A change of handler: kasia gives it to piotr, who is then the only one to act.
    ws.run(
        "kasia",
        &[
            "assign",
            &case,
            "--to",
            "piotr",
            "--comment",
            "piotr knows this model",
        ],
    )
    .ok();
    assert_eq!(assignee(&ws.show(&case)), "piotr");
    ws.run("kasia", &["act", &case, "decide_replacement"])
        .fails(77);
    ws.run("piotr", &["act", &case, "decide_replacement"]).ok();
    assert_eq!(ws.show(&case)["outcome"], "replacement");
    let history = ws.history(&case);
    let kinds: Vec<&str> = history
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        ["opened", "consultation", "answered", "assigned", "acted"]
    );
    assert_eq!(history[2]["actor"], "zofia");
    assert_eq!(history[2]["comment"], "Yes, X2 replaces it");
    assert_eq!(history[3]["actor"], "kasia");
    assert_eq!(history[4]["actor"], "piotr");
}

#[test]
fn escalating_the_analysis_hands_it_to_the_supervisor() {
    // What the SLA's on_breach will do; here by hand, since the clock does not run yet.
    let ws = Workspace::init();
    let case = complaint(&ws, "300", &[]);
    ws.run(
        "kasia",
        &["escalate", &case, "--reason", "Deadline at risk"],
    )
    .ok();
    let shown = ws.show(&case);
    assert_eq!(assignee(&shown), "tomasz");
    assert_eq!(shown["tasks"][0]["escalated"], true);
    ws.run("tomasz", &["act", &case, "decide_repair"]).ok();
    assert_eq!(ws.show(&case)["outcome"], "repair");
}

#[test]
fn the_registrar_may_withdraw_the_complaint_with_a_reason() {
    let ws = Workspace::init();
    let case = complaint(&ws, "300", &[]);
    ws.run("kasia", &["act", &case, "withdraw", "--comment", "x"])
        .fails(77);
    ws.run("jonas", &["act", &case, "withdraw"]).fails(65);
    assert_eq!(ws.show(&case)["status"], "open");
    ws.run(
        "jonas",
        &[
            "act",
            &case,
            "withdraw",
            "--comment",
            "Customer repaired it himself",
        ],
    )
    .ok();
    let shown = ws.show(&case);
    assert_eq!(shown["outcome"], "withdrawn");
    assert!(shown["tasks"].as_array().unwrap().is_empty());
    assert_eq!(
        templates(&ws, &case),
        ["complaint_received", "complaint_withdrawn"]
    );
}
