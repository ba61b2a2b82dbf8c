//! Workspace settings kept in the database (see the `settings` migration).

use super::sql::args;
use super::{Db, Result};

/// The setting that makes a workspace a team workspace (`init --team`).
pub const TEAM: &str = "team";

impl Db<'_> {
    pub fn setting(&self, key: &str) -> Result<Option<String>> {
        self.row(
            "SELECT value FROM settings WHERE key = ?1",
            args![key],
            |r| r.get(0),
        )
    }

    pub fn set_setting(&self, key: &str, value: &str) -> Result<()> {
        self.exec(
            "INSERT INTO settings (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            args![key, value],
        )?;
        Ok(())
    }

    /// Whether this is a team workspace.
    pub fn is_team(&self) -> Result<bool> {
        Ok(self.setting(TEAM)?.as_deref() == Some("true"))
    }
}
