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

/// The same schema for PostgreSQL, as `(version, SQL)` steps. PostgreSQL support arrived
/// with schema 7, so its first step is V1–V7 in one; every later migration gets a step in
/// both lists with the same number. Text is compared byte-wise (`COLLATE "C"`), as SQLite
/// does, so ids and timestamps sort the same on both; ids are identity columns; JSON stays
/// text, exactly as hashed by the audit chain.
pub const POSTGRES: &[(i64, &str)] = &[(7, PG_V7)];

const PG_V7: &str = r#"
CREATE TABLE process_versions (
    name        TEXT COLLATE "C" NOT NULL,
    version     BIGINT NOT NULL,
    title       TEXT NOT NULL,
    source      TEXT NOT NULL,
    hash        TEXT NOT NULL,
    deployed_at TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (name, version)
);

CREATE TABLE sequences (
    name  TEXT COLLATE "C" PRIMARY KEY,
    value BIGINT NOT NULL
);

CREATE TABLE cases (
    id           TEXT COLLATE "C" PRIMARY KEY,
    process      TEXT COLLATE "C" NOT NULL,
    version      BIGINT NOT NULL,
    status       TEXT COLLATE "C" NOT NULL CHECK (status IN ('open', 'closed')),
    outcome      TEXT COLLATE "C",
    priority     TEXT COLLATE "C" NOT NULL,
    state        TEXT NOT NULL,
    opened_by    TEXT COLLATE "C" NOT NULL,
    opened_at    TEXT COLLATE "C" NOT NULL,
    closed_at    TEXT COLLATE "C",
    updated_at   TEXT COLLATE "C" NOT NULL,
    external_ref TEXT COLLATE "C",
    last_seq     BIGINT NOT NULL,
    due_at       TEXT COLLATE "C",
    warn_at      TEXT COLLATE "C",
    FOREIGN KEY (process, version) REFERENCES process_versions (name, version)
);
CREATE INDEX cases_by_status ON cases (status, process, opened_at);
CREATE INDEX cases_by_opened ON cases (opened_at);
CREATE UNIQUE INDEX cases_by_ref ON cases (process, external_ref) WHERE external_ref IS NOT NULL;
CREATE INDEX cases_by_due ON cases (due_at) WHERE due_at IS NOT NULL;

CREATE TABLE tasks (
    case_id       TEXT COLLATE "C" NOT NULL REFERENCES cases (id),
    task          BIGINT NOT NULL,
    step          TEXT COLLATE "C" NOT NULL,
    assignee_kind TEXT COLLATE "C" NOT NULL CHECK (assignee_kind IN ('person', 'group')),
    assignee      TEXT COLLATE "C" NOT NULL,
    entered_at    TEXT COLLATE "C" NOT NULL,
    kind          TEXT COLLATE "C" NOT NULL DEFAULT 'step'
        CHECK (kind IN ('step', 'subtask', 'consultation')),
    due_at        TEXT COLLATE "C",
    warn_at       TEXT COLLATE "C",
    PRIMARY KEY (case_id, task)
);
CREATE INDEX tasks_by_assignee ON tasks (assignee, assignee_kind);
CREATE INDEX tasks_by_step ON tasks (step);
CREATE INDEX tasks_by_due ON tasks (due_at) WHERE due_at IS NOT NULL;

CREATE TABLE events (
    id         BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    case_id    TEXT COLLATE "C" NOT NULL REFERENCES cases (id),
    seq        BIGINT NOT NULL,
    at         TEXT COLLATE "C" NOT NULL,
    actor      TEXT COLLATE "C" NOT NULL,
    kind       TEXT COLLATE "C" NOT NULL,
    action     TEXT COLLATE "C",
    from_steps TEXT NOT NULL,
    to_steps   TEXT NOT NULL,
    comment    TEXT,
    note       TEXT,
    changes    TEXT NOT NULL,
    prev_hash  TEXT,
    hash       TEXT,
    UNIQUE (case_id, seq)
);
CREATE FUNCTION caseflow_events_are_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'events are append-only'; END $$;
CREATE TRIGGER events_are_append_only BEFORE UPDATE OR DELETE ON events
    FOR EACH ROW EXECUTE FUNCTION caseflow_events_are_append_only();

CREATE TABLE attachments (
    id       BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    case_id  TEXT COLLATE "C" NOT NULL REFERENCES cases (id),
    event_id BIGINT NOT NULL REFERENCES events (id),
    kind     TEXT COLLATE "C",
    name     TEXT NOT NULL,
    sha256   TEXT NOT NULL,
    size     BIGINT NOT NULL,
    bytes    BYTEA NOT NULL
);
CREATE INDEX attachments_by_case ON attachments (case_id);

CREATE TABLE outbox (
    id           BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    case_id      TEXT COLLATE "C" NOT NULL REFERENCES cases (id),
    event_id     BIGINT NOT NULL REFERENCES events (id),
    template     TEXT COLLATE "C" NOT NULL,
    recipients   TEXT NOT NULL,
    status       TEXT COLLATE "C" NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'sent', 'dead')),
    attempts     BIGINT NOT NULL DEFAULT 0,
    last_error   TEXT,
    created_at   TEXT COLLATE "C" NOT NULL,
    next_try_at  TEXT COLLATE "C" NOT NULL,
    sent_at      TEXT COLLATE "C",
    message_id   TEXT COLLATE "C" NOT NULL UNIQUE,
    locale       TEXT,
    subject      TEXT,
    body_text    TEXT,
    body_html    TEXT,
    letter_name  TEXT,
    letter       BYTEA,
    rendered_at  TEXT COLLATE "C",
    delivered_to TEXT NOT NULL DEFAULT '[]',
    last_try_at  TEXT COLLATE "C"
);
CREATE INDEX outbox_by_status ON outbox (status, next_try_at);
CREATE INDEX outbox_by_case ON outbox (case_id);

CREATE TABLE timers (
    case_id TEXT COLLATE "C" NOT NULL REFERENCES cases (id),
    task    BIGINT NOT NULL,
    kind    TEXT COLLATE "C" NOT NULL,
    due_at  TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (case_id, task, kind)
);
CREATE INDEX timers_by_due ON timers (due_at, case_id, task, kind);

CREATE TABLE tick_runs (
    id          BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    started_at  TEXT COLLATE "C" NOT NULL,
    finished_at TEXT COLLATE "C",
    now         TEXT COLLATE "C" NOT NULL,
    fired       BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE settings (
    key   TEXT COLLATE "C" PRIMARY KEY,
    value TEXT NOT NULL
);
"#;

/// Every table, parents first, with its columns: what `migrate-store`, and `backup` and
/// `restore` on PostgreSQL, copy row by row. A migration that adds a column adds it here.
pub const TABLES: &[(&str, &[&str])] = &[
    (
        "process_versions",
        &["name", "version", "title", "source", "hash", "deployed_at"],
    ),
    ("sequences", &["name", "value"]),
    (
        "cases",
        &[
            "id",
            "process",
            "version",
            "status",
            "outcome",
            "priority",
            "state",
            "opened_by",
            "opened_at",
            "closed_at",
            "updated_at",
            "external_ref",
            "last_seq",
            "due_at",
            "warn_at",
        ],
    ),
    (
        "tasks",
        &[
            "case_id",
            "task",
            "step",
            "assignee_kind",
            "assignee",
            "entered_at",
            "kind",
            "due_at",
            "warn_at",
        ],
    ),
    (
        "events",
        &[
            "id",
            "case_id",
            "seq",
            "at",
            "actor",
            "kind",
            "action",
            "from_steps",
            "to_steps",
            "comment",
            "note",
            "changes",
            "prev_hash",
            "hash",
        ],
    ),
    (
        "attachments",
        &[
            "id", "case_id", "event_id", "kind", "name", "sha256", "size", "bytes",
        ],
    ),
    (
        "outbox",
        &[
            "id",
            "case_id",
            "event_id",
            "template",
            "recipients",
            "status",
            "attempts",
            "last_error",
            "created_at",
            "next_try_at",
            "sent_at",
            "message_id",
            "locale",
            "subject",
            "body_text",
            "body_html",
            "letter_name",
            "letter",
            "rendered_at",
            "delivered_to",
            "last_try_at",
        ],
    ),
    ("timers", &["case_id", "task", "kind", "due_at"]),
    (
        "tick_runs",
        &["id", "started_at", "finished_at", "now", "fired"],
    ),
    ("settings", &["key", "value"]),
];

#[cfg(test)]
mod tests {
    #[test]
    fn migrations_are_valid() {
        assert!(super::migrations().validate().is_ok());
    }

    /// `TABLES` (what migrate-store, backup and restore copy) lists every table and column
    /// the migrations make, in their order, so a new column cannot be left behind.
    #[test]
    fn the_copied_tables_are_every_table_and_column() {
        let mut conn = rusqlite::Connection::open_in_memory().expect("memory db");
        super::migrations().to_latest(&mut conn).expect("migrate");
        let mut tables: Vec<String> = conn
            .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
            .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
            .expect("tables");
        tables.sort();
        let mut listed: Vec<String> = super::TABLES.iter().map(|(t, _)| t.to_string()).collect();
        listed.sort();
        assert_eq!(listed, tables);
        for (table, columns) in super::TABLES {
            let found: Vec<String> = conn
                .prepare(&format!("SELECT name FROM pragma_table_info('{table}')"))
                .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
                .expect("columns");
            assert_eq!(&found, columns, "{table}");
        }
    }
}
