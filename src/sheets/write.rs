//! Writing typed cells: the one place that knows how a value looks in xlsx (dates as dates,
//! money as numbers with a number format) and in csv, and that guards against formula
//! injection: text starting with `=`, `+`, `-`, `@`, tab or CR is written as a string cell in
//! xlsx (never a formula) and with a leading `'` in csv, so no spreadsheet evaluates it.

use std::path::Path;

use jiff::civil::Date;
use jiff::Timestamp;
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook, Worksheet, XlsxError};

use super::read::Cell;
use super::SheetError;
use crate::value::Value;

/// The first characters that make a spreadsheet program read text as a formula.
pub const GUARDED: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// One cell to write.
#[derive(Clone, Debug, PartialEq)]
pub enum Out {
    Empty,
    Text(String),
    Int(i64),
    Money(Decimal),
    Number(f64),
    Date(Date),
    DateTime(Timestamp),
    Bool(bool),
}

impl Out {
    pub fn text(s: impl Into<String>) -> Out {
        Out::Text(s.into())
    }

    pub fn from_value(value: Option<&Value>) -> Out {
        match value {
            None => Out::Empty,
            Some(Value::Integer(i)) => Out::Int(*i),
            Some(Value::Money(m)) => Out::Money(*m),
            Some(Value::Date(d)) => Out::Date(*d),
            Some(Value::DateTime(t)) => Out::DateTime(*t),
            Some(Value::Bool(b)) => Out::Bool(*b),
            Some(other) => Out::Text(other.to_string()),
        }
    }

    /// A cell read from a sheet, written back as it was (rejects files).
    pub fn from_cell(cell: &Cell) -> Out {
        match cell {
            Cell::Empty => Out::Empty,
            Cell::Text(t) | Cell::Error(t) => Out::Text(t.clone()),
            Cell::Int(i) => Out::Int(*i),
            Cell::Float(f) => Out::Number(*f),
            Cell::Bool(b) => Out::Bool(*b),
            Cell::Date(d) if d.time() == jiff::civil::Time::midnight() => Out::Date(d.date()),
            Cell::Date(d) => d
                .to_zoned_datetime(jiff::tz::TimeZone::UTC)
                .map(|z| Out::DateTime(z.timestamp()))
                .unwrap_or(Out::Empty),
        }
    }

    /// The csv text, guarded.
    pub fn csv(&self) -> String {
        match self {
            Out::Text(t) if t.starts_with(GUARDED) => format!("'{t}"),
            other => other.csv_plain(),
        }
    }

    /// The text without the formula guard (terminal tables, json).
    pub fn csv_plain(&self) -> String {
        match self {
            Out::Empty => String::new(),
            Out::Text(t) => t.clone(),
            Out::Int(i) => i.to_string(),
            Out::Money(m) => crate::value::format_money(*m),
            Out::Number(f) => f.to_string(),
            Out::Date(d) => d.to_string(),
            Out::DateTime(t) => crate::time::format_timestamp(*t),
            Out::Bool(b) => b.to_string(),
        }
    }

    /// Roughly how many characters wide it shows (for column widths).
    pub fn width(&self) -> usize {
        match self {
            Out::Date(_) => 10,
            Out::DateTime(_) => 19,
            Out::Money(m) => crate::value::format_money(*m).len() + 3,
            other => other.csv().chars().count(),
        }
    }
}

/// The number formats of a workbook.
pub struct Formats {
    pub header: Format,
    pub money: Format,
    pub date: Format,
    pub datetime: Format,
}

impl Default for Formats {
    fn default() -> Self {
        Formats {
            header: Format::new().set_bold(),
            money: Format::new().set_num_format("#,##0.00"),
            date: Format::new().set_num_format("yyyy-mm-dd"),
            datetime: Format::new().set_num_format("yyyy-mm-dd hh:mm:ss"),
        }
    }
}

/// Write one cell: text always as a string cell (never a formula, whatever it starts with).
pub fn put(
    ws: &mut Worksheet,
    row: u32,
    col: u16,
    out: &Out,
    f: &Formats,
) -> Result<(), XlsxError> {
    match out {
        Out::Empty => {}
        Out::Text(t) => {
            ws.write_string(row, col, t)?;
        }
        Out::Int(i) => {
            ws.write_number(row, col, *i as f64)?;
        }
        // xlsx numbers are doubles; to_f64 gives the nearest one, and reading it back takes
        // its shortest decimal text, which is the amount again (up to 15 significant digits).
        Out::Money(m) => {
            ws.write_number_with_format(row, col, m.to_f64().unwrap_or(0.0), &f.money)?;
        }
        Out::Number(n) => {
            ws.write_number(row, col, *n)?;
        }
        Out::Date(d) => {
            ws.write_datetime_with_format(row, col, excel_date(*d)?, &f.date)?;
        }
        Out::DateTime(t) => {
            let z = t.to_zoned_datetime(jiff::tz::TimeZone::UTC);
            let dt = excel_date(z.date())?.and_hms(
                z.hour() as u16,
                z.minute() as u8,
                z.second() as u8,
            )?;
            ws.write_datetime_with_format(row, col, dt, &f.datetime)?;
        }
        Out::Bool(b) => {
            ws.write_boolean(row, col, *b)?;
        }
    }
    Ok(())
}

fn excel_date(d: Date) -> Result<ExcelDateTime, XlsxError> {
    ExcelDateTime::from_ymd(d.year() as u16, d.month() as u8, d.day() as u8)
}

/// The bold header row, frozen.
pub fn header(ws: &mut Worksheet, headers: &[String], f: &Formats) -> Result<(), XlsxError> {
    for (col, h) in headers.iter().enumerate() {
        ws.write_string_with_format(0, col as u16, h, &f.header)?;
    }
    ws.set_freeze_panes(1, 0)?;
    Ok(())
}

/// Column widths from the header and the widest of some rows, within 8..=60 characters.
pub fn widths<'a>(headers: &[String], rows: impl Iterator<Item = &'a Vec<Out>>) -> Vec<f64> {
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count() + 2).collect();
    for row in rows {
        for (w, out) in widths.iter_mut().zip(row) {
            *w = (*w).max(out.width() + 1);
        }
    }
    widths.into_iter().map(|w| w.clamp(8, 60) as f64).collect()
}

/// A whole table in memory (rejects files, reports).
pub struct TableOut {
    pub name: String,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<Out>>,
}

/// Add a table as a worksheet: header, rows, widths, autofilter.
pub fn add_table(book: &mut Workbook, table: &TableOut, f: &Formats) -> Result<(), XlsxError> {
    let ws = book.add_worksheet();
    ws.set_name(sheet_name(&table.name))?;
    header(ws, &table.headers, f)?;
    for (r, row) in table.rows.iter().enumerate() {
        for (c, out) in row.iter().enumerate() {
            put(ws, r as u32 + 1, c as u16, out, f)?;
        }
    }
    for (c, w) in widths(&table.headers, table.rows.iter())
        .into_iter()
        .enumerate()
    {
        ws.set_column_width(c as u16, w)?;
    }
    if !table.headers.is_empty() {
        ws.autofilter(
            0,
            0,
            table.rows.len() as u32,
            table.headers.len() as u16 - 1,
        )?;
    }
    Ok(())
}

/// A name Excel accepts: at most 31 characters, none of `[]:*?/\`.
pub fn sheet_name(name: &str) -> String {
    let clean: String = name
        .chars()
        .map(|c| if "[]:*?/\\".contains(c) { '_' } else { c })
        .take(31)
        .collect();
    if clean.is_empty() {
        "Sheet1".into()
    } else {
        clean
    }
}

/// Write a table as csv (guarded text, one header line).
pub fn write_csv(path: &Path, table: &TableOut) -> Result<(), SheetError> {
    let cannot = |e: &dyn std::fmt::Display| SheetError::CannotWrite {
        path: path.display().to_string(),
        detail: e.to_string(),
    };
    let mut w = csv::Writer::from_path(path).map_err(|e| cannot(&e))?;
    w.write_record(&table.headers).map_err(|e| cannot(&e))?;
    for row in &table.rows {
        w.write_record(row.iter().map(Out::csv))
            .map_err(|e| cannot(&e))?;
    }
    w.flush().map_err(|e| cannot(&e))
}

/// Write tables to `path`: xlsx (one sheet each) or csv (the first table) by its extension.
pub fn write_tables(path: &Path, tables: &[TableOut]) -> Result<(), SheetError> {
    if super::read::is_csv(path) {
        return match tables.first() {
            Some(t) => write_csv(path, t),
            None => Ok(()),
        };
    }
    let f = Formats::default();
    let mut book = Workbook::new();
    for t in tables {
        add_table(&mut book, t, &f).map_err(|e| xlsx_error(path, e))?;
    }
    book.save(path).map_err(|e| xlsx_error(path, e))
}

pub fn xlsx_error(path: &Path, e: XlsxError) -> SheetError {
    SheetError::CannotWrite {
        path: path.display().to_string(),
        detail: e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_guard() {
        assert_eq!(Out::text("=1+2").csv(), "'=1+2");
        assert_eq!(Out::text("@SUM(A1)").csv(), "'@SUM(A1)");
        assert_eq!(Out::text("-x").csv(), "'-x");
        assert_eq!(Out::text("plain").csv(), "plain");
        assert_eq!(Out::Money(Decimal::new(-300, 2)).csv(), "-3.00");
    }
}
