//! Figures for the counting work in wasm, in headless Chromium with the shipped release
//! profile: the tally of 300 ballots × 60 presenters × 8 aspects, checking 300 ballot
//! signatures, and reading a ballot's QR code from a 640 × 480 frame. Prints `PERF|…` lines that scripts/perf gathers into its table; the checks
//! here are about the results, never about time. Built only with `--features perf`.
#![cfg(target_arch = "wasm32")]

use pingyi::domain::qr_ballot::encode_qr_ballot;
use pingyi::domain::qr_frame::{QrScanner, decode_rgba};
use pingyi::domain::record::batch::RoundContext;
use pingyi::domain::record::commit::{BallotCommitment, Generators};
use pingyi::domain::record::verify::verify_round;
use pingyi::domain::sample::{qr_frame, random_ballots, sample_round, signed_ballots, sized_meeting};
use pingyi::domain::tally::Tally;
use wasm_bindgen_test::{console_log, wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

fn now() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .expect("window.performance")
        .now()
}

/// Median milliseconds of `runs` runs of `work` (after one warm-up run).
fn median_ms(runs: usize, mut work: impl FnMut()) -> f64 {
    work();
    let mut times: Vec<f64> = (0..runs)
        .map(|_| {
            let start = now();
            work();
            now() - start
        })
        .collect();
    times.sort_by(f64::total_cmp);
    times[runs / 2]
}

#[wasm_bindgen_test]
fn tally_of_300_ballots_in_wasm() {
    let meeting = sized_meeting(60);
    let ballots = random_ballots(&meeting, 300, 42);
    let mut counted = 0;
    let ms = median_ms(21, || {
        let tally = Tally::count(&meeting, &ballots);
        counted = tally.ballots.iter().sum::<u32>();
    });
    assert_eq!(counted, 300);
    console_log!("PERF|tally 300 × 60 × 8 (wasm, median of 21)|{ms:.2} ms|≤ 5 ms");
}

#[wasm_bindgen_test]
fn verifying_300_signatures_in_wasm() {
    let meeting = sized_meeting(60);
    let ballots = random_ballots(&meeting, 300, 42);
    let signed = signed_ballots(&meeting, &ballots, 10);
    let mut valid = 0;
    let ms = median_ms(5, || {
        valid = signed.iter().filter(|s| s.check_signature().is_ok()).count();
    });
    assert_eq!(valid, 300);
    console_log!("PERF|verify 300 ballot signatures (wasm, median of 5)|{ms:.1} ms|≤ 100 ms");
}

#[wasm_bindgen_test]
fn decoding_a_ballot_qr_frame_in_wasm() {
    let meeting = sized_meeting(60);
    let ballots = random_ballots(&meeting, 1, 42);
    let signed = signed_ballots(&meeting, &ballots, 1);
    let text = encode_qr_ballot(&signed[0]).expect("a QR ballot");
    let frame = qr_frame(&text, 4);
    let mut found = Vec::new();
    let ms = median_ms(11, || found = decode_rgba(640, 480, &frame));
    assert_eq!(found, vec![text]);
    console_log!(
        "PERF|QR decode, 60-presenter ballot in a 640×480 frame (wasm, main thread, median of 11)|{ms:.1} ms|≤ 30 ms"
    );
}

#[wasm_bindgen_test]
fn decoding_a_hand_in_chunk_frame_in_wasm() {
    // A hand-in chunk at its largest (QR_CHUNK_BYTES of envelope in base45: version 25) at 3 px
    // a module, read by one scanner frame after frame as the worker does.
    let text = format!("PQ1:{}", "ABC123 $%*+-./:".repeat(91));
    let frame = qr_frame(&text, 3);
    let mut scanner = QrScanner::new();
    let mut found = Vec::new();
    let ms = median_ms(21, || found = scanner.scan_rgba(640, 480, &frame));
    assert_eq!(found, vec![text]);
    console_log!(
        "PERF|QR decode, largest hand-in chunk (version 25, 3 px a module) in a 640×480 frame (wasm, main thread, one scanner, median of 21)|{ms:.1} ms|≤ 7.5 ms at 1× (30 ms at 4×)"
    );
}

#[wasm_bindgen_test]
fn committing_one_ballot_in_wasm() {
    let meeting = sized_meeting(60);
    let ballots = random_ballots(&meeting, 1, 42);
    let start = now();
    let generators = Generators::for_meeting(&meeting);
    let derive = now() - start;
    let mut points = 0;
    let ms = median_ms(11, || {
        points = BallotCommitment::new(&generators, &ballots[0], &[7; 32], 0)
            .points()
            .len();
    });
    assert_eq!(points, 121);
    // scripts/perf runs this test twice: with the default features (the host's, precomputed
    // basepoint tables) and without them (the rater build's, which a tablet runs).
    let tables = if cfg!(feature = "precomputed-tables") {
        "with precomputed tables, the host build"
    } else {
        "without precomputed tables, the rater build"
    };
    console_log!(
        "PERF|record v2: commit one 60×8 ballot on the tablet (wasm, {tables}, median of 11)|{ms:.1} ms|≤ 50 ms"
    );
    console_log!("PERF|record v2: derive the meeting's 36 generators once (wasm)|{derive:.1} ms|");
}

#[wasm_bindgen_test]
fn verifying_a_round_in_wasm() {
    let meeting = sized_meeting(60);
    let ballots = random_ballots(&meeting, 300, 42);
    let (_, proof) = sample_round(&meeting, &ballots, 10);
    let mut problems = usize::MAX;
    let ms = median_ms(3, || {
        let generators = Generators::for_meeting(&meeting);
        let round = RoundContext::new(&meeting, [0x5e; 16], &generators);
        problems = verify_round(&round, &proof).len();
    });
    assert_eq!(problems, 0);
    console_log!(
        "PERF|record v2: verify a 300-ballot, 60-presenter round from 10 tablets (wasm, median of 3)|{ms:.0} ms|≤ 1000 ms"
    );
}
