//! `caseflow act CASE ACTION`: take any action the case's current step offers.

use super::common::{change_case, parse_fields, read_attachments, Ctx};
use crate::engine::Command;
use crate::error::CliError;

#[derive(clap::Args, Debug)]
#[command(
    after_help = "Examples:\n  caseflow act EXP-2026-0001 approve_partial --field approved_amount=120.00 --comment 'hotel over policy'\n  caseflow act EXP-2026-0001 pay --attach receipt=receipt.pdf\n  caseflow --as maria act --from approvals.xlsx        # columns: Case, Action, Comment, fields\n  caseflow --as maria act --from approvals.csv --skip-invalid --dry-run"
)]
pub struct Args {
    /// Case id, e.g. EXP-2026-0001
    #[arg(required_unless_present = "from")]
    pub case: Option<String>,
    /// Action name, as the step declares it
    #[arg(required_unless_present = "from")]
    pub action: Option<String>,
    /// Take one action per row of this sheet (columns Case, Action, Comment, Step and fields), all or nothing
    #[arg(long, value_name = "FILE", conflicts_with_all = ["case", "action", "fields", "comment", "attach", "step"])]
    pub from: Option<std::path::PathBuf>,
    #[command(flatten)]
    pub sheet: super::import::SheetArgs,
    /// Field values the action sets or requires (NAME=VALUE, repeatable)
    #[arg(long = "field", short = 'f', value_name = "NAME=VALUE")]
    pub fields: Vec<String>,
    /// A comment recorded with the action
    #[arg(long, short = 'm')]
    pub comment: Option<String>,
    /// Attach files (FILE or KIND=FILE, repeatable)
    #[arg(long = "attach", value_name = "[KIND=]FILE")]
    pub attach: Vec<String>,
    /// Which open step, when the case is in several
    #[arg(long)]
    pub step: Option<String>,
}

pub fn run(ctx: &Ctx, args: Args) -> Result<(), CliError> {
    if let Some(file) = &args.from {
        return super::act_from::run(ctx, file, &args.sheet);
    }
    let (Some(case), Some(action)) = (&args.case, &args.action) else {
        return Err(CliError::Usage(
            "act needs CASE and ACTION, or --from FILE".into(),
        ));
    };
    perform(
        ctx,
        case,
        action,
        &args.fields,
        args.comment,
        &args.attach,
        args.step,
    )
}

/// Shared by `approve`, `reject` and `close`, which are actions by name.
pub fn perform(
    ctx: &Ctx,
    case: &str,
    action: &str,
    fields: &[String],
    comment: Option<String>,
    attach: &[String],
    step: Option<String>,
) -> Result<(), CliError> {
    let (attachments, files) = read_attachments(attach)?;
    change_case(ctx, case, files, |def| {
        Ok(Command::Act {
            action: action.to_string(),
            step,
            fields: parse_fields(def, fields)?,
            comment,
            attachments,
        })
    })
}
