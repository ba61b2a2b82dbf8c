//! `caseflow check [PATH..]`: validate definitions and org.yaml, reporting every error at
//! once as `file:line:column: message` (exit 65 when there is any).

use std::path::PathBuf;

use super::common::Ctx;
use crate::error::CliError;

#[derive(clap::Args, Debug)]
#[command(after_help = "Examples:\n  caseflow check\n  caseflow check processes/complaint.yaml")]
pub struct Args {
    /// Definition files or folders (default: the workspace's processes/)
    pub paths: Vec<PathBuf>,
}

pub fn run(ctx: &Ctx, args: Args) -> Result<(), CliError> {
    let count = validate(ctx, &args.paths)?.len();
    if ctx.json {
        println!("{}", serde_json::json!({"ok": true, "definitions": count}));
    } else if !ctx.quiet {
        println!(
            "ok: {count} definition{} and org.yaml",
            if count == 1 { "" } else { "s" }
        );
    }
    Ok(())
}

/// Load org.yaml and every definition; all problems together, or the loaded files.
pub fn validate(
    ctx: &Ctx,
    paths: &[PathBuf],
) -> Result<Vec<crate::workspace::LoadedFile>, CliError> {
    let mut problems = Vec::new();
    let org = if ctx.workspace.org_path().exists() {
        match ctx.workspace.org() {
            Ok(org) => Some(org),
            Err(CliError::Definitions(mut diagnostics)) => {
                problems.append(&mut diagnostics);
                None
            }
            Err(other) => return Err(other),
        }
    } else {
        None
    };
    let files = ctx.workspace.definition_files(paths)?;
    let loaded = ctx.workspace.load_definitions(&files, org.as_ref())?;
    let mut names: Vec<(String, String)> = Vec::new();
    for file in &loaded {
        match &file.result {
            Ok(def) => {
                if let Some((_, other)) = names.iter().find(|(n, _)| *n == def.name) {
                    problems.push(crate::definition::Diagnostic {
                        file: file.path.display().to_string(),
                        pos: crate::definition::Pos { line: 1, col: 1 },
                        message: format!("process `{}` is also defined in {other}", def.name),
                    });
                }
                names.push((def.name.clone(), file.path.display().to_string()));
            }
            Err(diagnostics) => problems.extend(diagnostics.iter().cloned()),
        }
    }
    problems.extend(check_templates(ctx, &loaded)?);
    if problems.is_empty() {
        Ok(loaded)
    } else {
        Err(CliError::Definitions(problems))
    }
}

/// Every template of the loaded processes compiles and uses only names its context has.
fn check_templates(
    ctx: &Ctx,
    loaded: &[crate::workspace::LoadedFile],
) -> Result<Vec<crate::definition::Diagnostic>, CliError> {
    let defs: Vec<&crate::definition::Definition> = loaded
        .iter()
        .filter_map(|f| f.result.as_ref().ok())
        .collect();
    if defs.is_empty() {
        return Ok(Vec::new());
    }
    let templates = super::notify::load_templates(ctx, None)?;
    Ok(crate::notify::check(&templates, &defs))
}
