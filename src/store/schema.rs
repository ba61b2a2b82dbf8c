//! The database schema as append-only migrations: never edit one that has shipped, add a
//! new one. `PRAGMA user_version` records how far a database has come.

use rusqlite_migration::{Migrations, M};

const V1: &str = r#"
CREATE TABLE process_versions (
    name        TEXT NOT NULL,
    version     INTEGER NOT NULL,
    title       TEXT NOT NULL,
    source      TEXT NOT NULL,
    hash        TEXT NOT NULL,
    deployed_at TEXT NOT NULL,
    PRIMARY KEY (name, version)
);

CREATE TABLE sequences (
    name  TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);

CREATE TABLE cases (
    id           TEXT PRIMARY KEY,
    process      TEXT NOT NULL,
    version      INTEGER NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('open', 'closed')),
    outcome      TEXT,
    priority     TEXT NOT NULL,
    state        TEXT NOT NULL,
    opened_by    TEXT NOT NULL,
    opened_at    TEXT NOT NULL,
    closed_at    TEXT,
    updated_at   TEXT NOT NULL,
    external_ref TEXT,
    last_seq     INTEGER NOT NULL,
    FOREIGN KEY (process, version) REFERENCES process_versions (name, version)
);
CREATE INDEX cases_by_status ON cases (status, process, opened_at);
CREATE INDEX cases_by_opened ON cases (opened_at);
CREATE UNIQUE INDEX cases_by_ref ON cases (process, external_ref) WHERE external_ref IS NOT NULL;

CREATE TABLE tasks (
    case_id       TEXT NOT NULL REFERENCES cases (id),
    task          INTEGER NOT NULL,
    step          TEXT NOT NULL,
    assignee_kind TEXT NOT NULL CHECK (assignee_kind IN ('person', 'group')),
    assignee      TEXT NOT NULL,
    entered_at    TEXT NOT NULL,
    PRIMARY KEY (case_id, task)
);
CREATE INDEX tasks_by_assignee ON tasks (assignee, assignee_kind);
CREATE INDEX tasks_by_step ON tasks (step);

CREATE TABLE events (
    id         INTEGER PRIMARY KEY,
    case_id    TEXT NOT NULL REFERENCES cases (id),
    seq        INTEGER NOT NULL,
    at         TEXT NOT NULL,
    actor      TEXT NOT NULL,
    kind       TEXT NOT NULL,
    action     TEXT,
    from_steps TEXT NOT NULL,
    to_steps   TEXT NOT NULL,
    comment    TEXT,
    note       TEXT,
    changes    TEXT NOT NULL,
    UNIQUE (case_id, seq)
);
CREATE TRIGGER events_are_append_only_update BEFORE UPDATE ON events
BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
CREATE TRIGGER events_are_append_only_delete BEFORE DELETE ON events
BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;

CREATE TABLE attachments (
    id       INTEGER PRIMARY KEY,
    case_id  TEXT NOT NULL REFERENCES cases (id),
    event_id INTEGER NOT NULL REFERENCES events (id),
    kind     TEXT,
    name     TEXT NOT NULL,
    sha256   TEXT NOT NULL,
    size     INTEGER NOT NULL,
    bytes    BLOB NOT NULL
);
CREATE INDEX attachments_by_case ON attachments (case_id);

CREATE TABLE outbox (
    id          INTEGER PRIMARY KEY,
    case_id     TEXT NOT NULL REFERENCES cases (id),
    event_id    INTEGER NOT NULL REFERENCES events (id),
    template    TEXT NOT NULL,
    recipients  TEXT NOT NULL,
    status      TEXT NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'sent', 'dead')),
    attempts    INTEGER NOT NULL DEFAULT 0,
    last_error  TEXT,
    created_at  TEXT NOT NULL,
    next_try_at TEXT NOT NULL,
    sent_at     TEXT,
    message_id  TEXT NOT NULL UNIQUE
);
CREATE INDEX outbox_by_status ON outbox (status, next_try_at);
"#;

/// Sub-tasks and consultations are listed with the steps' tasks, so `list --mine` and
/// least-loaded assignment see them.
const V2: &str = r#"
ALTER TABLE tasks ADD COLUMN kind TEXT NOT NULL DEFAULT 'step'
    CHECK (kind IN ('step', 'subtask', 'consultation'));
"#;

/// Time: the SLA due and warning times of cases and tasks (for `list --overdue`), one row
/// per pending timer (SLA warning or breach, wait or timeout, reminder) indexed by due time
/// so `tick` reads only what is due, and a record of each tick run.
const V3_TIME: &str = r#"
ALTER TABLE tasks ADD COLUMN due_at TEXT;
ALTER TABLE tasks ADD COLUMN warn_at TEXT;
ALTER TABLE cases ADD COLUMN due_at TEXT;
ALTER TABLE cases ADD COLUMN warn_at TEXT;
CREATE INDEX tasks_by_due ON tasks (due_at) WHERE due_at IS NOT NULL;
CREATE INDEX cases_by_due ON cases (due_at) WHERE due_at IS NOT NULL;

CREATE TABLE timers (
    case_id TEXT NOT NULL REFERENCES cases (id),
    task    INTEGER NOT NULL,
    kind    TEXT NOT NULL,
    due_at  TEXT NOT NULL,
    PRIMARY KEY (case_id, task, kind)
);
CREATE INDEX timers_by_due ON timers (due_at, case_id, task, kind);

CREATE TABLE tick_runs (
    id          INTEGER PRIMARY KEY,
    started_at  TEXT NOT NULL,
    finished_at TEXT,
    now         TEXT NOT NULL,
    fired       INTEGER NOT NULL DEFAULT 0
);
"#;

/// Notifications are rendered when queued (subject, bodies, locale, an optional PDF letter)
/// and delivered per recipient: `delivered_to` lists the addresses a server already
/// accepted, so a retry after a partial failure never writes to them twice.
const V4_OUTBOX: &str = r#"
ALTER TABLE outbox ADD COLUMN locale TEXT;
ALTER TABLE outbox ADD COLUMN subject TEXT;
ALTER TABLE outbox ADD COLUMN body_text TEXT;
ALTER TABLE outbox ADD COLUMN body_html TEXT;
ALTER TABLE outbox ADD COLUMN letter_name TEXT;
ALTER TABLE outbox ADD COLUMN letter BLOB;
ALTER TABLE outbox ADD COLUMN rendered_at TEXT;
ALTER TABLE outbox ADD COLUMN delivered_to TEXT NOT NULL DEFAULT '[]';
ALTER TABLE outbox ADD COLUMN last_try_at TEXT;
"#;

/// The tamper-evident chain (see `audit.rs`): each event stores the previous event's hash
/// and its own. The update trigger is dropped while the hook backfills existing events,
/// and the hook puts it back.
const V5_AUDIT: &str = r#"
DROP TRIGGER events_are_append_only_update;
ALTER TABLE events ADD COLUMN prev_hash TEXT;
ALTER TABLE events ADD COLUMN hash TEXT;
"#;

/// Workspace-wide settings that must travel with the data (e.g. `team` mode), so they are
/// backed up with it and cannot be changed by editing a file next to it.
const V6_SETTINGS: &str = r#"
CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
"#;

/// Per-case lookups that `show` makes must not scan the outbox (measured: 189 ms at 1M cases).
const V7_INDEXES: &str = r#"
CREATE INDEX outbox_by_case ON outbox (case_id);
"#;

pub(crate) const APPEND_ONLY_UPDATE_TRIGGER: &str =
    "CREATE TRIGGER events_are_append_only_update BEFORE UPDATE ON events
BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;";

pub fn migrations() -> Migrations<'static> {
    Migrations::new(vec![
        M::up(V1),
        M::up(V2),
        M::up(V3_TIME),
        M::up(V4_OUTBOX),
        M::up_with_hook(V5_AUDIT, |tx: &rusqlite::Transaction| {
            super::audit::backfill(tx).map_err(Into::into)
        }),
        M::up(V6_SETTINGS),
        M::up(V7_INDEXES),
    ])
}

/// The schema version this build writes.
pub const LATEST: i64 = 7;

#[cfg(test)]
mod tests {
    #[test]
    fn migrations_are_valid() {
        assert!(super::migrations().validate().is_ok());
    }
}
