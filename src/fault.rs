//! A test hook for crash safety: `NOTES_TEST_PAUSE_AT=<phase>` makes the
//! process stop at that phase of writing the output, say so on standard
//! error (`notes: paused at <phase>`) and wait to be killed, so that a test
//! can kill it with SIGKILL at exactly that point and check what a kill
//! there leaves. Unset (always, outside tests), it costs one look at a
//! cached variable.

use std::sync::OnceLock;

/// Stops here, for good, when the test hook names `phase`.
pub fn pause(phase: &str) {
    static AT: OnceLock<Option<String>> = OnceLock::new();
    let at = AT.get_or_init(|| std::env::var("NOTES_TEST_PAUSE_AT").ok());
    if at.as_deref() == Some(phase) {
        eprintln!("notes: paused at {phase}");
        loop {
            std::thread::park();
        }
    }
}
