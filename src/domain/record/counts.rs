//! The published count tables (docs/record-format.md "Count tables and the pooling rule"):
//! what the host publishes instead of ballots, how small groups are pooled, and the check that
//! ties every published number to the commitments the tablets signed.

use curve25519_dalek::ristretto::RistrettoPoint;
use curve25519_dalek::scalar::Scalar;
use curve25519_dalek::traits::VartimeMultiscalarMul;
use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::batch::{CheckedBatch, RoundContext};
use super::commit::{BallotCommitment, GroupSums, Part, blinding};
use super::group::{blind, hex, read_point, read_scalar, write_point, write_scalar};
use crate::domain::ballot::{Ballot, Mark};
use crate::domain::meeting::Meeting;

/// Per group: ballots returned (exclusions taken off) and blank ones.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GroupTotalsV1 {
    pub group: String,
    pub returned: u32,
    pub blank: u32,
    /// Sum of the blank blindings of the counted ballots, base64 scalar.
    pub blank_blinding: String,
}

/// Per presenter and group: how many graded, recused and abstained.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatusCountsV1 {
    pub group: String,
    pub graded: u32,
    pub recused: u32,
    pub abstained: u32,
    pub blinding: String,
}

/// Grade counts of one cell: one group, or a pool of groups.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CellCountsV1 {
    pub groups: Vec<String>,
    /// counts[aspect][grade]
    pub counts: Vec<Vec<u32>>,
    pub blinding: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PresenterCountsV1 {
    pub presenter: String,
    /// One per group, meeting order.
    pub status: Vec<StatusCountsV1>,
    /// The cells of the pooling rule, ordered by their first group; empty when withheld.
    pub cells: Vec<CellCountsV1>,
    /// True when fewer graders than the minimum group size rated this presenter at all.
    pub withheld: bool,
}

/// One ballot taken out of the count (its code was used twice or never issued), by publishing
/// its commitment vector — which hides its content as well as the sums do.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExclusionV1 {
    pub tablet: String,
    pub batch: u32,
    pub commitment: String,
    /// `duplicate_code` or `unknown_code`.
    pub reason: String,
    /// The 2n + 1 points of the ballot's commitment vector.
    pub points: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CountTablesV1 {
    pub groups: Vec<GroupTotalsV1>,
    pub presenters: Vec<PresenterCountsV1>,
    pub exclusions: Vec<ExclusionV1>,
}

/// How one presenter's groups are cut into published cells.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Partition {
    /// Group indices per cell, each sorted, cells ordered by their first group.
    pub cells: Vec<Vec<usize>>,
    pub withheld: bool,
}

/// The pooling rule: groups with at least `k` graders stand alone, smaller non-empty ones are
/// pooled; while the pool is short of `k`, the smallest own cell (on a tie the later group)
/// joins it; if the pool still falls short, nothing is published for the presenter.
pub fn partition(graded: &[u32], k: u32) -> Partition {
    let mut own: Vec<usize> = (0..graded.len()).filter(|&g| graded[g] >= k).collect();
    let mut pool: Vec<usize> = (0..graded.len())
        .filter(|&g| graded[g] > 0 && graded[g] < k)
        .collect();
    let pooled = |pool: &[usize]| pool.iter().map(|&g| graded[g]).sum::<u32>();
    while !pool.is_empty() && pooled(&pool) < k && !own.is_empty() {
        let smallest = own
            .iter()
            .enumerate()
            .min_by_key(|&(_, &g)| (graded[g], std::cmp::Reverse(g)))
            .map(|(i, _)| i)
            .unwrap_or(0);
        pool.push(own.remove(smallest));
    }
    if !pool.is_empty() && pooled(&pool) < k {
        return Partition {
            cells: Vec::new(),
            withheld: true,
        };
    }
    pool.sort_unstable();
    let mut cells: Vec<Vec<usize>> = own.into_iter().map(|g| vec![g]).collect();
    if !pool.is_empty() {
        cells.push(pool);
    }
    cells.sort();
    Partition {
        cells,
        withheld: false,
    }
}

/// Whether a group is pooled for every presenter whatever happens in the hall: fewer raters
/// are expected than the minimum group size. The set-up screen warns about it.
pub fn always_pooled(expected: u32, minimum: u32) -> bool {
    expected > 0 && expected < minimum
}

/// A ballot the host counts, with where its blindings come from.
pub struct CountedBallot<'a> {
    pub ballot: &'a Ballot,
    pub seed: [u8; 32],
    pub index: u32,
}

/// The host's count tables for the counted ballots and the exclusions it decided.
pub fn count_tables(
    round: &RoundContext<'_>,
    counted: &[CountedBallot<'_>],
    exclusions: Vec<ExclusionV1>,
) -> CountTablesV1 {
    tables(round.meeting, counted, exclusions, true)
}

/// The count tables of `ballots` without blinding sums (all zero): what the board shows while
/// voting is open, at a fraction of the cost. Never published.
pub fn plain_count_tables(meeting: &Meeting, ballots: &[&Ballot]) -> CountTablesV1 {
    let counted: Vec<CountedBallot<'_>> = ballots
        .iter()
        .map(|ballot| CountedBallot {
            ballot,
            seed: [0; 32],
            index: 0,
        })
        .collect();
    tables(meeting, &counted, Vec::new(), false)
}

fn tables(
    meeting: &Meeting,
    counted: &[CountedBallot<'_>],
    exclusions: Vec<ExclusionV1>,
    with_blindings: bool,
) -> CountTablesV1 {
    let groups = meeting.groups().len();
    let presenters = meeting.presenters().len();
    let (aspects, grades) = (meeting.aspects().len(), meeting.grades().len());
    let mut returned = vec![0u32; groups];
    let mut blank = vec![0u32; groups];
    let mut blank_r = vec![Scalar::ZERO; groups];
    // [presenter][group]
    let mut status = vec![vec![[0u32; 3]; groups]; presenters];
    let mut status_r = vec![vec![Scalar::ZERO; groups]; presenters];
    // [presenter][group][aspect][grade]
    let mut counts = vec![vec![vec![vec![0u32; grades]; aspects]; groups]; presenters];
    let mut grades_r = vec![vec![Scalar::ZERO; groups]; presenters];
    for c in counted {
        let g = c.ballot.group();
        returned[g] += 1;
        blank[g] += u32::from(c.ballot.is_blank());
        if with_blindings {
            blank_r[g] += blinding(&c.seed, c.index, 0, Part::Blank);
        }
        for (p, mark) in c.ballot.marks().iter().enumerate() {
            let slot = match mark {
                Mark::Graded(chosen) => {
                    for (a, &k) in chosen.iter().enumerate() {
                        counts[p][g][a][usize::from(k)] += 1;
                    }
                    0
                }
                Mark::Recused => 1,
                Mark::Abstained => 2,
            };
            status[p][g][slot] += 1;
            if with_blindings {
                status_r[p][g] += blinding(&c.seed, c.index, p as u32, Part::Status);
                grades_r[p][g] += blinding(&c.seed, c.index, p as u32, Part::Grades);
            }
        }
    }
    let group_id = |g: usize| meeting.groups()[g].id.clone();
    CountTablesV1 {
        groups: (0..groups)
            .map(|g| GroupTotalsV1 {
                group: group_id(g),
                returned: returned[g],
                blank: blank[g],
                blank_blinding: write_scalar(&blank_r[g]),
            })
            .collect(),
        presenters: (0..presenters)
            .map(|p| {
                let graded: Vec<u32> = (0..groups).map(|g| status[p][g][0]).collect();
                let part = partition(&graded, meeting.min_breakdown_size());
                PresenterCountsV1 {
                    presenter: meeting.presenters()[p].id.clone(),
                    status: (0..groups)
                        .map(|g| StatusCountsV1 {
                            group: group_id(g),
                            graded: status[p][g][0],
                            recused: status[p][g][1],
                            abstained: status[p][g][2],
                            blinding: write_scalar(&status_r[p][g]),
                        })
                        .collect(),
                    cells: part
                        .cells
                        .iter()
                        .map(|cell| CellCountsV1 {
                            groups: cell.iter().map(|&g| group_id(g)).collect(),
                            counts: (0..aspects)
                                .map(|a| {
                                    (0..grades)
                                        .map(|k| cell.iter().map(|&g| counts[p][g][a][k]).sum())
                                        .collect()
                                })
                                .collect(),
                            blinding: write_scalar(&cell.iter().map(|&g| grades_r[p][g]).sum()),
                        })
                        .collect(),
                    withheld: part.withheld,
                }
            })
            .collect(),
        exclusions,
    }
}

/// The exclusion record of one ballot.
pub fn exclusion(tablet: &str, batch: u32, commitment: &BallotCommitment, reason: &str) -> ExclusionV1 {
    ExclusionV1 {
        tablet: tablet.to_owned(),
        batch,
        commitment: hex(&commitment.digest()),
        reason: reason.to_owned(),
        points: commitment.points().iter().map(write_point).collect(),
    }
}

/// A published number that does not follow from the signed batches. Ids and numbers only; the
/// words are for display.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum CountProblem {
    #[error("计数表的结构与会议不符（{what}）— the count tables do not fit the meeting ({what})")]
    Shape { what: &'static str },
    #[error(
        "排除的选票不在平板 {tablet} 第 {batch} 批的清单中 — an excluded ballot is not listed in batch {batch} of tablet {tablet}"
    )]
    ExclusionUnknown { tablet: String, batch: u32 },
    #[error("同一张选票被排除了两次 — one ballot is excluded twice")]
    ExclusionTwice { tablet: String, batch: u32 },
    #[error("排除的选票承诺与其摘要不符 — an excluded ballot's commitments do not match its digest")]
    ExclusionDigest { tablet: String, batch: u32 },
    #[error(
        "类别 {group}：公布交回 {published} 张，批次合计 {signed} 张 — group {group}: {published} returned published, the batches sum to {signed}"
    )]
    Returned {
        group: String,
        published: u32,
        signed: u32,
    },
    #[error(
        "类别 {group} 的空白票数与承诺不符 — group {group}: the blank count does not match the commitments"
    )]
    Blank { group: String },
    #[error(
        "{presenter} / {group}：评议、回避、弃权人数与承诺不符 — {presenter} / {group}: graded, recused and abstained do not match the commitments"
    )]
    Status { presenter: String, group: String },
    #[error(
        "{presenter} / {group}：评议、回避、弃权人数之和不等于交回票数 — {presenter} / {group}: graded + recused + abstained is not the number returned"
    )]
    StatusSum { presenter: String, group: String },
    #[error(
        "{presenter}：公布的分组与合并规则不符 — {presenter}: the published cells do not follow the pooling rule"
    )]
    Partition { presenter: String },
    #[error(
        "{presenter} 的第 {cell} 格票数与承诺不符 — {presenter}, cell {cell}: the grade counts do not match the commitments"
    )]
    Cell { presenter: String, cell: usize },
    #[error(
        "{presenter} 的第 {cell} 格第 {aspect} 项票数之和不等于评议人数 — {presenter}, cell {cell}, aspect {aspect}: the counts do not add up to the graders"
    )]
    CellSum {
        presenter: String,
        cell: usize,
        aspect: usize,
    },
}

impl CountProblem {
    /// Stable id of the problem kind.
    pub fn id(&self) -> &'static str {
        match self {
            CountProblem::Shape { .. } => "count_shape",
            CountProblem::ExclusionUnknown { .. } => "exclusion_unknown",
            CountProblem::ExclusionTwice { .. } => "exclusion_twice",
            CountProblem::ExclusionDigest { .. } => "exclusion_digest",
            CountProblem::Returned { .. } => "returned_mismatch",
            CountProblem::Blank { .. } => "blank_mismatch",
            CountProblem::Status { .. } => "status_mismatch",
            CountProblem::StatusSum { .. } => "status_sum",
            CountProblem::Partition { .. } => "pooling_rule",
            CountProblem::Cell { .. } => "cell_mismatch",
            CountProblem::CellSum { .. } => "cell_sum",
        }
    }
}

fn scalar_u32(n: u32) -> Scalar {
    Scalar::from(u64::from(n))
}

/// Checks the count tables against the batches (each checked on its own, one per tablet and
/// number): every published number must be what the commitments hold.
pub fn verify_counts(
    round: &RoundContext<'_>,
    batches: &[CheckedBatch],
    tables: &CountTablesV1,
) -> Vec<CountProblem> {
    let meeting = round.meeting;
    let gens = round.generators;
    let groups = meeting.groups().len();
    let presenters = meeting.presenters().len();
    let shape = |what| vec![CountProblem::Shape { what }];
    if tables.groups.len() != groups
        || tables
            .groups
            .iter()
            .zip(meeting.groups())
            .any(|(t, g)| t.group != g.id)
    {
        return shape("groups");
    }
    if tables.presenters.len() != presenters
        || tables
            .presenters
            .iter()
            .zip(meeting.presenters())
            .any(|(t, p)| t.presenter != p.id)
        || tables.presenters.iter().any(|t| {
            t.status.len() != groups
                || t.status
                    .iter()
                    .zip(meeting.groups())
                    .any(|(s, g)| s.group != g.id)
        })
    {
        return shape("presenters");
    }

    let mut sums = vec![GroupSums::empty(presenters); groups];
    for batch in batches {
        for (total, s) in sums.iter_mut().zip(&batch.sums) {
            total.add_sums(s);
        }
    }
    let mut problems = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for ex in &tables.exclusions {
        // The same ballot excluded twice would take its content off the counts a second time.
        if !seen.insert((&ex.tablet, ex.batch, &ex.commitment)) {
            problems.push(CountProblem::ExclusionTwice {
                tablet: ex.tablet.clone(),
                batch: ex.batch,
            });
            continue;
        }
        let entry = batches
            .iter()
            .find(|b| b.header.tablet == ex.tablet && b.header.number == ex.batch)
            .and_then(|b| b.header.ballots.iter().find(|e| e.commitment == ex.commitment));
        let Some(entry) = entry else {
            problems.push(CountProblem::ExclusionUnknown {
                tablet: ex.tablet.clone(),
                batch: ex.batch,
            });
            continue;
        };
        let points: Option<Vec<RistrettoPoint>> = ex.points.iter().map(|p| read_point(p).ok()).collect();
        let commitment = points
            .filter(|p| p.len() == 2 * presenters + 1)
            .and_then(|p| BallotCommitment::from_points(&p))
            .filter(|c| hex(&c.digest()) == ex.commitment);
        match (commitment, meeting.group_index(&entry.group)) {
            (Some(c), Some(g)) => sums[g].subtract(&c),
            _ => problems.push(CountProblem::ExclusionDigest {
                tablet: ex.tablet.clone(),
                batch: ex.batch,
            }),
        }
    }
    if !problems.is_empty() {
        return problems;
    }

    for (g, totals) in tables.groups.iter().enumerate() {
        if totals.returned != sums[g].returned {
            problems.push(CountProblem::Returned {
                group: totals.group.clone(),
                published: totals.returned,
                signed: sums[g].returned,
            });
        }
        let holds = read_scalar(&totals.blank_blinding)
            .is_ok_and(|r| sums[g].blank - blind(&r) == gens.blank * scalar_u32(totals.blank));
        if !holds || totals.blank > totals.returned {
            problems.push(CountProblem::Blank {
                group: totals.group.clone(),
            });
        }
    }

    for (p, published) in tables.presenters.iter().enumerate() {
        for (g, status) in published.status.iter().enumerate() {
            let expected = RistrettoPoint::vartime_multiscalar_mul(
                [status.graded, status.recused, status.abstained].map(scalar_u32),
                [gens.graded, gens.recused, gens.abstained],
            );
            let holds =
                read_scalar(&status.blinding).is_ok_and(|r| sums[g].cells[p].1 - blind(&r) == expected);
            if !holds {
                problems.push(CountProblem::Status {
                    presenter: published.presenter.clone(),
                    group: status.group.clone(),
                });
            }
            let total = u64::from(status.graded) + u64::from(status.recused) + u64::from(status.abstained);
            if total != u64::from(tables.groups[g].returned) {
                problems.push(CountProblem::StatusSum {
                    presenter: published.presenter.clone(),
                    group: status.group.clone(),
                });
            }
        }
        let graded: Vec<u32> = published.status.iter().map(|s| s.graded).collect();
        let expected = partition(&graded, meeting.min_breakdown_size());
        let cells: Option<Vec<Vec<usize>>> = published
            .cells
            .iter()
            .map(|c| c.groups.iter().map(|id| meeting.group_index(id)).collect())
            .collect();
        if published.withheld != expected.withheld || cells.as_ref() != Some(&expected.cells) {
            problems.push(CountProblem::Partition {
                presenter: published.presenter.clone(),
            });
            continue;
        }
        for (i, (cell, members)) in published.cells.iter().zip(&expected.cells).enumerate() {
            problems.extend(check_cell(
                round,
                &sums,
                p,
                &published.presenter,
                i,
                cell,
                members,
                &graded,
            ));
        }
    }
    problems
}

#[allow(clippy::too_many_arguments)]
fn check_cell(
    round: &RoundContext<'_>,
    sums: &[GroupSums],
    p: usize,
    presenter: &str,
    index: usize,
    cell: &CellCountsV1,
    members: &[usize],
    graded: &[u32],
) -> Vec<CountProblem> {
    let gens = round.generators;
    let (aspects, grades) = (gens.aspects(), round.meeting.grades().len());
    if cell.counts.len() != aspects || cell.counts.iter().any(|row| row.len() != grades) {
        return vec![CountProblem::Cell {
            presenter: presenter.to_owned(),
            cell: index,
        }];
    }
    let mut problems = Vec::new();
    let graders: u64 = members.iter().map(|&g| u64::from(graded[g])).sum();
    for (a, row) in cell.counts.iter().enumerate() {
        if row.iter().map(|&n| u64::from(n)).sum::<u64>() != graders {
            problems.push(CountProblem::CellSum {
                presenter: presenter.to_owned(),
                cell: index,
                aspect: a,
            });
        }
    }
    let committed: RistrettoPoint = members.iter().map(|&g| sums[g].cells[p].0).sum();
    // The multiscalar routine needs exact lengths: collect both sides first.
    let scalars: Vec<Scalar> = cell.counts.iter().flatten().map(|&n| scalar_u32(n)).collect();
    let points: Vec<RistrettoPoint> = gens.grades.iter().flatten().copied().collect();
    let expected = RistrettoPoint::vartime_multiscalar_mul(scalars, points);
    let holds = read_scalar(&cell.blinding).is_ok_and(|r| committed - blind(&r) == expected);
    if !holds {
        problems.push(CountProblem::Cell {
            presenter: presenter.to_owned(),
            cell: index,
        });
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_group_expected_below_the_minimum_is_always_pooled() {
        assert!(always_pooled(2, 3));
        assert!(!always_pooled(3, 3));
        assert!(
            !always_pooled(0, 3),
            "a group nobody is expected in is simply empty"
        );
        // Whatever the graders of such a group, the rule never gives it a cell of its own.
        for graded in 0..3 {
            let cells = partition(&[10, graded, 5], 3).cells;
            assert!(!cells.contains(&vec![1]));
        }
    }

    #[test]
    fn the_pooling_rule_follows_its_steps() {
        // (graded per group, k) → cells, withheld
        /// graded per group, k, expected cells, expected withheld
        type Case<'a> = (&'a [u32], u32, &'a [&'a [usize]], bool);
        let cases: &[Case] = &[
            (&[10, 5, 4], 3, &[&[0], &[1], &[2]], false),
            (&[10, 2, 4], 3, &[&[0], &[1, 2]], false),
            (&[10, 2, 1], 3, &[&[0], &[1, 2]], false),
            (&[10, 1, 0], 3, &[&[0, 1]], false),
            (&[10, 0, 0], 3, &[&[0]], false),
            (&[4, 4, 1], 3, &[&[0], &[1, 2]], false),
            (&[2, 0, 0], 3, &[], true),
            (&[1, 1, 0], 3, &[], true),
            (&[0, 0, 0], 3, &[], false),
            (&[1, 1, 1], 3, &[&[0, 1, 2]], false),
        ];
        for &(graded, k, cells, withheld) in cases {
            let expected = Partition {
                cells: cells.iter().map(|c| c.to_vec()).collect(),
                withheld,
            };
            assert_eq!(partition(graded, k), expected, "graded {graded:?}");
        }
    }
}
