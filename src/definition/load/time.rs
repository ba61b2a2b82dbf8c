//! Loading the clock-driven keys: `calendar` (process and step), the case's `sla`,
//! `pause_when`, `wait`, `timeout`, `remind` and `waiting: customer`, and checking SLA
//! handlers against the step they belong to. Kept apart so `load.rs` stays about the core
//! shape of a definition.

use super::{Loader, Names, RawStep};
use crate::definition::duration::{Handler, RawSla, Sla, Span};
use crate::definition::expr::{Expect, Expr, Scope};
use crate::definition::timing::{RawRemind, RawTimeout};
use crate::definition::yaml::{Node, Pos};
use crate::definition::{CalendarPick, StepKind, Timeout, Timing};
use crate::org::suggest;
use crate::value::FieldType;

/// The step keys of this file, taken out of a [`RawStep`] before the rest is consumed.
pub(super) struct RawTiming {
    calendar: Option<String>,
    wait: Option<String>,
    timeout: Option<RawTimeout>,
    remind: Option<RawRemind>,
    waiting: Option<String>,
    pause_when: Option<String>,
}

impl RawTiming {
    pub(super) fn take(raw: &mut RawStep) -> RawTiming {
        RawTiming {
            calendar: raw.calendar.take(),
            wait: raw.wait.take(),
            timeout: raw.timeout.take(),
            remind: raw.remind.take(),
            waiting: raw.waiting.take(),
            pause_when: raw.sla.as_mut().and_then(|s| s.pause_when.take()),
        }
    }
}

impl Loader<'_> {
    /// The process-level `calendar:` and `sla:`.
    pub(super) fn process_timing(
        &mut self,
        root: &Node,
        ctx: &Names,
    ) -> (Option<Sla>, Option<CalendarPick>) {
        let calendar = root.get("calendar").and_then(|node| {
            if let Some(name) = node.as_str() {
                self.known_calendar(name, node.pos, "process");
                return Some(CalendarPick::Named(name.to_string()));
            }
            match node.get("field").and_then(Node::as_str) {
                Some(field) if node.entries().len() == 1 => {
                    if !matches!(ctx.fields.get(field), Some(FieldType::Text | FieldType::Enum(_))) {
                        self.error(node.key_pos("field"), format!("calendar: `{field}` must be a text or enum field whose value names a calendar"));
                    }
                    Some(CalendarPick::Field(field.to_string()))
                }
                _ => {
                    self.error(node.pos, "`calendar` is a calendar name or `{ field: FIELD }` (a field whose value names the calendar)");
                    None
                }
            }
        });
        let sla = root.get("sla").and_then(|node| {
            let mut raw: RawSla = match node.deserialize() {
                Ok(raw) => raw,
                Err((pos, msg)) => {
                    self.error(pos, format!("sla: {msg}"));
                    return None;
                }
            };
            let pause = raw.pause_when.take();
            match raw.parse() {
                Ok(mut sla) => {
                    sla.pause_when = self.pause_when(pause, node, "sla", ctx);
                    self.handlers(&sla.on_warn, None, node.key_pos("on_warn"), "sla", ctx);
                    self.handlers(&sla.on_breach, None, node.key_pos("on_breach"), "sla", ctx);
                    Some(sla)
                }
                Err(msg) => {
                    self.error(node.pos, format!("sla: {msg}"));
                    None
                }
            }
        });
        (sla, calendar)
    }

    fn known_calendar(&mut self, name: &str, pos: Pos, whose: &str) {
        if let Some(org) = self.org {
            if !org.calendars.contains(name) {
                let known: Vec<String> = org.calendars.by_name.keys().cloned().collect();
                self.error(
                    pos,
                    format!(
                        "{whose}: unknown calendar `{name}` (org.yaml has {}){}",
                        known.join(", "),
                        suggest(name, known.iter())
                    ),
                );
            }
        }
    }

    fn pause_when(
        &mut self,
        source: Option<String>,
        node: &Node,
        whose: &str,
        ctx: &Names,
    ) -> Option<Expr> {
        let scope = Scope {
            fields: ctx.fields,
            constants: ctx.constants,
        };
        let source = source?;
        match Expr::compile(&source, &scope, Expect::Bool, None) {
            Ok(expr) => Some(expr),
            Err(msg) => {
                let pos = node.find_key("pause_when").unwrap_or(node.pos);
                self.error(pos, format!("{whose}: {msg}"));
                None
            }
        }
    }

    /// A step's timing keys, and its SLA's `pause_when` and handlers.
    pub(super) fn step_timing(
        &mut self,
        name: &str,
        node: &Node,
        raw: RawTiming,
        kind: &StepKind,
        sla: Option<&mut Sla>,
        ctx: &Names,
    ) -> Timing {
        let whose = format!("step `{name}`");
        let is_task = matches!(kind, StepKind::Task { .. });
        let actions: Vec<String> = match kind {
            StepKind::Task { actions, .. } => actions.iter().map(|a| a.name.clone()).collect(),
            _ => Vec::new(),
        };
        if let Some(sla) = sla {
            sla.pause_when = self.pause_when(raw.pause_when, node, &whose, ctx);
            let at = node.get("sla").unwrap_or(node);
            self.handlers(
                &sla.on_warn,
                Some(&actions),
                at.key_pos("on_warn"),
                &whose,
                ctx,
            );
            self.handlers(
                &sla.on_breach,
                Some(&actions),
                at.key_pos("on_breach"),
                &whose,
                ctx,
            );
        }
        if let Some(calendar) = &raw.calendar {
            self.known_calendar(calendar, node.key_pos("calendar"), &whose);
        }
        let wait = raw
            .wait
            .and_then(|text| self.span(&text, node.key_pos("wait"), &whose));
        if wait.is_some() && !is_task && !matches!(kind, StepKind::Automatic { .. }) {
            self.error(node.key_pos("wait"), format!("{whose}: `wait` belongs on a task step (its actions wait) or an automatic step (the case waits, then moves on)"));
        }
        let timeout = raw.timeout.and_then(|t| {
            if !is_task {
                self.error(node.key_pos("timeout"), format!("{whose}: `timeout` belongs on a task step (the case leaves it when nothing happened in time)"));
            }
            let after = self.span(&t.after, node.key_pos("timeout"), &whose)?;
            Some(Timeout { after, to: t.to })
        });
        let remind = raw.remind.and_then(|r| {
            let pos = node.key_pos("remind");
            if !is_task {
                self.error(pos, format!("{whose}: `remind` belongs on a task step"));
            }
            let remind = match r.parse() {
                Ok(remind) => remind,
                Err(msg) => {
                    self.error(pos, format!("{whose}: {msg}"));
                    return None;
                }
            };
            self.recipient(&remind.to, pos, &whose, ctx);
            if !valid_template(&remind.template) {
                self.error(pos, format!("{whose}: template name `{}` must be letters, digits, `_` or `-`", remind.template));
            }
            if let Some(field) = &remind.count {
                if ctx.fields.get(field) != Some(&FieldType::Integer) {
                    self.error(pos, format!("{whose}: remind `count` must name an integer field, and `{field}` is not one"));
                }
            }
            self.handlers(&remind.then, Some(&actions), pos, &whose, ctx);
            Some(remind)
        });
        let waiting_customer = match raw.waiting.as_deref() {
            None => false,
            Some("customer") => true,
            Some(other) => {
                self.error(node.key_pos("waiting"), format!("{whose}: `waiting: {other}`; the only kind of waiting is `waiting: customer`"));
                false
            }
        };
        Timing {
            calendar: raw.calendar,
            wait,
            timeout,
            remind,
            waiting_customer,
        }
    }

    fn span(&mut self, text: &str, pos: Pos, whose: &str) -> Option<Span> {
        match text.parse() {
            Ok(span) => Some(span),
            Err(msg) => {
                self.error(pos, format!("{whose}: {msg}"));
                None
            }
        }
    }

    /// Roles named by handlers exist; `run:` names one of the step's actions.
    fn handlers(
        &mut self,
        handlers: &[Handler],
        actions: Option<&[String]>,
        pos: Pos,
        whose: &str,
        ctx: &Names,
    ) {
        for handler in handlers {
            match handler {
                Handler::Notify(role) => self.recipient(role, pos, whose, ctx),
                Handler::Reassign(role) if !ctx.roles.contains_key(role) => self.error(
                    pos,
                    format!(
                        "{whose}: reassign names unknown role `{role}`{}",
                        suggest(role, ctx.roles.keys())
                    ),
                ),
                Handler::Run(action) => match actions {
                    Some(actions) if !actions.contains(action) => self.error(
                        pos,
                        format!(
                            "{whose}: run names `{action}`, which is not an action of the step{}",
                            suggest(action, actions.iter())
                        ),
                    ),
                    None => self.error(
                        pos,
                        format!("{whose}: the case's SLA cannot `run` an action (it belongs to no step); use escalate, notify or reassign"),
                    ),
                    _ => {}
                },
                _ => {}
            }
        }
    }

    fn recipient(&mut self, role: &str, pos: Pos, whose: &str, ctx: &Names) {
        if !matches!(role, "assignee" | "supervisor") && !ctx.roles.contains_key(role) {
            self.error(
                pos,
                format!(
                    "{whose}: notify names unknown role `{role}`{}",
                    suggest(role, ctx.roles.keys())
                ),
            );
        }
    }
}

fn valid_template(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}
