//! A rendered outbox row as an RFC 5322 message (lettre's builder): stable Message-ID,
//! the row's queue time as Date, plain text with an optional HTML alternative, and the PDF
//! letter attached. Header values come from lettre's typed headers, which encode what they
//! carry, and the subject was made one line when rendered: a field with CR/LF in it can
//! never add a header. Addresses are parsed, and an invalid one is reported, not sent.

use std::time::SystemTime;

use lettre::message::header::ContentType;
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart};
use lettre::Message;

use crate::org::Org;
use crate::store::{OutboxRow, Rendered};

/// The row's recipients as mailboxes: `to`, `cc`, and the problems (no or bad address).
pub struct Addressed {
    pub to: Vec<Mailbox>,
    pub cc: Vec<Mailbox>,
    pub problems: Vec<String>,
}

pub fn addresses(row: &OutboxRow, org: &Org) -> Addressed {
    let mut problems = Vec::new();
    let mut list = |key: &str| -> Vec<Mailbox> {
        let empty = Vec::new();
        let entries = row.recipients[key].as_array().unwrap_or(&empty);
        let mut out: Vec<Mailbox> = Vec::new();
        for r in entries {
            let person = r["person"].as_str();
            let Some(address) = r["address"].as_str() else {
                problems.push(format!("{} has no e-mail address", person.unwrap_or("?")));
                continue;
            };
            let name = person.map(|p| super::render::one_line(&org.display_name(p)));
            match address.trim().parse::<lettre::Address>() {
                Ok(email) if crate::value::is_email(address.trim()) => {
                    let mailbox = Mailbox::new(name, email);
                    if !out.iter().any(|m| m.email == mailbox.email) {
                        out.push(mailbox);
                    }
                }
                _ => problems.push(format!("{address:?} is not an e-mail address")),
            }
        }
        out
    };
    let to = list("to");
    let mut cc = list("cc");
    cc.retain(|m| !to.iter().any(|t| t.email == m.email));
    Addressed { to, cc, problems }
}

pub fn build(
    row: &OutboxRow,
    rendered: &Rendered,
    from: &Mailbox,
    addressed: &Addressed,
) -> Result<Message, String> {
    let mut builder = Message::builder()
        .from(from.clone())
        .subject(super::render::one_line(&rendered.subject))
        .message_id(Some(row.message_id.clone()))
        .date(date_of(&row.created_at));
    for to in &addressed.to {
        builder = builder.to(to.clone());
    }
    for cc in &addressed.cc {
        builder = builder.cc(cc.clone());
    }
    let text = SinglePart::plain(rendered.text.clone());
    let body = match &rendered.html {
        Some(html) => MultiPart::alternative()
            .singlepart(text)
            .singlepart(SinglePart::html(html.clone())),
        None => MultiPart::mixed().singlepart(text),
    };
    let message = match &rendered.letter {
        Some((name, bytes)) => {
            let pdf = ContentType::parse("application/pdf").map_err(|e| e.to_string())?;
            let attachment = Attachment::new(name.clone()).body(bytes.clone(), pdf);
            builder.multipart(MultiPart::mixed().multipart(body).singlepart(attachment))
        }
        None if rendered.html.is_some() => builder.multipart(body),
        None => builder.singlepart(SinglePart::plain(rendered.text.clone())),
    };
    message.map_err(|e| e.to_string())
}

fn date_of(text: &str) -> SystemTime {
    let secs = crate::time::parse_timestamp(text).map_or(0, |t| t.as_second());
    SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(u64::try_from(secs).unwrap_or(0))
}
