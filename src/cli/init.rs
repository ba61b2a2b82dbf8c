//! `caseflow init [DIR]`: a workspace with the bundled processes and an example org.yaml,
//! deployed and ready. Existing files are kept, never overwritten.

use std::path::{Path, PathBuf};

use super::common::Ctx;
use crate::error::CliError;
use crate::workspace::{Workspace, BUNDLED_ORG, BUNDLED_PROCESSES, BUNDLED_TEMPLATES};

#[derive(clap::Args, Debug)]
#[command(
    after_help = "Examples:\n  caseflow init ~/cases\n  cd ~/cases && caseflow --as alice open expense-reimbursement --field kind=reimbursement --field 'lines=Taxi: 25.00'"
)]
pub struct Args {
    /// Folder to create the workspace in (default: --workspace or the current folder)
    pub dir: Option<PathBuf>,
}

pub fn run(ctx: &Ctx, args: Args) -> Result<(), CliError> {
    let root = args.dir.unwrap_or_else(|| ctx.workspace.root.clone());
    let workspace = perform(ctx, &root)?;
    let ctx = Ctx {
        workspace,
        actor: ctx.actor.clone(),
        now: ctx.now,
        json: ctx.json,
        quiet: ctx.quiet,
    };
    let deployed = super::deploy::perform(&ctx, &[])?;
    if ctx.json {
        println!(
            "{}",
            serde_json::json!({"workspace": root.display().to_string(), "deployed": deployed})
        );
    } else if !ctx.quiet {
        println!("workspace ready in {}", root.display());
        for d in &deployed {
            println!("  {} v{}", d.process, d.version);
        }
        println!("next: cd {} && caseflow processes", root.display());
    }
    Ok(())
}

/// Write the bundled files (keeping any that exist) and return the workspace.
pub fn perform(ctx: &Ctx, root: &Path) -> Result<Workspace, CliError> {
    let processes = root.join(crate::workspace::PROCESSES_DIR);
    for dir in [
        root.to_path_buf(),
        processes.clone(),
        root.join("templates"),
        root.join("outbox"),
    ] {
        std::fs::create_dir_all(&dir).map_err(|e| CliError::CannotCreate {
            path: dir.display().to_string(),
            detail: e.to_string(),
        })?;
    }
    write_new(&root.join(crate::workspace::ORG_FILE), BUNDLED_ORG)?;
    for (name, source) in BUNDLED_PROCESSES {
        write_new(&processes.join(name), source)?;
    }
    for (name, source) in BUNDLED_TEMPLATES {
        let path = root.join("templates").join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| CliError::CannotCreate {
                path: parent.display().to_string(),
                detail: e.to_string(),
            })?;
        }
        write_new(&path, source)?;
    }
    Ok(Workspace::new(
        root.to_path_buf(),
        ctx.workspace.busy_timeout,
    ))
}

fn write_new(path: &Path, contents: &str) -> Result<(), CliError> {
    if path.exists() {
        return Ok(());
    }
    std::fs::write(path, contents).map_err(|e| CliError::CannotCreate {
        path: path.display().to_string(),
        detail: e.to_string(),
    })
}
