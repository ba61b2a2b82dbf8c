//! End to end: the contract-conclusion process (seed 004, "Zawieranie umów") through the real
//! binary: the dynamic checklist, the e-mail about missing documents, waiting for them, the
//! validity check, the automatic eligibility rules, the risk review and the signing.

mod common;
use common::*;

use serde_json::Value;

const PROCESS: &str = "contract-conclusion";
const CUSTOMER: &str = "biuro@abc.pl";

/// An application by `advisor` with the base fields and `extra` ones.
fn apply(ws: &Workspace, advisor: &str, extra: &[&str]) -> String {
    let mut fields = vec![
        "customer_name=ABC sp. z o.o.",
        "customer_email=biuro@abc.pl",
        "contract_date=2026-12-15",
    ];
    fields.extend_from_slice(extra);
    ws.open(advisor, PROCESS, &fields)
}

/// (kind, attached) of the case's checklist.
fn checklist(ws: &Workspace, case: &str) -> Vec<(String, bool)> {
    ws.show(case)["checklist"]
        .as_array()
        .expect("checklist")
        .iter()
        .map(|d| {
            (
                d["kind"].as_str().expect("kind").to_string(),
                d["attached"].as_bool().expect("attached"),
            )
        })
        .collect()
}

fn kinds(ws: &Workspace, case: &str) -> Vec<String> {
    checklist(ws, case).into_iter().map(|(k, _)| k).collect()
}

fn attach(ws: &Workspace, actor: &str, case: &str, kind: &str) -> Run {
    let file = ws.file(&format!("{kind}.pdf"), &format!("scan of {kind}"));
    ws.run(
        actor,
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

/// (kind, action, from, to) of every event.
fn moves(ws: &Workspace, case: &str) -> Vec<(String, String, String, String)> {
    ws.history(case)
        .iter()
        .map(|e| {
            (
                e["kind"].as_str().unwrap_or_default().to_string(),
                e["action"].as_str().unwrap_or_default().to_string(),
                strs(&e["from_steps"]).join(","),
                strs(&e["to_steps"]).join(","),
            )
        })
        .collect()
}

fn mv(kind: &str, action: &str, from: &str, to: &str) -> (String, String, String, String) {
    (kind.into(), action.into(), from.into(), to.into())
}

/// Record valid documents and a score: the case goes through the eligibility rules.
fn documents_valid(ws: &Workspace, advisor: &str, case: &str, score: &str) -> Value {
    ws.run(
        advisor,
        &[
            "act",
            case,
            "documents_valid",
            "--field",
            "id_valid_until=2030-05-01",
            "--field",
            &format!("score={score}"),
            "--json",
        ],
    )
    .ok()
    .json()
}

fn conclude(ws: &Workspace, advisor: &str, case: &str) -> Value {
    let file = ws.file("contract.pdf", "signed contract");
    ws.run(
        advisor,
        &[
            "act",
            case,
            "conclude",
            "--attach",
            &format!("signed_contract={}", file.display()),
            "--json",
        ],
    )
    .ok()
    .json()
}

#[test]
fn the_checklist_is_built_from_customer_type_product_and_representation() {
    let ws = Workspace::init();
    let person_credit = apply(
        &ws,
        "ewa",
        &["customer_type=person", "product=credit", "amount=20000"],
    );
    assert_eq!(kinds(&ws, &person_credit), ["id_card", "income_statement"]);
    let trader_sale = apply(
        &ws,
        "ewa",
        &["customer_type=sole_trader", "product=sale", "amount=5000"],
    );
    assert_eq!(kinds(&ws, &trader_sale), ["business_register", "id_card"]);
    let company_leasing = apply(
        &ws,
        "ewa",
        &[
            "customer_type=company",
            "product=leasing",
            "amount=120000",
            "representation=proxy",
        ],
    );
    assert_eq!(
        kinds(&ws, &company_leasing),
        [
            "asset_offer",
            "company_register",
            "financial_statements",
            "id_card",
            "power_of_attorney"
        ]
    );
    let company_insurance = apply(
        &ws,
        "ewa",
        &[
            "customer_type=company",
            "product=insurance",
            "amount=1000000",
            "representation=joint",
        ],
    );
    assert_eq!(
        kinds(&ws, &company_insurance),
        [
            "company_register",
            "id_card",
            "insurance_questionnaire",
            "second_representative_id"
        ]
    );
    // A malformed tax id is refused at intake, naming the field, the value and the rule.
    let run = ws
        .run(
            "ewa",
            &[
                "open",
                PROCESS,
                "--field",
                "customer_name=ABC",
                "--field",
                "customer_email=biuro@abc.pl",
                "--field",
                "customer_type=company",
                "--field",
                "product=sale",
                "--field",
                "amount=100",
                "--field",
                "contract_date=2026-12-15",
                "--field",
                "tax_id=123-456-78-90",
            ],
        )
        .fails(65);
    assert!(
        run.stderr.contains(
            "field `tax_id`: \"123-456-78-90\" does not match the pattern [0-9]{10} (10 digits without dashes)"
        ),
        "{}",
        run.stderr
    );
}

#[test]
fn missing_documents_are_emailed_the_case_resumes_when_they_arrive_and_the_contract_is_concluded() {
    let ws = Workspace::init();
    let case = apply(
        &ws,
        "ewa",
        &[
            "customer_type=company",
            "product=leasing",
            "amount=120000",
            "representation=proxy",
            "tax_id=5250001009",
        ],
    );
    let shown = ws.show(&case);
    assert_eq!(steps(&shown), ["collect_documents"]);
    assert_eq!(strs(&shown["assignees"]), ["ewa"]);
    assert_eq!(
        outbox(&ws, &case),
        [(
            "documents_missing".to_string(),
            vec![CUSTOMER.to_string()],
            vec!["ewa".to_string()]
        )]
    );
    // Only the advisor reminds the customer; the reminder is queued too.
    let before = ws.history(&case).len();
    ws.run("mia", &["act", &case, "remind_customer"]).fails(77);
    assert_eq!(ws.history(&case).len(), before);
    ws.run("ewa", &["act", &case, "remind_customer"]).ok();
    assert_eq!(
        templates(&ws, &case),
        ["documents_missing", "documents_missing_reminder"]
    );
    // Documents arrive one by one; the case waits until the last one.
    for kind in [
        "id_card",
        "company_register",
        "financial_statements",
        "power_of_attorney",
    ] {
        attach(&ws, "ewa", &case, kind).ok();
        assert_eq!(steps(&ws.show(&case)), ["collect_documents"], "{kind}");
    }
    assert_eq!(
        checklist(&ws, &case)
            .into_iter()
            .filter(|(_, attached)| !attached)
            .map(|(k, _)| k)
            .collect::<Vec<_>>(),
        ["asset_offer"]
    );
    attach(&ws, "ewa", &case, "asset_offer").ok();
    assert_eq!(steps(&ws.show(&case)), ["verification"]);
    let history = ws.history(&case);
    let last = history.last().expect("events");
    assert_eq!(last["kind"], "resumed");
    assert_eq!(last["actor"], "caseflow");
    assert_eq!(strs(&last["to_steps"]), ["verification"]);

    // Validity: the identity document and the score are needed, and the document must be valid.
    let run = ws.run("ewa", &["act", &case, "documents_valid"]).fails(65);
    assert!(run.stderr.contains("`id_valid_until`"), "{}", run.stderr);
    assert!(run.stderr.contains("`score`"), "{}", run.stderr);
    let run = ws
        .run(
            "ewa",
            &[
                "act",
                &case,
                "documents_valid",
                "--field",
                "id_valid_until=2026-12-14",
                "--field",
                "score=800",
            ],
        )
        .fails(65);
    assert!(
        run.stderr
            .contains("the identity document is not valid on the contract date"),
        "{}",
        run.stderr
    );
    assert!(!ws.show(&case)["fields"]
        .as_object()
        .unwrap()
        .contains_key("score"));
    ws.run(
        "ewa",
        &[
            "act",
            &case,
            "ask_for_valid_document",
            "--comment",
            "Your ID expires before the signing",
        ],
    )
    .ok();
    assert_eq!(templates(&ws, &case).last().unwrap(), "document_invalid");
    // A good score and an amount within the limit: straight to signing.
    let signing = documents_valid(&ws, "ewa", &case, "800");
    assert_eq!(steps(&signing), ["signing"]);
    let run = ws.run("ewa", &["act", &case, "conclude"]).fails(65);
    assert!(run.stderr.contains("`signed_contract`"), "{}", run.stderr);
    let done = conclude(&ws, "ewa", &case);
    assert_eq!(done["status"], "closed");
    assert_eq!(done["outcome"], "concluded");
    assert_eq!(done["fields"]["contract_number"], "UM/2026/00001");
    assert_eq!(
        outbox(&ws, &case).last().unwrap(),
        &(
            "contract_concluded".to_string(),
            vec![CUSTOMER.to_string()],
            vec!["ewa".to_string()]
        )
    );
    // The next contract gets the next number.
    let next = apply(
        &ws,
        "ewa",
        &["customer_type=sole_trader", "product=sale", "amount=900"],
    );
    attach(&ws, "ewa", &next, "id_card").ok();
    attach(&ws, "ewa", &next, "business_register").ok();
    documents_valid(&ws, "ewa", &next, "900");
    assert_eq!(
        conclude(&ws, "ewa", &next)["fields"]["contract_number"],
        "UM/2026/00002"
    );
}

#[test]
fn complete_documents_skip_the_email_and_a_low_score_declines_automatically() {
    let ws = Workspace::init();
    let id = ws.file("id.pdf", "id");
    let questionnaire = ws.file("q.pdf", "questionnaire");
    let opened = ws
        .run(
            "ewa",
            &[
                "open",
                PROCESS,
                "--json",
                "--field",
                "customer_name=Jan Kowalski",
                "--field",
                "customer_email=biuro@abc.pl",
                "--field",
                "customer_type=person",
                "--field",
                "product=insurance",
                "--field",
                "amount=300000",
                "--field",
                "contract_date=2026-12-15",
                "--attach",
                &format!("id_card={}", id.display()),
                "--attach",
                &format!("insurance_questionnaire={}", questionnaire.display()),
            ],
        )
        .ok()
        .json();
    let case = opened["id"].as_str().expect("id").to_string();
    assert_eq!(steps(&opened), ["verification"]);
    assert!(templates(&ws, &case).is_empty());
    let declined = documents_valid(&ws, "ewa", &case, "399");
    assert_eq!(declined["status"], "closed");
    assert_eq!(declined["outcome"], "declined_by_scoring");
    assert_eq!(templates(&ws, &case), ["contract_declined"]);
    assert_eq!(
        moves(&ws, &case),
        [
            mv("opened", "", "", "verification"),
            mv("acted", "documents_valid", "verification", ""),
        ]
    );
}

#[test]
fn a_doubtful_score_goes_to_risk_whose_extra_collateral_loops_back_through_the_checklist() {
    let ws = Workspace::init();
    // tomasz prepares this one himself; he supervises the risk team, but four eyes keep him out.
    let case = apply(
        &ws,
        "tomasz",
        &["customer_type=person", "product=credit", "amount=50000"],
    );
    attach(&ws, "tomasz", &case, "id_card").ok();
    attach(&ws, "tomasz", &case, "income_statement").ok();
    let review = documents_valid(&ws, "tomasz", &case, "600");
    assert_eq!(steps(&review), ["risk_review"]);
    assert_eq!(strs(&review["assignees"]), ["risk"]);
    ws.run("ewa", &["approve", &case]).fails(77);
    let run = ws.run("tomasz", &["approve", &case]).fails(77);
    assert!(
        run.stderr
            .contains("separation of duties excludes the advisor"),
        "{}",
        run.stderr
    );
    assert_eq!(steps(&ws.show(&case)), ["risk_review"]);
    // Conditions need the condition and a comment.
    let run = ws
        .run("adam", &["act", &case, "approve_with_conditions"])
        .fails(65);
    assert!(run.stderr.contains("`collateral`"), "{}", run.stderr);
    assert!(run.stderr.contains("a comment"), "{}", run.stderr);
    ws.run(
        "adam",
        &[
            "act",
            &case,
            "approve_with_conditions",
            "--field",
            "collateral=Guarantee of a second person",
            "--comment",
            "Score 600: guarantor needed",
        ],
    )
    .ok();
    // The condition puts a new document on the checklist; the customer is told, the case waits.
    let shown = ws.show(&case);
    assert_eq!(steps(&shown), ["collect_documents"]);
    assert_eq!(shown["fields"]["risk_approved"], true);
    assert_eq!(
        checklist(&ws, &case),
        [
            ("collateral_agreement".to_string(), false),
            ("id_card".to_string(), true),
            ("income_statement".to_string(), true)
        ]
    );
    assert_eq!(
        templates(&ws, &case),
        [
            "documents_missing",
            "additional_conditions",
            "documents_missing"
        ]
    );
    attach(&ws, "tomasz", &case, "collateral_agreement").ok();
    assert_eq!(steps(&ws.show(&case)), ["verification"]);
    // Second round: already approved by risk, so straight to signing.
    let signing = documents_valid(&ws, "tomasz", &case, "600");
    assert_eq!(steps(&signing), ["signing"]);
    let done = conclude(&ws, "tomasz", &case);
    assert_eq!(done["outcome"], "concluded");
    assert_eq!(
        moves(&ws, &case),
        [
            mv("opened", "", "", "collect_documents"),
            mv("attached", "", "collect_documents", "collect_documents"),
            mv("attached", "", "collect_documents", "collect_documents"),
            mv("resumed", "", "collect_documents", "verification"),
            mv("acted", "documents_valid", "verification", "risk_review"),
            mv(
                "acted",
                "approve_with_conditions",
                "risk_review",
                "collect_documents"
            ),
            mv("attached", "", "collect_documents", "collect_documents"),
            mv("resumed", "", "collect_documents", "verification"),
            mv("acted", "documents_valid", "verification", "signing"),
            mv("acted", "conclude", "signing", ""),
        ]
    );
}

#[test]
fn a_large_amount_goes_to_risk_even_with_a_good_score_and_risk_may_decline_or_approve() {
    let ws = Workspace::init();
    let big = apply(
        &ws,
        "ewa",
        &["customer_type=sole_trader", "product=sale", "amount=250000"],
    );
    attach(&ws, "ewa", &big, "id_card").ok();
    attach(&ws, "ewa", &big, "business_register").ok();
    assert_eq!(
        steps(&documents_valid(&ws, "ewa", &big, "950")),
        ["risk_review"]
    );
    ws.run("adam", &["act", &big, "decline"]).fails(65);
    ws.run(
        "adam",
        &[
            "act",
            &big,
            "decline",
            "--comment",
            "Trade credit limit exceeded",
        ],
    )
    .ok();
    let shown = ws.show(&big);
    assert_eq!(shown["outcome"], "declined_by_risk");
    assert_eq!(
        templates(&ws, &big),
        ["documents_missing", "contract_declined"]
    );

    let other = apply(
        &ws,
        "ewa",
        &["customer_type=sole_trader", "product=sale", "amount=250000"],
    );
    attach(&ws, "ewa", &other, "id_card").ok();
    attach(&ws, "ewa", &other, "business_register").ok();
    documents_valid(&ws, "ewa", &other, "950");
    ws.run("adam", &["approve", &other]).ok();
    let shown = ws.show(&other);
    assert_eq!(steps(&shown), ["signing"]);
    assert_eq!(shown["fields"]["risk_approved"], true);
    assert_eq!(conclude(&ws, "ewa", &other)["outcome"], "concluded");
}

#[test]
fn an_application_is_abandoned_without_documents_or_withdrawn_by_the_customer() {
    let ws = Workspace::init();
    let case = apply(
        &ws,
        "ewa",
        &["customer_type=person", "product=credit", "amount=1000"],
    );
    let run = ws.run("ewa", &["act", &case, "abandon"]).fails(65);
    assert!(run.stderr.contains("a comment"), "{}", run.stderr);
    ws.run(
        "ewa",
        &[
            "act",
            &case,
            "abandon",
            "--comment",
            "No answer for three weeks",
        ],
    )
    .ok();
    let shown = ws.show(&case);
    assert_eq!(shown["outcome"], "abandoned");
    assert_eq!(
        templates(&ws, &case),
        ["documents_missing", "application_closed_documents_missing"]
    );

    let other = apply(
        &ws,
        "ewa",
        &["customer_type=person", "product=credit", "amount=1000"],
    );
    ws.run("adam", &["act", &other, "withdraw", "--comment", "x"])
        .fails(77);
    ws.run(
        "ewa",
        &[
            "act",
            &other,
            "withdraw",
            "--comment",
            "Customer chose another bank",
        ],
    )
    .ok();
    let shown = ws.show(&other);
    assert_eq!(shown["outcome"], "withdrawn");
    assert!(shown["tasks"].as_array().unwrap().is_empty());
}
