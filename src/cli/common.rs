//! What the command modules share: the invocation context, turning `--field k=v` into typed
//! values, running one engine decision inside one write transaction, and rendering a case.

use std::path::Path;

use comfy_table::{presets::UTF8_FULL_CONDENSED, Table};
use jiff::Timestamp;
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::definition::{self, Definition};
use crate::engine::{self, CaseState, Command, Decision, NewAttachment};
use crate::error::CliError;
use crate::org::Org;
use crate::store::{Db, FileBytes};
use crate::value::Value;
use crate::workspace::Workspace;

/// Who runs the command, where and when.
pub struct Ctx {
    pub workspace: Workspace,
    pub actor: String,
    pub now: Timestamp,
    pub json: bool,
    pub quiet: bool,
    /// `-v`: say what is going on (on stderr)
    pub verbose: bool,
    /// Workspace defaults (caseflow.toml, environment, --config), loaded once.
    pub config: crate::config::Config,
}

/// Load the definition version a case (or a new case) runs on.
pub fn definition_version(
    db: &Db,
    org: &Org,
    name: &str,
    version: Option<i64>,
) -> Result<(Definition, i64), CliError> {
    let row = match version {
        Some(v) => db.version(name, v)?,
        None => db.latest_version(name)?.ok_or_else(|| {
            let known: Vec<String> = db
                .processes()
                .map(|ps| ps.into_iter().map(|p| p.name).collect())
                .unwrap_or_default();
            crate::store::StoreError::NoSuchProcess {
                name: name.to_string(),
                suggestion: crate::org::suggest(name, known.iter()),
            }
        })?,
    };
    let def = definition::load(&format!("{name} v{}", row.version), &row.source, Some(org))
        .map_err(CliError::Definitions)?;
    Ok((def, row.version))
}

/// Parse `name=value` pairs against the definition's field types.
pub fn parse_fields(def: &Definition, pairs: &[String]) -> Result<Vec<(String, Value)>, CliError> {
    pairs
        .iter()
        .map(|pair| {
            let (name, text) = pair
                .split_once('=')
                .ok_or_else(|| CliError::Usage(format!("--field {pair:?} must be NAME=VALUE")))?;
            let name = name.trim();
            let field = def.field(name).ok_or_else(|| {
                CliError::Refused(engine::Refusal::UnknownField {
                    process: def.name.clone(),
                    field: name.to_string(),
                    hint: crate::org::suggest(name, def.fields.iter().map(|f| &f.name)),
                })
            })?;
            let value = Value::parse(&field.ty, text).map_err(|e| CliError::BadValue {
                field: name.to_string(),
                given: e.given,
                expected: e.expected,
            })?;
            Ok((name.to_string(), value))
        })
        .collect()
}

/// Read files given as `FILE` or `KIND=FILE`.
pub fn read_attachments(
    specs: &[String],
) -> Result<(Vec<NewAttachment>, Vec<FileBytes>), CliError> {
    let mut attachments = Vec::new();
    let mut files = Vec::new();
    for spec in specs {
        let (kind, path) = match spec.split_once('=') {
            Some((kind, path)) if !Path::new(spec).exists() => {
                (Some(kind.trim().to_string()), path)
            }
            _ => (None, spec.as_str()),
        };
        let path = Path::new(path);
        let bytes = std::fs::read(path).map_err(|e| CliError::io(path, e))?;
        let sha256 = format!("{:x}", Sha256::digest(&bytes));
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_else(|| "attachment".into());
        attachments.push(NewAttachment {
            kind,
            name,
            sha256: sha256.clone(),
            size: bytes.len() as u64,
        });
        files.push(FileBytes { sha256, bytes });
    }
    Ok((attachments, files))
}

/// Run one command against one case in one `BEGIN IMMEDIATE` transaction, then render it.
pub fn change_case(
    ctx: &Ctx,
    id: &str,
    files: Vec<FileBytes>,
    build: impl FnOnce(&Definition) -> Result<Command, CliError>,
) -> Result<(), CliError> {
    let org = ctx.workspace.org()?;
    let mut store = ctx.workspace.store()?;
    let (decision, def) = store.write(|db| {
        let mut case = db.load_case(id)?;
        let (def, version) = definition_version(db, &org, &case.process, Some(case.version))?;
        case.retype(&def);
        let command = build(&def)?;
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
        let decision = engine::decide(&ectx, &case, command)?;
        db.record(&decision, &files, ctx.now)?;
        if !decision.notifications.is_empty() {
            super::notify::render_new(ctx, db, &def, &org, &decision.case)?;
        }
        Ok::<_, CliError>((decision, def))
    })?;
    print_decision(ctx, &decision, &def, &org);
    Ok(())
}

/// One line for people (or the case as JSON) after a change.
pub fn print_decision(ctx: &Ctx, decision: &Decision, def: &Definition, org: &Org) {
    if ctx.json {
        println!("{}", case_json(&decision.case, def, org));
        return;
    }
    if ctx.quiet {
        return;
    }
    let case = &decision.case;
    let what = decision
        .events
        .last()
        .map(|e| {
            e.action
                .clone()
                .unwrap_or_else(|| e.kind.as_str().to_string())
        })
        .unwrap_or_default();
    let now = if case.is_open() {
        let waiting: Vec<String> = case
            .tasks
            .iter()
            .map(|t| format!("{} ({})", t.step, t.assignee.label()))
            .collect();
        format!("now in {}", waiting.join(", "))
    } else {
        format!("closed: {}", case.outcome.clone().unwrap_or_default())
    };
    println!("{}: {what}; {now}", case.id);
    if !decision.notifications.is_empty() {
        let queued: Vec<&str> = decision
            .notifications
            .iter()
            .map(|n| n.template.as_str())
            .collect();
        println!("  queued: {}", queued.join(", "));
    }
}

/// The JSON form of a case (a contract: id, process, version, status, outcome, active_steps,
/// assignees, priority, fields, and more).
pub fn case_json(case: &CaseState, def: &Definition, org: &Org) -> serde_json::Value {
    let fields: serde_json::Map<String, serde_json::Value> = def
        .fields
        .iter()
        .filter_map(|f| {
            case.fields
                .get(&f.name)
                .map(|v| (f.name.clone(), v.to_json()))
        })
        .collect();
    let tasks: Vec<serde_json::Value> = case
        .tasks
        .iter()
        .map(|t| json!({"step": t.step, "assignee": t.assignee.name(), "assignee_kind": match t.assignee { engine::Assignee::Person(_) => "person", engine::Assignee::Group(_) => "group" }, "entered_at": crate::time::format_timestamp(t.entered_at), "escalated": t.escalated}))
        .collect();
    json!({
        "id": case.id,
        "process": case.process,
        "version": case.version,
        "title": def.title,
        "status": if case.is_open() { "open" } else { "closed" },
        "outcome": case.outcome,
        "active_steps": case.active_steps(),
        "assignees": case.tasks.iter().map(|t| t.assignee.name().to_string()).collect::<Vec<_>>(),
        "priority": case.priority.as_str(),
        "fields": fields,
        "tasks": tasks,
        "opened_by": case.opened_by,
        "opened_by_name": org.display_name(&case.opened_by),
        "opened_at": crate::time::format_timestamp(case.opened_at),
        "closed_at": case.closed_at.map(crate::time::format_timestamp),
        "external_ref": case.external_ref,
        "attachments": case.attachments.iter().map(|a| json!({"name": a.name, "kind": a.kind, "sha256": a.sha256, "size": a.size})).collect::<Vec<_>>(),
        "side_tasks": case.side_tasks.iter().map(|s| json!({"id": s.id, "kind": s.kind.as_str(), "step": s.step, "text": s.text, "assignee": s.assignee.name(), "asked_by": s.asked_by, "opened_at": crate::time::format_timestamp(s.opened_at)})).collect::<Vec<_>>(),
        "checklist": checklist(case, def).into_iter().map(|(kind, title, attached)| json!({"kind": kind, "title": title, "attached": attached})).collect::<Vec<_>>(),
    })
}

/// The documents the case must have now: kind, title, and whether one is attached.
pub fn checklist(case: &CaseState, def: &Definition) -> Vec<(String, String, bool)> {
    engine::scope::checklist(def, case)
        .into_iter()
        .map(|(kind, attached)| {
            let title = def
                .documents
                .get(&kind)
                .map(|d| d.title.clone())
                .unwrap_or_default();
            (kind, title, attached)
        })
        .collect()
}

/// A table in the house style.
pub fn table(header: &[&str]) -> Table {
    let mut table = Table::new();
    table.load_preset(UTF8_FULL_CONDENSED);
    table.set_content_arrangement(comfy_table::ContentArrangement::Dynamic);
    if let Some(width) = super::term::width() {
        table.set_width(width);
    }
    table.set_header(header.iter().map(|h| h.to_string()).collect::<Vec<_>>());
    table
}

/// Keep these columns (ids, timestamps) whole when the table must shrink to the width.
pub fn no_wrap(table: &mut Table, columns: &[usize]) {
    for &i in columns {
        if let Some(column) = table.column_mut(i) {
            column.set_constraint(comfy_table::ColumnConstraint::ContentWidth);
        }
    }
}

pub fn steps_text(case: &CaseState) -> String {
    if case.is_open() {
        case.active_steps().join(", ")
    } else {
        format!("({})", case.outcome.clone().unwrap_or_default())
    }
}

pub fn assignees_text(case: &CaseState) -> String {
    case.tasks
        .iter()
        .map(|t| t.assignee.label())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Shell-quote a value for a command to copy.
pub fn quote(text: &str) -> String {
    if text
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "-_./=:@".contains(c))
    {
        text.to_string()
    } else {
        format!("'{}'", text.replace('\'', "'\\''"))
    }
}
