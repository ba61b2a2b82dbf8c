//! Deterministic data for the benchmarks, made fast through the library API.
//!
//! Cases are opened and moved by the real engine and recorded by the real store (the same
//! `engine::open`/`engine::decide` + `Db::record` a command runs), but many per transaction
//! and in one process, so a million cases take minutes rather than the hours a million
//! `caseflow open` processes would. Every choice comes from a seeded generator keyed by the
//! case's index, so a database grown to 100k and one grown to 1M agree on their first 100k
//! cases and a cached database can be resumed. Generated workspaces are cached under
//! `target/bench-data/<key>/`, the key covering the source and this generator.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use caseflow::definition::{self, Definition};
use caseflow::engine::{self, CaseState, Command as EngineCommand, Decision, Facts, NewAttachment};
use caseflow::org::Org;
use caseflow::store::{Db, FileBytes, Store, StoreError};
use caseflow::value::Value;
use jiff::{SignedDuration, Timestamp};
use sha2::{Digest, Sha256};

use crate::stats::Rng;

pub const SEED: u64 = 0x00C4_5EF1_0000_0008;
/// Bump when what this module generates changes, so cached databases are made anew.
const GENERATOR: &str = "expense history v1; tick sets v1; late-payment v1";
pub const EXPENSE: &str = "expense-reimbursement";
/// Open expense claims waiting for maria at every non-empty scale: her `list --mine`.
pub const BACKLOG: usize = 50;

/// Anything that stops a generator; the bench reports it and stops.
#[derive(Debug)]
pub struct GenError(pub String);

impl From<StoreError> for GenError {
    fn from(e: StoreError) -> Self {
        GenError(e.to_string())
    }
}

impl std::fmt::Display for GenError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A deployed process, loaded once, and the org: what every decision needs.
pub struct Model {
    pub def: Definition,
    pub version: i64,
    pub org: Org,
}

impl Model {
    pub fn load(ws: &Path, store: &Store, process: &str) -> Result<Model, GenError> {
        let org_path = ws.join("org.yaml");
        let source = std::fs::read_to_string(&org_path)
            .map_err(|e| GenError(format!("{}: {e}", org_path.display())))?;
        let org = Org::load("org.yaml", &source)
            .map_err(|d| GenError(format!("org.yaml does not load: {d:?}")))?;
        let row = store
            .read()
            .latest_version(process)?
            .ok_or_else(|| GenError(format!("{process} is not deployed")))?;
        let def = definition::load(process, &row.source, Some(&org))
            .map_err(|d| GenError(format!("{process} does not load: {d:?}")))?;
        Ok(Model {
            def,
            version: row.version,
            org,
        })
    }

    fn ctx<'a>(&'a self, actor: &'a str, now: Timestamp, facts: &'a Facts) -> engine::Ctx<'a> {
        engine::Ctx {
            def: &self.def,
            version: self.version,
            org: &self.org,
            actor,
            now,
            source: None,
            facts,
        }
    }

    /// Typed field values from text, as `--field k=v` gives them.
    pub fn fields(&self, pairs: &[(&str, String)]) -> Result<Vec<(String, Value)>, GenError> {
        pairs
            .iter()
            .map(|(name, text)| {
                let field = self
                    .def
                    .field(name)
                    .ok_or_else(|| GenError(format!("{} has no field {name}", self.def.name)))?;
                let value = Value::parse(&field.ty, text)
                    .map_err(|e| GenError(format!("{name}={text}: {e}")))?;
                Ok((name.to_string(), value))
            })
            .collect()
    }

    /// Open a case as `open` does: a new id, the engine's decision, recorded.
    pub fn open(
        &self,
        db: &Db,
        actor: &str,
        now: Timestamp,
        fields: Vec<(String, Value)>,
        external_ref: Option<String>,
    ) -> Result<Decision, GenError> {
        let id = db.next_case_id(&self.def.id_prefix, caseflow::time::year_of(now))?;
        let facts = db.facts(&self.def, now)?;
        let opening = engine::Opening {
            fields,
            external_ref,
            ..Default::default()
        };
        let decision = engine::open(&self.ctx(actor, now, &facts), &id, opening)
            .map_err(|r| GenError(format!("open refused: {r}")))?;
        db.record(&decision, &[], now)?;
        Ok(decision)
    }

    /// Take an action on a case already in hand, as `act` does (without re-reading it).
    #[allow(clippy::too_many_arguments)]
    pub fn act(
        &self,
        db: &Db,
        case: &CaseState,
        actor: &str,
        now: Timestamp,
        action: &str,
        comment: Option<&str>,
        files: Vec<(NewAttachment, FileBytes)>,
    ) -> Result<Decision, GenError> {
        let facts = db.facts(&self.def, now)?;
        let (attachments, bytes): (Vec<_>, Vec<_>) = files.into_iter().unzip();
        let command = EngineCommand::Act {
            action: action.into(),
            step: None,
            fields: Vec::new(),
            comment: comment.map(str::to_string),
            attachments,
        };
        let decision = engine::decide(&self.ctx(actor, now, &facts), case, command)
            .map_err(|r| GenError(format!("{action} on {} refused: {r}", case.id)))?;
        db.record(&decision, &bytes, now)?;
        Ok(decision)
    }

    /// Read a case back from the store and act on it: what one `approve` process does.
    pub fn load_and_act(
        &self,
        db: &Db,
        id: &str,
        actor: &str,
        now: Timestamp,
        action: &str,
    ) -> Result<Decision, GenError> {
        let mut case = db.load_case(id)?;
        case.retype(&self.def);
        self.act(db, &case, actor, now, action, None, Vec::new())
    }
}

pub fn ts(text: &str) -> Timestamp {
    caseflow::time::parse_timestamp(text).unwrap_or_else(|| panic!("bad timestamp {text}"))
}

pub fn open_store(ws: &Path) -> Store {
    Store::open(&ws.join("caseflow.db"), Duration::from_secs(10))
        .unwrap_or_else(|e| panic!("cannot open the store in {}: {e}", ws.display()))
}

/// The expense claim fields of case number `i`: two lines under the escalation threshold.
pub fn expense_fields(rng: &mut Rng, opened: Timestamp) -> Vec<(&'static str, String)> {
    let taxi = 5 + rng.below(120);
    let hotel = 40 + rng.below(900);
    let cents = rng.below(100);
    let kind = if rng.below(4) == 0 {
        "advance"
    } else {
        "reimbursement"
    };
    let category = ["travel", "meals", "equipment", "other"][rng.below(4) as usize];
    let pay = opened
        .checked_add(SignedDuration::from_hours(24))
        .unwrap_or(opened);
    let pay_date = caseflow::time::format_timestamp(pay)[..10].to_string();
    vec![
        ("kind", kind.to_string()),
        (
            "lines",
            format!("Taxi: {taxi}.{cents:02}; Hotel: {hotel}.00"),
        ),
        ("category", category.to_string()),
        ("pay_date", pay_date),
    ]
}

const REQUESTERS: [&str; 2] = ["alice", "bob"];

fn at(base: Timestamp, seconds: i64) -> Timestamp {
    base.checked_add(SignedDuration::from_secs(seconds))
        .unwrap_or(base)
}

/// Backlog case `i`: opened in the week before the bench's now, waiting for maria.
fn backlog_case(model: &Model, db: &Db, i: usize) -> Result<(), GenError> {
    let mut rng = Rng::new(SEED ^ 0xBAC0 ^ i as u64);
    let opened = at(ts("2026-11-23T09:00:00Z"), (i as i64) * 2 * 3600);
    let fields = model.fields(&expense_fields(&mut rng, opened))?;
    model.open(db, REQUESTERS[i % 2], opened, fields, None)?;
    Ok(())
}

/// History case `i`: opened 90 s after case `i - 1` from 2023 on; 70% approved, acknowledged
/// and paid (with a receipt), 20% rejected, 10% approved and still waiting for HR and finance.
fn history_case(model: &Model, db: &Db, i: usize) -> Result<(), GenError> {
    let mut rng = Rng::new(SEED ^ i as u64);
    let opened = at(ts("2023-01-02T08:00:00Z"), i as i64 * 90);
    let fields = model.fields(&expense_fields(&mut rng, opened))?;
    let requester = REQUESTERS[rng.below(2) as usize];
    let fate = rng.below(100);
    let d = model.open(db, requester, opened, fields, None)?;
    if fate < 20 {
        model.act(
            db,
            &d.case,
            "maria",
            at(opened, 3600),
            "reject",
            Some("not covered by the policy"),
            Vec::new(),
        )?;
        return Ok(());
    }
    let d = model.act(
        db,
        &d.case,
        "maria",
        at(opened, 2 * 3600),
        "approve",
        None,
        Vec::new(),
    )?;
    if fate >= 90 {
        return Ok(());
    }
    let d = model.act(
        db,
        &d.case,
        "hana",
        at(opened, 26 * 3600),
        "acknowledge",
        None,
        Vec::new(),
    )?;
    let bytes = format!("transfer {} {}\n", d.case.id, rng.next_u64()).into_bytes();
    let sha256 = format!("{:x}", Sha256::digest(&bytes));
    let attachment = NewAttachment {
        kind: Some("receipt".into()),
        name: format!("transfer-{}.txt", d.case.id),
        sha256: sha256.clone(),
        size: bytes.len() as u64,
    };
    model.act(
        db,
        &d.case,
        if fate % 2 == 0 { "felix" } else { "fiona" },
        at(opened, 50 * 3600),
        "pay",
        None,
        vec![(attachment, FileBytes { sha256, bytes })],
    )?;
    Ok(())
}

/// Where generated workspaces live, and how to make the empty one.
pub struct Cache {
    pub dir: PathBuf,
    pub bin: PathBuf,
}

impl Cache {
    /// `target/bench-data/<key>`; older keys' folders are removed (they can be gigabytes).
    pub fn new(target: &Path, bin: &Path, repo: &Path) -> Cache {
        let root = target.join("bench-data");
        let key = cache_key(repo);
        let dir = root.join(&key);
        if let Ok(entries) = std::fs::read_dir(&root) {
            for entry in entries.flatten() {
                if entry.file_name() != key.as_str() {
                    let _ = std::fs::remove_dir_all(entry.path());
                }
            }
        }
        std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("cannot create {dir:?}: {e}"));
        Cache {
            dir,
            bin: bin.to_path_buf(),
        }
    }

    fn done(path: &Path) -> bool {
        path.join(".complete").exists()
    }

    fn mark(path: &Path) {
        std::fs::write(path.join(".complete"), b"")
            .unwrap_or_else(|e| panic!("cannot write in {path:?}: {e}"));
    }

    /// A fresh workspace as `caseflow init` makes it (bundled processes deployed).
    pub fn empty(&self) -> PathBuf {
        let path = self.dir.join("empty");
        if !Self::done(&path) {
            let _ = std::fs::remove_dir_all(&path);
            let out = Command::new(&self.bin)
                .arg("init")
                .arg(&path)
                .output()
                .expect("run caseflow init");
            assert!(
                out.status.success(),
                "caseflow init failed: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            Self::mark(&path);
        }
        path
    }

    /// The operator workspace holding `n` expense cases: the backlog, then history.
    /// Grown from the largest smaller scale already cached, snapshotting each of `scales`.
    pub fn scale(&self, n: usize, scales: &[usize]) -> PathBuf {
        let path = self.dir.join(format!("scale-{n}"));
        if Self::done(&path) {
            return path;
        }
        if n == 0 {
            crate::spawn::copy_dir(&self.empty(), &path);
            Self::mark(&path);
            return path;
        }
        let start = scales
            .iter()
            .copied()
            .filter(|&s| s < n && Self::done(&self.dir.join(format!("scale-{s}"))))
            .max()
            .unwrap_or(0);
        let work = self.dir.join("growing");
        let from = if start == 0 {
            self.empty()
        } else {
            self.dir.join(format!("scale-{start}"))
        };
        crate::spawn::copy_dir(&from, &work);
        let _ = std::fs::remove_file(work.join(".complete"));
        let mut have = start;
        let began = std::time::Instant::now();
        for &target in scales.iter().filter(|&&s| s > start && s <= n) {
            grow(&work, have, target).unwrap_or_else(|e| panic!("generating cases: {e}"));
            have = target;
            let snap = self.dir.join(format!("scale-{target}"));
            crate::spawn::copy_dir(&work, &snap);
            Self::mark(&snap);
            eprintln!(
                "  generated {target} cases ({:.0} s so far)",
                began.elapsed().as_secs_f64()
            );
        }
        let _ = std::fs::remove_dir_all(&work);
        path
    }

    /// `n` open expense claims for tick: `due_percent`% opened 10–20 days before `now`
    /// (past any 2-business-day SLA), the rest in the 4 hours before it (none even warned).
    pub fn tick_set(&self, n: usize, due_percent: u64, now: Timestamp) -> PathBuf {
        let path = self.dir.join(format!("tick-{n}-{due_percent}"));
        if Self::done(&path) {
            return path;
        }
        crate::spawn::copy_dir(&self.empty(), &path);
        let _ = std::fs::remove_file(path.join(".complete"));
        let mut store = open_store(&path);
        let model = Model::load(&path, &store, EXPENSE).unwrap_or_else(|e| panic!("{e}"));
        let chunk = 10_000;
        for first in (0..n).step_by(chunk) {
            store
                .write(|db| {
                    for i in first..(first + chunk).min(n) {
                        let mut rng = Rng::new(SEED ^ 0x71C4 ^ i as u64);
                        let due = rng.below(100) < due_percent;
                        let back = if due {
                            10 * 86_400 + rng.below(10 * 86_400) as i64
                        } else {
                            60 + rng.below(4 * 3600 - 60) as i64
                        };
                        let opened = at(now, -back);
                        let fields = model.fields(&expense_fields(&mut rng, opened))?;
                        model.open(db, REQUESTERS[i % 2], opened, fields, None)?;
                    }
                    Ok::<_, GenError>(())
                })
                .unwrap_or_else(|e| panic!("generating tick cases: {e}"));
        }
        drop(store);
        Self::mark(&path);
        path
    }
}

/// Add cases `have..target` (case 0..BACKLOG is the backlog) in transactions of 5000.
fn grow(ws: &Path, have: usize, target: usize) -> Result<(), GenError> {
    let mut store = open_store(ws);
    let model = Model::load(ws, &store, EXPENSE)?;
    let chunk = 5_000;
    let mut i = have;
    while i < target {
        let end = (i + chunk).min(target);
        store.write(|db| {
            for k in i..end {
                if k < BACKLOG {
                    backlog_case(&model, db, k)?;
                } else {
                    history_case(&model, db, k - BACKLOG)?;
                }
            }
            Ok::<_, GenError>(())
        })?;
        i = end;
    }
    Ok(())
}

/// What generated data depends on: the source tree (committed and not), the processes, the
/// lock file and this generator's version.
pub fn cache_key(repo: &Path) -> String {
    use std::hash::{Hash, Hasher};
    let git = |args: &[&str]| {
        Command::new("git")
            .arg("-C")
            .arg(repo)
            .args(args)
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
            .unwrap_or_default()
    };
    let mut h = std::collections::hash_map::DefaultHasher::new();
    git(&["rev-parse", "HEAD:src", "HEAD:processes", "HEAD:Cargo.lock"]).hash(&mut h);
    git(&["diff", "HEAD", "--", "src", "processes", "Cargo.lock"]).hash(&mut h);
    GENERATOR.hash(&mut h);
    format!("{:016x}", h.finish())
}
