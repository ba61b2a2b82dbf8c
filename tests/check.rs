//! `caseflow check`: one fixture per kind of error, each message snapshot-tested with its
//! file:line:column, plus a file with several errors reported at once.

mod common;
use common::*;

fn check(fixture: &str) -> Run {
    let ws = Workspace::init();
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/check")
        .join(fixture);
    let copy = ws.file(fixture, &std::fs::read_to_string(path).expect("fixture"));
    let out = ws.run("root", &["check", copy.to_str().expect("utf-8 path")]);
    // Show paths relative to the workspace so snapshots do not depend on the temp dir.
    Run {
        code: out.code,
        stdout: out.stdout,
        stderr: out.stderr.replace(&format!("{}/", ws.path().display()), ""),
    }
}

#[test]
fn a_valid_definition_passes() {
    let out = check("ok.yaml").ok();
    assert_eq!(out.stdout.trim(), "ok: 1 definition and org.yaml");
}

macro_rules! error_kind {
    ($name:ident) => {
        #[test]
        fn $name() {
            let out = check(concat!(stringify!($name), ".yaml")).fails(65);
            insta::assert_snapshot!(out.stderr);
        }
    };
}

error_kind!(yaml_syntax);
error_kind!(unknown_key);
error_kind!(unknown_step);
error_kind!(unknown_role);
error_kind!(unknown_field);
error_kind!(unknown_group);
error_kind!(bad_expression);
error_kind!(ill_typed_expression);
error_kind!(unreachable_step);
error_kind!(no_way_to_end);
error_kind!(duplicate_name);
error_kind!(branch_never_joins);
error_kind!(bad_duration);
error_kind!(warn_after_due);
error_kind!(several_errors);
error_kind!(misspelt_names);

#[test]
fn bundled_processes_pass_check() {
    let ws = Workspace::init();
    ws.run("root", &["check"]).ok();
}

#[test]
fn org_errors_have_positions() {
    let ws = Workspace::init();
    ws.file("org.yaml", "people:\n  alice: { name: Alice, supervisor: mario }\n  maria: { name: Maria, groups: [managers] }\n");
    let out = ws.run("root", &["check"]).fails(65);
    assert!(out.stderr.contains("org.yaml:2:37: alice: supervisor `mario` is not a person in org.yaml; did you mean `maria`?"), "{}", out.stderr);
}
