//! The `pingyi` binary as a user runs it: real files, real exit codes.
#![cfg(not(target_arch = "wasm32"))]

use std::path::PathBuf;
use std::process::Command;

use pingyi::domain::ballot::{
    BALLOT_FILE_FORMAT, BALLOT_FILE_VERSION, BallotDraft, BallotFileV1, Credential,
};
use pingyi::domain::code::{MeetingSecret, issue_codes};
use pingyi::domain::demo::small_meeting;
use pingyi::domain::signed_ballot::ChainHead;
use pingyi::domain::signing::DeviceKey;

fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("cli-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn pingyi(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_pingyi"))
        .args(args)
        .output()
        .expect("run pingyi");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn draw_prints_the_selection_of_chinese_names_in_order() {
    let dir = scratch("draw");
    let pool = dir.join("names.txt");
    let names: Vec<String> = (1..=40).map(|i| format!("第一书记{i:02}")).collect();
    std::fs::write(&pool, names.join("\n")).unwrap();
    let pool = pool.to_str().unwrap();
    let args = [
        "draw",
        "--pool",
        pool,
        "--source",
        "9319",
        "--source",
        "2 5 12 8 10",
        "--count",
        "15",
        "--json",
    ];
    let (code, stdout, _) = pingyi(&args);
    assert_eq!(code, 0);
    let value: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(value["key_string"], "9319./2.5.8.10.12./");
    assert_eq!(value["selected"].as_array().unwrap().len(), 15);
    let (code, text, _) = pingyi(&args[..args.len() - 1]);
    assert_eq!(code, 0);
    assert_eq!(text.lines().count(), 2 + 15);
    // The same sources give the same draw.
    assert_eq!(pingyi(&args).1, stdout);
}

#[test]
fn draw_refuses_bad_input_with_exit_code_2() {
    let dir = scratch("draw-bad");
    let pool = dir.join("names.txt");
    std::fs::write(&pool, "甲\n乙\n").unwrap();
    let pool = pool.to_str().unwrap();
    let empty = dir.join("empty.txt");
    std::fs::write(&empty, "\n  \n").unwrap();
    let empty = empty.to_str().unwrap();
    let cases: [&[&str]; 5] = [
        &["draw", "--pool", empty, "--source", "1", "--count", "1"],
        &["draw", "--pool", pool, "--source", "12", "--count", "3"],
        &["draw", "--pool", pool, "--source", "1x", "--count", "1"],
        &["draw", "--pool", "/no/such/file", "--source", "1", "--count", "1"],
        &["draw", "--pool", pool, "--count", "1"],
    ];
    for args in cases {
        let (code, _, stderr) = pingyi(args);
        assert_eq!(code, 2, "{args:?}");
        assert!(!stderr.trim().is_empty(), "{args:?} must say why");
    }
}

#[test]
fn tally_prints_the_ranking_and_counts_a_repeated_ballot_once() {
    let dir = scratch("tally");
    let meeting = small_meeting("code");
    let secret = MeetingSecret::from_bytes([3; 32]);
    let codes = issue_codes(&secret, meeting.id(), 0, 2).unwrap();
    let key = DeviceKey::from_seed([4; 32]);
    let ballot = |code, grade| {
        let mut draft = BallotDraft::new(&meeting, Credential::Code(code));
        for p in 0..4 {
            draft.fill_presenter(p, grade);
        }
        // Each ballot is the first of its own chain: enough for tallying.
        ChainHead::default().sign_next(
            &key,
            draft.finish().unwrap().to_v1(&meeting),
            "2026-12-18T09:00:00Z",
        )
    };
    let file = |entries| BallotFileV1 {
        format: BALLOT_FILE_FORMAT.into(),
        version: BALLOT_FILE_VERSION,
        ballots: entries,
    };
    let meeting_path = dir.join("meeting.json");
    std::fs::write(&meeting_path, serde_json::to_string(&meeting.to_file()).unwrap()).unwrap();
    let a = dir.join("a.json");
    std::fs::write(
        &a,
        serde_json::to_string(&file(vec![ballot(codes[0], 0), ballot(codes[1], 1)])).unwrap(),
    )
    .unwrap();
    let b = dir.join("b.json");
    std::fs::write(
        &b,
        serde_json::to_string(&file(vec![ballot(codes[0], 0)])).unwrap(),
    )
    .unwrap();

    let paths = [
        meeting_path.to_str().unwrap(),
        a.to_str().unwrap(),
        b.to_str().unwrap(),
    ];
    let (code, stdout, stderr) = pingyi(&["tally", paths[0], paths[1], paths[2], "--json"]);
    assert_eq!(code, 0, "{stderr}");
    let value: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(value["ballots_counted"], 2);
    assert_eq!(value["duplicates_ignored"], 1);
    // Every presenter: one 好 (100) and one 较好 (80) from the same group → 90.
    assert_eq!(value["ranking"][0]["score"], "90/1");
    assert_eq!(value["ranking"][0]["rank"], 1);

    // The same code on a different ballot is a conflict: refused, exit 2.
    let c = dir.join("c.json");
    std::fs::write(
        &c,
        serde_json::to_string(&file(vec![ballot(codes[0], 3)])).unwrap(),
    )
    .unwrap();
    let (code, _, stderr) = pingyi(&["tally", paths[0], paths[1], c.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("conflict") || stderr.contains("两张内容不同"),
        "{stderr}"
    );

    // A ballot file of another meeting is refused.
    let (code, _, stderr) = pingyi(&["tally", paths[1], paths[1]]);
    assert_eq!(code, 2, "{stderr}");
}

/// `pingyi verify-round` on the worked example of docs/record-format.md, a tampered copy and a
/// file that is not a round: text, exit codes, and with --json always JSON on standard output.
#[test]
fn verify_round_passes_the_example_and_names_what_a_tampered_copy_breaks() {
    let example = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/examples/record-round.json");
    let (code, text, _) = pingyi(&["verify-round", example]);
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("verification PASSED"));
    assert!(text.contains("乙某"), "the ranking names the presenters");

    let (code, stdout, _) = pingyi(&["verify-round", example, "--json"]);
    assert_eq!(code, 0);
    let verdict: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(verdict["holds"], true);
    assert_eq!(verdict["ranking"].as_array().unwrap().len(), 4);

    let dir = scratch("verify-round");
    let mut doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(example).unwrap()).unwrap();
    let count = &mut doc["proof"]["counts"]["presenters"][0]["cells"][0]["counts"][0][0];
    *count = serde_json::json!(count.as_u64().unwrap() - 1);
    let tampered = dir.join("tampered.json");
    std::fs::write(&tampered, doc.to_string()).unwrap();
    let (code, stdout, _) = pingyi(&["verify-round", tampered.to_str().unwrap(), "--json"]);
    assert_eq!(code, 1);
    let verdict: serde_json::Value = serde_json::from_str(&stdout).expect("JSON on stdout for a failure");
    assert_eq!(verdict["holds"], false);
    let ids: Vec<&str> = verdict["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap())
        .collect();
    assert!(
        ids.contains(&"cell_mismatch") && ids.contains(&"cell_sum"),
        "{ids:?}"
    );
    let (code, _, stderr) = pingyi(&["verify-round", tampered.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(stderr.contains("cell_mismatch") && stderr.contains("verification FAILED"));

    let garbage = dir.join("garbage.json");
    std::fs::write(&garbage, "{\"join\": 1}").unwrap();
    let (code, stdout, _) = pingyi(&["verify-round", garbage.to_str().unwrap(), "--json"]);
    assert_eq!(code, 2);
    let verdict: serde_json::Value =
        serde_json::from_str(&stdout).expect("JSON on stdout for unreadable input");
    assert_eq!(verdict["holds"], false);
    assert!(verdict["unreadable"].is_string());
    let (code, _, stderr) = pingyi(&["verify-round", garbage.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(stderr.contains("not a readable round file"));
}

/// `--minutes`: what the witnesses wrote in the hall must match the round.
#[test]
fn verify_round_compares_the_witnesses_minutes() {
    use pingyi::domain::record::minutes::code_list_for_people;
    use pingyi::domain::signing::fingerprint;
    let example = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/examples/record-round.json");
    let doc: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(example).unwrap()).unwrap();
    let host = fingerprint(doc["join"]["host"].as_str().unwrap()).unwrap();
    let code_list = code_list_for_people(doc["proof"]["code_list"]["digest"].as_str().unwrap()).unwrap();
    let tablet = |i: usize| fingerprint(doc["proof"]["hellos"][i]["tablet"].as_str().unwrap()).unwrap();
    let dir = scratch("minutes");
    let run = |text: String| {
        let path = dir.join("minutes.txt");
        std::fs::write(&path, text).unwrap();
        let (code, stdout, _) = pingyi(&[
            "verify-round",
            example,
            "--minutes",
            path.to_str().unwrap(),
            "--json",
        ]);
        let verdict: serde_json::Value = serde_json::from_str(&stdout).expect("a JSON verdict");
        let ids: Vec<String> = verdict["problems"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["id"].as_str().unwrap().to_owned())
            .collect();
        (code, ids)
    };
    let head = format!("pingyi-minutes 1\nhost {host}\ncode-list {code_list}\n");
    // Tablet 1 handed in 4 ballots, then its empty closing batch; tablet 2 four in one (one
    // of them the duplicate the host excluded: witnesses count what was handed in).
    let (code, ids) = run(format!(
        "{head}tablet {} 2 4\ntablet {} 1 4\n",
        tablet(0),
        tablet(1)
    ));
    assert_eq!((code, ids), (0, Vec::<String>::new()));
    let (code, ids) = run(format!(
        "{head}tablet {} 3 6\ntablet {} 1 4\n",
        tablet(0),
        tablet(1)
    ));
    assert_eq!((code, ids), (1, vec!["minutes_tablet_counts".to_owned()]));
    let (code, ids) = run(format!("{head}tablet {} 2 4\n", tablet(0)));
    assert_eq!((code, ids), (1, vec!["minutes_tablet_unwitnessed".to_owned()]));
    let other_host = "pingyi-minutes 1\nhost AAAA-BBBB-CCCC-DDDD\n".to_owned();
    let (code, ids) = run(format!(
        "{other_host}tablet {} 2 4\ntablet {} 1 4\n",
        tablet(0),
        tablet(1)
    ));
    assert_eq!((code, ids), (1, vec!["minutes_host".to_owned()]));
}

/// `pingyi verify` on the version-2 worked example (docs/result-format.md): passes, prints the
/// reconciliation and ranking; a re-signed file with a moved grade fails by its id, in text and
/// JSON; the witnesses' minutes are compared; a version-1 file still goes the version-1 way.
#[test]
fn verify_checks_a_version_2_result_file_and_its_minutes() {
    use pingyi::domain::record::result::ResultFileV2;
    use pingyi::domain::signing::{DeviceKey, fingerprint};
    let example = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/examples/result-v2.json");
    let (code, text, _) = pingyi(&["verify", example]);
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("verification PASSED") && text.contains("version 2"));
    assert!(text.contains("assessors: 5 / 4 / 4 / 4 / 1 / 3"), "{text}");
    let (code, stdout, _) = pingyi(&["verify", example, "--json"]);
    assert_eq!(code, 0);
    let verdict: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(
        (verdict["holds"].clone(), verdict["version"].clone()),
        (true.into(), 2.into())
    );
    assert_eq!(verdict["ranking"].as_array().unwrap().len(), 4);

    let dir = scratch("verify-v2");
    let mut file: ResultFileV2 = serde_json::from_str(&std::fs::read_to_string(example).unwrap()).unwrap();
    let cell = &mut file.payload.proof.counts.presenters[0].cells[0].counts[0];
    let from = cell.iter().position(|&n| n > 0).unwrap();
    cell[from] -= 1;
    cell[(from + 1) % 4] += 1;
    // The demo host key of the example (tests/result_v2.rs) re-signs the bent payload.
    let bent = ResultFileV2::sign(file.payload.clone(), &DeviceKey::from_seed([0x48; 32]));
    let tampered = dir.join("bent.json");
    std::fs::write(&tampered, bent.to_json()).unwrap();
    let (code, stdout, _) = pingyi(&["verify", tampered.to_str().unwrap(), "--json"]);
    assert_eq!(code, 1);
    let verdict: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let ids: Vec<&str> = verdict["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap())
        .collect();
    assert!(ids.contains(&"cell_mismatch"), "{ids:?}");
    assert!(!ids.contains(&"signature"), "re-signed: {ids:?}");
    let (code, _, stderr) = pingyi(&["verify", tampered.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(stderr.contains("cell_mismatch") && stderr.contains("verification FAILED"));

    let doc: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(example).unwrap()).unwrap();
    let host = fingerprint(doc["payload"]["join"]["host"].as_str().unwrap()).unwrap();
    let tablet =
        |i: usize| fingerprint(doc["payload"]["proof"]["hellos"][i]["tablet"].as_str().unwrap()).unwrap();
    let minutes = dir.join("minutes.txt");
    std::fs::write(
        &minutes,
        format!(
            "pingyi-minutes 1\nhost {host}\ntablet {} 2 4\ntablet {} 1 3\npaper 1\n",
            tablet(0),
            tablet(1)
        ),
    )
    .unwrap();
    let (code, text, _) = pingyi(&["verify", example, "--minutes", minutes.to_str().unwrap()]);
    assert_eq!(code, 0, "{text}");
    std::fs::write(
        &minutes,
        format!(
            "pingyi-minutes 1\nhost {host}\ntablet {} 2 4\ntablet {} 1 3\n",
            tablet(0),
            tablet(1)
        ),
    )
    .unwrap();
    let (code, stdout, _) = pingyi(&[
        "verify",
        example,
        "--minutes",
        minutes.to_str().unwrap(),
        "--json",
    ]);
    assert_eq!(code, 1);
    assert!(
        stdout.contains("minutes_paper"),
        "the paper ballot was not witnessed: {stdout}"
    );

    let v1 = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/examples/result.json");
    let (code, text, _) = pingyi(&["verify", v1]);
    assert_eq!(code, 0, "{text}");
}

#[test]
fn xlsx_writes_the_workbook_and_says_when_it_cannot_write_it() {
    let example = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/examples/result-v2.json");
    let out = scratch("xlsx").join("summary.xlsx");
    let (code, stdout, stderr) = pingyi(&["xlsx", example, "--out", out.to_str().unwrap()]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("summary.xlsx"), "{stdout}");
    let bytes = std::fs::read(&out).expect("the workbook");
    assert_eq!(&bytes[..2], b"PK", "an .xlsx is a zip archive");
    // A folder that does not exist: the message says the file cannot be written, not read.
    let nowhere = scratch("xlsx").join("no-such-folder").join("summary.xlsx");
    let (code, _, stderr) = pingyi(&["xlsx", example, "--out", nowhere.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("无法写入") && stderr.contains("cannot write"),
        "{stderr}"
    );
}
