//! The command line: clap types, one module per command (its Args and `run`), and the
//! single place where errors are printed and turned into exit codes.
//!
//! Every command follows the same shape: parse -> open the store -> call the domain ->
//! render (a table for people, one JSON document with `--json`).

mod act;
mod approve;
mod assign;
mod attach;
mod check;
mod close;
mod comment;
mod common;
mod consult;
mod demo;
mod deploy;
mod done;
mod escalate;
mod graph;
mod history;
mod init;
mod letter;
mod list;
pub mod notify;
mod open;
mod processes;
mod reject;
mod set;
mod show;
mod subtask;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand};
use jiff::Timestamp;

pub use common::Ctx;

use crate::error::CliError;
use crate::workspace::Workspace;

#[derive(Parser, Debug)]
#[command(name = "caseflow", version, about = "Customer-service business processes from the shell", long_about = None)]
#[command(
    after_help = "Start with `caseflow demo`, or `caseflow init DIR` for a workspace of your own."
)]
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
    /// The outbox: list, deliver (SMTP, sendmail or .eml files) and retry notifications
    Notify(notify::Args),
    /// Render a letter template to PDF and attach it to the case
    Letter(letter::Args),
}

/// Run the command line with `clock` as the current time (read once, in `main`).
pub fn main(clock: Timestamp) -> ExitCode {
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
    match execute(cli, clock) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => report(&error, json),
    }
}

fn report(error: &CliError, json: bool) -> ExitCode {
    let code = error.exit_code();
    if json {
        let doc = serde_json::json!({"error": error.to_string(), "exit_code": code, "hint": error.hint()});
        println!("{doc}");
    }
    eprintln!("error: {error}");
    if let Some(hint) = error.hint() {
        eprintln!("hint: {hint}");
    }
    ExitCode::from(code)
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
    let busy_ms = std::env::var("CASEFLOW_BUSY_TIMEOUT_MS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000);
    let actor = cli
        .actor
        .clone()
        .or_else(|| {
            std::env::var("CASEFLOW_USER")
                .ok()
                .filter(|s| !s.is_empty())
        })
        .or_else(|| std::env::var("USER").ok().filter(|s| !s.is_empty()))
        .or_else(|| std::env::var("LOGNAME").ok().filter(|s| !s.is_empty()))
        .unwrap_or_else(|| "unknown".into());
    let ctx = Ctx {
        workspace: Workspace::new(root, Duration::from_millis(busy_ms)),
        actor,
        now,
        json: cli.json,
        quiet: cli.quiet,
    };
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
        Command::Notify(args) => notify::run(&ctx, args),
        Command::Letter(args) => letter::run(&ctx, args),
    }
}

/// The clap command, for completions and man pages.
pub fn command() -> clap::Command {
    <Cli as clap::CommandFactory>::command()
}
