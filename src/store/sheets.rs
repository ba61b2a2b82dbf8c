//! What bulk work needs from the store: a transaction that may end in a rollback (dry runs,
//! all-or-nothing imports that found a bad row), case ids handed out in memory for a whole
//! file and saved once, and cases streamed one at a time for exports.

use super::sql::{args, text_args};
use super::{CaseFilter, Db, Result, StoreError};
use crate::engine::CaseState;

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
        let last: Option<i64> = self.row(
            "SELECT value FROM sequences WHERE name = ?1",
            args![key],
            |r| r.get(0),
        )?;
        let last = last.unwrap_or(0);
        Ok(CaseIds {
            key,
            prefix: prefix.to_string(),
            year,
            last,
            start: last,
        })
    }

    /// Store the last id taken (nothing when none was).
    pub fn save_case_ids(&self, ids: &CaseIds) -> Result<()> {
        if ids.last == ids.start {
            return Ok(());
        }
        self.set_sequence(&ids.key, ids.last)
    }

    /// Every case matching `filter`, oldest first, one at a time (`f` must not query).
    pub fn each_case(
        &self,
        filter: &CaseFilter,
        mut f: impl FnMut(CaseState) -> std::result::Result<(), StoreError>,
    ) -> Result<()> {
        let (sql, args) = super::case_query(self.dialect(), filter, "c.state");
        let args = text_args(&args);
        self.each_row(&sql, &args, |row| {
            let state: String = row.get(0)?;
            let case =
                serde_json::from_str(&state).map_err(|e| StoreError::Decode(e.to_string()))?;
            f(case)
        })
    }

    /// The (process, version) pairs of the cases matching `filter`.
    pub fn case_versions(&self, filter: &CaseFilter) -> Result<Vec<(String, i64)>> {
        let (sql, args) = super::case_query(self.dialect(), filter, "c.process, c.version");
        let sql = format!(
            "SELECT DISTINCT process, version FROM ({sql}) AS matching ORDER BY process, version"
        );
        let args = text_args(&args);
        self.rows(&sql, &args, |r| Ok((r.get(0)?, r.get(1)?)))
    }

    /// Every event of the cases matching `filter`, case by case (`f` must not query).
    pub fn each_event(
        &self,
        filter: &CaseFilter,
        mut f: impl FnMut(&str, super::EventRow) -> std::result::Result<(), StoreError>,
    ) -> Result<()> {
        let (cases, args) = super::case_query(self.dialect(), filter, "c.id, c.opened_at");
        let sql = format!(
            "SELECT e.case_id, e.seq, e.at, e.actor, e.kind, e.action, e.from_steps, e.to_steps, e.comment, e.note, e.changes
             FROM ({cases}) k JOIN events e ON e.case_id = k.id ORDER BY k.opened_at, k.id, e.seq"
        );
        let args = text_args(&args);
        self.each_row(&sql, &args, |r| {
            let case: String = r.get(0)?;
            f(&case, super::event_row(r, 1)?)
        })
    }
}
