//! `caseflow done CASE [--id N] [--comment TEXT]`: finish your sub-task, or answer a
//! consultation (the answer is the comment). Whoever asked may also withdraw it.

use super::common::{change_case, Ctx};
use crate::engine::Command;
use crate::error::CliError;

#[derive(clap::Args, Debug)]
#[command(
    after_help = "Examples:\n  caseflow done CMP-2026-0007 --comment 'Balance is 120.00'\n  caseflow done CPL-2026-0012 --id 4 --comment 'Yes, model X2 replaces it'"
)]
pub struct Args {
    /// Case id
    pub case: String,
    /// Which sub-task or consultation (`#N` in `show`), when you have several
    #[arg(long)]
    pub id: Option<u32>,
    /// The result, or the answer to a consultation
    #[arg(long, short = 'c')]
    pub comment: Option<String>,
}

pub fn run(ctx: &Ctx, args: Args) -> Result<(), CliError> {
    change_case(ctx, &args.case, Vec::new(), |_| {
        Ok(Command::Finish {
            id: args.id,
            comment: args.comment,
        })
    })
}
