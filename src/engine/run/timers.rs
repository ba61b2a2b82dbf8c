//! Time in the engine: SLA clocks, waits, timeouts and reminder ladders are set when a step
//! is entered (computed with [`crate::calendar`], from `ctx.now`), paused and resumed after
//! every command, and fired by [`fire`] when `caseflow tick` finds them due. Still pure:
//! the time is an argument and every change is recorded, so replay rebuilds the clocks.

use jiff::Timestamp;

use super::super::state::{Assignee, CaseState, Change, Clock, Reminders, Task, Timer, TimerKind};
use super::super::{authority, Ctx, Decision, EventKind, Refusal, SYSTEM};
use super::Run;
use crate::calendar::Calendar;
use crate::definition::duration::{Handler, Sla, WarnAt};
use crate::definition::{CalendarPick, Notify, Step, StepKind};
use crate::time::format_timestamp;
use crate::value::Value;

impl Run<'_, '_> {
    /// The calendar a step's times are counted in: the step's, else the process's (by name
    /// or by a case field), else org.yaml's default.
    pub(super) fn calendar_name(&self, step: Option<&Step>) -> String {
        let calendars = &self.ctx.org.calendars;
        if let Some(name) = step.and_then(|s| s.timing.calendar.as_ref()) {
            return name.clone();
        }
        match &self.ctx.def.calendar {
            Some(CalendarPick::Named(name)) => name.clone(),
            Some(CalendarPick::Field(field)) => match self.case.fields.get(field) {
                Some(Value::Text(value)) => calendars.named_like(value).to_string(),
                _ => calendars.default.clone(),
            },
            None => calendars.default.clone(),
        }
    }

    fn calendar(&self, name: &str) -> &Calendar {
        self.ctx.org.calendars.get(Some(name))
    }

    /// A clock for `sla` started now.
    fn start_clock(&self, sla: &Sla, calendar: String) -> Clock {
        let cal = self.calendar(&calendar);
        let start = self.ctx.now;
        let due = cal.after(start, sla.due);
        let warn_at = sla.warn_at.map(|warn| match warn {
            WarnAt::Percent(p) if sla.due.business => {
                cal.add(start, cal.business_seconds(sla.due) * i64::from(p) / 100)
            }
            WarnAt::Percent(p) => {
                let secs = (due.as_second() - start.as_second()) * i64::from(p) / 100;
                Timestamp::from_second(start.as_second() + secs).unwrap_or(due)
            }
            WarnAt::Before(span) => cal.before(due, span),
        });
        Clock {
            calendar,
            business: sla.due.business,
            due_at: due,
            warn_at,
            warned: false,
            breached: false,
            paused_since: None,
        }
    }

    /// The case's own SLA starts when it opens.
    pub(super) fn start_case_clock(&mut self) {
        if let Some(sla) = &self.ctx.def.sla {
            let clock = self.start_clock(sla, self.calendar_name(None));
            self.change(Change::Clock {
                task: None,
                after: Some(clock),
            });
        }
    }

    /// Fill in a new task's SLA clock, wait, timeout and first reminder.
    pub(super) fn time_task(&self, task: &mut Task) {
        let Some(step) = self.ctx.def.step(&task.step) else {
            return;
        };
        let calendar = self.calendar_name(Some(step));
        let cal = self.calendar(&calendar);
        task.sla = step
            .sla
            .as_ref()
            .map(|sla| self.start_clock(sla, calendar.clone()));
        let ready = step.timing.wait.map(|span| cal.after(self.ctx.now, span));
        if matches!(step.kind, StepKind::Task { .. }) {
            task.ready_at = ready;
            task.wake_at = step
                .timing
                .timeout
                .as_ref()
                .map(|t| cal.after(self.ctx.now, t.after));
        }
        if let Some(remind) = &step.timing.remind {
            let from = [Some(self.ctx.now), ready, self.wait_until(step)]
                .into_iter()
                .flatten()
                .max()
                .unwrap_or(self.ctx.now);
            task.reminders = Some(Reminders {
                calendar: calendar.clone(),
                sent: 0,
                next_at: cal.after(from, remind.every),
            });
        }
    }

    /// When a `wait_until` field says the step may start: a date is midnight at its start
    /// in the step's calendar's time zone. None while the field is unset.
    pub(super) fn wait_until(&self, step: &Step) -> Option<Timestamp> {
        let field = step.wait_until.as_deref()?;
        match self.case.fields.get(field) {
            Some(Value::Date(d)) => {
                Some(self.calendar(&self.calendar_name(Some(step))).start_of(*d))
            }
            Some(Value::DateTime(t)) => Some(*t),
            _ => None,
        }
    }

    /// An automatic step with `wait` or `wait_until` holds the case (a task of the system)
    /// until then; true when it does. A `wait_until` date already past, or unset, does not.
    pub(super) fn hold(&mut self, step: &Step, joins: &[String]) -> bool {
        let cal = self.calendar(&self.calendar_name(Some(step)));
        let until = match (step.timing.wait, self.wait_until(step)) {
            (Some(span), _) => Some(cal.after(self.ctx.now, span)),
            (None, until) => until,
        };
        let Some(until) = until.filter(|u| *u > self.ctx.now) else {
            return false;
        };
        let task = Task {
            id: self.case.next_task,
            step: step.name.clone(),
            assignee: Assignee::Person(SYSTEM.to_string()),
            joins: joins.to_vec(),
            entered_at: self.ctx.now,
            escalated: false,
            sla: None,
            ready_at: None,
            wake_at: Some(until),
            reminders: None,
        };
        self.note(format!(
            "`{}` waits until {}",
            step.name,
            format_timestamp(until)
        ));
        self.change(Change::TaskOpened { task });
        true
    }

    /// After every command: stop the SLA clocks that should stand still (waiting on the
    /// customer, `pause_when`), and restart the others, moving their due and warning
    /// times on by the business time they stood still.
    pub(super) fn pause_or_resume_clocks(&mut self) -> Result<(), Refusal> {
        if !self.case.is_open() {
            return Ok(());
        }
        let def = self.ctx.def;
        let on_hold = self
            .case
            .tasks
            .iter()
            .any(|t| def.step(&t.step).is_some_and(|s| s.timing.waiting_customer));
        if let (Some(clock), Some(sla)) = (self.case.sla.clone(), def.sla.as_ref()) {
            let paused = on_hold || self.holds(sla)?;
            self.set_paused(None, clock, paused);
        }
        let tasks: Vec<Task> = self.case.tasks.clone();
        for task in tasks {
            let (Some(clock), Some(step)) = (task.sla.clone(), def.step(&task.step)) else {
                continue;
            };
            let Some(sla) = &step.sla else { continue };
            let paused = step.timing.waiting_customer || self.holds(sla)?;
            self.set_paused(Some(task.id), clock, paused);
        }
        Ok(())
    }

    fn holds(&self, sla: &Sla) -> Result<bool, Refusal> {
        match &sla.pause_when {
            // A condition that cannot be evaluated yet (a field unset) does not pause.
            Some(expr) => Ok(self.condition(expr).unwrap_or(false)),
            None => Ok(false),
        }
    }

    fn set_paused(&mut self, task: Option<u32>, clock: Clock, paused: bool) {
        if clock.breached {
            return;
        }
        let now = self.ctx.now;
        let after = match (paused, clock.paused_since) {
            (true, None) => {
                self.note("SLA clock paused".into());
                Clock {
                    paused_since: Some(now),
                    ..clock
                }
            }
            (false, Some(since)) => {
                let cal = self.calendar(&clock.calendar);
                let moved = |at: Timestamp| {
                    if clock.business {
                        cal.add(at, cal.between(since, now))
                    } else {
                        Timestamp::from_second(at.as_second() + now.as_second() - since.as_second())
                            .unwrap_or(at)
                    }
                };
                let due_at = moved(clock.due_at);
                let warn_at = match clock.warn_at {
                    Some(w) if !clock.warned => Some(moved(w)),
                    other => other,
                };
                self.note(format!(
                    "SLA clock resumed; due {}",
                    format_timestamp(due_at)
                ));
                Clock {
                    due_at,
                    warn_at,
                    paused_since: None,
                    ..clock
                }
            }
            _ => return,
        };
        self.change(Change::Clock {
            task,
            after: Some(after),
        });
    }

    /// Run SLA (or reminder `then:`) handlers against one task, or against every task a
    /// person holds for the case's own SLA. A handler that cannot run (no supervisor to
    /// escalate to) is noted on the event and the others still run: the warning or breach
    /// is recorded whatever happens.
    fn handle(&mut self, handlers: &[Handler], task: Option<u32>, template: &str) {
        for handler in handlers {
            let targets: Vec<u32> = match task {
                Some(id) => vec![id],
                None => self
                    .case
                    .tasks
                    .iter()
                    .filter(|t| t.assignee != Assignee::Person(SYSTEM.into()))
                    .map(|t| t.id)
                    .collect(),
            };
            if *handler == Handler::RaisePriority {
                let (before, after) = (self.case.priority, self.case.priority.raised());
                if before != after {
                    self.change(Change::Priority { before, after });
                }
                continue;
            }
            // One notification per warning, even when the case's SLA covers several tasks
            // (`supervisor` is then the first task's assignee's).
            let targets = match handler {
                Handler::Notify(_) => targets.into_iter().take(1).collect(),
                _ => targets,
            };
            for id in targets {
                if let Err(refusal) = self.attempt(|run| run.handler(handler, id, template)) {
                    self.note(format!("{} could not run: {refusal}", label(handler)));
                }
            }
        }
    }

    fn handler(&mut self, handler: &Handler, id: u32, template: &str) -> Result<(), Refusal> {
        let task = self.case.task(id).cloned().ok_or_else(|| Refusal::NotDue {
            case: self.case.id.clone(),
        })?;
        match handler {
            Handler::RaisePriority => Ok(()),
            Handler::Escalate => self.escalate(id, None),
            Handler::Notify(role) => {
                let notify = Notify {
                    to: role.clone(),
                    template: template.to_string(),
                    cc: Vec::new(),
                };
                self.queue(&[notify], Some(&task));
                Ok(())
            }
            Handler::Reassign(role) => {
                let after = authority::resolve(self.ctx, &self.case, role)?;
                if after != task.assignee {
                    self.change(Change::TaskAssigned {
                        task: id,
                        before: task.assignee.clone(),
                        after,
                    });
                }
                Ok(())
            }
            Handler::Run(name) => {
                let action = self
                    .ctx
                    .def
                    .actions_of(&task.step)
                    .into_iter()
                    .find(|a| &a.name == name)
                    .cloned()
                    .ok_or_else(|| self.not_offered(name))?;
                self.current.action = Some(name.clone());
                self.assign(&action.set)?;
                self.take(&task, &action)
            }
        }
    }

    /// Run `f`; if it refuses, put the case, the events and the queue back as they were.
    fn attempt(&mut self, f: impl FnOnce(&mut Self) -> Result<(), Refusal>) -> Result<(), Refusal> {
        let saved = (
            self.case.clone(),
            self.current.clone(),
            self.events.clone(),
            self.notifications.len(),
            self.sequences.clone(),
        );
        let result = f(self);
        if result.is_err() {
            self.case = saved.0;
            self.current = saved.1;
            self.events = saved.2;
            self.notifications.truncate(saved.3);
            self.sequences = saved.4;
        }
        result
    }

    fn fire_clock(&mut self, timer: &Timer, breach: bool) -> Result<(), Refusal> {
        let (clock, sla) = match timer.task {
            None => (self.case.sla.clone(), self.ctx.def.sla.clone()),
            Some(id) => {
                let task = self.case.task(id);
                let sla = task
                    .and_then(|t| self.ctx.def.step(&t.step))
                    .and_then(|s| s.sla.clone());
                (task.and_then(|t| t.sla.clone()), sla)
            }
        };
        let (Some(clock), Some(sla)) = (clock, sla) else {
            return Err(self.not_due());
        };
        let whose = match timer.task.and_then(|id| self.case.task(id)) {
            Some(task) => format!("`{}`", task.step),
            None => "the case".to_string(),
        };
        let what = if breach { "due" } else { "warning" };
        self.note(format!(
            "SLA of {whose}: {what} at {}",
            format_timestamp(timer.at)
        ));
        self.change(Change::Clock {
            task: timer.task,
            after: Some(Clock {
                warned: true,
                breached: breach,
                ..clock
            }),
        });
        let (handlers, template) = if breach {
            (&sla.on_breach, "sla_breached")
        } else {
            (&sla.on_warn, "sla_warning")
        };
        self.handle(handlers, timer.task, template);
        Ok(())
    }

    fn fire_wake(&mut self, timer: &Timer) -> Result<(), Refusal> {
        let task = timer
            .task
            .and_then(|id| self.case.task(id).cloned())
            .ok_or_else(|| self.not_due())?;
        let step = self
            .ctx
            .def
            .step(&task.step)
            .ok_or_else(|| self.not_due())?;
        let to = match (&step.kind, &step.timing.timeout) {
            (StepKind::Automatic { to, .. }, _) => to.clone(),
            (_, Some(timeout)) => timeout.to.clone(),
            _ => return Err(self.not_due()),
        };
        self.note(format!(
            "`{}` {} at {}",
            task.step,
            if self.current.kind == EventKind::TimedOut {
                "timed out"
            } else {
                "waited until"
            },
            format_timestamp(timer.at)
        ));
        self.close_side_tasks(Some(&task.step));
        self.change(Change::TaskClosed {
            task: task.id,
            step: task.step.clone(),
        });
        self.enter(&to, task.joins.clone())
    }

    fn fire_reminder(&mut self, timer: &Timer) -> Result<(), Refusal> {
        let task = timer
            .task
            .and_then(|id| self.case.task(id).cloned())
            .ok_or_else(|| self.not_due())?;
        let remind = self
            .ctx
            .def
            .step(&task.step)
            .and_then(|s| s.timing.remind.clone())
            .ok_or_else(|| self.not_due())?;
        let ladder = task.reminders.clone().ok_or_else(|| self.not_due())?;
        let due = format_timestamp(timer.at);
        if ladder.sent >= remind.times {
            self.note(format!(
                "no answer after {} reminders (due {due})",
                remind.times
            ));
            self.change(Change::Reminders {
                task: task.id,
                after: None,
            });
            self.handle(&remind.then, Some(task.id), "reminders_exhausted");
            return Ok(());
        }
        let sent = ladder.sent + 1;
        self.note(format!("reminder {sent} of {} (due {due})", remind.times));
        let notify = Notify {
            to: remind.to.clone(),
            template: remind.template.clone(),
            cc: Vec::new(),
        };
        self.queue(&[notify], Some(&task));
        if let Some(field) = &remind.count {
            let count = match self.case.fields.get(field) {
                Some(Value::Integer(n)) => n + 1,
                _ => 1,
            };
            self.set_field(field, Some(Value::Integer(count)));
            self.recompute()?;
        }
        // The next rung counts from this one's due time, not from when it fired, so a
        // tick after an outage catches up one reminder at a time, each once.
        let next_at = self
            .calendar(&ladder.calendar)
            .after(timer.at, remind.every);
        self.change(Change::Reminders {
            task: task.id,
            after: Some(Reminders {
                sent,
                next_at,
                ..ladder
            }),
        });
        Ok(())
    }

    fn not_due(&self) -> Refusal {
        Refusal::NotDue {
            case: self.case.id.clone(),
        }
    }
}

fn label(handler: &Handler) -> String {
    match handler {
        Handler::RaisePriority => "raise_priority".into(),
        Handler::Escalate => "escalate".into(),
        Handler::Notify(role) => format!("notify: {role}"),
        Handler::Reassign(role) => format!("reassign: {role}"),
        Handler::Run(action) => format!("run: {action}"),
    }
}

/// Whether firing `timer` may enter a step or resolve a role, and so needs the store's
/// facts (workload for least-loaded assignment, sequence numbers). A warning that only
/// raises the priority and notifies, or a plain reminder, does not: `tick` then skips
/// reading them (a workload count reads every open task).
pub(in crate::engine) fn needs_facts(
    def: &crate::definition::Definition,
    case: &CaseState,
    timer: &Timer,
) -> bool {
    let quiet = |handlers: &[Handler]| {
        handlers
            .iter()
            .all(|h| matches!(h, Handler::RaisePriority | Handler::Notify(_)))
    };
    let step = timer
        .task
        .and_then(|id| case.task(id))
        .and_then(|t| def.step(&t.step).map(|s| (t, s)));
    match timer.kind {
        TimerKind::Wake => true,
        TimerKind::SlaWarn | TimerKind::SlaBreach => {
            let sla = match timer.task {
                None => def.sla.as_ref(),
                Some(_) => step.and_then(|(_, s)| s.sla.as_ref()),
            };
            sla.is_none_or(|sla| {
                let handlers = if timer.kind == TimerKind::SlaWarn {
                    &sla.on_warn
                } else {
                    &sla.on_breach
                };
                !quiet(handlers)
            })
        }
        // Only the last rung runs handlers.
        TimerKind::Remind => {
            step.is_none_or(|(task, s)| match (&task.reminders, &s.timing.remind) {
                (Some(r), Some(remind)) => r.sent >= remind.times && !quiet(&remind.then),
                _ => true,
            })
        }
    }
}

/// Fire one due timer of `case` as the system (see [`crate::engine::fire`]).
pub(in crate::engine) fn fire(
    ctx: &Ctx,
    case: &CaseState,
    timer: &Timer,
) -> Result<Decision, Refusal> {
    // The claim: the timer must still be pending, as it was found (to the second, as the
    // store keeps it), and due.
    let pending = case.timers().into_iter().find(|t| {
        t.task == timer.task && t.kind == timer.kind && t.at.as_second() == timer.at.as_second()
    });
    let Some(timer) = pending.filter(|t| t.at <= ctx.now) else {
        return Err(Refusal::NotDue {
            case: case.id.clone(),
        });
    };
    let timer = &timer;
    let kind = match timer.kind {
        TimerKind::SlaWarn => EventKind::SlaWarned,
        TimerKind::SlaBreach => EventKind::SlaBreached,
        TimerKind::Remind => EventKind::Reminded,
        TimerKind::Wake => {
            let automatic = timer
                .task
                .and_then(|id| case.task(id))
                .and_then(|t| ctx.def.step(&t.step))
                .is_some_and(|s| matches!(s.kind, StepKind::Automatic { .. }));
            if automatic {
                EventKind::Waited
            } else {
                EventKind::TimedOut
            }
        }
    };
    let mut run = Run::new(ctx, case.clone(), kind);
    run.current.actor = SYSTEM.to_string();
    match timer.kind {
        TimerKind::SlaWarn => run.fire_clock(timer, false)?,
        TimerKind::SlaBreach => run.fire_clock(timer, true)?,
        TimerKind::Wake => run.fire_wake(timer)?,
        TimerKind::Remind => run.fire_reminder(timer)?,
    }
    run.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{self, Event, Facts, Opening};
    use crate::org::Org;
    use crate::value::FieldType;

    const ORG: &str = include_str!("../../cli/assets/org.yaml");
    const LATE: &str = include_str!("../../../processes/late-payment.yaml");

    fn ts(text: &str) -> Timestamp {
        text.parse().expect("time")
    }

    /// Firing every due timer of a late-payment case in order: each fires once, a fired
    /// timer is refused the second time, and replaying the events rebuilds the case.
    #[test]
    fn fired_timers_are_gone_and_replay_rebuilds_the_clocks() {
        let org = Org::load("org.yaml", ORG).expect("org");
        let def = crate::definition::load("late.yaml", LATE, Some(&org)).expect("def");
        let ctx = |now| engine::Ctx {
            def: &def,
            version: 1,
            org: &org,
            actor: SYSTEM,
            now,
            source: None,
            facts: Facts::none(),
        };
        let text = |ty: &FieldType, v: &str| Value::parse(ty, v).expect("value");
        let fields = vec![
            ("invoice_number".into(), text(&FieldType::Text, "R-1")),
            ("customer_number".into(), text(&FieldType::Text, "K-1")),
            (
                "customer_email".into(),
                text(&FieldType::Email, "a@example.org"),
            ),
            ("amount_due".into(), text(&FieldType::Money, "10.00")),
            ("due_date".into(), text(&FieldType::Date, "2026-12-01")),
        ];
        let opening = Opening {
            fields,
            ..Opening::default()
        };
        let mut ctx0 = ctx(ts("2026-11-30T09:00:00Z"));
        ctx0.actor = "klaus";
        let opened = engine::open(&ctx0, "LPR-2026-0001", opening).expect("open");
        let mut case = opened.case;
        let mut events: Vec<Event> = opened.events;
        let now = ts("2027-01-10T00:00:00Z");
        let mut fired = Vec::new();
        while let Some(timer) = case.timers().into_iter().find(|t| t.at <= now) {
            let decision = engine::fire(&ctx(now), &case, &timer).expect("fire");
            assert!(matches!(
                engine::fire(&ctx(now), &decision.case, &timer),
                Err(Refusal::NotDue { .. })
            ));
            fired.push(decision.events[0].kind);
            events.extend(decision.events);
            case = decision.case;
        }
        assert_eq!(fired, vec![EventKind::Reminded; 4]);
        assert_eq!(case.active_steps(), ["still_unpaid"]);
        let mut rebuilt = engine::replay(&events);
        rebuilt.retype(&def);
        assert_eq!(rebuilt, case);
        // Not yet due is refused too.
        let future = case.timers().into_iter().next().expect("still_unpaid SLA");
        assert!(matches!(
            engine::fire(&ctx(ts("2027-01-10T00:00:00Z")), &case, &future),
            Err(Refusal::NotDue { .. })
        ));
    }
}
