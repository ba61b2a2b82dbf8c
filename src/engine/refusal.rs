//! Why the engine says no. Each refusal names the case and what to do instead; the CLI's
//! error classifier maps the variants to exit codes (77 for permission, 65 for bad data).

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("case {case} is closed ({outcome}); nothing more can be done to it")]
    Closed { case: String, outcome: String },

    #[error("case {case} has no action `{action}` now: it is in {steps}, which offer{}{}", offered_text(.offered), crate::org::suggest(.action, .offered.iter()))]
    NotOffered {
        case: String,
        action: String,
        steps: String,
        offered: Vec<String>,
    },

    #[error("{actor} may not act on case {case} in `{step}`; it can be done by {who}")]
    NotPermitted {
        case: String,
        step: String,
        actor: String,
        who: String,
    },

    #[error(
        "{actor} may not act on `{step}` of case {case}: separation of duties excludes the {role}"
    )]
    SeparationOfDuties {
        case: String,
        step: String,
        actor: String,
        role: String,
    },

    #[error("`{person}` is not a person in org.yaml{suggestion}")]
    UnknownPerson { person: String, suggestion: String },

    #[error("`{name}` is not a person or group in org.yaml{suggestion}")]
    UnknownAssignee { name: String, suggestion: String },

    #[error("case {case}: {action} needs {missing}")]
    Missing {
        case: String,
        action: String,
        missing: String,
    },

    #[error("{process} has no field `{field}`{hint}")]
    UnknownField {
        process: String,
        field: String,
        hint: String,
    },

    #[error("field `{field}` is computed and cannot be set")]
    Computed { field: String },

    #[error("case {case}: {message}")]
    CheckFailed { case: String, message: String },

    #[error(
        "case {case}: nothing of that is due any more (it already fired or the case moved on)"
    )]
    NotDue { case: String },

    #[error("case {case}: `{step}` cannot be acted on before {until}")]
    NotYet {
        case: String,
        step: String,
        until: String,
    },

    #[error("case {case}: {message}")]
    Unresolvable { case: String, message: String },

    #[error("case {case} is in several steps ({steps}); say which with --step")]
    Ambiguous { case: String, steps: String },

    #[error("case {case} has no open step `{step}`; it is in {steps}{}", suggest_in(.step, .steps))]
    NoSuchStep {
        case: String,
        step: String,
        steps: String,
    },

    #[error("process {process} loops through automatic steps without stopping (at `{step}`)")]
    Loop { process: String, step: String },

    #[error("field `{field}`: {given:?} does not match the pattern {pattern}{help}")]
    PatternMismatch {
        field: String,
        given: String,
        pattern: String,
        /// The field's `help:`, as " (…)", when it has one.
        help: String,
    },

    #[error("case {case}: `{step}` cannot move on while its sub-tasks are open: {open}")]
    OpenSubtasks {
        case: String,
        step: String,
        open: String,
    },

    #[error("case {case}: {actor} has no open sub-task or consultation{which}")]
    NoSideTask {
        case: String,
        actor: String,
        which: String,
    },
}

/// "; did you mean `x`?" among a `, `-separated list of (possibly `quoted`) names.
fn suggest_in(wrong: &str, list: &str) -> String {
    let names: Vec<String> = list
        .split(", ")
        .map(|s| s.trim_matches('`').to_string())
        .collect();
    crate::org::suggest(wrong, names.iter())
}

fn offered_text(offered: &[String]) -> String {
    if offered.is_empty() {
        " nothing".to_string()
    } else {
        format!(" these actions: {}", offered.join(", "))
    }
}

impl Refusal {
    /// `name` is nobody in org.yaml; suggests the closest person id.
    pub fn unknown_person(org: &crate::org::Org, name: &str) -> Refusal {
        Refusal::UnknownPerson {
            person: name.to_string(),
            suggestion: crate::org::suggest(name, org.people.keys()),
        }
    }

    /// `name` is neither a person nor a group; suggests the closest of either.
    pub fn unknown_assignee(org: &crate::org::Org, name: &str) -> Refusal {
        let mut names: Vec<String> = org.people.keys().cloned().collect();
        names.extend(org.groups().into_iter().map(str::to_string));
        Refusal::UnknownAssignee {
            name: name.to_string(),
            suggestion: crate::org::suggest(name, names.iter()),
        }
    }

    /// Refusals about who is acting (exit 77) as opposed to what was asked (exit 65).
    pub fn is_permission(&self) -> bool {
        matches!(
            self,
            Refusal::NotPermitted { .. }
                | Refusal::SeparationOfDuties { .. }
                | Refusal::UnknownPerson { .. }
        )
    }

    /// What to do about it: every refusal says what to try next.
    pub fn hint(&self) -> Option<String> {
        Some(match self {
            Refusal::Closed { case, .. } => format!(
                "`caseflow history {case}` shows how it ended; open a new case for new work"
            ),
            Refusal::NotOffered { case, .. } => {
                format!("run `caseflow show {case}` to see the actions you may take")
            }
            Refusal::NotDue { case } => format!(
                "nothing to do: another tick fired it already; `caseflow history {case}` shows when"
            ),
            Refusal::NotPermitted { .. } => {
                "act as one of them with --as, or ask them to reassign the case".into()
            }
            Refusal::SeparationOfDuties { case, .. } => format!(
                "someone else must do this step; `caseflow show {case}` says who it waits for"
            ),
            Refusal::Missing { case, .. } => format!(
                "run it again with what is missing; `caseflow show {case}` lists each action with the options it needs"
            ),
            Refusal::NotYet { case, .. } => format!(
                "wait until then, or change the date with `caseflow set {case} --field ...`"
            ),
            Refusal::UnknownPerson { .. } => {
                "add the person to org.yaml, or pass --as with someone who is there".into()
            }
            Refusal::UnknownAssignee { .. } => {
                "name a person id or group from org.yaml (`caseflow doctor` checks it)".into()
            }
            Refusal::UnknownField { process, .. } => format!(
                "`caseflow graph {process} --format markdown` lists the fields of {process}"
            ),
            Refusal::Computed { .. } => {
                "it is computed from other fields; set those instead".into()
            }
            Refusal::CheckFailed { case, .. } => format!(
                "correct the fields with `caseflow set {case} --field NAME=VALUE`, then try again"
            ),
            Refusal::Unresolvable { .. } => {
                "check the people, supervisors and groups in org.yaml, then try again".into()
            }
            Refusal::Ambiguous { case, .. } | Refusal::NoSuchStep { case, .. } => format!(
                "add --step STEP; `caseflow show {case}` lists the open steps"
            ),
            Refusal::Loop { process, .. } => format!(
                "fix {process}'s definition so an automatic step reaches a task or an end, then `caseflow deploy`"
            ),
            Refusal::PatternMismatch { field, .. } => {
                format!("give `{field}` a value in the expected form")
            }
            Refusal::OpenSubtasks { case, .. } => format!(
                "the people named finish them with `caseflow done {case}`; see `caseflow show {case}`"
            ),
            Refusal::NoSideTask { case, .. } => {
                format!("`caseflow show {case}` lists its open sub-tasks and consultations")
            }
        })
    }
}
