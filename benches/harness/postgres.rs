//! Line 7: the PostgreSQL store next to SQLite. The same generated workspace is copied twice;
//! one copy is moved to PostgreSQL with `caseflow migrate-store` (timed), then each iteration
//! runs `open`, `approve`, `show` and `list --mine` on both, interleaved, so the SQLite run is
//! the floor measured in the same loop. Then 8 writers at once on PostgreSQL, as line 6 does
//! on SQLite. Needs a server: `CASEFLOW_BENCH_POSTGRES=postgres://user@host/postgres` (a role
//! that may create databases); without it the line says so.

use std::process::Command;

use crate::cli::{human, OPEN_ARGS};
use crate::report::{Row, Section, Verdict};
use crate::spawn::{copy_dir, time};
use crate::stats::{ms, Samples};
use crate::Bench;

const DATABASE: &str = "caseflow_bench";

pub fn section(b: &Bench) -> Section {
    let title = "7. PostgreSQL store".to_string();
    let Some(server) = std::env::var("CASEFLOW_BENCH_POSTGRES")
        .ok()
        .filter(|s| !s.is_empty())
    else {
        return Section {
            title,
            about: "Not measured: set CASEFLOW_BENCH_POSTGRES=postgres://user@host/postgres (a \
                    role that may create databases) to compare the PostgreSQL store with SQLite."
                .into(),
            rows: Vec::new(),
            notes: Vec::new(),
        };
    };
    let scale = b
        .cfg
        .scales
        .iter()
        .copied()
        .filter(|&s| s > 0)
        .min()
        .unwrap_or(0);
    let url = fresh_database(&server);
    let cached = b.cache.scale(scale, &b.cfg.scales);
    let (lite, pg) = (b.scratch.join("pg-sqlite"), b.scratch.join("pg-postgres"));
    copy_dir(&cached, &lite);
    copy_dir(&cached, &pg);
    let migrate = move_to_postgres(b, &pg, &url);
    let names = ["open", "approve", "show", "list --mine"];
    let mut on_pg: Vec<Samples> = (0..4).map(|_| Samples::new()).collect();
    let mut on_lite: Vec<Samples> = (0..4).map(|_| Samples::new()).collect();
    for i in 0..(b.cfg.op_runs + b.cfg.warmup) {
        for (ws, samples) in [(&lite, &mut on_lite), (&pg, &mut on_pg)] {
            let runs = operator_round(b, ws);
            if i >= b.cfg.warmup {
                for (k, took) in runs.into_iter().enumerate() {
                    samples[k].push_ms(took);
                }
            }
        }
    }
    let mut rows: Vec<Row> = names
        .iter()
        .enumerate()
        .map(|(k, name)| Row {
            line: format!("`{name}` @ {} on PostgreSQL", human(scale)),
            n: on_pg[k].len().to_string(),
            median: ms(on_pg[k].median()),
            p99: ms(on_pg[k].p99()),
            floor: format!("SQLite {}", ms(on_lite[k].median())),
            ratio: format!("{:.2}×", on_pg[k].median() / on_lite[k].median()),
            target: "—".into(),
            verdict: Verdict::Info,
        })
        .collect();
    rows.push(contention(b, &server));
    rows.push(Row {
        line: format!("`migrate-store` of {} cases", human(scale)),
        n: "1".into(),
        median: ms(migrate.took.as_secs_f64() * 1000.0),
        p99: "—".into(),
        floor: "—".into(),
        ratio: "—".into(),
        target: "—".into(),
        verdict: Verdict::Info,
    });
    let _ = std::fs::remove_dir_all(&lite);
    let _ = std::fs::remove_dir_all(&pg);
    Section {
        title,
        about: format!(
            "The line-2 workspace of {} cases, once in `caseflow.db` and once moved to \
             PostgreSQL (a local server over TCP on 127.0.0.1) with `migrate-store`; each \
             iteration runs the four operator commands on both, SQLite first (the floor). \
             Then {} writers at once on PostgreSQL as in line 6 (its floor: one writer alone).",
            human(scale),
            b.cfg.writers
        ),
        rows,
        notes: Vec::new(),
    }
}

/// `open`, `approve` of it, `show` of it, `list --mine`: their times in ms.
fn operator_round(b: &Bench, ws: &std::path::Path) -> Vec<f64> {
    let open = time(&mut b.cf.cmd(ws, "alice", &OPEN_ARGS));
    assert!(open.ok(), "open failed: {}", open.why());
    let id = crate::cli::opened_id(&open.stdout).expect("open prints the new case id");
    let approve = time(&mut b.cf.cmd(ws, "maria", &["approve", &id]));
    assert!(approve.ok(), "approve {id} failed: {}", approve.why());
    let show = time(&mut b.cf.cmd(ws, "maria", &["show", &id]));
    assert!(show.ok(), "show {id} failed: {}", show.why());
    let list = time(&mut b.cf.cmd(ws, "maria", &["list", "--mine"]));
    assert!(list.ok(), "list --mine failed: {}", list.why());
    [open, approve, show, list]
        .iter()
        .map(|r| r.took.as_secs_f64() * 1000.0)
        .collect()
}

/// 8 writers on a fresh PostgreSQL workspace vs one alone.
fn contention(b: &Bench, server: &str) -> Row {
    let url = fresh_database(server);
    let ws = b.scratch.join("pg-contention");
    copy_dir(&b.cache.empty(), &ws);
    move_to_postgres(b, &ws, &url);
    let w = crate::cli::writers(b, &ws);
    let _ = std::fs::remove_dir_all(&ws);
    w.row(b, " on PostgreSQL")
}

/// `migrate-store` the workspace `ws` into `url` and point its caseflow.toml there; the
/// timed run of `migrate-store`.
fn move_to_postgres(b: &Bench, ws: &std::path::Path, url: &str) -> crate::spawn::Run {
    let moved = time(&mut b.cf.cmd(ws, "root", &["migrate-store", "--to", url]));
    assert!(moved.ok(), "migrate-store failed: {}", moved.why());
    std::fs::write(
        ws.join("caseflow.toml"),
        format!("[database]\nurl = \"{url}\"\n"),
    )
    .expect("write caseflow.toml");
    moved
}

/// Drop and create the bench database; its URL.
fn fresh_database(server: &str) -> String {
    let psql = |sql: &str| {
        let out = Command::new("psql")
            .args(["-q", "-v", "ON_ERROR_STOP=1", server, "-c", sql])
            .output()
            .expect("psql (postgresql-client) is needed for line 7");
        assert!(
            out.status.success(),
            "{sql}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    psql(&format!("DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)"));
    psql(&format!("CREATE DATABASE {DATABASE}"));
    let base = server.rsplit_once('/').map_or(server, |(base, _)| base);
    format!("{base}/{DATABASE}")
}
