//! `caseflow restore FILE`: put a backup back as the workspace's database. The file is
//! checked before anything is replaced, and an existing database is replaced only with
//! `--force`.

use std::path::PathBuf;

use super::common::Ctx;
use crate::error::CliError;

#[derive(clap::Args, Debug)]
#[command(
    after_help = "Examples:\n  caseflow restore /backups/caseflow-2026-11-29.db --force\n  caseflow --workspace /srv/caseflow-new restore nightly.db"
)]
pub struct Args {
    /// A file written by `caseflow backup`
    pub file: PathBuf,
    /// Replace the workspace's existing database
    #[arg(long)]
    pub force: bool,
}

pub fn run(ctx: &Ctx, args: Args) -> Result<(), CliError> {
    if !args.file.is_file() {
        return Err(CliError::MissingInput {
            what: format!("backup file {}", args.file.display()),
        });
    }
    let existed = ctx.workspace.is_initialised()?;
    let mut store = ctx.workspace.create_store()?;
    if existed && !args.force {
        let cases = store.case_count()?;
        return Err(CliError::WouldOverwrite {
            path: ctx.workspace.database_shown(),
            what: format!("the workspace's database, {cases} cases"),
        });
    }
    let copied = store.restore_from(&args.file)?;
    drop(store);
    // Opening again migrates a backup made by an older caseflow.
    ctx.workspace.store()?;
    if ctx.json {
        println!(
            "{}",
            serde_json::json!({"restored": args.file.display().to_string(), "copied": copied})
        );
    } else if !ctx.quiet {
        println!(
            "restored {} cases, {} events, {} attachments from {} (schema {})",
            copied.cases,
            copied.events,
            copied.attachments,
            args.file.display(),
            copied.schema_version
        );
    }
    Ok(())
}
