//! The command line: clap types, one module per command (its Args and `run`), and the
//! single place where errors are printed and turned into exit codes.
//!
//! Every command follows the same shape: parse -> open the store -> call the domain ->
//! render (a table for people, one JSON document with `--json`).

mod act;
mod act_from;
mod approve;
mod assign;
mod attach;
mod audit;
mod backup;
mod check;
mod close;
mod comment;
mod common;
mod complete;
mod config;
mod consult;
mod demo;
mod deploy;
mod diagnostics;
mod doctor;
mod done;
mod escalate;
mod export;
mod graph;
mod history;
mod import;
mod init;
mod letter;
mod list;
mod migrate_store;
pub mod notify;
mod open;
mod processes;
mod reject;
mod report;
mod restore;
mod set;
mod show;
mod sla;
mod subtask;
mod team;
mod term;
mod tick;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use jiff::Timestamp;

pub use common::Ctx;

use crate::error::CliError;
use crate::workspace::Workspace;

#[derive(Parser, Debug)]
#[command(name = "caseflow", version, about = "Customer-service business processes from the shell", long_about = None)]
#[command(after_help = "Examples:
  caseflow demo
  caseflow init ~/cases && cd ~/cases
  caseflow --as maria list --mine
  caseflow --as maria show EXP-2026-0001
  caseflow help act

Start with `caseflow demo`, or `caseflow init DIR` for a workspace of your own.")]
pub struct Cli {
    /// Workspace folder (default: the current one)
    #[arg(long, global = true, env = "CASEFLOW_WORKSPACE", value_name = "DIR")]
    workspace: Option<PathBuf>,
    /// Act as this person (default: CASEFLOW_USER, else the OS user)
    #[arg(long = "as", global = true, value_name = "USER")]
    actor: Option<String>,
    /// Print one JSON document instead of tables
    #[arg(long, global = true)]
    json: bool,
    /// The time to act at (RFC 3339, e.g. 2026-11-30T09:00:00Z); for tests and backfills
    #[arg(long, global = true, env = "CASEFLOW_NOW", value_name = "TIMESTAMP")]
    now: Option<String>,
    /// Say less
    #[arg(short, long, global = true)]
    quiet: bool,
    /// Say more: workspace, user, time and configuration, on stderr
    #[arg(short, long, global = true, conflicts_with = "quiet")]
    verbose: bool,
    /// Override a caseflow.toml setting for this command (see `caseflow config`)
    #[arg(long = "config", global = true, value_name = "KEY=VALUE")]
    config: Vec<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Create a workspace with the bundled processes and an example org.yaml, then deploy
    Init(init::Args),
    /// Validate and store changed process definitions as new versions
    Deploy(deploy::Args),
    /// Validate definitions and org.yaml; report every error as file:line:column
    Check(check::Args),
    /// List deployed processes with their versions and open cases
    Processes(processes::Args),
    /// Open a new case of a process
    Open(open::Args),
    /// Show a case: fields, open steps, attachments and what you may do next
    Show(show::Args),
    /// List cases
    List(list::Args),
    /// Show a case's full history
    History(history::Args),
    /// Assign a case's open step to a person or group
    Assign(assign::Args),
    /// Approve (the step's `approve` action)
    Approve(approve::Args),
    /// Reject with a reason (the step's `reject` action)
    Reject(reject::Args),
    /// Escalate to the assignee's supervisor, someone named, or the step's escalate action
    Escalate(escalate::Args),
    /// Close (the step's `close` action)
    Close(close::Args),
    /// Take any action the case's current step offers
    Act(act::Args),
    /// Add a comment to a case
    Comment(comment::Args),
    /// Attach a file to a case
    Attach(attach::Args),
    /// Change field values (validated and audited)
    Set(set::Args),
    /// Hand part of a step's work to someone; the step waits until it is done
    Subtask(subtask::Args),
    /// Ask a colleague a question about a case; the answer returns to you
    Consult(consult::Args),
    /// Finish your sub-task or answer a consultation
    #[command(alias = "answer")]
    Done(done::Args),
    /// Draw processes as Mermaid or Graphviz DOT, or write their Markdown docs
    Graph(graph::Args),
    /// Play a short story in a fresh workspace and show what happened
    Demo(demo::Args),
    /// Copy the database consistently while others keep working
    Backup(backup::Args),
    /// Replace the workspace's database with a backup
    Restore(restore::Args),
    /// Check the tamper-evident history (`audit verify`)
    Audit(audit::Args),
    /// Copy the workspace's caseflow.db into PostgreSQL, verified row by row and chain by chain
    MigrateStore(migrate_store::Args),
    /// Fire everything due now: SLA warnings and breaches, waits, timeouts, reminders (for cron)
    Tick(tick::Args),
    /// Check the workspace (schema, deployed definitions, org.yaml, SMTP, outbox, tick)
    Doctor(doctor::Args),
    /// Show the settings (caseflow.toml, environment, --config) and where each came from
    Config(config::Args),
    /// Open a case per spreadsheet row (xlsx, xls, xlsb, ods, csv), all or nothing
    Import(import::Args),
    /// Write cases to an Excel workbook (one sheet per process) or a csv file
    Export(export::Args),
    /// Management reports: summary, sla, workload, throughput, totals, register
    Report(report::Args),
    /// The outbox: list, deliver (SMTP, sendmail or .eml files) and retry notifications
    Notify(notify::Args),
    /// Render a letter template to PDF and attach it to the case
    Letter(letter::Args),
}

/// Run the command line with `clock` as the current time (read once, in `main`).
pub fn main(clock: Timestamp) -> ExitCode {
    complete::complete_if_asked();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = match e.kind() {
                clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion => 0,
                _ => 64,
            };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    let json = cli.json;
    let root = diagnostics_root(&cli);
    match execute(cli, clock) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => report(&error, json, &root),
    }
}

/// The folder the command's definition errors name their files relative to.
fn diagnostics_root(cli: &Cli) -> PathBuf {
    let dir = match &cli.command {
        Command::Init(args) => args.dir.clone(),
        Command::Demo(args) => args.dir.clone(),
        _ => None,
    };
    dir.or_else(|| cli.workspace.clone())
        .unwrap_or_else(|| PathBuf::from("."))
}

fn report(error: &CliError, json: bool, root: &std::path::Path) -> ExitCode {
    if json {
        println!("{}", error_json(error));
    }
    match error {
        CliError::Definitions(diagnostics) => {
            let source = |file: &str| std::fs::read_to_string(root.join(file)).ok();
            anstream::eprint!("{}", diagnostics::render(diagnostics, source))
        }
        _ => anstream::eprintln!("{} {error}", term::paint(term::ERROR, "error:")),
    }
    if let Some(hint) = error.hint() {
        anstream::eprintln!("{} {hint}", term::paint(term::HINT, "hint:"));
    }
    ExitCode::from(error.exit_code())
}

/// The `--json` form of an error: message, exit code, hint, and the details scripts need.
fn error_json(error: &CliError) -> serde_json::Value {
    let mut doc = serde_json::json!({"error": error.to_string(), "exit_code": error.exit_code(), "hint": error.hint()});
    if let Some(details) = error.details() {
        doc["details"] = details.clone();
    }
    if let Some(errors) = error.error_lines() {
        doc["errors"] = serde_json::json!(errors);
    }
    if let CliError::NeedsFixing {
        report: serde_json::Value::Object(report),
        ..
    } = error
    {
        for (key, value) in report {
            doc[key] = value.clone();
        }
    }
    if let CliError::Definitions(diagnostics) = error {
        doc["diagnostics"] = diagnostics
            .iter()
            .map(|d| serde_json::json!({"file": d.file, "line": d.pos.line, "column": d.pos.col, "message": d.message}))
            .collect();
    }
    doc
}

fn execute(cli: Cli, clock: Timestamp) -> Result<(), CliError> {
    let now = match &cli.now {
        Some(text) => crate::time::parse_timestamp(text).ok_or_else(|| {
            CliError::Usage(format!(
                "--now {text:?} is not a time; write e.g. 2026-11-30T09:00:00Z"
            ))
        })?,
        None => clock,
    };
    let root = cli.workspace.clone().unwrap_or_else(|| PathBuf::from("."));
    let config = crate::config::Config::load(&root, |var| std::env::var(var).ok(), &cli.config)?;
    let requested = cli.actor.clone().or_else(|| {
        std::env::var("CASEFLOW_USER")
            .ok()
            .filter(|s| !s.is_empty())
    });
    let mut workspace =
        Workspace::new(root, config.busy_timeout()).with_database(config.database_url());
    let identity = identify(&workspace, requested)?;
    workspace.operator = identity.operator;
    let ctx = Ctx {
        workspace,
        actor: identity.actor,
        now,
        json: cli.json,
        quiet: cli.quiet,
        verbose: cli.verbose,
        config,
    };
    if ctx.verbose {
        config::describe(&ctx);
    }
    match cli.command {
        Command::Init(args) => init::run(&ctx, args),
        Command::Deploy(args) => deploy::run(&ctx, args),
        Command::Check(args) => check::run(&ctx, args),
        Command::Processes(args) => processes::run(&ctx, args),
        Command::Open(args) => open::run(&ctx, args),
        Command::Show(args) => show::run(&ctx, args),
        Command::List(args) => list::run(&ctx, args),
        Command::History(args) => history::run(&ctx, args),
        Command::Assign(args) => assign::run(&ctx, args),
        Command::Approve(args) => approve::run(&ctx, args),
        Command::Reject(args) => reject::run(&ctx, args),
        Command::Escalate(args) => escalate::run(&ctx, args),
        Command::Close(args) => close::run(&ctx, args),
        Command::Act(args) => act::run(&ctx, args),
        Command::Comment(args) => comment::run(&ctx, args),
        Command::Attach(args) => attach::run(&ctx, args),
        Command::Set(args) => set::run(&ctx, args),
        Command::Subtask(args) => subtask::run(&ctx, args),
        Command::Consult(args) => consult::run(&ctx, args),
        Command::Done(args) => done::run(&ctx, args),
        Command::Graph(args) => graph::run(&ctx, args),
        Command::Demo(args) => demo::run(&ctx, args),
        Command::Backup(args) => backup::run(&ctx, args),
        Command::Restore(args) => restore::run(&ctx, args),
        Command::MigrateStore(args) => migrate_store::run(&ctx, args),
        Command::Audit(args) => audit::run(&ctx, args),
        Command::Tick(args) => tick::run(&ctx, args),
        Command::Doctor(args) => doctor::run(&ctx, args),
        Command::Config(args) => config::run(&ctx, args),
        Command::Import(args) => import::run(&ctx, args),
        Command::Export(args) => export::run(&ctx, args),
        Command::Report(args) => report::run(&ctx, args),
        Command::Notify(args) => notify::run(&ctx, args),
        Command::Letter(args) => letter::run(&ctx, args),
    }
}

/// Who acts: in a team workspace the OS account decides (see `identity`); otherwise `--as`,
/// `CASEFLOW_USER`, then the OS user name.
fn identify(
    workspace: &Workspace,
    requested: Option<String>,
) -> Result<crate::identity::Identity, CliError> {
    if is_team(workspace)? {
        team::restrict_new_files();
        let org = workspace.org()?;
        let account = team::os_account().ok_or_else(|| {
            CliError::Usage("cannot tell which OS account runs this command".into())
        })?;
        return Ok(crate::identity::team_identity(
            &org,
            &account,
            requested.as_deref(),
        )?);
    }
    let actor = requested
        .or_else(|| std::env::var("USER").ok().filter(|s| !s.is_empty()))
        .or_else(|| std::env::var("LOGNAME").ok().filter(|s| !s.is_empty()))
        .unwrap_or_else(|| "unknown".into());
    Ok(crate::identity::Identity {
        actor,
        operator: None,
    })
}

/// Whether the workspace was made by `init --team` (a workspace not initialised yet is not).
fn is_team(workspace: &Workspace) -> Result<bool, CliError> {
    match workspace.store() {
        Ok(store) => {
            let team = store.read().is_team()?;
            workspace.keep_open(store);
            Ok(team)
        }
        Err(
            CliError::NoWorkspace { .. }
            | CliError::Store(crate::store::StoreError::NoSchema { .. }),
        ) => Ok(false),
        Err(e) => Err(e),
    }
}

/// The clap command, for completions and man pages.
pub fn command() -> clap::Command {
    <Cli as clap::CommandFactory>::command()
}
