//! caseflow's benchmark harness: `benches/run [--quick]` builds it with `cargo bench` and it
//! writes `BENCHMARKS.md`.
//!
//! Why this shape: a speed claim counts only as a ratio to a floor measured in the same run
//! on the same machine (absolute times drift here, ratios hold). So every line times caseflow
//! next to its floor — spawning `/bin/true`, raw rusqlite, calamine, rust_xlsxwriter, a peer
//! engine — and the report gives median, p99, the floor and the ratio. Commands are timed as
//! whole processes, the way operators and cron run them; large databases are generated
//! through the library (the real engine and store, many cases per transaction), seeded, and
//! cached under `target/bench-data/`.
//!
//! The harness also runs itself as a child for the process-level floors (`--floor-query`,
//! `--floor-sql`), so those floors pay the same process start-up as caseflow does.
//! Without `--bench` (as under `cargo test --all-targets`) it does nothing.

mod cli;
mod data;
mod engine;
mod later;
mod peer;
mod postgres;
mod report;
mod sheets;
mod spawn;
mod stats;

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::Instant;

use report::{Header, Section};
use spawn::Caseflow;

/// Sizes and repetitions of one run.
pub struct Config {
    pub quick: bool,
    pub startup_runs: usize,
    pub scales: Vec<usize>,
    pub op_runs: usize,
    pub warmup: usize,
    pub engine_cycles: usize,
    pub peer_runs: usize,
    pub peer_cycles: usize,
    pub sheet_rows: usize,
    pub sheet_reps: usize,
    pub tick_cases: usize,
    pub tick_reps: usize,
    pub report_reps: usize,
    pub writers: usize,
    pub contention_pairs: usize,
}

impl Config {
    fn full() -> Config {
        Config {
            quick: false,
            startup_runs: 300,
            scales: vec![0, 10_000, 100_000, 1_000_000],
            op_runs: 200,
            warmup: 5,
            engine_cycles: 5_000,
            peer_runs: 30,
            peer_cycles: 500,
            sheet_rows: 100_000,
            sheet_reps: 3,
            tick_cases: 100_000,
            tick_reps: 5,
            report_reps: 5,
            writers: 8,
            contention_pairs: 25,
        }
    }

    fn quick() -> Config {
        Config {
            quick: true,
            startup_runs: 50,
            scales: vec![0, 10_000],
            op_runs: 20,
            warmup: 2,
            engine_cycles: 500,
            peer_runs: 3,
            peer_cycles: 50,
            sheet_rows: 5_000,
            sheet_reps: 1,
            tick_cases: 5_000,
            tick_reps: 2,
            report_reps: 2,
            writers: 8,
            contention_pairs: 4,
        }
    }
}

/// Everything a line needs.
pub struct Bench {
    pub cfg: Config,
    pub cf: Caseflow,
    pub repo: PathBuf,
    pub self_exe: PathBuf,
    pub cache: data::Cache,
    pub scratch: PathBuf,
}

/// The bench's fixed "now": a Monday noon, so business-time SLAs are unambiguous.
const NOW: &str = "2026-11-30T12:00:00Z";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("--floor-query") => return floor_query(&args[1..]),
        Some("--floor-sql") => return floor_sql(&args[1..]),
        Some("--cache-key") => {
            println!("{}", data::cache_key(Path::new(env!("CARGO_MANIFEST_DIR"))));
            return ExitCode::SUCCESS;
        }
        _ => {}
    }
    if !args.iter().any(|a| a == "--bench") {
        println!("caseflow bench harness: run it with benches/run [--quick] (nothing to do under cargo test)");
        return ExitCode::SUCCESS;
    }
    let quick = args.iter().any(|a| a == "--quick");
    let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let out = args
        .iter()
        .position(|a| a == "--out")
        .and_then(|i| args.get(i + 1))
        .map(PathBuf::from)
        .unwrap_or_else(|| repo.join("BENCHMARKS.md"));
    let runs: Option<usize> = args
        .iter()
        .position(|a| a == "--runs")
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok());
    let only: Option<String> = args
        .iter()
        .position(|a| a == "--only")
        .and_then(|i| args.get(i + 1))
        .cloned();
    run(quick, runs, &repo, &out, only.as_deref())
}

fn run(quick: bool, runs: Option<usize>, repo: &Path, out: &Path, only: Option<&str>) -> ExitCode {
    let began = Instant::now();
    let date = now_utc();
    let machine = machine();
    let commit = commit(repo);
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_caseflow"));
    // target/<profile>/caseflow -> target/
    let target = bin
        .parent()
        .and_then(Path::parent)
        .map(Path::to_path_buf)
        .unwrap_or_else(|| repo.join("target"));
    let scratch = target.join("bench-scratch");
    let _ = std::fs::remove_dir_all(&scratch);
    std::fs::create_dir_all(&scratch).expect("create target/bench-scratch");
    let mut cfg = if quick {
        Config::quick()
    } else {
        Config::full()
    };
    cfg.op_runs = runs.unwrap_or(cfg.op_runs);
    let b = Bench {
        cfg,
        cf: Caseflow {
            bin: bin.clone(),
            now: NOW.into(),
        },
        repo: repo.to_path_buf(),
        self_exe: std::env::current_exe().expect("the harness's own path"),
        cache: data::Cache::new(&target, &bin, repo),
        scratch: scratch.clone(),
    };
    let wants = |line: &str| only.is_none_or(|o| o.split(',').any(|x| x == line));
    eprintln!(
        "bench: {} run, data cached in {}",
        if quick { "quick" } else { "full" },
        b.cache.dir.display()
    );
    let mut sections: Vec<Section> = Vec::new();

    eprintln!("line 1: start-up");
    let (s1, _spawn, startup) = cli::startup(&b);
    sections.push(s1);

    let mut cycle_rate = f64::NAN;
    if wants("3") || wants("4") {
        eprintln!("line 3: engine throughput");
        let (s3, figures) = engine::throughput(&b);
        cycle_rate = figures.caseflow_rate;
        sections.push(s3);
    }

    let mut open_p50 = f64::NAN;
    let mut approve_p50 = f64::NAN;
    let mut cpu_at_0 = (f64::NAN, f64::NAN);
    let mut largest = None;
    if wants("2") || wants("4") || wants("5") {
        let (s2, figures) = cli::operator(&b, &mut largest);
        for (scale, name, cpu) in &figures.cpu {
            if *scale == 0 && *name == "open" {
                cpu_at_0.0 = *cpu;
            }
            if *scale == 0 && *name == "approve" {
                cpu_at_0.1 = *cpu;
            }
        }
        for (scale, name, p50) in &figures.p50 {
            if *scale == 0 && *name == "open" {
                open_p50 = *p50;
            }
            if *scale == 0 && *name == "approve" {
                approve_p50 = *p50;
            }
        }
        sections.push(s2);
    }

    let mut five = Vec::new();
    if wants("5") {
        eprintln!("line 5: reports");
        if let Some(ws) = &largest {
            let cases = b.cfg.scales.iter().copied().max().unwrap_or(0);
            five.extend(later::reports(&b, ws, cases));
        }
    }
    if let Some(ws) = largest.take() {
        let _ = std::fs::remove_dir_all(ws);
    }

    if wants("4") {
        eprintln!("line 4: peer");
        sections.push(peer::peer(
            &b,
            &peer::Ours {
                open_p50,
                approve_p50,
                open_cpu: cpu_at_0.0,
                approve_cpu: cpu_at_0.1,
                cycle_rate,
            },
        ));
    }

    if wants("5") {
        eprintln!("line 5: import");
        let mut rows = vec![sheets::import(&b)];
        eprintln!("line 5: export");
        rows.extend(sheets::export(&b));
        eprintln!("line 5: tick");
        rows.extend(later::tick(&b, startup));
        rows.extend(five);
        sections.push(later::section(rows, Vec::new()));
    }

    if wants("6") {
        eprintln!("line 6: contention");
        sections.push(cli::contention(&b));
    }

    if wants("7") {
        eprintln!("line 7: PostgreSQL");
        sections.push(postgres::section(&b));
    }

    sections.sort_by(|a, b| a.title.cmp(&b.title));
    let header = Header {
        mode: if quick { "quick" } else { "full" }.into(),
        date,
        commit,
        machine,
        took: format!("{:.0} s", began.elapsed().as_secs_f64()),
    };
    let text = report::render(&header, &sections);
    if let Err(e) = std::fs::write(out, &text) {
        eprintln!("error: cannot write {}: {e}", out.display());
        return ExitCode::from(73);
    }
    let _ = std::fs::remove_dir_all(&scratch);
    println!("{text}");
    eprintln!("bench: wrote {}", out.display());
    ExitCode::SUCCESS
}

/// Child mode: open the database as caseflow does (WAL) and read one person's open tasks
/// with their cases — what `list --mine` needs, without caseflow.
fn floor_query(args: &[String]) -> ExitCode {
    let (Some(db), Some(who)) = (args.first(), args.get(1)) else {
        eprintln!("usage: --floor-query DB PERSON");
        return ExitCode::from(64);
    };
    let result = (|| -> rusqlite::Result<usize> {
        let conn = rusqlite::Connection::open(db)?;
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        let mut stmt = conn.prepare(
            "SELECT c.id, c.state FROM cases c JOIN tasks t ON t.case_id = c.id
             WHERE t.assignee_kind = 'person' AND t.assignee = ?1 ORDER BY c.opened_at, c.id",
        )?;
        let mut rows = stmt.query([who])?;
        let mut n = 0;
        while let Some(row) = rows.next()? {
            let state: String = row.get(1)?;
            n += state.len().min(1);
        }
        Ok(n)
    })();
    match result {
        Ok(n) => {
            println!("{n}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("floor query: {e}");
            ExitCode::from(74)
        }
    }
}

/// Child mode: run one SQL query to the end (the floor of a report).
fn floor_sql(args: &[String]) -> ExitCode {
    let (Some(db), Some(sql)) = (args.first(), args.get(1)) else {
        eprintln!("usage: --floor-sql DB SQL");
        return ExitCode::from(64);
    };
    let result = (|| -> rusqlite::Result<usize> {
        let conn = rusqlite::Connection::open(db)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        let mut stmt = conn.prepare(sql)?;
        let mut rows = stmt.query([])?;
        let mut n = 0;
        while rows.next()?.is_some() {
            n += 1;
        }
        Ok(n)
    })();
    match result {
        Ok(n) => {
            println!("{n}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("floor sql: {e}");
            ExitCode::from(74)
        }
    }
}

fn now_utc() -> String {
    jiff::Timestamp::now()
        .strftime("%Y-%m-%d %H:%M UTC")
        .to_string()
}

fn commit(repo: &Path) -> String {
    let git = |args: &[&str]| {
        Command::new("git")
            .arg("-C")
            .arg(repo)
            .args(args)
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
            .unwrap_or_default()
    };
    let head = git(&["rev-parse", "--short=12", "HEAD"]);
    let branch = git(&["rev-parse", "--abbrev-ref", "HEAD"]);
    let dirty = !git(&[
        "status",
        "--porcelain",
        "--",
        "src",
        "benches",
        "Cargo.toml",
    ])
    .is_empty();
    format!(
        "{head} ({branch}){}",
        if dirty {
            ", with uncommitted changes"
        } else {
            ""
        }
    )
}

/// What the machine is and how busy it was: CPU, cores, memory, kernel, load.
fn machine() -> Vec<String> {
    let read = |p: &str| std::fs::read_to_string(p).unwrap_or_default();
    let cpuinfo = read("/proc/cpuinfo");
    let cpu = cpuinfo
        .lines()
        .find(|l| l.starts_with("model name"))
        .and_then(|l| l.split(':').nth(1))
        .unwrap_or("?")
        .trim()
        .to_string();
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(0);
    let mem_kb: f64 = read("/proc/meminfo")
        .lines()
        .find(|l| l.starts_with("MemTotal"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0.0);
    let kernel = read("/proc/sys/kernel/osrelease").trim().to_string();
    let load = read("/proc/loadavg");
    let load: Vec<&str> = load.split_whitespace().take(3).collect();
    let rustc = Command::new("rustc")
        .arg("--version")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default();
    let python = Command::new("python3")
        .arg("--version")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default();
    vec![
        format!(
            "machine: {cpu}, {cores} cores, {:.1} GB RAM, Linux {kernel}",
            mem_kb / 1024.0 / 1024.0
        ),
        format!(
            "load average when the run started: {} (1, 5, 15 min) — other work shares this machine",
            load.join(", ")
        ),
        format!("{rustc}; {python}; release profile"),
    ]
}
