//! Backups while writers run, restores that refuse to replace data silently, and the
//! tamper-evident history: `audit verify` names the first altered or deleted event.

mod common;
use common::*;

const EXPENSE: &str = "expense-reimbursement";

fn open_expense(ws: &Workspace) -> String {
    ws.open("alice", EXPENSE, &["kind=advance", "lines=Flight: 420.00"])
}

/// Run SQL on the workspace's database behind caseflow's back (the triggers dropped first).
fn tamper(ws: &Workspace, sql: &str) {
    if ws.database.is_some() {
        ws.sql(&format!("ALTER TABLE events DISABLE TRIGGER USER; {sql}"));
    } else {
        ws.sql(&format!(
            "DROP TRIGGER IF EXISTS events_are_append_only_update;
             DROP TRIGGER IF EXISTS events_are_append_only_delete;
             {sql}"
        ));
    }
}

#[test]
fn an_untouched_history_verifies() {
    let ws = Workspace::init();
    let case = open_expense(&ws);
    ws.run("alice", &["comment", &case, "first note"]).ok();
    let file = ws.file("scan.txt", "receipt");
    ws.run("alice", &["attach", &case, file.to_str().expect("path")])
        .ok();
    let report = ws.run("root", &["audit", "verify", "--json"]).ok().json();
    assert_eq!(report["audit"]["cases"], 1);
    assert_eq!(report["audit"]["events"], 3);
    assert_eq!(report["audit"]["attachments"], 1);
    assert_eq!(report["audit"]["breaks"], serde_json::json!([]));
}

#[test]
fn an_altered_event_is_named_with_its_case_and_number() {
    let ws = Workspace::init();
    let untouched = open_expense(&ws);
    let case = open_expense(&ws);
    for n in 1..=3 {
        ws.run("alice", &["comment", &case, &format!("note {n}")])
            .ok();
    }
    tamper(
        &ws,
        &format!(
            "UPDATE events SET comment = 'nothing to see' WHERE case_id = '{case}' AND seq = 3"
        ),
    );
    let run = ws.run("root", &["audit", "verify"]).fails(65);
    assert!(run.stdout.contains(&case), "{}", run.stdout);
    assert!(!run.stdout.contains(&untouched), "{}", run.stdout);
    assert!(
        run.stderr
            .contains(&format!("case {case} event 3: was altered")),
        "{}",
        run.stderr
    );
    ws.run("root", &["audit", "verify", "--case", &untouched])
        .ok();
}

#[test]
fn deleted_events_in_the_middle_or_at_the_end_are_found() {
    let ws = Workspace::init();
    let middle = open_expense(&ws);
    let tail = open_expense(&ws);
    for case in [&middle, &tail] {
        for n in 1..=3 {
            ws.run("alice", &["comment", case, &format!("note {n}")])
                .ok();
        }
    }
    tamper(
        &ws,
        &format!(
            "DELETE FROM events WHERE case_id = '{middle}' AND seq = 2;
             DELETE FROM events WHERE case_id = '{tail}' AND seq = 4;"
        ),
    );
    let report = ws
        .run("root", &["audit", "verify", "--json"])
        .fails(65)
        .json()["details"]
        .clone();
    let breaks = report["audit"]["breaks"]
        .as_array()
        .expect("breaks")
        .clone();
    assert_eq!(breaks.len(), 2, "{breaks:?}");
    assert_eq!(breaks[0]["case"], middle.as_str());
    assert_eq!(breaks[0]["seq"], 2);
    assert!(breaks[0]["problem"]
        .as_str()
        .expect("text")
        .contains("missing"));
    assert_eq!(breaks[1]["case"], tail.as_str());
    assert_eq!(breaks[1]["seq"], 4);
    assert!(breaks[1]["problem"]
        .as_str()
        .expect("text")
        .contains("deleted"));
}

#[test]
fn a_replaced_event_whose_hash_was_recomputed_still_breaks_the_chain_after_it() {
    let ws = Workspace::init();
    let case = open_expense(&ws);
    ws.run("alice", &["comment", &case, "one"]).ok();
    ws.run("alice", &["comment", &case, "two"]).ok();
    // Someone rewrites event 2 and gives it a fresh, self-consistent-looking hash.
    tamper(
        &ws,
        &format!(
            "UPDATE events SET comment = 'other', hash = 'ff' WHERE case_id = '{case}' AND seq = 2"
        ),
    );
    let report = ws
        .run("root", &["audit", "verify", "--json"])
        .fails(65)
        .json()["details"]
        .clone();
    assert_eq!(report["audit"]["breaks"][0]["seq"], 2);
}

#[test]
fn an_attachment_changed_in_place_is_found() {
    let ws = Workspace::init();
    let case = open_expense(&ws);
    let file = ws.file("receipt.txt", "Hotel 120.00");
    ws.run("alice", &["attach", &case, file.to_str().expect("path")])
        .ok();
    let zero = if ws.database.is_some() {
        "decode('00', 'hex')"
    } else {
        "X'00'"
    };
    tamper(&ws, &format!("UPDATE attachments SET bytes = {zero}"));
    let run = ws.run("root", &["audit", "verify"]).fails(65);
    assert!(run.stdout.contains("receipt.txt"), "{}", run.stdout);
}

#[test]
fn backups_taken_while_eight_writers_run_are_whole_and_verify() {
    let ws = Workspace::init();
    let case = open_expense(&ws);
    let backups = tempfile::tempdir().expect("tempdir");
    let mut counts = Vec::new();
    std::thread::scope(|scope| {
        let writers: Vec<_> = (0..8)
            .map(|w| {
                let (ws, case) = (&ws, &case);
                scope.spawn(move || {
                    for n in 0..15 {
                        let text = format!("writer {w} note {n}");
                        ws.run("alice", &["comment", case, &text]).ok();
                    }
                })
            })
            .collect();
        for b in 0..4 {
            let file = backups.path().join(format!("copy-{b}.db"));
            let run = ws
                .run("root", &["backup", file.to_str().expect("path"), "--json"])
                .ok();
            counts.push(run.json()["copied"]["events"].as_i64().expect("events"));
        }
        for w in writers {
            w.join().expect("writer");
        }
    });
    assert!(counts.windows(2).all(|w| w[0] <= w[1]), "{counts:?}");
    // Every copy restores into a fresh workspace and its chains verify.
    for (b, events) in counts.iter().enumerate() {
        let copy = backups.path().join(format!("copy-{b}.db"));
        let other = Workspace::init();
        other
            .run(
                "root",
                &["restore", copy.to_str().expect("path"), "--force"],
            )
            .ok();
        let report = other
            .run("root", &["audit", "verify", "--json"])
            .ok()
            .json();
        assert_eq!(report["audit"]["events"].as_i64(), Some(*events));
    }
    let final_report = ws.run("root", &["audit", "verify", "--json"]).ok().json();
    assert_eq!(final_report["audit"]["events"], 1 + 8 * 15);
}

#[test]
fn backup_and_restore_never_replace_a_file_without_force() {
    let ws = Workspace::init();
    let case = open_expense(&ws);
    let file = ws.path().join("copy.db");
    let path = file.to_str().expect("path");
    ws.run("root", &["backup", path]).ok();
    let run = ws.run("root", &["backup", path]).fails(73);
    assert!(run.stderr.contains("--force"), "{}", run.stderr);

    let other = Workspace::init();
    let run = other.run("root", &["restore", path]).fails(73);
    assert!(run.stderr.contains("0 cases"), "{}", run.stderr);
    other.run("root", &["restore", path, "--force"]).ok();
    assert_eq!(other.show(&case)["id"], case.as_str());

    other
        .run("root", &["restore", "no-such-backup.db", "--force"])
        .fails(66);
    let junk = other.file("junk.db", "not a database at all");
    other
        .run(
            "root",
            &["restore", junk.to_str().expect("path"), "--force"],
        )
        .fails(74);
    assert_eq!(
        other.show(&case)["id"],
        case.as_str(),
        "a bad file replaces nothing"
    );
}
