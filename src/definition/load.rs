//! Loading a definition: YAML tree -> typed entries -> cross-checks -> graph checks.
//! Every problem found is collected with its position; nothing stops at the first one.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use serde::Deserialize;

use super::duration::RawSla;
use super::expr::{Expect, Expr, Scope};
use super::yaml::{self, Diagnostic, Node, Pos};
use super::*;
use crate::org::{suggest, Org};

mod rules;
mod time;

const TOP_KEYS: &[&str] = &[
    "process",
    "title",
    "description",
    "id_prefix",
    "fields",
    "roles",
    "documents",
    "constants",
    "start",
    "steps",
    "anytime",
    "sequences",
    "sla",
    "calendar",
];

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawField {
    #[serde(rename = "type")]
    ty: String,
    #[serde(default)]
    values: Vec<String>,
    #[serde(default)]
    required: bool,
    #[serde(default)]
    default: Option<serde_yaml::Value>,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    help: Option<String>,
    #[serde(default)]
    sum_of: Option<String>,
    #[serde(default)]
    compute: Option<String>,
    #[serde(default)]
    pattern: Option<String>,
    #[serde(default)]
    instalments: Option<RawInstalments>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawInstalments {
    total: String,
    count: String,
    every: String,
    first_due: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSequence {
    format: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRole {
    #[serde(default)]
    from: Option<String>,
    #[serde(default)]
    supervisor_of: Option<String>,
    #[serde(default)]
    group: Option<String>,
    #[serde(default)]
    person: Option<String>,
    #[serde(default)]
    field: Option<String>,
    #[serde(default)]
    email_field: Option<String>,
    #[serde(default)]
    pick: Option<String>,
    #[serde(default)]
    choose: Option<Vec<RawRoleRoute>>,
    #[serde(default)]
    otherwise: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRoleRoute {
    when: String,
    role: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDocument {
    title: String,
    #[serde(default)]
    required: bool,
    #[serde(default)]
    required_when: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStep {
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    assignee: Option<String>,
    #[serde(default)]
    actions: Option<serde_yaml::Mapping>,
    #[serde(default)]
    decide: Option<Vec<RawRoute>>,
    #[serde(default)]
    otherwise: Option<String>,
    #[serde(default)]
    set: Option<serde_yaml::Mapping>,
    #[serde(default)]
    to: Option<String>,
    #[serde(default)]
    parallel: Option<Vec<String>>,
    #[serde(default)]
    then: Option<String>,
    #[serde(default)]
    end: Option<String>,
    #[serde(default)]
    #[allow(
        dead_code,
        reason = "read from the YAML tree, declared here so the key is known"
    )]
    notify: Option<serde_yaml::Value>,
    #[serde(default)]
    escalate_when: Option<String>,
    #[serde(default)]
    not: Vec<String>,
    #[serde(default)]
    sla: Option<RawSla>,
    #[serde(default)]
    wait_until: Option<String>,
    #[serde(default)]
    wait_for: Option<RawRoute>,
    #[serde(default)]
    number: BTreeMap<String, String>,
    #[serde(default)]
    calendar: Option<String>,
    #[serde(default)]
    wait: Option<String>,
    #[serde(default)]
    timeout: Option<super::timing::RawTimeout>,
    #[serde(default)]
    remind: Option<super::timing::RawRemind>,
    #[serde(default)]
    waiting: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRoute {
    when: String,
    to: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAction {
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    to: Option<String>,
    #[serde(default)]
    requires: Vec<String>,
    #[serde(default)]
    #[allow(
        dead_code,
        reason = "read from the YAML tree, declared here so the key is known"
    )]
    set: Option<serde_yaml::Mapping>,
    #[serde(default)]
    #[allow(
        dead_code,
        reason = "read from the YAML tree, declared here so the key is known"
    )]
    notify: Option<serde_yaml::Value>,
    #[serde(default)]
    check: Option<RawCheck>,
    #[serde(default)]
    by: Option<String>,
    #[serde(default)]
    number: BTreeMap<String, String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCheck {
    that: String,
    #[serde(rename = "else")]
    message: String,
}

/// Load one definition. `org` (when given) lets group and person names be checked.
pub fn load(file: &str, source: &str, org: Option<&Org>) -> Result<Definition, Vec<Diagnostic>> {
    let (root, problems) = yaml::parse(file, source).map_err(|d| vec![d])?;
    let mut loader = Loader {
        file: file.to_string(),
        org,
        problems,
    };
    let definition = loader.definition(&root);
    if loader.problems.is_empty() {
        if let Some(def) = definition {
            return Ok(def);
        }
    }
    let mut problems = loader.problems;
    problems.sort_by_key(|d| d.pos);
    problems.dedup();
    Err(problems)
}

struct Loader<'o> {
    file: String,
    org: Option<&'o Org>,
    problems: Vec<Diagnostic>,
}

impl Loader<'_> {
    fn error(&mut self, pos: Pos, message: impl Into<String>) {
        self.problems.push(Diagnostic {
            file: self.file.clone(),
            pos,
            message: message.into(),
        });
    }

    fn definition(&mut self, root: &Node) -> Option<Definition> {
        if !root.is_map() {
            self.error(root.pos, "a process definition is a mapping with `process`, `fields`, `roles`, `start` and `steps`");
            return None;
        }
        for (key, _) in root.entries() {
            let name = key.as_str().unwrap_or_default();
            if !TOP_KEYS.contains(&name) {
                let known: Vec<String> = TOP_KEYS.iter().map(|s| s.to_string()).collect();
                self.error(
                    key.pos,
                    format!("unknown key `{name}`{}", suggest(name, known.iter())),
                );
            }
        }
        let name = self.required_text(root, "process")?;
        if name.is_empty()
            || !name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        {
            self.error(
                root.key_pos("process"),
                format!("process name `{name}` must be lowercase letters, digits and `-`"),
            );
        }
        let id_prefix = self.required_text(root, "id_prefix")?;
        if id_prefix.is_empty()
            || !id_prefix
                .chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
        {
            self.error(
                root.key_pos("id_prefix"),
                format!("id_prefix `{id_prefix}` must be uppercase letters or digits, like EXP"),
            );
        }
        let title = root
            .get("title")
            .and_then(Node::as_str)
            .unwrap_or(&name)
            .to_string();
        let description = root
            .get("description")
            .and_then(Node::as_str)
            .map(String::from);
        let constants = self.constants(root.get("constants"));
        let fields = self.fields(root.get("fields"), &constants);
        let field_types: BTreeMap<String, FieldType> = fields
            .iter()
            .map(|f| (f.name.clone(), f.ty.clone()))
            .collect();
        let scope = Scope {
            fields: &field_types,
            constants: &constants,
        };
        let roles = self.roles(root.get("roles"), &scope);
        let documents = self.documents(root.get("documents"), &scope);
        let sequences = self.sequences(root.get("sequences"));
        let ctx = Names {
            fields: &field_types,
            constants: &constants,
            roles: &roles,
            documents: &documents,
            sequences: &sequences,
        };
        let steps_node = root.get("steps");
        let steps = self.steps(steps_node, &ctx);
        let anytime = match root.get("anytime") {
            Some(node) => self.actions(node, "anytime", &ctx),
            None => Vec::new(),
        };
        let (sla, calendar) = self.process_timing(root, &ctx);
        let start = self.required_text(root, "start")?;
        let def = Definition {
            name,
            title,
            description,
            id_prefix,
            fields,
            roles,
            documents,
            constants,
            start,
            steps,
            anytime,
            sequences,
            sla,
            calendar,
        };
        self.references(&def, root);
        self.graph(&def, root);
        Some(def)
    }

    fn required_text(&mut self, node: &Node, key: &str) -> Option<String> {
        match node.get(key).and_then(Node::as_str) {
            Some(text) => Some(text.to_string()),
            None => {
                self.error(node.pos, format!("missing `{key}:`"));
                None
            }
        }
    }

    fn constants(&mut self, node: Option<&Node>) -> BTreeMap<String, Value> {
        let mut constants = BTreeMap::new();
        for (key, value) in node.map(Node::entries).unwrap_or_default() {
            let name = key.as_str().unwrap_or_default().to_string();
            let parsed = match value.to_value() {
                serde_yaml::Value::Number(n) if n.is_i64() => {
                    Some(Value::Integer(n.as_i64().unwrap_or_default()))
                }
                serde_yaml::Value::Number(n) => {
                    crate::value::parse_money(&n.to_string()).map(Value::Money)
                }
                serde_yaml::Value::Bool(b) => Some(Value::Bool(b)),
                serde_yaml::Value::String(s) => Some(Value::Text(s)),
                _ => None,
            };
            match parsed {
                Some(v) => {
                    constants.insert(name, v);
                }
                None => self.error(
                    value.pos,
                    format!("constant `{name}` must be a number, text or true/false"),
                ),
            }
        }
        constants
    }

    fn fields(&mut self, node: Option<&Node>, constants: &BTreeMap<String, Value>) -> Vec<Field> {
        let mut fields = Vec::new();
        let mut computed = Vec::new();
        for (key, value) in node.map(Node::entries).unwrap_or_default() {
            let name = key.as_str().unwrap_or_default().to_string();
            if matches!(name.as_str(), "comment" | "now") || expr::BUILTINS.contains(&name.as_str())
            {
                self.error(
                    key.pos,
                    format!("`{name}` is a reserved name; choose another field name"),
                );
            }
            let raw: RawField = match value.deserialize() {
                Ok(raw) => raw,
                Err((pos, msg)) => {
                    self.error(pos, format!("field `{name}`: {msg}"));
                    continue;
                }
            };
            let ty = match field_type(&raw.ty, &raw.values) {
                Ok(ty) => ty,
                Err(msg) => {
                    self.error(
                        value.get("type").map(|n| n.pos).unwrap_or(value.pos),
                        format!("field `{name}`: {msg}"),
                    );
                    continue;
                }
            };
            let default = raw.default.as_ref().and_then(|d| {
                let json = serde_json::to_value(d).unwrap_or_default();
                match Value::from_json(&ty, &json) {
                    Ok(v) => Some(v),
                    Err(e) => {
                        self.error(
                            value.get("default").map(|n| n.pos).unwrap_or(value.pos),
                            format!("field `{name}`: default {e}"),
                        );
                        None
                    }
                }
            });
            if let Some(compute) = &raw.compute {
                computed.push((
                    fields.len(),
                    compute.clone(),
                    value.get("compute").map(|n| n.pos).unwrap_or(value.pos),
                ));
            }
            let pattern = raw
                .pattern
                .as_ref()
                .and_then(|source| self.pattern(&name, &ty, source, value));
            let instalments = raw
                .instalments
                .map(|raw| self.instalments_spec(raw, &ty, &name, value));
            fields.push(Field {
                name,
                ty,
                required: raw.required,
                default,
                title: raw.title,
                help: raw.help,
                sum_of: raw.sum_of,
                compute: None,
                pattern,
                instalments,
            });
        }
        let types: BTreeMap<String, FieldType> = fields
            .iter()
            .map(|f| (f.name.clone(), f.ty.clone()))
            .collect();
        for field in &fields {
            if let Some(source) = &field.sum_of {
                let pos = node
                    .and_then(|n| n.get(&field.name))
                    .map(|n| n.key_pos("sum_of"))
                    .unwrap_or_default();
                if field.ty != FieldType::Money {
                    self.error(
                        pos,
                        format!("field `{}`: sum_of needs a money field", field.name),
                    );
                } else if types.get(source) != Some(&FieldType::Lines) {
                    self.error(
                        pos,
                        format!(
                            "field `{}`: sum_of `{source}` must name a `lines` field",
                            field.name
                        ),
                    );
                }
            }
        }
        for (field, value) in fields.iter().filter_map(|f| {
            let node = node.and_then(|n| n.get(&f.name))?;
            Some((f, node))
        }) {
            if let Some(spec) = &field.instalments {
                self.check_instalments(&field.name, spec, &types, value);
            }
        }
        for (index, source, pos) in computed {
            let scope = Scope {
                fields: &types,
                constants,
            };
            let ty = fields[index].ty.clone();
            match Expr::compile(&source, &scope, Expect::Field, Some(&ty)) {
                Ok(expr) => fields[index].compute = Some(expr),
                Err(msg) => self.error(pos, format!("field `{}`: {msg}", fields[index].name)),
            }
        }
        fields
    }

    fn roles(&mut self, node: Option<&Node>, scope: &Scope) -> BTreeMap<String, Role> {
        let fields = scope.fields;
        let mut roles = BTreeMap::new();
        let Some(node) = node else { return roles };
        for (key, value) in node.entries() {
            let name = key.as_str().unwrap_or_default().to_string();
            let raw: RawRole = match value.deserialize() {
                Ok(raw) => raw,
                Err((pos, msg)) => {
                    self.error(pos, format!("role `{name}`: {msg}"));
                    continue;
                }
            };
            let given = [
                &raw.from,
                &raw.supervisor_of,
                &raw.group,
                &raw.person,
                &raw.field,
                &raw.email_field,
            ]
            .iter()
            .filter(|v| v.is_some())
            .count()
                + usize::from(raw.choose.is_some());
            if given != 1 {
                self.error(value.pos, format!("role `{name}` needs exactly one of `from: opener`, `supervisor_of`, `group`, `person`, `field`, `email_field`, `choose`"));
                continue;
            }
            if raw.pick.is_some() && raw.group.is_none() {
                self.error(
                    value.key_pos("pick"),
                    format!("role `{name}`: `pick` goes with `group`"),
                );
            }
            if raw.otherwise.is_some() && raw.choose.is_none() {
                self.error(
                    value.key_pos("otherwise"),
                    format!("role `{name}`: `otherwise` goes with `choose`"),
                );
            }
            let role = if let Some(routes) = raw.choose {
                let Some(otherwise) = raw.otherwise else {
                    self.error(value.pos, format!("role `{name}`: `choose` needs `otherwise:` (the role when no condition holds)"));
                    continue;
                };
                let mut compiled = Vec::new();
                for (i, route) in routes.into_iter().enumerate() {
                    let pos = value
                        .get("choose")
                        .and_then(|d| d.items().get(i))
                        .map(|n| n.key_pos("when"))
                        .unwrap_or(value.pos);
                    match Expr::compile(&route.when, scope, Expect::Bool, None) {
                        Ok(expr) => compiled.push((expr, route.role)),
                        Err(msg) => self.error(pos, format!("role `{name}`: {msg}")),
                    }
                }
                Role::Choose {
                    routes: compiled,
                    otherwise,
                }
            } else if let Some(from) = raw.from {
                if from != "opener" {
                    self.error(
                        value.get("from").map(|n| n.pos).unwrap_or(value.pos),
                        format!("role `{name}`: `from:` can only be `opener`"),
                    );
                }
                Role::Opener
            } else if let Some(other) = raw.supervisor_of {
                Role::SupervisorOf(other)
            } else if let Some(group) = raw.group {
                if let Some(org) = self.org {
                    if !org.group_exists(&group) {
                        let groups: Vec<String> =
                            org.groups().into_iter().map(String::from).collect();
                        let pos = value.get("group").map(|n| n.pos).unwrap_or(value.pos);
                        self.error(
                            pos,
                            format!(
                                "role `{name}`: no one in org.yaml is in group `{group}`{}",
                                suggest(&group, groups.iter())
                            ),
                        );
                    }
                }
                match raw.pick.as_deref() {
                    None | Some("all") => Role::Group(group),
                    Some("least_loaded") => Role::LeastLoaded(group),
                    Some(other) => {
                        self.error(
                            value.key_pos("pick"),
                            format!("role `{name}`: pick `{other}` is not `least_loaded` or `all`"),
                        );
                        Role::Group(group)
                    }
                }
            } else if let Some(person) = raw.person {
                if let Some(org) = self.org {
                    if org.person(&person).is_none() {
                        let pos = value.get("person").map(|n| n.pos).unwrap_or(value.pos);
                        self.error(
                            pos,
                            format!(
                                "role `{name}`: `{person}` is not a person in org.yaml{}",
                                suggest(&person, org.people.keys())
                            ),
                        );
                    }
                }
                Role::Person(person)
            } else if let Some(field) = raw.field {
                if fields.get(&field) != Some(&FieldType::Person) {
                    let pos = value.get("field").map(|n| n.pos).unwrap_or(value.pos);
                    self.error(
                        pos,
                        format!("role `{name}`: `{field}` must be a field of type person"),
                    );
                }
                Role::Field(field)
            } else {
                let field = raw.email_field.unwrap_or_default();
                if fields.get(&field) != Some(&FieldType::Email) {
                    let pos = value.get("email_field").map(|n| n.pos).unwrap_or(value.pos);
                    self.error(
                        pos,
                        format!("role `{name}`: `{field}` must be a field of type email"),
                    );
                }
                Role::Email(field)
            };
            roles.insert(name, role);
        }
        self.chosen_roles_exist(node, &roles);
        for (key, value) in node.entries() {
            let name = key.as_str().unwrap_or_default();
            if let Some(Role::SupervisorOf(other)) = roles.get(name) {
                if supervisor_loop(&roles, name) {
                    let pos = value
                        .get("supervisor_of")
                        .map(|n| n.pos)
                        .unwrap_or(value.pos);
                    self.error(
                        pos,
                        format!("role `{name}`: `supervisor_of` goes round in a loop"),
                    );
                } else if !roles.contains_key(other) {
                    let pos = value
                        .get("supervisor_of")
                        .map(|n| n.pos)
                        .unwrap_or(value.pos);
                    let known: Vec<String> = roles.keys().cloned().collect();
                    self.error(
                        pos,
                        format!(
                            "role `{name}`: unknown role `{other}`{}",
                            suggest(other, known.iter())
                        ),
                    );
                }
            }
        }
        roles
    }

    fn documents(&mut self, node: Option<&Node>, scope: &Scope) -> BTreeMap<String, Document> {
        let mut documents = BTreeMap::new();
        for (key, value) in node.map(Node::entries).unwrap_or_default() {
            let name = key.as_str().unwrap_or_default().to_string();
            match value.deserialize::<RawDocument>() {
                Ok(raw) => {
                    if raw.required && raw.required_when.is_some() {
                        self.error(value.key_pos("required_when"), format!("document `{name}`: `required: true` and `required_when` cannot both be given"));
                    }
                    let required_when = raw.required_when.and_then(|source| {
                        match Expr::compile(&source, scope, Expect::Bool, None) {
                            Ok(expr) => Some(expr),
                            Err(msg) => {
                                self.error(
                                    value.key_pos("required_when"),
                                    format!("document `{name}`: {msg}"),
                                );
                                None
                            }
                        }
                    });
                    documents.insert(
                        name,
                        Document {
                            title: raw.title,
                            required: raw.required,
                            required_when,
                        },
                    );
                }
                Err((pos, msg)) => self.error(pos, format!("document `{name}`: {msg}")),
            }
        }
        documents
    }

    fn steps(&mut self, node: Option<&Node>, ctx: &Names) -> Vec<Step> {
        let mut steps = Vec::new();
        let Some(node) = node else {
            return steps;
        };
        for (key, value) in node.entries() {
            let name = key.as_str().unwrap_or_default().to_string();
            if let Some(step) = self.step(&name, value, ctx) {
                steps.push(step);
            }
        }
        steps
    }

    fn step(&mut self, name: &str, node: &Node, ctx: &Names) -> Option<Step> {
        let mut raw: RawStep = match node.deserialize() {
            Ok(raw) => raw,
            Err((pos, msg)) => {
                self.error(pos, format!("step `{name}`: {msg}"));
                return None;
            }
        };
        let raw_timing = time::RawTiming::take(&mut raw);
        let shapes = [
            raw.actions.is_some() || raw.assignee.is_some(),
            raw.decide.is_some(),
            raw.parallel.is_some(),
            raw.end.is_some(),
            raw.set.is_some()
                || !raw.number.is_empty()
                || (raw.to.is_some() && raw.actions.is_none()),
        ];
        match shapes.iter().filter(|s| **s).count() {
            1 => {}
            0 => {
                self.error(node.pos, format!("step `{name}` needs `assignee` + `actions` (task), `decide` (decision), `set` + `to` (automatic), `parallel` + `then`, or `end`"));
                return None;
            }
            _ => {
                self.error(node.pos, format!("step `{name}` mixes the keys of different step kinds (task, decision, automatic, parallel, end)"));
                return None;
            }
        }
        let scope = Scope {
            fields: ctx.fields,
            constants: ctx.constants,
        };
        let automatic = raw.set.is_some()
            || !raw.number.is_empty()
            || (raw.to.is_some() && raw.actions.is_none());
        if node.get("notify").is_some() && raw.end.is_none() && !automatic {
            self.error(node.key_pos("notify"), format!("step `{name}`: a step-level `notify` belongs on end and automatic steps; on a task, put it on an action"));
        }
        let step_kind = if raw.actions.is_some() || raw.assignee.is_some() {
            let Some(assignee) = raw.assignee.clone() else {
                self.error(
                    node.pos,
                    format!("task step `{name}` needs an `assignee:` role"),
                );
                return None;
            };
            let actions = match node.get("actions") {
                Some(actions) => self.actions(actions, name, ctx),
                None => Vec::new(),
            };
            StepKind::Task { assignee, actions }
        } else if let Some(routes) = raw.decide {
            let mut compiled = Vec::new();
            for (i, route) in routes.into_iter().enumerate() {
                let pos = node
                    .get("decide")
                    .and_then(|d| d.items().get(i))
                    .map(|n| n.key_pos("when"))
                    .unwrap_or(node.pos);
                match Expr::compile(&route.when, &scope, Expect::Bool, None) {
                    Ok(expr) => compiled.push((expr, route.to)),
                    Err(msg) => self.error(pos, format!("step `{name}`: {msg}")),
                }
            }
            let Some(otherwise) = raw.otherwise else {
                self.error(
                    node.pos,
                    format!("decision step `{name}` needs `otherwise:` (the default route)"),
                );
                return None;
            };
            StepKind::Decision {
                routes: compiled,
                otherwise,
            }
        } else if let Some(branches) = raw.parallel {
            let Some(then) = raw.then else {
                self.error(
                    node.pos,
                    format!("parallel step `{name}` needs `then:` (where the branches join)"),
                );
                return None;
            };
            if branches.len() < 2 {
                self.error(
                    node.key_pos("parallel"),
                    format!("parallel step `{name}` needs at least two branches"),
                );
            }
            StepKind::Parallel { branches, then }
        } else if let Some(outcome) = raw.end.clone() {
            let notify = self.notify_list(node.get("notify"), name, ctx);
            StepKind::End { outcome, notify }
        } else {
            let Some(to) = raw.to else {
                self.error(node.pos, format!("automatic step `{name}` needs `to:`"));
                return None;
            };
            let set = self.assignments(node.get("set"), name, ctx);
            let notify = self.notify_list(node.get("notify"), name, ctx);
            let number = self.numbering(name, raw.number.clone(), node, ctx);
            StepKind::Automatic {
                set,
                notify,
                to,
                number,
            }
        };
        let escalate_when = raw.escalate_when.as_ref().and_then(|source| {
            match Expr::compile(source, &scope, Expect::Bool, None) {
                Ok(expr) => Some(expr),
                Err(msg) => {
                    self.error(
                        node.key_pos("escalate_when"),
                        format!("step `{name}`: {msg}"),
                    );
                    None
                }
            }
        });
        let mut sla = raw.sla.and_then(|sla| match sla.parse() {
            Ok(sla) => Some(sla),
            Err(msg) => {
                self.error(node.key_pos("sla"), format!("step `{name}`: {msg}"));
                None
            }
        });
        if let Some(field) = &raw.wait_until {
            if !matches!(
                ctx.fields.get(field),
                Some(FieldType::Date | FieldType::DateTime)
            ) {
                self.error(
                    node.key_pos("wait_until"),
                    format!("step `{name}`: wait_until `{field}` must be a date or datetime field"),
                );
            }
        }
        let wait_for = raw.wait_for.and_then(|wait| {
            if !matches!(step_kind, StepKind::Task { .. }) {
                self.error(node.key_pos("wait_for"), format!("step `{name}`: `wait_for` belongs on a task step (someone watches while the case waits)"));
                return None;
            }
            match Expr::compile(&wait.when, &scope, Expect::Bool, None) {
                Ok(when) => Some(WaitFor { when, to: wait.to }),
                Err(msg) => {
                    self.error(node.key_pos("wait_for"), format!("step `{name}`: {msg}"));
                    None
                }
            }
        });
        for role in &raw.not {
            if !ctx.roles.contains_key(role) {
                let pos = node
                    .get("not")
                    .and_then(|n| n.find_scalar(role))
                    .unwrap_or(node.pos);
                self.error(
                    pos,
                    format!(
                        "step `{name}`: unknown role `{role}` in `not:`{}",
                        suggest(role, ctx.roles.keys())
                    ),
                );
            }
        }
        let timing = self.step_timing(name, node, raw_timing, &step_kind, sla.as_mut(), ctx);
        Some(Step {
            name: name.to_string(),
            title: raw.title,
            kind: step_kind,
            not: raw.not,
            escalate_when,
            sla,
            wait_until: raw.wait_until,
            wait_for,
            timing,
        })
    }

    fn actions(&mut self, node: &Node, step: &str, ctx: &Names) -> Vec<Action> {
        let mut actions = Vec::new();
        for (key, value) in node.entries() {
            let name = key.as_str().unwrap_or_default().to_string();
            let raw: RawAction = if value.is_null() {
                RawAction {
                    title: None,
                    to: None,
                    requires: vec![],
                    set: None,
                    notify: None,
                    check: None,
                    by: None,
                    number: BTreeMap::new(),
                }
            } else {
                match value.deserialize() {
                    Ok(raw) => raw,
                    Err((pos, msg)) => {
                        self.error(pos, format!("step `{step}`, action `{name}`: {msg}"));
                        continue;
                    }
                }
            };
            let mut requires = Vec::new();
            for requirement in &raw.requires {
                if requirement == "comment" {
                    requires.push(Requirement::Comment);
                } else if requirement == "checklist" {
                    requires.push(Requirement::Checklist);
                } else if ctx.fields.contains_key(requirement) {
                    requires.push(Requirement::Field(requirement.clone()));
                } else if ctx.documents.contains_key(requirement) {
                    requires.push(Requirement::Document(requirement.clone()));
                } else {
                    let pos = value
                        .get("requires")
                        .and_then(|n| n.find_scalar(requirement))
                        .unwrap_or(value.pos);
                    let known: Vec<String> = ctx
                        .fields
                        .keys()
                        .chain(ctx.documents.keys())
                        .cloned()
                        .collect();
                    self.error(pos, format!("action `{name}` requires `{requirement}`, which is not a field, a document kind, `comment` or `checklist`{}", suggest(requirement, known.iter())));
                }
            }
            let set = self.assignments(value.get("set"), step, ctx);
            let notify = self.notify_list(value.get("notify"), step, ctx);
            let check = raw.check.and_then(|check| {
                let scope = Scope {
                    fields: ctx.fields,
                    constants: ctx.constants,
                };
                match Expr::compile(&check.that, &scope, Expect::Bool, None) {
                    Ok(that) => Some(Check {
                        that,
                        message: check.message,
                    }),
                    Err(msg) => {
                        self.error(value.key_pos("check"), format!("action `{name}`: {msg}"));
                        None
                    }
                }
            });
            if let Some(by) = &raw.by {
                if !ctx.roles.contains_key(by) {
                    self.error(
                        value.key_pos("by"),
                        format!(
                            "action `{name}`: unknown role `{by}`{}",
                            suggest(by, ctx.roles.keys())
                        ),
                    );
                }
            }
            let number = self.numbering(&name, raw.number, value, ctx);
            actions.push(Action {
                name,
                title: raw.title,
                to: raw.to,
                requires,
                set,
                notify,
                check,
                by: raw.by,
                number,
            });
        }
        actions
    }

    fn assignments(&mut self, node: Option<&Node>, step: &str, ctx: &Names) -> Vec<Assignment> {
        let mut out = Vec::new();
        for (key, value) in node.map(Node::entries).unwrap_or_default() {
            let field = key.as_str().unwrap_or_default().to_string();
            let Some(ty) = ctx.fields.get(&field) else {
                self.error(
                    key.pos,
                    format!(
                        "step `{step}`: `set` names unknown field `{field}`{}",
                        suggest(&field, ctx.fields.keys())
                    ),
                );
                continue;
            };
            let text = value.as_str().unwrap_or_default();
            let assigned = if let Some(source) = text.strip_prefix('=') {
                let scope = Scope {
                    fields: ctx.fields,
                    constants: ctx.constants,
                };
                Expr::compile(source.trim(), &scope, Expect::Field, Some(ty)).map(SetValue::Expr)
            } else {
                let json = serde_json::to_value(value.to_value()).unwrap_or_default();
                Value::from_json(ty, &json)
                    .map(SetValue::Literal)
                    .map_err(|e| format!("`{field}`: {e}"))
            };
            match assigned {
                Ok(value) => out.push(Assignment { field, value }),
                Err(msg) => self.error(value.pos, format!("step `{step}`: {msg}")),
            }
        }
        out
    }

    /// `notify: [requester: rejected, { to: customer, template: reply, cc: [finance] }]`
    fn notify_list(&mut self, node: Option<&Node>, step: &str, ctx: &Names) -> Vec<Notify> {
        let mut out = Vec::new();
        for item in node.map(Node::items).unwrap_or_default() {
            let notify = match item.entries() {
                [(role, template)] => Some(Notify {
                    to: role.as_str().unwrap_or_default().to_string(),
                    template: template.as_str().unwrap_or_default().to_string(),
                    cc: vec![],
                }),
                _ => match item.deserialize::<RawNotify>() {
                    Ok(raw) => Some(Notify {
                        to: raw.to,
                        template: raw.template,
                        cc: raw.cc,
                    }),
                    Err((pos, msg)) => {
                        self.error(pos, format!("step `{step}`: notify entries are `role: template` or {{ to, template, cc }}: {msg}"));
                        None
                    }
                },
            };
            if let Some(notify) = notify {
                for role in std::iter::once(&notify.to).chain(notify.cc.iter()) {
                    if !ctx.roles.contains_key(role) && role != "assignee" && role != "supervisor" {
                        let pos = item
                            .find_scalar(role)
                            .or_else(|| item.find_key(role))
                            .unwrap_or(item.pos);
                        self.error(
                            pos,
                            format!(
                                "step `{step}`: notify names unknown role `{role}`{}",
                                suggest(role, ctx.roles.keys())
                            ),
                        );
                    }
                }
                if notify.template.is_empty()
                    || !notify
                        .template
                        .chars()
                        .all(|c| c.is_alphanumeric() || c == '_' || c == '-')
                {
                    self.error(
                        item.pos,
                        format!(
                            "step `{step}`: template name `{}` must be letters, digits, `_` or `-`",
                            notify.template
                        ),
                    );
                }
                out.push(notify);
            }
        }
        out
    }

    /// Every name a definition uses must exist.
    fn references(&mut self, def: &Definition, root: &Node) {
        let steps_node = root.get("steps");
        let step_names: Vec<String> = def.steps.iter().map(|s| s.name.clone()).collect();
        let step_pos = |step: &str| steps_node.map(|n| n.key_pos(step)).unwrap_or(root.pos);
        let check_step = |loader: &mut Self, from: &str, target: &str| {
            if def.step(target).is_none() {
                let pos = steps_node
                    .and_then(|n| n.get(from))
                    .and_then(|n| n.find_scalar(target))
                    .unwrap_or_else(|| step_pos(from));
                loader.error(
                    pos,
                    format!(
                        "step `{from}` goes to unknown step `{target}`{}",
                        suggest(target, step_names.iter())
                    ),
                );
            }
        };
        if def.step(&def.start).is_none() {
            let pos = root.get("start").map(|n| n.pos).unwrap_or(root.pos);
            self.error(
                pos,
                format!(
                    "start step `{}` is not declared{}",
                    def.start,
                    suggest(&def.start, step_names.iter())
                ),
            );
        }
        for step in &def.steps {
            for target in successors(step) {
                check_step(self, &step.name, &target);
            }
            if let StepKind::Task { assignee, .. } = &step.kind {
                match def.roles.get(assignee) {
                    Some(Role::Email(_)) => self.error(step_pos(&step.name), format!("step `{}`: assignee `{assignee}` is an e-mail address, not a person who can act", step.name)),
                    Some(_) => {}
                    None => {
                        let pos = steps_node.and_then(|n| n.get(&step.name)).map(|n| n.get("assignee").map(|a| a.pos).unwrap_or(n.pos)).unwrap_or(root.pos);
                        self.error(pos, format!("step `{}`: unknown role `{assignee}`{}", step.name, suggest(assignee, def.roles.keys())));
                    }
                }
            }
        }
        for action in &def.anytime {
            if let Some(to) = &action.to {
                if def.step(to).is_none() {
                    let pos = root
                        .get("anytime")
                        .and_then(|n| n.find_scalar(to))
                        .unwrap_or(root.pos);
                    let names: Vec<String> = def.steps.iter().map(|s| s.name.clone()).collect();
                    self.error(
                        pos,
                        format!(
                            "anytime action `{}` goes to unknown step `{to}`{}",
                            action.name,
                            suggest(to, names.iter())
                        ),
                    );
                }
            }
        }
    }

    /// Reachability, a way to an end from every step, and branches that join.
    fn graph(&mut self, def: &Definition, root: &Node) {
        if def.step(&def.start).is_none() || !self.problems.is_empty() {
            return;
        }
        let steps_node = root.get("steps");
        let pos = |step: &str| steps_node.map(|n| n.key_pos(step)).unwrap_or(root.pos);
        let branch_of = branch_membership(def);
        let edges = |step: &Step| -> Vec<String> {
            let mut next = successors(step);
            if let Some(owner) = branch_of.get(step.name.as_str()) {
                if finishes_branch(step) {
                    if let Some(StepKind::Parallel { then, .. }) = def.step(owner).map(|s| &s.kind)
                    {
                        next.push(then.clone());
                    }
                }
            }
            for action in &def.anytime {
                if let (Some(to), StepKind::Task { .. }) = (&action.to, &step.kind) {
                    next.push(to.clone());
                }
            }
            next
        };
        let reachable = walk(def, &def.start, &edges);
        for step in &def.steps {
            if !reachable.contains(step.name.as_str()) {
                self.error(
                    pos(&step.name),
                    format!(
                        "step `{}` is unreachable from the start step `{}`",
                        step.name, def.start
                    ),
                );
            }
        }
        let mut can_end: BTreeSet<String> = def
            .steps
            .iter()
            .filter(|s| matches!(s.kind, StepKind::End { .. }))
            .map(|s| s.name.clone())
            .collect();
        loop {
            let before = can_end.len();
            for step in &def.steps {
                if edges(step).iter().any(|n| can_end.contains(n)) {
                    can_end.insert(step.name.clone());
                }
            }
            if can_end.len() == before {
                break;
            }
        }
        for step in &def.steps {
            if !can_end.contains(&step.name) {
                self.error(
                    pos(&step.name),
                    format!("step `{}` has no way to an end step", step.name),
                );
            }
        }
        for step in &def.steps {
            if let StepKind::Parallel { branches, .. } = &step.kind {
                for branch in branches {
                    let inside = walk(def, branch, &|s: &Step| successors(s));
                    let joins = inside
                        .iter()
                        .filter_map(|n| def.step(n))
                        .any(finishes_branch);
                    if !joins {
                        let at = steps_node
                            .and_then(|n| n.get(&step.name))
                            .and_then(|n| n.find_scalar(branch))
                            .unwrap_or_else(|| pos(&step.name));
                        self.error(at, format!("parallel branch `{branch}` of `{}` never joins: give one of its steps an action without `to:`", step.name));
                    }
                }
            }
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawNotify {
    to: String,
    template: String,
    #[serde(default)]
    cc: Vec<String>,
}

struct Names<'a> {
    fields: &'a BTreeMap<String, FieldType>,
    constants: &'a BTreeMap<String, Value>,
    roles: &'a BTreeMap<String, Role>,
    documents: &'a BTreeMap<String, Document>,
    sequences: &'a BTreeMap<String, Sequence>,
}

fn field_type(name: &str, values: &[String]) -> Result<FieldType, String> {
    let ty = match name {
        "text" => FieldType::Text,
        "integer" => FieldType::Integer,
        "money" => FieldType::Money,
        "date" => FieldType::Date,
        "datetime" => FieldType::DateTime,
        "bool" => FieldType::Bool,
        "email" => FieldType::Email,
        "person" => FieldType::Person,
        "list" => FieldType::List,
        "lines" => FieldType::Lines,
        "enum" => {
            if values.is_empty() {
                return Err("an enum needs `values: [...]`".into());
            }
            FieldType::Enum(values.to_vec())
        }
        other => {
            let known: Vec<String> = [
                "text", "integer", "money", "date", "datetime", "bool", "enum", "email", "person",
                "list", "lines",
            ]
            .iter()
            .map(|s| s.to_string())
            .collect();
            return Err(format!(
                "unknown type `{other}`{}",
                suggest(other, known.iter())
            ));
        }
    };
    if !values.is_empty() && !matches!(ty, FieldType::Enum(_)) {
        return Err("`values` only applies to enum fields".into());
    }
    Ok(ty)
}

/// Does following `supervisor_of` from `start` come back to a role already seen?
fn supervisor_loop(roles: &BTreeMap<String, Role>, start: &str) -> bool {
    let mut seen = BTreeSet::from([start.to_string()]);
    let mut current = start.to_string();
    while let Some(Role::SupervisorOf(next)) = roles.get(&current) {
        if !seen.insert(next.clone()) {
            return true;
        }
        current = next.clone();
    }
    false
}

/// Steps a step can move the case to directly.
pub(crate) fn successors(step: &Step) -> Vec<String> {
    match &step.kind {
        StepKind::Task { actions, .. } => actions
            .iter()
            .filter_map(|a| a.to.clone())
            .chain(step.wait_for.as_ref().map(|w| w.to.clone()))
            .chain(step.timing.timeout.as_ref().map(|t| t.to.clone()))
            .collect(),
        StepKind::Decision { routes, otherwise } => routes
            .iter()
            .map(|(_, to)| to.clone())
            .chain(std::iter::once(otherwise.clone()))
            .collect(),
        StepKind::Automatic { to, .. } => vec![to.clone()],
        StepKind::Parallel { branches, then } => branches
            .iter()
            .cloned()
            .chain(std::iter::once(then.clone()))
            .collect(),
        StepKind::End { .. } => vec![],
    }
}

/// A task step with an action that has no `to:` finishes its parallel branch.
fn finishes_branch(step: &Step) -> bool {
    matches!(&step.kind, StepKind::Task { actions, .. } if actions.iter().any(|a| a.to.is_none()))
}

/// For each step inside a parallel branch, the parallel step that owns the branch.
fn branch_membership(def: &Definition) -> BTreeMap<&str, &str> {
    let mut owner = BTreeMap::new();
    for step in &def.steps {
        if let StepKind::Parallel { branches, then } = &step.kind {
            for branch in branches {
                for inside in walk(def, branch, &|s: &Step| {
                    successors(s).into_iter().filter(|n| n != then).collect()
                }) {
                    if let Some(s) = def.step(inside) {
                        owner.entry(s.name.as_str()).or_insert(step.name.as_str());
                    }
                }
            }
        }
    }
    owner
}

fn walk<'d>(
    def: &'d Definition,
    from: &str,
    edges: &dyn Fn(&Step) -> Vec<String>,
) -> BTreeSet<&'d str> {
    let mut seen = BTreeSet::new();
    let mut queue = VecDeque::from([from.to_string()]);
    while let Some(name) = queue.pop_front() {
        let Some(step) = def.step(&name) else {
            continue;
        };
        if seen.insert(step.name.as_str()) {
            queue.extend(edges(step));
        }
    }
    seen
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINI: &str = "process: mini\nid_prefix: MIN\nfields:\n  amount: { type: money, required: true }\nroles:\n  requester: { from: opener }\n  manager: { supervisor_of: requester }\nstart: review\nsteps:\n  review:\n    assignee: manager\n    actions:\n      approve: { to: done }\n  done: { end: approved }\n";

    #[test]
    fn loads_a_minimal_process() {
        let def = load("mini.yaml", MINI, None).unwrap();
        assert_eq!(def.start, "review");
        assert_eq!(def.outcomes(), vec!["approved"]);
    }

    #[test]
    fn role_loops_are_errors_not_hangs() {
        let src = MINI.replace(
            "manager: { supervisor_of: requester }",
            "manager: { supervisor_of: boss }\n  boss: { supervisor_of: manager }",
        );
        let errs = load("mini.yaml", &src, None).unwrap_err();
        assert!(errs.iter().any(|e| e.message.contains("loop")), "{errs:?}");
    }

    #[test]
    fn reports_several_errors_with_positions() {
        let src = MINI
            .replace("to: done", "to: dne")
            .replace("assignee: manager", "assignee: manger");
        let errs = load("mini.yaml", &src, None).unwrap_err();
        let text: Vec<String> = errs.iter().map(|e| e.to_string()).collect();
        assert_eq!(
            text,
            vec![
                "mini.yaml:11:15: step `review`: unknown role `manger`; did you mean `manager`?",
                "mini.yaml:13:22: step `review` goes to unknown step `dne`; did you mean `done`?",
            ]
        );
    }
}
