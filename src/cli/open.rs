//! `caseflow open PROCESS --field k=v..`: open a case on the latest deployed version.

use super::common::{definition_version, parse_fields, print_decision, read_attachments, Ctx};
use crate::definition::Definition;
use crate::engine::{self, Decision, Opening, Priority};
use crate::error::CliError;
use crate::org::Org;

#[derive(clap::Args, Debug)]
#[command(
    after_help = "Examples:\n  caseflow --as alice open expense-reimbursement --field kind=reimbursement \\\n      --field 'lines=Taxi: 25.00; Hotel: 180.50' --field pay_date=2026-12-15\n  caseflow open expense-reimbursement --ref CLAIM-77 --priority high --field kind=advance --field 'lines=Flight: 420'"
)]
pub struct Args {
    /// Process name (see `caseflow processes`)
    pub process: String,
    /// Field values (NAME=VALUE, repeatable)
    #[arg(long = "field", short = 'f', value_name = "NAME=VALUE")]
    pub fields: Vec<String>,
    /// An external reference (ticket number, spreadsheet key); unique per process
    #[arg(long = "ref", value_name = "ID")]
    pub reference: Option<String>,
    /// Priority
    #[arg(long, value_enum)]
    pub priority: Option<Priority>,
    /// Attach files (FILE or KIND=FILE, repeatable)
    #[arg(long = "attach", value_name = "[KIND=]FILE")]
    pub attach: Vec<String>,
    /// A comment recorded with the opening
    #[arg(long, short = 'm')]
    pub comment: Option<String>,
}

pub fn run(ctx: &Ctx, args: Args) -> Result<(), CliError> {
    let (decision, def, org) = perform(ctx, &args)?;
    print_decision(ctx, &decision, &def, &org);
    Ok(())
}

pub fn perform(ctx: &Ctx, args: &Args) -> Result<(Decision, Definition, Org), CliError> {
    let org = ctx.workspace.org()?;
    let (attachments, files) = read_attachments(&args.attach)?;
    let mut store = ctx.workspace.store()?;
    let (decision, def) = store.write(|db| {
        let (def, version) = definition_version(db, &org, &args.process, None)?;
        let fields = parse_fields(&def, &args.fields)?;
        let id = db.next_case_id(&def.id_prefix, crate::time::year_of(ctx.now))?;
        let facts = db.facts(&def, ctx.now)?;
        let ectx = engine::Ctx {
            def: &def,
            version,
            org: &org,
            actor: &ctx.actor,
            now: ctx.now,
            source: None,
            facts: &facts,
        };
        let opening = Opening {
            fields,
            priority: args.priority,
            external_ref: args.reference.clone(),
            attachments,
            comment: args.comment.clone(),
        };
        let decision = engine::open(&ectx, &id, opening)?;
        db.record(&decision, &files, ctx.now)?;
        if !decision.notifications.is_empty() {
            super::notify::render_new(ctx, db, &def, &org, &decision.case)?;
        }
        Ok::<_, CliError>((decision, def))
    })?;
    Ok((decision, def, org))
}
