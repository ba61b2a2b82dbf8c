//! Loading the parts of the language that serve particular processes: numbering sequences
//! (claim registers), field patterns (phone numbers, postcodes), instalment schedules
//! (payment plans) and roles chosen by condition (VIP routing). Kept apart so `load.rs`
//! stays about the core shape of a definition.

use std::collections::BTreeMap;

use super::{Loader, Names, RawInstalments, RawSequence};
use crate::definition::instalments::Every;
use crate::definition::yaml::Node;
use crate::definition::{Frequency, Instalments, Pattern, Role, Sequence};
use crate::org::suggest;
use crate::value::FieldType;

impl Loader<'_> {
    pub(super) fn sequences(&mut self, node: Option<&Node>) -> BTreeMap<String, Sequence> {
        let mut sequences = BTreeMap::new();
        for (key, value) in node.map(Node::entries).unwrap_or_default() {
            let name = key.as_str().unwrap_or_default().to_string();
            if name.is_empty()
                || !name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
            {
                self.error(
                    key.pos,
                    format!("sequence name `{name}` must be letters, digits, `-` or `_`"),
                );
                continue;
            }
            let raw: RawSequence = match value.deserialize() {
                Ok(raw) => raw,
                Err((pos, msg)) => {
                    self.error(pos, format!("sequence `{name}`: {msg}"));
                    continue;
                }
            };
            match Sequence::parse(&name, &raw.format) {
                Ok(sequence) => {
                    sequences.insert(name, sequence);
                }
                Err(msg) => {
                    self.error(value.key_pos("format"), format!("sequence `{name}`: {msg}"))
                }
            }
        }
        sequences
    }

    /// `number: { incoming_number: claims-in }`: text fields numbered from declared sequences.
    pub(super) fn numbering(
        &mut self,
        action: &str,
        raw: BTreeMap<String, String>,
        node: &Node,
        ctx: &Names,
    ) -> Vec<(String, String)> {
        let mut out = Vec::new();
        for (field, sequence) in raw {
            let pos = node
                .get("number")
                .map(|n| n.key_pos(&field))
                .unwrap_or(node.pos);
            if ctx.fields.get(&field) != Some(&FieldType::Text) {
                self.error(pos, format!("action `{action}`: `number` needs a text field, and `{field}` is not one{}", suggest(&field, ctx.fields.keys())));
            } else if !ctx.sequences.contains_key(&sequence) {
                self.error(pos, format!("action `{action}`: unknown sequence `{sequence}`{}; declare it under `sequences:`", suggest(&sequence, ctx.sequences.keys())));
            } else {
                out.push((field, sequence));
            }
        }
        out
    }

    pub(super) fn pattern(
        &mut self,
        field: &str,
        ty: &FieldType,
        source: &str,
        node: &Node,
    ) -> Option<Pattern> {
        let pos = node.key_pos("pattern");
        if *ty != FieldType::Text {
            self.error(
                pos,
                format!("field `{field}`: `pattern` applies to text fields"),
            );
            return None;
        }
        // Anchored: the whole value must match, not some part of it.
        match regex::Regex::new(&format!("^(?:{source})$")) {
            Ok(regex) => Some(Pattern {
                source: source.to_string(),
                regex,
            }),
            Err(e) => {
                let detail = e.to_string();
                let last = detail.lines().last().unwrap_or(&detail).trim().to_string();
                self.error(
                    pos,
                    format!("field `{field}`: bad pattern {source:?}: {last}"),
                );
                None
            }
        }
    }

    pub(super) fn instalments_spec(
        &mut self,
        raw: RawInstalments,
        ty: &FieldType,
        field: &str,
        node: &Node,
    ) -> Instalments {
        if *ty != FieldType::Lines {
            self.error(
                node.key_pos("instalments"),
                format!("field `{field}`: `instalments` computes a `lines` field"),
            );
        }
        let every = match Every::parse(&raw.every) {
            Some(every) => Frequency::Fixed(every),
            None => Frequency::Field(raw.every),
        };
        Instalments {
            total: raw.total,
            count: raw.count,
            every,
            first_due: raw.first_due,
        }
    }

    /// The fields an instalment schedule reads must exist with the right types.
    pub(super) fn check_instalments(
        &mut self,
        field: &str,
        spec: &Instalments,
        types: &BTreeMap<String, FieldType>,
        node: &Node,
    ) {
        let pos = node.key_pos("instalments");
        let mut need = |name: &str, wanted: &str, ok: bool| {
            if !ok {
                self.error(
                    pos,
                    format!(
                        "field `{field}`: instalments `{name}` must be {wanted}{}",
                        suggest(name, types.keys())
                    ),
                );
            }
        };
        need(
            &spec.total,
            "a money field",
            types.get(&spec.total) == Some(&FieldType::Money),
        );
        need(
            &spec.count,
            "an integer field",
            types.get(&spec.count) == Some(&FieldType::Integer),
        );
        need(
            &spec.first_due,
            "a date field",
            types.get(&spec.first_due) == Some(&FieldType::Date),
        );
        if let Frequency::Field(name) = &spec.every {
            let ok = matches!(types.get(name), Some(FieldType::Enum(values))
                if values.iter().all(|v| Every::parse(v).is_some()));
            need(
                name,
                &format!(
                    "{} or an enum field with only those values",
                    Every::NAMES.join(", ")
                ),
                ok,
            );
        }
    }

    /// The roles a `choose:` role picks from exist and are people who can act.
    pub(super) fn chosen_roles_exist(&mut self, node: &Node, roles: &BTreeMap<String, Role>) {
        for (key, value) in node.entries() {
            let name = key.as_str().unwrap_or_default();
            let Some(Role::Choose { routes, otherwise }) = roles.get(name) else {
                continue;
            };
            for target in routes
                .iter()
                .map(|(_, r)| r)
                .chain(std::iter::once(otherwise))
            {
                let problem = match roles.get(target) {
                    None => Some(format!(
                        "unknown role `{target}`{}",
                        suggest(target, roles.keys())
                    )),
                    Some(Role::Choose { .. }) => Some(format!(
                        "`{target}` is itself a `choose` role; name a plain role"
                    )),
                    Some(Role::Email(_)) => Some(format!(
                        "`{target}` is an e-mail address, not a person who can act"
                    )),
                    Some(_) => None,
                };
                if let Some(problem) = problem {
                    let pos = value.find_scalar(target).unwrap_or(value.pos);
                    self.error(pos, format!("role `{name}`: {problem}"));
                }
            }
        }
    }
}
