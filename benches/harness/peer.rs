//! Line 4: the same approval in SpiffWorkflow, a Python BPMN engine, on the same machine in
//! the same run (benches/peer/). A second reference beside the raw floors: what a
//! general-purpose workflow library costs per command (a cold process) and in process.

use std::process::Command;

use crate::report::{Row, Section, Verdict};
use crate::spawn::{time, Cpu};
use crate::stats::{ms, rate, Samples};
use crate::Bench;

/// Whatever line 2 and 3 measured for caseflow in this run.
pub struct Ours {
    /// p50 of `open` and of `approve` as processes on the empty workspace.
    pub open_p50: f64,
    pub approve_p50: f64,
    /// CPU per run of the same (line 2's accounting).
    pub open_cpu: f64,
    pub approve_cpu: f64,
    /// open+approve cycles per second in process.
    pub cycle_rate: f64,
}

pub fn peer(b: &Bench, ours: &Ours) -> Section {
    let script = b.repo.join("benches/peer/spiff_bench.py");
    let python = std::env::var("PYTHON").unwrap_or_else(|_| "python3".into());
    let title = "4. Peer: SpiffWorkflow".to_string();
    let version = time(Command::new(&python).arg(&script).arg("version"));
    if !version.ok() {
        let why = if version.stderr.contains("No module named") {
            "SpiffWorkflow is not installed (`pip install SpiffWorkflow`)".to_string()
        } else {
            format!("the peer driver failed ({})", version.why())
        };
        return Section {
            title,
            about: String::new(),
            rows: vec![
                Row::unavailable("cold `approve` process", "—".into(), "≥ 15× faster", &why),
                Row::unavailable("in-process cycles", "—".into(), "≥ 3× the rate", &why),
            ],
            notes: Vec::new(),
        };
    }
    let info: serde_json::Value =
        serde_json::from_str(version.stdout.trim()).unwrap_or(serde_json::Value::Null);
    let db = b.scratch.join("spiff.db");
    let _ = std::fs::remove_file(&db);
    let mut python_floor = Samples::new();
    let mut open = Samples::new();
    let mut approve = Samples::new();
    let mut cpu = [Cpu::default(); 3];
    for _ in 0..b.cfg.peer_runs {
        let p = time(Command::new(&python).arg("-c").arg("pass"));
        cpu[0].add(&p);
        python_floor.push(p.took);
        let o = time(Command::new(&python).arg(&script).arg("open").arg(&db));
        assert!(o.ok(), "spiff open failed: {}", o.why());
        cpu[1].add(&o);
        open.push(o.took);
        let id = o.stdout.trim().to_string();
        let a = time(
            Command::new(&python)
                .arg(&script)
                .arg("approve")
                .arg(&db)
                .arg(&id),
        );
        assert!(a.ok(), "spiff approve failed: {}", a.why());
        cpu[2].add(&a);
        approve.push(a.took);
    }
    let inproc = time(
        Command::new(&python)
            .arg(&script)
            .arg("inproc")
            .arg(&db)
            .arg(b.cfg.peer_cycles.to_string()),
    );
    assert!(inproc.ok(), "spiff inproc failed: {}", inproc.why());
    let doc: serde_json::Value =
        serde_json::from_str(inproc.stdout.trim()).expect("spiff inproc prints JSON");
    let mut cycles = Samples::new();
    for v in doc["cycles_ms"].as_array().into_iter().flatten() {
        cycles.push_ms(v.as_f64().unwrap_or(f64::NAN));
    }
    let spiff_rate = cycles.len() as f64 / (cycles.sum() / 1000.0);
    let _ = std::fs::remove_file(&db);

    let mut rows = Vec::new();
    for (name, theirs, mine) in [
        ("open", &open, ours.open_p50),
        ("approve", &approve, ours.approve_p50),
    ] {
        let speedup = theirs.median() / mine;
        rows.push(Row {
            line: format!("SpiffWorkflow cold `{name}` process"),
            n: theirs.len().to_string(),
            median: ms(theirs.median()),
            p99: ms(theirs.p99()),
            floor: format!(
                "caseflow `{name}` p50 {} (line 2, empty db); `python3 -c pass` {}",
                ms(mine),
                ms(python_floor.median())
            ),
            ratio: format!("caseflow {speedup:.1}× faster"),
            target: "caseflow ≥ 15× faster".into(),
            verdict: Row::judged(speedup >= 15.0),
        });
    }
    let share = ours.cycle_rate / spiff_rate;
    rows.push(Row {
        line: "SpiffWorkflow in-process open + approve cycle".into(),
        n: cycles.len().to_string(),
        median: ms(cycles.median()),
        p99: ms(cycles.p99()),
        floor: format!(
            "caseflow library {} (line 3); SpiffWorkflow {}",
            rate(ours.cycle_rate),
            rate(spiff_rate)
        ),
        ratio: format!("caseflow {share:.1}× the rate"),
        target: "caseflow ≥ 3× the rate".into(),
        verdict: Row::judged(share >= 3.0),
    });
    if cycles.is_empty() {
        rows.last_mut().expect("a row").verdict =
            Verdict::NotAvailable("no in-process cycles ran".into());
    }
    Section {
        title,
        about: format!(
            "SpiffWorkflow {} runs benches/peer/approval.bpmn (the expense approval: manager \
             review, then HR and finance in parallel). Storage: {}. Each cold process parses \
             the BPMN, loads the workflow, completes the step and saves it, as a caseflow \
             command does; in process, the spec is parsed once and every step is saved in its \
             own transaction, as in line 3.",
            info["version"].as_str().unwrap_or("?"),
            info["storage"].as_str().unwrap_or("?")
        ),
        rows,
        notes: vec![format!(
            "CPU per run (user + system, as in line 1): `python3 -c pass` {}, SpiffWorkflow \
             `open` {} vs caseflow {} ({:.0}×), `approve` {} vs caseflow {} ({:.0}×).",
            ms(cpu[0].per_run()),
            ms(cpu[1].per_run()),
            ms(ours.open_cpu),
            cpu[1].per_run() / ours.open_cpu,
            ms(cpu[2].per_run()),
            ms(ours.approve_cpu),
            cpu[2].per_run() / ours.approve_cpu
        )],
    }
}
