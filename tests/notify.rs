//! Notifications end to end through the real binary: rendering at queue time, the `.eml`
//! default parsed back, a real SMTP server (aiosmtpd on 127.0.0.1) receiving messages in
//! each language, a server that is down, one that refuses a recipient, `kill -9` in the
//! middle of a send, header injection, template checks and PDF letters.

mod common;
#[path = "support/mail.rs"]
mod mail;

use common::{Workspace, T0};
use mail::{parse, run_env, Smtp};

const LATER: &str = "2026-11-30T09:05:00Z";
const MUCH_LATER: &str = "2026-11-30T12:00:00Z";

/// A small process with a customer e-mail, a cc and a field that reaches the subject.
const NOTICE: &str = r#"
process: notice
title: Customer notice
id_prefix: NTC
fields:
  topic: { type: text, required: true }
  customer_email: { type: email }
roles:
  requester: { from: opener }
  customer: { email_field: customer_email }
  team: { group: finance }
start: review
steps:
  review:
    assignee: team
    actions:
      answer:
        to: done
        requires: [comment]
        notify: [{ to: customer, template: answered, cc: [requester] }]
  done: { end: answered }
"#;

fn notice_workspace() -> Workspace {
    let ws = Workspace::init();
    ws.file("processes/notice.yaml", NOTICE);
    std::fs::create_dir_all(ws.path().join("templates/notice")).expect("test setup");
    ws.file(
        "templates/notice/answered.txt",
        "Subject: Re: {{ fields.topic }} ({{ case.id }})\n\nAnswer: {{ event.comment }}\n",
    );
    ws.file(
        "templates/notice/answered.html",
        "<p>Topic: {{ fields.topic }}</p><p>{{ event.comment }}</p>\n",
    );
    ws.run("root", &["deploy"]).ok();
    ws
}

fn answered_notice(ws: &Workspace, topic: &str, customer: &str) -> String {
    let id = ws.open(
        "alice",
        "notice",
        &[
            &format!("topic={topic}"),
            &format!("customer_email={customer}"),
        ],
    );
    ws.run(
        "felix",
        &["act", &id, "answer", "--comment", "Done <b>today</b>"],
    )
    .ok();
    id
}

/// alice claims, maria rejects with reasons.
fn rejected_expense(ws: &Workspace, lines: &str, reason: &str) -> String {
    let id = ws.open(
        "alice",
        "expense-reimbursement",
        &["kind=reimbursement", &format!("lines={lines}")],
    );
    ws.run("maria", &["reject", &id, "--reason", reason]).ok();
    id
}

fn list(ws: &Workspace, flag: &str) -> Vec<serde_json::Value> {
    let mut args = vec!["notify", "list", "--json"];
    if !flag.is_empty() {
        args.push(flag);
    }
    ws.run("root", &args).ok().json()["notifications"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

#[test]
fn eml_files_are_the_default_and_parse_back() {
    let ws = Workspace::init();
    let id = rejected_expense(&ws, "Taxi: 25.00; Hotel: 180.50", "no receipts <attached>");
    let queued = list(&ws, "");
    assert_eq!(queued.len(), 1);
    assert_eq!(queued[0]["rendered"], true, "rendered when queued");
    assert_eq!(queued[0]["locale"], "en");
    let out = ws.run("root", &["notify", "send"]).ok();
    assert!(
        out.stdout.contains("sent 1, failed 0, dead 0"),
        "{}",
        out.stdout
    );
    let files: Vec<_> = std::fs::read_dir(ws.path().join("outbox"))
        .expect("test setup")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    let m = parse(&std::fs::read(&files[0]).expect("test setup"));
    assert_eq!(m.subject, format!("Your expense claim {id} was rejected"));
    assert_eq!(m.to, vec!["alice@example.com"]);
    assert_eq!(m.message_id, format!("{id}.2.1@caseflow"));
    assert!(
        m.text.contains("Reasons given: no receipts <attached>"),
        "{}",
        m.text
    );
    assert!(m.text.contains("- Hotel: 180.50"), "{}", m.text);
    let html = m.html.expect("an HTML part");
    assert!(html.contains("no receipts &lt;attached&gt;"), "{html}");
    assert_eq!(m.attachments.len(), 1, "the rejection letter");
    assert_eq!(m.attachments[0].0, format!("rejected-{id}.pdf"));
    assert!(m.attachments[0].1.starts_with(b"%PDF"));
    // Sent once: a second run has nothing to do.
    let again = ws.run("root", &["notify", "send"]).ok();
    assert!(again.stdout.contains("sent 0"), "{}", again.stdout);
    assert_eq!(list(&ws, "--sent").len(), 1);
    assert!(list(&ws, "").is_empty());
}

#[test]
fn smtp_delivers_each_recipient_in_their_language() {
    let ws = Workspace::init();
    let org = std::fs::read_to_string(ws.path().join("org.yaml")).expect("test setup");
    let org = org.replace(
        "groups: [staff] }\n  bob:",
        "groups: [staff], locale: es }\n  bob:",
    );
    ws.file("org.yaml", &org);
    let spanish = rejected_expense(&ws, "Taxi: 25.00", "falta el recibo");
    let english = ws.open(
        "bob",
        "expense-reimbursement",
        &["kind=advance", "lines=Hotel: 300.00"],
    );
    ws.run(
        "maria",
        &[
            "act",
            &english,
            "approve_partial",
            "--field",
            "approved_amount=200",
            "--comment",
            "hotel cap is 200",
        ],
    )
    .ok();
    let smtp = Smtp::start();
    let out = run_env(
        &ws,
        T0,
        "root",
        &[("CASEFLOW_SMTP_URL", &smtp.url())],
        &["notify", "send"],
    )
    .ok();
    assert!(out.stdout.contains("sent 2"), "{}", out.stdout);
    let got = smtp.received();
    assert_eq!(got.len(), 2);
    assert_eq!(got[0].to, vec!["alice@example.com"]);
    let es = parse(&got[0].bytes);
    assert_eq!(
        es.subject,
        format!("Su solicitud de gastos {spanish} ha sido rechazada")
    );
    assert!(es.text.contains("Estimado/a Alice Smith"), "{}", es.text);
    assert!(es.text.contains("Motivos: falta el recibo"), "{}", es.text);
    assert!(es.text.contains("María López ha rechazado"), "{}", es.text);
    assert!(es.html.is_none(), "no English HTML beside a Spanish text");
    assert_eq!(got[1].to, vec!["bob@example.com"]);
    let en = parse(&got[1].bytes);
    assert_eq!(
        en.subject,
        format!("Your expense claim {english} was partly approved: 200.00 of 300.00")
    );
    assert!(
        en.text
            .contains("Why the rest was refused: hotel cap is 200"),
        "{}",
        en.text
    );
}

#[test]
fn server_down_loses_nothing_and_delivers_once_later() {
    let ws = Workspace::init();
    let id = rejected_expense(&ws, "Taxi: 25.00", "duplicate claim");
    let port = mail::closed_port();
    let url = format!("smtp://127.0.0.1:{port}");
    let env = [("CASEFLOW_SMTP_URL", url.as_str())];
    let down = run_env(&ws, T0, "root", &env, &["notify", "send"]).fails(69);
    assert!(down.stderr.contains("cannot be reached"), "{}", down.stderr);
    assert!(down.stderr.contains("nothing was lost"), "{}", down.stderr);
    let failed = list(&ws, "--failed");
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0]["attempts"], 1);
    assert_eq!(failed[0]["next_try_at"], "2026-11-30T09:01:00Z", "back-off");
    // Not due yet: nothing is tried.
    let early = run_env(&ws, T0, "root", &env, &["notify", "send"]).ok();
    assert!(early.stdout.contains("sent 0"), "{}", early.stdout);
    let smtp = Smtp::start_on(Some(port));
    run_env(&ws, LATER, "root", &env, &["notify", "send"]).ok();
    run_env(&ws, MUCH_LATER, "root", &env, &["notify", "send"]).ok();
    let got = smtp.received();
    assert_eq!(got.len(), 1, "delivered exactly once");
    assert_eq!(
        parse(&got[0].bytes).message_id,
        format!("{id}.2.1@caseflow")
    );
    let sent = list(&ws, "--sent");
    assert_eq!(sent[0]["attempts"], 2);
}

#[test]
fn a_refused_recipient_does_not_stop_the_others() {
    let ws = notice_workspace();
    let id = answered_notice(&ws, "Meter reading", "refuse-me@example.com");
    let smtp = Smtp::start();
    let env = [("CASEFLOW_SMTP_URL", smtp.url())];
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    run_env(&ws, T0, "root", &env, &["notify", "send"]).ok();
    let got = smtp.received();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].to, vec!["alice@example.com"], "only the cc got it");
    let m = parse(&got[0].bytes);
    assert_eq!(m.to, vec!["refuse-me@example.com"]);
    assert_eq!(m.cc, vec!["alice@example.com"]);
    assert_eq!(m.subject, format!("Re: Meter reading ({id})"));
    let sent = list(&ws, "--sent");
    assert_eq!(sent.len(), 1);
    let error = sent[0]["last_error"].as_str().unwrap_or_default();
    assert!(error.contains("refuse-me@example.com"), "{error}");
    // Nothing is owed any more: a retry run sends nothing twice.
    run_env(&ws, MUCH_LATER, "root", &env, &["notify", "send"]).ok();
    assert_eq!(smtp.received().len(), 1);
}

#[test]
fn a_message_refused_outright_is_dead_and_can_be_retried() {
    let ws = Workspace::init();
    let org = std::fs::read_to_string(ws.path().join("org.yaml")).expect("test setup");
    ws.file(
        "org.yaml",
        &org.replace("alice@example.com", "refuse-alice@example.com"),
    );
    rejected_expense(&ws, "Taxi: 25.00", "no");
    let smtp = Smtp::start();
    let url = smtp.url();
    let env = [("CASEFLOW_SMTP_URL", url.as_str())];
    let out = run_env(&ws, T0, "root", &env, &["notify", "send"]).ok();
    assert!(out.stdout.contains("dead 1"), "{}", out.stdout);
    let dead = list(&ws, "--dead");
    assert_eq!(dead.len(), 1);
    let table = ws.run("root", &["notify", "list", "--dead"]).ok();
    assert!(
        table.stdout.contains("refuse-alice@example.com"),
        "{}",
        table.stdout
    );
    let id = dead[0]["id"].as_i64().expect("test setup").to_string();
    let retried = ws.run("root", &["notify", "retry", &id]).ok();
    assert!(retried.stdout.contains("requeued 1"), "{}", retried.stdout);
    assert_eq!(list(&ws, "").len(), 1);
    ws.run("root", &["notify", "retry", "999"]).fails(66);
}

#[test]
fn kill_9_in_the_middle_of_a_send_loses_nothing() {
    let ws = Workspace::init();
    let id = rejected_expense(&ws, "Taxi: 25.00", "late");
    let smtp = Smtp::start();
    std::fs::write(smtp.path("hang"), "").expect("test setup");
    let url = smtp.url();
    let mut child = mail::command(
        &ws,
        T0,
        "root",
        &[("CASEFLOW_SMTP_URL", &url)],
        &["notify", "send"],
    )
    .stdout(std::process::Stdio::null())
    .stderr(std::process::Stdio::null())
    .spawn()
    .expect("spawn");
    let mut waited = 0;
    while !smtp.path("in-data").exists() {
        assert!(waited < 600, "the send never reached DATA");
        std::thread::sleep(std::time::Duration::from_millis(50));
        waited += 1;
    }
    child.kill().expect("kill -9");
    child.wait().expect("test setup");
    let queued = list(&ws, "");
    assert_eq!(queued.len(), 1, "still queued");
    assert_eq!(queued[0]["status"], "queued");
    std::fs::remove_file(smtp.path("hang")).expect("test setup");
    run_env(
        &ws,
        T0,
        "root",
        &[("CASEFLOW_SMTP_URL", &url)],
        &["notify", "send"],
    )
    .ok();
    let got = smtp.received();
    assert_eq!(got.len(), 1);
    assert_eq!(
        parse(&got[0].bytes).message_id,
        format!("{id}.2.1@caseflow")
    );
    assert!(list(&ws, "").is_empty());
}

#[test]
fn a_field_with_line_breaks_cannot_add_a_header() {
    let ws = notice_workspace();
    let id = answered_notice(
        &ws,
        "Hello\r\nBcc: evil@example.org\r\nX-Evil: 1 <script>",
        "carol@example.com",
    );
    ws.run("root", &["notify", "send"]).ok();
    let file = ws
        .path()
        .join("outbox")
        .join(format!("{id}.2.1@caseflow.eml"));
    let bytes = std::fs::read(&file).expect("test setup");
    let m = parse(&bytes);
    assert_eq!(
        m.subject,
        format!("Re: Hello Bcc: evil@example.org X-Evil: 1 <script> ({id})")
    );
    assert!(
        !m.headers
            .iter()
            .any(|h| h.eq_ignore_ascii_case("bcc") || h == "X-Evil"),
        "{:?}",
        m.headers
    );
    assert_eq!(m.to, vec!["carol@example.com"]);
    let html = m.html.expect("html part");
    assert!(html.contains("&lt;script&gt;"), "{html}");
    assert!(!html.contains("<script>"), "{html}");
}

#[test]
fn a_missing_template_keeps_the_notification_until_it_is_fixed() {
    let ws = Workspace::init();
    let path = ws
        .path()
        .join("templates/expense-reimbursement/rejected.txt");
    let original = std::fs::read_to_string(&path).expect("test setup");
    std::fs::remove_file(&path).expect("test setup");
    let id = ws.open(
        "alice",
        "expense-reimbursement",
        &["kind=advance", "lines=Taxi: 5.00"],
    );
    let run = ws.run("maria", &["reject", &id, "--reason", "no"]).ok();
    assert!(
        run.stderr.contains("stays queued unrendered"),
        "{}",
        run.stderr
    );
    let failed = list(&ws, "--failed");
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0]["rendered"], false);
    let out = ws.run("root", &["notify", "send"]).ok();
    assert!(out.stdout.contains("failed 1"), "{}", out.stdout);
    std::fs::write(&path, original).expect("test setup");
    let out = ws.run_at(MUCH_LATER, "root", &["notify", "send"]).ok();
    assert!(out.stdout.contains("sent 1"), "{}", out.stdout);
    assert_eq!(
        std::fs::read_dir(ws.path().join("outbox"))
            .expect("test setup")
            .count(),
        1
    );
}

#[test]
fn check_reports_template_errors_with_positions() {
    let ws = Workspace::init();
    ws.file(
        "templates/expense-reimbursement/paid.txt",
        "Subject: Paid {{ case.idd }}\n\nDear {{ recipient.name }},\n{{ fields.amout }}\n",
    );
    ws.file(
        "templates/expense-reimbursement/paid.es.txt",
        "Subject: Pagado\n\nHola,\n{% if %}\n",
    );
    let out = ws.run("root", &["check"]).fails(65);
    let f = "templates/expense-reimbursement/paid.txt";
    assert!(
        out.stderr
            .contains(&format!("{f}:1:18: unknown variable `case.idd`")),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains(&format!(
            "{f}:4:4: unknown variable `fields.amout`: process `expense-reimbursement` has no field `amout`; did you mean `amount`?"
        )),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr
            .contains("templates/expense-reimbursement/paid.es.txt:4:7: syntax error"),
        "{}",
        out.stderr
    );
    ws.run("root", &["deploy"]).fails(65);
}

#[test]
fn a_letter_is_a_pdf_whose_text_has_polish_and_russian() {
    let ws = Workspace::init();
    let id = rejected_expense(
        &ws,
        "Taksówka Łódź: 25.00; Гостиница Москва: 180.50",
        "Brak paragonu — нет чека",
    );
    let pdf = ws.path().join("letter.pdf");
    let out = ws
        .run(
            "maria",
            &[
                "letter",
                &id,
                "rejected",
                "--output",
                pdf.to_str().expect("test setup"),
            ],
        )
        .ok();
    assert!(
        out.stdout.contains(&format!("rejected-{id}.pdf attached")),
        "{}",
        out.stdout
    );
    let text = std::process::Command::new("pdftotext")
        .args(["-layout", pdf.to_str().expect("test setup"), "-"])
        .output()
        .expect("pdftotext (poppler-utils, installed by .ci/run)");
    let text = String::from_utf8_lossy(&text.stdout);
    for expected in [
        "Expense advance or reimbursement",
        "Rejection of expense claim",
        "Taksówka Łódź: 25.00",
        "Гостиница Москва: 180.50",
        "Brak paragonu — нет чека",
        "Dear Alice Smith",
        "María López",
        "2026-11-30",
        id.as_str(),
    ] {
        assert!(text.contains(expected), "{expected:?} not in:\n{text}");
    }
    let attachments = ws.show(&id)["attachments"].clone();
    let letter = attachments
        .as_array()
        .expect("test setup")
        .iter()
        .find(|a| a["kind"] == "letter")
        .expect("the letter is attached to the case");
    assert_eq!(letter["name"], format!("rejected-{id}.pdf"));
    ws.run("maria", &["letter", &id, "no_such_letter"])
        .fails(66);
}

#[test]
fn the_demo_writes_eml_files_and_one_pdf_letter() {
    let dir = tempfile::tempdir().expect("test setup");
    let root = dir.path().join("demo");
    let out = common::caseflow()
        .args([
            "--now",
            T0,
            "demo",
            "--dir",
            root.to_str().expect("test setup"),
        ])
        .output()
        .expect("test setup");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let emls: Vec<_> = std::fs::read_dir(root.join("outbox"))
        .expect("test setup")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .collect();
    assert!(emls.len() >= 3, "{emls:?}");
    for eml in &emls {
        let m = parse(&std::fs::read(eml).expect("test setup"));
        assert!(!m.subject.is_empty() && !m.to.is_empty(), "{eml:?}");
    }
    let letters: Vec<_> = std::fs::read_dir(root.join("letters"))
        .expect("test setup")
        .collect();
    assert_eq!(letters.len(), 1);
    let pdf = std::fs::read(letters[0].as_ref().expect("test setup").path()).expect("test setup");
    assert!(pdf.starts_with(b"%PDF"));
}

#[test]
fn after_eight_failed_attempts_a_row_is_dead_and_shown() {
    let ws = Workspace::init();
    rejected_expense(&ws, "Taxi: 25.00", "no");
    let url = format!("smtp://127.0.0.1:{}", mail::closed_port());
    let env = [("CASEFLOW_SMTP_URL", url.as_str())];
    for day in 1..=8 {
        let now = format!("2026-12-{day:02}T09:00:00Z");
        let run = run_env(&ws, &now, "root", &env, &["notify", "send"]);
        assert_eq!(run.code, 69, "day {day}: {}", run.stdout);
        let expected = if day < 8 { "failed" } else { "dead" };
        assert!(run.stdout.contains(expected), "day {day}: {}", run.stdout);
    }
    assert!(list(&ws, "").is_empty(), "nothing left queued");
    let dead = list(&ws, "--dead");
    assert_eq!(dead.len(), 1);
    assert_eq!(dead[0]["attempts"], 8);
    let error = dead[0]["last_error"].as_str().unwrap_or_default();
    assert!(error.contains("Connection refused"), "{error}");
    // Retrying brings it back, due now.
    ws.run("root", &["notify", "retry", "--all"]).ok();
    assert_eq!(list(&ws, "")[0]["attempts"], 0);
}
