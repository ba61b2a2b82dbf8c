//! The store's side of time: each case's pending timers (SLA warnings and breaches, waits
//! and timeouts, reminders) are written to `timers` whenever the case is saved, so `tick`
//! finds what is due with one range scan of an index instead of reading every open case;
//! the SLA due and warning times go on `tasks` and `cases` for `list --overdue/--at-risk`.
//!
//! Index use (checked with EXPLAIN QUERY PLAN in the tests below):
//! - `due_timers`: `SEARCH timers USING COVERING INDEX timers_by_due (due_at<?)`: cost grows
//!   with the number of due timers, not with the number of open cases;
//! - `deadlines`: the partial indexes `tasks_by_due` and `cases_by_due` (`due_at<?`).

use std::path::Path;

use jiff::Timestamp;
use rusqlite::Connection;

use super::sql::args;

use super::{Db, Result, StoreError};
use crate::engine::{CaseState, Timer, TimerKind};
use crate::time::{format_timestamp, parse_timestamp};

/// A case with an SLA past its due time (or at risk), and the earliest such due time.
pub struct Deadline {
    pub case: CaseState,
    pub due_at: Timestamp,
}

impl Db<'_> {
    /// Rewrite the case's pending timers and SLA columns (called by `save_case`).
    pub(super) fn save_timers(&self, case: &CaseState) -> Result<()> {
        self.exec("DELETE FROM timers WHERE case_id = ?1", args![case.id])?;
        for timer in case.timers() {
            self.exec(
                "INSERT INTO timers (case_id, task, kind, due_at) VALUES (?1, ?2, ?3, ?4)",
                args![
                    case.id,
                    timer.task.unwrap_or(0),
                    timer.kind.as_str(),
                    format_timestamp(timer.at)
                ],
            )?;
        }
        let columns = |clock: Option<&crate::engine::Clock>| {
            clock
                .filter(|c| c.paused_since.is_none())
                .map(|c| (format_timestamp(c.due_at), c.warn_at.map(format_timestamp)))
        };
        for task in case.tasks.iter().filter(|t| t.sla.is_some()) {
            let (due, warn) = columns(task.sla.as_ref()).unzip();
            self.exec(
                "UPDATE tasks SET due_at = ?3, warn_at = ?4 WHERE case_id = ?1 AND task = ?2",
                args![case.id, task.id, due, warn.flatten()],
            )?;
        }
        let (due, warn) = columns(case.sla.as_ref().filter(|_| case.is_open())).unzip();
        self.exec(
            "UPDATE cases SET due_at = ?2, warn_at = ?3 WHERE id = ?1",
            args![case.id, due, warn.flatten()],
        )?;
        Ok(())
    }

    /// Pending timers due at or before `now`, in due order (at most `limit`).
    pub fn due_timers(&self, now: Timestamp, limit: usize) -> Result<Vec<(String, Timer)>> {
        let rows = self.rows(
            "SELECT case_id, task, kind, due_at FROM timers WHERE due_at <= ?1
             ORDER BY due_at, case_id, task, kind LIMIT ?2",
            args![format_timestamp(now), limit],
            |r| {
                Ok((
                    r.get::<String>(0)?,
                    r.get::<i64>(1)?,
                    r.get::<String>(2)?,
                    r.get::<String>(3)?,
                ))
            },
        )?;
        let mut out = Vec::new();
        for (case, task, kind, at) in rows {
            let bad = || StoreError::Decode(format!("timer of case {case}: {kind} at {at}"));
            let timer = Timer {
                task: u32::try_from(task).ok().filter(|t| *t != 0),
                kind: TimerKind::parse(&kind).ok_or_else(bad)?,
                at: parse_timestamp(&at).ok_or_else(bad)?,
            };
            out.push((case, timer));
        }
        Ok(out)
    }

    /// Open cases with a task or case deadline passed (`at_risk`: warned but not yet due) as
    /// of `now`, soonest first.
    pub fn deadlines(&self, now: Timestamp, at_risk: bool) -> Result<Vec<Deadline>> {
        let when = if at_risk {
            "due_at > ?1 AND warn_at <= ?1"
        } else {
            "due_at <= ?1"
        };
        let sql = format!(
            "SELECT c.state, d.due FROM (
                SELECT case_id, MIN(due_at) AS due FROM (
                    SELECT id AS case_id, due_at FROM cases
                        WHERE due_at IS NOT NULL AND status = 'open' AND {when}
                    UNION ALL
                    SELECT case_id, due_at FROM tasks WHERE due_at IS NOT NULL AND {when}
                ) AS due GROUP BY case_id
             ) d JOIN cases c ON c.id = d.case_id ORDER BY d.due, c.id"
        );
        let rows = self.rows(&sql, args![format_timestamp(now)], |r| {
            Ok((r.get::<String>(0)?, r.get::<String>(1)?))
        })?;
        let mut out = Vec::new();
        for (state, due) in rows {
            let case: CaseState =
                serde_json::from_str(&state).map_err(|e| StoreError::Decode(e.to_string()))?;
            let due_at = parse_timestamp(&due)
                .ok_or_else(|| StoreError::Decode(format!("due time {due:?}")))?;
            out.push(Deadline { case, due_at });
        }
        Ok(out)
    }

    /// Record that a tick run started; returns its id.
    pub fn start_tick(&self, now: Timestamp) -> Result<i64> {
        self.value(
            "INSERT INTO tick_runs (started_at, now) VALUES (?1, ?1) RETURNING id",
            args![format_timestamp(now)],
        )
    }

    /// Record a tick that found nothing due.
    pub fn idle_tick(&self, now: Timestamp) -> Result<()> {
        self.exec(
            "INSERT INTO tick_runs (started_at, finished_at, now, fired) VALUES (?1, ?1, ?1, 0)",
            args![format_timestamp(now)],
        )?;
        Ok(())
    }

    pub fn finish_tick(&self, id: i64, now: Timestamp, fired: usize) -> Result<()> {
        self.exec(
            "UPDATE tick_runs SET finished_at = ?2, fired = ?3 WHERE id = ?1",
            args![id, format_timestamp(now), fired],
        )?;
        Ok(())
    }
}

pub enum TickLock {
    /// SQLite: an exclusive lock on a file next to the database.
    File(Connection),
    /// PostgreSQL: a session advisory lock, held by its own connection.
    Postgres(postgres::Client),
}

impl TickLock {
    /// Take the lock, or `None` when another tick holds it.
    pub fn try_take(path: &Path) -> Result<Option<TickLock>> {
        let conn = Connection::open(path).map_err(|e| StoreError::CannotOpen {
            path: path.display().to_string(),
            detail: e.to_string(),
        })?;
        conn.busy_timeout(std::time::Duration::ZERO)?;
        match conn.execute_batch("BEGIN EXCLUSIVE") {
            Ok(()) => Ok(Some(TickLock::File(conn))),
            Err(e) => match StoreError::from(e) {
                StoreError::Busy => Ok(None),
                other => Err(other),
            },
        }
    }

    /// The same on a PostgreSQL database, for ticks on several hosts: the lock lives as long
    /// as this connection, so a tick that dies releases it.
    pub fn try_take_postgres(url: &str) -> Result<Option<TickLock>> {
        let mut client = super::pg::connect(url)?;
        let taken: bool = client
            .query_one(
                &format!("SELECT pg_try_advisory_lock({})", super::pg::TICK_LOCK),
                &[],
            )?
            .try_get(0)?;
        Ok(taken.then_some(TickLock::Postgres(client)))
    }
}

#[cfg(test)]
mod tests {
    use crate::store::sql::args;
    use crate::store::Store;

    /// The tick's and the overdue list's queries use the due-time indexes.
    #[test]
    fn due_queries_use_indexes() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("t.db"), std::time::Duration::ZERO).unwrap();
        let plan = |sql: &str| -> String {
            let db = store.read();
            let rows = db
                .rows(&format!("EXPLAIN QUERY PLAN {sql}"), args![], |r| {
                    r.get::<String>(3)
                })
                .unwrap();
            rows.join("; ")
        };
        let due = plan("SELECT case_id, task, kind, due_at FROM timers WHERE due_at <= 'x' ORDER BY due_at, case_id, task, kind LIMIT 5");
        assert!(due.contains("USING COVERING INDEX timers_by_due"), "{due}");
        assert!(!due.contains("TEMP B-TREE"), "{due}");
        let tasks =
            plan("SELECT case_id, due_at FROM tasks WHERE due_at IS NOT NULL AND due_at <= 'x'");
        assert!(tasks.contains("tasks_by_due"), "{tasks}");
    }

    #[test]
    fn a_second_lock_is_refused_until_the_first_is_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("tick.lock");
        let first = super::TickLock::try_take(&path).unwrap();
        assert!(first.is_some());
        assert!(super::TickLock::try_take(&path).unwrap().is_none());
        drop(first);
        assert!(super::TickLock::try_take(&path).unwrap().is_some());
    }
}
