//! `caseflow attach CASE FILE`: store a file's bytes (with its sha256) on the case.

use super::common::{change_case, read_attachments, Ctx};
use crate::engine::Command;
use crate::error::CliError;

#[derive(clap::Args, Debug)]
#[command(
    after_help = "Examples:\n  caseflow attach EXP-2026-0042 receipt.pdf --kind receipt\n  caseflow attach CMP-2026-0007 letter.pdf --json | jq .attachments"
)]
pub struct Args {
    /// Case id
    pub case: String,
    /// The file to attach
    pub file: String,
    /// The document kind, as the process declares it
    #[arg(long)]
    pub kind: Option<String>,
    /// A comment recorded with it
    #[arg(long, short = 'm')]
    pub comment: Option<String>,
}

pub fn run(ctx: &Ctx, args: Args) -> Result<(), CliError> {
    let spec = match &args.kind {
        Some(kind) => format!("{kind}={}", args.file),
        None => args.file.clone(),
    };
    let (mut attachments, files) = read_attachments(&[spec])?;
    let attachment = attachments.remove(0);
    change_case(ctx, &args.case, files, |_| {
        Ok(Command::Attach {
            attachment,
            comment: args.comment,
        })
    })
}
