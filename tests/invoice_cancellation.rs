//! End to end: the invoice-cancellation process (seed 001) driven through the real binary.
//!
//! People from the bundled org.yaml: carlos (branch coordinator, opens the cases), lucia (head
//! of customer service), pedro (customer-service coordinator), sofia (scanner clerk).

mod common;
use common::*;

use serde_json::Value;

const PROCESS: &str = "invoice-cancellation";
/// The five documents the branch sends with every cancellation.
const DOCUMENTS: [&str; 5] = [
    "memo",
    "original_invoice",
    "customer_letter",
    "reply_letter",
    "actions_report",
];

/// `--attach KIND=FILE` arguments for the given document kinds (files made in the workspace).
fn attach_args(ws: &Workspace, kinds: &[&str]) -> Vec<String> {
    let mut args = Vec::new();
    for kind in kinds {
        let path = ws.file(&format!("{kind}.pdf"), &format!("scan of the {kind}"));
        args.push("--attach".to_string());
        args.push(format!("{kind}={}", path.display()));
    }
    args
}

/// Run `args` followed by `--attach` for each kind.
fn run_attaching(ws: &Workspace, actor: &str, args: &[&str], kinds: &[&str]) -> Run {
    let attach = attach_args(ws, kinds);
    let mut all: Vec<&str> = args.to_vec();
    all.extend(attach.iter().map(String::as_str));
    ws.run(actor, &all)
}

/// carlos opens a cancellation for customer "Ferretería El Sol" in Cali with the given
/// documents and extra fields; returns the case id.
fn open_cancellation(ws: &Workspace, actor: &str, kinds: &[&str], extra: &[&str]) -> String {
    let mut args = vec![
        "open",
        PROCESS,
        "--json",
        "--field",
        "customer_name=Ferretería El Sol",
        "--field",
        "city=cali",
        "--field",
        "invoice_number=FV-1029",
    ];
    for f in extra {
        args.push("--field");
        args.push(f);
    }
    run_attaching(ws, actor, &args, kinds).ok().json()["id"]
        .as_str()
        .expect("id")
        .to_string()
}

fn act(ws: &Workspace, actor: &str, case: &str, action: &str) -> Value {
    ws.run(actor, &["act", case, action, "--json"]).ok().json()
}

/// A queued notification: template, `to` and `cc` recipients (person ids, else addresses).
#[derive(Debug, PartialEq)]
struct Mail {
    template: String,
    to: Vec<String>,
    cc: Vec<String>,
}

fn mail(template: &str, to: &[&str], cc: &[&str]) -> Mail {
    Mail {
        template: template.to_string(),
        to: to.iter().map(|s| s.to_string()).collect(),
        cc: cc.iter().map(|s| s.to_string()).collect(),
    }
}

fn outbox(ws: &Workspace, case: &str) -> Vec<Mail> {
    ws.outbox(case)
        .into_iter()
        .map(|q| Mail {
            template: q.template,
            to: q.to,
            cc: q.cc,
        })
        .collect()
}

/// Head approves, the coordinator accepts the documents and registers the customer, the
/// scanner clerk digitises: the case waits in the step after the join.
fn approve_check_register_digitise(ws: &Workspace, case: &str) -> Value {
    ws.run("lucia", &["approve", case]).ok();
    act(ws, "pedro", case, "documents_correct");
    act(ws, "pedro", case, "register_customer");
    act(ws, "sofia", case, "documents_digitised")
}

fn file_memo(ws: &Workspace, case: &str) -> Value {
    run_attaching(
        ws,
        "carlos",
        &["act", case, "file_memo", "--json"],
        &["stamped_memo_copy"],
    )
    .ok()
    .json()
}

/// The bundled org plus a second head of customer service (elena) and a second
/// customer-service coordinator (rosa), so that someone else can act when separation of
/// duties excludes lucia or pedro.
fn with_second_head_and_coordinator(ws: &Workspace) {
    let path = ws.path().join("org.yaml");
    let mut org = std::fs::read_to_string(&path).expect("org.yaml");
    assert!(org.ends_with('\n'));
    org.push_str("  elena:   { name: Elena Gómez, email: elena@example.com, supervisor: dmitri, groups: [cs_heads], locale: es }\n");
    org.push_str("  rosa:    { name: Rosa Díaz, email: rosa@example.com, supervisor: lucia, groups: [cs_coordinators], locale: es }\n");
    std::fs::write(&path, org).expect("write org.yaml");
    ws.run("root", &["check"]).ok();
}

// 1 -----------------------------------------------------------------------------------------

#[test]
fn cancellation_without_costs_walks_every_step_and_closes_without_cost_settlement() {
    let ws = Workspace::init();
    let case = open_cancellation(&ws, "carlos", &DOCUMENTS, &[]);
    assert_eq!(case, "ANU-2026-0001");

    let opened = ws.show(&case);
    assert_eq!(opened["status"], "open");
    assert_eq!(opened["process"], PROCESS);
    assert_eq!(
        opened["fields"]["subject"],
        "ANULADO-Ferretería El Sol-CALI"
    );
    assert_eq!(opened["fields"]["administrative_costs"], false);
    assert_eq!(opened["fields"]["registered"], false);
    assert_eq!(strs(&opened["active_steps"]), ["head_approval"]);
    assert_eq!(strs(&opened["assignees"]), ["cs_heads"]);
    let mut kinds: Vec<String> = opened["attachments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["kind"].as_str().unwrap().to_string())
        .collect();
    kinds.sort();
    let mut expected: Vec<String> = DOCUMENTS.iter().map(|s| s.to_string()).collect();
    expected.sort();
    assert_eq!(kinds, expected);
    assert_eq!(
        outbox(&ws, &case),
        [mail("cancellation_request_received", &["lucia"], &[])]
    );

    // The head approves; the reply goes to the branch with a copy to the coordinator, and the
    // scanner clerk is asked to digitise everything while the coordinator checks.
    let approved = ws.run("lucia", &["approve", &case, "--json"]).ok().json();
    assert_eq!(
        strs(&approved["active_steps"]),
        ["digitisation", "document_check"]
    );
    assert_eq!(
        strs(&approved["assignees"]),
        ["digitisation", "cs_coordinators"]
    );
    assert_eq!(
        outbox(&ws, &case)[1..],
        [
            mail("cancellation_approved", &["carlos"], &["pedro"]),
            mail("digitise_cancellation_documents", &["sofia"], &[]),
        ]
    );

    let checked = act(&ws, "pedro", &case, "documents_correct");
    assert_eq!(strs(&checked["active_steps"]), ["digitisation", "register"]);
    let registered = act(&ws, "pedro", &case, "register_customer");
    assert_eq!(strs(&registered["active_steps"]), ["digitisation"]);
    assert_eq!(registered["fields"]["registered"], true);
    let digitised = act(&ws, "sofia", &case, "documents_digitised");
    // No administrative costs: straight to the re-invoicing.
    assert_eq!(strs(&digitised["active_steps"]), ["reinvoicing"]);
    assert_eq!(strs(&digitised["assignees"]), ["cs_coordinators"]);

    let reinvoiced = act(&ws, "pedro", &case, "approve_reinvoicing");
    assert_eq!(strs(&reinvoiced["active_steps"]), ["memo_filing"]);
    assert_eq!(strs(&reinvoiced["assignees"]), ["carlos"]);
    assert_eq!(reinvoiced["tasks"][0]["assignee_kind"], "person");

    let closed = file_memo(&ws, &case);
    assert_eq!(closed["status"], "closed");
    assert_eq!(closed["outcome"], "cancelled_without_cost_settlement");
    assert_eq!(closed["fields"]["costs_settled"], false);
    let shown = ws.show(&case);
    assert_eq!(shown["outcome"], "cancelled_without_cost_settlement");
    assert!(shown["active_steps"].as_array().unwrap().is_empty());
    assert!(shown["attachments"]
        .as_array()
        .unwrap()
        .iter()
        .any(|a| a["kind"] == "stamped_memo_copy"));

    let history = ws.history(&case);
    let seen: Vec<(&str, &str, Option<&str>)> = history
        .iter()
        .map(|e| {
            (
                e["actor"].as_str().unwrap(),
                e["kind"].as_str().unwrap(),
                e["action"].as_str(),
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            ("carlos", "opened", None),
            ("lucia", "acted", Some("approve")),
            ("pedro", "acted", Some("documents_correct")),
            ("pedro", "acted", Some("register_customer")),
            ("sofia", "acted", Some("documents_digitised")),
            ("pedro", "acted", Some("approve_reinvoicing")),
            ("carlos", "acted", Some("file_memo")),
        ]
    );
    assert_eq!(strs(&history[0]["to_steps"]), ["head_approval"]);
    assert_eq!(strs(&history[6]["from_steps"]), ["memo_filing"]);
    assert_eq!(
        outbox(&ws, &case).last(),
        Some(&mail("cancellation_closed", &["lucia"], &[]))
    );
}

// 2 -----------------------------------------------------------------------------------------

#[test]
fn administrative_costs_need_the_customers_signed_consent_and_close_with_cost_settlement() {
    let ws = Workspace::init();
    let case = open_cancellation(&ws, "carlos", &DOCUMENTS, &["administrative_costs=yes"]);
    let waiting = approve_check_register_digitise(&ws, &case);
    assert_eq!(strs(&waiting["active_steps"]), ["cost_settlement"]);
    assert_eq!(strs(&waiting["assignees"]), ["cs_coordinators"]);

    // Without the amount and the signed letter the costs cannot be settled.
    let before = ws.events(&case);
    let run = ws.run("pedro", &["act", &case, "settle_costs"]).fails(65);
    assert!(run.stderr.contains("`cost_amount`"), "{}", run.stderr);
    assert!(run.stderr.contains("`signed_consent`"), "{}", run.stderr);
    // The amount alone is not enough either.
    let run = ws
        .run(
            "pedro",
            &["act", &case, "settle_costs", "--field", "cost_amount=25000"],
        )
        .fails(65);
    assert!(run.stderr.contains("`signed_consent`"), "{}", run.stderr);
    assert!(!run.stderr.contains("`cost_amount`"), "{}", run.stderr);
    assert_eq!(ws.events(&case), before);
    assert!(ws.show(&case)["fields"].get("cost_amount").is_none());

    // The coordinator asks the branch for the letter signed by the customer (a loop).
    let run = ws
        .run("pedro", &["act", &case, "request_signed_consent"])
        .fails(65);
    assert!(run.stderr.contains("comment"), "{}", run.stderr);
    let asked = ws
        .run(
            "pedro",
            &[
                "act",
                &case,
                "request_signed_consent",
                "--comment",
                "falta la carta firmada por el cliente",
                "--json",
            ],
        )
        .ok()
        .json();
    assert_eq!(strs(&asked["active_steps"]), ["consent_collection"]);
    assert_eq!(strs(&asked["assignees"]), ["carlos"]);
    assert_eq!(
        outbox(&ws, &case).last(),
        Some(&mail("signed_consent_requested", &["carlos"], &[]))
    );
    let run = ws
        .run("carlos", &["act", &case, "send_signed_consent"])
        .fails(65);
    assert!(run.stderr.contains("`signed_consent`"), "{}", run.stderr);
    let sent = run_attaching(
        &ws,
        "carlos",
        &["act", &case, "send_signed_consent", "--json"],
        &["signed_consent"],
    )
    .ok()
    .json();
    assert_eq!(strs(&sent["active_steps"]), ["cost_settlement"]);

    // Costs of zero are no costs.
    let before = ws.events(&case);
    let run = ws
        .run(
            "pedro",
            &["act", &case, "settle_costs", "--field", "cost_amount=0"],
        )
        .fails(65);
    assert!(
        run.stderr
            .contains("the administrative costs must be more than zero"),
        "{}",
        run.stderr
    );
    assert_eq!(ws.events(&case), before);

    let settled = ws
        .run(
            "pedro",
            &[
                "act",
                &case,
                "settle_costs",
                "--field",
                "cost_amount=25000",
                "--json",
            ],
        )
        .ok()
        .json();
    assert_eq!(strs(&settled["active_steps"]), ["reinvoicing"]);
    assert_eq!(settled["fields"]["cost_amount"], "25000.00");
    assert_eq!(settled["fields"]["costs_settled"], true);

    act(&ws, "pedro", &case, "approve_reinvoicing");
    let closed = file_memo(&ws, &case);
    assert_eq!(closed["status"], "closed");
    assert_eq!(closed["outcome"], "cancelled_with_cost_settlement");

    let actions: Vec<String> = ws
        .history(&case)
        .iter()
        .filter_map(|e| e["action"].as_str().map(str::to_string))
        .collect();
    assert_eq!(
        actions,
        [
            "approve",
            "documents_correct",
            "register_customer",
            "documents_digitised",
            "request_signed_consent",
            "send_signed_consent",
            "settle_costs",
            "approve_reinvoicing",
            "file_memo",
        ]
    );
}

#[test]
fn without_administrative_costs_the_signed_consent_is_never_asked_for() {
    let ws = Workspace::init();
    let case = open_cancellation(&ws, "carlos", &DOCUMENTS, &["administrative_costs=no"]);
    let waiting = approve_check_register_digitise(&ws, &case);
    assert_eq!(strs(&waiting["active_steps"]), ["reinvoicing"]);
    // settle_costs is not offered on this path.
    let run = ws.run("pedro", &["act", &case, "settle_costs"]).fails(65);
    assert!(run.stderr.contains("approve_reinvoicing"), "{}", run.stderr);
    act(&ws, "pedro", &case, "approve_reinvoicing");
    let closed = file_memo(&ws, &case);
    assert_eq!(closed["outcome"], "cancelled_without_cost_settlement");
    assert!(!closed["attachments"]
        .as_array()
        .unwrap()
        .iter()
        .any(|a| a["kind"] == "signed_consent"));
}

// 3 -----------------------------------------------------------------------------------------

#[test]
fn head_refuses_with_a_reason_and_the_branch_is_told() {
    let ws = Workspace::init();
    let case = open_cancellation(&ws, "carlos", &DOCUMENTS, &[]);
    let before = ws.events(&case);
    ws.run("lucia", &["reject", &case]).fails(64);
    let run = ws
        .run("lucia", &["reject", &case, "--reason", " "])
        .fails(65);
    assert!(run.stderr.contains("comment"), "{}", run.stderr);
    assert_eq!(ws.events(&case), before);

    let refused = ws
        .run(
            "lucia",
            &[
                "reject",
                &case,
                "--reason",
                "la factura ya fue pagada",
                "--json",
            ],
        )
        .ok()
        .json();
    assert_eq!(refused["status"], "closed");
    assert_eq!(refused["outcome"], "refused");
    let last = ws.history(&case).pop().unwrap();
    assert_eq!(last["actor"], "lucia");
    assert_eq!(last["action"], "reject");
    assert_eq!(last["comment"], "la factura ya fue pagada");
    assert_eq!(
        outbox(&ws, &case).last(),
        Some(&mail("cancellation_refused", &["carlos"], &[]))
    );
    // Closed: the coordinator can no longer act.
    ws.run("pedro", &["act", &case, "documents_correct"])
        .fails(65);
}

// 4 -----------------------------------------------------------------------------------------

#[test]
fn missing_or_wrong_documents_go_back_to_the_branch_and_each_round_is_in_the_history() {
    let ws = Workspace::init();
    // The branch sent only the memo and the original invoice.
    let case = open_cancellation(&ws, "carlos", &["memo", "original_invoice"], &[]);
    ws.run("lucia", &["approve", &case]).ok();

    let before = ws.events(&case);
    let run = ws
        .run("pedro", &["act", &case, "documents_correct"])
        .fails(65);
    for missing in ["customer_letter", "reply_letter", "actions_report"] {
        assert!(
            run.stderr.contains(&format!("`{missing}` attachment")),
            "{missing}: {}",
            run.stderr
        );
    }
    assert!(!run.stderr.contains("`memo`"), "{}", run.stderr);
    assert!(!run.stderr.contains("`original_invoice`"), "{}", run.stderr);
    assert_eq!(ws.events(&case), before);

    // Sending back needs a comment saying what is wrong.
    let run = ws
        .run("pedro", &["act", &case, "send_back_to_branch"])
        .fails(65);
    assert!(run.stderr.contains("comment"), "{}", run.stderr);
    assert_eq!(ws.events(&case), before);

    // Round 1: letters and report missing.
    let back = ws
        .run(
            "pedro",
            &[
                "act",
                &case,
                "send_back_to_branch",
                "--comment",
                "faltan las cartas y el informe",
                "--json",
            ],
        )
        .ok()
        .json();
    assert_eq!(
        strs(&back["active_steps"]),
        ["digitisation", "branch_correction"]
    );
    assert_eq!(strs(&back["assignees"]), ["digitisation", "carlos"]);
    // The branch cannot resend without the missing documents.
    let run = run_attaching(
        &ws,
        "carlos",
        &["act", &case, "resend_documents"],
        &["customer_letter", "reply_letter"],
    )
    .fails(65);
    assert!(
        run.stderr.contains("`actions_report` attachment"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("`reply_letter`"), "{}", run.stderr);
    let resent = run_attaching(
        &ws,
        "carlos",
        &["act", &case, "resend_documents", "--json"],
        &["customer_letter", "reply_letter", "actions_report"],
    )
    .ok()
    .json();
    assert_eq!(
        strs(&resent["active_steps"]),
        ["digitisation", "document_check"]
    );

    // Round 2: everything is there but the reply letter is the wrong one.
    ws.run(
        "pedro",
        &[
            "act",
            &case,
            "send_back_to_branch",
            "--comment",
            "la carta respuesta no corresponde",
        ],
    )
    .ok();
    run_attaching(
        &ws,
        "carlos",
        &[
            "act",
            &case,
            "resend_documents",
            "--comment",
            "carta corregida",
        ],
        &["reply_letter"],
    )
    .ok();
    let checked = act(&ws, "pedro", &case, "documents_correct");
    assert_eq!(strs(&checked["active_steps"]), ["digitisation", "register"]);

    let history = ws.history(&case);
    let rounds: Vec<(&str, &str, Option<&str>)> = history
        .iter()
        .filter(|e| {
            matches!(
                e["action"].as_str(),
                Some("send_back_to_branch" | "resend_documents")
            )
        })
        .map(|e| {
            (
                e["actor"].as_str().unwrap(),
                e["action"].as_str().unwrap(),
                e["comment"].as_str(),
            )
        })
        .collect();
    assert_eq!(
        rounds,
        [
            (
                "pedro",
                "send_back_to_branch",
                Some("faltan las cartas y el informe")
            ),
            ("carlos", "resend_documents", None),
            (
                "pedro",
                "send_back_to_branch",
                Some("la carta respuesta no corresponde")
            ),
            ("carlos", "resend_documents", Some("carta corregida")),
        ]
    );
    let returned: Vec<&Value> = history
        .iter()
        .filter(|e| e["action"] == "send_back_to_branch")
        .collect();
    for e in returned {
        assert_eq!(strs(&e["from_steps"]), ["digitisation", "document_check"]);
        assert_eq!(strs(&e["to_steps"]), ["digitisation", "branch_correction"]);
    }
    let templates: Vec<String> = outbox(&ws, &case).into_iter().map(|m| m.template).collect();
    assert_eq!(
        templates
            .iter()
            .filter(|t| *t == "cancellation_documents_returned")
            .count(),
        2
    );
    assert_eq!(
        templates
            .iter()
            .filter(|t| *t == "cancellation_documents_resent")
            .count(),
        2
    );
    // Both reply letters are kept.
    let letters = ws.show(&case)["attachments"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["kind"] == "reply_letter")
        .count();
    assert_eq!(letters, 2);
}

// 5 -----------------------------------------------------------------------------------------

#[test]
fn people_outside_a_step_are_refused_and_the_case_is_unchanged() {
    let ws = Workspace::init();
    let case = open_cancellation(&ws, "carlos", &DOCUMENTS, &[]);

    let refuse = |actor: &str, args: &[&str], step: &str| {
        let before = ws.events(&case);
        let shown = ws.show(&case);
        let run = ws.run(actor, args).fails(77);
        assert!(run.stderr.contains(actor), "{}", run.stderr);
        assert_eq!(ws.events(&case), before, "{actor} {args:?}");
        let after = ws.show(&case);
        assert_eq!(after["fields"], shown["fields"]);
        assert!(strs(&after["active_steps"]).contains(&step.to_string()));
    };
    // The branch coordinator and the coordinator cannot approve for the head.
    refuse("carlos", &["approve", &case], "head_approval");
    refuse("pedro", &["approve", &case], "head_approval");

    ws.run("lucia", &["approve", &case]).ok();
    // The scanner clerk does not check documents; the branch does not register.
    refuse(
        "sofia",
        &["act", &case, "documents_correct"],
        "document_check",
    );
    refuse(
        "carlos",
        &["act", &case, "send_back_to_branch", "--comment", "x"],
        "document_check",
    );
    // The coordinator does not digitise.
    refuse(
        "pedro",
        &["act", &case, "documents_digitised"],
        "digitisation",
    );

    act(&ws, "pedro", &case, "documents_correct");
    act(&ws, "pedro", &case, "register_customer");
    act(&ws, "sofia", &case, "documents_digitised");
    refuse(
        "carlos",
        &["act", &case, "approve_reinvoicing"],
        "reinvoicing",
    );
    act(&ws, "pedro", &case, "approve_reinvoicing");
    // Filing the memo is the branch's job.
    let stamped = attach_args(&ws, &["stamped_memo_copy"]);
    refuse(
        "pedro",
        &["act", &case, "file_memo", &stamped[0], &stamped[1]],
        "memo_filing",
    );
    assert!(ws.show(&case)["attachments"]
        .as_array()
        .unwrap()
        .iter()
        .all(|a| a["kind"] != "stamped_memo_copy"));
}

// 6 -----------------------------------------------------------------------------------------

#[test]
fn a_head_who_opened_the_cancellation_may_not_approve_it() {
    let ws = Workspace::init();
    with_second_head_and_coordinator(&ws);
    let case = open_cancellation(&ws, "lucia", &DOCUMENTS, &[]);
    let before = ws.events(&case);
    let run = ws.run("lucia", &["approve", &case]).fails(77);
    assert!(
        run.stderr.contains("separation of duties"),
        "{}",
        run.stderr
    );
    assert_eq!(ws.events(&case), before);
    assert_eq!(strs(&ws.show(&case)["active_steps"]), ["head_approval"]);

    let approved = ws.run("elena", &["approve", &case, "--json"]).ok().json();
    assert_eq!(
        strs(&approved["active_steps"]),
        ["digitisation", "document_check"]
    );
    assert_eq!(ws.history(&case).pop().unwrap()["actor"], "elena");
}

#[test]
fn a_coordinator_who_opened_the_cancellation_may_not_check_register_or_approve_reinvoicing() {
    let ws = Workspace::init();
    with_second_head_and_coordinator(&ws);
    let case = open_cancellation(&ws, "pedro", &DOCUMENTS, &["administrative_costs=yes"]);
    ws.run("lucia", &["approve", &case]).ok();

    let excluded = |action: &str| {
        let before = ws.events(&case);
        let mut args = vec!["act", case.as_str(), action];
        if action == "settle_costs" {
            args.extend(["--field", "cost_amount=100"]);
        }
        let run = ws.run("pedro", &args).fails(77);
        assert!(
            run.stderr
                .contains("separation of duties excludes the branch_coordinator"),
            "{action}: {}",
            run.stderr
        );
        assert_eq!(ws.events(&case), before, "{action}");
    };
    excluded("documents_correct");
    act(&ws, "rosa", &case, "documents_correct");
    excluded("register_customer");
    act(&ws, "rosa", &case, "register_customer");
    act(&ws, "sofia", &case, "documents_digitised");
    excluded("settle_costs");
    run_attaching(
        &ws,
        "rosa",
        &["act", &case, "settle_costs", "--field", "cost_amount=100"],
        &["signed_consent"],
    )
    .ok();
    excluded("approve_reinvoicing");
    let after = act(&ws, "rosa", &case, "approve_reinvoicing");
    assert_eq!(strs(&after["active_steps"]), ["memo_filing"]);
    // Filing the memo is the opener's own job.
    assert_eq!(strs(&after["assignees"]), ["pedro"]);
    let actors: Vec<String> = ws
        .history(&case)
        .iter()
        .filter(|e| {
            matches!(
                e["action"].as_str(),
                Some(
                    "documents_correct"
                        | "register_customer"
                        | "settle_costs"
                        | "approve_reinvoicing"
                )
            )
        })
        .map(|e| e["actor"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(actors, ["rosa", "rosa", "rosa", "rosa"]);
}

// 7 -----------------------------------------------------------------------------------------

#[test]
fn opening_needs_customer_city_and_invoice_and_the_subject_is_computed() {
    let ws = Workspace::init();
    let run = ws
        .run(
            "carlos",
            &[
                "open",
                PROCESS,
                "--field",
                "customer_name=Acme",
                "--field",
                "invoice_number=FV-1",
            ],
        )
        .fails(65);
    assert!(run.stderr.contains("`city`"), "{}", run.stderr);
    let run = ws
        .run(
            "carlos",
            &[
                "open",
                PROCESS,
                "--field",
                "customer_name=Acme",
                "--field",
                "city=Cali",
                "--field",
                "invoice_number=FV-1",
                "--field",
                "subject=ANULADO-otro-CALI",
            ],
        )
        .fails(65);
    assert!(
        run.stderr.contains("`subject`") && run.stderr.contains("computed"),
        "{}",
        run.stderr
    );
    let listed = ws.run("root", &["list", "--format", "ids"]).ok();
    assert!(listed.stdout.trim().is_empty(), "{}", listed.stdout);

    // The subject follows the customer and the city when they are corrected.
    let case = open_cancellation(&ws, "carlos", &DOCUMENTS, &[]);
    ws.run(
        "lucia",
        &[
            "set",
            &case,
            "--field",
            "city=Palmira",
            "--field",
            "customer_name=Ferretería Sol",
        ],
    )
    .ok();
    assert_eq!(
        ws.show(&case)["fields"]["subject"],
        "ANULADO-Ferretería Sol-PALMIRA"
    );
}

/// Seed: "El asunto del correo debe ser: ANULADO-nombre cliente-CIUDAD". Spanish city names
/// carry accents: `upper()` maps them (`upperAscii()` would give `BOGOTá`).
#[test]
fn subject_upper_cases_accented_city_names() {
    let ws = Workspace::init();
    let case = open_cancellation(&ws, "carlos", &DOCUMENTS, &[]);
    ws.run("lucia", &["set", &case, "--field", "city=Bogotá"])
        .ok();
    assert_eq!(
        ws.show(&case)["fields"]["subject"],
        "ANULADO-Ferretería El Sol-BOGOTÁ"
    );
}
