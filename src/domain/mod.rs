//! The rules core: every rule that decides a number, as plain Rust.
//!
//! Dependency rule: this module uses std, serde and pure crates (hashing, signatures, big
//! integers) only. It never imports the UI framework or any browser-binding crate —
//! `scripts/test` greps for them — and takes time, randomness and ids as arguments, so every
//! draw and tally is deterministic and reproducible from the files alone.
//!
//! | module | owns |
//! |---|---|
//! | [`meeting`] | the meeting model and its file format, validated once |
//! | [`draw`] | the RFC 3797 draw and its record |
//! | [`code`] | one-time ballot codes: check symbol and keyed tag |
//! | [`ballot`] | ballots, their exchanged form, and drafts being filled in |
//! | [`tally`] | exact counts, scores and satisfaction rates |
//! | [`level`] | ranks and levels from scores |
//! | [`reconcile`] | closure reconciliation of ballots against codes and 应到 |
//! | [`validity`] | whether a round is valid: quorum of 实到 over 应到, returned against issued |
//! | [`shares`] | grade shares in tenths of a percent adding up to 100.0 % (largest remainder) |
//! | [`exact`] | rational text forms and the one display-rounding function |
//! | [`paging`] | pages of the board's ranking: rows that fit, which page a row is on |
//! | [`report`] | the tally as a text table and as JSON, shared by the CLI and the app |
//! | [`signing`] | Ed25519 device keys, RFC 8785 canonical bytes, fingerprints |
//! | [`collect`] | the host's meeting record: arrivals, conflicts, audit log, export |
//! | [`removed`] | the laptop's list of meeting records it removed, and why each could go |
//! | [`kiosk`] | the tablet: join link, kiosk loop, drafts stored per tap, hand-in |
//! | [`qr_ballot`] | one signed ballot as a compact base45 QR text, and back |
//! | [`qr_frame`] | QR codes found in one camera frame (the scanner worker) |
//! | [`signed_ballot`] | signed ballots, the per-tablet chain, ballot trackers |
//! | [`result_file`] | the signed result file and its verification |
//! | [`record`] | record format 2: commitments, batches, envelopes, count tables |
//! | [`table_text`] | presenter lists pasted from Excel / WPS, tally CSV |
//! | [`demo`] | the embedded demo meeting |

pub mod ballot;
pub mod code;
pub mod collect;
pub mod demo;
pub mod draw;
pub mod exact;
pub mod kiosk;
pub mod level;
pub mod meeting;
pub mod paging;
pub mod qr_ballot;
pub mod qr_frame;
pub mod reconcile;
pub mod record;
pub mod removed;
pub mod report;
pub mod result_file;
pub mod sample;
pub mod shares;
pub mod signed_ballot;
pub mod signing;
pub mod summary;
pub mod table_text;
pub mod tally;
pub mod validity;
pub mod xlsx;
