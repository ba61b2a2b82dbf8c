//! The one error classifier: every failure becomes a message, a sysexits code and, where
//! there is something useful to say, a hint ("to fix this, ...").
//!
//! Exit codes (a contract): 0 ok, 64 usage, 65 bad data, 66 missing input, 69 service
//! unavailable, 73 cannot create output, 74 I/O error or damaged database, 75 busy/retry,
//! 77 not permitted, 78 configuration (caseflow.toml, database from a newer caseflow), 1 anything else.

use std::path::Path;

use crate::definition::Diagnostic;
use crate::engine::Refusal;
use crate::notify::NotifyError;
use crate::sheets::SheetError;
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
    Identity(#[from] crate::identity::IdentityError),
    #[error("{path} already exists ({what})")]
    WouldOverwrite { path: String, what: String },
    #[error("the stored history was altered: {count} problem{} found; the first is {first}", if *.count == 1 { "" } else { "s" })]
    Tampered {
        count: usize,
        first: String,
        /// The whole report, for `--json`.
        details: serde_json::Value,
    },
    #[error("{0}")]
    Config(#[from] crate::config::ConfigError),
    #[error("{problems} problem{} need{} fixing", if *.problems == 1 { "" } else { "s" }, if *.problems == 1 { "s" } else { "" })]
    NeedsFixing {
        problems: usize,
        /// The full report, for `--json`.
        report: serde_json::Value,
    },
    #[error("{0}")]
    Sheet(SheetError),
    #[error("{0}")]
    Notify(#[from] crate::notify::NotifyError),
}

impl From<SheetError> for CliError {
    fn from(e: SheetError) -> Self {
        match e {
            SheetError::Store(s) => CliError::Store(s),
            other => CliError::Sheet(other),
        }
    }
}

impl CliError {
    pub fn io(path: &Path, e: std::io::Error) -> CliError {
        CliError::Io {
            path: path.display().to_string(),
            detail: e.to_string(),
            // EX_NOINPUT: the input did not exist or could not be read as a file.
            not_found: matches!(
                e.kind(),
                std::io::ErrorKind::NotFound
                    | std::io::ErrorKind::PermissionDenied
                    | std::io::ErrorKind::IsADirectory
            ),
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
            CliError::Store(StoreError::ReadOnly(_)) => 73,
            CliError::Store(StoreError::DiskFull) => 74,
            CliError::Store(StoreError::Unavailable { .. }) => 69,
            CliError::Store(StoreError::NoSchema { .. }) => 66,
            CliError::Store(StoreError::TargetNotEmpty { .. }) => 73,
            CliError::Store(_) => 1,
            CliError::MissingInput { .. }
            | CliError::NoWorkspace { .. }
            | CliError::UnknownProcess { .. } => 66,
            CliError::Io {
                not_found: true, ..
            } => 66,
            CliError::Io { .. } => 74,
            CliError::CannotCreate { .. } | CliError::WouldOverwrite { .. } => 73,
            CliError::Tampered { .. } => 65,
            CliError::Identity(_) => 77,
            CliError::Config(_) => 78,
            CliError::NeedsFixing { .. } => 1,
            CliError::Sheet(SheetError::NotFound(_)) => 66,
            CliError::Sheet(SheetError::Usage(_)) => 64,
            CliError::Sheet(SheetError::CannotWrite { .. }) => 73,
            CliError::Sheet(_) => 65,
            CliError::Notify(e) => notify_code(e),
        }
    }

    /// Structured detail for `--json` output (the `details` key), when there is more to say.
    pub fn details(&self) -> Option<&serde_json::Value> {
        match self {
            CliError::Tampered { details, .. } => Some(details),
            _ => None,
        }
    }

    /// Lines a script may want one by one (bad cells of an import).
    pub fn error_lines(&self) -> Option<&[String]> {
        match self {
            CliError::Sheet(e) => e.details(),
            _ => None,
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
            CliError::Store(StoreError::DiskFull) => Some(
                "free space on the disk holding the workspace, then run the command again".into(),
            ),
            CliError::Store(StoreError::ReadOnly(_))
            | CliError::Store(StoreError::CannotOpen { .. }) => Some(
                "check that the workspace folder exists and that you may read and write it (caseflow.db and its -wal and -shm files); check the mount and the permissions".into(),
            ),
            CliError::Store(StoreError::Unavailable { .. }) => Some(
                "check that the PostgreSQL server is running and that database.url (caseflow.toml) or CASEFLOW_DATABASE_URL is right; `caseflow config` shows which is used".into(),
            ),
            CliError::Store(StoreError::TargetNotEmpty { .. }) => Some(
                "copy into an empty database, or add --force to replace everything in it".into(),
            ),
            CliError::Store(StoreError::NoSchema { .. }) => Some(
                "run `caseflow init` with this database.url to create the workspace, or `caseflow migrate-store --to URL` to copy a SQLite workspace there".into(),
            ),
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
            CliError::Identity(crate::identity::IdentityError::UnknownAccount { os_user }) => {
                Some(format!("add `os_user: {os_user}` to your entry in org.yaml (ask an admin)"))
            }
            CliError::Identity(crate::identity::IdentityError::NotAdmin { .. }) => Some(
                "run the command as yourself (without --as), or ask a member of admins".into(),
            ),
            CliError::WouldOverwrite { .. } => {
                Some("add --force to replace it, or choose another file".into())
            }
            CliError::Tampered { .. } => Some(
                "restore the last backup whose `caseflow audit verify` passes, and find out who changed caseflow.db outside caseflow".into(),
            ),
            CliError::Config(_) => Some(
                "fix caseflow.toml, the CASEFLOW_* variable or the --config flag; `caseflow config` lists the keys"
                    .into(),
            ),
            CliError::Store(StoreError::DuplicateRef { case, .. }) => Some(format!(
                "that reference is taken; see `caseflow show {case}`, or give another --ref"
            )),
            CliError::Store(StoreError::Sql(_) | StoreError::Postgres(_) | StoreError::Decode(_)) => Some(
                "run `caseflow doctor`; if this persists, restore the last good backup (`caseflow restore`)".into(),
            ),
            CliError::BadValue { field, expected, .. } => {
                Some(format!("give `{field}` as {expected}"))
            }
            CliError::MissingInput { .. } | CliError::Io { not_found: true, .. } => {
                Some("check the path (relative paths start at the current folder)".into())
            }
            CliError::CannotCreate { .. } => {
                Some("choose another place, or check its permissions and free space".into())
            }
            CliError::Usage(_) => Some("`caseflow help COMMAND` shows its options and examples".into()),
            CliError::NeedsFixing { .. } => {
                Some("each row above says what to do; run `caseflow doctor` again after".into())
            }
            CliError::Definitions(_) => {
                Some("fix the lines above and run `caseflow check` again".into())
            }
            CliError::Sheet(SheetError::Rows { .. }) => Some(
                "fix the cells named above and run it again, or add --skip-invalid to take the good rows and get the bad ones in a rejects file".into(),
            ),
            CliError::Sheet(SheetError::Columns(_)) => Some(
                "rename the columns, or map them with --map \"Column=field\"; `caseflow show` of a case lists the field names".into(),
            ),
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
