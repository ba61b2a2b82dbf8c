//! The README's newcomer tour is executed: every `$ caseflow ...` line of the ```console
//! block between `<!-- tour:start -->` and `<!-- tour:end -->` runs in a fresh folder (as its
//! working directory) with a fixed time, NO_COLOR and a 100-column width, and what it prints
//! (stdout, then stderr) must be the lines under it. `$ echo TEXT > FILE` writes a file.
//!
//! After a change to what those commands print, rewrite the outputs in README.md with
//!     CASEFLOW_UPDATE_DOCS=1 cargo test --test tour

mod common;
use common::*;

use std::path::Path;

const START: &str = "<!-- tour:start -->";
const END: &str = "<!-- tour:end -->";

fn readme() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")
}

/// Split a command line into words: spaces separate, single quotes group.
fn words(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut word = String::new();
    let (mut quoted, mut any) = (false, false);
    for c in line.chars() {
        match c {
            '\'' => {
                quoted = !quoted;
                any = true;
            }
            ' ' if !quoted => {
                if any {
                    out.push(std::mem::take(&mut word));
                }
                any = false;
            }
            c => {
                word.push(c);
                any = true;
            }
        }
    }
    if any {
        out.push(word);
    }
    out
}

/// Run one tour line in `dir`; what it printed.
fn run(dir: &Path, line: &str) -> String {
    let args = words(line);
    if args.first().map(String::as_str) == Some("echo") {
        let pos = args
            .iter()
            .position(|a| a == ">")
            .expect("echo TEXT > FILE");
        let text = args[1..pos].join(" ");
        std::fs::write(dir.join(&args[pos + 1]), format!("{text}\n")).expect("write");
        return String::new();
    }
    assert_eq!(args.first().map(String::as_str), Some("caseflow"), "{line}");
    let output = caseflow()
        .current_dir(dir)
        .env("CASEFLOW_NOW", T0)
        .env("COLUMNS", "100")
        .args(&args[1..])
        .output()
        .expect("run caseflow");
    let mut text = String::from_utf8_lossy(&output.stdout).into_owned();
    text.push_str(&String::from_utf8_lossy(&output.stderr));
    text
}

#[test]
fn the_readme_tour_runs_as_shown() {
    let text = std::fs::read_to_string(readme()).expect("README.md");
    let start = text.find(START).expect("tour start marker") + START.len();
    let end = text.find(END).expect("tour end marker");
    let section = &text[start..end];
    let open = section.find("```console\n").expect("a ```console block") + "```console\n".len();
    let close = open + section[open..].find("```").expect("end of the block");
    let block = &section[open..close];

    let dir = tempfile::tempdir().expect("tempdir");
    let mut commands = 0;
    let mut expected = String::new();
    let mut actual = String::new();
    let mut lines = block.lines().peekable();
    while let Some(line) = lines.next() {
        let command = line.strip_prefix("$ ").expect("the block starts with `$ `");
        let mut shown = String::new();
        while let Some(next) = lines.next_if(|l| !l.starts_with("$ ")) {
            shown.push_str(next);
            shown.push('\n');
        }
        let printed = run(dir.path(), command);
        commands += usize::from(command.starts_with("caseflow"));
        expected.push_str(&format!("$ {command}\n{shown}"));
        let printed: String = printed
            .lines()
            .map(|l| format!("{}\n", l.trim_end()))
            .collect();
        actual.push_str(&format!("$ {command}\n{printed}"));
    }
    if std::env::var("CASEFLOW_UPDATE_DOCS").is_ok_and(|v| v == "1") {
        let updated = format!(
            "{}{}{}",
            &text[..start + open],
            actual,
            &text[start + close..]
        );
        std::fs::write(readme(), updated).expect("write README.md");
        return;
    }
    assert!(
        commands <= 10,
        "the tour promises ten commands, it has {commands}"
    );
    let first = expected
        .lines()
        .zip(actual.lines())
        .position(|(e, a)| e != a)
        .map(|i| i + 1);
    assert!(
        expected == actual,
        "README tour differs at block line {first:?}.\nExpected (README):\n{expected}\nActual:\n{actual}\nIf the change is intended: CASEFLOW_UPDATE_DOCS=1 cargo test --test tour"
    );
}

#[test]
fn words_split_like_the_shell() {
    assert_eq!(
        words("caseflow act X pay --comment 'two words' a=''"),
        vec![
            "caseflow",
            "act",
            "X",
            "pay",
            "--comment",
            "two words",
            "a="
        ]
    );
}
