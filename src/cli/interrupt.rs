//! Ctrl-C (SIGINT) and SIGTERM: the first asks the run to stop at the next block
//! boundary, so that the report of the finished blocks (an exact prefix) is
//! written; the second quits at once with exit code 130. Quitting at once is
//! safe because outputs are written whole or not at all, and only after the run.

use std::sync::Once;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// Exit code of a run stopped by a signal (128 + SIGINT).
pub const EXIT_INTERRUPTED: u8 = 130;

static STOP: AtomicBool = AtomicBool::new(false);
static SIGNALS: AtomicUsize = AtomicUsize::new(0);
static INSTALL: Once = Once::new();

/// The stop flag, with the signal handler installed on first use.
pub fn stop_flag() -> &'static AtomicBool {
    INSTALL.call_once(|| {
        let handler = || {
            if SIGNALS.fetch_add(1, Ordering::SeqCst) == 0 {
                STOP.store(true, Ordering::SeqCst);
                eprintln!("\nstopping after the current blocks… (Ctrl-C again to quit now)");
            } else {
                // A file being written is left as it was (whole or absent): only
                // its temporary copy is removed.
                forcesim::output::remove_temporaries();
                std::process::exit(i32::from(EXIT_INTERRUPTED));
            }
        };
        if let Err(e) = ctrlc::set_handler(handler) {
            eprintln!("warning: Ctrl-C will stop forcesim at once: {e}");
        }
    });
    &STOP
}
