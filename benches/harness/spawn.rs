//! Running caseflow (and the floors) as whole processes, the way an operator or cron does,
//! and timing each run from spawn to exit.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// What one timed process run gave.
pub struct Run {
    pub took: Duration,
    /// CPU ticks (user + system, 1/100 s) the child used, from this process's accounting of
    /// its waited-for children; only meaningful when one child runs at a time.
    pub cpu_ticks: u64,
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn ok(&self) -> bool {
        self.code == Some(0)
    }

    /// The first line of stderr, for a row that says why a command failed.
    pub fn why(&self) -> String {
        let line = self.stderr.lines().next().unwrap_or("").trim().to_string();
        format!("exit {}: {line}", self.code.unwrap_or(-1))
    }
}

/// Time one run of `cmd` (stdin closed, output captured).
pub fn time(cmd: &mut Command) -> Run {
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let before = children_cpu_ticks();
    let start = Instant::now();
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"));
    let took = start.elapsed();
    Run {
        took,
        cpu_ticks: children_cpu_ticks().saturating_sub(before),
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// User + system time of this process's waited-for children so far, in clock ticks
/// (`cutime` + `cstime` of /proc/self/stat; USER_HZ is 100 on Linux). Summed over many runs
/// this gives the CPU a command costs, which, unlike wall time, does not grow while the
/// command waits for a core on a busy machine.
pub fn children_cpu_ticks() -> u64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let rest = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // After the command name, field 3 (state) is index 0: cutime is field 16, cstime 17.
    let get = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<u64>().ok())
            .unwrap_or(0)
    };
    get(13) + get(14)
}

/// CPU per run of one measured command, from the children's accounting.
#[derive(Default, Clone, Copy)]
pub struct Cpu {
    ticks: u64,
    runs: usize,
}

impl Cpu {
    pub fn add(&mut self, run: &Run) {
        self.ticks += run.cpu_ticks;
        self.runs += 1;
    }

    /// Milliseconds of CPU per run (10 ms ticks averaged over the runs).
    pub fn per_run(&self) -> f64 {
        if self.runs == 0 {
            f64::NAN
        } else {
            self.ticks as f64 * 10.0 / self.runs as f64
        }
    }
}

/// The caseflow binary that cargo built for this bench, and the bench time.
#[derive(Clone)]
pub struct Caseflow {
    pub bin: PathBuf,
    pub now: String,
}

impl Caseflow {
    /// `caseflow --workspace WS --now NOW --as WHO ARGS..`
    pub fn cmd(&self, ws: &Path, who: &str, args: &[&str]) -> Command {
        let mut c = Command::new(&self.bin);
        c.arg("--workspace")
            .arg(ws)
            .arg("--now")
            .arg(&self.now)
            .arg("--as")
            .arg(who)
            .args(args)
            .env_remove("CASEFLOW_WORKSPACE")
            .env_remove("CASEFLOW_NOW")
            .env_remove("CASEFLOW_USER");
        c
    }

    /// Whether this build has subcommand `name`: `None` if it has, else why not. A build
    /// without it answers `caseflow NAME --help` with clap's "unrecognized subcommand" and
    /// exit 2 or 64.
    pub fn lacks(&self, name: &str) -> Option<String> {
        let run = time(Command::new(&self.bin).arg(name).arg("--help"));
        let rejected = matches!(run.code, Some(2) | Some(64))
            && run.stderr.contains("unrecognized subcommand");
        if rejected {
            Some("command not available in this build".into())
        } else if !run.ok() {
            Some(format!("`caseflow {name} --help` failed ({})", run.why()))
        } else {
            None
        }
    }
}

/// Copy a workspace folder (database included) so a measurement never changes the cache,
/// and sync the copy so that a timed command does not pay for writing it out.
pub fn copy_dir(from: &Path, to: &Path) {
    if to.exists() {
        std::fs::remove_dir_all(to).unwrap_or_else(|e| panic!("cannot remove {to:?}: {e}"));
    }
    std::fs::create_dir_all(to).unwrap_or_else(|e| panic!("cannot create {to:?}: {e}"));
    let entries = std::fs::read_dir(from).unwrap_or_else(|e| panic!("cannot read {from:?}: {e}"));
    for entry in entries {
        let entry = entry.expect("readable directory entry");
        let path = entry.path();
        let dest = to.join(entry.file_name());
        if path.is_dir() {
            copy_dir(&path, &dest);
        } else {
            std::fs::copy(&path, &dest)
                .unwrap_or_else(|e| panic!("cannot copy {path:?} to {dest:?}: {e}"));
            // On disk before anything is timed: otherwise the first timed command's
            // checkpoint fsync flushes the whole fresh copy (148 ms of a 0%-due tick).
            std::fs::File::open(&dest)
                .and_then(|f| f.sync_all())
                .unwrap_or_else(|e| panic!("cannot sync {dest:?}: {e}"));
        }
    }
}
