//! The tally of record format 2, computed from the published count tables alone (docs/rules.md
//! §4a): per presenter one weighted unit per cell, a cell weighing the sum of its groups'
//! weights. Anyone recomputes it from the file; nothing here looks at a ballot.

use thiserror::Error;

use super::counts::CountTablesV1;
use crate::domain::meeting::Meeting;
use crate::domain::tally::{PresenterTally, rank_and_level};

/// One presenter's tally over its cells.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CellPresenter {
    /// Group indices of each cell; `tally.counts[aspect][cell][grade]` follows this order.
    pub cells: Vec<Vec<usize>>,
    /// Counts, scores, rank and level; `recused` and `abstained` are per group.
    pub tally: PresenterTally,
    /// No grade published: fewer graders than the minimum group size.
    pub withheld: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CellTally {
    pub presenters: Vec<CellPresenter>,
    /// Ballots counted per group (blank included), and blank ones.
    pub returned: Vec<u32>,
    pub blank: Vec<u32>,
}

/// Why count tables cannot be tallied (they do not fit the meeting).
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum TallyCellsError {
    #[error("计数表与会议不符：{0} — the count tables do not fit the meeting: {0}")]
    Shape(&'static str),
}

/// The tally of published count tables (checked by `verify_counts` first, or the numbers mean
/// nothing).
pub fn tally_cells(meeting: &Meeting, tables: &CountTablesV1) -> Result<CellTally, TallyCellsError> {
    let groups = meeting.groups().len();
    let (aspects, grades) = (meeting.aspects().len(), meeting.grades().len());
    if tables.presenters.len() != meeting.presenters().len() || tables.groups.len() != groups {
        return Err(TallyCellsError::Shape("presenters or groups"));
    }
    let mut presenters = Vec::with_capacity(tables.presenters.len());
    for published in &tables.presenters {
        let cells: Vec<Vec<usize>> = published
            .cells
            .iter()
            .map(|c| {
                c.groups
                    .iter()
                    .map(|id| meeting.group_index(id))
                    .collect::<Option<Vec<_>>>()
            })
            .collect::<Option<_>>()
            .ok_or(TallyCellsError::Shape("unknown group in a cell"))?;
        if published.status.len() != groups
            || published
                .cells
                .iter()
                .any(|c| c.counts.len() != aspects || c.counts.iter().any(|row| row.len() != grades))
        {
            return Err(TallyCellsError::Shape("cell or status size"));
        }
        let weights: Vec<u64> = cells
            .iter()
            .map(|c| c.iter().map(|&g| u64::from(meeting.groups()[g].weight)).sum())
            .collect();
        let tally = PresenterTally::scored(
            meeting,
            &weights,
            (0..aspects)
                .map(|a| published.cells.iter().map(|c| c.counts[a].clone()).collect())
                .collect(),
            published.status.iter().map(|s| s.recused).collect(),
            published.status.iter().map(|s| s.abstained).collect(),
        );
        presenters.push(CellPresenter {
            cells,
            tally,
            withheld: published.withheld,
        });
    }
    rank_and_level(meeting, presenters.iter_mut().map(|p| &mut p.tally));
    Ok(CellTally {
        presenters,
        returned: tables.groups.iter().map(|g| g.returned).collect(),
        blank: tables.groups.iter().map(|g| g.blank).collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ballot::{Ballot, BallotDraft, Credential};
    use crate::domain::demo::small_meeting;
    use crate::domain::record::batch::{BatchChainHead, RoundContext, make_hand_in, open_hand_in};
    use crate::domain::record::commit::Generators;
    use crate::domain::record::prove::prove_round;
    use crate::domain::signing::DeviceKey;
    use crate::domain::tally::Tally;
    use num_bigint::BigInt;
    use num_rational::BigRational;

    fn ballot(meeting: &Meeting, group: usize, overall: Option<u8>) -> Ballot {
        let mut draft = BallotDraft::new(meeting, Credential::Group(group));
        for p in 0..meeting.presenters().len() {
            match (p, overall) {
                (0, Some(k)) => draft.fill_presenter(p, k),
                (0, None) => draft.set_recused(p),
                _ => draft.fill_presenter(p, 0),
            }
        }
        draft.finish().unwrap()
    }

    fn tables(meeting: &Meeting, ballots: &[Ballot]) -> CountTablesV1 {
        let gens = Generators::for_meeting(meeting);
        let round = RoundContext::new(meeting, [1; 16], &gens);
        let key = DeviceKey::from_seed([2; 32]);
        let (hand_in, _) =
            make_hand_in(&round, &key, &BatchChainHead::default(), ballots, [3; 32], true).unwrap();
        let opened = open_hand_in(&round, &hand_in).unwrap();
        prove_round(&round, Vec::new(), &[opened], &[], None).counts
    }

    /// docs/rules.md §4a: 考核组 10 graders (6 好, 4 较好), 乡镇分管领导 2 (好, 较好), 第一书记
    /// 1 (一般), every aspect alike: the score is 84.8, not the 81.8 of unpooled groups.
    #[test]
    fn the_worked_example_of_the_rules() {
        let mut file = small_meeting("open").to_file();
        for (group, expected) in file.groups.iter_mut().zip([12, 3, 3]) {
            group.expected = expected;
        }
        let meeting = Meeting::try_from(file).unwrap();
        assert_eq!(
            meeting.groups().iter().map(|g| g.weight).collect::<Vec<_>>(),
            [40, 30, 30],
            "the doc's weights are the defaults"
        );
        let mut ballots: Vec<Ballot> = (0..10)
            .map(|i| ballot(&meeting, 0, Some(u8::from(i >= 6))))
            .collect();
        ballots.push(ballot(&meeting, 1, Some(0)));
        ballots.push(ballot(&meeting, 1, Some(1)));
        ballots.push(ballot(&meeting, 1, None));
        ballots.push(ballot(&meeting, 2, Some(2)));
        ballots.push(ballot(&meeting, 2, None));
        ballots.push(ballot(&meeting, 2, None));
        let tally = tally_cells(&meeting, &tables(&meeting, &ballots)).unwrap();
        let x = &tally.presenters[0];
        assert_eq!(x.cells, vec![vec![0], vec![1, 2]]);
        assert_eq!(
            x.tally.score,
            Some(BigRational::new(BigInt::from(424), BigInt::from(5)))
        );
        let unpooled = Tally::count(&meeting, &ballots);
        assert_eq!(
            unpooled.presenters[0].score,
            Some(BigRational::new(BigInt::from(409), BigInt::from(5)))
        );
    }

    /// docs/rules.md §4b with k = 3: 乡镇分管领导 (较好 一般) and 第一书记 (好 差) pool into one
    /// cell of 4 grades, which is trimmed too: (80 + 60 + 100 + 40 − 100 − 40) / 2 = 70, so the
    /// score is (40 · 90 + 60 · 70) / 100 = 78, as in the unpooled example.
    #[test]
    fn the_trimmed_worked_example_of_the_rules_on_cells() {
        let mut file = small_meeting("open").to_file();
        file.rules.trim_above = Some(4);
        let meeting = Meeting::try_from(file).unwrap();
        let ballots: Vec<Ballot> = [(0, 0), (0, 0), (0, 1), (0, 3), (1, 1), (1, 2), (2, 0), (2, 3)]
            .into_iter()
            .map(|(g, k)| ballot(&meeting, g, Some(k)))
            .collect();
        let tally = tally_cells(&meeting, &tables(&meeting, &ballots)).unwrap();
        let x = &tally.presenters[0];
        assert_eq!(x.cells, vec![vec![0], vec![1, 2]]);
        assert!(x.tally.trimmed);
        assert_eq!(x.tally.score, Some(BigRational::from_integer(BigInt::from(78))));
    }

    /// With every group at or above the minimum, each group is its own cell and the tally of
    /// the count tables is the tally of the ballots.
    #[test]
    fn without_small_groups_the_cell_tally_is_the_ballot_tally() {
        let meeting = crate::domain::sample::sized_meeting(5);
        let ballots = crate::domain::sample::random_ballots(&meeting, 30, 7);
        let from_cells = tally_cells(&meeting, &tables(&meeting, &ballots)).unwrap();
        let direct = Tally::count(&meeting, &ballots);
        assert!(
            from_cells.presenters.iter().all(|p| p.cells.len() == 3),
            "no group is small here"
        );
        for (cell, ballot) in from_cells.presenters.iter().zip(&direct.presenters) {
            assert_eq!(cell.tally, *ballot);
        }
    }
}
