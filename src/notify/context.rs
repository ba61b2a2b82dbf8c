//! What a template sees: `case`, `fields`, `event`, `recipient`, `history`, `link`.
//!
//! Every declared field is present (null when unset), so `{% if fields.x %}` works under
//! strict undefined, and values are formatted for people (money `1234.50`, dates
//! `2026-11-30`, lists as lists). The same names are what `check` accepts.

use serde_json::{json, Map, Value as Json};

use crate::definition::Definition;
use crate::engine::CaseState;
use crate::org::Org;
use crate::store::EventRow;
use crate::value::{format_money, Value};

/// The top-level names, and for the fixed objects their keys (`fields` is the process's).
pub const CASE_KEYS: &[&str] = &[
    "id",
    "process",
    "process_title",
    "priority",
    "status",
    "outcome",
    "steps",
    "step_titles",
    "opened_at",
    "opened_by",
    "opened_by_name",
];
pub const EVENT_KEYS: &[&str] = &["kind", "action", "actor", "actor_name", "comment", "at"];
pub const RECIPIENT_KEYS: &[&str] = &["name", "email", "locale"];
pub const TOP_LEVEL: &[&str] = &["case", "fields", "event", "recipient", "history", "link"];

/// Who a message (or letter) is for.
#[derive(Debug, Clone, Default)]
pub struct Reader {
    pub name: String,
    pub email: Option<String>,
    pub locale: String,
}

/// Everything the context is built from.
pub struct Source<'a> {
    pub def: &'a Definition,
    pub org: &'a Org,
    pub case: &'a CaseState,
    pub history: &'a [EventRow],
    /// The `seq` of the event the message is about (the last one when `None`).
    pub event_seq: Option<i64>,
    pub reader: &'a Reader,
}

pub fn build(src: &Source) -> Json {
    let event = src
        .event_seq
        .and_then(|seq| src.history.iter().find(|e| e.seq == seq))
        .or(src.history.last());
    json!({
        "case": case_object(src.def, src.org, src.case),
        "fields": fields_object(src.def, src.case),
        "event": event.map(|e| event_object(src.org, e)).unwrap_or_else(|| empty(EVENT_KEYS)),
        "recipient": {
            "name": src.reader.name,
            "email": src.reader.email,
            "locale": src.reader.locale,
        },
        "history": src.history.iter().map(|e| event_object(src.org, e)).collect::<Vec<_>>(),
        "link": format!("caseflow show {}", src.case.id),
    })
}

fn case_object(def: &Definition, org: &Org, case: &CaseState) -> Json {
    let steps = case.active_steps();
    let titles: Vec<String> = steps
        .iter()
        .map(|s| {
            def.step(s)
                .and_then(|st| st.title.clone())
                .unwrap_or_else(|| s.clone())
        })
        .collect();
    json!({
        "id": case.id,
        "process": case.process,
        "process_title": def.title,
        "priority": case.priority.as_str(),
        "status": if case.is_open() { "open" } else { "closed" },
        "outcome": case.outcome,
        "steps": steps,
        "step_titles": titles,
        "opened_at": crate::time::format_timestamp(case.opened_at),
        "opened_by": case.opened_by,
        "opened_by_name": org.display_name(&case.opened_by),
    })
}

fn fields_object(def: &Definition, case: &CaseState) -> Json {
    let mut fields = Map::new();
    for field in &def.fields {
        let value = case.fields.get(&field.name).map(for_people);
        fields.insert(field.name.clone(), value.unwrap_or(Json::Null));
    }
    Json::Object(fields)
}

/// A value as people read it.
pub fn for_people(value: &Value) -> Json {
    match value {
        Value::Integer(i) => json!(i),
        Value::Bool(b) => json!(b),
        Value::Money(m) => json!(format_money(*m)),
        Value::List(items) => json!(items),
        Value::Lines(lines) => json!(lines
            .iter()
            .map(|l| json!({"description": l.description, "amount": format_money(l.amount)}))
            .collect::<Vec<_>>()),
        other => json!(other.to_string()),
    }
}

fn event_object(org: &Org, e: &EventRow) -> Json {
    json!({
        "kind": e.kind,
        "action": e.action,
        "actor": e.actor,
        "actor_name": org.display_name(&e.actor),
        "comment": e.comment,
        "at": e.at,
    })
}

fn empty(keys: &[&str]) -> Json {
    Json::Object(keys.iter().map(|k| (k.to_string(), Json::Null)).collect())
}
