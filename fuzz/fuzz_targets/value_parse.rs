//! Any text as a value of every field type (what `--field`, imports and `set` feed in).
#![no_main]

use caseflow::value::{FieldType, Value};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    for ty in [
        FieldType::Text,
        FieldType::Integer,
        FieldType::Money,
        FieldType::Date,
        FieldType::DateTime,
        FieldType::Bool,
        FieldType::Enum(vec!["a".into(), "b".into()]),
        FieldType::Email,
        FieldType::Person,
        FieldType::List,
        FieldType::Lines,
    ] {
        let _ = Value::parse(&ty, text);
    }
});
