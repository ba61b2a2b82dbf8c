//! Reading a spreadsheet into one table of typed cells, whatever the file format.
//!
//! calamine reads xlsx, xlsm, xls, xlsb and ods; the csv crate reads csv (delimiter sniffed
//! from the header line, a UTF-8 byte-order mark dropped). Everything after this module sees
//! only [`Table`]: the header row, then data rows that remember their sheet row number and
//! column letters, so every later error can name the cell as Excel shows it.
//!
//! Hostile files meet three limits before anything is imported (exit 65, nothing read):
//! [`MAX_SHEET_BYTES`] (a csv's size; a zipped workbook's parts really inflated, so a zip bomb
//! costs at most that much inflating), [`MAX_CELLS`] (rows × columns; an xlsx's used range is
//! checked cell by cell before any grid exists) and [`MAX_CELL_BYTES`] (one cell, named `Sheet!B2`).

use std::path::Path;

use std::io::Read;

use calamine::{Data, DataRef, Reader};
use jiff::civil::DateTime;

use super::SheetError;

/// One cell as read, before it is given a field's type.
#[derive(Clone, Debug, PartialEq)]
pub enum Cell {
    Empty,
    Text(String),
    Int(i64),
    Float(f64),
    Bool(bool),
    /// A cell formatted as a date or date-time (no time zone: civil time).
    Date(DateTime),
    Error(String),
}

impl Cell {
    pub fn is_blank(&self) -> bool {
        match self {
            Cell::Empty => true,
            Cell::Text(t) => t.trim().is_empty(),
            _ => false,
        }
    }

    /// The cell as a person reads it (for messages and CSV rejects files).
    pub fn display(&self) -> String {
        match self {
            Cell::Empty => String::new(),
            Cell::Text(t) => t.clone(),
            Cell::Int(i) => i.to_string(),
            Cell::Float(f) => f.to_string(),
            Cell::Bool(b) => b.to_string(),
            Cell::Date(d) if d.time() == jiff::civil::Time::midnight() => d.date().to_string(),
            Cell::Date(d) => d.to_string(),
            Cell::Error(e) => e.clone(),
        }
    }
}

/// A data row: its number on the sheet (1-based, as Excel shows it) and its cells, one per
/// header column.
#[derive(Clone, Debug)]
pub struct Row {
    pub number: u32,
    pub cells: Vec<Cell>,
}

/// What was read: the sheet's name (the file name for csv), the header and the data rows.
#[derive(Clone, Debug)]
pub struct Table {
    pub sheet: String,
    pub headers: Vec<String>,
    /// The 0-based sheet column of the first header cell (for column letters).
    pub first_column: u32,
    pub rows: Vec<Row>,
}

impl Table {
    /// `Sheet!C42`, the cell of column `col` (index into headers) on sheet row `row`.
    pub fn cell_ref(&self, col: usize, row: u32) -> String {
        format!(
            "{}!{}{row}",
            self.sheet,
            column_letters(self.first_column + col as u32)
        )
    }

    /// The column's letters (`C`).
    pub fn letters(&self, col: usize) -> String {
        column_letters(self.first_column + col as u32)
    }
}

/// How to read the file.
#[derive(Clone, Debug, Default)]
pub struct ReadOptions {
    pub sheet: Option<String>,
    /// 1-based sheet row of the header; else the first non-empty row.
    pub header_row: Option<u32>,
    pub delimiter: Option<u8>,
}

/// `0 -> A`, `25 -> Z`, `26 -> AA`.
pub fn column_letters(index: u32) -> String {
    let mut n = index + 1;
    let mut out = Vec::new();
    while n > 0 {
        let rem = ((n - 1) % 26) as u8;
        out.push(b'A' + rem);
        n = (n - 1) / 26;
    }
    out.reverse();
    String::from_utf8_lossy(&out).into_owned()
}

/// Whether the file is read as csv (by its extension).
pub fn is_csv(path: &Path) -> bool {
    extension(path).is_some_and(|e| matches!(e.as_str(), "csv" | "tsv" | "txt"))
}

pub fn extension(path: &Path) -> Option<String> {
    path.extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
}

/// Read the sheet (or csv) at `path` into a table.
pub fn read(path: &Path, options: &ReadOptions) -> Result<Table, SheetError> {
    if !path.exists() {
        return Err(SheetError::NotFound(path.display().to_string()));
    }
    let grid = if is_csv(path) {
        read_csv(path, options.delimiter)?
    } else {
        check_inflated_size(path)?;
        read_workbook(path, options.sheet.as_deref())?
    };
    into_table(grid, options.header_row)
}

/// The most bytes one cell may hold: 1 MiB. (A command line passes at most 128 KiB in one
/// argument, so a sheet is the only way to feed a field that much.)
pub const MAX_CELL_BYTES: usize = 1 << 20;
/// The most bytes a sheet may hold: a csv file's size, or all the parts of a zipped workbook
/// (xlsx, xlsm, xlsb, ods) once inflated: 256 MiB.
pub const MAX_SHEET_BYTES: u64 = 256 << 20;
/// The most cells a sheet may span (data rows × header columns; for xlsx also its used range,
/// checked before any grid is allocated): 5 million.
pub const MAX_CELLS: u64 = 5_000_000;

/// Rows of cells with the sheet's name and the 0-based sheet position of the first cell.
struct Grid {
    sheet: String,
    start: (u32, u32),
    rows: Vec<Vec<Cell>>,
}

fn into_table(grid: Grid, header_row: Option<u32>) -> Result<Table, SheetError> {
    let first_row = grid.start.0 + 1;
    let header_index = match header_row {
        Some(n) if n < first_row => {
            return Err(SheetError::NoHeader {
                sheet: grid.sheet,
                detail: format!("row {n} is empty"),
            })
        }
        Some(n) => (n - first_row) as usize,
        None => grid
            .rows
            .iter()
            .position(|r| r.iter().any(|c| !c.is_blank()))
            .ok_or_else(|| SheetError::NoHeader {
                sheet: grid.sheet.clone(),
                detail: "the sheet is empty".into(),
            })?,
    };
    let header = grid
        .rows
        .get(header_index)
        .filter(|r| r.iter().any(|c| !c.is_blank()))
        .ok_or_else(|| SheetError::NoHeader {
            sheet: grid.sheet.clone(),
            detail: format!("row {} is empty", first_row as usize + header_index),
        })?;
    let headers: Vec<String> = header
        .iter()
        .map(|c| c.display().trim().to_string())
        .collect();
    let width = headers.len();
    let height = grid.rows.len().saturating_sub(header_index + 1);
    if (width as u64).saturating_mul(height as u64) > MAX_CELLS {
        return Err(SheetError::TooLarge(format!(
            "{}: {height} rows × {width} columns; a sheet may span at most {MAX_CELLS} cells \
             (nothing was read)",
            grid.sheet
        )));
    }
    let rows = grid
        .rows
        .into_iter()
        .enumerate()
        .skip(header_index + 1)
        .map(|(i, mut cells)| {
            cells.resize(width.max(cells.len()), Cell::Empty);
            Row {
                number: first_row + i as u32,
                cells,
            }
        })
        .collect();
    Ok(Table {
        sheet: grid.sheet,
        headers,
        first_column: grid.start.1,
        rows,
    })
}

fn read_workbook(path: &Path, sheet: Option<&str>) -> Result<Grid, SheetError> {
    let bad = |e: calamine::Error| SheetError::Unreadable {
        path: path.display().to_string(),
        detail: e.to_string(),
    };
    let mut book = open_workbook(path).map_err(bad)?;
    let names = book.sheet_names();
    let name = match sheet {
        Some(wanted) => names
            .iter()
            .find(|n| n.eq_ignore_ascii_case(wanted.trim()))
            .cloned()
            .ok_or_else(|| SheetError::NoSuchSheet {
                sheet: wanted.to_string(),
                available: names.join(", "),
            })?,
        None => names.first().cloned().ok_or_else(|| SheetError::NoHeader {
            sheet: path.display().to_string(),
            detail: "the workbook has no sheets".into(),
        })?,
    };
    let (start, rows) = match &mut book {
        calamine::Sheets::Xlsx(xlsx) => xlsx_cells(xlsx, &name, path)?,
        _ => {
            let range = book.worksheet_range(&name).map_err(bad)?;
            let start = range.start().unwrap_or((0, 0));
            let mut rows = Vec::new();
            for (r, row) in range.rows().enumerate() {
                let mut cells = Vec::with_capacity(row.len());
                for (c, data) in row.iter().enumerate() {
                    let cell = cell_of(data);
                    check_cell(&name, start.0 + r as u32, start.1 + c as u32, &cell)?;
                    cells.push(cell);
                }
                rows.push(cells);
            }
            (start, rows)
        }
    };
    Ok(Grid {
        sheet: name,
        start,
        rows,
    })
}

/// A zipped workbook's parts inflated, refused past [`MAX_SHEET_BYTES`] before calamine opens
/// it (calamine reads the shared strings at once). The bytes are counted as they inflate, since
/// a zip's stated sizes can lie. Anything that is not a readable zip is left to calamine.
fn check_inflated_size(path: &Path) -> Result<(), SheetError> {
    let Ok(file) = std::fs::File::open(path) else {
        return Ok(());
    };
    let Ok(mut zip) = zip::ZipArchive::new(std::io::BufReader::new(file)) else {
        return Ok(());
    };
    let mut total: u64 = 0;
    for i in 0..zip.len() {
        let Ok(part) = zip.by_index(i) else {
            return Ok(());
        };
        let left = MAX_SHEET_BYTES - total;
        let inflated = std::io::copy(&mut part.take(left + 1), &mut std::io::sink()).unwrap_or(0);
        total += inflated;
        if total > MAX_SHEET_BYTES {
            return Err(SheetError::TooLarge(format!(
                "{} inflates to more than {} MiB; a workbook may hold at most that much \
                 (nothing was read)",
                path.display(),
                MAX_SHEET_BYTES >> 20
            )));
        }
    }
    Ok(())
}

/// A sheet's cells from its top-left corner (row, column), row by row.
type CellsAt = ((u32, u32), Vec<Vec<Cell>>);

/// An xlsx sheet read cell by cell into a grid, refusing a cell over [`MAX_CELL_BYTES`] and a
/// used range over [`MAX_CELLS`] before the grid is allocated (calamine's own range would
/// allocate rows × columns even for a sheet whose only cells are A1 and XFD1048576).
fn xlsx_cells<RS: std::io::Read + std::io::Seek>(
    xlsx: &mut calamine::Xlsx<RS>,
    sheet: &str,
    path: &Path,
) -> Result<CellsAt, SheetError> {
    let bad = |e: calamine::XlsxError| SheetError::Unreadable {
        path: path.display().to_string(),
        detail: e.to_string(),
    };
    let mut reader = match xlsx.worksheet_cells_reader(sheet) {
        Ok(reader) => reader,
        Err(calamine::XlsxError::NotAWorksheet(_)) => return Ok(((0, 0), Vec::new())),
        Err(e) => return Err(bad(e)),
    };
    let mut cells = Vec::new();
    while let Some(cell) = reader.next_cell().map_err(bad)? {
        if matches!(cell.get_value(), DataRef::Empty) {
            continue;
        }
        let (row, col) = cell.get_position();
        let value = cell_of(&Data::from(cell.get_value().clone()));
        check_cell(sheet, row, col, &value)?;
        if cells.len() as u64 >= MAX_CELLS {
            return Err(too_many_cells(sheet, cells.len() as u64 + 1));
        }
        cells.push((row, col, value));
    }
    let Some(first_row) = cells.iter().map(|c| c.0).min() else {
        return Ok(((0, 0), Vec::new()));
    };
    let last_row = cells.iter().map(|c| c.0).max().unwrap_or(first_row);
    let first_col = cells.iter().map(|c| c.1).min().unwrap_or(0);
    let last_col = cells.iter().map(|c| c.1).max().unwrap_or(first_col);
    let (height, width) = (
        u64::from(last_row - first_row) + 1,
        u64::from(last_col - first_col) + 1,
    );
    if height.saturating_mul(width) > MAX_CELLS {
        return Err(SheetError::TooLarge(format!(
            "{sheet}!{}{}:{}{} spans {height} rows × {width} columns; a sheet may span at most \
             {MAX_CELLS} cells (nothing was read)",
            column_letters(first_col),
            first_row + 1,
            column_letters(last_col),
            last_row + 1,
        )));
    }
    let mut rows = vec![vec![Cell::Empty; width as usize]; height as usize];
    for (row, col, value) in cells {
        rows[(row - first_row) as usize][(col - first_col) as usize] = value;
    }
    Ok(((first_row, first_col), rows))
}

fn too_many_cells(sheet: &str, count: u64) -> SheetError {
    SheetError::TooLarge(format!(
        "{sheet}: more than {MAX_CELLS} cells ({count} read so far); a sheet may hold at most \
         {MAX_CELLS} (nothing was read)"
    ))
}

/// A cell over [`MAX_CELL_BYTES`], named as Excel shows it (0-based `row` and `col`).
fn check_cell(sheet: &str, row: u32, col: u32, cell: &Cell) -> Result<(), SheetError> {
    let bytes = match cell {
        Cell::Text(t) | Cell::Error(t) => t.len(),
        _ => 0,
    };
    if bytes <= MAX_CELL_BYTES {
        return Ok(());
    }
    Err(SheetError::TooLarge(format!(
        "{sheet}!{}{}: the cell holds {bytes} bytes, longer than {MAX_CELL_BYTES} (1 MiB), the \
         most a cell may hold (nothing was read)",
        column_letters(col),
        row + 1
    )))
}

/// calamine picks the format from the extension, but only in lower case.
fn open_workbook(
    path: &Path,
) -> Result<calamine::Sheets<std::io::BufReader<std::fs::File>>, calamine::Error> {
    use calamine::{open_workbook as open, Sheets};
    Ok(match extension(path).as_deref() {
        Some("xls") => Sheets::Xls(open(path).map_err(calamine::Error::Xls)?),
        Some("xlsb") => Sheets::Xlsb(open(path).map_err(calamine::Error::Xlsb)?),
        Some("ods") => Sheets::Ods(open(path).map_err(calamine::Error::Ods)?),
        Some("xlsx" | "xlsm") => Sheets::Xlsx(open(path).map_err(calamine::Error::Xlsx)?),
        _ => calamine::open_workbook_auto(path)?,
    })
}

fn cell_of(data: &Data) -> Cell {
    match data {
        Data::Empty => Cell::Empty,
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => Cell::Text(s.clone()),
        Data::Int(i) => Cell::Int(*i),
        Data::Float(f) => Cell::Float(*f),
        Data::Bool(b) => Cell::Bool(*b),
        Data::DateTime(d) if d.is_datetime() => {
            let (y, mo, day, h, mi, s, ms) = d.to_ymd_hms_milli();
            jiff::civil::DateTime::new(
                y as i16,
                mo as i8,
                day as i8,
                h as i8,
                mi as i8,
                s as i8,
                i32::from(ms) * 1_000_000,
            )
            .map(Cell::Date)
            .unwrap_or(Cell::Float(d.as_f64()))
        }
        Data::DateTime(d) => Cell::Float(d.as_f64()),
        Data::Error(e) => Cell::Error(format!("#{e:?}")),
    }
}

fn read_csv(path: &Path, delimiter: Option<u8>) -> Result<Grid, SheetError> {
    let size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    if size > MAX_SHEET_BYTES {
        return Err(SheetError::TooLarge(format!(
            "{} is {size} bytes; a sheet may hold at most {} MiB (nothing was read)",
            path.display(),
            MAX_SHEET_BYTES >> 20
        )));
    }
    let sheet = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "csv".into());
    let bytes = std::fs::read(path).map_err(|e| SheetError::Unreadable {
        path: path.display().to_string(),
        detail: e.to_string(),
    })?;
    let text = std::str::from_utf8(&bytes).map_err(|e| SheetError::Unreadable {
        path: path.display().to_string(),
        detail: format!("not UTF-8 text ({e}); save it as CSV UTF-8"),
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let delimiter = delimiter.unwrap_or_else(|| sniff_delimiter(text));
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    for (row, record) in reader.records().enumerate() {
        let record = record.map_err(|e| SheetError::Unreadable {
            path: path.display().to_string(),
            detail: e.to_string(),
        })?;
        let mut cells = Vec::with_capacity(record.len());
        for (col, field) in record.iter().enumerate() {
            let cell = if field.is_empty() {
                Cell::Empty
            } else {
                Cell::Text(unguard(field).to_string())
            };
            check_cell(&sheet, row as u32, col as u32, &cell)?;
            cells.push(cell);
        }
        rows.push(cells);
    }
    Ok(Grid {
        sheet,
        start: (0, 0),
        rows,
    })
}

/// Undo the export's formula-injection guard: `'=x` written by caseflow reads back as `=x`.
fn unguard(field: &str) -> &str {
    match field.strip_prefix('\'') {
        Some(rest) if rest.starts_with(super::write::GUARDED) => rest,
        _ => field,
    }
}

/// The delimiter the first non-empty line uses most, outside quotes: `,` `;` tab or `|`.
pub fn sniff_delimiter(text: &str) -> u8 {
    let line = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    let mut counts = [0usize; 4];
    let candidates = [b',', b';', b'\t', b'|'];
    let mut quoted = false;
    for b in line.bytes() {
        if b == b'"' {
            quoted = !quoted;
        } else if !quoted {
            if let Some(i) = candidates.iter().position(|c| *c == b) {
                counts[i] += 1;
            }
        }
    }
    let best = (0..4).max_by_key(|i| (counts[*i], 4 - i)).unwrap_or(0);
    candidates[best]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn letters() {
        assert_eq!(column_letters(0), "A");
        assert_eq!(column_letters(25), "Z");
        assert_eq!(column_letters(26), "AA");
        assert_eq!(column_letters(701), "ZZ");
        assert_eq!(column_letters(702), "AAA");
    }

    #[test]
    fn sniffs() {
        assert_eq!(sniff_delimiter("a;b;\"c,d\"\n1;2;3"), b';');
        assert_eq!(sniff_delimiter("a,b\n"), b',');
        assert_eq!(sniff_delimiter("a\tb\n"), b'\t');
        assert_eq!(sniff_delimiter("single\n"), b',');
    }
}
