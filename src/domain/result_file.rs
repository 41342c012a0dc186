//! The signed result file (`pingyi-result`, version 1) and its verification.
//!
//! `{"format":"pingyi-result","version":1,"payload":{…},"signature":{"alg":"Ed25519",
//! "public_key":…,"value":…}}` — the signature covers the RFC 8785 canonical bytes of
//! `payload` exactly as it stands in the file. The payload holds everything a verifier needs
//! to recompute the result: the meeting (with the draw), the codes issued, every accepted
//! ballot with its tablet signature, every rejected one with its reason, the audit log, the
//! tally and the reconciliation. Integers and strings only; exact numbers as "p/q".
//! See `docs/result-format.md`.

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::ballot::Ballot;
use super::code::BallotCode;
use super::level::{Level, LevelOverrideV1};
use super::meeting::{CredentialMode, Meeting, MeetingFileV1};
use super::reconcile::Reconciliation;
use super::report::{RankingRowV1, ranking_rows};
use super::signed_ballot::{SignedBallotV1, check_chains};
use super::signing::{DeviceKey, canonical_bytes, fingerprint, verify};
use super::tally::Tally;

pub const RESULT_FORMAT: &str = "pingyi-result";
pub const RESULT_VERSION: u32 = 1;
/// Result files larger than this are refused before parsing.
pub const MAX_RESULT_BYTES: usize = 64 * 1024 * 1024;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResultFileV1 {
    pub format: String,
    pub version: u32,
    pub payload: ResultPayloadV1,
    pub signature: ResultSignatureV1,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResultSignatureV1 {
    pub alg: String,
    /// The host laptop's Ed25519 public key, base64.
    pub public_key: String,
    /// Signature over the canonical bytes of `payload`, base64.
    pub value: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResultPayloadV1 {
    pub app_version: String,
    /// When the file was made, RFC 3339 UTC from the host clock.
    pub time: String,
    pub meeting: MeetingFileV1,
    /// Codes issued per group (empty lists in open mode); published once voting is closed.
    pub codes_issued: Vec<IssuedCodesV1>,
    pub accepted: Vec<SignedBallotV1>,
    pub rejected: Vec<RejectedBallotV1>,
    pub audit: Vec<AuditEntryV1>,
    pub tally: TallyV1,
    pub reconciliation: ReconciliationV1,
    /// Levels the host set instead of the computed ones (the tally keeps the computed levels).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub level_overrides: Vec<LevelOverrideV1>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IssuedCodesV1 {
    pub group: String,
    pub codes: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RejectedBallotV1 {
    /// Stable reason id: bad_signature, wrong_meeting, unknown_code, conflict, malformed, …
    pub reason: String,
    /// The reason in words.
    pub detail: String,
    /// Group id when it could be told, else "".
    pub group: String,
    /// The ballot as received (text, at most 64 KiB).
    pub received: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditEntryV1 {
    pub seq: u32,
    pub time: String,
    /// Event id: ballot_accepted, conflict_resolved, level_overridden, paper_ballot, …
    pub event: String,
    pub detail: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TallyV1 {
    /// Ballots counted per group, in meeting order (blank included).
    pub ballots: Vec<u32>,
    pub blank: Vec<u32>,
    pub ranking: Vec<RankingRowV1>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReconciliationV1 {
    pub groups: Vec<GroupReconciliationV1>,
    pub rejected_unattributed: u32,
    pub problems: Vec<String>,
    pub failed: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GroupReconciliationV1 {
    pub group: String,
    pub expected: u32,
    pub codes_issued: u32,
    pub returned: u32,
    pub valid: u32,
    pub blank: u32,
    pub rejected: u32,
}

/// Everything the host hands over to make a result file.
pub struct ResultInput<'a> {
    pub meeting: &'a Meeting,
    pub codes_issued: Vec<Vec<BallotCode>>,
    pub accepted: Vec<SignedBallotV1>,
    pub rejected: Vec<RejectedBallotV1>,
    pub audit: Vec<AuditEntryV1>,
    pub level_overrides: Vec<LevelOverrideV1>,
    pub app_version: &'a str,
    pub time: &'a str,
}

/// Why accepted ballots cannot go into a result.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
#[error(
    "第 {number} 张已接受选票不符合会议：{detail} — accepted ballot no. {number} does not fit the meeting: {detail}"
)]
pub struct BuildResultError {
    pub number: usize,
    pub detail: String,
}

fn tally_and_reconcile(
    meeting: &Meeting,
    ballots: &[Ballot],
    codes_issued: &[u32],
    rejected: &[RejectedBallotV1],
) -> (TallyV1, ReconciliationV1) {
    let tally = Tally::count(meeting, ballots);
    let rejected_groups: Vec<Option<usize>> =
        rejected.iter().map(|r| meeting.group_index(&r.group)).collect();
    let rec = Reconciliation::compute(meeting, &tally, codes_issued, &rejected_groups);
    let tally_v1 = TallyV1 {
        ballots: tally.ballots.clone(),
        blank: tally.blank.clone(),
        ranking: ranking_rows(meeting, &tally),
    };
    let rec_v1 = ReconciliationV1 {
        groups: rec
            .groups
            .iter()
            .zip(meeting.groups())
            .map(|(g, group)| GroupReconciliationV1 {
                group: group.id.clone(),
                expected: g.expected,
                codes_issued: g.codes_issued,
                returned: g.returned,
                valid: g.valid,
                blank: g.blank,
                rejected: g.rejected,
            })
            .collect(),
        rejected_unattributed: rec.rejected_unattributed,
        problems: rec.problems.iter().map(ToString::to_string).collect(),
        failed: rec.failed(),
    };
    (tally_v1, rec_v1)
}

impl ResultFileV1 {
    /// Tallies the accepted ballots and signs the whole payload with the host key.
    pub fn build(input: ResultInput<'_>, host: &DeviceKey) -> Result<ResultFileV1, BuildResultError> {
        let meeting = input.meeting;
        let ballots = input
            .accepted
            .iter()
            .enumerate()
            .map(|(i, b)| {
                Ballot::from_v1(&b.ballot, meeting).map_err(|e| BuildResultError {
                    number: i + 1,
                    detail: e.to_string(),
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let issued_counts: Vec<u32> = input.codes_issued.iter().map(|c| c.len() as u32).collect();
        let (tally, reconciliation) = tally_and_reconcile(meeting, &ballots, &issued_counts, &input.rejected);
        let payload = ResultPayloadV1 {
            app_version: input.app_version.to_owned(),
            time: input.time.to_owned(),
            meeting: meeting.to_file(),
            codes_issued: meeting
                .groups()
                .iter()
                .enumerate()
                .map(|(g, group)| IssuedCodesV1 {
                    group: group.id.clone(),
                    codes: input
                        .codes_issued
                        .get(g)
                        .map(|codes| codes.iter().map(ToString::to_string).collect())
                        .unwrap_or_default(),
                })
                .collect(),
            accepted: input.accepted,
            rejected: input.rejected,
            audit: input.audit,
            tally,
            reconciliation,
            level_overrides: input.level_overrides,
        };
        Ok(ResultFileV1::sign(payload, host))
    }

    /// A result file of `payload`, signed by the host laptop's key.
    pub fn sign(payload: ResultPayloadV1, host: &DeviceKey) -> ResultFileV1 {
        ResultFileV1 {
            format: RESULT_FORMAT.to_owned(),
            version: RESULT_VERSION,
            signature: sign_payload(&payload, host),
            payload,
        }
    }

    /// The file as pretty JSON text (the signature does not depend on formatting).
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }
}

/// Why a file cannot even be read as a result file.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum ReadResultError {
    #[error("文件过大（超过 {MAX_RESULT_BYTES} 字节）— the file is larger than {MAX_RESULT_BYTES} bytes")]
    TooLarge,
    #[error("文件不是有效的 JSON：{0} — the file is not valid JSON: {0}")]
    NotJson(String),
    #[error("不是评议结果文件（格式为 “{0}”）— not a Pingyi result file (format “{0}”)")]
    WrongFormat(String),
    #[error(
        "结果文件版本 {0} 不受支持，本程序读取版本 1 和 2 — result file version {0} is not supported; this build reads versions 1 and 2"
    )]
    UnsupportedVersion(u64),
    #[error("结果文件结构有误：{0} — the result file is malformed: {0}")]
    Malformed(String),
    #[error("签名算法 “{0}” 不受支持 — signature algorithm “{0}” is not supported")]
    UnsupportedAlgorithm(String),
}

/// One check of a verification and its outcome.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Check {
    /// Stable id: host_signature, meeting, ballot_signatures, chains, codes, tally, reconciliation.
    pub id: &'static str,
    /// What was checked, in words.
    pub title: &'static str,
    /// Empty when the check holds; otherwise each problem in words.
    pub problems: Vec<String>,
}

impl Check {
    pub fn holds(&self) -> bool {
        self.problems.is_empty()
    }
}

/// The outcome of verifying a result file: every check, plus facts to show.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verdict {
    pub checks: Vec<Check>,
    pub host_fingerprint: String,
    pub meeting_title: String,
    pub accepted: usize,
    pub rejected: usize,
    /// Grade names of the meeting, best first (for the ranking's count columns).
    pub grades: Vec<String>,
    /// The names the meeting's levels go by.
    pub level_names: crate::domain::level::LevelNames,
    /// The ranking recomputed from the accepted ballots (empty when the meeting cannot be read).
    pub ranking: Vec<RankingRowV1>,
}

impl Verdict {
    /// True only if every check holds.
    pub fn holds(&self) -> bool {
        self.checks.iter().all(Check::holds)
    }
}

/// Reads a result file's envelope strictly — size, JSON, format, and `version` — and returns the
/// text to parse into types (a byte-order mark dropped) with the canonical bytes of its
/// payload exactly as it stands in the file (what the signature covers).
pub fn read_envelope(text: &str, version: u64) -> Result<(&str, Vec<u8>), ReadResultError> {
    if text.len() > MAX_RESULT_BYTES {
        return Err(ReadResultError::TooLarge);
    }
    let text = text.trim_start_matches('\u{feff}');
    let value: serde_json::Value =
        serde_json::from_str(text).map_err(|e| ReadResultError::NotJson(e.to_string()))?;
    let format = value.get("format").and_then(|f| f.as_str()).unwrap_or_default();
    if format != RESULT_FORMAT {
        return Err(ReadResultError::WrongFormat(format.to_owned()));
    }
    match value.get("version").and_then(|v| v.as_u64()) {
        Some(v) if v == version => {}
        Some(other) => return Err(ReadResultError::UnsupportedVersion(other)),
        None => return Err(ReadResultError::Malformed("version".into())),
    }
    let payload_bytes = value.get("payload").map(canonical_bytes).unwrap_or_default();
    Ok((text, payload_bytes))
}

/// The host's signature over the canonical bytes of a payload.
pub fn sign_payload<T: Serialize>(payload: &T, host: &DeviceKey) -> ResultSignatureV1 {
    ResultSignatureV1 {
        alg: "Ed25519".to_owned(),
        public_key: host.public_key(),
        value: host.sign(&canonical_bytes(payload)),
    }
}

/// Reads and verifies a result file: host signature, meeting (and draw), every ballot
/// signature and chain, ballot codes, and the tally and reconciliation recomputed from the
/// ballots. Never panics on any input.
pub fn verify_result(text: &str) -> Result<Verdict, ReadResultError> {
    let (text, payload_bytes) = read_envelope(text, u64::from(RESULT_VERSION))?;
    // Typed parsing from the text rather than the value: one deserializer less in the wasm.
    let file: ResultFileV1 =
        serde_json::from_str(text).map_err(|e| ReadResultError::Malformed(e.to_string()))?;
    if file.signature.alg != "Ed25519" {
        return Err(ReadResultError::UnsupportedAlgorithm(file.signature.alg));
    }
    let payload = &file.payload;
    let mut checks = Vec::new();

    let host = verify(&file.signature.public_key, &payload_bytes, &file.signature.value);
    checks.push(Check {
        id: "host_signature",
        title: "主持人电脑签名 — host signature over the payload",
        problems: host.err().map(|e| e.to_string()).into_iter().collect(),
    });

    let meeting = Meeting::try_from(payload.meeting.clone());
    checks.push(Check {
        id: "meeting",
        title: "会议设置与抽签记录 — meeting and draw record",
        problems: meeting
            .as_ref()
            .err()
            .map(ToString::to_string)
            .into_iter()
            .collect(),
    });

    let mut verdict = Verdict {
        checks,
        host_fingerprint: fingerprint(&file.signature.public_key).unwrap_or_default(),
        meeting_title: payload.meeting.title.clone(),
        accepted: payload.accepted.len(),
        rejected: payload.rejected.len(),
        grades: Vec::new(),
        level_names: Default::default(),
        ranking: Vec::new(),
    };
    let Ok(meeting) = meeting else {
        return Ok(verdict);
    };

    let mut signature_problems = Vec::new();
    let mut ballots = Vec::new();
    for (i, signed) in payload.accepted.iter().enumerate() {
        if let Err(e) = signed.check_signature() {
            signature_problems.push(format!("#{} ({}): {e}", i + 1, signed.tracker()));
        }
        match Ballot::from_v1(&signed.ballot, &meeting) {
            Ok(ballot) => ballots.push(ballot),
            Err(e) => signature_problems.push(format!("#{} ({}): {e}", i + 1, signed.tracker())),
        }
    }
    verdict.checks.push(Check {
        id: "ballot_signatures",
        title: "每张选票的平板签名 — every ballot's tablet signature",
        problems: signature_problems,
    });

    verdict.checks.push(Check {
        id: "chains",
        title: "各平板选票编号与链接 — each tablet's numbering and links",
        problems: check_chains(&payload.accepted)
            .iter()
            .map(ToString::to_string)
            .collect(),
    });

    verdict.checks.push(Check {
        id: "codes",
        title: "选票码已发出且只用一次 — ballot codes issued and used once",
        problems: check_codes(&meeting, payload, &ballots),
    });

    let issued_counts: Vec<u32> = payload
        .codes_issued
        .iter()
        .map(|c| c.codes.len() as u32)
        .collect();
    let (tally, reconciliation) = tally_and_reconcile(&meeting, &ballots, &issued_counts, &payload.rejected);
    verdict.grades = meeting.grades().iter().map(|g| g.name.clone()).collect();
    verdict.level_names = meeting.rules().names;
    verdict.ranking = tally.ranking.clone();
    let mut tally_problems = Vec::new();
    if tally != payload.tally {
        let differing = tally
            .ranking
            .iter()
            .zip(&payload.tally.ranking)
            .filter(|(a, b)| a != b)
            .map(|(a, _)| a.name.clone())
            .collect::<Vec<_>>();
        tally_problems.push(format!(
            "按选票重新计票的结果与文件中的不同 — the tally recomputed from the ballots differs from the file's{}",
            if differing.is_empty() { String::new() } else { format!(": {}", differing.join(", ")) }
        ));
    }
    tally_problems.extend(check_overrides(&payload.level_overrides, &tally.ranking));
    verdict.checks.push(Check {
        id: "tally",
        title: "按选票重新计票 — tally recomputed from the ballots",
        problems: tally_problems,
    });
    let mut rec_problems = Vec::new();
    if reconciliation != payload.reconciliation {
        rec_problems.push("清点结果与文件中的不同 — the reconciliation differs from the file's".to_owned());
    }
    verdict.checks.push(Check {
        id: "reconciliation",
        title: "清点（应到、实到、选票码）— reconciliation",
        problems: rec_problems,
    });
    Ok(verdict)
}

/// Each level override must name a rated presenter, keep the level the ballots give as its
/// "computed" level, name a known level and give a reason.
fn check_overrides(overrides: &[LevelOverrideV1], ranking: &[RankingRowV1]) -> Vec<String> {
    overrides
        .iter()
        .filter_map(|o| {
            let row = ranking.iter().find(|r| r.presenter == o.presenter);
            let problem = match row {
                None => "没有这位述职人员 — no such presenter",
                Some(r) if r.level.as_deref() != Some(o.computed.as_str()) => {
                    "原等次与按选票计算的不同 — the computed level differs from the ballots'"
                }
                _ if Level::parse(&o.level).is_none() => "等次不明 — unknown level",
                _ if o.reason.trim().is_empty() => "没有写明理由 — no reason given",
                _ => return None,
            };
            Some(format!("等次调整 level override {}: {problem}", o.presenter))
        })
        .collect()
}

fn check_codes(meeting: &Meeting, payload: &ResultPayloadV1, ballots: &[Ballot]) -> Vec<String> {
    let mut problems = Vec::new();
    let ids: Vec<&str> = payload.codes_issued.iter().map(|c| c.group.as_str()).collect();
    let expected: Vec<&str> = meeting.groups().iter().map(|g| g.id.as_str()).collect();
    if ids != expected {
        problems
            .push("选票码清单与评议人员类别不对应 — the code lists do not match the rater groups".to_owned());
        return problems;
    }
    let mut issued: HashMap<BallotCode, usize> = HashMap::new();
    for (g, list) in payload.codes_issued.iter().enumerate() {
        for text in &list.codes {
            match BallotCode::parse(text) {
                Ok(code) if code.group() == g => {
                    issued.insert(code, g);
                }
                _ => problems.push(format!(
                    "发出的选票码 {text} 无效 — issued code {text} is not valid for its group"
                )),
            }
        }
    }
    if meeting.credential() == CredentialMode::Open {
        return problems;
    }
    let mut used = HashSet::new();
    for ballot in ballots {
        if let Some(code) = ballot.code() {
            if !issued.contains_key(&code) {
                problems.push(format!(
                    "选票码 {code} 不在发出清单中 — code {code} was never issued"
                ));
            }
            if !used.insert(code) {
                problems.push(format!(
                    "选票码 {code} 被使用多次 — code {code} is used more than once"
                ));
            }
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ballot::{BallotDraft, Credential};
    use crate::domain::code::{MeetingSecret, issue_codes};
    use crate::domain::demo::small_meeting;
    use crate::domain::signed_ballot::ChainHead;

    fn sample() -> ResultFileV1 {
        let meeting = small_meeting("code");
        let secret = MeetingSecret::from_bytes([11; 32]);
        let codes: Vec<Vec<BallotCode>> = (0..3)
            .map(|g| issue_codes(&secret, meeting.id(), g, 2).unwrap())
            .collect();
        let tablet = DeviceKey::from_seed([12; 32]);
        let mut head = ChainHead::default();
        let accepted = (0..3)
            .map(|g| {
                let mut draft = BallotDraft::new(&meeting, Credential::Code(codes[g][0]));
                for p in 0..4 {
                    draft.fill_presenter(p, (g + p) as u8 % 4);
                }
                head.sign_next(
                    &tablet,
                    draft.finish().unwrap().to_v1(&meeting),
                    "2026-12-18T09:00:00Z",
                )
            })
            .collect();
        ResultFileV1::build(
            ResultInput {
                meeting: &meeting,
                codes_issued: codes,
                accepted,
                rejected: vec![],
                audit: vec![],
                level_overrides: vec![],
                app_version: "test",
                time: "2026-12-18T10:00:00Z",
            },
            &DeviceKey::from_seed([13; 32]),
        )
        .unwrap()
    }

    #[test]
    fn a_built_file_verifies_after_a_round_trip_through_text() {
        let file = sample();
        let verdict = verify_result(&file.to_json()).unwrap();
        assert!(verdict.holds(), "{:?}", verdict.checks);
        assert_eq!(verdict.checks.len(), 7);
        assert_eq!(verdict.accepted, 3);
    }

    #[test]
    fn an_edited_tally_is_caught_twice_even_when_re_signed() {
        let mut file = sample();
        file.payload.tally.ranking[0].score = Some("100/1".into());
        let verdict = verify_result(&file.to_json()).unwrap();
        assert!(
            !verdict
                .checks
                .iter()
                .find(|c| c.id == "host_signature")
                .unwrap()
                .holds()
        );
        assert!(!verdict.checks.iter().find(|c| c.id == "tally").unwrap().holds());
        // A forger with their own key re-signs: the signature holds, the recount does not.
        let forger = DeviceKey::from_seed([99; 32]);
        file.signature.public_key = forger.public_key();
        file.signature.value = forger.sign(&canonical_bytes(&file.payload));
        let verdict = verify_result(&file.to_json()).unwrap();
        assert!(
            verdict
                .checks
                .iter()
                .find(|c| c.id == "host_signature")
                .unwrap()
                .holds()
        );
        assert!(!verdict.holds());
    }

    #[test]
    fn malformed_input_is_refused_with_a_reason() {
        assert!(matches!(verify_result(""), Err(ReadResultError::NotJson(_))));
        assert!(matches!(
            verify_result("{\"format\":\"x\"}"),
            Err(ReadResultError::WrongFormat(_))
        ));
        assert!(matches!(
            verify_result("{\"format\":\"pingyi-result\",\"version\":2}"),
            Err(ReadResultError::UnsupportedVersion(2))
        ));
        assert!(matches!(
            verify_result("{\"format\":\"pingyi-result\",\"version\":1}"),
            Err(ReadResultError::Malformed(_))
        ));
        let text = sample().to_json();
        assert!(verify_result(&text[..text.len() / 2]).is_err());
        let huge = " ".repeat(MAX_RESULT_BYTES + 1);
        assert_eq!(verify_result(&huge), Err(ReadResultError::TooLarge));
    }
}
