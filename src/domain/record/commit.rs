//! Pedersen commitments to ballots (record format 2, docs/record-format.md "Ballot
//! commitments"): the meeting's generators, a ballot's commitment vector with blindings drawn
//! from its batch seed, and the digests that name meetings, codes and code lists.
//!
//! A commitment hides its content perfectly (the blinding is uniform) and binds it under the
//! discrete-log assumption; sums of commitments commit to sums of counts, which is what lets
//! the host publish counts instead of ballots.

use curve25519_dalek::ristretto::RistrettoPoint;
use curve25519_dalek::scalar::Scalar;
use curve25519_dalek::traits::Identity;

use super::group::{Tagged, blind, generator};
use crate::domain::ballot::{Ballot, Mark};
use crate::domain::code::BallotCode;
use crate::domain::meeting::Meeting;
use crate::domain::signing::canonical_bytes;

/// The meeting digest `md`: what every signed object of the record names.
pub fn meeting_digest(meeting: &Meeting) -> [u8; 32] {
    Tagged::new("pingyi/v2/meeting")
        .field(&canonical_bytes(&meeting.to_file()))
        .sha256()
}

/// The digest a result publishes for a used or issued code (over its canonical text).
pub fn code_digest(meeting: &[u8; 32], code: &BallotCode) -> [u8; 32] {
    Tagged::new("pingyi/v2/code")
        .field(meeting)
        .field(code.to_string().as_bytes())
        .sha256()
}

/// The code-list digest the host shows before voting: per group in meeting order, its id,
/// the number of codes and their digests sorted.
pub fn code_list_digest(meeting: &Meeting, md: &[u8; 32], codes: &[Vec<BallotCode>]) -> [u8; 32] {
    let digests: Vec<Vec<[u8; 32]>> = (0..meeting.groups().len())
        .map(|g| {
            codes
                .get(g)
                .map(|list| list.iter().map(|c| code_digest(md, c)).collect())
                .unwrap_or_default()
        })
        .collect();
    code_list_digest_of(meeting, &digests)
}

/// The code-list digest over code digests (per group in meeting order), as a verifier has them.
pub fn code_list_digest_of(meeting: &Meeting, digests: &[Vec<[u8; 32]>]) -> [u8; 32] {
    let mut input = Tagged::new("pingyi/v2/code-list");
    for (g, group) in meeting.groups().iter().enumerate() {
        let mut list: Vec<[u8; 32]> = digests.get(g).cloned().unwrap_or_default();
        list.sort_unstable();
        input.push(group.id.as_bytes());
        input.push(&(list.len() as u32).to_be_bytes());
        input.push(&list.concat());
    }
    input.sha256()
}

/// The status a ballot gives one presenter, committed apart from the grades so that who graded
/// can be published per group while grades are published per cell.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    Graded,
    Recused,
    Abstained,
}

impl Status {
    pub fn of(mark: &Mark) -> Status {
        match mark {
            Mark::Graded(_) => Status::Graded,
            Mark::Recused => Status::Recused,
            Mark::Abstained => Status::Abstained,
        }
    }
}

/// The generators of one meeting, derived once and reused for every ballot.
#[derive(Clone, Debug)]
pub struct Generators {
    /// grades[aspect][grade]
    pub grades: Vec<Vec<RistrettoPoint>>,
    pub graded: RistrettoPoint,
    pub recused: RistrettoPoint,
    pub abstained: RistrettoPoint,
    pub blank: RistrettoPoint,
}

impl Generators {
    pub fn new(md: &[u8; 32], aspects: usize, grades: usize) -> Generators {
        Generators {
            grades: (0..aspects)
                .map(|a| {
                    (0..grades)
                        .map(|k| generator(md, &format!("grade/{a}/{k}")))
                        .collect()
                })
                .collect(),
            graded: generator(md, "status/graded"),
            recused: generator(md, "status/recused"),
            abstained: generator(md, "status/abstained"),
            blank: generator(md, "ballot/blank"),
        }
    }
    pub fn for_meeting(meeting: &Meeting) -> Generators {
        Generators::new(
            &meeting_digest(meeting),
            meeting.aspects().len(),
            meeting.grades().len(),
        )
    }
    pub fn status(&self, status: Status) -> RistrettoPoint {
        match status {
            Status::Graded => self.graded,
            Status::Recused => self.recused,
            Status::Abstained => self.abstained,
        }
    }
    pub fn aspects(&self) -> usize {
        self.grades.len()
    }
}

/// Which commitment of a ballot a blinding belongs to (the `kind` byte of the doc).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Part {
    Grades = 1,
    Status = 2,
    Blank = 3,
}

/// The blinding r(i, p, kind) of ballot `index` of the batch with `seed`.
pub fn blinding(seed: &[u8; 32], index: u32, presenter: u32, part: Part) -> Scalar {
    let wide = Tagged::new("pingyi/v2/blind")
        .field(seed)
        .field(&index.to_be_bytes())
        .field(&presenter.to_be_bytes())
        .field(&[part as u8])
        .sha512();
    Scalar::from_bytes_mod_order_wide(&wide)
}

/// One ballot's commitments: per presenter (grades, status), then blank.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BallotCommitment {
    pub cells: Vec<(RistrettoPoint, RistrettoPoint)>,
    pub blank: RistrettoPoint,
}

impl BallotCommitment {
    /// Commits to `ballot` as row `index` of the batch with `seed`.
    pub fn new(gens: &Generators, ballot: &Ballot, seed: &[u8; 32], index: u32) -> BallotCommitment {
        let cells = ballot
            .marks()
            .iter()
            .enumerate()
            .map(|(p, mark)| {
                let p32 = p as u32;
                let mut grades = blind(&blinding(seed, index, p32, Part::Grades));
                if let Mark::Graded(chosen) = mark {
                    for (a, &k) in chosen.iter().enumerate() {
                        grades += gens.grades[a][usize::from(k)];
                    }
                }
                let status = gens.status(Status::of(mark)) + blind(&blinding(seed, index, p32, Part::Status));
                (grades, status)
            })
            .collect();
        let mut blank = blind(&blinding(seed, index, 0, Part::Blank));
        if ballot.is_blank() {
            blank += gens.blank;
        }
        BallotCommitment { cells, blank }
    }

    /// The 2n + 1 points in the order of the doc.
    pub fn points(&self) -> Vec<RistrettoPoint> {
        self.cells
            .iter()
            .flat_map(|&(g, s)| [g, s])
            .chain(std::iter::once(self.blank))
            .collect()
    }

    /// Rebuilds a commitment from its 2n + 1 points; None for an even or empty list.
    pub fn from_points(points: &[RistrettoPoint]) -> Option<BallotCommitment> {
        if points.len() % 2 != 1 {
            return None;
        }
        let (blank, cells) = points.split_last()?;
        Some(BallotCommitment {
            cells: cells.chunks(2).map(|c| (c[0], c[1])).collect(),
            blank: *blank,
        })
    }

    /// The commitment digest listed in the batch header.
    pub fn digest(&self) -> [u8; 32] {
        let encoded: Vec<u8> = self
            .points()
            .iter()
            .flat_map(|p| p.compress().to_bytes())
            .collect();
        Tagged::new("pingyi/v2/ballot-commitment")
            .field(&encoded)
            .sha256()
    }
}

/// The sums a batch header carries for one group.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GroupSums {
    pub returned: u32,
    pub cells: Vec<(RistrettoPoint, RistrettoPoint)>,
    pub blank: RistrettoPoint,
}

impl GroupSums {
    pub fn empty(presenters: usize) -> GroupSums {
        GroupSums {
            returned: 0,
            cells: vec![(RistrettoPoint::identity(), RistrettoPoint::identity()); presenters],
            blank: RistrettoPoint::identity(),
        }
    }
    pub fn add(&mut self, commitment: &BallotCommitment) {
        self.returned += 1;
        for (sum, (g, s)) in self.cells.iter_mut().zip(&commitment.cells) {
            sum.0 += g;
            sum.1 += s;
        }
        self.blank += commitment.blank;
    }
    pub fn subtract(&mut self, commitment: &BallotCommitment) {
        self.returned = self.returned.saturating_sub(1);
        for (sum, (g, s)) in self.cells.iter_mut().zip(&commitment.cells) {
            sum.0 -= g;
            sum.1 -= s;
        }
        self.blank -= commitment.blank;
    }
    pub fn add_sums(&mut self, other: &GroupSums) {
        self.returned += other.returned;
        for (sum, (g, s)) in self.cells.iter_mut().zip(&other.cells) {
            sum.0 += g;
            sum.1 += s;
        }
        self.blank += other.blank;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ballot::BallotV1;

    fn meeting() -> Meeting {
        crate::domain::demo::small_meeting("open")
    }

    fn ballot(meeting: &Meeting, marks: &[&str]) -> Ballot {
        let raw = BallotV1 {
            meeting: meeting.id().to_owned(),
            code: None,
            group: Some(meeting.groups()[0].id.clone()),
            marks: marks.iter().map(|m| (*m).to_owned()).collect(),
        };
        Ballot::from_v1(&raw, meeting).unwrap()
    }

    #[test]
    fn commitments_add_up_to_the_counts() {
        let meeting = meeting();
        let gens = Generators::for_meeting(&meeting);
        let a = ballot(&meeting, &["11111111", "R", "A", "A"]);
        let b = ballot(&meeting, &["12111111", "22222222", "A", "A"]);
        let seed = [3u8; 32];
        let mut sums = GroupSums::empty(4);
        sums.add(&BallotCommitment::new(&gens, &a, &seed, 0));
        sums.add(&BallotCommitment::new(&gens, &b, &seed, 1));
        // Presenter 0, grades: aspect 0 got grade 0 twice; aspect 1 grade 0 and 1; others 0 twice.
        let r: Scalar = blinding(&seed, 0, 0, Part::Grades) + blinding(&seed, 1, 0, Part::Grades);
        let mut expected = blind(&r);
        for aspect in 0..8 {
            expected += gens.grades[aspect][0] + gens.grades[aspect][usize::from(aspect == 1)];
        }
        assert_eq!(sums.cells[0].0, expected);
        // Presenter 1, status: one recused, one graded.
        let r: Scalar = blinding(&seed, 0, 1, Part::Status) + blinding(&seed, 1, 1, Part::Status);
        assert_eq!(sums.cells[1].1, gens.recused + gens.graded + blind(&r));
    }

    #[test]
    fn the_same_ballot_in_another_place_looks_unrelated() {
        let meeting = meeting();
        let gens = Generators::for_meeting(&meeting);
        let a = ballot(&meeting, &["11111111", "R", "A", "A"]);
        let first = BallotCommitment::new(&gens, &a, &[3; 32], 0);
        assert_ne!(first, BallotCommitment::new(&gens, &a, &[3; 32], 1));
        assert_ne!(
            first.digest(),
            BallotCommitment::new(&gens, &a, &[4; 32], 0).digest()
        );
        assert_eq!(BallotCommitment::from_points(&first.points()), Some(first));
    }
}
