//! `caseflow reject CASE --reason TEXT`: the step's `reject` action; the reason is its comment.

use super::common::Ctx;
use crate::error::CliError;

#[derive(clap::Args, Debug)]
#[command(
    after_help = "Examples:\n  caseflow reject EXP-2026-0042 --reason 'no receipts attached'\n  caseflow --as dmitri reject EXP-2026-0042 --reason 'over budget' --step director_review"
)]
pub struct Args {
    /// Case id
    pub case: String,
    /// Why (sent to the requester where the process says so)
    #[arg(long, short = 'r')]
    pub reason: String,
    /// Which open step, when the case is in several
    #[arg(long)]
    pub step: Option<String>,
}

pub fn run(ctx: &Ctx, args: Args) -> Result<(), CliError> {
    super::act::perform(
        ctx,
        &args.case,
        "reject",
        &[],
        Some(args.reason),
        &[],
        args.step,
    )
}
