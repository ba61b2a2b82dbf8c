//! `caseflow doctor`: looks the workspace over and says what to fix. Each check is a small
//! function giving one [`Check`]; a `fail` means something needs fixing (exit 1), a `warn`
//! is worth knowing but does not stop anything. Read-only: it never migrates or deploys.

use std::net::{TcpStream, ToSocketAddrs};
use std::time::Duration;

use comfy_table::{Attribute, Cell, Color};
use sha2::{Digest, Sha256};

use super::common::{table, Ctx};
use crate::error::CliError;
use crate::org::Org;
use crate::store::admin;

#[derive(clap::Args, Debug)]
#[command(after_help = "Examples:
  caseflow doctor
  caseflow doctor --json | jq '.checks[] | select(.status != \"ok\")'
  caseflow --workspace /srv/cases doctor || mail -s 'caseflow needs attention' ops@example.com

Exit status: 0 when nothing needs fixing (warnings allowed), 1 when something does.")]
pub struct Args {}

/// How one check came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Ok,
    Warn,
    Fail,
}

/// One line of the report: what was checked, what was found, what to do.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Check {
    pub check: &'static str,
    pub status: Status,
    pub found: String,
    pub fix: Option<String>,
}

fn check(check: &'static str, status: Status, found: String, fix: Option<String>) -> Check {
    Check {
        check,
        status,
        found,
        fix,
    }
}

pub fn run(ctx: &Ctx, _: Args) -> Result<(), CliError> {
    let checks = examine(ctx)?;
    let failed = checks.iter().filter(|c| c.status == Status::Fail).count();
    if ctx.json {
        let doc = serde_json::json!({"ok": failed == 0, "checks": checks});
        if failed == 0 {
            println!("{doc}");
            return Ok(());
        }
        return Err(CliError::NeedsFixing {
            problems: failed,
            report: doc,
        });
    }
    print(ctx, &checks);
    if failed == 0 {
        Ok(())
    } else {
        Err(CliError::NeedsFixing {
            problems: failed,
            report: serde_json::Value::Null,
        })
    }
}

fn print(ctx: &Ctx, checks: &[Check]) {
    let mut t = table(&["check", "", "found", "what to do"]);
    for c in checks {
        let (mark, colour) = match c.status {
            Status::Ok => ("ok", Color::Green),
            Status::Warn => ("warn", Color::Yellow),
            Status::Fail => ("FAIL", Color::Red),
        };
        let mut mark = Cell::new(mark);
        if super::term::stdout_colour() {
            mark = mark.fg(colour).add_attribute(Attribute::Bold);
        }
        t.add_row(vec![
            Cell::new(c.check),
            mark,
            Cell::new(&c.found),
            Cell::new(c.fix.clone().unwrap_or_default()),
        ]);
    }
    if !ctx.quiet || checks.iter().any(|c| c.status != Status::Ok) {
        println!("{t}");
    }
}

/// Every check, in the order a person would fix things.
fn examine(ctx: &Ctx) -> Result<Vec<Check>, CliError> {
    let found = match &ctx.workspace.database_url {
        Some(url) => admin::postgres_schema_version(url),
        None => {
            let db_path = ctx.workspace.db_path();
            if !db_path.exists() {
                return Err(CliError::NoWorkspace {
                    path: ctx.workspace.root.display().to_string(),
                });
            }
            admin::schema_version(&db_path)
        }
    };
    let schema = schema(found);
    if schema.status == Status::Fail {
        return Ok(vec![schema]);
    }
    let store = ctx.workspace.store()?;
    let db = store.read();
    let (org_check, org) = org(ctx);
    let mut checks = vec![schema, org_check];
    checks.extend(definitions(ctx, &db, org.as_ref())?);
    if let Some(org) = &org {
        checks.push(assignees(&db, org)?);
    }
    checks.push(smtp(ctx));
    checks.push(outbox(ctx, &db)?);
    checks.push(tick(ctx, &db)?);
    Ok(checks)
}

fn schema(found: Result<i64, crate::store::StoreError>) -> Check {
    let latest = admin::latest_schema();
    match found {
        Ok(v) if v == latest => check("schema", Status::Ok, format!("version {v}"), None),
        Ok(v) if v < latest => check(
            "schema",
            Status::Warn,
            format!("version {v}; this caseflow uses {latest}"),
            Some("the next command upgrades it; take a backup of caseflow.db first".into()),
        ),
        Ok(v) => check(
            "schema",
            Status::Fail,
            format!("version {v} is from a newer caseflow (this one knows {latest})"),
            Some("use the newer caseflow, or restore a backup made by this version".into()),
        ),
        Err(e) => check(
            "schema",
            Status::Fail,
            format!("cannot read the database: {e}"),
            Some("restore the database from a backup (`caseflow restore`)".into()),
        ),
    }
}

fn org(ctx: &Ctx) -> (Check, Option<Org>) {
    match ctx.workspace.org() {
        Ok(org) => {
            let found = format!("{} people, {} groups", org.people.len(), org.groups().len());
            (check("org.yaml", Status::Ok, found, None), Some(org))
        }
        Err(e) => (
            check(
                "org.yaml",
                Status::Fail,
                first_line(&e.to_string()),
                Some("run `caseflow check` to see every error with its line".into()),
            ),
            None,
        ),
    }
}

/// Definitions on disk against what is deployed: invalid, changed, new, or only deployed.
fn definitions(
    ctx: &Ctx,
    db: &crate::store::Db,
    org: Option<&Org>,
) -> Result<Vec<Check>, CliError> {
    let files = ctx.workspace.definition_files(&[]).unwrap_or_default();
    let loaded = ctx.workspace.load_definitions(&files, org)?;
    let mut invalid = Vec::new();
    let mut changed = Vec::new();
    let mut on_disk = Vec::new();
    for file in &loaded {
        let shown = file
            .path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let Ok(def) = &file.result else {
            invalid.push(shown);
            continue;
        };
        on_disk.push(def.name.clone());
        let hash = format!("{:x}", Sha256::digest(file.source.as_bytes()));
        match db.latest_version(&def.name)? {
            Some(row) if row.hash == hash => {}
            Some(_) => changed.push(format!("{} (changed)", def.name)),
            None => changed.push(format!("{} (new)", def.name)),
        }
    }
    let deployed = db.processes()?;
    let mut out = Vec::new();
    out.push(if invalid.is_empty() {
        check(
            "definitions",
            Status::Ok,
            format!("{} valid in processes/", on_disk.len()),
            None,
        )
    } else {
        check(
            "definitions",
            Status::Fail,
            format!("invalid: {}", invalid.join(", ")),
            Some("run `caseflow check` to see the errors with their lines".into()),
        )
    });
    let only_deployed: Vec<String> = deployed
        .iter()
        .filter(|p| !on_disk.contains(&p.name))
        .map(|p| p.name.clone())
        .collect();
    let found = match (changed.is_empty(), only_deployed.is_empty()) {
        (true, true) => format!("{} deployed, all as on disk", deployed.len()),
        (false, _) => format!("not deployed: {}", changed.join(", ")),
        (true, false) => format!(
            "deployed but not in processes/: {}",
            only_deployed.join(", ")
        ),
    };
    let fix = if !changed.is_empty() {
        Some("run `caseflow deploy` (open cases stay on their version)".into())
    } else if !only_deployed.is_empty() {
        Some("keep their YAML in processes/ (under version control) to change them later".into())
    } else {
        None
    };
    let status = if fix.is_some() {
        Status::Warn
    } else {
        Status::Ok
    };
    out.push(check("deployed", status, found, fix));
    Ok(out)
}

/// Open work assigned to someone who is no longer in org.yaml waits forever.
fn assignees(db: &crate::store::Db, org: &Org) -> Result<Check, CliError> {
    let open = db.list_cases(&crate::store::CaseFilter {
        status: Some("open".into()),
        ..Default::default()
    })?;
    let mut orphaned: Vec<String> = Vec::new();
    for case in &open {
        for task in &case.tasks {
            let name = task.assignee.name();
            let known = match task.assignee {
                crate::engine::Assignee::Person(_) => org.person(name).is_some(),
                crate::engine::Assignee::Group(_) => org.group_exists(name),
            };
            if !known {
                orphaned.push(format!("{} ({name})", case.id));
            }
        }
    }
    Ok(if orphaned.is_empty() {
        check(
            "assignees",
            Status::Ok,
            format!(
                "{} open cases, all assigned to people and groups in org.yaml",
                open.len()
            ),
            None,
        )
    } else {
        let fix = format!(
            "add them to org.yaml, or `caseflow assign {} --to SOMEONE`",
            orphaned[0].split(' ').next().unwrap_or_default()
        );
        check(
            "assignees",
            Status::Fail,
            format!(
                "waiting for someone not in org.yaml: {}",
                orphaned.join(", ")
            ),
            Some(fix),
        )
    })
}

/// A TCP connect to the configured SMTP server, with a short timeout.
fn smtp(ctx: &Ctx) -> Check {
    let Some(url) = ctx.config.smtp_url() else {
        return check(
            "smtp",
            Status::Ok,
            "not configured: e-mail is written to outbox/ as .eml files".into(),
            None,
        );
    };
    let shown = super::config::masked(url);
    let Some((host, port)) = smtp_address(url) else {
        return check(
            "smtp",
            Status::Fail,
            format!("{shown} is not an smtp:// or smtps:// URL"),
            Some("set smtp.url (or CASEFLOW_SMTP_URL) to e.g. smtp://mail.example.com:587".into()),
        );
    };
    match connect(&host, port, Duration::from_secs(3)) {
        Ok(()) => check(
            "smtp",
            Status::Ok,
            format!("{host}:{port} accepts connections"),
            None,
        ),
        Err(e) => check(
            "smtp",
            Status::Fail,
            format!("{host}:{port} unreachable: {e}"),
            Some(
                "check smtp.url and the network; mail stays queued in the outbox meanwhile".into(),
            ),
        ),
    }
}

/// Host and port of an `smtp://` or `smtps://` URL (default ports 587 and 465).
pub fn smtp_address(url: &str) -> Option<(String, u16)> {
    let (scheme, rest) = url.split_once("://")?;
    let default_port = match scheme {
        "smtp" => 587,
        "smtps" => 465,
        _ => return None,
    };
    let authority = rest.split(['/', '?']).next()?;
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let (host, port) = match host_port.rsplit_once(':') {
        Some((host, port)) => (host, port.parse().ok()?),
        None => (host_port, default_port),
    };
    (!host.is_empty()).then(|| (host.to_string(), port))
}

fn connect(host: &str, port: u16, timeout: Duration) -> Result<(), String> {
    let addrs = (host, port).to_socket_addrs().map_err(|e| e.to_string())?;
    let mut last = "no address".to_string();
    for addr in addrs {
        match TcpStream::connect_timeout(&addr, timeout) {
            Ok(_) => return Ok(()),
            Err(e) => last = e.to_string(),
        }
    }
    Err(last)
}

fn outbox(ctx: &Ctx, db: &crate::store::Db) -> Result<Check, CliError> {
    let backlog = db.outbox_backlog()?;
    let stale = backlog
        .oldest_queued
        .as_deref()
        .and_then(crate::time::parse_timestamp)
        .is_some_and(|t| ctx.now.duration_since(t).as_secs() > 3600);
    let found = match &backlog.oldest_queued {
        Some(oldest) => format!(
            "{} queued (oldest {oldest}), {} dead",
            backlog.queued, backlog.dead
        ),
        None => format!("{} queued, {} dead", backlog.queued, backlog.dead),
    };
    Ok(if backlog.dead > 0 {
        check(
            "outbox",
            Status::Fail,
            found,
            Some(
                "see why with `caseflow notify list`, fix it, then `caseflow notify retry`".into(),
            ),
        )
    } else if stale {
        check(
            "outbox",
            Status::Warn,
            found,
            Some("queued mail older than an hour: is `caseflow tick` running from cron?".into()),
        )
    } else {
        check("outbox", Status::Ok, found, None)
    })
}

fn tick(ctx: &Ctx, db: &crate::store::Db) -> Result<Check, CliError> {
    let cron = "run `caseflow tick` from cron every few minutes";
    let Some(last) = db.last_tick()? else {
        return Ok(check(
            "tick",
            Status::Warn,
            "tick has never run".into(),
            Some(cron.into()),
        ));
    };
    let started = crate::time::parse_timestamp(&last.started_at);
    let age = started.map(|t| ctx.now.duration_since(t).as_secs());
    let fired = last
        .fired
        .map(|n| format!(", fired {n}"))
        .unwrap_or_default();
    let found = format!("last run {}{fired}", last.started_at);
    Ok(match (age, &last.finished_at) {
        (_, None) => check(
            "tick",
            Status::Warn,
            format!("{found}, not finished"),
            Some(
                "it may still be running, or it crashed; run `caseflow tick` and read its error"
                    .into(),
            ),
        ),
        (Some(secs), _) if secs > 3600 => check(
            "tick",
            Status::Warn,
            format!("{found} (over an hour ago)"),
            Some(cron.into()),
        ),
        _ => check("tick", Status::Ok, found, None),
    })
}

fn first_line(text: &str) -> String {
    text.lines().next().unwrap_or_default().to_string()
}

#[cfg(test)]
mod tests {
    use super::smtp_address;

    #[test]
    fn smtp_addresses() {
        let at = |u: &str| smtp_address(u);
        assert_eq!(
            at("smtp://mail.example.com"),
            Some(("mail.example.com".into(), 587))
        );
        assert_eq!(
            at("smtps://u:p@mail.example.com:2465/x"),
            Some(("mail.example.com".into(), 2465))
        );
        assert_eq!(at("http://mail.example.com"), None);
        assert_eq!(at("smtp://:25"), None);
    }
}
