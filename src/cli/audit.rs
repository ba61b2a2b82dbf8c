//! `caseflow audit verify`: walk every case's hash chain and every attachment's content
//! hash, and name the first event where a history was altered or cut (see `store::audit`).

use super::common::{table, Ctx};
use crate::error::CliError;

#[derive(clap::Args, Debug)]
#[command(
    after_help = "Examples:\n  caseflow audit verify\n  caseflow audit verify --case EXP-2026-0042 --json"
)]
pub struct Args {
    #[command(subcommand)]
    pub command: AuditCommand,
}

#[derive(clap::Subcommand, Debug)]
pub enum AuditCommand {
    /// Check that no event or attachment was altered or deleted since it was written
    #[command(
        after_help = "Examples:\n  caseflow audit verify\n  caseflow audit verify --case EXP-2026-0042\n  caseflow audit verify --json > audit-$(date +%F).json   # keep the chain heads elsewhere"
    )]
    Verify {
        /// Only this case
        #[arg(long)]
        case: Option<String>,
    },
}

pub fn run(ctx: &Ctx, args: Args) -> Result<(), CliError> {
    let AuditCommand::Verify { case } = args.command;
    let store = ctx.workspace.store()?;
    if let Some(id) = &case {
        store.read().load_case(id)?;
    }
    let report = store.read().audit(case.as_deref())?;
    let json = serde_json::json!({ "audit": report });
    if ctx.json && report.breaks.is_empty() {
        println!("{json}");
    } else if ctx.json {
        // The classifier prints the one JSON document, with the report as its details.
    } else if !report.breaks.is_empty() {
        let mut t = table(&["case", "event", "problem"]);
        for b in &report.breaks {
            t.add_row(vec![b.case.clone(), b.seq.to_string(), b.problem.clone()]);
        }
        println!("{t}");
    } else if !ctx.quiet {
        println!(
            "{} cases, {} events and {} attachments verified: every history is intact",
            report.cases, report.events, report.attachments
        );
    }
    match report.breaks.first() {
        None => Ok(()),
        Some(first) => Err(CliError::Tampered {
            count: report.breaks.len(),
            first: format!("case {} event {}: {}", first.case, first.seq, first.problem),
            details: json,
        }),
    }
}
