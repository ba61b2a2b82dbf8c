//! `caseflow letter CASE TEMPLATE`: render `templates/<process>/letters/TEMPLATE.txt` (in
//! the reader's locale) to a PDF and attach it to the case, in one transaction; `--output`
//! also writes it to a file.

use std::path::PathBuf;

use sha2::{Digest, Sha256};

use super::common::{definition_version, Ctx};
use crate::definition::Role;
use crate::engine::{self, CaseState, Command, NewAttachment};
use crate::error::CliError;
use crate::notify::{reader, Job};
use crate::store::FileBytes;
use crate::value::Value;

#[derive(clap::Args, Debug)]
#[command(
    after_help = "Examples:\n  caseflow letter CMP-2026-0001 response_letter\n  caseflow letter PPL-2026-0003 payment_plan_agreement --to customer@example.com --output plan.pdf"
)]
pub struct Args {
    /// Case id
    pub case: String,
    /// Letter template name (templates/<process>/letters/NAME.txt)
    pub template: String,
    /// Who it is addressed to: an org.yaml person or an e-mail address (default: the
    /// case's customer e-mail, else whoever opened it)
    #[arg(long)]
    pub to: Option<String>,
    /// Also write the PDF to this file
    #[arg(long, short = 'o')]
    pub output: Option<PathBuf>,
}

pub fn run(ctx: &Ctx, args: Args) -> Result<(), CliError> {
    let org = ctx.workspace.org()?;
    let mut store = ctx.workspace.store()?;
    let (name, bytes, case_id) = store.write(|db| {
        let mut case = db.load_case(&args.case)?;
        let (def, version) = definition_version(db, &org, &case.process, Some(case.version))?;
        case.retype(&def);
        let templates = super::notify::load_templates(ctx, Some(&case.process))?;
        let history = db.history(&case.id)?;
        let to = recipient(&case, &def, &org, args.to.as_deref());
        let who = reader(
            &to,
            &org,
            &case,
            &templates,
            &super::notify::default_locale(ctx),
        );
        let job = Job {
            templates: &templates,
            def: &def,
            org: &org,
            case: &case,
            history: &history,
            event_seq: None,
            reader: &who,
            dated: Some(ctx.now),
        };
        let (name, bytes) = job.letter(&args.template)?;
        let sha256 = format!("{:x}", Sha256::digest(&bytes));
        let attachment = NewAttachment {
            kind: Some(engine::LETTER_KIND.into()),
            name: name.clone(),
            sha256: sha256.clone(),
            size: bytes.len() as u64,
        };
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
        let command = Command::Attach {
            attachment,
            comment: Some(format!("letter `{}`", args.template)),
        };
        let decision = engine::decide(&ectx, &case, command)?;
        let files = [FileBytes {
            sha256,
            bytes: bytes.clone(),
        }];
        db.record(&decision, &files, ctx.now)?;
        Ok::<_, CliError>((name, bytes, case.id.clone()))
    })?;
    if let Some(path) = &args.output {
        std::fs::write(path, &bytes).map_err(|e| CliError::CannotCreate {
            path: path.display().to_string(),
            detail: e.to_string(),
        })?;
    }
    if ctx.json {
        println!(
            "{}",
            serde_json::json!({"case": case_id, "letter": name, "size": bytes.len(), "output": args.output})
        );
    } else if !ctx.quiet {
        println!("{case_id}: letter {name} attached ({} bytes)", bytes.len());
    }
    Ok(())
}

/// `{"person", "address"}` for the letter's reader.
fn recipient(
    case: &CaseState,
    def: &crate::definition::Definition,
    org: &crate::org::Org,
    to: Option<&str>,
) -> serde_json::Value {
    let person = |id: &str| serde_json::json!({"person": id, "address": org.person(id).and_then(|p| p.email.clone())});
    match to {
        Some(id) if org.person(id).is_some() => person(id),
        Some(address) => serde_json::json!({"person": null, "address": address}),
        None => {
            let customer = def.roles.values().find_map(|r| match r {
                Role::Email(field) => match case.fields.get(field) {
                    Some(Value::Text(a)) => Some(a.clone()),
                    _ => None,
                },
                _ => None,
            });
            match customer {
                Some(address) => serde_json::json!({"person": null, "address": address}),
                None => person(&case.opened_by),
            }
        }
    }
}
