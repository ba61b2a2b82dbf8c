//! `caseflow subtask CASE --to WHO TEXT`: hand part of a step's work to someone. The step
//! cannot move on until every sub-task opened from it is done (`caseflow done`).

use super::common::{change_case, Ctx};
use crate::engine::{Command, SideKind};
use crate::error::CliError;

#[derive(clap::Args, Debug)]
#[command(
    after_help = "Examples:\n  caseflow subtask CMP-2026-0007 --to klaus 'Check the instalments paid since March'\n  caseflow subtask CMP-2026-0007 --to @billing 'Recalculate the balance'"
)]
pub struct Args {
    /// Case id
    pub case: String,
    /// What is to be done
    pub text: String,
    /// A person, or @group
    #[arg(long)]
    pub to: String,
    /// Which open step it belongs to, when the case is in several
    #[arg(long)]
    pub step: Option<String>,
}

pub fn run(ctx: &Ctx, args: Args) -> Result<(), CliError> {
    delegate(ctx, SideKind::Subtask, args)
}

/// Shared with `consult`: open a side task.
pub fn delegate(ctx: &Ctx, kind: SideKind, args: Args) -> Result<(), CliError> {
    change_case(ctx, &args.case, Vec::new(), |_| {
        Ok(Command::Delegate {
            kind,
            to: args.to,
            text: args.text,
            step: args.step,
        })
    })
}
