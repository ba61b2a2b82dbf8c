//! Any text as a mail template, rendered with any text as a field value: a mail whose subject
//! is one line, or a positioned template error; never a panic or hang (renders are fuelled).
//! The input is `TEMPLATE \x1f FIELD VALUE`.
#![no_main]

use caseflow::definition::{self, Definition};
use caseflow::engine::CaseState;
use caseflow::notify::{Job, NotifyError, Reader, Templates};
use caseflow::org::Org;
use caseflow::value::Value;
use libfuzzer_sys::fuzz_target;

const DEFINITION: &str = "process: p\ntitle: P\nid_prefix: P\nfields:\n  amount: { type: money }\n  note: { type: text }\nroles:\n  boss: { group: managers }\nstart: review\nsteps:\n  review:\n    assignee: boss\n    actions:\n      approve: { to: done }\n  done: { end: approved }\n";

thread_local! {
    static DEF: Definition = definition::load("p.yaml", DEFINITION, None).expect("definition");
}

fuzz_target!(|data: &[u8]| DEF.with(|def| render(def, data)));

fn render(def: &Definition, data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (source, note) = text.split_once('\x1f').unwrap_or((text, "a note"));
    let org = Org::default();
    let templates = Templates::from_pairs([("p/x.txt", source), ("p/x.html", source)]);
    let mut case = CaseState::blank("2026-11-30T09:00:00Z".parse().expect("time"));
    case.id = "P-2026-0001".into();
    case.process = "p".into();
    case.fields.insert("note".into(), Value::Text(note.into()));
    case.fields.insert(
        "amount".into(),
        Value::Money("12.50".parse().expect("money")),
    );
    let reader = Reader {
        name: note.into(),
        email: None,
        locale: "en".into(),
    };
    let job = Job {
        templates: &templates,
        def,
        org: &org,
        case: &case,
        history: &[],
        event_seq: None,
        reader: &reader,
        dated: None,
    };
    match job.mail("x") {
        Ok(mail) => assert!(!mail.subject.chars().any(char::is_control)),
        Err(NotifyError::Template(_)) => {}
        Err(other) => panic!("untyped error: {other}"),
    }
}
