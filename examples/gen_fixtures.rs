//! Writes the spreadsheet fixtures under fixtures/sheets/ (run from the repository root):
//! `cargo run --example gen_fixtures`. The ods fixture is made by `fixtures/sheets/gen_ods.py`.
//!
//! - `clean.xlsx`: expense claims as a careful person types them (numbers, date cells);
//! - `messy.xlsx`: what real sheets look like: a blank first row, trailing spaces,
//!   "Reimbursement " with a capital, amounts typed as text, dates as text and as Excel
//!   serial numbers, a blank row, names in several alphabets, a cell starting with `=`, an
//!   unmapped column, and three invalid rows (rows 9, 10 and 11);
//! - `semicolon-bom.csv`: a European csv: UTF-8 byte-order mark, `;` between fields,
//!   amounts like `1 234,50`, dates like `30.11.2026`.

use rust_xlsxwriter::{ExcelDateTime, Format, Workbook, XlsxError};

const DIR: &str = "fixtures/sheets";

fn main() -> Result<(), Box<dyn std::error::Error>> {
    clean()?;
    messy()?;
    csv()?;
    Ok(())
}

fn date(y: u16, m: u8, d: u8) -> Result<ExcelDateTime, XlsxError> {
    ExcelDateTime::from_ymd(y, m, d)
}

/// Claim no, employee, kind, amount, (year, month, day), description, category.
type Claim = (
    &'static str,
    &'static str,
    &'static str,
    f64,
    (u16, u8, u8),
    &'static str,
    &'static str,
);

fn clean() -> Result<(), XlsxError> {
    let mut book = Workbook::new();
    let ws = book.add_worksheet();
    ws.set_name("Claims")?;
    let bold = Format::new().set_bold();
    let day = Format::new().set_num_format("yyyy-mm-dd");
    let headers = [
        "Claim no",
        "Employee",
        "Kind",
        "Amount",
        "Expense date",
        "Description",
        "Category",
    ];
    for (c, h) in headers.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, *h, &bold)?;
    }
    let rows: [Claim; 5] = [
        (
            "C-101",
            "alice",
            "reimbursement",
            25.5,
            (2026, 11, 2),
            "Taxi to the airport",
            "travel",
        ),
        (
            "C-102",
            "bob",
            "advance",
            420.0,
            (2026, 11, 3),
            "Flight to Kraków",
            "travel",
        ),
        (
            "C-103",
            "alice",
            "reimbursement",
            0.1,
            (2026, 11, 4),
            "Parking",
            "other",
        ),
        (
            "C-104",
            "kasia",
            "reimbursement",
            1234.56,
            (2026, 11, 5),
            "Laptop stand",
            "equipment",
        ),
        (
            "C-105",
            "olga",
            "reimbursement",
            18.9,
            (2026, 11, 6),
            "Lunch with a customer",
            "meals",
        ),
    ];
    for (r, (no, who, kind, amount, (y, m, d), text, cat)) in rows.iter().enumerate() {
        let r = r as u32 + 1;
        ws.write_string(r, 0, *no)?;
        ws.write_string(r, 1, *who)?;
        ws.write_string(r, 2, *kind)?;
        ws.write_number(r, 3, *amount)?;
        ws.write_datetime_with_format(r, 4, date(*y, *m, *d)?, &day)?;
        ws.write_string(r, 5, *text)?;
        ws.write_string(r, 6, *cat)?;
    }
    book.save(format!("{DIR}/clean.xlsx"))
}

/// A cell of the messy sheet.
enum C {
    S(&'static str),
    N(f64),
    D(u16, u8, u8),
    E,
}

fn messy() -> Result<(), XlsxError> {
    use C::*;
    let mut book = Workbook::new();
    let ws = book.add_worksheet();
    ws.set_name("Claims")?;
    let day = Format::new().set_num_format("dd/mm/yyyy");
    // Row 1 stays empty; the header is on row 2.
    let headers = [
        "Claim no",
        "Employee ",
        "kind",
        "AMOUNT",
        "Expense-Date",
        "Description",
        "Category",
        "Notes",
    ];
    for (c, h) in headers.iter().enumerate() {
        ws.write_string(1, c as u16, *h)?;
    }
    let rows: Vec<[C; 8]> = vec![
        // row 3: capitalised kind with a trailing space, amount a number, a date cell
        [
            S("C-001"),
            S("alice"),
            S("Reimbursement "),
            N(25.5),
            D(2026, 11, 2),
            S("Taxi"),
            S("Travel"),
            S("paid cash"),
        ],
        // row 4: employee by full name (accents), amount as text with a thousands space, ISO date text
        [
            S("C-002"),
            S("María López"),
            S("advance"),
            S("1 234.50"),
            S("2026-11-03"),
            S("Hotel in Málaga"),
            S("travel"),
            E,
        ],
        // row 5: blank
        [E, E, E, E, E, E, E, E],
        // row 6: employee by e-mail, Excel serial date as a plain number, Cyrillic
        [
            S("C-003"),
            S("kasia@example.com"),
            S("REIMBURSEMENT"),
            N(42.0),
            N(46330.0),
            S("Дмитрий: гостиница"),
            S("meals"),
            E,
        ],
        // row 7: Chinese, amount as text
        [
            S("C-004"),
            S("bob"),
            S("reimbursement"),
            S("99.90"),
            D(2026, 11, 5),
            S("王伟 — 出租车"),
            E,
            E,
        ],
        // row 8: a description that looks like a formula, Greek
        [
            S("C-005"),
            S("olga"),
            S("advance"),
            N(300.0),
            D(2026, 11, 6),
            S("=HYPERLINK(\"http://example.com\",\"Σοφία\")"),
            S("other"),
            E,
        ],
        // row 9: invalid kind, amount and date
        [
            S("C-006"),
            S("alice"),
            S("loan"),
            S("abc"),
            S("31/02/2026"),
            S("Bad row"),
            E,
            E,
        ],
        // row 10: nobody of that name
        [
            S("C-007"),
            S("Zed Unknown"),
            S("reimbursement"),
            N(10.0),
            D(2026, 11, 7),
            S("Who?"),
            E,
            E,
        ],
        // row 11: required amount missing
        [
            S("C-008"),
            S("bob"),
            S("reimbursement"),
            E,
            D(2026, 11, 8),
            S("No amount"),
            E,
            E,
        ],
        // row 12: spaces everywhere, Arabic
        [
            S("C-009"),
            S("  alice  "),
            S(" reimbursement"),
            S("  12.00 "),
            S(" 2026-11-09 "),
            S("محمد  "),
            S("Meals "),
            E,
        ],
    ];
    for (r, row) in rows.iter().enumerate() {
        let r = r as u32 + 2;
        for (c, cell) in row.iter().enumerate() {
            let c = c as u16;
            match cell {
                S(t) => {
                    ws.write_string(r, c, *t)?;
                }
                N(n) => {
                    ws.write_number(r, c, *n)?;
                }
                D(y, m, d) => {
                    ws.write_datetime_with_format(r, c, date(*y, *m, *d)?, &day)?;
                }
                E => {}
            }
        }
    }
    book.save(format!("{DIR}/messy.xlsx"))
}

fn csv() -> std::io::Result<()> {
    let text = "\u{feff}Claim no;Employee;Kind;Amount;Expense date;Description\n\
                C-201;alice;Reimbursement;1 234,50;30.11.2026;\"Hotel; two nights\"\n\
                C-202;Hana Kowalska;advance;99,90;01.12.2026;Zug nach Köln\n\
                C-203;felix@example.com;reimbursement;7;02.12.2026;Café\n";
    std::fs::write(format!("{DIR}/semicolon-bom.csv"), text)
}
