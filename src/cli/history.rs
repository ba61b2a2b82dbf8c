//! `caseflow history CASE`: the case's append-only history, oldest first.

use super::common::{table, Ctx};
use crate::error::CliError;

#[derive(clap::Args, Debug)]
#[command(
    after_help = "Examples:\n  caseflow history EXP-2026-0042\n  caseflow history EXP-2026-0042 --json"
)]
pub struct Args {
    /// Case id
    pub case: String,
}

pub fn run(ctx: &Ctx, args: Args) -> Result<(), CliError> {
    let store = ctx.workspace.store()?;
    let events = store.read().history(&args.case)?;
    if ctx.json {
        println!(
            "{}",
            serde_json::json!({"case": args.case, "events": events})
        );
        return Ok(());
    }
    let mut t = table(&["#", "at", "who", "what", "from → to", "comment / changes"]);
    for e in &events {
        let what = match &e.action {
            Some(action) => format!("{} {action}", e.kind),
            None => e.kind.clone(),
        };
        let moved = if e.from_steps == e.to_steps {
            String::new()
        } else {
            format!("{} → {}", e.from_steps.join(","), e.to_steps.join(","))
        };
        let mut detail: Vec<String> = Vec::new();
        if let Some(c) = &e.comment {
            detail.push(format!("“{c}”"));
        }
        if let Some(n) = &e.note {
            detail.push(format!("({n})"));
        }
        detail.extend(field_changes(&e.changes));
        t.add_row(vec![
            e.seq.to_string(),
            e.at.clone(),
            e.actor.clone(),
            what,
            moved,
            detail.join("\n"),
        ]);
    }
    super::common::no_wrap(&mut t, &[0, 1]);
    super::term::page(&t.to_string(), ctx.config.pager());
    Ok(())
}

/// `amount: 100.00 → 120.00` lines for the field (and priority) changes of an event.
fn field_changes(changes: &serde_json::Value) -> Vec<String> {
    let show = |v: &serde_json::Value| match v {
        serde_json::Value::Null => "∅".to_string(),
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    changes
        .as_array()
        .into_iter()
        .flatten()
        .filter(|c| c["change"] == "field" || c["change"] == "priority")
        .map(|c| {
            format!(
                "{}: {} → {}",
                c["name"].as_str().unwrap_or("priority"),
                show(&c["before"]),
                show(&c["after"])
            )
        })
        .collect()
}
