//! The one error classifier: every failure becomes a message, a sysexits code and, where
//! there is something useful to say, a hint ("to fix this, ...").
//!
//! Exit codes (a contract): 0 ok, 64 usage, 65 bad data, 66 missing input, 69 service
//! unavailable, 73 cannot create output, 74 I/O error or damaged database, 75 busy/retry,
//! 77 not permitted, 78 configuration (database from a newer caseflow), 1 anything else.

use std::path::Path;

use crate::definition::Diagnostic;
use crate::engine::Refusal;
use crate::notify::NotifyError;
use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error("{0}")]
    Usage(String),
    #[error("{}", render_diagnostics(.0))]
    Definitions(Vec<Diagnostic>),
    #[error("{0}")]
    Refused(#[from] Refusal),
    #[error("{0}")]
    Store(#[from] StoreError),
    #[error("field `{field}`: {given:?} is not {expected}")]
    BadValue {
        field: String,
        given: String,
        expected: String,
    },
    #[error("{what} does not exist")]
    MissingInput { what: String },
    #[error("`{name}` is neither a definition file nor a deployed process{suggestion}")]
    UnknownProcess { name: String, suggestion: String },
    #[error("{path} is not a caseflow workspace (no caseflow.db)")]
    NoWorkspace { path: String },
    #[error("{path}: {detail}")]
    Io {
        path: String,
        detail: String,
        not_found: bool,
    },
    #[error("cannot create {path}: {detail}")]
    CannotCreate { path: String, detail: String },
    #[error("{0}")]
    BadData(String),
    #[error("{0}")]
    Notify(#[from] crate::notify::NotifyError),
}

impl CliError {
    pub fn io(path: &Path, e: std::io::Error) -> CliError {
        CliError::Io {
            path: path.display().to_string(),
            detail: e.to_string(),
            not_found: e.kind() == std::io::ErrorKind::NotFound,
        }
    }

    /// The sysexits code for this error.
    pub fn exit_code(&self) -> u8 {
        match self {
            CliError::Usage(_) => 64,
            CliError::Definitions(_) | CliError::BadValue { .. } | CliError::BadData(_) => 65,
            CliError::Refused(r) if r.is_permission() => 77,
            CliError::Refused(_) => 65,
            CliError::Store(StoreError::Busy) => 75,
            CliError::Store(StoreError::NoSuchCase(_) | StoreError::NoSuchProcess { .. }) => 66,
            CliError::Store(StoreError::DuplicateRef { .. }) => 65,
            CliError::Store(StoreError::Corrupt { .. } | StoreError::CannotOpen { .. }) => 74,
            CliError::Store(StoreError::NewerSchema { .. }) => 78,
            CliError::Store(_) => 1,
            CliError::MissingInput { .. }
            | CliError::NoWorkspace { .. }
            | CliError::UnknownProcess { .. } => 66,
            CliError::Io {
                not_found: true, ..
            } => 66,
            CliError::Io { .. } => 74,
            CliError::CannotCreate { .. } => 73,
            CliError::Notify(e) => notify_code(e),
        }
    }

    /// What to do about it.
    pub fn hint(&self) -> Option<String> {
        match self {
            CliError::Refused(r) => r.hint(),
            CliError::Store(StoreError::Busy) => Some(
                "retry in a moment; another command held the database longer than the busy timeout"
                    .into(),
            ),
            CliError::Store(StoreError::NoSuchCase(_)) => {
                Some("run `caseflow list` to see the cases".into())
            }
            CliError::Store(StoreError::NoSuchProcess { .. }) => Some(
                "run `caseflow processes` to see what is deployed, or `caseflow deploy`".into(),
            ),
            CliError::Store(StoreError::NewerSchema { .. }) => {
                Some("use the newer caseflow, or restore a backup made by this version".into())
            }
            CliError::Store(StoreError::Corrupt { .. }) => {
                Some("restore the workspace's caseflow.db from a backup".into())
            }
            CliError::UnknownProcess { .. } => Some(
                "run `caseflow processes` to see what is deployed, or give the path of a .yaml file"
                    .into(),
            ),
            CliError::NoWorkspace { .. } => Some(
                "run `caseflow init` there, or point --workspace / CASEFLOW_WORKSPACE at one"
                    .into(),
            ),
            CliError::Definitions(_) => {
                Some("fix the lines above and run `caseflow check` again".into())
            }
            CliError::Notify(NotifyError::Unreachable(_)) => Some(
                "nothing was lost: the messages stay queued; run `caseflow notify send` again when the server is back".into(),
            ),
            CliError::Notify(NotifyError::MissingTemplate { .. }) => {
                Some("add the template file (see docs/notifications.md)".into())
            }
            CliError::Notify(NotifyError::Template(_)) => {
                Some("fix the template and run `caseflow check`".into())
            }
            _ => None,
        }
    }
}

fn notify_code(e: &NotifyError) -> u8 {
    match e {
        NotifyError::Template(_) => 65,
        NotifyError::MissingTemplate { .. } => 66,
        NotifyError::Unreachable(_) => 69,
        NotifyError::Config(_) => 78,
        NotifyError::Io { .. } => 74,
        NotifyError::Pdf(_) => 1,
        NotifyError::Store(StoreError::Busy) => 75,
        NotifyError::Store(StoreError::NoSuchCase(_) | StoreError::NoSuchProcess { .. }) => 66,
        NotifyError::Store(_) => 1,
    }
}

fn render_diagnostics(diagnostics: &[Diagnostic]) -> String {
    let lines: Vec<String> = diagnostics.iter().map(ToString::to_string).collect();
    let count = diagnostics.len();
    format!(
        "{}\n{count} error{} found",
        lines.join("\n"),
        if count == 1 { "" } else { "s" }
    )
}
