//! Signed ballots and the per-tablet chain.
//!
//! Each tablet numbers its ballots 1, 2, 3, … and puts into each the hash of the previous
//! one, then signs the RFC 8785 canonical bytes of everything but the signature with its own
//! Ed25519 key. The same bytes are signed whichever channel (QR, file) carries the ballot.
//! The ballot tracker is a short prefix of the same hash, shown to the rater and listed on
//! the host, so a rater can confirm their ballot was counted without revealing it.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::ballot::BallotV1;
use super::signing::{
    DeviceKey, VerifySignatureError, canonical_bytes, digest_symbols, fingerprint, sha256_hex, verify,
};

/// `prev` of a tablet's first ballot.
pub const CHAIN_START: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// A ballot as a tablet signed it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignedBallotV1 {
    pub ballot: BallotV1,
    /// The tablet's Ed25519 public key, base64.
    pub device: String,
    /// 1 for the tablet's first ballot, then 2, 3, …
    pub seq: u32,
    /// Hash (SHA-256 hex) of the tablet's previous ballot; [`CHAIN_START`] for seq 1.
    pub prev: String,
    /// When the rater submitted, RFC 3339 UTC as the device clock gave it.
    pub time: String,
    /// Ed25519 signature, base64, over the canonical bytes of all fields above.
    pub signature: String,
}

/// The signed part of a ballot: every field but the signature.
#[derive(Serialize)]
struct SignedBody<'a> {
    ballot: &'a BallotV1,
    device: &'a str,
    seq: u32,
    prev: &'a str,
    time: &'a str,
}

impl SignedBallotV1 {
    fn body(&self) -> SignedBody<'_> {
        SignedBody {
            ballot: &self.ballot,
            device: &self.device,
            seq: self.seq,
            prev: &self.prev,
            time: &self.time,
        }
    }

    /// The canonical bytes the signature covers.
    pub fn signed_bytes(&self) -> Vec<u8> {
        canonical_bytes(&self.body())
    }

    /// SHA-256 (hex) of the signed bytes: the chain link to this ballot.
    pub fn hash(&self) -> String {
        sha256_hex(&self.signed_bytes())
    }

    /// The ballot tracker: 10 symbols of the same hash, "XXXXX-XXXXX".
    pub fn tracker(&self) -> String {
        let symbols = digest_symbols(&self.signed_bytes(), 10);
        format!("{}-{}", &symbols[..5], &symbols[5..])
    }

    /// Checks the tablet's signature.
    pub fn check_signature(&self) -> Result<(), VerifySignatureError> {
        verify(&self.device, &self.signed_bytes(), &self.signature)
    }
}

/// Where a tablet's chain stands: the next sequence number and the hash to link to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChainHead {
    pub next_seq: u32,
    pub prev: String,
}

impl Default for ChainHead {
    fn default() -> Self {
        ChainHead {
            next_seq: 1,
            prev: CHAIN_START.to_owned(),
        }
    }
}

impl ChainHead {
    /// Signs `ballot` as the next ballot of this chain and advances the head.
    pub fn sign_next(&mut self, key: &DeviceKey, ballot: BallotV1, time: &str) -> SignedBallotV1 {
        let mut signed = SignedBallotV1 {
            ballot,
            device: key.public_key(),
            seq: self.next_seq,
            prev: self.prev.clone(),
            time: time.to_owned(),
            signature: String::new(),
        };
        signed.signature = key.sign(&signed.signed_bytes());
        self.next_seq = self.next_seq.saturating_add(1);
        self.prev = signed.hash();
        signed
    }
}

/// A break in a tablet's chain among a set of ballots.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum ChainProblem {
    #[error(
        "平板 {device} 的第 {seq} 号选票出现两次且内容不同 — tablet {device} has two different ballots numbered {seq}"
    )]
    DuplicateSeq { device: String, seq: u32 },
    #[error("平板 {device} 的第 {seq} 号选票与前一张不衔接 — tablet {device}: ballot {seq} does not link to ballot {}", seq.saturating_sub(1))]
    BrokenLink { device: String, seq: u32 },
    #[error(
        "平板 {device} 缺少第 {from} 至 {to} 号选票 — tablet {device}: ballots {from} to {to} are missing"
    )]
    Gap { device: String, from: u32, to: u32 },
    #[error(
        "平板 {device} 的选票编号 0 无效（从 1 开始）— tablet {device}: ballot number 0 is not valid (numbers start at 1)"
    )]
    ZeroSeq { device: String },
}

/// Checks every tablet's chain in a set of ballots: numbers unique, each ballot linking to its
/// predecessor when both are present, and gaps (a ballot not received) named.
pub fn check_chains(ballots: &[SignedBallotV1]) -> Vec<ChainProblem> {
    let mut by_device: BTreeMap<&str, BTreeMap<u32, &SignedBallotV1>> = BTreeMap::new();
    let mut problems = Vec::new();
    for ballot in ballots {
        let chain = by_device.entry(&ballot.device).or_default();
        let device = || fingerprint(&ballot.device).unwrap_or_else(|| ballot.device.clone());
        match chain.get(&ballot.seq) {
            Some(existing) if *existing != ballot => problems.push(ChainProblem::DuplicateSeq {
                device: device(),
                seq: ballot.seq,
            }),
            Some(_) => {}
            None => {
                chain.insert(ballot.seq, ballot);
            }
        }
    }
    for (device, chain) in by_device {
        let name = fingerprint(device).unwrap_or_else(|| device.to_owned());
        let mut expected_seq = 1;
        let mut previous: Option<&SignedBallotV1> = None;
        for (&seq, ballot) in &chain {
            if seq == 0 {
                problems.push(ChainProblem::ZeroSeq { device: name.clone() });
                continue;
            }
            if seq > expected_seq {
                problems.push(ChainProblem::Gap {
                    device: name.clone(),
                    from: expected_seq,
                    to: seq - 1,
                });
            } else {
                let link = previous.map_or_else(|| CHAIN_START.to_owned(), |p| p.hash());
                if ballot.prev != link {
                    problems.push(ChainProblem::BrokenLink {
                        device: name.clone(),
                        seq,
                    });
                }
            }
            previous = Some(ballot);
            // Saturating: a crafted file may number a ballot 4294967295.
            expected_seq = seq.saturating_add(1);
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ballot(marks: &str) -> BallotV1 {
        BallotV1 {
            meeting: "m".into(),
            code: None,
            group: Some("peers".into()),
            marks: vec![marks.into()],
        }
    }

    #[test]
    fn a_tablet_chain_signs_links_and_verifies() {
        let key = DeviceKey::from_seed([5; 32]);
        let mut head = ChainHead::default();
        let first = head.sign_next(&key, ballot("11111111"), "2026-12-18T09:00:00Z");
        let second = head.sign_next(&key, ballot("R"), "2026-12-18T09:01:00Z");
        assert_eq!((first.seq, second.seq), (1, 2));
        assert_eq!(first.prev, CHAIN_START);
        assert_eq!(second.prev, first.hash());
        assert_eq!(first.check_signature(), Ok(()));
        assert_eq!(second.check_signature(), Ok(()));
        assert!(
            check_chains(&[second.clone(), first.clone()]).is_empty(),
            "order of arrival is free"
        );
        assert_eq!(first.tracker().len(), 11);
        assert_ne!(first.tracker(), second.tracker());
    }

    #[test]
    fn a_missing_or_altered_ballot_breaks_the_chain() {
        let key = DeviceKey::from_seed([5; 32]);
        let mut head = ChainHead::default();
        let a = head.sign_next(&key, ballot("11111111"), "t1");
        let b = head.sign_next(&key, ballot("22222222"), "t2");
        let c = head.sign_next(&key, ballot("33333333"), "t3");
        assert!(matches!(
            check_chains(&[a.clone(), c.clone()])[..],
            [ChainProblem::Gap { from: 2, to: 2, .. }]
        ));
        let mut forged_b = b.clone();
        forged_b.prev = CHAIN_START.into();
        assert!(
            check_chains(&[a.clone(), forged_b, c.clone()])
                .iter()
                .any(|p| matches!(p, ChainProblem::BrokenLink { seq: 2, .. }))
        );
        let mut other_b = b.clone();
        other_b.time = "t2'".into();
        assert!(
            check_chains(&[a, b, other_b, c])
                .iter()
                .any(|p| matches!(p, ChainProblem::DuplicateSeq { seq: 2, .. }))
        );
    }

    /// Issue 14: a ballot numbered 0 or 4294967295 panicked a debug build.
    #[test]
    fn extreme_ballot_numbers_are_problems_not_panics() {
        let key = DeviceKey::from_seed([5; 32]);
        for seq in [0, u32::MAX] {
            let mut head = ChainHead {
                next_seq: seq,
                prev: CHAIN_START.to_owned(),
            };
            let signed = head.sign_next(&key, ballot("11111111"), "t");
            let problems = check_chains(&[signed]);
            assert!(!problems.is_empty(), "seq {seq}");
            assert!(problems.iter().all(|p| !p.to_string().is_empty()));
        }
    }

    #[test]
    fn an_altered_ballot_fails_its_signature() {
        let key = DeviceKey::from_seed([5; 32]);
        let mut signed = ChainHead::default().sign_next(&key, ballot("11111111"), "t");
        signed.ballot.marks[0] = "11111112".into();
        assert_eq!(signed.check_signature(), Err(VerifySignatureError::Mismatch));
    }
}
