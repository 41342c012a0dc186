//! Tally of 300 ballots × 60 presenters × 8 aspects (the size of a large county meeting).
//! Prints figures; it is not a pass/fail test. Run: `cargo bench --bench tally`.

use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;

use pingyi::domain::ballot::{Ballot, BallotDraft, Credential};
use pingyi::domain::meeting::{Meeting, PresenterV1, default_meeting_file};
use pingyi::domain::tally::Tally;

fn meeting_of(presenters: usize) -> Meeting {
    let list = (0..presenters)
        .map(|i| PresenterV1 {
            id: format!("P{i:03}"),
            name: format!("述职人{i:03}"),
            unit: format!("{i}村"),
            township: "城关镇".into(),
        })
        .collect();
    let mut file = default_meeting_file("bench", "bench", list);
    file.credential = "open".into();
    Meeting::try_from(file).expect("valid")
}

fn ballots(meeting: &Meeting, count: usize) -> Vec<Ballot> {
    let mut state: u64 = 42;
    let mut next = move || {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (state >> 33) as u32
    };
    (0..count)
        .map(|i| {
            let mut draft = BallotDraft::new(meeting, Credential::Group(i % 3));
            for p in 0..meeting.presenters().len() {
                match next() % 40 {
                    0 => draft.set_recused(p),
                    1 => draft.set_abstained(p),
                    _ => {
                        for a in 0..meeting.aspects().len() {
                            draft.set_grade(p, a, (next() % 4) as u8);
                        }
                    }
                }
            }
            draft.finish().expect("complete")
        })
        .collect()
}

fn tally_benchmark(c: &mut Criterion) {
    let meeting = meeting_of(60);
    let ballots = ballots(&meeting, 300);
    c.bench_function("tally 300 ballots x 60 presenters x 8 aspects", |b| {
        b.iter(|| Tally::count(black_box(&meeting), black_box(&ballots)))
    });
}

criterion_group!(benches, tally_benchmark);
criterion_main!(benches);
