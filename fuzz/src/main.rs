//! AFL++ target: every input is a note file (its first line, when short,
//! is its file name), run through `notes::fuzz::one_input`.

fn main() {
    afl::fuzz!(|data: &[u8]| {
        notes::fuzz::one_input(data);
    });
}
