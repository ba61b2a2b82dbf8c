//! Typed field values: the one place where text from the command line (or a spreadsheet
//! cell, or a YAML default) becomes a typed value, and where values become JSON and CEL.
//!
//! Money is `rust_decimal::Decimal` everywhere it is stored or computed. Conditions see
//! money as a CEL double (CEL has no decimal type); that is used only to compare, never to
//! compute a stored amount.

use std::fmt;

use jiff::civil::Date;
use jiff::Timestamp;
use rust_decimal::Decimal;
use serde_json::Value as Json;

/// The declared type of a field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FieldType {
    Text,
    Integer,
    Money,
    Date,
    DateTime,
    Bool,
    Enum(Vec<String>),
    Email,
    /// An org.yaml person id.
    Person,
    /// A list of text items.
    List,
    /// Expense or invoice lines: `description: amount` pairs.
    Lines,
}

impl FieldType {
    pub fn name(&self) -> &'static str {
        match self {
            FieldType::Text => "text",
            FieldType::Integer => "integer",
            FieldType::Money => "money",
            FieldType::Date => "date",
            FieldType::DateTime => "datetime",
            FieldType::Bool => "bool",
            FieldType::Enum(_) => "enum",
            FieldType::Email => "email",
            FieldType::Person => "person",
            FieldType::List => "list",
            FieldType::Lines => "lines",
        }
    }

    /// What a user must type, for error messages.
    pub fn expected(&self) -> String {
        match self {
            FieldType::Text => "text".into(),
            FieldType::Integer => "a whole number".into(),
            FieldType::Money => "a money amount like 1234.50".into(),
            FieldType::Date => "a date like 2026-11-30".into(),
            FieldType::DateTime => "a date and time like 2026-11-30T14:00:00Z".into(),
            FieldType::Bool => "true or false".into(),
            FieldType::Enum(values) => format!("one of: {}", values.join(", ")),
            FieldType::Email => "an e-mail address like name@example.com".into(),
            FieldType::Person => "a person id from org.yaml".into(),
            FieldType::List => "a comma-separated list".into(),
            FieldType::Lines => "lines like \"Taxi: 25.00; Hotel: 180.50\"".into(),
        }
    }
}

/// One expense or invoice line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Line {
    pub description: String,
    pub amount: Decimal,
}

/// A typed field value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Value {
    Text(String),
    Integer(i64),
    Money(Decimal),
    Date(Date),
    DateTime(Timestamp),
    Bool(bool),
    List(Vec<String>),
    Lines(Vec<Line>),
}

/// Why a text could not become a value of a type.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{given:?} is not {expected}")]
pub struct ParseValueError {
    pub given: String,
    pub expected: String,
}

impl Value {
    /// Parse user text (command line, spreadsheet text cell, YAML scalar) as `ty`.
    /// Person ids are checked against the org elsewhere (the org is not known here).
    pub fn parse(ty: &FieldType, text: &str) -> Result<Value, ParseValueError> {
        let raw = text.trim();
        let fail = || ParseValueError {
            given: text.to_string(),
            expected: ty.expected(),
        };
        match ty {
            FieldType::Text => Ok(Value::Text(raw.to_string())),
            FieldType::Integer => raw.parse().map(Value::Integer).map_err(|_| fail()),
            FieldType::Money => parse_money(raw).map(Value::Money).ok_or_else(fail),
            FieldType::Date => raw.parse::<Date>().map(Value::Date).map_err(|_| fail()),
            FieldType::DateTime => crate::time::parse_timestamp(raw)
                .map(Value::DateTime)
                .ok_or_else(fail),
            FieldType::Bool => match raw.to_ascii_lowercase().as_str() {
                "true" | "yes" | "y" | "1" => Ok(Value::Bool(true)),
                "false" | "no" | "n" | "0" => Ok(Value::Bool(false)),
                _ => Err(fail()),
            },
            FieldType::Enum(values) => values
                .iter()
                .find(|v| v.eq_ignore_ascii_case(raw))
                .map(|v| Value::Text(v.clone()))
                .ok_or_else(fail),
            FieldType::Email => {
                if is_email(raw) {
                    Ok(Value::Text(raw.to_string()))
                } else {
                    Err(fail())
                }
            }
            FieldType::Person => {
                if raw.is_empty() || raw.contains(char::is_whitespace) {
                    Err(fail())
                } else {
                    Ok(Value::Text(raw.to_string()))
                }
            }
            FieldType::List => Ok(Value::List(
                raw.split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(String::from)
                    .collect(),
            )),
            FieldType::Lines => parse_lines(raw).map(Value::Lines).ok_or_else(fail),
        }
    }

    /// Build a value from JSON as stored (or from a YAML default turned into JSON).
    pub fn from_json(ty: &FieldType, json: &Json) -> Result<Value, ParseValueError> {
        match (ty, json) {
            (FieldType::Integer, Json::Number(n)) if n.is_i64() => {
                Ok(Value::Integer(n.as_i64().unwrap_or(0)))
            }
            (FieldType::Money, Json::Number(n)) => Value::parse(ty, &n.to_string()),
            (FieldType::Bool, Json::Bool(b)) => Ok(Value::Bool(*b)),
            (FieldType::List, Json::Array(items)) => Ok(Value::List(
                items
                    .iter()
                    .map(|i| {
                        i.as_str()
                            .map(String::from)
                            .unwrap_or_else(|| i.to_string())
                    })
                    .collect(),
            )),
            (FieldType::Lines, Json::Array(items)) => items
                .iter()
                .map(|item| {
                    let description = item
                        .get("description")
                        .and_then(Json::as_str)
                        .unwrap_or("")
                        .to_string();
                    let amount = item
                        .get("amount")
                        .and_then(|a| {
                            a.as_str()
                                .map(String::from)
                                .or_else(|| a.as_number().map(|n| n.to_string()))
                        })
                        .and_then(|a| parse_money(&a));
                    amount.map(|amount| Line {
                        description,
                        amount,
                    })
                })
                .collect::<Option<Vec<_>>>()
                .map(Value::Lines)
                .ok_or_else(|| ParseValueError {
                    given: json.to_string(),
                    expected: ty.expected(),
                }),
            (_, Json::String(s)) => Value::parse(ty, s),
            (_, other) => Value::parse(ty, &other.to_string()),
        }
    }

    /// The stored and `--json` form: money as an exact decimal string, dates as ISO text.
    pub fn to_json(&self) -> Json {
        match self {
            Value::Text(s) => Json::String(s.clone()),
            Value::Integer(i) => Json::from(*i),
            Value::Money(m) => Json::String(format_money(*m)),
            Value::Date(d) => Json::String(d.to_string()),
            Value::DateTime(t) => Json::String(crate::time::format_timestamp(*t)),
            Value::Bool(b) => Json::Bool(*b),
            Value::List(items) => Json::from(items.clone()),
            Value::Lines(lines) => Json::Array(
                lines
                    .iter()
                    .map(|l| serde_json::json!({"description": l.description, "amount": format_money(l.amount)}))
                    .collect(),
            ),
        }
    }

    /// The value as a condition sees it.
    pub fn to_cel(&self) -> cel::Value {
        match self {
            Value::Text(s) => cel::Value::from(s.clone()),
            Value::Integer(i) => cel::Value::Int(*i),
            Value::Money(m) => cel::Value::Float(money_to_f64(*m)),
            Value::Date(d) => cel::Value::from(d.to_string()),
            Value::DateTime(t) => cel::Value::from(crate::time::format_timestamp(*t)),
            Value::Bool(b) => cel::Value::Bool(*b),
            Value::List(items) => cel::Value::List(std::sync::Arc::new(
                items.iter().map(|s| cel::Value::from(s.clone())).collect(),
            )),
            Value::Lines(lines) => cel::Value::List(std::sync::Arc::new(
                lines
                    .iter()
                    .map(|l| {
                        let mut map = std::collections::HashMap::new();
                        map.insert(
                            "description".to_string(),
                            cel::Value::from(l.description.clone()),
                        );
                        map.insert(
                            "amount".to_string(),
                            cel::Value::Float(money_to_f64(l.amount)),
                        );
                        cel::Value::from(map)
                    })
                    .collect(),
            )),
        }
    }

    /// Turn what a CEL expression computed back into a value of `ty`.
    pub fn from_cel(ty: &FieldType, value: &cel::Value) -> Result<Value, ParseValueError> {
        let text = match value {
            cel::Value::String(s) => s.to_string(),
            cel::Value::Int(i) => i.to_string(),
            cel::Value::UInt(u) => u.to_string(),
            cel::Value::Float(f) => match ty {
                FieldType::Money => Decimal::from_f64_retain(*f)
                    .map(|d| d.round_dp(2).normalize().to_string())
                    .unwrap_or_else(|| f.to_string()),
                _ => f.to_string(),
            },
            cel::Value::Bool(b) => b.to_string(),
            other => format!("{other:?}"),
        };
        Value::parse(ty, &text)
    }

    /// A sample of each type, used to type-check conditions when a definition is loaded.
    pub fn sample(ty: &FieldType) -> Value {
        match ty {
            FieldType::Text | FieldType::Email | FieldType::Person => Value::Text("x".into()),
            FieldType::Enum(values) => Value::Text(values.first().cloned().unwrap_or_default()),
            FieldType::Integer => Value::Integer(1),
            FieldType::Money => Value::Money(Decimal::ONE),
            FieldType::Date => Value::Date(jiff::civil::date(2026, 1, 1)),
            FieldType::DateTime => Value::DateTime(Timestamp::UNIX_EPOCH),
            FieldType::Bool => Value::Bool(true),
            FieldType::List => Value::List(vec!["x".into()]),
            FieldType::Lines => Value::Lines(vec![Line {
                description: "x".into(),
                amount: Decimal::ONE,
            }]),
        }
    }

    pub fn as_money(&self) -> Option<Decimal> {
        match self {
            Value::Money(m) => Some(*m),
            _ => None,
        }
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Text(s) => f.write_str(s),
            Value::Integer(i) => write!(f, "{i}"),
            Value::Money(m) => f.write_str(&format_money(*m)),
            Value::Date(d) => write!(f, "{d}"),
            Value::DateTime(t) => f.write_str(&crate::time::format_timestamp(*t)),
            Value::Bool(b) => write!(f, "{b}"),
            Value::List(items) => f.write_str(&items.join(", ")),
            Value::Lines(lines) => {
                let parts: Vec<String> = lines
                    .iter()
                    .map(|l| format!("{}: {}", l.description, format_money(l.amount)))
                    .collect();
                f.write_str(&parts.join("; "))
            }
        }
    }
}

/// Parse an exact amount: `1234.5`, `1234.50`, `-3`, with an optional `_` or thin spaces.
pub fn parse_money(text: &str) -> Option<Decimal> {
    let cleaned: String = text
        .trim()
        .chars()
        .filter(|c| !matches!(c, '_' | ' ' | '\u{a0}' | '\u{202f}'))
        .collect();
    if cleaned.is_empty() || cleaned.contains(['e', 'E']) {
        return None;
    }
    let amount: Decimal = cleaned.parse().ok()?;
    (amount.scale() <= 4).then_some(amount)
}

/// Money with at least two decimals: `1234.50`.
pub fn format_money(amount: Decimal) -> String {
    let mut shown = amount.normalize();
    if shown.scale() < 2 {
        shown.rescale(2);
    }
    shown.to_string()
}

fn money_to_f64(amount: Decimal) -> f64 {
    amount.to_string().parse().unwrap_or(f64::NAN)
}

fn parse_lines(text: &str) -> Option<Vec<Line>> {
    text.split(';')
        .map(str::trim)
        .filter(|part| !part.is_empty())
        .map(|part| {
            let (description, amount) = part.rsplit_once(':')?;
            Some(Line {
                description: description.trim().to_string(),
                amount: parse_money(amount)?,
            })
        })
        .collect()
}

/// A pragmatic e-mail check: one `@`, a dot in the domain, no spaces or control characters.
pub fn is_email(text: &str) -> bool {
    let Some((local, domain)) = text.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains('@')
        && !text
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | ',' | ';'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_is_exact() {
        let v = Value::parse(&FieldType::Money, "0.10").unwrap();
        assert_eq!(v.to_json(), Json::String("0.10".into()));
        assert_eq!(format_money(parse_money("1234.5").unwrap()), "1234.50");
        assert!(parse_money("abc").is_none());
        assert!(parse_money("1e5").is_none());
    }

    #[test]
    fn enum_matches_case_insensitively_and_keeps_declared_spelling() {
        let ty = FieldType::Enum(vec!["advance".into(), "reimbursement".into()]);
        assert_eq!(
            Value::parse(&ty, " Reimbursement ").unwrap(),
            Value::Text("reimbursement".into())
        );
        assert!(Value::parse(&ty, "loan").is_err());
    }

    #[test]
    fn lines_parse_and_round_trip() {
        let v = Value::parse(&FieldType::Lines, "Taxi: 25.00; Hotel: 180.5").unwrap();
        let back = Value::from_json(&FieldType::Lines, &v.to_json()).unwrap();
        assert_eq!(v, back);
        assert_eq!(v.to_string(), "Taxi: 25.00; Hotel: 180.50");
    }

    #[test]
    fn emails() {
        assert!(is_email("a@b.co"));
        assert!(!is_email("a@b"));
        assert!(!is_email("a@b.co\r\nBcc: x@y.z"));
    }
}
