//! End to end: the change-request process (seed 004, "Dyspozycje klientów i zmiany w umowie")
//! through the real binary: standard changes applied at once, significant ones prepared and
//! approved (four eyes), waiting for the customer's documents and resuming when they arrive,
//! the arrears loop, and the letters queued.

mod common;
use common::*;

const PROCESS: &str = "change-request";
const CUSTOMER: &str = "jan@example.com";

/// A request registered by the help-desk (jonas) with the base fields and `extra` ones.
fn request(ws: &Workspace, extra: &[&str]) -> String {
    let mut fields = vec![
        "contract_number=UM/2026/00042",
        "customer_name=Jan Kowalski",
        "customer_email=jan@example.com",
    ];
    fields.extend_from_slice(extra);
    ws.open("jonas", PROCESS, &fields)
}

fn attach(ws: &Workspace, case: &str, kind: &str) -> Run {
    let file = ws.file(&format!("{kind}.pdf"), &format!("scan of {kind}"));
    ws.run(
        "ewa",
        &["attach", case, &file.display().to_string(), "--kind", kind],
    )
}

fn outbox(ws: &Workspace, case: &str) -> Vec<(String, Vec<String>, Vec<String>)> {
    ws.outbox(case)
        .into_iter()
        .map(|q| (q.template, q.to, q.cc))
        .collect()
}

fn templates(ws: &Workspace, case: &str) -> Vec<String> {
    outbox(ws, case).into_iter().map(|(t, _, _)| t).collect()
}

#[test]
fn a_change_of_address_is_applied_at_once_and_confirmed() {
    let ws = Workspace::init();
    // The contract number must look like one.
    let run = ws
        .run(
            "jonas",
            &[
                "open",
                PROCESS,
                "--field",
                "contract_number=42",
                "--field",
                "customer_name=Jan Kowalski",
                "--field",
                "customer_email=jan@example.com",
                "--field",
                "channel=phone",
                "--field",
                "change_type=address",
            ],
        )
        .fails(65);
    assert!(
        run.stderr.contains(
            "field `contract_number`: \"42\" does not match the pattern UM/[0-9]{4}/[0-9]{5} (as on the contract, like UM/2026/00001)"
        ),
        "{}",
        run.stderr
    );
    let case = request(
        &ws,
        &[
            "channel=phone",
            "change_type=address",
            "new_address=ul. Długa 5, 31-147 Kraków",
        ],
    );
    let shown = ws.show(&case);
    assert_eq!(shown["status"], "closed");
    assert_eq!(shown["outcome"], "changed");
    assert_eq!(shown["fields"]["applied"], true);
    assert_eq!(shown["fields"]["significant"], false);
    assert!(shown["tasks"].as_array().unwrap().is_empty());
    assert!(shown["checklist"].as_array().unwrap().is_empty());
    assert_eq!(
        outbox(&ws, &case),
        [(
            "change_confirmation".to_string(),
            vec![CUSTOMER.to_string()],
            vec![]
        )]
    );
    assert_eq!(ws.moves(&case), [mv("jonas", "opened", "", "", "")]);
}

#[test]
fn a_standard_change_without_the_new_details_is_completed_by_the_advisor() {
    let ws = Workspace::init();
    let case = request(&ws, &["channel=sms", "change_type=contact_details"]);
    let shown = ws.show(&case);
    assert_eq!(steps(&shown), ["prepare"]);
    assert_eq!(strs(&shown["assignees"]), ["ewa"]);
    assert_eq!(shown["fields"]["details_given"], false);
    // Only the advisor handles it.
    let before = ws.history(&case).len();
    ws.run("mia", &["act", &case, "apply_change"]).fails(77);
    assert_eq!(ws.history(&case).len(), before);
    let run = ws.run("ewa", &["act", &case, "apply_change"]).fails(65);
    assert!(
        run.stderr.contains(
            "only a change of address or contact details with the new details given is applied at once"
        ),
        "{}",
        run.stderr
    );
    let run = ws
        .run(
            "ewa",
            &["act", &case, "apply_change", "--field", "new_phone=call me"],
        )
        .fails(65);
    assert!(run.stderr.contains("field `new_phone`"), "{}", run.stderr);
    ws.run(
        "ewa",
        &[
            "act",
            &case,
            "apply_change",
            "--field",
            "new_phone=+48 600 100 200",
        ],
    )
    .ok();
    let shown = ws.show(&case);
    assert_eq!(shown["outcome"], "changed");
    assert_eq!(shown["fields"]["new_phone"], "+48 600 100 200");
    assert_eq!(templates(&ws, &case), ["change_confirmation"]);
}

#[test]
fn a_new_payment_schedule_waits_for_the_documents_resumes_and_is_approved_by_someone_else() {
    let ws = Workspace::init();
    let case = request(&ws, &["channel=post", "change_type=payment_schedule"]);
    let shown = ws.show(&case);
    assert_eq!(shown["fields"]["significant"], true);
    assert_eq!(steps(&shown), ["await_documents"]);
    assert_eq!(strs(&shown["assignees"]), ["ewa"]);
    assert_eq!(
        outbox(&ws, &case),
        [(
            "documents_requested".to_string(),
            vec![CUSTOMER.to_string()],
            vec!["ewa".to_string()]
        )]
    );
    ws.run("jonas", &["act", &case, "remind_customer"])
        .fails(77);
    ws.run("ewa", &["act", &case, "remind_customer"]).ok();
    // The signed application arrives: the case resumes by itself.
    attach(&ws, &case, "signed_application").ok();
    assert_eq!(steps(&ws.show(&case)), ["prepare"]);
    // The advisor asks for one more document (round 2 of the wait).
    let run = ws
        .run("ewa", &["act", &case, "ask_for_documents"])
        .fails(65);
    assert!(
        run.stderr.contains("`requested_documents`"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("a comment"), "{}", run.stderr);
    let run = ws
        .run(
            "ewa",
            &[
                "act",
                &case,
                "ask_for_documents",
                "--field",
                "requested_documents=bank_statement",
                "--comment",
                "x",
            ],
        )
        .fails(65);
    assert!(run.stderr.contains("nothing to wait for"), "{}", run.stderr);
    ws.run(
        "ewa",
        &[
            "act",
            &case,
            "ask_for_documents",
            "--field",
            "requested_documents=income_statement",
            "--comment",
            "Please send your income statement",
        ],
    )
    .ok();
    let shown = ws.show(&case);
    assert_eq!(steps(&shown), ["await_documents"]);
    assert_eq!(
        shown["checklist"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| (
                d["kind"].as_str().unwrap(),
                d["attached"].as_bool().unwrap()
            ))
            .collect::<Vec<_>>(),
        [("income_statement", false), ("signed_application", true)]
    );
    attach(&ws, &case, "income_statement").ok();
    assert_eq!(steps(&ws.show(&case)), ["prepare"]);
    // Significant: not applied at once; the new terms are needed.
    let run = ws.run("ewa", &["act", &case, "apply_change"]).fails(65);
    assert!(run.stderr.contains("needs approval"), "{}", run.stderr);
    let run = ws
        .run("ewa", &["act", &case, "submit_for_approval"])
        .fails(65);
    assert!(run.stderr.contains("`balance`"), "{}", run.stderr);
    let run = ws
        .run(
            "ewa",
            &[
                "act",
                &case,
                "submit_for_approval",
                "--field",
                "balance=1000.00",
            ],
        )
        .fails(65);
    assert!(
        run.stderr
            .contains("a new payment schedule needs balance, instalment_count and first_due"),
        "{}",
        run.stderr
    );
    let submitted = ws
        .run(
            "ewa",
            &[
                "act",
                &case,
                "submit_for_approval",
                "--field",
                "balance=1000.00",
                "--field",
                "instalment_count=3",
                "--field",
                "first_due=2027-01-31",
                "--json",
            ],
        )
        .ok()
        .json();
    assert_eq!(steps(&submitted), ["approval"]);
    assert_eq!(strs(&submitted["assignees"]), ["team_leads"]);
    assert_eq!(
        submitted["fields"]["new_schedule"],
        serde_json::json!([
            {"description": "2027-01-31", "amount": "333.33"},
            {"description": "2027-02-28", "amount": "333.33"},
            {"description": "2027-03-31", "amount": "333.34"}
        ])
    );
    // Four eyes: the advisor may not approve, and the approval cannot be handed to her.
    ws.run("ewa", &["approve", &case]).fails(77);
    let run = ws.run("root", &["assign", &case, "--to", "ewa"]).fails(77);
    assert!(
        run.stderr
            .contains("separation of duties excludes the advisor"),
        "{}",
        run.stderr
    );
    ws.run("root", &["assign", &case, "--to", "tomasz"]).ok();
    let done = ws.run("tomasz", &["approve", &case, "--json"]).ok().json();
    assert_eq!(done["status"], "closed");
    assert_eq!(done["outcome"], "changed_after_approval");
    assert_eq!(done["fields"]["applied"], true);
    assert_eq!(
        templates(&ws, &case),
        [
            "documents_requested",
            "documents_reminder",
            "documents_requested",
            "change_confirmation"
        ]
    );
    let resumed: Vec<_> = ws
        .moves(&case)
        .into_iter()
        .filter(|m| m.1 == "resumed" || m.1 == "acted")
        .collect();
    assert_eq!(
        resumed,
        [
            mv(
                "ewa",
                "acted",
                "remind_customer",
                "await_documents",
                "await_documents"
            ),
            mv("caseflow", "resumed", "", "await_documents", "prepare"),
            mv(
                "ewa",
                "acted",
                "ask_for_documents",
                "prepare",
                "await_documents"
            ),
            mv("caseflow", "resumed", "", "await_documents", "prepare"),
            mv("ewa", "acted", "submit_for_approval", "prepare", "approval"),
            mv("tomasz", "acted", "approve", "approval", ""),
        ]
    );
}

#[test]
fn arrears_send_the_change_back_and_the_authorised_person_may_reject_it() {
    let ws = Workspace::init();
    let application = ws.file("application.pdf", "signed");
    let opened = ws
        .run(
            "jonas",
            &[
                "open",
                PROCESS,
                "--json",
                "--field",
                "contract_number=UM/2026/00042",
                "--field",
                "customer_name=Jan Kowalski",
                "--field",
                "customer_email=jan@example.com",
                "--field",
                "channel=email",
                "--field",
                "change_type=amount",
                "--attach",
                &format!("signed_application={}", application.display()),
            ],
        )
        .ok()
        .json();
    let case = opened["id"].as_str().expect("id").to_string();
    // Documents complete at intake: no waiting, straight to the advisor.
    assert_eq!(steps(&opened), ["prepare"]);
    ws.run(
        "ewa",
        &[
            "act",
            &case,
            "submit_for_approval",
            "--field",
            "balance=5000",
            "--field",
            "new_amount=4000",
            "--field",
            "arrears=120",
        ],
    )
    .ok();
    let run = ws.run("tomasz", &["approve", &case]).fails(65);
    assert!(
        run.stderr.contains("the customer has arrears"),
        "{}",
        run.stderr
    );
    assert_eq!(steps(&ws.show(&case)), ["approval"]);
    ws.run("tomasz", &["act", &case, "send_back"]).fails(65);
    ws.run(
        "tomasz",
        &[
            "act",
            &case,
            "send_back",
            "--comment",
            "Ask for the arrears first",
        ],
    )
    .ok();
    assert_eq!(steps(&ws.show(&case)), ["prepare"]);
    ws.run("ewa", &["act", &case, "ask_to_settle_arrears"]).ok();
    assert_eq!(
        templates(&ws, &case).last().unwrap(),
        "arrears_settlement_request"
    );
    ws.run(
        "ewa",
        &[
            "act",
            &case,
            "submit_for_approval",
            "--field",
            "arrears=0",
            "--comment",
            "Arrears paid on 2026-11-29",
        ],
    )
    .ok();
    assert_eq!(steps(&ws.show(&case)), ["approval"]);
    let run = ws.run("tomasz", &["act", &case, "reject"]).fails(65);
    assert!(run.stderr.contains("a comment"), "{}", run.stderr);
    ws.run(
        "tomasz",
        &[
            "reject",
            &case,
            "--reason",
            "The lower amount is not justified",
        ],
    )
    .ok();
    let shown = ws.show(&case);
    assert_eq!(shown["outcome"], "rejected");
    assert_eq!(shown["fields"]["applied"], false);
    assert_eq!(
        templates(&ws, &case),
        ["arrears_settlement_request", "change_rejected"]
    );
    let rounds: Vec<_> = ws
        .moves(&case)
        .into_iter()
        .filter(|m| m.1 == "acted")
        .map(|m| (m.2, m.4))
        .collect();
    let r = |a: &str, t: &str| (a.to_string(), t.to_string());
    assert_eq!(
        rounds,
        [
            r("submit_for_approval", "approval"),
            r("send_back", "prepare"),
            r("ask_to_settle_arrears", "prepare"),
            r("submit_for_approval", "approval"),
            r("reject", ""),
        ]
    );
}

#[test]
fn a_request_is_declined_closed_without_documents_or_withdrawn() {
    let ws = Workspace::init();
    let declined = request(&ws, &["channel=phone", "change_type=contact_details"]);
    ws.run("ewa", &["act", &declined, "decline"]).fails(65);
    ws.run(
        "ewa",
        &[
            "act",
            &declined,
            "decline",
            "--comment",
            "Caller could not be identified as the customer",
        ],
    )
    .ok();
    assert_eq!(ws.show(&declined)["outcome"], "declined");
    assert_eq!(templates(&ws, &declined), ["change_rejected"]);

    let waiting = request(&ws, &["channel=post", "change_type=amount"]);
    ws.run("ewa", &["act", &waiting, "give_up"]).fails(65);
    ws.run(
        "ewa",
        &[
            "act",
            &waiting,
            "give_up",
            "--comment",
            "No answer in 30 days",
        ],
    )
    .ok();
    assert_eq!(ws.show(&waiting)["outcome"], "closed_without_documents");
    assert_eq!(
        templates(&ws, &waiting),
        ["documents_requested", "request_closed_documents_missing"]
    );

    let withdrawn = request(&ws, &["channel=email", "change_type=payment_schedule"]);
    ws.run("ewa", &["act", &withdrawn, "withdraw", "--comment", "x"])
        .fails(77);
    ws.run(
        "jonas",
        &[
            "act",
            &withdrawn,
            "withdraw",
            "--comment",
            "Customer called to cancel",
        ],
    )
    .ok();
    let shown = ws.show(&withdrawn);
    assert_eq!(shown["outcome"], "withdrawn");
    assert!(shown["tasks"].as_array().unwrap().is_empty());
}
