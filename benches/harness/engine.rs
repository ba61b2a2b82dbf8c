//! Line 3: engine throughput in one process — open + approve cycles through the library
//! (definition, engine, store; one `BEGIN IMMEDIATE` transaction per command, as the CLI
//! does) against raw rusqlite single-row transactions writing the same rows on the same schema.
//!
//! The floor is what SQLite itself costs for the rows a cycle writes (sequence, case, task,
//! event; then reading the case back, updating it, replacing its tasks, one more event), with
//! state JSON of the size caseflow writes; the gap is the engine, JSON and the store's checks.
//! Both run in alternating blocks so machine noise falls on both.

use std::time::Instant;

use rusqlite::{params, Connection, TransactionBehavior};

use crate::data::{expense_fields, open_store, ts, Model, EXPENSE};
use crate::report::{Row, Section};
use crate::spawn::copy_dir;
use crate::stats::{ms, rate, Rng, Samples};
use crate::Bench;

/// What the raw floor writes per cycle: JSON of the sizes caseflow writes.
struct Shapes {
    state: String,
    changes: String,
}

pub struct EngineFigures {
    pub caseflow_rate: f64,
}

pub fn throughput(b: &Bench) -> (Section, EngineFigures) {
    let cf_ws = b.scratch.join("engine-caseflow");
    let raw_ws = b.scratch.join("engine-raw");
    copy_dir(&b.cache.empty(), &cf_ws);
    copy_dir(&b.cache.empty(), &raw_ws);
    let mut store = open_store(&cf_ws);
    let model = Model::load(&cf_ws, &store, EXPENSE).unwrap_or_else(|e| panic!("{e}"));
    let raw = Connection::open(raw_ws.join("caseflow.db")).expect("open the raw database");
    raw.pragma_update(None, "journal_mode", "WAL").expect("WAL");
    raw.pragma_update(None, "synchronous", "NORMAL")
        .expect("synchronous");
    raw.pragma_update(None, "foreign_keys", "ON")
        .expect("foreign keys");
    let mut raw = raw;

    let now = ts(&b.cf.now);
    let mut rng = Rng::new(crate::data::SEED ^ 0xE1);
    let blocks = 5;
    let per_block = b.cfg.engine_cycles.div_ceil(blocks);
    let mut cf = Samples::new();
    let mut floor = Samples::new();
    let mut shapes: Option<Shapes> = None;
    let mut n = 0u64;
    for _ in 0..blocks {
        for _ in 0..per_block {
            let fields = model
                .fields(&expense_fields(&mut rng, now))
                .unwrap_or_else(|e| panic!("{e}"));
            let start = Instant::now();
            let opened = store
                .write(|db| model.open(db, "alice", now, fields, None))
                .unwrap_or_else(|e| panic!("library open: {e}"));
            let approved = store
                .write(|db| model.load_and_act(db, &opened.case.id, "maria", now, "approve"))
                .unwrap_or_else(|e| panic!("library approve: {e}"));
            cf.push(start.elapsed());
            if shapes.is_none() {
                shapes = Some(Shapes {
                    state: serde_json::to_string(&approved.case).expect("case as JSON"),
                    changes: serde_json::to_string(&opened.events[0].changes)
                        .expect("changes as JSON"),
                });
            }
        }
        let shapes = shapes.as_ref().expect("shapes from the first cycle");
        for _ in 0..per_block {
            n += 1;
            let start = Instant::now();
            raw_cycle(&mut raw, n, shapes).expect("raw rusqlite cycle");
            floor.push(start.elapsed());
        }
    }
    drop(store);
    let _ = std::fs::remove_dir_all(&cf_ws);
    let _ = std::fs::remove_dir_all(&raw_ws);
    let cf_rate = cf.len() as f64 / (cf.sum() / 1000.0);
    let floor_rate = floor.len() as f64 / (floor.sum() / 1000.0);
    let share = cf_rate / floor_rate;
    let row = Row {
        line: "open + approve cycle, library API with the store".into(),
        n: cf.len().to_string(),
        median: ms(cf.median()),
        p99: ms(cf.p99()),
        floor: format!(
            "raw rusqlite, same rows: {} / cycle = {}",
            ms(floor.median()),
            rate(floor_rate)
        ),
        ratio: format!("{} = {share:.2}× floor rate", rate(cf_rate)),
        target: "≥ 0.33× floor rate".into(),
        verdict: Row::judged(share >= 1.0 / 3.0),
    };
    let section = Section {
        title: "3. Engine throughput".into(),
        about: "One process: each cycle opens an expense claim and approves it (two transactions, \
                as two commands would), through `engine::open`/`engine::decide` and `Db::record` \
                with the definition loaded once. The floor writes the same rows on the same schema \
                with raw rusqlite single-row transactions (prepared statements, no engine, JSON \
                of the same size prepared in advance). Rates are cycles per second of busy time."
            .into(),
        rows: vec![row],
        notes: Vec::new(),
    };
    (
        section,
        EngineFigures {
            caseflow_rate: cf_rate,
        },
    )
}

fn raw_cycle(conn: &mut Connection, n: u64, shapes: &Shapes) -> rusqlite::Result<()> {
    let now = "2026-11-30T12:00:00Z";
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let seq: i64 = tx
        .prepare_cached(
            "INSERT INTO sequences (name, value) VALUES ('raw', 1) ON CONFLICT (name) DO UPDATE SET value = value + 1 RETURNING value",
        )?
        .query_row([], |r| r.get(0))?;
    let id = format!("RAW-2026-{seq:04}-{n}");
    tx.prepare_cached(
        "INSERT INTO cases (id, process, version, status, outcome, priority, state, opened_by, opened_at, closed_at, updated_at, external_ref, last_seq)
         VALUES (?1, 'expense-reimbursement', 1, 'open', NULL, 'normal', ?2, 'alice', ?3, NULL, ?3, NULL, 1)",
    )?
    .execute(params![id, shapes.state, now])?;
    tx.prepare_cached(
        "INSERT INTO tasks (case_id, task, step, assignee_kind, assignee, entered_at, kind) VALUES (?1, 1, 'manager_review', 'person', 'maria', ?2, 'step')",
    )?
    .execute(params![id, now])?;
    insert_event(&tx, &id, 1, now, shapes)?;
    tx.commit()?;

    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let state: String = tx
        .prepare_cached("SELECT state FROM cases WHERE id = ?1")?
        .query_row([&id], |r| r.get(0))?;
    tx.prepare_cached(
        "UPDATE cases SET status = 'open', state = ?2, updated_at = ?3, last_seq = 2 WHERE id = ?1",
    )?
    .execute(params![id, state, now])?;
    tx.prepare_cached("DELETE FROM tasks WHERE case_id = ?1")?
        .execute([&id])?;
    for (task, step, group) in [
        (2, "hr_acknowledge", "hr"),
        (3, "finance_payment", "finance"),
    ] {
        tx.prepare_cached(
            "INSERT INTO tasks (case_id, task, step, assignee_kind, assignee, entered_at, kind) VALUES (?1, ?2, ?3, 'group', ?4, ?5, 'step')",
        )?
        .execute(params![id, task, step, group, now])?;
    }
    insert_event(&tx, &id, 2, now, shapes)?;
    tx.commit()
}

fn insert_event(
    tx: &rusqlite::Transaction,
    id: &str,
    seq: i64,
    now: &str,
    shapes: &Shapes,
) -> rusqlite::Result<()> {
    tx.prepare_cached(
        "INSERT INTO events (case_id, seq, at, actor, kind, action, from_steps, to_steps, comment, note, changes)
         VALUES (?1, ?2, ?3, 'alice', 'opened', NULL, '[]', '[\"manager_review\"]', NULL, NULL, ?4)",
    )?
    .execute(params![id, seq, now, shapes.changes])?;
    Ok(())
}
