//! Record format 2: secret but provable (docs/record-format.md, threat model in
//! docs/security.md). Tablets commit to their ballots with Pedersen commitments on
//! ristretto255 and sign batch headers of commitment sums; the host opens sealed hand-ins,
//! publishes count tables and blinding sums; anyone checks that the counts are what the
//! tablets signed, without any ballot being published.
//!
//! | module | owns |
//! |---|---|
//! | [`group`] | domain-separated hashes, generators, reading points and scalars strictly |
//! | [`commit`] | meeting, code and code-list digests; a ballot's commitment vector; sums |
//! | [`join`] | the host-signed join (version 2) and the tablet hello |
//! | [`minutes`] | the witnesses' minutes file and its comparison with a round |
//! | [`backup`] | the host's backup sealed with a passphrase while it holds rows (Argon2id + ChaCha20-Poly1305) |
//! | [`batch`] | batch headers: made by the tablet, opened by the host, chains checked |
//! | [`prove`] | the host's count tables and round proof from opened hand-ins |
//! | [`result`] | the signed result file, version 2: join, proof, tally, reconciliation, audit; its check |
//! | [`score`] | the tally (scores, ranks, levels) from published count tables alone |
//! | [`seal`] | X25519 + ChaCha20-Poly1305 envelopes to the host's transport key |
//! | [`transport`] | a sealed hand-in packed and cut into QR texts, and put together again |
//! | [`host`] | the host's format-2 round: the signed join, sealed batches taken in once, the proof |
//! | [`tablet`] | the tablet's stored state on format 2: unordered rows, sealed batches, confirmation |
//! | [`counts`] | the published count tables, the pooling rule, and their check |
//! | [`verify`] | a round's proof (hellos, batches, code list, counts) and its one check |

pub mod backup;
pub mod batch;
pub mod commit;
pub mod counts;
pub mod group;
pub mod host;
pub mod join;
pub mod minutes;
pub mod prove;
pub mod result;
pub mod score;
pub mod seal;
pub mod tablet;
pub mod transport;
pub mod verify;
