//! A cell becomes a field value of the field's type, or a message saying why not.
//!
//! The rules follow what real sheets contain: text is trimmed; enum values match ignoring
//! case, accents and separators; money comes exactly from numbers or text (`1 234,50` with
//! `--decimal-comma`); dates from date cells, Excel serial numbers, ISO text or
//! `--date-format`; people by org.yaml id, e-mail or full name.

use std::collections::HashMap;
use std::str::FromStr;

use jiff::civil::{Date, DateTime};
use rust_decimal::Decimal;

use super::map::normalize;
use super::read::Cell;
use crate::org::Org;
use crate::value::{FieldType, Value};

/// How text cells are read.
#[derive(Clone, Debug, Default)]
pub struct ConvertOptions {
    pub decimal_comma: bool,
    /// A strftime-style date format (`%d.%m.%Y`), tried after ISO.
    pub date_format: Option<String>,
}

/// Everything needed to convert cells: the options and org.yaml's people by id, e-mail and
/// name (built once per file).
pub struct Converter {
    options: ConvertOptions,
    people: HashMap<String, Result<String, ()>>,
}

impl Converter {
    pub fn new(options: ConvertOptions, org: &Org) -> Converter {
        let mut people: HashMap<String, Result<String, ()>> = HashMap::new();
        for (id, person) in &org.people {
            let mut add = |key: String| {
                people
                    .entry(key)
                    .and_modify(|known| {
                        if known.as_ref().ok() != Some(id) {
                            *known = Err(());
                        }
                    })
                    .or_insert_with(|| Ok(id.clone()));
            };
            add(normalize(&person.name));
            if let Some(email) = &person.email {
                add(email.trim().to_lowercase());
            }
        }
        for id in org.people.keys() {
            people.insert(id.clone(), Ok(id.clone()));
        }
        Converter { options, people }
    }

    /// The value of a non-blank cell, or what is wrong with it (`"abc" is not a money amount`).
    pub fn value(&self, ty: &FieldType, cell: &Cell) -> Result<Value, String> {
        let fail = || format!("{:?} is not {}", cell.display(), ty.expected());
        match (ty, cell) {
            (_, Cell::Error(e)) => Err(format!("the cell holds the error {e}")),
            (FieldType::Money, _) => self.money(cell).map(Value::Money).ok_or_else(fail),
            (FieldType::Integer, Cell::Int(i)) => Ok(Value::Integer(*i)),
            (FieldType::Integer, Cell::Float(f)) if f.fract() == 0.0 && f.abs() < 9e15 => {
                Ok(Value::Integer(*f as i64))
            }
            (FieldType::Date, _) => self.date(cell).map(Value::Date).ok_or_else(fail),
            (FieldType::DateTime, _) => self.datetime(cell).map(Value::DateTime).ok_or_else(fail),
            (FieldType::Bool, Cell::Bool(b)) => Ok(Value::Bool(*b)),
            (FieldType::Bool, Cell::Int(i)) if *i == 0 || *i == 1 => Ok(Value::Bool(*i == 1)),
            (FieldType::Enum(values), _) => enum_value(values, &text_of(cell)).ok_or_else(fail),
            (FieldType::Person, _) => self.person(&text_of(cell)),
            (_, _) => Value::parse(ty, &text_of(cell)).map_err(|e| e.to_string()),
        }
    }

    /// Money exactly: calamine gives numeric cells as f64, so a number is taken through its
    /// shortest round-trip decimal text (Rust's `Display` for f64: 0.1 -> "0.1", never
    /// 0.1000000000000000055), which is the value the user typed; a value with float noise
    /// from a sheet formula (0.30000000000000004) is read at Excel's 15 significant digits.
    /// No arithmetic is ever done in f64.
    fn money(&self, cell: &Cell) -> Option<Decimal> {
        let amount = match cell {
            Cell::Int(i) => Decimal::from(*i),
            Cell::Float(f) if f.is_finite() => {
                let exact = Decimal::from_str(&f.to_string()).ok();
                match exact.filter(|d| d.scale() <= 4) {
                    Some(d) => d,
                    None => Decimal::from_scientific(&format!("{f:.14e}"))
                        .ok()?
                        .normalize(),
                }
            }
            Cell::Text(t) => self.money_text(t)?,
            _ => return None,
        };
        (amount.scale() <= 4).then_some(amount)
    }

    fn money_text(&self, text: &str) -> Option<Decimal> {
        let t: String = text
            .trim()
            .trim_matches(|c: char| matches!(c, '€' | '$' | '£' | '¥' | '₽') || c.is_whitespace())
            .chars()
            .filter(|c| !matches!(c, ' ' | '\u{a0}' | '\u{202f}' | '_' | '\''))
            .collect();
        let t = if self.options.decimal_comma {
            t.replace('.', "").replace(',', ".")
        } else if thousands_commas(&t) {
            t.replace(',', "")
        } else {
            t
        };
        crate::value::parse_money(&t)
    }

    fn date(&self, cell: &Cell) -> Option<Date> {
        match cell {
            Cell::Date(d) => Some(d.date()),
            Cell::Int(i) => serial_date(*i as f64).map(|d| d.date()),
            Cell::Float(f) => serial_date(*f).map(|d| d.date()),
            Cell::Text(t) => self.date_text(t.trim()),
            _ => None,
        }
    }

    fn date_text(&self, t: &str) -> Option<Date> {
        if let Ok(d) = t.parse::<Date>() {
            return Some(d);
        }
        if let Some(format) = &self.options.date_format {
            if let Ok(d) = Date::strptime(format, t) {
                return Some(d);
            }
        }
        // An Excel serial typed as text (a csv saved from a sheet whose column was not a date).
        let serial: u32 = t.parse().ok()?;
        serial_date(f64::from(serial)).map(|d| d.date())
    }

    fn datetime(&self, cell: &Cell) -> Option<jiff::Timestamp> {
        let civil = match cell {
            Cell::Date(d) => Some(*d),
            Cell::Int(i) => serial_date(*i as f64),
            Cell::Float(f) => serial_date(*f),
            Cell::Text(t) => {
                if let Some(ts) = crate::time::parse_timestamp(t) {
                    return Some(ts);
                }
                let format = self.options.date_format.as_deref()?;
                DateTime::strptime(format, t.trim()).ok().or_else(|| {
                    Date::strptime(format, t.trim())
                        .ok()
                        .map(|d| d.to_datetime(jiff::civil::Time::midnight()))
                })
            }
            _ => None,
        }?;
        civil
            .to_zoned_datetime(jiff::tz::TimeZone::UTC)
            .ok()
            .map(|z| z.timestamp())
    }

    fn person(&self, text: &str) -> Result<Value, String> {
        let t = text.trim();
        let found = self
            .people
            .get(t)
            .or_else(|| self.people.get(&t.to_lowercase()))
            .or_else(|| self.people.get(&normalize(t)));
        match found {
            Some(Ok(id)) => Ok(Value::Text(id.clone())),
            Some(Err(())) => Err(format!(
                "{t:?} matches several people in org.yaml; use the person id"
            )),
            None => Err(format!(
                "{t:?} is not a person in org.yaml (by id, e-mail or name)"
            )),
        }
    }
}

/// The text of a cell for text-like fields: numbers without float noise, dates as ISO.
pub fn text_of(cell: &Cell) -> String {
    match cell {
        Cell::Text(t) => t.trim().to_string(),
        other => other.display(),
    }
}

fn enum_value(values: &[String], text: &str) -> Option<Value> {
    let t = text.trim();
    let key = normalize(t);
    values
        .iter()
        .find(|v| v.eq_ignore_ascii_case(t))
        .or_else(|| values.iter().find(|v| normalize(v) == key))
        .map(|v| Value::Text(v.clone()))
}

/// `1,234,567.50`: commas that only group thousands.
fn thousands_commas(t: &str) -> bool {
    let int = t.split('.').next().unwrap_or("");
    let int = int.strip_prefix('-').unwrap_or(int);
    let mut groups = int.split(',');
    let first = groups.next().unwrap_or("");
    int.contains(',')
        && (1..=3).contains(&first.len())
        && groups.all(|g| g.len() == 3)
        && int.chars().all(|c| c.is_ascii_digit() || c == ',')
}

/// An Excel serial date (1900 system, with its phantom 1900-02-29) as a civil date-time.
pub fn serial_date(serial: f64) -> Option<DateTime> {
    if !(1.0..2_958_466.0).contains(&serial) {
        return None;
    }
    let days = serial.floor() as i64;
    let base = if days < 60 {
        jiff::civil::date(1899, 12, 31)
    } else {
        jiff::civil::date(1899, 12, 30)
    };
    let date = base.checked_add(jiff::Span::new().days(days)).ok()?;
    let millis = ((serial - serial.floor()) * 86_400_000.0).round() as i64;
    let time = jiff::civil::Time::midnight()
        .checked_add(jiff::Span::new().milliseconds(millis))
        .unwrap_or(jiff::civil::Time::midnight());
    Some(date.to_datetime(time))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn conv(decimal_comma: bool) -> Converter {
        Converter::new(
            ConvertOptions {
                decimal_comma,
                date_format: Some("%d.%m.%Y".into()),
            },
            &Org::default(),
        )
    }

    fn money(c: &Converter, cell: Cell) -> Option<String> {
        c.money(&cell).map(crate::value::format_money)
    }

    #[test]
    fn money_from_floats_is_the_typed_decimal() {
        let c = conv(false);
        assert_eq!(money(&c, Cell::Float(0.1)).as_deref(), Some("0.10"));
        assert_eq!(money(&c, Cell::Float(1234.56)).as_deref(), Some("1234.56"));
        assert_eq!(money(&c, Cell::Float(0.1 + 0.2)).as_deref(), Some("0.30"));
        assert_eq!(money(&c, Cell::Float(1.0 / 3.0)), None);
        assert_eq!(
            money(&c, Cell::Float(1234567.89)).as_deref(),
            Some("1234567.89")
        );
        assert_eq!(money(&c, Cell::Float(-0.07)).as_deref(), Some("-0.07"));
        assert_eq!(money(&c, Cell::Int(-3)).as_deref(), Some("-3.00"));
        assert_eq!(
            money(&c, Cell::Text("1,234.50".into())).as_deref(),
            Some("1234.50")
        );
        assert_eq!(money(&c, Cell::Text("12,50".into())), None);
        assert_eq!(money(&c, Cell::Text("abc".into())), None);
    }

    #[test]
    fn decimal_comma() {
        let c = conv(true);
        assert_eq!(
            money(&c, Cell::Text("1 234,50".into())).as_deref(),
            Some("1234.50")
        );
        assert_eq!(
            money(&c, Cell::Text("1.234,5 €".into())).as_deref(),
            Some("1234.50")
        );
    }

    #[test]
    fn dates() {
        let c = conv(false);
        let d = |cell| c.date(&cell).map(|d| d.to_string());
        assert_eq!(d(Cell::Float(46356.0)).as_deref(), Some("2026-11-30"));
        assert_eq!(d(Cell::Int(1)).as_deref(), Some("1900-01-01"));
        assert_eq!(d(Cell::Text("46356".into())).as_deref(), Some("2026-11-30"));
        assert_eq!(
            d(Cell::Text(" 2026-11-30 ".into())).as_deref(),
            Some("2026-11-30")
        );
        assert_eq!(
            d(Cell::Text("30.11.2026".into())).as_deref(),
            Some("2026-11-30")
        );
        assert_eq!(d(Cell::Text("soon".into())), None);
    }

    fn every_type() -> Vec<FieldType> {
        vec![
            FieldType::Text,
            FieldType::Integer,
            FieldType::Money,
            FieldType::Date,
            FieldType::DateTime,
            FieldType::Bool,
            FieldType::Enum(vec!["bank_transfer".into(), "Ä b".into()]),
            FieldType::Email,
            FieldType::Person,
            FieldType::List,
            FieldType::Lines,
        ]
    }

    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

        /// Any text, number or date-like cell, any type, either decimal convention: a value or
        /// a message, never a panic.
        #[test]
        fn any_cell_converts_or_says_why(
            text in "\\PC{0,60}|[0-9 ,.'€$-]{0,30}|[0-9]{1,7}(\\.[0-9]{1,20})?",
            float in any::<f64>(),
            int in any::<i64>(),
            comma in any::<bool>(),
        ) {
            let c = conv(comma);
            for ty in every_type() {
                for cell in [
                    Cell::Text(text.clone()),
                    Cell::Float(float),
                    Cell::Int(int),
                    Cell::Error(text.clone()),
                    Cell::Bool(comma),
                ] {
                    let _ = c.value(&ty, &cell);
                }
            }
            let _ = serial_date(float);
        }

        /// Money read from text (plain, thousands commas, decimal comma) or from a float cell
        /// is exactly the amount written, never float noise.
        #[test]
        fn money_round_trips_exactly(units in 0i64..10_000_000_000, cents in 0u32..100, negative in any::<bool>()) {
            let sign = if negative && (units, cents) != (0, 0) { "-" } else { "" };
            let plain = format!("{sign}{units}.{cents:02}");
            let grouped = {
                let digits = units.to_string();
                let mut out = String::new();
                for (i, d) in digits.chars().enumerate() {
                    if i > 0 && (digits.len() - i) % 3 == 0 {
                        out.push(',');
                    }
                    out.push(d);
                }
                format!("{sign}{out}.{cents:02}")
            };
            let european = format!("{sign}{}", grouped.trim_start_matches('-').replace(',', " ").replace('.', ","));
            prop_assert_eq!(money(&conv(false), Cell::Text(plain.clone())), Some(plain.clone()));
            prop_assert_eq!(money(&conv(false), Cell::Text(grouped)), Some(plain.clone()));
            prop_assert_eq!(money(&conv(true), Cell::Text(european)), Some(plain.clone()));
            let float: f64 = plain.parse().expect("a float");
            prop_assert_eq!(money(&conv(false), Cell::Float(float)), Some(plain));
        }
    }

    #[test]
    fn enums_ignore_case_and_separators() {
        let values = vec!["bank_transfer".to_string(), "card".to_string()];
        assert_eq!(
            enum_value(&values, " Bank transfer "),
            Some(Value::Text("bank_transfer".into()))
        );
        assert_eq!(
            enum_value(&values, "CARD"),
            Some(Value::Text("card".into()))
        );
        assert_eq!(enum_value(&values, "cash"), None);
    }
}
