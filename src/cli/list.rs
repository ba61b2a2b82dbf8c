//! `caseflow list [filters]`: cases, oldest first (a stable order for scripts).

use jiff::Timestamp;

use super::common::{assignees_text, steps_text, table, Ctx};
use crate::error::CliError;
use crate::store::CaseFilter;

#[derive(clap::Args, Debug)]
#[command(
    after_help = "Examples:\n  caseflow list --mine\n  caseflow list --process expense-reimbursement --status open --step manager_review\n  caseflow list --field kind=advance --opened-since 2026-11-01 --format ids"
)]
pub struct Args {
    #[command(flatten)]
    pub filter: FilterArgs,
    /// Output shape
    #[arg(long, value_parser = ["table", "ids", "tsv"], default_value = "table")]
    pub format: String,
    /// Only cases with an SLA past its due time, earliest due first
    #[arg(long, conflicts_with = "at_risk")]
    pub overdue: bool,
    /// Only cases with an SLA past its warning time and not yet due, earliest due first
    #[arg(long)]
    pub at_risk: bool,
}

/// The case filters of `list`, shared with `export` and `report`.
#[derive(clap::Args, Debug, Clone)]
pub struct FilterArgs {
    #[arg(long)]
    pub process: Option<String>,
    /// Cases with an open task in this step
    #[arg(long)]
    pub step: Option<String>,
    /// Cases with an open task for this person or group
    #[arg(long)]
    pub assignee: Option<String>,
    /// Cases waiting for you (or one of your groups)
    #[arg(long)]
    pub mine: bool,
    #[arg(long, value_parser = ["open", "closed"])]
    pub status: Option<String>,
    #[arg(long, value_enum)]
    pub priority: Option<crate::engine::Priority>,
    /// Field equals value (case-insensitive), repeatable
    #[arg(long = "field", short = 'f', value_name = "NAME=VALUE")]
    pub fields: Vec<String>,
    /// Opened at or after this time or date
    #[arg(long, value_name = "TIME")]
    pub opened_since: Option<String>,
    #[arg(long)]
    pub limit: Option<usize>,
}

pub fn run(ctx: &Ctx, args: Args) -> Result<(), CliError> {
    let org = ctx.workspace.org()?;
    let store = ctx.workspace.store()?;
    let filter = case_filter(ctx, &org, &args.filter)?;
    if args.overdue || args.at_risk {
        return deadlines(ctx, &org, &store, &args, filter);
    }
    let cases = store.read().list_cases(&filter)?;
    if ctx.json {
        let docs: Vec<serde_json::Value> = cases
            .iter()
            .map(|c| {
                serde_json::json!({
                    "id": c.id, "process": c.process, "version": c.version,
                    "status": if c.is_open() { "open" } else { "closed" }, "outcome": c.outcome,
                    "active_steps": c.active_steps(), "assignees": c.tasks.iter().map(|t| t.assignee.name()).collect::<Vec<_>>(),
                    "priority": c.priority.as_str(), "fields": c.fields, "opened_by": c.opened_by,
                    "opened_at": crate::time::format_timestamp(c.opened_at), "external_ref": c.external_ref,
                })
            })
            .collect();
        println!("{}", serde_json::json!({"cases": docs}));
        return Ok(());
    }
    match args.format.as_str() {
        "ids" => cases.iter().for_each(|c| println!("{}", c.id)),
        "tsv" => {
            println!("id\tprocess\tstatus\tsteps\tassignees\tpriority\topened_at");
            for c in &cases {
                let status = if c.is_open() { "open" } else { "closed" };
                println!(
                    "{}\t{}\t{status}\t{}\t{}\t{}\t{}",
                    c.id,
                    c.process,
                    steps_text(c),
                    assignees_text(c),
                    c.priority.as_str(),
                    crate::time::format_timestamp(c.opened_at)
                );
            }
        }
        _ => {
            let mut t = table(&["case", "process", "step", "assigned", "priority", "opened"]);
            for c in &cases {
                t.add_row(vec![
                    c.id.clone(),
                    c.process.clone(),
                    steps_text(c),
                    assignees_text(c),
                    c.priority.as_str().to_string(),
                    crate::time::format_timestamp(c.opened_at),
                ]);
            }
            super::common::no_wrap(&mut t, &[0, 4, 5]);
            println!("{t}");
            if !ctx.quiet {
                println!(
                    "{} case{}",
                    cases.len(),
                    if cases.len() == 1 { "" } else { "s" }
                );
            }
        }
    }
    Ok(())
}

/// The store's filter for the filter options.
pub fn case_filter(
    ctx: &Ctx,
    org: &crate::org::Org,
    args: &FilterArgs,
) -> Result<CaseFilter, CliError> {
    let opened_since: Option<Timestamp> = args
        .opened_since
        .as_deref()
        .map(|t| {
            crate::time::parse_timestamp(t).ok_or_else(|| {
                CliError::Usage(format!("--opened-since {t:?} is not a date or time"))
            })
        })
        .transpose()?;
    let fields = args
        .fields
        .iter()
        .map(|f| {
            f.split_once('=')
                .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
                .ok_or_else(|| CliError::Usage(format!("--field {f:?} must be NAME=VALUE")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let (assignee, assignee_groups) = if args.mine {
        let groups = org
            .person(&ctx.actor)
            .map(|p| p.groups.clone())
            .unwrap_or_default();
        (Some(ctx.actor.clone()), groups)
    } else {
        (
            args.assignee.clone(),
            args.assignee
                .iter()
                .map(|a| a.trim_start_matches('@').to_string())
                .collect(),
        )
    };
    Ok(CaseFilter {
        process: args.process.clone(),
        step: args.step.clone(),
        assignee,
        assignee_groups,
        status: args.status.clone(),
        priority: args.priority.map(|p| p.as_str().to_string()),
        fields,
        opened_since,
        limit: args.limit,
    })
}

/// `--overdue` / `--at-risk`: cases by SLA due time, with the business hours left.
fn deadlines(
    ctx: &Ctx,
    org: &crate::org::Org,
    store: &crate::store::Store,
    args: &Args,
    mut filter: CaseFilter,
) -> Result<(), CliError> {
    let mut found = store.read().deadlines(ctx.now, args.at_risk)?;
    // Other filters narrow the list of cases with a deadline (read only when given, so a
    // plain `list --overdue` stays an index range scan).
    filter.limit = None;
    let narrowed = filter.process.is_some()
        || filter.step.is_some()
        || filter.assignee.is_some()
        || filter.status.is_some()
        || filter.priority.is_some()
        || !filter.fields.is_empty()
        || filter.opened_since.is_some();
    if narrowed {
        let matching: std::collections::BTreeSet<String> = store
            .read()
            .list_cases(&filter)?
            .into_iter()
            .map(|c| c.id)
            .collect();
        found.retain(|d| matching.contains(&d.case.id));
    }
    if let Some(limit) = args.filter.limit {
        found.truncate(limit);
    }
    let rows: Vec<(&crate::engine::CaseState, String, f64, &str)> = found
        .iter()
        .map(|d| {
            let clocks = super::sla::clocks(&d.case, org, ctx.now);
            let first = clocks.iter().find(|c| c.clock.due_at == d.due_at);
            let left = first.map(|c| c.hours_left).unwrap_or_default();
            let state = first.map(|c| c.state).unwrap_or("overdue");
            (
                &d.case,
                crate::time::format_timestamp(d.due_at),
                left,
                state,
            )
        })
        .collect();
    if ctx.json {
        let docs: Vec<serde_json::Value> = rows
            .iter()
            .map(|(c, due, left, state)| serde_json::json!({"id": c.id, "process": c.process, "active_steps": c.active_steps(), "assignees": c.tasks.iter().map(|t| t.assignee.name()).collect::<Vec<_>>(), "priority": c.priority.as_str(), "due_at": due, "business_hours_left": left, "sla_state": state}))
            .collect();
        println!("{}", serde_json::json!({"cases": docs}));
        return Ok(());
    }
    if args.format == "ids" {
        rows.iter().for_each(|(c, ..)| println!("{}", c.id));
        return Ok(());
    }
    let mut t = table(&[
        "case",
        "process",
        "step",
        "assigned",
        "priority",
        "due",
        "business hours left",
    ]);
    for (c, due, left, _) in &rows {
        t.add_row(vec![
            c.id.clone(),
            c.process.clone(),
            steps_text(c),
            assignees_text(c),
            c.priority.as_str().to_string(),
            due.clone(),
            format!("{left}"),
        ]);
    }
    println!("{t}");
    Ok(())
}
