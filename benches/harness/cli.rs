//! Lines 1, 2 and 6: start-up, operator command latency at growing scale, and concurrent
//! writers — caseflow as whole processes, each next to a floor measured in the same loop.
//!
//! Floors are interleaved with the measured commands (one of each per iteration) so that a
//! burst of load from elsewhere on the machine hits both alike.

use std::path::Path;
use std::process::Command;
use std::sync::Arc;

use crate::report::{Row, Section, Verdict};
use crate::spawn::{copy_dir, time, Caseflow, Cpu};
use crate::stats::{ms, Samples};
use crate::Bench;

pub const OPEN_ARGS: [&str; 6] = [
    "open",
    "expense-reimbursement",
    "--field",
    "kind=reimbursement",
    "--field",
    "lines=Taxi: 25.00; Hotel: 180.50",
];

/// The id a successful `open` printed (`EXP-2026-0001: opened; ...`).
pub fn opened_id(stdout: &str) -> Option<String> {
    stdout
        .lines()
        .next()
        .and_then(|l| l.split(':').next())
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
}

/// Line 1: spawning `/bin/true` vs `caseflow --version`.
pub fn startup(b: &Bench) -> (Section, f64, f64) {
    let mut floor = Samples::new();
    let mut version = Samples::new();
    let (mut floor_cpu, mut version_cpu) = (Cpu::default(), Cpu::default());
    for _ in 0..b.cfg.startup_runs {
        let run = time(&mut Command::new("/bin/true"));
        floor_cpu.add(&run);
        floor.push(run.took);
        let run = time(Command::new(&b.cf.bin).arg("--version"));
        assert!(run.ok(), "caseflow --version failed: {}", run.why());
        version_cpu.add(&run);
        version.push(run.took);
    }
    let ratio = version.median() / floor.median();
    let rows = vec![
        Row {
            line: "spawn `/bin/true` (the floor)".into(),
            n: floor.len().to_string(),
            median: ms(floor.median()),
            p99: ms(floor.p99()),
            floor: "—".into(),
            ratio: "—".into(),
            target: "—".into(),
            verdict: Verdict::Info,
        },
        Row {
            line: "`caseflow --version`".into(),
            n: version.len().to_string(),
            median: ms(version.median()),
            p99: ms(version.p99()),
            floor: format!("`/bin/true` {}", ms(floor.median())),
            ratio: format!("{ratio:.2}×"),
            target: "—".into(),
            verdict: Verdict::Info,
        },
    ];
    let section = Section {
        title: "1. Start-up floor".into(),
        about: "Process start-up alone: the cost every command pays before any work.".into(),
        rows,
        notes: vec![format!(
            "CPU per run (user + system of the child, from the kernel's accounting of this \
             harness's children, 10 ms ticks averaged over the runs; unlike wall time it does \
             not grow while a process waits for a core): `/bin/true` {}, `caseflow --version` {}.",
            ms(floor_cpu.per_run()),
            ms(version_cpu.per_run())
        )],
    };
    (section, floor.median(), version.median())
}

/// Per-scale p50 of each operator command, for the flatness rows and the peer line.
pub struct OperatorFigures {
    /// (scale, command, p50 ms)
    pub p50: Vec<(usize, &'static str, f64)>,
    /// (scale, command, CPU ms per run)
    pub cpu: Vec<(usize, &'static str, f64)>,
}

/// Line 2: `open`, `approve`, `show`, `list --mine` on databases of growing size.
pub fn operator(
    b: &Bench,
    keep_largest: &mut Option<std::path::PathBuf>,
) -> (Section, OperatorFigures) {
    let mut rows = Vec::new();
    let mut figures = OperatorFigures {
        p50: Vec::new(),
        cpu: Vec::new(),
    };
    let mut cpu_notes = Vec::new();
    let largest = b.cfg.scales.iter().copied().max().unwrap_or(0);
    for &scale in &b.cfg.scales {
        eprintln!("line 2: preparing {scale} cases");
        let cached = b.cache.scale(scale, &b.cfg.scales);
        let ws = b.scratch.join(format!("operator-{scale}"));
        copy_dir(&cached, &ws);
        eprintln!("line 2: measuring at {scale} cases");
        let names: [&'static str; 4] = ["open", "approve", "show", "list --mine"];
        let mut s: Vec<Samples> = (0..4).map(|_| Samples::new()).collect();
        let mut spawn_floor = Samples::new();
        let mut db_floor = Samples::new();
        let mut cpu = [Cpu::default(); 6];
        let db = ws.join("caseflow.db");
        for i in 0..(b.cfg.op_runs + b.cfg.warmup) {
            let keep = i >= b.cfg.warmup;
            let floor = time(&mut Command::new("/bin/true"));
            let query = time(
                Command::new(&b.self_exe)
                    .arg("--floor-query")
                    .arg(&db)
                    .arg("maria"),
            );
            assert!(query.ok(), "floor query failed: {}", query.why());
            let open = time(&mut b.cf.cmd(&ws, "alice", &OPEN_ARGS));
            assert!(open.ok(), "open failed: {}", open.why());
            let id = opened_id(&open.stdout).expect("open prints the new case id");
            let approve = time(&mut b.cf.cmd(&ws, "maria", &["approve", &id]));
            assert!(approve.ok(), "approve {id} failed: {}", approve.why());
            let show = time(&mut b.cf.cmd(&ws, "maria", &["show", &id]));
            assert!(show.ok(), "show {id} failed: {}", show.why());
            let list = time(&mut b.cf.cmd(&ws, "maria", &["list", "--mine"]));
            assert!(list.ok(), "list --mine failed: {}", list.why());
            if keep {
                spawn_floor.push(floor.took);
                db_floor.push(query.took);
                cpu[4].add(&floor);
                cpu[5].add(&query);
                for (k, run) in [open, approve, show, list].iter().enumerate() {
                    s[k].push(run.took);
                    cpu[k].add(run);
                }
            }
        }
        let f = spawn_floor.median();
        cpu_notes.push(format!(
            "@ {}: `/bin/true` {}, process+db query {}, {}",
            human(scale),
            ms(cpu[4].per_run()),
            ms(cpu[5].per_run()),
            names
                .iter()
                .enumerate()
                .map(|(k, n)| format!(
                    "`{n}` {} ({:.1}× `/bin/true`)",
                    ms(cpu[k].per_run()),
                    cpu[k].per_run() / cpu[4].per_run()
                ))
                .collect::<Vec<_>>()
                .join(", ")
        ));
        for (k, name) in names.iter().enumerate() {
            let p50 = s[k].median();
            figures.p50.push((scale, *name, p50));
            figures.cpu.push((scale, *name, cpu[k].per_run()));
            rows.push(Row {
                line: format!("`{name}` @ {}", human(scale)),
                n: s[k].len().to_string(),
                median: ms(p50),
                p99: ms(s[k].p99()),
                floor: format!(
                    "spawn {}; process+db query {}",
                    ms(f),
                    ms(db_floor.median())
                ),
                ratio: format!("{:.1}× spawn, {:.1}× db", p50 / f, p50 / db_floor.median()),
                target: "p50 ≤ 3× spawn".into(),
                verdict: Row::judged(p50 <= 3.0 * f),
            });
        }
        if scale == largest {
            *keep_largest = Some(ws);
        } else {
            let _ = std::fs::remove_dir_all(&ws);
        }
    }
    // Flatness: p50 at the largest scale over p50 at the smallest non-empty one.
    let smallest = b.cfg.scales.iter().copied().filter(|&s| s > 0).min();
    if let Some(small) = smallest.filter(|&s| s != largest) {
        for name in ["open", "approve", "show", "list --mine"] {
            let at = |scale| {
                figures
                    .p50
                    .iter()
                    .find(|(s, n, _)| *s == scale && *n == name)
                    .map(|(_, _, v)| *v)
                    .unwrap_or(f64::NAN)
            };
            let ratio = at(largest) / at(small);
            rows.push(Row {
                line: format!("`{name}` flatness: {} vs {}", human(largest), human(small)),
                n: "—".into(),
                median: ms(at(largest)),
                p99: "—".into(),
                floor: format!("same command @ {} {}", human(small), ms(at(small))),
                ratio: format!("{ratio:.2}×"),
                target: "flat (≤ 1.5×)".into(),
                verdict: Row::judged(ratio <= 1.5),
            });
        }
    }
    let section = Section {
        title: "2. Operator command latency".into(),
        about: format!(
            "Whole `caseflow` processes on a copy of a workspace holding N expense claims \
             (generated through the library: 70% approved and paid with a receipt, 20% rejected, \
             10% waiting for HR/finance, plus {} open claims waiting for maria at every non-empty \
             scale, so `list --mine` prints the same {} rows at 10k as at 1M and nothing at 0). \
             Each iteration runs `open` (alice), `approve` (maria) of that case, `show` of it, \
             `list --mine` (maria), next to the floors: spawning `/bin/true`, and a Rust process \
             (this harness) opening the same WAL database and reading maria's tasks with raw \
             rusqlite.",
            crate::data::BACKLOG,
            crate::data::BACKLOG
        ),
        rows,
        notes: vec![format!(
            "CPU per run (user + system, as in line 1; the load-independent view of the same \
             runs):\n\n{}",
            cpu_notes
                .iter()
                .map(|n| format!("- {n}"))
                .collect::<Vec<_>>()
                .join("\n")
        )],
    };
    (section, figures)
}

pub fn human(n: usize) -> String {
    match n {
        0 => "0".into(),
        n if n >= 1_000_000 && n % 1_000_000 == 0 => format!("{}M", n / 1_000_000),
        n if n >= 1_000 && n % 1_000 == 0 => format!("{}k", n / 1_000),
        n => n.to_string(),
    }
}

/// One writer's sequence of `open` + `approve`, timing each command.
fn writer(cf: &Caseflow, ws: &Path, pairs: usize) -> (Samples, usize, Vec<String>) {
    let mut s = Samples::new();
    let mut failures = 0;
    let mut errors = Vec::new();
    for _ in 0..pairs {
        let open = time(&mut cf.cmd(ws, "alice", &OPEN_ARGS));
        s.push(open.took);
        let Some(id) = opened_id(&open.stdout).filter(|_| open.ok()) else {
            failures += 1;
            errors.push(open.why());
            continue;
        };
        let approve = time(&mut cf.cmd(ws, "maria", &["approve", &id]));
        s.push(approve.took);
        if !approve.ok() {
            failures += 1;
            errors.push(approve.why());
        }
    }
    (s, failures, errors)
}

/// One writer alone, then `b.cfg.writers` at once, on the workspace `ws`.
pub struct Writers {
    pub alone: Samples,
    pub alone_failures: usize,
    pub all: Samples,
    pub failures: usize,
    pub errors: Vec<String>,
}

impl Writers {
    /// The report row: all writers' latencies against one writer alone (`on`: " on X").
    pub fn row(&self, b: &Bench, on: &str) -> Row {
        let failures = self.failures + self.alone_failures;
        Row {
            line: format!(
                "{} concurrent writers{on}, {} commands, {failures} failed",
                b.cfg.writers,
                self.all.len()
            ),
            n: self.all.len().to_string(),
            median: ms(self.all.median()),
            p99: ms(self.all.p99()),
            floor: format!(
                "1 writer: p50 {}, p99 {}",
                ms(self.alone.median()),
                ms(self.alone.p99())
            ),
            ratio: format!("{:.1}× p50", self.all.median() / self.alone.median()),
            target: "p99 < 250 ms, 0 failures".into(),
            verdict: Row::judged(self.all.p99() < 250.0 && failures == 0),
        }
    }
}

pub fn writers(b: &Bench, ws: &Path) -> Writers {
    let (alone, alone_failures, _) = writer(&b.cf, ws, b.cfg.contention_pairs);
    let cf = Arc::new(b.cf.clone());
    let handles: Vec<_> = (0..b.cfg.writers)
        .map(|_| {
            let (cf, ws, pairs) = (Arc::clone(&cf), ws.to_path_buf(), b.cfg.contention_pairs);
            std::thread::spawn(move || writer(&cf, &ws, pairs))
        })
        .collect();
    let mut out = Writers {
        alone,
        alone_failures,
        all: Samples::new(),
        failures: 0,
        errors: Vec::new(),
    };
    for h in handles {
        let (s, f, e) = h.join().expect("writer thread");
        for v in s.values() {
            out.all.push_ms(*v);
        }
        out.failures += f;
        out.errors.extend(e);
    }
    out
}

/// Line 6: 8 writer processes at once vs one writer alone, on the same workspace.
pub fn contention(b: &Bench) -> Section {
    let ws = b.scratch.join("contention");
    copy_dir(&b.cache.empty(), &ws);
    let w = writers(b, &ws);
    let _ = std::fs::remove_dir_all(&ws);
    let mut notes = Vec::new();
    if let Some(first) = w.errors.first() {
        notes.push(format!("First failure: `{first}`"));
    }
    Section {
        title: "6. Contention".into(),
        about: format!(
            "{} threads each run {} × (`open` then `approve`) as separate processes against one \
             workspace at the same time (every command a `BEGIN IMMEDIATE` transaction with a \
             busy timeout); the floor is the same sequence run by one writer alone just before.",
            b.cfg.writers, b.cfg.contention_pairs
        ),
        rows: vec![w.row(b, "")],
        notes,
    }
}
