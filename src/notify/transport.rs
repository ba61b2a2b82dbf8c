//! Where messages go: an SMTP server (`CASEFLOW_SMTP_URL`), the local `sendmail`
//! (`CASEFLOW_SENDMAIL`), or — the embedded default — `.eml` files in the workspace's
//! `outbox/`, one per Message-ID, so writing one again replaces it rather than doubling it.
//!
//! Each send is for one envelope (the message's recipients, or a single one of them when a
//! server refused some); the answer says whether to retry, give up, or stop the run.

use std::path::PathBuf;
use std::time::Duration;

use lettre::address::Envelope;
use lettre::message::Mailbox;
use lettre::{SendmailTransport, SmtpTransport, Transport as _};

use super::NotifyError;

/// A transport and the sender's address.
pub struct Mailer {
    pub transport: Transport,
    pub from: Mailbox,
}

pub enum Transport {
    Smtp {
        transport: SmtpTransport,
        shown: String,
    },
    Sendmail(SendmailTransport),
    Files(PathBuf),
}

/// What one send gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sent {
    Accepted,
    /// The server refused for good (5xx): retrying will not help.
    Refused(String),
    /// Try again later (4xx, a local failure).
    Later(String),
    /// The server could not be reached: stop the run, everything stays queued.
    Unreachable(String),
}

impl Transport {
    /// Choose: SMTP when `smtp_url` is given, else sendmail when `sendmail` is, else files.
    pub fn choose(
        smtp_url: Option<&str>,
        sendmail: Option<&str>,
        outbox_dir: PathBuf,
    ) -> Result<Transport, NotifyError> {
        if let Some(url) = smtp_url.filter(|u| !u.trim().is_empty()) {
            let transport = SmtpTransport::from_url(url.trim())
                .map_err(|e| {
                    NotifyError::Config(format!(
                        "CASEFLOW_SMTP_URL {:?} is not usable ({e}); write e.g. smtp://host:25 or smtps://user:pass@host",
                        redact(url)
                    ))
                })?
                .timeout(Some(Duration::from_secs(20)))
                .build();
            return Ok(Transport::Smtp {
                transport,
                shown: redact(url),
            });
        }
        if let Some(command) = sendmail.filter(|c| !c.trim().is_empty()) {
            return Ok(Transport::Sendmail(SendmailTransport::new_with_command(
                command.trim(),
            )));
        }
        Ok(Transport::Files(outbox_dir))
    }

    /// For people: where messages go.
    pub fn describe(&self) -> String {
        match self {
            Transport::Smtp { shown, .. } => shown.clone(),
            Transport::Sendmail(_) => "sendmail".into(),
            Transport::Files(dir) => dir.display().to_string(),
        }
    }

    pub fn send(&self, envelope: &Envelope, bytes: &[u8], message_id: &str) -> Sent {
        match self {
            Transport::Smtp { transport, .. } => match transport.send_raw(envelope, bytes) {
                Ok(_) => Sent::Accepted,
                Err(e) if e.is_permanent() => Sent::Refused(e.to_string()),
                Err(e) if e.is_transient() => Sent::Later(e.to_string()),
                Err(e) => Sent::Unreachable(e.to_string()),
            },
            Transport::Sendmail(transport) => match transport.send_raw(envelope, bytes) {
                Ok(()) => Sent::Accepted,
                Err(e) => Sent::Later(e.to_string()),
            },
            Transport::Files(dir) => match write_eml(dir, message_id, bytes) {
                Ok(()) => Sent::Accepted,
                Err(e) => Sent::Unreachable(format!("{}: {e}", dir.display())),
            },
        }
    }
}

/// `outbox/<message id>.eml`, written whole (temporary file, then rename).
fn write_eml(dir: &std::path::Path, message_id: &str, bytes: &[u8]) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let name: String = message_id
        .trim_matches(['<', '>'])
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "-_.@".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    let mut file = tempfile::NamedTempFile::new_in(dir)?;
    std::io::Write::write_all(&mut file, bytes)?;
    file.persist(dir.join(format!("{name}.eml")))
        .map_err(|e| e.error)?;
    Ok(())
}

/// The URL without its password.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let creds = &url[scheme + 3..at];
            let user = creds.split(':').next().unwrap_or("");
            format!("{}{user}:***{}", &url[..scheme + 3], &url[at..])
        }
        _ => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn passwords_are_not_shown() {
        assert_eq!(
            super::redact("smtps://bob:s3cret@mail.example.com"),
            "smtps://bob:***@mail.example.com"
        );
        assert_eq!(super::redact("smtp://127.0.0.1:25"), "smtp://127.0.0.1:25");
    }
}
