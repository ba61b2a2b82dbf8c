//! `workload`: per person, the tasks open now, the actions they took in the window and the
//! cases they were involved in (any event of theirs).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::{Chart, ChartKind, Report, Window};
use crate::engine::{Assignee, CaseState};
use crate::sheets::write::Out;
use crate::store::EventRow;

/// Event kinds that count as handling a case.
const HANDLED: [&str; 5] = ["acted", "answered", "subtask_done", "assigned", "escalated"];

#[derive(Default)]
struct Person {
    open: i64,
    handled: i64,
    cases: BTreeSet<String>,
}

pub struct Workload {
    window: Window,
    only: Option<String>,
    names: HashMap<String, String>,
    people: BTreeMap<String, Person>,
}

impl Workload {
    /// `names`: person id to full name (org.yaml); `only`: `--employee`.
    pub fn new(window: Window, only: Option<String>, names: HashMap<String, String>) -> Workload {
        Workload {
            window,
            only,
            names,
            people: BTreeMap::new(),
        }
    }

    fn person(&mut self, id: &str) -> Option<&mut Person> {
        if self.only.as_deref().is_some_and(|o| o != id) || !self.names.contains_key(id) {
            return None;
        }
        Some(self.people.entry(id.to_string()).or_default())
    }

    pub fn case(&mut self, case: &CaseState) {
        let assigned = case
            .tasks
            .iter()
            .map(|t| &t.assignee)
            .chain(case.side_tasks.iter().map(|s| &s.assignee));
        let people: Vec<String> = assigned
            .filter_map(|a| match a {
                Assignee::Person(p) => Some(p.clone()),
                Assignee::Group(_) => None,
            })
            .collect();
        for p in people {
            if let Some(person) = self.person(&p) {
                person.open += 1;
            }
        }
    }

    pub fn event(&mut self, case: &str, event: &EventRow) {
        let Some(at) = crate::time::parse_timestamp(&event.at) else {
            return;
        };
        if !self.window.contains(at) {
            return;
        }
        let handled = HANDLED.contains(&event.kind.as_str());
        if let Some(person) = self.person(&event.actor) {
            person.cases.insert(case.to_string());
            if handled {
                person.handled += 1;
            }
        }
    }

    pub fn finish(self) -> Report {
        let rows = self
            .people
            .iter()
            .map(|(id, p)| {
                vec![
                    Out::text(id),
                    Out::text(self.names.get(id).cloned().unwrap_or_default()),
                    Out::Int(p.open),
                    Out::Int(p.handled),
                    Out::Int(p.cases.len() as i64),
                ]
            })
            .collect();
        Report {
            kind: "workload",
            title: "Workload per person".into(),
            headers: ["person", "name", "open now", "handled", "cases involved"]
                .map(String::from)
                .to_vec(),
            rows,
            chart: Some(Chart {
                kind: ChartKind::Bar,
                title: "Open tasks and actions per person".into(),
                categories: 1,
                series: vec![2, 3],
            }),
        }
    }
}
