//! Spreadsheets in and out: `import` (a sheet becomes cases, all or nothing), `act --from`
//! (a sheet of actions), and `export` (cases as typed xlsx or csv).
//!
//! The modules follow the data: [`read`] turns any file into a [`read::Table`] of cells
//! that remember their addresses; [`map`] decides which column feeds which field;
//! [`convert`] types each cell; [`import`] and [`bulk`] run every row through the same
//! engine path as `open` and `act`, inside one transaction; [`write`] and [`export`] write
//! typed, formula-safe cells.

pub mod bulk;
pub mod convert;
pub mod export;
pub mod import;
pub mod map;
pub mod read;
pub mod write;

use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum SheetError {
    #[error("{0} does not exist")]
    NotFound(String),
    #[error("cannot read {path}: {detail}")]
    Unreadable { path: String, detail: String },
    #[error("no sheet {sheet:?}; the workbook has: {available}")]
    NoSuchSheet { sheet: String, available: String },
    #[error("{sheet}: no header row: {detail}")]
    NoHeader { sheet: String, detail: String },
    #[error("{}", columns_text(.0))]
    Columns(Vec<String>),
    #[error("{invalid} of {rows} rows are invalid; nothing was {verb}:\n{}", .errors.join("\n"))]
    Rows {
        /// One line per bad cell or row: `Sheet!C42: amount: "abc" is not a money amount`.
        errors: Vec<String>,
        /// How many rows were invalid.
        invalid: usize,
        rows: usize,
        verb: &'static str,
    },
    #[error("cannot write {path}: {detail}")]
    CannotWrite { path: String, detail: String },
    #[error("{0}")]
    Usage(String),
    /// Over one of the limits in [`read`] (`Sheet!B2: the cell holds ... bytes`).
    #[error("{0}")]
    TooLarge(String),
    #[error("{0}")]
    Store(#[from] StoreError),
}

impl SheetError {
    /// The lines a script may want one by one (`--json` lists them as `errors`).
    pub fn details(&self) -> Option<&[String]> {
        match self {
            SheetError::Columns(lines) | SheetError::Rows { errors: lines, .. } => Some(lines),
            _ => None,
        }
    }
}

fn columns_text(errors: &[String]) -> String {
    format!(
        "the columns do not fit the process; nothing was read:\n{}",
        errors.join("\n")
    )
}
