//! A progress bar for long bulk commands: shown on a terminal only, never with --json or -q.

use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressStyle};

use super::Ctx;

pub fn bar(ctx: &Ctx, len: usize) -> ProgressBar {
    if ctx.json || ctx.quiet || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(len as u64);
    if let Ok(style) = ProgressStyle::with_template("{bar:40} {pos}/{len} rows {elapsed}") {
        bar.set_style(style);
    }
    bar
}
