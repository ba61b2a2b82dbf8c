//! Read-only queries for the operator tools: shell completion (case ids by prefix) and
//! `caseflow doctor` (schema version, outbox backlog, when `tick` last ran). They live here
//! because the store is the only place with SQL; none of them writes.

use std::path::Path;

use rusqlite::{Connection, OpenFlags, OptionalExtension};

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

impl Db<'_> {
    /// Case ids starting with `prefix`, open cases first, newest first; at most `limit`.
    pub fn case_ids_starting(&self, prefix: &str, limit: usize) -> Result<Vec<CaseId>> {
        let escaped = prefix
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        let mut stmt = self.conn.prepare(
            "SELECT id, process, status = 'open' FROM cases WHERE id LIKE ?1 ESCAPE '\\' \
             ORDER BY status = 'open' DESC, opened_at DESC, id DESC LIMIT ?2",
        )?;
        let rows = stmt.query_map(
            rusqlite::params![format!("{escaped}%"), limit as i64],
            |r| {
                Ok(CaseId {
                    id: r.get(0)?,
                    process: r.get(1)?,
                    open: r.get(2)?,
                })
            },
        )?;
        rows.collect::<rusqlite::Result<_>>().map_err(Into::into)
    }

    /// Whether a table exists (tables other branches add may not be there yet).
    pub fn has_table(&self, name: &str) -> Result<bool> {
        let found: Option<i64> = self
            .conn
            .query_row(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1",
                [name],
                |r| r.get(0),
            )
            .optional()?;
        Ok(found.is_some())
    }

    /// Queued and dead notifications, and when the oldest queued one was queued.
    pub fn outbox_backlog(&self) -> Result<OutboxBacklog> {
        if !self.has_table("outbox")? {
            return Ok(OutboxBacklog::default());
        }
        let count = |status: &str| -> Result<i64> {
            Ok(self.conn.query_row(
                "SELECT count(*) FROM outbox WHERE status = ?1",
                [status],
                |r| r.get(0),
            )?)
        };
        let oldest_queued = self.conn.query_row(
            "SELECT min(created_at) FROM outbox WHERE status = 'queued'",
            [],
            |r| r.get::<_, Option<String>>(0),
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
        Ok(self
            .conn
            .query_row(
                "SELECT started_at, finished_at, fired FROM tick_runs ORDER BY id DESC LIMIT 1",
                [],
                |r| {
                    Ok(TickRun {
                        started_at: r.get(0)?,
                        finished_at: r.get(1)?,
                        fired: r.get(2)?,
                    })
                },
            )
            .optional()?)
    }
}
