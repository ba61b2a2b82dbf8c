//! Read-only queries for the operator tools: shell completion (case ids by prefix) and
//! `caseflow doctor` (schema version, outbox backlog, when `tick` last ran). They live here
//! because the store is the only place with SQL; none of them writes.

use std::path::Path;

use rusqlite::{Connection, OpenFlags};

use super::sql::{args, Dialect};
use super::{schema, Db, Result};

/// A case id with what helps pick it in a completion menu.
#[derive(Debug, Clone)]
pub struct CaseId {
    pub id: String,
    pub process: String,
    pub open: bool,
}

/// The outbox at a glance.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct OutboxBacklog {
    pub queued: i64,
    pub dead: i64,
    pub oldest_queued: Option<String>,
}

/// The most recent `tick` run, when the `tick_runs` table exists and has rows.
#[derive(Debug, Clone, serde::Serialize)]
pub struct TickRun {
    pub started_at: String,
    pub finished_at: Option<String>,
    pub fired: Option<i64>,
}

/// The schema version this caseflow knows.
pub fn latest_schema() -> i64 {
    schema::LATEST
}

/// The schema version of the database at `path`, read without migrating or creating it.
pub fn schema_version(path: &Path) -> Result<i64> {
    let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    Ok(conn.pragma_query_value(None, "user_version", |r| r.get(0))?)
}

/// The schema version of the PostgreSQL database at `url`, read without migrating it.
pub fn postgres_schema_version(url: &str) -> Result<i64> {
    super::pg::schema_version_at(url)
}

impl Db<'_> {
    /// Case ids starting with `prefix`, open cases first, newest first; at most `limit`.
    pub fn case_ids_starting(&self, prefix: &str, limit: usize) -> Result<Vec<CaseId>> {
        let escaped = prefix
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        self.rows(
            "SELECT id, process, status = 'open' FROM cases WHERE id LIKE ?1 ESCAPE '\\' \
             ORDER BY status = 'open' DESC, opened_at DESC, id DESC LIMIT ?2",
            args![format!("{escaped}%"), limit],
            |r| {
                Ok(CaseId {
                    id: r.get(0)?,
                    process: r.get(1)?,
                    open: r.get(2)?,
                })
            },
        )
    }

    /// Whether a table exists (tables other branches add may not be there yet).
    pub fn has_table(&self, name: &str) -> Result<bool> {
        let sql = match self.dialect() {
            Dialect::Sqlite => "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1",
            Dialect::Postgres => "SELECT 1 FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = ?1",
        };
        Ok(self.row(sql, args![name], |_| Ok(()))?.is_some())
    }

    /// Queued and dead notifications, and when the oldest queued one was queued.
    pub fn outbox_backlog(&self) -> Result<OutboxBacklog> {
        if !self.has_table("outbox")? {
            return Ok(OutboxBacklog::default());
        }
        let count = |status: &str| -> Result<i64> {
            self.value(
                "SELECT count(*) FROM outbox WHERE status = ?1",
                args![status],
            )
        };
        let oldest_queued: Option<String> = self.value(
            "SELECT min(created_at) FROM outbox WHERE status = 'queued'",
            args![],
        )?;
        Ok(OutboxBacklog {
            queued: count("queued")?,
            dead: count("dead")?,
            oldest_queued,
        })
    }

    /// The latest `tick` run, or None when tick has never run (or predates `tick_runs`).
    pub fn last_tick(&self) -> Result<Option<TickRun>> {
        if !self.has_table("tick_runs")? {
            return Ok(None);
        }
        self.row(
            "SELECT started_at, finished_at, fired FROM tick_runs ORDER BY id DESC LIMIT 1",
            args![],
            |r| {
                Ok(TickRun {
                    started_at: r.get(0)?,
                    finished_at: r.get(1)?,
                    fired: r.get(2)?,
                })
            },
        )
    }
}
