//! `caseflow set CASE --field k=v`: change field values, validated and audited (before/after).

use super::common::{change_case, parse_fields, Ctx};
use crate::engine::Command;
use crate::error::CliError;

#[derive(clap::Args, Debug)]
#[command(
    after_help = "Examples:\n  caseflow set EXP-2026-0042 --field pay_date=2026-12-15\n  caseflow set EXP-2026-0042 --field category=travel --field 'lines=Taxi: 25.00; Hotel: 160.00'"
)]
pub struct Args {
    /// Case id
    pub case: String,
    /// NAME=VALUE (repeatable)
    #[arg(
        long = "field",
        short = 'f',
        value_name = "NAME=VALUE",
        required = true
    )]
    pub fields: Vec<String>,
    /// Why
    #[arg(long, short = 'm')]
    pub comment: Option<String>,
}

pub fn run(ctx: &Ctx, args: Args) -> Result<(), CliError> {
    change_case(ctx, &args.case, Vec::new(), |def| {
        Ok(Command::Set {
            fields: parse_fields(def, &args.fields)?,
            comment: args.comment,
        })
    })
}
