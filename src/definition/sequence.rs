//! Numbering sequences: register numbers such as the incoming number a claim gets and the
//! outgoing number of its reply, `IN-2026-00042`. A sequence's name is global (two processes
//! declaring `claims-in` share one register); with `{year}` in its format it restarts at 1
//! each year. The store keeps the last number per [`Sequence::key`]; the engine only
//! formats.

/// `sequences: { claims-in: { format: "IN-{year}-{number:5}" } }`
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sequence {
    pub name: String,
    parts: Vec<Part>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    Text(String),
    Year,
    /// The number, zero-padded to this width.
    Number(usize),
}

impl Sequence {
    /// Parse a format: text with `{year}`, `{number}` or `{number:WIDTH}` (WIDTH 1–12).
    pub fn parse(name: &str, format: &str) -> Result<Sequence, String> {
        let mut parts = Vec::new();
        let mut rest = format;
        while let Some(open) = rest.find('{') {
            if open > 0 {
                parts.push(Part::Text(rest[..open].to_string()));
            }
            let close = rest[open..]
                .find('}')
                .ok_or_else(|| format!("format {format:?} has a `{{` without `}}`"))?
                + open;
            let placeholder = &rest[open + 1..close];
            parts.push(match placeholder.split_once(':') {
                None if placeholder == "year" => Part::Year,
                None if placeholder == "number" => Part::Number(1),
                Some(("number", width)) => match width.parse::<usize>() {
                    Ok(w @ 1..=12) => Part::Number(w),
                    _ => return Err(format!("format {format:?}: `{{number:{width}}}` needs a width from 1 to 12")),
                },
                _ => return Err(format!("format {format:?}: unknown placeholder `{{{placeholder}}}`; use {{year}}, {{number}} or {{number:5}}")),
            });
            rest = &rest[close + 1..];
        }
        if !rest.is_empty() {
            parts.push(Part::Text(rest.to_string()));
        }
        if !parts.iter().any(|p| matches!(p, Part::Number(_))) {
            return Err(format!("format {format:?} needs `{{number}}`"));
        }
        Ok(Sequence {
            name: name.to_string(),
            parts,
        })
    }

    fn yearly(&self) -> bool {
        self.parts.contains(&Part::Year)
    }

    /// Where the store keeps this sequence's last number in `year`.
    pub fn key(&self, year: i16) -> String {
        if self.yearly() {
            format!("sequence:{}:{year}", self.name)
        } else {
            format!("sequence:{}", self.name)
        }
    }

    /// The register number `number` of `year`, e.g. `IN-2026-00042`.
    pub fn render(&self, year: i16, number: i64) -> String {
        self.parts
            .iter()
            .map(|part| match part {
                Part::Text(text) => text.clone(),
                Part::Year => year.to_string(),
                Part::Number(width) => format!("{number:0width$}"),
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_yearly_and_plain_formats() {
        let s = Sequence::parse("claims-in", "IN-{year}-{number:5}").unwrap();
        assert_eq!(s.render(2026, 42), "IN-2026-00042");
        assert_eq!(s.key(2026), "sequence:claims-in:2026");
        let plain = Sequence::parse("out", "OUT/{number}").unwrap();
        assert_eq!(plain.render(2026, 7), "OUT/7");
        assert_eq!(plain.key(2026), "sequence:out");
    }

    #[test]
    fn refuses_bad_formats() {
        assert!(Sequence::parse("x", "IN-{year}")
            .unwrap_err()
            .contains("needs `{number}`"));
        assert!(Sequence::parse("x", "{numbr}")
            .unwrap_err()
            .contains("unknown placeholder"));
        assert!(Sequence::parse("x", "{number:0}")
            .unwrap_err()
            .contains("width"));
        assert!(Sequence::parse("x", "{number")
            .unwrap_err()
            .contains("without"));
    }
}
