//! Letters as PDF (feature `pdf`): A4, letterhead, address block, date, subject, body
//! paragraphs wrapped to the measure, and a signature, in DejaVu Sans (embedded, subset by
//! krilla) so Latin, Polish, Spanish, German and Cyrillic text all print and can be copied
//! back out (`pdftotext`).
//!
//! krilla (typst's PDF writer) rather than typst itself: a letter needs line wrapping and
//! page breaks, not a typesetting language, and krilla is a fraction of typst's build.

use krilla::geom::{PathBuilder, Point};
use krilla::page::PageSettings;
use krilla::text::{Font, TextDirection};
use krilla::Document;

const FONT: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
const FONT_BOLD: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans-Bold.ttf");
const WIDTH: f32 = 595.0;
const HEIGHT: f32 = 842.0;
const MARGIN: f32 = 64.0;
const SIZE: f32 = 10.5;
const LEADING: f32 = 15.0;

/// What a letter says, already rendered from its template.
#[derive(Debug, Clone)]
pub struct Letter {
    /// Top of the page: who writes (the process's title).
    pub letterhead: String,
    /// `Case EXP-2026-0001`
    pub reference: String,
    /// The address block, one line each.
    pub address: Vec<String>,
    pub date: String,
    pub subject: String,
    pub body: String,
    /// Who signs: a name, and the line under it.
    pub signature: Vec<String>,
}

/// Lay the letter out and write the PDF.
pub fn render(letter: &Letter) -> Result<Vec<u8>, String> {
    let regular = Face::new(FONT)?;
    let bold = Face::new(FONT_BOLD)?;
    let mut lines: Vec<Line> = Vec::new();
    let width = WIDTH - 2.0 * MARGIN;
    for a in &letter.address {
        lines.push(Line::text(a, false));
    }
    lines.push(Line::gap(1.0));
    lines.push(Line::right(&letter.date));
    lines.push(Line::text(&letter.reference, false));
    lines.push(Line::gap(1.0));
    for l in regular.wrap(&letter.subject, width, SIZE + 1.0, &bold) {
        lines.push(Line::text(&l, true));
    }
    lines.push(Line::gap(0.5));
    for paragraph in letter.body.trim_end().split('\n') {
        if paragraph.trim().is_empty() {
            lines.push(Line::gap(0.6));
            continue;
        }
        for l in regular.wrap(paragraph, width, SIZE, &regular) {
            lines.push(Line::text(&l, false));
        }
    }
    lines.push(Line::gap(1.5));
    for s in &letter.signature {
        lines.push(Line::text(s, false));
    }
    paint(letter, &lines, &regular, &bold)
}

struct Face {
    data: &'static [u8],
    font: Font,
}

impl Face {
    fn new(data: &'static [u8]) -> Result<Face, String> {
        let font = Font::new(data.into(), 0).ok_or("the embedded font could not be read")?;
        Ok(Face { data, font })
    }

    /// Width of `text` at `size` points.
    fn width(&self, text: &str, size: f32) -> f32 {
        let Ok(face) = ttf_parser::Face::parse(self.data, 0) else {
            return 0.0;
        };
        let units = f32::from(face.units_per_em());
        let advance: f32 = text
            .chars()
            .map(|c| {
                face.glyph_index(c)
                    .and_then(|g| face.glyph_hor_advance(g))
                    .map(f32::from)
                    .unwrap_or(units / 2.0)
            })
            .sum();
        advance * size / units
    }

    /// Break a paragraph into lines no wider than `width` (measured in `face`).
    fn wrap(&self, text: &str, width: f32, size: f32, face: &Face) -> Vec<String> {
        let mut lines = Vec::new();
        let mut current = String::new();
        for word in text.split_whitespace() {
            let candidate = if current.is_empty() {
                word.to_string()
            } else {
                format!("{current} {word}")
            };
            if face.width(&candidate, size) > width && !current.is_empty() {
                lines.push(std::mem::take(&mut current));
                current = word.to_string();
            } else {
                current = candidate;
            }
        }
        if !current.is_empty() || lines.is_empty() {
            lines.push(current);
        }
        let _ = self;
        lines
    }
}

/// One line of the laid-out letter.
struct Line {
    text: String,
    bold: bool,
    right: bool,
    /// Extra space in lines (a paragraph gap) instead of text.
    gap: f32,
}

impl Line {
    fn text(text: &str, bold: bool) -> Line {
        Line {
            text: text.to_string(),
            bold,
            right: false,
            gap: 0.0,
        }
    }
    fn right(text: &str) -> Line {
        Line {
            right: true,
            ..Line::text(text, false)
        }
    }
    fn gap(lines: f32) -> Line {
        Line {
            gap: lines,
            ..Line::text("", false)
        }
    }
}

fn paint(letter: &Letter, lines: &[Line], regular: &Face, bold: &Face) -> Result<Vec<u8>, String> {
    let mut document = Document::new();
    let settings = || PageSettings::from_wh(WIDTH, HEIGHT).ok_or("bad page size");
    let mut rest = lines;
    let mut first = true;
    while first || !rest.is_empty() {
        let mut page = document.start_page_with(settings()?);
        let mut surface = page.surface();
        let mut y = MARGIN;
        if first {
            surface.draw_text(
                Point::from_xy(MARGIN, y + 8.0),
                bold.font.clone(),
                15.0,
                &letter.letterhead,
                false,
                TextDirection::Auto,
            );
            y += 20.0;
            let mut rule = PathBuilder::new();
            rule.move_to(MARGIN, y);
            rule.line_to(WIDTH - MARGIN, y);
            if let Some(path) = rule.finish() {
                surface.set_stroke(Some(krilla::paint::Stroke::default()));
                surface.draw_path(&path);
                surface.set_stroke(None);
            }
            y += 2.0 * LEADING;
        }
        first = false;
        let mut used = 0;
        for line in rest {
            if y > HEIGHT - MARGIN {
                break;
            }
            used += 1;
            if line.gap > 0.0 {
                y += line.gap * LEADING;
                continue;
            }
            let face = if line.bold { bold } else { regular };
            let size = if line.bold { SIZE + 1.0 } else { SIZE };
            let x = if line.right {
                WIDTH - MARGIN - face.width(&line.text, size)
            } else {
                MARGIN
            };
            y += LEADING;
            surface.draw_text(
                Point::from_xy(x, y),
                face.font.clone(),
                size,
                &line.text,
                false,
                TextDirection::Auto,
            );
        }
        rest = &rest[used..];
        surface.finish();
        page.finish();
    }
    document
        .finish()
        .map_err(|e| format!("the PDF could not be written: {e:?}"))
}
