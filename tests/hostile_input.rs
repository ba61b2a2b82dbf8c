//! Hostile input: whatever a user, a sheet or a file throws at caseflow gets a clear error
//! or is stored verbatim — never a panic, a hang or an escape. Property tests feed the
//! definition loader, conditions and value parsers arbitrary text in-process; the rest drive
//! the real binary.

mod common;
use common::*;

use caseflow::definition;
use caseflow::engine::CaseState;
use caseflow::notify::{Job, NotifyError, Reader, Templates};
use caseflow::org::Org;
use caseflow::value::{FieldType, Value};
use proptest::prelude::*;

const MINIMAL: &str = "process: p\ntitle: P\nid_prefix: P\nfields:\n  amount: { type: money }\n  note: { type: text }\nroles:\n  boss: { group: managers }\nstart: review\nsteps:\n  review:\n    assignee: boss\n    actions:\n      approve: { to: done }\n  done: { outcome: approved }\n";

fn types() -> Vec<FieldType> {
    vec![
        FieldType::Text,
        FieldType::Integer,
        FieldType::Money,
        FieldType::Date,
        FieldType::DateTime,
        FieldType::Bool,
        FieldType::Enum(vec!["a".into(), "Ä".into()]),
        FieldType::Email,
        FieldType::Person,
        FieldType::List,
        FieldType::Lines,
    ]
}

/// MINIMAL made loadable (an end step), for rendering.
const RENDERABLE: &str = "process: p\ntitle: P\nid_prefix: P\nfields:\n  amount: { type: money }\n  note: { type: text }\nroles:\n  boss: { group: managers }\nstart: review\nsteps:\n  review:\n    assignee: boss\n    actions:\n      approve: { to: done }\n  done: { end: approved }\n";

/// Render `source` as mail template `p/x.txt` (and as its HTML part) for a case of MINIMAL
/// whose `note` is `note`.
fn render(source: &str, note: &str) -> Result<caseflow::store::Rendered, NotifyError> {
    let org = Org::default();
    let def = definition::load("p.yaml", RENDERABLE, None).expect("RENDERABLE loads");
    let templates = Templates::from_pairs([("p/x.txt", source), ("p/x.html", source)]);
    let mut case = CaseState::blank("2026-11-30T09:00:00Z".parse().expect("time"));
    case.id = "P-2026-0001".into();
    case.process = "p".into();
    case.fields.insert("note".into(), Value::Text(note.into()));
    case.fields.insert(
        "amount".into(),
        Value::Money("12.50".parse().expect("money")),
    );
    let reader = Reader {
        name: note.into(),
        email: Some("a@example.com".into()),
        locale: "en".into(),
    };
    Job {
        templates: &templates,
        def: &def,
        org: &org,
        case: &case,
        history: &[],
        event_seq: None,
        reader: &reader,
        dated: None,
    }
    .mail("x")
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// Any template (built from Jinja's own tokens and the context's names) with any field
    /// value: a rendered mail whose subject is one line, or a positioned template error.
    #[test]
    fn templates_render_or_give_a_positioned_error(
        subject in "(\\{\\{|\\}\\}|\\{%|%\\}|fields\\.note|case\\.id|recipient\\.name|\\||upper|length|for |in |endfor|if |endif|range\\(|\\)|[a-z0-9 .\"'~+*\\[\\]])*",
        body in "(\\{\\{|\\}\\}|\\{%|%\\}|\\{#|#\\}|fields\\.amount|fields\\.note|history|loop\\.index|\\||e |safe|for x in |endfor|if |else|endif|set |macro |endmacro|\\(|\\)|[a-z0-9 .\"'~+*=<>\\[\\]\\n\\r])*",
        note in "\\PC{0,40}|.*\r\n(Bcc|To|Subject): [a-z@.]{0,20}\r\n.*",
    ) {
        let source = format!("Subject: {subject}\n\n{body}");
        for source in [source.as_str(), subject.as_str()] {
            match render(source, &note) {
                Ok(mail) => prop_assert!(
                    !mail.subject.chars().any(char::is_control),
                    "subject {:?}", mail.subject
                ),
                Err(NotifyError::Template(d)) => {
                    prop_assert!(d.to_string().starts_with("templates/p/x."), "{}", d)
                }
                Err(other) => prop_assert!(false, "untyped error {other}"),
            }
        }
    }

    #[test]
    fn the_loader_never_panics_on_arbitrary_text(source in "\\PC{0,400}") {
        let _ = definition::load("fuzz.yaml", &source, None);
    }

    #[test]
    fn the_loader_never_panics_on_mangled_definitions(cut in 0usize..400, insert in "[\\[\\]{}:&*!|>'\"#\\-\n ]{0,8}") {
        let at = cut.min(MINIMAL.len());
        let mangled = format!("{}{insert}{}", &MINIMAL[..at], &MINIMAL[at..]);
        let _ = definition::load("fuzz.yaml", &mangled, None);
    }

    #[test]
    fn conditions_never_panic(condition in "[a-z_ ()<>=!&|+*/%.0-9\"'\\[\\],-]{0,60}") {
        let source = MINIMAL.replace(
            "      approve: { to: done }",
            &format!("      approve: {{ to: done, check: {{ that: {:?}, else: no }} }}", condition),
        );
        let _ = definition::load("fuzz.yaml", &source, None);
    }

    #[test]
    fn value_parsers_never_panic(text in "\\PC{0,80}") {
        for ty in types() {
            let _ = Value::parse(&ty, &text);
        }
    }

    #[test]
    fn money_is_exact_or_refused(units in 0u64..1_000_000_000, cents in 0u32..100) {
        let text = format!("{units}.{cents:02}");
        let value = Value::parse(&FieldType::Money, &text).expect("money");
        prop_assert_eq!(value.to_string().replace(',', ""), text);
    }
}

#[test]
fn sql_metacharacters_are_stored_verbatim() {
    let ws = Workspace::init();
    let nasty = "x'); DROP TABLE cases; -- \" ; SELECT * FROM events WHERE '1'='1";
    let case = ws.open(
        "alice",
        "expense-reimbursement",
        &[
            "kind=advance",
            &format!("lines={}: 1.00", nasty.replace([':', ';'], " ")),
        ],
    );
    ws.run("alice", &["comment", &case, nasty]).ok();
    let history = ws.history(&case);
    assert_eq!(history.last().expect("event")["comment"], nasty);
    ws.run("root", &["show", "EXP' OR '1'='1", "--json"])
        .fails(66);
    ws.run("root", &["list", "--field", &format!("kind={nasty}")])
        .ok();
    ws.run("root", &["audit", "verify"]).ok();
}

#[test]
fn nul_bytes_and_line_breaks_in_comments_are_kept_verbatim() {
    let ws = Workspace::init();
    let case = ws.open(
        "alice",
        "expense-reimbursement",
        &["kind=advance", "lines=Taxi: 20.00"],
    );
    let text = "line one\r\nBcc: everyone@example.com\r\n\r\nline \u{1} two";
    ws.run("alice", &["comment", &case, text]).ok();
    assert_eq!(ws.history(&case).last().expect("event")["comment"], text);
}

#[test]
fn nul_bytes_in_a_definition_get_a_positioned_error() {
    let ws = Workspace::init();
    let path = ws.file("nul.yaml", "process: p\ntitle: \0P\n");
    let run = ws.run("root", &["check", path.to_str().expect("path")]);
    assert!(run.code == 65 || run.code == 0, "{}", run.stderr);
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    let binary = ws.file("binary.yaml", "\u{feff}\u{0}\u{1}\u{2}garbage: [");
    let run = ws
        .run("root", &["check", binary.to_str().expect("path")])
        .fails(65);
    assert!(run.stderr.contains("binary.yaml:"), "{}", run.stderr);
}

#[test]
fn an_attachment_keeps_only_its_file_name_never_a_path() {
    let ws = Workspace::init();
    let case = ws.open(
        "alice",
        "expense-reimbursement",
        &["kind=advance", "lines=Taxi: 20.00"],
    );
    std::fs::create_dir_all(ws.path().join("a/b")).expect("dirs");
    let file = ws.file("a/b/receipt.txt", "receipt");
    let traversing = ws.path().join("a/b/../b/receipt.txt");
    ws.run(
        "alice",
        &["attach", &case, traversing.to_str().expect("path")],
    )
    .ok();
    let shown = ws.show(&case);
    let names: Vec<String> = shown["attachments"]
        .as_array()
        .expect("attachments")
        .iter()
        .map(|a| a["name"].as_str().unwrap_or_default().to_string())
        .collect();
    assert_eq!(names, vec!["receipt.txt"], "{shown}");
    assert!(file.exists());
}

#[test]
fn yaml_alias_bombs_and_deep_nesting_are_refused_at_once() {
    let ws = Workspace::init();
    let mut bomb = String::from(
        "process: bomb\ntitle: x\na0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n",
    );
    for i in 1..10 {
        let refs = vec![format!("*a{}", i - 1); 9].join(", ");
        bomb.push_str(&format!("a{i}: &a{i} [{refs}]\n"));
    }
    let path = ws.file("bomb.yaml", &bomb);
    let run = ws
        .run("root", &["check", path.to_str().expect("path")])
        .fails(65);
    assert!(run.stderr.contains("bomb.yaml:3:"), "{}", run.stderr);

    let deep = format!(
        "process: deep\ntitle: {}{}\n",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    let path = ws.file("deep.yaml", &deep);
    let run = ws
        .run("root", &["check", path.to_str().expect("path")])
        .fails(65);
    assert!(run.stderr.contains("deep.yaml:2:"), "{}", run.stderr);
}

#[test]
fn a_huge_field_value_is_stored_or_refused_cleanly() {
    let ws = Workspace::init();
    let case = ws.open(
        "alice",
        "expense-reimbursement",
        &["kind=advance", "lines=Taxi: 20.00"],
    );
    let big = "x".repeat(8 * 1024 * 1024);
    let file = ws.file("big.txt", &big);
    ws.run("alice", &["attach", &case, file.to_str().expect("path")])
        .ok();
    let comment = "y".repeat(120 * 1024); // near the OS limit for one argument
    ws.run("alice", &["comment", &case, &comment]).ok();
    assert_eq!(
        ws.history(&case).last().expect("event")["comment"]
            .as_str()
            .map(str::len),
        Some(comment.len())
    );
}

#[test]
fn a_field_cannot_add_a_mail_header_and_a_runaway_template_runs_out_of_fuel() {
    let note = "hi <script>x</script>\r\nBcc: everyone@example.com\r\n\r\nforged body";
    let mail = render(
        "Subject: About {{ fields.note }}\n\n{{ fields.note }}\n",
        note,
    )
    .expect("renders");
    assert_eq!(
        mail.subject,
        "About hi <script>x</script> Bcc: everyone@example.com forged body"
    );
    assert!(mail.text.contains(note), "the body keeps the text verbatim");
    let html = mail.html.expect("html part");
    assert!(!html.contains("<script>"));

    let started = std::time::Instant::now();
    let nested = "Subject: x\n\n{% for a in range(50000) %}{% for b in range(50000) %}.{% endfor %}{% endfor %}";
    match render(nested, "x") {
        Err(NotifyError::Template(d)) => assert!(d.to_string().contains("fuel"), "{d}"),
        other => panic!("expected out of fuel, got {:?}", other.map(|m| m.subject)),
    }
    assert!(started.elapsed().as_secs() < 30, "{:?}", started.elapsed());
}

const SHEET_HEAD: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData>";
const SHEET_TAIL: &str = "</sheetData></worksheet>";

/// `<row>` XML of inline-string cells: `(address, text)`.
fn xml_row(row: u32, cells: &[(&str, &str)]) -> String {
    let cells: String = cells
        .iter()
        .map(|(at, text)| format!("<c r=\"{at}\" t=\"inlineStr\"><is><t>{text}</t></is></c>"))
        .collect();
    format!("<row r=\"{row}\">{cells}</row>")
}

/// A real xlsx (made by rust_xlsxwriter) whose first sheet's XML is replaced by
/// `SHEET_HEAD`, the chunks, `SHEET_TAIL`, deflated as it is written.
fn xlsx_with_sheet(path: &std::path::Path, chunks: impl Iterator<Item = Vec<u8>>) {
    use std::io::Write;
    let mut book = rust_xlsxwriter::Workbook::new();
    book.add_worksheet()
        .write_string(0, 0, "Ref")
        .expect("cell");
    let base = book.save_to_buffer().expect("xlsx");
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(base)).expect("zip");
    let mut out = zip::ZipWriter::new(std::fs::File::create(path).expect("create"));
    let mut chunks = Some(chunks);
    for i in 0..archive.len() {
        let part = archive.by_index_raw(i).expect("part");
        if part.name().expect("name") != "xl/worksheets/sheet1.xml" {
            out.raw_copy_file(part).expect("copy");
            continue;
        }
        drop(part);
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .large_file(true);
        out.start_file("xl/worksheets/sheet1.xml", options)
            .expect("start");
        out.write_all(SHEET_HEAD.as_bytes()).expect("write");
        for chunk in chunks.take().into_iter().flatten() {
            out.write_all(&chunk).expect("write");
        }
        out.write_all(SHEET_TAIL.as_bytes()).expect("write");
    }
    out.finish().expect("finish");
}

fn import(ws: &Workspace, path: &std::path::Path) -> Run {
    ws.run(
        "alice",
        &[
            "import",
            path.to_str().expect("path"),
            "--process",
            "expense-reimbursement",
            "--key",
            "Ref",
        ],
    )
}

const HEADER: &[(&str, &str)] = &[("A1", "Ref"), ("B1", "kind"), ("C1", "lines")];

#[test]
fn a_zip_bomb_xlsx_is_refused_after_inflating_at_most_the_limit() {
    let ws = Workspace::init();
    let path = ws.path().join("bomb.xlsx");
    // 300 MiB of blanks between two rows: valid XML, a few hundred KB deflated.
    let header = xml_row(1, HEADER).into_bytes();
    let row = xml_row(2, &[("A2", "R1"), ("B2", "advance"), ("C2", "Taxi: 1.00")]).into_bytes();
    let padding = (0..300).map(|_| vec![b' '; 1 << 20]);
    xlsx_with_sheet(
        &path,
        std::iter::once(header)
            .chain(padding)
            .chain(std::iter::once(row)),
    );
    let size = std::fs::metadata(&path).expect("bomb").len();
    assert!(size < 2 << 20, "the bomb is small: {size} bytes");
    let started = std::time::Instant::now();
    let run = import(&ws, &path).fails(65);
    assert!(
        run.stderr
            .contains("bomb.xlsx inflates to more than 256 MiB"),
        "{}",
        run.stderr
    );
    assert!(started.elapsed().as_secs() < 60, "{:?}", started.elapsed());
    let listed = ws.run("root", &["list", "--json"]).ok().json();
    assert_eq!(listed["cases"].as_array().map(Vec::len), Some(0));
}

#[test]
fn a_sheet_spanning_a1_to_xfd1048576_is_refused_before_any_grid_exists() {
    let ws = Workspace::init();
    let path = ws.path().join("sparse.xlsx");
    let rows = [
        xml_row(1, HEADER),
        xml_row(1_048_576, &[("XFD1048576", "far away")]),
    ];
    xlsx_with_sheet(&path, rows.into_iter().map(String::into_bytes));
    let run = import(&ws, &path).fails(65);
    assert!(
        run.stderr
            .contains("Sheet1!A1:XFD1048576 spans 1048576 rows × 16384 columns"),
        "{}",
        run.stderr
    );
    // The same limit holds for csv: a wide header over many short rows.
    let header: Vec<String> = (0..6_000).map(|i| format!("c{i}")).collect();
    let wide = format!("{}\n{}", header.join(","), "x\n".repeat(1_000));
    let path = ws.file("wide.csv", &wide);
    let run = import(&ws, &path).fails(65);
    assert!(
        run.stderr
            .contains("wide.csv: 1000 rows × 6000 columns; a sheet may span at most 5000000 cells"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_100_mb_cell_is_refused_by_name_and_a_big_one_within_the_limit_is_kept_verbatim() {
    let ws = Workspace::init();
    let huge = "x".repeat(100 << 20);
    let path = ws.file(
        "huge.csv",
        &format!("Ref,kind,lines\nR1,advance,\"{huge}: 1.00\"\n"),
    );
    let run = import(&ws, &path).fails(65);
    assert!(
        run.stderr.contains(&format!(
            "huge.csv!C2: the cell holds {} bytes, longer than 1048576 (1 MiB)",
            huge.len() + 6
        )),
        "{}",
        run.stderr
    );

    let path = ws.path().join("huge.xlsx");
    let row = xml_row(2, &[("A2", "R1"), ("B2", "advance"), ("C2", &huge)]);
    xlsx_with_sheet(
        &path,
        [xml_row(1, HEADER), row]
            .into_iter()
            .map(String::into_bytes),
    );
    drop(huge);
    let run = import(&ws, &path).fails(65);
    assert!(
        run.stderr.contains(&format!(
            "Sheet1!C2: the cell holds {} bytes, longer than 1048576 (1 MiB)",
            100 << 20
        )),
        "{}",
        run.stderr
    );

    // Just under the limit: imported, and the text comes back byte for byte.
    let description = "Ünïcødé ".repeat(60_000);
    assert!(description.len() + 6 < 1 << 20);
    let path = ws.file(
        "big.csv",
        &format!("Ref,kind,lines\nR1,advance,\"{description}: 1.00\"\n"),
    );
    import(&ws, &path).ok();
    let listed = ws.run("root", &["list", "--json"]).ok().json();
    let case = listed["cases"][0]["id"]
        .as_str()
        .expect("a case")
        .to_string();
    let shown = ws.show(&case);
    assert_eq!(
        shown["fields"]["lines"][0]["description"].as_str(),
        Some(description.trim()),
        "{}",
        &shown.to_string()[..300]
    );
}

/// A command-line value cannot be 100 MB: Linux refuses any one argument over 128 KiB before
/// caseflow starts (so `--field` and `comment` values are bounded by the OS; 120 KB ones are
/// stored verbatim, above).
#[cfg(target_os = "linux")]
#[test]
fn a_100_mb_command_line_value_never_reaches_caseflow() {
    let ws = Workspace::init();
    let field = format!("lines={}: 1.00", "x".repeat(100 << 20));
    let spawned = std::process::Command::new(assert_cmd::cargo::cargo_bin("caseflow"))
        .arg("--workspace")
        .arg(ws.path())
        .args(["open", "expense-reimbursement", "--field", &field])
        .output();
    let err = spawned.expect_err("the OS refuses the argument");
    assert_eq!(err.raw_os_error(), Some(7), "E2BIG: {err}");
}
