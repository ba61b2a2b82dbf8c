//! Copying a whole database into another, table by table: `migrate-store` (SQLite →
//! PostgreSQL), and `backup` / `restore` on PostgreSQL (to and from a SQLite file, so a
//! backup is always one self-contained caseflow database whichever store made it).
//!
//! Rows are copied verbatim, ids included, so event hashes, outbox Message-IDs and
//! attachment links stay what they were; [`verify`] then compares every table's row count
//! and walks every audit chain of the copy.

use std::collections::BTreeMap;

use super::sql::{Arg, Dialect, ToArg};
use super::{schema, Db, Result, StoreError};

/// Rows per table.
pub type Counts = BTreeMap<String, i64>;

/// Copy every row of every table from `from` into `to` (which must be empty); returns the
/// rows copied per table. Runs inside the callers' transactions.
pub(crate) fn copy_all(from: &Db, to: &Db) -> Result<Counts> {
    let mut counts = Counts::new();
    for (table, columns) in schema::TABLES {
        let list = columns.join(", ");
        let marks: Vec<String> = (1..=columns.len()).map(|i| format!("?{i}")).collect();
        let insert = format!("INSERT INTO {table} ({list}) VALUES ({})", marks.join(", "));
        let mut copied = 0;
        // `from` streams on its own connection while `to` inserts on the other.
        from.each_row(
            &format!("SELECT {list} FROM {table} ORDER BY {}", columns[0]),
            &[],
            |row| {
                let values = (0..columns.len())
                    .map(|i| row.value(i))
                    .collect::<Result<Vec<_>>>()?;
                let args: Vec<Arg> = values.iter().map(ToArg::arg).collect();
                to.exec(&insert, &args)?;
                copied += 1;
                Ok(())
            },
        )?;
        counts.insert((*table).to_string(), copied);
    }
    if to.dialect() == Dialect::Postgres {
        restart_identities(to)?;
    }
    Ok(counts)
}

/// Rows per table of a database.
pub(crate) fn count_rows(db: &Db) -> Result<Counts> {
    schema::TABLES
        .iter()
        .map(|(table, _)| {
            let n: i64 = db.value(&format!("SELECT count(*) FROM {table}"), &[])?;
            Ok(((*table).to_string(), n))
        })
        .collect()
}

/// Empty every table (PostgreSQL `restore --force`, `migrate-store --force`). TRUNCATE
/// bypasses the append-only row triggers on purpose: the whole history is being replaced.
pub(crate) fn empty_all(db: &Db) -> Result<()> {
    let tables: Vec<&str> = schema::TABLES.iter().map(|(t, _)| *t).collect();
    match db.dialect() {
        Dialect::Postgres => {
            db.exec(
                &format!("TRUNCATE {} RESTART IDENTITY CASCADE", tables.join(", ")),
                &[],
            )?;
        }
        Dialect::Sqlite => {
            return Err(StoreError::Decode(
                "emptying a SQLite database table by table is not supported".into(),
            ))
        }
    }
    Ok(())
}

/// After rows came in with their ids, identity columns continue after the largest.
fn restart_identities(db: &Db) -> Result<()> {
    for table in ["events", "attachments", "outbox", "tick_runs"] {
        db.value::<i64>(
            &format!(
                "SELECT setval(pg_get_serial_sequence('{table}', 'id'), COALESCE((SELECT max(id) FROM {table}), 0) + 1, false)"
            ),
            &[],
        )?;
    }
    Ok(())
}

/// What a copy check found: counts per table on both sides and any audit break.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Verified {
    pub tables: BTreeMap<String, (i64, i64)>,
    pub events_verified: usize,
    pub problems: Vec<String>,
}

/// Compare row counts and walk every audit chain of the copy.
pub(crate) fn verify(from: &Db, to: &Db) -> Result<Verified> {
    let (source, copy) = (count_rows(from)?, count_rows(to)?);
    let mut problems = Vec::new();
    let mut tables = BTreeMap::new();
    for (table, n) in &source {
        let m = copy.get(table).copied().unwrap_or(0);
        if *n != m {
            problems.push(format!("{table}: {n} rows in the source, {m} in the copy"));
        }
        tables.insert(table.clone(), (*n, m));
    }
    let audit = to.audit(None)?;
    problems.extend(
        audit
            .breaks
            .iter()
            .map(|b| format!("{} event {}: {}", b.case, b.seq, b.problem)),
    );
    Ok(Verified {
        tables,
        events_verified: audit.events,
        problems,
    })
}

impl super::Store {
    /// Run `f` on one consistent snapshot of the database (a read transaction).
    pub fn snapshot<T>(&self, f: impl FnOnce(&Db) -> Result<T>) -> Result<T> {
        let (begin, end) = match self.dialect() {
            Dialect::Sqlite => ("BEGIN", "COMMIT"),
            Dialect::Postgres => ("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", "COMMIT"),
        };
        let db = self.read();
        db.batch(begin)?;
        let result = f(&db);
        let ended = db.batch(end);
        let value = result?;
        ended?;
        Ok(value)
    }

    /// Copy this whole database into `dest` in one of its write transactions, then check
    /// the copy (row counts, every audit chain). `dest` must hold no rows unless `replace`
    /// (then it is emptied first).
    pub fn copy_into(&self, dest: &mut super::Store, replace: bool) -> Result<Verified> {
        self.snapshot(|from| {
            dest.write(|to| {
                let existing: i64 = count_rows(to)?.values().sum();
                if existing > 0 {
                    if !replace {
                        return Err(StoreError::TargetNotEmpty { rows: existing });
                    }
                    empty_all(to)?;
                }
                copy_all(from, to)
            })?;
            verify(from, &dest.read())
        })
    }
}
