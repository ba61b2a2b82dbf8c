//! `caseflow close CASE [--resolution TEXT]`: the step's `close` action.

use super::common::Ctx;
use crate::error::CliError;

#[derive(clap::Args, Debug)]
#[command(
    after_help = "Examples:\n  caseflow close CMP-2026-0007 --resolution 'refund agreed' --field cause=billing\n  caseflow close CMP-2026-0007 --resolution 'duplicate of CMP-2026-0005' --json"
)]
pub struct Args {
    /// Case id
    pub case: String,
    /// How it was resolved (recorded as the action's comment)
    #[arg(long)]
    pub resolution: Option<String>,
    /// Field values the close action requires (NAME=VALUE)
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
        "close",
        &args.fields,
        args.resolution,
        &[],
        args.step,
    )
}
