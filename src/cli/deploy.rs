//! `caseflow deploy [PATH..]`: validate everything first, then store each changed definition
//! as a new version (by content hash); unchanged ones are a no-op, and said so.

use std::path::PathBuf;

use sha2::{Digest, Sha256};

use super::common::Ctx;
use crate::error::CliError;

#[derive(clap::Args, Debug)]
#[command(
    after_help = "Examples:\n  caseflow deploy\n  caseflow deploy processes/expense-reimbursement.yaml"
)]
pub struct Args {
    /// Definition files or folders (default: the workspace's processes/)
    pub paths: Vec<PathBuf>,
}

#[derive(Debug, serde::Serialize)]
pub struct Deployed {
    pub process: String,
    pub version: i64,
    pub changed: bool,
}

pub fn run(ctx: &Ctx, args: Args) -> Result<(), CliError> {
    let deployed = perform(ctx, &args.paths)?;
    if ctx.json {
        println!("{}", serde_json::json!({"deployed": deployed}));
    } else if !ctx.quiet {
        for d in &deployed {
            if d.changed {
                println!("{}: deployed version {}", d.process, d.version);
            } else {
                println!("{}: unchanged (version {})", d.process, d.version);
            }
        }
    }
    Ok(())
}

pub fn perform(ctx: &Ctx, paths: &[PathBuf]) -> Result<Vec<Deployed>, CliError> {
    let loaded = super::check::validate(ctx, paths)?;
    let mut store = ctx.workspace.create_store()?;
    let bar = super::term::progress(loaded.len() as u64, ctx.quiet || ctx.json);
    let deployed = store.write(|db| {
        let mut out = Vec::new();
        for file in &loaded {
            bar.inc(1);
            let Ok(def) = &file.result else { continue };
            let hash = format!("{:x}", Sha256::digest(file.source.as_bytes()));
            match db.latest_version(&def.name)? {
                Some(latest) if latest.hash == hash => out.push(Deployed {
                    process: def.name.clone(),
                    version: latest.version,
                    changed: false,
                }),
                _ => {
                    let version =
                        db.insert_version(&def.name, &def.title, &file.source, &hash, ctx.now)?;
                    out.push(Deployed {
                        process: def.name.clone(),
                        version,
                        changed: true,
                    });
                }
            }
        }
        Ok::<_, CliError>(out)
    });
    bar.finish_and_clear();
    deployed
}
