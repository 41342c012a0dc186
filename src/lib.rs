//! Pingyi (评议): the live rating at a review meeting, in the browser, with no server.
//!
//! The crate has three layers and one dependency rule — dependencies point inward:
//!
//! * [`domain`] — every rule that decides a number: the meeting, the draw, ballots and
//!   ballot codes, the tally and levels. Plain Rust over std, serde and pure crates; it never
//!   imports `leptos`, `web_sys`, `gloo` or `wasm_bindgen` (CI greps for them), so the rules
//!   are tested natively in milliseconds and the command-line tool reuses them as they are.
//! * [`browser`] — the only code that touches browser APIs (storage, location).
//! * [`ui`] — Leptos components; they call `domain` and `browser`, never the other way.
//!
//! `src/main.rs` mounts the app; `src/bin/pingyi.rs` is the native command-line tool.

pub mod browser;
pub mod cli;
pub mod domain;
pub mod ui;
