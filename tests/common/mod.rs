//! Test harness: the real binary on a temporary workspace, with a cleared environment and a
//! fixed `--now`, so every run is deterministic.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

pub const T0: &str = "2026-11-30T09:00:00Z";

pub struct Workspace {
    pub dir: tempfile::TempDir,
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
        let dir = tempfile::tempdir().expect("tempdir");
        let ws = Workspace { dir };
        ws.run_at(T0, "root", &["init"]).ok();
        ws
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
