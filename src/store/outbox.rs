//! The outbox's SQL: rows queued by [`Db::record`](super::Db::record) are rendered (in the
//! same transaction when the command can, else on first delivery), then delivered and marked.
//!
//! A row is `queued` until every recipient was accepted or permanently refused (`sent`),
//! or until it has failed too often or was refused outright (`dead`, revived by `retry`).
//! Nothing here decides when to retry: the caller passes `next_try_at`.

use jiff::Timestamp;

use super::sql::{args, Arg, Row};
use super::{Db, Result, StoreError};
use crate::time::format_timestamp;

/// What rendering a notification gave, stored on its row.
#[derive(Debug, Clone, Default)]
pub struct Rendered {
    pub locale: String,
    pub subject: String,
    pub text: String,
    pub html: Option<String>,
    /// A PDF letter attached to the message: (file name, bytes).
    pub letter: Option<(String, Vec<u8>)>,
}

/// One outbox row with everything delivery needs.
#[derive(Debug, Clone)]
pub struct OutboxRow {
    pub id: i64,
    pub case_id: String,
    /// The `seq` of the event that queued it.
    pub event_seq: i64,
    pub template: String,
    /// `{"template", "to": [{"person", "address"}], "cc": [...]}` as the engine queued it.
    pub recipients: serde_json::Value,
    pub status: String,
    pub attempts: i64,
    pub last_error: Option<String>,
    pub created_at: String,
    pub next_try_at: String,
    pub sent_at: Option<String>,
    pub message_id: String,
    pub rendered: Option<Rendered>,
    /// Addresses a server already accepted this message for.
    pub delivered_to: Vec<String>,
}

/// Which rows `notify list` shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutboxFilter {
    /// Queued rows (failed ones included).
    Pending,
    /// Queued rows that have failed at least once.
    Failed,
    Dead,
    Sent,
    All,
}

const COLUMNS: &str =
    "o.id, o.case_id, e.seq, o.template, o.recipients, o.status, o.attempts, o.last_error,
    o.created_at, o.next_try_at, o.sent_at, o.message_id, o.rendered_at, o.locale, o.subject,
    o.body_text, o.body_html, o.letter_name, o.letter, o.delivered_to";

fn outbox_row(r: &Row) -> Result<OutboxRow> {
    let rendered_at: Option<String> = r.get(12)?;
    let rendered = match rendered_at {
        Some(_) => Some(Rendered {
            locale: r.get::<Option<String>>(13)?.unwrap_or_default(),
            subject: r.get::<Option<String>>(14)?.unwrap_or_default(),
            text: r.get::<Option<String>>(15)?.unwrap_or_default(),
            html: r.get(16)?,
            letter: match (r.get::<Option<String>>(17)?, r.get::<Option<Vec<u8>>>(18)?) {
                (Some(name), Some(bytes)) => Some((name, bytes)),
                _ => None,
            },
        }),
        None => None,
    };
    let json = |s: String| serde_json::from_str(&s).unwrap_or(serde_json::Value::Null);
    Ok(OutboxRow {
        id: r.get(0)?,
        case_id: r.get(1)?,
        event_seq: r.get(2)?,
        template: r.get(3)?,
        recipients: json(r.get(4)?),
        status: r.get(5)?,
        attempts: r.get(6)?,
        last_error: r.get(7)?,
        created_at: r.get(8)?,
        next_try_at: r.get(9)?,
        sent_at: r.get(10)?,
        message_id: r.get(11)?,
        rendered,
        delivered_to: serde_json::from_str(&r.get::<String>(19)?).unwrap_or_default(),
    })
}

impl Db<'_> {
    fn outbox_query(&self, filter: &str, args: &[Arg]) -> Result<Vec<OutboxRow>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM outbox o JOIN events e ON e.id = o.event_id WHERE {filter}"
        );
        self.rows(&sql, args, outbox_row)
    }

    /// Queued rows of one case (or of every case) not rendered yet, oldest first.
    pub fn outbox_unrendered(&self, case_id: Option<&str>) -> Result<Vec<OutboxRow>> {
        match case_id {
            Some(id) => self.outbox_query(
                "o.status = 'queued' AND o.rendered_at IS NULL AND o.case_id = ?1 ORDER BY o.id",
                args![id],
            ),
            None => self.outbox_query(
                "o.status = 'queued' AND o.rendered_at IS NULL ORDER BY o.id",
                args![],
            ),
        }
    }

    /// Queued rows whose time has come, oldest first.
    pub fn outbox_due(&self, now: Timestamp, limit: usize) -> Result<Vec<OutboxRow>> {
        self.outbox_query(
            "o.status = 'queued' AND o.next_try_at <= ?1 ORDER BY o.next_try_at, o.id LIMIT ?2",
            args![format_timestamp(now), limit],
        )
    }

    pub fn outbox_row(&self, id: i64) -> Result<Option<OutboxRow>> {
        Ok(self
            .outbox_query("o.id = ?1", args![id])?
            .into_iter()
            .next())
    }

    pub fn outbox_list(&self, filter: OutboxFilter) -> Result<Vec<OutboxRow>> {
        let clause = match filter {
            OutboxFilter::Pending => "o.status = 'queued'",
            OutboxFilter::Failed => "o.status = 'queued' AND o.last_error IS NOT NULL",
            OutboxFilter::Dead => "o.status = 'dead'",
            OutboxFilter::Sent => "o.status = 'sent'",
            OutboxFilter::All => "1 = 1",
        };
        self.outbox_query(&format!("{clause} ORDER BY o.id"), args![])
    }

    /// Store what rendering gave.
    pub fn outbox_store_rendering(&self, id: i64, r: &Rendered, now: Timestamp) -> Result<()> {
        let (letter_name, letter) = match &r.letter {
            Some((name, bytes)) => (Some(name.as_str()), Some(bytes.as_slice())),
            None => (None, None),
        };
        self.exec(
            "UPDATE outbox SET locale = ?2, subject = ?3, body_text = ?4, body_html = ?5,
                letter_name = ?6, letter = ?7, rendered_at = ?8 WHERE id = ?1",
            args![
                id,
                r.locale,
                r.subject,
                r.text,
                r.html,
                letter_name,
                letter,
                format_timestamp(now)
            ],
        )?;
        Ok(())
    }

    /// Rendering failed: say why on the row, which stays queued.
    pub fn outbox_render_failed(&self, id: i64, error: &str) -> Result<()> {
        self.exec(
            "UPDATE outbox SET last_error = ?2 WHERE id = ?1",
            args![id, error],
        )?;
        Ok(())
    }

    /// Every recipient was dealt with: the row is sent (`note`: recipients refused for good).
    pub fn outbox_mark_sent(
        &self,
        id: i64,
        delivered_to: &[String],
        note: Option<&str>,
        now: Timestamp,
    ) -> Result<()> {
        self.exec(
            "UPDATE outbox SET status = 'sent', sent_at = ?2, last_try_at = ?2, attempts = attempts + 1,
                delivered_to = ?3, last_error = ?4 WHERE id = ?1",
            args![id, format_timestamp(now), to_json(delivered_to)?, note],
        )?;
        Ok(())
    }

    /// A failed attempt: keep the row with its error, to try again at `next_try_at` (or
    /// never again when `dead`).
    pub fn outbox_mark_failed(
        &self,
        id: i64,
        delivered_to: &[String],
        error: &str,
        next_try_at: Timestamp,
        dead: bool,
        now: Timestamp,
    ) -> Result<()> {
        self.exec(
            "UPDATE outbox SET status = ?2, attempts = attempts + 1, last_error = ?3,
                next_try_at = ?4, last_try_at = ?5, delivered_to = ?6 WHERE id = ?1",
            args![
                id,
                if dead { "dead" } else { "queued" },
                error,
                format_timestamp(next_try_at),
                format_timestamp(now),
                to_json(delivered_to)?
            ],
        )?;
        Ok(())
    }

    /// Queue dead or failed rows again, due now, with a fresh count of attempts. `None`:
    /// every dead or failed row. Returns how many rows were requeued.
    pub fn outbox_retry(&self, id: Option<i64>, now: Timestamp) -> Result<usize> {
        let now = format_timestamp(now);
        let base = "UPDATE outbox SET status = 'queued', attempts = 0, next_try_at = ?1
            WHERE (status = 'dead' OR (status = 'queued' AND last_error IS NOT NULL))";
        let n = match id {
            Some(id) => self.exec(&format!("{base} AND id = ?2"), args![now, id])?,
            None => self.exec(base, args![now])?,
        };
        Ok(n)
    }

    /// Does an outbox row with this id exist (for `notify retry ID`'s error)?
    pub fn outbox_exists(&self, id: i64) -> Result<bool> {
        Ok(self
            .row("SELECT 1 FROM outbox WHERE id = ?1", args![id], |_| Ok(()))?
            .is_some())
    }
}

fn to_json(list: &[String]) -> Result<String> {
    serde_json::to_string(list).map_err(|e| StoreError::Decode(e.to_string()))
}
