//! `act --from FILE`: one action per row (case id, action, comment, field columns), each
//! taken exactly as `act` would take it, all in the caller's one transaction. A case may
//! appear on several rows; later rows see what earlier ones did.

use std::collections::HashMap;

use jiff::Timestamp;

use super::convert::{text_of, Converter};
use super::map::normalize;
use super::read::{Row, Table};
use super::write::TableOut;
use super::SheetError;
use crate::definition::Definition;
use crate::engine::{self, Command, Facts, Refusal};
use crate::org::Org;
use crate::store::{Db, StoreError};
use crate::value::Value;

/// The columns with a meaning of their own.
#[derive(Clone, Copy, Debug, Default)]
pub struct Columns {
    pub case: usize,
    pub action: usize,
    pub comment: Option<usize>,
    pub step: Option<usize>,
}

/// Find the case, action, comment and step columns by their headers.
pub fn columns(table: &Table) -> Result<Columns, SheetError> {
    let find = |names: &[&str]| {
        table
            .headers
            .iter()
            .position(|h| names.contains(&normalize(h).as_str()))
    };
    let case = find(&["case", "caseid", "id"]);
    let action = find(&["action"]);
    match (case, action) {
        (Some(case), Some(action)) => Ok(Columns {
            case,
            action,
            comment: find(&["comment", "comments"]),
            step: find(&["step"]),
        }),
        _ => Err(SheetError::Columns(vec![format!(
            "{}: a sheet of actions needs a `Case` and an `Action` column (found: {})",
            table.sheet,
            table.headers.join(", ")
        )])),
    }
}

/// Who acts, when, and from which file.
pub struct Job<'a> {
    pub org: &'a Org,
    pub actor: &'a str,
    pub now: Timestamp,
    pub file: &'a str,
}

/// One action taken: (sheet row, case, action, steps after).
pub type Done = (u32, String, String, Vec<String>);

/// What happened.
#[derive(Debug, Default)]
pub struct Outcome {
    pub rows: usize,
    pub done: Vec<Done>,
    pub rejected: Vec<(usize, Vec<String>)>,
    pub warnings: Vec<String>,
}

/// A definition and, per column, the field it feeds.
struct Loaded {
    def: Definition,
    fields: Vec<Option<String>>,
}

/// Take every row's action; `load` gives the definition of a process version.
pub fn run(
    db: &Db,
    job: &Job,
    table: &Table,
    cols: Columns,
    conv: &Converter,
    mut load: impl FnMut(&str, i64) -> Result<Definition, crate::error::CliError>,
    mut tick: impl FnMut(),
) -> Result<Outcome, crate::error::CliError> {
    let mut out = Outcome::default();
    let mut defs: HashMap<(String, i64), Loaded> = HashMap::new();
    for (index, row) in table.rows.iter().enumerate() {
        tick();
        if row.cells.iter().all(|c| c.is_blank()) {
            continue;
        }
        out.rows += 1;
        let id = text_of(&row.cells[cols.case]);
        let case = match db.load_case(&id) {
            Ok(case) => case,
            Err(StoreError::NoSuchCase(_)) => {
                let at = table.cell_ref(cols.case, row.number);
                out.rejected
                    .push((index, vec![format!("{at}: no case {id:?}")]));
                continue;
            }
            Err(e) => return Err(e.into()),
        };
        let key = (case.process.clone(), case.version);
        if !defs.contains_key(&key) {
            let def = load(&case.process, case.version)?;
            let fields = field_columns(&def, table, cols, &mut out.warnings);
            defs.insert(key.clone(), Loaded { def, fields });
        }
        let Some(loaded) = defs.get(&key) else {
            continue;
        };
        match act(db, job, table, cols, conv, loaded, row, case) {
            Ok(Ok(done)) => out.done.push(done),
            Ok(Err(errors)) => out.rejected.push((index, errors)),
            Err(e) => return Err(e.into()),
        }
    }
    Ok(out)
}

/// The field each column feeds in `def` (the case, action, comment and step columns none).
fn field_columns(
    def: &Definition,
    table: &Table,
    cols: Columns,
    warnings: &mut Vec<String>,
) -> Vec<Option<String>> {
    let special = [Some(cols.case), Some(cols.action), cols.comment, cols.step];
    table
        .headers
        .iter()
        .enumerate()
        .map(|(col, header)| {
            if special.contains(&Some(col))
                || header.is_empty()
                || header == super::map::ERROR_COLUMN
                || super::export::FIXED.contains(&header.as_str())
            {
                return None;
            }
            let h = normalize(header);
            let found = def
                .fields
                .iter()
                .find(|f| normalize(&f.name) == h)
                .or_else(|| {
                    def.fields
                        .iter()
                        .find(|f| f.title.as_deref().is_some_and(|t| normalize(t) == h))
                });
            if found.is_none() {
                warnings.push(format!(
                    "column {} ({header:?}) matches no field of {}; ignored for its cases",
                    table.letters(col),
                    def.name
                ));
            }
            found.map(|f| f.name.clone())
        })
        .collect()
}

#[allow(clippy::too_many_arguments)]
fn act(
    db: &Db,
    job: &Job,
    table: &Table,
    cols: Columns,
    conv: &Converter,
    loaded: &Loaded,
    row: &Row,
    mut case: engine::CaseState,
) -> Result<Result<Done, Vec<String>>, StoreError> {
    let def = &loaded.def;
    case.retype(def);
    let mut errors = Vec::new();
    let mut fields: Vec<(String, Value)> = Vec::new();
    for (col, field) in loaded.fields.iter().enumerate() {
        let (Some(name), cell) = (field, &row.cells[col]) else {
            continue;
        };
        if cell.is_blank() {
            continue;
        }
        let Some(f) = def.field(name) else { continue };
        match conv.value(&f.ty, cell) {
            Ok(v) => fields.push((name.clone(), v)),
            Err(m) => errors.push(format!("{}: {name}: {m}", table.cell_ref(col, row.number))),
        }
    }
    let action = text_of(&row.cells[cols.action]);
    if action.is_empty() {
        errors.push(format!(
            "{}: the action is empty",
            table.cell_ref(cols.action, row.number)
        ));
    }
    if !errors.is_empty() {
        return Ok(Err(errors));
    }
    let optional = |col: Option<usize>| {
        col.map(|c| text_of(&row.cells[c]))
            .filter(|t| !t.is_empty())
    };
    let command = Command::Act {
        action: action.clone(),
        step: optional(cols.step),
        fields,
        comment: optional(cols.comment),
        attachments: Vec::new(),
    };
    let facts: Facts = db.facts(def, job.now)?;
    let source = format!("act --from {} row {}", job.file, row.number);
    let ectx = engine::Ctx {
        def,
        version: case.version,
        org: job.org,
        actor: job.actor,
        now: job.now,
        source: Some(&source),
        facts: &facts,
    };
    match engine::decide(&ectx, &case, command) {
        Ok(decision) => {
            db.record(&decision, &[], job.now)?;
            Ok(Ok((
                row.number,
                decision.case.id.clone(),
                action,
                decision.case.active_steps(),
            )))
        }
        Err(r) => Ok(Err(vec![refusal_at(table, cols, loaded, row, &r)])),
    }
}

/// A refusal naming the cell it is about: a field's column, the action, or else the row.
fn refusal_at(table: &Table, cols: Columns, loaded: &Loaded, row: &Row, r: &Refusal) -> String {
    let col = match r {
        Refusal::PatternMismatch { field, .. }
        | Refusal::Computed { field }
        | Refusal::UnknownField { field, .. } => loaded
            .fields
            .iter()
            .position(|f| f.as_deref() == Some(field.as_str())),
        Refusal::NotOffered { .. } => Some(cols.action),
        _ => None,
    };
    match col {
        Some(c) => format!("{}: {r}", table.cell_ref(c, row.number)),
        None => format!("{}!{n}:{n}: {r}", table.sheet, n = row.number),
    }
}

/// The rejected rows with an error column.
pub fn rejects_table(table: &Table, rejected: &[(usize, Vec<String>)]) -> TableOut {
    super::import::rejects_table(table, rejected)
}
