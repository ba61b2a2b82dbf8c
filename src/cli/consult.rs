//! `caseflow consult CASE --to WHO QUESTION`: ask a colleague at any step. The case does not
//! wait; the answer (`caseflow done CASE --comment ANSWER`) returns to whoever asked and to
//! the step's assignee.

use super::common::Ctx;
use crate::engine::SideKind;
use crate::error::CliError;

#[derive(clap::Args, Debug)]
#[command(
    after_help = "Examples:\n  caseflow consult CPL-2026-0012 --to marek 'Is a replacement possible for this model?'\n  caseflow consult CPL-2026-0012 --to @billing 'Was the refund already paid?'"
)]
pub struct Args {
    /// Case id
    pub case: String,
    /// The question
    pub question: String,
    /// A person, or @group
    #[arg(long)]
    pub to: String,
    /// Which open step it concerns, when the case is in several
    #[arg(long)]
    pub step: Option<String>,
}

pub fn run(ctx: &Ctx, args: Args) -> Result<(), CliError> {
    super::subtask::delegate(
        ctx,
        SideKind::Consultation,
        super::subtask::Args {
            case: args.case,
            text: args.question,
            to: args.to,
            step: args.step,
        },
    )
}
