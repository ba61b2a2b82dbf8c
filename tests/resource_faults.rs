//! Resource faults: a full disk, a read-only workspace, missing or unreadable inputs. Each
//! gets a clear message and its exit code, and nothing is half-written.
//!
//! The disk tests mount small tmpfs file systems, which needs root (as in CI and on the
//! development machines); elsewhere they say so and pass without asserting.

mod common;
use common::*;

use std::path::{Path, PathBuf};
use std::process::Command;

/// A tmpfs of `size` mounted on a fresh folder, unmounted when dropped.
struct Mount {
    dir: tempfile::TempDir,
}

impl Mount {
    fn new(size: &str) -> Option<Mount> {
        let dir = tempfile::tempdir().expect("tempdir");
        let ok = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(dir.path())
            .status()
            .is_ok_and(|s| s.success());
        if !ok {
            eprintln!("cannot mount a tmpfs here (not root?): skipping");
            return None;
        }
        Some(Mount { dir })
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn remount(&self, option: &str) {
        let status = Command::new("mount")
            .args(["-o", &format!("remount,{option}")])
            .arg(self.path())
            .status()
            .expect("mount");
        assert!(status.success());
    }

    /// Fill the file system until `leave_kib` KiB are free.
    fn fill(&self, leave_kib: u64) -> PathBuf {
        let filler = self.path().join("filler");
        let free = free_kib(self.path());
        let size = free.saturating_sub(leave_kib) * 1024;
        std::fs::write(&filler, vec![0u8; size as usize]).expect("fill");
        filler
    }
}

impl Drop for Mount {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(self.path()).status();
    }
}

fn free_kib(path: &Path) -> u64 {
    let out = Command::new("df")
        .args(["-k", "--output=avail"])
        .arg(path)
        .output()
        .expect("df");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .nth(1)
        .and_then(|l| l.trim().parse().ok())
        .expect("df output")
}

fn workspace_in(dir: &Path) -> Workspace {
    let ws = Workspace {
        dir: tempfile::tempdir_in(dir).expect("tempdir"),
        database: None,
    };
    ws.run_at(T0, "root", &["init"]).ok();
    ws
}

fn open_case(ws: &Workspace) -> String {
    ws.open(
        "alice",
        "expense-reimbursement",
        &["kind=advance", "lines=Taxi: 20.00"],
    )
}

#[test]
fn a_full_disk_refuses_the_command_whole_and_the_next_one_works() {
    let Some(mount) = Mount::new("6m") else {
        return;
    };
    let ws = workspace_in(mount.path());
    let case = open_case(&ws);
    let before = ws.history(&case).len();
    let big = tempfile::NamedTempFile::new().expect("file");
    std::fs::write(big.path(), vec![7u8; 1_000_000]).expect("write");
    let filler = mount.fill(300);

    let run = ws
        .run(
            "alice",
            &["attach", &case, big.path().to_str().expect("path")],
        )
        .fails(74);
    assert!(run.stderr.contains("disk"), "{}", run.stderr);
    assert!(run.stderr.contains("hint: free space"), "{}", run.stderr);
    std::fs::remove_file(filler).expect("free space");

    assert_eq!(ws.history(&case).len(), before, "nothing partial");
    ws.run("root", &["audit", "verify"]).ok();
    ws.run(
        "alice",
        &["attach", &case, big.path().to_str().expect("path")],
    )
    .ok();
    assert_eq!(ws.history(&case).len(), before + 1);
}

#[test]
fn a_read_only_workspace_says_so_and_writes_nothing() {
    let Some(mount) = Mount::new("20m") else {
        return;
    };
    let ws = workspace_in(mount.path());
    let case = open_case(&ws);
    mount.remount("ro");
    let run = ws.run("alice", &["comment", &case, "hello"]).fails(74);
    assert!(run.stderr.contains("cannot be written"), "{}", run.stderr);
    assert!(
        run.stderr.contains("that you may read and write it"),
        "{}",
        run.stderr
    );
    mount.remount("rw");
    let events = ws.history(&case);
    assert!(events.iter().all(|e| e["comment"] != "hello"));
}

#[test]
fn missing_and_unreadable_inputs_are_66_and_name_the_file() {
    let ws = Workspace::init();
    let case = open_case(&ws);
    let run = ws
        .run("alice", &["attach", &case, "/no/such/receipt.pdf"])
        .fails(66);
    assert!(
        run.stderr.contains("/no/such/receipt.pdf"),
        "{}",
        run.stderr
    );
    let dir = ws.path().join("processes");
    ws.run("alice", &["attach", &case, dir.to_str().expect("path")])
        .fails(66);
    ws.run("root", &["check", "/no/such/process.yaml"])
        .fails(66);
    std::fs::rename(ws.path().join("org.yaml"), ws.path().join("org.bak")).expect("move");
    let run = ws.run("alice", &["comment", &case, "x"]).fails(66);
    assert!(run.stderr.contains("org.yaml"), "{}", run.stderr);
    let other = tempfile::tempdir().expect("tempdir");
    let run = caseflow()
        .arg("--workspace")
        .arg(other.path())
        .args(["--as", "alice", "list"])
        .output()
        .expect("run");
    assert_eq!(run.status.code(), Some(66));
}
