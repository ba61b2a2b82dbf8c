//! PostgreSQL: connecting, migrating, the write lock and what its errors mean.
//!
//! SQLite serialises writers with `BEGIN IMMEDIATE`; here every write transaction first
//! takes one transaction-level advisory lock ([`WRITE_LOCK`]), so writers from every host
//! run one at a time exactly as they do on SQLite: sequences stay gap-free, a case is never
//! decided on a stale read, and a timer claimed by one `tick` is gone for the next (the
//! engine refuses to fire it twice). Readers are never blocked. `lock_timeout` is the busy
//! timeout: a writer that waits longer gets [`StoreError::Busy`] (exit 75), as on SQLite.

use std::time::Duration;

use postgres::error::SqlState;

use super::sql::PgConn;
use super::{schema, Result, StoreError};

/// The advisory lock every write transaction holds (the bytes of "caseflow").
pub(super) const WRITE_LOCK: i64 = 0x6361_7365_666c_6f77;
/// The session-level advisory lock a `tick` holds so that overlapping ticks skip.
pub(super) const TICK_LOCK: i64 = WRITE_LOCK + 1;

/// Connect, set the session up and migrate.
pub(super) fn open(url: &str, busy_timeout: Duration, create: bool) -> Result<PgConn> {
    let shown = redact(url);
    let pg = PgConn::new(connect(url)?);
    // PostgreSQL reads 0 as "wait for ever"; caseflow's 0 means "do not wait".
    let lock_ms = busy_timeout.as_millis().clamp(1, i32::MAX as u128);
    pg.batch(&format!(
        "SET lock_timeout = {lock_ms}; SET client_min_messages = warning"
    ))?;
    let found = schema_version(&pg)?;
    if found > schema::LATEST {
        return Err(StoreError::NewerSchema {
            path: shown,
            found,
            known: schema::LATEST,
        });
    }
    if found == 0 && !create {
        return Err(StoreError::NoSchema { url: shown });
    }
    if found < schema::LATEST {
        migrate(&pg)?;
    }
    Ok(pg)
}

/// A new connection (also used alone to hold the tick lock).
pub(super) fn connect(url: &str) -> Result<postgres::Client> {
    let shown = redact(url);
    let mut config: postgres::Config = url.parse().map_err(|e| StoreError::CannotOpen {
        path: shown.clone(),
        detail: format!("not a PostgreSQL URL: {e}"),
    })?;
    config.application_name("caseflow");
    if config.get_connect_timeout().is_none() {
        config.connect_timeout(Duration::from_secs(10));
    }
    config
        .connect(postgres::NoTls)
        .map_err(|e| StoreError::Unavailable {
            url: shown,
            detail: message(&e),
        })
}

/// Start a write transaction: `BEGIN`, then wait (up to `lock_timeout`) for the write lock.
pub(super) fn begin_write(pg: &PgConn) -> Result<()> {
    pg.batch("BEGIN")?;
    let locked = pg.batch(&format!("SELECT pg_advisory_xact_lock({WRITE_LOCK})"));
    if locked.is_err() {
        let _ = pg.batch("ROLLBACK");
    }
    locked
}

/// The schema version at `url` (0: no caseflow workspace there), without migrating.
pub(super) fn schema_version_at(url: &str) -> Result<i64> {
    schema_version(&PgConn::new(connect(url)?))
}

fn schema_version(pg: &PgConn) -> Result<i64> {
    let mut client = pg.client.borrow_mut();
    let exists: bool = client
        .query_one("SELECT to_regclass('caseflow_schema') IS NOT NULL", &[])?
        .try_get(0)?;
    if !exists {
        return Ok(0);
    }
    let version: Option<i64> = client
        .query_one("SELECT max(version) FROM caseflow_schema", &[])?
        .try_get(0)?;
    Ok(version.unwrap_or(0))
}

/// Apply the migrations this database lacks, in one transaction under the write lock (two
/// first commands may race here; the second finds the work done).
fn migrate(pg: &PgConn) -> Result<()> {
    begin_write(pg)?;
    let result = (|| {
        pg.batch("CREATE TABLE IF NOT EXISTS caseflow_schema (version BIGINT NOT NULL)")?;
        let found = schema_version(pg)?;
        for (version, sql) in schema::POSTGRES {
            if *version > found {
                pg.batch(sql)?;
            }
        }
        pg.batch(&format!(
            "DELETE FROM caseflow_schema; INSERT INTO caseflow_schema (version) VALUES ({})",
            schema::LATEST
        ))
    })();
    match result {
        Ok(()) => pg.batch("COMMIT"),
        Err(e) => {
            let _ = pg.batch("ROLLBACK");
            Err(e)
        }
    }
}

/// The URL without its password, for messages.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let credentials = &url[scheme + 3..at];
            match credentials.find(':') {
                Some(colon) => format!(
                    "{}{}:***{}",
                    &url[..scheme + 3],
                    &credentials[..colon],
                    &url[at..]
                ),
                None => url.to_string(),
            }
        }
        _ => redact_keywords(url),
    }
}

/// `host=db password=secret dbname=x` → `host=db password=*** dbname=x`.
fn redact_keywords(conninfo: &str) -> String {
    conninfo
        .split(' ')
        .map(|part| match part.split_once('=') {
            Some(("password", _)) => "password=***".to_string(),
            _ => part.to_string(),
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The server's own words when there are some (the driver's Display says only "db error").
pub(crate) fn message(e: &postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => match db.detail() {
            Some(detail) => format!("{} ({detail})", db.message()),
            None => db.message().to_string(),
        },
        None => match std::error::Error::source(e) {
            Some(source) => format!("{e}: {source}"),
            None => e.to_string(),
        },
    }
}

impl From<postgres::Error> for StoreError {
    fn from(e: postgres::Error) -> Self {
        let code = e.code().cloned();
        match code {
            Some(c)
                if c == SqlState::LOCK_NOT_AVAILABLE
                    || c == SqlState::T_R_SERIALIZATION_FAILURE
                    || c == SqlState::T_R_DEADLOCK_DETECTED =>
            {
                StoreError::Busy
            }
            Some(c) if c == SqlState::DISK_FULL => StoreError::DiskFull,
            Some(c) if c == SqlState::READ_ONLY_SQL_TRANSACTION => {
                StoreError::ReadOnly(message(&e))
            }
            None if e.is_closed() => StoreError::Unavailable {
                url: "the PostgreSQL server".into(),
                detail: message(&e),
            },
            _ => StoreError::Postgres(e),
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn passwords_are_not_shown() {
        assert_eq!(
            super::redact("postgres://app:s3cret@db.example:5432/cases"),
            "postgres://app:***@db.example:5432/cases"
        );
        assert_eq!(
            super::redact("postgres://app@db/cases"),
            "postgres://app@db/cases"
        );
        assert_eq!(
            super::redact("host=/run/postgresql dbname=x"),
            "host=/run/postgresql dbname=x"
        );
        assert_eq!(
            super::redact("host=db password=s3cret dbname=x"),
            "host=db password=*** dbname=x"
        );
    }
}
