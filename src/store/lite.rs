//! Opening the SQLite database: pragmas (WAL, foreign keys, busy timeout) and migrations.

use std::path::Path;
use std::time::Duration;

use rusqlite::Connection;

use super::{schema, Result, StoreError};

/// Open (creating if needed) and migrate the database at `path`.
pub(super) fn open(path: &Path, busy_timeout: Duration) -> Result<Connection> {
    let shown = path.display().to_string();
    let mut conn = Connection::open(path).map_err(|e| StoreError::CannotOpen {
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
    if found < schema::LATEST {
        migrate(&mut conn, &shown)?;
    }
    Ok(conn)
}

fn migrate(conn: &mut Connection, shown: &str) -> Result<()> {
    // Two first commands on a fresh workspace may race to migrate; the loser retries.
    for _ in 0..50 {
        match schema::migrations().to_latest(conn) {
            Ok(()) => return Ok(()),
            Err(rusqlite_migration::Error::RusqliteError { err, .. })
                if matches!(StoreError::from(clone_for_retry(&err)), StoreError::Busy) =>
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

fn clone_for_retry(e: &rusqlite::Error) -> rusqlite::Error {
    match e {
        rusqlite::Error::SqliteFailure(e, m) => rusqlite::Error::SqliteFailure(*e, m.clone()),
        _ => rusqlite::Error::InvalidQuery,
    }
}
