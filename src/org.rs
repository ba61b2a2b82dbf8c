//! The organisation: people, their supervisors and groups, from `org.yaml`.
//!
//! The shape is a contract users' files rely on:
//! ```yaml
//! people:
//!   alice: { name: Alice Smith, email: alice@example.com, supervisor: maria, groups: [staff] }
//! ```
//! A group exists when someone is in it. The group `admins` may act on any case (audited).

use std::collections::{BTreeMap, BTreeSet};

use serde::Deserialize;

use crate::definition::yaml::{self, Diagnostic, Pos};

/// The group whose members may act anywhere.
pub const ADMINS: &str = "admins";

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Person {
    pub name: String,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub supervisor: Option<String>,
    #[serde(default)]
    pub groups: Vec<String>,
    /// Preferred language for notifications (`en`, `es`, `pl`, ...).
    #[serde(default)]
    pub locale: Option<String>,
    /// The operating-system account of this person (used by team workspaces).
    #[serde(default)]
    pub os_user: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct Org {
    pub people: BTreeMap<String, Person>,
    /// Business calendars (Mon–Fri 09:00–17:00 UTC when org.yaml declares none).
    pub calendars: crate::calendar::Calendars,
}

impl Org {
    /// Load and validate `org.yaml`; every problem is reported with its position.
    pub fn load(file: &str, source: &str) -> Result<Org, Vec<Diagnostic>> {
        let (root, mut problems) = yaml::parse(file, source).map_err(|d| vec![d])?;
        let diag = |pos: Pos, message: String| Diagnostic {
            file: file.to_string(),
            pos,
            message,
        };
        for (key, _) in root.entries() {
            if !matches!(key.as_str(), Some("people" | "calendars")) {
                problems.push(diag(
                    key.pos,
                    format!(
                        "unknown key `{}`; org.yaml has `people` and `calendars`",
                        key.as_str().unwrap_or("")
                    ),
                ));
            }
        }
        let mut org = Org::default();
        if let Some(node) = root.get("calendars") {
            match crate::calendar::load(node) {
                Ok(calendars) => org.calendars = calendars,
                Err(found) => problems.extend(found.into_iter().map(|(pos, m)| diag(pos, m))),
            }
        }
        let Some(people) = root.get("people") else {
            problems.push(diag(root.pos, "org.yaml needs a `people:` mapping".into()));
            return Err(problems);
        };
        for (id_node, person_node) in people.entries() {
            let id = id_node.as_str().unwrap_or_default().to_string();
            match person_node.deserialize::<Person>() {
                Ok(person) => {
                    if let Some(email) = &person.email {
                        if !crate::value::is_email(email) {
                            problems.push(diag(
                                person_node.find_scalar(email).unwrap_or(person_node.pos),
                                format!("{id}: {email:?} is not an e-mail address"),
                            ));
                        }
                    }
                    org.people.insert(id, person);
                }
                Err((pos, message)) => {
                    problems.push(diag(pos, format!("person `{id}`: {message}")))
                }
            }
        }
        for (id_node, person_node) in people.entries() {
            let id = id_node.as_str().unwrap_or_default();
            let Some(person) = org.people.get(id) else {
                continue;
            };
            if let Some(sup) = &person.supervisor {
                let pos = person_node
                    .get("supervisor")
                    .map(|n| n.pos)
                    .unwrap_or(person_node.pos);
                if !org.people.contains_key(sup) {
                    problems.push(diag(
                        pos,
                        format!(
                            "{id}: supervisor `{sup}` is not a person in org.yaml{}",
                            suggest(sup, org.people.keys())
                        ),
                    ));
                } else if org.supervisor_chain_loops(id) {
                    problems.push(diag(
                        pos,
                        format!("{id}: supervisors form a loop through `{sup}`"),
                    ));
                }
            }
        }
        if problems.is_empty() {
            Ok(org)
        } else {
            Err(problems)
        }
    }

    fn supervisor_chain_loops(&self, start: &str) -> bool {
        let mut seen = BTreeSet::new();
        let mut current = start.to_string();
        while let Some(next) = self.people.get(&current).and_then(|p| p.supervisor.clone()) {
            if !seen.insert(next.clone()) || next == start {
                return true;
            }
            current = next;
        }
        false
    }

    pub fn person(&self, id: &str) -> Option<&Person> {
        self.people.get(id)
    }

    pub fn supervisor_of(&self, id: &str) -> Option<&str> {
        self.people.get(id).and_then(|p| p.supervisor.as_deref())
    }

    pub fn is_member(&self, person: &str, group: &str) -> bool {
        self.people
            .get(person)
            .is_some_and(|p| p.groups.iter().any(|g| g == group))
    }

    pub fn is_admin(&self, person: &str) -> bool {
        self.is_member(person, ADMINS)
    }

    /// Members of a group, in id order.
    pub fn members(&self, group: &str) -> Vec<&str> {
        self.people
            .iter()
            .filter(|(_, p)| p.groups.iter().any(|g| g == group))
            .map(|(id, _)| id.as_str())
            .collect()
    }

    pub fn groups(&self) -> BTreeSet<&str> {
        self.people
            .values()
            .flat_map(|p| p.groups.iter().map(String::as_str))
            .collect()
    }

    pub fn group_exists(&self, group: &str) -> bool {
        self.people
            .values()
            .any(|p| p.groups.iter().any(|g| g == group))
    }

    /// Is `boss` above `person` in the supervisor chain?
    pub fn is_above(&self, boss: &str, person: &str) -> bool {
        let mut current = person;
        for _ in 0..self.people.len() {
            match self.supervisor_of(current) {
                Some(sup) if sup == boss => return true,
                Some(sup) => current = sup,
                None => return false,
            }
        }
        false
    }

    /// Find a person by id, e-mail or full name (case-insensitive), as imports need.
    pub fn find_person(&self, text: &str) -> Option<&str> {
        let text = text.trim();
        if let Some((id, _)) = self.people.get_key_value(text) {
            return Some(id);
        }
        self.people
            .iter()
            .find(|(_, p)| {
                p.email
                    .as_deref()
                    .is_some_and(|e| e.eq_ignore_ascii_case(text))
                    || p.name.to_lowercase() == text.to_lowercase()
            })
            .map(|(id, _)| id.as_str())
    }

    pub fn display_name(&self, id: &str) -> String {
        self.people
            .get(id)
            .map(|p| p.name.clone())
            .unwrap_or_else(|| id.to_string())
    }
}

/// ", did you mean `x`?" when a close candidate exists.
pub fn suggest<'a>(wrong: &str, candidates: impl IntoIterator<Item = &'a String>) -> String {
    candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(wrong, c), c))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| format!("; did you mean `{c}`?"))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    const ORG: &str = "people:\n  alice: { name: Alice, email: alice@example.com, supervisor: maria, groups: [staff] }\n  maria: { name: Maria, supervisor: dmitri, groups: [managers] }\n  dmitri: { name: Dmitri, groups: [directors, admins] }\n";

    #[test]
    fn loads_and_answers() {
        let org = Org::load("org.yaml", ORG).unwrap();
        assert_eq!(org.supervisor_of("alice"), Some("maria"));
        assert!(org.is_above("dmitri", "alice"));
        assert!(org.is_admin("dmitri"));
        assert_eq!(org.members("staff"), vec!["alice"]);
        assert_eq!(org.find_person("ALICE@example.com"), Some("alice"));
    }

    #[test]
    fn unknown_supervisor_has_position_and_suggestion() {
        let src =
            "people:\n  alice: { name: Alice, supervisor: mario }\n  maria: { name: Maria }\n";
        let errs = Org::load("org.yaml", src).unwrap_err();
        assert_eq!(errs[0].to_string(), "org.yaml:2:37: alice: supervisor `mario` is not a person in org.yaml; did you mean `maria`?");
    }

    #[test]
    fn unknown_key_is_an_error() {
        let src = "people:\n  alice: { name: Alice, mail: a@b.c }\n";
        let errs = Org::load("org.yaml", src).unwrap_err();
        assert!(
            errs[0]
                .to_string()
                .starts_with("org.yaml:2:25: person `alice`: unknown field `mail`"),
            "{}",
            errs[0]
        );
    }
}
