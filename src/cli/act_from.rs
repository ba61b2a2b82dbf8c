//! `caseflow act --from FILE`: bulk actions from a sheet, all or nothing (see sheets::bulk).

use std::path::Path;

use super::common::{definition_version, Ctx};
use super::import::SheetArgs;
use crate::error::CliError;
use crate::sheets::bulk::{self, Job, Outcome};
use crate::sheets::convert::Converter;
use crate::sheets::SheetError;

pub fn run(ctx: &Ctx, file: &Path, sheet: &SheetArgs) -> Result<(), CliError> {
    let table = sheet.read(file)?;
    let cols = bulk::columns(&table)?;
    let org = ctx.workspace.org()?;
    let conv = Converter::new(sheet.convert(), &org);
    let name = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let progress = super::term::progress(table.rows.len() as u64, ctx.quiet || ctx.json);
    let mut store = ctx.workspace.store()?;
    let outcome = store.write_if(|db| {
        let job = Job {
            org: &org,
            actor: &ctx.actor,
            now: ctx.now,
            file: &name,
        };
        let load = |process: &str, version: i64| {
            definition_version(db, &org, process, Some(version)).map(|(d, _)| d)
        };
        let outcome = bulk::run(db, &job, &table, cols, &conv, load, || progress.inc(1))?;
        let commit = !sheet.dry_run && (outcome.rejected.is_empty() || sheet.skip_invalid);
        Ok::<_, CliError>((outcome, commit))
    })?;
    progress.finish_and_clear();
    if !ctx.quiet && !ctx.json {
        for w in &outcome.warnings {
            eprintln!("warning: {w}");
        }
    }
    if !outcome.rejected.is_empty() && !sheet.skip_invalid {
        return Err(SheetError::Rows {
            errors: errors(&outcome),
            invalid: outcome.rejected.len(),
            rows: outcome.rows,
            verb: "done",
        }
        .into());
    }
    let rejects = sheet.write_rejects(file, bulk::rejects_table(&table, &outcome.rejected))?;
    render(ctx, sheet.dry_run, &outcome, rejects.as_deref());
    Ok(())
}

fn errors(outcome: &Outcome) -> Vec<String> {
    outcome
        .rejected
        .iter()
        .flat_map(|(_, e)| e.clone())
        .collect()
}

fn render(ctx: &Ctx, dry_run: bool, outcome: &Outcome, rejects: Option<&Path>) {
    if ctx.json {
        let done: Vec<serde_json::Value> = outcome
            .done
            .iter()
            .map(|(row, case, action, steps)| serde_json::json!({"row": row, "case": case, "action": action, "active_steps": steps}))
            .collect();
        let doc = serde_json::json!({
            "dry_run": dry_run, "rows": outcome.rows, "done": done,
            "rejected": outcome.rejected.len(), "errors": errors(outcome),
            "rejects_file": rejects.map(|p| p.display().to_string()), "warnings": outcome.warnings,
        });
        println!("{doc}");
        return;
    }
    if ctx.quiet {
        return;
    }
    for (row, case, action, steps) in &outcome.done {
        let now = if steps.is_empty() {
            "closed".to_string()
        } else {
            format!("now in {}", steps.join(", "))
        };
        println!("row {row}: {case}: {action}; {now}");
    }
    let verb = if dry_run { "would take" } else { "took" };
    println!(
        "{verb} {} action{} from {} row{}",
        outcome.done.len(),
        if outcome.done.len() == 1 { "" } else { "s" },
        outcome.rows,
        if outcome.rows == 1 { "" } else { "s" }
    );
    if !outcome.rejected.is_empty() {
        let to = rejects
            .map(|p| format!("; written to {}", p.display()))
            .unwrap_or_default();
        println!(
            "rejected {} row{}{to}:",
            outcome.rejected.len(),
            if outcome.rejected.len() == 1 { "" } else { "s" }
        );
        for e in errors(outcome) {
            println!("  {e}");
        }
    }
}
