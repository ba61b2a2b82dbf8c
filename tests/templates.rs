//! The bundled templates: every one passes `check`, every `notify:` of a bundled process that
//! ships templates has its template, and every template renders in every locale it ships
//! (with every field set, and with only the required ones set).

use std::collections::BTreeSet;

use caseflow::definition::{self, Definition, StepKind};
use caseflow::engine::CaseState;
use caseflow::notify::{self, Job, Kind, Reader, Templates};
use caseflow::org::Org;
use caseflow::store::EventRow;
use caseflow::value::{FieldType, Line, Value};
use caseflow::workspace::{BUNDLED_ORG, BUNDLED_PROCESSES, BUNDLED_TEMPLATES};

fn bundled() -> (Org, Vec<Definition>, Templates) {
    let org = Org::load("org.yaml", BUNDLED_ORG).expect("bundled org loads");
    let defs = BUNDLED_PROCESSES
        .iter()
        .map(|(name, source)| definition::load(name, source, Some(&org)).expect("bundled process"))
        .collect();
    (
        org,
        defs,
        Templates::from_pairs(BUNDLED_TEMPLATES.iter().copied()),
    )
}

/// The mails the engine sends for every process: sub-tasks, consultations, SLA warnings and
/// breaches, exhausted reminder ladders (shipped in `templates/_common/`).
const ENGINE_MAILS: &[&str] = &[
    "subtask_assigned",
    "subtask_done",
    "consultation_requested",
    "consultation_answered",
    "sla_warning",
    "sla_breached",
    "reminders_exhausted",
];

/// The template names a process's `notify:` entries and `remind:` ladders use, and the
/// engine's own mails.
fn notify_names(def: &Definition) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    for step in &def.steps {
        match &step.kind {
            StepKind::Automatic { notify, .. } | StepKind::End { notify, .. } => {
                names.extend(notify.iter().map(|n| n.template.clone()))
            }
            StepKind::Task { actions, .. } => {
                for a in actions {
                    names.extend(a.notify.iter().map(|n| n.template.clone()));
                }
            }
            _ => {}
        }
    }
    for a in &def.anytime {
        names.extend(a.notify.iter().map(|n| n.template.clone()));
    }
    for step in &def.steps {
        if let Some(remind) = &step.timing.remind {
            names.insert(remind.template.clone());
        }
    }
    names.extend(ENGINE_MAILS.iter().map(|n| n.to_string()));
    names
}

fn sample(ty: &FieldType) -> Value {
    match ty {
        FieldType::Integer => Value::Integer(3),
        FieldType::Money => Value::Money("1234.5".parse().expect("test setup")),
        FieldType::Date => Value::Date("2026-12-15".parse().expect("test setup")),
        FieldType::DateTime => Value::DateTime("2026-12-15T10:00:00Z".parse().expect("test setup")),
        FieldType::Bool => Value::Bool(true),
        FieldType::Enum(values) => Value::Text(values[0].clone()),
        FieldType::Email => Value::Text("customer@example.com".into()),
        FieldType::Person => Value::Text("alice".into()),
        FieldType::List => Value::List(vec!["one".into(), "two".into()]),
        FieldType::Lines => Value::Lines(vec![Line {
            description: "Łódź — Москва".into(),
            amount: "25".parse().expect("test setup"),
        }]),
        FieldType::Text => Value::Text("Zażółć gęślą jaźń / Съешь же ещё".into()),
    }
}

fn case(def: &Definition, all_fields: bool) -> CaseState {
    let mut case = CaseState::blank("2026-11-30T09:00:00Z".parse().expect("test setup"));
    case.id = format!("{}-2026-0001", def.id_prefix);
    case.process = def.name.clone();
    case.opened_by = "alice".into();
    for f in &def.fields {
        if all_fields || f.required {
            case.fields.insert(f.name.clone(), sample(&f.ty));
        }
    }
    case
}

fn history() -> Vec<EventRow> {
    vec![EventRow {
        seq: 1,
        at: "2026-11-30T09:00:00Z".into(),
        actor: "maria".into(),
        kind: "acted".into(),
        action: Some("reject".into()),
        from_steps: vec![],
        to_steps: vec![],
        comment: Some("the reasons given".into()),
        note: None,
        changes: serde_json::Value::Null,
    }]
}

#[test]
fn every_bundled_template_passes_check() {
    let (_, defs, templates) = bundled();
    let refs: Vec<&Definition> = defs.iter().collect();
    let problems: Vec<String> = notify::check(&templates, &refs)
        .iter()
        .map(ToString::to_string)
        .collect();
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn every_notify_of_a_process_with_templates_has_one_that_renders_in_every_locale() {
    let (org, defs, templates) = bundled();
    let mut rendered = 0;
    for def in &defs {
        for name in notify_names(def) {
            assert!(
                templates.exists(&def.name, &name, Kind::Mail),
                "templates/{}/{name}.txt is missing",
                def.name
            );
            let mut locales = templates.locales(&def.name, &name, Kind::Mail);
            locales.push("en".into());
            for locale in locales {
                for all in [true, false] {
                    let case = case(def, all);
                    let reader = Reader {
                        name: "Alice Smith".into(),
                        email: Some("alice@example.com".into()),
                        locale: locale.clone(),
                    };
                    let history = history();
                    let job = Job {
                        templates: &templates,
                        def,
                        org: &org,
                        case: &case,
                        history: &history,
                        event_seq: Some(1),
                        reader: &reader,
                        dated: None,
                    };
                    let r = job
                        .mail(&name)
                        .unwrap_or_else(|e| panic!("{}/{name} in {locale}: {e}", def.name));
                    assert!(
                        !r.subject.trim().is_empty(),
                        "{}/{name}: empty subject",
                        def.name
                    );
                    assert_eq!(r.locale, locale);
                    rendered += 1;
                }
            }
        }
    }
    assert!(rendered >= 6, "only {rendered} renderings");
}
