//! Concurrent writers: 8 processes x 25 writing commands on one case of one database.
//! Every command must succeed (writers queue on BEGIN IMMEDIATE + busy timeout) and every
//! event must be there afterwards, with gap-free sequence numbers.

mod common;
use common::*;

#[test]
fn eight_processes_times_25_writes_lose_nothing() {
    let ws = Workspace::init();
    let case = ws.open(
        "alice",
        "expense-reimbursement",
        &["kind=advance", "lines=Flight: 420.00"],
    );
    let before = ws.history(&case).len();
    std::thread::scope(|scope| {
        for writer in 0..8 {
            let ws = &ws;
            let case = &case;
            scope.spawn(move || {
                for n in 0..25 {
                    let text = format!("writer {writer} note {n}");
                    let run = if n % 5 == 4 {
                        let file = ws.file(&format!("scan-{writer}-{n}.txt"), &text);
                        ws.run("maria", &["attach", case, file.to_str().expect("path")])
                    } else {
                        ws.run("alice", &["comment", case, &text])
                    };
                    assert_eq!(
                        run.code, 0,
                        "writer {writer} command {n} failed: {}",
                        run.stderr
                    );
                }
            });
        }
    });
    let events = ws.history(&case);
    assert_eq!(events.len() - before, 200, "all 200 events are present");
    assert_eq!(
        events.iter().filter(|e| e["kind"] == "commented").count(),
        160
    );
    assert_eq!(
        ws.show(&case)["attachments"].as_array().map(Vec::len),
        Some(40)
    );
    let seqs: Vec<i64> = events
        .iter()
        .map(|e| e["seq"].as_i64().expect("seq"))
        .collect();
    assert_eq!(
        seqs,
        (1..=events.len() as i64).collect::<Vec<_>>(),
        "sequence numbers are gap-free"
    );
}
