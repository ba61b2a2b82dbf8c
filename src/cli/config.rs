//! `caseflow config [KEY]`: every setting with its value and where it came from (default,
//! caseflow.toml, environment, --config), so "why does it do that?" has a one-command answer.

use super::common::{table, Ctx};
use crate::config::{Source, KEYS};
use crate::error::CliError;

#[derive(clap::Args, Debug)]
#[command(after_help = "Examples:
  caseflow config
  caseflow config smtp.url
  caseflow --config locale=de config locale
  CASEFLOW_SMTP_URL=smtp://mail.example.com:587 caseflow config --json

Settings come from caseflow.toml in the workspace, e.g.
  locale = \"de\"
  calendar = \"office\"
  [smtp]
  url = \"smtp://mail.example.com:587\"
then the environment (CASEFLOW_LOCALE, CASEFLOW_CALENDAR, CASEFLOW_SMTP_URL, ...), then --config.")]
pub struct Args {
    /// Show only this key
    pub key: Option<String>,
}

pub fn run(ctx: &Ctx, args: Args) -> Result<(), CliError> {
    let keys: Vec<_> = match &args.key {
        None => KEYS.iter().collect(),
        Some(name) => {
            let key = KEYS.iter().find(|k| k.name == name).ok_or_else(|| {
                let names: Vec<String> = KEYS.iter().map(|k| k.name.to_string()).collect();
                CliError::Usage(format!(
                    "there is no setting `{name}`{}; `caseflow config` lists them all",
                    crate::org::suggest(name, names.iter())
                ))
            })?;
            vec![key]
        }
    };
    let rows: Vec<(String, String, String, &str, &str)> = keys
        .iter()
        .map(|k| {
            let setting = ctx.config.get(k.name);
            let value = setting.map(|s| masked(&s.value)).unwrap_or_default();
            let source = setting.map(|s| s.source.clone());
            (
                k.name.to_string(),
                value,
                source
                    .map(|s| s.to_string())
                    .unwrap_or_else(|| "unset".into()),
                k.env,
                k.about,
            )
        })
        .collect();
    if ctx.json {
        let docs: Vec<serde_json::Value> = keys
            .iter()
            .zip(&rows)
            .map(|(k, (name, value, origin, env, about))| {
                let setting = ctx.config.get(k.name);
                serde_json::json!({
                    "key": name, "value": setting.map(|_| value.clone()), "source": setting.map(|s| kind(&s.source)),
                    "origin": origin, "env": env, "about": about,
                })
            })
            .collect();
        let file = ctx.workspace.root.join(crate::config::FILE);
        println!(
            "{}",
            serde_json::json!({"file": file.display().to_string(), "file_exists": file.exists(), "settings": docs})
        );
        return Ok(());
    }
    if let (Some(_), [(_, value, _, _, _)]) = (&args.key, rows.as_slice()) {
        println!("{value}");
        return Ok(());
    }
    let mut t = table(&["key", "value", "from", "env", "what it is for"]);
    for (name, value, origin, env, about) in rows {
        t.add_row(vec![
            name,
            value,
            origin,
            env.to_string(),
            about.to_string(),
        ]);
    }
    println!("{t}");
    Ok(())
}

/// One word for the kind of source, for scripts.
fn kind(source: &Source) -> &'static str {
    match source {
        Source::Default => "default",
        Source::File(_) => "file",
        Source::Env(_) => "env",
        Source::Flag => "flag",
    }
}

/// A URL's password replaced by `***`, so the output can be pasted into a ticket.
pub fn masked(value: &str) -> String {
    crate::store::redact_url(value)
}

/// With `-v`: where the command runs, as whom, when, and the settings not at their defaults.
pub fn describe(ctx: &Ctx) {
    anstream::eprintln!(
        "workspace {}; as {}; now {}",
        ctx.workspace.root.display(),
        ctx.actor,
        crate::time::format_timestamp(ctx.now)
    );
    for key in KEYS {
        if let Some(s) = ctx.config.get(key.name) {
            if s.source != Source::Default {
                anstream::eprintln!("config {} = {} ({})", key.name, masked(&s.value), s.source);
            }
        }
    }
}
