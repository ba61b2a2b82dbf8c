//! Any bytes as org.yaml: a positioned error or an org, never a panic or hang.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = caseflow::org::Org::load("org.yaml", text);
    }
});
