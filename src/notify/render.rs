//! Turning a queued notification (or a letter asked for by name) into text: pick the
//! recipient's locale, find the template variant, render subject and bodies, and lay out
//! the PDF when the notification has a letter of the same name.

use minijinja::Value as Ctx;

use super::context::{self, Reader, Source};
use super::templates::{self, Kind, Templates};
use super::NotifyError;
use crate::definition::Definition;
use crate::engine::CaseState;
use crate::org::Org;
use crate::store::{EventRow, Rendered};
use crate::value::Value;

/// The locale used when nothing says better.
pub const DEFAULT_LOCALE: &str = "en";

/// Who receives a message, from the row's first `to` recipient: an org.yaml person (their
/// name and `locale`), or an e-mail address from a case field (the customer: the case's
/// `locale` or `language` field, else the process's `templates/<process>/locale`).
pub fn reader(
    recipient: &serde_json::Value,
    org: &Org,
    case: &CaseState,
    templates: &Templates,
    default_locale: &str,
) -> Reader {
    let fallback = templates
        .process_locale(&case.process)
        .unwrap_or_else(|| default_locale.to_string());
    let email = recipient["address"].as_str().map(String::from);
    match recipient["person"].as_str().and_then(|p| org.person(p)) {
        Some(person) => Reader {
            name: person.name.clone(),
            email: email.or_else(|| person.email.clone()),
            locale: person.locale.clone().unwrap_or(fallback),
        },
        None => {
            let field_locale =
                ["locale", "language"]
                    .iter()
                    .find_map(|f| match case.fields.get(*f) {
                        Some(Value::Text(l)) if !l.trim().is_empty() => Some(l.trim().to_string()),
                        _ => None,
                    });
            Reader {
                name: email.clone().unwrap_or_default(),
                email,
                locale: field_locale.unwrap_or(fallback),
            }
        }
    }
}

/// Everything one rendering needs.
pub struct Job<'a> {
    pub templates: &'a Templates,
    pub def: &'a Definition,
    pub org: &'a Org,
    pub case: &'a CaseState,
    pub history: &'a [EventRow],
    pub event_seq: Option<i64>,
    pub reader: &'a Reader,
    /// The date a letter carries when written on demand (else the event's date).
    pub dated: Option<jiff::Timestamp>,
}

impl Job<'_> {
    fn context(&self) -> Ctx {
        Ctx::from(minijinja::value::Serde(context::build(&Source {
            def: self.def,
            org: self.org,
            case: self.case,
            history: self.history,
            event_seq: self.event_seq,
            reader: self.reader,
        })))
    }

    /// Subject and body of template `name` (mail or letter) in the reader's locale.
    fn text(
        &self,
        name: &str,
        kind: Kind,
        ext: &str,
    ) -> Result<Option<(String, String)>, NotifyError> {
        let Some((path, source)) =
            self.templates
                .find(&self.case.process, name, kind, &self.reader.locale, ext)
        else {
            return Ok(None);
        };
        self.render_file(path, source, ext).map(Some)
    }

    /// Render one template file: (subject made one line, body).
    fn render_file(
        &self,
        path: &str,
        source: &str,
        ext: &str,
    ) -> Result<(String, String), NotifyError> {
        let parsed = match templates::parse(path, source) {
            Ok(p) => p,
            // An HTML part may be a body alone.
            Err(_) if ext == "html" => templates::Parsed {
                path,
                subject: "",
                subject_col: 1,
                body: source,
                body_line: 1,
            },
            Err(d) => return Err(NotifyError::Template(d)),
        };
        let env = templates::environment();
        let ctx = self.context();
        let subject = env
            .render_named_str(path, parsed.subject, ctx.clone())
            .map_err(|e| {
                let d =
                    templates::error_diagnostic(path, parsed.subject, 1, parsed.subject_col, &e);
                NotifyError::Template(d)
            })?;
        let body = env.render_named_str(path, parsed.body, ctx).map_err(|e| {
            NotifyError::Template(templates::error_diagnostic(
                path,
                parsed.body,
                parsed.body_line,
                1,
                &e,
            ))
        })?;
        Ok((one_line(&subject), body))
    }

    /// Render mail template `name`; with a letter of the same name, its PDF too.
    pub fn mail(&self, name: &str) -> Result<Rendered, NotifyError> {
        let (subject, text) =
            self.text(name, Kind::Mail, "txt")?
                .ok_or_else(|| NotifyError::MissingTemplate {
                    path: format!(
                        "{}/{}/{name}.txt",
                        templates::TEMPLATES_DIR,
                        self.case.process
                    ),
                })?;
        let html = self.html(name)?;
        let letter = if self
            .templates
            .exists(&self.case.process, name, Kind::Letter)
        {
            Some(self.letter(name)?)
        } else {
            None
        };
        Ok(Rendered {
            locale: self.reader.locale.clone(),
            subject,
            text,
            html,
            letter,
        })
    }

    /// The HTML part in exactly the language the text part was found in (never English
    /// HTML beside a Spanish text).
    fn html(&self, name: &str) -> Result<Option<String>, NotifyError> {
        let process = &self.case.process;
        let locale = &self.reader.locale;
        let Some((txt, _)) = self
            .templates
            .find(process, name, Kind::Mail, locale, "txt")
        else {
            return Ok(None);
        };
        let path = format!("{}.html", txt.strip_suffix(".txt").unwrap_or(txt));
        match self.templates.files.get_key_value(&path) {
            Some((path, source)) => Ok(Some(self.render_file(path, source, "html")?.1)),
            None => Ok(None),
        }
    }

    /// Render letter `name` to a PDF: (file name, bytes).
    pub fn letter(&self, name: &str) -> Result<(String, Vec<u8>), NotifyError> {
        let (subject, body) =
            self.text(name, Kind::Letter, "txt")?
                .ok_or_else(|| NotifyError::MissingTemplate {
                    path: format!(
                        "{}/{}/letters/{name}.txt",
                        templates::TEMPLATES_DIR,
                        self.case.process
                    ),
                })?;
        let event = self
            .event_seq
            .and_then(|seq| self.history.iter().find(|e| e.seq == seq))
            .or(self.history.last());
        let date: String = match self.dated {
            Some(t) => crate::time::format_timestamp(t).chars().take(10).collect(),
            None => event
                .map(|e| e.at.chars().take(10).collect())
                .unwrap_or_default(),
        };
        let signer = event
            .map(|e| self.org.display_name(&e.actor))
            .unwrap_or_default();
        let letter = super::Letter {
            letterhead: self.def.title.clone(),
            reference: self.case.id.clone(),
            address: [Some(self.reader.name.clone()), self.reader.email.clone()]
                .into_iter()
                .flatten()
                .filter(|l| !l.is_empty())
                .fold(Vec::new(), |mut v, l| {
                    if !v.contains(&l) {
                        v.push(l);
                    }
                    v
                }),
            date,
            subject,
            body,
            signature: vec![signer, self.def.title.clone()],
        };
        let bytes = super::letter_pdf(&letter)?;
        Ok((format!("{name}-{}.pdf", self.case.id), bytes))
    }
}

/// A subject is one line: any line break or control character becomes a space, so a field
/// value can never start a header of its own.
pub fn one_line(text: &str) -> String {
    let cleaned: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    cleaned.split_whitespace().collect::<Vec<_>>().join(" ")
}
