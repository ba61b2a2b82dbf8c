//! The engine: pure decisions. Given a definition, the org, a case, a command, an actor and
//! the time, it returns the new case, the events to append and the notifications to queue,
//! or a typed [`Refusal`]. No SQL, no clock, no I/O: everything arrives as arguments.

mod authority;
mod refusal;
mod run;
pub mod scope;
pub mod state;

use std::collections::BTreeMap;

use jiff::Timestamp;
use serde::Serialize;

pub use authority::{holds, offered_actions, Offer};
pub use refusal::Refusal;
pub use state::{
    Assignee, Attachment, CaseState, Change, Clock, Priority, Reminders, SideKind, SideTask,
    Status, Task, Timer, TimerKind,
};

use crate::definition::Definition;
use crate::org::Org;
use crate::value::Value;

/// The attachment kind of letters caseflow generates (`caseflow letter`): always accepted,
/// even on a closed case.
pub const LETTER_KIND: &str = "letter";

/// The actor recorded for what the engine does by itself (automatic escalation, ...).
pub const SYSTEM: &str = "caseflow";

/// Everything a decision depends on besides the case and the command.
#[derive(Clone, Copy)]
pub struct Ctx<'a> {
    pub def: &'a Definition,
    pub version: i64,
    pub org: &'a Org,
    pub actor: &'a str,
    pub now: Timestamp,
    /// Where the command came from when not typed by a person (e.g. "import cases.xlsx row 7").
    pub source: Option<&'a str>,
    /// What the store knows that a decision may need, read in the same transaction.
    pub facts: &'a Facts,
}

/// Facts from beyond the case, read by the store before deciding: the engine stays pure
/// and the store writes back what the decision used.
#[derive(Clone, Debug, Default)]
pub struct Facts {
    /// The last number given by each sequence key the definition may use.
    pub sequences: BTreeMap<String, i64>,
    /// Open tasks per person, for least-loaded assignment.
    pub workload: BTreeMap<String, usize>,
}

impl Facts {
    /// No sequences used yet and nobody busy: for tests and fresh workspaces.
    pub fn none() -> &'static Facts {
        static NONE: std::sync::OnceLock<Facts> = std::sync::OnceLock::new();
        NONE.get_or_init(Facts::default)
    }
}

/// A file being attached; the store keeps its bytes.
#[derive(Clone, Debug)]
pub struct NewAttachment {
    pub kind: Option<String>,
    pub name: String,
    pub sha256: String,
    pub size: u64,
}

/// What an operator asks of an open case.
#[derive(Clone, Debug)]
pub enum Command {
    Act {
        action: String,
        step: Option<String>,
        fields: Vec<(String, Value)>,
        comment: Option<String>,
        attachments: Vec<NewAttachment>,
    },
    Assign {
        to: String,
        step: Option<String>,
        comment: Option<String>,
    },
    Escalate {
        to: Option<String>,
        step: Option<String>,
        reason: Option<String>,
    },
    Comment {
        text: String,
    },
    Attach {
        attachment: NewAttachment,
        comment: Option<String>,
    },
    Set {
        fields: Vec<(String, Value)>,
        comment: Option<String>,
    },
    /// Hand part of the work to someone (`subtask`) or ask a colleague (`consult`).
    Delegate {
        kind: SideKind,
        to: String,
        text: String,
        step: Option<String>,
    },
    /// Finish a sub-task or answer a consultation (`id` when the actor has several).
    Finish {
        id: Option<u32>,
        comment: Option<String>,
    },
}

/// What opening a case needs besides its id.
#[derive(Clone, Debug, Default)]
pub struct Opening {
    pub fields: Vec<(String, Value)>,
    pub priority: Option<Priority>,
    pub external_ref: Option<String>,
    pub attachments: Vec<NewAttachment>,
    pub comment: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    Opened,
    Acted,
    Assigned,
    Escalated,
    Commented,
    Attached,
    FieldsSet,
    Subtask,
    SubtaskDone,
    Consultation,
    Answered,
    /// The case moved by itself: a waiting step's condition came true.
    Resumed,
    /// An SLA reached its warning time.
    SlaWarned,
    /// An SLA's due time passed.
    SlaBreached,
    /// A reminder went out (or, after the last one, the ladder's `then:` ran).
    Reminded,
    /// A step's `timeout` passed and the case left it.
    TimedOut,
    /// An automatic step's `wait` ended and the case moved on.
    Waited,
}

impl EventKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Opened => "opened",
            EventKind::Acted => "acted",
            EventKind::Assigned => "assigned",
            EventKind::Escalated => "escalated",
            EventKind::Commented => "commented",
            EventKind::Attached => "attached",
            EventKind::FieldsSet => "fields_set",
            EventKind::Subtask => "subtask",
            EventKind::SubtaskDone => "subtask_done",
            EventKind::Consultation => "consultation",
            EventKind::Answered => "answered",
            EventKind::Resumed => "resumed",
            EventKind::SlaWarned => "sla_warned",
            EventKind::SlaBreached => "sla_breached",
            EventKind::Reminded => "reminded",
            EventKind::TimedOut => "timed_out",
            EventKind::Waited => "waited",
        }
    }
}

/// One entry of a case's append-only history.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Event {
    pub at: Timestamp,
    pub actor: String,
    pub kind: EventKind,
    pub action: Option<String>,
    pub from_steps: Vec<String>,
    pub to_steps: Vec<String>,
    pub comment: Option<String>,
    /// Why this happened when it is not obvious: "as admin", "automatic: amount > 5000", the import row.
    pub note: Option<String>,
    pub changes: Vec<Change>,
}

/// Somebody to tell something.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Recipient {
    /// The org.yaml person, when the recipient is one.
    pub person: Option<String>,
    pub address: Option<String>,
}

/// A notification to queue in the outbox, in the same transaction as the change.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Notification {
    pub template: String,
    pub to: Vec<Recipient>,
    pub cc: Vec<Recipient>,
}

/// The engine's answer when it agrees.
#[derive(Clone, Debug)]
pub struct Decision {
    pub case: CaseState,
    pub events: Vec<Event>,
    pub notifications: Vec<Notification>,
    /// Sequence keys whose last number this decision moved on, with the new last number.
    pub sequences: BTreeMap<String, i64>,
}

/// Open a new case with id `id` (the store hands out ids).
pub fn open(ctx: &Ctx, id: &str, opening: Opening) -> Result<Decision, Refusal> {
    run::open(ctx, id, opening)
}

/// Apply a command to an existing case.
pub fn decide(ctx: &Ctx, case: &CaseState, command: Command) -> Result<Decision, Refusal> {
    run::decide(ctx, case, command)
}

/// Fire a timer of the case that is due at `ctx.now` (an SLA warning or breach, a wait or
/// timeout, a reminder), as the system. Refused with [`Refusal::NotDue`] when the case no
/// longer has that timer or it is not due yet: whoever fired it first already did.
pub fn fire(ctx: &Ctx, case: &CaseState, timer: &Timer) -> Result<Decision, Refusal> {
    run::fire(ctx, case, timer)
}

/// Whether firing `timer` may need [`Facts`] (it may enter a step or resolve a role);
/// when not, the caller may pass [`Facts::none`] and skip reading them.
pub fn fire_needs_facts(def: &Definition, case: &CaseState, timer: &Timer) -> bool {
    run::needs_facts(def, case, timer)
}

/// Rebuild a case from its events alone.
pub fn replay(events: &[Event]) -> CaseState {
    let mut case = CaseState::blank(
        events
            .first()
            .map(|e| e.at)
            .unwrap_or(Timestamp::UNIX_EPOCH),
    );
    for event in events {
        for change in &event.changes {
            case.apply(change, event.at);
        }
    }
    case
}
