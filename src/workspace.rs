//! A workspace is a folder: `caseflow.db`, `processes/*.yaml`, `org.yaml`, `templates/`,
//! `outbox/`. This module knows the layout and loads what is in it; it does no deciding.

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::definition::{self, Definition, Diagnostic};
use crate::error::CliError;
use crate::org::Org;
use crate::store::{Store, StoreError, TickLock};

pub const DB_FILE: &str = "caseflow.db";
/// Held by a running `tick` on a SQLite workspace.
pub const TICK_LOCK_FILE: &str = "caseflow.tick.lock";
pub const ORG_FILE: &str = "org.yaml";
pub const PROCESSES_DIR: &str = "processes";

/// The processes shipped inside the binary (every `processes/*.yaml`, by file name; see
/// `build.rs`), deployed by `init` and `demo`.
pub const BUNDLED_PROCESSES: &[(&str, &str)] =
    include!(concat!(env!("OUT_DIR"), "/bundled_processes.rs"));

/// The notification and letter templates shipped inside the binary (every file under
/// `templates/`, by path relative to it; see `build.rs`), written by `init` and `demo`.
pub const BUNDLED_TEMPLATES: &[(&str, &str)] =
    include!(concat!(env!("OUT_DIR"), "/bundled_templates.rs"));

/// The example org.yaml that `init` writes.
pub const BUNDLED_ORG: &str = include_str!("cli/assets/org.yaml");

#[derive(Debug, Clone)]
pub struct Workspace {
    pub root: PathBuf,
    pub busy_timeout: Duration,
    /// In a team workspace, the admin acting for someone else (recorded on every event).
    pub operator: Option<String>,
    /// The PostgreSQL database holding the cases (`database.url`); `None`: `caseflow.db`.
    pub database_url: Option<String>,
    /// A store opened before the command ran (to read the team setting), handed to the
    /// command's first [`Workspace::store`] so a command opens its database once.
    opened: Opened,
}

/// See [`Workspace::keep_open`].
#[derive(Clone, Default)]
struct Opened(std::rc::Rc<std::cell::RefCell<Option<Store>>>);

impl std::fmt::Debug for Opened {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Opened")
    }
}

/// One definition file and what loading it gave.
pub struct LoadedFile {
    pub path: PathBuf,
    pub source: String,
    pub result: Result<Definition, Vec<Diagnostic>>,
}

impl Workspace {
    pub fn new(root: PathBuf, busy_timeout: Duration) -> Workspace {
        Workspace {
            root,
            busy_timeout,
            operator: None,
            database_url: None,
            opened: Opened::default(),
        }
    }

    /// Keep `store` for the command's first [`Workspace::store`].
    pub fn keep_open(&self, store: Store) {
        *self.opened.0.borrow_mut() = Some(store);
    }

    /// The same workspace with its cases in the PostgreSQL database at `url`, if any.
    pub fn with_database(mut self, url: Option<&str>) -> Workspace {
        self.database_url = url.map(str::to_string);
        self.opened = Opened::default();
        self
    }

    pub fn db_path(&self) -> PathBuf {
        self.root.join(DB_FILE)
    }

    pub fn org_path(&self) -> PathBuf {
        self.root.join(ORG_FILE)
    }

    pub fn processes_dir(&self) -> PathBuf {
        self.root.join(PROCESSES_DIR)
    }

    /// Open the database of an initialised workspace.
    pub fn store(&self) -> Result<Store, CliError> {
        if let Some(store) = self.opened.0.borrow_mut().take() {
            return self.with_operator(store);
        }
        if let Some(url) = &self.database_url {
            return self.with_operator(Store::open_postgres(url, self.busy_timeout, false)?);
        }
        if !self.db_path().exists() {
            return Err(CliError::NoWorkspace {
                path: self.root.display().to_string(),
            });
        }
        self.create_store()
    }

    /// Open or create the database (for `init` and `deploy`).
    pub fn create_store(&self) -> Result<Store, CliError> {
        let store = match &self.database_url {
            Some(url) => Store::open_postgres(url, self.busy_timeout, true)?,
            None => Store::open(&self.db_path(), self.busy_timeout)?,
        };
        self.with_operator(store)
    }

    fn with_operator(&self, mut store: Store) -> Result<Store, CliError> {
        store.set_operator(self.operator.clone());
        Ok(store)
    }

    /// Whether the database exists and holds a caseflow workspace.
    pub fn is_initialised(&self) -> Result<bool, CliError> {
        match self.store() {
            Ok(_) => Ok(true),
            Err(CliError::NoWorkspace { .. } | CliError::Store(StoreError::NoSchema { .. })) => {
                Ok(false)
            }
            Err(e) => Err(e),
        }
    }

    /// Where the cases are, for messages: the database file or the redacted URL.
    pub fn database_shown(&self) -> String {
        match &self.database_url {
            Some(url) => crate::store::redact_url(url),
            None => self.db_path().display().to_string(),
        }
    }

    /// The lock that makes an overlapping `tick` skip: a file next to `caseflow.db`, or an
    /// advisory lock on the PostgreSQL server (shared by every host).
    pub fn tick_lock(&self) -> Result<Option<TickLock>, CliError> {
        Ok(match &self.database_url {
            Some(url) => TickLock::try_take_postgres(url)?,
            None => TickLock::try_take(&self.root.join(TICK_LOCK_FILE))?,
        })
    }

    pub fn org(&self) -> Result<Org, CliError> {
        let path = self.org_path();
        if !path.exists() && !self.db_path().exists() && self.database_url.is_none() {
            return Err(CliError::NoWorkspace {
                path: self.root.display().to_string(),
            });
        }
        let source = read(&path)?;
        Org::load(&shown(&path, &self.root), &source).map_err(CliError::Definitions)
    }

    /// The definition files to check or deploy: the given paths (files or folders), or
    /// the workspace's `processes/` folder.
    pub fn definition_files(&self, paths: &[PathBuf]) -> Result<Vec<PathBuf>, CliError> {
        let roots = if paths.is_empty() {
            vec![self.processes_dir()]
        } else {
            paths.to_vec()
        };
        let mut files = Vec::new();
        for root in roots {
            if root.is_dir() {
                let entries = std::fs::read_dir(&root).map_err(|e| CliError::io(&root, e))?;
                let mut found: Vec<PathBuf> = entries
                    .filter_map(Result::ok)
                    .map(|e| e.path())
                    .filter(|p| p.extension().is_some_and(|x| x == "yaml" || x == "yml"))
                    .collect();
                found.sort();
                files.extend(found);
            } else if root.exists() {
                files.push(root);
            } else {
                return Err(CliError::MissingInput {
                    what: root.display().to_string(),
                });
            }
        }
        Ok(files)
    }

    /// Load every definition file, keeping each file's errors.
    pub fn load_definitions(
        &self,
        files: &[PathBuf],
        org: Option<&Org>,
    ) -> Result<Vec<LoadedFile>, CliError> {
        files
            .iter()
            .map(|path| {
                let source = read(path)?;
                let result = definition::load(&shown(path, &self.root), &source, org);
                Ok(LoadedFile {
                    path: path.clone(),
                    source,
                    result,
                })
            })
            .collect()
    }
}

fn read(path: &Path) -> Result<String, CliError> {
    std::fs::read_to_string(path).map_err(|e| CliError::io(path, e))
}

/// A path as the user would recognise it: relative to the workspace when inside it.
fn shown(path: &Path, root: &Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .display()
        .to_string()
}
