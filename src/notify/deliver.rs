//! Delivering the outbox: due rows, oldest first, each sent and then marked in its own short
//! transaction (never holding the write lock while talking to a server). See the module
//! docs of [`crate::notify`] for what is guaranteed when something fails.

use jiff::{SignedDuration, Timestamp};
use lettre::address::{Address, Envelope};
use serde::Serialize;

use super::message::{self, Addressed};
use super::transport::Sent;
use super::{case_definition, reader, Job, Mailer, NotifyError, Templates};
use crate::org::Org;
use crate::store::{OutboxRow, Rendered, Store};

/// After this many failed attempts a row is dead (shown by `notify list --dead`).
pub const MAX_ATTEMPTS: i64 = 8;
const FIRST_DELAY_SECS: i64 = 60;
const LONGEST_DELAY_SECS: i64 = 6 * 3600;

/// What happened to one row.
#[derive(Debug, Clone, Serialize)]
pub struct Outcome {
    pub id: i64,
    pub case: String,
    pub template: String,
    pub message_id: String,
    /// `sent`, `failed` (queued for another try) or `dead`.
    pub status: &'static str,
    pub to: Vec<String>,
    pub error: Option<String>,
    pub next_try_at: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct DeliverySummary {
    pub sent: usize,
    pub failed: usize,
    pub dead: usize,
    /// Set when the server could not be reached (the run stopped; the rest stays queued).
    pub unreachable: Option<String>,
    pub outcomes: Vec<Outcome>,
}

/// What delivery needs besides the store and the time.
pub struct Outbox<'a> {
    pub templates: &'a Templates,
    pub org: &'a Org,
    pub mailer: &'a Mailer,
    pub default_locale: &'a str,
}

/// Deliver up to `limit` due rows. Stops at the first sign that the server cannot be
/// reached (`unreachable` is set; the CLI exits 69).
pub fn deliver_due(
    store: &mut Store,
    outbox: &Outbox,
    now: Timestamp,
    limit: usize,
) -> Result<DeliverySummary, NotifyError> {
    let rows = store.read().outbox_due(now, limit)?;
    let mut summary = DeliverySummary::default();
    for row in rows {
        let (outcome, unreachable) = deliver_row(store, outbox, row, now)?;
        match outcome.status {
            "sent" => summary.sent += 1,
            "dead" => summary.dead += 1,
            _ => summary.failed += 1,
        }
        summary.outcomes.push(outcome);
        if unreachable.is_some() {
            summary.unreachable = unreachable;
            break;
        }
    }
    Ok(summary)
}

/// The back-off after `attempts` failures: 1, 2, 4, ... minutes, at most 6 hours.
pub fn next_try(now: Timestamp, attempts: i64) -> Timestamp {
    let exponent = u32::try_from(attempts.clamp(1, 20) - 1).unwrap_or(0);
    let secs = FIRST_DELAY_SECS
        .saturating_mul(2_i64.saturating_pow(exponent))
        .min(LONGEST_DELAY_SECS);
    now.checked_add(SignedDuration::from_secs(secs))
        .unwrap_or(now)
}

fn deliver_row(
    store: &mut Store,
    outbox: &Outbox,
    row: OutboxRow,
    now: Timestamp,
) -> Result<(Outcome, Option<String>), NotifyError> {
    let mut out = Outcome {
        id: row.id,
        case: row.case_id.clone(),
        template: row.template.clone(),
        message_id: row.message_id.clone(),
        status: "sent",
        to: Vec::new(),
        error: None,
        next_try_at: None,
    };
    let rendered = match &row.rendered {
        Some(r) => r.clone(),
        None => match render_now(store, outbox, &row, now) {
            Ok(r) => r,
            Err(NotifyError::Store(e)) => return Err(e.into()),
            Err(e) => {
                fail(store, &row, &mut out, &row.delivered_to, e.to_string(), now)?;
                return Ok((out, None));
            }
        },
    };
    let addressed = message::addresses(&row, outbox.org);
    out.to = addressed
        .to
        .iter()
        .chain(&addressed.cc)
        .map(|m| m.email.to_string())
        .collect();
    if out.to.is_empty() {
        let why = format!("nobody to send to: {}", addressed.problems.join("; "));
        give_up(store, &row, &mut out, &row.delivered_to, why, now)?;
        return Ok((out, None));
    }
    let message = match message::build(&row, &rendered, &outbox.mailer.from, &addressed) {
        Ok(m) => m,
        Err(e) => {
            give_up(store, &row, &mut out, &row.delivered_to, e, now)?;
            return Ok((out, None));
        }
    };
    let result = send(outbox.mailer, &row, &addressed, &message.formatted());
    conclude(store, &row, &mut out, result, now)
}

/// What sending to the recipients still owed the message gave.
struct Tally {
    /// Addresses done with: accepted, or refused for good (this run or before).
    done: Vec<String>,
    accepted: usize,
    refused: Vec<String>,
    later: Vec<String>,
    unreachable: Option<String>,
}

fn send(mailer: &Mailer, row: &OutboxRow, addressed: &Addressed, bytes: &[u8]) -> Tally {
    let mut tally = Tally {
        done: row.delivered_to.clone(),
        accepted: row.delivered_to.len(),
        refused: Vec::new(),
        later: Vec::new(),
        unreachable: None,
    };
    let owed: Vec<Address> = addressed
        .to
        .iter()
        .chain(&addressed.cc)
        .map(|m| m.email.clone())
        .filter(|a| !row.delivered_to.contains(&a.to_string()))
        .collect();
    let from = Some(mailer.from.email.clone());
    let send_to = |to: Vec<Address>| match Envelope::new(from.clone(), to) {
        Ok(envelope) => mailer.transport.send(&envelope, bytes, &row.message_id),
        Err(e) => Sent::Refused(e.to_string()),
    };
    let whole = if owed.is_empty() {
        Sent::Accepted
    } else {
        send_to(owed.clone())
    };
    let singly = matches!(whole, Sent::Refused(_)) && owed.len() > 1;
    let results: Vec<(Address, Sent)> = if singly {
        // One recipient refused fails the whole transaction: find out which, one by one.
        let mut results = Vec::new();
        for a in owed {
            let sent = send_to(vec![a.clone()]);
            let stop = matches!(sent, Sent::Unreachable(_));
            results.push((a, sent));
            if stop {
                break;
            }
        }
        results
    } else {
        owed.into_iter().map(|a| (a, whole.clone())).collect()
    };
    for (address, sent) in results {
        let shown = address.to_string();
        match sent {
            Sent::Accepted => {
                tally.accepted += 1;
                tally.done.push(shown);
            }
            Sent::Refused(e) => {
                tally.refused.push(format!("{shown}: {e}"));
                tally.done.push(shown);
            }
            Sent::Later(e) => tally.later.push(format!("{shown}: {e}")),
            Sent::Unreachable(e) => tally.unreachable = Some(e),
        }
    }
    tally
}

fn conclude(
    store: &mut Store,
    row: &OutboxRow,
    out: &mut Outcome,
    tally: Tally,
    now: Timestamp,
) -> Result<(Outcome, Option<String>), NotifyError> {
    if let Some(e) = &tally.unreachable {
        fail(store, row, out, &tally.done, e.clone(), now)?;
        return Ok((out.clone(), tally.unreachable));
    }
    let refused = (!tally.refused.is_empty())
        .then(|| format!("refused by the server: {}", tally.refused.join("; ")));
    if !tally.later.is_empty() {
        let mut error = tally.later.join("; ");
        if let Some(r) = &refused {
            error = format!("{error}; {r}");
        }
        fail(store, row, out, &tally.done, error, now)?;
    } else if tally.accepted > 0 {
        store.write(|db| db.outbox_mark_sent(row.id, &tally.done, refused.as_deref(), now))?;
        out.status = "sent";
        out.error = refused;
    } else {
        let why = refused.unwrap_or_else(|| "refused by the server".into());
        give_up(store, row, out, &tally.done, why, now)?;
    }
    Ok((out.clone(), None))
}

/// A failed attempt: queued again after the back-off, or dead after [`MAX_ATTEMPTS`].
fn fail(
    store: &mut Store,
    row: &OutboxRow,
    out: &mut Outcome,
    done: &[String],
    error: String,
    now: Timestamp,
) -> Result<(), NotifyError> {
    let attempts = row.attempts + 1;
    let dead = attempts >= MAX_ATTEMPTS;
    let next = next_try(now, attempts);
    store.write(|db| db.outbox_mark_failed(row.id, done, &error, next, dead, now))?;
    out.status = if dead { "dead" } else { "failed" };
    out.next_try_at = (!dead).then(|| crate::time::format_timestamp(next));
    out.error = Some(error);
    Ok(())
}

/// Retrying cannot help (no address, refused by the server): dead at once.
fn give_up(
    store: &mut Store,
    row: &OutboxRow,
    out: &mut Outcome,
    done: &[String],
    error: String,
    now: Timestamp,
) -> Result<(), NotifyError> {
    store.write(|db| db.outbox_mark_failed(row.id, done, &error, now, true, now))?;
    out.status = "dead";
    out.error = Some(error);
    Ok(())
}

/// Render a row that was queued without rendering, with the case as it is now.
fn render_now(
    store: &mut Store,
    outbox: &Outbox,
    row: &OutboxRow,
    now: Timestamp,
) -> Result<Rendered, NotifyError> {
    store.write(|db| {
        let mut case = db.load_case(&row.case_id)?;
        let def = case_definition(db, outbox.org, &case)?;
        case.retype(&def);
        let history = db.history(&case.id)?;
        let who = reader(
            &row.recipients["to"][0],
            outbox.org,
            &case,
            outbox.templates,
            outbox.default_locale,
        );
        let job = Job {
            templates: outbox.templates,
            def: &def,
            org: outbox.org,
            case: &case,
            history: &history,
            event_seq: Some(row.event_seq),
            reader: &who,
            dated: None,
        };
        let rendered = job.mail(&row.template)?;
        db.outbox_store_rendering(row.id, &rendered, now)?;
        Ok(rendered)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn back_off_doubles_and_is_capped() {
        let t0: Timestamp = "2026-11-30T09:00:00Z".parse().unwrap();
        let secs = |n| next_try(t0, n).duration_since(t0).as_secs();
        assert_eq!(secs(1), 60);
        assert_eq!(secs(2), 120);
        assert_eq!(secs(4), 480);
        assert_eq!(secs(15), 6 * 3600);
    }
}
