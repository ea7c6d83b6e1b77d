//! Ctrl-C (SIGINT) and SIGTERM: the first asks the command to stop after the
//! unit in progress (a wave of blocks for `run`, a point for `sweep`, a scenario
//! for `compare`, a variant for `secure`), so that what is finished is written,
//! marked interrupted; the second quits at once with exit code 130. Quitting at
//! once is safe because outputs are written whole or not at all, and only after
//! the work.
//!
//! Signals within [`GRACE`] of the first count as the same one: `timeout -s INT`
//! and a terminal's Ctrl-C may deliver one interruption twice (to the process
//! group and to the process), which must not quit at once.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, Once};
use std::time::{Duration, Instant};

/// Exit code of a run stopped by a signal (128 + SIGINT).
pub const EXIT_INTERRUPTED: u8 = 130;

/// Signals this soon after the first are its duplicates, not a second request.
pub const GRACE: Duration = Duration::from_millis(100);

static STOP: AtomicBool = AtomicBool::new(false);
static FIRST: Mutex<Option<Instant>> = Mutex::new(None);
static INSTALL: Once = Once::new();
/// What the command finishes before stopping ("blocks", "point", …).
static UNIT: std::sync::OnceLock<&'static str> = std::sync::OnceLock::new();

/// What a signal arriving now means.
#[derive(Debug, PartialEq, Eq)]
enum Meaning {
    /// The first: stop after the current unit.
    Stop,
    /// A copy of the first (within the grace period): ignored.
    Duplicate,
    /// A second request: quit now.
    Quit,
}

fn meaning(first: &mut Option<Instant>, now: Instant) -> Meaning {
    match *first {
        None => {
            *first = Some(now);
            Meaning::Stop
        }
        Some(t) if now.saturating_duration_since(t) < GRACE => Meaning::Duplicate,
        Some(_) => Meaning::Quit,
    }
}

fn on_signal() {
    let m = match FIRST.lock() {
        Ok(mut first) => meaning(&mut first, Instant::now()),
        Err(_) => Meaning::Quit,
    };
    match m {
        Meaning::Stop => {
            STOP.store(true, Ordering::SeqCst);
            let unit = UNIT.get().copied().unwrap_or("work");
            say!("\nstopping after the current {unit}… (Ctrl-C again to quit now)");
        }
        Meaning::Duplicate => {}
        Meaning::Quit => {
            // A file being written is left as it was (whole or absent): only
            // its temporary copy is removed.
            forcesim::output::remove_temporaries();
            say!("quit: outputs not yet written are not written (files already there are kept)");
            std::process::exit(i32::from(EXIT_INTERRUPTED));
        }
    }
}

/// The stop flag, with the signal handler installed on first use; `unit` names
/// what is finished before stopping, for the message.
pub fn stop_flag(unit: &'static str) -> &'static AtomicBool {
    let _ = UNIT.set(unit);
    INSTALL.call_once(|| {
        if let Err(e) = ctrlc::set_handler(on_signal) {
            say!("warning: Ctrl-C will stop forcesim at once: {e}");
        }
    });
    &STOP
}

/// Whether a stop was asked for.
pub fn stopped() -> bool {
    STOP.load(Ordering::SeqCst)
}

/// Says that a command stopped before any trial finished writes nothing (so
/// that outputs already there are kept, not replaced by empty ones), and
/// returns exit code 130.
pub fn nothing_written() -> std::process::ExitCode {
    nothing_finished("trial")
}

/// [`nothing_written`] for a command whose results come a `unit` at a time
/// (`sweep`'s points: a stop in the first of several chunks of points leaves
/// trials finished but no point).
pub fn nothing_finished(unit: &str) -> std::process::ExitCode {
    say!("interrupted before any {unit} finished: nothing written");
    std::process::ExitCode::from(EXIT_INTERRUPTED)
}

/// Says what an interrupted what-if command covers, and returns exit code 130:
/// paired, every `unit` over the first `done` of `trials` trials; else how many
/// `unit`s of `total` finished.
pub fn interrupted_whatif(
    unit: &str,
    paired: Option<(u64, u64)>,
    (finished, total): (usize, usize),
) -> std::process::ExitCode {
    match paired {
        Some((done, trials)) => say!(
            "interrupted: every {unit} covers the first {done} of {trials} trials (whole blocks of {})",
            forcesim::engine::BLOCK_TRIALS
        ),
        None => say!("interrupted: {finished} of {total} {unit}s finished"),
    }
    std::process::ExitCode::from(EXIT_INTERRUPTED)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_duplicate_within_the_grace_period_is_not_a_second_signal() {
        let t0 = Instant::now();
        let mut first = None;
        assert_eq!(meaning(&mut first, t0), Meaning::Stop);
        assert_eq!(
            meaning(&mut first, t0 + Duration::from_millis(5)),
            Meaning::Duplicate
        );
        assert_eq!(
            meaning(&mut first, t0 + Duration::from_millis(500)),
            Meaning::Quit
        );
    }
}
