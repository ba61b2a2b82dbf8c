//! Workspace defaults: `caseflow.toml` in the workspace, overridden by environment variables,
//! overridden by `--config KEY=VALUE` flags. Loaded once per command (in `cli`) and handed to
//! every command through its context, so nothing else reads these variables itself, and
//! `caseflow config` can say where each value came from.
//!
//! Keys (see [`KEYS`]): `locale`, `calendar`, `smtp.url`, `smtp.from`, `database.url`, `busy_timeout_ms`,
//! `pager`. A key that is not set anywhere has no value (`None`) unless it has a default.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

/// The file name looked for in the workspace.
pub const FILE: &str = "caseflow.toml";

/// Every key: name, environment variable, default, what it is for.
pub const KEYS: &[Key] = &[
    Key {
        name: "locale",
        env: "CASEFLOW_LOCALE",
        default: Some("en"),
        about: "language of notifications and letters when a person has no locale in org.yaml",
    },
    Key {
        name: "calendar",
        env: "CASEFLOW_CALENDAR",
        default: None,
        about: "business calendar (from org.yaml) for SLAs when a process names none",
    },
    Key {
        name: "smtp.url",
        env: "CASEFLOW_SMTP_URL",
        default: None,
        about:
            "SMTP server for e-mail (smtp[s]://user:pass@host:port); unset: .eml files in outbox/",
    },
    Key {
        name: "smtp.from",
        env: "CASEFLOW_SMTP_FROM",
        default: None,
        about: "sender address of notifications",
    },
    Key {
        name: "database.url",
        env: "CASEFLOW_DATABASE_URL",
        default: None,
        about: "PostgreSQL database for this workspace (postgres://user:pass@host/db); unset: caseflow.db in the workspace",
    },
    Key {
        name: "busy_timeout_ms",
        env: "CASEFLOW_BUSY_TIMEOUT_MS",
        default: Some("10000"),
        about: "how long a command waits for another one's write lock before giving up (exit 75)",
    },
    Key {
        name: "pager",
        env: "PAGER",
        default: Some("less -FRX"),
        about: "pager for long output on a terminal (history); empty: never page",
    },
];

/// One configuration key.
#[derive(Debug, Clone, Copy)]
pub struct Key {
    pub name: &'static str,
    pub env: &'static str,
    pub default: Option<&'static str>,
    pub about: &'static str,
}

/// Where a value came from, weakest first.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    Default,
    File(PathBuf),
    Env(String),
    Flag,
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Default => write!(f, "default"),
            Source::File(path) => write!(f, "{}", path.display()),
            Source::Env(var) => write!(f, "env {var}"),
            Source::Flag => write!(f, "--config"),
        }
    }
}

/// A value and where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Setting {
    pub value: String,
    pub source: Source,
}

/// What is wrong with the configuration.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    #[error("{path}: {detail}")]
    Syntax { path: String, detail: String },
    #[error("{origin}: unknown key `{key}`{suggestion}")]
    UnknownKey {
        origin: String,
        key: String,
        suggestion: String,
    },
    #[error("{origin}: `{key}` must be {expected}, not {given:?}")]
    BadValue {
        origin: String,
        key: String,
        expected: String,
        given: String,
    },
    #[error("--config {given:?} must be KEY=VALUE")]
    BadFlag { given: String },
}

/// The resolved configuration.
#[derive(Debug, Clone, Default)]
pub struct Config {
    settings: BTreeMap<&'static str, Setting>,
}

impl Config {
    /// Resolve: defaults, then `root/caseflow.toml` (if any), then the environment, then flags.
    pub fn load(
        root: &Path,
        env: impl Fn(&str) -> Option<String>,
        flags: &[String],
    ) -> Result<Config, ConfigError> {
        let mut config = Config::default();
        for key in KEYS {
            if let Some(value) = key.default {
                config.put(key.name, value.to_string(), Source::Default);
            }
        }
        let path = root.join(FILE);
        if let Ok(text) = std::fs::read_to_string(&path) {
            for (key, value) in parse_file(&path, &text)? {
                config.put_checked(&key, value, Source::File(path.clone()))?;
            }
        }
        for key in KEYS {
            if let Some(value) = env(key.env).filter(|v| !v.is_empty() || key.name == "pager") {
                config.put_checked(key.name, value, Source::Env(key.env.to_string()))?;
            }
        }
        for flag in flags {
            let (key, value) = flag.split_once('=').ok_or_else(|| ConfigError::BadFlag {
                given: flag.clone(),
            })?;
            config.put_checked(key.trim(), value.trim().to_string(), Source::Flag)?;
        }
        Ok(config)
    }

    fn put(&mut self, name: &'static str, value: String, source: Source) {
        self.settings.insert(name, Setting { value, source });
    }

    fn put_checked(&mut self, key: &str, value: String, source: Source) -> Result<(), ConfigError> {
        let origin = source.to_string();
        let known = KEYS.iter().find(|k| k.name == key).ok_or_else(|| {
            let names: Vec<String> = KEYS.iter().map(|k| k.name.to_string()).collect();
            ConfigError::UnknownKey {
                origin: origin.clone(),
                key: key.to_string(),
                suggestion: crate::org::suggest(key, names.iter()),
            }
        })?;
        if known.name == "busy_timeout_ms" && value.parse::<u64>().is_err() {
            return Err(ConfigError::BadValue {
                origin,
                key: key.to_string(),
                expected: "a number of milliseconds".into(),
                given: value,
            });
        }
        self.put(known.name, value, source);
        Ok(())
    }

    /// A key's value and source, if it has one.
    pub fn get(&self, key: &str) -> Option<&Setting> {
        self.settings.get(key)
    }

    fn value(&self, key: &str) -> Option<&str> {
        self.get(key)
            .map(|s| s.value.as_str())
            .filter(|v| !v.is_empty())
    }

    /// The PostgreSQL database, when the workspace uses one instead of `caseflow.db`.
    pub fn database_url(&self) -> Option<&str> {
        self.value("database.url")
    }

    /// Language of notifications (`locale`, default `en`).
    pub fn locale(&self) -> &str {
        self.value("locale").unwrap_or("en")
    }

    /// The default business calendar, when one is configured.
    pub fn calendar(&self) -> Option<&str> {
        self.value("calendar")
    }

    /// The SMTP server URL; None means write `.eml` files to `outbox/`.
    pub fn smtp_url(&self) -> Option<&str> {
        self.value("smtp.url")
    }

    /// The sender address of notifications, when configured.
    pub fn smtp_from(&self) -> Option<&str> {
        self.value("smtp.from")
    }

    /// How long to wait for the write lock.
    pub fn busy_timeout(&self) -> std::time::Duration {
        let ms = self
            .value("busy_timeout_ms")
            .and_then(|v| v.parse().ok())
            .unwrap_or(10_000);
        std::time::Duration::from_millis(ms)
    }

    /// The pager command line, None when paging is switched off.
    pub fn pager(&self) -> Option<&str> {
        self.value("pager")
    }
}

/// The file's keys flattened to dotted names (`[smtp] url = ..` is `smtp.url`).
fn parse_file(path: &Path, text: &str) -> Result<Vec<(String, String)>, ConfigError> {
    let table: toml::Table = text
        .parse()
        .map_err(|e: toml::de::Error| ConfigError::Syntax {
            path: path.display().to_string(),
            detail: e.to_string().trim_end().to_string(),
        })?;
    let mut out = Vec::new();
    flatten("", &table, &mut out);
    Ok(out)
}

fn flatten(prefix: &str, table: &toml::Table, out: &mut Vec<(String, String)>) {
    for (key, value) in table {
        let name = format!("{prefix}{key}");
        match value {
            toml::Value::Table(inner) => flatten(&format!("{name}."), inner, out),
            toml::Value::String(s) => out.push((name, s.clone())),
            other => out.push((name, other.to_string())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(
        file: Option<&str>,
        env: &[(&str, &str)],
        flags: &[&str],
    ) -> Result<Config, ConfigError> {
        let dir = tempfile::tempdir().expect("tempdir");
        if let Some(text) = file {
            std::fs::write(dir.path().join(FILE), text).expect("write");
        }
        let env: BTreeMap<String, String> = env
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let flags: Vec<String> = flags.iter().map(|f| f.to_string()).collect();
        Config::load(dir.path(), |k| env.get(k).cloned(), &flags)
    }

    #[test]
    fn flags_beat_env_beat_file_beat_defaults() {
        let file = "locale = \"de\"\ncalendar = \"office\"\n[smtp]\nurl = \"smtp://file:25\"\n";
        let c = load(
            Some(file),
            &[("CASEFLOW_SMTP_URL", "smtp://env:25")],
            &["calendar=plant"],
        )
        .expect("ok");
        assert_eq!(c.locale(), "de");
        assert!(matches!(
            c.get("locale").map(|s| &s.source),
            Some(Source::File(_))
        ));
        assert_eq!(c.smtp_url(), Some("smtp://env:25"));
        assert_eq!(
            c.get("smtp.url").map(|s| s.source.clone()),
            Some(Source::Env("CASEFLOW_SMTP_URL".into()))
        );
        assert_eq!(c.calendar(), Some("plant"));
        assert_eq!(
            c.get("calendar").map(|s| s.source.clone()),
            Some(Source::Flag)
        );
        assert_eq!(c.busy_timeout().as_millis(), 10_000);
        assert_eq!(c.smtp_from(), None);
    }

    #[test]
    fn unknown_keys_and_bad_values_are_errors() {
        let err = load(Some("[smtp]\nulr = \"x\"\n"), &[], &[]).expect_err("unknown");
        assert!(
            err.to_string()
                .contains("unknown key `smtp.ulr`; did you mean `smtp.url`?"),
            "{err}"
        );
        let err = load(None, &[], &["busy_timeout_ms=soon"]).expect_err("bad");
        assert!(
            err.to_string().contains("a number of milliseconds"),
            "{err}"
        );
        let err = load(Some("locale = \n"), &[], &[]).expect_err("syntax");
        assert!(matches!(err, ConfigError::Syntax { .. }), "{err}");
    }
}
