//! The signed result file of record format 2 (`pingyi-result`, version 2): counts, not ballots.
//!
//! `{"format":"pingyi-result","version":2,"payload":{…},"signature":{…}}`. The payload holds
//! the host-signed join (the meeting with its draw, meeting digest, session, host and transport
//! keys), the round proof (hellos, batch headers, code list as digests, count tables), the tally
//! and reconciliation recomputed from the counts, the audit log with no per-ballot entry, and
//! the host's level overrides. The host's Ed25519 signature covers the JCS bytes of `payload`
//! and is made by the key the join names. [`verify_result_v2`] recomputes everything from the
//! proof and reports every problem as a value with a stable id (docs/result-format.md).

use std::collections::HashSet;

use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::batch::RoundContext;
use super::commit::Generators;
use super::join::{CheckJoinError, SignedJoinV2};
use super::minutes::{Minutes, MinutesProblem, check_minutes};
use super::score::{CellTally, TallyCellsError, tally_cells};
use super::verify::{RoundProblem, RoundProofV1, verify_round};
use crate::domain::level::{Level, LevelNames, LevelOverrideV1};
use crate::domain::meeting::{CredentialMode, Meeting};
use crate::domain::report::{RankingRowV1, cell_ranking_rows};
use crate::domain::result_file::{
    RESULT_FORMAT, ReadResultError, ResultSignatureV1, read_envelope, sign_payload,
};
use crate::domain::signing::{DeviceKey, fingerprint, verify};
use crate::domain::validity::{QuorumV1, Turnout, ValidityProblem, round_validity};

/// The result file version of record format 2.
pub const RESULT_VERSION_2: u32 = 2;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResultFileV2 {
    pub format: String,
    pub version: u32,
    pub payload: ResultPayloadV2,
    pub signature: ResultSignatureV1,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResultPayloadV2 {
    pub app_version: String,
    /// When the file was made, RFC 3339 UTC from the host clock.
    pub time: String,
    pub join: SignedJoinV2,
    pub proof: RoundProofV1,
    pub tally: TallyV2,
    pub reconciliation: ReconciliationV2,
    pub audit: Vec<AuditEntryV2>,
    /// Levels the host set instead of the computed ones (the ranking keeps the computed ones).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub level_overrides: Vec<LevelOverrideV1>,
}

/// The tally recomputed from the count tables.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TallyV2 {
    pub groups: Vec<GroupTallyV2>,
    pub ranking: Vec<RankingRowV1>,
}

/// Per group: ballots counted (blank included), valid (not blank), blank, and how many of the
/// counted ones the host keyed in from paper (its own batch).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GroupTallyV2 {
    pub group: String,
    pub counted: u32,
    pub valid: u32,
    pub blank: u32,
    pub paper: u32,
}

/// What came back against who was due, per group, and the validity of the round.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReconciliationV2 {
    pub groups: Vec<GroupReconciliationV2>,
    /// Every reason the round is not valid, in the documented order; empty when it is.
    pub problems: Vec<ValidityProblemV2>,
    pub valid: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GroupReconciliationV2 {
    pub group: String,
    /// 应到, from the meeting.
    pub expected: u32,
    /// 实到, as the host counted them in the hall; absent when not recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub present: Option<u32>,
    /// Codes issued (code mode only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub codes_issued: Option<u32>,
    /// Ballots handed in: Σ `returned` over every batch header, excluded ones included.
    pub handed_in: u32,
    pub excluded: u32,
    /// handed_in − excluded: the ballots in the count tables.
    pub counted: u32,
}

/// One reason the round is not valid, as numbers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ValidityProblemV2 {
    /// `no_quorum`, `returned_over_issued`, `returned_over_expected`, `returned_over_present`.
    pub id: String,
    /// The group, or absent for the whole round.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// The figure checked (实到 for `no_quorum`, ballots handed in otherwise).
    pub value: u32,
    /// What it is checked against (应到 × n / d for `no_quorum`, as `limit_numerator /
    /// limit_denominator`; codes issued, 应到 or 实到 otherwise).
    pub limit: u32,
}

impl std::fmt::Display for ValidityProblemV2 {
    /// The problem in words, Chinese first: 本轮测评无效 and why, with the numbers.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let group = self
            .group
            .as_deref()
            .map(|g| format!("{g}: "))
            .unwrap_or_default();
        let (v, l) = (self.value, self.limit);
        match self.id.as_str() {
            "no_quorum" => write!(
                f,
                "实到 {v} 人，未达到应到人数的法定比例（至少 {l} 人），本轮测评无效 — {v} present, fewer than the {l} the quorum needs: the round is not valid"
            ),
            "returned_over_issued" => write!(
                f,
                "{group}收回选票 {v} 张，多于发出的 {l} 张，本轮测评无效 — {group}{v} ballots returned, more than the {l} given out: the round is not valid"
            ),
            "returned_over_expected" => write!(
                f,
                "{group}收回选票 {v} 张，多于应到 {l} 人，本轮测评无效 — {group}{v} ballots returned, more than the {l} people due: the round is not valid"
            ),
            "returned_over_present" => write!(
                f,
                "{group}收回选票 {v} 张，多于实到 {l} 人，本轮测评无效 — {group}{v} ballots returned, more than the {l} people present: the round is not valid"
            ),
            other => write!(f, "{group}{other} {v} / {l}"),
        }
    }
}

/// One entry of the host's audit log. No entry names a ballot: arrivals are logged per batch.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditEntryV2 {
    /// 1, 2, 3, … in order.
    pub seq: u32,
    pub time: String,
    /// meeting_created, meeting_edited, draw_recorded, draw_replaced, voting_opened,
    /// codes_issued, batch_received, batch_refused, paper_batch, ballot_excluded,
    /// voting_closed, level_overridden, note_edited, result_exported, backup_exported,
    /// rows_erased, file_refused.
    pub event: String,
    /// The tablet's key fingerprint (batch events).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tablet: Option<String>,
    /// The batch number (batch events).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub batch: Option<u32>,
    /// Ballots in the batch (batch events).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ballots: Option<u32>,
    /// A presenter id (level_overridden, note_edited).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub presenter: Option<String>,
    /// A reason id (ballot_excluded: duplicate_code, unknown_code; batch_refused).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Words for people; never read by a verifier.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub detail: String,
}

impl AuditEntryV2 {
    /// An entry with only an event id and words (the batch fields are set by the caller).
    pub fn new(seq: u32, time: &str, event: &str, detail: String) -> AuditEntryV2 {
        AuditEntryV2 {
            seq,
            time: time.to_owned(),
            event: event.to_owned(),
            tablet: None,
            batch: None,
            ballots: None,
            presenter: None,
            reason: None,
            detail,
        }
    }
}

impl AuditEntryV2 {
    /// A batch taken in (`batch_received`) or the host's own (`paper_batch`), by its header.
    pub fn batch(seq: u32, time: &str, header: &super::batch::BatchHeaderV1, paper: bool) -> AuditEntryV2 {
        let ballots: u32 = header.groups.iter().map(|g| g.returned).sum();
        AuditEntryV2::batch_of(seq, time, &header.tablet, header.number, ballots, paper)
    }

    /// The same entry from the batch's tablet key, number and ballot count.
    pub fn batch_of(
        seq: u32,
        time: &str,
        tablet_key: &str,
        number: u32,
        ballots: u32,
        paper: bool,
    ) -> AuditEntryV2 {
        let tablet = fingerprint(tablet_key).unwrap_or_default();
        let (event, detail) = if paper {
            (
                "paper_batch",
                format!("{ballots} paper ballots keyed in by the host"),
            )
        } else {
            (
                "batch_received",
                format!("batch {number} of {tablet}: {ballots} ballots"),
            )
        };
        AuditEntryV2 {
            tablet: Some(tablet),
            batch: Some(number),
            ballots: Some(ballots),
            ..AuditEntryV2::new(seq, time, event, detail)
        }
    }

    /// A ballot taken out of the count when the round was proven (one entry per exclusion).
    pub fn excluded(seq: u32, time: &str, exclusion: &super::counts::ExclusionV1) -> AuditEntryV2 {
        let tablet = fingerprint(&exclusion.tablet).unwrap_or_default();
        AuditEntryV2 {
            detail: format!(
                "a ballot of batch {} of {tablet}: {}",
                exclusion.batch, exclusion.reason
            ),
            tablet: Some(tablet),
            batch: Some(exclusion.batch),
            reason: Some(exclusion.reason.clone()),
            ..AuditEntryV2::new(seq, time, "ballot_excluded", String::new())
        }
    }
}

/// Everything the host hands over to make a version-2 result file.
pub struct ResultInputV2<'a> {
    pub join: &'a SignedJoinV2,
    pub proof: RoundProofV1,
    /// 实到 per group in meeting order, when the host recorded it.
    pub present: Option<Vec<u32>>,
    pub audit: Vec<AuditEntryV2>,
    pub level_overrides: Vec<LevelOverrideV1>,
    pub app_version: &'a str,
    pub time: &'a str,
}

/// Why the host cannot make a result file of its round.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum BuildResultV2Error {
    #[error("{0}")]
    Join(#[from] CheckJoinError),
    #[error("{0}")]
    Tally(#[from] TallyCellsError),
    #[error("实到人数须按类别逐一填写 — 实到 must be given for every group")]
    Present,
}

/// The tally of a proof's count tables: per group counted, valid, blank and paper, and the
/// ranking rows. `host` is the host key (its batch is the paper batch).
pub fn tally_v2(
    meeting: &Meeting,
    host: &str,
    proof: &RoundProofV1,
) -> Result<(CellTally, TallyV2), TallyCellsError> {
    let cells = tally_cells(meeting, &proof.counts)?;
    let paper_batches: Vec<_> = proof.batches.iter().filter(|b| b.tablet == host).collect();
    let groups = meeting
        .groups()
        .iter()
        .enumerate()
        .map(|(g, group)| {
            let paper_handed: u32 = paper_batches
                .iter()
                .filter_map(|b| b.groups.iter().find(|x| x.group == group.id))
                .map(|x| x.returned)
                .sum();
            let paper_excluded = proof
                .counts
                .exclusions
                .iter()
                .filter(|e| e.tablet == host && exclusion_group(proof, e).as_deref() == Some(&group.id))
                .count() as u32;
            GroupTallyV2 {
                group: group.id.clone(),
                counted: cells.returned[g],
                valid: cells.returned[g].saturating_sub(cells.blank[g]),
                blank: cells.blank[g],
                paper: paper_handed.saturating_sub(paper_excluded),
            }
        })
        .collect();
    let ranking = cell_ranking_rows(meeting, &cells);
    Ok((cells, TallyV2 { groups, ranking }))
}

/// The group of an excluded ballot: the group its commitment is listed under in its batch.
fn exclusion_group(proof: &RoundProofV1, e: &super::counts::ExclusionV1) -> Option<String> {
    proof
        .batches
        .iter()
        .find(|b| b.tablet == e.tablet && b.number == e.batch)?
        .ballots
        .iter()
        .find(|b| b.commitment == e.commitment)
        .map(|b| b.group.clone())
}

/// What came back for one group: ballots handed in (excluded ones included) and excluded.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct GroupReturns {
    pub handed_in: u32,
    pub excluded: u32,
}

/// The reconciliation of a proof against the meeting's 应到, the codes issued and 实到, with
/// the validity rules of docs/rules.md §6a applied per group and to the whole round.
pub fn reconcile_v2(meeting: &Meeting, proof: &RoundProofV1, present: Option<&[u32]>) -> ReconciliationV2 {
    let returns: Vec<GroupReturns> = meeting
        .groups()
        .iter()
        .map(|group| GroupReturns {
            handed_in: proof
                .batches
                .iter()
                .filter_map(|b| b.groups.iter().find(|x| x.group == group.id))
                .map(|x| x.returned)
                .fold(0u32, u32::saturating_add),
            excluded: proof
                .counts
                .exclusions
                .iter()
                .filter(|e| exclusion_group(proof, e).as_deref() == Some(&group.id))
                .count() as u32,
        })
        .collect();
    let issued: Vec<u32> = meeting
        .groups()
        .iter()
        .map(|group| {
            proof
                .code_list
                .as_ref()
                .and_then(|l| l.groups.iter().find(|x| x.group == group.id))
                .map_or(0, |x| x.codes.len() as u32)
        })
        .collect();
    reconcile_returns(meeting, &returns, &issued, present)
}

/// The reconciliation of what came back per group (`issued` is ignored in open mode).
pub fn reconcile_returns(
    meeting: &Meeting,
    returns: &[GroupReturns],
    issued: &[u32],
    present: Option<&[u32]>,
) -> ReconciliationV2 {
    let code_mode = meeting.credential() == CredentialMode::Code;
    let mut groups = Vec::new();
    let mut problems = Vec::new();
    for (g, group) in meeting.groups().iter().enumerate() {
        let GroupReturns { handed_in, excluded } = returns.get(g).copied().unwrap_or_default();
        let codes_issued = code_mode.then(|| issued.get(g).copied().unwrap_or(0));
        let present_here = present.and_then(|p| p.get(g).copied());
        let turnout = Turnout {
            expected: group.expected,
            // The quorum is a round rule: per group only the returned limits apply.
            present: present_here.unwrap_or(u32::MAX),
            issued: codes_issued,
            returned: handed_in,
        };
        let unlimited = QuorumV1 {
            enabled: false,
            ..QuorumV1::default()
        };
        for problem in round_validity(turnout, unlimited) {
            problems.push(problem_v2(&problem, Some(group.id.clone())));
        }
        groups.push(GroupReconciliationV2 {
            group: group.id.clone(),
            expected: group.expected,
            present: present_here,
            codes_issued,
            handed_in,
            excluded,
            counted: handed_in.saturating_sub(excluded),
        });
    }
    if let Some(present) = present
        && present.len() == groups.len()
    {
        let quorum = meeting.rules().quorum;
        let expected: u32 = groups.iter().map(|g| g.expected).sum();
        let turnout = Turnout {
            expected,
            present: present.iter().sum(),
            issued: None,
            returned: 0,
        };
        for problem in round_validity(turnout, quorum) {
            if matches!(problem, ValidityProblem::NoQuorum { .. }) {
                problems.insert(0, problem_v2(&problem, None));
            }
        }
    }
    ReconciliationV2 {
        valid: problems.is_empty(),
        groups,
        problems,
    }
}

fn problem_v2(problem: &ValidityProblem, group: Option<String>) -> ValidityProblemV2 {
    let (id, value, limit) = match *problem {
        ValidityProblem::NoQuorum {
            present,
            expected,
            numerator,
            denominator,
        } => (
            "no_quorum",
            present,
            QuorumV1 {
                enabled: true,
                numerator,
                denominator,
            }
            .least_present(expected),
        ),
        ValidityProblem::MoreThanIssued { returned, issued } => ("returned_over_issued", returned, issued),
        ValidityProblem::MoreThanExpected { returned, expected } => {
            ("returned_over_expected", returned, expected)
        }
        ValidityProblem::MoreThanPresent { returned, present } => {
            ("returned_over_present", returned, present)
        }
    };
    ValidityProblemV2 {
        id: id.to_owned(),
        group,
        value,
        limit,
    }
}

impl ResultFileV2 {
    /// The signed result file of a round.
    pub fn build(input: ResultInputV2<'_>, host: &DeviceKey) -> Result<ResultFileV2, BuildResultV2Error> {
        let checked = input.join.check()?;
        let meeting = &checked.meeting;
        if input
            .present
            .as_ref()
            .is_some_and(|p| p.len() != meeting.groups().len())
        {
            return Err(BuildResultV2Error::Present);
        }
        let (_, tally) = tally_v2(meeting, &input.join.host, &input.proof)?;
        let reconciliation = reconcile_v2(meeting, &input.proof, input.present.as_deref());
        let payload = ResultPayloadV2 {
            app_version: input.app_version.to_owned(),
            time: input.time.to_owned(),
            join: input.join.clone(),
            proof: input.proof,
            tally,
            reconciliation,
            audit: input.audit,
            level_overrides: input.level_overrides,
        };
        Ok(ResultFileV2::sign(payload, host))
    }

    pub fn sign(payload: ResultPayloadV2, host: &DeviceKey) -> ResultFileV2 {
        ResultFileV2 {
            format: RESULT_FORMAT.to_owned(),
            version: RESULT_VERSION_2,
            signature: sign_payload(&payload, host),
            payload,
        }
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }
}

/// A reason a version-2 result file does not verify. Ids are stable; words are for display.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum ResultProblemV2 {
    #[error(
        "结果文件不是由入会信息中的主持人密钥签署 — the file is not signed by the host key its join names"
    )]
    SignatureKey,
    #[error("主持人签名无效 — the host signature over the payload does not verify")]
    Signature,
    #[error("{0}")]
    Round(RoundProblem),
    #[error("{0}")]
    Minutes(MinutesProblem),
    #[error("计数表与会议不符 — the count tables do not fit the meeting")]
    TallyShape,
    #[error(
        "按计数表重新计算的名次与文件中的不同：{} — the ranking recomputed from the counts differs from the file's: {}",
        presenters.join("、"),
        presenters.join(", ")
    )]
    Tally { presenters: Vec<String> },
    #[error("按类别的计票数与计数表不符 — the per-group totals differ from the count tables")]
    TallyGroups,
    #[error(
        "清点结果与按计数表重新计算的不同 — the reconciliation differs from the one recomputed from the proof"
    )]
    Reconciliation,
    #[error(
        "本轮测评无效：{id}（{value} / {limit}）— the round is not valid: {id} ({value} against {limit})"
    )]
    Invalid {
        id: String,
        group: Option<String>,
        value: u32,
        limit: u32,
    },
    #[error("审计记录第 {seq} 条的序号不连续 — audit entry {seq} is out of sequence")]
    AuditOrder { seq: u32 },
    #[error("审计记录缺少投票结束 — the audit log has no voting_closed entry")]
    NotClosed,
    #[error(
        "平板 {tablet} 第 {number} 批没有对应的收票记录 — batch {number} of tablet {tablet} has no matching arrival in the audit log"
    )]
    AuditBatchMissing { tablet: String, number: u32 },
    #[error(
        "审计记录中的平板 {tablet} 第 {number} 批不在证明中 — the audit log names batch {number} of tablet {tablet}, which is not in the proof"
    )]
    AuditBatchUnknown { tablet: String, number: u32 },
    #[error(
        "审计记录在投票结束后还收入了平板 {tablet} 第 {number} 批 — batch {number} of tablet {tablet} is logged after voting closed"
    )]
    AuditBatchAfterClose { tablet: String, number: u32 },
    #[error(
        "平板 {tablet} 第 {number} 批中一张被剔除的选票没有审计记录 — an excluded ballot of batch {number} of tablet {tablet} has no audit entry"
    )]
    AuditExclusionMissing { tablet: String, number: u32 },
    #[error("等次调整 {presenter}：没有这位述职人员 — level override {presenter}: no such presenter")]
    OverridePresenter { presenter: String },
    #[error("等次调整 {presenter}：等次不明 — level override {presenter}: unknown level")]
    OverrideLevel { presenter: String },
    #[error("等次调整 {presenter}：没有写明理由 — level override {presenter}: no reason given")]
    OverrideReason { presenter: String },
    #[error(
        "等次调整 {presenter}：原等次与按计数表计算的不同 — level override {presenter}: the computed level differs from the counts'"
    )]
    OverrideComputed { presenter: String },
    #[error(
        "等次调整 {presenter}：没有在投票结束后的审计记录 — level override {presenter}: no audit entry after voting closed"
    )]
    OverrideNotAudited { presenter: String },
}

impl ResultProblemV2 {
    pub fn id(&self) -> String {
        match self {
            ResultProblemV2::SignatureKey => "signature_key".into(),
            ResultProblemV2::Signature => "signature".into(),
            ResultProblemV2::Round(p) => p.id().into(),
            ResultProblemV2::Minutes(p) => p.id().into(),
            ResultProblemV2::TallyShape => "tally_shape".into(),
            ResultProblemV2::Tally { .. } => "tally".into(),
            ResultProblemV2::TallyGroups => "tally_groups".into(),
            ResultProblemV2::Reconciliation => "reconciliation".into(),
            ResultProblemV2::Invalid { id, .. } => id.clone(),
            ResultProblemV2::AuditOrder { .. } => "audit_order".into(),
            ResultProblemV2::NotClosed => "not_closed".into(),
            ResultProblemV2::AuditBatchMissing { .. } => "audit_batch_missing".into(),
            ResultProblemV2::AuditBatchUnknown { .. } => "audit_batch_unknown".into(),
            ResultProblemV2::AuditBatchAfterClose { .. } => "audit_batch_after_close".into(),
            ResultProblemV2::AuditExclusionMissing { .. } => "audit_exclusion_missing".into(),
            ResultProblemV2::OverridePresenter { .. } => "override_presenter".into(),
            ResultProblemV2::OverrideLevel { .. } => "override_level".into(),
            ResultProblemV2::OverrideReason { .. } => "override_reason".into(),
            ResultProblemV2::OverrideComputed { .. } => "override_computed".into(),
            ResultProblemV2::OverrideNotAudited { .. } => "override_not_audited".into(),
        }
    }
}

/// What verifying a version-2 result file found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerdictV2 {
    pub problems: Vec<ResultProblemV2>,
    pub meeting_title: String,
    pub host_fingerprint: String,
    /// The code-list digest as people compare it (code mode).
    pub code_list: Option<String>,
    /// Registered tablets (the host's paper batch not included) and batches (all).
    pub tablets: usize,
    pub batches: usize,
    pub grades: Vec<String>,
    pub level_names: LevelNames,
    /// Recomputed from the counts; empty when the proof does not hold.
    pub ranking: Vec<RankingRowV1>,
    /// Recomputed from the proof.
    pub tally_groups: Vec<GroupTallyV2>,
    pub reconciliation: Option<ReconciliationV2>,
}

impl VerdictV2 {
    pub fn holds(&self) -> bool {
        self.problems.is_empty()
    }
}

/// Reads a version-2 result file strictly (size, JSON, format, version, fields).
pub fn read_result_v2(text: &str) -> Result<(ResultFileV2, Vec<u8>), ReadResultError> {
    let (text, payload_bytes) = read_envelope(text, u64::from(RESULT_VERSION_2))?;
    let file: ResultFileV2 =
        serde_json::from_str(text).map_err(|e| ReadResultError::Malformed(e.to_string()))?;
    if file.signature.alg != "Ed25519" {
        return Err(ReadResultError::UnsupportedAlgorithm(file.signature.alg));
    }
    Ok((file, payload_bytes))
}

/// Verifies a version-2 result file: the host signature by the join's host key, the join, the
/// round proof (hellos, batch signatures and chains, code list, every count against the
/// commitments), the tally and reconciliation recomputed from the counts, the validity of the
/// round, the audit log's batch and exclusion entries, and the overrides. With `minutes`, also
/// what witnesses wrote in the hall.
pub fn verify_result_v2(text: &str, minutes: Option<&Minutes>) -> Result<VerdictV2, ReadResultError> {
    let (file, payload_bytes) = read_result_v2(text)?;
    let payload = &file.payload;
    let checked = payload
        .join
        .check()
        .map_err(|e| ReadResultError::Malformed(e.to_string()))?;
    let meeting = &checked.meeting;
    let host = &payload.join.host;
    let mut problems = Vec::new();
    if file.signature.public_key != *host {
        problems.push(ResultProblemV2::SignatureKey);
    }
    if verify(host, &payload_bytes, &file.signature.value).is_err() {
        problems.push(ResultProblemV2::Signature);
    }
    let generators = Generators::for_meeting(meeting);
    let round = RoundContext::new(meeting, checked.session, &generators);
    let round_problems = verify_round(&round, &payload.proof);
    let proof_holds = round_problems.iter().all(|p| {
        matches!(
            p,
            RoundProblem::OverIssued { .. } | RoundProblem::OverExpected { .. }
        )
    });
    // Ballots returned against codes and 应到 are judged once, by the reconciliation below, on
    // every ballot handed in (excluded ones too), as the county's rule counts them.
    problems.extend(
        round_problems
            .into_iter()
            .filter(|p| {
                !matches!(
                    p,
                    RoundProblem::OverIssued { .. } | RoundProblem::OverExpected { .. }
                )
            })
            .map(ResultProblemV2::Round),
    );
    if let Some(minutes) = minutes {
        problems.extend(
            check_minutes(minutes, host, &payload.proof)
                .into_iter()
                .map(ResultProblemV2::Minutes),
        );
    }

    let mut verdict = VerdictV2 {
        problems: Vec::new(),
        meeting_title: meeting.title().to_owned(),
        host_fingerprint: fingerprint(host).unwrap_or_default(),
        code_list: payload
            .proof
            .code_list
            .as_ref()
            .and_then(|l| super::minutes::code_list_for_people(&l.digest)),
        tablets: payload.proof.hellos.iter().filter(|h| h.tablet != *host).count(),
        batches: payload.proof.batches.len(),
        grades: meeting.grades().iter().map(|g| g.name.clone()).collect(),
        level_names: meeting.rules().names,
        ranking: Vec::new(),
        tally_groups: Vec::new(),
        reconciliation: None,
    };

    match tally_v2(meeting, host, &payload.proof) {
        Err(_) => problems.push(ResultProblemV2::TallyShape),
        Ok((_, tally)) => {
            if tally.ranking != payload.tally.ranking {
                let presenters = tally
                    .ranking
                    .iter()
                    .zip(&payload.tally.ranking)
                    .filter(|(a, b)| a != b)
                    .map(|(a, _)| a.name.clone())
                    .collect::<Vec<_>>();
                problems.push(ResultProblemV2::Tally { presenters });
            }
            if tally.groups != payload.tally.groups {
                problems.push(ResultProblemV2::TallyGroups);
            }
            problems.extend(check_overrides(meeting, payload, &tally.ranking));
            if proof_holds {
                verdict.ranking = tally.ranking;
            }
            verdict.tally_groups = tally.groups;
        }
    }

    let present: Option<Vec<u32>> = payload
        .reconciliation
        .groups
        .iter()
        .map(|g| g.present)
        .collect::<Option<Vec<u32>>>()
        .filter(|p| p.len() == meeting.groups().len());
    let any_present = payload.reconciliation.groups.iter().any(|g| g.present.is_some());
    let mut reconciliation = reconcile_v2(meeting, &payload.proof, present.as_deref());
    if any_present && present.is_none() {
        // Some groups' 实到 without the others' is kept as written, checked per group.
        for (g, written) in reconciliation
            .groups
            .iter_mut()
            .zip(&payload.reconciliation.groups)
        {
            g.present = written.present;
        }
    }
    if reconciliation != payload.reconciliation {
        problems.push(ResultProblemV2::Reconciliation);
    }
    problems.extend(reconciliation.problems.iter().map(|p| ResultProblemV2::Invalid {
        id: p.id.clone(),
        group: p.group.clone(),
        value: p.value,
        limit: p.limit,
    }));
    verdict.reconciliation = Some(reconciliation);

    problems.extend(check_audit(payload));
    verdict.problems = problems;
    Ok(verdict)
}

/// The audit log against the proof: entries numbered 1, 2, …; voting closed; every batch has
/// exactly its arrival entry (the host's batch a `paper_batch`), before voting closed; every
/// exclusion its `ballot_excluded` entry.
fn check_audit(payload: &ResultPayloadV2) -> Vec<ResultProblemV2> {
    let mut problems = Vec::new();
    let audit = &payload.audit;
    for (i, entry) in audit.iter().enumerate() {
        if entry.seq != i as u32 + 1 {
            problems.push(ResultProblemV2::AuditOrder { seq: entry.seq });
            break;
        }
    }
    let closed_at = audit.iter().position(|e| e.event == "voting_closed");
    if closed_at.is_none() {
        problems.push(ResultProblemV2::NotClosed);
    }
    let host = &payload.join.host;
    let mut seen: HashSet<(String, u32)> = HashSet::new();
    for header in &payload.proof.batches {
        let tablet = fingerprint(&header.tablet).unwrap_or_default();
        let event = if header.tablet == *host {
            "paper_batch"
        } else {
            "batch_received"
        };
        let returned: u32 = header.groups.iter().map(|g| g.returned).sum();
        let at = audit.iter().position(|e| {
            e.event == event
                && e.tablet.as_deref() == Some(tablet.as_str())
                && e.batch == Some(header.number)
                && e.ballots == Some(returned)
        });
        match at {
            None => problems.push(ResultProblemV2::AuditBatchMissing {
                tablet: tablet.clone(),
                number: header.number,
            }),
            Some(at) if closed_at.is_some_and(|c| at > c) => {
                problems.push(ResultProblemV2::AuditBatchAfterClose {
                    tablet: tablet.clone(),
                    number: header.number,
                })
            }
            Some(_) => {}
        }
        seen.insert((tablet, header.number));
    }
    for entry in audit
        .iter()
        .filter(|e| e.event == "batch_received" || e.event == "paper_batch")
    {
        let key = (entry.tablet.clone().unwrap_or_default(), entry.batch.unwrap_or(0));
        if !seen.contains(&key) {
            problems.push(ResultProblemV2::AuditBatchUnknown {
                tablet: key.0,
                number: key.1,
            });
        }
    }
    // Each exclusion needs its own entry: count them per (tablet, batch, reason).
    let mut entries: Vec<(String, u32, String)> = audit
        .iter()
        .filter(|e| e.event == "ballot_excluded")
        .map(|e| {
            (
                e.tablet.clone().unwrap_or_default(),
                e.batch.unwrap_or(0),
                e.reason.clone().unwrap_or_default(),
            )
        })
        .collect();
    for e in &payload.proof.counts.exclusions {
        let tablet = fingerprint(&e.tablet).unwrap_or_default();
        let key = (tablet.clone(), e.batch, e.reason.clone());
        match entries.iter().position(|x| *x == key) {
            Some(i) => {
                entries.swap_remove(i);
            }
            None => problems.push(ResultProblemV2::AuditExclusionMissing {
                tablet,
                number: e.batch,
            }),
        }
    }
    problems
}

/// Each override names a presenter, a level of the meeting's set and a reason; its computed
/// level is the counts'; and its `level_overridden` entry comes after voting closed (the i-th
/// override, the i-th such entry).
fn check_overrides(
    meeting: &Meeting,
    payload: &ResultPayloadV2,
    ranking: &[RankingRowV1],
) -> Vec<ResultProblemV2> {
    let closed_at = payload.audit.iter().position(|e| e.event == "voting_closed");
    let entries: Vec<(usize, &AuditEntryV2)> = payload
        .audit
        .iter()
        .enumerate()
        .filter(|(_, e)| e.event == "level_overridden")
        .collect();
    let mut problems = Vec::new();
    for (i, o) in payload.level_overrides.iter().enumerate() {
        let presenter = o.presenter.clone();
        let Some(row) = ranking.iter().find(|r| r.presenter == o.presenter) else {
            problems.push(ResultProblemV2::OverridePresenter { presenter });
            continue;
        };
        if meeting.presenter_index(&o.presenter).is_none() {
            problems.push(ResultProblemV2::OverridePresenter { presenter });
        } else if Level::parse(&o.level).is_none() {
            problems.push(ResultProblemV2::OverrideLevel { presenter });
        } else if o.reason.trim().is_empty() {
            problems.push(ResultProblemV2::OverrideReason { presenter });
        } else if row.level.as_deref() != Some(o.computed.as_str()) {
            problems.push(ResultProblemV2::OverrideComputed { presenter });
        } else {
            let audited = entries.get(i).is_some_and(|(at, e)| {
                e.presenter.as_deref() == Some(o.presenter.as_str()) && closed_at.is_some_and(|c| *at > c)
            });
            if !audited {
                problems.push(ResultProblemV2::OverrideNotAudited { presenter });
            }
        }
    }
    problems
}
