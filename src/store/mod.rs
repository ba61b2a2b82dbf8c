//! The case store: the only module that speaks SQL.
//!
//! One [`Store::open`] sets the pragmas (WAL, foreign keys, busy timeout) and migrates.
//! Every writing command runs inside [`Store::write`], one `BEGIN IMMEDIATE` transaction,
//! so concurrent operators and cron queue for the write lock instead of failing half-way.
//! The API is deliberately narrow (versions, ids, load/save a case, a few queries) so that
//! a PostgreSQL store can offer the same functions without the engine or CLI changing.

pub mod admin;
mod audit;
mod backup;
mod outbox;
mod reports;
mod schema;
mod settings;
mod sheets;
mod timers;

pub use audit::{AuditReport, Break};
pub use backup::Copied;
pub use settings::TEAM;
pub use sheets::CaseIds;
pub use timers::{Deadline, TickLock};

pub use outbox::{OutboxFilter, OutboxRow, Rendered};

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use jiff::Timestamp;
use rusqlite::{params, Connection, ErrorCode, OptionalExtension, TransactionBehavior};

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

/// An open database.
pub struct Store {
    conn: Connection,
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
    /// Open (creating if needed) and migrate the database at `path`.
    pub fn open(path: &Path, busy_timeout: Duration) -> Result<Store> {
        let shown = path.display().to_string();
        let conn = Connection::open(path).map_err(|e| StoreError::CannotOpen {
            path: shown.clone(),
            detail: e.to_string(),
        })?;
        // Bulk commands reuse every statement of a case write per row.
        conn.set_prepared_statement_cache_capacity(64);
        let corrupt = |e: rusqlite::Error| match StoreError::from(e) {
            StoreError::Corrupt { detail, .. } => StoreError::Corrupt {
                path: shown.clone(),
                detail,
            },
            StoreError::CannotOpen { detail, .. } => StoreError::CannotOpen {
                path: shown.clone(),
                detail: explain_cannot_open(path, detail),
            },
            other => other,
        };
        conn.busy_timeout(busy_timeout).map_err(corrupt)?;
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(corrupt)?;
        conn.pragma_update(None, "synchronous", "NORMAL")
            .map_err(corrupt)?;
        conn.pragma_update(None, "foreign_keys", "ON")
            .map_err(corrupt)?;
        let found: i64 = conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .map_err(corrupt)?;
        if found > schema::LATEST {
            return Err(StoreError::NewerSchema {
                path: shown,
                found,
                known: schema::LATEST,
            });
        }
        let mut store = Store {
            conn,
            operator: None,
        };
        if found < schema::LATEST {
            store.migrate(&shown)?;
        }
        Ok(store)
    }

    fn migrate(&mut self, shown: &str) -> Result<()> {
        // Two first commands on a fresh workspace may race to migrate; the loser retries.
        for _ in 0..50 {
            match schema::migrations().to_latest(&mut self.conn) {
                Ok(()) => return Ok(()),
                Err(rusqlite_migration::Error::RusqliteError { err, .. })
                    if matches!(StoreError::from(err.clone_for_retry()), StoreError::Busy) =>
                {
                    std::thread::sleep(Duration::from_millis(20));
                }
                Err(e) => {
                    return Err(StoreError::Corrupt {
                        path: shown.to_string(),
                        detail: format!("migration failed: {e}"),
                    })
                }
            }
        }
        Err(StoreError::Busy)
    }

    /// Run `f` in one `BEGIN IMMEDIATE` transaction; commit if it returns Ok.
    pub fn write<T, E: From<StoreError>>(
        &mut self,
        f: impl FnOnce(&Db) -> std::result::Result<T, E>,
    ) -> std::result::Result<T, E> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(StoreError::from)?;
        let result = f(&Db {
            conn: &tx,
            operator: self.operator.as_deref(),
        })?;
        tx.commit().map_err(StoreError::from)?;
        Ok(result)
    }

    /// Record `operator` (the person acting for someone else) on every event written.
    pub fn set_operator(&mut self, operator: Option<String>) {
        self.operator = operator;
    }

    /// Read-only access (each query sees a consistent snapshot of its own).
    pub fn read(&self) -> Db<'_> {
        Db {
            conn: &self.conn,
            operator: self.operator.as_deref(),
        }
    }
}

/// SQLite says only "unable to open database file"; say why when the folder tells.
fn explain_cannot_open(path: &Path, detail: String) -> String {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    match std::fs::metadata(dir) {
        Ok(meta) if meta.permissions().readonly() => format!("{detail} (the folder is read-only)"),
        Ok(_) if probe_write(dir).is_err() => format!(
            "{detail} (the folder cannot be written: caseflow needs to create caseflow.db-wal and caseflow.db-shm next to it)"
        ),
        _ => detail,
    }
}

fn probe_write(dir: &Path) -> std::io::Result<()> {
    tempfile::tempfile_in(dir).map(drop)
}

trait CloneForRetry {
    fn clone_for_retry(&self) -> rusqlite::Error;
}

impl CloneForRetry for rusqlite::Error {
    fn clone_for_retry(&self) -> rusqlite::Error {
        match self {
            rusqlite::Error::SqliteFailure(e, m) => rusqlite::Error::SqliteFailure(*e, m.clone()),
            _ => rusqlite::Error::InvalidQuery,
        }
    }
}

/// Queries and writes, inside a transaction or not.
pub struct Db<'c> {
    conn: &'c Connection,
    operator: Option<&'c str>,
}

impl Db<'_> {
    // ---- definitions --------------------------------------------------------------------

    pub fn latest_version(&self, name: &str) -> Result<Option<VersionRow>> {
        self.conn
            .query_row(
                "SELECT name, version, title, source, hash FROM process_versions WHERE name = ?1 ORDER BY version DESC LIMIT 1",
                [name],
                version_row,
            )
            .optional()
            .map_err(Into::into)
    }

    pub fn version(&self, name: &str, version: i64) -> Result<VersionRow> {
        self.conn
            .query_row("SELECT name, version, title, source, hash FROM process_versions WHERE name = ?1 AND version = ?2", params![name, version], version_row)
            .optional()?
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
        let next: i64 = self.conn.query_row(
            "SELECT COALESCE(MAX(version), 0) + 1 FROM process_versions WHERE name = ?1",
            [name],
            |r| r.get(0),
        )?;
        self.conn.execute(
            "INSERT INTO process_versions (name, version, title, source, hash, deployed_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![name, next, title, source, hash, format_timestamp(now)],
        )?;
        Ok(next)
    }

    pub fn processes(&self) -> Result<Vec<ProcessSummary>> {
        let mut stmt = self.conn.prepare(
            "SELECT v.name, v.title, v.version FROM process_versions v
             WHERE v.version = (SELECT MAX(version) FROM process_versions w WHERE w.name = v.name) ORDER BY v.name",
        )?;
        let mut out: Vec<ProcessSummary> = stmt
            .query_map([], |r| {
                Ok(ProcessSummary {
                    name: r.get(0)?,
                    title: r.get(1)?,
                    latest_version: r.get(2)?,
                    open_by_version: BTreeMap::new(),
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        let mut counts = self.conn.prepare("SELECT process, version, COUNT(*) FROM cases WHERE status = 'open' GROUP BY process, version")?;
        let rows = counts.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, i64>(2)?,
            ))
        })?;
        for row in rows {
            let (process, version, count) = row?;
            if let Some(p) = out.iter_mut().find(|p| p.name == process) {
                p.open_by_version.insert(version, count);
            }
        }
        Ok(out)
    }

    // ---- ids ----------------------------------------------------------------------------

    /// Next value of a named sequence (never reused, never `max()+1`).
    pub fn next_in_sequence(&self, name: &str) -> Result<i64> {
        self.conn
            .query_row(
                "INSERT INTO sequences (name, value) VALUES (?1, 1) ON CONFLICT (name) DO UPDATE SET value = value + 1 RETURNING value",
                [name],
                |r| r.get(0),
            )
            .map_err(Into::into)
    }

    /// `EXP-2026-0001`: per prefix and year.
    pub fn next_case_id(&self, prefix: &str, year: i16) -> Result<String> {
        let n = self.next_in_sequence(&format!("case:{prefix}-{year}"))?;
        Ok(format!("{prefix}-{year}-{n:04}"))
    }

    // ---- cases --------------------------------------------------------------------------

    pub fn load_case(&self, id: &str) -> Result<CaseState> {
        let state: String = self
            .conn
            .query_row("SELECT state FROM cases WHERE id = ?1", [id], |r| r.get(0))
            .optional()?
            .ok_or_else(|| StoreError::NoSuchCase(id.to_string()))?;
        serde_json::from_str(&state).map_err(|e| StoreError::Decode(format!("case {id}: {e}")))
    }

    pub fn case_by_ref(&self, process: &str, reference: &str) -> Result<Option<String>> {
        self.conn
            .prepare_cached("SELECT id FROM cases WHERE process = ?1 AND external_ref = ?2")?
            .query_row([process, reference], |r| r.get(0))
            .optional()
            .map_err(Into::into)
    }

    /// Write a case's new state with the events, attachments and outbox rows of one decision.
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
        let mut update = self.conn.prepare_cached(
            "INSERT INTO sequences (name, value) VALUES (?1, ?2) ON CONFLICT (name) DO UPDATE SET value = excluded.value",
        )?;
        for (key, last) in &decision.sequences {
            update.execute(params![key, last])?;
        }
        Ok(())
    }

    /// What a decision on `def` may need from beyond the case, as of `now`.
    pub fn facts(&self, def: &Definition, now: Timestamp) -> Result<Facts> {
        let mut facts = Facts::default();
        let year = crate::time::year_of(now);
        let mut last = self
            .conn
            .prepare_cached("SELECT value FROM sequences WHERE name = ?1")?;
        for sequence in def.sequences.values() {
            let key = sequence.key(year);
            let value: Option<i64> = last.query_row([&key], |r| r.get(0)).optional()?;
            facts.sequences.insert(key, value.unwrap_or(0));
        }
        if def
            .roles
            .values()
            .any(|r| matches!(r, Role::LeastLoaded(_)))
        {
            let mut load = self.conn.prepare_cached(
                "SELECT assignee, count(*) FROM tasks WHERE assignee_kind = 'person' GROUP BY assignee",
            )?;
            let rows = load.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))?;
            for row in rows {
                let (person, count) = row?;
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
            .conn
            .prepare_cached("SELECT last_seq FROM cases WHERE id = ?1")?
            .query_row([&case.id], |r| r.get(0))
            .optional()?
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
            self.conn.prepare_cached(
                "INSERT INTO cases (id, process, version, status, outcome, priority, state, opened_by, opened_at, closed_at, updated_at, external_ref, last_seq)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
            )?.execute(
                params![
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
            self.conn.prepare_cached(
                "UPDATE cases SET status = ?2, outcome = ?3, priority = ?4, state = ?5, closed_at = ?6, updated_at = ?7, last_seq = ?8 WHERE id = ?1",
            )?.execute(
                params![case.id, status_text(case), case.outcome, case.priority.as_str(), state, closed_at, format_timestamp(now), new_seq],
            )?;
        }
        self.conn
            .prepare_cached("DELETE FROM tasks WHERE case_id = ?1")?
            .execute([&case.id])?;
        let mut insert_task = self.conn.prepare_cached(
            "INSERT INTO tasks (case_id, task, step, assignee_kind, assignee, entered_at, kind) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )?;
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
            insert_task.execute(params![
                case.id,
                id,
                step,
                assignee_kind,
                who,
                format_timestamp(entered_at),
                kind
            ])?;
        }
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
                    self.conn.prepare_cached(
                        "INSERT INTO attachments (case_id, event_id, kind, name, sha256, size, bytes) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                    )?.execute(
                        params![case.id, last_event_id, attachment.kind, attachment.name, attachment.sha256, attachment.size as i64, bytes],
                    )?;
                }
            }
        }
        for (n, notification) in notifications.iter().enumerate() {
            let recipients = serde_json::to_string(notification)
                .map_err(|e| StoreError::Decode(e.to_string()))?;
            let message_id = format!("<{}.{}.{}@caseflow>", case.id, new_seq, n + 1);
            self.conn.prepare_cached(
                "INSERT INTO outbox (case_id, event_id, template, recipients, created_at, next_try_at, message_id) VALUES (?1, ?2, ?3, ?4, ?5, ?5, ?6)",
            )?.execute(
                params![case.id, last_event_id, notification.template, recipients, format_timestamp(now), message_id],
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
        self.conn.prepare_cached(
            "INSERT INTO events (case_id, seq, at, actor, kind, action, from_steps, to_steps, comment, note, changes, prev_hash, hash)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
        )?.execute(params![
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
        ])?;
        Ok((self.conn.last_insert_rowid(), hash))
    }

    pub fn history(&self, id: &str) -> Result<Vec<EventRow>> {
        self.load_case(id)?;
        let mut stmt = self.conn.prepare_cached(
            "SELECT seq, at, actor, kind, action, from_steps, to_steps, comment, note, changes FROM events WHERE case_id = ?1 ORDER BY seq",
        )?;
        let rows = stmt.query_map([id], |r| {
            let parse = |s: String| {
                serde_json::from_str::<serde_json::Value>(&s).unwrap_or(serde_json::Value::Null)
            };
            let list = |s: String| serde_json::from_str::<Vec<String>>(&s).unwrap_or_default();
            Ok(EventRow {
                seq: r.get(0)?,
                at: r.get(1)?,
                actor: r.get(2)?,
                kind: r.get(3)?,
                action: r.get(4)?,
                from_steps: list(r.get(5)?),
                to_steps: list(r.get(6)?),
                comment: r.get(7)?,
                note: r.get(8)?,
                changes: parse(r.get(9)?),
            })
        })?;
        rows.collect::<rusqlite::Result<_>>().map_err(Into::into)
    }

    pub fn attachments(&self, id: &str) -> Result<Vec<AttachmentRow>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, name, kind, sha256, size FROM attachments WHERE case_id = ?1 ORDER BY id",
        )?;
        let rows = stmt.query_map([id], |r| {
            Ok(AttachmentRow {
                id: r.get(0)?,
                name: r.get(1)?,
                kind: r.get(2)?,
                sha256: r.get(3)?,
                size: r.get(4)?,
            })
        })?;
        rows.collect::<rusqlite::Result<_>>().map_err(Into::into)
    }

    /// The notifications queued for a case, oldest first.
    pub fn notifications(&self, id: &str) -> Result<Vec<NotificationRow>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT e.seq, o.template, o.recipients, o.status, o.attempts, o.message_id
             FROM outbox o JOIN events e ON e.id = o.event_id WHERE o.case_id = ?1 ORDER BY o.id",
        )?;
        let rows = stmt.query_map([id], |r| {
            let recipients: serde_json::Value =
                serde_json::from_str(&r.get::<_, String>(2)?).unwrap_or_default();
            Ok(NotificationRow {
                event: r.get(0)?,
                template: r.get(1)?,
                to: recipients["to"].clone(),
                cc: recipients["cc"].clone(),
                status: r.get(3)?,
                attempts: r.get(4)?,
                message_id: r.get(5)?,
            })
        })?;
        rows.collect::<rusqlite::Result<_>>().map_err(Into::into)
    }

    /// Cases matching a filter, oldest first (stable: by opening time, then id).
    pub fn list_cases(&self, filter: &CaseFilter) -> Result<Vec<CaseState>> {
        let (sql, args) = case_query(filter, "c.state");
        let mut stmt = self.conn.prepare(&sql)?;
        let rows = stmt.query_map(rusqlite::params_from_iter(args.iter()), |r| {
            r.get::<_, String>(0)
        })?;
        let mut out = Vec::new();
        for row in rows {
            out.push(serde_json::from_str(&row?).map_err(|e| StoreError::Decode(e.to_string()))?);
        }
        Ok(out)
    }
}

/// The SQL (selecting `columns` of `cases c`) and its arguments for a filter, oldest first;
/// shared by `list`, exports and reports.
fn case_query(filter: &CaseFilter, columns: &str) -> (String, Vec<String>) {
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
        args.push(format!("$.fields.{name}"));
        let path = args.len();
        args.push(value.clone());
        sql.push_str(&format!(
            " AND lower(CAST(json_extract(c.state, ?{path}) AS TEXT)) = lower(?{})",
            args.len()
        ));
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

fn version_row(r: &rusqlite::Row) -> rusqlite::Result<VersionRow> {
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
