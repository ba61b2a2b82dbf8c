//! End to end: business calendars, SLAs, waits, timeouts, reminders and `caseflow tick`,
//! through the real binary with fixed `--now` values (no timed tests).

mod common;
use common::*;

use serde_json::Value;

/// A complaint-sla case about a device under warranty, opened by jonas at `at`; `extra`
/// fields override (e.g. no serial number, so the registrar must wait for the customer).
fn complaint(ws: &Workspace, at: &str, extra: &[&str]) -> String {
    let mut args = vec!["open", "complaint-sla", "--json"];
    let mut fields = vec![
        "customer_name=Jan Kowalski",
        "customer_email=jan@example.com",
        "subject=device",
        "description=The washing machine does not spin",
        "event_date=2026-11-20",
        "covered_from=2025-01-10",
        "covered_until=2027-01-10",
        "claim_value=300.00",
    ];
    fields.extend_from_slice(extra);
    for f in &fields {
        args.push("--field");
        args.push(f);
    }
    ws.run_at(at, "jonas", &args).ok().json()["id"]
        .as_str()
        .expect("id")
        .to_string()
}

fn tick(ws: &Workspace, at: &str) -> Value {
    ws.run_at(at, "root", &["tick", "--json"]).ok().json()
}

fn show_at(ws: &Workspace, at: &str, case: &str) -> Value {
    ws.run_at(at, "root", &["show", case, "--json"]).ok().json()
}

fn kinds(ws: &Workspace, case: &str, kind: &str) -> Vec<Value> {
    ws.history(case)
        .into_iter()
        .filter(|e| e["kind"] == kind)
        .collect()
}

/// The SLA clock of `step` (`None`: the case's own) as `show --json` gives it.
fn sla(case: &Value, step: Option<&str>) -> Value {
    case["sla"]
        .as_array()
        .expect("sla in show --json")
        .iter()
        .find(|c| c["step"].as_str() == step)
        .cloned()
        .unwrap_or_else(|| panic!("no SLA for {step:?}: {}", case["sla"]))
}

fn changes_of(events: &[Value], change: &str) -> usize {
    events
        .iter()
        .flat_map(|e| e["changes"].as_array().cloned().unwrap_or_default())
        .filter(|c| c["change"] == change)
        .count()
}

// ---------------------------------------------------------------------------------------------

/// complaint-sla's `analysis` has 5 business days (Polish calendar, 08:00-16:00 Warsaw),
/// warns at 75% (raise priority, notify the supervisor) and escalates on breach. Opened on
/// Friday 18 December 10:00 local, the clock skips the weekend and 24-26 December.
#[test]
fn an_sla_warns_then_breaches_across_a_weekend_and_holidays() {
    let ws = Workspace::init();
    let opened = "2026-12-18T09:00:00Z";
    let case = complaint(&ws, opened, &["serial_number=SN-123456"]);
    let start = show_at(&ws, opened, &case);
    assert_eq!(steps(&start), ["analysis"]);
    let handler = start["tasks"][0]["assignee"].as_str().unwrap().to_string();
    assert_eq!(handler, "kasia");
    let clock = sla(&start, Some("analysis"));
    // 30 business hours (75% of 40): Fri 6h, Mon-Wed 24h → Wednesday 23rd at 16:00 local.
    assert_eq!(clock["warn_at"], "2026-12-23T15:00:00Z");
    // 40 business hours: the remaining 10 on Mon 28th (8h) and Tue 29th 08:00-10:00 local.
    assert_eq!(clock["due_at"], "2026-12-29T09:00:00Z");
    assert_eq!(clock["business_hours_left"], 40.0);
    assert_eq!(clock["state"], "on_time");

    // Nothing is due just before the warning.
    assert_eq!(tick(&ws, "2026-12-23T14:59:00Z")["fired"], 0);
    // The warning fires once (the day after, cron was late), whatever number of ticks.
    let warned = tick(&ws, "2026-12-24T08:00:00Z");
    assert_eq!(warned["fired"], 1, "{warned}");
    assert_eq!(warned["items"][0]["kind"], "sla_warned");
    assert_eq!(warned["items"][0]["due_at"], "2026-12-23T15:00:00Z");
    assert_eq!(tick(&ws, "2026-12-24T08:00:00Z")["fired"], 0);
    assert_eq!(tick(&ws, "2026-12-27T08:00:00Z")["fired"], 0);
    let at_risk = show_at(&ws, "2026-12-27T08:00:00Z", &case);
    assert_eq!(at_risk["priority"], "high");
    assert_eq!(sla(&at_risk, Some("analysis"))["state"], "at_risk");
    // Over the holidays and the weekend no business time passes: 10 hours left.
    assert_eq!(sla(&at_risk, Some("analysis"))["business_hours_left"], 10.0);
    let listed = ws
        .run_at(
            "2026-12-27T08:00:00Z",
            "root",
            &["list", "--at-risk", "--json"],
        )
        .ok()
        .json();
    assert_eq!(listed["cases"][0]["id"], case.as_str());

    // The breach: escalated to the handler's supervisor.
    let breached = tick(&ws, "2026-12-29T09:00:00Z");
    let fired: Vec<&str> = breached["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["kind"].as_str().unwrap())
        .collect();
    // The case's own 14-day SLA warns at the same moment (3 days before 1 January).
    assert_eq!(fired, ["sla_warned", "sla_breached"], "{breached}");
    for at in ["2026-12-29T09:00:00Z", "2026-12-30T09:00:00Z"] {
        assert_eq!(tick(&ws, at)["fired"], 0);
    }
    let after = show_at(&ws, "2026-12-30T09:00:00Z", &case);
    assert_eq!(after["tasks"][0]["assignee"], "tomasz");
    assert_eq!(after["tasks"][0]["escalated"], true);
    assert_eq!(after["priority"], "urgent");
    assert_eq!(sla(&after, Some("analysis"))["state"], "overdue");
    assert_eq!(sla(&after, Some("analysis"))["breached"], true);

    let history = ws.history(&case);
    let breaches = kinds(&ws, &case, "sla_breached");
    assert_eq!(breaches.len(), 1);
    assert_eq!(breaches[0]["actor"], "caseflow");
    assert!(
        breaches[0]["note"]
            .as_str()
            .unwrap()
            .contains("due at 2026-12-29T09:00:00Z"),
        "{}",
        breaches[0]["note"]
    );
    assert_eq!(kinds(&ws, &case, "sla_warned").len(), 2);
    assert_eq!(changes_of(&history, "task_escalated"), 1, "escalated once");
    let warnings: Vec<Queued> = ws
        .outbox(&case)
        .into_iter()
        .filter(|q| q.template == "sla_warning")
        .collect();
    assert_eq!(warnings.len(), 1, "the supervisor is notified once");
    assert_eq!(warnings[0].to, ["tomasz"]);

    let overdue = ws
        .run_at(
            "2026-12-30T09:00:00Z",
            "root",
            &["list", "--overdue", "--json"],
        )
        .ok()
        .json();
    assert_eq!(overdue["cases"][0]["id"], case.as_str());
    assert_eq!(overdue["cases"][0]["due_at"], "2026-12-29T09:00:00Z");
    assert!(overdue["cases"][0]["business_hours_left"].as_f64().unwrap() < 0.0);
}

/// A complaint whose device cannot be identified waits in `complete_data` (`waiting:
/// customer`): the case's 14-day clock stands still there and, when the data arrives,
/// resumes with its due time moved on by the time it stood still.
#[test]
fn the_case_clock_pauses_while_waiting_on_the_customer_then_resumes() {
    let ws = Workspace::init();
    let opened = "2026-12-01T09:00:00Z";
    let case = complaint(&ws, opened, &[]);
    let waiting = show_at(&ws, opened, &case);
    assert_eq!(steps(&waiting), ["complete_data"]);
    let clock = sla(&waiting, None);
    assert_eq!(clock["state"], "paused");
    assert_eq!(clock["due_at"], "2026-12-15T09:00:00Z");
    // Paused: no timers, nothing overdue even long after the original due time.
    assert_eq!(tick(&ws, "2026-12-16T09:00:00Z")["fired"], 0);
    let overdue = ws
        .run_at(
            "2026-12-16T09:00:00Z",
            "root",
            &["list", "--overdue", "--json"],
        )
        .ok()
        .json();
    assert_eq!(overdue["cases"].as_array().map(Vec::len), Some(0));

    // The customer answers 3 days after opening.
    let later = "2026-12-04T09:00:00Z";
    ws.run_at(
        later,
        "jonas",
        &["set", &case, "--field", "serial_number=SN-123456"],
    )
    .ok();
    ws.run_at(later, "jonas", &["act", &case, "data_completed"])
        .ok();
    let resumed = show_at(&ws, later, &case);
    assert_eq!(steps(&resumed), ["analysis"]);
    let clock = sla(&resumed, None);
    assert_eq!(clock["state"], "on_time");
    assert_eq!(clock["due_at"], "2026-12-18T09:00:00Z");
    let notes: Vec<String> = ws
        .history(&case)
        .iter()
        .filter_map(|e| e["note"].as_str().map(String::from))
        .collect();
    assert!(
        notes.iter().any(|n| n.contains("SLA clock paused")),
        "{notes:?}"
    );
    assert!(
        notes
            .iter()
            .any(|n| n.contains("SLA clock resumed; due 2026-12-18T09:00:00Z")),
        "{notes:?}"
    );
}

const INVOICE: [&str; 5] = [
    "invoice_number=R-2026-7781",
    "customer_number=K-7781",
    "customer_email=m.wolf@example.org",
    "amount_due=184.20",
    "due_date=2026-12-01",
];

/// The reminder ladder runs from midnight of the due date in Berlin (23:00Z), every 7 days.
const RUNGS: [&str; 4] = [
    "2026-12-07T23:00:00Z",
    "2026-12-14T23:00:00Z",
    "2026-12-21T23:00:00Z",
    "2026-12-28T23:00:00Z",
];

fn reminder_notes(ws: &Workspace, case: &str) -> Vec<String> {
    kinds(ws, case, "reminded")
        .iter()
        .map(|e| e["note"].as_str().unwrap_or_default().to_string())
        .collect()
}

#[test]
fn the_reminder_ladder_ends_with_billing_handing_the_debt_to_collections() {
    let ws = Workspace::init();
    let case = ws.open("klaus", "late-payment", &INVOICE);
    for (i, rung) in RUNGS.iter().take(3).enumerate() {
        let just_before = rung.replace("T23:00:00Z", "T22:59:59Z");
        assert_eq!(tick(&ws, &just_before)["fired"], 0, "before rung {i}");
        let fired = tick(&ws, rung);
        assert_eq!(fired["items"][0]["kind"], "reminded", "{fired}");
        let now = show_at(&ws, rung, &case);
        assert_eq!(now["fields"]["reminders_sent"], i + 1);
        assert_eq!(steps(&now), ["payment_reminder"]);
    }
    let reminders: Vec<Queued> = ws
        .outbox(&case)
        .into_iter()
        .filter(|q| q.template == "payment_reminder")
        .collect();
    assert_eq!(reminders.len(), 3);
    assert!(reminders.iter().all(|q| q.to == ["m.wolf@example.org"]));
    // A week after the third reminder the ladder's `then:` hands the case back to billing.
    tick(&ws, RUNGS[3]);
    assert_eq!(ws.steps(&case), ["still_unpaid"]);
    assert_eq!(
        reminder_notes(&ws, &case),
        [
            "reminder 1 of 3 (due 2026-12-07T23:00:00Z)",
            "reminder 2 of 3 (due 2026-12-14T23:00:00Z)",
            "reminder 3 of 3 (due 2026-12-21T23:00:00Z)",
            "no answer after 3 reminders (due 2026-12-28T23:00:00Z)",
        ]
    );
    let done = ws
        .run_at(
            "2026-12-29T10:00:00Z",
            "klaus",
            &[
                "act",
                &case,
                "hand_over_to_collections",
                "--comment",
                "no reaction",
                "--json",
            ],
        )
        .ok()
        .json();
    assert_eq!(done["outcome"], "handed_to_collections");
    // A closed case has nothing left to fire.
    assert_eq!(tick(&ws, "2027-02-01T00:00:00Z")["fired"], 0);
}

#[test]
fn a_second_tick_at_the_same_time_changes_nothing() {
    let ws = Workspace::init();
    let case = ws.open("klaus", "late-payment", &INVOICE);
    assert_eq!(tick(&ws, RUNGS[0])["fired"], 1);
    let events = ws.events(&case);
    let outbox = ws.outbox(&case).len();
    let again = tick(&ws, RUNGS[0]);
    assert_eq!(again["fired"], 0, "{again}");
    assert_eq!(again["items"], Value::Array(vec![]));
    assert_eq!(ws.events(&case), events);
    assert_eq!(ws.outbox(&case).len(), outbox);
    // Nothing due: exit 0, plain output says so.
    let plain = ws.run_at(RUNGS[0], "root", &["tick"]).ok();
    assert!(plain.stdout.contains("fired 0"), "{}", plain.stdout);
}

/// Cron was down for 10 days: the one tick afterwards fires each missed reminder once, in
/// order, each recording its own due time; dry-run lists them first without firing.
#[test]
fn a_tick_after_a_ten_day_outage_fires_each_missed_timer_once_in_order() {
    let ws = Workspace::init();
    let case = ws.open("klaus", "late-payment", &INVOICE);
    let back = "2026-12-17T12:00:00Z";
    let dry = ws
        .run_at(back, "root", &["tick", "--dry-run", "--json"])
        .ok()
        .json();
    assert_eq!(dry["dry_run"], true);
    assert_eq!(dry["items"][0]["due_at"], RUNGS[0]);
    assert_eq!(
        ws.show(&case)["fields"]["reminders_sent"],
        0,
        "dry run fires nothing"
    );
    let fired = tick(&ws, back);
    let due: Vec<&str> = fired["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["due_at"].as_str().unwrap())
        .collect();
    assert_eq!(due, [RUNGS[0], RUNGS[1]]);
    assert_eq!(
        reminder_notes(&ws, &case),
        [
            "reminder 1 of 3 (due 2026-12-07T23:00:00Z)",
            "reminder 2 of 3 (due 2026-12-14T23:00:00Z)",
        ]
    );
    assert_eq!(tick(&ws, back)["fired"], 0);
    assert_eq!(ws.show(&case)["fields"]["reminders_sent"], 2);
}

/// Two tick processes at once over several cases: every timer fires exactly once.
#[test]
fn two_concurrent_ticks_fire_each_timer_exactly_once() {
    let ws = Workspace::init();
    let cases: Vec<String> = (0..6)
        .map(|_| ws.open("klaus", "late-payment", &INVOICE))
        .collect();
    let at = "2027-01-10T00:00:00Z";
    let runs: Vec<Value> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..2)
            .map(|_| scope.spawn(|| ws.run_at(at, "root", &["tick", "--json"]).ok().json()))
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let total: u64 = runs.iter().map(|r| r["fired"].as_u64().unwrap()).sum();
    assert_eq!(total, 6 * 4, "{runs:?}");
    for case in &cases {
        assert_eq!(reminder_notes(&ws, case).len(), 4, "{case}");
        assert_eq!(ws.steps(case), ["still_unpaid"]);
    }
    assert_eq!(tick(&ws, at)["fired"], 0);
}

const WAITS: &str = r#"
process: docs-wait
id_prefix: DOC
fields:
  note: { type: text }
roles:
  clerk: { group: customer_service }
start: ask
steps:
  ask:
    assignee: clerk
    waiting: customer
    timeout: { after: 3 business days, to: chase }
    actions:
      docs_received: { to: cooling_off }
  cooling_off: { wait: 2 business days, to: review }
  chase:
    assignee: clerk
    actions: { close: { to: closed } }
  review:
    assignee: clerk
    wait: 4 business hours
    actions: { close: { to: closed } }
  closed: { end: done }
"#;

/// Waiting for an outside event with a timeout, an automatic step that waits and then moves
/// on, and a task whose actions wait (default calendar: Mon-Fri 09:00-17:00 UTC).
#[test]
fn timeouts_and_waits_move_the_case_on_in_business_time() {
    let ws = Workspace::init();
    let file = ws.file("processes/docs-wait.yaml", WAITS);
    ws.run("root", &["deploy", file.to_str().unwrap()]).ok();
    // Friday 14:00: 3 business days end Wednesday 14:00.
    let friday = "2026-12-04T14:00:00Z";
    let silent = ws
        .run_at(friday, "jonas", &["open", "docs-wait", "--json"])
        .ok()
        .json();
    let silent = silent["id"].as_str().unwrap().to_string();
    assert_eq!(tick(&ws, "2026-12-09T13:59:00Z")["fired"], 0);
    let timed_out = tick(&ws, "2026-12-09T14:00:00Z");
    assert_eq!(timed_out["items"][0]["kind"], "timed_out", "{timed_out}");
    assert_eq!(ws.steps(&silent), ["chase"]);

    // The documents arrive Friday 14:00: the case cools off 2 business days (Tuesday 14:00),
    // held by the system, then review opens, actionable 4 business hours later.
    let answered = ws
        .run_at(friday, "jonas", &["open", "docs-wait", "--json"])
        .ok()
        .json();
    let answered = answered["id"].as_str().unwrap().to_string();
    ws.run_at(friday, "jonas", &["act", &answered, "docs_received"])
        .ok();
    let held = show_at(&ws, friday, &answered);
    assert_eq!(steps(&held), ["cooling_off"]);
    assert_eq!(held["tasks"][0]["assignee"], "caseflow");
    let moved = tick(&ws, "2026-12-08T14:00:00Z");
    assert_eq!(moved["items"][0]["kind"], "waited", "{moved}");
    assert_eq!(ws.steps(&answered), ["review"]);
    let early = ws
        .run_at(
            "2026-12-08T16:00:00Z",
            "jonas",
            &["act", &answered, "close"],
        )
        .fails(65);
    assert!(
        early
            .stderr
            .contains("cannot be acted on before 2026-12-09T10:00:00Z"),
        "{}",
        early.stderr
    );
    ws.run_at(
        "2026-12-09T10:00:00Z",
        "jonas",
        &["act", &answered, "close"],
    )
    .ok();
}

#[test]
fn bad_time_definitions_and_calendars_are_check_errors_with_positions() {
    let ws = Workspace::init();
    let bad = ws.file(
        "bad.yaml",
        "process: bad\nid_prefix: BAD\ncalendar: atlantis\nroles:\n  clerk: { group: customer_service }\nstart: a\nsteps:\n  a:\n    assignee: clerk\n    sla: { due: 2 buisness days }\n    remind: { every: 1 day, times: 2, to: clerk, template: nudge }\n    actions: { go: { to: b } }\n  b:\n    assignee: clerk\n    sla: { due: 2 hours, warn_at: 3 hours before }\n    actions: { go: { to: c } }\n  c: { end: done }\n",
    );
    let run = ws.run("root", &["check", bad.to_str().unwrap()]).fails(65);
    for expected in [
        "bad.yaml:3:11: process: unknown calendar `atlantis`",
        "bad.yaml:10:5: step `a`: \"2 buisness days\" is not a duration",
        "bad.yaml:15:5: step `b`: warn_at `3 hours before` is not before the due time `2 hours`",
    ] {
        assert!(run.stderr.contains(expected), "{expected}\n{}", run.stderr);
    }
    ws.file(
        "org.yaml",
        "people:\n  root: { name: Root, groups: [admins] }\ncalendars:\n  x:\n    time_zone: Mars/Olympus\n    holidays: [2026-13-01]\n",
    );
    let run = ws.run("root", &["check", bad.to_str().unwrap()]).fails(65);
    assert!(
        run.stderr
            .contains("org.yaml:5:16: calendar `x`: unknown time zone `Mars/Olympus`"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("org.yaml:6:16: calendar `x`: holiday \"2026-13-01\" is not a date"),
        "{}",
        run.stderr
    );
}

#[test]
fn an_unparsable_now_is_a_usage_error() {
    let ws = Workspace::init();
    let run = ws.run_at("next tuesday", "root", &["tick"]).fails(64);
    assert!(run.stderr.contains("--now"), "{}", run.stderr);
}

#[test]
fn the_last_tick_run_is_recorded() {
    let ws = Workspace::init();
    ws.open("klaus", "late-payment", &INVOICE);
    tick(&ws, RUNGS[0]);
    assert_eq!(last_tick_run(&ws), (RUNGS[0].to_string(), 1));
    ws.run_at(RUNGS[1], "root", &["tick", "--dry-run"]).ok();
    assert_eq!(
        last_tick_run(&ws),
        (RUNGS[0].to_string(), 1),
        "a dry run is no run"
    );
}

/// The last row of `tick_runs` (what `doctor` reports) as (now, fired).
fn last_tick_run(ws: &Workspace) -> (String, i64) {
    let rows = ws.sql_rows(
        "SELECT now, CAST(fired AS TEXT) FROM tick_runs ORDER BY id DESC LIMIT 1",
        "",
    );
    let row = rows.first().expect("a tick run");
    let text = |i: usize| row[i].clone().unwrap_or_default();
    (text(0), text(1).parse().expect("fired"))
}

/// payment-plan: a proposal the customer never answers gets one reminder after a week and
/// lapses after three (German calendar, wall-clock days).
#[test]
fn an_unanswered_payment_plan_proposal_is_reminded_once_then_lapses() {
    let ws = Workspace::init();
    let case = ws.open(
        "jonas",
        "payment-plan",
        &[
            "account_number=40012345",
            "customer_name=Familie Krause",
            "customer_email=krause@kunde.example",
        ],
    );
    ws.run(
        "klaus",
        &[
            "act",
            &case,
            "amount_determined",
            "--field",
            "amount_owed=600.00",
        ],
    )
    .ok();
    let proposed = [
        "act",
        &case,
        "propose_plan",
        "--field",
        "instalment_count=3",
        "--field",
        "frequency=monthly",
        "--field",
        "first_due=2027-01-15",
    ];
    ws.run("jonas", &proposed).ok();
    assert_eq!(ws.steps(&case), ["consent"]);
    let week = tick(&ws, "2026-12-07T09:00:00Z");
    assert_eq!(week["items"][0]["kind"], "reminded", "{week}");
    let lapsed = tick(&ws, "2026-12-21T09:00:00Z");
    let kinds_fired: Vec<&str> = lapsed["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["kind"].as_str().unwrap())
        .collect();
    // In due order: the SLA warning (11 Dec), the end of the reminder ladder and the SLA
    // breach (both 14 Dec; ties go by case, task and timer name), then the timeout (21 Dec).
    assert_eq!(
        kinds_fired,
        ["sla_warned", "reminded", "sla_breached", "timed_out"],
        "{lapsed}"
    );
    let closed = ws.show(&case);
    assert_eq!(closed["outcome"], "lapsed");
    let sent: Vec<String> = ws.outbox(&case).into_iter().map(|q| q.template).collect();
    assert!(
        sent.contains(&"payment_plan_reminder".to_string()),
        "{sent:?}"
    );
    assert_eq!(sent.last().map(String::as_str), Some("payment_plan_lapsed"));
}

/// expense-reimbursement's manager_review keeps its SLA of 2 business days (head office
/// calendar, 09:00-17:00 UTC), warning at 75%: both are recorded as events even without
/// handlers, and `show` says where the clock stands.
#[test]
fn the_expense_manager_review_sla_warns_at_75_percent_and_breaches_after_two_business_days() {
    let ws = Workspace::init();
    // Opened Friday 15:00: Friday gives 2 business hours, Monday 8, so the warning (12 h)
    // falls on Tuesday 11:00 and the due time (16 h) on Tuesday 15:00.
    let friday = "2026-12-04T15:00:00Z";
    let case = ws
        .run_at(
            friday,
            "alice",
            &[
                "open",
                "expense-reimbursement",
                "--field",
                "kind=advance",
                "--field",
                "lines=Flight: 420.00",
                "--json",
            ],
        )
        .ok()
        .json()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let clock = sla(&show_at(&ws, friday, &case), Some("manager_review"));
    assert_eq!(clock["warn_at"], "2026-12-08T11:00:00Z");
    assert_eq!(clock["due_at"], "2026-12-08T15:00:00Z");
    assert_eq!(clock["calendar"], "head_office");
    let text = ws
        .run_at("2026-12-08T12:00:00Z", "maria", &["show", &case])
        .ok();
    assert!(
        text.stdout.contains(
            "SLA of manager_review: due 2026-12-08T15:00:00Z (at risk, 3 business hours left)"
        ),
        "{}",
        text.stdout
    );
    let fired = tick(&ws, "2026-12-08T15:00:00Z");
    assert_eq!(fired["fired"], 2, "{fired}");
    assert_eq!(kinds(&ws, &case, "sla_warned").len(), 1);
    assert_eq!(kinds(&ws, &case, "sla_breached").len(), 1);
    assert_eq!(
        ws.show(&case)["priority"],
        "normal",
        "no handlers, no change"
    );
}

const REGIONS: &str = r#"
process: regional
id_prefix: REG
calendar: { field: region }
fields:
  region: { type: enum, values: [poland, germany, other], required: true }
roles:
  clerk: { group: customer_service }
start: answer
steps:
  answer:
    assignee: clerk
    sla: { due: 1 business day }
    actions: { done: { to: closed } }
  closed: { end: done }
"#;

/// A case field picks the calendar: the same SLA falls due a day later in Poland, where
/// 11 November is a holiday, than in Germany; a value naming no calendar gets the default.
#[test]
fn a_case_field_picks_the_calendar() {
    let ws = Workspace::init();
    let file = ws.file("processes/regional.yaml", REGIONS);
    ws.run("root", &["deploy", file.to_str().unwrap()]).ok();
    // Tuesday 10 November 2026, 15:30 in Warsaw and Berlin; 8 business hours.
    let at = "2026-11-10T14:30:00Z";
    let due = |region: &str| {
        let field = format!("region={region}");
        let opened = ws
            .run_at(
                at,
                "jonas",
                &["open", "regional", "--field", &field, "--json"],
            )
            .ok()
            .json();
        let clock = sla(&opened_show(&ws, at, &opened), Some("answer"));
        (clock["calendar"].clone(), clock["due_at"].clone())
    };
    assert_eq!(
        due("poland"),
        ("poland".into(), "2026-11-12T14:30:00Z".into())
    );
    assert_eq!(
        due("germany"),
        ("germany".into(), "2026-11-11T14:30:00Z".into())
    );
    assert_eq!(
        due("other"),
        ("head_office".into(), "2026-11-11T14:30:00Z".into())
    );
}

fn opened_show(ws: &Workspace, at: &str, opened: &Value) -> Value {
    show_at(ws, at, opened["id"].as_str().expect("id"))
}

#[test]
fn the_sla_report_counts_at_risk_then_breached_tasks_and_the_recorded_events() {
    let ws = Workspace::init();
    for who in ["alice", "bob"] {
        ws.open(
            who,
            "expense-reimbursement",
            &["kind=advance", "lines=Taxi: 2.00"],
        );
    }
    let report = |now: &str| {
        ws.run_at(now, "root", &["tick", "--no-send"]).ok();
        let doc = ws
            .run_at(now, "root", &["report", "sla", "--format", "json"])
            .ok()
            .json();
        let rows = doc["rows"].as_array().expect("rows").clone();
        let row = |assignee: &str| {
            rows.iter()
                .find(|r| r["step"] == "manager_review" && r["assignee"] == assignee)
                .cloned()
                .unwrap_or_else(|| panic!("no row for {assignee}: {rows:?}"))
        };
        (row("maria"), row("(recorded)"))
    };
    // 75% of two business days: at risk on the second afternoon.
    let (maria, recorded) = report("2026-12-01T15:00:00Z");
    assert_eq!(
        (maria["at risk"].as_i64(), maria["breached"].as_i64()),
        (Some(2), Some(0))
    );
    assert_eq!(recorded["warnings recorded"], 2);
    let (maria, recorded) = report("2026-12-03T12:00:00Z");
    assert_eq!(
        (maria["at risk"].as_i64(), maria["breached"].as_i64()),
        (Some(0), Some(2))
    );
    assert_eq!(recorded["breaches recorded"], 2);
}
