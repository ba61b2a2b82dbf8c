//! Files generated from the clap types, and the help text, checked for drift:
//! `completions/` (what `COMPLETE=SHELL caseflow` prints), `man/` (clap_mangen: caseflow.1 and
//! one page per subcommand), and insta snapshots of `caseflow help COMMAND` for every command.
//!
//! After adding or changing a command, regenerate all of them with the one command
//!     CASEFLOW_UPDATE_DOCS=1 INSTA_UPDATE=always cargo test --test generated
//! and review the diff.

mod common;
use common::*;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

const REGENERATE: &str = "CASEFLOW_UPDATE_DOCS=1 INSTA_UPDATE=always cargo test --test generated";

/// The registration scripts, by shell, and the file each is kept in.
const SHELLS: &[(&str, &str)] = &[
    ("bash", "caseflow.bash"),
    ("zsh", "_caseflow"),
    ("fish", "caseflow.fish"),
    ("elvish", "caseflow.elv"),
    ("powershell", "_caseflow.ps1"),
];

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn updating() -> bool {
    std::env::var("CASEFLOW_UPDATE_DOCS").is_ok_and(|v| v == "1")
}

/// Make `dir` hold exactly `files`, or fail naming what differs and how to regenerate.
fn compare_or_update(dir: &str, files: &BTreeMap<String, String>) {
    let dir = repo().join(dir);
    let on_disk: BTreeMap<String, String> = std::fs::read_dir(&dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|e| {
                    let name = e.file_name().to_string_lossy().into_owned();
                    (name, std::fs::read_to_string(e.path()).unwrap_or_default())
                })
                .collect()
        })
        .unwrap_or_default();
    if updating() {
        std::fs::create_dir_all(&dir).expect("create dir");
        for name in on_disk.keys().filter(|n| !files.contains_key(*n)) {
            std::fs::remove_file(dir.join(name)).expect("remove stale file");
        }
        for (name, text) in files {
            std::fs::write(dir.join(name), text).expect("write generated file");
        }
        return;
    }
    let stale: Vec<&String> = files
        .iter()
        .filter(|(name, text)| on_disk.get(*name) != Some(text))
        .map(|(name, _)| name)
        .chain(on_disk.keys().filter(|n| !files.contains_key(*n)))
        .collect();
    assert!(
        stale.is_empty(),
        "{} is stale: {stale:?} differ from what the clap types generate.\nRegenerate with:\n    {REGENERATE}",
        dir.display()
    );
}

#[test]
fn completions_are_up_to_date() {
    let mut files = BTreeMap::new();
    for (shell, file) in SHELLS {
        let output = caseflow().env("COMPLETE", shell).output().expect("run");
        assert!(output.status.success(), "COMPLETE={shell} failed");
        let script = String::from_utf8(output.stdout).expect("utf-8 script");
        assert!(script.contains("caseflow"), "{shell}: {script}");
        files.insert(file.to_string(), script);
    }
    compare_or_update("completions", &files);
}

#[test]
fn man_pages_are_up_to_date() {
    let mut root = caseflow::cli::command().disable_help_subcommand(true);
    root.build();
    let mut files = BTreeMap::new();
    for cmd in std::iter::once(&root).chain(root.get_subcommands()) {
        let man = clap_mangen::Man::new(cmd.clone());
        files.insert(man.get_filename(), man_page(&man, cmd));
    }
    assert!(files.contains_key("caseflow.1"));
    let show = &files["caseflow-show.1"];
    assert!(
        show.contains(".SH EXAMPLES\n.nf\ncaseflow show EXP\\-2026\\-0042\n"),
        "{show}"
    );
    compare_or_update("man", &files);
}

/// clap_mangen's page, its EXTRA section (the help's after-text) as EXAMPLES kept verbatim.
fn man_page(man: &clap_mangen::Man, cmd: &clap::Command) -> String {
    let mut out: Vec<u8> = Vec::new();
    man.render(&mut out).expect("render man page");
    let page = String::from_utf8(out).expect("utf-8 roff");
    let (Some(after), Some(start)) = (cmd.get_after_help(), page.find(".SH EXTRA\n")) else {
        return page;
    };
    let end = page[start + 1..]
        .find("\n.SH ")
        .map_or(page.len(), |i| start + 1 + i + 1);
    let text = after.to_string();
    let body = text.strip_prefix("Examples:\n").unwrap_or(&text);
    let mut examples = String::from(".SH EXAMPLES\n.nf\n");
    for line in body.lines() {
        examples.push_str(&roff_line(line.strip_prefix("  ").unwrap_or(line)));
        examples.push('\n');
    }
    examples.push_str(".fi\n");
    format!("{}{examples}{}", &page[..start], &page[end..])
}

/// One line of literal text in roff: backslashes and dashes escaped, no leading control dot.
fn roff_line(line: &str) -> String {
    let escaped = line.replace('\\', "\\e").replace('-', "\\-");
    if escaped.starts_with('.') || escaped.starts_with('\'') {
        format!("\\&{escaped}")
    } else {
        escaped
    }
}

fn subcommands() -> Vec<String> {
    caseflow::cli::command()
        .get_subcommands()
        .map(|s| s.get_name().to_string())
        .collect()
}

/// Help at a fixed width, so the snapshots do not depend on the terminal.
fn help(args: &[&str]) -> String {
    let output = caseflow()
        .env("COLUMNS", "100")
        .args(args)
        .output()
        .expect("run");
    assert!(output.status.success(), "{args:?}");
    String::from_utf8(output.stdout).expect("utf-8 help")
}

#[test]
fn every_command_has_examples_in_its_help() {
    let mut missing = Vec::new();
    for name in subcommands() {
        let text = help(&["help", &name]);
        let examples = text.split("Examples:\n").nth(1).unwrap_or_default();
        let count = examples
            .lines()
            .take_while(|l| l.starts_with("  "))
            .filter(|l| l.trim_start().starts_with("caseflow ") || l.contains(" caseflow "))
            .count();
        if count == 0 {
            missing.push(name);
        }
    }
    assert!(
        missing.is_empty(),
        "these commands have no `Examples:` in their help (add after_help to their Args): {missing:?}"
    );
}

#[test]
fn help_of_every_command_is_snapshotted() {
    let mut settings = insta::Settings::clone_current();
    settings.set_description(format!("help text; regenerate with: {REGENERATE}"));
    settings.bind(|| {
        insta::assert_snapshot!("help", help(&["--help"]));
        for name in subcommands() {
            insta::assert_snapshot!(format!("help_{name}"), help(&["help", &name]));
        }
    });
}

/// The snapshot files of commands that no longer exist are stale too.
#[test]
fn no_help_snapshot_for_a_removed_command() {
    let names = subcommands();
    let dir: PathBuf = repo().join("tests/snapshots");
    let stale: Vec<String> = std::fs::read_dir(dir)
        .expect("snapshots")
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter_map(|f| {
            f.strip_prefix("generated__help_")?
                .strip_suffix(".snap")
                .map(str::to_string)
        })
        .filter(|n| !names.contains(n))
        .collect();
    assert!(
        stale.is_empty(),
        "delete tests/snapshots/generated__help_{{{}}}.snap",
        stale.join(",")
    );
}
