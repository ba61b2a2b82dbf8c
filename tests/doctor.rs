//! `caseflow doctor` finds what needs fixing, says how, and exits 1; a healthy workspace
//! passes with warnings at most. `caseflow config` shows each setting and where it came from.

mod common;
use common::*;

fn check<'a>(report: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    report["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .find(|c| c["check"] == name)
        .unwrap_or_else(|| panic!("no check {name} in {report}"))
}

#[test]
fn a_fresh_workspace_is_healthy_but_tick_never_ran() {
    let ws = Workspace::init();
    let report = ws.run("root", &["doctor", "--json"]).ok().json();
    assert_eq!(report["ok"], true);
    for name in [
        "schema",
        "org.yaml",
        "definitions",
        "deployed",
        "assignees",
        "smtp",
        "outbox",
    ] {
        assert_eq!(check(&report, name)["status"], "ok", "{name}: {report}");
    }
    let tick = check(&report, "tick");
    assert_eq!(tick["status"], "warn");
    assert_eq!(tick["found"], "tick has never run");
    assert!(tick["fix"].as_str().unwrap_or_default().contains("cron"));
}

#[test]
fn problems_are_named_with_what_to_do_and_exit_1() {
    let ws = Workspace::init();
    ws.open(
        "alice",
        "expense-reimbursement",
        &["kind=reimbursement", "lines=Taxi: 25.00"],
    );
    // maria, who the case waits for, leaves; a definition is broken; one is edited.
    let org = std::fs::read_to_string(ws.path().join("org.yaml")).expect("org");
    let org = org.replace("supervisor: maria", "supervisor: dmitri");
    let org: String = org
        .lines()
        .filter(|l| !l.trim_start().starts_with("maria:"))
        .map(|l| format!("{l}\n"))
        .collect();
    ws.file("org.yaml", &org);
    ws.file("processes/broken.yaml", "process: broken\nstart: nowhere\n");
    let complaint = ws.path().join("processes/complaint.yaml");
    let text = std::fs::read_to_string(&complaint).expect("complaint");
    std::fs::write(&complaint, format!("{text}\n# edited\n")).expect("edit");

    let out = ws.run("root", &["doctor", "--json"]).fails(1);
    let report = out.json();
    assert_eq!(report["ok"], false);
    assert_eq!(report["exit_code"], 1);
    let definitions = check(&report, "definitions");
    assert_eq!(definitions["status"], "fail");
    assert!(definitions["found"]
        .as_str()
        .unwrap_or_default()
        .contains("broken.yaml"));
    let deployed = check(&report, "deployed");
    assert_eq!(deployed["status"], "warn");
    assert_eq!(deployed["found"], "not deployed: complaint (changed)");
    let assignees = check(&report, "assignees");
    assert_eq!(assignees["status"], "fail");
    assert!(
        assignees["found"]
            .as_str()
            .unwrap_or_default()
            .contains("EXP-2026-0001 (maria)"),
        "{assignees}"
    );
    assert!(assignees["fix"]
        .as_str()
        .unwrap_or_default()
        .contains("caseflow assign EXP-2026-0001"));

    let text = ws.run("root", &["doctor"]).fails(1);
    assert!(text.stdout.contains("FAIL"), "{}", text.stdout);
    assert!(
        text.stderr.contains("error: 2 problems need fixing"),
        "{}",
        text.stderr
    );
}

#[test]
fn smtp_that_nobody_answers_is_a_failure() {
    let ws = Workspace::init();
    // A port nothing listens on: bind one, note it, close it.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("port")
        .port();
    ws.write_config(&format!("[smtp]\nurl = \"smtp://127.0.0.1:{port}\"\n"));
    let report = ws.run("root", &["doctor", "--json"]).fails(1).json();
    let smtp = check(&report, "smtp");
    assert_eq!(smtp["status"], "fail", "{smtp}");
    assert!(smtp["found"]
        .as_str()
        .unwrap_or_default()
        .contains("unreachable"));

    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("listen");
    let port = listener.local_addr().expect("addr").port();
    let out = caseflow()
        .arg("--workspace")
        .arg(ws.path())
        .args(["--now", T0, "doctor", "--json"])
        .env(
            "CASEFLOW_SMTP_URL",
            format!("smtp://user:secret@127.0.0.1:{port}"),
        )
        .output()
        .expect("run");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(check(&report, "smtp")["status"], "ok", "{report}");
    assert!(!report.to_string().contains("secret"));
}

#[test]
fn doctor_outside_a_workspace_says_so() {
    let empty = tempfile::tempdir().expect("tempdir");
    let out = caseflow()
        .arg("--workspace")
        .arg(empty.path())
        .arg("doctor")
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(66));
    assert!(String::from_utf8_lossy(&out.stderr).contains("hint: run `caseflow init` there"));
}

#[test]
fn config_shows_values_and_where_they_came_from() {
    let ws = Workspace::init();
    ws.write_config("locale = \"de\"\ncalendar = \"office\"\n");
    let out = caseflow()
        .arg("--workspace")
        .arg(ws.path())
        .args(["--config", "calendar=plant", "config", "--json"])
        .env("CASEFLOW_SMTP_URL", "smtp://u:pw@mail.example.com:587")
        .output()
        .expect("run");
    assert!(out.status.success());
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let setting = |key: &str| {
        doc["settings"]
            .as_array()
            .expect("settings")
            .iter()
            .find(|s| s["key"] == key)
            .cloned()
            .unwrap_or_else(|| panic!("no {key}"))
    };
    assert_eq!(setting("locale")["value"], "de");
    assert_eq!(setting("locale")["source"], "file");
    assert_eq!(setting("calendar")["value"], "plant");
    assert_eq!(setting("calendar")["source"], "flag");
    assert_eq!(
        setting("smtp.url")["value"],
        "smtp://u:***@mail.example.com:587"
    );
    assert_eq!(setting("smtp.url")["source"], "env");
    assert_eq!(setting("busy_timeout_ms")["source"], "default");
    assert_eq!(setting("smtp.from")["value"], serde_json::Value::Null);

    let one = ws.run("root", &["config", "locale"]).ok();
    assert_eq!(one.stdout, "de\n");
}

#[test]
fn a_bad_config_file_stops_every_command_with_exit_78() {
    let ws = Workspace::init();
    ws.write_config("[smtp]\nulr = \"smtp://x\"\n");
    let out = ws.run("root", &["list"]).fails(78);
    insta::assert_snapshot!(out.stderr.replace(&ws.path().display().to_string(), "WS"), @r"
    error: WS/caseflow.toml: unknown key `smtp.ulr`; did you mean `smtp.url`?
    hint: fix caseflow.toml, the CASEFLOW_* variable or the --config flag; `caseflow config` lists the keys
    ");
    ws.write_config("");
    let out = ws.run("root", &["config", "localle"]).fails(64);
    assert!(
        out.stderr.contains("did you mean `locale`?"),
        "{}",
        out.stderr
    );
}

#[test]
fn config_table_at_a_fixed_width() {
    let ws = Workspace::init();
    let out = caseflow()
        .arg("--workspace")
        .arg(ws.path())
        .arg("config")
        .env("COLUMNS", "100")
        .output()
        .expect("run");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(text.lines().all(|l| l.chars().count() <= 100), "{text}");
    if ws.database.is_none() {
        // On PostgreSQL the table also shows the test database's URL.
        insta::assert_snapshot!(text);
    }
}

/// Doctor reports the last `tick` run (a row of `tick_runs`) and dead mail.
#[test]
fn tick_runs_and_dead_mail_are_reported_when_present() {
    let ws = Workspace::init();
    let id = ws.open(
        "alice",
        "expense-reimbursement",
        &["kind=reimbursement", "lines=Taxi: 25.00"],
    );
    ws.run("maria", &["reject", &id, "--reason", "no receipts"])
        .ok();
    ws.sql(
        "INSERT INTO tick_runs (started_at, finished_at, now, fired) VALUES ('2026-11-30T08:55:00Z', '2026-11-30T08:55:01Z', '2026-11-30T08:55:00Z', 3);
         UPDATE outbox SET status = 'dead';",
    );
    let report = ws.run("root", &["doctor", "--json"]).fails(1).json();
    let tick = check(&report, "tick");
    assert_eq!(tick["status"], "ok", "{tick}");
    assert_eq!(tick["found"], "last run 2026-11-30T08:55:00Z, fired 3");
    let outbox = check(&report, "outbox");
    assert_eq!(outbox["status"], "fail", "{outbox}");
    assert_eq!(outbox["found"], "0 queued, 1 dead");
    assert!(outbox["fix"]
        .as_str()
        .unwrap_or_default()
        .contains("caseflow notify retry"));

    let later = ws
        .run_at("2026-11-30T12:00:00Z", "root", &["doctor", "--json"])
        .json();
    assert_eq!(check(&later, "tick")["status"], "warn");
}

#[test]
fn doctor_table_at_a_fixed_width() {
    let ws = Workspace::init();
    let out = caseflow()
        .arg("--workspace")
        .arg(ws.path())
        .args(["--now", T0, "doctor"])
        .env("COLUMNS", "100")
        .output()
        .expect("run");
    assert!(out.status.success());
    // Other branches add migrations; the snapshot should not change with each.
    let latest = format!("version {}", caseflow::store::admin::latest_schema());
    let text = String::from_utf8_lossy(&out.stdout).replace(&latest, "version N");
    insta::assert_snapshot!(text);
}
