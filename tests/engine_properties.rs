//! Property tests of the pure engine on the bundled expense process: whatever sequence of
//! offered actions people take, a case is always in declared task steps, a closed case has
//! a declared outcome and no open work, and replaying its events rebuilds it exactly.

use caseflow::definition::{self, StepKind};
use caseflow::engine::{self, CaseState, Command, Event, NewAttachment, Opening};
use caseflow::org::Org;
use caseflow::value::{FieldType, Value};
use jiff::Timestamp;
use proptest::prelude::*;

const ORG: &str = include_str!("../src/cli/assets/org.yaml");
const EXPENSE: &str = include_str!("../processes/expense-reimbursement.yaml");

fn fixtures() -> (definition::Definition, Org) {
    let org = Org::load("org.yaml", ORG).expect("org");
    let def = definition::load("expense.yaml", EXPENSE, Some(&org)).expect("definition");
    (def, org)
}

fn line_amounts() -> impl Strategy<Value = Vec<u32>> {
    prop::collection::vec(1u32..400_000, 1..4)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn random_offered_actions_keep_cases_valid(amounts in line_amounts(), opener in 0usize..2, choices in prop::collection::vec(any::<u16>(), 1..16)) {
        let (def, org) = fixtures();
        let people: Vec<String> = org.people.keys().cloned().collect();
        let t0: Timestamp = "2026-11-30T09:00:00Z".parse().expect("time");
        let lines: Vec<String> = amounts.iter().enumerate().map(|(i, a)| format!("item {i}: {}.{:02}", a / 100, a % 100)).collect();
        let opener = ["alice", "bob"][opener];
        let ctx = engine::Ctx { def: &def, version: 1, org: &org, actor: opener, now: t0, source: None, facts: engine::Facts::none() };
        let opening = Opening {
            fields: vec![
                ("kind".into(), Value::parse(&FieldType::Enum(vec!["advance".into(), "reimbursement".into()]), "advance").expect("kind")),
                ("lines".into(), Value::parse(&FieldType::Lines, &lines.join("; ")).expect("lines")),
                ("pay_date".into(), Value::parse(&FieldType::Date, "2026-12-07").expect("date")),
            ],
            ..Opening::default()
        };
        let decision = engine::open(&ctx, "EXP-2026-0001", opening).expect("open");
        let mut case = decision.case;
        let mut events: Vec<Event> = decision.events;
        check_invariants(&def, &case, &events);

        for (n, choice) in choices.iter().enumerate() {
            let now = t0.checked_add(jiff::Span::new().hours(24 * (8 + n as i64))).expect("time");
            // Every (person, action) pair the case offers that the person may take.
            let mut moves = Vec::new();
            for person in &people {
                let ctx = engine::Ctx { def: &def, version: 1, org: &org, actor: person, now, source: None, facts: engine::Facts::none() };
                for offer in engine::offered_actions(&ctx, &case).into_iter().filter(|o| o.allowed) {
                    moves.push((person.clone(), offer));
                }
            }
            if moves.is_empty() {
                break;
            }
            let (person, offer) = &moves[*choice as usize % moves.len()];
            let ctx = engine::Ctx { def: &def, version: 1, org: &org, actor: person, now, source: None, facts: engine::Facts::none() };
            let amount = case.fields.get("amount").and_then(Value::as_money).expect("amount");
            let mut fields = Vec::new();
            let mut attachments = Vec::new();
            if offer.action == "approve_partial" {
                fields.push(("approved_amount".to_string(), Value::Money(amount / rust_decimal::Decimal::TWO)));
            }
            if offer.action == "pay" {
                attachments.push(NewAttachment { kind: Some("receipt".into()), name: "r.pdf".into(), sha256: "00".into(), size: 1 });
            }
            let command = Command::Act { action: offer.action.clone(), step: Some(offer.step.clone()), fields, comment: Some("because".into()), attachments };
            match engine::decide(&ctx, &case, command) {
                Ok(decision) => {
                    case = decision.case;
                    events.extend(decision.events);
                    check_invariants(&def, &case, &events);
                }
                Err(refusal) => prop_assert!(!refusal.is_permission(), "an allowed offer was refused: {refusal}"),
            }
        }
    }
}

fn check_invariants(def: &definition::Definition, case: &CaseState, events: &[Event]) {
    for task in &case.tasks {
        let step = def
            .step(&task.step)
            .unwrap_or_else(|| panic!("undeclared step {}", task.step));
        assert!(
            matches!(step.kind, StepKind::Task { .. }),
            "a task waits in non-task step {}",
            task.step
        );
    }
    if case.is_open() {
        assert!(!case.tasks.is_empty(), "an open case waits on nobody");
        assert!(case.outcome.is_none());
    } else {
        assert!(case.tasks.is_empty(), "a closed case has open tasks");
        let outcome = case.outcome.as_deref().expect("closed case has an outcome");
        assert!(
            def.outcomes().contains(&outcome),
            "undeclared outcome {outcome}"
        );
    }
    assert_eq!(
        &engine::replay(events),
        case,
        "replaying the events does not rebuild the case"
    );
}
