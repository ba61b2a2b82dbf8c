//! caseflow: customer-service business processes from the shell.
//!
//! The crate is a functional core with an imperative shell:
//! - [`definition`] loads and validates process YAML (with positions for errors);
//! - [`org`] loads people, groups, supervisors and calendars from `org.yaml`;
//! - [`calendar`] is business-time arithmetic (working hours, holidays, time zones);
//! - [`engine`] is pure: definition + case + command + actor + time in, new state + events out;
//! - [`store`] is the only place with SQL;
//! - [`cli`] parses arguments, opens the store, calls the engine and renders.

pub mod calendar;
pub mod cli;
pub mod config;
pub mod definition;
pub mod engine;
pub mod error;
pub mod identity;
pub mod notify;
pub mod org;
pub mod report;
pub mod sheets;
pub mod store;
pub mod time;
pub mod value;
pub mod workspace;
