//! Ballots: what one rater says about every presenter — a grade per aspect, or a recusal
//! (回避) or abstention (弃权) for the whole presenter.
//!
//! [`BallotV1`] is the exchanged form (inside signed ballots, ballot files and QR codes);
//! [`Ballot`] is the value checked against its meeting. [`BallotDraft`] is a ballot being
//! filled in on a tablet; only a complete draft becomes a `Ballot`.

use std::fmt;

use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::code::{BallotCode, ParseCodeError};
use super::meeting::{CredentialMode, Meeting};

/// What a ballot says about one presenter.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Mark {
    /// A grade for every aspect, as an index into the meeting's grades (0 = best).
    Graded(Vec<u8>),
    /// The rater declares a conflict of interest (回避); not counted as a grade.
    Recused,
    /// The rater gives no opinion (弃权); not counted as a grade.
    Abstained,
}

/// How the ballot proves the rater may vote.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Credential {
    Code(BallotCode),
    /// Open mode: the rater chose this group (index into the meeting's groups).
    Group(usize),
}

impl Credential {
    /// Accepts the credential only if it names one of the meeting's rater groups. A tablet
    /// checks a typed code this way before a draft is started, so a tally never meets a
    /// group it does not know.
    pub fn check(self, meeting: &Meeting) -> Result<Credential, ParseBallotError> {
        match self {
            Credential::Code(code) if code.group() >= meeting.groups().len() => {
                Err(ParseBallotError::CodeGroupUnknown)
            }
            Credential::Group(group) if group >= meeting.groups().len() => {
                Err(ParseBallotError::CodeGroupUnknown)
            }
            checked => Ok(checked),
        }
    }
}

/// A ballot that fits its meeting: one complete mark per presenter.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Ballot {
    credential: Credential,
    marks: Vec<Mark>,
}

impl Ballot {
    pub fn credential(&self) -> Credential {
        self.credential
    }
    pub fn marks(&self) -> &[Mark] {
        &self.marks
    }
    /// The rater group whose weight this ballot carries.
    pub fn group(&self) -> usize {
        match self.credential {
            Credential::Code(code) => code.group(),
            Credential::Group(group) => group,
        }
    }
    pub fn code(&self) -> Option<BallotCode> {
        match self.credential {
            Credential::Code(code) => Some(code),
            Credential::Group(_) => None,
        }
    }
    /// A blank ballot abstains on every presenter; it counts as returned, not as valid.
    pub fn is_blank(&self) -> bool {
        self.marks.iter().all(|m| *m == Mark::Abstained)
    }

    /// The exchanged form of this ballot.
    pub fn to_v1(&self, meeting: &Meeting) -> BallotV1 {
        let (code, group) = match self.credential {
            Credential::Code(code) => (Some(code.to_string()), None),
            Credential::Group(g) => (None, Some(meeting.groups()[g].id.clone())),
        };
        BallotV1 {
            meeting: meeting.id().to_owned(),
            code,
            group,
            marks: self.marks.iter().map(mark_to_text).collect(),
        }
    }
}

/// A ballot as exchanged: `marks` has one entry per presenter in meeting order — a digit per
/// aspect (1 = first grade), or "R" for a recusal, or "A" for an abstention.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BallotV1 {
    pub meeting: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    pub marks: Vec<String>,
}

/// Format id of a ballot file (ballots exported from a tablet, or collected by the host).
pub const BALLOT_FILE_FORMAT: &str = "pingyi-ballots";
/// The ballot file version this build writes and reads.
pub const BALLOT_FILE_VERSION: u32 = 1;

/// A file of signed ballots: exported by a tablet at hand-in, or collected by the host.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BallotFileV1 {
    pub format: String,
    pub version: u32,
    pub ballots: Vec<super::signed_ballot::SignedBallotV1>,
}

fn mark_to_text(mark: &Mark) -> String {
    match mark {
        Mark::Graded(grades) => grades.iter().map(|&g| char::from(b'1' + g)).collect(),
        Mark::Recused => "R".to_owned(),
        Mark::Abstained => "A".to_owned(),
    }
}

/// Why a received ballot does not fit the meeting.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum ParseBallotError {
    #[error("选票属于另一场会议（{found}）— the ballot belongs to another meeting ({found})")]
    WrongMeeting { found: String },
    #[error("本次会议使用选票码，选票缺少选票码 — this meeting uses ballot codes; the ballot has none")]
    MissingCode,
    #[error(
        "本次会议不使用选票码，选票须注明评议人员类别 — this meeting is open; the ballot must name its rater group"
    )]
    MissingGroup,
    #[error("选票同时含有选票码和评议人员类别 — the ballot has both a code and a group")]
    BothCredentials,
    #[error("{0}")]
    BadCode(#[from] ParseCodeError),
    #[error(
        "选票码或类别对应的评议人员类别不存在 — the code or group names a rater group this meeting does not have"
    )]
    CodeGroupUnknown,
    #[error("未知的评议人员类别 “{id}” — unknown rater group “{id}”")]
    UnknownGroup { id: String },
    #[error(
        "选票有 {found} 位述职人员的评价，会议有 {expected} 位 — the ballot rates {found} presenters, the meeting has {expected}"
    )]
    WrongPresenterCount { expected: usize, found: usize },
    #[error(
        "第 {number} 位述职人员的评价 “{found}” 无效 — the mark “{found}” for presenter no. {number} is not valid"
    )]
    BadMark { number: usize, found: String },
}

impl Ballot {
    /// Checks an exchanged ballot against its meeting.
    pub fn from_v1(raw: &BallotV1, meeting: &Meeting) -> Result<Ballot, ParseBallotError> {
        use ParseBallotError as E;
        if raw.meeting != meeting.id() {
            return Err(E::WrongMeeting {
                found: raw.meeting.clone(),
            });
        }
        let credential = match (&raw.code, &raw.group, meeting.credential()) {
            (Some(_), Some(_), _) => return Err(E::BothCredentials),
            (Some(text), None, CredentialMode::Code) => {
                Credential::Code(BallotCode::parse(text)?).check(meeting)?
            }
            (None, Some(id), CredentialMode::Open) => Credential::Group(
                meeting
                    .group_index(id)
                    .ok_or_else(|| E::UnknownGroup { id: id.clone() })?,
            ),
            (_, _, CredentialMode::Code) => return Err(E::MissingCode),
            (_, _, CredentialMode::Open) => return Err(E::MissingGroup),
        };
        let expected = meeting.presenters().len();
        if raw.marks.len() != expected {
            return Err(E::WrongPresenterCount {
                expected,
                found: raw.marks.len(),
            });
        }
        let aspects = meeting.aspects().len();
        let grades = meeting.grades().len();
        let marks = raw
            .marks
            .iter()
            .enumerate()
            .map(|(i, text)| {
                parse_mark(text, aspects, grades).ok_or_else(|| E::BadMark {
                    number: i + 1,
                    found: text.chars().take(20).collect(),
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Ballot { credential, marks })
    }
}

fn parse_mark(text: &str, aspects: usize, grades: usize) -> Option<Mark> {
    match text {
        "R" => Some(Mark::Recused),
        "A" => Some(Mark::Abstained),
        _ if text.len() == aspects => text
            .bytes()
            .map(|b| {
                let g = b.checked_sub(b'1')?;
                (usize::from(g) < grades).then_some(g)
            })
            .collect::<Option<Vec<u8>>>()
            .map(Mark::Graded),
        _ => None,
    }
}

/// A presenter's part of a ballot being filled in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DraftMark {
    /// Grades chosen so far, one slot per aspect.
    Rating(Vec<Option<u8>>),
    Recused,
    Abstained,
}

impl DraftMark {
    /// Done: graded on every aspect, recused or abstained.
    pub fn is_complete(&self) -> bool {
        match self {
            DraftMark::Rating(slots) => slots.iter().all(Option::is_some),
            DraftMark::Recused | DraftMark::Abstained => true,
        }
    }
}

/// A ballot being filled in on a tablet; every tap is one method call.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BallotDraft {
    credential: Credential,
    marks: Vec<DraftMark>,
    grade_count: u8,
    aspect_count: usize,
}

/// The first gap in a draft that keeps it from being submitted.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
#[error(
    "第 {presenter_number} 位述职人员还有 {missing} 项未评 — presenter no. {presenter_number} still has {missing} aspect(s) without a grade"
)]
pub struct IncompleteBallotError {
    /// 1-based presenter number in the meeting order.
    pub presenter_number: usize,
    /// 0-based index of the first aspect without a grade.
    pub first_aspect: usize,
    pub missing: usize,
}

impl BallotDraft {
    /// An empty draft for `meeting`. The credential must have passed [`Credential::check`]
    /// (the tablet does that before rating starts).
    pub fn new(meeting: &Meeting, credential: Credential) -> BallotDraft {
        debug_assert!(credential.check(meeting).is_ok(), "unchecked credential");
        BallotDraft {
            credential,
            marks: vec![DraftMark::Rating(vec![None; meeting.aspects().len()]); meeting.presenters().len()],
            grade_count: meeting.grades().len() as u8,
            aspect_count: meeting.aspects().len(),
        }
    }

    pub fn credential(&self) -> Credential {
        self.credential
    }
    pub fn marks(&self) -> &[DraftMark] {
        &self.marks
    }

    /// Sets one grade; a recused or abstained presenter goes back to being rated.
    /// Out-of-range indices are ignored (they cannot come from the form).
    pub fn set_grade(&mut self, presenter: usize, aspect: usize, grade: u8) {
        if grade >= self.grade_count {
            return;
        }
        let aspects = self.aspect_count;
        if let Some(mark) = self.marks.get_mut(presenter) {
            if !matches!(mark, DraftMark::Rating(_)) {
                *mark = DraftMark::Rating(vec![None; aspects]);
            }
            if let DraftMark::Rating(slots) = mark
                && let Some(slot) = slots.get_mut(aspect)
            {
                *slot = Some(grade);
            }
        }
    }

    /// Quick fill: the same grade on every aspect of one presenter.
    pub fn fill_presenter(&mut self, presenter: usize, grade: u8) {
        if grade >= self.grade_count {
            return;
        }
        let aspects = self.aspect_count;
        if let Some(mark) = self.marks.get_mut(presenter) {
            *mark = DraftMark::Rating(vec![Some(grade); aspects]);
        }
    }

    /// Back to an empty rating for one presenter (after a recusal or abstention).
    pub fn clear_presenter(&mut self, presenter: usize) {
        let aspects = self.aspect_count;
        if let Some(mark) = self.marks.get_mut(presenter) {
            *mark = DraftMark::Rating(vec![None; aspects]);
        }
    }

    pub fn set_recused(&mut self, presenter: usize) {
        if let Some(mark) = self.marks.get_mut(presenter) {
            *mark = DraftMark::Recused;
        }
    }

    pub fn set_abstained(&mut self, presenter: usize) {
        if let Some(mark) = self.marks.get_mut(presenter) {
            *mark = DraftMark::Abstained;
        }
    }

    fn is_untouched_mark(mark: &DraftMark) -> bool {
        matches!(mark, DraftMark::Rating(slots) if slots.iter().all(Option::is_none))
    }

    /// Presenters done (fully graded, recused or abstained) and the total.
    pub fn progress(&self) -> (usize, usize) {
        let done = self.marks.iter().filter(|m| m.is_complete()).count();
        (done, self.marks.len())
    }

    /// For each presenter in meeting order, whether it is done (the presenter index's ticks).
    pub fn done(&self) -> Vec<bool> {
        self.marks.iter().map(DraftMark::is_complete).collect()
    }

    /// A draft nobody has touched: submitting it gives a blank ballot (an abstention).
    pub fn is_untouched(&self) -> bool {
        self.marks.iter().all(Self::is_untouched_mark)
    }

    /// The first presenter that still needs something, for the "jump to what is empty" button.
    pub fn first_gap(&self) -> Option<IncompleteBallotError> {
        self.marks.iter().enumerate().find_map(|(p, mark)| match mark {
            DraftMark::Rating(slots) if slots.iter().any(Option::is_none) => Some(IncompleteBallotError {
                presenter_number: p + 1,
                first_aspect: slots.iter().position(Option::is_none).unwrap_or(0),
                missing: slots.iter().filter(|s| s.is_none()).count(),
            }),
            _ => None,
        })
    }

    /// Turns the draft into a ballot. An untouched draft is a blank ballot (all abstained);
    /// otherwise every presenter must be graded on every aspect, recused or abstained.
    pub fn finish(&self) -> Result<Ballot, IncompleteBallotError> {
        if self.is_untouched() {
            return Ok(Ballot {
                credential: self.credential,
                marks: vec![Mark::Abstained; self.marks.len()],
            });
        }
        if let Some(gap) = self.first_gap() {
            return Err(gap);
        }
        let marks = self
            .marks
            .iter()
            .map(|m| match m {
                DraftMark::Rating(slots) => Mark::Graded(slots.iter().flatten().copied().collect()),
                DraftMark::Recused => Mark::Recused,
                DraftMark::Abstained => Mark::Abstained,
            })
            .collect();
        Ok(Ballot {
            credential: self.credential,
            marks,
        })
    }
}

impl fmt::Display for Mark {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&mark_to_text(self))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::demo::small_meeting;

    fn open_meeting() -> Meeting {
        small_meeting("open")
    }

    #[test]
    fn a_full_draft_becomes_a_ballot_that_round_trips() {
        let meeting = open_meeting();
        let mut draft = BallotDraft::new(&meeting, Credential::Group(1));
        draft.fill_presenter(0, 0);
        draft.set_grade(0, 2, 3);
        draft.set_recused(1);
        draft.fill_presenter(2, 1);
        draft.set_abstained(3);
        let ballot = draft.finish().unwrap();
        let v1 = ballot.to_v1(&meeting);
        assert_eq!(v1.marks, ["11411111", "R", "22222222", "A"]);
        assert_eq!(v1.group.as_deref(), Some("township"));
        assert_eq!(Ballot::from_v1(&v1, &meeting), Ok(ballot));
    }

    #[test]
    fn an_untouched_draft_is_a_blank_ballot_not_an_error() {
        let meeting = open_meeting();
        let ballot = BallotDraft::new(&meeting, Credential::Group(0)).finish().unwrap();
        assert!(ballot.is_blank());
    }

    #[test]
    fn a_partly_filled_draft_names_the_first_gap() {
        let meeting = open_meeting();
        let mut draft = BallotDraft::new(&meeting, Credential::Group(0));
        draft.fill_presenter(0, 0);
        draft.set_grade(1, 0, 1);
        assert_eq!(
            draft.finish(),
            Err(IncompleteBallotError {
                presenter_number: 2,
                first_aspect: 1,
                missing: 7
            })
        );
        assert_eq!(draft.progress(), (1, 4));
        assert_eq!(draft.done(), vec![true, false, false, false]);
        draft.set_abstained(3);
        assert_eq!(draft.done(), vec![true, false, false, true]);
    }

    #[test]
    fn grading_a_recused_presenter_starts_rating_again() {
        let meeting = open_meeting();
        let mut draft = BallotDraft::new(&meeting, Credential::Group(0));
        draft.set_recused(0);
        draft.set_grade(0, 0, 2);
        assert!(matches!(&draft.marks()[0], DraftMark::Rating(s) if s[0] == Some(2) && s[1].is_none()));
    }

    #[test]
    fn grading_again_after_everyone_was_recused_still_needs_every_aspect() {
        let meeting = open_meeting();
        let mut draft = BallotDraft::new(&meeting, Credential::Group(0));
        for p in 0..4 {
            draft.set_recused(p);
        }
        draft.set_grade(2, 0, 0);
        assert!(matches!(&draft.marks()[2], DraftMark::Rating(s) if s.len() == 8));
        assert_eq!(draft.finish().unwrap_err().presenter_number, 3);
    }

    #[test]
    fn a_credential_for_a_group_the_meeting_lacks_is_refused() {
        let meeting = open_meeting();
        assert_eq!(Credential::Group(2).check(&meeting), Ok(Credential::Group(2)));
        assert_eq!(
            Credential::Group(3).check(&meeting),
            Err(ParseBallotError::CodeGroupUnknown)
        );
    }

    #[test]
    fn received_ballots_that_do_not_fit_are_refused_with_the_reason() {
        let meeting = open_meeting();
        let good = BallotV1 {
            meeting: meeting.id().to_owned(),
            code: None,
            group: Some("peers".into()),
            marks: vec!["11111111".into(), "R".into(), "A".into(), "44444444".into()],
        };
        assert!(Ballot::from_v1(&good, &meeting).is_ok());
        let cases: Vec<(BallotV1, ParseBallotError)> = vec![
            (
                BallotV1 {
                    meeting: "other".into(),
                    ..good.clone()
                },
                ParseBallotError::WrongMeeting {
                    found: "other".into(),
                },
            ),
            (
                BallotV1 {
                    group: None,
                    ..good.clone()
                },
                ParseBallotError::MissingGroup,
            ),
            (
                BallotV1 {
                    group: Some("x".into()),
                    ..good.clone()
                },
                ParseBallotError::UnknownGroup { id: "x".into() },
            ),
            (
                BallotV1 {
                    code: Some("ABC-DEF-GHJ".into()),
                    ..good.clone()
                },
                ParseBallotError::BothCredentials,
            ),
            (
                BallotV1 {
                    marks: vec!["R".into()],
                    ..good.clone()
                },
                ParseBallotError::WrongPresenterCount {
                    expected: 4,
                    found: 1,
                },
            ),
            (
                BallotV1 {
                    marks: vec!["11111115".into(), "R".into(), "A".into(), "R".into()],
                    ..good.clone()
                },
                ParseBallotError::BadMark {
                    number: 1,
                    found: "11111115".into(),
                },
            ),
            (
                BallotV1 {
                    marks: vec!["1111111".into(), "R".into(), "A".into(), "R".into()],
                    ..good.clone()
                },
                ParseBallotError::BadMark {
                    number: 1,
                    found: "1111111".into(),
                },
            ),
            (
                BallotV1 {
                    marks: vec!["R".into(), "r".into(), "A".into(), "R".into()],
                    ..good.clone()
                },
                ParseBallotError::BadMark {
                    number: 2,
                    found: "r".into(),
                },
            ),
        ];
        for (raw, expected) in cases {
            assert_eq!(Ballot::from_v1(&raw, &meeting), Err(expected));
        }
    }
}
