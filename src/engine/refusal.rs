//! Why the engine says no. Each refusal names the case and what to do instead; the CLI's
//! error classifier maps the variants to exit codes (77 for permission, 65 for bad data).

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("case {case} is closed ({outcome}); nothing more can be done to it")]
    Closed { case: String, outcome: String },

    #[error("case {case} has no action `{action}` now: it is in {steps}, which offer{}", offered_text(.offered))]
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

    #[error("`{person}` is not a person in org.yaml")]
    UnknownPerson { person: String },

    #[error("`{name}` is not a person or group in org.yaml")]
    UnknownAssignee { name: String },

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

    #[error("case {case} has no open step `{step}`; it is in {steps}")]
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

fn offered_text(offered: &[String]) -> String {
    if offered.is_empty() {
        " nothing".to_string()
    } else {
        format!(" these actions: {}", offered.join(", "))
    }
}

impl Refusal {
    /// Refusals about who is acting (exit 77) as opposed to what was asked (exit 65).
    pub fn is_permission(&self) -> bool {
        matches!(
            self,
            Refusal::NotPermitted { .. }
                | Refusal::SeparationOfDuties { .. }
                | Refusal::UnknownPerson { .. }
        )
    }

    /// What to do about it, when there is something to say.
    pub fn hint(&self) -> Option<String> {
        match self {
            Refusal::NotOffered { case, offered, .. } if !offered.is_empty() => Some(format!(
                "run `caseflow show {case}` to see the actions you may take"
            )),
            Refusal::NotPermitted { .. } => {
                Some("act as one of them with --as, or ask them to reassign the case".into())
            }
            Refusal::Missing { .. } => {
                Some("give it with --field NAME=VALUE, --comment TEXT or --attach KIND=FILE".into())
            }
            Refusal::NotYet { case, .. } => Some(format!(
                "wait until then, or change the date with `caseflow set {case} --field ...`"
            )),
            Refusal::UnknownPerson { .. } => {
                Some("add the person to org.yaml, or pass --as with someone who is there".into())
            }
            Refusal::OpenSubtasks { case, .. } => Some(format!(
                "the people named finish them with `caseflow done {case}`; see `caseflow show {case}`"
            )),
            Refusal::NoSideTask { case, .. } => Some(format!(
                "`caseflow show {case}` lists its open sub-tasks and consultations"
            )),
            _ => None,
        }
    }
}
