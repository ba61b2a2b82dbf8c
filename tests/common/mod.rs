//! Test harness: the real binary on a temporary workspace, with a cleared environment and a
//! fixed `--now`, so every run is deterministic.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

pub const T0: &str = "2026-11-30T09:00:00Z";

pub struct Workspace {
    pub dir: tempfile::TempDir,
    /// The workspace's own PostgreSQL database when the suite runs against PostgreSQL.
    pub database: Option<TestDatabase>,
}

/// The PostgreSQL server the suite runs against (`CASEFLOW_TEST_POSTGRES`, a URL whose
/// user may create databases); unset: every workspace keeps its cases in `caseflow.db`.
pub fn postgres_server() -> Option<String> {
    std::env::var("CASEFLOW_TEST_POSTGRES")
        .ok()
        .filter(|s| !s.is_empty())
}

/// Whether this run is against PostgreSQL (tests of SQLite's own file skip themselves).
pub fn on_postgres() -> bool {
    postgres_server().is_some()
}

/// A database created for one workspace and dropped with it.
pub struct TestDatabase {
    server: String,
    name: String,
    pub url: String,
}

impl TestDatabase {
    fn create(server: &str) -> TestDatabase {
        use std::sync::atomic::{AtomicUsize, Ordering};
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let name = format!(
            "cf_test_{}_{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::SeqCst)
        );
        let mut client =
            postgres::Client::connect(server, postgres::NoTls).expect("CASEFLOW_TEST_POSTGRES");
        client
            .batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .expect("drop a stale test database");
        client
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .expect("create a test database");
        let base = server.rsplit_once('/').map_or(server, |(base, _)| base);
        TestDatabase {
            server: server.to_string(),
            url: format!("{base}/{name}"),
            name,
        }
    }

    pub fn client(&self) -> postgres::Client {
        postgres::Client::connect(&self.url, postgres::NoTls).expect("connect to the test database")
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if let Ok(mut client) = postgres::Client::connect(&self.server, postgres::NoTls) {
            let _ = client.batch_execute(&format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ));
        }
    }
}

/// What one run of the binary gave.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}\nstderr: {}", self.stdout, self.stderr))
    }

    pub fn ok(self) -> Run {
        assert_eq!(
            self.code, 0,
            "expected success\nstdout: {}\nstderr: {}",
            self.stdout, self.stderr
        );
        self
    }

    pub fn fails(self, code: i32) -> Run {
        assert_eq!(
            self.code, code,
            "expected exit {code}\nstdout: {}\nstderr: {}",
            self.stdout, self.stderr
        );
        self
    }
}

/// A bare command for the binary with the environment cleared.
pub fn caseflow() -> Command {
    let mut cmd = Command::cargo_bin("caseflow").expect("binary");
    cmd.env_clear()
        .env("NO_COLOR", "1")
        .env("PATH", std::env::var("PATH").unwrap_or_default());
    cmd
}

impl Workspace {
    /// A fresh workspace made by `caseflow init` at T0.
    pub fn init() -> Workspace {
        let ws = Workspace::empty();
        ws.run_at(T0, "root", &["init"]).ok();
        ws
    }

    /// A folder that is not a workspace yet (on PostgreSQL: with its own empty database,
    /// named in its caseflow.toml).
    pub fn empty() -> Workspace {
        let dir = tempfile::tempdir().expect("tempdir");
        let database = postgres_server().map(|server| TestDatabase::create(&server));
        let ws = Workspace { dir, database };
        if ws.database.is_some() {
            ws.write_config("");
        }
        ws
    }

    /// Write caseflow.toml (keeping the test database's `database.url`).
    pub fn write_config(&self, contents: &str) {
        let mut text = contents.to_string();
        if let Some(db) = &self.database {
            text.push_str(&format!("\n[database]\nurl = \"{}\"\n", db.url));
        }
        std::fs::write(self.path().join("caseflow.toml"), text).expect("write caseflow.toml");
    }

    /// Run SQL behind caseflow's back, on whichever database the workspace uses.
    pub fn sql(&self, sql: &str) {
        match &self.database {
            Some(db) => db.client().batch_execute(sql).expect("SQL on PostgreSQL"),
            None => rusqlite::Connection::open(self.path().join("caseflow.db"))
                .expect("open caseflow.db")
                .execute_batch(sql)
                .expect("SQL on SQLite"),
        }
    }

    /// The rows of a query, every column read as text (cast in the SQL where needed);
    /// `?1` is `arg`.
    pub fn sql_rows(&self, sql: &str, arg: &str) -> Vec<Vec<Option<String>>> {
        match &self.database {
            Some(db) => {
                let sql = sql.replace("?1", "$1");
                let params: &[&(dyn postgres::types::ToSql + Sync)] =
                    if sql.contains("$1") { &[&arg] } else { &[] };
                let rows = db.client().query(&sql, params).expect("query PostgreSQL");
                rows.iter()
                    .map(|r| {
                        (0..r.len())
                            .map(|i| r.get::<_, Option<String>>(i))
                            .collect()
                    })
                    .collect()
            }
            None => {
                let conn = rusqlite::Connection::open(self.path().join("caseflow.db"))
                    .expect("open caseflow.db");
                let mut stmt = conn.prepare(sql).expect("prepare");
                let n = stmt.column_count();
                let params: &[&dyn rusqlite::ToSql] =
                    if sql.contains("?1") { &[&arg] } else { &[] };
                let rows = stmt
                    .query_map(params, |r| {
                        (0..n).map(|i| r.get::<_, Option<String>>(i)).collect()
                    })
                    .expect("query");
                rows.map(|r| r.expect("row")).collect()
            }
        }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn file(&self, name: &str, contents: &str) -> PathBuf {
        let path = self.path().join(name);
        std::fs::write(&path, contents).expect("write file");
        path
    }

    /// Run `caseflow ARGS` as `actor` at `now`.
    pub fn run_at(&self, now: &str, actor: &str, args: &[&str]) -> Run {
        let output = caseflow()
            .arg("--workspace")
            .arg(self.path())
            .args(["--now", now, "--as", actor])
            .args(args)
            .output()
            .expect("run caseflow");
        Run {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }

    pub fn run(&self, actor: &str, args: &[&str]) -> Run {
        self.run_at(T0, actor, args)
    }

    /// `show CASE --json`.
    pub fn show(&self, case: &str) -> Value {
        self.run("root", &["show", case, "--json"]).ok().json()
    }

    /// `history CASE --json` events.
    pub fn history(&self, case: &str) -> Vec<Value> {
        self.run("root", &["history", case, "--json"]).ok().json()["events"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    }

    /// Open a case and return its id.
    pub fn open(&self, actor: &str, process: &str, fields: &[&str]) -> String {
        let mut args = vec!["open", process, "--json"];
        for f in fields {
            args.push("--field");
            args.push(f);
        }
        self.run(actor, &args).ok().json()["id"]
            .as_str()
            .expect("id")
            .to_string()
    }
}

/// A JSON array of strings as strings.
pub fn strs(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap_or_else(|| panic!("not an array: {v}"))
        .iter()
        .map(|x| {
            x.as_str()
                .unwrap_or_else(|| panic!("not a string: {x}"))
                .to_string()
        })
        .collect()
}

/// One notification queued for a case (from `show --json`): the `seq` of the event that
/// queued it, its template, and its recipients by org.yaml person id (or address for
/// e-mail roles), and by address.
#[derive(Debug, Clone, PartialEq)]
pub struct Queued {
    pub seq: i64,
    pub template: String,
    pub to: Vec<String>,
    pub cc: Vec<String>,
    pub to_addresses: Vec<String>,
    pub cc_addresses: Vec<String>,
}

fn name_of(r: &Value) -> Option<&str> {
    r["person"].as_str().or(r["address"].as_str())
}

fn address_of(r: &Value) -> Option<&str> {
    r["address"].as_str()
}

fn recipients(list: &Value, name: fn(&Value) -> Option<&str>) -> Vec<String> {
    list.as_array()
        .unwrap_or_else(|| panic!("not a list of recipients: {list}"))
        .iter()
        .map(|r| name(r).unwrap_or_default().to_string())
        .collect()
}

impl Workspace {
    /// The notifications queued for a case, oldest first.
    pub fn outbox(&self, case: &str) -> Vec<Queued> {
        self.show(case)["notifications"]
            .as_array()
            .expect("notifications in show --json")
            .iter()
            .map(|n| Queued {
                seq: n["event"].as_i64().expect("event seq"),
                template: n["template"].as_str().expect("template").to_string(),
                to: recipients(&n["to"], name_of),
                cc: recipients(&n["cc"], name_of),
                to_addresses: recipients(&n["to"], address_of),
                cc_addresses: recipients(&n["cc"], address_of),
            })
            .collect()
    }

    /// How many events a case's history has.
    pub fn events(&self, case: &str) -> usize {
        self.history(case).len()
    }
}

/// The steps a case (from `show --json`) is in.
pub fn steps(case: &Value) -> Vec<String> {
    strs(&case["active_steps"])
}

/// One history entry as (actor, kind, action, from steps, to steps); see [`mv`].
pub type Move = (String, String, String, String, String);

/// A [`Move`] to compare with, steps joined by `,`.
pub fn mv(actor: &str, kind: &str, action: &str, from: &str, to: &str) -> Move {
    (
        actor.into(),
        kind.into(),
        action.into(),
        from.into(),
        to.into(),
    )
}

impl Workspace {
    /// The steps the case is in now.
    pub fn steps(&self, case: &str) -> Vec<String> {
        steps(&self.show(case))
    }

    /// Every event of the case as a [`Move`].
    pub fn moves(&self, case: &str) -> Vec<Move> {
        self.history(case)
            .iter()
            .map(|e| {
                let text = |key: &str| e[key].as_str().unwrap_or_default().to_string();
                (
                    text("actor"),
                    text("kind"),
                    text("action"),
                    strs(&e["from_steps"]).join(","),
                    strs(&e["to_steps"]).join(","),
                )
            })
            .collect()
    }
}
