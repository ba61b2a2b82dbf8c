//! `caseflow migrate-store --to postgres://…`: copy the workspace's `caseflow.db` into a
//! PostgreSQL database, every row as it is (ids, hashes, Message-IDs), in one transaction,
//! then check the copy: row counts per table and every audit hash chain. The SQLite file is
//! left untouched; the workspace switches when `database.url` is set (see docs/postgres.md).

use super::common::Ctx;
use crate::error::CliError;
use crate::store::{redact_url, Store};

#[derive(clap::Args, Debug)]
#[command(after_help = "Examples:
  caseflow migrate-store --to postgres://caseflow@db.example/cases
  caseflow migrate-store --to postgres://caseflow@db.example/cases --force   # replace what is there

Then switch the workspace to it in caseflow.toml:
  [database]
  url = \"postgres://caseflow@db.example/cases\"")]
pub struct Args {
    /// The PostgreSQL database to copy into (postgres://user:password@host:port/database)
    #[arg(long, value_name = "URL")]
    pub to: String,
    /// Replace whatever caseflow data the target database already holds
    #[arg(long)]
    pub force: bool,
}

pub fn run(ctx: &Ctx, args: Args) -> Result<(), CliError> {
    if !(args.to.starts_with("postgres://") || args.to.starts_with("postgresql://")) {
        return Err(CliError::Usage(format!(
            "--to {:?} is not a PostgreSQL URL; write postgres://user@host/database",
            redact_url(&args.to)
        )));
    }
    // Always from the workspace's own caseflow.db, whatever database.url says.
    let sqlite = ctx.workspace.clone().with_database(None);
    let source = sqlite.store()?;
    let mut target = Store::open_postgres(&args.to, ctx.workspace.busy_timeout, true)?;
    let verified = source.copy_into(&mut target, args.force)?;
    let to = redact_url(&args.to);
    let report = serde_json::json!({
        "from": sqlite.db_path().display().to_string(),
        "to": to,
        "tables": verified.tables.iter().map(|(t, (_, copied))| (t.clone(), serde_json::json!(*copied))).collect::<serde_json::Map<_, _>>(),
        "events_verified": verified.events_verified,
        "problems": verified.problems,
    });
    if !verified.problems.is_empty() {
        for problem in &verified.problems {
            eprintln!("caseflow: {problem}");
        }
        return Err(CliError::NeedsFixing {
            problems: verified.problems.len(),
            report,
        });
    }
    if ctx.json {
        println!("{report}");
    } else if !ctx.quiet {
        let rows = |t: &str| verified.tables.get(t).map_or(0, |(_, n)| *n);
        println!(
            "copied {} cases, {} events, {} attachments and {} notifications into {to}",
            rows("cases"),
            rows("events"),
            rows("attachments"),
            rows("outbox")
        );
        println!(
            "checked: every table's row count matches, {} events re-hashed, every audit chain intact",
            verified.events_verified
        );
        println!(
            "next: switch the workspace with `[database]` `url = \"…\"` (this URL) in caseflow.toml, or CASEFLOW_DATABASE_URL"
        );
    }
    Ok(())
}
