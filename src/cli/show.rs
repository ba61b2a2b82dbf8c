//! `caseflow show CASE`: everything about a case, ending with the actions you may take now.

use super::common::{case_json, definition_version, quote, table, Ctx};
use crate::engine::{self, offered_actions};
use crate::error::CliError;

#[derive(clap::Args, Debug)]
#[command(
    after_help = "Examples:\n  caseflow show EXP-2026-0042\n  caseflow show EXP-2026-0042 --json | jq .fields"
)]
pub struct Args {
    /// Case id
    pub case: String,
}

pub fn run(ctx: &Ctx, args: Args) -> Result<(), CliError> {
    let org = ctx.workspace.org()?;
    let store = ctx.workspace.store()?;
    let db = store.read();
    let mut case = db.load_case(&args.case)?;
    let (def, version) = definition_version(&db, &org, &case.process, Some(case.version))?;
    case.retype(&def);
    let attachments = db.attachments(&case.id)?;
    let notifications = db.notifications(&case.id)?;
    let ectx = engine::Ctx {
        def: &def,
        version,
        org: &org,
        actor: &ctx.actor,
        now: ctx.now,
        source: None,
        facts: engine::Facts::none(),
    };
    let offers = offered_actions(&ectx, &case);
    let clocks = super::sla::clocks(&case, &org, ctx.now);
    if ctx.json {
        let mut doc = case_json(&case, &def, &org);
        doc["attachments"] = serde_json::to_value(&attachments).unwrap_or_default();
        doc["notifications"] = serde_json::to_value(&notifications).unwrap_or_default();
        doc["sla"] = clocks.iter().map(super::sla::ClockView::json).collect();
        doc["actions"] = offers
            .iter()
            .map(|o| serde_json::json!({"step": o.step, "action": o.action, "allowed": o.allowed, "command": command_for(&def, &case, o)}))
            .collect();
        println!("{doc}");
        return Ok(());
    }
    let status = match &case.outcome {
        Some(outcome) => format!("closed: {outcome}"),
        None => "open".to_string(),
    };
    println!(
        "{}  {} v{}  [{}]  priority {}",
        case.id,
        def.title,
        case.version,
        status,
        case.priority.as_str()
    );
    println!(
        "opened by {} ({}) at {}",
        org.display_name(&case.opened_by),
        case.opened_by,
        crate::time::format_timestamp(case.opened_at)
    );
    if let Some(reference) = &case.external_ref {
        println!("reference {reference}");
    }
    for clock in &clocks {
        let whose = clock.step.as_deref().unwrap_or("case");
        println!("SLA of {whose}: {}", clock.text());
    }
    let mut fields = table(&["field", "value"]);
    for field in &def.fields {
        if let Some(value) = case.fields.get(&field.name) {
            fields.add_row(vec![
                field.title.clone().unwrap_or_else(|| field.name.clone()),
                value.to_string(),
            ]);
        }
    }
    println!("{fields}");
    if !case.tasks.is_empty() {
        let mut tasks = table(&["open step", "assigned to", "since", ""]);
        for task in &case.tasks {
            let title = def
                .step(&task.step)
                .and_then(|s| s.title.clone())
                .unwrap_or_default();
            let who = format!(
                "{} ({})",
                task.assignee.label(),
                org.display_name(task.assignee.name())
            );
            tasks.add_row(vec![
                format!("{}\n{title}", task.step),
                who,
                crate::time::format_timestamp(task.entered_at),
                if task.escalated {
                    "escalated".into()
                } else {
                    String::new()
                },
            ]);
        }
        println!("{tasks}");
    }
    if !case.side_tasks.is_empty() {
        let mut sides = table(&["#", "sub-task / consultation", "for", "asked by", "since"]);
        for side in &case.side_tasks {
            sides.add_row(vec![
                side.id.to_string(),
                format!("{} ({}, from {})", side.text, side.kind.as_str(), side.step),
                side.assignee.label(),
                side.asked_by.clone(),
                crate::time::format_timestamp(side.opened_at),
            ]);
        }
        println!("{sides}");
    }
    let checklist = super::common::checklist(&case, &def);
    if !checklist.is_empty() {
        let mut docs = table(&["checklist", "document", ""]);
        for (kind, title, attached) in checklist {
            docs.add_row(vec![
                kind,
                title,
                if attached {
                    "attached".into()
                } else {
                    "MISSING".to_string()
                },
            ]);
        }
        println!("{docs}");
    }
    if !attachments.is_empty() {
        let mut files = table(&["attachment", "kind", "bytes", "sha256"]);
        for a in &attachments {
            files.add_row(vec![
                a.name.clone(),
                a.kind.clone().unwrap_or_default(),
                a.size.to_string(),
                a.sha256[..16].to_string(),
            ]);
        }
        println!("{files}");
    }
    for side in case
        .side_tasks
        .iter()
        .filter(|s| crate::engine::holds(&org, &s.assignee, &ctx.actor))
    {
        println!(
            "Your {} #{}: caseflow done {} --id {} --comment '…'",
            side.kind.as_str(),
            side.id,
            quote(&case.id),
            side.id
        );
    }
    if !notifications.is_empty() {
        let mut queued = table(&["notification", "to", "cc", "status"]);
        for n in &notifications {
            queued.add_row(vec![
                n.template.clone(),
                recipients_text(&n.to),
                recipients_text(&n.cc),
                n.status.clone(),
            ]);
        }
        println!("{queued}");
    }
    let mine: Vec<_> = offers.iter().filter(|o| o.allowed).collect();
    if case.is_open() {
        if mine.is_empty() {
            println!(
                "{} may not act on this case now; it waits for {}.",
                ctx.actor,
                super::common::assignees_text(&case)
            );
        } else {
            println!("You ({}) may now:", ctx.actor);
            for offer in mine {
                println!("  {}", command_for(&def, &case, offer));
            }
        }
    }
    Ok(())
}

/// The command to copy for an offered action, with placeholders for what it still needs.
fn command_for(
    def: &crate::definition::Definition,
    case: &engine::CaseState,
    offer: &engine::Offer,
) -> String {
    let step = if case.tasks.len() > 1 {
        format!(" --step {}", offer.step)
    } else {
        String::new()
    };
    let needs = needs_text(def, case, &offer.step, &offer.action);
    format!(
        "caseflow act {} {}{step}{needs}",
        quote(&case.id),
        offer.action
    )
}

/// The options an action still needs, as placeholders to fill in: ` --field f=… --comment '…'`.
fn needs_text(
    def: &crate::definition::Definition,
    case: &engine::CaseState,
    step: &str,
    action: &str,
) -> String {
    use crate::definition::Requirement;
    let Some(action) = def
        .actions_of(step)
        .into_iter()
        .chain(def.anytime.iter())
        .find(|a| a.name == action)
    else {
        return String::new();
    };
    let attached = |kind: &str| {
        case.attachments
            .iter()
            .any(|a| a.kind.as_deref() == Some(kind))
    };
    action
        .requires
        .iter()
        .filter_map(|r| match r {
            Requirement::Field(f) if !case.fields.contains_key(f) => {
                Some(format!(" --field {f}=…"))
            }
            Requirement::Comment => Some(" --comment '…'".to_string()),
            Requirement::Document(kind) if !attached(kind) => {
                Some(format!(" --attach {kind}=FILE"))
            }
            _ => None,
        })
        .collect()
}

/// `maria, customer@example.com`: people by id, others by address.
fn recipients_text(list: &serde_json::Value) -> String {
    list.as_array()
        .map(|items| {
            items
                .iter()
                .filter_map(|r| r["person"].as_str().or(r["address"].as_str()))
                .collect::<Vec<_>>()
                .join(", ")
        })
        .unwrap_or_default()
}
