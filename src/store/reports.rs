//! What reports need beyond streaming cases and events: the SLA columns of open tasks.
//!
//! `tasks.due_at` and `tasks.warn_at` come with the time issue's migration; a database
//! without them has no SLA data, which [`Db::sla_tasks`] says as `None`.

use super::sql::{args, text_args, Dialect};
use super::{CaseFilter, Db, Result};
use crate::report::SlaTask;

impl Db<'_> {
    fn has_column(&self, table: &str, column: &str) -> Result<bool> {
        let sql = match self.dialect() {
            Dialect::Sqlite => "SELECT 1 FROM pragma_table_info(?1) WHERE name = ?2",
            Dialect::Postgres => {
                "SELECT 1 FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = ?1 AND column_name = ?2"
            }
        };
        Ok(self.row(sql, args![table, column], |_| Ok(()))?.is_some())
    }

    /// Open step tasks with a due time, of the cases matching `filter`; `None` when this
    /// database records no SLA times.
    pub fn sla_tasks(&self, filter: &CaseFilter) -> Result<Option<Vec<SlaTask>>> {
        if !self.has_column("tasks", "due_at")? || !self.has_column("tasks", "warn_at")? {
            return Ok(None);
        }
        let (cases, args) = super::case_query(self.dialect(), filter, "c.id, c.process");
        let sql = format!(
            "SELECT k.process, t.step, t.assignee, t.due_at, t.warn_at
             FROM ({cases}) k JOIN tasks t ON t.case_id = k.id
             WHERE t.kind = 'step' AND t.due_at IS NOT NULL ORDER BY k.process, t.step, t.assignee"
        );
        let args = text_args(&args);
        let rows = self.rows(&sql, &args, |r| {
            Ok((
                r.get::<String>(0)?,
                r.get::<String>(1)?,
                r.get::<String>(2)?,
                r.get::<String>(3)?,
                r.get::<Option<String>>(4)?,
            ))
        })?;
        let mut out = Vec::new();
        for (process, step, assignee, due, warn) in rows {
            let Some(due_at) = crate::time::parse_timestamp(&due) else {
                continue;
            };
            out.push(SlaTask {
                process,
                step,
                assignee,
                due_at,
                warn_at: warn.as_deref().and_then(crate::time::parse_timestamp),
            });
        }
        Ok(Some(out))
    }
}
