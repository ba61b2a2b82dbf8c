//! Any bytes as a process definition: a positioned error or a definition, never a panic or hang.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = caseflow::definition::load("fuzz.yaml", text, None);
    }
});
