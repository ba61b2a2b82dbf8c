//! Any sheet cell (text, or the bytes read as a float or an integer) converted to every field
//! type with either decimal convention and a date format: a value or a message, never a panic.
#![no_main]

use caseflow::org::Org;
use caseflow::sheets::convert::{ConvertOptions, Converter};
use caseflow::sheets::read::Cell;
use caseflow::value::FieldType;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let org = Org::default();
    let mut cells = vec![];
    if let Ok(text) = std::str::from_utf8(data) {
        cells.push(Cell::Text(text.to_string()));
    }
    if let Ok(bytes) = <[u8; 8]>::try_from(data.get(..8).unwrap_or_default()) {
        cells.push(Cell::Float(f64::from_le_bytes(bytes)));
        cells.push(Cell::Int(i64::from_le_bytes(bytes)));
    }
    for decimal_comma in [false, true] {
        let conv = Converter::new(
            ConvertOptions {
                decimal_comma,
                date_format: Some("%d.%m.%Y %H:%M".into()),
            },
            &org,
        );
        for ty in [
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
        ] {
            for cell in &cells {
                let _ = conv.value(&ty, cell);
            }
        }
    }
});
