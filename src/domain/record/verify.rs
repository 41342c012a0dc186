//! The proof of one meeting round as a verifier sees it: hellos, batch headers, the issued
//! code list (as digests) and the count tables — and the one function that checks all of it.
//! Every problem is a structured value with a stable id; words are only for display.

use std::collections::{BTreeSet, HashMap, HashSet};

use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::batch::{
    BatchChainProblem, BatchHeaderV1, CheckedBatch, ReadBatchError, RoundContext, check_batch_chains,
    check_header,
};
use super::commit::code_list_digest_of;
use super::counts::{CountProblem, CountTablesV1, verify_counts};
use super::group::{hex, parse_hex};
use super::join::{CheckHelloError, HelloV1};
use crate::domain::meeting::CredentialMode;
use crate::domain::signing::fingerprint;

/// The issued codes of a code-mode round, as digests (never the codes).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CodeListV1 {
    /// The code-list digest shown before voting.
    pub digest: String,
    /// Per group in meeting order: the code digests, sorted.
    pub groups: Vec<IssuedCodeDigestsV1>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IssuedCodeDigestsV1 {
    pub group: String,
    pub codes: Vec<String>,
}

/// What proves a round's counts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoundProofV1 {
    pub hellos: Vec<HelloV1>,
    pub batches: Vec<BatchHeaderV1>,
    /// Absent in open mode.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code_list: Option<CodeListV1>,
    pub counts: CountTablesV1,
}

/// A reason the proof does not hold.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum RoundProblem {
    #[error("平板登记 {index} 无效：{error} — tablet hello {index} is not valid: {error}")]
    Hello { index: usize, error: CheckHelloError },
    #[error("平板 {tablet} 登记了两次 — tablet {tablet} is registered twice")]
    HelloTwice { tablet: String },
    #[error(
        "平板 {tablet} 第 {number} 批无效：{error} — batch {number} of tablet {tablet} is not valid: {error}"
    )]
    Batch {
        tablet: String,
        number: u32,
        error: ReadBatchError,
    },
    #[error("平板 {tablet} 未登记 — tablet {tablet} is not registered")]
    Unregistered { tablet: String },
    #[error("平板 {tablet} 的第 {number} 批出现两次 — batch {number} of tablet {tablet} appears twice")]
    BatchTwice { tablet: String, number: u32 },
    #[error("{0}")]
    Chain(BatchChainProblem),
    #[error("选票码清单与其摘要不符或格式无效 — the code list does not match its digest or is malformed")]
    CodeList,
    #[error(
        "公开模式的会议不应有选票码清单，或选票码模式缺少清单 — the code list is missing or out of place for this mode"
    )]
    CodeListMode,
    #[error("一个选票码在计入的选票中出现两次 — a code appears twice among counted ballots")]
    CodeTwice { group: String },
    #[error("计入的选票使用了未发放的选票码 — a counted ballot uses a code that was not issued")]
    CodeNotIssued { group: String },
    #[error("排除理由 “{reason}” 不成立 — the exclusion reason “{reason}” does not hold")]
    ExclusionReason { reason: String },
    #[error(
        "类别 {group}：交回 {returned} 张，多于发放的 {issued} 个选票码 — group {group}: {returned} returned, more than the {issued} codes issued"
    )]
    OverIssued {
        group: String,
        returned: u32,
        issued: u32,
    },
    #[error(
        "类别 {group}：交回 {returned} 张，多于应到 {expected} 人 — group {group}: {returned} returned, more than the {expected} expected"
    )]
    OverExpected {
        group: String,
        returned: u32,
        expected: u32,
    },
    #[error("{0}")]
    Counts(CountProblem),
}

impl RoundProblem {
    /// Stable id of the problem kind.
    pub fn id(&self) -> &'static str {
        match self {
            RoundProblem::Hello { .. } => "hello_invalid",
            RoundProblem::HelloTwice { .. } => "hello_twice",
            RoundProblem::Batch { .. } => "batch_invalid",
            RoundProblem::Unregistered { .. } => "tablet_unregistered",
            RoundProblem::BatchTwice { .. } => "batch_twice",
            RoundProblem::Chain(BatchChainProblem::Fork { .. }) => "batch_fork",
            RoundProblem::Chain(BatchChainProblem::Gap { .. }) => "batch_missing",
            RoundProblem::Chain(BatchChainProblem::BrokenLink { .. }) => "batch_link",
            RoundProblem::Chain(BatchChainProblem::AfterClosing { .. }) => "batch_after_closing",
            RoundProblem::Chain(BatchChainProblem::NotClosed { .. }) => "tablet_not_closed",
            RoundProblem::CodeList => "code_list",
            RoundProblem::CodeListMode => "code_list_mode",
            RoundProblem::CodeTwice { .. } => "code_twice",
            RoundProblem::CodeNotIssued { .. } => "code_not_issued",
            RoundProblem::ExclusionReason { .. } => "exclusion_reason",
            RoundProblem::OverIssued { .. } => "returned_over_issued",
            RoundProblem::OverExpected { .. } => "returned_over_expected",
            RoundProblem::Counts(problem) => problem.id(),
        }
    }
}

fn name(tablet: &str) -> String {
    fingerprint(tablet).unwrap_or_else(|| tablet.chars().take(16).collect())
}

/// Checks a round's proof; an empty list means every published count is what the tablets
/// signed, from registered tablets with complete chains, with each issued code used at most once.
pub fn verify_round(round: &RoundContext<'_>, proof: &RoundProofV1) -> Vec<RoundProblem> {
    let mut problems = Vec::new();
    let mut registered = Vec::new();
    for (index, hello) in proof.hellos.iter().enumerate() {
        match hello.check(&round.digest, &round.session) {
            Ok(()) if registered.contains(&hello.tablet) => problems.push(RoundProblem::HelloTwice {
                tablet: name(&hello.tablet),
            }),
            Ok(()) => registered.push(hello.tablet.clone()),
            Err(error) => problems.push(RoundProblem::Hello {
                index: index + 1,
                error,
            }),
        }
    }
    let mut checked: Vec<CheckedBatch> = Vec::new();
    let mut seen: HashSet<(&str, u32)> = HashSet::new();
    for header in &proof.batches {
        if !registered.contains(&header.tablet) {
            problems.push(RoundProblem::Unregistered {
                tablet: name(&header.tablet),
            });
            continue;
        }
        if !seen.insert((&header.tablet, header.number)) {
            problems.push(RoundProblem::BatchTwice {
                tablet: name(&header.tablet),
                number: header.number,
            });
            continue;
        }
        match check_header(round, header) {
            Ok(batch) => checked.push(batch),
            Err(error) => problems.push(RoundProblem::Batch {
                tablet: name(&header.tablet),
                number: header.number,
                error,
            }),
        }
    }
    problems.extend(
        check_batch_chains(&registered, &proof.batches)
            .into_iter()
            .map(RoundProblem::Chain),
    );
    if !problems.is_empty() {
        // Counts over a broken set of batches would only repeat the same fault in other words.
        return problems;
    }
    problems.extend(check_codes(round, proof));
    let meeting = round.meeting;
    for (g, group) in meeting.groups().iter().enumerate() {
        let returned = proof.counts.groups.get(g).map_or(0, |t| t.returned);
        if returned > group.expected {
            problems.push(RoundProblem::OverExpected {
                group: group.id.clone(),
                returned,
                expected: group.expected,
            });
        }
        if let Some(list) = &proof.code_list {
            let issued = list.groups.get(g).map_or(0, |l| l.codes.len() as u32);
            if returned > issued {
                problems.push(RoundProblem::OverIssued {
                    group: group.id.clone(),
                    returned,
                    issued,
                });
            }
        }
    }
    problems.extend(
        verify_counts(round, &checked, &proof.counts)
            .into_iter()
            .map(RoundProblem::Counts),
    );
    problems
}

fn check_codes(round: &RoundContext<'_>, proof: &RoundProofV1) -> Vec<RoundProblem> {
    let meeting = round.meeting;
    let uses_codes = meeting.credential() == CredentialMode::Code;
    let Some(list) = &proof.code_list else {
        return if uses_codes {
            vec![RoundProblem::CodeListMode]
        } else if proof.counts.exclusions.is_empty() {
            Vec::new()
        } else {
            vec![RoundProblem::ExclusionReason {
                reason: "open_mode".to_owned(),
            }]
        };
    };
    if !uses_codes {
        return vec![RoundProblem::CodeListMode];
    }
    // The list: one sorted, duplicate-free list of hex digests per group, matching its digest.
    let mut issued: Vec<BTreeSet<&str>> = Vec::new();
    let mut raw: Vec<Vec<[u8; 32]>> = Vec::new();
    let well_formed = list.groups.len() == meeting.groups().len()
        && list.groups.iter().zip(meeting.groups()).all(|(l, g)| {
            let parsed: Option<Vec<[u8; 32]>> = l.codes.iter().map(|c| parse_hex::<32>(c)).collect();
            let sorted = l.codes.windows(2).all(|w| w[0] < w[1]);
            match parsed {
                Some(p) if l.group == g.id && sorted => {
                    raw.push(p);
                    issued.push(l.codes.iter().map(String::as_str).collect());
                    true
                }
                _ => false,
            }
        });
    if !well_formed || hex(&code_list_digest_of(meeting, &raw)) != list.digest {
        return vec![RoundProblem::CodeList];
    }
    let excluded: HashSet<(&str, u32, &str)> = proof
        .counts
        .exclusions
        .iter()
        .map(|e| (e.tablet.as_str(), e.batch, e.commitment.as_str()))
        .collect();
    let mut problems = Vec::new();
    let mut counted: HashMap<&str, usize> = HashMap::new();
    let mut excluded_codes: Vec<(usize, &str, &str)> = Vec::new();
    for header in &proof.batches {
        for entry in &header.ballots {
            let (Some(g), Some(code)) = (meeting.group_index(&entry.group), entry.code.as_deref()) else {
                continue;
            };
            if excluded.contains(&(header.tablet.as_str(), header.number, entry.commitment.as_str())) {
                let reason = proof
                    .counts
                    .exclusions
                    .iter()
                    .find(|e| {
                        e.tablet == header.tablet
                            && e.batch == header.number
                            && e.commitment == entry.commitment
                    })
                    .map_or("", |e| e.reason.as_str());
                excluded_codes.push((g, code, reason));
                continue;
            }
            if counted.insert(code, g).is_some() {
                problems.push(RoundProblem::CodeTwice {
                    group: entry.group.clone(),
                });
            }
            if !issued[g].contains(code) {
                problems.push(RoundProblem::CodeNotIssued {
                    group: entry.group.clone(),
                });
            }
        }
    }
    for (g, code, reason) in excluded_codes {
        let holds = match reason {
            "duplicate_code" => counted.contains_key(code),
            "unknown_code" => !issued[g].contains(code),
            _ => false,
        };
        if !holds {
            problems.push(RoundProblem::ExclusionReason {
                reason: reason.to_owned(),
            });
        }
    }
    problems
}
