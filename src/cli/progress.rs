//! A progress bar on stderr, shown only when stderr is a terminal.

use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressStyle};

/// A progress bar over `total` trials, or nothing when stderr is not a terminal
/// or the run is too short to need one.
pub fn bar(total: u64) -> Option<ProgressBar> {
    if !std::io::stderr().is_terminal() || total < 2_000_000 {
        return None;
    }
    let bar = ProgressBar::new(total);
    let style = ProgressStyle::with_template(
        "{spinner} [{elapsed_precise}] {wide_bar} {human_pos}/{human_len} trials ({per_sec}, {eta} left)",
    )
    .unwrap_or_else(|_| ProgressStyle::default_bar());
    bar.set_style(style);
    Some(bar)
}

/// A counter of variant runs of `trials` trials each (a search that does not
/// know how many it will run), or nothing when stderr is not a terminal or the
/// first `first` runs are too short to need one.
pub fn runs(trials: u64, first: u64) -> Option<ProgressBar> {
    if !std::io::stderr().is_terminal() || trials.saturating_mul(first) < 2_000_000 {
        return None;
    }
    let bar = ProgressBar::no_length();
    let style = ProgressStyle::with_template(&format!(
        "{{spinner}} [{{elapsed_precise}}] {{human_pos}} variants of {} trials run ({{per_sec}}) {{msg}}",
        forcesim::present::thousands(trials as f64)
    ))
    .unwrap_or_else(|_| ProgressStyle::default_spinner());
    bar.set_style(style);
    bar.enable_steady_tick(std::time::Duration::from_millis(200));
    Some(bar)
}
