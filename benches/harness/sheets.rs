//! Line 5, spreadsheets: `caseflow import` of 100k rows × 10 columns against calamine
//! reading the same file plus raw rusqlite inserting its rows, and `caseflow export` of 100k
//! cases against rust_xlsxwriter writing the same cells (with caseflow's peak memory).
//!
//! `import` and `export` come from the spreadsheets issue; in a build without them their rows
//! say so and only the floors are measured, so the full bench runs as soon as they land.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use calamine::{open_workbook_auto, Data, Reader};
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};

use crate::data::{ts, Model, SEED};
use crate::report::Row;
use crate::spawn::{copy_dir, time};
use crate::stats::{ms, Rng, Samples};
use crate::Bench;

/// The late-payment process has exactly ten fields; the columns carry their titles.
const HEADERS: [&str; 10] = [
    "Invoice number",
    "Customer number",
    "Customer e-mail",
    "Amount due",
    "Due date",
    "Reminders sent",
    "New due date",
    "Paid on",
    "Amount paid",
    "Payment method",
];
const METHODS: [&str; 4] = ["direct_debit", "bank_transfer", "card", "cash"];

/// Row `i` of the import sheet as text (what `--field` would take), seeded by `i`.
fn row_values(i: usize) -> [String; 10] {
    let mut rng = Rng::new(SEED ^ 0x5EE7 ^ i as u64);
    let due = jiff::civil::date(2026, 1, 1)
        .checked_add(jiff::Span::new().days(rng.below(300) as i64))
        .unwrap_or(jiff::civil::date(2026, 1, 1));
    let later =
        |d: jiff::civil::Date, n: i64| d.checked_add(jiff::Span::new().days(n)).unwrap_or(d);
    let amount = 20 + rng.below(5000);
    let cents = rng.below(100);
    [
        format!("INV-2026-{i:06}"),
        format!("C{:07}", rng.below(9_000_000) + 1_000_000),
        format!("customer{}@example.com", rng.below(1_000_000)),
        format!("{amount}.{cents:02}"),
        due.to_string(),
        rng.below(3).to_string(),
        later(due, 30).to_string(),
        later(due, 10 + rng.below(20) as i64).to_string(),
        format!("{}.00", rng.below(amount)),
        METHODS[rng.below(4) as usize].to_string(),
    ]
}

/// The import sheet: typed cells (money as numbers, dates as dates), cached.
pub fn import_sheet(b: &Bench, rows: usize) -> PathBuf {
    let path = b.cache.dir.join(format!("import-{rows}.xlsx"));
    if path.exists() {
        return path;
    }
    let mut wb = Workbook::new();
    let date = Format::new().set_num_format("yyyy-mm-dd");
    let money = Format::new().set_num_format("#,##0.00");
    let ws = wb
        .add_worksheet_with_constant_memory()
        .expect("a constant-memory worksheet");
    for (c, h) in HEADERS.iter().enumerate() {
        ws.write_string(0, c as u16, *h).expect("header cell");
    }
    for i in 0..rows {
        let r = (i + 1) as u32;
        let v = row_values(i);
        for (c, text) in v.iter().enumerate() {
            let c = c as u16;
            match c {
                3 | 8 => {
                    let n: f64 = text.parse().expect("money text");
                    ws.write_number_with_format(r, c, n, &money)
                        .expect("money cell");
                }
                4 | 6 | 7 => {
                    let d: jiff::civil::Date = text.parse().expect("date text");
                    let x =
                        ExcelDateTime::from_ymd(d.year() as u16, d.month() as u8, d.day() as u8)
                            .expect("date");
                    ws.write_datetime_with_format(r, c, &x, &date)
                        .expect("date cell");
                }
                5 => {
                    ws.write_number(r, c, text.parse::<f64>().expect("integer"))
                        .expect("integer cell");
                }
                _ => {
                    ws.write_string(r, c, text).expect("text cell");
                }
            }
        }
    }
    let tmp = path.with_extension("partial.xlsx");
    wb.save(&tmp).expect("save the import sheet");
    std::fs::rename(&tmp, &path).expect("move the import sheet in place");
    path
}

/// Read every cell of the first sheet (calamine).
fn read_cells(path: &Path) -> Vec<Vec<Data>> {
    let mut wb = open_workbook_auto(path).unwrap_or_else(|e| panic!("open {path:?}: {e}"));
    let range = wb
        .worksheet_range_at(0)
        .expect("a first sheet")
        .unwrap_or_else(|e| panic!("read {path:?}: {e}"));
    range.rows().map(|r| r.to_vec()).collect()
}

fn sql_value(d: &Data) -> rusqlite::types::Value {
    use rusqlite::types::Value as V;
    match d {
        Data::Empty => V::Null,
        Data::Int(i) => V::Integer(*i),
        Data::Float(f) => V::Real(*f),
        Data::String(s) => V::Text(s.clone()),
        Data::Bool(b) => V::Integer(i64::from(*b)),
        Data::DateTime(dt) => V::Real(dt.as_f64()),
        other => V::Text(other.to_string()),
    }
}

/// The import floor: calamine reads the sheet, raw rusqlite inserts each row (10 columns, a
/// unique key) in one transaction into a fresh WAL database.
fn import_floor(sheet: &Path, db: &Path) -> (f64, usize) {
    let _ = std::fs::remove_file(db);
    let start = Instant::now();
    let cells = read_cells(sheet);
    let mut conn = rusqlite::Connection::open(db).expect("floor database");
    conn.pragma_update(None, "journal_mode", "WAL")
        .expect("WAL");
    conn.pragma_update(None, "synchronous", "NORMAL")
        .expect("synchronous");
    conn.execute_batch(
        "CREATE TABLE rows (key TEXT NOT NULL UNIQUE, c1, c2, c3, c4, c5, c6, c7, c8, c9)",
    )
    .expect("floor table");
    let tx = conn.transaction().expect("floor transaction");
    let mut n = 0;
    {
        let mut insert = tx
            .prepare("INSERT INTO rows VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)")
            .expect("floor insert");
        for row in cells.iter().skip(1) {
            let values: Vec<rusqlite::types::Value> = row.iter().map(sql_value).collect();
            insert
                .execute(rusqlite::params_from_iter(values))
                .expect("floor row");
            n += 1;
        }
    }
    tx.commit().expect("floor commit");
    (start.elapsed().as_secs_f64() * 1000.0, n)
}

/// The export floor: rust_xlsxwriter (constant memory) writes `cells` with their types.
fn export_floor(cells: &[Vec<Data>], out: &Path) -> f64 {
    let start = Instant::now();
    let mut wb = Workbook::new();
    let date = Format::new().set_num_format("yyyy-mm-dd");
    let ws = wb
        .add_worksheet_with_constant_memory()
        .expect("a constant-memory worksheet");
    for (r, row) in cells.iter().enumerate() {
        for (c, d) in row.iter().enumerate() {
            let (r, c) = (r as u32, c as u16);
            if matches!(d, Data::Empty) {
                continue;
            }
            match d {
                Data::Int(i) => ws.write_number(r, c, *i as f64),
                Data::Float(f) => ws.write_number(r, c, *f),
                Data::Bool(b) => ws.write_boolean(r, c, *b),
                Data::DateTime(dt) => ws.write_number_with_format(r, c, dt.as_f64(), &date),
                other => ws.write_string(r, c, other.to_string()),
            }
            .expect("floor cell");
        }
    }
    wb.save(out).expect("save the floor workbook");
    start.elapsed().as_secs_f64() * 1000.0
}

/// Count the cases in a workspace (sanity: the import created them all).
fn count_cases(ws: &Path) -> i64 {
    rusqlite::Connection::open(ws.join("caseflow.db"))
        .and_then(|c| c.query_row("SELECT count(*) FROM cases", [], |r| r.get(0)))
        .unwrap_or(-1)
}

pub fn import(b: &Bench) -> Row {
    let n = b.cfg.sheet_rows;
    let sheet = import_sheet(b, n);
    let floor_db = b.scratch.join("import-floor.db");
    let mut floor = Samples::new();
    let lacks = b.cf.lacks("import");
    let mut ours = Samples::new();
    let mut failure = None;
    let mut counted = 0;
    for _ in 0..b.cfg.sheet_reps {
        let (t, rows) = import_floor(&sheet, &floor_db);
        assert_eq!(rows, n, "the floor read every row");
        floor.push_ms(t);
        if lacks.is_none() && failure.is_none() {
            let ws = b.scratch.join("import");
            copy_dir(&b.cache.empty(), &ws);
            let sheet_arg = sheet.to_string_lossy().to_string();
            let run = time(&mut b.cf.cmd(
                &ws,
                "klaus",
                &[
                    "import",
                    &sheet_arg,
                    "--process",
                    "late-payment",
                    "--key",
                    "Invoice number",
                ],
            ));
            if run.ok() {
                ours.push(run.took);
                counted = count_cases(&ws);
            } else {
                failure = Some(run.why());
            }
            let _ = std::fs::remove_dir_all(&ws);
        }
    }
    let _ = std::fs::remove_file(&floor_db);
    let floor_text = format!(
        "calamine + raw rusqlite {} ({:.0} rows/s)",
        ms(floor.median()),
        n as f64 / (floor.median() / 1000.0)
    );
    let line = format!("import {} rows × 10 columns (xlsx)", crate::cli::human(n));
    if let Some(why) = lacks.or(failure) {
        return Row::unavailable(&line, floor_text, "≤ 2× floor", &why);
    }
    let ratio = ours.median() / floor.median();
    Row {
        line: format!("{line}, {counted} cases"),
        n: ours.len().to_string(),
        median: format!(
            "{} ({:.0} rows/s)",
            ms(ours.median()),
            n as f64 / (ours.median() / 1000.0)
        ),
        p99: ms(ours.p99()),
        floor: floor_text,
        ratio: format!("{ratio:.2}×"),
        target: "≤ 2× floor".into(),
        verdict: Row::judged(ratio <= 2.0 && counted == n as i64),
    }
}

/// A workspace holding `n` late-payment cases opened through the library (rows of the
/// import sheet), for export; cached.
fn export_workspace(b: &Bench, n: usize) -> PathBuf {
    let path = b.cache.dir.join(format!("export-{n}"));
    if path.join(".complete").exists() {
        return path;
    }
    copy_dir(&b.cache.empty(), &path);
    let mut store = crate::data::open_store(&path);
    let model = Model::load(&path, &store, "late-payment").unwrap_or_else(|e| panic!("{e}"));
    let names = [
        "invoice_number",
        "customer_number",
        "customer_email",
        "amount_due",
        "due_date",
        "reminders_sent",
        "new_due_date",
        "paid_on",
        "paid_amount",
        "payment_method",
    ];
    let now = ts("2026-11-02T09:00:00Z");
    for first in (0..n).step_by(10_000) {
        store
            .write(|db| {
                for i in first..(first + 10_000).min(n) {
                    let v = row_values(i);
                    let pairs: Vec<(&str, String)> =
                        names.iter().copied().zip(v.iter().cloned()).collect();
                    let fields = model.fields(&pairs)?;
                    model.open(db, "klaus", now, fields, Some(v[0].clone()))?;
                }
                Ok::<_, crate::data::GenError>(())
            })
            .unwrap_or_else(|e| panic!("generating export cases: {e}"));
    }
    drop(store);
    std::fs::write(path.join(".complete"), b"").expect("mark the export workspace");
    path
}

/// Peak resident set of a `/usr/bin/time -f %M` run, in MB (its last stderr line is KB).
fn peak_mb(stderr: &str) -> Option<f64> {
    stderr
        .lines()
        .last()
        .and_then(|l| l.trim().parse::<f64>().ok())
        .map(|kb| kb / 1024.0)
}

pub fn export(b: &Bench) -> Vec<Row> {
    let n = b.cfg.sheet_rows;
    let lacks = b.cf.lacks("export");
    let line = format!("export {} cases (xlsx)", crate::cli::human(n));
    let floor_out = b.scratch.join("export-floor.xlsx");
    let mut floor = Samples::new();
    if let Some(why) = lacks {
        // The floor alone, on the cells of the import sheet.
        let cells = read_cells(&import_sheet(b, n));
        for _ in 0..b.cfg.sheet_reps {
            floor.push_ms(export_floor(&cells, &floor_out));
        }
        let _ = std::fs::remove_file(&floor_out);
        let floor_text = format!(
            "rust_xlsxwriter, the import sheet's {} × 10 cells: {}",
            crate::cli::human(n),
            ms(floor.median())
        );
        return vec![
            Row::unavailable(&line, floor_text, "≤ 1.5× floor", &why),
            Row::unavailable(
                "export peak memory",
                "—".into(),
                "< 100 MB",
                "command not available in this build",
            ),
        ];
    }
    let ws = export_workspace(b, n);
    let out = b.scratch.join("export.xlsx");
    let out_arg = out.to_string_lossy().to_string();
    let use_time = Path::new("/usr/bin/time").exists();
    let mut ours = Samples::new();
    let mut peak = Samples::new();
    let mut failure = None;
    for _ in 0..b.cfg.sheet_reps {
        let _ = std::fs::remove_file(&out);
        let mut cmd = b.cf.cmd(&ws, "maria", &["export", &out_arg]);
        let mut cmd = if use_time {
            let mut t = Command::new("/usr/bin/time");
            t.arg("-f")
                .arg("%M")
                .arg(cmd.get_program())
                .args(cmd.get_args());
            t
        } else {
            std::mem::replace(&mut cmd, Command::new("true"))
        };
        let run = time(&mut cmd);
        if !run.ok() {
            failure = Some(run.why());
            break;
        }
        ours.push(run.took);
        if let Some(mb) = peak_mb(&run.stderr).filter(|_| use_time) {
            peak.push_ms(mb);
        }
    }
    if let Some(why) = failure {
        return vec![Row::unavailable(&line, "—".into(), "≤ 1.5× floor", &why)];
    }
    let cells = read_cells(&out);
    let cols = cells.first().map(Vec::len).unwrap_or(0);
    for _ in 0..b.cfg.sheet_reps {
        floor.push_ms(export_floor(&cells, &floor_out));
    }
    let _ = std::fs::remove_file(&floor_out);
    let _ = std::fs::remove_file(&out);
    let ratio = ours.median() / floor.median();
    let mut rows = vec![Row {
        line: format!("{line}: {} rows × {cols} columns", cells.len()),
        n: ours.len().to_string(),
        median: ms(ours.median()),
        p99: ms(ours.p99()),
        floor: format!("rust_xlsxwriter, the same cells: {}", ms(floor.median())),
        ratio: format!("{ratio:.2}×"),
        target: "≤ 1.5× floor".into(),
        verdict: Row::judged(ratio <= 1.5),
    }];
    rows.push(if peak.is_empty() {
        Row::unavailable(
            "export peak memory",
            "—".into(),
            "< 100 MB",
            "/usr/bin/time is not installed",
        )
    } else {
        Row {
            line: "export peak memory (max RSS)".into(),
            n: peak.len().to_string(),
            median: format!("{:.1} MB", peak.median()),
            p99: format!("{:.1} MB", peak.p99()),
            floor: "—".into(),
            ratio: "—".into(),
            target: "< 100 MB".into(),
            verdict: Row::judged(peak.p99() < 100.0),
        }
    });
    rows
}
