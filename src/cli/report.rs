//! `caseflow report KIND`: management reports as a table, csv, json or xlsx (with a chart).

use std::collections::HashMap;
use std::path::PathBuf;

use super::common::{table, Ctx};
use super::export::process_columns;
use super::list::{case_filter, FilterArgs};
use crate::engine::{Assignee, CaseState};
use crate::error::CliError;
use crate::report::{self, Builder, By, Report, Window};
use crate::sheets::export::ProcessColumns;
use crate::sheets::write::TableOut;
use crate::value::{FieldType, Value};

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Open cases per process and step, closed per outcome
    Summary,
    /// Open tasks on time, at risk and breached per process, step and assignee
    Sla,
    /// Per person: open now, handled in the period, cases involved
    Workload,
    /// Opened and closed per period, median and p90 hours to close
    Throughput,
    /// Sum of a money field per period, employee or category
    Totals,
    /// Closed cases of a process with chosen fields
    Register,
}

#[derive(clap::Args, Debug)]
#[command(
    after_help = "Examples:\n  caseflow report summary\n  caseflow report throughput --process expense-claim --period 2026 --by month --format xlsx -o throughput.xlsx\n  caseflow report totals --process expense-claim --sum amount --by employee --period 2026-11\n  caseflow report workload --from 2026-11-01 --to 2026-11-30 --format csv\n  caseflow report register --process invoice-cancellation --columns customer_name,invoice_number --period 2026-11"
)]
pub struct Args {
    #[arg(value_enum)]
    pub kind: Kind,
    #[command(flatten)]
    pub filter: FilterArgs,
    /// Start of the period (a date or time)
    #[arg(long, value_name = "DATE", conflicts_with = "period")]
    pub from: Option<String>,
    /// End of the period (a date includes its whole day)
    #[arg(long, value_name = "DATE", conflicts_with = "period")]
    pub to: Option<String>,
    /// A year, month or day: 2026, 2026-11, 2026-11-30
    #[arg(long, value_name = "PERIOD")]
    pub period: Option<String>,
    /// Group by day, week or month; for totals also `employee`, `opener` or any field
    #[arg(long, value_name = "GROUP")]
    pub by: Option<String>,
    /// Only this person (workload), or cases they opened, hold or are named in
    #[arg(long, value_name = "PERSON")]
    pub employee: Option<String>,
    /// totals: the money field to add up (default: amount)
    #[arg(long, value_name = "FIELD")]
    pub sum: Option<String>,
    /// register: the fields to show, comma-separated (default: all)
    #[arg(long, value_name = "FIELDS", value_delimiter = ',')]
    pub columns: Vec<String>,
    #[arg(long, value_parser = ["table", "csv", "json", "xlsx"], default_value = "table")]
    pub format: String,
    /// Write to this file (required for xlsx)
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
}

pub fn run(ctx: &Ctx, args: Args) -> Result<(), CliError> {
    let format = if ctx.json {
        "json"
    } else {
        args.format.as_str()
    };
    if format == "xlsx" && args.output.is_none() {
        return Err(CliError::Usage("--format xlsx needs -o FILE.xlsx".into()));
    }
    let window = match &args.period {
        Some(p) => Window::period(p).ok_or_else(|| {
            CliError::Usage(format!(
                "--period {p:?} is not a year, month or day like 2026, 2026-11 or 2026-11-30"
            ))
        })?,
        None => {
            Window::between(args.from.as_deref(), args.to.as_deref()).map_err(CliError::Usage)?
        }
    };
    let org = ctx.workspace.org()?;
    let store = ctx.workspace.store()?;
    let db = store.read();
    let filter = case_filter(ctx, &org, &args.filter)?;
    let processes = process_columns(&db, &org, &filter)?;
    let report = if args.kind == Kind::Sla {
        sla(&db, &filter, window, ctx)?
    } else {
        let mut builder = builder(&args, window, &processes, &org)?;
        let only = args
            .employee
            .clone()
            .filter(|_| args.kind != Kind::Workload);
        db.each_case(&filter, |mut case| {
            if let Some(def) = processes
                .iter()
                .find(|p| p.process == case.process)
                .and_then(|p| p.definition(case.version))
            {
                case.retype(def);
            }
            if only.as_deref().is_none_or(|p| involves(&case, p)) {
                builder.case(&case);
            }
            Ok(())
        })?;
        if builder.wants_events() {
            db.each_event(&filter, |case, e| {
                builder.event(case, &e);
                Ok(())
            })?;
        }
        builder.finish()
    };
    render(ctx, &args, format, &report)
}

fn builder(
    args: &Args,
    window: Window,
    processes: &[ProcessColumns],
    org: &crate::org::Org,
) -> Result<Builder, CliError> {
    let by = |default: By| match args.by.as_deref() {
        None => Ok(default),
        Some(b) => By::parse(b)
            .ok_or_else(|| CliError::Usage(format!("--by {b:?}: use day, week or month"))),
    };
    Ok(match args.kind {
        Kind::Summary => Builder::Summary(report::Summary::new(window)),
        Kind::Workload => {
            let names: HashMap<String, String> = org
                .people
                .iter()
                .map(|(id, p)| (id.clone(), p.name.clone()))
                .collect();
            Builder::Workload(report::Workload::new(window, args.employee.clone(), names))
        }
        Kind::Throughput => Builder::Throughput(report::Throughput::new(window, by(By::Month)?)),
        Kind::Totals => totals(args, window, processes)?,
        Kind::Register => register(args, window, processes)?,
        // `sla` is built from the store's SLA columns by `sla()`, not by streaming cases.
        Kind::Sla => Builder::Summary(report::Summary::new(window)),
    })
}

fn has_field(processes: &[ProcessColumns], name: &str, money: bool) -> bool {
    processes.iter().any(|p| {
        p.fields.iter().any(|(f, _)| f == name)
            && (!money
                || p.definition_latest()
                    .and_then(|d| d.field(name))
                    .is_some_and(|f| f.ty == FieldType::Money))
    })
}

fn totals(args: &Args, window: Window, processes: &[ProcessColumns]) -> Result<Builder, CliError> {
    use crate::report::totals::Group;
    let field = args.sum.clone().unwrap_or_else(|| "amount".into());
    if !processes.is_empty() && !has_field(processes, &field, true) {
        return Err(CliError::Usage(format!(
            "totals: `{field}` is not a money field of {}; choose one with --sum FIELD",
            processes
                .iter()
                .map(|p| p.process.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )));
    }
    let group = match args.by.as_deref() {
        None => Group::Period(By::Month),
        Some(b) if By::parse(b).is_some() => Group::Period(By::parse(b).unwrap_or(By::Month)),
        Some("opener") => Group::Opener,
        Some("employee") if !has_field(processes, "employee", false) => Group::Opener,
        Some(f) if processes.is_empty() || has_field(processes, f, false) => {
            Group::Field(f.to_string())
        }
        Some(f) => {
            return Err(CliError::Usage(format!(
                "--by {f:?}: use day, week, month, employee, opener or a field of the process"
            )))
        }
    };
    Ok(Builder::Totals(report::Totals::new(window, field, group)))
}

fn register(
    args: &Args,
    window: Window,
    processes: &[ProcessColumns],
) -> Result<Builder, CliError> {
    let Some(process) = &args.filter.process else {
        return Err(CliError::Usage("register needs --process".into()));
    };
    let columns = processes.iter().find(|p| p.process == *process);
    let all: Vec<(String, String)> = columns.map(|c| c.fields.clone()).unwrap_or_default();
    let fields = if args.columns.is_empty() {
        all
    } else {
        args.columns
            .iter()
            .map(|name| {
                let name = name.trim();
                all.iter().find(|(f, _)| f == name).cloned().ok_or_else(|| {
                    CliError::Usage(format!(
                        "--columns: `{name}` is not a field of {process}{}",
                        crate::org::suggest(name, all.iter().map(|(f, _)| f))
                    ))
                })
            })
            .collect::<Result<_, _>>()?
    };
    Ok(Builder::Register(report::Register::new(window, fields)))
}

/// The case was opened by `person`, waits for them, or names them in a person field.
fn involves(case: &CaseState, person: &str) -> bool {
    let assigned = case
        .tasks
        .iter()
        .map(|t| &t.assignee)
        .chain(case.side_tasks.iter().map(|s| &s.assignee))
        .any(|a| matches!(a, Assignee::Person(p) if p == person));
    case.opened_by == person
        || assigned
        || case
            .fields
            .values()
            .any(|v| matches!(v, Value::Text(t) if t == person))
}

fn sla(
    db: &crate::store::Db,
    filter: &crate::store::CaseFilter,
    window: Window,
    ctx: &Ctx,
) -> Result<Report, CliError> {
    let tasks = db.sla_tasks(filter)?.ok_or_else(|| {
        CliError::BadData("this database records no SLA times (tasks.due_at); deploy processes with `sla:` on a caseflow that runs `tick`".into())
    })?;
    let mut events = Vec::new();
    let mut process_of: HashMap<String, String> = HashMap::new();
    db.each_case(filter, |case| {
        process_of.insert(case.id, case.process);
        Ok(())
    })?;
    db.each_event(filter, |case, e| {
        if e.kind == "sla_warned" || e.kind == "sla_breached" {
            if let Some(at) = crate::time::parse_timestamp(&e.at) {
                let step = e.from_steps.first().cloned().unwrap_or_default();
                let process = process_of.get(case).cloned().unwrap_or_default();
                events.push((process, step, e.kind.clone(), at));
            }
        }
        Ok(())
    })?;
    Ok(report::sla(&tasks, &events, window, ctx.now))
}

fn render(ctx: &Ctx, args: &Args, format: &str, report: &Report) -> Result<(), CliError> {
    let text = match format {
        "xlsx" => {
            let path = args
                .output
                .as_ref()
                .ok_or_else(|| CliError::Usage("--format xlsx needs -o FILE".into()))?;
            report::xlsx::write(path, report)?;
            if !ctx.quiet {
                println!(
                    "wrote {} ({} rows) to {}",
                    report.kind,
                    report.rows.len(),
                    path.display()
                );
            }
            return Ok(());
        }
        "json" => format!("{}\n", report::to_json(report)),
        "csv" => csv_text(report)?,
        _ => {
            let mut t = table(
                &report
                    .headers
                    .iter()
                    .map(String::as_str)
                    .collect::<Vec<_>>(),
            );
            for row in &report.rows {
                t.add_row(row.iter().map(report::shown).collect::<Vec<_>>());
            }
            format!("{}\n{t}\n", report.title)
        }
    };
    match &args.output {
        Some(path) => std::fs::write(path, text).map_err(|e| CliError::CannotCreate {
            path: path.display().to_string(),
            detail: e.to_string(),
        }),
        None => {
            print!("{text}");
            Ok(())
        }
    }
}

fn csv_text(report: &Report) -> Result<String, CliError> {
    let table = TableOut {
        name: report.kind.into(),
        headers: report.headers.clone(),
        rows: report.rows.clone(),
    };
    let mut w = csv::Writer::from_writer(Vec::new());
    let bad = |e: &dyn std::fmt::Display| CliError::BadData(e.to_string());
    w.write_record(&table.headers).map_err(|e| bad(&e))?;
    for row in &table.rows {
        w.write_record(row.iter().map(|o| o.csv()))
            .map_err(|e| bad(&e))?;
    }
    let bytes = w.into_inner().map_err(|e| bad(&e))?;
    String::from_utf8(bytes).map_err(|e| bad(&e))
}
