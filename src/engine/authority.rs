//! Who is who on a case, and who may act. This is the one place that answers "may this
//! person do this here?", for operators, imports and automatic steps alike.

use super::state::{Assignee, CaseState, SideTask, Task};
use super::{Ctx, Refusal};
use crate::definition::{Role, StepKind};
use crate::value::Value;

/// How an actor came to be allowed, recorded on the event when it is not the plain assignee.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Standing {
    Assignee,
    GroupMember,
    Supervisor,
    Admin,
    System,
}

/// Resolve a role to whom a task would be assigned.
pub fn resolve(ctx: &Ctx, case: &CaseState, role_name: &str) -> Result<Assignee, Refusal> {
    let unresolvable = |message: String| Refusal::Unresolvable {
        case: case.id.clone(),
        message,
    };
    let role = ctx
        .def
        .roles
        .get(role_name)
        .ok_or_else(|| unresolvable(format!("role `{role_name}` is not declared")))?;
    match role {
        Role::Opener => Ok(Assignee::Person(case.opened_by.clone())),
        Role::Person(p) => Ok(Assignee::Person(p.clone())),
        Role::Group(g) => Ok(Assignee::Group(g.clone())),
        Role::Field(f) => match case.fields.get(f) {
            Some(Value::Text(p)) if ctx.org.person(p).is_some() => Ok(Assignee::Person(p.clone())),
            Some(other) => Err(unresolvable(format!(
                "field `{f}` ({other}) is not a person in org.yaml"
            ))),
            None => Err(unresolvable(format!(
                "field `{f}` is not set, so role `{role_name}` is nobody; set it first"
            ))),
        },
        Role::SupervisorOf(other) => match resolve(ctx, case, other)? {
            Assignee::Person(p) => ctx
                .org
                .supervisor_of(&p)
                .map(|s| Assignee::Person(s.to_string()))
                .ok_or_else(|| {
                    unresolvable(format!(
                        "{p} has no supervisor in org.yaml, so role `{role_name}` is nobody"
                    ))
                }),
            Assignee::Group(g) => Err(unresolvable(format!(
                "role `{role_name}` is the supervisor of group `{g}`, which is not one person"
            ))),
        },
        Role::Email(f) => Err(unresolvable(format!(
            "role `{role_name}` is the e-mail in `{f}`, not someone who can act"
        ))),
        Role::LeastLoaded(g) => least_loaded(ctx, g)
            .map(|p| Assignee::Person(p.to_string()))
            .ok_or_else(|| unresolvable(format!("no one in org.yaml is in group `{g}`"))),
        Role::Choose { .. } => resolve(ctx, case, &chosen(ctx, case, role_name)?),
    }
}

/// The member of `group` with the fewest open tasks; ties go to the first by id.
fn least_loaded<'o>(ctx: &Ctx<'o>, group: &str) -> Option<&'o str> {
    ctx.org
        .members(group)
        .into_iter()
        .min_by_key(|p| (ctx.facts.workload.get(*p).copied().unwrap_or(0), *p))
}

/// For a `choose:` role, the role whose condition holds now (else `otherwise`); any other
/// role is itself.
fn chosen(ctx: &Ctx, case: &CaseState, role_name: &str) -> Result<String, Refusal> {
    let Some(Role::Choose { routes, otherwise }) = ctx.def.roles.get(role_name) else {
        return Ok(role_name.to_string());
    };
    for (condition, role) in routes {
        let holds = super::scope::condition(ctx.def, case, condition).map_err(|message| {
            Refusal::Unresolvable {
                case: case.id.clone(),
                message: format!("choosing role `{role_name}`: {message}"),
            }
        })?;
        if holds {
            return Ok(role.clone());
        }
    }
    Ok(otherwise.clone())
}

/// Everyone a role stands for (a group is all its members), for separation of duties.
fn people_of(ctx: &Ctx, case: &CaseState, role_name: &str) -> Vec<String> {
    let Ok(role_name) = chosen(ctx, case, role_name) else {
        return Vec::new();
    };
    if let Some(Role::LeastLoaded(g)) = ctx.def.roles.get(&role_name) {
        return ctx.org.members(g).into_iter().map(String::from).collect();
    }
    match resolve(ctx, case, &role_name) {
        Ok(Assignee::Person(p)) => vec![p],
        Ok(Assignee::Group(g)) => ctx.org.members(&g).into_iter().map(String::from).collect(),
        Err(_) => Vec::new(),
    }
}

/// The role of `step`'s `not:` list that excludes `person`, if any.
pub fn excluded_by(ctx: &Ctx, case: &CaseState, step: &str, person: &str) -> Option<String> {
    let step = ctx.def.step(step)?;
    step.not
        .iter()
        .find(|role| people_of(ctx, case, role).iter().any(|p| p == person))
        .cloned()
}

/// May the current actor act on `task`? Separation of duties binds admins too.
pub fn may_act(ctx: &Ctx, case: &CaseState, task: &Task) -> Result<Standing, Refusal> {
    let actor = ctx.actor;
    if actor == super::SYSTEM {
        return Ok(Standing::System);
    }
    if ctx.org.person(actor).is_none() {
        return Err(Refusal::unknown_person(ctx.org, actor));
    }
    if let Some(role) = excluded_by(ctx, case, &task.step, actor) {
        return Err(Refusal::SeparationOfDuties {
            case: case.id.clone(),
            step: task.step.clone(),
            actor: actor.to_string(),
            role,
        });
    }
    let standing = match &task.assignee {
        Assignee::Person(p) if p == actor => Some(Standing::Assignee),
        Assignee::Person(p) if ctx.org.is_above(actor, p) => Some(Standing::Supervisor),
        Assignee::Group(g) if ctx.org.is_member(actor, g) => Some(Standing::GroupMember),
        _ if ctx.org.is_admin(actor) => Some(Standing::Admin),
        _ => None,
    };
    standing.ok_or_else(|| Refusal::NotPermitted {
        case: case.id.clone(),
        step: task.step.clone(),
        actor: actor.to_string(),
        who: who_may_act(ctx, task),
    })
}

/// Is `person` the assignee itself (the person, or a member of the group)?
pub fn holds(org: &crate::org::Org, assignee: &Assignee, person: &str) -> bool {
    match assignee {
        Assignee::Person(p) => p == person,
        Assignee::Group(g) => org.is_member(person, g),
    }
}

/// Who may finish a sub-task or answer a consultation: its assignee (or someone above a
/// person assignee), whoever asked (withdrawing it), or an admin.
pub fn may_finish(org: &crate::org::Org, side: &SideTask, person: &str) -> bool {
    holds(org, &side.assignee, person)
        || side.asked_by == person
        || org.is_admin(person)
        || matches!(&side.assignee, Assignee::Person(p) if org.is_above(person, p))
}

/// "maria (or her supervisors)" / "members of finance"; admins always may.
fn who_may_act(ctx: &Ctx, task: &Task) -> String {
    match &task.assignee {
        Assignee::Person(p) => {
            let mut chain = Vec::new();
            let mut current = p.as_str();
            while let Some(sup) = ctx.org.supervisor_of(current) {
                if chain.contains(&sup) || chain.len() > 8 {
                    break;
                }
                chain.push(sup);
                current = sup;
            }
            if chain.is_empty() {
                format!("{p} (or an admin)")
            } else {
                format!(
                    "{p} or their supervisor{} {}",
                    if chain.len() > 1 { "s" } else { "" },
                    chain.join(", ")
                )
            }
        }
        Assignee::Group(g) => {
            let members = ctx.org.members(g);
            format!("a member of {g} ({})", members.join(", "))
        }
    }
}

/// One action an open case offers now, and whether the current actor may take it.
#[derive(Clone, Debug)]
pub struct Offer {
    pub task: u32,
    pub step: String,
    pub action: String,
    pub allowed: bool,
}

/// Everything the case offers now (own step actions and anytime actions), for `show`.
pub fn offered_actions(ctx: &Ctx, case: &CaseState) -> Vec<Offer> {
    let mut offers = Vec::new();
    if !case.is_open() {
        return offers;
    }
    for task in &case.tasks {
        let allowed = may_act(ctx, case, task).is_ok();
        if let Some(StepKind::Task { actions, .. }) = ctx.def.step(&task.step).map(|s| &s.kind) {
            for action in actions {
                offers.push(Offer {
                    task: task.id,
                    step: task.step.clone(),
                    action: action.name.clone(),
                    allowed,
                });
            }
        }
    }
    if let Some(first) = case.tasks.first() {
        for action in &ctx.def.anytime {
            let allowed = may_take_anytime(ctx, case, action.by.as_deref()).is_ok();
            offers.push(Offer {
                task: first.id,
                step: first.step.clone(),
                action: action.name.clone(),
                allowed,
            });
        }
    }
    offers
}

/// Anytime actions are taken by their `by:` role (or admins); without `by:`, by the opener.
pub fn may_take_anytime(
    ctx: &Ctx,
    case: &CaseState,
    by: Option<&str>,
) -> Result<Standing, Refusal> {
    if ctx.actor == super::SYSTEM {
        return Ok(Standing::System);
    }
    if ctx.org.person(ctx.actor).is_none() {
        return Err(Refusal::unknown_person(ctx.org, ctx.actor));
    }
    let people = match by {
        Some(role) => people_of(ctx, case, role),
        None => vec![case.opened_by.clone()],
    };
    if people.iter().any(|p| p == ctx.actor) {
        Ok(Standing::Assignee)
    } else if ctx.org.is_admin(ctx.actor) {
        Ok(Standing::Admin)
    } else {
        Err(Refusal::NotPermitted {
            case: case.id.clone(),
            step: case.active_steps().join(", "),
            actor: ctx.actor.to_string(),
            who: format!("{} (or an admin)", people.join(", ")),
        })
    }
}
