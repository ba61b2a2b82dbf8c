//! `caseflow tick`: fire everything due at `--now` (default: the clock), for cron.
//!
//! Each due timer (SLA warning or breach, wait or timeout, reminder) fires in its own
//! `BEGIN IMMEDIATE` transaction with its events, earliest due first. Inside that
//! transaction the engine re-checks that the timer is still pending, so a timer fires once
//! however many ticks run: a second tick at the same time changes nothing, two overlapping
//! ticks never both fire one timer (and the second one skips on the tick lock anyway), and
//! after an outage each missed reminder fires once, in order, recording its own due time.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::json;

use super::common::{definition_version, Ctx};
use crate::definition::Definition;
use crate::engine::{self, Refusal, Timer, SYSTEM};
use crate::error::CliError;
use crate::store::{Db, Store};
use crate::time::format_timestamp;

/// The file whose lock keeps two ticks of one workspace from running at once.

#[derive(clap::Args, Debug)]
#[command(
    after_help = "Examples:\n  caseflow tick\n  caseflow tick --dry-run\n  caseflow tick --now 2026-12-07T09:00:00Z --json\n\nRun it from cron every few minutes (it is cheap when nothing is due):\n  */5 * * * * cd /srv/cases && caseflow tick -q >> tick.log 2>&1"
)]
pub struct Args {
    /// List what would fire, change nothing
    #[arg(long)]
    pub dry_run: bool,
    /// Fire timers only; leave the outbox to `caseflow notify send`
    #[arg(long)]
    pub no_send: bool,
}

/// One timer that fired (or would fire).
struct Fired {
    case: String,
    step: Option<String>,
    kind: &'static str,
    due_at: String,
}

pub fn run(ctx: &Ctx, args: Args) -> Result<(), CliError> {
    let mut store = ctx.workspace.store()?;
    if args.dry_run {
        let due = store.read().due_timers(ctx.now, usize::MAX)?;
        let listed: Vec<Fired> = due
            .iter()
            .map(|(case, timer)| describe(&store.read(), case, timer))
            .collect::<Result<_, _>>()?;
        return render(ctx, &listed, &[], true, false);
    }
    // The common case under cron: nothing due. One indexed read and one small write (the
    // run's record), without reading org.yaml or taking the lock.
    if store.read().due_timers(ctx.now, 1)?.is_empty() {
        store.write(|db| db.idle_tick(ctx.now))?;
        render(ctx, &[], &[], false, false)?;
        return deliver_outbox(ctx, &store, args.no_send);
    }
    let org = ctx.workspace.org()?;
    let lock = ctx.workspace.tick_lock()?;
    if lock.is_none() {
        return render(ctx, &[], &[], false, true);
    }
    let run_id = store.write(|db| db.start_tick(ctx.now))?;
    let mut definitions = BTreeMap::new();
    let mut fired = Vec::new();
    let mut failed: Vec<(String, Timer, String)> = Vec::new();
    let mut passed: BTreeSet<(String, Option<u32>, &'static str, i64)> = BTreeSet::new();
    loop {
        // The earliest due timer not already passed over; firing one may make the case's
        // next timer due too (catch-up), so ask again each time.
        let due = store.read().due_timers(ctx.now, passed.len() + 1)?;
        let Some((case, timer)) = due.into_iter().find(|(c, t)| !passed.contains(&key(c, t)))
        else {
            break;
        };
        match fire_one(ctx, &org, &mut store, &mut definitions, &case, &timer) {
            Ok(Some(done)) => fired.push(done),
            Ok(None) => {
                passed.insert(key(&case, &timer));
            }
            Err(error) => {
                passed.insert(key(&case, &timer));
                failed.push((case, timer, error.to_string()));
            }
        }
    }
    store.write(|db| db.finish_tick(run_id, ctx.now, fired.len()))?;
    drop(lock);
    render(ctx, &fired, &failed, false, false)?;
    // One cron line does both: what the firings queued (and anything still waiting) goes
    // out now. An unreachable server is reported but is not tick's failure: the messages
    // stay queued for the next run.
    deliver_outbox(ctx, &store, args.no_send)?;
    if failed.is_empty() {
        Ok(())
    } else {
        Err(CliError::BadData(format!(
            "{} timer{} could not fire; see above",
            failed.len(),
            if failed.len() == 1 { "" } else { "s" }
        )))
    }
}

fn key(case: &str, timer: &Timer) -> (String, Option<u32>, &'static str, i64) {
    (
        case.to_string(),
        timer.task,
        timer.kind.as_str(),
        timer.at.as_second(),
    )
}

/// Fire one timer in its own write transaction. `None`: it was no longer due (another
/// tick fired it, or the case moved on).
fn fire_one(
    ctx: &Ctx,
    org: &crate::org::Org,
    store: &mut Store,
    definitions: &mut BTreeMap<(String, i64), (Definition, i64)>,
    id: &str,
    timer: &Timer,
) -> Result<Option<Fired>, CliError> {
    store.write(|db| {
        let mut case = db.load_case(id)?;
        let slot = (case.process.clone(), case.version);
        if !definitions.contains_key(&slot) {
            let loaded = definition_version(db, org, &case.process, Some(case.version))?;
            definitions.insert(slot.clone(), loaded);
        }
        let Some((def, version)) = definitions.get(&slot) else {
            return Ok(None);
        };
        case.retype(def);
        let step = timer
            .task
            .and_then(|t| case.task(t))
            .map(|t| t.step.clone());
        let facts = if engine::fire_needs_facts(def, &case, timer) {
            db.facts(def, ctx.now)?
        } else {
            engine::Facts::default()
        };
        let ectx = engine::Ctx {
            def,
            version: *version,
            org,
            actor: SYSTEM,
            now: ctx.now,
            source: None,
            facts: &facts,
        };
        let decision = match engine::fire(&ectx, &case, timer) {
            Ok(decision) => decision,
            Err(Refusal::NotDue { .. }) => return Ok(None),
            Err(refusal) => return Err(refusal.into()),
        };
        db.record(&decision, &[], ctx.now)?;
        Ok(Some(Fired {
            case: case.id.clone(),
            step,
            kind: decision
                .events
                .first()
                .map(|e| e.kind.as_str())
                .unwrap_or_else(|| event_kind(timer)),
            due_at: format_timestamp(timer.at),
        }))
    })
}

fn describe(db: &Db, case: &str, timer: &Timer) -> Result<Fired, CliError> {
    let state = db.load_case(case)?;
    Ok(Fired {
        case: case.to_string(),
        step: timer
            .task
            .and_then(|t| state.task(t))
            .map(|t| t.step.clone()),
        kind: event_kind(timer),
        due_at: format_timestamp(timer.at),
    })
}

/// The event a timer records when it fires.
fn event_kind(timer: &Timer) -> &'static str {
    match timer.kind {
        engine::TimerKind::SlaWarn => "sla_warned",
        engine::TimerKind::SlaBreach => "sla_breached",
        engine::TimerKind::Remind => "reminded",
        engine::TimerKind::Wake => "timed_out/waited",
    }
}

fn render(
    ctx: &Ctx,
    fired: &[Fired],
    failed: &[(String, Timer, String)],
    dry_run: bool,
    skipped: bool,
) -> Result<(), CliError> {
    let item =
        |f: &Fired| json!({"case": f.case, "step": f.step, "kind": f.kind, "due_at": f.due_at});
    if ctx.json {
        let doc = json!({
            "now": format_timestamp(ctx.now),
            "dry_run": dry_run,
            "skipped": skipped,
            "fired": fired.len(),
            "items": fired.iter().map(item).collect::<Vec<_>>(),
            "failed": failed.iter().map(|(case, t, error)| json!({"case": case, "kind": t.kind.as_str(), "due_at": format_timestamp(t.at), "error": error})).collect::<Vec<_>>(),
        });
        println!("{doc}");
        return Ok(());
    }
    for (case, timer, error) in failed {
        eprintln!(
            "{case}: {} due {} could not fire: {error}",
            timer.kind.as_str(),
            format_timestamp(timer.at)
        );
    }
    if skipped {
        if !ctx.quiet {
            println!("another tick is running; skipped");
        }
        return Ok(());
    }
    if ctx.quiet {
        return Ok(());
    }
    for f in fired {
        println!(
            "{}  {}  {}  due {}",
            f.case,
            f.kind,
            f.step.as_deref().unwrap_or("(case)"),
            f.due_at
        );
    }
    let verb = if dry_run { "would fire" } else { "fired" };
    println!("{verb} {} at {}", fired.len(), format_timestamp(ctx.now));
    Ok(())
}

/// Deliver the outbox after firing (see `notify send`); `--no-send` skips this. An indexed
/// look at the outbox first, so an idle tick stays cheap.
fn deliver_outbox(ctx: &Ctx, store: &crate::store::Store, no_send: bool) -> Result<(), CliError> {
    if no_send || store.read().outbox_due(ctx.now, 1)?.is_empty() {
        return Ok(());
    }
    let summary = super::notify::deliver(ctx, usize::MAX)?;
    if ctx.quiet || ctx.json {
        return Ok(());
    }
    if summary.sent + summary.failed + summary.dead > 0 {
        println!(
            "outbox: sent {}, failed {}, dead {}",
            summary.sent, summary.failed, summary.dead
        );
    }
    if let Some(why) = &summary.unreachable {
        eprintln!(
            "warning: the mail server could not be reached ({why}); the messages stay queued"
        );
    }
    Ok(())
}
