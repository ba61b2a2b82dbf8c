//! What expressions see when a case is running: its fields, plus `documents` (the kinds
//! attached so far) and `missing_documents` (the kinds on its checklist not attached yet).

use std::collections::BTreeMap;

use super::state::CaseState;
use crate::definition::{Definition, Expr};
use crate::value::Value;

/// The kinds of the documents attached to the case, each once, in attachment order.
pub fn attached_kinds(case: &CaseState) -> Vec<String> {
    let mut kinds: Vec<String> = Vec::new();
    for kind in case.attachments.iter().filter_map(|a| a.kind.clone()) {
        if !kinds.contains(&kind) {
            kinds.push(kind);
        }
    }
    kinds
}

/// The case's checklist: each document kind it must have now, and whether one is attached.
/// `required_when` conditions see `documents`, and `missing_documents` as empty (a checklist
/// cannot depend on itself).
pub fn checklist(def: &Definition, case: &CaseState) -> Vec<(String, bool)> {
    let attached = attached_kinds(case);
    let mut fields = case.fields.clone();
    fields.insert("documents".into(), Value::List(attached.clone()));
    fields.insert("missing_documents".into(), Value::List(Vec::new()));
    def.checklist(&fields)
        .into_iter()
        .map(|kind| (kind.to_string(), attached.iter().any(|a| a == kind)))
        .collect()
}

/// The checklist's kinds not attached yet.
pub fn missing_documents(def: &Definition, case: &CaseState) -> Vec<String> {
    checklist(def, case)
        .into_iter()
        .filter(|(_, attached)| !attached)
        .map(|(kind, _)| kind)
        .collect()
}

/// Fields and built-in variables, by name.
pub fn values(def: &Definition, case: &CaseState) -> BTreeMap<String, Value> {
    let mut values = case.fields.clone();
    values.insert("documents".into(), Value::List(attached_kinds(case)));
    values.insert(
        "missing_documents".into(),
        Value::List(missing_documents(def, case)),
    );
    values
}

/// Evaluate an expression against the case.
pub fn eval(def: &Definition, case: &CaseState, expr: &Expr) -> Result<cel::Value, String> {
    expr.eval(&def.expression_names(), &values(def, case), &def.constants)
}

/// Evaluate a condition; anything but `true` or `false` is an error message.
pub fn condition(def: &Definition, case: &CaseState, expr: &Expr) -> Result<bool, String> {
    match eval(def, case, expr)? {
        cel::Value::Bool(b) => Ok(b),
        other => Err(format!(
            "`{}` gave {other:?}, not true or false",
            expr.source
        )),
    }
}
