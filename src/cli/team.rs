//! The operating-system side of team workspaces: which account runs the command, and file
//! modes that let the team's group (and nobody else) read and write what caseflow creates.

use std::path::Path;

use crate::error::CliError;

/// The name of the account running this process, from the real user id (not from
/// environment variables, which anyone can set).
#[cfg(unix)]
pub fn os_account() -> Option<String> {
    nix::unistd::User::from_uid(nix::unistd::getuid())
        .ok()
        .flatten()
        .map(|user| user.name)
}

#[cfg(not(unix))]
pub fn os_account() -> Option<String> {
    std::env::var("USERNAME").ok()
}

/// Files created from now on are readable and writable by the owner and the group only.
#[cfg(unix)]
pub fn restrict_new_files() {
    use nix::sys::stat::{umask, Mode};
    umask(Mode::from_bits_truncate(0o007));
}

#[cfg(not(unix))]
pub fn restrict_new_files() {}

/// Make a workspace folder group-shared: rwxrws--- (setgid, so new files keep the group).
pub fn share_dir(dir: &Path) -> Result<(), CliError> {
    set_mode(dir, 0o2770)
}

/// Create (if needed) the database file as rw-rw----, before SQLite opens it: SQLite gives
/// its -wal and -shm files the database file's mode.
pub fn share_db(path: &Path) -> Result<(), CliError> {
    if !path.exists() {
        std::fs::File::create(path).map_err(|e| CliError::CannotCreate {
            path: path.display().to_string(),
            detail: e.to_string(),
        })?;
    }
    set_mode(path, 0o660)
}

/// A file the team edits together (org.yaml): rw-rw----.
pub fn share_file(path: &Path) -> Result<(), CliError> {
    set_mode(path, 0o660)
}

#[cfg(unix)]
fn set_mode(path: &Path, mode: u32) -> Result<(), CliError> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).map_err(|e| {
        CliError::CannotCreate {
            path: path.display().to_string(),
            detail: format!("cannot set its permissions: {e}"),
        }
    })
}

#[cfg(not(unix))]
fn set_mode(_path: &Path, _mode: u32) -> Result<(), CliError> {
    Ok(())
}
