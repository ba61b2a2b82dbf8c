//! `caseflow assign CASE --to USER|GROUP`: hand an open step to someone else.

use super::common::{change_case, Ctx};
use crate::engine::Command;
use crate::error::CliError;

#[derive(clap::Args, Debug)]
#[command(
    after_help = "Examples:\n  caseflow assign EXP-2026-0042 --to olga\n  caseflow assign EXP-2026-0042 --to finance --step finance_payment"
)]
pub struct Args {
    /// Case id
    pub case: String,
    /// A person id or group name from org.yaml
    #[arg(long)]
    pub to: String,
    /// Which open step, when the case is in several
    #[arg(long)]
    pub step: Option<String>,
    /// Why
    #[arg(long, short = 'm')]
    pub comment: Option<String>,
}

pub fn run(ctx: &Ctx, args: Args) -> Result<(), CliError> {
    change_case(ctx, &args.case, Vec::new(), |_| {
        Ok(Command::Assign {
            to: args.to,
            step: args.step,
            comment: args.comment,
        })
    })
}
