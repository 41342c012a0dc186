//! The host's side of a format-2 round: the signed join it hands the tablets, the sealed
//! batches it receives, and the round proof it publishes.
//!
//! The host keeps each batch in its compact, travelling form (rows and seed) until the result
//! is exported; the rows carry no time or number and arrive sorted. A batch is taken in once:
//! the same batch again is a duplicate, another batch under the same tablet and number is a
//! fork and is refused. Tablets are registered from the hello every hand-in carries. When the
//! round is proven, a code used in more than one ballot is counted once — in the batch that
//! arrived first — and every other ballot with it is excluded as `duplicate_code`; a code
//! that was never issued is excluded as `unknown_code`. The exclusions publish only those
//! ballots' commitment vectors (docs/record-format.md).

use std::collections::HashSet;

use serde::{Deserialize, Serialize};
use thiserror::Error;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;

use super::batch::ballot_of_row;
use super::batch::{
    BatchChainHead, HandInWireV1, MakeBatchError, OpenHandInError, OpenedBatch, RoundContext, make_hand_in,
    open_wire,
};
use super::commit::Generators;
use super::group::parse_hex;
use super::join::{CheckHelloError, HelloV1, SignedJoinV2};
use super::prove::{Excluded, code_list, prove_round};
use super::result::GroupReturns;
use super::seal::{OpenSealError, TransportSecret, open_bytes};
use super::transport::{UnpackError, unpack};
use super::verify::RoundProofV1;
use crate::domain::ballot::Ballot;
use crate::domain::code::BallotCode;
use crate::domain::meeting::{CredentialMode, Meeting};
use crate::domain::signing::{DeviceKey, fingerprint};

/// Why a sealed hand-in is not taken in. Nothing of it is kept.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum ReceiveBatchError {
    #[error("{0}")]
    Open(#[from] OpenSealError),
    #[error("{0}")]
    Unpack(#[from] UnpackError),
    #[error("{0}")]
    Batch(#[from] OpenHandInError),
    #[error("{0}")]
    Make(#[from] MakeBatchError),
    #[error(
        "会议记录中保存的一批选票与收到时不符，不能据此计票 — a batch stored in the meeting record no longer matches the one taken in; the round cannot be proven from it"
    )]
    Stored,
    #[error("交票中没有平板登记信息 — the hand-in carries no tablet hello")]
    NoHello,
    #[error("{0}")]
    Hello(#[from] CheckHelloError),
    #[error("交票的登记信息属于另一台平板 — the hand-in's hello is another tablet's")]
    HelloOfAnotherTablet,
    #[error(
        "平板 {tablet} 的第 {number} 批与已收到的同号批次内容不同（分叉），未收入 — batch {number} of tablet {tablet} differs from the batch already received under that number (a fork); not taken in"
    )]
    Fork { tablet: String, number: u32 },
}

/// What became of a sealed hand-in the host took in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BatchArrival {
    /// New: `ballots` ballots; staff type `digest` on the tablet to confirm it.
    Taken {
        tablet: String,
        number: u32,
        ballots: usize,
        digest: String,
    },
    /// The same batch again: nothing changes (its digest is shown again for staff).
    Duplicate {
        tablet: String,
        number: u32,
        digest: String,
    },
}

/// A received batch as the host stores it: the compact hand-in and when it arrived, in order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReceivedBatchV1 {
    pub wire: HandInWireV1,
    /// The header digest, hex.
    pub digest: String,
}

/// The host's round as stored on the laptop.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HostRoundStateV1 {
    pub join: SignedJoinV2,
    /// The X25519 transport secret, base64.
    pub transport: String,
    pub hellos: Vec<HelloV1>,
    pub batches: Vec<ReceivedBatchV1>,
}

/// Why a stored round cannot be opened.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum ReadRoundStateError {
    #[error("会议记录中的入会信息无效 — the join in the meeting record is not valid")]
    Join,
    #[error("会议记录中的传输密钥已损坏 — the transport key in the meeting record is damaged")]
    Transport,
    #[error("会议记录中的一批选票已损坏 — a batch in the meeting record is damaged")]
    Batch,
}

/// The host's record of a format-2 round. Not `Debug` or `Clone`: it holds the transport
/// secret.
pub struct HostRound {
    meeting: Meeting,
    join: SignedJoinV2,
    transport: TransportSecret,
    generators: Generators,
    session: [u8; 16],
    digest: [u8; 32],
    hellos: Vec<HelloV1>,
    batches: Vec<ReceivedBatchV1>,
    /// The ballots of each of `batches`, in row order: every batch was checked in full when it
    /// was taken in; reading the record again decodes its rows only (re-checking 300 ballots'
    /// commitments took 11 s at 4× CPU), and the full check runs again when the round is proven.
    kept: Vec<Vec<Ballot>>,
}

/// A batch as the host lists it, without opening it again.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BatchInfo {
    /// The tablet's key, base64.
    pub tablet: String,
    pub number: u32,
    pub closing: bool,
    pub ballots: u32,
    /// The header digest as people compare it (`ABCDE-FGHJK`).
    pub digest: String,
}

impl HostRound {
    /// A new round of `meeting`: `session` and `transport` are fresh random bytes; the join the
    /// tablets read is signed with the host key.
    pub fn new(meeting: Meeting, host: &DeviceKey, session: [u8; 16], transport: [u8; 32]) -> HostRound {
        HostRound::open(meeting, host, session, transport, false)
    }

    /// A round whose join says whether it is a trial (试运行).
    pub fn open(
        meeting: Meeting,
        host: &DeviceKey,
        session: [u8; 16],
        transport: [u8; 32],
        trial: bool,
    ) -> HostRound {
        let transport = TransportSecret::from_bytes(transport);
        let join = if trial {
            SignedJoinV2::sign_trial(&meeting, session, transport.public_key(), host)
        } else {
            SignedJoinV2::sign(&meeting, session, transport.public_key(), host)
        };
        let checked = join.check().expect("a join the host just signed checks");
        HostRound {
            generators: Generators::for_meeting(&meeting),
            digest: checked.digest,
            meeting,
            join,
            transport,
            session,
            hellos: Vec::new(),
            batches: Vec::new(),
            kept: Vec::new(),
        }
    }

    /// The signed join the tablets read (link, QR code or file).
    pub fn join(&self) -> &SignedJoinV2 {
        &self.join
    }

    pub fn meeting(&self) -> &Meeting {
        &self.meeting
    }

    pub fn batches(&self) -> &[ReceivedBatchV1] {
        &self.batches
    }

    pub fn hellos(&self) -> &[HelloV1] {
        &self.hellos
    }

    fn round(&self) -> RoundContext<'_> {
        RoundContext {
            meeting: &self.meeting,
            digest: self.digest,
            session: self.session,
            generators: &self.generators,
        }
    }

    /// Opens a sealed hand-in (the envelope bytes, from a file or put together from QR texts)
    /// and takes it in. Every check holds or nothing is kept.
    pub fn receive(&mut self, envelope: &[u8]) -> Result<BatchArrival, ReceiveBatchError> {
        let plain = open_bytes(&self.transport, &self.digest, &self.session, envelope)?;
        let wire = unpack(&plain)?;
        let hello = wire.hello.clone().ok_or(ReceiveBatchError::NoHello)?;
        hello.check(&self.digest, &self.session)?;
        if hello.tablet != wire.tablet {
            return Err(ReceiveBatchError::HelloOfAnotherTablet);
        }
        let opened = open_wire(&self.round(), &wire)?;
        let digest = opened.checked.header.digest();
        let people = opened.checked.header.digest_for_people();
        let tablet = fingerprint(&wire.tablet).unwrap_or_default();
        if let Some(known) = self
            .batches
            .iter()
            .find(|b| b.wire.tablet == wire.tablet && b.wire.number == wire.number)
        {
            if known.digest == digest {
                return Ok(BatchArrival::Duplicate {
                    tablet,
                    number: wire.number,
                    digest: people,
                });
            }
            return Err(ReceiveBatchError::Fork {
                tablet,
                number: wire.number,
            });
        }
        if !self.hellos.iter().any(|h| h.tablet == hello.tablet) {
            self.hellos.push(hello);
        }
        let ballots = opened.ballots.len();
        let number = wire.number;
        self.batches.push(ReceivedBatchV1 { wire, digest });
        self.kept
            .push(opened.ballots.into_iter().map(|(b, _)| b).collect());
        Ok(BatchArrival::Taken {
            tablet,
            number,
            ballots,
            digest: people,
        })
    }

    /// Takes in the host's own batch: the paper ballots keyed in from slips, committed and
    /// signed with the host key as any tablet's batch is, with a hello of the host key. It is
    /// the host key's closing batch (`seed` is fresh random bytes); there is one per round.
    pub fn take_paper_batch(
        &mut self,
        host: &DeviceKey,
        ballots: &[Ballot],
        seed: [u8; 32],
    ) -> Result<BatchArrival, ReceiveBatchError> {
        let key = host.public_key();
        if key != self.join.host {
            return Err(ReceiveBatchError::HelloOfAnotherTablet);
        }
        if self.batches.iter().any(|b| b.wire.tablet == key) {
            return Err(ReceiveBatchError::Fork {
                tablet: fingerprint(&key).unwrap_or_default(),
                number: 1,
            });
        }
        let (hand_in, _) = make_hand_in(
            &self.round(),
            host,
            &BatchChainHead::default(),
            ballots,
            seed,
            true,
        )?;
        let mut wire = hand_in.to_wire();
        wire.hello = Some(HelloV1::sign(&self.digest, &self.session, host));
        let opened = open_wire(&self.round(), &wire)?;
        let digest = opened.checked.header.digest();
        let people = opened.checked.header.digest_for_people();
        if let Some(hello) = wire.hello.clone()
            && !self.hellos.iter().any(|h| h.tablet == hello.tablet)
        {
            self.hellos.push(hello);
        }
        self.batches.push(ReceivedBatchV1 { wire, digest });
        self.kept
            .push(opened.ballots.into_iter().map(|(b, _)| b).collect());
        Ok(BatchArrival::Taken {
            tablet: fingerprint(&key).unwrap_or_default(),
            number: 1,
            ballots: ballots.len(),
            digest: people,
        })
    }

    /// The stored form of the round: with the transport secret, so it stays on the laptop (a
    /// backup of it is encrypted; docs/durability.md).
    pub fn to_state(&self) -> HostRoundStateV1 {
        HostRoundStateV1 {
            join: self.join.clone(),
            transport: BASE64.encode(self.transport.to_bytes()),
            hellos: self.hellos.clone(),
            batches: self.batches.clone(),
        }
    }

    /// A stored round opened again: the join must check and name the transport secret's public
    /// key, and every batch must open again as it did when it was taken in.
    pub fn from_state(state: HostRoundStateV1) -> Result<HostRound, ReadRoundStateError> {
        let checked = state.join.check().map_err(|_| ReadRoundStateError::Join)?;
        let secret: [u8; 32] = BASE64
            .decode(&state.transport)
            .ok()
            .and_then(|b| b.try_into().ok())
            .ok_or(ReadRoundStateError::Transport)?;
        let transport = TransportSecret::from_bytes(secret);
        if transport.public_key() != checked.transport {
            return Err(ReadRoundStateError::Transport);
        }
        let mut kept = Vec::with_capacity(state.batches.len());
        for batch in &state.batches {
            let ballots = batch
                .wire
                .rows
                .iter()
                .enumerate()
                .map(|(i, row)| ballot_of_row(&checked.meeting, row, i + 1))
                .collect::<Result<Vec<_>, _>>()
                .map_err(|_| ReadRoundStateError::Batch)?;
            if parse_hex::<32>(&batch.digest).is_none() {
                return Err(ReadRoundStateError::Batch);
            }
            kept.push(ballots);
        }
        let round = HostRound {
            generators: Generators::for_meeting(&checked.meeting),
            digest: checked.digest,
            session: checked.session,
            meeting: checked.meeting,
            join: state.join,
            transport,
            hellos: state.hellos,
            batches: state.batches,
            kept,
        };
        Ok(round)
    }

    /// The ballots the rules take out of the count: a code never issued (`unknown_code`), and
    /// every use of a code after its first, in the order the batches were taken in
    /// (`duplicate_code`).
    fn exclusions(&self, issued: &[Vec<BallotCode>]) -> Vec<Excluded> {
        let mut excluded = Vec::new();
        let mut first: HashSet<BallotCode> = HashSet::new();
        for (b, batch) in self.kept.iter().enumerate() {
            for (r, ballot) in batch.iter().enumerate() {
                let Some(code) = ballot.code() else { continue };
                let issued_here = issued
                    .get(ballot.group())
                    .is_some_and(|codes| codes.contains(&code));
                if !issued_here {
                    excluded.push(Excluded {
                        batch: b,
                        row: r,
                        reason: "unknown_code",
                    });
                } else if !first.insert(code) {
                    excluded.push(Excluded {
                        batch: b,
                        row: r,
                        reason: "duplicate_code",
                    });
                }
            }
        }
        excluded
    }

    /// Every batch taken in, in arrival order, as the host lists it.
    pub fn infos(&self) -> Vec<BatchInfo> {
        self.batches
            .iter()
            .zip(&self.kept)
            .map(|(b, ballots)| BatchInfo {
                tablet: b.wire.tablet.clone(),
                number: b.wire.number,
                closing: b.wire.closing,
                ballots: ballots.len() as u32,
                digest: parse_hex::<32>(&b.digest)
                    .map(|bytes| {
                        let symbols = crate::domain::signing::digest_symbols(&bytes, 10);
                        format!("{}-{}", &symbols[..5], &symbols[5..])
                    })
                    .unwrap_or_default(),
            })
            .collect()
    }

    /// Every batch opened again in full (commitments rebuilt and checked): for the proof. A
    /// stored batch that no longer opens to the header taken in stops the proof.
    fn opened(&self) -> Result<Vec<OpenedBatch>, ReceiveBatchError> {
        let round = self.round();
        self.batches
            .iter()
            .map(|b| {
                let opened = open_wire(&round, &b.wire)?;
                if opened.checked.header.digest() != b.digest {
                    return Err(ReceiveBatchError::Stored);
                }
                Ok(opened)
            })
            .collect()
    }

    /// The ballots the count would hold now (every exclusion rule applied), for the board.
    pub fn counted_ballots(&self, issued: &[Vec<BallotCode>]) -> Vec<&Ballot> {
        let code_mode = self.meeting.credential() == CredentialMode::Code;
        let excluded = if code_mode {
            self.exclusions(issued)
        } else {
            Vec::new()
        };
        let mut counted = Vec::new();
        for (b, batch) in self.kept.iter().enumerate() {
            for (r, ballot) in batch.iter().enumerate() {
                if !excluded.iter().any(|e| e.batch == b && e.row == r) {
                    counted.push(ballot);
                }
            }
        }
        counted
    }

    /// Per group: ballots handed in and excluded so far.
    pub fn returns(&self, issued: &[Vec<BallotCode>]) -> Vec<GroupReturns> {
        let mut returns = vec![GroupReturns::default(); self.meeting.groups().len()];
        for batch in &self.kept {
            for ballot in batch {
                returns[ballot.group()].handed_in += 1;
            }
        }
        if self.meeting.credential() == CredentialMode::Code {
            for e in self.exclusions(issued) {
                let group = self.kept[e.batch][e.row].group();
                returns[group].excluded += 1;
            }
        }
        returns
    }

    /// Whether a ballot with `code` is among those taken in.
    pub fn code_received(&self, code: &BallotCode) -> bool {
        self.kept
            .iter()
            .any(|b| b.iter().any(|ballot| ballot.code().as_ref() == Some(code)))
    }

    /// The round proof to publish: hellos, batch headers, the code list (code mode, from the
    /// codes issued per group) and the count tables, with the exclusions the rules call for.
    pub fn prove(&self, issued: &[Vec<BallotCode>]) -> Result<RoundProofV1, ReceiveBatchError> {
        let code_mode = self.meeting.credential() == CredentialMode::Code;
        let excluded = if code_mode {
            self.exclusions(issued)
        } else {
            Vec::new()
        };
        // Every batch checked in full once more, as a verifier will.
        let opened = self.opened()?;
        let round = self.round();
        let list = code_mode.then(|| code_list(&round, issued));
        Ok(prove_round(&round, self.hellos.clone(), &opened, &excluded, list))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::code::{MeetingSecret, issue_codes};
    use crate::domain::demo::small_meeting;
    use crate::domain::record::tablet::TabletV2;
    use crate::domain::record::verify::verify_round;

    const T: &str = "2026-12-18T09:30:00.000Z";

    fn fill_and_submit(tablet: &mut TabletV2, grade: u8) {
        for p in 0..tablet.meeting().presenters().len() {
            tablet.tap(crate::domain::kiosk::Tap::Fill { presenter: p, grade });
        }
        tablet.submit().unwrap();
    }

    #[test]
    fn tablets_hand_in_sealed_batches_and_the_round_proof_verifies() {
        let meeting = small_meeting("code");
        let host_key = DeviceKey::from_seed([1; 32]);
        let mut host = HostRound::new(meeting.clone(), &host_key, [7; 16], [4; 32]);
        let secret = MeetingSecret::from_bytes([9; 32]);
        let issued: Vec<Vec<BallotCode>> = (0..3)
            .map(|g| issue_codes(&secret, meeting.id(), g, 4).unwrap())
            .collect();
        let keys = [DeviceKey::from_seed([2; 32]), DeviceKey::from_seed([3; 32])];
        let mut tablets: Vec<TabletV2> = keys
            .iter()
            .map(|k| TabletV2::join(host.join().clone(), k, "2468", "salt", T).unwrap())
            .collect();
        // Tablet 0: three raters of group 0; tablet 1: two of group 1 and one of group 2, plus
        // a ballot reusing tablet 0's first code (a copied slip).
        for (i, code) in issued[0][..3].iter().enumerate() {
            tablets[0].start_with_code(&code.to_string()).unwrap();
            fill_and_submit(&mut tablets[0], i as u8 % 4);
        }
        for code in [issued[1][0], issued[1][1], issued[2][0], issued[0][0]] {
            tablets[1].start_with_code(&code.to_string()).unwrap();
            fill_and_submit(&mut tablets[1], 1);
        }
        let shown: Vec<_> = tablets
            .iter_mut()
            .zip(&keys)
            .map(|(t, k)| t.make_batch(k, [5; 32], [6; 32], true, T).unwrap())
            .collect();
        for display in &shown {
            assert!(matches!(
                host.receive(&display.envelope),
                Ok(BatchArrival::Taken { .. })
            ));
        }
        assert!(matches!(
            host.receive(&shown[0].envelope),
            Ok(BatchArrival::Duplicate { .. })
        ));
        assert_eq!(
            host.hellos().len(),
            2,
            "both tablets registered from their batches"
        );

        let proof = host.prove(&issued).unwrap();
        let round = host.round();
        assert_eq!(
            verify_round(&round, &proof),
            vec![],
            "the published round verifies"
        );
        assert_eq!(
            proof.counts.exclusions.len(),
            1,
            "the copied slip is excluded once"
        );
        assert_eq!(proof.counts.exclusions[0].reason, "duplicate_code");
        // Six ballots counted: three in group 0, two in group 1, one in group 2.
        let returned: Vec<u32> = proof.counts.groups.iter().map(|g| g.returned).collect();
        assert_eq!(returned, vec![3, 2, 1]);

        // Staff confirm each batch by the digest the host shows; the envelopes leave the tablets.
        for (tablet, display) in tablets.iter_mut().zip(&shown) {
            let digest = match host.receive(&display.envelope).unwrap() {
                BatchArrival::Duplicate { digest, .. } | BatchArrival::Taken { digest, .. } => digest,
            };
            tablet.confirm_batch("2468", &digest, T).unwrap();
            assert_eq!(tablet.not_handed_in(), 0);
        }
    }

    #[test]
    fn a_hand_in_for_another_round_or_a_fork_is_not_taken_in() {
        let meeting = small_meeting("open");
        let host_key = DeviceKey::from_seed([1; 32]);
        let mut host = HostRound::new(meeting.clone(), &host_key, [7; 16], [4; 32]);
        let earlier = HostRound::new(meeting.clone(), &host_key, [8; 16], [4; 32]);
        let key = DeviceKey::from_seed([2; 32]);
        let mut old = TabletV2::join(earlier.join().clone(), &key, "2468", "s", T).unwrap();
        old.start_with_group(0).unwrap();
        fill_and_submit(&mut old, 0);
        let stale = old.make_batch(&key, [5; 32], [6; 32], true, T).unwrap();
        assert!(matches!(
            host.receive(&stale.envelope),
            Err(ReceiveBatchError::Open(_))
        ));

        // The same tablet key, two different batches numbered 1: the second is a fork.
        let mut a = TabletV2::join(host.join().clone(), &key, "2468", "s", T).unwrap();
        let mut b = a.clone();
        a.start_with_group(0).unwrap();
        fill_and_submit(&mut a, 0);
        b.start_with_group(1).unwrap();
        fill_and_submit(&mut b, 3);
        let first = a.make_batch(&key, [5; 32], [6; 32], true, T).unwrap();
        let second = b.make_batch(&key, [5; 32], [6; 32], true, T).unwrap();
        host.receive(&first.envelope).unwrap();
        assert!(matches!(
            host.receive(&second.envelope),
            Err(ReceiveBatchError::Fork { number: 1, .. })
        ));
        assert_eq!(host.batches().len(), 1);
        assert!(host.receive(b"not an envelope").is_err());
    }
}
