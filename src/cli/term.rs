//! The terminal, decided in one place: colour (only on a terminal, never with `NO_COLOR`;
//! anstream does the detection), the width tables wrap to, a pager for long output, and
//! progress bars that only a person at a terminal sees.
//!
//! Pipes and files always get plain, unwrapped, unpaged text: scripts never see escape codes.

use std::io::{IsTerminal, Write};
use std::process::{Command, Stdio};

use anstyle::{AnsiColor, Style};

pub const ERROR: Style = AnsiColor::Red.on_default().bold();
pub const HINT: Style = AnsiColor::Cyan.on_default().bold();

/// `text` in `style`; anstream strips it again when the output is no terminal or NO_COLOR.
pub fn paint(style: Style, text: &str) -> String {
    format!("{style}{text}{style:#}")
}

/// Whether what goes to stdout may be coloured (a terminal without NO_COLOR, or forced).
pub fn stdout_colour() -> bool {
    anstream::AutoStream::choice(&std::io::stdout()) != anstream::ColorChoice::Never
}

/// Whether standard output is a terminal a person reads.
pub fn stdout_is_terminal() -> bool {
    std::io::stdout().is_terminal()
}

/// The width tables wrap to: `COLUMNS` when set (tests fix it), else the terminal's width,
/// else none (pipes get whole lines).
pub fn width() -> Option<u16> {
    if let Some(cols) = std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.parse::<u16>().ok())
        .filter(|c| *c >= 20)
    {
        return Some(cols);
    }
    if !stdout_is_terminal() {
        return None;
    }
    terminal_size::terminal_size_of(std::io::stdout()).map(|(w, _)| w.0)
}

fn height() -> Option<usize> {
    terminal_size::terminal_size_of(std::io::stdout()).map(|(_, h)| usize::from(h.0))
}

/// Print `text`; through `pager` when stdout is a terminal and the text is taller than it.
/// Never pages into a pipe; falls back to printing when the pager cannot start.
pub fn page(text: &str, pager: Option<&str>) {
    let tall = height().is_some_and(|h| text.lines().count() + 1 > h);
    if let (true, true, Some(pager)) = (stdout_is_terminal(), tall, pager) {
        if spawn_pager(pager, text).is_ok() {
            return;
        }
    }
    anstream::println!("{text}");
}

fn spawn_pager(pager: &str, text: &str) -> std::io::Result<()> {
    let mut words = pager.split_whitespace();
    let program = words.next().ok_or(std::io::ErrorKind::NotFound)?;
    let mut child = Command::new(program)
        .args(words)
        .env(
            "LESS",
            std::env::var("LESS").unwrap_or_else(|_| "FRX".into()),
        )
        .stdin(Stdio::piped())
        .spawn()?;
    if let Some(mut stdin) = child.stdin.take() {
        // A reader who quits early closes the pipe; that is not an error.
        let _ = writeln!(stdin, "{text}");
    }
    child.wait()?;
    Ok(())
}

/// A progress bar for `len` steps of long work, drawn on stderr only when it is a terminal
/// (and not with `-q` or `--json`); hidden bars cost nothing.
pub fn progress(len: u64, quiet: bool) -> indicatif::ProgressBar {
    if quiet || !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(len);
    if let Ok(style) =
        indicatif::ProgressStyle::with_template("{bar:30} {pos}/{len} {msg} ({eta} left)")
    {
        bar.set_style(style);
    }
    bar
}
