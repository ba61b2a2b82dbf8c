//! Notifications and letters: templates, rendering, and delivery of the outbox.
//!
//! **When rendering happens.** A command that queues notifications renders them in its own
//! transaction ([`render_queued`]), right after the engine's decision is recorded, so the
//! stored message says what was true at the event even if the case or the templates change
//! before it leaves. A render problem (a missing template, a variable that is not there)
//! never refuses the operator's command and never loses the notification: the row stays
//! queued, unrendered, with the error shown by `notify list --failed`, and delivery renders
//! it again (with the case as it is then) once the template is fixed. Rows queued by
//! writers that do not render (imports, `tick`) are rendered the same way on delivery.
//! `check` and `deploy` compile every template and refuse unknown variables, so this is rare.
//!
//! **Delivery guarantees.** [`deliver_due`] hands each due row to the transport and marks
//! it sent only after the server accepted it (in its own short transaction). A crash or
//! `kill -9` between the server's acceptance and that mark leaves the row queued, so the
//! next run sends the same message, with the same Message-ID, once more: at most one
//! duplicate, which mail clients fold by Message-ID. A message is never lost: every
//! failure stays in the row (`last_error`), retried with exponential back-off, until
//! [`MAX_ATTEMPTS`] make it dead (`notify list --dead`, revived by `notify retry`).
//! Recipients a server accepts are remembered per row, so a retry after one recipient was
//! refused writes only to those still owed the message.

mod context;
mod deliver;
mod message;
#[cfg(feature = "pdf")]
mod pdf;
mod render;
pub mod templates;
mod transport;

use jiff::Timestamp;

pub use context::{Reader, TOP_LEVEL};
pub use deliver::{deliver_due, next_try, DeliverySummary, Outbox, Outcome, MAX_ATTEMPTS};
pub use render::{reader, Job, DEFAULT_LOCALE};
pub use templates::{Kind, Templates};
pub use transport::{Mailer, Transport};

use crate::definition::{Definition, Diagnostic};
use crate::engine::CaseState;
use crate::org::Org;
use crate::store::{Db, StoreError};

#[derive(Debug, thiserror::Error)]
pub enum NotifyError {
    #[error("{0}")]
    Template(Diagnostic),
    #[error("no template {path}")]
    MissingTemplate { path: String },
    #[error("the mail server cannot be reached: {0}")]
    Unreachable(String),
    #[error("mail configuration: {0}")]
    Config(String),
    #[error("{path}: {detail}")]
    Io { path: String, detail: String },
    #[error("letter: {0}")]
    Pdf(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What a letter says; laid out as a PDF by [`letter_pdf`].
#[derive(Debug, Clone)]
pub struct Letter {
    pub letterhead: String,
    pub reference: String,
    pub address: Vec<String>,
    pub date: String,
    pub subject: String,
    pub body: String,
    pub signature: Vec<String>,
}

/// The PDF of a letter (needs the `pdf` feature).
pub fn letter_pdf(letter: &Letter) -> Result<Vec<u8>, NotifyError> {
    #[cfg(feature = "pdf")]
    {
        pdf::render(&pdf::Letter {
            letterhead: letter.letterhead.clone(),
            reference: letter.reference.clone(),
            address: letter.address.clone(),
            date: letter.date.clone(),
            subject: letter.subject.clone(),
            body: letter.body.clone(),
            signature: letter.signature.clone(),
        })
        .map_err(NotifyError::Pdf)
    }
    #[cfg(not(feature = "pdf"))]
    {
        let _ = letter;
        Err(NotifyError::Pdf(
            "this caseflow was built without the `pdf` feature".into(),
        ))
    }
}

/// Render the notifications a command just queued for `case`, in the command's
/// transaction. Returns one warning per notification that could not be rendered (it stays
/// queued with the error; see the module docs).
pub fn render_queued(
    db: &Db,
    templates: &Templates,
    def: &Definition,
    org: &Org,
    case: &CaseState,
    default_locale: &str,
    now: Timestamp,
) -> Result<Vec<String>, StoreError> {
    let rows = db.outbox_unrendered(Some(&case.id))?;
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let history = db.history(&case.id)?;
    let mut warnings = Vec::new();
    for row in rows {
        let who = reader(
            &row.recipients["to"][0],
            org,
            case,
            templates,
            default_locale,
        );
        let job = Job {
            templates,
            def,
            org,
            case,
            history: &history,
            event_seq: Some(row.event_seq),
            reader: &who,
            dated: None,
        };
        match job.mail(&row.template) {
            Ok(rendered) => db.outbox_store_rendering(row.id, &rendered, now)?,
            Err(e) => {
                db.outbox_render_failed(row.id, &e.to_string())?;
                warnings.push(format!(
                    "notification `{}` of {} stays queued unrendered: {e}",
                    row.template, case.id
                ));
            }
        }
    }
    Ok(warnings)
}

/// Compile every template of the given processes and check the names they use against
/// what the context offers (`fields.x` against the process's fields).
pub fn check(templates: &Templates, defs: &[&Definition]) -> Vec<Diagnostic> {
    let mut problems = Vec::new();
    let common = defs.first().map(|def| (templates::COMMON, *def));
    let own = defs.iter().map(|def| (def.name.as_str(), *def));
    for (dir, def) in common.into_iter().chain(own) {
        let prefix = format!("{dir}/");
        for (path, source) in templates.files.range(prefix.clone()..) {
            if !path.starts_with(&prefix) {
                break;
            }
            if path.ends_with(".txt") || path.ends_with(".html") {
                problems.extend(check_file(def, path, source));
            }
        }
    }
    problems
}

fn check_file(def: &Definition, path: &str, source: &str) -> Vec<Diagnostic> {
    let parsed = match templates::parse(path, source) {
        Ok(p) => p,
        Err(_) if path.ends_with(".html") => templates::Parsed {
            path,
            subject: "",
            subject_col: 1,
            body: source,
            body_line: 1,
        },
        Err(d) => return vec![d],
    };
    let env = templates::environment();
    let mut problems = Vec::new();
    for (part, line, col) in [
        (parsed.subject, 1, parsed.subject_col),
        (parsed.body, parsed.body_line, 1),
    ] {
        match env.template_from_named_str(path, part) {
            Ok(t) => {
                let mut names: Vec<String> = t.undeclared_variables(true).into_iter().collect();
                names.sort();
                for name in names {
                    if let Some(message) = unknown_name(def, &name) {
                        let (l, c) = part
                            .find(&name)
                            .map(|at| templates::line_col(part, at))
                            .unwrap_or((1, 1));
                        let c = if l == 1 { c + col - 1 } else { c };
                        problems.push(templates::diagnostic(path, l + line - 1, c, message));
                    }
                }
            }
            Err(e) => problems.push(templates::error_diagnostic(path, part, line, col, &e)),
        }
    }
    problems
}

/// Why a name a template uses is not in its context, if it is not.
fn unknown_name(def: &Definition, name: &str) -> Option<String> {
    const BUILTINS: &[&str] = &["range", "dict", "namespace", "debug", "loop"];
    let (top, key) = match name.split_once('.') {
        Some((top, key)) => (top, Some(key.split('.').next().unwrap_or(key))),
        None => (name, None),
    };
    if BUILTINS.contains(&top) {
        return None;
    }
    let keys: Vec<String> = match top {
        "fields" => def.fields.iter().map(|f| f.name.clone()).collect(),
        "case" => own(context::CASE_KEYS),
        "event" => own(context::EVENT_KEYS),
        "recipient" => own(context::RECIPIENT_KEYS),
        "history" | "link" => return None,
        _ => {
            return Some(format!(
                "unknown variable `{top}`; templates see {}{}",
                TOP_LEVEL.join(", "),
                crate::org::suggest(top, own(TOP_LEVEL).iter())
            ))
        }
    };
    let key = key?;
    if keys.iter().any(|k| k == key) {
        return None;
    }
    let what = if top == "fields" {
        format!("process `{}` has no field `{key}`", def.name)
    } else {
        format!("`{top}` has no `{key}`; it has {}", keys.join(", "))
    };
    Some(format!(
        "unknown variable `{top}.{key}`: {what}{}",
        crate::org::suggest(key, keys.iter())
    ))
}

fn own(names: &[&str]) -> Vec<String> {
    names.iter().map(|s| s.to_string()).collect()
}

/// The definition a stored case runs on.
pub fn case_definition(db: &Db, org: &Org, case: &CaseState) -> Result<Definition, NotifyError> {
    let row = db.version(&case.process, case.version)?;
    crate::definition::load(
        &format!("{} v{}", case.process, row.version),
        &row.source,
        Some(org),
    )
    .map_err(|d| {
        NotifyError::Template(d.into_iter().next().unwrap_or(Diagnostic {
            file: case.process.clone(),
            pos: crate::definition::Pos { line: 1, col: 1 },
            message: "the deployed definition no longer loads".into(),
        }))
    })
}
