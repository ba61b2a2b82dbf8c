//! The case store: the only module that speaks SQL.
//!
//! Two databases, one store: SQLite (the default, one file in the workspace; `lite.rs`) and
//! PostgreSQL (for teams on several machines; `pg.rs`). One [`Store::open`] or
//! [`Store::open_postgres`] connects and migrates. Every writing command runs inside
//! [`Store::write`], one transaction holding the database's write lock, so concurrent
//! operators and cron queue instead of failing half-way. Every query is written once, in SQL
//! both databases accept, through `sql.rs`; the engine and CLI never see which one it is.

pub mod admin;
mod audit;
mod backup;
mod copy;
mod lite;
mod outbox;
mod pg;
mod reports;
mod schema;
mod settings;
mod sheets;
pub(crate) mod sql;
mod timers;

pub use audit::{AuditReport, Break};
pub use backup::Copied;
pub use copy::Verified;
pub use settings::TEAM;
pub use sheets::CaseIds;
pub use timers::{Deadline, TickLock};

pub use outbox::{OutboxFilter, OutboxRow, Rendered};

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use jiff::Timestamp;
use rusqlite::{ErrorCode, TransactionBehavior};

pub use pg::redact as redact_url;
pub use sql::Dialect;
use sql::{args, Conn, PgConn, Row};

use crate::definition::{Definition, Role};
use crate::engine::{Assignee, CaseState, Change, Decision, Event, Facts, Notification};
use crate::time::format_timestamp;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("the database is busy (another caseflow is writing) and stayed busy past the timeout")]
    Busy,
    #[error("{path} is not a caseflow database or is damaged: {detail}")]
    Corrupt { path: String, detail: String },
    #[error(
        "{path} was written by a newer caseflow (schema {found}, this build knows up to {known})"
    )]
    NewerSchema {
        path: String,
        found: i64,
        known: i64,
    },
    #[error("no case {0}")]
    NoSuchCase(String),
    #[error("no process `{name}` is deployed{suggestion}")]
    NoSuchProcess { name: String, suggestion: String },
    #[error("cannot open the database {path}: {detail}")]
    CannotOpen { path: String, detail: String },
    #[error("a case with reference `{reference}` already exists in {process}: {case}")]
    DuplicateRef {
        process: String,
        reference: String,
        case: String,
    },
    #[error("the disk holding the database is full; nothing was written")]
    DiskFull,
    #[error("the database cannot be written: the workspace is read-only ({0})")]
    ReadOnly(String),
    #[error("database error: {0}")]
    Sql(rusqlite::Error),
    #[error("PostgreSQL error: {}", pg::message(.0))]
    Postgres(postgres::Error),
    #[error("cannot reach the PostgreSQL database {url}: {detail}")]
    Unavailable { url: String, detail: String },
    #[error("the PostgreSQL database {url} holds no caseflow workspace yet")]
    NoSchema { url: String },
    #[error("the target database is not empty ({rows} rows)")]
    TargetNotEmpty { rows: i64 },
    #[error("stored data could not be read: {0}")]
    Decode(String),
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        match e.sqlite_error_code() {
            Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => StoreError::Busy,
            Some(ErrorCode::DatabaseCorrupt | ErrorCode::NotADatabase) => StoreError::Corrupt {
                path: "the database".into(),
                detail: e.to_string(),
            },
            Some(ErrorCode::DiskFull) => StoreError::DiskFull,
            Some(ErrorCode::ReadOnly) => StoreError::ReadOnly(e.to_string()),
            Some(ErrorCode::CannotOpen) => StoreError::CannotOpen {
                path: "the database".into(),
                detail: e.to_string(),
            },
            _ => StoreError::Sql(e),
        }
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// The connection a [`Store`] owns.
enum Backend {
    Sqlite(rusqlite::Connection),
    Postgres(Box<PgConn>),
}

/// An open database.
pub struct Store {
    backend: Backend,
    /// In a team workspace, the person really at the keyboard when acting for someone else:
    /// every event this store writes records "operator as actor".
    operator: Option<String>,
}

/// A deployed definition version.
#[derive(Debug, Clone)]
pub struct VersionRow {
    pub name: String,
    pub version: i64,
    pub title: String,
    pub source: String,
    pub hash: String,
}

/// The bytes of a file attached by this command.
pub struct FileBytes {
    pub sha256: String,
    pub bytes: Vec<u8>,
}

/// Filters shared by `list`, exports and reports.
#[derive(Debug, Clone, Default)]
pub struct CaseFilter {
    pub process: Option<String>,
    pub step: Option<String>,
    /// A person or group; a person also matches tasks of their groups when `with_groups` is set.
    pub assignee: Option<String>,
    pub assignee_groups: Vec<String>,
    pub status: Option<String>,
    pub priority: Option<String>,
    pub fields: Vec<(String, String)>,
    pub opened_since: Option<Timestamp>,
    pub limit: Option<usize>,
}

/// What `history` shows of one event.
#[derive(Debug, Clone, serde::Serialize)]
pub struct EventRow {
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub kind: String,
    pub action: Option<String>,
    pub from_steps: Vec<String>,
    pub to_steps: Vec<String>,
    pub comment: Option<String>,
    pub note: Option<String>,
    pub changes: serde_json::Value,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct AttachmentRow {
    pub id: i64,
    pub name: String,
    pub kind: Option<String>,
    pub sha256: String,
    pub size: i64,
}

/// A notification queued in the outbox for a case, as `show` lists it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct NotificationRow {
    /// The `seq` of the event that queued it.
    pub event: i64,
    pub template: String,
    /// `[{"person": …, "address": …}]`
    pub to: serde_json::Value,
    pub cc: serde_json::Value,
    pub status: String,
    pub attempts: i64,
    pub message_id: String,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct ProcessSummary {
    pub name: String,
    pub title: String,
    pub latest_version: i64,
    /// Open cases per version, oldest version first.
    pub open_by_version: BTreeMap<i64, i64>,
}

impl Store {
    /// Open (creating if needed) and migrate the SQLite database at `path`.
    pub fn open(path: &Path, busy_timeout: Duration) -> Result<Store> {
        Ok(Store {
            backend: Backend::Sqlite(lite::open(path, busy_timeout)?),
            operator: None,
        })
    }

    /// Connect to the PostgreSQL database at `url` and migrate it; `create: false` refuses a
    /// database that has no caseflow schema yet (nothing was initialised there).
    pub fn open_postgres(url: &str, busy_timeout: Duration, create: bool) -> Result<Store> {
        Ok(Store {
            backend: Backend::Postgres(Box::new(pg::open(url, busy_timeout, create)?)),
            operator: None,
        })
    }

    /// Which database this is.
    pub fn dialect(&self) -> Dialect {
        self.read().dialect()
    }

    /// Run `f` in one write transaction; commit if it returns Ok.
    pub fn write<T, E: From<StoreError>>(
        &mut self,
        f: impl FnOnce(&Db) -> std::result::Result<T, E>,
    ) -> std::result::Result<T, E> {
        self.write_if(|db| f(db).map(|t| (t, true)))
    }

    /// Run `f` in one write transaction; commit if it returns `Ok((_, true))`, roll back if it
    /// returns `Ok((_, false))` (a dry run) or an error. SQLite takes the database's write
    /// lock (`BEGIN IMMEDIATE`); PostgreSQL takes caseflow's transaction-level advisory lock
    /// (see `pg.rs`), so both run writers one at a time with the same guarantees.
    pub fn write_if<T, E: From<StoreError>>(
        &mut self,
        f: impl FnOnce(&Db) -> std::result::Result<(T, bool), E>,
    ) -> std::result::Result<T, E> {
        let operator = self.operator.as_deref();
        match &mut self.backend {
            Backend::Sqlite(conn) => {
                let tx = conn
                    .transaction_with_behavior(TransactionBehavior::Immediate)
                    .map_err(StoreError::from)?;
                let db = Db {
                    conn: Conn::Sqlite(&tx),
                    operator,
                };
                let (result, commit) = f(&db)?;
                if commit {
                    tx.commit().map_err(StoreError::from)?;
                } else {
                    tx.rollback().map_err(StoreError::from)?;
                }
                Ok(result)
            }
            Backend::Postgres(pg) => {
                pg::begin_write(pg)?;
                let db = Db {
                    conn: Conn::Postgres(pg),
                    operator,
                };
                match f(&db) {
                    Ok((result, commit)) => {
                        pg.batch(if commit { "COMMIT" } else { "ROLLBACK" })?;
                        Ok(result)
                    }
                    Err(e) => {
                        let _ = pg.batch("ROLLBACK");
                        Err(e)
                    }
                }
            }
        }
    }

    /// Record `operator` (the person acting for someone else) on every event written.
    pub fn set_operator(&mut self, operator: Option<String>) {
        self.operator = operator;
    }

    /// Read-only access (each query sees a consistent snapshot of its own).
    pub fn read(&self) -> Db<'_> {
        Db {
            conn: match &self.backend {
                Backend::Sqlite(conn) => Conn::Sqlite(conn),
                Backend::Postgres(pg) => Conn::Postgres(pg),
            },
            operator: self.operator.as_deref(),
        }
    }
}

/// Queries and writes, inside a transaction or not.
pub struct Db<'c> {
    conn: Conn<'c>,
    operator: Option<&'c str>,
}

impl Db<'_> {
    // ---- definitions --------------------------------------------------------------------

    pub fn latest_version(&self, name: &str) -> Result<Option<VersionRow>> {
        self.row(
            "SELECT name, version, title, source, hash FROM process_versions WHERE name = ?1 ORDER BY version DESC LIMIT 1",
            args![name],
            version_row,
        )
    }

    pub fn version(&self, name: &str, version: i64) -> Result<VersionRow> {
        self.row(
            "SELECT name, version, title, source, hash FROM process_versions WHERE name = ?1 AND version = ?2",
            args![name, version],
            version_row,
        )?
        .ok_or_else(|| StoreError::NoSuchProcess {
            name: format!("{name}` version `{version}"),
            suggestion: String::new(),
        })
    }

    /// Store a new version; returns its number.
    pub fn insert_version(
        &self,
        name: &str,
        title: &str,
        source: &str,
        hash: &str,
        now: Timestamp,
    ) -> Result<i64> {
        let next: i64 = self.value(
            "SELECT COALESCE(MAX(version), 0) + 1 FROM process_versions WHERE name = ?1",
            args![name],
        )?;
        self.exec(
            "INSERT INTO process_versions (name, version, title, source, hash, deployed_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            args![name, next, title, source, hash, format_timestamp(now)],
        )?;
        Ok(next)
    }

    pub fn processes(&self) -> Result<Vec<ProcessSummary>> {
        let mut out = self.rows(
            "SELECT v.name, v.title, v.version FROM process_versions v
             WHERE v.version = (SELECT MAX(version) FROM process_versions w WHERE w.name = v.name) ORDER BY v.name",
            args![],
            |r| {
                Ok(ProcessSummary {
                    name: r.get(0)?,
                    title: r.get(1)?,
                    latest_version: r.get(2)?,
                    open_by_version: BTreeMap::new(),
                })
            },
        )?;
        let counts = self.rows(
            "SELECT process, version, COUNT(*) FROM cases WHERE status = 'open' GROUP BY process, version",
            args![],
            |r| Ok((r.get::<String>(0)?, r.get::<i64>(1)?, r.get::<i64>(2)?)),
        )?;
        for (process, version, count) in counts {
            if let Some(p) = out.iter_mut().find(|p| p.name == process) {
                p.open_by_version.insert(version, count);
            }
        }
        Ok(out)
    }

    // ---- ids ----------------------------------------------------------------------------

    /// Next value of a named sequence (never reused, never `max()+1`).
    pub fn next_in_sequence(&self, name: &str) -> Result<i64> {
        self.value(
            "INSERT INTO sequences (name, value) VALUES (?1, 1) ON CONFLICT (name) DO UPDATE SET value = sequences.value + 1 RETURNING value",
            args![name],
        )
    }

    /// `EXP-2026-0001`: per prefix and year.
    pub fn next_case_id(&self, prefix: &str, year: i16) -> Result<String> {
        let n = self.next_in_sequence(&format!("case:{prefix}-{year}"))?;
        Ok(format!("{prefix}-{year}-{n:04}"))
    }

    fn set_sequence(&self, name: &str, last: i64) -> Result<()> {
        self.exec(
            "INSERT INTO sequences (name, value) VALUES (?1, ?2) ON CONFLICT (name) DO UPDATE SET value = excluded.value",
            args![name, last],
        )?;
        Ok(())
    }

    // ---- cases --------------------------------------------------------------------------

    pub fn load_case(&self, id: &str) -> Result<CaseState> {
        let state: String = self
            .row("SELECT state FROM cases WHERE id = ?1", args![id], |r| {
                r.get(0)
            })?
            .ok_or_else(|| StoreError::NoSuchCase(id.to_string()))?;
        serde_json::from_str(&state).map_err(|e| StoreError::Decode(format!("case {id}: {e}")))
    }

    pub fn case_by_ref(&self, process: &str, reference: &str) -> Result<Option<String>> {
        self.row(
            "SELECT id FROM cases WHERE process = ?1 AND external_ref = ?2",
            args![process, reference],
            |r| r.get(0),
        )
    }

    /// Store what a decision did: the case, its events and notifications, and the sequence
    /// numbers it used.
    pub fn record(&self, decision: &Decision, files: &[FileBytes], now: Timestamp) -> Result<()> {
        self.save_case(
            &decision.case,
            &decision.events,
            &decision.notifications,
            files,
            now,
        )?;
        for (key, last) in &decision.sequences {
            self.set_sequence(key, *last)?;
        }
        Ok(())
    }

    /// What a decision on `def` may need from beyond the case, as of `now`.
    pub fn facts(&self, def: &Definition, now: Timestamp) -> Result<Facts> {
        let mut facts = Facts::default();
        let year = crate::time::year_of(now);
        for sequence in def.sequences.values() {
            let key = sequence.key(year);
            let value: Option<i64> = self.row(
                "SELECT value FROM sequences WHERE name = ?1",
                args![key],
                |r| r.get(0),
            )?;
            facts.sequences.insert(key, value.unwrap_or(0));
        }
        if def
            .roles
            .values()
            .any(|r| matches!(r, Role::LeastLoaded(_)))
        {
            let load = self.rows(
                "SELECT assignee, count(*) FROM tasks WHERE assignee_kind = 'person' GROUP BY assignee",
                args![],
                |r| Ok((r.get::<String>(0)?, r.get::<i64>(1)?)),
            )?;
            for (person, count) in load {
                facts
                    .workload
                    .insert(person, usize::try_from(count).unwrap_or(0));
            }
        }
        Ok(facts)
    }

    pub fn save_case(
        &self,
        case: &CaseState,
        events: &[Event],
        notifications: &[Notification],
        files: &[FileBytes],
        now: Timestamp,
    ) -> Result<()> {
        let state = serde_json::to_string(case).map_err(|e| StoreError::Decode(e.to_string()))?;
        let last_seq: i64 = self
            .row(
                "SELECT last_seq FROM cases WHERE id = ?1",
                args![case.id],
                |r| r.get(0),
            )?
            .unwrap_or(0);
        let new_seq = last_seq + events.len() as i64;
        let closed_at = case.closed_at.map(format_timestamp);
        if last_seq == 0 {
            if let Some(reference) = &case.external_ref {
                if let Some(existing) = self.case_by_ref(&case.process, reference)? {
                    return Err(StoreError::DuplicateRef {
                        process: case.process.clone(),
                        reference: reference.clone(),
                        case: existing,
                    });
                }
            }
            self.exec(
                "INSERT INTO cases (id, process, version, status, outcome, priority, state, opened_by, opened_at, closed_at, updated_at, external_ref, last_seq)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
                args![
                    case.id,
                    case.process,
                    case.version,
                    status_text(case),
                    case.outcome,
                    case.priority.as_str(),
                    state,
                    case.opened_by,
                    format_timestamp(case.opened_at),
                    closed_at,
                    format_timestamp(now),
                    case.external_ref,
                    new_seq
                ],
            )?;
        } else {
            self.exec(
                "UPDATE cases SET status = ?2, outcome = ?3, priority = ?4, state = ?5, closed_at = ?6, updated_at = ?7, last_seq = ?8 WHERE id = ?1",
                args![case.id, status_text(case), case.outcome, case.priority.as_str(), state, closed_at, format_timestamp(now), new_seq],
            )?;
        }
        self.save_tasks(case)?;
        self.save_timers(case)?;
        let mut last_event_id = 0;
        let mut prev_hash = self.chain_head(&case.id, last_seq)?;
        for (i, event) in events.iter().enumerate() {
            let seq = last_seq + 1 + i as i64;
            (last_event_id, prev_hash) = self.insert_event(&case.id, seq, event, &prev_hash)?;
            for change in &event.changes {
                if let Change::Attached { attachment } = change {
                    let bytes = files
                        .iter()
                        .find(|f| f.sha256 == attachment.sha256)
                        .map(|f| f.bytes.as_slice())
                        .unwrap_or_default();
                    self.exec(
                        "INSERT INTO attachments (case_id, event_id, kind, name, sha256, size, bytes) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                        args![case.id, last_event_id, attachment.kind, attachment.name, attachment.sha256, attachment.size, bytes],
                    )?;
                }
            }
        }
        for (n, notification) in notifications.iter().enumerate() {
            let recipients = serde_json::to_string(notification)
                .map_err(|e| StoreError::Decode(e.to_string()))?;
            let message_id = format!("<{}.{}.{}@caseflow>", case.id, new_seq, n + 1);
            self.exec(
                "INSERT INTO outbox (case_id, event_id, template, recipients, created_at, next_try_at, message_id) VALUES (?1, ?2, ?3, ?4, ?5, ?5, ?6)",
                args![case.id, last_event_id, notification.template, recipients, format_timestamp(now), message_id],
            )?;
        }
        Ok(())
    }

    /// The case's open tasks and side tasks, as rows `list --mine` and routing can query.
    fn save_tasks(&self, case: &CaseState) -> Result<()> {
        self.exec("DELETE FROM tasks WHERE case_id = ?1", args![case.id])?;
        let steps = case
            .tasks
            .iter()
            .map(|t| (t.id, &t.step, &t.assignee, t.entered_at, "step"));
        let sides = case
            .side_tasks
            .iter()
            .map(|s| (s.id, &s.step, &s.assignee, s.opened_at, s.kind.as_str()));
        for (id, step, assignee, entered_at, kind) in steps.chain(sides) {
            let (assignee_kind, who) = match assignee {
                Assignee::Person(p) => ("person", p),
                Assignee::Group(g) => ("group", g),
            };
            self.exec(
                "INSERT INTO tasks (case_id, task, step, assignee_kind, assignee, entered_at, kind) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                args![case.id, id, step, assignee_kind, who, format_timestamp(entered_at), kind],
            )?;
        }
        Ok(())
    }

    /// Append one event chained to `prev_hash`; returns its row id and its own hash.
    fn insert_event(
        &self,
        case_id: &str,
        seq: i64,
        event: &Event,
        prev_hash: &str,
    ) -> Result<(i64, String)> {
        let json = |v: &dyn erased::Json| v.to_json_string();
        let note = match (self.operator, &event.note) {
            (Some(operator), Some(note)) => Some(format!("{operator} as {}; {note}", event.actor)),
            (Some(operator), None) => Some(format!("{operator} as {}", event.actor)),
            (None, note) => note.clone(),
        };
        let (at, from_steps, to_steps, changes) = (
            format_timestamp(event.at),
            json(&event.from_steps),
            json(&event.to_steps),
            json(&event.changes),
        );
        let hash = audit::event_hash(
            prev_hash,
            &audit::HashedColumns {
                case_id,
                seq,
                at: &at,
                actor: &event.actor,
                kind: event.kind.as_str(),
                action: event.action.as_deref(),
                from_steps: &from_steps,
                to_steps: &to_steps,
                comment: event.comment.as_deref(),
                note: note.as_deref(),
                changes: &changes,
            },
        );
        let id: i64 = self.value(
            "INSERT INTO events (case_id, seq, at, actor, kind, action, from_steps, to_steps, comment, note, changes, prev_hash, hash)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13) RETURNING id",
            args![
                case_id,
                seq,
                at,
                event.actor,
                event.kind.as_str(),
                event.action,
                from_steps,
                to_steps,
                event.comment,
                note,
                changes,
                prev_hash,
                hash
            ],
        )?;
        Ok((id, hash))
    }

    pub fn history(&self, id: &str) -> Result<Vec<EventRow>> {
        self.load_case(id)?;
        self.rows(
            "SELECT seq, at, actor, kind, action, from_steps, to_steps, comment, note, changes FROM events WHERE case_id = ?1 ORDER BY seq",
            args![id],
            |r| event_row(r, 0),
        )
    }

    pub fn attachments(&self, id: &str) -> Result<Vec<AttachmentRow>> {
        self.rows(
            "SELECT id, name, kind, sha256, size FROM attachments WHERE case_id = ?1 ORDER BY id",
            args![id],
            |r| {
                Ok(AttachmentRow {
                    id: r.get(0)?,
                    name: r.get(1)?,
                    kind: r.get(2)?,
                    sha256: r.get(3)?,
                    size: r.get(4)?,
                })
            },
        )
    }

    /// The notifications queued for a case, oldest first.
    pub fn notifications(&self, id: &str) -> Result<Vec<NotificationRow>> {
        self.rows(
            "SELECT e.seq, o.template, o.recipients, o.status, o.attempts, o.message_id
             FROM outbox o JOIN events e ON e.id = o.event_id WHERE o.case_id = ?1 ORDER BY o.id",
            args![id],
            |r| {
                let recipients: serde_json::Value =
                    serde_json::from_str(&r.get::<String>(2)?).unwrap_or_default();
                Ok(NotificationRow {
                    event: r.get(0)?,
                    template: r.get(1)?,
                    to: recipients["to"].clone(),
                    cc: recipients["cc"].clone(),
                    status: r.get(3)?,
                    attempts: r.get(4)?,
                    message_id: r.get(5)?,
                })
            },
        )
    }

    /// Cases matching a filter, oldest first (stable: by opening time, then id).
    pub fn list_cases(&self, filter: &CaseFilter) -> Result<Vec<CaseState>> {
        let mut out = Vec::new();
        self.each_case(filter, |case| {
            out.push(case);
            Ok(())
        })?;
        Ok(out)
    }
}

/// An [`EventRow`] from the ten columns `seq, at, actor, kind, action, from_steps, to_steps,
/// comment, note, changes` starting at `first`.
fn event_row(r: &Row, first: usize) -> Result<EventRow> {
    let list = |s: String| serde_json::from_str::<Vec<String>>(&s).unwrap_or_default();
    Ok(EventRow {
        seq: r.get(first)?,
        at: r.get(first + 1)?,
        actor: r.get(first + 2)?,
        kind: r.get(first + 3)?,
        action: r.get(first + 4)?,
        from_steps: list(r.get(first + 5)?),
        to_steps: list(r.get(first + 6)?),
        comment: r.get(first + 7)?,
        note: r.get(first + 8)?,
        changes: serde_json::from_str(&r.get::<String>(first + 9)?)
            .unwrap_or(serde_json::Value::Null),
    })
}

/// The SQL (selecting `columns` of `cases c`) and its arguments for a filter, oldest first;
/// shared by `list`, exports and reports.
fn case_query(dialect: Dialect, filter: &CaseFilter, columns: &str) -> (String, Vec<String>) {
    let mut sql = format!("SELECT {columns} FROM cases c WHERE 1 = 1");
    let mut args: Vec<String> = Vec::new();
    let mut arg = |sql: &mut String, clause: &str, value: String| {
        args.push(value);
        sql.push_str(&clause.replace('?', &format!("?{}", args.len())));
    };
    if let Some(p) = &filter.process {
        arg(&mut sql, " AND c.process = ?", p.clone());
    }
    if let Some(s) = &filter.status {
        arg(&mut sql, " AND c.status = ?", s.clone());
    }
    if let Some(p) = &filter.priority {
        arg(&mut sql, " AND c.priority = ?", p.clone());
    }
    if let Some(t) = filter.opened_since {
        arg(&mut sql, " AND c.opened_at >= ?", format_timestamp(t));
    }
    if let Some(step) = &filter.step {
        arg(
            &mut sql,
            " AND c.id IN (SELECT t.case_id FROM tasks t WHERE t.step = ?)",
            step.clone(),
        );
    }
    if let Some(who) = &filter.assignee {
        // `c.id IN (tasks of these assignees)`: the planner starts from `tasks_by_assignee`, so
        // `list --mine` costs the size of the queue, not of the database.
        let mut clause = String::from(" AND c.id IN (SELECT t.case_id FROM tasks t WHERE ((t.assignee_kind = 'person' AND t.assignee = ?)");
        args.push(who.clone());
        clause = clause.replace('?', &format!("?{}", args.len()));
        for group in &filter.assignee_groups {
            args.push(group.clone());
            clause.push_str(&format!(
                " OR (t.assignee_kind = 'group' AND t.assignee = ?{})",
                args.len()
            ));
        }
        clause.push_str("))");
        sql.push_str(&clause);
    }
    for (name, value) in &filter.fields {
        let field = match dialect {
            Dialect::Sqlite => {
                args.push(format!("$.fields.{name}"));
                format!("CAST(json_extract(c.state, ?{}) AS TEXT)", args.len())
            }
            Dialect::Postgres => {
                args.push(format!("{{fields,{name}}}"));
                format!(
                    "(CAST(c.state AS jsonb) #>> CAST(CAST(?{} AS TEXT) AS TEXT[]))",
                    args.len()
                )
            }
        };
        args.push(value.clone());
        sql.push_str(&format!(" AND lower({field}) = lower(?{})", args.len()));
    }
    sql.push_str(" ORDER BY c.opened_at, c.id");
    if let Some(limit) = filter.limit {
        sql.push_str(&format!(" LIMIT {limit}"));
    }
    (sql, args)
}

fn status_text(case: &CaseState) -> &'static str {
    if case.is_open() {
        "open"
    } else {
        "closed"
    }
}

fn version_row(r: &Row) -> Result<VersionRow> {
    Ok(VersionRow {
        name: r.get(0)?,
        version: r.get(1)?,
        title: r.get(2)?,
        source: r.get(3)?,
        hash: r.get(4)?,
    })
}

mod erased {
    pub trait Json {
        fn to_json_string(&self) -> String;
    }
    impl<T: serde::Serialize> Json for T {
        fn to_json_string(&self) -> String {
            serde_json::to_string(self).unwrap_or_else(|_| "null".into())
        }
    }
}
