//! Online backups and restores with SQLite's backup API.
//!
//! A backup copies every page in one step while holding only a read snapshot, so in WAL
//! mode writers keep working and the copy is exactly the database as of one commit. The
//! copy is written next to its destination under a temporary name, switched to rollback
//! journal mode (one self-contained file), checked with `PRAGMA integrity_check`, and only
//! then renamed into place: a crash leaves either no backup or a whole one.
//!
//! A restore checks the file first (a caseflow database, not damaged, not from a newer
//! caseflow), then copies it into the workspace's database through the same API, which
//! takes the write lock, so running commands see the old database or the new one.

use std::path::Path;
use std::time::Duration;

use rusqlite::backup::Backup;
use rusqlite::{Connection, OpenFlags};
use serde::Serialize;

use super::{schema, Backend, Result, Store, StoreError};

/// What a backup or restore copied.
#[derive(Debug, Clone, Serialize)]
pub struct Copied {
    pub cases: i64,
    pub events: i64,
    pub attachments: i64,
    pub schema_version: i64,
    pub bytes: u64,
}

impl Store {
    /// Copy the database to `dest`, which appears whole or not at all (an existing file is
    /// replaced: the caller decides whether that is allowed).
    pub fn backup_to(&self, dest: &Path) -> Result<Copied> {
        let partial = dest.with_extension("partial");
        let _ = std::fs::remove_file(&partial);
        let result = self.copy_to(&partial).and_then(|copied| {
            std::fs::rename(&partial, dest).map_err(|e| io_error(dest, e))?;
            Ok(copied)
        });
        if result.is_err() {
            let _ = std::fs::remove_file(&partial);
        }
        result
    }

    fn copy_to(&self, path: &Path) -> Result<Copied> {
        match &self.backend {
            Backend::Sqlite(conn) => {
                let mut copy = Connection::open(path).map_err(|e| StoreError::CannotOpen {
                    path: path.display().to_string(),
                    detail: e.to_string(),
                })?;
                copy_all(conn, &mut copy)?;
            }
            Backend::Postgres(_) => {
                // A fresh SQLite database at this schema, filled from one consistent snapshot.
                let mut copy = Store::open(path, Duration::from_secs(10))?;
                self.snapshot(|from| copy.write(|to| super::copy::copy_all(from, to)))?;
            }
        }
        let copy = Connection::open(path)?;
        copy.pragma_update(None, "journal_mode", "DELETE")?;
        let copied = inspect(&copy, path)?;
        drop(copy);
        Ok(Copied {
            bytes: std::fs::metadata(path).map(|m| m.len()).unwrap_or(0),
            ..copied
        })
    }

    /// Replace this database with the backup at `source` (checked first). On PostgreSQL the
    /// backup is first brought to this schema in a temporary copy, then every table is
    /// emptied and refilled in one write transaction.
    pub fn restore_from(&mut self, source: &Path) -> Result<Copied> {
        let backup = open_backup(source)?;
        let copied = inspect(&backup, source)?;
        if let Backend::Sqlite(conn) = &mut self.backend {
            copy_all(&backup, conn)?;
        } else {
            drop(backup);
            let dir = tempfile::tempdir().map_err(|e| io_error(source, e))?;
            let upgraded = dir.path().join("restore.db");
            std::fs::copy(source, &upgraded).map_err(|e| io_error(source, e))?;
            let old = Store::open(&upgraded, Duration::from_secs(10))?;
            self.write(|to| {
                super::copy::empty_all(to)?;
                super::copy::copy_all(&old.read(), to)
            })?;
        }
        Ok(Copied {
            bytes: std::fs::metadata(source).map(|m| m.len()).unwrap_or(0),
            ..copied
        })
    }

    /// How many cases the database holds.
    pub fn case_count(&self) -> Result<i64> {
        self.read().value("SELECT count(*) FROM cases", &[])
    }
}

fn copy_all(source: &Connection, dest: &mut Connection) -> Result<()> {
    use rusqlite::backup::StepResult;
    let backup = Backup::new(source, dest)?;
    for _ in 0..1000 {
        match backup.step(-1)? {
            StepResult::Done => return Ok(()),
            _ => std::thread::sleep(Duration::from_millis(10)),
        }
    }
    Err(StoreError::Busy)
}

fn open_backup(source: &Path) -> Result<Connection> {
    let shown = source.display().to_string();
    if !source.is_file() {
        return Err(StoreError::CannotOpen {
            path: shown,
            detail: "no such file".into(),
        });
    }
    Connection::open_with_flags(source, OpenFlags::SQLITE_OPEN_READ_ONLY).map_err(|e| {
        StoreError::CannotOpen {
            path: shown,
            detail: e.to_string(),
        }
    })
}

/// Check a copy is whole and a caseflow database this build can read; count what it holds.
fn inspect(conn: &Connection, path: &Path) -> Result<Copied> {
    let shown = path.display().to_string();
    let corrupt = |detail: String| StoreError::Corrupt {
        path: shown.clone(),
        detail,
    };
    let integrity: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .map_err(|e| corrupt(e.to_string()))?;
    if integrity != "ok" {
        return Err(corrupt(format!("integrity check: {integrity}")));
    }
    let schema_version: i64 = conn
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .map_err(|e| corrupt(e.to_string()))?;
    if schema_version > schema::LATEST {
        return Err(StoreError::NewerSchema {
            path: shown,
            found: schema_version,
            known: schema::LATEST,
        });
    }
    let count = |table: &str| -> Result<i64> {
        conn.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
            .map_err(|e| corrupt(format!("not a caseflow database ({e})")))
    };
    Ok(Copied {
        cases: count("cases")?,
        events: count("events")?,
        attachments: count("attachments")?,
        schema_version,
        bytes: 0,
    })
}

fn io_error(path: &Path, e: std::io::Error) -> StoreError {
    StoreError::CannotOpen {
        path: path.display().to_string(),
        detail: e.to_string(),
    }
}
