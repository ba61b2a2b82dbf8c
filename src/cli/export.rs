//! `caseflow export FILE.xlsx|FILE.csv [filters] [--history]`: cases as a spreadsheet.

use std::path::PathBuf;

use super::common::{definition_version, Ctx};
use super::list::{case_filter, FilterArgs};
use crate::error::CliError;
use crate::sheets::export::{self, ProcessColumns};

#[derive(clap::Args, Debug)]
#[command(
    after_help = "Examples:\n  caseflow export cases.xlsx\n  caseflow export claims.xlsx --process expense-reimbursement --status closed --history\n  caseflow export open.csv --process complaint --status open"
)]
pub struct Args {
    /// Where to write: .xlsx (one sheet per process) or .csv (one process)
    pub file: PathBuf,
    #[command(flatten)]
    pub filter: FilterArgs,
    /// Add every event of the exported cases (a History sheet; for csv a FILE-history.csv)
    #[arg(long)]
    pub history: bool,
}

pub fn run(ctx: &Ctx, args: Args) -> Result<(), CliError> {
    let ext = crate::sheets::read::extension(&args.file);
    if !matches!(ext.as_deref(), Some("xlsx" | "csv")) {
        return Err(CliError::Usage(format!(
            "{} must end in .xlsx or .csv",
            args.file.display()
        )));
    }
    let org = ctx.workspace.org()?;
    let store = ctx.workspace.store()?;
    let filter = case_filter(ctx, &org, &args.filter)?;
    let db = store.read();
    let processes = process_columns(&db, &org, &filter)?;
    let written = export::export(&db, &args.file, &filter, &processes, args.history)?;
    if ctx.json {
        let sheets: Vec<serde_json::Value> = written
            .sheets
            .iter()
            .map(|(name, n)| serde_json::json!({"process": name, "cases": n}))
            .collect();
        println!(
            "{}",
            serde_json::json!({"files": written.files, "sheets": sheets, "events": written.events})
        );
    } else if !ctx.quiet {
        let total: usize = written.sheets.iter().map(|(_, n)| n).sum();
        println!(
            "exported {total} case{} to {}{}",
            if total == 1 { "" } else { "s" },
            written.files.join(", "),
            if args.history {
                format!(" with {} events", written.events)
            } else {
                String::new()
            }
        );
    }
    Ok(())
}

/// The columns of each process the filtered cases are of, with the definition of every
/// version they run on.
pub fn process_columns(
    db: &crate::store::Db,
    org: &crate::org::Org,
    filter: &crate::store::CaseFilter,
) -> Result<Vec<ProcessColumns>, CliError> {
    let mut versions: Vec<(String, Vec<i64>)> = Vec::new();
    for (process, version) in db.case_versions(filter)? {
        match versions.last_mut() {
            Some((p, vs)) if *p == process => vs.push(version),
            _ => versions.push((process, vec![version])),
        }
    }
    if let (Some(p), true) = (&filter.process, versions.is_empty()) {
        versions.push((p.clone(), Vec::new()));
    }
    let mut processes = Vec::new();
    for (process, mut vs) in versions {
        vs.sort_unstable_by(|a, b| b.cmp(a));
        let latest = definition_version(db, org, &process, None)?.0;
        let mut defs = Vec::new();
        for v in vs {
            defs.push((v, definition_version(db, org, &process, Some(v))?.0));
        }
        processes.push(ProcessColumns::new(&process, latest, defs));
    }
    Ok(processes)
}
