//! `caseflow graph [PROCESS_OR_FILE]..`: draw processes as a Mermaid flowchart or a Graphviz
//! DOT graph, or write the Markdown of `docs/processes.md`.
//!
//! An argument that exists on disk is a definition file (or a folder of them) and must pass
//! the same checks as `caseflow check`, so no workspace is needed; any other argument is the
//! name of a process deployed in the workspace, drawn from its latest version. The drawing
//! itself is [`crate::definition::graph`].

use std::path::{Path, PathBuf};

use super::common::Ctx;
use crate::definition::{self, graph, Definition};
use crate::error::CliError;

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// A Mermaid `flowchart TD`
    Mermaid,
    /// A Graphviz DOT digraph (render with `dot -Tsvg`)
    Dot,
    /// A Markdown document: roles, fields, documents and the Mermaid diagram of each process
    Markdown,
}

impl Format {
    fn as_str(self) -> &'static str {
        match self {
            Format::Mermaid => "mermaid",
            Format::Dot => "dot",
            Format::Markdown => "markdown",
        }
    }
}

#[derive(clap::Args, Debug)]
#[command(
    after_help = "Examples:\n  caseflow graph processes/expense-reimbursement.yaml\n  caseflow graph expense-reimbursement --format dot | dot -Tsvg > expense.svg\n  caseflow graph --format markdown processes/*.yaml > docs/processes.md"
)]
pub struct Args {
    /// Definition files or folders, or names of deployed processes (default: the workspace's processes/)
    #[arg(value_name = "PROCESS_OR_FILE")]
    pub inputs: Vec<String>,
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Mermaid)]
    pub format: Format,
}

/// One process to draw and where it came from, as the reader should see it.
struct Drawn {
    def: Definition,
    source: String,
}

pub fn run(ctx: &Ctx, args: Args) -> Result<(), CliError> {
    let drawn = load(ctx, &args.inputs)?;
    let text = match args.format {
        Format::Markdown => {
            let sections: Vec<(&Definition, &str)> =
                drawn.iter().map(|d| (&d.def, d.source.as_str())).collect();
            graph::markdown_document(&sections)
        }
        Format::Mermaid | Format::Dot => drawn
            .iter()
            .map(|d| match args.format {
                Format::Dot => graph::dot(&d.def),
                _ => graph::mermaid(&d.def),
            })
            .collect::<Vec<_>>()
            .join("\n"),
    };
    if ctx.json {
        let processes: Vec<serde_json::Value> = drawn
            .iter()
            .map(|d| serde_json::json!({"process": d.def.name, "title": d.def.title, "source": d.source}))
            .collect();
        println!(
            "{}",
            serde_json::json!({"format": args.format.as_str(), "processes": processes, "text": text})
        );
    } else {
        print!("{text}");
    }
    Ok(())
}

/// What an argument names.
enum Input {
    /// Definition files (a folder gives its `*.yaml`, sorted).
    Files(Vec<PathBuf>),
    Process(String),
}

/// The definitions to draw, in argument order.
fn load(ctx: &Ctx, inputs: &[String]) -> Result<Vec<Drawn>, CliError> {
    let mut resolved = Vec::new();
    if inputs.is_empty() {
        let dir = ctx.workspace.processes_dir();
        resolved.push(Input::Files(files_in(ctx, &dir)?));
    }
    for input in inputs {
        let path = Path::new(input);
        if path.exists() {
            resolved.push(Input::Files(files_in(ctx, path)?));
        } else if looks_like_a_path(input) {
            return Err(CliError::MissingInput {
                what: input.clone(),
            });
        } else {
            resolved.push(Input::Process(input.clone()));
        }
    }

    // Every file is checked at once, so all their errors are reported together.
    let mut files: Vec<PathBuf> = Vec::new();
    for input in &resolved {
        if let Input::Files(paths) = input {
            for path in paths {
                if !files.contains(path) {
                    files.push(path.clone());
                }
            }
        }
    }
    let mut loaded = Vec::new();
    if !files.is_empty() {
        for file in super::check::validate(ctx, &files)? {
            if let Ok(def) = file.result {
                loaded.push((file.path, def));
            }
        }
    }

    let mut store = None;
    let mut drawn: Vec<Drawn> = Vec::new();
    let mut drawn_files: Vec<PathBuf> = Vec::new();
    for input in resolved {
        match input {
            Input::Files(paths) => {
                for path in paths {
                    let Some((_, def)) = loaded.iter().find(|(p, _)| *p == path) else {
                        continue;
                    };
                    if drawn_files.contains(&path) {
                        continue;
                    }
                    drawn_files.push(path.clone());
                    let source = path
                        .strip_prefix(&ctx.workspace.root)
                        .unwrap_or(&path)
                        .display()
                        .to_string();
                    drawn.push(Drawn {
                        def: def.clone(),
                        source,
                    });
                }
            }
            Input::Process(name) => {
                if store.is_none() {
                    store = Some(ctx.workspace.store()?);
                }
                let Some(store) = store.as_ref() else {
                    continue;
                };
                let db = store.read();
                let Some(row) = db.latest_version(&name)? else {
                    let deployed: Vec<String> =
                        db.processes()?.into_iter().map(|p| p.name).collect();
                    return Err(CliError::UnknownProcess {
                        suggestion: crate::org::suggest(&name, deployed.iter()),
                        name,
                    });
                };
                // Checked against org.yaml when it was deployed; drawing needs no org.
                let def = definition::load(&format!("{name} v{}", row.version), &row.source, None)
                    .map_err(CliError::Definitions)?;
                drawn.push(Drawn {
                    def,
                    source: format!("caseflow.db: {name} v{}", row.version),
                });
            }
        }
    }
    Ok(drawn)
}

/// The definition files a path gives: itself, or a folder's `*.yaml`/`*.yml`, sorted.
fn files_in(ctx: &Ctx, path: &Path) -> Result<Vec<PathBuf>, CliError> {
    let files = ctx.workspace.definition_files(&[path.to_path_buf()])?;
    if files.is_empty() {
        return Err(CliError::MissingInput {
            what: format!("{}/*.yaml", path.display()),
        });
    }
    Ok(files)
}

/// A missing argument that was meant as a file rather than a process name.
fn looks_like_a_path(input: &str) -> bool {
    input.contains(['/', '\\']) || input.ends_with(".yaml") || input.ends_with(".yml")
}
