//! Synthetic meetings and ballots of a chosen size, for benchmarks and load measurements
//! (`benches/`, `tests/wasm_perf.rs`, `examples/perf.rs`). Deterministic: the same arguments
//! always give the same ballots, so figures from two runs measure the same work.

use super::ballot::{Ballot, BallotDraft, Credential};
use super::meeting::{Meeting, PresenterV1, default_meeting_file};
use super::record::batch::{BatchChainHead, RoundContext, make_hand_in, open_hand_in};
use super::record::commit::Generators;
use super::record::join::HelloV1;
use super::record::prove::prove_round;
use super::record::verify::RoundProofV1;
use super::signed_ballot::{ChainHead, SignedBallotV1};
use super::signing::DeviceKey;

/// A meeting with `presenters` presenters, the default aspects, grades and groups, and open
/// credentials (no ballot codes), so any number of ballots can be made without issuing codes.
pub fn sized_meeting(presenters: usize) -> Meeting {
    let list = (0..presenters)
        .map(|i| PresenterV1 {
            id: format!("P{:03}", i + 1),
            name: format!("述职人{:03}", i + 1),
            unit: format!("{}村", i + 1),
            township: "城关镇".to_owned(),
        })
        .collect();
    let mut file = default_meeting_file("sample", "样例会议 sample meeting", list);
    file.credential = "open".to_owned();
    file.date = "2026-12-18".to_owned();
    // Room for every sample ballot in each group, so a sample round never fails its 应到 check.
    for group in &mut file.groups {
        group.expected = 4000;
    }
    Meeting::try_from(file).expect("the sample meeting is valid")
}

/// `count` complete ballots spread over the three default groups: about one mark in forty a
/// recusal, one in forty an abstention, the rest graded aspect by aspect.
pub fn random_ballots(meeting: &Meeting, count: usize, seed: u64) -> Vec<Ballot> {
    let mut state = seed;
    let mut next = move || {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (state >> 33) as u32
    };
    let groups = meeting.groups().len();
    (0..count)
        .map(|i| {
            let mut draft = BallotDraft::new(meeting, Credential::Group(i % groups));
            for p in 0..meeting.presenters().len() {
                match next() % 40 {
                    0 => draft.set_recused(p),
                    1 => draft.set_abstained(p),
                    _ => {
                        for a in 0..meeting.aspects().len() {
                            draft.set_grade(p, a, (next() % 4) as u8);
                        }
                    }
                }
            }
            draft.finish().expect("every mark is set")
        })
        .collect()
}

/// The ballots signed on `tablets` tablets in turn, each tablet with its own chain (tablet
/// `t` has the key of seed `[t + 1; 32]`).
pub fn signed_ballots(meeting: &Meeting, ballots: &[Ballot], tablets: usize) -> Vec<SignedBallotV1> {
    let tablets = tablets.max(1);
    let keys: Vec<DeviceKey> = (0..tablets)
        .map(|t| DeviceKey::from_seed([t as u8 + 1; 32]))
        .collect();
    let mut chains = vec![ChainHead::default(); tablets];
    ballots
        .iter()
        .enumerate()
        .map(|(i, ballot)| {
            let t = i % tablets;
            chains[t].sign_next(&keys[t], ballot.to_v1(meeting), "2026-12-18T10:00:00Z")
        })
        .collect()
}

/// `text` as a QR code (level M) drawn at `scale` pixels per module, centred on a white
/// 640 × 480 RGBA frame: what the host's webcam gives the scanner worker, without the noise.
pub fn qr_frame(text: &str, scale: usize) -> Vec<u8> {
    let code = qrcode::QrCode::with_error_correction_level(text.as_bytes(), qrcode::EcLevel::M)
        .expect("the text fits a QR code");
    let n = code.width();
    let (w, h) = (640usize, 480usize);
    let mut rgba = vec![255u8; w * h * 4];
    let (ox, oy) = (
        (w.saturating_sub(n * scale)) / 2,
        (h.saturating_sub(n * scale)) / 2,
    );
    for y in 0..n {
        for x in 0..n {
            if code[(x, y)] == qrcode::Color::Dark {
                for dy in 0..scale {
                    for dx in 0..scale {
                        let i = ((oy + y * scale + dy) * w + ox + x * scale + dx) * 4;
                        rgba[i..i + 3].fill(0);
                    }
                }
            }
        }
    }
    rgba
}

/// A record-format-2 round of `ballots` handed in by `tablets` tablets, one closing batch each
/// (tablet `t` has the key of seed `[t + 1; 32]`): the round's generators, context parts and
/// the host's proof. The proof holds no code list, so the meeting should be open-mode.
pub fn sample_round(meeting: &Meeting, ballots: &[Ballot], tablets: usize) -> (Generators, RoundProofV1) {
    let generators = Generators::for_meeting(meeting);
    let round = RoundContext::new(meeting, [0x5e; 16], &generators);
    let tablets = tablets.max(1);
    let mut hellos = Vec::new();
    let mut opened = Vec::new();
    for t in 0..tablets {
        let key = DeviceKey::from_seed([t as u8 + 1; 32]);
        hellos.push(HelloV1::sign(&round.digest, &round.session, &key));
        let mine: Vec<Ballot> = ballots.iter().skip(t).step_by(tablets).cloned().collect();
        let (hand_in, _) = make_hand_in(
            &round,
            &key,
            &BatchChainHead::default(),
            &mine,
            [t as u8; 32],
            true,
        )
        .expect("a first batch");
        opened.push(open_hand_in(&round, &hand_in).expect("an honest hand-in opens"));
    }
    let proof = prove_round(&round, hellos, &opened, &[], None);
    (generators, proof)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn samples_are_deterministic_and_verify() {
        let meeting = sized_meeting(6);
        let a = random_ballots(&meeting, 9, 7);
        assert_eq!(a, random_ballots(&meeting, 9, 7));
        assert_ne!(a, random_ballots(&meeting, 9, 8));
        let signed = signed_ballots(&meeting, &a, 2);
        assert_eq!(signed.len(), 9);
        assert!(signed.iter().all(|s| s.check_signature().is_ok()));
        assert_eq!(
            signed[2].seq, 2,
            "ballots 0, 2, 4 … are tablet 0's first, second, third"
        );
    }

    #[test]
    fn a_sample_round_verifies() {
        let meeting = sized_meeting(6);
        let ballots = random_ballots(&meeting, 40, 7);
        let (generators, proof) = sample_round(&meeting, &ballots, 3);
        let round = RoundContext::new(&meeting, [0x5e; 16], &generators);
        assert_eq!(
            crate::domain::record::verify::verify_round(&round, &proof),
            Vec::new()
        );
        assert_eq!(proof.batches.len(), 3);
    }
}
