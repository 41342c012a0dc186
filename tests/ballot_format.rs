//! The worked example in docs/ballot-format.md is what the code produces: the signed ballot
//! JSON, its QR text, and the bytes behind the QR text.

use pingyi::domain::ballot::{BallotDraft, Credential};
use pingyi::domain::demo::small_meeting;
use pingyi::domain::qr_ballot::{decode_qr_ballot, encode_qr_ballot};
use pingyi::domain::signed_ballot::{ChainHead, SignedBallotV1};
use pingyi::domain::signing::DeviceKey;

fn example() -> SignedBallotV1 {
    let meeting = small_meeting("open");
    let mut draft = BallotDraft::new(&meeting, Credential::Group(1));
    draft.fill_presenter(0, 0);
    draft.fill_presenter(1, 1);
    draft.set_grade(1, 0, 0);
    draft.set_recused(2);
    draft.set_abstained(3);
    let ballot = draft.finish().expect("complete");
    ChainHead::default().sign_next(
        &DeviceKey::from_seed([3; 32]),
        ballot.to_v1(&meeting),
        "2026-12-18T10:15:00Z",
    )
}

#[test]
fn the_documented_example_is_what_the_code_produces() {
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/ballot-format.md")).unwrap();
    let ballot = example();
    let json = serde_json::to_string_pretty(&ballot).unwrap();
    let qr = encode_qr_ballot(&ballot).unwrap();
    if std::env::var_os("PINGYI_PRINT_EXAMPLE").is_some() {
        println!("{json}\n{qr}\n{}", ballot.tracker());
    }
    assert!(
        doc.contains(&json),
        "docs/ballot-format.md must show the signed ballot:\n{json}"
    );
    assert!(
        doc.contains(&qr),
        "docs/ballot-format.md must show the QR text:\n{qr}"
    );
    assert!(doc.contains(&ballot.tracker()));
    assert_eq!(decode_qr_ballot(&qr).unwrap(), ballot);
}
