//! `import`: every row of a sheet opened as a case exactly as `open` would (same engine call,
//! same permissions, routing, four-eyes and notifications), in the caller's one transaction.
//!
//! Rows are checked and opened one after the other; the caller commits only when no row
//! failed (or `--skip-invalid` was given), so a bad row never half-imports a file. The
//! definition, the column mapping, the people lookup and the case-id counter are prepared
//! once per file, not per row.

use std::collections::HashMap;

use jiff::Timestamp;

use super::convert::Converter;
use super::map::{Mapping, Target};
use super::read::{Row, Table};
use super::write::{Out, TableOut};
use super::SheetError;
use crate::definition::Definition;
use crate::engine::{self, Command, Decision, Facts, Opening, Priority, Refusal};
use crate::org::Org;
use crate::store::Db;
use crate::value::Value;

/// What the import is about, besides the rows.
pub struct Job<'a> {
    pub def: &'a Definition,
    pub version: i64,
    pub org: &'a Org,
    pub actor: &'a str,
    pub now: Timestamp,
    /// The file as the events name it (`claims.xlsx`).
    pub file: &'a str,
    pub update: bool,
}

/// One row's values, ready for the engine.
struct RowInput {
    key: Option<String>,
    fields: Vec<(String, Value)>,
    priority: Option<Priority>,
}

/// What happened to the rows.
#[derive(Debug, Default)]
pub struct Outcome {
    /// Non-blank data rows.
    pub rows: usize,
    /// (sheet row, case id)
    pub created: Vec<(u32, String)>,
    pub updated: Vec<(u32, String)>,
    /// Key already imported, case unchanged or not updated: (sheet row, key, case).
    pub skipped: Vec<(u32, String, String)>,
    /// (index into the table's rows, messages)
    pub rejected: Vec<(usize, Vec<String>)>,
}

impl Outcome {
    pub fn errors(&self) -> Vec<String> {
        self.rejected.iter().flat_map(|(_, e)| e.clone()).collect()
    }
}

/// Import every row of `table` (see the module doc); `tick` is called once per row.
pub fn run(
    db: &Db,
    job: &Job,
    table: &Table,
    mapping: &Mapping,
    conv: &Converter,
    mut tick: impl FnMut(),
) -> Result<Outcome, SheetError> {
    let mut out = Outcome::default();
    let mut ids = db.case_ids(&job.def.id_prefix, crate::time::year_of(job.now))?;
    let mut facts = db.facts(job.def, job.now)?;
    let mut keys: HashMap<String, u32> = HashMap::new();
    for (index, row) in table.rows.iter().enumerate() {
        tick();
        if row.cells.iter().all(|c| c.is_blank()) {
            continue;
        }
        out.rows += 1;
        let input = match convert_row(job.def, table, mapping, conv, row) {
            Ok(input) => input,
            Err(errors) => {
                out.rejected.push((index, errors));
                continue;
            }
        };
        if let (Some(key), Some(col)) = (&input.key, mapping.key) {
            if let Some(first) = keys.insert(key.clone(), row.number) {
                let at = table.cell_ref(col, row.number);
                out.rejected.push((
                    index,
                    vec![format!("{at}: key {key:?} repeats row {first}")],
                ));
                continue;
            }
            if let Some(case) = db.case_by_ref(&job.def.name, key)? {
                match update(db, job, &facts, &case, input.fields, row.number)? {
                    Ok(true) => out.updated.push((row.number, case)),
                    Ok(false) => out.skipped.push((row.number, key.clone(), case)),
                    Err(r) => out
                        .rejected
                        .push((index, vec![refusal_at(table, mapping, row, &r)])),
                }
                continue;
            }
        }
        let source = format!("import {} row {}", job.file, row.number);
        let ectx = engine::Ctx {
            def: job.def,
            version: job.version,
            org: job.org,
            actor: job.actor,
            now: job.now,
            source: Some(&source),
            facts: &facts,
        };
        let opening = Opening {
            fields: input.fields,
            priority: input.priority,
            external_ref: input.key,
            ..Opening::default()
        };
        match engine::open(&ectx, &ids.peek(), opening) {
            Ok(decision) => {
                db.record(&decision, &[], job.now)?;
                ids.take();
                absorb(&mut facts, &decision);
                out.created.push((row.number, decision.case.id));
            }
            Err(r) => out
                .rejected
                .push((index, vec![refusal_at(table, mapping, row, &r)])),
        }
    }
    db.save_case_ids(&ids)?;
    Ok(out)
}

/// Set the row's fields on an existing case with `--update` (audited like `set`).
/// `Ok(Ok(false))`: skipped (no `--update`, or nothing changed).
fn update(
    db: &Db,
    job: &Job,
    facts: &Facts,
    id: &str,
    fields: Vec<(String, Value)>,
    row: u32,
) -> Result<Result<bool, Refusal>, SheetError> {
    if !job.update {
        return Ok(Ok(false));
    }
    let mut case = db.load_case(id)?;
    case.retype(job.def);
    if fields
        .iter()
        .all(|(name, value)| case.fields.get(name) == Some(value))
    {
        return Ok(Ok(false));
    }
    let source = format!("import {} row {row}", job.file);
    let ectx = engine::Ctx {
        def: job.def,
        version: case.version,
        org: job.org,
        actor: job.actor,
        now: job.now,
        source: Some(&source),
        facts,
    };
    let decision = match engine::decide(
        &ectx,
        &case,
        Command::Set {
            fields,
            comment: None,
        },
    ) {
        Ok(d) => d,
        Err(r) => return Ok(Err(r)),
    };
    if decision.events.is_empty() {
        return Ok(Ok(false));
    }
    db.record(&decision, &[], job.now)?;
    Ok(Ok(true))
}

/// Later rows see the sequence numbers and task counts of earlier ones (the store is only
/// read once per file).
fn absorb(facts: &mut Facts, decision: &Decision) {
    facts.sequences.extend(decision.sequences.clone());
    for task in &decision.case.tasks {
        if let engine::Assignee::Person(p) = &task.assignee {
            *facts.workload.entry(p.clone()).or_default() += 1;
        }
    }
}

fn convert_row(
    def: &Definition,
    table: &Table,
    mapping: &Mapping,
    conv: &Converter,
    row: &Row,
) -> Result<RowInput, Vec<String>> {
    let mut errors = Vec::new();
    let mut input = RowInput {
        key: None,
        fields: Vec::new(),
        priority: None,
    };
    for (col, target) in mapping.targets.iter().enumerate() {
        let cell = &row.cells[col];
        let at = || table.cell_ref(col, row.number);
        match target {
            Target::Ignored => {}
            Target::Priority if cell.is_blank() => {}
            Target::Priority => match priority(&super::convert::text_of(cell)) {
                Some(p) => input.priority = Some(p),
                None => errors.push(format!(
                    "{}: priority: {:?} is not one of low, normal, high, urgent",
                    at(),
                    cell.display()
                )),
            },
            Target::Field(name) => {
                let Some(field) = def.field(name) else {
                    continue;
                };
                if cell.is_blank() {
                    if field.required && field.default.is_none() {
                        errors.push(format!("{}: {name}: required, but the cell is empty", at()));
                    }
                    continue;
                }
                match conv.value(&field.ty, cell) {
                    Ok(v) => input.fields.push((name.clone(), v)),
                    Err(message) => errors.push(format!("{}: {name}: {message}", at())),
                }
            }
        }
    }
    if let Some(col) = mapping.key {
        let key = super::convert::text_of(&row.cells[col]);
        if key.is_empty() {
            errors.push(format!(
                "{}: the key column is empty",
                table.cell_ref(col, row.number)
            ));
        }
        input.key = Some(key);
    }
    if errors.is_empty() {
        Ok(input)
    } else {
        Err(errors)
    }
}

fn priority(text: &str) -> Option<Priority> {
    [
        Priority::Low,
        Priority::Normal,
        Priority::High,
        Priority::Urgent,
    ]
    .into_iter()
    .find(|p| p.as_str().eq_ignore_ascii_case(text.trim()))
}

/// A refusal as a line naming its cell (the field's column) or else its row (`Sheet!42:42`).
pub fn refusal_at(table: &Table, mapping: &Mapping, row: &Row, refusal: &Refusal) -> String {
    let field = match refusal {
        Refusal::PatternMismatch { field, .. }
        | Refusal::Computed { field }
        | Refusal::UnknownField { field, .. } => Some(field.as_str()),
        _ => None,
    };
    let col = field.and_then(|f| {
        mapping
            .targets
            .iter()
            .position(|t| *t == Target::Field(f.to_string()))
    });
    match col {
        Some(col) => format!("{}: {refusal}", table.cell_ref(col, row.number)),
        None => format!("{}!{n}:{n}: {refusal}", table.sheet, n = row.number),
    }
}

/// The rejected rows as they were, with an error column, for the rejects file.
pub fn rejects_table(table: &Table, rejected: &[(usize, Vec<String>)]) -> TableOut {
    let mut headers = table.headers.clone();
    headers.push(super::map::ERROR_COLUMN.to_string());
    let rows = rejected
        .iter()
        .filter_map(|(index, errors)| {
            let row = table.rows.get(*index)?;
            let mut cells: Vec<Out> = row
                .cells
                .iter()
                .take(table.headers.len())
                .map(Out::from_cell)
                .collect();
            cells.resize(table.headers.len(), Out::Empty);
            cells.push(Out::Text(errors.join("; ")));
            Some(cells)
        })
        .collect();
    TableOut {
        name: table.sheet.clone(),
        headers,
        rows,
    }
}
