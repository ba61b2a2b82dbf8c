//! End to end: contract-approval (seed 002) driven through the real binary.
//! ivan (account manager) initiates; his head is sergei, whose supervisor is dmitri.

mod common;
use common::*;

const PROCESS: &str = "contract-approval";

/// An event as (actor, kind, action, from_steps, to_steps).
type Row<'a> = (&'a str, &'a str, Option<&'a str>, Vec<String>, Vec<String>);

/// A contract file in the workspace.
fn contract_file(ws: &Workspace) -> String {
    ws.file(
        "contract-D-17.pdf",
        "Service agreement D-17 with Acme Travel",
    )
    .display()
    .to_string()
}

/// ivan's case for contract D-17 with Acme Travel, still in upload_contract.
fn draft(ws: &Workspace) -> String {
    ws.open(
        "ivan",
        PROCESS,
        &["contract_number=D-17", "company=Acme Travel"],
    )
}

/// A case ivan has sent to his head (head_approval).
fn sent(ws: &Workspace) -> String {
    let case = draft(ws);
    let file = contract_file(ws);
    ws.run(
        "ivan",
        &[
            "act",
            &case,
            "send_for_approval",
            "--attach",
            &format!("contract={file}"),
        ],
    )
    .ok();
    case
}

// ---------------------------------------------------------------------------------------------

#[test]
fn two_rounds_of_corrections_then_approval_and_signing_in_accounting() {
    let ws = Workspace::init();
    let case = draft(&ws);
    assert_eq!(case, "CTR-2026-0001");
    let opened = ws.show(&case);
    assert_eq!(opened["status"], "open");
    assert_eq!(opened["fields"]["contract_number"], "D-17");
    assert_eq!(opened["fields"]["company"], "Acme Travel");
    assert_eq!(strs(&opened["active_steps"]), ["upload_contract"]);
    assert_eq!(strs(&opened["assignees"]), ["ivan"]);

    let file = contract_file(&ws);
    let sent = ws
        .run(
            "ivan",
            &[
                "act",
                &case,
                "send_for_approval",
                "--attach",
                &format!("contract={file}"),
                "--json",
            ],
        )
        .ok()
        .json();
    assert_eq!(strs(&sent["active_steps"]), ["head_approval"]);
    assert_eq!(strs(&sent["assignees"]), ["sergei"]);
    assert_eq!(sent["attachments"][0]["kind"], "contract");

    for (round, correction) in ["clause 3: wrong penalty rate", "annex B missing"]
        .iter()
        .enumerate()
    {
        let back = ws
            .run(
                "sergei",
                &["reject", &case, "--reason", correction, "--json"],
            )
            .ok()
            .json();
        assert_eq!(
            strs(&back["active_steps"]),
            ["revise_contract"],
            "round {round}"
        );
        assert_eq!(strs(&back["assignees"]), ["ivan"], "round {round}");
        let again = ws
            .run(
                "ivan",
                &["act", &case, "resubmit", "--comment", "corrected", "--json"],
            )
            .ok()
            .json();
        assert_eq!(
            strs(&again["active_steps"]),
            ["head_approval"],
            "round {round}"
        );
        assert_eq!(strs(&again["assignees"]), ["sergei"], "round {round}");
    }

    let approved = ws.run("sergei", &["approve", &case, "--json"]).ok().json();
    assert_eq!(approved["status"], "open");
    assert_eq!(strs(&approved["active_steps"]), ["sign_in_accounting"]);
    assert_eq!(strs(&approved["assignees"]), ["ivan"]);

    let signed = ws
        .run("ivan", &["act", &case, "confirm_signed", "--json"])
        .ok()
        .json();
    assert_eq!(signed["status"], "closed");
    assert_eq!(signed["outcome"], "signed");
    let shown = ws.show(&case);
    assert_eq!(shown["outcome"], "signed");
    assert!(shown["active_steps"].as_array().unwrap().is_empty());

    // Every round is in the history: who did what, from where to where, with the corrections.
    let history = ws.history(&case);
    let seen: Vec<Row> = history
        .iter()
        .map(|e| {
            (
                e["actor"].as_str().unwrap(),
                e["kind"].as_str().unwrap(),
                e["action"].as_str(),
                strs(&e["from_steps"]),
                strs(&e["to_steps"]),
            )
        })
        .collect();
    let s = |x: &[&str]| x.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    assert_eq!(
        seen,
        [
            ("ivan", "opened", None, s(&[]), s(&["upload_contract"])),
            (
                "ivan",
                "acted",
                Some("send_for_approval"),
                s(&["upload_contract"]),
                s(&["head_approval"])
            ),
            (
                "sergei",
                "acted",
                Some("reject"),
                s(&["head_approval"]),
                s(&["revise_contract"])
            ),
            (
                "ivan",
                "acted",
                Some("resubmit"),
                s(&["revise_contract"]),
                s(&["head_approval"])
            ),
            (
                "sergei",
                "acted",
                Some("reject"),
                s(&["head_approval"]),
                s(&["revise_contract"])
            ),
            (
                "ivan",
                "acted",
                Some("resubmit"),
                s(&["revise_contract"]),
                s(&["head_approval"])
            ),
            (
                "sergei",
                "acted",
                Some("approve"),
                s(&["head_approval"]),
                s(&["sign_in_accounting"])
            ),
            (
                "ivan",
                "acted",
                Some("confirm_signed"),
                s(&["sign_in_accounting"]),
                s(&[])
            ),
        ]
    );
    assert_eq!(history[2]["comment"], "clause 3: wrong penalty rate");
    assert_eq!(history[4]["comment"], "annex B missing");
    assert_eq!(history[3]["comment"], "corrected");

    // The head is told on every round, the manager on every decision.
    let queued: Vec<(i64, String, Vec<String>)> = ws
        .outbox(&case)
        .into_iter()
        .map(|q| (q.seq, q.template, q.to))
        .collect();
    let expected: Vec<(i64, String, Vec<String>)> = [
        (2, "contract_approval_requested", "sergei"),
        (3, "contract_not_approved_revise", "ivan"),
        (4, "contract_approval_requested", "sergei"),
        (5, "contract_not_approved_revise", "ivan"),
        (6, "contract_approval_requested", "sergei"),
        (7, "contract_approved_sign_in_accounting", "ivan"),
    ]
    .into_iter()
    .map(|(seq, template, to)| (seq, template.to_string(), vec![to.to_string()]))
    .collect();
    assert_eq!(queued, expected);
}

#[test]
fn sending_without_the_contract_is_refused_naming_the_contract() {
    let ws = Workspace::init();
    let case = draft(&ws);
    let before = ws.events(&case);
    let run = ws
        .run("ivan", &["act", &case, "send_for_approval"])
        .fails(65);
    assert!(
        run.stderr.contains("needs a `contract` attachment"),
        "{}",
        run.stderr
    );
    assert_eq!(ws.events(&case), before);
    assert_eq!(ws.steps(&case), ["upload_contract"]);
    assert!(ws.outbox(&case).is_empty());
}

#[test]
fn not_approving_needs_the_corrections_and_resubmitting_needs_a_comment() {
    let ws = Workspace::init();
    let case = sent(&ws);
    let before = ws.events(&case);
    let run = ws.run("sergei", &["act", &case, "reject"]).fails(65);
    assert!(run.stderr.contains("needs a comment"), "{}", run.stderr);
    let run = ws.run("sergei", &["reject", &case]).fails(64);
    assert!(run.stderr.contains("--reason"), "{}", run.stderr);
    assert_eq!(ws.events(&case), before);
    assert_eq!(ws.steps(&case), ["head_approval"]);

    ws.run(
        "sergei",
        &["reject", &case, "--reason", "wrong company name"],
    )
    .ok();
    let before = ws.events(&case);
    let run = ws.run("ivan", &["act", &case, "resubmit"]).fails(65);
    assert!(
        run.stderr.contains("resubmit needs a comment"),
        "{}",
        run.stderr
    );
    assert_eq!(ws.events(&case), before);
    assert_eq!(ws.steps(&case), ["revise_contract"]);
}

#[test]
fn another_manager_may_not_approve_or_send_and_the_case_is_unchanged() {
    let ws = Workspace::init();
    let case = draft(&ws);
    let file = contract_file(&ws);
    let before = ws.show(&case);
    let n = ws.events(&case);
    let run = ws
        .run(
            "yulia",
            &[
                "act",
                &case,
                "send_for_approval",
                "--attach",
                &format!("contract={file}"),
            ],
        )
        .fails(77);
    assert!(run.stderr.contains("yulia may not act"), "{}", run.stderr);
    assert_eq!(ws.show(&case), before);
    assert_eq!(ws.events(&case), n);

    let case = sent(&ws);
    let before = ws.show(&case);
    let n = ws.events(&case);
    // yulia is sergei's report too, but not the head; irina (accounting) neither.
    for who in ["yulia", "irina", "natalia"] {
        let run = ws.run(who, &["approve", &case]).fails(77);
        assert!(run.stderr.contains("sergei"), "{who}: {}", run.stderr);
    }
    assert_eq!(ws.show(&case), before);
    assert_eq!(ws.events(&case), n);
}

#[test]
fn the_initiating_manager_may_not_approve_their_own_contract() {
    let ws = Workspace::init();
    let case = sent(&ws);
    let n = ws.events(&case);
    let run = ws.run("ivan", &["approve", &case]).fails(77);
    assert!(
        run.stderr.contains("separation of duties"),
        "{}",
        run.stderr
    );
    assert_eq!(ws.events(&case), n);
    assert_eq!(ws.steps(&case), ["head_approval"]);
}

/// Even when the initiator is an admin (who may otherwise act on any task), four eyes hold.
#[test]
fn an_admin_initiator_still_may_not_approve_their_own_contract_but_the_head_may() {
    let ws = Workspace::init();
    let org = include_str!("../src/cli/assets/org.yaml");
    let ivan_line = "supervisor: sergei, groups: [account_managers], locale: ru }";
    assert!(org.contains(ivan_line), "ivan's line changed in org.yaml");
    ws.file(
        "org.yaml",
        &org.replacen(
            ivan_line,
            "supervisor: sergei, groups: [account_managers, admins], locale: ru }",
            1,
        ),
    );
    let case = sent(&ws);
    // As an admin ivan may act on other tasks, e.g. a colleague's draft...
    let other = ws.open(
        "yulia",
        PROCESS,
        &["contract_number=D-18", "company=Globex"],
    );
    let file = contract_file(&ws);
    ws.run(
        "ivan",
        &[
            "act",
            &other,
            "send_for_approval",
            "--attach",
            &format!("contract={file}"),
        ],
    )
    .ok();
    // ...but not approve his own contract.
    let n = ws.events(&case);
    let run = ws.run("ivan", &["approve", &case]).fails(77);
    assert!(
        run.stderr
            .contains("separation of duties excludes the manager"),
        "{}",
        run.stderr
    );
    assert_eq!(ws.events(&case), n);
    let approved = ws.run("sergei", &["approve", &case, "--json"]).ok().json();
    assert_eq!(strs(&approved["active_steps"]), ["sign_in_accounting"]);
}

#[test]
fn the_customer_may_withdraw_at_every_step_and_the_manager_is_told() {
    let ws = Workspace::init();
    // One case waiting in each step of the process.
    let at_upload = draft(&ws);
    let at_head = sent(&ws);
    let at_revise = sent(&ws);
    ws.run(
        "sergei",
        &["reject", &at_revise, "--reason", "fix the dates"],
    )
    .ok();
    let at_signing = sent(&ws);
    ws.run("sergei", &["approve", &at_signing]).ok();

    for (case, step) in [
        (&at_upload, "upload_contract"),
        (&at_head, "head_approval"),
        (&at_revise, "revise_contract"),
        (&at_signing, "sign_in_accounting"),
    ] {
        assert_eq!(ws.steps(case), [step]);
        let after = ws
            .run(
                "ivan",
                &[
                    "act",
                    case,
                    "customer_withdrew",
                    "--comment",
                    "the customer chose another agency",
                    "--json",
                ],
            )
            .ok()
            .json();
        assert_eq!(after["status"], "closed", "{step}");
        assert_eq!(after["outcome"], "withdrawn", "{step}");
        let shown = ws.show(case);
        assert_eq!(shown["outcome"], "withdrawn");
        assert!(
            shown["active_steps"].as_array().unwrap().is_empty(),
            "{step}"
        );
        assert!(shown["tasks"].as_array().unwrap().is_empty(), "{step}");

        let last = ws.history(case).pop().unwrap();
        assert_eq!(last["actor"], "ivan");
        assert_eq!(last["action"], "customer_withdrew");
        assert_eq!(last["comment"], "the customer chose another agency");
        assert_eq!(strs(&last["from_steps"]), [step]);

        let told = ws.outbox(case).pop().unwrap();
        assert_eq!(told.template, "contract_not_approved_customer_declined");
        assert_eq!(told.to, ["ivan"]);
        assert_eq!(told.cc, ["sergei"]);
        assert_eq!(told.seq, last["seq"].as_i64().unwrap());
    }
}

#[test]
fn only_the_manager_records_a_withdrawal_and_with_a_reason() {
    let ws = Workspace::init();
    let case = sent(&ws);
    let before = ws.show(&case);
    let n = ws.events(&case);
    let run = ws
        .run("ivan", &["act", &case, "customer_withdrew"])
        .fails(65);
    assert!(
        run.stderr.contains("customer_withdrew needs a comment"),
        "{}",
        run.stderr
    );
    for who in ["sergei", "yulia"] {
        ws.run(
            who,
            &[
                "act",
                &case,
                "customer_withdrew",
                "--comment",
                "heard it from the customer",
            ],
        )
        .fails(77);
    }
    assert_eq!(ws.show(&case), before);
    assert_eq!(ws.events(&case), n);
}

#[test]
fn a_signed_contract_cannot_be_withdrawn_or_approved_again() {
    let ws = Workspace::init();
    let case = sent(&ws);
    ws.run("sergei", &["approve", &case]).ok();
    ws.run("ivan", &["act", &case, "confirm_signed"]).ok();
    let n = ws.events(&case);
    let run = ws
        .run(
            "ivan",
            &["act", &case, "customer_withdrew", "--comment", "late"],
        )
        .fails(65);
    assert!(run.stderr.contains("closed (signed)"), "{}", run.stderr);
    ws.run("sergei", &["approve", &case]).fails(65);
    assert_eq!(ws.events(&case), n);
    assert_eq!(ws.show(&case)["outcome"], "signed");
}
