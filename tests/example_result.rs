//! `docs/examples/result.json` is a real signed result of a small meeting, made here by the
//! code, so it never goes stale: this test rebuilds it and fails if the committed file
//! differs (set PINGYI_REGENERATE_EXAMPLES=1 to rewrite it). It then runs `pingyi verify` on
//! it, and on a tampered copy.
#![cfg(not(target_arch = "wasm32"))]

use std::path::PathBuf;
use std::process::Command;

use pingyi::domain::ballot::{Ballot, BallotDraft, BallotV1, Credential};
use pingyi::domain::code::{MeetingSecret, issue_codes};
use pingyi::domain::demo::small_meeting;
use pingyi::domain::draw::{DrawRecord, parse_sources};
use pingyi::domain::result_file::{AuditEntryV1, RejectedBallotV1, ResultFileV1, ResultInput};
use pingyi::domain::signed_ballot::ChainHead;
use pingyi::domain::signing::DeviceKey;

/// Demo keys: fixed seeds so the example is reproducible. Never use these for a meeting.
const HOST_SEED: [u8; 32] = [0x48; 32];
const TABLET_SEEDS: [[u8; 32]; 2] = [[0x54; 32], [0x55; 32]];

fn example() -> ResultFileV1 {
    let meeting = small_meeting("code");
    let draw = DrawRecord::make(&meeting, parse_sources(&["3 5 1", "27"]).unwrap(), 2).unwrap();
    let meeting = meeting.with_draw(draw);
    let secret = MeetingSecret::from_bytes([0x53; 32]);
    let codes: Vec<_> = (0..3)
        .map(|g| issue_codes(&secret, meeting.id(), g, 3).unwrap())
        .collect();
    let host = DeviceKey::from_seed(HOST_SEED);
    let tablets: Vec<DeviceKey> = TABLET_SEEDS.iter().map(|s| DeviceKey::from_seed(*s)).collect();
    let mut heads = [ChainHead::default(), ChainHead::default()];
    let mut host_head = ChainHead::default();

    // (group, code index, tablet, marks as the rater filled them)
    let plan: [(usize, usize, usize, [&str; 4]); 6] = [
        (0, 0, 0, ["11111111", "21222222", "33333333", "R"]),
        (0, 1, 1, ["11211111", "22222222", "34343434", "22222222"]),
        (1, 0, 0, ["21111112", "11111111", "A", "22322222"]),
        (1, 1, 1, ["22222222", "22222222", "33333333", "33333333"]),
        (2, 0, 0, ["11111111", "12121212", "44444444", "22222222"]),
        (2, 1, 1, ["A", "A", "A", "A"]),
    ];
    let mut accepted = Vec::new();
    for (minute, (group, code, tablet, marks)) in plan.iter().enumerate() {
        let raw = BallotV1 {
            meeting: meeting.id().to_owned(),
            code: Some(codes[*group][*code].to_string()),
            group: None,
            marks: marks.iter().map(|m| m.to_string()).collect(),
        };
        Ballot::from_v1(&raw, &meeting).expect("a valid ballot");
        let time = format!("2026-12-18T10:{:02}:00Z", 10 + minute);
        accepted.push(heads[*tablet].sign_next(&tablets[*tablet], raw, &time));
    }
    // A paper ballot keyed in by the host (a tablet's battery died): signed by the host key.
    let mut paper = BallotDraft::new(&meeting, Credential::Code(codes[2][2]));
    for p in 0..4 {
        paper.fill_presenter(p, 1);
    }
    let paper = paper.finish().unwrap().to_v1(&meeting);
    accepted.push(host_head.sign_next(&host, paper, "2026-12-18T10:20:00Z"));

    let rejected = vec![RejectedBallotV1 {
        reason: "unknown_code".into(),
        detail: "选票码不在发出清单中 — the code was never issued".into(),
        group: "peers".into(),
        received: "{\"ballot\":{\"meeting\":\"test-meeting\",\"code\":\"Z22-222-222\"}}".into(),
    }];
    let audit = vec![
        AuditEntryV1 {
            seq: 1,
            time: "2026-12-18T09:30:00Z".into(),
            event: "draw_recorded".into(),
            detail: "sources: 3 5 1 / 27".into(),
        },
        AuditEntryV1 {
            seq: 2,
            time: "2026-12-18T10:20:00Z".into(),
            event: "paper_ballot".into(),
            detail: format!("code {}: keyed in from paper by the host", codes[2][2]),
        },
        AuditEntryV1 {
            seq: 3,
            time: "2026-12-18T10:30:00Z".into(),
            event: "voting_closed".into(),
            detail: String::new(),
        },
    ];
    ResultFileV1::build(
        ResultInput {
            meeting: &meeting,
            codes_issued: codes,
            accepted,
            rejected,
            audit,
            level_overrides: vec![],
            app_version: "pingyi example",
            time: "2026-12-18T10:31:00Z",
        },
        &host,
    )
    .expect("the example builds")
}

fn example_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("docs/examples/result.json")
}

#[test]
fn the_committed_example_is_what_the_code_makes() {
    let text = example().to_json() + "\n";
    let path = example_path();
    if std::env::var_os("PINGYI_REGENERATE_EXAMPLES").is_some() {
        std::fs::write(&path, &text).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == text,
        "docs/examples/result.json is stale: run PINGYI_REGENERATE_EXAMPLES=1 cargo test --test example_result"
    );
}

#[test]
fn pingyi_verify_passes_the_example_and_fails_a_tampered_copy() {
    let pingyi = env!("CARGO_BIN_EXE_pingyi");
    let path = example_path();
    let out = Command::new(pingyi).arg("verify").arg(&path).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("PASSED"));
    assert_eq!(stdout.matches("[通过 PASS]").count(), 7);

    let mut file = example();
    file.payload.accepted.swap(0, 1);
    let tampered = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("tampered-result.json");
    std::fs::write(&tampered, file.to_json()).unwrap();
    let out = Command::new(pingyi)
        .arg("verify")
        .arg(&tampered)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("FAIL"));
    // With --json the verdict is JSON on standard output for a failure and for unreadable input.
    let verify_json = || {
        let out = Command::new(pingyi)
            .arg("verify")
            .arg(&tampered)
            .arg("--json")
            .output()
            .unwrap();
        let verdict: serde_json::Value = serde_json::from_slice(&out.stdout).expect("a JSON verdict");
        (out.status.code(), verdict)
    };
    let (code, verdict) = verify_json();
    assert_eq!(code, Some(1));
    assert_eq!(verdict["holds"], false);
    std::fs::write(&tampered, "not json").unwrap();
    let (code, verdict) = verify_json();
    assert_eq!(code, Some(2));
    assert!(verdict["unreadable"].is_string());
}
