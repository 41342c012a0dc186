//! The tablet's side of the meeting: joining from the host's link, the kiosk loop of one
//! rater after another, and the ballots it holds until staff hand them in.
//!
//! [`JoinV1`] is what the host's QR code / link carries (compressed into the URL fragment by
//! [`encode_join`]); [`TabletStateV1`] is what the tablet stores on join, submit and hand-in;
//! [`TabletDraftV1`] is the ballot being filled in, stored after every tap; [`Kiosk`] is the
//! checked value the screens use.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::ballot::{
    BALLOT_FILE_FORMAT, BALLOT_FILE_VERSION, BallotDraft, BallotFileV1, Credential, DraftMark,
    IncompleteBallotError, ParseBallotError,
};
use super::code::{BallotCode, ParseCodeError};
use super::meeting::{CredentialMode, Meeting, MeetingFileV1, ParseMeetingError};
use super::record::join::{CheckJoinError, SIGNED_JOIN_VERSION, SignedJoinV2};
use super::signed_ballot::{ChainHead, SignedBallotV1};
use super::signing::{DeviceKey, fingerprint, sha256_hex};

/// Format id of the join payload (host link / QR / meeting file for tablets).
pub const JOIN_FORMAT: &str = "pingyi-join";
pub const JOIN_VERSION: u32 = 1;
/// Format id of the tablet's stored state.
pub const TABLET_STATE_FORMAT: &str = "pingyi-tablet-state";
pub const TABLET_STATE_VERSION: u32 = 1;
/// Largest join payload accepted once decompressed, so a hostile link cannot exhaust memory.
pub const MAX_JOIN_BYTES: usize = 1024 * 1024;
/// Most ballots one tablet holds.
pub const MAX_HELD: usize = 2000;

/// What a tablet needs to join: the meeting and the host's public key.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JoinV1 {
    pub format: String,
    pub version: u32,
    pub meeting: MeetingFileV1,
    /// The host laptop's public key (base64), shown on the tablet as a fingerprint.
    pub host: String,
}

impl JoinV1 {
    pub fn new(meeting: &Meeting, host_public_key: &str) -> JoinV1 {
        JoinV1 {
            format: JOIN_FORMAT.to_owned(),
            version: JOIN_VERSION,
            meeting: meeting.to_file(),
            host: host_public_key.to_owned(),
        }
    }
}

/// Why a join link or file cannot be used.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum JoinError {
    #[error(
        "链接不完整或已损坏，请重新扫描主持人的二维码 — the link is incomplete or damaged; scan the host's QR code again"
    )]
    Damaged,
    #[error("链接内容过大 — the link content is too large")]
    TooLarge,
    #[error("这不是评议会议的加入信息（格式 “{0}”）— this is not a Pingyi join link (format “{0}”)")]
    WrongFormat(String),
    #[error("加入信息版本 {0} 不受支持，请更新本应用 — join version {0} is not supported; update the app")]
    UnsupportedVersion(u32),
    #[error("会议内容无效：{0} — the meeting is not valid: {0}")]
    Meeting(#[from] ParseMeetingError),
    #[error("主持人公钥无效 — the host key is not valid")]
    HostKey,
    #[error(
        "这是旧版未签名的加入链接，已拒绝：请主持人用本版本重新生成 — this is an unsigned join link of an earlier version, refused: ask the host for a new one"
    )]
    Unsigned,
    #[error(
        "加入信息的主持人签名无效或内容被改动，已拒绝：{0} — the join's host signature does not hold or its content was altered; refused: {0}"
    )]
    Signed(CheckJoinError),
}

/// The join payload as URL-fragment text: raw DEFLATE of the JSON, base64url without padding.
pub fn encode_join(join: &JoinV1) -> String {
    let json = serde_json::to_vec(join).unwrap_or_default();
    URL_SAFE_NO_PAD.encode(miniz_oxide::deflate::compress_to_vec(&json, 9))
}

/// The signed join (record format 2) as URL-fragment text: raw DEFLATE of the JSON, base64url
/// without padding — the same packing as [`encode_join`].
pub fn encode_signed_join(join: &SignedJoinV2) -> String {
    let json = serde_json::to_vec(join).unwrap_or_default();
    URL_SAFE_NO_PAD.encode(miniz_oxide::deflate::compress_to_vec(&json, 9))
}

/// Reads a signed join from fragment text ([`encode_signed_join`]) or plain JSON (a join file
/// for tablets), and checks the host's signature over it. An unsigned join of an earlier
/// build (version 1) is refused.
pub fn decode_signed_join(text: &str) -> Result<SignedJoinV2, JoinError> {
    let json = join_json(text)?;
    #[derive(Deserialize)]
    struct Head {
        format: String,
        version: u32,
    }
    let head: Head = serde_json::from_str(&json).map_err(|_| JoinError::Damaged)?;
    if head.format != JOIN_FORMAT {
        return Err(JoinError::WrongFormat(head.format));
    }
    if head.version == JOIN_VERSION {
        return Err(JoinError::Unsigned);
    }
    if head.version != SIGNED_JOIN_VERSION {
        return Err(JoinError::UnsupportedVersion(head.version));
    }
    let join: SignedJoinV2 = serde_json::from_str(&json).map_err(|_| JoinError::Damaged)?;
    join.check().map_err(JoinError::Signed)?;
    Ok(join)
}

/// The JSON of a join from fragment text or plain JSON, size-limited. Text, not bytes: the
/// tablet reads its stored records with `serde_json::from_str`, and reading joins the same way
/// links one copy of each type's JSON reader instead of two (docs/performance.md).
fn join_json(text: &str) -> Result<String, JoinError> {
    let text = text.trim();
    let json = if text.starts_with('{') {
        text.as_bytes().to_vec()
    } else {
        let packed = URL_SAFE_NO_PAD.decode(text).map_err(|_| JoinError::Damaged)?;
        miniz_oxide::inflate::decompress_to_vec_with_limit(&packed, MAX_JOIN_BYTES).map_err(|e| {
            match e.status {
                miniz_oxide::inflate::TINFLStatus::HasMoreOutput => JoinError::TooLarge,
                _ => JoinError::Damaged,
            }
        })?
    };
    if json.len() > MAX_JOIN_BYTES {
        return Err(JoinError::TooLarge);
    }
    String::from_utf8(json).map_err(|_| JoinError::Damaged)
}

/// Reads a join payload from fragment text ([`encode_join`]) or from plain JSON (a meeting
/// file for tablets).
pub fn decode_join(text: &str) -> Result<(JoinV1, Meeting), JoinError> {
    let json = join_json(text)?;
    #[derive(Deserialize)]
    struct Head {
        format: String,
        version: u32,
    }
    let head: Head = serde_json::from_str(&json).map_err(|_| JoinError::Damaged)?;
    if head.format != JOIN_FORMAT {
        return Err(JoinError::WrongFormat(head.format));
    }
    if head.version != JOIN_VERSION {
        return Err(JoinError::UnsupportedVersion(head.version));
    }
    let join: JoinV1 = serde_json::from_str(&json).map_err(|_| JoinError::Damaged)?;
    fingerprint(&join.host).ok_or(JoinError::HostKey)?;
    let meeting = Meeting::try_from(join.meeting.clone())?;
    Ok((join, meeting))
}

/// A ballot being filled in, as stored after every tap: the credential and one entry per
/// presenter — a digit per aspect with "-" where no grade is chosen yet, or "R" / "A".
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DraftV1 {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    pub marks: Vec<String>,
}

/// The PIN that guards hand-in: salted SHA-256, never the PIN itself.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PinV1 {
    pub salt: String,
    pub hash: String,
}

impl PinV1 {
    /// The stored form of `pin` (checked for shape) with a random `salt`.
    pub fn new(salt: &str, pin: &str) -> Result<PinV1, PinError> {
        check_pin_shape(pin)?;
        Ok(PinV1 {
            salt: salt.to_owned(),
            hash: pin_hash(salt, pin),
        })
    }

    /// Whether `pin` is the one stored.
    pub fn check(&self, pin: &str) -> Result<(), PinError> {
        check_pin_shape(pin)?;
        if pin_hash(&self.salt, pin) == self.hash {
            Ok(())
        } else {
            Err(PinError::Wrong)
        }
    }
}

/// Everything the tablet keeps apart from the open ballot: stored on join, submit and hand-in.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TabletStateV1 {
    pub format: String,
    pub version: u32,
    pub join: JoinV1,
    pub chain: ChainHead,
    /// Every ballot submitted on this tablet for this meeting, in order.
    pub held: Vec<SignedBallotV1>,
    /// How many of `held` (from the start) the staff confirmed the host received.
    pub confirmed: u32,
    pub pin: PinV1,
    /// What staff did with the ballots on this tablet: opening the hand-in with the PIN
    /// (and refused PINs), exporting the ballot file, and confirming the host's count.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub log: Vec<TabletLogEntryV1>,
}

/// One line of the tablet's own log.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TabletLogEntryV1 {
    /// ISO 8601, UTC.
    pub time: String,
    #[serde(flatten)]
    pub event: TabletEvent,
}

/// What happened on the tablet's staff screen.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum TabletEvent {
    /// The tablet joined the meeting and staff set the hand-in PIN, having seen this host
    /// fingerprint.
    Joined { host_fingerprint: String },
    /// The hand-in screen was opened with the right PIN, holding `held` ballots.
    HandInOpened { held: usize },
    /// A PIN was refused on the hand-in screen.
    PinRefused,
    /// The ballot file was saved, with `ballots` ballots.
    BallotFileExported { ballots: usize },
    /// Staff confirmed the host received all `count` ballots.
    HandInConfirmed { count: usize },
    /// Staff tried to confirm, but the host's count differed from the tablet's.
    HandInRefused { host: usize, tablet: usize },
    /// Record format 2: a batch of `ballots` was sealed to the host.
    BatchSealed {
        number: u32,
        ballots: usize,
        closing: bool,
    },
    /// Record format 2: staff typed the digest the host showed for batch `number`.
    BatchConfirmed { number: u32 },
}

/// Format id of the ballot being filled in, stored on its own (every tap writes only this).
pub const TABLET_DRAFT_FORMAT: &str = "pingyi-tablet-draft";
pub const TABLET_DRAFT_VERSION: u32 = 1;

/// The ballot of the rater now at the tablet, as stored after every tap — apart from the
/// tablet state, so a tap never rewrites the ballots already submitted.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TabletDraftV1 {
    pub format: String,
    pub version: u32,
    /// The meeting this ballot belongs to.
    pub meeting: String,
    pub draft: DraftV1,
}

/// Why a stored tablet state cannot be opened.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum ReadTabletStateError {
    #[error("这不是评议平板数据（格式 “{0}”）— this is not Pingyi tablet data (format “{0}”)")]
    WrongFormat(String),
    #[error("平板数据版本 {0} 不受支持 — tablet data version {0} is not supported")]
    UnsupportedVersion(u32),
    #[error("{0}")]
    Join(#[from] JoinError),
    #[error("未完成的选票无法读取 — the unfinished ballot cannot be read")]
    Draft,
}

/// Why a rater cannot start.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum StartError {
    #[error("{0}")]
    Code(#[from] ParseCodeError),
    #[error("{0}")]
    Credential(#[from] ParseBallotError),
    #[error("这个选票码已在本平板上使用过 — this code was already used on this tablet")]
    AlreadyUsed,
    #[error("上一位评议人的选票尚未提交 — the previous rater's ballot is not submitted yet")]
    DraftOpen,
    #[error("本次会议使用选票码 — this meeting uses ballot codes")]
    NeedsCode,
    #[error("本次会议不使用选票码，请选择评议人员类别 — this meeting has no codes; choose your rater group")]
    NeedsGroup,
}

/// Why the PIN was not accepted.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum PinError {
    #[error("PIN 须为 4 至 8 位数字 — the PIN must be 4 to 8 digits")]
    Shape,
    #[error("PIN 不正确 — wrong PIN")]
    Wrong,
    #[error(
        "连续 {PIN_TRIES} 次 PIN 错误，请 {seconds} 秒后再试 — {PIN_TRIES} wrong PINs in a row: try again in {seconds} s"
    )]
    Locked { seconds: i64 },
}

/// Wrong PINs in a row that lock the hand-in screen, so a curious rater cannot try PINs to
/// reach the ballots; the lock lasts [`PIN_LOCK_SECONDS`] from the last wrong one. The count
/// is read from the tablet's stored log, so neither a reload nor reopening the screen resets it.
pub const PIN_TRIES: usize = 3;
pub const PIN_LOCK_SECONDS: i64 = 60;

/// How many seconds a tablet whose staff log is `log` stays locked at `time`: after every
/// [`PIN_TRIES`] refused PINs in a row, [`PIN_LOCK_SECONDS`] from the last; None when a PIN
/// may be tried.
pub fn pin_locked_for(log: &[TabletLogEntryV1], time: &str) -> Option<i64> {
    let refused: Vec<&TabletLogEntryV1> = log
        .iter()
        .rev()
        .take_while(|e| e.event == TabletEvent::PinRefused)
        .collect();
    if refused.is_empty() || !refused.len().is_multiple_of(PIN_TRIES) {
        return None;
    }
    // A clock that cannot be read locks for the whole time rather than not at all.
    let left = match (utc_seconds(&refused[0].time), utc_seconds(time)) {
        (Some(last), Some(now)) => last + PIN_LOCK_SECONDS - now,
        _ => PIN_LOCK_SECONDS,
    };
    (left > 0).then_some(left.min(PIN_LOCK_SECONDS))
}

/// Seconds since 1970 of an ISO 8601 UTC time as the browser writes it
/// (`2026-11-27T12:00:09.000Z`); None for any other text.
pub fn utc_seconds(time: &str) -> Option<i64> {
    let b = time.as_bytes();
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || b[10] != b'T' || b[13] != b':' || b[16] != b':' {
        return None;
    }
    let number = |from: usize, to: usize| -> Option<i64> { time.get(from..to)?.parse().ok() };
    let (y, m, d) = (number(0, 4)?, number(5, 7)?, number(8, 10)?);
    let (hh, mm, ss) = (number(11, 13)?, number(14, 16)?, number(17, 19)?);
    if !(1..=12).contains(&m)
        || !(1..=31).contains(&d)
        || hh > 23
        || mm > 59
        || ss > 60
        || !time.ends_with('Z')
    {
        return None;
    }
    // Days from civil (Howard Hinnant's algorithm).
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(days * 86_400 + hh * 3_600 + mm * 60 + ss)
}

/// Why a hand-in cannot be confirmed.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum ConfirmError {
    #[error(
        "主持人收到 {host} 张，本平板有 {tablet} 张，请先补交 — the host has {host}, this tablet holds {tablet}; hand in the rest first"
    )]
    CountMismatch { host: usize, tablet: usize },
    #[error("{0}")]
    Pin(#[from] PinError),
}

/// One tap on the rating form.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tap {
    Grade {
        presenter: usize,
        aspect: usize,
        grade: u8,
    },
    Fill {
        presenter: usize,
        grade: u8,
    },
    Recuse {
        presenter: usize,
    },
    Abstain {
        presenter: usize,
    },
    /// Back to rating after a recusal or abstention (grades start empty).
    Rate {
        presenter: usize,
    },
}

/// Applies one tap to a draft (the tablet's ballot, or the host's paper ballot).
pub fn apply_tap(draft: &mut BallotDraft, tap: Tap) {
    match tap {
        Tap::Grade {
            presenter,
            aspect,
            grade,
        } => draft.set_grade(presenter, aspect, grade),
        Tap::Fill { presenter, grade } => draft.fill_presenter(presenter, grade),
        Tap::Recuse { presenter } => draft.set_recused(presenter),
        Tap::Abstain { presenter } => draft.set_abstained(presenter),
        Tap::Rate { presenter } => {
            if !matches!(draft.marks().get(presenter), Some(DraftMark::Rating(_))) {
                draft.clear_presenter(presenter);
            }
        }
    }
}

fn check_pin_shape(pin: &str) -> Result<(), PinError> {
    if (4..=8).contains(&pin.len()) && pin.bytes().all(|b| b.is_ascii_digit()) {
        Ok(())
    } else {
        Err(PinError::Shape)
    }
}

fn pin_hash(salt: &str, pin: &str) -> String {
    sha256_hex(format!("pingyi-pin-v1\n{salt}\n{pin}").as_bytes())
}

pub(crate) fn draft_to_v1(draft: &BallotDraft, meeting: &Meeting) -> DraftV1 {
    let (code, group) = match draft.credential() {
        Credential::Code(code) => (Some(code.to_string()), None),
        Credential::Group(g) => (None, Some(meeting.groups()[g].id.clone())),
    };
    let marks = draft
        .marks()
        .iter()
        .map(|m| match m {
            DraftMark::Rating(slots) => slots
                .iter()
                .map(|s| s.map_or('-', |g| char::from(b'1' + g)))
                .collect(),
            DraftMark::Recused => "R".to_owned(),
            DraftMark::Abstained => "A".to_owned(),
        })
        .collect();
    DraftV1 { code, group, marks }
}

pub(crate) fn draft_from_v1(saved: &DraftV1, meeting: &Meeting) -> Option<BallotDraft> {
    let credential = match (&saved.code, &saved.group) {
        (Some(code), None) => Credential::Code(BallotCode::parse(code).ok()?),
        (None, Some(group)) => Credential::Group(meeting.group_index(group)?),
        _ => return None,
    };
    let credential = credential.check(meeting).ok()?;
    if saved.marks.len() != meeting.presenters().len() {
        return None;
    }
    let mut draft = BallotDraft::new(meeting, credential);
    for (p, mark) in saved.marks.iter().enumerate() {
        match mark.as_str() {
            "R" => draft.set_recused(p),
            "A" => draft.set_abstained(p),
            digits if digits.chars().count() == meeting.aspects().len() => {
                for (a, c) in digits.chars().enumerate() {
                    match c {
                        '-' => {}
                        '1'..='9' if (c as u8 - b'1') < meeting.grades().len() as u8 => {
                            draft.set_grade(p, a, c as u8 - b'1');
                        }
                        _ => return None,
                    }
                }
            }
            _ => return None,
        }
    }
    Some(draft)
}

/// The tablet, checked: meeting valid, draft readable.
#[derive(Clone, Debug)]
pub struct Kiosk {
    meeting: Meeting,
    state: TabletStateV1,
    draft: Option<BallotDraft>,
}

impl Kiosk {
    /// Joins the meeting read by [`decode_join`]. The staff member sets the hand-in PIN
    /// now; `salt` is random. The join is the first line of the tablet's log.
    pub fn join(
        (join, meeting): (JoinV1, Meeting),
        pin: &str,
        salt: &str,
        time: &str,
    ) -> Result<Kiosk, PinError> {
        let pin = PinV1::new(salt, pin)?;
        let joined = TabletLogEntryV1 {
            time: time.to_owned(),
            event: TabletEvent::Joined {
                host_fingerprint: fingerprint(&join.host).unwrap_or_default(),
            },
        };
        Ok(Kiosk {
            state: TabletStateV1 {
                format: TABLET_STATE_FORMAT.to_owned(),
                version: TABLET_STATE_VERSION,
                join,
                chain: ChainHead::default(),
                held: Vec::new(),
                confirmed: 0,
                pin,
                log: vec![joined],
            },
            meeting,
            draft: None,
        })
    }

    /// Opens stored tablet data and the stored open ballot, if any. A stored ballot of another
    /// meeting, or one whose code was already submitted here, is left out.
    pub fn from_stored(
        state: TabletStateV1,
        draft: Option<TabletDraftV1>,
    ) -> Result<Kiosk, ReadTabletStateError> {
        if state.format != TABLET_STATE_FORMAT {
            return Err(ReadTabletStateError::WrongFormat(state.format));
        }
        if state.version != TABLET_STATE_VERSION {
            return Err(ReadTabletStateError::UnsupportedVersion(state.version));
        }
        let meeting = Meeting::try_from(state.join.meeting.clone()).map_err(JoinError::from)?;
        let draft = match draft {
            Some(saved) if saved.format != TABLET_DRAFT_FORMAT || saved.version != TABLET_DRAFT_VERSION => {
                return Err(ReadTabletStateError::Draft);
            }
            Some(saved)
                if saved.meeting == meeting.id()
                    && !saved
                        .draft
                        .code
                        .as_ref()
                        .is_some_and(|c| state.held.iter().any(|b| b.ballot.code.as_ref() == Some(c))) =>
            {
                Some(draft_from_v1(&saved.draft, &meeting).ok_or(ReadTabletStateError::Draft)?)
            }
            _ => None,
        };
        Ok(Kiosk {
            meeting,
            state,
            draft,
        })
    }

    pub fn state(&self) -> &TabletStateV1 {
        &self.state
    }
    pub fn meeting(&self) -> &Meeting {
        &self.meeting
    }
    pub fn draft(&self) -> Option<&BallotDraft> {
        self.draft.as_ref()
    }
    pub fn host_fingerprint(&self) -> String {
        fingerprint(&self.state.join.host).unwrap_or_default()
    }
    pub fn held(&self) -> &[SignedBallotV1] {
        &self.state.held
    }
    /// Ballots not yet confirmed as received by the host.
    pub fn unconfirmed(&self) -> usize {
        self.state.held.len() - self.state.confirmed as usize
    }
    /// The tracker of the newest ballot (the chain head the host must show too).
    pub fn chain_head(&self) -> Option<String> {
        self.state.held.last().map(SignedBallotV1::tracker)
    }

    fn codes_used(&self) -> impl Iterator<Item = &str> {
        self.state.held.iter().filter_map(|b| b.ballot.code.as_deref())
    }

    /// Starts a ballot from the code on the rater's slip; a typo is caught by the check
    /// symbol before any rating starts.
    pub fn start_with_code(&mut self, text: &str) -> Result<(), StartError> {
        if self.draft.is_some() {
            return Err(StartError::DraftOpen);
        }
        if self.meeting.credential() != CredentialMode::Code {
            return Err(StartError::NeedsGroup);
        }
        let code = BallotCode::parse(text)?;
        let credential = Credential::Code(code).check(&self.meeting)?;
        let shown = code.to_string();
        if self.codes_used().any(|used| used == shown) {
            return Err(StartError::AlreadyUsed);
        }
        self.set_draft(Some(BallotDraft::new(&self.meeting, credential)));
        Ok(())
    }

    /// Starts a ballot in open mode for the group the rater chose.
    pub fn start_with_group(&mut self, group: usize) -> Result<(), StartError> {
        if self.draft.is_some() {
            return Err(StartError::DraftOpen);
        }
        if self.meeting.credential() != CredentialMode::Open {
            return Err(StartError::NeedsCode);
        }
        let credential = Credential::Group(group).check(&self.meeting)?;
        self.set_draft(Some(BallotDraft::new(&self.meeting, credential)));
        Ok(())
    }

    fn set_draft(&mut self, draft: Option<BallotDraft>) {
        self.draft = draft;
    }

    /// The open ballot as stored after every tap (None once submitted or discarded).
    pub fn stored_draft(&self) -> Option<TabletDraftV1> {
        self.draft.as_ref().map(|d| TabletDraftV1 {
            format: TABLET_DRAFT_FORMAT.to_owned(),
            version: TABLET_DRAFT_VERSION,
            meeting: self.meeting.id().to_owned(),
            draft: draft_to_v1(d, &self.meeting),
        })
    }

    /// Applies one tap to the ballot being filled in (ignored when there is none).
    pub fn tap(&mut self, tap: Tap) {
        let Some(mut draft) = self.draft.take() else {
            return;
        };
        apply_tap(&mut draft, tap);
        self.set_draft(Some(draft));
    }

    /// Drops the ballot being filled in (the rater walked away; staff confirm first).
    pub fn discard_draft(&mut self) {
        self.set_draft(None);
    }

    /// Signs and keeps the ballot; the form is empty afterwards. Returns the signed ballot
    /// (its tracker is shown to the rater once).
    pub fn submit(&mut self, key: &DeviceKey, time: &str) -> Result<SignedBallotV1, SubmitError> {
        let draft = self.draft.as_ref().ok_or(SubmitError::NoBallot)?;
        let ballot = draft.finish()?;
        if self.state.held.len() >= MAX_HELD {
            return Err(SubmitError::Full);
        }
        let signed = self.state.chain.sign_next(key, ballot.to_v1(&self.meeting), time);
        self.state.held.push(signed.clone());
        self.set_draft(None);
        Ok(signed)
    }

    /// Checks the staff PIN.
    pub fn check_pin(&self, pin: &str) -> Result<(), PinError> {
        self.state.pin.check(pin)
    }

    /// How many seconds the hand-in screen stays locked at `time` after wrong PINs; None when
    /// it is open to a try.
    pub fn pin_locked_for(&self, time: &str) -> Option<i64> {
        pin_locked_for(&self.state.log, time)
    }

    /// Opens the staff hand-in screen: checks the PIN and logs the attempt either way. While
    /// locked, no PIN is checked and nothing is logged.
    pub fn open_hand_in(&mut self, pin: &str, time: &str) -> Result<(), PinError> {
        if let Some(seconds) = self.pin_locked_for(time) {
            return Err(PinError::Locked { seconds });
        }
        let outcome = self.check_pin(pin);
        let event = match outcome {
            Ok(()) => TabletEvent::HandInOpened {
                held: self.state.held.len(),
            },
            Err(_) => TabletEvent::PinRefused,
        };
        self.log(time, event);
        outcome
    }

    /// Logs that the ballot file was saved for the host.
    pub fn record_export(&mut self, time: &str) {
        let ballots = self.state.held.len();
        self.log(time, TabletEvent::BallotFileExported { ballots });
    }

    /// The tablet's log, oldest first.
    pub fn log_entries(&self) -> &[TabletLogEntryV1] {
        &self.state.log
    }

    fn log(&mut self, time: &str, event: TabletEvent) {
        self.state.log.push(TabletLogEntryV1 {
            time: time.to_owned(),
            event,
        });
    }

    /// Every ballot this tablet holds, as one file (the host ignores ones it already has).
    pub fn ballot_file(&self) -> BallotFileV1 {
        BallotFileV1 {
            format: BALLOT_FILE_FORMAT.to_owned(),
            version: BALLOT_FILE_VERSION,
            ballots: self.state.held.clone(),
        }
    }

    /// The staff member confirms the host shows the same count of this tablet's ballots as
    /// the tablet holds; from then on those ballots count as handed in (they stay stored).
    /// Every attempt that passes the PIN is logged, confirmed or refused.
    pub fn confirm_handed_in(
        &mut self,
        pin: &str,
        host_count: usize,
        time: &str,
    ) -> Result<(), ConfirmError> {
        self.check_pin(pin)?;
        let tablet = self.state.held.len();
        if host_count != tablet {
            self.log(
                time,
                TabletEvent::HandInRefused {
                    host: host_count,
                    tablet,
                },
            );
            return Err(ConfirmError::CountMismatch {
                host: host_count,
                tablet,
            });
        }
        self.state.confirmed = tablet as u32;
        self.log(time, TabletEvent::HandInConfirmed { count: tablet });
        Ok(())
    }
}

/// Why a ballot cannot be submitted.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum SubmitError {
    #[error("{0}")]
    Incomplete(#[from] IncompleteBallotError),
    #[error("没有正在填写的选票 — there is no ballot being filled in")]
    NoBallot,
    #[error(
        "本平板已存满 {MAX_HELD} 张选票，请先交票 — this tablet holds {MAX_HELD} ballots; hand them in first"
    )]
    Full,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::code::{MeetingSecret, issue_codes};
    use crate::domain::demo::{demo_meeting_file, small_meeting};

    const T: &str = "2026-12-18T09:30:00Z";

    fn kiosk(mode: &str) -> Kiosk {
        let host = DeviceKey::from_seed([9; 32]);
        let meeting = small_meeting(mode);
        let join = JoinV1::new(&meeting, &host.public_key());
        Kiosk::join((join, meeting), "2468", "salt", T).unwrap()
    }

    fn code(i: usize) -> String {
        issue_codes(&MeetingSecret::from_bytes([7; 32]), "test-meeting", 0, i + 1).unwrap()[i].to_string()
    }

    #[test]
    fn a_join_link_for_120_presenters_fits_and_round_trips() {
        let mut file = demo_meeting_file();
        let template = file.presenters.clone();
        file.presenters = (0..120)
            .map(|i| {
                let mut p = template[i % 40].clone();
                p.id = format!("P{:03}", i + 1);
                p.name = format!("{}{}", p.name, i / 40);
                p
            })
            .collect();
        let meeting = Meeting::try_from(file).unwrap();
        let join = JoinV1::new(&meeting, &DeviceKey::from_seed([9; 32]).public_key());
        let text = encode_join(&join);
        assert!(text.len() < 6000, "fragment is {} chars", text.len());
        let (back, m) = decode_join(&text).unwrap();
        assert_eq!(back, join);
        assert_eq!(m.presenters().len(), 120);
        let json = serde_json::to_string(&join).unwrap();
        assert_eq!(decode_join(&json).unwrap().0, join);
    }

    #[test]
    fn damaged_or_foreign_links_are_refused() {
        assert_eq!(decode_join("not base64!").err(), Some(JoinError::Damaged));
        assert_eq!(decode_join("AAAA").err(), Some(JoinError::Damaged));
        let mut join = JoinV1::new(
            &small_meeting("code"),
            &DeviceKey::from_seed([9; 32]).public_key(),
        );
        join.version = 2;
        assert_eq!(
            decode_join(&encode_join(&join)).err(),
            Some(JoinError::UnsupportedVersion(2))
        );
        join.version = 1;
        join.host = "x".to_owned();
        assert_eq!(decode_join(&encode_join(&join)).err(), Some(JoinError::HostKey));
        let bomb = URL_SAFE_NO_PAD.encode(miniz_oxide::deflate::compress_to_vec(&vec![b' '; 4 << 20], 9));
        assert_eq!(decode_join(&bomb).err(), Some(JoinError::TooLarge));
    }

    #[test]
    fn a_typo_in_the_code_is_caught_before_rating() {
        let mut k = kiosk("code");
        let good = code(0);
        let mut typo: Vec<char> = good.chars().collect();
        typo[1] = if typo[1] == '2' { '3' } else { '2' };
        let typo: String = typo.into_iter().collect();
        assert!(matches!(k.start_with_code(&typo), Err(StartError::Code(_))));
        assert!(k.draft().is_none());
        assert_eq!(k.start_with_group(0), Err(StartError::NeedsCode));
        k.start_with_code(&good.to_lowercase()).unwrap();
        assert!(k.draft().is_some());
    }

    #[test]
    fn every_tap_survives_storage_and_submit_clears_the_form() {
        let mut k = kiosk("code");
        k.start_with_code(&code(0)).unwrap();
        k.tap(Tap::Fill {
            presenter: 0,
            grade: 1,
        });
        k.tap(Tap::Grade {
            presenter: 0,
            aspect: 3,
            grade: 2,
        });
        k.tap(Tap::Recuse { presenter: 1 });
        k.tap(Tap::Grade {
            presenter: 2,
            aspect: 0,
            grade: 0,
        });
        let stored = serde_json::to_string(k.state()).unwrap();
        let draft = serde_json::to_string(&k.stored_draft()).unwrap();
        let mut back = Kiosk::from_stored(
            serde_json::from_str(&stored).unwrap(),
            serde_json::from_str(&draft).unwrap(),
        )
        .unwrap();
        assert_eq!(back.draft(), k.draft());
        assert_eq!(back.stored_draft().unwrap().draft.marks[2], "1-------");
        let key = DeviceKey::from_seed([1; 32]);
        assert!(matches!(back.submit(&key, T), Err(SubmitError::Incomplete(e)) if e.presenter_number == 3));
        back.tap(Tap::Fill {
            presenter: 2,
            grade: 0,
        });
        back.tap(Tap::Abstain { presenter: 3 });
        let signed = back.submit(&key, T).unwrap();
        assert_eq!(signed.ballot.marks, ["22232222", "R", "11111111", "A"]);
        assert!(back.draft().is_none() && back.stored_draft().is_none());
        // A stale stored copy of the submitted ballot (its code is used) is not brought back.
        let reopened =
            Kiosk::from_stored(back.state().clone(), serde_json::from_str(&draft).unwrap()).unwrap();
        assert!(reopened.draft().is_none());
        assert_eq!(back.chain_head(), Some(signed.tracker()));
        assert_eq!(back.start_with_code(&code(0)), Err(StartError::AlreadyUsed));
        back.start_with_code(&code(1)).unwrap();
        back.tap(Tap::Rate { presenter: 0 });
        assert!(back.draft().unwrap().is_untouched());
    }

    #[test]
    fn open_mode_needs_a_group_and_a_blank_ballot_is_an_abstention() {
        let mut k = kiosk("open");
        assert_eq!(k.start_with_code(&code(0)), Err(StartError::NeedsGroup));
        assert!(k.start_with_group(9).is_err());
        k.start_with_group(2).unwrap();
        let signed = k.submit(&DeviceKey::from_seed([1; 32]), T).unwrap();
        assert_eq!(
            signed.ballot.group.as_deref(),
            Some(k.meeting().groups()[2].id.as_str())
        );
        assert!(signed.ballot.marks.iter().all(|m| m == "A"));
    }

    #[test]
    fn hand_in_needs_the_pin_and_matching_counts() {
        let mut k = kiosk("open");
        let key = DeviceKey::from_seed([1; 32]);
        for g in 0..3 {
            k.start_with_group(g).unwrap();
            k.submit(&key, T).unwrap();
        }
        assert_eq!(k.check_pin("1234"), Err(PinError::Wrong));
        assert_eq!(k.check_pin("12"), Err(PinError::Shape));
        assert_eq!(k.open_hand_in("1234", T), Err(PinError::Wrong));
        k.open_hand_in("2468", T).unwrap();
        assert_eq!(
            k.confirm_handed_in("2468", 2, T),
            Err(ConfirmError::CountMismatch { host: 2, tablet: 3 })
        );
        assert_eq!(k.unconfirmed(), 3);
        k.record_export(T);
        assert!(
            k.confirm_handed_in("1111", 3, T).is_err(),
            "a wrong PIN confirms nothing"
        );
        k.confirm_handed_in("2468", 3, T).unwrap();
        assert_eq!(k.unconfirmed(), 0);
        let events: Vec<_> = k.log_entries().iter().map(|e| e.event.clone()).collect();
        assert_eq!(
            events,
            vec![
                TabletEvent::Joined {
                    host_fingerprint: k.host_fingerprint()
                },
                TabletEvent::PinRefused,
                TabletEvent::HandInOpened { held: 3 },
                TabletEvent::HandInRefused { host: 2, tablet: 3 },
                TabletEvent::BallotFileExported { ballots: 3 },
                TabletEvent::HandInConfirmed { count: 3 },
            ]
        );
        // The log survives storing and reading the tablet state.
        let stored = serde_json::to_string(k.state()).unwrap();
        assert!(
            stored.contains(r#""event":"hand_in_confirmed","count":3"#),
            "{stored}"
        );
        let back: TabletStateV1 = serde_json::from_str(&stored).unwrap();
        assert_eq!(back.log, k.state().log);
        assert_eq!(k.ballot_file().ballots.len(), 3, "ballots stay on the tablet");
        let join = JoinV1::new(k.meeting(), &key.public_key());
        assert!(Kiosk::join((join, k.meeting().clone()), "12a4", "s", T).is_err());
    }

    #[test]
    fn three_wrong_pins_lock_hand_in_for_a_minute_even_after_a_reload() {
        let mut k = kiosk("open");
        for _ in 0..PIN_TRIES {
            assert_eq!(
                k.open_hand_in("1111", "2026-12-18T09:30:00.000Z"),
                Err(PinError::Wrong)
            );
        }
        // A reload reads the same log back: still locked, even for the right PIN.
        let mut k = Kiosk::from_stored(k.state().clone(), None).unwrap();
        assert_eq!(
            k.open_hand_in("2468", "2026-12-18T09:30:20.500Z"),
            Err(PinError::Locked { seconds: 40 })
        );
        assert_eq!(
            k.log_entries().len(),
            1 + PIN_TRIES,
            "a try while locked is not logged"
        );
        assert_eq!(k.pin_locked_for("2026-12-18T09:31:00.000Z"), None);
        assert_eq!(
            k.pin_locked_for("garbled"),
            Some(PIN_LOCK_SECONDS),
            "an unreadable clock keeps the lock"
        );
        k.open_hand_in("2468", "2026-12-18T09:31:00.000Z").unwrap();
        assert_eq!(
            k.open_hand_in("1111", "2026-12-18T09:31:01.000Z"),
            Err(PinError::Wrong)
        );
        assert_eq!(
            k.pin_locked_for("2026-12-18T09:31:02.000Z"),
            None,
            "a right PIN starts the count again"
        );
    }

    #[test]
    fn utc_times_become_seconds_since_1970() {
        assert_eq!(utc_seconds("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(utc_seconds("2000-03-01T00:00:00.000Z"), Some(951_868_800));
        assert_eq!(utc_seconds("2026-12-18T09:30:00.000Z"), Some(1_797_586_200));
        for bad in [
            "",
            "2026-12-18",
            "2026-13-18T09:30:00Z",
            "2026-12-18T09:30:00+08:00",
            "2026-12-18 09:30:00Z",
        ] {
            assert_eq!(utc_seconds(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_damaged_stored_draft_is_refused_not_misread() {
        let mut k = kiosk("code");
        k.start_with_code(&code(0)).unwrap();
        let mut draft = k.stored_draft().unwrap();
        draft.draft.marks[0] = "9-------".to_owned();
        assert_eq!(
            Kiosk::from_stored(k.state().clone(), Some(draft.clone())).err(),
            Some(ReadTabletStateError::Draft)
        );
        draft.meeting = "another-meeting".to_owned();
        assert!(
            Kiosk::from_stored(k.state().clone(), Some(draft))
                .unwrap()
                .draft()
                .is_none()
        );
    }
}
