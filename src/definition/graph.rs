//! Pictures of a process: a Mermaid flowchart, a Graphviz DOT graph and a Markdown section.
//!
//! These are pure functions from a [`Definition`] to text, with no I/O: `caseflow graph`,
//! the generated `docs/processes.md` and the tests all draw the same picture, and a picture
//! can be tested without files, a workspace or a renderer.
//!
//! Both diagram formats are rendered from one intermediate [`Graph`] (nodes with a shape and
//! label lines, edges with an optional label), built in [`graph`]. That function matches on
//! every [`StepKind`] without a catch-all arm, so a new kind of step does not compile until
//! it is drawn; the renderers only know shapes and need no change unless a new shape is
//! added. All text from the definition is escaped for the target format, so titles and CEL
//! conditions (`"`, `<`, `&&`, `||`, `#`) never break the output.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use super::{Definition, Role, Step, StepKind};
use crate::value::FieldType;

// ---- the graph, independent of the output format ------------------------------------------

/// How a node is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    /// Where a new case begins.
    Start,
    /// A task step: people act.
    Task,
    /// A decision step: routes on the fields.
    Decision,
    /// An automatic step: sets fields, notifies, moves on.
    Automatic,
    /// A parallel step: the branches start here.
    Fork,
    /// Where the branches of a parallel step join (its `then` follows).
    Join,
    /// An end step: the case closes with an outcome.
    End,
    /// Stands for every open step, the source of the anytime actions.
    Anytime,
}

#[derive(Debug)]
struct Node {
    id: String,
    /// Label lines, unescaped.
    lines: Vec<String>,
    shape: Shape,
}

#[derive(Debug)]
struct Edge {
    from: String,
    to: String,
    /// Unescaped.
    label: Option<String>,
    dashed: bool,
}

#[derive(Debug, Default)]
struct Graph {
    nodes: Vec<Node>,
    edges: Vec<Edge>,
}

impl Graph {
    fn node(&mut self, id: &str, lines: Vec<String>, shape: Shape) {
        self.nodes.push(Node {
            id: id.to_string(),
            lines,
            shape,
        });
    }

    fn edge(&mut self, from: &str, to: &str, label: Option<&str>) {
        self.edges.push(Edge {
            from: from.to_string(),
            to: to.to_string(),
            label: label.map(str::to_string),
            dashed: false,
        });
    }

    fn dashed_edge(&mut self, from: &str, to: &str, label: &str) {
        self.edges.push(Edge {
            from: from.to_string(),
            to: to.to_string(),
            label: Some(label.to_string()),
            dashed: true,
        });
    }
}

const START_ID: &str = "start";
const ANYTIME_ID: &str = "anytime";

/// Node ids: `s_<step>` when the step name is a plain identifier, else `n<index>_<cleaned>`.
/// Neither form can collide with the other, with `start`, `anytime` or a `join_…` id; the
/// `s_`/`n` prefixes keep Mermaid keywords such as `end` out of the ids, and names holding a
/// [`MERMAID_TRIGGERS`] word take the second form with that word spelled apart.
struct Ids {
    steps: BTreeMap<String, String>,
}

impl Ids {
    fn new(def: &Definition) -> Ids {
        let steps = def
            .steps
            .iter()
            .enumerate()
            .map(|(index, step)| (step.name.clone(), step_id(index, &step.name)))
            .collect();
        Ids { steps }
    }

    fn step(&self, name: &str) -> String {
        // Validated definitions only name declared steps; an undeclared one still gets a
        // safe id (it then shows as a node without a shape).
        self.steps
            .get(name)
            .cloned()
            .unwrap_or_else(|| step_id(usize::MAX, name))
    }

    fn join(&self, parallel: &str) -> String {
        format!("join_{}", self.step(parallel))
    }
}

fn step_id(index: usize, name: &str) -> String {
    let plain = !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if plain
        && !MERMAID_TRIGGERS
            .iter()
            .any(|(word, ..)| name.contains(word))
    {
        format!("s_{name}")
    } else {
        let cleaned: String = name
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
            .collect();
        let cleaned = MERMAID_TRIGGERS
            .iter()
            .fold(cleaned, |text, (word, in_id, _)| text.replace(word, in_id));
        format!("n{index}_{cleaned}")
    }
}

/// The graph of a definition: a start marker, one node per step (two for a parallel step:
/// fork and join), an "any open step" node when there are anytime actions, and the edges.
fn graph(def: &Definition) -> Graph {
    let ids = Ids::new(def);
    let owners = branch_owners(def);
    let mut g = Graph::default();
    g.node(START_ID, vec!["start".into()], Shape::Start);
    g.edge(START_ID, &ids.step(&def.start), None);
    for step in &def.steps {
        let me = ids.step(&step.name);
        let title = step.title.clone().unwrap_or_else(|| step.name.clone());
        match &step.kind {
            StepKind::Task { assignee, actions } => {
                g.node(
                    &me,
                    vec![title, format!("assignee: {assignee}")],
                    Shape::Task,
                );
                for action in actions {
                    match &action.to {
                        Some(to) => g.edge(&me, &ids.step(to), Some(&action.name)),
                        // Without `to:`, an action finishes the branch it is in (an edge to
                        // the join), or outside a parallel leaves the case where it is.
                        None => match owners.get(step.name.as_str()) {
                            Some(parallels) => {
                                for parallel in parallels {
                                    g.edge(&me, &ids.join(parallel), Some(&action.name));
                                }
                            }
                            None => g.edge(&me, &me, Some(&action.name)),
                        },
                    }
                }
                if let Some(wait) = &step.wait_for {
                    let label = format!("when {}", wait.when.source);
                    g.edge(&me, &ids.step(&wait.to), Some(&label));
                }
                if let Some(timeout) = &step.timing.timeout {
                    let label =
                        format!("after {}", crate::definition::duration::text(timeout.after));
                    g.edge(&me, &ids.step(&timeout.to), Some(&label));
                }
            }
            StepKind::Decision { routes, otherwise } => {
                g.node(&me, vec![title], Shape::Decision);
                for (condition, to) in routes {
                    g.edge(&me, &ids.step(to), Some(&condition.source));
                }
                g.edge(&me, &ids.step(otherwise), Some("otherwise"));
            }
            StepKind::Automatic { to, .. } => {
                g.node(&me, vec![title], Shape::Automatic);
                let wait = match (&step.timing.wait, &step.wait_until) {
                    (Some(span), _) => Some(format!(
                        "after {}",
                        crate::definition::duration::text(*span)
                    )),
                    (None, Some(field)) => Some(format!("at {field}")),
                    _ => None,
                };
                g.edge(&me, &ids.step(to), wait.as_deref());
            }
            StepKind::Parallel { branches, then } => {
                let join = ids.join(&step.name);
                g.node(&me, vec![title.clone(), "in parallel".into()], Shape::Fork);
                g.node(&join, vec![title, "all branches done".into()], Shape::Join);
                for branch in branches {
                    g.edge(&me, &ids.step(branch), None);
                }
                g.edge(&join, &ids.step(then), None);
            }
            StepKind::End { outcome, .. } => {
                g.node(&me, vec![outcome.clone()], Shape::End);
            }
        }
    }
    if !def.anytime.is_empty() {
        g.node(ANYTIME_ID, vec!["any open step".into()], Shape::Anytime);
        for action in &def.anytime {
            let to = action
                .to
                .as_deref()
                .map_or_else(|| ANYTIME_ID.to_string(), |to| ids.step(to));
            g.dashed_edge(ANYTIME_ID, &to, &action.name);
        }
    }
    g
}

/// For each step inside a parallel branch, the parallel step(s) whose join its finishing
/// actions (those without `to:`) lead to: the innermost parallel, as the engine does.
fn branch_owners(def: &Definition) -> BTreeMap<&str, Vec<&str>> {
    let mut owners: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for parallel in &def.steps {
        let StepKind::Parallel { branches, then } = &parallel.kind else {
            continue;
        };
        let mut seen: BTreeSet<&str> = BTreeSet::new();
        let mut queue: Vec<&str> = branches.iter().map(String::as_str).collect();
        while let Some(name) = queue.pop() {
            if name == then || !seen.insert(name) {
                continue;
            }
            let Some(step) = def.step(name) else {
                continue;
            };
            let list = owners.entry(step.name.as_str()).or_default();
            if !list.contains(&parallel.name.as_str()) {
                list.push(parallel.name.as_str());
            }
            queue.extend(moves_within_branch(step));
        }
    }
    owners
}

/// Where a step inside a branch can move the case without leaving the branch. A nested
/// parallel's own branches belong to it, so only its `then` continues the outer branch.
fn moves_within_branch(step: &Step) -> Vec<&str> {
    match &step.kind {
        StepKind::Task { actions, .. } => actions
            .iter()
            .filter_map(|a| a.to.as_deref())
            .chain(step.wait_for.as_ref().map(|w| w.to.as_str()))
            .collect(),
        StepKind::Decision { routes, otherwise } => routes
            .iter()
            .map(|(_, to)| to.as_str())
            .chain(std::iter::once(otherwise.as_str()))
            .collect(),
        StepKind::Automatic { to, .. } => vec![to.as_str()],
        StepKind::Parallel { then, .. } => vec![then.as_str()],
        StepKind::End { .. } => Vec::new(),
    }
}

// ---- Mermaid ----------------------------------------------------------------------------

/// Before parsing, Mermaid rewrites any line containing `style…:…#…;` or `classDef…:…#…;`
/// (it drops the last `;`, which breaks an entity code such as `#quot;`), so neither word
/// may appear in an id or a label: (word, spelling in ids, spelling in labels).
const MERMAID_TRIGGERS: [(&str, &str, &str); 2] = [
    ("style", "s_tyle", "#115;tyle"),
    ("classDef", "class_Def", "#99;lassDef"),
];

/// A Mermaid `flowchart TD` of the process.
pub fn mermaid(def: &Definition) -> String {
    let g = graph(def);
    let mut out = String::from("flowchart TD\n");
    for node in &g.nodes {
        let label = node
            .lines
            .iter()
            .map(|l| mermaid_text(l))
            .collect::<Vec<_>>()
            .join("<br/>");
        let (open, close) = match node.shape {
            Shape::Start => ("((", "))"),
            Shape::Task => ("[", "]"),
            Shape::Decision => ("{", "}"),
            Shape::Automatic => ("[[", "]]"),
            Shape::Fork | Shape::Join => ("{{", "}}"),
            Shape::End => ("([", "])"),
            Shape::Anytime => ("(", ")"),
        };
        let _ = writeln!(out, "    {}{open}\"{label}\"{close}", node.id);
    }
    for edge in &g.edges {
        let arrow = if edge.dashed { "-.->" } else { "-->" };
        match &edge.label {
            Some(label) => {
                let _ = writeln!(
                    out,
                    "    {} {arrow}|\"{}\"| {}",
                    edge.from,
                    mermaid_text(label),
                    edge.to
                );
            }
            None => {
                let _ = writeln!(out, "    {} {arrow} {}", edge.from, edge.to);
            }
        }
    }
    out
}

/// Text for inside a `"…"` Mermaid label: quotes, HTML and Mermaid's own delimiters as
/// `#name;` / `#123;` entity codes, line breaks as spaces.
fn mermaid_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '"' => out.push_str("#quot;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            '&' => out.push_str("#amp;"),
            '#' => out.push_str("#35;"),
            '|' => out.push_str("#124;"),
            '`' => out.push_str("#96;"),
            '\n' | '\r' | '\t' => out.push(' '),
            c => out.push(c),
        }
    }
    // `%%{` would start a Mermaid directive wherever it is.
    let out = out.replace("%%", "#37;#37;");
    MERMAID_TRIGGERS
        .iter()
        .fold(out, |text, (word, _, in_label)| {
            text.replace(word, in_label)
        })
}

// ---- Graphviz DOT -------------------------------------------------------------------------

/// A Graphviz DOT `digraph` of the process (the same graph as [`mermaid`]).
pub fn dot(def: &Definition) -> String {
    let g = graph(def);
    let mut out = format!("digraph \"{}\" {{\n", dot_text(&def.name));
    out.push_str("    rankdir=TB;\n");
    out.push_str("    node [fontname=\"Helvetica\", fontsize=11];\n");
    out.push_str("    edge [fontname=\"Helvetica\", fontsize=10];\n");
    for node in &g.nodes {
        let label = node
            .lines
            .iter()
            .map(|l| dot_text(l))
            .collect::<Vec<_>>()
            .join("\\n");
        let shape = match node.shape {
            Shape::Start => "shape=circle",
            Shape::Task => "shape=box",
            Shape::Decision => "shape=diamond",
            Shape::Automatic => "shape=box, peripheries=2",
            Shape::Fork | Shape::Join => "shape=hexagon",
            Shape::End => "shape=box, style=rounded, peripheries=2",
            Shape::Anytime => "shape=box, style=\"rounded,dashed\"",
        };
        let _ = writeln!(
            out,
            "    \"{}\" [label=\"{label}\", {shape}];",
            dot_text(&node.id)
        );
    }
    for edge in &g.edges {
        let mut attributes = Vec::new();
        if let Some(label) = &edge.label {
            attributes.push(format!("label=\"{}\"", dot_text(label)));
        }
        if edge.dashed {
            attributes.push("style=dashed".to_string());
        }
        let attributes = if attributes.is_empty() {
            String::new()
        } else {
            format!(" [{}]", attributes.join(", "))
        };
        let _ = writeln!(
            out,
            "    \"{}\" -> \"{}\"{attributes};",
            dot_text(&edge.from),
            dot_text(&edge.to)
        );
    }
    out.push_str("}\n");
    out
}

/// Text for inside a `"…"` DOT string: backslashes and quotes escaped, line breaks as `\n`.
fn dot_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out
}

// ---- Markdown -----------------------------------------------------------------------------

/// The command that writes `docs/processes.md`, as the document itself says.
pub const DOCS_COMMAND: &str = "caseflow graph --format markdown processes/*.yaml";

/// A whole document: a `# Processes` header, a note that it is generated, an index of links
/// and one [`markdown`] section per `(definition, source)`, in the order given.
pub fn markdown_document(sections: &[(&Definition, &str)]) -> String {
    let mut out = String::from(
        "# Processes

",
    );
    let _ = writeln!(
        out,
        "Generated by `{DOCS_COMMAND}`; do not edit.
"
    );
    for (def, _) in sections {
        let _ = writeln!(
            out,
            "- [{}](#{}) ({})",
            md_text(&def.title),
            anchor(def),
            code(&def.name)
        );
    }
    for (def, source) in sections {
        out.push('\n');
        out.push_str(&markdown(def, source));
    }
    out
}

/// The anchor of a process's section in a generated document (process names are
/// lowercase letters, digits and `-`, so it is a safe id as it is).
pub fn anchor(def: &Definition) -> String {
    format!("process-{}", def.name)
}

/// One section of `docs/processes.md`: title, name and source, description, roles, fields,
/// documents and the Mermaid diagram. `source` is the file it was loaded from as the reader
/// should see it (e.g. `processes/expense-reimbursement.yaml`).
pub fn markdown(def: &Definition, source: &str) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "<a id=\"{}\"></a>\n", anchor(def));
    let _ = writeln!(out, "## {}\n", md_text(&def.title));
    let _ = writeln!(
        out,
        "Process {}, defined in {}; case ids look like {}.\n",
        code(&def.name),
        code(source),
        code(&format!("{}-YYYY-NNNN", def.id_prefix)),
    );
    if let Some(description) = def.description.as_deref().filter(|d| !d.trim().is_empty()) {
        for paragraph in paragraphs(description) {
            let _ = writeln!(out, "{paragraph}\n");
        }
    }

    out.push_str("### Roles\n\n");
    if def.roles.is_empty() {
        out.push_str("None.\n\n");
    } else {
        out.push_str("| role | who |\n|---|---|\n");
        for (name, role) in &def.roles {
            let _ = writeln!(
                out,
                "| {} | {} |",
                cell(&code(name)),
                cell(&role_text(role))
            );
        }
        out.push('\n');
    }

    out.push_str("### Fields\n\n");
    if def.fields.is_empty() {
        out.push_str("None.\n\n");
    } else {
        out.push_str("| field | type | required | default | description | computed |\n");
        out.push_str("|---|---|---|---|---|---|\n");
        for field in &def.fields {
            let ty = match &field.ty {
                FieldType::Enum(values) => format!(
                    "enum: {}",
                    values
                        .iter()
                        .map(|v| code(v))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                other => other.name().to_string(),
            };
            let ty = match &field.pattern {
                Some(pattern) => format!("{ty} matching {}", code(&pattern.source)),
                None => ty,
            };
            let description = [field.title.as_deref(), field.help.as_deref()]
                .into_iter()
                .flatten()
                .map(md_text)
                .collect::<Vec<_>>()
                .join(" — ");
            let computed = match (&field.sum_of, &field.compute, &field.instalments) {
                (Some(lines), _, _) => format!("sum of {}", code(lines)),
                (None, Some(expr), _) => code(&expr.source),
                (None, None, Some(plan)) => format!(
                    "instalments of {} in {}, from {}",
                    code(&plan.total),
                    code(&plan.count),
                    code(&plan.first_due)
                ),
                (None, None, None) => String::new(),
            };
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} |",
                cell(&code(&field.name)),
                cell(&ty),
                if field.required { "yes" } else { "" },
                cell(
                    &field
                        .default
                        .as_ref()
                        .map(|v| code(&v.to_string()))
                        .unwrap_or_default()
                ),
                cell(&description),
                cell(&computed),
            );
        }
        out.push('\n');
    }

    out.push_str("### Documents\n\n");
    if def.documents.is_empty() {
        out.push_str("None.\n\n");
    } else {
        out.push_str("| kind | title | on the checklist |\n|---|---|---|\n");
        for (kind, document) in &def.documents {
            let checklist = match (&document.required, &document.required_when) {
                (true, _) => "always".to_string(),
                (false, Some(when)) => format!("when {}", code(&when.source)),
                (false, None) => String::new(),
            };
            let _ = writeln!(
                out,
                "| {} | {} | {} |",
                cell(&code(kind)),
                cell(&md_text(&document.title)),
                cell(&checklist)
            );
        }
        out.push('\n');
    }

    out.push_str("### Flow\n\n```mermaid\n");
    out.push_str(&mermaid(def));
    out.push_str("```\n");
    out
}

fn role_text(role: &Role) -> String {
    match role {
        Role::Opener => "whoever opened the case".into(),
        Role::SupervisorOf(other) => format!("the supervisor of {} (org.yaml)", code(other)),
        Role::Group(group) => format!("the members of group {} (org.yaml)", code(group)),
        Role::Person(person) => format!("person {} (org.yaml)", code(person)),
        Role::Field(field) => format!("the person in field {}", code(field)),
        Role::Email(field) => format!(
            "the e-mail address in field {} (notified, never acts)",
            code(field)
        ),
        Role::LeastLoaded(group) => format!(
            "the member of group {} with the fewest open tasks (org.yaml)",
            code(group)
        ),
        Role::Choose { routes, otherwise } => {
            let mut parts: Vec<String> = routes
                .iter()
                .map(|(when, role)| format!("{} when {}", code(role), code(&when.source)))
                .collect();
            parts.push(format!("otherwise {}", code(otherwise)));
            parts.join("; ")
        }
    }
}

/// Inline code that survives any content: a backtick fence longer than any run inside.
fn code(text: &str) -> String {
    let text = text.replace(['\n', '\r'], " ");
    let mut longest = 0;
    let mut run = 0;
    for c in text.chars() {
        if c == '`' {
            run += 1;
            longest = longest.max(run);
        } else {
            run = 0;
        }
    }
    let fence = "`".repeat(longest + 1);
    if text.starts_with('`') || text.ends_with('`') {
        format!("{fence} {text} {fence}")
    } else {
        format!("{fence}{text}{fence}")
    }
}

/// Plain text for inline Markdown: punctuation that could start markup backslash-escaped,
/// HTML as entities, line breaks as spaces (pipes are left to [`cell`]).
fn md_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '#' => {
                out.push('\\');
                out.push(c);
            }
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// A table cell: every pipe escaped (also inside code spans, as GFM tables require).
fn cell(text: &str) -> String {
    text.replace('|', "\\|")
}

/// The description as Markdown paragraphs (split at blank lines), none of which can turn
/// into a heading, list, quote or code block.
fn paragraphs(text: &str) -> Vec<String> {
    text.split("\n\n")
        .map(|p| p.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|p| !p.is_empty())
        .map(|p| {
            let escaped = md_text(&p);
            let digits = escaped.chars().take_while(char::is_ascii_digit).count();
            match escaped.chars().nth(digits) {
                Some('.' | ')') if digits > 0 => {
                    format!("{}\\{}", &escaped[..digits], &escaped[digits..])
                }
                Some('-' | '+' | '=' | '~') if digits == 0 => format!("\\{escaped}"),
                _ => escaped,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const EXAMPLE: &str = r#"process: leave-request
title: "Leave <request> & \"more\""
description: |
  Employees ask for days off.

  # not a heading
id_prefix: LVE
fields:
  days: { type: integer, required: true, title: "Days | total" }
  note: { type: text, compute: "'a`b' + string(days)" }
documents:
  medical_note: { title: Doctor's note }
roles:
  employee: { from: opener }
  manager: { supervisor_of: employee }
  hr: { group: hr }
start: review
steps:
  review:
    title: Manager "decides"
    assignee: manager
    actions:
      approve: { to: check }
      note: {}
  check:
    decide:
      - when: days > 5 && days < 10 || days == 1
        to: both
    otherwise: approved
  both:
    parallel: [hr_review, stamp]
    then: approved
  hr_review:
    assignee: hr
    actions:
      seen: {}
  stamp:
    set: { note: "= 'x'" }
    to: sign
  sign:
    assignee: employee
    actions:
      sign: {}
  approved: { end: approved }
  withdrawn: { end: withdrawn }
anytime:
  withdraw: { to: withdrawn }
  poke: {}
"#;

    fn example() -> Definition {
        match super::super::load("leave.yaml", EXAMPLE, None) {
            Ok(def) => def,
            Err(errors) => panic!("{errors:?}"),
        }
    }

    #[test]
    fn mermaid_escapes_what_would_break_a_label() {
        assert_eq!(
            mermaid_text(r#"a "b" <c> && d || e # f; `g`"#),
            "a #quot;b#quot; #lt;c#gt; #amp;#amp; d #124;#124; e #35; f; #96;g#96;"
        );
        assert_eq!(mermaid_text("two\nlines"), "two lines");
        assert_eq!(mermaid_text("50% %%{init}%%"), "50% #37;#37;{init}#37;#37;");
        assert_eq!(
            mermaid_text("lifestyle: x#y;"),
            "life#115;tyle: x#35;y;",
            "no `style…:…#…;` left for Mermaid's pre-processor"
        );
    }

    #[test]
    fn dot_escapes_quotes_backslashes_and_newlines() {
        assert_eq!(dot_text(r#"say "hi" \n"#), r#"say \"hi\" \\n"#);
        assert_eq!(dot_text("a\nb"), "a\\nb");
    }

    #[test]
    fn markdown_escapes_code_cells_and_text() {
        assert_eq!(code("a`b"), "``a`b``");
        assert_eq!(code("`x"), "`` `x ``");
        assert_eq!(cell("`a || b`"), "`a \\|\\| b`");
        assert_eq!(
            md_text("<b>*x*</b> & y"),
            "&lt;b&gt;\\*x\\*&lt;/b&gt; &amp; y"
        );
        assert_eq!(
            paragraphs("# no\n\n1. no\n\nfine"),
            ["\\# no", "1\\. no", "fine"]
        );
    }

    #[test]
    fn ids_are_safe_and_distinct() {
        assert_eq!(step_id(0, "manager_review"), "s_manager_review");
        assert_eq!(step_id(3, "needs-work"), "n3_needs_work");
        assert_eq!(step_id(4, "end"), "s_end");
        assert_eq!(
            step_id(5, "style"),
            "n5_s_tyle",
            "Mermaid pre-processes lines with `style`"
        );
        assert_eq!(step_id(6, "my_classDef"), "n6_my_class_Def");
        assert_ne!(step_id(1, "a-b"), step_id(2, "a.b"));
    }

    #[test]
    fn mermaid_draws_every_kind_of_step() {
        let text = mermaid(&example());
        let lines: Vec<&str> = text.lines().map(str::trim).collect();
        let has = |line: &str| assert!(lines.contains(&line), "missing `{line}` in\n{text}");
        assert_eq!(lines[0], "flowchart TD");
        has("start((\"start\"))");
        has("start --> s_review");
        has("s_review[\"Manager #quot;decides#quot;<br/>assignee: manager\"]");
        has("s_review -->|\"approve\"| s_check");
        has("s_review -->|\"note\"| s_review");
        has("s_check{\"check\"}");
        has("s_check -->|\"days #gt; 5 #amp;#amp; days #lt; 10 #124;#124; days == 1\"| s_both");
        has("s_check -->|\"otherwise\"| s_approved");
        has("s_both{{\"both<br/>in parallel\"}}");
        has("join_s_both{{\"both<br/>all branches done\"}}");
        has("s_both --> s_hr_review");
        has("s_both --> s_stamp");
        has("s_hr_review -->|\"seen\"| join_s_both");
        has("s_stamp[[\"stamp\"]]");
        has("s_stamp --> s_sign");
        has("s_sign -->|\"sign\"| join_s_both");
        has("join_s_both --> s_approved");
        has("s_approved([\"approved\"])");
        has("anytime(\"any open step\")");
        has("anytime -.->|\"withdraw\"| s_withdrawn");
        has("anytime -.->|\"poke\"| anytime");
    }

    #[test]
    fn dot_draws_the_same_graph() {
        let text = dot(&example());
        assert!(text.starts_with("digraph \"leave-request\" {\n"), "{text}");
        assert!(text.ends_with("}\n"), "{text}");
        for line in [
            "\"s_review\" [label=\"Manager \\\"decides\\\"\\nassignee: manager\", shape=box];",
            "\"s_review\" -> \"s_check\" [label=\"approve\"];",
            "\"s_check\" -> \"s_both\" [label=\"days > 5 && days < 10 || days == 1\"];",
            "\"s_hr_review\" -> \"join_s_both\" [label=\"seen\"];",
            "\"join_s_both\" -> \"s_approved\";",
            "\"anytime\" -> \"s_withdrawn\" [label=\"withdraw\", style=dashed];",
        ] {
            assert!(
                text.lines().any(|l| l.trim() == line),
                "missing `{line}` in\n{text}"
            );
        }
    }

    #[test]
    fn nested_parallel_branches_join_their_own_parallel() {
        let yaml = "process: nest\nid_prefix: NST\nroles:\n  a: { from: opener }\nstart: outer\nsteps:\n  outer:\n    parallel: [inner, left]\n    then: done\n  inner:\n    parallel: [x, y]\n    then: after\n  x: { assignee: a, actions: { ok: {} } }\n  y: { assignee: a, actions: { ok: {} } }\n  after: { assignee: a, actions: { fin: {} } }\n  left: { assignee: a, actions: { ok: {} } }\n  done: { end: done }\n";
        let def = super::super::load("nest.yaml", yaml, None).expect("valid");
        let text = mermaid(&def);
        for line in [
            "s_x -->|\"ok\"| join_s_inner",
            "s_y -->|\"ok\"| join_s_inner",
            "join_s_inner --> s_after",
            "s_after -->|\"fin\"| join_s_outer",
            "s_left -->|\"ok\"| join_s_outer",
        ] {
            assert!(
                text.lines().any(|l| l.trim() == line),
                "missing `{line}` in\n{text}"
            );
        }
        assert!(!text.contains("s_x -->|\"ok\"| join_s_outer"), "{text}");
    }

    #[test]
    fn markdown_section_has_tables_and_diagram() {
        let text = markdown(&example(), "processes/leave.yaml");
        for part in [
            "<a id=\"process-leave-request\"></a>",
            "## Leave &lt;request&gt; &amp; \"more\"",
            "Process `leave-request`, defined in `processes/leave.yaml`; case ids look like `LVE-YYYY-NNNN`.",
            "Employees ask for days off.\n\n\\# not a heading\n",
            "| `employee` | whoever opened the case |",
            "| `manager` | the supervisor of `employee` (org.yaml) |",
            "| `hr` | the members of group `hr` (org.yaml) |",
            "| `days` | integer | yes |  | Days \\| total |  |",
            "| `note` | text |  |  |  | ``'a`b' + string(days)`` |",
            "| `medical_note` | Doctor's note |",
            "```mermaid\nflowchart TD\n",
        ] {
            assert!(text.contains(part), "missing `{part}` in\n{text}");
        }
        assert!(text.ends_with("```\n"), "{text}");
    }

    #[test]
    fn a_document_indexes_its_sections() {
        let def = example();
        let text = markdown_document(&[(&def, "processes/leave.yaml")]);
        assert!(text.starts_with("# Processes\n\nGenerated by `caseflow graph --format markdown processes/*.yaml`; do not edit.\n\n- [Leave &lt;request&gt; &amp; \"more\"](#process-leave-request) (`leave-request`)\n\n<a id=\"process-leave-request\"></a>\n"), "{text}");
    }
}
