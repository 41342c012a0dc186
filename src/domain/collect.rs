//! The host's meeting record on record format 2: the meeting, its draw, the codes issued, the
//! round the tablets joined (signed join, sealed batches taken in), the paper ballots keyed in,
//! the proof fixed at closing, and the audit log of the host's decisions — with no entry per
//! ballot (docs/record-format.md, docs/result-format.md).
//!
//! [`HostStateV2`] is the stored form (written after every action, exported as a backup);
//! [`HostMeeting`] is the checked value the host screens work with. A sealed hand-in goes
//! through [`HostMeeting::receive_hand_in`]; the round is proven once, at
//! [`HostMeeting::close_voting`]; the first result export erases the ballots' rows, keeping
//! only the published proof.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::ballot::Ballot;
use super::code::{BallotCode, IssueCodesError, MeetingSecret, issue_codes};
use super::draw::DrawRecord;
use super::level::{Level, LevelOverride, LevelOverrideV1, OverrideLevelError, final_levels};
use super::meeting::{CredentialMode, Meeting, MeetingFileV1, ParseMeetingError};
use super::record::batch::{RowV1, ballot_of_row, row_of};
use super::record::commit::{code_list_digest, meeting_digest};
use super::record::counts::plain_count_tables;
use super::record::group::hex;
use super::record::host::{BatchArrival, HostRound, HostRoundStateV1, ReceiveBatchError};
use super::record::join::SignedJoinV2;
use super::record::minutes::code_list_for_people;
use super::record::result::{
    AuditEntryV2, BuildResultV2Error, ReconciliationV2, ResultFileV2, ResultInputV2, reconcile_returns,
    reconcile_v2,
};
use super::record::score::{CellTally, tally_cells};
use super::record::verify::RoundProofV1;
use super::report::{RankingRowV1, cell_ranking_rows};
use super::signing::{DeviceKey, fingerprint};

/// Format id of the host's stored meeting record.
pub const HOST_STATE_FORMAT: &str = "pingyi-host-state";
/// The host record version this build writes and reads (version 1 held signed ballots).
pub const HOST_STATE_VERSION: u32 = 2;
/// Most batches one record takes in.
pub const MAX_BATCHES: usize = 2000;
/// Most paper ballots the host keys in.
pub const MAX_PAPER: usize = 2000;

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

/// How a hand-in reached the host.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// Scanned from a tablet's hand-in QR codes.
    Qr,
    /// Imported from a tablet's hand-in file.
    File,
}

impl Source {
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Qr => "qr",
            Source::File => "file",
        }
    }
}

/// The host's meeting record as stored and backed up.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HostStateV2 {
    pub format: String,
    pub version: u32,
    pub meeting: MeetingFileV1,
    /// The meeting secret that keys the ballot codes (hex); never leaves the laptop except in
    /// a backup.
    pub secret: String,
    pub phase: Phase,
    /// Codes issued so far per group, in meeting order.
    pub codes_issued: Vec<u32>,
    /// The signed join of the round, from the moment voting opened.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub join: Option<SignedJoinV2>,
    /// The round with its transport secret and the batches taken in; gone once erased.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub round: Option<HostRoundStateV1>,
    /// Paper ballots keyed in, sorted by content, until they become the host's batch at
    /// closing.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub paper: Vec<RowV1>,
    /// The proof fixed at closing: what every figure is computed from afterwards.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proof: Option<RoundProofV1>,
    /// 实到 per group, as the host counted them at closing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub present: Option<Vec<u32>>,
    pub audit: Vec<AuditEntryV2>,
    /// The host's note per presenter (提问式点评), by presenter id.
    #[serde(default)]
    pub notes: HashMap<String, String>,
    /// Audit length when a result or backup was last exported (nothing unsaved when equal).
    #[serde(default)]
    pub exported_at: Option<u32>,
    /// Levels the host set instead of the computed ones, in the order they were set.
    #[serde(default)]
    pub overrides: Vec<LevelOverrideV1>,
    /// Hand-ins not taken in, counted by reason id (nothing of them is kept).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub refused: BTreeMap<String, u32>,
    /// True once the rows were erased after the result was exported.
    #[serde(default)]
    pub erased: bool,
    /// The round is a trial (试运行): its ballots never enter the live record.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub trial: bool,
}

/// Why a stored host record cannot be opened.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum ReadHostStateError {
    #[error("这不是评议会议记录（格式 “{0}”）— this is not a Pingyi meeting record (format “{0}”)")]
    WrongFormat(String),
    #[error(
        "这份会议记录由旧版本建立（记录格式 1，公布每张选票），本版本不再打开：请用原版本导出结果 — this meeting record was made by an earlier build (record format 1, which publishes ballots); this build does not open it: export its result with the build that made it"
    )]
    Version1,
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
    #[error("会议记录中的选票已损坏：{0} — the ballots in the meeting record are damaged: {0}")]
    Round(String),
}

/// What the host tried that the meeting's phase or state does not allow.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum HostError {
    #[error("投票已开放，会议内容不能再修改 — voting is open; the meeting can no longer be changed")]
    Locked,
    #[error("投票尚未开放 — voting is not open")]
    NotOpen,
    #[error("{0}")]
    Codes(#[from] IssueCodesError),
    #[error("选票码只能增加，已发放 {0} 个 — codes can only be added; {0} are already issued")]
    CodesShrink(u32),
    #[error("没有这个评议人员类别 — there is no such rater group")]
    NoSuchGroup,
    #[error("会议记录已满 — the meeting record is full")]
    Full,
    #[error("{0}")]
    HandIn(#[from] ReceiveBatchError),
    #[error("选票码 {0} 不是本次会议发放的 — code {0} was not issued for this meeting")]
    UnknownCode(String),
    #[error("选票码 {0} 已经投过票 — code {0} has already been used")]
    CodeUsed(String),
    #[error(
        "以下平板尚未交出最后一批：{0}。请在各平板上“交最后一批”后再结束投票 — these tablets have not handed in their closing batch: {0}. Hand in the closing batch on each before closing"
    )]
    TabletsNotClosed(String),
    #[error("实到人数须按类别逐一填写 — 实到 must be given for every group")]
    Present,
    #[error("{0}")]
    Result(#[from] BuildResultV2Error),
    #[error("投票结束后才能调整等次 — levels can be overridden only after voting is closed")]
    NotClosed,
    #[error("{0}")]
    Override(#[from] OverrideLevelError),
    #[error(
        "这是试运行：试运行的选票不进入正式结果，不能导出结果文件或调整等次 — this is a trial run: its ballots never enter the live result; no result file or level override"
    )]
    Trial,
    #[error("现在不是试运行 — this is not a trial run")]
    NotTrial,
}

/// A tablet as the host knows it: registered by the hello in its first hand-in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TabletSummary {
    pub fingerprint: String,
    pub batches: u32,
    pub ballots: u32,
    /// Its closing batch is in.
    pub closed: bool,
}

/// A batch taken in, as the collect step lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BatchSummary {
    pub tablet: String,
    pub number: u32,
    pub ballots: u32,
    pub closing: bool,
    /// What staff type on the tablet to confirm the batch arrived.
    pub digest: String,
}

/// The host's meeting record, checked: the meeting is valid, the secret readable, the round
/// open again. Not `Clone` or `Debug`: it holds the round's transport secret.
pub struct HostMeeting {
    meeting: Meeting,
    secret: MeetingSecret,
    state: HostStateV2,
    round: Option<HostRound>,
}

fn secret_to_hex(secret: &MeetingSecret) -> String {
    hex(secret.as_bytes())
}

fn secret_from_hex(text: &str) -> Option<MeetingSecret> {
    super::record::group::parse_hex::<32>(text).map(MeetingSecret::from_bytes)
}

impl HostMeeting {
    /// A new record for `meeting` in the set-up phase.
    pub fn new(meeting: Meeting, secret: MeetingSecret, time: &str) -> HostMeeting {
        let groups = meeting.groups().len();
        let mut host = HostMeeting {
            state: HostStateV2 {
                format: HOST_STATE_FORMAT.to_owned(),
                version: HOST_STATE_VERSION,
                meeting: meeting.to_file(),
                secret: secret_to_hex(&secret),
                phase: Phase::Setup,
                codes_issued: vec![0; groups],
                join: None,
                round: None,
                paper: Vec::new(),
                proof: None,
                present: None,
                audit: Vec::new(),
                notes: HashMap::new(),
                exported_at: None,
                overrides: Vec::new(),
                refused: BTreeMap::new(),
                erased: false,
                trial: false,
            },
            meeting,
            secret,
            round: None,
        };
        let title = host.meeting.title().to_owned();
        host.log(time, "meeting_created", title);
        host
    }

    /// Opens a stored record, refusing other formats, other versions and damaged content.
    pub fn from_state(state: HostStateV2) -> Result<HostMeeting, ReadHostStateError> {
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
        let round = match &state.round {
            Some(round) => Some(
                HostRound::from_state(round.clone()).map_err(|e| ReadHostStateError::Round(e.to_string()))?,
            ),
            None => None,
        };
        for (i, row) in state.paper.iter().enumerate() {
            ballot_of_row(&meeting, row, i + 1).map_err(|e| ReadHostStateError::Round(e.to_string()))?;
        }
        Ok(HostMeeting {
            meeting,
            secret,
            state,
            round,
        })
    }

    /// Opens a stored record from its JSON text; a record of format version 1 gets its own
    /// message.
    pub fn from_json(text: &str) -> Result<HostMeeting, ReadHostStateError> {
        #[derive(Deserialize)]
        struct Head {
            format: String,
            version: u32,
        }
        let head: Head =
            serde_json::from_str(text).map_err(|_| ReadHostStateError::WrongFormat(String::new()))?;
        if head.format != HOST_STATE_FORMAT {
            return Err(ReadHostStateError::WrongFormat(head.format));
        }
        if head.version == 1 {
            return Err(ReadHostStateError::Version1);
        }
        if head.version != HOST_STATE_VERSION {
            return Err(ReadHostStateError::UnsupportedVersion(head.version));
        }
        let state: HostStateV2 =
            serde_json::from_str(text).map_err(|e| ReadHostStateError::Round(e.to_string()))?;
        HostMeeting::from_state(state)
    }

    pub fn state(&self) -> &HostStateV2 {
        &self.state
    }
    pub fn meeting(&self) -> &Meeting {
        &self.meeting
    }
    pub fn phase(&self) -> Phase {
        self.state.phase
    }
    pub fn note(&self, presenter_id: &str) -> &str {
        self.state.notes.get(presenter_id).map_or("", String::as_str)
    }
    /// Whether anything happened since the last exported result or backup.
    pub fn has_unexported_changes(&self) -> bool {
        self.state.exported_at != Some(self.state.audit.len() as u32)
    }
    /// The signed join the tablets read, once voting is open.
    pub fn join(&self) -> Option<&SignedJoinV2> {
        self.state.join.as_ref()
    }
    /// Whether rating needs codes in this meeting.
    pub fn uses_codes(&self) -> bool {
        self.meeting.credential() == CredentialMode::Code
    }
    /// Whether the ballots' rows were erased after the result was exported.
    pub fn rows_erased(&self) -> bool {
        self.state.erased
    }
    /// Whether the record holds ballots' rows (and the transport secret): the backup then
    /// needs the care docs/security.md describes.
    pub fn holds_rows(&self) -> bool {
        self.state.round.is_some() || !self.state.paper.is_empty()
    }

    fn push(&mut self, entry: AuditEntryV2) {
        let mut entry = entry;
        entry.seq = self.state.audit.len() as u32 + 1;
        self.state.audit.push(entry);
    }

    fn log(&mut self, time: &str, event: &str, detail: String) {
        self.push(AuditEntryV2::new(0, time, event, detail));
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
                self.log(time, "draw_recorded", format!("{picks} picks; key {key}"));
            }
            (Some(old), Some(new)) if old != new => {
                self.log(time, "draw_replaced", format!("sources changed: {old} → {new}"));
            }
            (Some(old), None) => self.log(time, "draw_replaced", format!("sources changed: {old} → ")),
            _ => {}
        }
        let file = meeting.to_file();
        if file.presenters != self.state.meeting.presenters
            || file.groups != self.state.meeting.groups
            || file.aspects != self.state.meeting.aspects
            || meeting.title() != self.meeting.title()
        {
            self.log(time, "meeting_edited", String::new());
        }
        if groups != self.state.codes_issued.len() {
            self.state.codes_issued = vec![0; groups];
        }
        self.state.meeting = file;
        self.meeting = meeting;
        Ok(())
    }

    /// Records a draw on the meeting (set-up phase only).
    pub fn record_draw(&mut self, draw: DrawRecord, time: &str) -> Result<(), HostError> {
        let meeting = self.meeting.clone().with_draw(draw);
        self.edit_meeting(meeting, time)
    }

    /// Fixes the meeting and opens the round: the join is signed with the host key over a
    /// fresh `session` and the public half of a fresh `transport` secret.
    pub fn open_voting(
        &mut self,
        host: &DeviceKey,
        session: [u8; 16],
        transport: [u8; 32],
        time: &str,
    ) -> Result<(), HostError> {
        self.open_first_round(host, (session, transport), false, time)
    }

    /// Fixes the meeting and opens a trial round (试运行): tablets join and raters try the
    /// form, the board shows a tally, and [`go_live`](Self::go_live) discards all of it.
    pub fn open_trial(
        &mut self,
        host: &DeviceKey,
        session: [u8; 16],
        transport: [u8; 32],
        time: &str,
    ) -> Result<(), HostError> {
        self.open_first_round(host, (session, transport), true, time)
    }

    fn open_first_round(
        &mut self,
        host: &DeviceKey,
        (session, transport): ([u8; 16], [u8; 32]),
        trial: bool,
        time: &str,
    ) -> Result<(), HostError> {
        if self.state.phase != Phase::Setup {
            return Err(HostError::Locked);
        }
        self.start_round(host, session, transport, trial);
        let event = if trial { "trial_opened" } else { "voting_opened" };
        self.log(time, event, String::new());
        Ok(())
    }

    /// Ends the trial: every batch, paper ballot, count and decision of it is discarded (the
    /// audit log keeps one entry with its totals) and the live round opens with a fresh
    /// session and transport secret, so no trial ballot can be taken in again.
    pub fn go_live(
        &mut self,
        host: &DeviceKey,
        session: [u8; 16],
        transport: [u8; 32],
        time: &str,
    ) -> Result<(), HostError> {
        if !self.state.trial {
            return Err(HostError::NotTrial);
        }
        let batches = self.round.as_ref().map_or(0, |r| r.batches().len());
        let counted: u32 = self.counted_per_group().iter().sum();
        self.log(
            time,
            "trial_discarded",
            format!("{batches} trial batches, {counted} trial ballots discarded"),
        );
        self.state.paper.clear();
        self.state.proof = None;
        self.state.present = None;
        self.state.overrides.clear();
        self.start_round(host, session, transport, false);
        self.log(time, "voting_opened", String::new());
        Ok(())
    }

    /// Whether the round is a trial (试运行).
    pub fn is_trial(&self) -> bool {
        self.state.trial
    }

    fn start_round(&mut self, host: &DeviceKey, session: [u8; 16], transport: [u8; 32], trial: bool) {
        let round = HostRound::open(self.meeting.clone(), host, session, transport, trial);
        self.state.join = Some(round.join().clone());
        self.state.round = Some(round.to_state());
        self.round = Some(round);
        self.state.phase = Phase::Open;
        self.state.trial = trial;
    }

    /// The audit event id for a round event: a trial logs its own apart, so no trial entry
    /// can be read as part of the live record.
    fn round_event(&self, event: &'static str) -> String {
        if self.state.trial {
            format!("trial_{event}")
        } else {
            event.to_owned()
        }
    }

    /// Raises the number of codes issued for `group` to `total` (codes are never withdrawn:
    /// printed slips stay valid).
    pub fn issue_codes(&mut self, group: usize, total: u32, time: &str) -> Result<(), HostError> {
        if self.state.phase == Phase::Closed {
            return Err(HostError::NotOpen);
        }
        let Some(&issued) = self.state.codes_issued.get(group) else {
            return Err(HostError::NoSuchGroup);
        };
        if total < issued {
            return Err(HostError::CodesShrink(issued));
        }
        issue_codes(&self.secret, self.meeting.id(), group, total as usize)?;
        self.state.codes_issued[group] = total;
        let group = self.meeting.groups()[group].id.clone();
        self.log(time, "codes_issued", format!("{group}: {total} codes in all"));
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

    /// The digest of the issued code list as people compare it (code mode): shown on the
    /// tablets step, the slip sheet and the board, written into the minutes.
    pub fn code_list_digest(&self) -> Option<String> {
        if !self.uses_codes() {
            return None;
        }
        if let Some(list) = self.state.proof.as_ref().and_then(|p| p.code_list.as_ref()) {
            return code_list_for_people(&list.digest);
        }
        let digest = code_list_digest(&self.meeting, &meeting_digest(&self.meeting), &self.codes());
        code_list_for_people(&hex(&digest))
    }

    /// Takes in one sealed hand-in (from the scanner or a file); every check holds or nothing
    /// is kept, and the refusal is counted by reason.
    pub fn receive_hand_in(
        &mut self,
        envelope: &[u8],
        source: Source,
        time: &str,
    ) -> Result<BatchArrival, HostError> {
        if self.state.phase != Phase::Open {
            return Err(HostError::NotOpen);
        }
        let Some(round) = self.round.as_mut() else {
            return Err(HostError::NotOpen);
        };
        if round.batches().len() >= MAX_BATCHES {
            return Err(HostError::Full);
        }
        match round.receive(envelope) {
            Ok(arrival) => {
                if let BatchArrival::Taken { .. } = arrival {
                    let info = round.infos().pop();
                    self.state.round = Some(round.to_state());
                    if let Some(info) = info {
                        let mut entry =
                            AuditEntryV2::batch_of(0, time, &info.tablet, info.number, info.ballots, false);
                        entry.detail = format!("{} ({})", entry.detail, source.as_str());
                        entry.event = self.round_event("batch_received");
                        self.push(entry);
                    }
                }
                Ok(arrival)
            }
            Err(e) => {
                let id = refusal_id(&e);
                *self.state.refused.entry(id.to_owned()).or_default() += 1;
                if let ReceiveBatchError::Fork { tablet, number } = &e {
                    self.push(AuditEntryV2 {
                        tablet: Some(tablet.clone()),
                        batch: Some(*number),
                        reason: Some(id.to_owned()),
                        ..AuditEntryV2::new(0, time, "batch_refused", e.to_string())
                    });
                }
                Err(e.into())
            }
        }
    }

    /// Hand-ins not taken in, counted by reason id.
    pub fn refused(&self) -> &BTreeMap<String, u32> {
        &self.state.refused
    }

    /// Keys in a paper ballot: kept as a row until closing, when the paper ballots become the
    /// host's own batch. In code mode the code must be issued and not used yet.
    pub fn key_in_paper(&mut self, ballot: &Ballot) -> Result<(), HostError> {
        if self.state.phase != Phase::Open {
            return Err(HostError::NotOpen);
        }
        if self.state.paper.len() >= MAX_PAPER {
            return Err(HostError::Full);
        }
        if let Some(code) = ballot.code() {
            let issued = self
                .codes()
                .get(code.group())
                .is_some_and(|codes| codes.contains(&code));
            if !issued {
                return Err(HostError::UnknownCode(code.to_string()));
            }
            let on_paper = self
                .state
                .paper
                .iter()
                .any(|r| r.code.as_deref() == Some(&code.to_string()));
            if on_paper || self.round.as_ref().is_some_and(|r| r.code_received(&code)) {
                return Err(HostError::CodeUsed(code.to_string()));
            }
        }
        let row = row_of(&self.meeting, ballot);
        let at = self.state.paper.binary_search(&row).unwrap_or_else(|i| i);
        self.state.paper.insert(at, row);
        Ok(())
    }

    /// Paper ballots keyed in so far.
    pub fn paper_count(&self) -> usize {
        self.state.paper.len()
            + self.state.proof.as_ref().map_or(0, |p| {
                p.batches
                    .iter()
                    .filter(|b| Some(&b.tablet) == self.state.join.as_ref().map(|j| &j.host))
                    .map(|b| b.groups.iter().map(|g| g.returned as usize).sum::<usize>())
                    .sum()
            })
    }

    fn paper_ballots(&self) -> Vec<Ballot> {
        self.state
            .paper
            .iter()
            .enumerate()
            .filter_map(|(i, row)| ballot_of_row(&self.meeting, row, i + 1).ok())
            .collect()
    }

    /// The tablets registered so far, in the order they first handed in (the host's own paper
    /// batch not among them).
    pub fn tablets(&self) -> Vec<TabletSummary> {
        let host = self
            .state
            .join
            .as_ref()
            .map(|j| j.host.clone())
            .unwrap_or_default();
        // (tablet key, ballots, closing) per batch: from the proof once closed, else as taken in.
        let batches: Vec<(String, u32, bool)> = match (&self.round, &self.state.proof) {
            (_, Some(proof)) => proof
                .batches
                .iter()
                .map(|h| {
                    (
                        h.tablet.clone(),
                        h.groups.iter().map(|g| g.returned).sum(),
                        h.closing,
                    )
                })
                .collect(),
            (Some(round), None) => round
                .infos()
                .into_iter()
                .map(|i| (i.tablet, i.ballots, i.closing))
                .collect(),
            (None, None) => Vec::new(),
        };
        let mut tablets: Vec<(String, TabletSummary)> = Vec::new();
        for (key, ballots, closing) in batches.into_iter().filter(|(key, ..)| *key != host) {
            let at = match tablets.iter().position(|(k, _)| *k == key) {
                Some(at) => at,
                None => {
                    tablets.push((
                        key.clone(),
                        TabletSummary {
                            fingerprint: fingerprint(&key).unwrap_or_default(),
                            batches: 0,
                            ballots: 0,
                            closed: false,
                        },
                    ));
                    tablets.len() - 1
                }
            };
            let t = &mut tablets[at].1;
            t.batches += 1;
            t.ballots += ballots;
            t.closed |= closing;
        }
        tablets.into_iter().map(|(_, t)| t).collect()
    }

    /// The batches taken in, newest first.
    pub fn batches(&self) -> Vec<BatchSummary> {
        let Some(round) = &self.round else {
            return Vec::new();
        };
        let mut list: Vec<BatchSummary> = round
            .infos()
            .into_iter()
            .filter(|b| Some(&b.tablet) != self.state.join.as_ref().map(|j| &j.host))
            .map(|b| BatchSummary {
                tablet: fingerprint(&b.tablet).unwrap_or_default(),
                number: b.number,
                ballots: b.ballots,
                closing: b.closing,
                digest: b.digest,
            })
            .collect();
        list.reverse();
        list
    }

    /// Closes voting: the paper ballots become the host's own batch (`seed` is fresh random
    /// bytes), the round is proven and the proof fixed, each exclusion logged, 实到 recorded.
    /// Refused while a registered tablet has not handed in its closing batch, unless the
    /// host closes anyway (the result then fails verification with `tablet_not_closed`).
    pub fn close_voting(
        &mut self,
        host: &DeviceKey,
        seed: [u8; 32],
        present: Option<Vec<u32>>,
        anyway: bool,
        time: &str,
    ) -> Result<(), HostError> {
        if self.state.phase != Phase::Open {
            return Err(HostError::NotOpen);
        }
        if present
            .as_ref()
            .is_some_and(|p| p.len() != self.meeting.groups().len())
        {
            return Err(HostError::Present);
        }
        let open: Vec<String> = self
            .tablets()
            .into_iter()
            .filter(|t| !t.closed)
            .map(|t| t.fingerprint)
            .collect();
        if !open.is_empty() && !anyway {
            return Err(HostError::TabletsNotClosed(open.join(", ")));
        }
        let paper = self.paper_ballots();
        let codes = self.codes();
        let Some(round) = self.round.as_mut() else {
            return Err(HostError::NotOpen);
        };
        if !paper.is_empty() {
            round.take_paper_batch(host, &paper, seed)?;
        }
        let proof = round.prove(&codes)?;
        let paper_header = proof
            .batches
            .iter()
            .find(|b| b.tablet == host.public_key())
            .cloned();
        self.state.round = Some(round.to_state());
        if let Some(header) = paper_header {
            let mut entry = AuditEntryV2::batch(0, time, &header, true);
            entry.event = self.round_event("paper_batch");
            self.push(entry);
        }
        for exclusion in &proof.counts.exclusions {
            let mut entry = AuditEntryV2::excluded(0, time, exclusion);
            entry.event = self.round_event("ballot_excluded");
            self.push(entry);
        }
        self.state.paper.clear();
        self.state.present = present;
        self.state.proof = Some(proof);
        self.state.phase = Phase::Closed;
        let closed = self.round_event("voting_closed");
        self.log(time, &closed, String::new());
        Ok(())
    }

    /// The tally as it stands: from the proof once voting is closed; while open, from every
    /// ballot taken in (the exclusion rules applied) and the paper ballots keyed in.
    pub fn tally(&self) -> CellTally {
        let tables = match (&self.state.proof, &self.round) {
            (Some(proof), _) => proof.counts.clone(),
            (None, Some(round)) => {
                let codes = self.codes();
                let paper = self.paper_ballots();
                let mut ballots = round.counted_ballots(&codes);
                ballots.extend(paper.iter());
                plain_count_tables(&self.meeting, &ballots)
            }
            (None, None) => plain_count_tables(&self.meeting, &[]),
        };
        tally_cells(&self.meeting, &tables).unwrap_or_else(|_| {
            tally_cells(&self.meeting, &plain_count_tables(&self.meeting, &[])).expect("empty tables fit")
        })
    }

    /// Ballots counted per group, in meeting order (the board's progress while open).
    pub fn counted_per_group(&self) -> Vec<u32> {
        self.tally().returned
    }

    /// What came back against 应到, the codes and 实到: from the proof once closed, else from
    /// the batches so far and `present` as typed on the close step.
    pub fn reconciliation(&self, present: Option<&[u32]>) -> ReconciliationV2 {
        if let Some(proof) = &self.state.proof {
            return reconcile_v2(&self.meeting, proof, self.state.present.as_deref());
        }
        let codes = self.codes();
        let mut returns = self
            .round
            .as_ref()
            .map(|r| r.returns(&codes))
            .unwrap_or_else(|| vec![Default::default(); self.meeting.groups().len()]);
        for ballot in self.paper_ballots() {
            returns[ballot.group()].handed_in += 1;
        }
        reconcile_returns(&self.meeting, &returns, &self.state.codes_issued, present)
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
        if self.state.trial {
            return Err(HostError::Trial);
        }
        let computed: Vec<Option<Level>> = self.tally().presenters.iter().map(|p| p.tally.level).collect();
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
        self.push(AuditEntryV2 {
            presenter: Some(id.clone()),
            ..AuditEntryV2::new(
                0,
                time,
                "level_overridden",
                format!("{id}: {from} → {}; {}", level.as_str(), checked.reason),
            )
        });
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
    /// override replaces the computed level here (the result file's ranking keeps the computed
    /// one; the overrides are published beside them).
    pub fn final_ranking_rows(&self, tally: &CellTally) -> Vec<RankingRowV1> {
        let mut rows = cell_ranking_rows(&self.meeting, tally);
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
    pub fn final_levels(&self, tally: &CellTally) -> Vec<Option<Level>> {
        let computed: Vec<Option<Level>> = tally.presenters.iter().map(|p| p.tally.level).collect();
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
        self.push(AuditEntryV2 {
            presenter: Some(id),
            ..AuditEntryV2::new(0, time, "note_edited", String::new())
        });
    }

    /// The signed result file (voting must be closed). The first export erases the ballots'
    /// rows and the transport secret from the record: the published proof stays.
    pub fn result_file(
        &mut self,
        host: &DeviceKey,
        app_version: &str,
        time: &str,
    ) -> Result<ResultFileV2, HostError> {
        if self.state.phase != Phase::Closed {
            return Err(HostError::NotOpen);
        }
        if self.state.trial {
            return Err(HostError::Trial);
        }
        let (Some(join), Some(proof)) = (self.state.join.clone(), self.state.proof.clone()) else {
            return Err(HostError::NotOpen);
        };
        let counted: u32 = proof.counts.groups.iter().map(|g| g.returned).sum();
        if !self.state.erased {
            self.state.round = None;
            self.round = None;
            self.state.erased = true;
            self.log(
                time,
                "rows_erased",
                "the ballots' rows and the transport secret are erased; the published counts stay".to_owned(),
            );
        }
        self.log(time, "result_exported", format!("{counted} ballots counted"));
        let file = ResultFileV2::build(
            ResultInputV2 {
                join: &join,
                proof,
                present: self.state.present.clone(),
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
        self.log(time, "backup_exported", String::new());
        self.state.exported_at = Some(self.state.audit.len() as u32);
        serde_json::to_string_pretty(&self.state).unwrap_or_default()
    }
}

/// The reason id of a refused hand-in.
fn refusal_id(e: &ReceiveBatchError) -> &'static str {
    match e {
        ReceiveBatchError::Open(_) => "not_this_round",
        ReceiveBatchError::Unpack(_) | ReceiveBatchError::Batch(_) | ReceiveBatchError::Make(_) => "damaged",
        ReceiveBatchError::NoHello
        | ReceiveBatchError::Hello(_)
        | ReceiveBatchError::HelloOfAnotherTablet => "bad_hello",
        ReceiveBatchError::Fork { .. } => "fork",
        ReceiveBatchError::Stored => "stored_batch_damaged",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ballot::{BallotDraft, Credential};
    use crate::domain::demo::small_meeting;
    use crate::domain::kiosk::Tap;
    use crate::domain::record::result::verify_result_v2;
    use crate::domain::record::tablet::TabletV2;

    const T: &str = "2026-12-18T09:00:00Z";

    fn host(mode: &str) -> (HostMeeting, DeviceKey) {
        let key = DeviceKey::from_seed([9; 32]);
        let mut h = HostMeeting::new(small_meeting(mode), MeetingSecret::from_bytes([7; 32]), T);
        if mode == "code" {
            for g in 0..3 {
                h.issue_codes(g, [3, 2, 2][g], T).unwrap();
            }
        }
        h.open_voting(&key, [1; 16], [2; 32], T).unwrap();
        (h, key)
    }

    fn tablet(h: &HostMeeting, seed: u8) -> (TabletV2, DeviceKey) {
        let key = DeviceKey::from_seed([seed; 32]);
        (
            TabletV2::join(h.join().unwrap().clone(), &key, "2468", "s", T).unwrap(),
            key,
        )
    }

    fn rate_code(t: &mut TabletV2, code: &BallotCode, grade: u8) {
        t.start_with_code(&code.to_string()).unwrap();
        for p in 0..4 {
            t.tap(Tap::Fill { presenter: p, grade });
        }
        t.submit().unwrap();
    }

    fn stored(h: &HostMeeting) -> HostMeeting {
        HostMeeting::from_json(&serde_json::to_string(h.state()).unwrap()).unwrap()
    }

    /// A whole meeting on the host record: batches by QR and file, a duplicate, a copied slip,
    /// a paper ballot, closing with 实到, an override, the result verified — and the record
    /// read back from storage at every step gives the same tally.
    #[test]
    fn a_full_meeting_exports_a_result_that_verifies_and_survives_storage() {
        let (mut h, key) = host("code");
        let codes = h.codes();
        let (mut a, ka) = tablet(&h, 3);
        for code in &codes[0] {
            rate_code(&mut a, code, 0);
        }
        let batch = a.make_batch(&ka, [4; 32], [5; 32], false, T).unwrap();
        assert!(matches!(
            h.receive_hand_in(&batch.envelope, Source::Qr, T),
            Ok(BatchArrival::Taken { ballots: 3, .. })
        ));
        assert!(matches!(
            h.receive_hand_in(&batch.envelope, Source::File, T),
            Ok(BatchArrival::Duplicate { .. })
        ));
        assert_eq!(h.counted_per_group(), vec![3, 0, 0]);
        let h2 = stored(&h);
        assert_eq!(h2.tally(), h.tally());

        rate_code(&mut a, &codes[1][0], 1);
        let closing = a.make_batch(&ka, [6; 32], [7; 32], true, T).unwrap();
        h.receive_hand_in(&closing.envelope, Source::File, T).unwrap();
        // A copied slip on another tablet.
        let (mut b, kb) = tablet(&h, 4);
        rate_code(&mut b, &codes[0][0], 3);
        let copied = b.make_batch(&kb, [6; 32], [7; 32], true, T).unwrap();
        h.receive_hand_in(&copied.envelope, Source::Qr, T).unwrap();
        assert_eq!(
            h.counted_per_group(),
            vec![3, 1, 0],
            "the copied slip is not counted"
        );
        assert_eq!(h.tablets().len(), 2);
        assert!(h.tablets().iter().all(|t| t.closed));

        let mut draft = BallotDraft::new(h.meeting(), Credential::Code(codes[2][0]));
        for p in 0..4 {
            draft.fill_presenter(p, 2);
        }
        let paper = draft.finish().unwrap();
        h.key_in_paper(&paper).unwrap();
        assert!(matches!(h.key_in_paper(&paper), Err(HostError::CodeUsed(_))));
        assert_eq!(h.counted_per_group(), vec![3, 1, 1]);
        assert!(matches!(
            h.receive_hand_in(b"junk", Source::File, T),
            Err(HostError::HandIn(_))
        ));
        assert_eq!(h.refused().values().sum::<u32>(), 1);

        let mut h = stored(&h);
        h.close_voting(&key, [8; 32], Some(vec![3, 2, 2]), false, T)
            .unwrap();
        assert_eq!(h.counted_per_group(), vec![3, 1, 1]);
        let tally = h.tally();
        let level = tally.presenters[0].tally.level.unwrap();
        let other = if level == Level::Excellent {
            Level::Competent
        } else {
            Level::Excellent
        };
        h.override_level(0, other, "考核组意见", T).unwrap();
        let mut h = stored(&h);
        assert!(h.holds_rows());
        let file = h.result_file(&key, "test", T).unwrap();
        assert!(!h.holds_rows(), "the rows are erased with the first export");
        let verdict = verify_result_v2(&file.to_json(), None).unwrap();
        assert!(
            verdict
                .problems
                .iter()
                .all(|p| p.id().starts_with("returned_over")),
            "{:?}",
            verdict.problems
        );
        let text = serde_json::to_string(h.state()).unwrap();
        assert!(
            !text.contains("\"marks\"") && h.state().round.is_none(),
            "no row and no transport secret left: {text}"
        );
        // After the erasure the record still exports the same result.
        let again = stored(&h).result_file(&key, "test", T).unwrap();
        assert_eq!(again.payload.proof, file.payload.proof);
        assert_eq!(stored(&h).tally(), tally);
    }

    #[test]
    fn closing_waits_for_every_tablets_closing_batch_unless_the_host_insists() {
        let (mut h, key) = host("open");
        let (mut a, ka) = tablet(&h, 3);
        for g in [0, 1, 2] {
            a.start_with_group(g).unwrap();
            for p in 0..4 {
                a.tap(Tap::Fill {
                    presenter: p,
                    grade: 1,
                });
            }
            a.submit().unwrap();
        }
        let batch = a.make_batch(&ka, [4; 32], [5; 32], false, T).unwrap();
        h.receive_hand_in(&batch.envelope, Source::Qr, T).unwrap();
        assert!(matches!(
            h.close_voting(&key, [8; 32], None, false, T),
            Err(HostError::TabletsNotClosed(_))
        ));
        h.close_voting(&key, [8; 32], None, true, T).unwrap();
        let file = h.result_file(&key, "test", T).unwrap();
        let ids: Vec<String> = verify_result_v2(&file.to_json(), None)
            .unwrap()
            .problems
            .iter()
            .map(|p| p.id())
            .collect();
        assert_eq!(ids, vec!["tablet_not_closed"]);
    }

    /// 试运行: the trial's ballots, counts and hand-ins never reach the live record.
    #[test]
    fn a_trial_never_mixes_with_the_live_record() {
        let key = DeviceKey::from_seed([9; 32]);
        let mut h = HostMeeting::new(small_meeting("open"), MeetingSecret::from_bytes([7; 32]), T);
        h.open_trial(&key, [1; 16], [2; 32], T).unwrap();
        assert!(h.is_trial() && h.join().unwrap().trial);
        let (mut a, ka) = tablet(&h, 3);
        for g in [0, 1, 2] {
            a.start_with_group(g).unwrap();
            for p in 0..4 {
                a.tap(Tap::Fill {
                    presenter: p,
                    grade: 0,
                });
            }
            a.submit().unwrap();
        }
        let trial_batch = a.make_batch(&ka, [4; 32], [5; 32], true, T).unwrap();
        h.receive_hand_in(&trial_batch.envelope, Source::Qr, T).unwrap();
        h.close_voting(&key, [6; 32], None, false, T).unwrap();
        assert_eq!(
            h.counted_per_group(),
            vec![1, 1, 1],
            "the trial board shows a tally"
        );
        assert_eq!(h.result_file(&key, "t", T).err(), Some(HostError::Trial));
        assert_eq!(
            h.override_level(0, Level::Basic, "x", T).err(),
            Some(HostError::Trial)
        );

        h.go_live(&key, [8; 16], [9; 32], T).unwrap();
        assert!(!h.is_trial() && !h.join().unwrap().trial);
        assert_eq!(h.phase(), Phase::Open);
        assert_eq!(h.counted_per_group(), vec![0, 0, 0]);
        assert!(h.tablets().is_empty());
        // The trial's hand-in is refused by the live round.
        assert!(matches!(
            h.receive_hand_in(&trial_batch.envelope, Source::File, T),
            Err(HostError::HandIn(ReceiveBatchError::Open(_)))
        ));
        assert_eq!(h.go_live(&key, [8; 16], [9; 32], T), Err(HostError::NotTrial));

        // The live round closes and verifies: no trial entry is read as part of it.
        let (mut b, kb) = tablet(&h, 4);
        b.start_with_group(0).unwrap();
        for p in 0..4 {
            b.tap(Tap::Fill {
                presenter: p,
                grade: 1,
            });
        }
        b.submit().unwrap();
        let live = b.make_batch(&kb, [4; 32], [5; 32], true, T).unwrap();
        h.receive_hand_in(&live.envelope, Source::Qr, T).unwrap();
        h.close_voting(&key, [6; 32], None, false, T).unwrap();
        let file = h.result_file(&key, "t", T).unwrap();
        assert_eq!(file.payload.proof.batches.len(), 1);
        let events: Vec<&str> = file.payload.audit.iter().map(|e| e.event.as_str()).collect();
        assert!(events.contains(&"trial_batch_received") && events.contains(&"trial_discarded"));
        let verdict = verify_result_v2(&file.to_json(), None).unwrap();
        assert_eq!(verdict.problems, vec![]);
    }

    /// A stored batch altered on the laptop's disk still reads (its rows are only decoded on
    /// reading), but the round is never proven from it: closing refuses.
    #[test]
    fn an_altered_stored_batch_stops_the_proof() {
        let (mut h, key) = host("open");
        let (mut a, ka) = tablet(&h, 3);
        for g in [0, 1, 2] {
            a.start_with_group(g).unwrap();
            for p in 0..4 {
                a.tap(Tap::Fill {
                    presenter: p,
                    grade: 1,
                });
            }
            a.submit().unwrap();
        }
        let batch = a.make_batch(&ka, [4; 32], [5; 32], true, T).unwrap();
        h.receive_hand_in(&batch.envelope, Source::Qr, T).unwrap();
        let mut state = h.state().clone();
        let row = &mut state.round.as_mut().unwrap().batches[0].wire.rows[0];
        row.marks[0] = "44444444".to_owned();
        let mut altered = HostMeeting::from_state(state).unwrap();
        assert!(matches!(
            altered.close_voting(&key, [6; 32], None, false, T),
            Err(HostError::HandIn(ReceiveBatchError::Stored))
                | Err(HostError::HandIn(ReceiveBatchError::Batch(_)))
        ));
        assert_eq!(altered.phase(), Phase::Open);
    }

    #[test]
    fn refuses_records_of_other_formats_and_versions() {
        let (h, _) = host("open");
        let mut state = h.state().clone();
        state.version = 1;
        let text = serde_json::to_string(&state).unwrap();
        assert_eq!(
            HostMeeting::from_json(&text).err(),
            Some(ReadHostStateError::Version1)
        );
        state.version = 3;
        assert!(matches!(
            HostMeeting::from_state(state.clone()),
            Err(ReadHostStateError::UnsupportedVersion(3))
        ));
        state.version = 2;
        state.format = "other".into();
        assert!(matches!(
            HostMeeting::from_state(state),
            Err(ReadHostStateError::WrongFormat(_))
        ));
    }

    #[test]
    fn setup_edits_log_a_changed_draw_and_lock_once_open() {
        let mut h = HostMeeting::new(small_meeting("open"), MeetingSecret::from_bytes([7; 32]), T);
        let mut file = h.meeting().to_file();
        file.title = "改名".into();
        h.edit_meeting(Meeting::try_from(file.clone()).unwrap(), T)
            .unwrap();
        assert_eq!(h.state().audit.last().unwrap().event, "meeting_edited");
        h.open_voting(&DeviceKey::from_seed([9; 32]), [1; 16], [2; 32], T)
            .unwrap();
        assert_eq!(
            h.edit_meeting(Meeting::try_from(file).unwrap(), T),
            Err(HostError::Locked)
        );
        assert!(h.join().unwrap().check().is_ok());
    }
}
