//! caseflow: customer-service business processes from the shell.
//!
//! The crate is a functional core with an imperative shell:
//! - [`definition`] loads and validates process YAML (with positions for errors);
//! - [`org`] loads people, groups and supervisors from `org.yaml`;
//! - [`engine`] is pure: definition + case + command + actor + time in, new state + events out;
//! - [`store`] is the only place with SQL;
//! - [`cli`] parses arguments, opens the store, calls the engine and renders.

pub mod cli;
pub mod definition;
pub mod engine;
pub mod error;
pub mod notify;
pub mod org;
pub mod store;
pub mod time;
pub mod value;
pub mod workspace;
