//! `caseflow processes`: deployed processes, their latest version and open cases per version.

use super::common::{table, Ctx};
use crate::error::CliError;

#[derive(clap::Args, Debug)]
#[command(after_help = "Examples:\n  caseflow processes\n  caseflow processes --json")]
pub struct Args {}

pub fn run(ctx: &Ctx, _args: Args) -> Result<(), CliError> {
    let store = ctx.workspace.store()?;
    let processes = store.read().processes()?;
    if ctx.json {
        println!("{}", serde_json::json!({"processes": processes}));
        return Ok(());
    }
    let mut t = table(&["process", "title", "latest", "open cases (by version)"]);
    for p in &processes {
        let open: Vec<String> = p
            .open_by_version
            .iter()
            .map(|(v, n)| format!("v{v}: {n}"))
            .collect();
        let open = if open.is_empty() {
            "-".to_string()
        } else {
            open.join(", ")
        };
        t.add_row(vec![
            p.name.clone(),
            p.title.clone(),
            format!("v{}", p.latest_version),
            open,
        ]);
    }
    println!("{t}");
    Ok(())
}
