//! Native scenario and property tests over the rules core: the invariants a tally must keep
//! whatever ballots arrive, and the refusal of every malformed meeting.
#![cfg(not(target_arch = "wasm32"))]

use proptest::prelude::*;

use pingyi::domain::ballot::{Ballot, BallotDraft, Credential, Mark};
use pingyi::domain::code::{ALPHABET, BallotCode, MeetingSecret, issue_codes};
use pingyi::domain::demo::{demo_meeting, demo_meeting_file, small_meeting};
use pingyi::domain::draw::{DrawRecord, DrawRecordV1, parse_sources};
use pingyi::domain::meeting::{Meeting, MeetingFileV1, ParseMeetingError, ReadMeetingError};
use pingyi::domain::tally::Tally;

/// A strategy for one presenter's mark on a meeting with `aspects` aspects and 4 grades.
fn mark(aspects: usize) -> impl Strategy<Value = Mark> {
    prop_oneof![
        8 => proptest::collection::vec(0u8..4, aspects).prop_map(Mark::Graded),
        1 => Just(Mark::Recused),
        1 => Just(Mark::Abstained),
    ]
}

/// A draft filled tap by tap with `marks`, as a rater on a tablet would.
fn draft_of(meeting: &Meeting, credential: Credential, marks: &[Mark]) -> BallotDraft {
    let mut draft = BallotDraft::new(meeting, credential);
    for (p, m) in marks.iter().enumerate() {
        match m {
            Mark::Graded(grades) => {
                for (a, &g) in grades.iter().enumerate() {
                    draft.set_grade(p, a, g);
                }
            }
            Mark::Recused => draft.set_recused(p),
            Mark::Abstained => draft.set_abstained(p),
        }
    }
    draft
}

/// Ballots for the four-presenter open meeting, built through the draft as a tablet would.
fn ballots() -> impl Strategy<Value = Vec<Ballot>> {
    let meeting = small_meeting("open");
    let one = (0usize..3, proptest::collection::vec(mark(8), 4)).prop_map(move |(group, marks)| {
        draft_of(&meeting, Credential::Group(group), &marks)
            .finish()
            .expect("every presenter is complete")
    });
    proptest::collection::vec(one, 0..40)
}

proptest! {
    #[test]
    fn ballot_order_never_changes_the_tally(ballots in ballots(), seed in any::<u64>()) {
        let meeting = small_meeting("open");
        let mut shuffled = ballots.clone();
        // A deterministic shuffle from the seed (Fisher–Yates with an LCG).
        let mut state = seed;
        for i in (1..shuffled.len()).rev() {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            shuffled.swap(i, (state >> 33) as usize % (i + 1));
        }
        prop_assert_eq!(Tally::count(&meeting, &ballots), Tally::count(&meeting, &shuffled));
    }

    #[test]
    fn counts_always_add_up_to_the_ballots_of_each_group(ballots in ballots()) {
        let meeting = small_meeting("open");
        let tally = Tally::count(&meeting, &ballots);
        for g in 0..3 {
            let in_group = ballots.iter().filter(|b| b.group() == g).count() as u32;
            prop_assert_eq!(tally.ballots[g], in_group);
            for p in &tally.presenters {
                for a in 0..8 {
                    prop_assert_eq!(p.valid(a, g) + p.recused[g] + p.abstained[g], in_group);
                }
            }
        }
    }

    #[test]
    fn a_better_grade_never_lowers_a_score(
        ballots in ballots(),
        pick in any::<prop::sample::Index>(),
        presenter in 0usize..4,
        aspect in 0usize..8,
    ) {
        let meeting = small_meeting("open");
        prop_assume!(!ballots.is_empty());
        let i = pick.index(ballots.len());
        let Mark::Graded(grades) = &ballots[i].marks()[presenter] else {
            return Ok(());
        };
        prop_assume!(grades[aspect] > 0);
        let before = Tally::count(&meeting, &ballots);
        // Rebuild that ballot with one grade one step better.
        let mut draft = draft_of(&meeting, ballots[i].credential(), ballots[i].marks());
        draft.set_grade(presenter, aspect, grades[aspect] - 1);
        let mut better = ballots.clone();
        better[i] = draft.finish().expect("complete");
        let after = Tally::count(&meeting, &better);
        prop_assert!(after.presenters[presenter].score >= before.presenters[presenter].score);
        prop_assert!(after.presenters[presenter].aspect_scores[aspect] > before.presenters[presenter].aspect_scores[aspect]);
    }

    #[test]
    fn codes_round_trip_and_every_single_character_typo_is_caught(
        secret in any::<[u8; 32]>(),
        group in 0usize..3,
        position in 0usize..9,
        replacement in prop::char::any(),
    ) {
        let secret = MeetingSecret::from_bytes(secret);
        let code = issue_codes(&secret, "m", group, 1).unwrap()[0];
        let text = code.to_string();
        prop_assert_eq!(BallotCode::parse(&text), Ok(code));
        prop_assert!(code.is_issued_by(&secret, "m"));
        let compact: Vec<char> = text.chars().filter(|c| *c != '-').collect();
        let typed = replacement.to_ascii_uppercase();
        prop_assume!(typed != compact[position]);
        prop_assume!(!typed.is_whitespace() && !matches!(typed, '-' | '–' | '—' | '_'));
        let mut typo = compact.clone();
        typo[position] = replacement;
        let typo: String = typo.into_iter().collect();
        prop_assert!(BallotCode::parse(&typo).is_err(), "typo {} accepted", typo);
    }

    #[test]
    fn an_exchanged_ballot_reads_back_to_the_same_ballot(ballots in ballots()) {
        let meeting = small_meeting("open");
        for ballot in ballots {
            let v1 = ballot.to_v1(&meeting);
            let json = serde_json::to_string(&v1).unwrap();
            let back: pingyi::domain::ballot::BallotV1 = serde_json::from_str(&json).unwrap();
            prop_assert_eq!(Ballot::from_v1(&back, &meeting), Ok(ballot));
        }
    }
}

#[test]
fn the_alphabet_has_no_lookalikes() {
    for c in [b'0', b'O', b'1', b'I'] {
        assert!(!ALPHABET.contains(&c));
    }
}

#[test]
fn a_meeting_with_a_draw_round_trips_through_its_file() {
    let meeting = demo_meeting();
    let sources = parse_sources(&["9319", "2 5 12 8 10"]).unwrap();
    let draw = DrawRecord::make(&meeting, sources, 15).unwrap();
    let meeting = meeting.with_draw(draw);
    let json = serde_json::to_string_pretty(&meeting.to_file()).unwrap();
    let back = Meeting::from_json(&json).unwrap();
    assert_eq!(back, meeting);
    assert_eq!(back.draw().unwrap().selected.len(), 15);
}

#[test]
fn level_names_are_chosen_per_meeting_and_a_file_without_them_stays_the_same() {
    use pingyi::domain::level::{Level, LevelNames};
    let plain = demo_meeting();
    assert_eq!(plain.rules().names, LevelNames::CivilServant);
    let text = serde_json::to_string(&plain.to_file()).unwrap();
    assert!(
        !text.contains("level_names"),
        "the default is not written: older files stay byte for byte"
    );
    for (id, names, basic) in [
        ("institution", LevelNames::Institution, "基本合格"),
        ("satisfaction", LevelNames::Satisfaction, "基本满意"),
    ] {
        let mut file = demo_meeting_file();
        file.rules.level_names = Some(id.to_owned());
        let meeting = Meeting::try_from(file).unwrap();
        assert_eq!(meeting.rules().names, names);
        assert_eq!(names.name_zh(Level::Basic), basic);
        let back = Meeting::from_json(&serde_json::to_string(&meeting.to_file()).unwrap()).unwrap();
        assert_eq!(back, meeting);
    }
    // 满意度测评 has three names: 优秀 and 称职 are both 满意.
    assert_eq!(LevelNames::Satisfaction.name_zh(Level::Excellent), "满意");
    assert_eq!(LevelNames::Satisfaction.name_zh(Level::Competent), "满意");
    assert_eq!(LevelNames::Institution.name_en(Level::Unfit), "not qualified");
    assert_eq!(
        LevelNames::Satisfaction.summary(false),
        "满意 / 基本满意 / 不满意"
    );
    assert_eq!(
        LevelNames::CivilServant.summary(false),
        "优秀 / 称职 / 基本称职 / 不称职"
    );
    // "约 10 %": the rounding is part of the meeting and survives its file.
    let mut file = demo_meeting_file();
    file.rules.excellent_top_percent = 10;
    file.rules.excellent_rounding = Some("nearest".to_owned());
    let meeting = Meeting::try_from(file).unwrap();
    assert_eq!(
        meeting.rules().excellent_rounding,
        pingyi::domain::level::QuotaRounding::Nearest
    );
    let written = serde_json::to_string(&meeting.to_file()).unwrap();
    assert!(
        written.contains("\"excellent_rounding\":\"nearest\""),
        "{written}"
    );
    assert!(!text.contains("excellent_rounding"), "the default is not written");
}

#[test]
fn a_tampered_draw_record_is_refused() {
    let meeting = demo_meeting();
    let draw = DrawRecord::make(&meeting, parse_sources(&["1 2 3"]).unwrap(), 15).unwrap();
    let mut file = meeting.to_file();
    let mut record = DrawRecordV1::of(&draw, &meeting);
    record.selected.swap(0, 1);
    file.draw = Some(record);
    assert!(matches!(Meeting::try_from(file), Err(ParseMeetingError::Draw(_))));
}

/// Every way a meeting file can be wrong, each refused with its own reason.
#[test]
fn malformed_meetings_are_refused_with_the_reason() {
    type Edit = fn(&mut MeetingFileV1);
    type Expect = fn(&ParseMeetingError) -> bool;
    let cases: Vec<(&str, Edit, Expect)> = vec![
        (
            "format",
            |f| f.format = "other".into(),
            |e| matches!(e, ParseMeetingError::WrongFormat { .. }),
        ),
        (
            "version",
            |f| f.version = 2,
            |e| matches!(e, ParseMeetingError::UnsupportedVersion { found: 2 }),
        ),
        (
            "title",
            |f| f.title = "  ".into(),
            |e| matches!(e, ParseMeetingError::EmptyTitle),
        ),
        (
            "mode",
            |f| f.credential = "x".into(),
            |e| matches!(e, ParseMeetingError::UnknownCredentialMode { .. }),
        ),
        (
            "no presenters",
            |f| f.presenters.clear(),
            |e| matches!(e, ParseMeetingError::NoPresenters),
        ),
        (
            "duplicate presenter",
            |f| f.presenters[1].id = f.presenters[0].id.clone(),
            |e| matches!(e, ParseMeetingError::DuplicatePresenterId { .. }),
        ),
        (
            "empty name",
            |f| f.presenters[2].name = String::new(),
            |e| matches!(e, ParseMeetingError::EmptyPresenterName { number: 3 }),
        ),
        (
            "long name",
            |f| f.presenters[0].name = "长".repeat(201),
            |e| matches!(e, ParseMeetingError::TextTooLong { .. }),
        ),
        (
            "duplicate aspect",
            |f| f.aspects[1].id = "a1".into(),
            |e| matches!(e, ParseMeetingError::DuplicateAspectId { .. }),
        ),
        (
            "partial aspect weights",
            |f| f.aspects[0].weight = Some(2),
            |e| matches!(e, ParseMeetingError::InconsistentAspectWeights),
        ),
        (
            "unknown overall aspect",
            |f| f.overall_aspect = "zz".into(),
            |e| matches!(e, ParseMeetingError::UnknownOverallAspect { .. }),
        ),
        (
            "one grade",
            |f| f.grades.truncate(1),
            |e| matches!(e, ParseMeetingError::GradeCount),
        ),
        (
            "grades not falling",
            |f| f.grades[1].points = 100,
            |e| matches!(e, ParseMeetingError::GradePointsNotFalling),
        ),
        (
            "weights not 100",
            |f| f.groups[0].weight = 50,
            |e| matches!(e, ParseMeetingError::GroupWeightsNot100 { sum: 110 }),
        ),
        (
            "zero weight",
            |f| {
                f.groups[0].weight = 0;
                f.groups[1].weight = 70;
            },
            |e| matches!(e, ParseMeetingError::ZeroGroupWeight { .. }),
        ),
        (
            "no groups",
            |f| f.groups.clear(),
            |e| matches!(e, ParseMeetingError::NoGroups),
        ),
        (
            "min size",
            |f| f.min_breakdown_size = 0,
            |e| matches!(e, ParseMeetingError::ZeroMinBreakdown),
        ),
        (
            "share",
            |f| f.rules.unfit_worst_share = "4/3".into(),
            |e| matches!(e, ParseMeetingError::BadWorstShare { .. }),
        ),
        (
            "thresholds",
            |f| f.rules.basic_below = 95,
            |e| matches!(e, ParseMeetingError::ThresholdsOutOfOrder),
        ),
        (
            "percent",
            |f| f.rules.excellent_top_percent = 0,
            |e| matches!(e, ParseMeetingError::BadExcellentPercent),
        ),
        (
            "ties",
            |f| f.rules.boundary_ties = "maybe".into(),
            |e| matches!(e, ParseMeetingError::BadBoundaryTies { .. }),
        ),
        (
            "unknown quota rounding",
            |f| f.rules.excellent_rounding = Some("up".into()),
            |e| matches!(e, ParseMeetingError::BadQuotaRounding { .. }),
        ),
        (
            "unknown level names",
            |f| f.rules.level_names = Some("military".into()),
            |e| matches!(e, ParseMeetingError::BadLevelNames { .. }),
        ),
    ];
    for (name, edit, expected) in cases {
        let mut file = demo_meeting_file();
        edit(&mut file);
        let error = Meeting::try_from(file).expect_err(name);
        assert!(expected(&error), "{name}: got {error:?}");
        assert!(!error.to_string().is_empty());
    }
}

#[test]
fn text_that_is_not_a_meeting_file_is_refused_without_a_panic() {
    for text in [
        "",
        "{",
        "[]",
        "null",
        "{\"format\":\"pingyi-meeting\"}",
        "\u{0}\u{1}",
    ] {
        assert!(
            matches!(Meeting::from_json(text), Err(ReadMeetingError::NotJson { .. })),
            "{text:?}"
        );
    }
}
