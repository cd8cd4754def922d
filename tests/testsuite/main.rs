//! The end-to-end tests, as one test binary (as mdBook and just do), so
//! that the suite links the crate once instead of once per file. Each
//! module is one area; `common` holds the helpers they share.

mod architecture;
mod browser;
mod build;
mod check;
mod common;
mod deploy;
mod errors;
mod fuzz;
mod highlight;
mod incremental;
mod jekyll;
mod kramdown;
mod safety;
mod search;
mod serve;
mod session;
mod translations;
