//! The host's meeting record: the meeting, its draw, the codes issued, every ballot that
//! arrived with its source and status, and the audit log of the host's decisions.
//!
//! [`HostStateV1`] is the stored form (written to the laptop's storage after every action and
//! exported as a backup); [`HostMeeting`] is the checked value the host screens work with.
//! Every arrival goes through [`HostMeeting::receive`], which decides accepted / duplicate /
//! conflict / rejected by the rules in `docs/architecture.md` ("Collecting ballots").

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::ballot::{Ballot, BallotFileV1, BallotV1, Credential, ParseBallotError};
use super::code::{BallotCode, IssueCodesError, MeetingSecret, issue_codes};
use super::draw::DrawRecord;
use super::level::{Level, LevelOverride, LevelOverrideV1, OverrideLevelError, final_levels};
use super::meeting::{CredentialMode, Meeting, MeetingFileV1, ParseMeetingError};
use super::reconcile::Reconciliation;
use super::report::{RankingRowV1, ranking_rows};
use super::result_file::{AuditEntryV1, BuildResultError, RejectedBallotV1, ResultFileV1, ResultInput};
use super::signed_ballot::{ChainHead, ChainProblem, SignedBallotV1, check_chains};
use super::signing::DeviceKey;
use super::tally::Tally;

/// Format id of the host's stored meeting record.
pub const HOST_STATE_FORMAT: &str = "pingyi-host-state";
/// The host record version this build writes and reads.
pub const HOST_STATE_VERSION: u32 = 1;
/// Most ballots for this meeting one record holds (accepted, in conflict or set aside).
pub const MAX_RECEIVED: usize = 5000;
/// Rejected arrivals kept whole in the record, for the host to look into. Beyond these a
/// rejected arrival is only counted (by reason), so a file of junk — no key needed to make
/// one — can never use up the room for real ballots.
pub const REJECTED_KEPT: usize = 200;

/// Where the meeting stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// The meeting can still be edited and drawn.
    Setup,
    /// The meeting is fixed; tablets may join and ballots are collected.
    Open,
    /// Voting is closed; the tally is shown and exported.
    Closed,
}

/// How a ballot reached the host.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// Scanned from a tablet's hand-in QR code.
    Qr,
    /// Imported from a tablet's ballot file.
    File,
    /// Keyed in by the host from a paper ballot.
    Paper,
}

impl Source {
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Qr => "qr",
            Source::File => "file",
            Source::Paper => "paper",
        }
    }
}

/// Why a ballot was not counted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RejectReason {
    BadSignature,
    WrongMeeting,
    /// The ballot does not fit the meeting (presenter count, marks, group).
    Malformed,
    /// The code was not issued for this meeting.
    UnknownCode,
    /// Voting was not open when it arrived.
    NotOpen,
    /// Set aside by the host when a conflict was decided.
    ConflictSetAside,
}

impl RejectReason {
    pub fn as_str(self) -> &'static str {
        match self {
            RejectReason::BadSignature => "bad_signature",
            RejectReason::WrongMeeting => "wrong_meeting",
            RejectReason::Malformed => "malformed",
            RejectReason::UnknownCode => "unknown_code",
            RejectReason::NotOpen => "not_open",
            RejectReason::ConflictSetAside => "conflict_set_aside",
        }
    }

    /// The reason in words, Chinese first.
    pub fn words(self) -> &'static str {
        match self {
            RejectReason::BadSignature => "签名无效 — bad signature",
            RejectReason::WrongMeeting => "不是本次会议的选票 — ballot of another meeting",
            RejectReason::Malformed => "选票内容不符合会议 — ballot does not fit the meeting",
            RejectReason::UnknownCode => "选票码未发放 — code was not issued",
            RejectReason::NotOpen => "投票未开放或已结束 — voting was not open",
            RejectReason::ConflictSetAside => "冲突裁定后未采用 — set aside when a conflict was decided",
        }
    }
}

/// A received ballot's standing.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "status", content = "reason")]
pub enum Status {
    Accepted,
    /// Same code (or same tablet and number) as another ballot with different content: held
    /// back until the host decides.
    Conflict,
    Rejected(RejectReason),
}

/// One ballot as it arrived, with where it came from and what became of it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReceivedV1 {
    pub ballot: SignedBallotV1,
    /// SHA-256 of the ballot's signed bytes (its chain link), computed once on arrival: the
    /// duplicate check compares these instead of re-hashing every ballot held.
    pub hash: String,
    /// The ballot tracker, computed once on arrival.
    pub tracker: String,
    pub source: Source,
    pub time: String,
    #[serde(flatten)]
    pub status: Status,
    /// The reason in words when the ballot does not fit the meeting.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub detail: String,
}

/// Everything in the audit log. Closed on purpose: each event the host can cause has a name
/// here, so the log reads the same in every result file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Event {
    MeetingCreated {
        title: String,
    },
    MeetingEdited,
    DrawRecorded {
        key: String,
        picks: usize,
    },
    DrawReplaced {
        old_key: String,
        new_key: String,
    },
    VotingOpened,
    CodesIssued {
        group: String,
        total: u32,
    },
    BallotAccepted {
        tracker: String,
        source: Source,
    },
    BallotConflict {
        tracker: String,
        key: String,
    },
    BallotRejected {
        tracker: String,
        reason: RejectReason,
    },
    PaperBallot {
        tracker: String,
    },
    ConflictResolved {
        key: String,
        kept: Option<String>,
        reason: String,
    },
    VotingClosed,
    LevelOverridden {
        presenter: String,
        from: String,
        to: String,
        reason: String,
    },
    NoteEdited {
        presenter: String,
    },
    ResultExported {
        accepted: usize,
    },
    BackupExported,
    /// A ballot file refused whole: most of its ballots name another meeting.
    FileRefused {
        ballots: usize,
        foreign: usize,
    },
    /// Rejected arrivals beyond the kept sample, only counted.
    RejectedCounted {
        count: usize,
    },
}

impl Event {
    pub fn id(&self) -> &'static str {
        match self {
            Event::MeetingCreated { .. } => "meeting_created",
            Event::MeetingEdited => "meeting_edited",
            Event::DrawRecorded { .. } => "draw_recorded",
            Event::DrawReplaced { .. } => "draw_replaced",
            Event::VotingOpened => "voting_opened",
            Event::CodesIssued { .. } => "codes_issued",
            Event::BallotAccepted { .. } => "ballot_accepted",
            Event::BallotConflict { .. } => "ballot_conflict",
            Event::BallotRejected { .. } => "ballot_rejected",
            Event::PaperBallot { .. } => "paper_ballot",
            Event::ConflictResolved { .. } => "conflict_resolved",
            Event::VotingClosed => "voting_closed",
            Event::LevelOverridden { .. } => "level_overridden",
            Event::NoteEdited { .. } => "note_edited",
            Event::ResultExported { .. } => "result_exported",
            Event::BackupExported => "backup_exported",
            Event::FileRefused { .. } => "file_refused",
            Event::RejectedCounted { .. } => "rejected_counted",
        }
    }

    pub fn detail(&self) -> String {
        match self {
            Event::MeetingCreated { title } => title.clone(),
            Event::MeetingEdited | Event::VotingOpened | Event::VotingClosed | Event::BackupExported => {
                String::new()
            }
            Event::DrawRecorded { key, picks } => format!("{picks} picks; key {key}"),
            Event::DrawReplaced { old_key, new_key } => format!("sources changed: {old_key} → {new_key}"),
            Event::CodesIssued { group, total } => format!("{group}: {total} codes in all"),
            Event::BallotAccepted { tracker, source } => format!("{tracker} ({})", source.as_str()),
            Event::BallotConflict { tracker, key } => format!("{tracker} conflicts on {key}"),
            Event::BallotRejected { tracker, reason } => format!("{tracker}: {}", reason.as_str()),
            Event::PaperBallot { tracker } => format!("{tracker} keyed in from paper"),
            Event::ConflictResolved { key, kept, reason } => match kept {
                Some(tracker) => format!("{key}: kept {tracker}; {reason}"),
                None => format!("{key}: kept none; {reason}"),
            },
            Event::LevelOverridden {
                presenter,
                from,
                to,
                reason,
            } => format!("{presenter}: {from} → {to}; {reason}"),
            Event::NoteEdited { presenter } => presenter.clone(),
            Event::ResultExported { accepted } => format!("{accepted} accepted ballots"),
            Event::FileRefused { ballots, foreign } => {
                format!("{foreign} of {ballots} ballots name another meeting; nothing taken in")
            }
            Event::RejectedCounted { count } => format!("{count} more rejected ballots, counted, not kept"),
        }
    }
}

/// The host's meeting record as stored and backed up.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HostStateV1 {
    pub format: String,
    pub version: u32,
    pub meeting: MeetingFileV1,
    /// The meeting secret that keys the ballot codes (hex); never leaves the laptop except in
    /// a backup.
    pub secret: String,
    pub phase: Phase,
    /// Codes issued so far per group, in meeting order.
    pub codes_issued: Vec<u32>,
    pub received: Vec<ReceivedV1>,
    /// The chain of paper ballots the host keys in and signs.
    pub paper_chain: ChainHead,
    pub audit: Vec<AuditEntryV1>,
    /// The host's note per presenter (提问式点评), by presenter id.
    #[serde(default)]
    pub notes: HashMap<String, String>,
    /// Audit length when a result or backup was last exported (nothing unsaved when equal).
    #[serde(default)]
    pub exported_at: Option<u32>,
    /// Levels the host set instead of the computed ones, in the order they were set.
    #[serde(default)]
    pub overrides: Vec<LevelOverrideV1>,
    /// Rejected arrivals beyond the [`REJECTED_KEPT`] kept whole, counted by reason id.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub rejected_counted: BTreeMap<String, u32>,
}

/// Why a stored host record cannot be opened.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum ReadHostStateError {
    #[error("这不是评议会议记录（格式 “{0}”）— this is not a Pingyi meeting record (format “{0}”)")]
    WrongFormat(String),
    #[error(
        "会议记录版本 {0} 不受支持，请使用更新的版本 — meeting record version {0} is not supported by this build"
    )]
    UnsupportedVersion(u32),
    #[error("会议记录中的会议无效：{0} — the meeting in the record is not valid: {0}")]
    Meeting(#[from] ParseMeetingError),
    #[error("会议记录中的密钥无效 — the meeting secret in the record is damaged")]
    Secret,
    #[error("会议记录的选票码数量与类别数不符 — the record's code counts do not match its groups")]
    Codes,
    #[error("会议记录中的选票已损坏 — a ballot in the meeting record is damaged")]
    Received,
}

/// What the host tried that the meeting's phase or state does not allow.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum HostError {
    #[error("投票已开放，会议内容不能再修改 — voting is open; the meeting can no longer be changed")]
    Locked,
    #[error("投票尚未开放 — voting is not open")]
    NotOpen,
    #[error("还有 {0} 组冲突选票未裁定 — {0} conflict(s) still wait for the host's decision")]
    ConflictsPending(usize),
    #[error("{0}")]
    Codes(#[from] IssueCodesError),
    #[error("选票码只能增加，已发放 {0} 个 — codes can only be added; {0} are already issued")]
    CodesShrink(u32),
    #[error("没有这组冲突选票 — there is no such conflict")]
    NoSuchConflict,
    #[error("请写明裁定理由 — write down the reason for the decision")]
    ReasonRequired,
    #[error("会议记录已满（{MAX_RECEIVED} 张选票）— the meeting record is full ({MAX_RECEIVED} ballots)")]
    Full,
    #[error(
        "文件中 {foreign} / {ballots} 张选票属于其他会议，整份文件未收入：请核对是否拿错了文件 — {foreign} of the file's {ballots} ballots belong to another meeting; nothing in it was taken in: check it is the right file"
    )]
    FileNotForThisMeeting { ballots: usize, foreign: usize },
    #[error("{0}")]
    Result(#[from] BuildResultError),
    #[error("投票结束后才能调整等次 — levels can be overridden only after voting is closed")]
    NotClosed,
    #[error("{0}")]
    Override(#[from] OverrideLevelError),
}

/// What became of one arriving ballot, for the host's confirmation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Arrival {
    Accepted {
        tracker: String,
        group: usize,
    },
    /// The same ballot again: nothing changes.
    Duplicate {
        tracker: String,
    },
    Conflict {
        tracker: String,
        key: String,
    },
    Rejected {
        tracker: String,
        reason: RejectReason,
        detail: String,
    },
}

fn arrival_tracker(arrival: &Arrival) -> String {
    match arrival {
        Arrival::Accepted { tracker, .. }
        | Arrival::Duplicate { tracker }
        | Arrival::Conflict { tracker, .. }
        | Arrival::Rejected { tracker, .. } => tracker.clone(),
    }
}

/// A set of ballots held back because they claim the same code (or tablet number).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConflictSet {
    pub key: String,
    /// Indices into [`HostMeeting::received`].
    pub ballots: Vec<usize>,
}

/// The host's meeting record, checked: the meeting is valid and the secret readable.
#[derive(Clone, Debug)]
pub struct HostMeeting {
    meeting: Meeting,
    secret: MeetingSecret,
    state: HostStateV1,
}

fn secret_to_hex(secret: &MeetingSecret) -> String {
    secret.as_bytes().iter().map(|b| format!("{b:02x}")).collect()
}

fn secret_from_hex(text: &str) -> Option<MeetingSecret> {
    if text.len() != 64 || !text.is_ascii() {
        return None;
    }
    let mut bytes = [0u8; 32];
    for (i, byte) in bytes.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&text[2 * i..2 * i + 2], 16).ok()?;
    }
    Some(MeetingSecret::from_bytes(bytes))
}

/// The key under which ballots compete: the code in its canonical form (so "k7q xm4 rt9" and
/// "K7Q–XM4–RT9" are one code), or in open mode the tablet and number.
fn conflict_key(ballot: &SignedBallotV1) -> String {
    match &ballot.ballot.code {
        Some(code) => match BallotCode::parse(code) {
            Ok(parsed) => format!("code {parsed}"),
            // Not a code at all: it is rejected on its own and competes with nothing real.
            Err(_) => format!("text {code}"),
        },
        None => format!("tablet {}#{}", &ballot.device, ballot.seq),
    }
}

impl HostMeeting {
    /// A new record for `meeting` in the set-up phase.
    pub fn new(meeting: Meeting, secret: MeetingSecret, time: &str) -> HostMeeting {
        let groups = meeting.groups().len();
        let mut host = HostMeeting {
            state: HostStateV1 {
                format: HOST_STATE_FORMAT.to_owned(),
                version: HOST_STATE_VERSION,
                meeting: meeting.to_file(),
                secret: secret_to_hex(&secret),
                phase: Phase::Setup,
                codes_issued: vec![0; groups],
                received: Vec::new(),
                paper_chain: ChainHead::default(),
                audit: Vec::new(),
                notes: HashMap::new(),
                exported_at: None,
                overrides: Vec::new(),
                rejected_counted: BTreeMap::new(),
            },
            meeting,
            secret,
        };
        let title = host.meeting.title().to_owned();
        host.log(time, Event::MeetingCreated { title });
        host
    }

    /// Opens a stored record, refusing other formats, newer versions and damaged content.
    pub fn from_state(state: HostStateV1) -> Result<HostMeeting, ReadHostStateError> {
        if state.format != HOST_STATE_FORMAT {
            return Err(ReadHostStateError::WrongFormat(state.format));
        }
        if state.version != HOST_STATE_VERSION {
            return Err(ReadHostStateError::UnsupportedVersion(state.version));
        }
        let meeting = Meeting::try_from(state.meeting.clone())?;
        let secret = secret_from_hex(&state.secret).ok_or(ReadHostStateError::Secret)?;
        if state.codes_issued.len() != meeting.groups().len() {
            return Err(ReadHostStateError::Codes);
        }
        if state.received.iter().any(|r| r.hash != r.ballot.hash()) {
            return Err(ReadHostStateError::Received);
        }
        Ok(HostMeeting {
            meeting,
            secret,
            state,
        })
    }

    pub fn state(&self) -> &HostStateV1 {
        &self.state
    }
    pub fn meeting(&self) -> &Meeting {
        &self.meeting
    }
    pub fn phase(&self) -> Phase {
        self.state.phase
    }
    pub fn received(&self) -> &[ReceivedV1] {
        &self.state.received
    }
    pub fn note(&self, presenter_id: &str) -> &str {
        self.state.notes.get(presenter_id).map_or("", String::as_str)
    }
    /// Whether anything happened since the last exported result or backup.
    pub fn has_unexported_changes(&self) -> bool {
        self.state.exported_at != Some(self.state.audit.len() as u32)
    }

    fn log(&mut self, time: &str, event: Event) {
        let seq = self.state.audit.len() as u32 + 1;
        self.state.audit.push(AuditEntryV1 {
            seq,
            time: time.to_owned(),
            event: event.id().to_owned(),
            detail: event.detail(),
        });
    }

    /// Replaces the meeting while it is still being set up. A draw whose sources changed is
    /// logged with both keys, never silently.
    pub fn edit_meeting(&mut self, meeting: Meeting, time: &str) -> Result<(), HostError> {
        if self.state.phase != Phase::Setup {
            return Err(HostError::Locked);
        }
        let old_key = self.meeting.draw().map(|d| d.key_string.clone());
        let new_key = meeting.draw().map(|d| d.key_string.clone());
        let groups = meeting.groups().len();
        match (&old_key, &new_key) {
            (None, Some(key)) => {
                let picks = meeting.draw().map_or(0, |d| d.selected.len());
                self.log(
                    time,
                    Event::DrawRecorded {
                        key: key.clone(),
                        picks,
                    },
                );
            }
            (Some(old), Some(new)) if old != new => self.log(
                time,
                Event::DrawReplaced {
                    old_key: old.clone(),
                    new_key: new.clone(),
                },
            ),
            (Some(old), None) => self.log(
                time,
                Event::DrawReplaced {
                    old_key: old.clone(),
                    new_key: String::new(),
                },
            ),
            _ => {}
        }
        if meeting.to_file().presenters != self.state.meeting.presenters
            || meeting.to_file().groups != self.state.meeting.groups
            || meeting.to_file().aspects != self.state.meeting.aspects
            || meeting.title() != self.meeting.title()
        {
            self.log(time, Event::MeetingEdited);
        }
        if groups != self.state.codes_issued.len() {
            self.state.codes_issued = vec![0; groups];
        }
        self.state.meeting = meeting.to_file();
        self.meeting = meeting;
        Ok(())
    }

    /// Records a draw on the meeting (set-up phase only).
    pub fn record_draw(&mut self, draw: DrawRecord, time: &str) -> Result<(), HostError> {
        let meeting = self.meeting.clone().with_draw(draw);
        self.edit_meeting(meeting, time)
    }

    /// Fixes the meeting and starts collecting.
    pub fn open_voting(&mut self, time: &str) -> Result<(), HostError> {
        if self.state.phase != Phase::Setup {
            return Err(HostError::Locked);
        }
        self.state.phase = Phase::Open;
        self.log(time, Event::VotingOpened);
        Ok(())
    }

    /// Raises the number of codes issued for `group` to `total` (codes are never withdrawn:
    /// printed slips stay valid).
    pub fn issue_codes(&mut self, group: usize, total: u32, time: &str) -> Result<(), HostError> {
        if self.state.phase == Phase::Closed {
            return Err(HostError::NotOpen);
        }
        let Some(&issued) = self.state.codes_issued.get(group) else {
            return Err(HostError::NoSuchConflict);
        };
        if total < issued {
            return Err(HostError::CodesShrink(issued));
        }
        issue_codes(&self.secret, self.meeting.id(), group, total as usize)?;
        self.state.codes_issued[group] = total;
        let group = self.meeting.groups()[group].id.clone();
        self.log(time, Event::CodesIssued { group, total });
        Ok(())
    }

    /// The codes issued so far, per group in meeting order.
    pub fn codes(&self) -> Vec<Vec<BallotCode>> {
        self.state
            .codes_issued
            .iter()
            .enumerate()
            .map(|(g, &n)| issue_codes(&self.secret, self.meeting.id(), g, n as usize).unwrap_or_default())
            .collect()
    }

    /// Takes in one arriving ballot and decides its standing; see the module docs.
    pub fn receive(
        &mut self,
        ballot: SignedBallotV1,
        source: Source,
        time: &str,
    ) -> Result<Arrival, HostError> {
        let tracker = ballot.tracker();
        let hash = ballot.hash();
        if self.state.received.iter().any(|r| r.hash == hash) {
            return Ok(Arrival::Duplicate { tracker });
        }
        let (status, detail, group) = self.judge(&ballot);
        let rejected_kept = self
            .state
            .received
            .iter()
            .filter(
                |r| matches!(r.status, Status::Rejected(reason) if reason != RejectReason::ConflictSetAside),
            )
            .count();
        if let Status::Rejected(reason) = status {
            if rejected_kept >= REJECTED_KEPT {
                *self
                    .state
                    .rejected_counted
                    .entry(reason.as_str().to_owned())
                    .or_default() += 1;
                return Ok(Arrival::Rejected {
                    tracker,
                    reason,
                    detail,
                });
            }
        } else if self.state.received.len() - rejected_kept >= MAX_RECEIVED {
            return Err(HostError::Full);
        }
        let key = conflict_key(&ballot);
        let status = match status {
            Status::Accepted => {
                let rivals: Vec<usize> = (0..self.state.received.len())
                    .filter(|&i| {
                        let r = &self.state.received[i];
                        // A ballot set aside in an earlier decision still counts as a rival: a
                        // later ballot with its code goes to the host, not straight into the tally.
                        matches!(
                            r.status,
                            Status::Accepted
                                | Status::Conflict
                                | Status::Rejected(RejectReason::ConflictSetAside)
                        ) && conflict_key(&r.ballot) == key
                    })
                    .collect();
                if rivals.is_empty() {
                    Status::Accepted
                } else {
                    for i in rivals {
                        if self.state.received[i].status == Status::Accepted {
                            self.state.received[i].status = Status::Conflict;
                            let tracker = self.state.received[i].tracker.clone();
                            self.log(
                                time,
                                Event::BallotConflict {
                                    tracker,
                                    key: key.clone(),
                                },
                            );
                        }
                    }
                    Status::Conflict
                }
            }
            other => other,
        };
        let arrival = match status {
            Status::Accepted => {
                self.log(
                    time,
                    Event::BallotAccepted {
                        tracker: tracker.clone(),
                        source,
                    },
                );
                Arrival::Accepted {
                    tracker,
                    group: group.unwrap_or(0),
                }
            }
            Status::Conflict => {
                self.log(
                    time,
                    Event::BallotConflict {
                        tracker: tracker.clone(),
                        key: key.clone(),
                    },
                );
                Arrival::Conflict { tracker, key }
            }
            Status::Rejected(reason) => {
                self.log(
                    time,
                    Event::BallotRejected {
                        tracker: tracker.clone(),
                        reason,
                    },
                );
                Arrival::Rejected {
                    tracker,
                    reason,
                    detail: detail.clone(),
                }
            }
        };
        self.state.received.push(ReceivedV1 {
            ballot,
            hash,
            tracker: arrival_tracker(&arrival),
            source,
            time: time.to_owned(),
            status,
            detail,
        });
        Ok(arrival)
    }

    /// The standing of a ballot on its own: accepted (pending rivals) or rejected with why.
    fn judge(&self, ballot: &SignedBallotV1) -> (Status, String, Option<usize>) {
        let reject = |reason: RejectReason, detail: String| (Status::Rejected(reason), detail, None);
        if ballot.check_signature().is_err() {
            return reject(RejectReason::BadSignature, String::new());
        }
        if ballot.ballot.meeting != self.meeting.id() {
            let error = ParseBallotError::WrongMeeting {
                found: ballot.ballot.meeting.clone(),
            };
            return reject(RejectReason::WrongMeeting, error.to_string());
        }
        let parsed = match Ballot::from_v1(&ballot.ballot, &self.meeting) {
            Ok(parsed) => parsed,
            Err(ParseBallotError::BadCode(e)) => return reject(RejectReason::UnknownCode, e.to_string()),
            Err(e) => return reject(RejectReason::Malformed, e.to_string()),
        };
        if self.state.phase != Phase::Open {
            return reject(RejectReason::NotOpen, String::new());
        }
        if let Credential::Code(code) = parsed.credential() {
            let issued = self
                .codes()
                .get(code.group())
                .is_some_and(|codes| codes.contains(&code));
            if !issued {
                return reject(RejectReason::UnknownCode, String::new());
            }
        }
        (Status::Accepted, String::new(), Some(parsed.group()))
    }

    /// Keys in a paper ballot: the host device signs it on its own chain and it is received
    /// with source "paper", so the result file shows it for what it is.
    pub fn key_in_paper(
        &mut self,
        ballot: &Ballot,
        host: &DeviceKey,
        time: &str,
    ) -> Result<Arrival, HostError> {
        if self.state.phase != Phase::Open {
            return Err(HostError::NotOpen);
        }
        let signed = self
            .state
            .paper_chain
            .sign_next(host, ballot.to_v1(&self.meeting), time);
        let tracker = signed.tracker();
        self.log(time, Event::PaperBallot { tracker });
        self.receive(signed, Source::Paper, time)
    }

    /// Takes in every ballot of a ballot file; one arrival per ballot. A file most of whose
    /// ballots name another meeting is refused whole (and the refusal logged): it is the wrong
    /// file, or junk.
    pub fn receive_file(&mut self, file: BallotFileV1, time: &str) -> Result<Vec<Arrival>, HostError> {
        let ballots = file.ballots.len();
        let foreign = file
            .ballots
            .iter()
            .filter(|b| b.ballot.meeting != self.meeting.id())
            .count();
        if foreign * 2 > ballots {
            self.log(time, Event::FileRefused { ballots, foreign });
            return Err(HostError::FileNotForThisMeeting { ballots, foreign });
        }
        let counted_before: u32 = self.state.rejected_counted.values().sum();
        let arrivals = file
            .ballots
            .into_iter()
            .map(|b| self.receive(b, Source::File, time))
            .collect();
        let counted = self.state.rejected_counted.values().sum::<u32>() - counted_before;
        if counted > 0 {
            self.log(
                time,
                Event::RejectedCounted {
                    count: counted as usize,
                },
            );
        }
        arrivals
    }

    /// Rejected arrivals only counted, beyond the kept sample: (reason id, count).
    pub fn rejected_counted(&self) -> &BTreeMap<String, u32> {
        &self.state.rejected_counted
    }

    /// The sets of ballots held back for the host's decision.
    pub fn conflicts(&self) -> Vec<ConflictSet> {
        let mut sets: Vec<ConflictSet> = Vec::new();
        for (i, r) in self.state.received.iter().enumerate() {
            if r.status != Status::Conflict {
                continue;
            }
            let key = conflict_key(&r.ballot);
            match sets.iter_mut().find(|s| s.key == key) {
                Some(set) => set.ballots.push(i),
                None => sets.push(ConflictSet {
                    key,
                    ballots: vec![i],
                }),
            }
        }
        sets
    }

    /// Decides a conflict: keeps the ballot at index `keep` (or none) and sets the others
    /// aside, with the host's reason in the log.
    pub fn resolve_conflict(
        &mut self,
        key: &str,
        keep: Option<usize>,
        reason: &str,
        time: &str,
    ) -> Result<(), HostError> {
        if reason.trim().is_empty() {
            return Err(HostError::ReasonRequired);
        }
        let set = self
            .conflicts()
            .into_iter()
            .find(|s| s.key == key)
            .ok_or(HostError::NoSuchConflict)?;
        if keep.is_some_and(|k| !set.ballots.contains(&k)) {
            return Err(HostError::NoSuchConflict);
        }
        for &i in &set.ballots {
            self.state.received[i].status = if Some(i) == keep {
                Status::Accepted
            } else {
                Status::Rejected(RejectReason::ConflictSetAside)
            };
        }
        let kept = keep.map(|k| self.state.received[k].tracker.clone());
        self.log(
            time,
            Event::ConflictResolved {
                key: key.to_owned(),
                kept,
                reason: reason.trim().to_owned(),
            },
        );
        Ok(())
    }

    /// Closes voting; refused while conflicts wait for a decision.
    pub fn close_voting(&mut self, time: &str) -> Result<(), HostError> {
        if self.state.phase != Phase::Open {
            return Err(HostError::NotOpen);
        }
        let pending = self.conflicts().len();
        if pending > 0 {
            return Err(HostError::ConflictsPending(pending));
        }
        self.state.phase = Phase::Closed;
        self.log(time, Event::VotingClosed);
        Ok(())
    }

    /// Sets a presenter's level instead of the computed one, after voting closed, with a written
    /// reason. The computed level is kept beside it; both go into the audit log and the result
    /// file.
    pub fn override_level(
        &mut self,
        presenter: usize,
        level: Level,
        reason: &str,
        time: &str,
    ) -> Result<(), HostError> {
        if self.state.phase != Phase::Closed {
            return Err(HostError::NotClosed);
        }
        let computed: Vec<Option<Level>> = self.tally().presenters.iter().map(|t| t.level).collect();
        let checked = LevelOverride::new(&computed, presenter, level, reason)?;
        let from = computed[presenter].map_or("", Level::as_str).to_owned();
        let id = self.meeting.presenters()[presenter].id.clone();
        self.state.overrides.push(LevelOverrideV1 {
            presenter: id.clone(),
            computed: from.clone(),
            level: level.as_str().to_owned(),
            reason: checked.reason.clone(),
            time: time.to_owned(),
        });
        self.log(
            time,
            Event::LevelOverridden {
                presenter: id,
                from,
                to: level.as_str().to_owned(),
                reason: checked.reason,
            },
        );
        Ok(())
    }

    /// The host's last override of a presenter's level, if any.
    pub fn last_override(&self, presenter_id: &str) -> Option<&LevelOverrideV1> {
        self.state
            .overrides
            .iter()
            .rev()
            .find(|o| o.presenter == presenter_id)
    }

    /// The ranking rows with the level that stands for each presenter: the host's last
    /// override replaces the computed level here (the tally and the result file's ranking keep
    /// the computed one; the overrides are published beside them).
    pub fn final_ranking_rows(&self, tally: &Tally) -> Vec<RankingRowV1> {
        let mut rows = ranking_rows(&self.meeting, tally);
        for row in &mut rows {
            if let Some(o) = self.last_override(&row.presenter) {
                row.level = Some(o.level.clone());
            }
        }
        rows
    }

    /// The overrides the host made, in order.
    pub fn overrides(&self) -> &[LevelOverrideV1] {
        &self.state.overrides
    }

    /// The level that stands for each presenter (meeting order): the host's last override, else
    /// the computed level.
    pub fn final_levels(&self, tally: &Tally) -> Vec<Option<Level>> {
        let computed: Vec<Option<Level>> = tally.presenters.iter().map(|t| t.level).collect();
        let overrides: Vec<LevelOverride> = self
            .state
            .overrides
            .iter()
            .filter_map(|o| {
                Some(LevelOverride {
                    presenter: self.meeting.presenter_index(&o.presenter)?,
                    level: Level::parse(&o.level)?,
                    reason: o.reason.clone(),
                })
            })
            .collect();
        final_levels(&computed, &overrides)
    }

    /// Sets the host's note on a presenter (an empty note removes it).
    pub fn set_note(&mut self, presenter: usize, note: &str, time: &str) {
        let Some(p) = self.meeting.presenters().get(presenter) else {
            return;
        };
        let id = p.id.clone();
        let note = note.trim();
        if note == self.note(&id) {
            return;
        }
        if note.is_empty() {
            self.state.notes.remove(&id);
        } else {
            self.state
                .notes
                .insert(id.clone(), note.chars().take(2000).collect());
        }
        self.log(time, Event::NoteEdited { presenter: id });
    }

    /// The accepted ballots, in arrival order.
    pub fn accepted(&self) -> Vec<&SignedBallotV1> {
        self.state
            .received
            .iter()
            .filter(|r| r.status == Status::Accepted)
            .map(|r| &r.ballot)
            .collect()
    }

    /// Accepted ballots per group, in meeting order (the board's progress while open).
    pub fn accepted_per_group(&self) -> Vec<u32> {
        let mut counts = vec![0u32; self.meeting.groups().len()];
        for b in self.accepted() {
            if let Ok(ballot) = Ballot::from_v1(&b.ballot, &self.meeting) {
                counts[ballot.group()] += 1;
            }
        }
        counts
    }

    /// The tally of the accepted ballots.
    pub fn tally(&self) -> Tally {
        let ballots: Vec<Ballot> = self
            .accepted()
            .into_iter()
            .filter_map(|b| Ballot::from_v1(&b.ballot, &self.meeting).ok())
            .collect();
        Tally::count(&self.meeting, &ballots)
    }

    /// The closure reconciliation of what arrived against codes and 应到.
    pub fn reconciliation(&self, tally: &Tally) -> Reconciliation {
        let rejected: Vec<Option<usize>> = self
            .state
            .received
            .iter()
            .filter(|r| matches!(r.status, Status::Rejected(_)))
            .map(|r| {
                Ballot::from_v1(&r.ballot.ballot, &self.meeting)
                    .ok()
                    .map(|b| b.group())
            })
            .collect();
        Reconciliation::compute(&self.meeting, tally, &self.state.codes_issued, &rejected)
    }

    /// Breaks in tablets' chains among the accepted ballots (gaps mean a ballot has not
    /// arrived yet).
    pub fn chain_problems(&self) -> Vec<ChainProblem> {
        let ballots: Vec<SignedBallotV1> = self.accepted().into_iter().cloned().collect();
        check_chains(&ballots)
    }

    /// The received ballots a tablet's hand-in screen can be compared with: how many from
    /// `device`, and the tracker of the one with the highest number.
    pub fn tablet_summary(&self, device: &str) -> (usize, Option<String>) {
        let from: Vec<&ReceivedV1> = self
            .state
            .received
            .iter()
            .filter(|r| r.ballot.device == device)
            .collect();
        let head = from
            .iter()
            .max_by_key(|r| r.ballot.seq)
            .map(|r| r.tracker.clone());
        (from.len(), head)
    }

    /// The signed result file (voting must be closed).
    pub fn result_file(
        &mut self,
        host: &DeviceKey,
        app_version: &str,
        time: &str,
    ) -> Result<ResultFileV1, HostError> {
        if self.state.phase != Phase::Closed {
            return Err(HostError::NotOpen);
        }
        let accepted = self.accepted().into_iter().cloned().collect::<Vec<_>>();
        self.log(
            time,
            Event::ResultExported {
                accepted: accepted.len(),
            },
        );
        let rejected = self
            .state
            .received
            .iter()
            .filter_map(|r| match r.status {
                Status::Rejected(reason) => Some(RejectedBallotV1 {
                    reason: reason.as_str().to_owned(),
                    detail: if r.detail.is_empty() {
                        reason.words().to_owned()
                    } else {
                        r.detail.clone()
                    },
                    group: Ballot::from_v1(&r.ballot.ballot, &self.meeting)
                        .map(|b| self.meeting.groups()[b.group()].id.clone())
                        .unwrap_or_default(),
                    received: serde_json::to_string(&r.ballot).unwrap_or_default(),
                }),
                _ => None,
            })
            .collect();
        let file = ResultFileV1::build(
            ResultInput {
                meeting: &self.meeting,
                codes_issued: self.codes(),
                accepted,
                rejected,
                audit: self.state.audit.clone(),
                level_overrides: self.state.overrides.clone(),
                app_version,
                time,
            },
            host,
        )?;
        self.state.exported_at = Some(self.state.audit.len() as u32);
        Ok(file)
    }

    /// The whole record as a backup file; logged, and counts as an export.
    pub fn backup(&mut self, time: &str) -> String {
        self.log(time, Event::BackupExported);
        self.state.exported_at = Some(self.state.audit.len() as u32);
        serde_json::to_string_pretty(&self.state).unwrap_or_default()
    }

    /// The accepted ballots as a ballot file (the same format tablets export).
    pub fn ballot_file(&self) -> BallotFileV1 {
        BallotFileV1 {
            format: super::ballot::BALLOT_FILE_FORMAT.to_owned(),
            version: super::ballot::BALLOT_FILE_VERSION,
            ballots: self.accepted().into_iter().cloned().collect(),
        }
    }

    /// Whether rating needs codes in this meeting.
    pub fn uses_codes(&self) -> bool {
        self.meeting.credential() == CredentialMode::Code
    }

    /// Whether `ballot` carries this meeting's id (for a quick message before full checks).
    pub fn is_for_this_meeting(&self, ballot: &BallotV1) -> bool {
        ballot.meeting == self.meeting.id()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ballot::{BALLOT_FILE_FORMAT, BALLOT_FILE_VERSION, BallotDraft};
    use crate::domain::demo::small_meeting;
    use crate::domain::result_file::verify_result;

    const T: &str = "2026-12-18T09:00:00Z";

    fn host(mode: &str) -> HostMeeting {
        let mut h = HostMeeting::new(small_meeting(mode), MeetingSecret::from_bytes([7; 32]), T);
        h.open_voting(T).unwrap();
        if mode == "code" {
            for g in 0..3 {
                h.issue_codes(g, 4, T).unwrap();
            }
        }
        h
    }

    fn ballot(h: &HostMeeting, credential: Credential, grade: u8) -> Ballot {
        let mut d = BallotDraft::new(h.meeting(), credential);
        for p in 0..4 {
            d.fill_presenter(p, grade);
        }
        d.finish().unwrap()
    }

    fn signed(h: &HostMeeting, chain: &mut ChainHead, key: &DeviceKey, b: &Ballot) -> SignedBallotV1 {
        chain.sign_next(key, b.to_v1(h.meeting()), T)
    }

    #[test]
    fn accepts_once_and_treats_the_same_ballot_again_as_a_duplicate() {
        let mut h = host("code");
        let key = DeviceKey::from_seed([1; 32]);
        let mut chain = ChainHead::default();
        let code = h.codes()[0][0];
        let s = signed(&h, &mut chain, &key, &ballot(&h, Credential::Code(code), 0));
        assert!(matches!(
            h.receive(s.clone(), Source::Qr, T),
            Ok(Arrival::Accepted { group: 0, .. })
        ));
        assert!(matches!(
            h.receive(s, Source::File, T),
            Ok(Arrival::Duplicate { .. })
        ));
        assert_eq!(h.accepted().len(), 1);
        assert_eq!(h.accepted_per_group(), vec![1, 0, 0]);
    }

    /// Issue 14: one code written five ways was accepted five times.
    #[test]
    fn five_spellings_of_one_code_are_one_code() {
        let mut h = host("code");
        let code = h.codes()[0][1].to_string();
        let plain: String = code.chars().filter(|c| *c != '-').collect();
        let spellings = [
            code.clone(),
            format!("{} {} {}", &plain[..3], &plain[3..6], &plain[6..]).to_lowercase(),
            code.replace('-', "–"),
            code.replace('-', "—"),
            code.replace('-', "_"),
        ];
        let mut arrivals = Vec::new();
        for (i, text) in spellings.iter().enumerate() {
            let mut raw = ballot(&h, Credential::Code(h.codes()[0][1]), (i % 4) as u8).to_v1(h.meeting());
            raw.code = Some(text.clone());
            let key = DeviceKey::from_seed([i as u8 + 1; 32]);
            let signed = ChainHead::default().sign_next(&key, raw, T);
            arrivals.push(h.receive(signed, Source::File, T).unwrap());
        }
        assert!(h.accepted().is_empty(), "none counts until the host decides");
        assert_eq!(h.conflicts().len(), 1, "one conflict set for one code");
        assert_eq!(h.conflicts()[0].ballots.len(), 5);
        assert!(
            arrivals
                .iter()
                .skip(1)
                .all(|a| matches!(a, Arrival::Conflict { .. }))
        );
    }

    #[test]
    fn same_code_with_other_content_holds_both_until_decided() {
        let mut h = host("code");
        let code = h.codes()[1][2];
        let a = signed(
            &h,
            &mut ChainHead::default(),
            &DeviceKey::from_seed([1; 32]),
            &ballot(&h, Credential::Code(code), 0),
        );
        let b = signed(
            &h,
            &mut ChainHead::default(),
            &DeviceKey::from_seed([2; 32]),
            &ballot(&h, Credential::Code(code), 3),
        );
        h.receive(a, Source::Qr, T).unwrap();
        assert!(matches!(
            h.receive(b, Source::File, T),
            Ok(Arrival::Conflict { .. })
        ));
        assert!(h.accepted().is_empty());
        assert_eq!(h.close_voting(T), Err(HostError::ConflictsPending(1)));
        let set = h.conflicts().remove(0);
        assert_eq!(set.ballots, vec![0, 1]);
        assert_eq!(
            h.resolve_conflict(&set.key, Some(1), " ", T),
            Err(HostError::ReasonRequired)
        );
        h.resolve_conflict(&set.key, Some(1), "rater confirmed the second", T)
            .unwrap();
        assert_eq!(
            h.received()[0].status,
            Status::Rejected(RejectReason::ConflictSetAside)
        );
        assert_eq!(h.received()[1].status, Status::Accepted);
        h.close_voting(T).unwrap();
        assert!(h.state().audit.iter().any(|e| e.event == "conflict_resolved"));
    }

    #[test]
    fn rejects_bad_signature_wrong_meeting_unknown_code_and_late_ballots() {
        let mut h = host("code");
        let key = DeviceKey::from_seed([1; 32]);
        let mut chain = ChainHead::default();
        let code = h.codes()[0][0];
        let mut tampered = signed(&h, &mut chain, &key, &ballot(&h, Credential::Code(code), 0));
        tampered.ballot.marks[0] = "44444444".to_owned();
        let other_secret = issue_codes(&MeetingSecret::from_bytes([9; 32]), "test-meeting", 0, 1).unwrap();
        let unknown = signed(
            &h,
            &mut chain,
            &key,
            &ballot(&h, Credential::Code(other_secret[0]), 0),
        );
        let not_yet = issue_codes(&MeetingSecret::from_bytes([7; 32]), "test-meeting", 0, 6).unwrap()[5];
        let unissued = signed(&h, &mut chain, &key, &ballot(&h, Credential::Code(not_yet), 0));
        let mut v1 = ballot(&h, Credential::Code(h.codes()[0][1]), 0).to_v1(h.meeting());
        v1.meeting = "other".to_owned();
        let wrong = chain.sign_next(&key, v1, T);
        let reason = |a: Result<Arrival, HostError>| match a {
            Ok(Arrival::Rejected { reason, .. }) => Some(reason),
            _ => None,
        };
        assert_eq!(
            reason(h.receive(tampered, Source::Qr, T)),
            Some(RejectReason::BadSignature)
        );
        assert_eq!(
            reason(h.receive(unknown, Source::Qr, T)),
            Some(RejectReason::UnknownCode)
        );
        assert_eq!(
            reason(h.receive(unissued, Source::Qr, T)),
            Some(RejectReason::UnknownCode)
        );
        assert_eq!(
            reason(h.receive(wrong, Source::Qr, T)),
            Some(RejectReason::WrongMeeting)
        );
        h.close_voting(T).unwrap();
        let late = signed(
            &h,
            &mut chain,
            &key,
            &ballot(&h, Credential::Code(h.codes()[2][0]), 0),
        );
        assert_eq!(
            reason(h.receive(late, Source::Qr, T)),
            Some(RejectReason::NotOpen)
        );
        assert!(h.accepted().is_empty());
    }

    #[test]
    fn open_mode_conflicts_on_tablet_and_number() {
        let mut h = host("open");
        let key = DeviceKey::from_seed([1; 32]);
        let a = signed(
            &h,
            &mut ChainHead::default(),
            &key,
            &ballot(&h, Credential::Group(0), 0),
        );
        let b = signed(
            &h,
            &mut ChainHead::default(),
            &key,
            &ballot(&h, Credential::Group(0), 1),
        );
        h.receive(a, Source::Qr, T).unwrap();
        assert!(matches!(
            h.receive(b, Source::Qr, T),
            Ok(Arrival::Conflict { .. })
        ));
        let set = h.conflicts().remove(0);
        h.resolve_conflict(&set.key, None, "tablet was reset; neither can be trusted", T)
            .unwrap();
        assert!(h.accepted().is_empty());
        assert_eq!(h.received().len(), 2);
        // A third ballot on the same tablet number does not slip into the tally either.
        let c = signed(
            &h,
            &mut ChainHead::default(),
            &key,
            &ballot(&h, Credential::Group(1), 2),
        );
        assert!(matches!(
            h.receive(c, Source::File, T),
            Ok(Arrival::Conflict { .. })
        ));
        assert_eq!(h.conflicts().len(), 1);
        assert_eq!(h.conflicts()[0].ballots, vec![2]);
    }

    #[test]
    fn a_file_of_junk_cannot_use_up_the_room_for_real_ballots() {
        let mut h = host("open");
        let key = DeviceKey::from_seed([1; 32]);
        let mut chain = ChainHead::default();
        // Forged ballots of this meeting: signed, then altered, so every signature fails.
        let junk: Vec<SignedBallotV1> = (0..MAX_RECEIVED + 100)
            .map(|i| {
                let mut s = signed(&h, &mut chain, &key, &ballot(&h, Credential::Group(0), 0));
                s.time = format!("2026-12-18T09:00:{:02}.{i:06}Z", i % 60);
                s
            })
            .collect();
        let file = BallotFileV1 {
            format: BALLOT_FILE_FORMAT.to_owned(),
            version: BALLOT_FILE_VERSION,
            ballots: junk,
        };
        let arrivals = h.receive_file(file, T).unwrap();
        assert!(arrivals.iter().all(|a| matches!(
            a,
            Arrival::Rejected {
                reason: RejectReason::BadSignature,
                ..
            }
        )));
        assert_eq!(h.received().len(), REJECTED_KEPT, "a bounded sample is kept");
        let counted = (MAX_RECEIVED + 100 - REJECTED_KEPT) as u32;
        assert_eq!(h.rejected_counted().get("bad_signature"), Some(&counted));
        assert_eq!(
            h.state().audit.last().map(|e| e.event.as_str()),
            Some("rejected_counted"),
            "the host's log says how many were only counted"
        );
        // The room for real ballots is untouched.
        let mut real = ChainHead::default();
        let good = signed(
            &h,
            &mut real,
            &DeviceKey::from_seed([2; 32]),
            &ballot(&h, Credential::Group(1), 1),
        );
        assert!(matches!(
            h.receive(good, Source::File, T),
            Ok(Arrival::Accepted { .. })
        ));
        // The count survives storing the record.
        let back = HostMeeting::from_state(
            serde_json::from_str(&serde_json::to_string(h.state()).unwrap()).unwrap(),
        )
        .unwrap();
        assert_eq!(back.rejected_counted(), h.rejected_counted());
    }

    #[test]
    fn a_file_mostly_of_another_meeting_is_refused_whole_and_logged() {
        let mut h = host("open");
        let key = DeviceKey::from_seed([1; 32]);
        let mut chain = ChainHead::default();
        let mut ballots: Vec<SignedBallotV1> = (0..3)
            .map(|_| signed(&h, &mut chain, &key, &ballot(&h, Credential::Group(0), 0)))
            .collect();
        for b in ballots.iter_mut().skip(1) {
            b.ballot.meeting = "another-meeting".to_owned();
        }
        let file = BallotFileV1 {
            format: BALLOT_FILE_FORMAT.to_owned(),
            version: BALLOT_FILE_VERSION,
            ballots,
        };
        assert_eq!(
            h.receive_file(file, T),
            Err(HostError::FileNotForThisMeeting {
                ballots: 3,
                foreign: 2
            })
        );
        assert!(h.received().is_empty(), "nothing of the file is taken in");
        assert_eq!(
            h.state().audit.last().map(|e| e.event.as_str()),
            Some("file_refused")
        );
    }

    #[test]
    fn a_full_meeting_exports_a_result_that_verifies_and_survives_storage() {
        let mut h = host("code");
        let key = DeviceKey::from_seed([1; 32]);
        let host_key = DeviceKey::from_seed([9; 32]);
        let mut chain = ChainHead::default();
        let codes = h.codes();
        for (g, n) in [(0, 3), (1, 2), (2, 1)] {
            for c in &codes[g][..n] {
                let s = signed(
                    &h,
                    &mut chain,
                    &key,
                    &ballot(&h, Credential::Code(*c), (g % 4) as u8),
                );
                h.receive(s, Source::File, T).unwrap();
            }
        }
        let paper = ballot(&h, Credential::Code(codes[2][1]), 1);
        assert!(matches!(
            h.key_in_paper(&paper, &host_key, T),
            Ok(Arrival::Accepted { group: 2, .. })
        ));
        assert!(h.chain_problems().is_empty());
        h.set_note(0, "问：驻村时间？", T);
        let stored = serde_json::to_string(h.state()).unwrap();
        let mut back = HostMeeting::from_state(serde_json::from_str(&stored).unwrap()).unwrap();
        assert_eq!(back.state(), h.state());
        let mut damaged: HostStateV1 = serde_json::from_str(&stored).unwrap();
        damaged.received[0].ballot.ballot.marks[0] = "44444444".to_owned();
        assert_eq!(
            HostMeeting::from_state(damaged).err(),
            Some(ReadHostStateError::Received)
        );
        assert!(back.result_file(&host_key, "test", T).is_err(), "still open");
        back.close_voting(T).unwrap();
        let file = back.result_file(&host_key, "test", T).unwrap();
        assert!(!back.has_unexported_changes());
        let verdict = verify_result(&file.to_json()).unwrap();
        assert!(verdict.holds(), "{:?}", verdict.checks);
        assert_eq!(verdict.accepted, 7);
        assert_eq!(file.payload.tally.ballots, vec![3, 2, 2]);
    }

    #[test]
    fn a_level_override_needs_a_closed_meeting_and_a_reason_and_is_published() {
        let mut h = host("code");
        let key = DeviceKey::from_seed([1; 32]);
        let host_key = DeviceKey::from_seed([9; 32]);
        let mut chain = ChainHead::default();
        let code = h.codes()[0][0];
        let s = signed(&h, &mut chain, &key, &ballot(&h, Credential::Code(code), 1));
        h.receive(s, Source::File, T).unwrap();
        assert_eq!(
            h.override_level(0, Level::Excellent, "表现突出", T),
            Err(HostError::NotClosed)
        );
        h.close_voting(T).unwrap();
        let computed = h.tally().presenters[0].level.unwrap();
        assert_eq!(
            h.override_level(0, Level::Excellent, "  ", T),
            Err(HostError::Override(OverrideLevelError::EmptyReason))
        );
        h.override_level(0, Level::Excellent, "抗洪抢险表现突出", T)
            .unwrap();
        let tally = h.tally();
        assert_eq!(h.final_levels(&tally)[0], Some(Level::Excellent));
        let row = h
            .final_ranking_rows(&tally)
            .into_iter()
            .find(|r| r.presenter == "p1")
            .unwrap();
        assert_eq!(row.level.as_deref(), Some("excellent"));
        assert_eq!(
            tally.presenters[0].level,
            Some(computed),
            "the computed level is kept"
        );
        assert_eq!(h.state().audit.last().unwrap().event, "level_overridden");
        let file = h.result_file(&host_key, "test", T).unwrap();
        assert_eq!(file.payload.level_overrides.len(), 1);
        assert_eq!(file.payload.level_overrides[0].computed, computed.as_str());
        assert!(verify_result(&file.to_json()).unwrap().holds());
        // An override that misstates the computed level fails verification (re-signed, so
        // only the override check can catch it).
        let mut payload = file.payload.clone();
        payload.level_overrides[0].computed = "unfit".to_owned();
        let forged = ResultFileV1::sign(payload, &host_key);
        let verdict = verify_result(&forged.to_json()).unwrap();
        assert!(!verdict.holds());
        assert!(verdict.checks.iter().any(|c| c.id == "tally" && !c.holds()));
    }

    #[test]
    fn setup_edits_log_a_changed_draw_and_lock_once_open() {
        use crate::domain::draw::{DrawRecord, parse_sources};
        let mut h = HostMeeting::new(small_meeting("code"), MeetingSecret::from_bytes([7; 32]), T);
        let first = DrawRecord::make(h.meeting(), parse_sources(&["1 2 3"]).unwrap(), 2).unwrap();
        h.record_draw(first, T).unwrap();
        let second = DrawRecord::make(h.meeting(), parse_sources(&["4 5 6"]).unwrap(), 2).unwrap();
        h.record_draw(second, T).unwrap();
        let events: Vec<&str> = h.state().audit.iter().map(|e| e.event.as_str()).collect();
        assert_eq!(events, ["meeting_created", "draw_recorded", "draw_replaced"]);
        h.open_voting(T).unwrap();
        assert_eq!(h.edit_meeting(small_meeting("code"), T), Err(HostError::Locked));
        assert_eq!(h.issue_codes(0, 3, T), Ok(()));
        assert_eq!(h.issue_codes(0, 2, T), Err(HostError::CodesShrink(3)));
    }

    #[test]
    fn refuses_records_of_other_formats_and_versions() {
        let h = host("open");
        let mut state = h.state().clone();
        state.version = 2;
        assert_eq!(
            HostMeeting::from_state(state.clone()).err(),
            Some(ReadHostStateError::UnsupportedVersion(2))
        );
        state.version = 1;
        state.secret = "zz".to_owned();
        assert_eq!(
            HostMeeting::from_state(state).err(),
            Some(ReadHostStateError::Secret)
        );
    }
}
