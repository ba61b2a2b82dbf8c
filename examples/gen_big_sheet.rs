//! A large expense-claim sheet for measuring `import` (not a fixture: written where asked).
//! `cargo run --release --example gen_big_sheet -- claims.xlsx 100000` writes 100 000 rows
//! of 10 columns (a .csv path writes csv instead).

use rust_xlsxwriter::{ExcelDateTime, Format, Workbook, XlsxError};

const HEADERS: [&str; 10] = [
    "Claim no",
    "Employee",
    "Kind",
    "Amount",
    "Expense date",
    "Description",
    "Category",
    "Approved amount",
    "Notes",
    "Cost centre",
];
const PEOPLE: [&str; 5] = ["alice", "bob", "kasia", "olga", "piotr"];
const CATEGORIES: [&str; 4] = ["travel", "meals", "equipment", "other"];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let path = args.next().unwrap_or_else(|| "claims.xlsx".into());
    let rows: u32 = args.next().and_then(|n| n.parse().ok()).unwrap_or(100_000);
    if path.ends_with(".csv") {
        csv(&path, rows)?;
    } else {
        xlsx(&path, rows)?;
    }
    Ok(())
}

fn amount(i: u32) -> f64 {
    f64::from(i % 50_000) / 100.0 + 1.0
}

fn xlsx(path: &str, rows: u32) -> Result<(), XlsxError> {
    let mut book = Workbook::new();
    let day = Format::new().set_num_format("yyyy-mm-dd");
    let ws = book.add_worksheet_with_constant_memory()?;
    ws.set_name("Claims")?;
    for (c, h) in HEADERS.iter().enumerate() {
        ws.write_string(0, c as u16, *h)?;
    }
    for i in 1..=rows {
        ws.write_string(i, 0, format!("C-{i:07}"))?;
        ws.write_string(i, 1, PEOPLE[i as usize % PEOPLE.len()])?;
        ws.write_string(
            i,
            2,
            if i % 3 == 0 {
                "advance"
            } else {
                "reimbursement"
            },
        )?;
        ws.write_number(i, 3, amount(i))?;
        let date = ExcelDateTime::from_ymd(2026, 1 + (i % 12) as u8, 1 + (i % 28) as u8)?;
        ws.write_datetime_with_format(i, 4, date, &day)?;
        ws.write_string(i, 5, format!("Expense line {i}"))?;
        ws.write_string(i, 6, CATEGORIES[i as usize % CATEGORIES.len()])?;
        ws.write_number(i, 7, amount(i) / 2.0)?;
        ws.write_string(i, 8, "imported for the benchmark")?;
        ws.write_string(i, 9, format!("CC-{}", i % 17))?;
    }
    book.save(path)
}

fn csv(path: &str, rows: u32) -> std::io::Result<()> {
    use std::io::Write;
    let mut out = std::io::BufWriter::new(std::fs::File::create(path)?);
    writeln!(out, "{}", HEADERS.join(","))?;
    for i in 1..=rows {
        writeln!(
            out,
            "C-{i:07},{},{},{:.2},2026-{:02}-{:02},Expense line {i},{},{:.2},imported for the benchmark,CC-{}",
            PEOPLE[i as usize % PEOPLE.len()],
            if i % 3 == 0 { "advance" } else { "reimbursement" },
            amount(i),
            1 + i % 12,
            1 + i % 28,
            CATEGORIES[i as usize % CATEGORIES.len()],
            amount(i) / 2.0,
            i % 17
        )?;
    }
    out.flush()
}
