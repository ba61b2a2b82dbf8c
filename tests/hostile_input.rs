//! Hostile input: whatever a user, a sheet or a file throws at caseflow gets a clear error
//! or is stored verbatim — never a panic, a hang or an escape. Property tests feed the
//! definition loader, conditions and value parsers arbitrary text in-process; the rest drive
//! the real binary.

mod common;
use common::*;

use caseflow::definition;
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

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

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
