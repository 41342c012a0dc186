//! Native figures for the counting work of a large county meeting: the tally of 300 ballots
//! × 60 presenters × 8 aspects, checking 300 ballot signatures, and reading one ballot's QR
//! code from a webcam-sized frame; for record format 2, committing one ballot and verifying a
//! 300-ballot round. Prints figures; it is
//! not a pass/fail test. Run: `cargo bench --bench tally` (scripts/perf runs it too; the
//! same work in wasm is in tests/wasm_perf.rs).

use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;

use pingyi::domain::qr_ballot::encode_qr_ballot;
use pingyi::domain::qr_frame::decode_rgba;
use pingyi::domain::record::batch::RoundContext;
use pingyi::domain::record::commit::{BallotCommitment, Generators};
use pingyi::domain::record::verify::verify_round;
use pingyi::domain::sample::{qr_frame, random_ballots, sample_round, signed_ballots, sized_meeting};
use pingyi::domain::tally::Tally;

fn tally_benchmark(c: &mut Criterion) {
    let meeting = sized_meeting(60);
    let ballots = random_ballots(&meeting, 300, 42);
    c.bench_function("tally 300 ballots x 60 presenters x 8 aspects", |b| {
        b.iter(|| Tally::count(black_box(&meeting), black_box(&ballots)))
    });
    let signed = signed_ballots(&meeting, &ballots, 10);
    c.bench_function("verify 300 ballot signatures", |b| {
        b.iter(|| black_box(&signed).iter().all(|s| s.check_signature().is_ok()))
    });
    let text = encode_qr_ballot(&signed[0]).expect("a QR ballot");
    let frame = qr_frame(&text, 4);
    assert_eq!(decode_rgba(640, 480, &frame), vec![text.clone()]);
    c.bench_function("decode a 60-presenter ballot QR code in a 640x480 frame", |b| {
        b.iter(|| decode_rgba(640, 480, black_box(&frame)))
    });
}

/// Record format 2: what a tablet does per submitted ballot, and what a verifier does with a
/// whole round (generators derived from scratch, every batch and count checked).
fn record_benchmark(c: &mut Criterion) {
    let meeting = sized_meeting(60);
    let ballots = random_ballots(&meeting, 300, 42);
    let generators = Generators::for_meeting(&meeting);
    c.bench_function("commit one ballot of 60 presenters x 8 aspects", |b| {
        b.iter(|| BallotCommitment::new(&generators, black_box(&ballots[0]), &[7; 32], 0))
    });
    let (_, proof) = sample_round(&meeting, &ballots, 10);
    c.bench_function(
        "verify a round of 300 ballots x 60 presenters from 10 tablets",
        |b| {
            b.iter(|| {
                let generators = Generators::for_meeting(&meeting);
                let round = RoundContext::new(&meeting, [0x5e; 16], &generators);
                assert!(verify_round(&round, black_box(&proof)).is_empty());
            })
        },
    );
}

criterion_group!(benches, tally_benchmark, record_benchmark);
criterion_main!(benches);
