//! Hand-in batches (docs/record-format.md "Batch header"): the tablet turns the rows it holds
//! into a signed header of commitment sums; the host opens a hand-in by recomputing that header
//! from the rows and the seed; a verifier reads headers alone and checks each tablet's chain.

use std::collections::{BTreeMap, HashSet};

use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::commit::{BallotCommitment, Generators, GroupSums, code_digest};
use super::group::{ReadPointError, Tagged, hex, parse_hex, read_point, write_point};
use crate::domain::ballot::{Ballot, BallotV1, Credential, ParseBallotError};
use crate::domain::meeting::{CredentialMode, Meeting};
use crate::domain::signing::{DeviceKey, VerifySignatureError, canonical_bytes, fingerprint, verify};

pub const BATCH_FORMAT: &str = "pingyi-batch";
pub const BATCH_VERSION: u32 = 1;
/// `previous` of a tablet's first batch.
pub const FIRST_PREVIOUS: &str = "0000000000000000000000000000000000000000000000000000000000000000";
/// Highest batch number: a tablet hands in far fewer, and the bound keeps arithmetic safe.
pub const MAX_BATCH_NUMBER: u32 = 65_535;

/// What every batch of one meeting round shares: the meeting, its digest, the session and the
/// generators.
pub struct RoundContext<'a> {
    pub meeting: &'a Meeting,
    pub digest: [u8; 32],
    pub session: [u8; 16],
    pub generators: &'a Generators,
}

impl<'a> RoundContext<'a> {
    /// The round of `meeting` with `session`; the digest is computed here.
    pub fn new(meeting: &'a Meeting, session: [u8; 16], generators: &'a Generators) -> RoundContext<'a> {
        RoundContext {
            meeting,
            digest: super::commit::meeting_digest(meeting),
            session,
            generators,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BatchHeaderV1 {
    pub format: String,
    pub version: u32,
    pub meeting: String,
    pub session: String,
    pub tablet: String,
    pub number: u32,
    pub previous: String,
    pub closing: bool,
    pub groups: Vec<BatchGroupV1>,
    pub ballots: Vec<BatchBallotV1>,
    pub signature: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BatchGroupV1 {
    pub group: String,
    pub returned: u32,
    pub blank: String,
    pub cells: Vec<BatchCellV1>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BatchCellV1 {
    pub grades: String,
    pub status: String,
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BatchBallotV1 {
    pub group: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    pub commitment: String,
}

/// One ballot as handed in: no meeting id (the envelope is bound to the meeting), no time, no
/// number. `code` is the canonical code text in code mode.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RowV1 {
    pub group: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    pub marks: Vec<String>,
}

/// What the tablet seals to the host.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HandInV1 {
    pub header: BatchHeaderV1,
    /// The batch seed, base64 (32 bytes).
    pub seed: String,
    pub rows: Vec<RowV1>,
}

/// A hand-in as it travels: everything the host needs to rebuild the signed header from the
/// rows and the seed, without the header's commitment sums (most of its bytes).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HandInWireV1 {
    pub format: String,
    pub version: u32,
    pub tablet: String,
    pub number: u32,
    pub previous: String,
    pub closing: bool,
    pub seed: String,
    pub rows: Vec<RowV1>,
    /// The tablet's signature over the rebuilt header.
    pub signature: String,
    /// The tablet's signed hello, carried by every hand-in a tablet makes, so the host
    /// registers the tablet from whichever batch it opens first.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hello: Option<super::join::HelloV1>,
}

pub const WIRE_FORMAT: &str = "pingyi-hand-in";
pub const WIRE_VERSION: u32 = 1;

impl HandInV1 {
    /// The travelling form of this hand-in.
    pub fn to_wire(&self) -> HandInWireV1 {
        HandInWireV1 {
            format: WIRE_FORMAT.to_owned(),
            version: WIRE_VERSION,
            tablet: self.header.tablet.clone(),
            number: self.header.number,
            previous: self.header.previous.clone(),
            closing: self.header.closing,
            seed: self.seed.clone(),
            rows: self.rows.clone(),
            signature: self.header.signature.clone(),
            hello: None,
        }
    }
}

/// Where a tablet's chain of batches stands.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchChainHead {
    pub next_number: u32,
    pub previous: String,
}

impl Default for BatchChainHead {
    fn default() -> Self {
        BatchChainHead {
            next_number: 1,
            previous: FIRST_PREVIOUS.to_owned(),
        }
    }
}

impl BatchHeaderV1 {
    fn unsigned_bytes(&self) -> Vec<u8> {
        super::join::without_signature(self)
    }

    /// The batch digest: what the next header's `previous` holds and staff compare.
    pub fn digest(&self) -> String {
        hex(&self.digest_bytes())
    }

    fn digest_bytes(&self) -> [u8; 32] {
        Tagged::new("pingyi/v2/batch")
            .field(&canonical_bytes(self))
            .sha256()
    }

    /// The first 10 symbols of the digest in the code alphabet, for people to compare.
    pub fn digest_for_people(&self) -> String {
        let symbols = crate::domain::signing::digest_symbols(&self.digest_bytes(), 10);
        format!("{}-{}", &symbols[..5], &symbols[5..])
    }
}

pub fn row_of(meeting: &Meeting, ballot: &Ballot) -> RowV1 {
    let v1 = ballot.to_v1(meeting);
    RowV1 {
        group: meeting.groups()[ballot.group()].id.clone(),
        code: v1.code,
        marks: v1.marks,
    }
}

/// Why a ballot count cannot become a batch.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum MakeBatchError {
    #[error("本平板的交票批次已达上限 — this tablet has handed in the most batches it may")]
    TooManyBatches,
    #[error(
        "至少积累 {minimum} 张选票才能交票（结束时的最后一批除外），以免少数几张选票与投票人对应 — hand in at least {minimum} ballots at a time (except the closing batch), so that no batch can be tied to the few raters who used the tablet"
    )]
    TooFewBallots { minimum: u32 },
}

/// Makes the next hand-in of a tablet: rows sorted by content (so their order says nothing
/// about when they were cast), commitments with blindings from `seed`, the header signed. A
/// batch that is not the tablet's closing one must hold at least the minimum group size.
pub fn make_hand_in(
    round: &RoundContext<'_>,
    key: &DeviceKey,
    head: &BatchChainHead,
    ballots: &[Ballot],
    seed: [u8; 32],
    closing: bool,
) -> Result<(HandInV1, BatchChainHead), MakeBatchError> {
    if head.next_number == 0 || head.next_number > MAX_BATCH_NUMBER {
        return Err(MakeBatchError::TooManyBatches);
    }
    // The host sees each batch's rows: a batch of one ballot would be that rater's ballot.
    let minimum = round.meeting.min_breakdown_size();
    if !closing && (ballots.len() as u64) < u64::from(minimum) {
        return Err(MakeBatchError::TooFewBallots { minimum });
    }
    let mut pairs: Vec<(RowV1, &Ballot)> = ballots.iter().map(|b| (row_of(round.meeting, b), b)).collect();
    pairs.sort_by(|a, b| a.0.cmp(&b.0));
    let (rows, ordered): (Vec<RowV1>, Vec<&Ballot>) = pairs.into_iter().unzip();
    let (mut header, _) = header_of(round, &key.public_key(), head, &ordered, &seed, closing);
    header.signature = key.sign(&header.unsigned_bytes());
    let next = BatchChainHead {
        next_number: head.next_number + 1,
        previous: header.digest(),
    };
    let hand_in = HandInV1 {
        header,
        seed: base64_of(&seed),
        rows,
    };
    Ok((hand_in, next))
}

fn base64_of(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// The unsigned header of `ordered` ballots (in row order), and each ballot's commitment.
fn header_of(
    round: &RoundContext<'_>,
    tablet: &str,
    head: &BatchChainHead,
    ordered: &[&Ballot],
    seed: &[u8; 32],
    closing: bool,
) -> (BatchHeaderV1, Vec<BallotCommitment>) {
    let meeting = round.meeting;
    let presenters = meeting.presenters().len();
    let mut sums: Vec<GroupSums> = vec![GroupSums::empty(presenters); meeting.groups().len()];
    let mut entries = Vec::with_capacity(ordered.len());
    let mut commitments = Vec::with_capacity(ordered.len());
    for (i, ballot) in ordered.iter().enumerate() {
        let commitment = BallotCommitment::new(round.generators, ballot, seed, i as u32);
        sums[ballot.group()].add(&commitment);
        entries.push(BatchBallotV1 {
            group: meeting.groups()[ballot.group()].id.clone(),
            code: ballot.code().map(|c| hex(&code_digest(&round.digest, &c))),
            commitment: hex(&commitment.digest()),
        });
        commitments.push(commitment);
    }
    entries.sort_by(|a, b| {
        let position = |id: &str| meeting.group_index(id);
        (position(&a.group), &a.code, &a.commitment).cmp(&(position(&b.group), &b.code, &b.commitment))
    });
    let header = BatchHeaderV1 {
        format: BATCH_FORMAT.to_owned(),
        version: BATCH_VERSION,
        meeting: hex(&round.digest),
        session: hex(&round.session),
        tablet: tablet.to_owned(),
        number: head.next_number,
        previous: head.previous.clone(),
        closing,
        groups: meeting
            .groups()
            .iter()
            .zip(&sums)
            .filter(|(_, s)| s.returned > 0)
            .map(|(group, s)| BatchGroupV1 {
                group: group.id.clone(),
                returned: s.returned,
                blank: write_point(&s.blank),
                cells: s
                    .cells
                    .iter()
                    .map(|(g, st)| BatchCellV1 {
                        grades: write_point(g),
                        status: write_point(st),
                    })
                    .collect(),
            })
            .collect(),
        ballots: entries,
        signature: String::new(),
    };
    (header, commitments)
}

/// Why a batch header is refused.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum ReadBatchError {
    #[error("不是交票批次（格式 “{0}”）— not a hand-in batch (format “{0}”)")]
    WrongFormat(String),
    #[error("交票批次版本 {0} 不受支持 — batch version {0} is not supported")]
    UnsupportedVersion(u32),
    #[error("批次属于另一场会议 — the batch belongs to another meeting")]
    WrongMeeting,
    #[error(
        "批次属于本会议的另一轮（会话不同）— the batch belongs to another round of this meeting (other session)"
    )]
    WrongSession,
    #[error("批次编号 {0} 无效 — batch number {0} is not valid")]
    BadNumber(u32),
    #[error("批次的前序摘要格式无效 — the batch's link to its previous batch is malformed")]
    BadPrevious,
    #[error("平板签名无效：{0} — the tablet signature does not hold: {0}")]
    Signature(#[from] VerifySignatureError),
    #[error("批次中的评议人员类别 “{0}” 不存在或顺序不对 — group “{0}” is unknown, repeated or out of order")]
    BadGroup(String),
    #[error(
        "类别 “{group}” 交回 {returned} 张，清单列出 {listed} 张 — group “{group}” returned {returned}, the list holds {listed}"
    )]
    ReturnedMismatch {
        group: String,
        returned: u32,
        listed: u32,
    },
    #[error("批次中类别 “{0}” 的述职人员数与会议不符 — group “{0}” does not have one entry per presenter")]
    CellCount(String),
    #[error("批次中有无效的承诺：{0} — a commitment in the batch is not valid: {0}")]
    Point(#[from] ReadPointError),
    #[error("批次的选票清单格式无效或未排序 — the batch's ballot list is malformed, repeated or not sorted")]
    BadBallotList,
}

/// A batch header that passed every check of its own: points decoded.
#[derive(Clone, Debug)]
pub struct CheckedBatch {
    pub header: BatchHeaderV1,
    /// Per meeting group: the sums (empty sums for groups without ballots here).
    pub sums: Vec<GroupSums>,
}

/// Checks a header on its own against the round it claims (signature, ids, shape, points).
pub fn check_header(
    round: &RoundContext<'_>,
    header: &BatchHeaderV1,
) -> Result<CheckedBatch, ReadBatchError> {
    use ReadBatchError as E;
    if header.format != BATCH_FORMAT {
        return Err(E::WrongFormat(header.format.clone()));
    }
    if header.version != BATCH_VERSION {
        return Err(E::UnsupportedVersion(header.version));
    }
    if header.meeting != hex(&round.digest) {
        return Err(E::WrongMeeting);
    }
    if header.session != hex(&round.session) {
        return Err(E::WrongSession);
    }
    if header.number == 0 || header.number > MAX_BATCH_NUMBER {
        return Err(E::BadNumber(header.number));
    }
    if parse_hex::<32>(&header.previous).is_none()
        || (header.number == 1) != (header.previous == FIRST_PREVIOUS)
    {
        return Err(E::BadPrevious);
    }
    verify(&header.tablet, &header.unsigned_bytes(), &header.signature)?;
    let meeting = round.meeting;
    let presenters = meeting.presenters().len();
    let mut sums = vec![GroupSums::empty(presenters); meeting.groups().len()];
    let mut last_group: Option<usize> = None;
    for group in &header.groups {
        let g = meeting
            .group_index(&group.group)
            .filter(|&g| last_group.is_none_or(|last| g > last))
            .ok_or_else(|| E::BadGroup(group.group.clone()))?;
        last_group = Some(g);
        let listed = header.ballots.iter().filter(|b| b.group == group.group).count() as u32;
        if group.returned == 0 || group.returned != listed {
            return Err(E::ReturnedMismatch {
                group: group.group.clone(),
                returned: group.returned,
                listed,
            });
        }
        if group.cells.len() != presenters {
            return Err(E::CellCount(group.group.clone()));
        }
        let s = &mut sums[g];
        s.returned = group.returned;
        s.blank = read_point(&group.blank)?;
        for (slot, cell) in s.cells.iter_mut().zip(&group.cells) {
            *slot = (read_point(&cell.grades)?, read_point(&cell.status)?);
        }
    }
    check_ballot_list(round, header)?;
    Ok(CheckedBatch {
        header: header.clone(),
        sums,
    })
}

fn check_ballot_list(round: &RoundContext<'_>, header: &BatchHeaderV1) -> Result<(), ReadBatchError> {
    let meeting = round.meeting;
    let uses_codes = meeting.credential() == CredentialMode::Code;
    let mut previous: Option<(usize, &Option<String>, &String)> = None;
    let mut seen = HashSet::new();
    for entry in &header.ballots {
        let group = meeting
            .group_index(&entry.group)
            .ok_or(ReadBatchError::BadBallotList)?;
        let code_ok = match &entry.code {
            Some(code) => uses_codes && parse_hex::<32>(code).is_some(),
            None => !uses_codes,
        };
        if !code_ok || parse_hex::<32>(&entry.commitment).is_none() || !seen.insert(&entry.commitment) {
            return Err(ReadBatchError::BadBallotList);
        }
        let key = (group, &entry.code, &entry.commitment);
        if previous.is_some_and(|p| p >= key) {
            return Err(ReadBatchError::BadBallotList);
        }
        previous = Some(key);
    }
    // Every listed ballot belongs to a group block (each block's count was matched above).
    let returned: u64 = header.groups.iter().map(|g| u64::from(g.returned)).sum();
    if returned != header.ballots.len() as u64 {
        return Err(ReadBatchError::BadBallotList);
    }
    Ok(())
}

/// Why the host refuses a hand-in.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum OpenHandInError {
    #[error("{0}")]
    Header(#[from] ReadBatchError),
    #[error("批次种子格式无效 — the batch seed is malformed")]
    BadSeed,
    #[error("第 {number} 张选票无效：{error} — ballot no. {number} is not valid: {error}")]
    Row { number: usize, error: ParseBallotError },
    #[error(
        "第 {0} 张选票的选票码不是规范写法或与类别不符 — ballot no. {0}: the code is not in canonical form or does not match its group"
    )]
    RowCode(usize),
    #[error("选票内容与平板签署的承诺不符 — the ballots do not match the commitments the tablet signed")]
    CommitmentMismatch,
    #[error(
        "交来的选票未按内容排序（可能泄露投票顺序）— the ballots are not sorted by content (their order could follow the voting)"
    )]
    RowsNotSorted,
}

/// A hand-in the host has opened: its header checked and its rows matching it.
#[derive(Clone, Debug)]
pub struct OpenedBatch {
    pub checked: CheckedBatch,
    /// The rows as ballots, in row order, each with its commitment.
    pub ballots: Vec<(Ballot, BallotCommitment)>,
    /// The batch seed: the host needs it for the blinding sums it publishes.
    pub seed: [u8; 32],
}

/// Parses one row against the meeting; the code must be written canonically.
pub fn ballot_of_row(meeting: &Meeting, row: &RowV1, number: usize) -> Result<Ballot, OpenHandInError> {
    let uses_codes = meeting.credential() == CredentialMode::Code;
    let raw = BallotV1 {
        meeting: meeting.id().to_owned(),
        code: row.code.clone(),
        group: (!uses_codes).then(|| row.group.clone()),
        marks: row.marks.clone(),
    };
    let ballot = Ballot::from_v1(&raw, meeting).map_err(|error| OpenHandInError::Row { number, error })?;
    if let Credential::Code(code) = ballot.credential() {
        let canonical = row.code.as_deref() == Some(code.to_string().as_str());
        if !canonical || meeting.groups()[code.group()].id != row.group {
            return Err(OpenHandInError::RowCode(number));
        }
    }
    Ok(ballot)
}

/// Opens a hand-in on the host: checks the header, rebuilds it from the rows and the seed, and
/// requires every field to match what the tablet signed.
pub fn open_hand_in(round: &RoundContext<'_>, hand_in: &HandInV1) -> Result<OpenedBatch, OpenHandInError> {
    let checked = check_header(round, &hand_in.header)?;
    let (rebuilt, ballots, seed) = rebuild(round, &hand_in.to_wire())?;
    if rebuilt != hand_in.header {
        return Err(OpenHandInError::CommitmentMismatch);
    }
    check_row_order(&hand_in.rows)?;
    Ok(OpenedBatch {
        checked,
        ballots,
        seed,
    })
}

/// Opens a hand-in in its travelling form: rebuilds the header from the rows and the seed,
/// then checks it; the tablet's signature covers the rebuilt header.
pub fn open_wire(round: &RoundContext<'_>, wire: &HandInWireV1) -> Result<OpenedBatch, OpenHandInError> {
    if wire.format != WIRE_FORMAT {
        return Err(ReadBatchError::WrongFormat(wire.format.clone()).into());
    }
    if wire.version != WIRE_VERSION {
        return Err(ReadBatchError::UnsupportedVersion(wire.version).into());
    }
    let (header, ballots, seed) = rebuild(round, wire)?;
    let checked = check_header(round, &header)?;
    check_row_order(&wire.rows)?;
    Ok(OpenedBatch {
        checked,
        ballots,
        seed,
    })
}

/// The rows of a hand-in as ballots, each with its commitment.
type OpenedRows = Vec<(Ballot, BallotCommitment)>;

/// Rows must come sorted by content, as `make_hand_in` sorts them: a tablet that signed them in
/// another order (say, the order they were cast) is refused rather than showing that order to
/// the host. Checked after the signature, so altered rows are reported as altered.
fn check_row_order(rows: &[RowV1]) -> Result<(), OpenHandInError> {
    if rows.is_sorted() {
        Ok(())
    } else {
        Err(OpenHandInError::RowsNotSorted)
    }
}

/// The header the rows and seed of a hand-in make (with the signature it came with), the rows
/// with their commitments, and the seed.
fn rebuild(
    round: &RoundContext<'_>,
    wire: &HandInWireV1,
) -> Result<(BatchHeaderV1, OpenedRows, [u8; 32]), OpenHandInError> {
    let seed = decode_seed(&wire.seed)?;
    let ballots = wire
        .rows
        .iter()
        .enumerate()
        .map(|(i, row)| ballot_of_row(round.meeting, row, i + 1))
        .collect::<Result<Vec<_>, _>>()?;
    let ordered: Vec<&Ballot> = ballots.iter().collect();
    let head = BatchChainHead {
        next_number: wire.number,
        previous: wire.previous.clone(),
    };
    let (mut header, commitments) = header_of(round, &wire.tablet, &head, &ordered, &seed, wire.closing);
    header.signature = wire.signature.clone();
    Ok((header, ballots.into_iter().zip(commitments).collect(), seed))
}

fn decode_seed(text: &str) -> Result<[u8; 32], OpenHandInError> {
    use base64::Engine;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(text)
        .map_err(|_| OpenHandInError::BadSeed)?;
    bytes.try_into().map_err(|_| OpenHandInError::BadSeed)
}

/// A break in one tablet's chain of batches.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum BatchChainProblem {
    #[error(
        "平板 {tablet} 有两个不同的第 {number} 批 — tablet {tablet} has two different batches numbered {number}"
    )]
    Fork { tablet: String, number: u32 },
    #[error("平板 {tablet} 缺少第 {from} 至 {to} 批 — tablet {tablet}: batches {from} to {to} are missing")]
    Gap { tablet: String, from: u32, to: u32 },
    #[error(
        "平板 {tablet} 的第 {number} 批与前一批不衔接 — tablet {tablet}: batch {number} does not link to the one before"
    )]
    BrokenLink { tablet: String, number: u32 },
    #[error("平板 {tablet} 的收尾批次之后还有批次 — tablet {tablet} has batches after its closing batch")]
    AfterClosing { tablet: String },
    #[error("平板 {tablet} 没有收尾批次 — tablet {tablet} has no closing batch")]
    NotClosed { tablet: String },
}

/// Checks every tablet's chain among `headers` (each already checked on its own). A tablet
/// named in `registered` with no batch at all has a gap from 1.
pub fn check_batch_chains(registered: &[String], headers: &[BatchHeaderV1]) -> Vec<BatchChainProblem> {
    let mut by_tablet: BTreeMap<&str, BTreeMap<u32, &BatchHeaderV1>> = BTreeMap::new();
    for tablet in registered {
        by_tablet.entry(tablet).or_default();
    }
    let mut problems = Vec::new();
    let name = |tablet: &str| fingerprint(tablet).unwrap_or_else(|| tablet.to_owned());
    for header in headers {
        let chain = by_tablet.entry(&header.tablet).or_default();
        match chain.get(&header.number) {
            Some(existing) if *existing != header => problems.push(BatchChainProblem::Fork {
                tablet: name(&header.tablet),
                number: header.number,
            }),
            Some(_) => {}
            None => {
                chain.insert(header.number, header);
            }
        }
    }
    for (tablet, chain) in by_tablet {
        let mut expected: u32 = 1;
        let mut previous: Option<&BatchHeaderV1> = None;
        for (&number, header) in &chain {
            if number > expected {
                problems.push(BatchChainProblem::Gap {
                    tablet: name(tablet),
                    from: expected,
                    to: number - 1,
                });
            } else {
                let link = previous.map_or_else(|| FIRST_PREVIOUS.to_owned(), |p| p.digest());
                if header.previous != link {
                    problems.push(BatchChainProblem::BrokenLink {
                        tablet: name(tablet),
                        number,
                    });
                }
            }
            if previous.is_some_and(|p| p.closing) {
                problems.push(BatchChainProblem::AfterClosing { tablet: name(tablet) });
            }
            previous = Some(header);
            expected = number.saturating_add(1);
        }
        if !previous.is_some_and(|p| p.closing) {
            problems.push(BatchChainProblem::NotClosed { tablet: name(tablet) });
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::demo::small_meeting;
    use crate::domain::sample::random_ballots;

    /// A tablet that signed its rows in another order than sorted (say, as they were cast) is
    /// refused by the host, whichever form the hand-in arrives in.
    #[test]
    fn rows_signed_in_another_order_than_sorted_are_refused() {
        let meeting = small_meeting("open");
        let generators = Generators::for_meeting(&meeting);
        let round = RoundContext::new(&meeting, [1; 16], &generators);
        let ballots = random_ballots(&meeting, 4, 3);
        let mut pairs: Vec<(RowV1, &Ballot)> = ballots.iter().map(|b| (row_of(&meeting, b), b)).collect();
        pairs.sort_by(|a, b| b.0.cmp(&a.0));
        let (rows, ordered): (Vec<RowV1>, Vec<&Ballot>) = pairs.into_iter().unzip();
        assert!(!rows.is_sorted());
        let key = DeviceKey::from_seed([2; 32]);
        let (mut header, _) = header_of(
            &round,
            &key.public_key(),
            &BatchChainHead::default(),
            &ordered,
            &[5; 32],
            true,
        );
        header.signature = key.sign(&header.unsigned_bytes());
        let hand_in = HandInV1 {
            header,
            seed: base64_of(&[5; 32]),
            rows,
        };
        let result = open_hand_in(&round, &hand_in);
        assert!(
            matches!(result, Err(OpenHandInError::RowsNotSorted)),
            "{:?}",
            result.err()
        );
        assert!(matches!(
            open_wire(&round, &hand_in.to_wire()),
            Err(OpenHandInError::RowsNotSorted)
        ));
    }
}
