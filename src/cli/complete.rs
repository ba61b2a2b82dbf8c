//! Shell completion through clap_complete's dynamic engine: the scripts in `completions/`
//! only register `caseflow` with the shell, which then calls `COMPLETE=SHELL caseflow -- WORDS`
//! on every <Tab>. So subcommands and flags always match the binary that answers, and values
//! come from the workspace: process names, case ids, the actions the case's current step
//! offers you, steps, people and groups, `--field` names and enum values.
//!
//! Completers are attached by argument id (`case`, `action`, `process`, `to`, ...) to every
//! subcommand, so a new command that names its arguments the same way completes for free.

use std::ffi::OsStr;
use std::path::PathBuf;
use std::time::Duration;

use clap_complete::engine::{
    ArgValueCompleter, CompletionCandidate, PathCompleter, ValueCompleter,
};
use clap_complete::env::CompleteEnv;

use crate::engine;
use crate::value::FieldType;
use crate::workspace::Workspace;

/// The environment variable the registration scripts set.
pub const VAR: &str = "COMPLETE";

/// When the shell asks (`COMPLETE` set), print the registration script or the candidates and
/// exit; otherwise return and let the command run.
pub fn complete_if_asked() {
    CompleteEnv::with_factory(command)
        .var(VAR)
        .bin("caseflow")
        .completer("caseflow")
        .complete();
}

/// The clap command with value completers attached.
pub fn command() -> clap::Command {
    let cmd = super::command().mut_arg("actor", |a| a.add(completer("to").unwrap_or_else(none)));
    let names: Vec<String> = cmd
        .get_subcommands()
        .map(|s| s.get_name().to_string())
        .collect();
    names
        .into_iter()
        .fold(cmd, |cmd, name| cmd.mut_subcommand(name, with_completers))
}

fn none() -> ArgValueCompleter {
    ArgValueCompleter::new(|_: &OsStr| Vec::new())
}

fn with_completers(sub: clap::Command) -> clap::Command {
    let ids: Vec<String> = sub
        .get_arguments()
        .map(|a| a.get_id().to_string())
        .collect();
    ids.into_iter().fold(sub, |sub, id| match completer(&id) {
        Some(c) => sub.mut_arg(id, |a| a.add(c)),
        None => sub,
    })
}

fn completer(arg_id: &str) -> Option<ArgValueCompleter> {
    let f: fn(&Words, &str) -> Vec<CompletionCandidate> = match arg_id {
        "case" => cases,
        "action" => actions,
        "process" => processes,
        "inputs" => processes_and_files,
        "to" | "assignee" => people_and_groups,
        "step" => steps,
        "fields" => fields,
        _ => return None,
    };
    Some(ArgValueCompleter::new(move |current: &OsStr| {
        let current = current.to_string_lossy();
        let words = Words::from_env();
        let mut found = f(&words, &current);
        found.retain(|c| {
            c.get_value()
                .to_string_lossy()
                .starts_with(current.as_ref())
        });
        found
    }))
}

/// The words of the command line being completed (after `--` in our own arguments).
struct Words(Vec<String>);

/// Options whose next word is their value, so it is not taken for the case id.
const TAKES_VALUE: &[&str] = &[
    "--workspace",
    "--as",
    "--now",
    "--step",
    "--field",
    "-f",
    "--comment",
    "-m",
    "--attach",
    "--to",
    "--reason",
    "-r",
    "--resolution",
    "--kind",
    "--id",
    "-c",
];

impl Words {
    fn from_env() -> Words {
        Words::after_dashes(std::env::args_os().map(|a| a.to_string_lossy().into_owned()))
    }

    /// Our own arguments are `caseflow -- caseflow WORDS..`; keep what follows `--`.
    fn after_dashes(args: impl Iterator<Item = String>) -> Words {
        let args: Vec<String> = args.collect();
        let after = args
            .iter()
            .position(|a| a == "--")
            .map_or(args.len(), |i| i + 1);
        Words(args[after..].to_vec())
    }

    /// The value of `--NAME VALUE` or `--NAME=VALUE`.
    fn option(&self, name: &str) -> Option<String> {
        let prefix = format!("{name}=");
        self.0.iter().enumerate().find_map(|(i, w)| {
            if w == name {
                self.0.get(i + 1).cloned()
            } else {
                w.strip_prefix(&prefix).map(str::to_string)
            }
        })
    }

    /// The first positional word after the subcommand: the case id for case commands.
    fn case(&self) -> Option<String> {
        let mut positional =
            self.0.iter().enumerate().skip(1).filter(|(i, w)| {
                !w.starts_with('-') && !TAKES_VALUE.contains(&self.0[i - 1].as_str())
            });
        positional.next()?;
        positional.next().map(|(_, w)| w.clone())
    }

    fn workspace(&self) -> Workspace {
        let root = self
            .option("--workspace")
            .or_else(|| std::env::var("CASEFLOW_WORKSPACE").ok())
            .unwrap_or_else(|| ".".into());
        let root = PathBuf::from(root);
        // The workspace's own settings decide where its cases are (caseflow.db or PostgreSQL);
        // a broken caseflow.toml just means fewer suggestions.
        let config = crate::config::Config::load(&root, |var| std::env::var(var).ok(), &[])
            .unwrap_or_default();
        Workspace::new(root, Duration::from_millis(500)).with_database(config.database_url())
    }

    fn now(&self) -> jiff::Timestamp {
        self.option("--now")
            .or_else(|| std::env::var("CASEFLOW_NOW").ok())
            .and_then(|t| crate::time::parse_timestamp(&t))
            .unwrap_or_else(jiff::Timestamp::now)
    }

    fn actor(&self) -> String {
        self.option("--as")
            .or_else(|| std::env::var("CASEFLOW_USER").ok())
            .or_else(|| std::env::var("USER").ok())
            .unwrap_or_default()
    }
}

fn candidate(value: &str, help: String) -> CompletionCandidate {
    CompletionCandidate::new(value).help(Some(help.into()))
}

fn cases(words: &Words, current: &str) -> Vec<CompletionCandidate> {
    let Ok(store) = words.workspace().store() else {
        return Vec::new();
    };
    let ids = store
        .read()
        .case_ids_starting(current, 200)
        .unwrap_or_default();
    ids.into_iter()
        .map(|c| {
            let status = if c.open { "open" } else { "closed" };
            candidate(&c.id, format!("{} ({status})", c.process))
        })
        .collect()
}

fn processes(words: &Words, _: &str) -> Vec<CompletionCandidate> {
    let Ok(store) = words.workspace().store() else {
        return Vec::new();
    };
    let found = store.read().processes().unwrap_or_default();
    found
        .into_iter()
        .map(|p| candidate(&p.name, p.title))
        .collect()
}

/// `graph` takes deployed process names and definition files alike.
fn processes_and_files(words: &Words, current: &str) -> Vec<CompletionCandidate> {
    let mut found = processes(words, current);
    found.extend(ValueCompleter::complete(
        &PathCompleter::any(),
        OsStr::new(current),
    ));
    found
}

fn people_and_groups(words: &Words, _: &str) -> Vec<CompletionCandidate> {
    let Ok(org) = words.workspace().org() else {
        return Vec::new();
    };
    let people = org
        .people
        .iter()
        .map(|(id, p)| candidate(id, p.name.clone()));
    let groups = org
        .groups()
        .into_iter()
        .map(|g| candidate(g, "group".to_string()));
    people.chain(groups).collect()
}

/// The actions the case's open steps offer, the ones the actor may take first.
fn actions(words: &Words, _: &str) -> Vec<CompletionCandidate> {
    let mut offers = offers(words);
    offers.sort_by_key(|o| !o.allowed);
    let mut seen = Vec::new();
    offers
        .into_iter()
        .filter(|o| {
            let new = !seen.contains(&o.action);
            seen.push(o.action.clone());
            new
        })
        .map(|o| {
            let who = if o.allowed { "you may" } else { "not you" };
            candidate(&o.action, format!("{} ({who})", o.step))
        })
        .collect()
}

fn steps(words: &Words, _: &str) -> Vec<CompletionCandidate> {
    let mut seen: Vec<String> = Vec::new();
    for offer in offers(words) {
        if !seen.contains(&offer.step) {
            seen.push(offer.step);
        }
    }
    seen.iter()
        .map(|s| candidate(s, "open step".into()))
        .collect()
}

/// `NAME=` for each settable field of the case's (or the opened process's) definition; after
/// the `=`, the values of an enum or bool field, or people for a person field.
fn fields(words: &Words, current: &str) -> Vec<CompletionCandidate> {
    let Some(def) = definition(words) else {
        return Vec::new();
    };
    let settable = def
        .fields
        .iter()
        .filter(|f| f.sum_of.is_none() && f.compute.is_none() && f.instalments.is_none());
    let Some((name, _)) = current.split_once('=') else {
        return settable
            .map(|f| candidate(&format!("{}=", f.name), f.title.clone().unwrap_or_default()))
            .collect();
    };
    let Some(field) = def.field(name) else {
        return Vec::new();
    };
    let values: Vec<String> = match &field.ty {
        FieldType::Enum(values) => values.clone(),
        FieldType::Bool => vec!["true".into(), "false".into()],
        FieldType::Person => words
            .workspace()
            .org()
            .map(|org| org.people.keys().cloned().collect())
            .unwrap_or_default(),
        _ => Vec::new(),
    };
    values
        .iter()
        .map(|v| candidate(&format!("{name}={v}"), field.ty.name().to_string()))
        .collect()
}

/// The definition of the case named on the command line, or of the process being opened.
fn definition(words: &Words) -> Option<crate::definition::Definition> {
    let target = words.case()?;
    let workspace = words.workspace();
    let (org, store) = (workspace.org().ok()?, workspace.store().ok()?);
    let db = store.read();
    let (process, version) = match db.load_case(&target) {
        Ok(case) => (case.process, Some(case.version)),
        Err(_) => (target, None),
    };
    super::common::definition_version(&db, &org, &process, version)
        .ok()
        .map(|(def, _)| def)
}

fn offers(words: &Words) -> Vec<engine::Offer> {
    let Some(id) = words.case() else {
        return Vec::new();
    };
    let workspace = words.workspace();
    let (Ok(org), Ok(store)) = (workspace.org(), workspace.store()) else {
        return Vec::new();
    };
    let db = store.read();
    let Ok(mut case) = db.load_case(&id) else {
        return Vec::new();
    };
    let Ok((def, version)) =
        super::common::definition_version(&db, &org, &case.process, Some(case.version))
    else {
        return Vec::new();
    };
    case.retype(&def);
    let actor = words.actor();
    let ectx = engine::Ctx {
        def: &def,
        version,
        org: &org,
        actor: &actor,
        now: words.now(),
        source: None,
        facts: engine::Facts::none(),
    };
    engine::offered_actions(&ectx, &case)
}

#[cfg(test)]
mod tests {
    use super::Words;

    fn words(line: &str) -> Words {
        Words::after_dashes(format!("caseflow -- {line}").split(' ').map(str::to_string))
    }

    #[test]
    fn finds_the_case_and_options_among_the_words() {
        let w = words("caseflow --as maria act EXP-2026-0001 app");
        assert_eq!(w.case().as_deref(), Some("EXP-2026-0001"));
        assert_eq!(w.option("--as").as_deref(), Some("maria"));
        let w = words("caseflow --workspace=/tmp/x act --step s EXP-1 ");
        assert_eq!(w.case().as_deref(), Some("EXP-1"));
        assert_eq!(w.option("--workspace").as_deref(), Some("/tmp/x"));
        assert_eq!(words("caseflow act").case(), None);
    }
}
