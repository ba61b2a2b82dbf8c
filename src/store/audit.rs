//! The tamper-evident history: every event row carries the hash of the previous event of
//! its case (`prev_hash`) and its own hash over its stored columns plus that previous hash
//! (`hash`). Changing, removing or reordering any stored event breaks the chain from that
//! point on, and `caseflow audit verify` names the first event where it breaks.
//!
//! The triggers on `events` already refuse UPDATE and DELETE through SQL; the chain is what
//! catches someone who drops the triggers, edits the file with another tool, or swaps in
//! rows from another database. It is not a signature: someone who can rewrite the whole
//! file can recompute every hash. Copy `caseflow audit verify --json` output (the chain
//! heads) somewhere else to detect that too.

use serde::Serialize;
use sha2::{Digest, Sha256};

use super::sql::{args, Conn, Row};
use super::{Db, Result};

/// The stored columns of one event that its hash covers, in a fixed order.
pub(crate) struct HashedColumns<'a> {
    pub case_id: &'a str,
    pub seq: i64,
    pub at: &'a str,
    pub actor: &'a str,
    pub kind: &'a str,
    pub action: Option<&'a str>,
    pub from_steps: &'a str,
    pub to_steps: &'a str,
    pub comment: Option<&'a str>,
    pub note: Option<&'a str>,
    pub changes: &'a str,
}

/// Hex SHA-256 of the previous hash and the event's columns, as one JSON array (unambiguous:
/// no separator inside a value can shift a boundary).
pub(crate) fn event_hash(prev_hash: &str, c: &HashedColumns) -> String {
    let canonical = serde_json::json!([
        prev_hash,
        c.case_id,
        c.seq,
        c.at,
        c.actor,
        c.kind,
        c.action,
        c.from_steps,
        c.to_steps,
        c.comment,
        c.note,
        c.changes
    ]);
    hex(&Sha256::digest(canonical.to_string().as_bytes()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The hash the first event of a case chains from.
pub(crate) const GENESIS: &str = "";

/// What `audit verify` found wrong with one case (the first break in its chain).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Break {
    pub case: String,
    /// The event where the chain breaks (for a deleted tail: the first missing one).
    pub seq: i64,
    pub problem: String,
}

/// The result of walking every chain.
#[derive(Debug, Clone, Serialize, Default)]
pub struct AuditReport {
    pub cases: usize,
    pub events: usize,
    pub attachments: usize,
    pub breaks: Vec<Break>,
}

struct StoredEvent {
    seq: i64,
    at: String,
    actor: String,
    kind: String,
    action: Option<String>,
    from_steps: String,
    to_steps: String,
    comment: Option<String>,
    note: Option<String>,
    changes: String,
    prev_hash: Option<String>,
    hash: Option<String>,
}

/// A case's stored events in order, with the columns the hash covers and the stored hashes.
const SELECT_EVENTS: &str = "SELECT seq, at, actor, kind, action, from_steps, to_steps, comment, note, changes, prev_hash, hash
     FROM events WHERE case_id = ?1 ORDER BY seq";

fn stored_event(r: &Row) -> Result<StoredEvent> {
    Ok(StoredEvent {
        seq: r.get(0)?,
        at: r.get(1)?,
        actor: r.get(2)?,
        kind: r.get(3)?,
        action: r.get(4)?,
        from_steps: r.get(5)?,
        to_steps: r.get(6)?,
        comment: r.get(7)?,
        note: r.get(8)?,
        changes: r.get(9)?,
        prev_hash: r.get(10)?,
        hash: r.get(11)?,
    })
}

impl StoredEvent {
    fn columns<'a>(&'a self, case_id: &'a str) -> HashedColumns<'a> {
        HashedColumns {
            case_id,
            seq: self.seq,
            at: &self.at,
            actor: &self.actor,
            kind: &self.kind,
            action: self.action.as_deref(),
            from_steps: &self.from_steps,
            to_steps: &self.to_steps,
            comment: self.comment.as_deref(),
            note: self.note.as_deref(),
            changes: &self.changes,
        }
    }
}

impl Db<'_> {
    /// The hash of event `seq` of a case (the genesis value before the first event).
    pub(crate) fn chain_head(&self, case_id: &str, seq: i64) -> Result<String> {
        let head: Option<Option<String>> = self.row(
            "SELECT hash FROM events WHERE case_id = ?1 AND seq = ?2",
            args![case_id, seq],
            |r| r.get(0),
        )?;
        Ok(head.flatten().unwrap_or_else(|| GENESIS.to_string()))
    }

    /// Walk the chain of every case (or of one) and check every attachment's content.
    pub fn audit(&self, case: Option<&str>) -> Result<AuditReport> {
        let mut report = AuditReport::default();
        let ids: Vec<(String, i64)> = self.rows(
            "SELECT id, last_seq FROM cases WHERE CAST(?1 AS TEXT) IS NULL OR id = ?1 ORDER BY opened_at, id",
            args![case],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        for (id, last_seq) in ids {
            report.cases += 1;
            let events = self.rows(SELECT_EVENTS, args![id], stored_event)?;
            report.events += events.len();
            report.breaks.extend(verify_case(&id, &events, last_seq));
        }
        let (attachments, broken) = self.verify_attachments(case)?;
        report.attachments = attachments;
        report.breaks.extend(broken);
        Ok(report)
    }

    fn verify_attachments(&self, case: Option<&str>) -> Result<(usize, Vec<Break>)> {
        let mut count = 0;
        let mut breaks = Vec::new();
        self.each_row(
            "SELECT a.case_id, e.seq, a.name, a.sha256, a.bytes FROM attachments a JOIN events e ON e.id = a.event_id
             WHERE CAST(?1 AS TEXT) IS NULL OR a.case_id = ?1 ORDER BY a.id",
            args![case],
            |row| {
                count += 1;
                let (case_id, seq, name, sha256): (String, i64, String, String) =
                    (row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?);
                let bytes: Vec<u8> = row.get(4)?;
                if hex(&Sha256::digest(&bytes)) != sha256 {
                    breaks.push(Break {
                        case: case_id,
                        seq,
                        problem: format!(
                            "attachment `{name}` no longer matches the content recorded"
                        ),
                    });
                }
                Ok(())
            },
        )?;
        Ok((count, breaks))
    }
}

/// The first break in one case's chain of stored events, if any.
fn verify_case(id: &str, events: &[StoredEvent], last_seq: i64) -> Option<Break> {
    let broken = |seq: i64, problem: String| Break {
        case: id.to_string(),
        seq,
        problem,
    };
    let mut prev = GENESIS.to_string();
    let mut expected_seq = 1;
    for event in events {
        if event.seq != expected_seq {
            let missing = if event.seq > expected_seq {
                match event.seq - expected_seq {
                    1 => format!("event {expected_seq} is missing (deleted)"),
                    _ => format!(
                        "events {expected_seq} to {} are missing (deleted)",
                        event.seq - 1
                    ),
                }
            } else {
                format!("event {} appears twice or out of order", event.seq)
            };
            return Some(broken(expected_seq, missing));
        }
        if event.prev_hash.as_deref() != Some(prev.as_str()) {
            let problem = "does not chain from the event before it (an earlier event was altered or replaced)";
            return Some(broken(event.seq, problem.into()));
        }
        let recomputed = event_hash(&prev, &event.columns(id));
        if event.hash.as_deref() != Some(recomputed.as_str()) {
            let problem = format!(
                "was altered after it was written ({} by {} at {})",
                event.kind, event.actor, event.at
            );
            return Some(broken(event.seq, problem));
        }
        prev = recomputed;
        expected_seq += 1;
    }
    if expected_seq - 1 != last_seq {
        let problem = if expected_seq - 1 < last_seq {
            format!(
                "the case records {last_seq} events but only {} remain: the last ones were deleted",
                expected_seq - 1
            )
        } else {
            format!(
                "the case records {last_seq} events but has {}",
                expected_seq - 1
            )
        };
        return Some(broken(expected_seq.min(last_seq + 1), problem));
    }
    None
}

/// Migration hook (SQLite schema 5): give the events written before the chain existed their
/// hashes, in order, then put the append-only trigger back.
pub(crate) fn backfill(tx: &rusqlite::Transaction) -> rusqlite::Result<()> {
    let db = Db {
        conn: Conn::Sqlite(tx),
        operator: None,
    };
    let hook = |e: super::StoreError| match e {
        super::StoreError::Sql(e) => e,
        other => rusqlite::Error::ToSqlConversionFailure(Box::new(other)),
    };
    let ids: Vec<String> = db
        .rows("SELECT id FROM cases ORDER BY id", args![], |r| r.get(0))
        .map_err(hook)?;
    for id in ids {
        let events = db
            .rows(SELECT_EVENTS, args![id], stored_event)
            .map_err(hook)?;
        let mut prev = GENESIS.to_string();
        for event in &events {
            let hash = event_hash(&prev, &event.columns(&id));
            db.exec(
                "UPDATE events SET prev_hash = ?3, hash = ?4 WHERE case_id = ?1 AND seq = ?2",
                args![id, event.seq, prev, hash],
            )
            .map_err(hook)?;
            prev = hash;
        }
    }
    tx.execute_batch(super::schema::APPEND_ONLY_UPDATE_TRIGGER)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rusqlite::Connection;

    fn columns(comment: Option<&str>) -> HashedColumns<'_> {
        HashedColumns {
            case_id: "EXP-2026-0001",
            seq: 1,
            at: "2026-11-30T09:00:00Z",
            actor: "alice",
            kind: "opened",
            action: None,
            from_steps: "[]",
            to_steps: "[\"manager_review\"]",
            comment,
            note: None,
            changes: "[]",
        }
    }

    #[test]
    fn migrating_an_older_database_chains_its_existing_events_and_restores_the_trigger() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("old.db");
        let mut conn = Connection::open(&path).expect("open");
        crate::store::schema::migrations()
            .to_version(&mut conn, 2)
            .expect("schema 2");
        conn.execute_batch(
            "INSERT INTO process_versions VALUES ('p', 1, 'P', '', 'h', '2026-01-01T00:00:00Z');
             INSERT INTO cases (id, process, version, status, priority, state, opened_by, opened_at, updated_at, last_seq)
               VALUES ('P-1', 'p', 1, 'open', 'normal', '{}', 'alice', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z', 2);
             INSERT INTO events (case_id, seq, at, actor, kind, from_steps, to_steps, changes)
               VALUES ('P-1', 1, '2026-01-01T00:00:00Z', 'alice', 'opened', '[]', '[\"a\"]', '[]'),
                      ('P-1', 2, '2026-01-02T00:00:00Z', 'bob', 'commented', '[\"a\"]', '[\"a\"]', '[]');",
        )
        .expect("old rows");
        drop(conn);
        let store =
            crate::store::Store::open(&path, std::time::Duration::from_secs(1)).expect("migrates");
        let report = store.read().audit(None).expect("audit");
        assert_eq!((report.cases, report.events), (1, 2));
        assert!(report.breaks.is_empty(), "{:?}", report.breaks);
        assert!(store
            .read()
            .exec("UPDATE events SET comment = 'x'", args![])
            .is_err());
    }

    #[test]
    fn the_hash_covers_every_column_and_the_previous_hash() {
        let base = event_hash(GENESIS, &columns(None));
        assert_eq!(base.len(), 64);
        assert_ne!(base, event_hash(GENESIS, &columns(Some(""))));
        assert_ne!(base, event_hash("x", &columns(None)));
        assert_eq!(base, event_hash(GENESIS, &columns(None)));
    }
}
