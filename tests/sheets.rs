//! Spreadsheets end to end: import (all or nothing, rejects, keys, every format), export
//! (typed cells, formula guard, round trip), reports and `act --from`, on the real binary
//! with the fixtures of fixtures/sheets/ (made by examples/gen_fixtures.rs and gen_ods.py).

mod common;
use common::*;

use std::path::{Path, PathBuf};

use calamine::{Data, Reader};
use serde_json::Value;

const PROCESS: &str = "expense-claim";

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/sheets")
        .join(name)
}

fn fx(name: &str) -> String {
    fixture(name).display().to_string()
}

/// A workspace with the expense-claim process deployed.
fn workspace() -> Workspace {
    let ws = Workspace::init();
    ws.run("root", &["deploy", &fx("expense-claim.yaml")]).ok();
    ws
}

/// Every case of the workspace (`list --json`).
fn cases(ws: &Workspace) -> Vec<Value> {
    ws.run("root", &["list", "--json"]).ok().json()["cases"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

/// The case whose external reference is `key`.
fn by_ref(ws: &Workspace, key: &str) -> Value {
    cases(ws)
        .into_iter()
        .find(|c| c["external_ref"] == key)
        .unwrap_or_else(|| panic!("no case with reference {key}"))
}

fn import(ws: &Workspace, file: &str, extra: &[&str]) -> Run {
    let mut args = vec!["import", file, "--process", PROCESS, "--json"];
    args.extend_from_slice(extra);
    ws.run("hana", &args)
}

/// A sheet of an xlsx file as rows of calamine cells.
fn sheet(path: &Path, name: &str) -> Vec<Vec<Data>> {
    let mut book = calamine::open_workbook_auto(path).expect("open xlsx");
    let range = book.worksheet_range(name).expect("sheet");
    range.rows().map(|r| r.to_vec()).collect()
}

fn column(rows: &[Vec<Data>], header: &str) -> usize {
    rows[0]
        .iter()
        .position(|h| *h == header)
        .unwrap_or_else(|| panic!("no column {header} in {:?}", rows[0]))
}

// ---- import ---------------------------------------------------------------------------

#[test]
fn messy_import_fails_whole_naming_every_bad_cell() {
    let ws = workspace();
    let run = import(&ws, &fx("messy.xlsx"), &[]).fails(65);
    let errors = strs(&run.json()["errors"]);
    assert_eq!(
        errors,
        vec![
            r#"Claims!C9: kind: "loan" is not one of: advance, reimbursement"#,
            r#"Claims!D9: amount: "abc" is not a money amount like 1234.50"#,
            r#"Claims!E9: expense_date: "31/02/2026" is not a date like 2026-11-30"#,
            r#"Claims!B10: employee: "Zed Unknown" is not a person in org.yaml (by id, e-mail or name)"#,
            r#"Claims!D11: amount: required, but the cell is empty"#,
        ]
    );
    assert!(
        run.stderr
            .contains("3 of 9 rows are invalid; nothing was imported"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("Claims!D9: amount"), "{}", run.stderr);
    assert!(cases(&ws).is_empty(), "nothing may be written");
    // The ids were not used up either: the next case is the first.
    let id = ws.open(
        "hana",
        PROCESS,
        &[
            "employee=alice",
            "kind=advance",
            "amount=1",
            "expense_date=2026-11-30",
        ],
    );
    assert_eq!(id, "EXC-2026-0001");
}

#[test]
fn skip_invalid_imports_the_rest_and_the_rejects_file_holds_exactly_the_bad_rows() {
    let ws = workspace();
    let rejects = ws.path().join("bad.xlsx");
    let run = import(
        &ws,
        &fx("messy.xlsx"),
        &[
            "--skip-invalid",
            "--rejects",
            &rejects.display().to_string(),
            "--key",
            "Claim no",
        ],
    )
    .ok();
    let doc = run.json();
    assert_eq!(doc["created"].as_array().map(Vec::len), Some(6), "{doc}");
    assert_eq!(doc["rejected"], 3);
    assert!(
        strs(&doc["warnings"])
            .iter()
            .any(|w| w.contains("column H (\"Notes\") matches no field")),
        "{doc}"
    );
    let rows = sheet(&rejects, "Claims");
    let keys: Vec<String> = rows[1..].iter().map(|r| r[0].to_string()).collect();
    assert_eq!(keys, ["C-006", "C-007", "C-008"]);
    let error = column(&rows, "Import error");
    assert!(rows[1][error].to_string().contains("Claims!D9: amount"));
    assert!(rows[2][error].to_string().contains("Claims!B10"));
    assert!(
        matches!(rows[2][4], Data::DateTime(_)),
        "dates stay dates: {:?}",
        rows[2][4]
    );

    // What the messy cells became.
    let c1 = by_ref(&ws, "C-001");
    assert_eq!(c1["fields"]["kind"], "reimbursement");
    assert_eq!(c1["fields"]["amount"], "25.50");
    assert_eq!(c1["fields"]["expense_date"], "2026-11-02");
    assert_eq!(c1["fields"]["category"], "travel");
    let c2 = by_ref(&ws, "C-002");
    assert_eq!(c2["fields"]["employee"], "maria");
    assert_eq!(c2["fields"]["amount"], "1234.50");
    assert_eq!(c2["fields"]["expense_date"], "2026-11-03");
    let c3 = by_ref(&ws, "C-003");
    assert_eq!(c3["fields"]["employee"], "kasia");
    assert_eq!(
        c3["fields"]["expense_date"], "2026-11-04",
        "Excel serial 46330"
    );
    assert_eq!(c3["fields"]["description"], "Дмитрий: гостиница");
    assert_eq!(c3["assignees"][0], "tomasz", "routed to kasia's manager");
    assert_eq!(
        by_ref(&ws, "C-004")["fields"]["description"],
        "王伟 — 出租车"
    );
    assert_eq!(
        by_ref(&ws, "C-005")["fields"]["description"],
        "=HYPERLINK(\"http://example.com\",\"Σοφία\")"
    );
    let c9 = by_ref(&ws, "C-009");
    assert_eq!(c9["fields"]["employee"], "alice");
    assert_eq!(c9["fields"]["amount"], "12.00");
    assert_eq!(c9["fields"]["description"], "محمد");
    assert_eq!(c9["fields"]["category"], "meals");
    // The event says where the case came from.
    let id = c1["id"].as_str().expect("id");
    let opened = &ws.history(id)[0];
    assert_eq!(opened["kind"], "opened");
    assert_eq!(opened["actor"], "hana");
    assert_eq!(opened["note"], "import messy.xlsx row 3");
}

#[test]
fn rejects_default_next_to_the_input_and_csv_keeps_formulas_as_text() {
    let ws = workspace();
    let input = ws.file(
        "claims.csv",
        "Employee,Kind,Amount,Expense date,Description\nalice,advance,10,2026-11-30,ok\nbob,advance,ten,2026-11-30,=1+2\n",
    );
    import(&ws, &input.display().to_string(), &["--skip-invalid"]).ok();
    let rejects = std::fs::read_to_string(ws.path().join("claims-rejects.csv"))
        .expect("rejects next to the input");
    assert_eq!(
        rejects,
        "Employee,Kind,Amount,Expense date,Description,Import error\nbob,advance,ten,2026-11-30,'=1+2,\"claims.csv!C3: amount: \"\"ten\"\" is not a money amount like 1234.50\"\n"
    );
    assert_eq!(cases(&ws).len(), 1);
}

#[test]
fn reimport_with_a_key_creates_nothing_new_and_update_changes_fields() {
    let ws = workspace();
    let first = import(&ws, &fx("clean.xlsx"), &["--key", "Claim no"])
        .ok()
        .json();
    assert_eq!(first["created"].as_array().map(Vec::len), Some(5));
    let again = import(&ws, &fx("clean.xlsx"), &["--key", "Claim no"])
        .ok()
        .json();
    assert_eq!(again["created"].as_array().map(Vec::len), Some(0));
    assert_eq!(again["skipped"].as_array().map(Vec::len), Some(5));
    assert_eq!(cases(&ws).len(), 5);

    let changed = ws.file(
        "changed.csv",
        "Claim no,Employee,Kind,Amount,Expense date\nC-101,alice,reimbursement,26.00,2026-11-02\nC-102,bob,advance,420,2026-11-03\n",
    );
    // Updating is changing fields, as `set`: hana (who imported) may not; an admin may.
    let refused = import(
        &ws,
        &changed.display().to_string(),
        &["--key", "Claim no", "--update"],
    )
    .fails(65);
    assert!(
        refused
            .stderr
            .contains("changed.csv!2:2: hana may not act on case EXC-2026-0001"),
        "{}",
        refused.stderr
    );
    let updated = ws
        .run(
            "root",
            &[
                "import",
                &changed.display().to_string(),
                "--process",
                PROCESS,
                "--json",
                "--key",
                "Claim no",
                "--update",
            ],
        )
        .ok()
        .json();
    assert_eq!(
        updated["updated"].as_array().map(Vec::len),
        Some(1),
        "{updated}"
    );
    assert_eq!(
        updated["skipped"].as_array().map(Vec::len),
        Some(1),
        "unchanged rows are skipped"
    );
    let c = by_ref(&ws, "C-101");
    assert_eq!(c["fields"]["amount"], "26.00");
    let last = ws
        .history(c["id"].as_str().expect("id"))
        .pop()
        .expect("an event");
    assert_eq!(last["kind"], "fields_set");
    assert_eq!(last["note"], "import changed.csv row 2");
}

#[test]
fn clean_xlsx_imports_exactly() {
    let ws = workspace();
    let run = ws
        .run(
            "hana",
            &[
                "import",
                &fx("clean.xlsx"),
                "--process",
                PROCESS,
                "--key",
                "Claim no",
            ],
        )
        .ok();
    assert_eq!(
        run.stdout,
        format!(
            "opened 5 cases from {} (Claims, 5 rows): EXC-2026-0001 … EXC-2026-0005\n",
            fx("clean.xlsx")
        )
    );
    assert!(
        run.stderr.is_empty(),
        "no warnings and no progress bar off a terminal: {}",
        run.stderr
    );
    let amounts: Vec<Value> = cases(&ws)
        .iter()
        .map(|c| c["fields"]["amount"].clone())
        .collect();
    assert_eq!(amounts, ["25.50", "420.00", "0.10", "1234.56", "18.90"]);
    assert_eq!(
        by_ref(&ws, "C-102")["fields"]["description"],
        "Flight to Kraków"
    );
}

#[test]
fn csv_with_a_bom_semicolons_and_decimal_commas() {
    let ws = workspace();
    let run = import(
        &ws,
        &fx("semicolon-bom.csv"),
        &[
            "--decimal-comma",
            "--date-format",
            "%d.%m.%Y",
            "--key",
            "Claim no",
        ],
    )
    .ok();
    assert_eq!(run.json()["created"].as_array().map(Vec::len), Some(3));
    let c = by_ref(&ws, "C-201");
    assert_eq!(c["fields"]["amount"], "1234.50");
    assert_eq!(c["fields"]["expense_date"], "2026-11-30");
    assert_eq!(c["fields"]["description"], "Hotel; two nights");
    assert_eq!(by_ref(&ws, "C-202")["fields"]["employee"], "hana");
    assert_eq!(by_ref(&ws, "C-202")["fields"]["amount"], "99.90");
    assert_eq!(by_ref(&ws, "C-203")["fields"]["employee"], "felix");
    // Without --decimal-comma the same file is refused, cell by cell.
    let ws2 = workspace();
    let errors = strs(
        &import(
            &ws2,
            &fx("semicolon-bom.csv"),
            &["--date-format", "%d.%m.%Y"],
        )
        .fails(65)
        .json()["errors"],
    );
    assert!(
        errors.contains(
            &r#"semicolon-bom.csv!D2: amount: "1 234,50" is not a money amount like 1234.50"#
                .to_string()
        ),
        "{errors:?}"
    );
}

#[test]
fn ods_imports() {
    let ws = workspace();
    import(&ws, &fx("clean.ods"), &["--key", "Claim no"]).ok();
    let c = by_ref(&ws, "C-302");
    assert_eq!(c["fields"]["amount"], "1234.56");
    assert_eq!(c["fields"]["expense_date"], "2026-11-03");
    assert_eq!(c["fields"]["description"], "Train to Zürich");
    assert_eq!(by_ref(&ws, "C-303")["fields"]["amount"], "0.10");
}

#[test]
fn dry_run_shows_what_would_be_created_and_writes_nothing() {
    let ws = workspace();
    let doc = import(&ws, &fx("clean.xlsx"), &["--dry-run"]).ok().json();
    assert_eq!(doc["dry_run"], true);
    let created: Vec<String> = doc["created"]
        .as_array()
        .expect("created")
        .iter()
        .map(|c| c["case"].as_str().unwrap_or("").to_string())
        .collect();
    assert_eq!(created.first().map(String::as_str), Some("EXC-2026-0001"));
    assert_eq!(created.len(), 5);
    assert!(cases(&ws).is_empty());
}

#[test]
fn columns_are_checked_before_any_row() {
    let ws = workspace();
    let no_amount = ws.file(
        "a.csv",
        "Employee,Kind,Expense date,Remarks\nalice,advance,2026-11-30,x\n",
    );
    let run = import(&ws, &no_amount.display().to_string(), &[]).fails(65);
    assert!(
        run.stderr
            .contains("required field `amount` (Amount) has no column"),
        "{}",
        run.stderr
    );
    let mapped = import(
        &ws,
        &no_amount.display().to_string(),
        &["--map", "Remarks=amount"],
    )
    .fails(65);
    assert!(
        mapped
            .stderr
            .contains(r#"a.csv!D2: amount: "x" is not a money amount"#),
        "{}",
        mapped.stderr
    );
    let extra = ws.file(
        "b.csv",
        "Employee,Kind,Amount,Expense date,Remarks\nalice,advance,1,2026-11-30,x\n",
    );
    let strict = import(&ws, &extra.display().to_string(), &["--strict-columns"]).fails(65);
    assert!(
        strict
            .stderr
            .contains(r#"column E ("Remarks") matches no field of expense-claim"#),
        "{}",
        strict.stderr
    );
    import(&ws, &extra.display().to_string(), &[]).ok();
}

#[test]
fn a_row_the_engine_refuses_is_named_by_its_row() {
    let ws = workspace();
    // dmitri has no supervisor, so his claim has no manager to go to.
    let input = ws.file("c.csv", "Employee,Kind,Amount,Expense date\nalice,advance,1,2026-11-30\ndmitri,advance,2,2026-11-30\n");
    let errors = strs(
        &import(&ws, &input.display().to_string(), &[])
            .fails(65)
            .json()["errors"],
    );
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(errors[0].starts_with("c.csv!3:3: "), "{errors:?}");
    assert!(cases(&ws).is_empty());
}

// ---- export ---------------------------------------------------------------------------

/// A workspace with the messy sheet's good rows imported, one approved and paid.
fn exported_workspace() -> Workspace {
    let ws = workspace();
    import(
        &ws,
        &fx("messy.xlsx"),
        &[
            "--skip-invalid",
            "--key",
            "Claim no",
            "--rejects",
            &ws.path().join("r.csv").display().to_string(),
        ],
    )
    .ok();
    let id = by_ref(&ws, "C-001")["id"].as_str().expect("id").to_string();
    ws.run("maria", &["approve", &id]).ok();
    ws.run("felix", &["act", &id, "pay"]).ok();
    ws
}

#[test]
fn export_writes_typed_cells_and_keeps_formula_looking_text_as_text() {
    let ws = exported_workspace();
    let out = ws.path().join("cases.xlsx");
    let doc = ws
        .run(
            "root",
            &["export", &out.display().to_string(), "--history", "--json"],
        )
        .ok()
        .json();
    assert_eq!(doc["sheets"][0]["cases"], 6);
    let rows = sheet(&out, PROCESS);
    assert_eq!(rows.len(), 7);
    let amount = column(&rows, "Amount");
    let date = column(&rows, "Expense date");
    let opened = column(&rows, "Opened at");
    let description = column(&rows, "Description");
    assert_eq!(rows[1][0], Data::String("EXC-2026-0001".into()));
    assert_eq!(rows[1][amount], Data::Float(25.5));
    assert_eq!(rows[2][amount], Data::Float(1234.5));
    assert!(
        matches!(rows[1][date], Data::DateTime(_)),
        "{:?}",
        rows[1][date]
    );
    assert!(
        matches!(rows[1][opened], Data::DateTime(_)),
        "{:?}",
        rows[1][opened]
    );
    let formula_row = rows
        .iter()
        .position(|r| r[description].to_string().starts_with("=HYPERLINK"))
        .expect("the = row");
    assert!(matches!(rows[formula_row][description], Data::String(_)));
    let mut book = calamine::open_workbook_auto(&out).expect("open");
    let formulas = book.worksheet_formula(PROCESS).expect("formulas");
    assert!(
        formulas.used_cells().all(|(_, _, f)| f.is_empty()),
        "no formula cells"
    );
    let history = sheet(&out, "History");
    assert_eq!(history[0][0], Data::String("Case".into()));
    assert!(history.len() > 7, "every event of the cases");
    assert!(history.iter().any(|r| r[5] == "pay"));
}

#[test]
fn an_export_imports_back_as_the_same_cases() {
    let ws = exported_workspace();
    let out = ws.path().join("round.xlsx");
    ws.run(
        "root",
        &["export", &out.display().to_string(), "--process", PROCESS],
    )
    .ok();
    let other = workspace();
    let run = other
        .run(
            "hana",
            &[
                "import",
                &out.display().to_string(),
                "--process",
                PROCESS,
                "--key",
                "Reference",
                "--json",
            ],
        )
        .ok();
    assert!(
        strs(&run.json()["warnings"]).is_empty(),
        "the export's own columns are known: {}",
        run.stdout
    );
    let fields = |ws: &Workspace| -> Vec<(Value, Value, Value)> {
        cases(ws)
            .iter()
            .map(|c| {
                (
                    c["external_ref"].clone(),
                    c["fields"].clone(),
                    c["priority"].clone(),
                )
            })
            .collect()
    };
    assert_eq!(fields(&other), fields(&ws));
}

#[test]
fn csv_export_guards_formulas_and_round_trips() {
    let ws = exported_workspace();
    let out = ws.path().join("cases.csv");
    ws.run(
        "root",
        &["export", &out.display().to_string(), "--process", PROCESS],
    )
    .ok();
    let text = std::fs::read_to_string(&out).expect("csv");
    assert!(
        text.contains(",\"'=HYPERLINK(\"\"http://example.com\"\",\"\"Σοφία\"\")\","),
        "{text}"
    );
    assert!(
        text.lines().nth(1).is_some_and(|l| l.contains(",25.50,")),
        "{text}"
    );
    let other = workspace();
    other
        .run(
            "hana",
            &[
                "import",
                &out.display().to_string(),
                "--process",
                PROCESS,
                "--key",
                "Reference",
            ],
        )
        .ok();
    assert_eq!(
        by_ref(&other, "C-005")["fields"]["description"],
        "=HYPERLINK(\"http://example.com\",\"Σοφία\")"
    );
    assert_eq!(
        by_ref(&other, "C-001")["fields"],
        by_ref(&ws, "C-001")["fields"]
    );
    ws.open(
        "alice",
        "expense-reimbursement",
        &["kind=advance", "lines=Taxi: 5"],
    );
    let several = ws
        .run("root", &["export", &out.display().to_string()])
        .fails(64);
    assert!(
        several.stderr.contains("a csv file holds one table"),
        "{}",
        several.stderr
    );
}

// ---- act --from -----------------------------------------------------------------------

#[test]
fn act_from_a_sheet_is_all_or_nothing_and_names_the_bad_rows() {
    let ws = workspace();
    import(&ws, &fx("clean.xlsx"), &["--key", "Claim no"]).ok();
    let sheet = ws.file(
        "approvals.csv",
        "Case,Action,Comment,Approved amount\n\
         EXC-2026-0001,approve,fine,\n\
         EXC-2026-0002,reject,no receipt,\n\
         EXC-2026-0003,reject,,\n\
         EXC-2026-0009,approve,,\n\
         EXC-2026-0004,approve,,\n",
    );
    let file = sheet.display().to_string();
    let run = ws
        .run("maria", &["act", "--from", &file, "--json"])
        .fails(65);
    let errors = strs(&run.json()["errors"]);
    assert_eq!(errors.len(), 3, "{errors:?}");
    assert!(
        errors[0].starts_with("approvals.csv!4:4: case EXC-2026-0003: reject needs"),
        "{errors:?}"
    );
    assert_eq!(errors[1], r#"approvals.csv!A5: no case "EXC-2026-0009""#);
    assert!(
        errors[2].starts_with("approvals.csv!6:6: maria may not act on case EXC-2026-0004"),
        "{errors:?}"
    );
    assert_eq!(
        ws.steps("EXC-2026-0001"),
        ["manager_review"],
        "nothing was done"
    );

    let rejects = ws.path().join("not-done.csv").display().to_string();
    let doc = ws
        .run(
            "maria",
            &[
                "act",
                "--from",
                &file,
                "--skip-invalid",
                "--rejects",
                &rejects,
                "--json",
            ],
        )
        .ok()
        .json();
    assert_eq!(doc["done"].as_array().map(Vec::len), Some(2));
    assert_eq!(ws.steps("EXC-2026-0001"), ["payment"]);
    assert_eq!(ws.show("EXC-2026-0002")["outcome"], "rejected");
    let last = ws.history("EXC-2026-0001").pop().expect("event");
    assert_eq!(last["action"], "approve");
    assert_eq!(last["comment"], "fine");
    assert_eq!(last["note"], "act --from approvals.csv row 2");
    let text = std::fs::read_to_string(&rejects).expect("rejects");
    let cases: Vec<&str> = text
        .lines()
        .skip(1)
        .map(|l| l.split(',').next().unwrap_or(""))
        .collect();
    assert_eq!(cases, ["EXC-2026-0003", "EXC-2026-0009", "EXC-2026-0004"]);
}

// ---- reports --------------------------------------------------------------------------

/// Five claims opened on 2 November; two paid (after 10 and 48 hours), one rejected.
fn reported_workspace() -> Workspace {
    let ws = workspace();
    let t0 = "2026-11-02T09:00:00Z";
    ws.run_at(
        t0,
        "hana",
        &[
            "import",
            &fx("clean.xlsx"),
            "--process",
            PROCESS,
            "--key",
            "Claim no",
        ],
    )
    .ok();
    for (case, at) in [
        ("EXC-2026-0001", "2026-11-02T19:00:00Z"),
        ("EXC-2026-0002", "2026-11-04T09:00:00Z"),
    ] {
        ws.run_at(at, "maria", &["approve", case]).ok();
        ws.run_at(at, "felix", &["act", case, "pay"]).ok();
    }
    ws.run_at(
        "2026-11-05T09:00:00Z",
        "maria",
        &["reject", "EXC-2026-0003", "--reason", "duplicate"],
    )
    .ok();
    ws
}

#[test]
fn reports_in_every_format() {
    let ws = reported_workspace();
    // table
    let table = ws.run("root", &["report", "summary"]).ok().stdout;
    assert!(
        table.contains("manager_review") && table.contains("(approved)"),
        "{table}"
    );
    // json: throughput with median and p90 hours to close
    let doc = ws
        .run(
            "root",
            &[
                "report",
                "throughput",
                "--process",
                PROCESS,
                "--by",
                "month",
                "--json",
            ],
        )
        .ok()
        .json();
    let row = &doc["rows"][0];
    assert_eq!(row["period"], "2026-11");
    assert_eq!(row["opened"], 5);
    assert_eq!(row["closed"], 3);
    assert_eq!(row["median hours to close"], 48.0);
    assert_eq!(row["p90 hours to close"], 72.0);
    // csv: exact totals per employee
    let csv = ws
        .run(
            "root",
            &[
                "report",
                "totals",
                "--process",
                PROCESS,
                "--by",
                "employee",
                "--format",
                "csv",
            ],
        )
        .ok()
        .stdout;
    assert_eq!(
        csv,
        "employee,cases,amount\nalice,2,25.60\nbob,1,420.00\nkasia,1,1234.56\nolga,1,18.90\ntotal,5,1699.06\n"
    );
    // --employee keeps the cases that person opened, holds or is named in
    let alice = ws
        .run(
            "root",
            &[
                "report",
                "totals",
                "--process",
                PROCESS,
                "--employee",
                "alice",
                "--by",
                "employee",
                "--format",
                "csv",
            ],
        )
        .ok()
        .stdout;
    assert_eq!(
        alice,
        "employee,cases,amount\nalice,2,25.60\ntotal,2,25.60\n"
    );
    // xlsx with a native chart
    let out = ws.path().join("throughput.xlsx");
    ws.run(
        "root",
        &[
            "report",
            "throughput",
            "--period",
            "2026-11",
            "--by",
            "day",
            "--format",
            "xlsx",
            "-o",
            &out.display().to_string(),
        ],
    )
    .ok();
    let rows = sheet(&out, "throughput");
    assert_eq!(rows[0][0], Data::String("period".into()));
    assert_eq!(rows[1][0], Data::String("2026-11-02".into()));
    assert_eq!(rows[1][1], Data::Float(5.0));
    let bytes = std::fs::read(&out).expect("xlsx");
    assert!(
        bytes.windows(20).any(|w| w == b"xl/charts/chart1.xml"),
        "a chart part"
    );
}

#[test]
fn workload_and_register_reports() {
    let ws = reported_workspace();
    let doc = ws
        .run(
            "root",
            &["report", "workload", "--period", "2026-11", "--json"],
        )
        .ok()
        .json();
    let maria = doc["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .find(|r| r["person"] == "maria")
        .cloned()
        .expect("maria");
    assert_eq!(maria["open now"], 0, "her three claims are done");
    let tomasz = doc["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .find(|r| r["person"] == "tomasz")
        .cloned()
        .expect("tomasz");
    assert_eq!(tomasz["open now"], 1, "kasia's claim");
    assert_eq!(maria["handled"], 3);
    assert_eq!(maria["cases involved"], 3);
    let reg = ws
        .run(
            "root",
            &[
                "report",
                "register",
                "--process",
                PROCESS,
                "--columns",
                "employee,amount",
                "--period",
                "2026-11",
                "--format",
                "csv",
            ],
        )
        .ok()
        .stdout;
    assert_eq!(
        reg,
        "case,closed at,outcome,opened by,reference,Employee,Amount\n\
         EXC-2026-0001,2026-11-02T19:00:00Z,approved,hana,C-101,alice,25.50\n\
         EXC-2026-0002,2026-11-04T09:00:00Z,approved,hana,C-102,bob,420.00\n\
         EXC-2026-0003,2026-11-05T09:00:00Z,rejected,hana,C-103,alice,0.10\n"
    );
    let none = ws
        .run(
            "root",
            &[
                "report",
                "register",
                "--process",
                PROCESS,
                "--period",
                "2026-10",
                "--format",
                "csv",
            ],
        )
        .ok()
        .stdout;
    assert_eq!(none.lines().count(), 1, "only the header: {none}");
}

#[test]
fn imported_cases_are_opened_like_open_numbers_notifications_and_routing() {
    let ws = Workspace::init();
    let input = ws.file(
        "complaints.csv",
        "Customer;Customer e-mail;What the complaint is about;What went wrong;Date of the fault or event;Value of the claim;Customer tier\n\
         Jan Kowalski;jan@example.com;Device;Screen broken;2026-11-20;1 299,00;VIP\n\
         Łucja Nowak;lucja@example.com;service;No internet;20.11.2026;49;standard\n",
    );
    let file = input.display().to_string();
    let args = [
        "import",
        &file,
        "--process",
        "complaint-sla",
        "--decimal-comma",
        "--date-format",
        "%d.%m.%Y",
        "--json",
    ];
    let doc = ws.run("piotr", &args).ok().json();
    let ids: Vec<String> = doc["created"]
        .as_array()
        .expect("created")
        .iter()
        .map(|c| c["case"].as_str().unwrap_or("").to_string())
        .collect();
    assert_eq!(ids.len(), 2);
    let numbers: Vec<Value> = ids
        .iter()
        .map(|id| ws.show(id)["fields"]["register_number"].clone())
        .collect();
    assert_eq!(
        numbers,
        ["REK/2026/00001", "REK/2026/00002"],
        "one sequence across the file"
    );
    let first = ws.show(&ids[0]);
    assert_eq!(first["fields"]["claim_value"], "1299.00");
    assert_eq!(first["fields"]["tier"], "vip");
    let queued: Vec<String> = ws
        .outbox(&ids[1])
        .iter()
        .map(|q| q.template.clone())
        .collect();
    let opened = ws.open(
        "piotr",
        "complaint-sla",
        &[
            "customer_name=Ola",
            "customer_email=ola@example.com",
            "subject=service",
            "description=x",
            "event_date=2026-11-20",
            "claim_value=1",
        ],
    );
    let by_open: Vec<String> = ws
        .outbox(&opened)
        .iter()
        .map(|q| q.template.clone())
        .collect();
    assert_eq!(queued, by_open, "the same notifications as `open` queues");
    assert!(!queued.is_empty());
    assert_eq!(
        ws.show(&opened)["fields"]["register_number"],
        "REK/2026/00003"
    );
}
