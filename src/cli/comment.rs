//! `caseflow comment CASE TEXT`: a note in the case's history.

use super::common::{change_case, Ctx};
use crate::engine::Command;
use crate::error::CliError;

#[derive(clap::Args, Debug)]
#[command(
    after_help = "Examples:\n  caseflow comment CMP-2026-0007 'called the customer, waiting for the invoice copy'\n  caseflow --as maria comment EXP-2026-0042 'asked alice for the hotel invoice'"
)]
pub struct Args {
    /// Case id
    pub case: String,
    /// The comment
    pub text: String,
}

pub fn run(ctx: &Ctx, args: Args) -> Result<(), CliError> {
    change_case(ctx, &args.case, Vec::new(), |_| {
        Ok(Command::Comment { text: args.text })
    })
}
