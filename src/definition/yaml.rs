//! YAML with positions. Every node keeps the line and column where it was written, so
//! that a semantic error (an unknown step named in `to:`) can point at the exact spot,
//! and so that one file can report *all* its errors, not just the first.
//!
//! Parsing is yaml-rust2's event parser; typed deserialisation of each entry goes through
//! `serde_yaml` (yaml_serde), which rejects unknown keys. Anchors and aliases are refused:
//! definitions do not need them, and refusing them rules out alias bombs.

use std::fmt;

use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::{Marker, TScalarStyle};

/// Where something was written: 1-based line and column.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Pos {
    pub line: usize,
    pub col: usize,
}

/// One problem in one file, printed as `file:line:column: message`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub file: String,
    pub pos: Pos,
    pub message: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}",
            self.file, self.pos.line, self.pos.col, self.message
        )
    }
}

#[derive(Clone, Debug)]
pub enum NodeKind {
    Scalar { text: String, quoted: bool },
    Seq(Vec<Node>),
    Map(Vec<(Node, Node)>),
}

#[derive(Clone, Debug)]
pub struct Node {
    pub kind: NodeKind,
    pub pos: Pos,
}

impl Node {
    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            NodeKind::Scalar { text, .. } => Some(text),
            _ => None,
        }
    }

    /// Entries of a mapping (empty for anything else).
    pub fn entries(&self) -> &[(Node, Node)] {
        match &self.kind {
            NodeKind::Map(entries) => entries,
            _ => &[],
        }
    }

    pub fn items(&self) -> &[Node] {
        match &self.kind {
            NodeKind::Seq(items) => items,
            _ => &[],
        }
    }

    pub fn is_map(&self) -> bool {
        matches!(self.kind, NodeKind::Map(_))
    }

    pub fn is_null(&self) -> bool {
        matches!(&self.kind, NodeKind::Scalar { text, quoted: false } if text.is_empty() || text == "~" || text == "null")
    }

    /// The value under `key` in a mapping.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entries()
            .iter()
            .find(|(k, _)| k.as_str() == Some(key))
            .map(|(_, v)| v)
    }

    /// Where `key` is written in this mapping (or the mapping itself when absent).
    pub fn key_pos(&self, key: &str) -> Pos {
        self.entries()
            .iter()
            .find(|(k, _)| k.as_str() == Some(key))
            .map(|(k, _)| k.pos)
            .unwrap_or(self.pos)
    }

    /// Position of a key anywhere below this node (first match, depth first).
    pub fn find_key(&self, key: &str) -> Option<Pos> {
        match &self.kind {
            NodeKind::Map(entries) => entries.iter().find_map(|(k, v)| {
                if k.as_str() == Some(key) {
                    Some(k.pos)
                } else {
                    v.find_key(key)
                }
            }),
            NodeKind::Seq(items) => items.iter().find_map(|i| i.find_key(key)),
            NodeKind::Scalar { .. } => None,
        }
    }

    /// Position of a scalar with this text anywhere below this node.
    pub fn find_scalar(&self, wanted: &str) -> Option<Pos> {
        match &self.kind {
            NodeKind::Scalar { text, .. } => (text == wanted).then_some(self.pos),
            NodeKind::Map(entries) => entries.iter().find_map(|(_, v)| v.find_scalar(wanted)),
            NodeKind::Seq(items) => items.iter().find_map(|i| i.find_scalar(wanted)),
        }
    }

    /// The node as a `serde_yaml` value, with YAML 1.2 core-schema scalars.
    pub fn to_value(&self) -> serde_yaml::Value {
        match &self.kind {
            NodeKind::Scalar { text, quoted: true } => serde_yaml::Value::String(text.clone()),
            NodeKind::Scalar {
                text,
                quoted: false,
            } => plain_scalar(text),
            NodeKind::Seq(items) => {
                serde_yaml::Value::Sequence(items.iter().map(Node::to_value).collect())
            }
            NodeKind::Map(entries) => {
                let mut map = serde_yaml::Mapping::new();
                for (k, v) in entries {
                    map.insert(k.to_value(), v.to_value());
                }
                serde_yaml::Value::Mapping(map)
            }
        }
    }

    /// Deserialize this node into `T`; on failure, a message and the best position for it.
    pub fn deserialize<T: serde::de::DeserializeOwned>(&self) -> Result<T, (Pos, String)> {
        serde_yaml::from_value(self.to_value()).map_err(|e| {
            let message = e.to_string();
            let pos = backticked(&message)
                .and_then(|name| self.find_key(&name))
                .unwrap_or(self.pos);
            (pos, tidy_serde_message(&message))
        })
    }
}

fn plain_scalar(text: &str) -> serde_yaml::Value {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => serde_yaml::Value::Null,
        "true" | "True" | "TRUE" => serde_yaml::Value::Bool(true),
        "false" | "False" | "FALSE" => serde_yaml::Value::Bool(false),
        _ => {
            if let Ok(i) = text.parse::<i64>() {
                serde_yaml::Value::Number(i.into())
            } else if let Ok(f) = text.parse::<f64>().map_err(|_| ()).and_then(|f| {
                if text
                    .chars()
                    .all(|c| c.is_ascii_digit() || matches!(c, '.' | '-' | '+' | 'e' | 'E'))
                {
                    Ok(f)
                } else {
                    Err(())
                }
            }) {
                serde_yaml::Value::Number(f.into())
            } else {
                serde_yaml::Value::String(text.to_string())
            }
        }
    }
}

/// The first `name` in a serde message ("unknown field `foo`, expected ...").
fn backticked(message: &str) -> Option<String> {
    let start = message.find('`')? + 1;
    let end = message[start..].find('`')? + start;
    Some(message[start..end].to_string())
}

fn tidy_serde_message(message: &str) -> String {
    message
        .split(" at line ")
        .next()
        .unwrap_or(message)
        .to_string()
}

/// Parse a whole document. Duplicate keys are reported (all of them) alongside the tree.
pub fn parse(file: &str, source: &str) -> Result<(Node, Vec<Diagnostic>), Diagnostic> {
    let mut builder = Builder {
        file: file.to_string(),
        stack: Vec::new(),
        root: None,
        problems: Vec::new(),
    };
    let mut parser = Parser::new_from_str(source);
    parser.load(&mut builder, false).map_err(|e| Diagnostic {
        file: file.to_string(),
        pos: pos_of(e.marker()),
        message: format!("YAML syntax: {}", e.info()),
    })?;
    if let Some(first) = builder
        .problems
        .iter()
        .find(|d| d.message.starts_with("anchors"))
    {
        return Err(first.clone());
    }
    let root = builder.root.unwrap_or(Node {
        kind: NodeKind::Map(Vec::new()),
        pos: Pos { line: 1, col: 1 },
    });
    Ok((root, builder.problems))
}

fn pos_of(marker: &Marker) -> Pos {
    Pos {
        line: marker.line(),
        col: marker.col() + 1,
    }
}

struct Builder {
    file: String,
    /// Open collections, each with the key waiting for its value (mappings only).
    stack: Vec<(Node, Option<Node>)>,
    root: Option<Node>,
    problems: Vec<Diagnostic>,
}

impl Builder {
    fn push_value(&mut self, node: Node) {
        let Some((parent, pending_key)) = self.stack.last_mut() else {
            self.root = Some(node);
            return;
        };
        match &mut parent.kind {
            NodeKind::Seq(items) => items.push(node),
            NodeKind::Map(entries) => match pending_key.take() {
                Some(key) => entries.push((key, node)),
                None => {
                    if node.as_str().is_some()
                        && entries.iter().any(|(k, _)| k.as_str() == node.as_str())
                    {
                        self.problems.push(Diagnostic {
                            file: self.file.clone(),
                            pos: node.pos,
                            message: format!("duplicate key `{}`", node.as_str().unwrap_or("")),
                        });
                    }
                    *pending_key = Some(node);
                }
            },
            NodeKind::Scalar { .. } => {}
        }
    }

    fn refuse_anchor(&mut self, anchor: usize, mark: Marker) {
        if anchor != 0 {
            self.problems.push(Diagnostic {
                file: self.file.clone(),
                pos: pos_of(&mark),
                message: "anchors and aliases are not supported; write the value out".into(),
            });
        }
    }
}

impl MarkedEventReceiver for Builder {
    fn on_event(&mut self, event: Event, mark: Marker) {
        let pos = pos_of(&mark);
        match event {
            Event::Scalar(text, style, anchor, _) => {
                self.refuse_anchor(anchor, mark);
                let quoted = !matches!(style, TScalarStyle::Plain);
                self.push_value(Node {
                    kind: NodeKind::Scalar { text, quoted },
                    pos,
                });
            }
            Event::SequenceStart(anchor, _) => {
                self.refuse_anchor(anchor, mark);
                self.stack.push((
                    Node {
                        kind: NodeKind::Seq(Vec::new()),
                        pos,
                    },
                    None,
                ));
            }
            Event::MappingStart(anchor, _) => {
                self.refuse_anchor(anchor, mark);
                self.stack.push((
                    Node {
                        kind: NodeKind::Map(Vec::new()),
                        pos,
                    },
                    None,
                ));
            }
            Event::SequenceEnd | Event::MappingEnd => {
                if let Some((node, _)) = self.stack.pop() {
                    self.push_value(node);
                }
            }
            Event::Alias(_) => self.refuse_anchor(1, mark),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_positions_and_finds_duplicates() {
        let src = "a: 1\nsteps:\n  x: { to: y }\n  x: {}\n";
        let (root, problems) = parse("f.yaml", src).unwrap();
        let steps = root.get("steps").unwrap();
        assert_eq!(steps.entries()[0].0.pos, Pos { line: 3, col: 3 });
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].to_string(), "f.yaml:4:3: duplicate key `x`");
        assert_eq!(root.find_scalar("y"), Some(Pos { line: 3, col: 12 }));
    }

    #[test]
    fn syntax_error_has_position() {
        let err = parse("f.yaml", "a: [1, 2\nb: c\n").unwrap_err();
        assert!(err.to_string().starts_with("f.yaml:"), "{err}");
    }

    #[test]
    fn refuses_aliases() {
        let err = parse("f.yaml", "a: &x [1]\nb: *x\n").unwrap_err();
        assert!(err.message.contains("anchors"));
    }
}
