//! Process definitions: the typed, validated form of a `processes/*.yaml` file.
//!
//! [`load`] turns YAML text into a [`Definition`] or into *every* problem found, each with
//! `file:line:column`. The engine only ever sees validated definitions, so it never has to
//! wonder whether a step named in `to:` exists.

pub mod duration;
pub mod expr;
pub mod graph;
pub mod instalments;
mod load;
pub mod sequence;
pub mod timing;
pub mod yaml;

use std::collections::BTreeMap;

pub use duration::{Sla, Span, WarnAt};
pub use expr::Expr;
pub use instalments::{Frequency, Instalments};
pub use load::load;
pub use sequence::Sequence;
pub use timing::{CalendarPick, Remind, Timeout, Timing};
pub use yaml::{Diagnostic, Pos};

use crate::value::{FieldType, Value};

/// A validated process definition (one deployed version of it).
#[derive(Debug, Clone)]
pub struct Definition {
    pub name: String,
    pub title: String,
    pub description: Option<String>,
    pub id_prefix: String,
    /// Fields in the order they were declared.
    pub fields: Vec<Field>,
    pub roles: BTreeMap<String, Role>,
    pub documents: BTreeMap<String, Document>,
    pub constants: BTreeMap<String, Value>,
    pub start: String,
    /// Steps in the order they were declared.
    pub steps: Vec<Step>,
    /// Actions any open case offers, whatever its step (e.g. the customer withdraws).
    pub anytime: Vec<Action>,
    /// Numbering sequences (incoming and outgoing register numbers), by name.
    pub sequences: BTreeMap<String, Sequence>,
    /// The case's own SLA, running from opening to closing across steps.
    pub sla: Option<Sla>,
    /// The business calendar the process's times are counted in (else org.yaml's default).
    pub calendar: Option<CalendarPick>,
}

#[derive(Debug, Clone)]
pub struct Field {
    pub name: String,
    pub ty: FieldType,
    pub required: bool,
    pub default: Option<Value>,
    pub title: Option<String>,
    pub help: Option<String>,
    /// A money field computed as the total of a `lines` field.
    pub sum_of: Option<String>,
    /// A field computed from other fields whenever they change.
    pub compute: Option<Expr>,
    /// A text field's values must match this regular expression (phone numbers, postcodes).
    pub pattern: Option<Pattern>,
    /// A `lines` field computed as an instalment schedule.
    pub instalments: Option<Instalments>,
}

/// A compiled `pattern:` and the text it was written as.
#[derive(Debug, Clone)]
pub struct Pattern {
    pub source: String,
    pub regex: regex::Regex,
}

/// Who a role is, resolved against the case and org.yaml when a task is created.
#[derive(Debug, Clone, PartialEq)]
pub enum Role {
    Opener,
    SupervisorOf(String),
    Group(String),
    Person(String),
    /// A person-valued field of the case.
    Field(String),
    /// An e-mail-valued field of the case (the customer): a recipient, never an actor.
    Email(String),
    /// The member of a group with the fewest open tasks (ties: the first by id).
    LeastLoaded(String),
    /// The first role whose condition holds when the task is created, else `otherwise`.
    Choose {
        routes: Vec<(Expr, String)>,
        otherwise: String,
    },
}

#[derive(Debug, Clone)]
pub struct Document {
    pub title: String,
    /// Always on the case's checklist.
    pub required: bool,
    /// On the checklist when this condition holds (a dynamic checklist).
    pub required_when: Option<Expr>,
}

#[derive(Debug, Clone)]
pub struct Step {
    pub name: String,
    pub title: Option<String>,
    pub kind: StepKind,
    /// Roles that may never act on this step (separation of duties).
    pub not: Vec<String>,
    /// Escalate automatically on entry when true.
    pub escalate_when: Option<Expr>,
    pub sla: Option<Sla>,
    /// A date or datetime field: the step's actions are refused before it.
    pub wait_until: Option<String>,
    /// The case leaves this task step by itself once a condition holds (documents arrived).
    pub wait_for: Option<WaitFor>,
    /// Calendar, waits, timeout, reminders, `waiting: customer`.
    pub timing: Timing,
}

/// `wait_for: { when: size(missing_documents) == 0, to: review }`
#[derive(Debug, Clone)]
pub struct WaitFor {
    pub when: Expr,
    pub to: String,
}

#[derive(Debug, Clone)]
pub enum StepKind {
    Task {
        assignee: String,
        actions: Vec<Action>,
    },
    Decision {
        routes: Vec<(Expr, String)>,
        otherwise: String,
    },
    Automatic {
        set: Vec<Assignment>,
        notify: Vec<Notify>,
        to: String,
        /// Text fields numbered from sequences on entry: (field, sequence).
        number: Vec<(String, String)>,
    },
    Parallel {
        branches: Vec<String>,
        then: String,
    },
    End {
        outcome: String,
        notify: Vec<Notify>,
    },
}

#[derive(Debug, Clone)]
pub struct Action {
    pub name: String,
    pub title: Option<String>,
    /// None: stay on the step (or, inside a parallel branch, finish the branch).
    pub to: Option<String>,
    pub requires: Vec<Requirement>,
    pub set: Vec<Assignment>,
    pub notify: Vec<Notify>,
    pub check: Option<Check>,
    /// Who may take the action instead of the step's assignee (anytime actions: default the opener).
    pub by: Option<String>,
    /// Text fields that get the next number of a sequence, if they have none yet: (field, sequence).
    pub number: Vec<(String, String)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Requirement {
    Field(String),
    Comment,
    Document(String),
    /// Every document on the case's checklist is attached.
    Checklist,
}

#[derive(Debug, Clone)]
pub struct Assignment {
    pub field: String,
    pub value: SetValue,
}

#[derive(Debug, Clone)]
pub enum SetValue {
    Literal(Value),
    Expr(Expr),
}

#[derive(Debug, Clone)]
pub struct Check {
    pub that: Expr,
    pub message: String,
}

/// A notification to queue: a role (or e-mail field) and a template name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notify {
    pub to: String,
    pub template: String,
    pub cc: Vec<String>,
}

impl Definition {
    pub fn step(&self, name: &str) -> Option<&Step> {
        self.steps.iter().find(|s| s.name == name)
    }

    pub fn field(&self, name: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.name == name)
    }

    pub fn field_names(&self) -> Vec<&str> {
        self.fields.iter().map(|f| f.name.as_str()).collect()
    }

    /// The actions a task step offers, plus the process's anytime actions.
    pub fn actions_of(&self, step: &str) -> Vec<&Action> {
        let own = match self.step(step).map(|s| &s.kind) {
            Some(StepKind::Task { actions, .. }) => actions.iter().collect(),
            _ => Vec::new(),
        };
        own.into_iter().chain(self.anytime.iter()).collect()
    }

    /// The document kinds the case must have now (`required`, or `required_when` holds),
    /// given the values the conditions see.
    pub fn checklist(&self, fields: &BTreeMap<String, Value>) -> Vec<&str> {
        let declared = self.expression_names();
        self.documents
            .iter()
            .filter(|(_, doc)| {
                doc.required
                    || doc.required_when.as_ref().is_some_and(|expr| {
                        matches!(
                            expr.eval(&declared, fields, &self.constants),
                            Ok(cel::Value::Bool(true))
                        )
                    })
            })
            .map(|(kind, _)| kind.as_str())
            .collect()
    }

    /// The names expressions may use besides constants: the fields and the built-in variables.
    pub fn expression_names(&self) -> Vec<&str> {
        let mut names = self.field_names();
        names.extend_from_slice(expr::BUILTINS);
        names
    }

    /// Every outcome an end step can give, in declaration order.
    pub fn outcomes(&self) -> Vec<&str> {
        let mut outcomes: Vec<&str> = Vec::new();
        for step in &self.steps {
            if let StepKind::End { outcome, .. } = &step.kind {
                if !outcomes.contains(&outcome.as_str()) {
                    outcomes.push(outcome);
                }
            }
        }
        outcomes
    }
}
