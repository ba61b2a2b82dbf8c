//! `caseflow notify list|send|retry`: the outbox seen and delivered by hand (cron's `tick`
//! delivers it too, through [`deliver`]). Where mail goes comes from the environment:
//! `CASEFLOW_SMTP_URL` (SMTP), else `CASEFLOW_SENDMAIL` (a sendmail command), else `.eml`
//! files in the workspace's `outbox/`. `smtp.from` (CASEFLOW_SMTP_FROM) is the sender and
//! `locale` (CASEFLOW_LOCALE) the language when neither the person nor the process says one;
//! both come from the workspace configuration (caseflow.toml, environment, --config).

use lettre::message::Mailbox;

use super::common::{table, Ctx};
use crate::definition::Definition;
use crate::engine::CaseState;
use crate::error::CliError;
use crate::notify::{self, DeliverySummary, Mailer, Outbox, Templates, Transport};
use crate::org::Org;
use crate::store::{Db, OutboxFilter, OutboxRow};

#[derive(clap::Args, Debug)]
#[command(
    after_help = "Examples:\n  caseflow notify list --failed\n  CASEFLOW_SMTP_URL=smtp://mail.example.com:25 caseflow notify send\n  caseflow notify retry --all"
)]
pub struct Args {
    #[command(subcommand)]
    pub command: Sub,
}

#[derive(clap::Subcommand, Debug)]
pub enum Sub {
    /// List queued notifications (failed ones included), or only failed, dead or sent ones
    List(ListArgs),
    /// Deliver what is due (exit 69 when the server cannot be reached; nothing is lost)
    Send(SendArgs),
    /// Queue dead or failed notifications again, due now
    Retry(RetryArgs),
}

#[derive(clap::Args, Debug)]
#[command(after_help = "Examples:\n  caseflow notify list\n  caseflow notify list --dead --json")]
pub struct ListArgs {
    /// Only queued notifications that have failed at least once
    #[arg(long, conflicts_with_all = ["dead", "sent", "all"])]
    pub failed: bool,
    /// Only notifications given up on
    #[arg(long, conflicts_with_all = ["sent", "all"])]
    pub dead: bool,
    /// Only sent notifications
    #[arg(long, conflicts_with = "all")]
    pub sent: bool,
    /// Every notification, whatever its state
    #[arg(long)]
    pub all: bool,
}

#[derive(clap::Args, Debug)]
#[command(
    after_help = "Examples:\n  caseflow notify send\n  CASEFLOW_SMTP_URL=smtps://user:pass@mail.example.com caseflow notify send --limit 100"
)]
pub struct SendArgs {
    /// Deliver at most this many
    #[arg(long, default_value_t = 1000)]
    pub limit: usize,
}

#[derive(clap::Args, Debug)]
#[command(after_help = "Examples:\n  caseflow notify retry 12\n  caseflow notify retry --all")]
pub struct RetryArgs {
    /// The notification's id (from `notify list`)
    #[arg(required_unless_present = "all", conflicts_with = "all")]
    pub id: Option<i64>,
    /// Every dead or failed notification
    #[arg(long)]
    pub all: bool,
}

pub fn run(ctx: &Ctx, args: Args) -> Result<(), CliError> {
    match args.command {
        Sub::List(a) => list(ctx, a),
        Sub::Send(a) => send(ctx, a),
        Sub::Retry(a) => retry(ctx, a),
    }
}

fn list(ctx: &Ctx, args: ListArgs) -> Result<(), CliError> {
    let filter = if args.failed {
        OutboxFilter::Failed
    } else if args.dead {
        OutboxFilter::Dead
    } else if args.sent {
        OutboxFilter::Sent
    } else if args.all {
        OutboxFilter::All
    } else {
        OutboxFilter::Pending
    };
    let store = ctx.workspace.store()?;
    let rows = store.read().outbox_list(filter)?;
    if ctx.json {
        let list: Vec<serde_json::Value> = rows.iter().map(row_json).collect();
        println!("{}", serde_json::json!({ "notifications": list }));
        return Ok(());
    }
    if rows.is_empty() {
        if !ctx.quiet {
            println!("no notifications");
        }
        return Ok(());
    }
    let mut t = table(&[
        "id", "case", "template", "to", "status", "tries", "next try", "error",
    ]);
    for r in &rows {
        t.add_row(vec![
            r.id.to_string(),
            r.case_id.clone(),
            r.template.clone(),
            addresses(r).join(", "),
            r.status.clone(),
            r.attempts.to_string(),
            if r.status == "queued" {
                r.next_try_at.clone()
            } else {
                String::new()
            },
            r.last_error.clone().unwrap_or_default(),
        ]);
    }
    println!("{t}");
    Ok(())
}

fn addresses(r: &OutboxRow) -> Vec<String> {
    ["to", "cc"]
        .iter()
        .flat_map(|k| r.recipients[*k].as_array().cloned().unwrap_or_default())
        .map(|x| {
            x["address"]
                .as_str()
                .or(x["person"].as_str())
                .unwrap_or("?")
                .to_string()
        })
        .collect()
}

fn row_json(r: &OutboxRow) -> serde_json::Value {
    serde_json::json!({
        "id": r.id,
        "case": r.case_id,
        "event": r.event_seq,
        "template": r.template,
        "to": r.recipients["to"],
        "cc": r.recipients["cc"],
        "status": r.status,
        "attempts": r.attempts,
        "last_error": r.last_error,
        "created_at": r.created_at,
        "next_try_at": r.next_try_at,
        "sent_at": r.sent_at,
        "message_id": r.message_id,
        "rendered": r.rendered.is_some(),
        "locale": r.rendered.as_ref().map(|x| x.locale.clone()),
        "subject": r.rendered.as_ref().map(|x| x.subject.clone()),
        "letter": r.rendered.as_ref().and_then(|x| x.letter.as_ref().map(|l| l.0.clone())),
        "delivered_to": r.delivered_to,
    })
}

fn send(ctx: &Ctx, args: SendArgs) -> Result<(), CliError> {
    let summary = deliver(ctx, args.limit)?;
    if ctx.json {
        println!("{}", serde_json::json!(summary));
    } else if !ctx.quiet {
        for o in &summary.outcomes {
            let error = o
                .error
                .as_deref()
                .map(|e| format!(": {e}"))
                .unwrap_or_default();
            println!(
                "{} {} {} -> {} {}{error}",
                o.id,
                o.case,
                o.template,
                o.to.join(", "),
                o.status
            );
        }
        println!(
            "sent {}, failed {}, dead {}",
            summary.sent, summary.failed, summary.dead
        );
    }
    match summary.unreachable {
        Some(e) => Err(notify::NotifyError::Unreachable(e).into()),
        None => Ok(()),
    }
}

/// Deliver up to `limit` due notifications with the transport the environment names
/// (what `notify send` and `tick` run).
pub fn deliver(ctx: &Ctx, limit: usize) -> Result<DeliverySummary, CliError> {
    deliver_with(ctx, &mailer(ctx)?, limit)
}

/// [`deliver`] with a given transport (the demo writes `.eml` files whatever is set).
pub fn deliver_with(ctx: &Ctx, mailer: &Mailer, limit: usize) -> Result<DeliverySummary, CliError> {
    let org = ctx.workspace.org()?;
    let mut store = ctx.workspace.store()?;
    let templates = load_templates(ctx, None)?;
    let locale = default_locale(ctx);
    let outbox = Outbox {
        templates: &templates,
        org: &org,
        mailer,
        default_locale: &locale,
    };
    Ok(notify::deliver_due(&mut store, &outbox, ctx.now, limit)?)
}

/// The transport and sender the environment names.
pub fn mailer(ctx: &Ctx) -> Result<Mailer, CliError> {
    let env = |k: &str| std::env::var(k).ok().filter(|v| !v.trim().is_empty());
    let transport = Transport::choose(
        ctx.config.smtp_url(),
        env("CASEFLOW_SENDMAIL").as_deref(),
        ctx.workspace.root.join("outbox"),
    )?;
    let from_text = ctx
        .config
        .smtp_from()
        .map(String::from)
        .or_else(|| env("CASEFLOW_MAIL_FROM"))
        .unwrap_or_else(|| DEFAULT_FROM.into());
    let from: Mailbox = from_text.parse().map_err(|_| {
        notify::NotifyError::Config(format!(
            "the sender {from_text:?} (smtp.from / CASEFLOW_SMTP_FROM) is not an address like 'Service <service@example.com>'"
        ))
    })?;
    Ok(Mailer { transport, from })
}

/// The sender when `CASEFLOW_MAIL_FROM` is not set.
pub const DEFAULT_FROM: &str = "caseflow <caseflow@localhost>";

/// The workspace's language for recipients with none of their own (`locale` in
/// caseflow.toml or `CASEFLOW_LOCALE`; default en).
pub fn default_locale(ctx: &Ctx) -> String {
    ctx.config.locale().to_string()
}

/// The workspace's templates (only one process's when `process` is given).
pub fn load_templates(ctx: &Ctx, process: Option<&str>) -> Result<Templates, CliError> {
    let root = ctx.workspace.root.join(notify::templates::TEMPLATES_DIR);
    let (dir, prefix) = match process {
        Some(p) => (root.join(p), format!("{p}/")),
        None => (root, String::new()),
    };
    let mut templates = Templates::load(&dir).map_err(|e| CliError::io(&dir, e))?;
    if !prefix.is_empty() {
        templates.files = std::mem::take(&mut templates.files)
            .into_iter()
            .map(|(k, v)| (format!("{prefix}{k}"), v))
            .collect();
    }
    Ok(templates)
}

/// Render what a command just queued, inside its transaction; a template problem is a
/// warning (the notification stays queued, see `crate::notify`).
pub fn render_new(
    ctx: &Ctx,
    db: &Db,
    def: &Definition,
    org: &Org,
    case: &CaseState,
) -> Result<(), CliError> {
    let templates = load_templates(ctx, Some(&case.process))?;
    let warnings = notify::render_queued(
        db,
        &templates,
        def,
        org,
        case,
        &default_locale(ctx),
        ctx.now,
    )?;
    for w in warnings {
        eprintln!("warning: {w}");
    }
    Ok(())
}

fn retry(ctx: &Ctx, args: RetryArgs) -> Result<(), CliError> {
    let mut store = ctx.workspace.store()?;
    let n = store.write(|db| {
        if let Some(id) = args.id {
            if !db.outbox_exists(id)? {
                return Err(CliError::MissingInput {
                    what: format!("notification {id}"),
                });
            }
        }
        Ok::<_, CliError>(db.outbox_retry(args.id, ctx.now)?)
    })?;
    if ctx.json {
        println!("{}", serde_json::json!({ "requeued": n }));
    } else if !ctx.quiet {
        println!("requeued {n}");
    }
    Ok(())
}
