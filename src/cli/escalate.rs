//! `caseflow escalate CASE [--to WHO] [--reason TEXT]`: the step's `escalate` action when it
//! declares one, else hand the step to the assignee's supervisor (or to `--to`).

use super::common::{change_case, Ctx};
use crate::engine::Command;
use crate::error::CliError;

#[derive(clap::Args, Debug)]
#[command(
    after_help = "Examples:\n  caseflow escalate EXP-2026-0042 --reason 'over my approval limit'\n  caseflow escalate CMP-2026-0003 --to olga"
)]
pub struct Args {
    /// Case id
    pub case: String,
    /// A person or group to escalate to
    #[arg(long)]
    pub to: Option<String>,
    /// Why
    #[arg(long, short = 'r')]
    pub reason: Option<String>,
    /// Which open step, when the case is in several
    #[arg(long)]
    pub step: Option<String>,
}

pub fn run(ctx: &Ctx, args: Args) -> Result<(), CliError> {
    change_case(ctx, &args.case, Vec::new(), |_| {
        Ok(Command::Escalate {
            to: args.to,
            step: args.step,
            reason: args.reason,
        })
    })
}
