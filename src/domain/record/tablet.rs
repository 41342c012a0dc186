//! The tablet on record format 2: what it keeps between raters and how it hands ballots in.
//!
//! A submitted ballot becomes a row — group, code, marks; no time, no number — kept in a list
//! sorted by content, so neither the stored state nor a batch says in which order raters came.
//! Staff make a batch of the rows behind the PIN: the rows are committed to and signed
//! (`batch::make_hand_in`), the hand-in is sealed to the host's transport key, and from then
//! on the tablet keeps only the sealed envelope — the rows and the batch seed in clear are gone.
//! When the host shows the batch's digest, staff type it here and the envelope goes too.
//! The tablet never shows a tracker or a count per rater; it knows the code digests it has
//! used, to refuse a second ballot with the same code, and nothing else about past ballots.

use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::batch::{
    BatchChainHead, HandInV1, MakeBatchError, OpenHandInError, RoundContext, RowV1, ballot_of_row,
    make_hand_in, row_of,
};
use super::commit::{Generators, code_digest};
use super::group::hex;
use super::join::{CheckJoinError, CheckedJoin, HelloV1, SignedJoinV2};
use super::seal::{SealError, seal_bytes};
use super::transport::{pack, qr_chunks};
use crate::domain::ballot::{Ballot, BallotDraft, Credential, IncompleteBallotError};
use crate::domain::code::BallotCode;
use crate::domain::kiosk::{
    PinError, PinV1, StartError, TABLET_DRAFT_FORMAT, TABLET_DRAFT_VERSION, TabletDraftV1, TabletEvent,
    TabletLogEntryV1, Tap, apply_tap, draft_from_v1, draft_to_v1, pin_locked_for,
};
use crate::domain::meeting::{CredentialMode, Meeting};
use crate::domain::signing::{DeviceKey, fingerprint};

/// Format id and version of the tablet's stored state on record format 2.
pub const TABLET_STATE_V2_FORMAT: &str = "pingyi-tablet-state";
pub const TABLET_STATE_V2_VERSION: u32 = 2;

/// A batch sealed and not yet confirmed as received by the host: only its envelope stays.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SealedBatchV1 {
    pub number: u32,
    pub closing: bool,
    /// Ballots in the batch.
    pub ballots: u32,
    /// The header digest as people compare it (`ABCDE-FGHJK`), shown by the host on receipt.
    pub digest: String,
    /// The sealed hand-in (`pingyi-sealed`), base64.
    pub envelope: String,
}

/// A batch the host confirmed: what stays on the tablet afterwards.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfirmedBatchV1 {
    pub number: u32,
    pub ballots: u32,
    pub digest: String,
}

/// What a format-2 tablet stores between raters (`pingyi-tablet-state`, version 2).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TabletStateV2 {
    pub format: String,
    pub version: u32,
    pub join: SignedJoinV2,
    pub hello: HelloV1,
    /// Ballots submitted and not yet in a batch, sorted by content.
    pub pending: Vec<RowV1>,
    /// Keyed digests of the codes used on this tablet (hex, sorted), to refuse a code twice.
    pub used_codes: Vec<String>,
    pub sealed: Vec<SealedBatchV1>,
    pub confirmed: Vec<ConfirmedBatchV1>,
    pub chain: BatchChainHead,
    pub closed: bool,
    pub pin: PinV1,
    pub log: Vec<TabletLogEntryV1>,
}

/// Why a tablet cannot join, or its stored state cannot be read.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum TabletV2Error {
    #[error("{0}")]
    Join(#[from] CheckJoinError),
    #[error("{0}")]
    Pin(#[from] PinError),
    #[error("平板保存的数据不是本版本的格式 — the tablet's stored data is not of this version")]
    WrongFormat,
    #[error("平板保存的选票已损坏：{0} — a stored ballot on this tablet is damaged: {0}")]
    Row(#[from] OpenHandInError),
    #[error("平板上正在填写的选票已损坏 — the ballot being filled in on this tablet is damaged")]
    Draft,
}

/// Why a ballot cannot be submitted.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum SubmitV2Error {
    #[error("没有正在填写的选票 — no ballot is open")]
    NoBallot,
    #[error("{0}")]
    Incomplete(#[from] IncompleteBallotError),
    #[error(
        "这台平板已交出最后一批选票，不再收票 — this tablet handed in its closing batch and takes no more ballots"
    )]
    Closed,
}

/// Why a batch cannot be made or confirmed.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum HandInV2Error {
    #[error("{0}")]
    Pin(#[from] PinError),
    #[error("{0}")]
    Batch(#[from] MakeBatchError),
    #[error("{0}")]
    Seal(#[from] SealError),
    #[error("平板保存的选票已损坏：{0} — a stored ballot on this tablet is damaged: {0}")]
    Row(#[from] OpenHandInError),
    #[error("没有待交的选票 — there are no ballots to hand in")]
    Nothing,
    #[error("这台平板已交出最后一批 — this tablet already handed in its closing batch")]
    Closed,
    #[error(
        "主持人显示的批次码 {typed} 与本平板待确认的批次都不一致 — the batch code {typed} matches none of this tablet's batches waiting for the host"
    )]
    NoSuchBatch { typed: String },
}

/// What staff show the host for one sealed batch: the QR texts to cycle, and the same
/// envelope as one file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HandInDisplay {
    pub number: u32,
    pub ballots: u32,
    pub qr: Vec<String>,
    pub envelope: Vec<u8>,
}

/// A tablet on record format 2, checked: join valid, rows readable, draft open or not.
#[derive(Clone, Debug)]
pub struct TabletV2 {
    checked: CheckedJoin,
    state: TabletStateV2,
    draft: Option<BallotDraft>,
}

impl TabletV2 {
    /// Joins the round of a signed join: checks the host's signature, signs this tablet's
    /// hello and sets the staff PIN (`salt` is random).
    pub fn join(
        join: SignedJoinV2,
        key: &DeviceKey,
        pin: &str,
        salt: &str,
        time: &str,
    ) -> Result<TabletV2, TabletV2Error> {
        let pin = PinV1::new(salt, pin)?;
        let checked = join.check()?;
        let hello = HelloV1::sign(&checked.digest, &checked.session, key);
        let state = TabletStateV2 {
            format: TABLET_STATE_V2_FORMAT.to_owned(),
            version: TABLET_STATE_V2_VERSION,
            join,
            hello,
            pending: Vec::new(),
            used_codes: Vec::new(),
            sealed: Vec::new(),
            confirmed: Vec::new(),
            chain: BatchChainHead::default(),
            closed: false,
            pin,
            log: vec![TabletLogEntryV1 {
                time: time.to_owned(),
                event: TabletEvent::Joined {
                    host_fingerprint: fingerprint(&checked.join.host).unwrap_or_default(),
                },
            }],
        };
        Ok(TabletV2 {
            checked,
            state,
            draft: None,
        })
    }

    /// Opens a stored state with the ballot that was open when the tablet stopped, if it
    /// belongs to this meeting and its code is not used yet.
    pub fn from_stored_with_draft(
        state: TabletStateV2,
        draft: Option<TabletDraftV1>,
    ) -> Result<TabletV2, TabletV2Error> {
        let mut tablet = TabletV2::from_stored(state)?;
        if let Some(saved) = draft {
            if saved.format != TABLET_DRAFT_FORMAT || saved.version != TABLET_DRAFT_VERSION {
                return Err(TabletV2Error::Draft);
            }
            if saved.meeting == tablet.meeting().id() {
                let draft = draft_from_v1(&saved.draft, tablet.meeting()).ok_or(TabletV2Error::Draft)?;
                let used = match draft.credential() {
                    Credential::Code(code) => tablet.code_used(&code),
                    Credential::Group(_) => false,
                };
                if !used {
                    tablet.draft = Some(draft);
                }
            }
        }
        Ok(tablet)
    }

    /// The open ballot as stored after every tap.
    pub fn stored_draft(&self) -> Option<TabletDraftV1> {
        self.draft.as_ref().map(|d| TabletDraftV1 {
            format: TABLET_DRAFT_FORMAT.to_owned(),
            version: TABLET_DRAFT_VERSION,
            meeting: self.meeting().id().to_owned(),
            draft: draft_to_v1(d, self.meeting()),
        })
    }

    /// Checks the staff PIN without logging (e.g. before replacing this tablet's meeting).
    pub fn check_pin(&self, pin: &str) -> Result<(), PinError> {
        self.state.pin.check(pin)
    }

    /// The staff log, oldest first.
    pub fn log_entries(&self) -> &[TabletLogEntryV1] {
        &self.state.log
    }

    /// Whether the round this tablet joined is a trial (试运行).
    pub fn is_trial(&self) -> bool {
        self.state.join.trial
    }

    /// The session of the round this tablet joined, hex (two joins of one meeting differ here).
    pub fn session(&self) -> &str {
        &self.state.join.session
    }

    /// Opens a stored state (the open ballot is restored by [`restore_draft`](Self::restore_draft)).
    pub fn from_stored(state: TabletStateV2) -> Result<TabletV2, TabletV2Error> {
        if state.format != TABLET_STATE_V2_FORMAT || state.version != TABLET_STATE_V2_VERSION {
            return Err(TabletV2Error::WrongFormat);
        }
        let checked = state.join.check()?;
        for (i, row) in state.pending.iter().enumerate() {
            ballot_of_row(&checked.meeting, row, i + 1)?;
        }
        Ok(TabletV2 {
            checked,
            state,
            draft: None,
        })
    }

    pub fn state(&self) -> &TabletStateV2 {
        &self.state
    }

    pub fn meeting(&self) -> &Meeting {
        &self.checked.meeting
    }

    pub fn host_fingerprint(&self) -> String {
        fingerprint(&self.checked.join.host).unwrap_or_default()
    }

    pub fn draft(&self) -> Option<&BallotDraft> {
        self.draft.as_ref()
    }

    /// Puts back the ballot that was open when the tablet stopped.
    pub fn restore_draft(&mut self, draft: BallotDraft) {
        self.draft = Some(draft);
    }

    /// Ballots on this tablet not yet confirmed by the host (pending and sealed).
    pub fn not_handed_in(&self) -> u32 {
        self.state.pending.len() as u32 + self.state.sealed.iter().map(|b| b.ballots).sum::<u32>()
    }

    fn code_used(&self, code: &BallotCode) -> bool {
        let digest = hex(&code_digest(&self.checked.digest, code));
        self.state.used_codes.binary_search(&digest).is_ok()
    }

    /// Opens a ballot for the code on the rater's slip.
    pub fn start_with_code(&mut self, text: &str) -> Result<(), StartError> {
        if self.draft.is_some() {
            return Err(StartError::DraftOpen);
        }
        if self.meeting().credential() != CredentialMode::Code {
            return Err(StartError::NeedsGroup);
        }
        let code = BallotCode::parse(text)?;
        if self.code_used(&code) {
            return Err(StartError::AlreadyUsed);
        }
        let credential = Credential::Code(code).check(self.meeting())?;
        self.draft = Some(BallotDraft::new(self.meeting(), credential));
        Ok(())
    }

    /// Opens a ballot for a rater group (open meetings).
    pub fn start_with_group(&mut self, group: usize) -> Result<(), StartError> {
        if self.draft.is_some() {
            return Err(StartError::DraftOpen);
        }
        if self.meeting().credential() != CredentialMode::Open {
            return Err(StartError::NeedsCode);
        }
        let credential = Credential::Group(group).check(self.meeting())?;
        self.draft = Some(BallotDraft::new(self.meeting(), credential));
        Ok(())
    }

    pub fn tap(&mut self, tap: Tap) {
        if let Some(draft) = self.draft.as_mut() {
            apply_tap(draft, tap);
        }
    }

    pub fn discard_draft(&mut self) {
        self.draft = None;
    }

    /// Submits the open ballot: it becomes a row among the pending ones, in content order.
    /// Nothing is returned that could serve as a receipt.
    pub fn submit(&mut self) -> Result<(), SubmitV2Error> {
        if self.state.closed {
            return Err(SubmitV2Error::Closed);
        }
        let ballot: Ballot = self.draft.as_ref().ok_or(SubmitV2Error::NoBallot)?.finish()?;
        let row = row_of(self.meeting(), &ballot);
        let at = self.state.pending.binary_search(&row).unwrap_or_else(|i| i);
        self.state.pending.insert(at, row);
        if let Some(code) = ballot.code() {
            let digest = hex(&code_digest(&self.checked.digest, &code));
            if let Err(at) = self.state.used_codes.binary_search(&digest) {
                self.state.used_codes.insert(at, digest);
            }
        }
        self.draft = None;
        Ok(())
    }

    /// Checks the staff PIN and logs the attempt; refuses while locked after wrong PINs.
    pub fn open_hand_in(&mut self, pin: &str, time: &str) -> Result<(), PinError> {
        if let Some(seconds) = pin_locked_for(&self.state.log, time) {
            return Err(PinError::Locked { seconds });
        }
        let outcome = self.state.pin.check(pin);
        let event = match outcome {
            Ok(()) => TabletEvent::HandInOpened {
                held: self.not_handed_in() as usize,
            },
            Err(_) => TabletEvent::PinRefused,
        };
        self.log(time, event);
        outcome
    }

    /// Seconds the hand-in screen stays locked at `time`; None when a PIN may be tried.
    pub fn pin_locked_for(&self, time: &str) -> Option<i64> {
        pin_locked_for(&self.state.log, time)
    }

    /// Makes a batch of every pending row, signs it with the tablet key, seals it to the host
    /// (`seed` and `ephemeral` are fresh random bytes) and keeps only the envelope. A batch
    /// that is not the closing one needs at least the minimum group size of ballots.
    pub fn make_batch(
        &mut self,
        key: &DeviceKey,
        seed: [u8; 32],
        ephemeral: [u8; 32],
        closing: bool,
        time: &str,
    ) -> Result<HandInDisplay, HandInV2Error> {
        if self.state.closed {
            return Err(HandInV2Error::Closed);
        }
        if self.state.pending.is_empty() && !closing {
            return Err(HandInV2Error::Nothing);
        }
        let meeting = self.checked.meeting.clone();
        let ballots = self
            .state
            .pending
            .iter()
            .enumerate()
            .map(|(i, row)| ballot_of_row(&meeting, row, i + 1))
            .collect::<Result<Vec<Ballot>, _>>()?;
        let generators = Generators::for_meeting(&meeting);
        let round = RoundContext::new(&meeting, self.checked.session, &generators);
        let (hand_in, next) = make_hand_in(&round, key, &self.state.chain, &ballots, seed, closing)?;
        let envelope = seal_envelope(&self.checked, &self.state.hello, &hand_in, ephemeral)?;
        let number = hand_in.header.number;
        let count = ballots.len() as u32;
        use base64::Engine;
        self.state.sealed.push(SealedBatchV1 {
            number,
            closing,
            ballots: count,
            digest: hand_in.header.digest_for_people(),
            envelope: base64::engine::general_purpose::STANDARD.encode(&envelope),
        });
        self.state.pending.clear();
        self.state.chain = next;
        self.state.closed = closing;
        self.log(
            time,
            TabletEvent::BatchSealed {
                number,
                ballots: count as usize,
                closing,
            },
        );
        Ok(HandInDisplay {
            number,
            ballots: count,
            qr: qr_chunks(&envelope),
            envelope,
        })
    }

    /// The sealed batches waiting for the host, as staff show them again.
    pub fn sealed_displays(&self) -> Vec<HandInDisplay> {
        use base64::Engine;
        self.state
            .sealed
            .iter()
            .filter_map(|b| {
                let envelope = base64::engine::general_purpose::STANDARD
                    .decode(&b.envelope)
                    .ok()?;
                Some(HandInDisplay {
                    number: b.number,
                    ballots: b.ballots,
                    qr: qr_chunks(&envelope),
                    envelope,
                })
            })
            .collect()
    }

    /// Staff type the batch code the host shows on receipt: that batch's envelope is erased
    /// and the batch counts as handed in. Letters are compared the way the code alphabet
    /// reads them (case, spaces and dashes do not matter).
    pub fn confirm_batch(&mut self, pin: &str, typed: &str, time: &str) -> Result<u32, HandInV2Error> {
        self.state.pin.check(pin)?;
        let wanted = normalise(typed);
        let at = self
            .state
            .sealed
            .iter()
            .position(|b| normalise(&b.digest) == wanted)
            .ok_or_else(|| HandInV2Error::NoSuchBatch {
                typed: typed.trim().to_owned(),
            })?;
        let batch = self.state.sealed.remove(at);
        self.state.confirmed.push(ConfirmedBatchV1 {
            number: batch.number,
            ballots: batch.ballots,
            digest: batch.digest,
        });
        self.log(time, TabletEvent::BatchConfirmed { number: batch.number });
        Ok(batch.number)
    }

    fn log(&mut self, time: &str, event: TabletEvent) {
        self.state.log.push(TabletLogEntryV1 {
            time: time.to_owned(),
            event,
        });
    }
}

fn normalise(code: &str) -> String {
    code.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// The compact hand-in with the tablet's hello, DEFLATEd and sealed to the host for this round.
fn seal_envelope(
    checked: &CheckedJoin,
    hello: &HelloV1,
    hand_in: &HandInV1,
    ephemeral: [u8; 32],
) -> Result<Vec<u8>, SealError> {
    let mut wire = hand_in.to_wire();
    wire.hello = Some(hello.clone());
    let packed = pack(&wire);
    seal_bytes(
        &checked.transport,
        &checked.digest,
        &checked.session,
        ephemeral,
        &packed,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::demo::small_meeting;
    use crate::domain::kiosk::PIN_LOCK_SECONDS;
    use crate::domain::record::batch::open_wire;
    use crate::domain::record::seal::{TransportSecret, open_bytes};
    use crate::domain::record::transport::{ChunkProgress, QrReassembly, unpack};

    const T: &str = "2026-12-18T09:30:00.000Z";

    fn setup(mode: &str) -> (TabletV2, TransportSecret, DeviceKey, Generators) {
        let meeting = small_meeting(mode);
        let transport = TransportSecret::from_bytes([4; 32]);
        let host = DeviceKey::from_seed([1; 32]);
        let join = SignedJoinV2::sign(&meeting, [7; 16], transport.public_key(), &host);
        let generators = Generators::for_meeting(&meeting);
        let tablet = TabletV2::join(join, &DeviceKey::from_seed([2; 32]), "2468", "salt", T).unwrap();
        (tablet, transport, DeviceKey::from_seed([2; 32]), generators)
    }

    fn rate(tablet: &mut TabletV2, group: usize, grade: u8) {
        tablet.start_with_group(group).unwrap();
        for p in 0..tablet.meeting().presenters().len() {
            tablet.draft.as_mut().unwrap().fill_presenter(p, grade);
        }
        tablet.submit().unwrap();
    }

    #[test]
    fn stored_rows_keep_no_trace_of_the_order_raters_came_in() {
        let (mut a, ..) = setup("open");
        let (mut b, ..) = setup("open");
        for (g, grade) in [(0, 0), (1, 3), (2, 1), (0, 2)] {
            rate(&mut a, g, grade);
        }
        for (g, grade) in [(0, 2), (2, 1), (1, 3), (0, 0)] {
            rate(&mut b, g, grade);
        }
        assert_eq!(
            a.state().pending,
            b.state().pending,
            "same ballots, any order: same stored rows"
        );
        // Rows carry no time, number or tracker; the only times stored are the staff log's.
        let rows = serde_json::to_string(&a.state().pending).unwrap();
        let whole = serde_json::to_string(a.state()).unwrap();
        for field in ["time", "seq", "tracker"] {
            assert!(!rows.contains(&format!("\"{field}\"")), "{field} in {rows}");
        }
        assert!(
            !whole.contains("\"tracker\"") && !whole.contains("\"seq\""),
            "{whole}"
        );
    }

    #[test]
    fn a_sealed_batch_keeps_only_its_envelope_and_opens_at_the_host() {
        let (mut tablet, transport, key, generators) = setup("open");
        for (g, grade) in [(0, 0), (1, 3), (2, 1), (0, 2)] {
            rate(&mut tablet, g, grade);
        }
        let shown = tablet.make_batch(&key, [5; 32], [6; 32], false, T).unwrap();
        assert!(tablet.state().pending.is_empty(), "rows in clear are gone");
        assert_eq!(tablet.not_handed_in(), 4);
        let text = serde_json::to_string(tablet.state()).unwrap();
        assert!(!text.contains("\"marks\""), "no row in clear: {text}");
        // The host puts the QR texts together in any order and opens the batch.
        let mut reassembly = QrReassembly::new();
        let mut done = None;
        for chunk in shown.qr.iter().rev() {
            if let ChunkProgress::Complete(bytes) = reassembly.add(chunk).unwrap() {
                done = Some(bytes);
            }
        }
        let envelope = done.expect("all chunks");
        assert_eq!(envelope, shown.envelope);
        let checked = tablet.state().join.check().unwrap();
        let plain = open_bytes(&transport, &checked.digest, &checked.session, &envelope).unwrap();
        let wire = unpack(&plain).unwrap();
        let round = RoundContext::new(&checked.meeting, checked.session, &generators);
        let opened = open_wire(&round, &wire).unwrap();
        assert_eq!(opened.ballots.len(), 4);
        assert_eq!(
            tablet.sealed_displays()[0].envelope,
            envelope,
            "shown again, the same envelope"
        );

        // Staff type the code the host shows: the envelope is erased.
        let code = opened
            .checked
            .header
            .digest_for_people()
            .to_lowercase()
            .replace('-', " ");
        assert!(matches!(
            tablet.confirm_batch("2468", "WRONG-CODES", T),
            Err(HandInV2Error::NoSuchBatch { .. })
        ));
        assert_eq!(
            tablet.confirm_batch("1111", &code, T),
            Err(HandInV2Error::Pin(PinError::Wrong))
        );
        assert_eq!(tablet.confirm_batch("2468", &code, T), Ok(1));
        assert!(tablet.state().sealed.is_empty());
        assert_eq!(tablet.not_handed_in(), 0);
    }

    #[test]
    fn a_small_batch_waits_for_the_closing_hand_in_and_nothing_comes_after_it() {
        let (mut tablet, _, key, _) = setup("open");
        rate(&mut tablet, 0, 1);
        let minimum = tablet.meeting().min_breakdown_size();
        assert_eq!(
            tablet.make_batch(&key, [5; 32], [6; 32], false, T),
            Err(HandInV2Error::Batch(MakeBatchError::TooFewBallots { minimum }))
        );
        assert_eq!(
            tablet.state().pending.len(),
            1,
            "the refused batch leaves the row"
        );
        tablet.make_batch(&key, [5; 32], [6; 32], true, T).unwrap();
        assert!(tablet.state().closed);
        tablet.start_with_group(0).unwrap();
        for p in 0..tablet.meeting().presenters().len() {
            tablet.draft.as_mut().unwrap().fill_presenter(p, 0);
        }
        assert_eq!(tablet.submit(), Err(SubmitV2Error::Closed));
    }

    #[test]
    fn a_code_is_used_once_per_tablet_and_survives_storage() {
        let (mut tablet, ..) = setup("code");
        let code = crate::domain::code::issue_codes(
            &crate::domain::code::MeetingSecret::from_bytes([7; 32]),
            tablet.meeting().id(),
            0,
            1,
        )
        .unwrap()[0]
            .to_string();
        tablet.start_with_code(&code).unwrap();
        for p in 0..tablet.meeting().presenters().len() {
            tablet.draft.as_mut().unwrap().fill_presenter(p, 2);
        }
        tablet.submit().unwrap();
        let stored = serde_json::to_string(tablet.state()).unwrap();
        let mut back = TabletV2::from_stored(serde_json::from_str(&stored).unwrap()).unwrap();
        assert_eq!(
            back.start_with_code(&code.to_lowercase()),
            Err(StartError::AlreadyUsed)
        );
        // Once sealed, the code itself is gone from the tablet; its keyed digest still refuses it.
        let (_, _, key, _) = setup("code");
        back.make_batch(&key, [5; 32], [6; 32], true, T).unwrap();
        let sealed = serde_json::to_string(back.state()).unwrap();
        assert!(!sealed.contains(&code), "{sealed}");
        let mut again = TabletV2::from_stored(serde_json::from_str(&sealed).unwrap()).unwrap();
        assert_eq!(again.start_with_code(&code), Err(StartError::AlreadyUsed));
    }

    /// Issue 14: one code written five ways was accepted five times. Codes are parsed once
    /// into their canonical form: on one tablet the other spellings are the same, used code;
    /// on another tablet the row carries the canonical text, so the host counts the code once.
    #[test]
    fn five_spellings_of_one_code_are_one_code() {
        let (mut a, transport, key, _) = setup("code");
        let code = crate::domain::code::issue_codes(
            &crate::domain::code::MeetingSecret::from_bytes([7; 32]),
            a.meeting().id(),
            0,
            1,
        )
        .unwrap()[0]
            .to_string();
        let plain: String = code.chars().filter(|c| *c != '-').collect();
        let spellings = [
            code.clone(),
            format!("{} {} {}", &plain[..3], &plain[3..6], &plain[6..]).to_lowercase(),
            code.replace('-', "–"),
            code.replace('-', "—"),
            code.replace('-', "_"),
        ];
        a.start_with_code(&spellings[0]).unwrap();
        for p in 0..a.meeting().presenters().len() {
            a.draft.as_mut().unwrap().fill_presenter(p, 1);
        }
        a.submit().unwrap();
        for other in &spellings[1..] {
            assert_eq!(a.start_with_code(other), Err(StartError::AlreadyUsed), "{other}");
        }
        // Another tablet takes a different spelling: its row holds the canonical code.
        let (mut b, ..) = setup("code");
        b.start_with_code(&spellings[2]).unwrap();
        for p in 0..b.meeting().presenters().len() {
            b.draft.as_mut().unwrap().fill_presenter(p, 3);
        }
        b.submit().unwrap();
        assert_eq!(b.state().pending[0].code.as_deref(), Some(code.as_str()));
        let _ = (transport, key);
    }

    #[test]
    fn an_altered_join_is_refused_and_the_lockout_holds_on_this_tablet_too() {
        let meeting = small_meeting("open");
        let transport = TransportSecret::from_bytes([4; 32]);
        let mut join = SignedJoinV2::sign(
            &meeting,
            [7; 16],
            transport.public_key(),
            &DeviceKey::from_seed([1; 32]),
        );
        join.meeting.presenters.swap(0, 1);
        assert!(matches!(
            TabletV2::join(join, &DeviceKey::from_seed([2; 32]), "2468", "s", T),
            Err(TabletV2Error::Join(_))
        ));
        let (mut tablet, ..) = setup("open");
        for _ in 0..3 {
            assert_eq!(tablet.open_hand_in("1111", T), Err(PinError::Wrong));
        }
        assert_eq!(
            tablet.open_hand_in("2468", T),
            Err(PinError::Locked {
                seconds: PIN_LOCK_SECONDS
            })
        );
    }
}
