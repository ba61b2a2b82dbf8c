//! Carrying out one command: a working copy of the case that is only changed through
//! [`Change`]s (so the events always explain the state), plus the flow rules: entering a
//! step, automatic and decision steps, parallel split and join, end steps, escalation.

use super::authority::{self, Standing};
use std::collections::BTreeMap;

use super::state::{Assignee, Attachment, CaseState, Change, SideKind, SideTask, Task};
use super::{
    Command, Ctx, Decision, Event, EventKind, NewAttachment, Notification, Opening, Recipient,
    Refusal, SYSTEM,
};
use crate::definition::{Action, Notify, Requirement, Role, SetValue, StepKind};
use crate::value::Value;

mod timers;

pub(super) use timers::{fire, needs_facts};

/// How many automatic steps one command may pass through before we call it a loop.
const MAX_AUTOMATIC_STEPS: usize = 256;

struct Run<'c, 'a> {
    ctx: &'c Ctx<'a>,
    case: CaseState,
    events: Vec<Event>,
    current: Event,
    notifications: Vec<Notification>,
    automatic_steps: usize,
    /// Sequence keys numbered from in this command, with their new last number.
    sequences: BTreeMap<String, i64>,
}

impl<'c, 'a> Run<'c, 'a> {
    fn new(ctx: &'c Ctx<'a>, case: CaseState, kind: EventKind) -> Self {
        let current = Event {
            at: ctx.now,
            actor: ctx.actor.to_string(),
            kind,
            action: None,
            from_steps: case.active_steps(),
            to_steps: Vec::new(),
            comment: None,
            note: ctx.source.map(String::from),
            changes: Vec::new(),
        };
        Run {
            ctx,
            case,
            events: Vec::new(),
            current,
            notifications: Vec::new(),
            automatic_steps: 0,
            sequences: BTreeMap::new(),
        }
    }

    fn refusal_case(&self) -> String {
        self.case.id.clone()
    }

    fn change(&mut self, change: Change) {
        self.case.apply(&change, self.ctx.now);
        self.current.changes.push(change);
    }

    /// Close the event being built and start another (e.g. an automatic escalation).
    fn next_event(&mut self, actor: &str, kind: EventKind) {
        let to_steps = self.case.active_steps();
        let mut done = std::mem::replace(
            &mut self.current,
            Event {
                at: self.ctx.now,
                actor: actor.to_string(),
                kind,
                action: None,
                from_steps: to_steps.clone(),
                to_steps: Vec::new(),
                comment: None,
                note: None,
                changes: Vec::new(),
            },
        );
        done.to_steps = to_steps;
        self.events.push(done);
    }

    /// Let waiting steps whose condition now holds move on, then close the last event.
    fn finish(mut self) -> Result<Decision, Refusal> {
        self.resume_waiting()?;
        self.pause_or_resume_clocks()?;
        self.current.to_steps = self.case.active_steps();
        self.events.push(self.current);
        self.events.retain(|e| {
            !e.changes.is_empty()
                || e.comment.is_some()
                || matches!(e.kind, EventKind::Acted | EventKind::Opened)
        });
        Ok(Decision {
            case: self.case,
            events: self.events,
            notifications: self.notifications,
            sequences: self.sequences,
        })
    }

    fn note(&mut self, note: String) {
        self.current.note = Some(match self.current.note.take() {
            Some(existing) => format!("{existing}; {note}"),
            None => note,
        });
    }

    fn standing_note(&mut self, standing: Standing) {
        match standing {
            Standing::Admin => self.note(format!("{} acted as admin", self.ctx.actor)),
            Standing::Supervisor => self.note(format!("{} acted as supervisor", self.ctx.actor)),
            _ => {}
        }
    }

    // ---- fields -------------------------------------------------------------------------

    fn set_field(&mut self, name: &str, value: Option<Value>) {
        let before = self.case.fields.get(name).cloned();
        if before != value {
            self.change(Change::Field {
                name: name.to_string(),
                before,
                after: value,
            });
        }
    }

    /// Apply values given by the actor; unknown and computed fields are refused.
    fn set_given(&mut self, fields: Vec<(String, Value)>) -> Result<(), Refusal> {
        for (name, value) in fields {
            let field = self
                .ctx
                .def
                .field(&name)
                .ok_or_else(|| Refusal::UnknownField {
                    process: self.ctx.def.name.clone(),
                    field: name.clone(),
                    hint: crate::org::suggest(&name, self.ctx.def.fields.iter().map(|f| &f.name)),
                })?;
            if field.sum_of.is_some() || field.compute.is_some() || field.instalments.is_some() {
                return Err(Refusal::Computed { field: name });
            }
            if let (Some(pattern), Value::Text(text)) = (&field.pattern, &value) {
                if !pattern.regex.is_match(text) {
                    return Err(Refusal::PatternMismatch {
                        field: name,
                        given: text.clone(),
                        pattern: pattern.source.clone(),
                        help: field
                            .help
                            .as_ref()
                            .map(|h| format!(" ({h})"))
                            .unwrap_or_default(),
                    });
                }
            }
            if field.ty == crate::value::FieldType::Person {
                if let Value::Text(p) = &value {
                    if self.ctx.org.person(p).is_none() {
                        return Err(Refusal::unknown_person(self.ctx.org, p));
                    }
                }
            }
            self.set_field(&name, Some(value));
        }
        self.recompute()
    }

    fn assign(&mut self, set: &[crate::definition::Assignment]) -> Result<(), Refusal> {
        for assignment in set {
            let value = match &assignment.value {
                SetValue::Literal(v) => v.clone(),
                SetValue::Expr(expr) => self.eval_value(expr, &assignment.field)?,
            };
            self.set_field(&assignment.field, Some(value));
        }
        self.recompute()
    }

    fn eval_value(&self, expr: &crate::definition::Expr, field: &str) -> Result<Value, Refusal> {
        let ty = self
            .ctx
            .def
            .field(field)
            .map(|f| f.ty.clone())
            .unwrap_or(crate::value::FieldType::Text);
        let result = super::scope::eval(self.ctx.def, &self.case, expr).map_err(|message| {
            Refusal::Unresolvable {
                case: self.refusal_case(),
                message,
            }
        })?;
        Value::from_cel(&ty, &result).map_err(|e| Refusal::Unresolvable {
            case: self.refusal_case(),
            message: format!("`{}` for {field}: {e}", expr.source),
        })
    }

    /// Keep `sum_of` and `compute` fields in step with what they are computed from.
    fn recompute(&mut self) -> Result<(), Refusal> {
        for field in &self.ctx.def.fields {
            if let Some(source) = &field.sum_of {
                let total = match self.case.fields.get(source) {
                    Some(Value::Lines(lines)) => {
                        Some(Value::Money(lines.iter().map(|l| l.amount).sum()))
                    }
                    _ => None,
                };
                self.set_field(&field.name, total);
            }
            if let Some(spec) = &field.instalments {
                let schedule = self.schedule(spec)?;
                self.set_field(&field.name, schedule);
            }
        }
        for field in &self.ctx.def.fields {
            if let Some(expr) = &field.compute {
                let value = self.eval_value(expr, &field.name).ok();
                self.set_field(&field.name, value);
            }
        }
        Ok(())
    }

    /// An instalment schedule once every field it needs is set (else unset).
    fn schedule(&self, spec: &crate::definition::Instalments) -> Result<Option<Value>, Refusal> {
        use crate::definition::instalments::{schedule, Every};
        let fields = &self.case.fields;
        let every = match &spec.every {
            crate::definition::Frequency::Fixed(every) => Some(*every),
            crate::definition::Frequency::Field(name) => match fields.get(name) {
                Some(Value::Text(text)) => Every::parse(text),
                _ => None,
            },
        };
        let (
            Some(Value::Money(total)),
            Some(Value::Integer(count)),
            Some(every),
            Some(Value::Date(first)),
        ) = (
            fields.get(&spec.total),
            fields.get(&spec.count),
            every,
            fields.get(&spec.first_due),
        )
        else {
            return Ok(None);
        };
        schedule(*total, *count, every, *first)
            .map(|lines| Some(Value::Lines(lines)))
            .map_err(|message| Refusal::Unresolvable {
                case: self.refusal_case(),
                message: format!("instalment schedule: {message}"),
            })
    }

    fn condition(&self, expr: &crate::definition::Expr) -> Result<bool, Refusal> {
        super::scope::condition(self.ctx.def, &self.case, expr).map_err(|message| {
            Refusal::Unresolvable {
                case: self.refusal_case(),
                message,
            }
        })
    }

    /// Give each `number:` field that has no number yet the next one of its sequence.
    fn number(&mut self, number: &[(String, String)]) {
        let year = crate::time::year_of(self.ctx.now);
        for (field, name) in number {
            if self.case.fields.contains_key(field) {
                continue;
            }
            let Some(sequence) = self.ctx.def.sequences.get(name) else {
                continue;
            };
            let key = sequence.key(year);
            let last = self
                .sequences
                .get(&key)
                .or_else(|| self.ctx.facts.sequences.get(&key))
                .copied()
                .unwrap_or(0);
            self.sequences.insert(key, last + 1);
            self.set_field(field, Some(Value::Text(sequence.render(year, last + 1))));
        }
    }

    /// Waiting steps (`wait_for`) whose condition holds move on by themselves, as the system.
    fn resume_waiting(&mut self) -> Result<(), Refusal> {
        while self.case.is_open() {
            let ready = self.case.tasks.iter().find_map(|task| {
                let wait = self.ctx.def.step(&task.step)?.wait_for.as_ref()?;
                // A condition that cannot be evaluated yet (a field unset) is not met.
                let met = super::scope::condition(self.ctx.def, &self.case, &wait.when).ok()?;
                met.then(|| (task.clone(), wait.clone()))
            });
            let Some((task, wait)) = ready else {
                return Ok(());
            };
            self.next_event(SYSTEM, EventKind::Resumed);
            self.current.note = Some(format!("resumed: {}", wait.when.source));
            self.close_side_tasks(Some(&task.step));
            self.change(Change::TaskClosed {
                task: task.id,
                step: task.step.clone(),
            });
            self.enter(&wait.to, task.joins.clone())?;
        }
        Ok(())
    }

    /// Close the open sub-tasks and consultations of `step` (of every step with `None`).
    fn close_side_tasks(&mut self, step: Option<&str>) {
        let ids: Vec<u32> = self
            .case
            .side_tasks
            .iter()
            .filter(|s| step.is_none_or(|step| s.step == step))
            .map(|s| s.id)
            .collect();
        for id in ids {
            self.change(Change::SideTaskClosed { id });
        }
    }

    /// A task may not move on while sub-tasks opened from its step are open.
    fn subtasks_done(&self, task: &Task) -> Result<(), Refusal> {
        let open: Vec<String> = self
            .case
            .side_tasks
            .iter()
            .filter(|s| s.kind == SideKind::Subtask && s.step == task.step)
            .map(|s| format!("#{} {} ({})", s.id, s.text, s.assignee.label()))
            .collect();
        if open.is_empty() {
            Ok(())
        } else {
            Err(Refusal::OpenSubtasks {
                case: self.refusal_case(),
                step: task.step.clone(),
                open: open.join("; "),
            })
        }
    }

    fn attach(&mut self, attachments: Vec<NewAttachment>) -> Result<(), Refusal> {
        for a in attachments {
            if let Some(kind) = &a.kind {
                if kind != super::LETTER_KIND && !self.ctx.def.documents.contains_key(kind) {
                    let known: Vec<String> = self.ctx.def.documents.keys().cloned().collect();
                    return Err(Refusal::Unresolvable {
                        case: self.refusal_case(),
                        message: format!(
                            "`{kind}` is not a document kind of {} (known: {})",
                            self.ctx.def.name,
                            known.join(", ")
                        ),
                    });
                }
            }
            self.change(Change::Attached {
                attachment: Attachment {
                    name: a.name,
                    kind: a.kind,
                    sha256: a.sha256,
                    size: a.size,
                },
            });
        }
        Ok(())
    }

    // ---- notifications ------------------------------------------------------------------

    fn queue(&mut self, notify: &[Notify], task: Option<&Task>) {
        for n in notify {
            let to = self.recipients(&n.to, task);
            let cc = n.cc.iter().flat_map(|r| self.recipients(r, task)).collect();
            if to.is_empty() {
                // Nobody to write to (an unset e-mail field, an empty group): say so on the
                // event rather than queue a message that can never be delivered.
                self.note(format!(
                    "`{}` not queued: role `{}` has no recipient",
                    n.template, n.to
                ));
                continue;
            }
            self.notifications.push(Notification {
                template: n.template.clone(),
                to,
                cc,
            });
        }
    }

    /// The people behind an assignee (a group: its members), as recipients.
    fn people(&self, assignee: &Assignee) -> Vec<Recipient> {
        let person = |p: &str| Recipient {
            person: Some(p.to_string()),
            address: self.ctx.org.person(p).and_then(|x| x.email.clone()),
        };
        match assignee {
            Assignee::Person(p) => vec![person(p)],
            Assignee::Group(g) => self.ctx.org.members(g).into_iter().map(person).collect(),
        }
    }

    fn recipients(&self, role: &str, task: Option<&Task>) -> Vec<Recipient> {
        match role {
            "assignee" => task.map(|t| self.people(&t.assignee)).unwrap_or_default(),
            "supervisor" => task
                .and_then(|t| match &t.assignee {
                    Assignee::Person(p) => self.ctx.org.supervisor_of(p),
                    Assignee::Group(_) => None,
                })
                .map(|s| self.people(&Assignee::Person(s.to_string())))
                .unwrap_or_default(),
            _ => match self.ctx.def.roles.get(role) {
                Some(Role::Email(field)) => match self.case.fields.get(field) {
                    Some(Value::Text(address)) => vec![Recipient {
                        person: None,
                        address: Some(address.clone()),
                    }],
                    _ => Vec::new(),
                },
                _ => authority::resolve(self.ctx, &self.case, role)
                    .map(|a| self.people(&a))
                    .unwrap_or_default(),
            },
        }
    }

    // ---- flow ---------------------------------------------------------------------------

    /// Enter `step` inside the given parallel joins, running automatic steps until the case
    /// waits on people again (or ends).
    fn enter(&mut self, step_name: &str, joins: Vec<String>) -> Result<(), Refusal> {
        self.automatic_steps += 1;
        if self.automatic_steps > MAX_AUTOMATIC_STEPS {
            return Err(Refusal::Loop {
                process: self.ctx.def.name.clone(),
                step: step_name.to_string(),
            });
        }
        let def = self.ctx.def;
        let step = def.step(step_name).ok_or_else(|| Refusal::Unresolvable {
            case: self.refusal_case(),
            message: format!("unknown step `{step_name}`"),
        })?;
        match &step.kind {
            StepKind::Task { assignee, .. } => self.open_task(step_name, assignee, joins),
            StepKind::Decision { routes, otherwise } => {
                let mut target = otherwise;
                for (condition, to) in routes {
                    if self.condition(condition)? {
                        target = to;
                        break;
                    }
                }
                self.enter(target, joins)
            }
            StepKind::Automatic {
                set,
                notify,
                to,
                number,
            } => {
                self.assign(set)?;
                self.number(number);
                self.queue(notify, None);
                if self.hold(step, &joins) {
                    return Ok(());
                }
                self.enter(to, joins)
            }
            StepKind::Parallel { branches, .. } => {
                for branch in branches {
                    let mut inner = joins.clone();
                    inner.push(step_name.to_string());
                    self.enter(branch, inner)?;
                }
                Ok(())
            }
            StepKind::End { outcome, notify } => {
                let open: Vec<(u32, String)> = self
                    .case
                    .tasks
                    .iter()
                    .map(|t| (t.id, t.step.clone()))
                    .collect();
                for (task, step) in open {
                    self.change(Change::TaskClosed { task, step });
                }
                self.close_side_tasks(None);
                self.change(Change::Closed {
                    outcome: outcome.clone(),
                });
                self.queue(notify, None);
                Ok(())
            }
        }
    }

    fn open_task(&mut self, step: &str, role: &str, joins: Vec<String>) -> Result<(), Refusal> {
        let mut assignee = authority::resolve(self.ctx, &self.case, role)?;
        // Separation of duties at assignment: an excluded person hands the task to their supervisor.
        if let Assignee::Person(p) = &assignee {
            if let Some(excluded_role) = authority::excluded_by(self.ctx, &self.case, step, p) {
                let Some(sup) = self.ctx.org.supervisor_of(p) else {
                    return Err(Refusal::Unresolvable {
                        case: self.refusal_case(),
                        message: format!("{p} may not act on `{step}` (they are the {excluded_role}) and has no supervisor to take it"),
                    });
                };
                self.note(format!(
                    "{p} is the {excluded_role} and may not act on `{step}`; assigned to {sup}"
                ));
                assignee = Assignee::Person(sup.to_string());
            }
        }
        let mut task = Task {
            id: self.case.next_task,
            step: step.to_string(),
            assignee,
            joins,
            entered_at: self.ctx.now,
            escalated: false,
            sla: None,
            ready_at: None,
            wake_at: None,
            reminders: None,
        };
        self.time_task(&mut task);
        let id = task.id;
        self.change(Change::TaskOpened { task });
        let escalate_when = self
            .ctx
            .def
            .step(step)
            .and_then(|s| s.escalate_when.clone());
        if let Some(condition) = escalate_when {
            if self.condition(&condition)? {
                self.next_event(SYSTEM, EventKind::Escalated);
                self.current.note = Some(format!("automatic escalation: {}", condition.source));
                self.escalate(id, None)?;
            }
        }
        Ok(())
    }

    /// Escalate a task: run the step's own `escalate` action if it declares one, else hand
    /// the task to `to` or to the assignee's supervisor.
    fn escalate(&mut self, task_id: u32, to: Option<Assignee>) -> Result<(), Refusal> {
        let task = self
            .case
            .task(task_id)
            .cloned()
            .ok_or_else(|| Refusal::Unresolvable {
                case: self.refusal_case(),
                message: "task vanished".into(),
            })?;
        let declared = self
            .ctx
            .def
            .actions_of(&task.step)
            .into_iter()
            .find(|a| a.name == "escalate")
            .cloned();
        if let (Some(action), None) = (declared, &to) {
            self.current.action = Some("escalate".into());
            self.change(Change::TaskEscalated { task: task_id });
            return self.take(&task, &action);
        }
        let target = match to {
            Some(target) => target,
            None => match &task.assignee {
                Assignee::Person(p) => match self.ctx.org.supervisor_of(p) {
                    Some(sup) => Assignee::Person(sup.to_string()),
                    None => {
                        return Err(Refusal::Unresolvable {
                            case: self.refusal_case(),
                            message: format!(
                                "{p} has no supervisor to escalate to; name one with --to"
                            ),
                        })
                    }
                },
                Assignee::Group(g) => {
                    return Err(Refusal::Unresolvable {
                        case: self.refusal_case(),
                        message: format!(
                            "`{}` is assigned to group {g}; name whom to escalate to with --to",
                            task.step
                        ),
                    })
                }
            },
        };
        self.change(Change::TaskAssigned {
            task: task_id,
            before: task.assignee.clone(),
            after: target,
        });
        self.change(Change::TaskEscalated { task: task_id });
        Ok(())
    }

    /// The transition part of an action: leave the task and go where the action leads.
    fn take(&mut self, task: &Task, action: &Action) -> Result<(), Refusal> {
        if action.to.is_some() || !task.joins.is_empty() {
            self.subtasks_done(task)?;
            self.close_side_tasks(Some(&task.step));
        }
        self.queue(&action.notify, Some(task));
        match &action.to {
            Some(to) => {
                self.change(Change::TaskClosed {
                    task: task.id,
                    step: task.step.clone(),
                });
                self.enter(to, task.joins.clone())
            }
            None if !task.joins.is_empty() => {
                self.change(Change::TaskClosed {
                    task: task.id,
                    step: task.step.clone(),
                });
                self.complete_branch(&task.joins)
            }
            None => Ok(()),
        }
    }

    /// A branch finished: when it was the last open one of its parallel step, go on to `then`.
    fn complete_branch(&mut self, joins: &[String]) -> Result<(), Refusal> {
        let Some((innermost, outer)) = joins.split_last() else {
            return Ok(());
        };
        let still_open = self
            .case
            .tasks
            .iter()
            .any(|t| t.joins.len() >= joins.len() && t.joins[..joins.len()] == *joins);
        if still_open || !self.case.is_open() {
            return Ok(());
        }
        match self.ctx.def.step(innermost).map(|s| &s.kind) {
            Some(StepKind::Parallel { then, .. }) => self.enter(&then.clone(), outer.to_vec()),
            _ => Err(Refusal::Unresolvable {
                case: self.refusal_case(),
                message: format!("`{innermost}` is not a parallel step"),
            }),
        }
    }

    // ---- choosing the task --------------------------------------------------------------

    fn pick_task(
        &self,
        step: Option<&str>,
        offers: impl Fn(&Task) -> bool,
    ) -> Result<Option<Task>, Refusal> {
        let candidates: Vec<&Task> = self
            .case
            .tasks
            .iter()
            .filter(|t| step.is_none_or(|s| t.step == s))
            .filter(|t| offers(t))
            .collect();
        if let Some(s) = step {
            if !self.case.tasks.iter().any(|t| t.step == s) {
                return Err(Refusal::NoSuchStep {
                    case: self.refusal_case(),
                    step: s.to_string(),
                    steps: self.case.active_steps().join(", "),
                });
            }
        }
        match candidates.as_slice() {
            [] => Ok(None),
            [one] => Ok(Some((*one).clone())),
            many => {
                let allowed: Vec<&&Task> = many
                    .iter()
                    .filter(|t| authority::may_act(self.ctx, &self.case, t).is_ok())
                    .collect();
                match allowed.as_slice() {
                    [one] => Ok(Some((**one).clone())),
                    _ => Err(Refusal::Ambiguous {
                        case: self.refusal_case(),
                        steps: many
                            .iter()
                            .map(|t| t.step.as_str())
                            .collect::<Vec<_>>()
                            .join(", "),
                    }),
                }
            }
        }
    }

    fn ensure_open(&self) -> Result<(), Refusal> {
        if self.case.is_open() {
            Ok(())
        } else {
            Err(Refusal::Closed {
                case: self.refusal_case(),
                outcome: self.case.outcome.clone().unwrap_or_default(),
            })
        }
    }

    fn check_wait(&self, task: &Task) -> Result<(), Refusal> {
        let not_yet = |until: String| Refusal::NotYet {
            case: self.refusal_case(),
            step: task.step.clone(),
            until,
        };
        // `wait:` on a task step: its own actions wait until then.
        if let Some(ready) = task.ready_at.filter(|r| self.ctx.now < *r) {
            return Err(not_yet(crate::time::format_timestamp(ready)));
        }
        let Some(step) = self.ctx.def.step(&task.step) else {
            return Ok(());
        };
        let Some(field) = step.wait_until.as_deref() else {
            return Ok(());
        };
        match self.wait_until(step) {
            None => Err(not_yet(format!("`{field}` is set"))),
            Some(until) if self.ctx.now < until => Err(not_yet(format!(
                "{field} {}",
                crate::time::format_timestamp(until)
            ))),
            Some(_) => Ok(()),
        }
    }

    fn check_requirements(&self, action: &Action, comment: Option<&str>) -> Result<(), Refusal> {
        let mut missing = Vec::new();
        for requirement in &action.requires {
            match requirement {
                Requirement::Comment if comment.is_none_or(|c| c.trim().is_empty()) => {
                    missing.push("a comment (--comment; for reject, --reason)".to_string())
                }
                Requirement::Field(f) if !self.case.fields.contains_key(f) => {
                    missing.push(format!("field `{f}`"))
                }
                Requirement::Document(kind)
                    if !self
                        .case
                        .attachments
                        .iter()
                        .any(|a| a.kind.as_deref() == Some(kind)) =>
                {
                    missing.push(format!("a `{kind}` attachment (--attach {kind}=FILE)"))
                }
                Requirement::Checklist => {
                    for kind in super::scope::missing_documents(self.ctx.def, &self.case) {
                        missing.push(format!("a `{kind}` attachment (--attach {kind}=FILE)"));
                    }
                }
                _ => {}
            }
        }
        if missing.is_empty() {
            Ok(())
        } else {
            Err(Refusal::Missing {
                case: self.refusal_case(),
                action: action.name.clone(),
                missing: missing.join(", "),
            })
        }
    }

    fn not_offered(&self, action: &str) -> Refusal {
        let mut offered: Vec<String> = Vec::new();
        for task in &self.case.tasks {
            for a in self.ctx.def.actions_of(&task.step) {
                if !offered.contains(&a.name) {
                    offered.push(a.name.clone());
                }
            }
        }
        Refusal::NotOffered {
            case: self.refusal_case(),
            action: action.to_string(),
            steps: quoted(&self.case.active_steps()),
            offered,
        }
    }

    fn assignee_named(&self, name: &str) -> Result<Assignee, Refusal> {
        if self.ctx.org.person(name).is_some() {
            Ok(Assignee::Person(name.to_string()))
        } else if self.ctx.org.group_exists(name.trim_start_matches('@')) {
            Ok(Assignee::Group(name.trim_start_matches('@').to_string()))
        } else {
            Err(Refusal::unknown_assignee(self.ctx.org, name))
        }
    }
}

fn quoted(steps: &[String]) -> String {
    steps
        .iter()
        .map(|s| format!("`{s}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

pub(super) fn open(ctx: &Ctx, id: &str, opening: Opening) -> Result<Decision, Refusal> {
    if ctx.org.person(ctx.actor).is_none() && ctx.actor != SYSTEM {
        return Err(Refusal::unknown_person(ctx.org, ctx.actor));
    }
    let mut run = Run::new(ctx, CaseState::blank(ctx.now), EventKind::Opened);
    run.change(Change::Opened {
        id: id.to_string(),
        process: ctx.def.name.clone(),
        version: ctx.version,
        opened_by: ctx.actor.to_string(),
        external_ref: opening.external_ref,
    });
    if let Some(priority) = opening.priority {
        run.change(Change::Priority {
            before: run.case.priority,
            after: priority,
        });
    }
    let given: Vec<String> = opening
        .fields
        .iter()
        .map(|(name, _)| name.clone())
        .collect();
    let defaults: Vec<(String, Value)> = ctx
        .def
        .fields
        .iter()
        .filter(|f| !given.contains(&f.name))
        .filter_map(|f| f.default.clone().map(|d| (f.name.clone(), d)))
        .collect();
    for (name, value) in defaults {
        run.set_field(&name, Some(value));
    }
    run.set_given(opening.fields)?;
    let missing: Vec<String> = ctx
        .def
        .fields
        .iter()
        .filter(|f| f.required && !run.case.fields.contains_key(&f.name))
        .map(|f| f.name.clone())
        .collect();
    if !missing.is_empty() {
        return Err(Refusal::Missing {
            case: format!("new {}", ctx.def.name),
            action: "opening".into(),
            missing: format!(
                "required field{} {}",
                if missing.len() > 1 { "s" } else { "" },
                quoted(&missing)
            ),
        });
    }
    run.attach(opening.attachments)?;
    run.current.comment = opening.comment;
    run.start_case_clock();
    run.enter(&ctx.def.start, Vec::new())?;
    run.finish()
}

pub(super) fn decide(ctx: &Ctx, case: &CaseState, command: Command) -> Result<Decision, Refusal> {
    match command {
        Command::Act {
            action,
            step,
            fields,
            comment,
            attachments,
        } => act(
            ctx,
            case,
            &action,
            step.as_deref(),
            fields,
            comment,
            attachments,
        ),
        Command::Assign { to, step, comment } => {
            let mut run = Run::new(ctx, case.clone(), EventKind::Assigned);
            run.ensure_open()?;
            let task = run
                .pick_task(step.as_deref(), |_| true)?
                .ok_or_else(|| run.not_offered("assign"))?;
            let standing = authority::may_act(ctx, &run.case, &task)?;
            run.standing_note(standing);
            let target = run.assignee_named(&to)?;
            if let Assignee::Person(p) = &target {
                // Separation of duties binds the new assignee too: never hand a step to
                // someone who could not act on it.
                if let Some(role) = authority::excluded_by(ctx, &run.case, &task.step, p) {
                    return Err(Refusal::SeparationOfDuties {
                        case: case.id.clone(),
                        step: task.step.clone(),
                        actor: p.clone(),
                        role,
                    });
                }
            }
            run.change(Change::TaskAssigned {
                task: task.id,
                before: task.assignee.clone(),
                after: target,
            });
            run.current.comment = comment;
            run.finish()
        }
        Command::Escalate { to, step, reason } => {
            let mut run = Run::new(ctx, case.clone(), EventKind::Escalated);
            run.ensure_open()?;
            let task = run
                .pick_task(step.as_deref(), |_| true)?
                .ok_or_else(|| run.not_offered("escalate"))?;
            let standing = authority::may_act(ctx, &run.case, &task)?;
            run.standing_note(standing);
            let target = to.as_deref().map(|t| run.assignee_named(t)).transpose()?;
            run.current.comment = reason;
            run.escalate(task.id, target)?;
            run.finish()
        }
        Command::Comment { text } => {
            let mut run = Run::new(ctx, case.clone(), EventKind::Commented);
            known_actor(ctx)?;
            if text.trim().is_empty() {
                return Err(Refusal::Missing {
                    case: case.id.clone(),
                    action: "a comment".into(),
                    missing: "some text".into(),
                });
            }
            run.current.comment = Some(text);
            run.finish()
        }
        Command::Attach {
            attachment,
            comment,
        } => {
            let mut run = Run::new(ctx, case.clone(), EventKind::Attached);
            known_actor(ctx)?;
            // A generated letter is filed even on a closed case: it records what was sent.
            if attachment.kind.as_deref() != Some(super::LETTER_KIND) {
                run.ensure_open()?;
            }
            run.attach(vec![attachment])?;
            run.current.comment = comment;
            run.finish()
        }
        Command::Delegate {
            kind,
            to,
            text,
            step,
        } => delegate(ctx, case, kind, &to, text, step.as_deref()),
        Command::Finish { id, comment } => finish_side_task(ctx, case, id, comment),
        Command::Set { fields, comment } => {
            let mut run = Run::new(ctx, case.clone(), EventKind::FieldsSet);
            run.ensure_open()?;
            may_edit(ctx, &run.case)?;
            run.set_given(fields)?;
            run.current.comment = comment;
            run.finish()
        }
    }
}

fn known_actor(ctx: &Ctx) -> Result<(), Refusal> {
    if ctx.org.person(ctx.actor).is_some() || ctx.actor == SYSTEM {
        Ok(())
    } else {
        Err(Refusal::unknown_person(ctx.org, ctx.actor))
    }
}

/// Editing fields: whoever may act on one of the open tasks, or an admin. Not the opener as
/// such: a requester must not change a claim under (or after) review.
fn may_edit(ctx: &Ctx, case: &CaseState) -> Result<(), Refusal> {
    known_actor(ctx)?;
    if ctx.org.is_admin(ctx.actor) {
        return Ok(());
    }
    let mut last = None;
    for task in &case.tasks {
        match authority::may_act(ctx, case, task) {
            Ok(_) => return Ok(()),
            Err(refusal) => last = Some(refusal),
        }
    }
    Err(last.unwrap_or_else(|| Refusal::Closed {
        case: case.id.clone(),
        outcome: case.outcome.clone().unwrap_or_default(),
    }))
}

fn act(
    ctx: &Ctx,
    case: &CaseState,
    action_name: &str,
    step: Option<&str>,
    fields: Vec<(String, Value)>,
    comment: Option<String>,
    attachments: Vec<NewAttachment>,
) -> Result<Decision, Refusal> {
    let mut run = Run::new(ctx, case.clone(), EventKind::Acted);
    run.ensure_open()?;
    run.current.action = Some(action_name.to_string());
    let own = |t: &Task| {
        ctx.def
            .actions_of(&t.step)
            .iter()
            .any(|a| a.name == action_name && !ctx.def.anytime.iter().any(|x| x.name == a.name))
    };
    let (task, action) = match run.pick_task(step, own)? {
        Some(task) => {
            let action = ctx
                .def
                .actions_of(&task.step)
                .into_iter()
                .find(|a| a.name == action_name)
                .cloned();
            let standing = match action.as_ref().and_then(|a| a.by.as_deref()) {
                // `by:` names who takes this action instead of the step's assignee.
                Some(role) => {
                    let standing = authority::may_take_anytime(ctx, &run.case, Some(role))?;
                    if let Some(role) =
                        authority::excluded_by(ctx, &run.case, &task.step, ctx.actor)
                    {
                        let (case, step, actor) =
                            (case.id.clone(), task.step.clone(), ctx.actor.to_string());
                        return Err(Refusal::SeparationOfDuties {
                            case,
                            step,
                            actor,
                            role,
                        });
                    }
                    standing
                }
                None => authority::may_act(ctx, &run.case, &task)?,
            };
            run.standing_note(standing);
            run.check_wait(&task)?;
            (task, action)
        }
        None => match ctx.def.anytime.iter().find(|a| a.name == action_name) {
            Some(action) => {
                let standing = authority::may_take_anytime(ctx, &run.case, action.by.as_deref())?;
                run.standing_note(standing);
                let task = run
                    .case
                    .tasks
                    .first()
                    .cloned()
                    .ok_or_else(|| run.not_offered(action_name))?;
                (task, Some(action.clone()))
            }
            None => return Err(run.not_offered(action_name)),
        },
    };
    let action = action.ok_or_else(|| run.not_offered(action_name))?;
    run.set_given(fields)?;
    run.attach(attachments)?;
    run.check_requirements(&action, comment.as_deref())?;
    run.assign(&action.set)?;
    run.number(&action.number);
    if let Some(check) = &action.check {
        if !run.condition(&check.that)? {
            return Err(Refusal::CheckFailed {
                case: case.id.clone(),
                message: check.message.clone(),
            });
        }
    }
    run.current.comment = comment;
    if ctx.def.anytime.iter().any(|a| a.name == action.name) {
        run.queue(&action.notify, Some(&task));
        if let Some(to) = &action.to {
            let open: Vec<(u32, String)> = run
                .case
                .tasks
                .iter()
                .map(|t| (t.id, t.step.clone()))
                .collect();
            for (id, step) in open {
                run.change(Change::TaskClosed { task: id, step });
            }
            run.close_side_tasks(None);
            run.enter(to, Vec::new())?;
        }
    } else {
        run.take(&task, &action)?;
    }
    run.finish()
}

/// Open a sub-task or a consultation from one of the case's open steps.
fn delegate(
    ctx: &Ctx,
    case: &CaseState,
    kind: SideKind,
    to: &str,
    text: String,
    step: Option<&str>,
) -> Result<Decision, Refusal> {
    let event = match kind {
        SideKind::Subtask => EventKind::Subtask,
        SideKind::Consultation => EventKind::Consultation,
    };
    let mut run = Run::new(ctx, case.clone(), event);
    run.ensure_open()?;
    let task = run
        .pick_task(step, |_| true)?
        .ok_or_else(|| run.not_offered(kind.as_str()))?;
    let standing = authority::may_act(ctx, &run.case, &task)?;
    run.standing_note(standing);
    if text.trim().is_empty() {
        return Err(Refusal::Missing {
            case: case.id.clone(),
            action: kind.as_str().into(),
            missing: "a text saying what is asked".into(),
        });
    }
    let assignee = run.assignee_named(to)?;
    let side = SideTask {
        id: run.case.next_task,
        kind,
        step: task.step.clone(),
        text: text.clone(),
        assignee: assignee.clone(),
        asked_by: ctx.actor.to_string(),
        opened_at: ctx.now,
    };
    run.note(format!("#{} for {}", side.id, assignee.label()));
    run.change(Change::SideTaskOpened { side });
    run.current.comment = Some(text);
    let template = match kind {
        SideKind::Subtask => "subtask_assigned",
        SideKind::Consultation => "consultation_requested",
    };
    let to = run.people(&assignee);
    run.notifications.push(Notification {
        template: template.into(),
        to,
        cc: Vec::new(),
    });
    run.finish()
}

/// Finish a sub-task or answer a consultation: by its assignee (a member of its group,
/// or someone above them), by whoever asked (who withdraws it), or by an admin.
fn finish_side_task(
    ctx: &Ctx,
    case: &CaseState,
    id: Option<u32>,
    comment: Option<String>,
) -> Result<Decision, Refusal> {
    known_actor(ctx)?;
    let mine = |s: &SideTask| authority::holds(ctx.org, &s.assignee, ctx.actor);
    let may = |s: &SideTask| authority::may_finish(ctx.org, s, ctx.actor);
    let none = |which: String| Refusal::NoSideTask {
        case: case.id.clone(),
        actor: ctx.actor.to_string(),
        which,
    };
    let side = match id {
        Some(id) => case
            .side_tasks
            .iter()
            .find(|s| s.id == id && may(s))
            .ok_or_else(|| none(format!(" #{id} that they may finish")))?,
        None => {
            let own: Vec<&SideTask> = case.side_tasks.iter().filter(|s| mine(s)).collect();
            match own.as_slice() {
                [one] => *one,
                [] => return Err(none(" assigned to them".into())),
                many => {
                    let list: Vec<String> = many
                        .iter()
                        .map(|s| format!("#{} {}", s.id, s.text))
                        .collect();
                    return Err(Refusal::Unresolvable {
                        case: case.id.clone(),
                        message: format!(
                            "{} has several open: {}; say which with --id",
                            ctx.actor,
                            list.join("; ")
                        ),
                    });
                }
            }
        }
    }
    .clone();
    let (event, template) = match side.kind {
        SideKind::Subtask => (EventKind::SubtaskDone, "subtask_done"),
        SideKind::Consultation => (EventKind::Answered, "consultation_answered"),
    };
    let mut run = Run::new(ctx, case.clone(), event);
    run.ensure_open()?;
    if side.kind == SideKind::Consultation
        && mine(&side)
        && comment.as_deref().is_none_or(|c| c.trim().is_empty())
    {
        return Err(Refusal::Missing {
            case: case.id.clone(),
            action: "answering a consultation".into(),
            missing: "the answer (--comment)".into(),
        });
    }
    if !mine(&side) {
        let how = if side.asked_by == ctx.actor {
            "withdrawn by whoever asked"
        } else {
            "closed on behalf of the assignee"
        };
        run.note(format!("#{} {how}", side.id));
    } else {
        run.note(format!("#{}", side.id));
    }
    run.change(Change::SideTaskClosed { id: side.id });
    run.current.comment = comment;
    // The answer returns to whoever asked, and to whoever holds the step now.
    let to = run.people(&Assignee::Person(side.asked_by.clone()));
    let cc = run
        .case
        .tasks
        .iter()
        .filter(|t| t.step == side.step && t.assignee != Assignee::Person(side.asked_by.clone()))
        .flat_map(|t| run.people(&t.assignee))
        .collect();
    run.notifications.push(Notification {
        template: template.into(),
        to,
        cc,
    });
    run.finish()
}
