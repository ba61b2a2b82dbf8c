//! `caseflow init [DIR]`: a workspace with the bundled processes and an example org.yaml,
//! deployed and ready. Existing files are kept, never overwritten.

use std::path::{Path, PathBuf};

use super::common::Ctx;
use crate::error::CliError;
use crate::workspace::{Workspace, BUNDLED_ORG, BUNDLED_PROCESSES, BUNDLED_TEMPLATES};

#[derive(clap::Args, Debug)]
#[command(
    after_help = "Examples:\n  caseflow init ~/cases\n  caseflow init --team /srv/caseflow    # shared: the OS account decides who acts (docs/reliability.md)\n  cd ~/cases && caseflow --as alice open expense-reimbursement --field kind=reimbursement --field 'lines=Taxi: 25.00'"
)]
pub struct Args {
    /// Folder to create the workspace in (default: --workspace or the current folder)
    pub dir: Option<PathBuf>,
    /// A shared workspace: the actor is the OS account mapped by `os_user` in org.yaml,
    /// only admins may use --as, and files are created group-only (0660/2770)
    #[arg(long)]
    pub team: bool,
}

pub fn run(ctx: &Ctx, args: Args) -> Result<(), CliError> {
    let root = args.dir.unwrap_or_else(|| ctx.workspace.root.clone());
    if args.team {
        super::team::restrict_new_files();
    }
    let workspace = perform(ctx, &root)?;
    if args.team {
        share(&workspace)?;
    }
    let ctx = Ctx {
        workspace,
        actor: ctx.actor.clone(),
        now: ctx.now,
        json: ctx.json,
        quiet: ctx.quiet,
        verbose: ctx.verbose,
        config: ctx.config.clone(),
    };
    let deployed = super::deploy::perform(&ctx, &[])?;
    if ctx.json {
        println!(
            "{}",
            serde_json::json!({"workspace": root.display().to_string(), "deployed": deployed})
        );
    } else if !ctx.quiet {
        println!("workspace ready in {}", root.display());
        for d in &deployed {
            println!("  {} v{}", d.process, d.version);
        }
        if args.team {
            println!("team workspace: the OS account decides who acts; give each person `os_user: ACCOUNT` in org.yaml and add the accounts to the folder's group");
        }
        println!("next: cd {} && caseflow processes", root.display());
        let cd = if root == Path::new(".") {
            String::new()
        } else {
            format!(
                "cd {} && ",
                super::common::quote(&root.display().to_string())
            )
        };
        println!("next: {cd}caseflow processes");
    }
    Ok(())
}

/// Write the bundled files (keeping any that exist) and return the workspace.
pub fn perform(ctx: &Ctx, root: &Path) -> Result<Workspace, CliError> {
    let processes = root.join(crate::workspace::PROCESSES_DIR);
    for dir in [
        root.to_path_buf(),
        processes.clone(),
        root.join("templates"),
        root.join("outbox"),
    ] {
        std::fs::create_dir_all(&dir).map_err(|e| CliError::CannotCreate {
            path: dir.display().to_string(),
            detail: e.to_string(),
        })?;
    }
    write_new(&root.join(crate::workspace::ORG_FILE), BUNDLED_ORG)?;
    for (name, source) in BUNDLED_PROCESSES {
        write_new(&processes.join(name), source)?;
    }
    for (name, source) in BUNDLED_TEMPLATES {
        let path = root.join("templates").join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| CliError::CannotCreate {
                path: parent.display().to_string(),
                detail: e.to_string(),
            })?;
        }
        write_new(&path, source)?;
    }
    Ok(
        Workspace::new(root.to_path_buf(), ctx.workspace.busy_timeout)
            .with_database(ctx.workspace.database_url.as_deref()),
    )
}

/// Turn a workspace into a team workspace: group-only folders and database, and the
/// `team` setting stored in the database itself.
fn share(workspace: &Workspace) -> Result<(), CliError> {
    for dir in ["", crate::workspace::PROCESSES_DIR, "templates", "outbox"] {
        super::team::share_dir(&workspace.root.join(dir))?;
    }
    if workspace.database_url.is_none() {
        super::team::share_db(&workspace.db_path())?;
    }
    super::team::share_file(&workspace.org_path())?;
    let mut store = workspace.create_store()?;
    store.write(|db| db.set_setting(crate::store::TEAM, "true"))?;
    Ok(())
}

fn write_new(path: &Path, contents: &str) -> Result<(), CliError> {
    if path.exists() {
        return Ok(());
    }
    std::fs::write(path, contents).map_err(|e| CliError::CannotCreate {
        path: path.display().to_string(),
        detail: e.to_string(),
    })
}
