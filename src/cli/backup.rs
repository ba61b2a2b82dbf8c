//! `caseflow backup FILE`: a consistent copy of the workspace's database while operators
//! and cron keep writing (SQLite's online backup API; see `store::backup`).

use std::path::PathBuf;

use super::common::Ctx;
use crate::error::CliError;

#[derive(clap::Args, Debug)]
#[command(
    after_help = "Examples:\n  caseflow backup /backups/caseflow-$(date +%F).db\n  caseflow backup nightly.db --force    # replace yesterday's copy\n\nCron, every night at 01:30:\n  30 1 * * * cd /srv/caseflow && caseflow backup /backups/caseflow-$(date +\\%a).db --force --quiet"
)]
pub struct Args {
    /// Where to write the copy (one self-contained SQLite file)
    pub file: PathBuf,
    /// Replace FILE if it exists
    #[arg(long)]
    pub force: bool,
}

pub fn run(ctx: &Ctx, args: Args) -> Result<(), CliError> {
    if args.file.exists() && !args.force {
        return Err(CliError::WouldOverwrite {
            path: args.file.display().to_string(),
            what: "a file; a backup never replaces one silently".into(),
        });
    }
    let store = ctx.workspace.store()?;
    let copied = store.backup_to(&args.file)?;
    if ctx.json {
        println!(
            "{}",
            serde_json::json!({"backup": args.file.display().to_string(), "copied": copied})
        );
    } else if !ctx.quiet {
        println!(
            "backed up {} cases, {} events, {} attachments ({} bytes, schema {}) to {}; integrity check ok",
            copied.cases,
            copied.events,
            copied.attachments,
            copied.bytes,
            copied.schema_version,
            args.file.display()
        );
    }
    Ok(())
}
