//! Bad input at every boundary record format 2 added — the signed join (link text or file), the
//! hand-in file, the hand-in QR texts, the sealed envelope at the host, the minutes file and the
//! version-2 result file: arbitrary bytes and mutations of real values are refused with a
//! message, never a panic, and the host's record does not change (issue 14, "Bad input at every
//! new boundary"). Each property runs CASES cases.
#![cfg(not(target_arch = "wasm32"))]

use pingyi::domain::code::MeetingSecret;
use pingyi::domain::collect::{HostMeeting, Source};
use pingyi::domain::demo::small_meeting;
use pingyi::domain::kiosk::{decode_signed_join, encode_signed_join};
use pingyi::domain::record::minutes::Minutes;
use pingyi::domain::record::result::verify_result_v2;
use pingyi::domain::record::transport::{QrReassembly, hand_in_file, read_hand_in_file};
use pingyi::domain::signing::DeviceKey;
use proptest::prelude::*;

const CASES: u32 = 512;
const T: &str = "2026-12-18T09:00:00Z";

fn open_host() -> HostMeeting {
    let mut host = HostMeeting::new(small_meeting("open"), MeetingSecret::from_bytes([7; 32]), T);
    host.open_voting(&DeviceKey::from_seed([9; 32]), [1; 16], [2; 32], T)
        .unwrap();
    host
}

/// Flips one byte of `text` (by position and value), keeping it a string.
fn mutate(text: &str, at: usize, value: u8) -> String {
    let mut bytes = text.as_bytes().to_vec();
    if !bytes.is_empty() {
        let i = at % bytes.len();
        bytes[i] ^= value | 1;
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(CASES))]

    #[test]
    fn a_join_from_any_text_is_refused_or_checks(text in ".{0,400}") {
        if let Ok(join) = decode_signed_join(&text) {
            prop_assert!(join.check().is_ok());
        }
    }

    #[test]
    fn a_changed_byte_of_a_join_link_never_yields_another_meeting(at in any::<usize>(), value in any::<u8>()) {
        let host = open_host();
        let join = host.join().unwrap().clone();
        let link = encode_signed_join(&join);
        match decode_signed_join(&mutate(&link, at, value)) {
            // Base64 has slack bits: a change there may decode to the very same join.
            Ok(read) => prop_assert_eq!(read, join),
            Err(e) => prop_assert!(!e.to_string().is_empty()),
        }
    }

    #[test]
    fn any_bytes_sent_to_the_host_are_refused_and_change_nothing(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        let mut host = open_host();
        let before = serde_json::to_value(host.state()).unwrap();
        prop_assert!(host.receive_hand_in(&bytes, Source::File, T).is_err());
        let mut after = serde_json::to_value(host.state()).unwrap();
        // Only the count of refusals moves.
        after.as_object_mut().unwrap().remove("refused");
        prop_assert_eq!(after, before);
    }

    #[test]
    fn a_hand_in_file_from_any_text_is_refused_or_read(text in ".{0,300}", at in any::<usize>(), value in any::<u8>()) {
        let _ = read_hand_in_file(&text);
        let file = hand_in_file(b"PS1 envelope bytes");
        if let Ok(bytes) = read_hand_in_file(&mutate(&file, at, value)) {
            prop_assert!(bytes.len() < 64);
        }
    }

    #[test]
    fn qr_texts_of_any_kind_never_panic_the_reassembly(texts in proptest::collection::vec("(PQ1:)?[0-9A-Z $%*+./:-]{0,80}", 0..20)) {
        let mut reassembly = QrReassembly::new();
        for text in &texts {
            let _ = reassembly.add(text);
        }
    }

    #[test]
    fn a_minutes_file_of_any_text_is_refused_or_read(text in "(pingyi-minutes 1\n)?([a-z-]{0,9} [0-9A-Z -]{0,24}\n){0,6}") {
        let _ = Minutes::parse(&text);
    }

    #[test]
    fn a_result_file_of_any_text_never_panics(text in ".{0,400}") {
        let _ = verify_result_v2(&text, None);
    }
}

/// Every byte of the version-2 worked example changed in turn (a sample of positions): the
/// verifier refuses the file or finds a problem — never accepts a changed file as it was,
/// never panics.
#[test]
fn a_changed_byte_of_the_example_result_never_verifies_unnoticed() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/docs/examples/result-v2.json"
    ))
    .unwrap();
    let original = verify_result_v2(&text, None).unwrap();
    assert!(original.holds());
    let mut checked = 0;
    for at in (0..text.len()).step_by(37) {
        let changed = mutate(&text, at, 0x20);
        if changed == text {
            continue;
        }
        checked += 1;
        if let Ok(verdict) = verify_result_v2(&changed, None) {
            // Whitespace or key order does not matter to the signature; content does.
            let same: serde_json::Value = serde_json::from_str(&text).unwrap();
            let now: Result<serde_json::Value, _> = serde_json::from_str(&changed);
            if now.as_ref().ok() != Some(&same) {
                assert!(!verdict.holds(), "a changed file verified (byte {at})");
            }
        }
    }
    assert!(checked > 500, "{checked} positions");
}
