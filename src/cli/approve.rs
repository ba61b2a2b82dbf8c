//! `caseflow approve CASE`: the step's `approve` action.

use super::common::Ctx;
use crate::error::CliError;

#[derive(clap::Args, Debug)]
#[command(
    after_help = "Examples:\n  caseflow approve EXP-2026-0042 --comment ok\n  caseflow --as dmitri approve EXP-2026-0042"
)]
pub struct Args {
    /// Case id
    pub case: String,
    /// A comment recorded with the approval
    #[arg(long, short = 'm')]
    pub comment: Option<String>,
    /// Field values to set with the approval (NAME=VALUE)
    #[arg(long = "field", short = 'f', value_name = "NAME=VALUE")]
    pub fields: Vec<String>,
    /// Which open step, when the case is in several
    #[arg(long)]
    pub step: Option<String>,
}

pub fn run(ctx: &Ctx, args: Args) -> Result<(), CliError> {
    super::act::perform(
        ctx,
        &args.case,
        "approve",
        &args.fields,
        args.comment,
        &[],
        args.step,
    )
}
