//! The host's side of the proof: from the hand-ins it opened and the exclusions it decided, the
//! count tables and the round proof it publishes (see [`super::verify`] for the check).

use super::batch::{OpenedBatch, RoundContext};
use super::commit::{code_digest, code_list_digest};
use super::counts::{CountedBallot, count_tables, exclusion};
use super::group::hex;
use super::join::HelloV1;
use super::verify::{CodeListV1, IssuedCodeDigestsV1, RoundProofV1};
use crate::domain::code::BallotCode;

/// One ballot the host takes out of the count: batch and row (positions in `opened`), reason.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Excluded {
    pub batch: usize,
    pub row: usize,
    /// `duplicate_code` or `unknown_code`.
    pub reason: &'static str,
}

/// The code list a code-mode round publishes: digests only.
pub fn code_list(round: &RoundContext<'_>, codes: &[Vec<BallotCode>]) -> CodeListV1 {
    let meeting = round.meeting;
    CodeListV1 {
        digest: hex(&code_list_digest(meeting, &round.digest, codes)),
        groups: meeting
            .groups()
            .iter()
            .enumerate()
            .map(|(g, group)| {
                let mut digests: Vec<String> = codes
                    .get(g)
                    .map(|list| list.iter().map(|c| hex(&code_digest(&round.digest, c))).collect())
                    .unwrap_or_default();
                digests.sort_unstable();
                IssuedCodeDigestsV1 {
                    group: group.id.clone(),
                    codes: digests,
                }
            })
            .collect(),
    }
}

/// The proof of a round: every hello and batch header, the code list, and the count tables of
/// every opened ballot that is not excluded.
pub fn prove_round(
    round: &RoundContext<'_>,
    hellos: Vec<HelloV1>,
    opened: &[OpenedBatch],
    excluded: &[Excluded],
    code_list: Option<CodeListV1>,
) -> RoundProofV1 {
    let mut counted = Vec::new();
    let mut exclusions = Vec::new();
    for (b, batch) in opened.iter().enumerate() {
        for (i, (ballot, commitment)) in batch.ballots.iter().enumerate() {
            match excluded.iter().find(|e| e.batch == b && e.row == i) {
                Some(e) => exclusions.push(exclusion(
                    &batch.checked.header.tablet,
                    batch.checked.header.number,
                    commitment,
                    e.reason,
                )),
                None => counted.push(CountedBallot {
                    ballot,
                    seed: batch.seed,
                    index: i as u32,
                }),
            }
        }
    }
    RoundProofV1 {
        hellos,
        batches: opened.iter().map(|b| b.checked.header.clone()).collect(),
        code_list,
        counts: count_tables(round, &counted, exclusions),
    }
}
