//! The signed result file of record format 2 (docs/result-format.md, version 2), made the way
//! the app makes it: tablets join the host-signed round, raters submit, staff seal batches, the
//! host takes them in, keys in a paper ballot as its own batch, proves the round and signs.
//! Then the file verifies; it holds no per-ballot field; and every way a host could bend the
//! tally — a moved grade, a dropped or duplicated batch, an added ballot, a changed count, a
//! batch swapped between tablets, a blinding sum off by one, a missing audit entry, an early
//! override — fails verification with its structured reason, even re-signed by the host key.
//! Also the worked example `docs/examples/result-v2.json` (PINGYI_REGENERATE_EXAMPLES=1
//! rewrites it).
#![cfg(not(target_arch = "wasm32"))]

use std::path::PathBuf;

use curve25519_dalek::scalar::Scalar;
use pingyi::domain::ballot::{Ballot, BallotDraft, Credential};
use pingyi::domain::code::{BallotCode, MeetingSecret, issue_codes};
use pingyi::domain::demo::small_meeting;
use pingyi::domain::kiosk::Tap;
use pingyi::domain::level::LevelOverrideV1;
use pingyi::domain::meeting::Meeting;
use pingyi::domain::record::group::{read_scalar, write_scalar};
use pingyi::domain::record::host::{BatchArrival, HostRound};
use pingyi::domain::record::minutes::Minutes;
use pingyi::domain::record::result::{
    AuditEntryV2, ResultFileV2, ResultInputV2, ResultPayloadV2, reconcile_v2, verify_result_v2,
};
use pingyi::domain::record::tablet::TabletV2;
use pingyi::domain::signing::{DeviceKey, fingerprint};

/// Demo keys and seeds: fixed so the example is reproducible. Never use these for a meeting.
const HOST_SEED: [u8; 32] = [0x48; 32];
const TABLET_SEEDS: [[u8; 32]; 2] = [[0x54; 32], [0x55; 32]];
const SESSION: [u8; 16] = [0x5e; 16];
const TRANSPORT_SEED: [u8; 32] = [0x7a; 32];
const T: &str = "2026-12-18T09:30:00.000Z";

struct Made {
    file: ResultFileV2,
    host: DeviceKey,
    tablets: Vec<String>,
}

fn rate(tablet: &mut TabletV2, code: &BallotCode, grade: u8) {
    tablet.start_with_code(&code.to_string()).unwrap();
    for p in 0..tablet.meeting().presenters().len() {
        tablet.tap(Tap::Fill {
            presenter: p,
            grade: (grade + p as u8) % 4,
        });
    }
    tablet.submit().unwrap();
}

/// The small code-mode meeting with groups due 5 / 3 / 3, a 2/3 quorum and trimmed means for
/// presenters graded by more than 5 raters (both verifiers recompute them).
fn hall_meeting() -> Meeting {
    let mut file = small_meeting("code").to_file();
    file.rules.quorum = Some("2/3".to_owned());
    file.rules.trim_above = Some(5);
    for (group, expected) in file.groups.iter_mut().zip([5, 3, 3]) {
        group.expected = expected;
    }
    Meeting::try_from(file).unwrap()
}

/// A round of the hall meeting (4 / 3 / 3 codes issued): tablet A hands in three
/// ballots of group 0, then a closing batch of one; tablet B a closing batch of three, one of
/// which reuses a code of tablet A's (a copied slip, excluded); the host keys in one paper
/// ballot; voting closes with 实到 recorded; one level is overridden after closing.
fn made() -> Made {
    let meeting = hall_meeting();
    let host = DeviceKey::from_seed(HOST_SEED);
    let mut round = HostRound::new(meeting.clone(), &host, SESSION, TRANSPORT_SEED);
    let secret = MeetingSecret::from_bytes([0x53; 32]);
    let issued: Vec<Vec<BallotCode>> = (0..3)
        .map(|g| issue_codes(&secret, meeting.id(), g, [4, 3, 3][g]).unwrap())
        .collect();
    let keys: Vec<DeviceKey> = TABLET_SEEDS.iter().map(|s| DeviceKey::from_seed(*s)).collect();
    let mut tablets: Vec<TabletV2> = keys
        .iter()
        .map(|k| TabletV2::join(round.join().clone(), k, "2468", "salt", T).unwrap())
        .collect();
    let mut audit: Vec<AuditEntryV2> = Vec::new();
    let log = |audit: &mut Vec<AuditEntryV2>, event: &str, detail: &str| {
        let seq = audit.len() as u32 + 1;
        audit.push(AuditEntryV2::new(seq, T, event, detail.to_owned()));
    };
    log(&mut audit, "meeting_created", "测试会议");
    log(&mut audit, "voting_opened", "");
    let take = |audit: &mut Vec<AuditEntryV2>, round: &mut HostRound, envelope: &[u8]| {
        assert!(matches!(
            round.receive(envelope).unwrap(),
            BatchArrival::Taken { .. }
        ));
        let header = round.batches().last().unwrap().wire.clone();
        let proof = round.prove(&[]).unwrap();
        let header = proof
            .batches
            .iter()
            .find(|b| b.tablet == header.tablet && b.number == header.number)
            .unwrap()
            .clone();
        let seq = audit.len() as u32 + 1;
        audit.push(AuditEntryV2::batch(seq, T, &header, false));
    };

    for (i, code) in issued[0][..3].iter().enumerate() {
        rate(&mut tablets[0], code, i as u8);
    }
    let a1 = tablets[0]
        .make_batch(&keys[0], [0xa1; 32], [0xe1; 32], false, T)
        .unwrap();
    take(&mut audit, &mut round, &a1.envelope);
    rate(&mut tablets[0], &issued[1][0], 2);
    let a2 = tablets[0]
        .make_batch(&keys[0], [0xa2; 32], [0xe2; 32], true, T)
        .unwrap();
    take(&mut audit, &mut round, &a2.envelope);
    rate(&mut tablets[1], &issued[1][1], 3);
    rate(&mut tablets[1], &issued[2][0], 1);
    rate(&mut tablets[1], &issued[0][0], 0);
    let b1 = tablets[1]
        .make_batch(&keys[1], [0xb1; 32], [0xe3; 32], true, T)
        .unwrap();
    take(&mut audit, &mut round, &b1.envelope);

    // The paper ballot: the host's own batch, at closing.
    let mut draft = BallotDraft::new(&meeting, Credential::Code(issued[2][1]).check(&meeting).unwrap());
    for p in 0..meeting.presenters().len() {
        draft.fill_presenter(p, 1);
    }
    let paper: Ballot = draft.finish().unwrap();
    round.take_paper_batch(&host, &[paper], [0xc1; 32]).unwrap();
    let proof = round.prove(&issued).unwrap();
    let host_batch = proof
        .batches
        .iter()
        .find(|b| b.tablet == host.public_key())
        .unwrap();
    let seq = audit.len() as u32 + 1;
    audit.push(AuditEntryV2::batch(seq, T, host_batch, true));
    for e in &proof.counts.exclusions {
        let seq = audit.len() as u32 + 1;
        audit.push(AuditEntryV2::excluded(seq, T, e));
    }
    log(&mut audit, "voting_closed", "");

    // One override after closing, with its audit entry.
    let unsigned = ResultFileV2::build(
        ResultInputV2 {
            join: round.join(),
            proof: proof.clone(),
            present: Some(vec![4, 3, 3]),
            audit: audit.clone(),
            level_overrides: Vec::new(),
            app_version: "0.0.0-test",
            time: T,
        },
        &host,
    )
    .unwrap();
    let row = &unsigned.payload.tally.ranking[0];
    let computed = row.level.clone().unwrap();
    let to = if computed == "excellent" {
        "competent"
    } else {
        "excellent"
    };
    let over = LevelOverrideV1 {
        presenter: row.presenter.clone(),
        computed,
        level: to.to_owned(),
        reason: "考核组综合平时考核情况".to_owned(),
        time: T.to_owned(),
    };
    let seq = audit.len() as u32 + 1;
    audit.push(AuditEntryV2 {
        presenter: Some(row.presenter.clone()),
        ..AuditEntryV2::new(seq, T, "level_overridden", format!("→ {to}"))
    });
    let file = ResultFileV2::build(
        ResultInputV2 {
            join: round.join(),
            proof,
            present: Some(vec![4, 3, 3]),
            audit,
            level_overrides: vec![over],
            app_version: "0.0.0-test",
            time: T,
        },
        &host,
    )
    .unwrap();
    Made {
        file,
        host,
        tablets: keys.iter().map(DeviceKey::public_key).collect(),
    }
}

fn ids_of(text: &str) -> Vec<String> {
    let verdict = verify_result_v2(text, None).expect("a readable file");
    verdict.problems.iter().map(|p| p.id()).collect()
}

/// Numbers the audit entries 1, 2, … again after one was taken out or moved.
fn renumber(audit: &mut [AuditEntryV2]) {
    for (i, e) in audit.iter_mut().enumerate() {
        e.seq = i as u32 + 1;
    }
}

/// The host re-signs whatever it changed: only the proof can tell.
fn resigned(made: &Made, change: impl FnOnce(&mut ResultPayloadV2)) -> String {
    let mut payload = made.file.payload.clone();
    change(&mut payload);
    ResultFileV2::sign(payload, &made.host).to_json()
}

#[test]
fn an_honest_round_verifies_and_publishes_counts_only() {
    let made = made();
    let text = made.file.to_json();
    let verdict = verify_result_v2(&text, None).unwrap();
    assert_eq!(verdict.problems, vec![], "{verdict:#?}");
    assert_eq!(verdict.tablets, 2);
    assert_eq!(verdict.batches, 4, "three tablet batches and the paper batch");
    let counted: Vec<u32> = verdict.tally_groups.iter().map(|g| g.counted).collect();
    assert_eq!(counted, vec![3, 2, 2], "the copied slip is not counted");
    let paper: Vec<u32> = verdict.tally_groups.iter().map(|g| g.paper).collect();
    assert_eq!(paper, vec![0, 0, 1]);
    let rec = verdict.reconciliation.unwrap();
    let handed: Vec<u32> = rec.groups.iter().map(|g| g.handed_in).collect();
    assert_eq!(handed, vec![4, 2, 2], "the copied slip was handed in");
    assert!(rec.valid);
    // Nothing per ballot: no marks, rows, seeds, trackers, devices or per-tablet numbers.
    for field in [
        "\"marks\"",
        "\"rows\"",
        "\"seed\"",
        "\"tracker\"",
        "\"device\"",
        "\"accepted\"",
    ] {
        assert!(!text.contains(field), "{field} in the result file");
    }
}

/// 实到 not above half of 应到, more ballots than codes or than people due: each fails the
/// round with its numbers.
#[test]
fn the_validity_rules_apply_per_group_and_to_the_round() {
    let made = made();
    let proof = &made.file.payload.proof;
    let rec = reconcile_v2(&small_meeting("code"), proof, Some(&[3, 2, 1]));
    let found: Vec<(String, Option<String>, u32, u32)> = rec
        .problems
        .iter()
        .map(|p| (p.id.clone(), p.group.clone(), p.value, p.limit))
        .collect();
    let g = |id: &str| Some(id.to_owned());
    assert_eq!(
        found,
        vec![
            ("returned_over_expected".into(), g("assessors"), 4, 3),
            ("returned_over_present".into(), g("assessors"), 4, 3),
            ("returned_over_present".into(), g("peers"), 2, 1),
        ],
        "{rec:#?}"
    );
    let mut fewer_codes = proof.clone();
    fewer_codes.code_list.as_mut().unwrap().groups[0].codes.pop();
    let rec = reconcile_v2(&hall_meeting(), &fewer_codes, Some(&[2, 1, 1]));
    let ids: Vec<&str> = rec.problems.iter().map(|p| p.id.as_str()).collect();
    assert_eq!(
        ids,
        vec![
            "no_quorum",
            "returned_over_issued",
            "returned_over_present",
            "returned_over_present",
            "returned_over_present"
        ]
    );
    assert_eq!(
        (rec.problems[0].value, rec.problems[0].limit),
        (4, 8),
        "4 present; with the meeting's 2/3 quorum 8 needed of 11 (8 × 3 > 2 × 11)"
    );
    assert!(!rec.valid);
}

/// Every way to bend the tally, each caught with its id even when the host re-signs.
#[test]
fn every_bent_tally_fails_with_its_reason() {
    let made = made();
    let base: Vec<String> = ids_of(&made.file.to_json());
    let check = |name: &str, text: String, wanted: &str| {
        let ids = ids_of(&text);
        assert!(
            ids.iter().any(|id| id == wanted),
            "{name}: wanted {wanted}, got {ids:?}"
        );
        assert_ne!(ids, base, "{name}");
    };
    check(
        "a moved grade",
        resigned(&made, |p| {
            let cell = &mut p.proof.counts.presenters[0].cells[0].counts[0];
            let from = cell.iter().position(|&n| n > 0).unwrap();
            cell[from] -= 1;
            cell[(from + 1) % 4] += 1;
        }),
        "cell_mismatch",
    );
    check(
        "a dropped batch",
        resigned(&made, |p| {
            let at = p
                .proof
                .batches
                .iter()
                .position(|b| b.tablet == made.tablets[0] && b.number == 1)
                .unwrap();
            p.proof.batches.remove(at);
        }),
        "batch_missing",
    );
    check(
        "a duplicated batch",
        resigned(&made, |p| {
            let copy = p.proof.batches[0].clone();
            p.proof.batches.push(copy);
        }),
        "batch_twice",
    );
    check(
        "an added ballot",
        resigned(&made, |p| p.proof.counts.groups[1].returned += 1),
        "returned_mismatch",
    );
    check(
        "a changed count",
        resigned(&made, |p| p.proof.counts.presenters[1].status[0].graded += 1),
        "status_mismatch",
    );
    check(
        "a batch swapped between tablets",
        resigned(&made, |p| {
            // Batch 1 of tablet A and batch 1 of tablet B change places.
            for b in p.proof.batches.iter_mut().filter(|b| b.number == 1) {
                if b.tablet == made.tablets[0] {
                    b.tablet = made.tablets[1].clone();
                } else if b.tablet == made.tablets[1] {
                    b.tablet = made.tablets[0].clone();
                }
            }
        }),
        "batch_invalid",
    );
    check(
        "R off by one",
        resigned(&made, |p| {
            let cell = &mut p.proof.counts.presenters[0].cells[0];
            cell.blinding = write_scalar(&(read_scalar(&cell.blinding).unwrap() + Scalar::ONE));
        }),
        "cell_mismatch",
    );
    check(
        "a batch's audit entry deleted",
        resigned(&made, |p| {
            p.audit
                .retain(|e| e.event != "batch_received" || e.batch != Some(2));
            renumber(&mut p.audit);
        }),
        "audit_batch_missing",
    );
    check(
        "the paper batch's audit entry deleted",
        resigned(&made, |p| {
            p.audit.retain(|e| e.event != "paper_batch");
            renumber(&mut p.audit);
        }),
        "audit_batch_missing",
    );
    check(
        "an exclusion's audit entry deleted",
        resigned(&made, |p| {
            p.audit.retain(|e| e.event != "ballot_excluded");
            renumber(&mut p.audit);
        }),
        "audit_exclusion_missing",
    );
    check(
        "an override before closing",
        resigned(&made, |p| {
            let at = p
                .audit
                .iter()
                .position(|e| e.event == "level_overridden")
                .unwrap();
            let entry = p.audit.remove(at);
            p.audit.insert(1, entry);
            renumber(&mut p.audit);
        }),
        "override_not_audited",
    );
    check(
        "an override whose computed level is not the counts'",
        resigned(&made, |p| p.level_overrides[0].computed = "unfit".into()),
        "override_computed",
    );
    check(
        "a ranking edited",
        resigned(&made, |p| p.tally.ranking.swap(0, 1)),
        "tally",
    );
    check(
        "fewer present than ballots",
        resigned(&made, |p| p.reconciliation.groups[2].present = Some(1)),
        "returned_over_present",
    );
    check(
        "a file signed by another key",
        ResultFileV2::sign(made.file.payload.clone(), &DeviceKey::from_seed([9; 32])).to_json(),
        "signature_key",
    );
    check(
        "a payload changed after signing",
        {
            let mut file = made.file.clone();
            file.payload.time = "2026-12-19T09:30:00.000Z".into();
            file.to_json()
        },
        "signature",
    );
}

/// The witnesses' minutes name both tablets with their batches and ballots; a tablet the host
/// left out of the file is caught.
#[test]
fn the_minutes_are_checked_against_the_file() {
    let made = made();
    let host = fingerprint(&made.host.public_key()).unwrap();
    let a = fingerprint(&made.tablets[0]).unwrap();
    let b = fingerprint(&made.tablets[1]).unwrap();
    let code_list = verify_result_v2(&made.file.to_json(), None)
        .unwrap()
        .code_list
        .unwrap();
    let minutes = format!(
        "pingyi-minutes 1\nhost {host}\ncode-list {code_list}\ntablet {a} 2 4\ntablet {b} 1 3\npaper 1\n"
    );
    let parsed = Minutes::parse(&minutes).unwrap();
    let verdict = verify_result_v2(&made.file.to_json(), Some(&parsed)).unwrap();
    assert!(
        !verdict.problems.iter().any(|p| p.id().starts_with("minutes")),
        "{:?}",
        verdict.problems
    );
    let dropped = resigned(&made, |p| {
        p.proof.batches.retain(|x| x.tablet != made.tablets[1]);
        p.proof.hellos.retain(|h| h.tablet != made.tablets[1]);
    });
    let verdict = verify_result_v2(&dropped, Some(&parsed)).unwrap();
    assert!(
        verdict
            .problems
            .iter()
            .any(|p| p.id() == "minutes_tablet_missing"),
        "{:?}",
        verdict.problems
    );
}

/// Arbitrary bytes and every truncation of the example are refused or fail, never panic.
#[test]
fn damaged_files_never_panic() {
    let text = made().file.to_json();
    for cut in (0..text.len()).step_by(97) {
        if let Some(prefix) = text.get(..cut) {
            let _ = verify_result_v2(prefix, None);
        }
    }
    for junk in [
        "",
        "{}",
        "[]",
        "null",
        "{\"format\":\"pingyi-result\",\"version\":2}",
    ] {
        assert!(verify_result_v2(junk, None).is_err(), "{junk}");
    }
}

#[test]
fn worked_example_matches_the_doc() {
    let text = made().file.to_json() + "\n";
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("docs/examples/result-v2.json");
    if std::env::var_os("PINGYI_REGENERATE_EXAMPLES").is_some() {
        std::fs::write(&path, &text).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == text,
        "docs/examples/result-v2.json is stale: run with PINGYI_REGENERATE_EXAMPLES=1"
    );
}
