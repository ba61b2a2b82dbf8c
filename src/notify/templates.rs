//! Template files: `templates/<process>/<name>[.<locale>].txt` (and `.html`), letters in
//! `templates/<process>/letters/`. Each file is `Subject: <expression text>`, one blank line,
//! then the body; both parts are minijinja with strict undefined variables, so a typo is an
//! error rather than an empty gap in a customer's letter.
//!
//! A locale variant falls back to its language (`es-MX` → `es`), then to the plain file.

use std::collections::BTreeMap;
use std::path::Path;

use minijinja::{AutoEscape, Environment, UndefinedBehavior};

use crate::definition::{Diagnostic, Pos};

pub const TEMPLATES_DIR: &str = "templates";
const SUBJECT: &str = "Subject:";

/// Mail (beside the process's other templates) or a letter (in `letters/`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Mail,
    Letter,
}

/// The folder of mails shared by every process (`templates/_common/`). Its templates may not
/// use `fields`: they serve processes with different fields.
pub const COMMON: &str = "_common";

/// Every template file of a workspace, by path relative to `templates/` (`/`-separated).
#[derive(Debug, Clone, Default)]
pub struct Templates {
    pub files: BTreeMap<String, String>,
}

/// A template file split into its two parts.
#[derive(Debug, Clone)]
pub struct Parsed<'a> {
    pub path: &'a str,
    pub subject: &'a str,
    /// Column where the subject's text starts on line 1.
    pub subject_col: usize,
    pub body: &'a str,
    /// Line where the body starts.
    pub body_line: usize,
}

impl Templates {
    /// Read every file under `dir` (a missing folder is no templates).
    pub fn load(dir: &Path) -> std::io::Result<Templates> {
        let mut files = BTreeMap::new();
        if dir.is_dir() {
            walk(dir, "", &mut files)?;
        }
        Ok(Templates { files })
    }

    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Templates {
        Templates {
            files: pairs
                .into_iter()
                .map(|(p, s)| (p.to_string(), s.to_string()))
                .collect(),
        }
    }

    /// The file for `name` in `locale` (falling back to the language, then to no locale).
    pub fn find(
        &self,
        process: &str,
        name: &str,
        kind: Kind,
        locale: &str,
        ext: &str,
    ) -> Option<(&str, &str)> {
        let own = self.find_in(process, name, kind, locale, ext);
        match kind {
            // A process without its own mail of that name uses the shared one (sub-tasks,
            // consultations, SLA warnings: what the engine sends for every process).
            Kind::Mail if own.is_none() && !self.has_own(process, name, kind) => {
                self.find_in(COMMON, name, kind, locale, ext)
            }
            _ => own,
        }
    }

    /// Whether the process has any file (in any locale) for `name`.
    fn has_own(&self, process: &str, name: &str, kind: Kind) -> bool {
        self.find_in(process, name, kind, "", "txt").is_some()
            || !self.own_locales(process, name, kind).is_empty()
    }

    fn find_in(
        &self,
        process: &str,
        name: &str,
        kind: Kind,
        locale: &str,
        ext: &str,
    ) -> Option<(&str, &str)> {
        let dir = match kind {
            Kind::Mail => format!("{process}/"),
            Kind::Letter => format!("{process}/letters/"),
        };
        let language = locale.split(['-', '_']).next().unwrap_or(locale);
        let mut candidates = Vec::new();
        if !locale.is_empty() {
            candidates.push(format!("{dir}{name}.{locale}.{ext}"));
        }
        if !language.is_empty() && language != locale {
            candidates.push(format!("{dir}{name}.{language}.{ext}"));
        }
        candidates.push(format!("{dir}{name}.{ext}"));
        candidates.into_iter().find_map(|path| {
            self.files
                .get_key_value(&path)
                .map(|(p, s)| (p.as_str(), s.as_str()))
        })
    }

    pub fn exists(&self, process: &str, name: &str, kind: Kind) -> bool {
        self.find(process, name, kind, "", "txt").is_some()
    }

    /// The locales a template has a variant in (besides the plain file).
    pub fn locales(&self, process: &str, name: &str, kind: Kind) -> Vec<String> {
        match kind {
            Kind::Mail if !self.has_own(process, name, kind) => {
                self.own_locales(COMMON, name, kind)
            }
            _ => self.own_locales(process, name, kind),
        }
    }

    fn own_locales(&self, process: &str, name: &str, kind: Kind) -> Vec<String> {
        let prefix = match kind {
            Kind::Mail => format!("{process}/{name}."),
            Kind::Letter => format!("{process}/letters/{name}."),
        };
        self.files
            .keys()
            .filter_map(|p| p.strip_prefix(&prefix)?.strip_suffix(".txt"))
            .filter(|locale| !locale.is_empty() && !locale.contains('/'))
            .map(String::from)
            .collect()
    }

    /// The process's default locale: `templates/<process>/locale` when there is one.
    pub fn process_locale(&self, process: &str) -> Option<String> {
        self.files
            .get(&format!("{process}/locale"))
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
    }
}

fn walk(dir: &Path, prefix: &str, files: &mut BTreeMap<String, String>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let path = entry.path();
        let shown = format!("{prefix}{name}");
        if path.is_dir() {
            walk(&path, &format!("{shown}/"), files)?;
        } else if name.ends_with(".txt") || name.ends_with(".html") || name == "locale" {
            files.insert(shown, std::fs::read_to_string(&path)?);
        }
    }
    Ok(())
}

/// Split a template file into subject and body, or say what is wrong with its shape.
pub fn parse<'a>(path: &'a str, source: &'a str) -> Result<Parsed<'a>, Diagnostic> {
    let (first, rest) = source.split_once('\n').unwrap_or((source, ""));
    let first = first.strip_suffix('\r').unwrap_or(first);
    let Some(subject) = first.strip_prefix(SUBJECT) else {
        return Err(diagnostic(
            path,
            1,
            1,
            "a template starts with a `Subject: ...` line, then a blank line, then the body".into(),
        ));
    };
    let trimmed = subject.trim_start();
    let subject_col = SUBJECT.len() + (subject.len() - trimmed.len()) + 1;
    let (body, body_line) = match rest.split_once('\n') {
        Some((blank, body)) if blank.trim().is_empty() => (body, 3),
        _ if rest.trim().is_empty() => ("", 3),
        _ => {
            return Err(diagnostic(
                path,
                2,
                1,
                "the line after `Subject:` must be blank (the body follows it)".into(),
            ))
        }
    };
    Ok(Parsed {
        path,
        subject: trimmed.trim_end(),
        subject_col,
        body,
        body_line,
    })
}

pub fn diagnostic(path: &str, line: usize, col: usize, message: String) -> Diagnostic {
    Diagnostic {
        file: format!("{TEMPLATES_DIR}/{path}"),
        pos: Pos { line, col },
        message,
    }
}

/// The most instructions one rendering may run: far above what the bundled templates need
/// (each passes `tests/templates.rs` with it), low enough that nested loops written by mistake
/// end in an "out of fuel" error instead of hanging `tick`.
pub const TEMPLATE_FUEL: u64 = 5_000_000;

/// The environment every template renders in: strict undefined, HTML escaped in `.html`
/// files, no trailing-newline surprises, at most [`TEMPLATE_FUEL`] instructions.
pub fn environment<'s>() -> Environment<'s> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_fuel(Some(TEMPLATE_FUEL));
    if let Ok(syntax) = minijinja::syntax::SyntaxConfig::builder()
        .trim_blocks(true)
        .keep_trailing_newline(true)
        .build()
    {
        env.set_syntax(syntax);
    }
    env.set_auto_escape_callback(|name| {
        if name.ends_with(".html") {
            AutoEscape::Html
        } else {
            AutoEscape::None
        }
    });
    env
}

/// A minijinja error as `file:line:column: message`, with lines counted in the whole file.
pub fn error_diagnostic(
    path: &str,
    source: &str,
    line_offset: usize,
    col_offset: usize,
    e: &minijinja::Error,
) -> Diagnostic {
    let (line, col) = match e.range() {
        Some(range) => line_col(source, range.start),
        None => (e.line().unwrap_or(1), 1),
    };
    let col = if line == 1 { col + col_offset - 1 } else { col };
    let message = match e.detail() {
        Some(detail) => format!("{}: {detail}", e.kind()),
        None => e.kind().to_string(),
    };
    diagnostic(path, line + line_offset - 1, col, message)
}

/// 1-based line and column of a byte offset.
pub fn line_col(source: &str, offset: usize) -> (usize, usize) {
    let before = source.get(..offset).unwrap_or(source);
    let line = before.matches('\n').count() + 1;
    let col = before
        .rsplit('\n')
        .next()
        .map(|s| s.chars().count())
        .unwrap_or(0)
        + 1;
    (line, col)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locale_falls_back_to_language_then_plain() {
        let t = Templates::from_pairs([
            ("p/rejected.txt", "Subject: x\n\nen"),
            ("p/rejected.es.txt", "Subject: x\n\nes"),
        ]);
        let path = |l: &str| t.find("p", "rejected", Kind::Mail, l, "txt").map(|f| f.0);
        assert_eq!(path("es"), Some("p/rejected.es.txt"));
        assert_eq!(path("es-MX"), Some("p/rejected.es.txt"));
        assert_eq!(path("pl"), Some("p/rejected.txt"));
        assert_eq!(t.locales("p", "rejected", Kind::Mail), vec!["es"]);
    }

    #[test]
    fn parse_needs_subject_and_blank_line() {
        let p = parse("p/x.txt", "Subject:  Hello {{ case.id }}\n\nBody\n").unwrap();
        assert_eq!(p.subject, "Hello {{ case.id }}");
        assert_eq!(p.subject_col, 11);
        assert_eq!(p.body, "Body\n");
        let e = parse("p/x.txt", "Hello\n\nBody").unwrap_err();
        assert_eq!(
            e.to_string().split(": ").next(),
            Some("templates/p/x.txt:1:1")
        );
        assert!(parse("p/x.txt", "Subject: a\nBody").is_err());
    }
}
