//! A case's state, and the changes that build it. State is only ever changed by applying a
//! [`Change`]; every change is recorded in an event, so replaying a case's events rebuilds it.

use std::collections::BTreeMap;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::definition::Definition;
use crate::value::Value;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Open,
    Closed,
}

#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, clap::ValueEnum,
)]
#[serde(rename_all = "lowercase")]
pub enum Priority {
    Low,
    Normal,
    High,
    Urgent,
}

impl Priority {
    pub fn raised(self) -> Priority {
        match self {
            Priority::Low => Priority::Normal,
            Priority::Normal => Priority::High,
            Priority::High | Priority::Urgent => Priority::Urgent,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Priority::Low => "low",
            Priority::Normal => "normal",
            Priority::High => "high",
            Priority::Urgent => "urgent",
        }
    }
}

/// Who a task waits for.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Assignee {
    Person(String),
    Group(String),
}

impl Assignee {
    pub fn name(&self) -> &str {
        match self {
            Assignee::Person(p) => p,
            Assignee::Group(g) => g,
        }
    }

    /// `maria` for a person, `@finance` for a group.
    pub fn label(&self) -> String {
        match self {
            Assignee::Person(p) => p.clone(),
            Assignee::Group(g) => format!("@{g}"),
        }
    }
}

/// An open work item: one per active step (one per branch in a parallel split).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Task {
    pub id: u32,
    pub step: String,
    pub assignee: Assignee,
    /// Parallel steps this task is inside, outermost first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub joins: Vec<String>,
    pub entered_at: Timestamp,
    #[serde(default)]
    pub escalated: bool,
    /// The step's SLA clock.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sla: Option<Clock>,
    /// `wait:` on a task step: its actions are refused before this.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ready_at: Option<Timestamp>,
    /// When the case leaves the step by itself: a `timeout`, or the end of an automatic
    /// step's `wait` (such a task is held by the system, not a person).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wake_at: Option<Timestamp>,
    /// The step's reminder ladder.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reminders: Option<Reminders>,
}

/// An SLA clock: when it warns and falls due, in which calendar, and what already fired.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Clock {
    pub calendar: String,
    /// Counted in business time (a pause then extends it by the paused business time).
    pub business: bool,
    pub due_at: Timestamp,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub warn_at: Option<Timestamp>,
    #[serde(default)]
    pub warned: bool,
    #[serde(default)]
    pub breached: bool,
    /// Stopped (waiting on the customer) since then.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paused_since: Option<Timestamp>,
}

/// How far a reminder ladder has come: reminders sent, and when the next rung is due
/// (a reminder while `sent < times`, then the `then:` handlers).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reminders {
    pub calendar: String,
    pub sent: u32,
    pub next_at: Timestamp,
}

/// What a timer does when it fires.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TimerKind {
    SlaWarn,
    SlaBreach,
    Wake,
    Remind,
}

impl TimerKind {
    pub fn as_str(self) -> &'static str {
        match self {
            TimerKind::SlaWarn => "sla_warn",
            TimerKind::SlaBreach => "sla_breach",
            TimerKind::Wake => "wake",
            TimerKind::Remind => "remind",
        }
    }

    pub fn parse(text: &str) -> Option<TimerKind> {
        [
            TimerKind::SlaWarn,
            TimerKind::SlaBreach,
            TimerKind::Wake,
            TimerKind::Remind,
        ]
        .into_iter()
        .find(|k| k.as_str() == text)
    }
}

/// Something that fires at a time: on a task (`None`: the case's own SLA).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Timer {
    pub task: Option<u32>,
    pub kind: TimerKind,
    pub at: Timestamp,
}

impl Clock {
    /// The clock's pending timers (none while paused).
    fn timers(&self, task: Option<u32>) -> Vec<Timer> {
        let mut out = Vec::new();
        if self.paused_since.is_some() || self.breached {
            return out;
        }
        if let Some(warn) = self.warn_at.filter(|w| !self.warned && *w < self.due_at) {
            out.push(Timer {
                task,
                kind: TimerKind::SlaWarn,
                at: warn,
            });
        }
        out.push(Timer {
            task,
            kind: TimerKind::SlaBreach,
            at: self.due_at,
        });
        out
    }
}

/// Work handed to someone beside the case's steps. A sub-task must be done before its step
/// can move on; a consultation asks a colleague, and the answer returns to the asker.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SideTask {
    pub id: u32,
    pub kind: SideKind,
    /// The step it was opened from (a sub-task holds this step back).
    pub step: String,
    pub text: String,
    pub assignee: Assignee,
    pub asked_by: String,
    pub opened_at: Timestamp,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SideKind {
    Subtask,
    Consultation,
}

impl SideKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SideKind::Subtask => "subtask",
            SideKind::Consultation => "consultation",
        }
    }
}

/// What is known of an attachment in the case (its bytes live in the store).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attachment {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    pub sha256: String,
    pub size: u64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseState {
    pub id: String,
    pub process: String,
    pub version: i64,
    pub status: Status,
    pub outcome: Option<String>,
    pub priority: Priority,
    pub fields: BTreeMap<String, Value>,
    pub tasks: Vec<Task>,
    pub next_task: u32,
    pub attachments: Vec<Attachment>,
    pub opened_by: String,
    pub opened_at: Timestamp,
    pub closed_at: Option<Timestamp>,
    pub external_ref: Option<String>,
    /// Open sub-tasks and consultations.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub side_tasks: Vec<SideTask>,
    /// The case's own SLA clock (the process's `sla:`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sla: Option<Clock>,
}

/// One atomic change to a case. Events carry lists of these.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "change")]
pub enum Change {
    Opened {
        id: String,
        process: String,
        version: i64,
        opened_by: String,
        external_ref: Option<String>,
    },
    Field {
        name: String,
        before: Option<Value>,
        after: Option<Value>,
    },
    TaskOpened {
        task: Task,
    },
    TaskClosed {
        task: u32,
        step: String,
    },
    TaskAssigned {
        task: u32,
        before: Assignee,
        after: Assignee,
    },
    TaskEscalated {
        task: u32,
    },
    Priority {
        before: Priority,
        after: Priority,
    },
    Attached {
        attachment: Attachment,
    },
    Closed {
        outcome: String,
    },
    SideTaskOpened {
        side: SideTask,
    },
    /// Done, answered, or closed with the case.
    SideTaskClosed {
        id: u32,
    },
    /// An SLA clock warned, breached, paused or resumed (`task: None`: the case's own).
    Clock {
        task: Option<u32>,
        after: Option<Clock>,
    },
    /// A reminder ladder moved on (`after: None`: it is done).
    Reminders {
        task: u32,
        after: Option<Reminders>,
    },
}

impl CaseState {
    /// The empty state that an `Opened` change fills in.
    pub fn blank(at: Timestamp) -> CaseState {
        CaseState {
            id: String::new(),
            process: String::new(),
            version: 0,
            status: Status::Open,
            outcome: None,
            priority: Priority::Normal,
            fields: BTreeMap::new(),
            tasks: Vec::new(),
            next_task: 1,
            attachments: Vec::new(),
            opened_by: String::new(),
            opened_at: at,
            closed_at: None,
            external_ref: None,
            side_tasks: Vec::new(),
            sla: None,
        }
    }

    /// Apply one change made at `at`.
    pub fn apply(&mut self, change: &Change, at: Timestamp) {
        match change {
            Change::Opened {
                id,
                process,
                version,
                opened_by,
                external_ref,
            } => {
                self.id = id.clone();
                self.process = process.clone();
                self.version = *version;
                self.opened_by = opened_by.clone();
                self.opened_at = at;
                self.external_ref = external_ref.clone();
            }
            Change::Field { name, after, .. } => match after {
                Some(value) => {
                    self.fields.insert(name.clone(), value.clone());
                }
                None => {
                    self.fields.remove(name);
                }
            },
            Change::TaskOpened { task } => {
                self.next_task = self.next_task.max(task.id + 1);
                self.tasks.push(task.clone());
            }
            Change::TaskClosed { task, .. } => self.tasks.retain(|t| t.id != *task),
            Change::TaskAssigned { task, after, .. } => {
                if let Some(t) = self.tasks.iter_mut().find(|t| t.id == *task) {
                    t.assignee = after.clone();
                }
            }
            Change::TaskEscalated { task } => {
                if let Some(t) = self.tasks.iter_mut().find(|t| t.id == *task) {
                    t.escalated = true;
                }
            }
            Change::Priority { after, .. } => self.priority = *after,
            Change::Attached { attachment } => self.attachments.push(attachment.clone()),
            Change::SideTaskOpened { side } => {
                self.next_task = self.next_task.max(side.id + 1);
                self.side_tasks.push(side.clone());
            }
            Change::SideTaskClosed { id } => self.side_tasks.retain(|s| s.id != *id),
            Change::Clock { task: None, after } => self.sla = after.clone(),
            Change::Clock {
                task: Some(id),
                after,
            } => {
                if let Some(t) = self.tasks.iter_mut().find(|t| t.id == *id) {
                    t.sla = after.clone();
                }
            }
            Change::Reminders { task, after } => {
                if let Some(t) = self.tasks.iter_mut().find(|t| t.id == *task) {
                    t.reminders = after.clone();
                }
            }
            Change::Closed { outcome } => {
                self.status = Status::Closed;
                self.outcome = Some(outcome.clone());
                self.closed_at = Some(at);
            }
        }
    }

    pub fn is_open(&self) -> bool {
        self.status == Status::Open
    }

    /// Steps with an open task, in task order.
    pub fn active_steps(&self) -> Vec<String> {
        self.tasks.iter().map(|t| t.step.clone()).collect()
    }

    pub fn task(&self, id: u32) -> Option<&Task> {
        self.tasks.iter().find(|t| t.id == id)
    }

    /// Everything that will fire by itself, earliest first: SLA warnings and breaches,
    /// waits and timeouts, reminders. Empty for a closed case. The store indexes these.
    pub fn timers(&self) -> Vec<Timer> {
        if !self.is_open() {
            return Vec::new();
        }
        let mut out: Vec<Timer> = self
            .sla
            .as_ref()
            .map(|c| c.timers(None))
            .unwrap_or_default();
        for task in &self.tasks {
            if let Some(clock) = &task.sla {
                out.extend(clock.timers(Some(task.id)));
            }
            if let Some(at) = task.wake_at {
                out.push(Timer {
                    task: Some(task.id),
                    kind: TimerKind::Wake,
                    at,
                });
            }
            if let Some(r) = &task.reminders {
                out.push(Timer {
                    task: Some(task.id),
                    kind: TimerKind::Remind,
                    at: r.next_at,
                });
            }
        }
        // The order `tick` fires them in: by time, then task (the case's own first), then name.
        out.sort_by_key(|t| (t.at, t.task, t.kind.as_str()));
        out
    }

    /// Field values typed by the definition (a stored case comes back from JSON untyped).
    pub fn retype(&mut self, def: &Definition) {
        for field in &def.fields {
            if let Some(value) = self.fields.get_mut(&field.name) {
                if let Ok(typed) = Value::from_json(&field.ty, &value.to_json()) {
                    *value = typed;
                }
            }
        }
    }
}

impl Serialize for Value {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.to_json().serialize(serializer)
    }
}

/// Untyped on the way back in: a stored case is retyped with its definition.
impl<'de> Deserialize<'de> for Value {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use crate::value::FieldType;
        let json = serde_json::Value::deserialize(deserializer)?;
        let ty = match &json {
            serde_json::Value::Number(_) => FieldType::Integer,
            serde_json::Value::Bool(_) => FieldType::Bool,
            serde_json::Value::Array(items) if items.iter().any(|i| i.is_object()) => {
                FieldType::Lines
            }
            serde_json::Value::Array(_) => FieldType::List,
            _ => FieldType::Text,
        };
        Ok(Value::from_json(&ty, &json).unwrap_or_else(|_| Value::Text(json.to_string())))
    }
}
