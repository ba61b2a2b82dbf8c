//! `export`: cases as an Excel workbook (one sheet per process, an optional history sheet)
//! or a csv file, streamed from the store so memory stays flat however many cases there
//! are (rust_xlsxwriter's constant-memory worksheets; column widths from the first rows).
//!
//! Cells are typed (dates as dates, money as numbers with a number format) and the headers
//! are the fields' titles, which `import` maps back to the fields: importing an export
//! gives the same cases again.

use std::path::Path;

use rust_xlsxwriter::{Workbook, Worksheet};

use super::map::normalize;
use super::write::{self, Formats, Out};
use super::SheetError;
use crate::definition::Definition;
use crate::engine::CaseState;
use crate::store::{CaseFilter, Db, EventRow};

/// The columns before the fields; `import` ignores them (except Priority and Reference, which
/// it reads as the priority and, with `--key Reference`, the external reference).
pub const FIXED: [&str; 10] = [
    "Case",
    "Status",
    "Outcome",
    "Step",
    "Assignee",
    "Priority",
    "Opened by",
    "Opened at",
    "Closed at",
    "Reference",
];

const HISTORY: [&str; 11] = [
    "Case", "Seq", "At", "Actor", "Kind", "Action", "From", "To", "Comment", "Note", "Changes",
];

/// How many rows are looked at for column widths before the widths are fixed.
const WIDTH_SAMPLE: usize = 200;

/// The fields of one process, as columns.
pub struct ProcessColumns {
    pub process: String,
    /// (field name, header)
    pub fields: Vec<(String, String)>,
    /// The definition of each version with cases, to type the stored values.
    versions: Vec<(i64, Definition)>,
    latest: Option<Definition>,
}

impl ProcessColumns {
    /// The fields of the definitions (latest first, then fields only older versions had),
    /// each headed by its title unless that would be ambiguous.
    pub fn new(
        process: &str,
        latest: Definition,
        versions: Vec<(i64, Definition)>,
    ) -> ProcessColumns {
        let mut fields: Vec<(String, Option<String>)> = Vec::new();
        for def in std::iter::once(&latest).chain(versions.iter().map(|(_, d)| d)) {
            for f in &def.fields {
                if !fields.iter().any(|(n, _)| *n == f.name) {
                    fields.push((f.name.clone(), f.title.clone()));
                }
            }
        }
        let names: Vec<String> = fields.iter().map(|(n, _)| normalize(n)).collect();
        let titles: Vec<String> = fields
            .iter()
            .filter_map(|(_, t)| t.as_deref().map(normalize))
            .collect();
        let fields = fields
            .into_iter()
            .map(|(name, title)| {
                let own = normalize(&name);
                // A title another field's name or title (or a fixed column) also reads as
                // would not import back unambiguously: use the name then.
                let clear = |t: &str| {
                    let t = normalize(t);
                    !FIXED.iter().any(|h| normalize(h) == t)
                        && names.iter().all(|n| *n == own || *n != t)
                        && titles.iter().filter(|x| **x == t).count() == 1
                };
                let header = match title {
                    Some(t) if clear(&t) => t,
                    _ => name.clone(),
                };
                (name, header)
            })
            .collect();
        ProcessColumns {
            process: process.to_string(),
            fields,
            versions,
            latest: Some(latest),
        }
    }

    /// The latest definition among those with cases (or the latest deployed).
    pub fn definition_latest(&self) -> Option<&Definition> {
        self.latest.as_ref()
    }

    /// The definition a case of `version` runs on.
    pub fn definition(&self, version: i64) -> Option<&Definition> {
        self.versions
            .iter()
            .find(|(v, _)| *v == version)
            .map(|(_, d)| d)
    }

    fn headers(&self) -> Vec<String> {
        FIXED
            .iter()
            .map(|h| h.to_string())
            .chain(self.fields.iter().map(|(_, h)| h.clone()))
            .collect()
    }

    fn row(&self, mut case: CaseState) -> Vec<Out> {
        if let Some(def) = self.definition(case.version) {
            case.retype(def);
        }
        let text = |s: String| {
            if s.is_empty() {
                Out::Empty
            } else {
                Out::Text(s)
            }
        };
        let mut row = vec![
            Out::text(&case.id),
            Out::text(if case.is_open() { "open" } else { "closed" }),
            text(case.outcome.clone().unwrap_or_default()),
            text(case.active_steps().join(", ")),
            text(
                case.tasks
                    .iter()
                    .map(|t| t.assignee.name().to_string())
                    .collect::<Vec<_>>()
                    .join(", "),
            ),
            Out::text(case.priority.as_str()),
            Out::text(&case.opened_by),
            Out::DateTime(case.opened_at),
            case.closed_at.map(Out::DateTime).unwrap_or(Out::Empty),
            text(case.external_ref.clone().unwrap_or_default()),
        ];
        row.extend(
            self.fields
                .iter()
                .map(|(name, _)| Out::from_value(case.fields.get(name))),
        );
        row
    }
}

/// What was written.
#[derive(Debug, Default, serde::Serialize)]
pub struct Written {
    /// (sheet or file, cases)
    pub sheets: Vec<(String, usize)>,
    pub events: usize,
    pub files: Vec<String>,
}

/// Write the cases matching `filter` to `path` (xlsx or csv by extension).
pub fn export(
    db: &Db,
    path: &Path,
    filter: &CaseFilter,
    processes: &[ProcessColumns],
    history: bool,
) -> Result<Written, SheetError> {
    if super::read::is_csv(path) {
        export_csv(db, path, filter, processes, history)
    } else {
        export_xlsx(db, path, filter, processes, history)
    }
}

fn export_xlsx(
    db: &Db,
    path: &Path,
    filter: &CaseFilter,
    processes: &[ProcessColumns],
    history: bool,
) -> Result<Written, SheetError> {
    let xe = |e| write::xlsx_error(path, e);
    let f = Formats::default();
    let mut book = Workbook::new();
    let mut written = Written::default();
    for columns in processes {
        let ws = book.add_worksheet_with_constant_memory().map_err(xe)?;
        ws.set_name(write::sheet_name(&columns.process))
            .map_err(xe)?;
        let mut sink = Sink::new(ws, columns.headers(), &f).map_err(xe)?;
        let filter = CaseFilter {
            process: Some(columns.process.clone()),
            ..filter.clone()
        };
        db.each_case(&filter, |case| {
            sink.push(columns.row(case));
            Ok(())
        })?;
        let n = sink.finish().map_err(xe)?;
        written.sheets.push((columns.process.clone(), n));
    }
    if history {
        let ws = book.add_worksheet_with_constant_memory().map_err(xe)?;
        ws.set_name("History").map_err(xe)?;
        let headers = HISTORY.iter().map(|h| h.to_string()).collect();
        let mut sink = Sink::new(ws, headers, &f).map_err(xe)?;
        db.each_event(filter, |case, e| {
            sink.push(event_row(case, &e));
            Ok(())
        })?;
        written.events = sink.finish().map_err(xe)?;
    }
    if processes.is_empty() && !history {
        // An empty workbook is still a workbook: one sheet with the fixed columns.
        let ws = book.add_worksheet();
        write::header(ws, &FIXED.map(String::from), &f).map_err(xe)?;
    }
    book.save(path).map_err(xe)?;
    written.files.push(path.display().to_string());
    Ok(written)
}

/// Rows into a constant-memory worksheet: the first rows are held back until the column
/// widths are known, the rest go straight out. Errors are kept until `finish`.
struct Sink<'w, 'f> {
    ws: &'w mut Worksheet,
    f: &'f Formats,
    headers: Vec<String>,
    held: Vec<Vec<Out>>,
    next_row: u32,
    error: Option<rust_xlsxwriter::XlsxError>,
}

impl<'w, 'f> Sink<'w, 'f> {
    fn new(
        ws: &'w mut Worksheet,
        headers: Vec<String>,
        f: &'f Formats,
    ) -> Result<Self, rust_xlsxwriter::XlsxError> {
        write::header(ws, &headers, f)?;
        Ok(Sink {
            ws,
            f,
            headers,
            held: Vec::new(),
            next_row: 1,
            error: None,
        })
    }

    fn push(&mut self, row: Vec<Out>) {
        if self.next_row == 1 && self.held.len() < WIDTH_SAMPLE {
            self.held.push(row);
            return;
        }
        self.flush_held();
        self.put(&row);
    }

    fn put(&mut self, row: &[Out]) {
        for (c, out) in row.iter().enumerate() {
            if let Err(e) = write::put(self.ws, self.next_row, c as u16, out, self.f) {
                self.error.get_or_insert(e);
            }
        }
        self.next_row += 1;
    }

    fn flush_held(&mut self) {
        if self.next_row != 1 {
            return;
        }
        let widths = write::widths(&self.headers, self.held.iter());
        for (c, w) in widths.into_iter().enumerate() {
            if let Err(e) = self.ws.set_column_width(c as u16, w) {
                self.error.get_or_insert(e);
            }
        }
        let held = std::mem::take(&mut self.held);
        if held.is_empty() {
            self.next_row = 1;
            return;
        }
        for row in &held {
            self.put(row);
        }
    }

    /// Write what is held, add the autofilter; the number of data rows.
    fn finish(mut self) -> Result<usize, rust_xlsxwriter::XlsxError> {
        self.flush_held();
        if let Some(e) = self.error {
            return Err(e);
        }
        let last_row = self.next_row - 1;
        self.ws
            .autofilter(0, 0, last_row, self.headers.len() as u16 - 1)?;
        Ok(last_row as usize)
    }
}

fn export_csv(
    db: &Db,
    path: &Path,
    filter: &CaseFilter,
    processes: &[ProcessColumns],
    history: bool,
) -> Result<Written, SheetError> {
    let columns = match processes {
        [one] => one,
        [] => &ProcessColumns {
            process: String::new(),
            fields: Vec::new(),
            versions: Vec::new(),
            latest: None,
        },
        many => {
            return Err(SheetError::Usage(format!(
                "a csv file holds one table, and the cases are of {} processes ({}); add --process, or export to .xlsx (one sheet per process)",
                many.len(),
                many.iter().map(|p| p.process.as_str()).collect::<Vec<_>>().join(", ")
            )))
        }
    };
    let mut written = Written::default();
    let mut csv = CsvSink::create(path, &columns.headers())?;
    db.each_case(filter, |case| {
        csv.push(&columns.row(case));
        Ok(())
    })?;
    written
        .sheets
        .push((columns.process.clone(), csv.finish()?));
    written.files.push(path.display().to_string());
    if history {
        let stem = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let history_path = path.with_file_name(format!("{stem}-history.csv"));
        let headers: Vec<String> = HISTORY.iter().map(|h| h.to_string()).collect();
        let mut csv = CsvSink::create(&history_path, &headers)?;
        db.each_event(filter, |case, e| {
            csv.push(&event_row(case, &e));
            Ok(())
        })?;
        written.events = csv.finish()?;
        written.files.push(history_path.display().to_string());
    }
    Ok(written)
}

/// Rows into a csv file, the first error kept until `finish`.
struct CsvSink {
    path: String,
    w: csv::Writer<std::fs::File>,
    rows: usize,
    error: Option<String>,
}

impl CsvSink {
    fn create(path: &Path, headers: &[String]) -> Result<CsvSink, SheetError> {
        let cannot = |e: csv::Error| SheetError::CannotWrite {
            path: path.display().to_string(),
            detail: e.to_string(),
        };
        let mut w = csv::Writer::from_path(path).map_err(cannot)?;
        w.write_record(headers).map_err(cannot)?;
        Ok(CsvSink {
            path: path.display().to_string(),
            w,
            rows: 0,
            error: None,
        })
    }

    fn push(&mut self, row: &[Out]) {
        if let Err(e) = self.w.write_record(row.iter().map(Out::csv)) {
            self.error.get_or_insert(e.to_string());
        }
        self.rows += 1;
    }

    fn finish(mut self) -> Result<usize, SheetError> {
        if let Err(e) = self.w.flush() {
            self.error.get_or_insert(e.to_string());
        }
        match self.error {
            Some(detail) => Err(SheetError::CannotWrite {
                path: self.path,
                detail,
            }),
            None => Ok(self.rows),
        }
    }
}

fn event_row(case: &str, e: &EventRow) -> Vec<Out> {
    let opt = |s: &Option<String>| s.clone().map(Out::Text).unwrap_or(Out::Empty);
    vec![
        Out::text(case),
        Out::Int(e.seq),
        crate::time::parse_timestamp(&e.at)
            .map(Out::DateTime)
            .unwrap_or_else(|| Out::text(&e.at)),
        Out::text(&e.actor),
        Out::text(&e.kind),
        opt(&e.action),
        Out::text(e.from_steps.join(", ")),
        Out::text(e.to_steps.join(", ")),
        opt(&e.comment),
        opt(&e.note),
        Out::Text(changes_text(&e.changes)),
    ]
}

/// `amount: 100.00 → 120.00; kind: ∅ → advance` for the field changes of an event.
fn changes_text(changes: &serde_json::Value) -> String {
    let show = |v: &serde_json::Value| match v {
        serde_json::Value::Null => "∅".to_string(),
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    changes
        .as_array()
        .into_iter()
        .flatten()
        .filter(|c| c["change"] == "field")
        .map(|c| {
            format!(
                "{}: {} → {}",
                c["name"].as_str().unwrap_or(""),
                show(&c["before"]),
                show(&c["after"])
            )
        })
        .collect::<Vec<_>>()
        .join("; ")
}
