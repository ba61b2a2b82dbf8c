//! Definition errors as a person wants to read them: the `file:line:column: message` line
//! (editors and scripts parse it; a contract), then the source line with a caret under the
//! offending word, one block per error, every error at once. Rendered by annotate-snippets,
//! in colour only when stderr is a terminal without NO_COLOR (anstream strips it otherwise).

use std::collections::BTreeMap;

use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};

use crate::definition::Diagnostic;

/// Render every diagnostic, then the count. `source` returns a file's text by the name the
/// diagnostic uses (None for deployed versions and unreadable files: then no snippet).
pub fn render(diagnostics: &[Diagnostic], source: impl Fn(&str) -> Option<String>) -> String {
    let mut sources: BTreeMap<&str, Option<String>> = BTreeMap::new();
    let renderer = Renderer::styled();
    let mut out = String::new();
    for d in diagnostics {
        let text = sources.entry(&d.file).or_insert_with(|| source(&d.file));
        let block = render_one(&renderer, d, text.as_deref());
        // A blank line between blocks with a snippet, as compilers do.
        if !out.is_empty() && block.contains('\n') {
            out.push('\n');
        }
        out.push_str(&block);
        out.push('\n');
    }
    let count = diagnostics.len();
    out.push_str(&format!(
        "{count} error{} found\n",
        if count == 1 { "" } else { "s" }
    ));
    out
}

fn render_one(renderer: &Renderer, d: &Diagnostic, source: Option<&str>) -> String {
    let title = d.to_string();
    let line = source.and_then(|s| s.lines().nth(d.pos.line.saturating_sub(1)));
    let Some(line) = line.filter(|_| d.pos.line > 0) else {
        return renderer.render(&[Group::with_title(Level::ERROR.primary_title(title))]);
    };
    let span = token(line, d.pos.col);
    let report = [Level::ERROR.primary_title(title).element(
        Snippet::source(line)
            .line_start(d.pos.line)
            .annotation(AnnotationKind::Primary.span(span)),
    )];
    renderer.render(&report)
}

/// The byte range of the word starting at 1-based character column `col`.
fn token(line: &str, col: usize) -> std::ops::Range<usize> {
    let start = line
        .char_indices()
        .nth(col.saturating_sub(1))
        .map_or(line.len(), |(i, _)| i);
    let rest = &line[start..];
    let len = rest
        .char_indices()
        .find(|(_, c)| c.is_whitespace() || ":,{}[]#".contains(*c))
        .map_or(rest.len(), |(i, _)| i);
    let end = start + len.max(rest.chars().next().map_or(0, char::len_utf8));
    start..end
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::definition::Pos;

    #[test]
    fn shows_the_line_with_a_caret_under_the_word() {
        let d = Diagnostic {
            file: "p.yaml".into(),
            pos: Pos { line: 2, col: 3 },
            message: "unknown key `colour`".into(),
        };
        let text = render(&[d], |_| Some("a: 1\n  colour: red\n".into()));
        let plain = anstream::adapter::strip_str(&text).to_string();
        assert!(
            plain.contains("p.yaml:2:3: unknown key `colour`"),
            "{plain}"
        );
        assert!(plain.contains("2 |   colour: red"), "{plain}");
        assert!(plain.contains("^^^^^^"), "{plain}");
        assert!(plain.ends_with("1 error found\n"), "{plain}");
    }

    #[test]
    fn without_a_source_just_the_line() {
        let d = Diagnostic {
            file: "x v1".into(),
            pos: Pos { line: 9, col: 1 },
            message: "bad".into(),
        };
        let plain = anstream::adapter::strip_str(&render(&[d], |_| None)).to_string();
        assert!(plain.starts_with("error: x v1:9:1: bad\n"), "{plain}");
    }

    #[test]
    fn tokens() {
        assert_eq!(token("  colour: red", 3), 2..8);
        assert_eq!(token("x", 5), 1..1);
        assert_eq!(token("a: ´monee´ }", 4), 3..12);
    }
}
