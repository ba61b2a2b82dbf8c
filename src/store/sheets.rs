//! What bulk work needs from the store: a transaction that may end in a rollback (dry runs,
//! all-or-nothing imports that found a bad row), case ids handed out in memory for a whole
//! file and saved once, and cases streamed one at a time for exports.

use rusqlite::{params, OptionalExtension, TransactionBehavior};

use super::{CaseFilter, Db, Result, Store, StoreError};
use crate::engine::CaseState;

impl Store {
    /// Run `f` in one `BEGIN IMMEDIATE` transaction; commit only when it returns `(_, true)`.
    pub fn write_if<T, E: From<StoreError>>(
        &mut self,
        f: impl FnOnce(&Db) -> std::result::Result<(T, bool), E>,
    ) -> std::result::Result<T, E> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(StoreError::from)?;
        let (result, commit) = f(&Db {
            conn: &tx,
            operator: self.operator.as_deref(),
        })?;
        if commit {
            tx.commit().map_err(StoreError::from)?;
        } else {
            tx.rollback().map_err(StoreError::from)?;
        }
        Ok(result)
    }
}

/// Case ids for one prefix and year, handed out without a query per case. Only valid
/// inside the write transaction that read them; [`Db::save_case_ids`] stores the last one.
#[derive(Debug, Clone)]
pub struct CaseIds {
    key: String,
    prefix: String,
    year: i16,
    last: i64,
    start: i64,
}

impl CaseIds {
    /// The id the next case gets (not taken until [`CaseIds::take`]).
    pub fn peek(&self) -> String {
        format!("{}-{}-{:04}", self.prefix, self.year, self.last + 1)
    }

    pub fn take(&mut self) {
        self.last += 1;
    }
}

impl Db<'_> {
    /// Start handing out ids like [`Db::next_case_id`] does.
    pub fn case_ids(&self, prefix: &str, year: i16) -> Result<CaseIds> {
        let key = format!("case:{prefix}-{year}");
        let last: Option<i64> = self
            .conn
            .query_row("SELECT value FROM sequences WHERE name = ?1", [&key], |r| {
                r.get(0)
            })
            .optional()?;
        let last = last.unwrap_or(0);
        Ok(CaseIds {
            key,
            prefix: prefix.to_string(),
            year,
            last,
            start: last,
        })
    }

    /// Store the last id handed out (nothing when none was).
    pub fn save_case_ids(&self, ids: &CaseIds) -> Result<()> {
        if ids.last == ids.start {
            return Ok(());
        }
        self.conn.execute(
            "INSERT INTO sequences (name, value) VALUES (?1, ?2) ON CONFLICT (name) DO UPDATE SET value = excluded.value",
            params![ids.key, ids.last],
        )?;
        Ok(())
    }

    /// Call `f` with each case matching `filter`, oldest first, one at a time (exports of
    /// any size in constant memory).
    pub fn each_case(
        &self,
        filter: &CaseFilter,
        mut f: impl FnMut(CaseState) -> std::result::Result<(), StoreError>,
    ) -> Result<()> {
        let (sql, args) = super::case_query(filter, "c.state");
        let mut stmt = self.conn.prepare(&sql)?;
        let mut rows = stmt.query(rusqlite::params_from_iter(args.iter()))?;
        while let Some(row) = rows.next()? {
            let state: String = row.get(0)?;
            let case =
                serde_json::from_str(&state).map_err(|e| StoreError::Decode(e.to_string()))?;
            f(case)?;
        }
        Ok(())
    }

    /// The distinct (process, version) pairs of the cases matching `filter`.
    pub fn case_versions(&self, filter: &CaseFilter) -> Result<Vec<(String, i64)>> {
        let (sql, args) = super::case_query(filter, "c.process, c.version");
        let sql =
            format!("SELECT DISTINCT process, version FROM ({sql}) ORDER BY process, version");
        let mut stmt = self.conn.prepare(&sql)?;
        let rows = stmt.query_map(rusqlite::params_from_iter(args.iter()), |r| {
            Ok((r.get(0)?, r.get(1)?))
        })?;
        rows.collect::<rusqlite::Result<_>>().map_err(Into::into)
    }

    /// Each event of the cases matching `filter`, in case order then sequence.
    pub fn each_event(
        &self,
        filter: &CaseFilter,
        mut f: impl FnMut(&str, super::EventRow) -> std::result::Result<(), StoreError>,
    ) -> Result<()> {
        let (cases, args) = super::case_query(filter, "c.id, c.opened_at");
        let sql = format!(
            "SELECT e.case_id, e.seq, e.at, e.actor, e.kind, e.action, e.from_steps, e.to_steps, e.comment, e.note, e.changes
             FROM ({cases}) k JOIN events e ON e.case_id = k.id ORDER BY k.opened_at, k.id, e.seq"
        );
        let mut stmt = self.conn.prepare(&sql)?;
        let mut rows = stmt.query(rusqlite::params_from_iter(args.iter()))?;
        while let Some(r) = rows.next()? {
            let case: String = r.get(0)?;
            let list = |s: String| serde_json::from_str::<Vec<String>>(&s).unwrap_or_default();
            let event = super::EventRow {
                seq: r.get(1)?,
                at: r.get(2)?,
                actor: r.get(3)?,
                kind: r.get(4)?,
                action: r.get(5)?,
                from_steps: list(r.get(6)?),
                to_steps: list(r.get(7)?),
                comment: r.get(8)?,
                note: r.get(9)?,
                changes: serde_json::from_str(&r.get::<_, String>(10)?)
                    .unwrap_or(serde_json::Value::Null),
            };
            f(&case, event)?;
        }
        Ok(())
    }
}
