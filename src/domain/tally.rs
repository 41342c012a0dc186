//! The exact tally: counts per presenter × aspect × rater group × grade, then weighted
//! scores, satisfaction rates, ranks and levels — all integers and rationals.
//!
//! Formulas (see `docs/rules.md`):
//! * group mean of an aspect = Σ points of the group's grades / number of those grades;
//! * aspect score = Σ weight × group mean / Σ weight, over the groups with at least one
//!   grade on that aspect (a group with none drops out and its weight with it);
//! * presenter score = mean of the aspect scores, or their weighted mean if aspects carry
//!   weights;
//! * satisfaction (满意率) of an aspect = grades marked `satisfied` (好 + 较好) / all grades,
//!   over every group, unweighted; the presenter's rate is the overall aspect's;
//! * worst share = grades of the worst grade (差) on the overall aspect / all its grades;
//! * trimmed mean (optional, `rules.trim_above = n`): when more than n raters graded the
//!   presenter, every group (cell) mean of at least 3 grades first drops one grade of the
//!   highest points given and one of the lowest; shares are never trimmed.
//!
//! The tally depends only on the multiset of ballots: their order never matters.

use num_bigint::BigInt;
use num_rational::BigRational;

use super::ballot::{Ballot, Mark};
use super::exact::ratio;
use super::level::{Level, assign_levels, rank};
use super::meeting::Meeting;

/// Everything counted and computed for one presenter.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PresenterTally {
    /// counts[aspect][group][grade]
    pub counts: Vec<Vec<Vec<u32>>>,
    /// Ballots per group that recused on this presenter.
    pub recused: Vec<u32>,
    /// Ballots per group that abstained on this presenter (blank ballots included).
    pub abstained: Vec<u32>,
    /// Exact score per aspect; None when no group graded it.
    pub aspect_scores: Vec<Option<BigRational>>,
    pub score: Option<BigRational>,
    /// Satisfaction rate per aspect; None without grades.
    pub satisfaction: Vec<Option<BigRational>>,
    /// Share of the worst grade on the overall aspect.
    pub worst_share: Option<BigRational>,
    pub rank: Option<u32>,
    pub level: Option<Level>,
    /// The score is a trimmed mean (去掉一个最高分和一个最低分): set only when more than
    /// `trim_above` raters graded the presenter, so a trimmed presenter always has a score.
    pub trimmed: bool,
}

impl PresenterTally {
    /// A presenter's tally with its scores computed (rank and level still to come):
    /// `counts[aspect][unit][grade]`, a unit being a group or a published cell of weight
    /// `weights[unit]`.
    pub(crate) fn scored(
        meeting: &Meeting,
        weights: &[u64],
        counts: Vec<Vec<Vec<u32>>>,
        recused: Vec<u32>,
        abstained: Vec<u32>,
    ) -> PresenterTally {
        let mut tally = PresenterTally {
            counts,
            recused,
            abstained,
            aspect_scores: Vec::new(),
            score: None,
            satisfaction: Vec::new(),
            worst_share: None,
            rank: None,
            level: None,
            trimmed: false,
        };
        compute_scores(meeting, weights, &mut tally);
        tally
    }

    /// Number of grades a group gave on an aspect (its valid count).
    pub fn valid(&self, aspect: usize, group: usize) -> u32 {
        self.counts[aspect][group].iter().sum()
    }

    /// Grades given on an aspect, all groups together, per grade.
    pub fn aspect_counts(&self, aspect: usize) -> Vec<u32> {
        let grades = self.counts[aspect].first().map_or(0, Vec::len);
        (0..grades)
            .map(|k| self.counts[aspect].iter().map(|g| g[k]).sum())
            .collect()
    }

    /// Exact mean points a group gave on an aspect.
    pub fn group_mean(&self, aspect: usize, group: usize, points: &[u32]) -> Option<BigRational> {
        let counts = &self.counts[aspect][group];
        let valid: u64 = counts.iter().map(|&c| u64::from(c)).sum();
        (valid > 0).then(|| {
            let total: u64 = counts
                .iter()
                .zip(points)
                .map(|(&c, &p)| u64::from(c) * u64::from(p))
                .sum();
            ratio(total, valid)
        })
    }
}

/// The tally of a set of ballots for one meeting.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tally {
    /// One entry per presenter, in the meeting's order.
    pub presenters: Vec<PresenterTally>,
    /// Ballots counted per group (blank ones included).
    pub ballots: Vec<u32>,
    /// Blank ballots per group.
    pub blank: Vec<u32>,
    min_breakdown_size: u32,
}

impl Tally {
    /// Counts `ballots` (already checked against `meeting`) and computes every number.
    pub fn count<'a, I>(meeting: &Meeting, ballots: I) -> Tally
    where
        I: IntoIterator<Item = &'a Ballot>,
    {
        let presenters = meeting.presenters().len();
        let aspects = meeting.aspects().len();
        let groups = meeting.groups().len();
        let grades = meeting.grades().len();
        // Flat counters, indexed [presenter][aspect][group][grade], for a cache-friendly pass.
        let mut flat = vec![0u32; presenters * aspects * groups * grades];
        let mut recused = vec![0u32; presenters * groups];
        let mut abstained = vec![0u32; presenters * groups];
        let mut ballots_per_group = vec![0u32; groups];
        let mut blank = vec![0u32; groups];

        for ballot in ballots {
            let g = ballot.group();
            ballots_per_group[g] += 1;
            if ballot.is_blank() {
                blank[g] += 1;
            }
            for (p, mark) in ballot.marks().iter().enumerate() {
                match mark {
                    Mark::Graded(chosen) => {
                        for (a, &k) in chosen.iter().enumerate() {
                            flat[((p * aspects + a) * groups + g) * grades + usize::from(k)] += 1;
                        }
                    }
                    Mark::Recused => recused[p * groups + g] += 1,
                    Mark::Abstained => abstained[p * groups + g] += 1,
                }
            }
        }

        let group_weights: Vec<u64> = meeting.groups().iter().map(|g| u64::from(g.weight)).collect();
        let mut tallies: Vec<PresenterTally> = (0..presenters)
            .map(|p| {
                let counts = (0..aspects)
                    .map(|a| {
                        (0..groups)
                            .map(|g| {
                                let start = ((p * aspects + a) * groups + g) * grades;
                                flat[start..start + grades].to_vec()
                            })
                            .collect()
                    })
                    .collect();
                PresenterTally::scored(
                    meeting,
                    &group_weights,
                    counts,
                    recused[p * groups..(p + 1) * groups].to_vec(),
                    abstained[p * groups..(p + 1) * groups].to_vec(),
                )
            })
            .collect();
        rank_and_level(meeting, tallies.iter_mut());

        Tally {
            presenters: tallies,
            ballots: ballots_per_group,
            blank,
            min_breakdown_size: meeting.min_breakdown_size(),
        }
    }

    /// Presenter indices in ranking order: by rank, ties in meeting (pool) order, unrated last.
    pub fn ranking(&self) -> Vec<usize> {
        let mut order: Vec<usize> = (0..self.presenters.len()).collect();
        order.sort_by_key(|&p| (self.presenters[p].rank.unwrap_or(u32::MAX), p));
        order
    }

    /// Whether a group's breakdown for a presenter may be shown: only when at least
    /// `min_breakdown_size` of the group's raters graded that presenter, so a small group's
    /// votes cannot be read off.
    pub fn breakdown_visible(&self, presenter: usize, group: usize) -> bool {
        let tally = &self.presenters[presenter];
        !tally.counts.is_empty() && tally.valid(0, group) >= self.min_breakdown_size
    }
}

/// A non-negative fraction with an unreduced integer numerator and denominator, summed
/// without a gcd at every step; turned into a reduced [`BigRational`] once at the end.
/// Numerators stay far inside u128: points ≤ 100, ≤ 4 000 ballots, ≤ 8 groups.
struct Fraction {
    numer: BigInt,
    denom: BigInt,
}

impl Fraction {
    fn zero() -> Fraction {
        Fraction {
            numer: BigInt::from(0),
            denom: BigInt::from(1),
        }
    }
    /// self + weight · numer / denom
    fn add_weighted(&mut self, weight: u64, numer: &BigInt, denom: &BigInt) {
        if *denom == self.denom {
            self.numer += numer * weight;
        } else {
            self.numer = &self.numer * denom + numer * weight * &self.denom;
            self.denom *= denom;
        }
    }
    fn divided_by(self, divisor: u64) -> BigRational {
        BigRational::new(self.numer, self.denom * divisor)
    }
}

/// The points and the number of grades a unit's mean on one aspect is taken over: all its
/// grades, or with `trimmed` and at least 3 grades, all but one of the highest points given and
/// one of the lowest. None without grades.
fn unit_points(counts: &[u32], points: &[u64], trimmed: bool) -> Option<(u64, u64)> {
    let mut valid: u64 = counts.iter().map(|&c| u64::from(c)).sum();
    if valid == 0 {
        return None;
    }
    let mut total: u64 = counts.iter().zip(points).map(|(&c, &p)| u64::from(c) * p).sum();
    if trimmed && valid >= 3 {
        // Grades run best first with falling points: the first given is the highest.
        let given = || {
            counts
                .iter()
                .zip(points)
                .filter(|(c, _)| **c > 0)
                .map(|(_, &p)| p)
        };
        total -= given().next().unwrap_or(0) + given().next_back().unwrap_or(0);
        valid -= 2;
    }
    Some((total, valid))
}

impl PresenterTally {
    /// One unit's (group's or cell's) exact score: the mean of its aspect means (trimmed as the
    /// presenter's score is), weighted by the aspects' weights. None without grades.
    pub fn unit_score(&self, meeting: &Meeting, unit: usize) -> Option<BigRational> {
        let points: Vec<u64> = meeting.grades().iter().map(|g| u64::from(g.points)).collect();
        let mut sum = BigRational::from_integer(BigInt::from(0));
        let mut weight_sum: u64 = 0;
        for (a, aspect) in meeting.aspects().iter().enumerate() {
            if let Some((total, valid)) = unit_points(&self.counts[a][unit], &points, self.trimmed) {
                let w = u64::from(aspect.weight.unwrap_or(1));
                sum += ratio(total, valid) * BigRational::from_integer(BigInt::from(w));
                weight_sum += w;
            }
        }
        (weight_sum > 0).then(|| sum / BigRational::from_integer(BigInt::from(weight_sum)))
    }
}

/// Ranks all presenters by exact score and assigns their levels by the meeting's rules.
pub(crate) fn rank_and_level<'a>(meeting: &Meeting, tallies: impl Iterator<Item = &'a mut PresenterTally>) {
    let mut tallies: Vec<&mut PresenterTally> = tallies.collect();
    let scores: Vec<Option<BigRational>> = tallies.iter().map(|t| t.score.clone()).collect();
    let shares: Vec<Option<BigRational>> = tallies.iter().map(|t| t.worst_share.clone()).collect();
    let levels = assign_levels(&scores, &shares, meeting.rules());
    for ((tally, rank), level) in tallies.iter_mut().zip(rank(&scores)).zip(levels) {
        tally.rank = rank;
        tally.level = level;
    }
}

/// Fills in the scores of `tally` from its counts. `counts[aspect][i]` belongs to the i-th
/// weighted unit — a rater group (format 1) or a published cell (format 2) — of weight
/// `weights[i]`.
fn compute_scores(meeting: &Meeting, weights: &[u64], tally: &mut PresenterTally) {
    let points: Vec<u64> = meeting.grades().iter().map(|g| u64::from(g.points)).collect();
    let satisfied: Vec<bool> = meeting.grades().iter().map(|g| g.satisfied).collect();
    let aspects = meeting.aspects();
    // Every graded mark grades every aspect, so the overall aspect counts the presenter's raters.
    let graders: u64 = tally.counts[meeting.overall_aspect()]
        .iter()
        .flatten()
        .map(|&c| u64::from(c))
        .sum();
    tally.trimmed = meeting.rules().trim_above.is_some_and(|n| graders > u64::from(n));

    // Aspect score = Σ_g w_g · (S_g / c_g) / Σ_g w_g over groups with c_g > 0, where S_g is
    // the group's points and c_g its grade count. Summed over a common denominator.
    let mut aspect_fractions: Vec<Option<(BigInt, BigInt)>> = Vec::with_capacity(aspects.len());
    for a in 0..aspects.len() {
        let mut sum = Fraction::zero();
        let mut weight_sum: u64 = 0;
        for (g, &weight) in weights.iter().enumerate() {
            let Some((total, valid)) = unit_points(&tally.counts[a][g], &points, tally.trimmed) else {
                continue;
            };
            sum.add_weighted(weight, &BigInt::from(total), &BigInt::from(valid));
            weight_sum += weight;
        }
        aspect_fractions.push((weight_sum > 0).then(|| (sum.numer, sum.denom * weight_sum)));
    }
    tally.aspect_scores = aspect_fractions
        .iter()
        .map(|f| f.as_ref().map(|(n, d)| BigRational::new(n.clone(), d.clone())))
        .collect();

    // Presenter score = Σ_a v_a · score_a / Σ_a v_a (v_a = 1 without aspect weights).
    let mut sum = Fraction::zero();
    let mut weight_sum: u64 = 0;
    for (aspect, fraction) in aspects.iter().zip(&aspect_fractions) {
        if let Some((numer, denom)) = fraction {
            let w = u64::from(aspect.weight.unwrap_or(1));
            sum.add_weighted(w, numer, denom);
            weight_sum += w;
        }
    }
    tally.score = (weight_sum > 0).then(|| sum.divided_by(weight_sum));

    tally.satisfaction = (0..aspects.len())
        .map(|a| {
            let counts = tally.aspect_counts(a);
            let valid: u64 = counts.iter().map(|&c| u64::from(c)).sum();
            let good: u64 = counts
                .iter()
                .zip(&satisfied)
                .filter(|(_, s)| **s)
                .map(|(&c, _)| u64::from(c))
                .sum();
            (valid > 0).then(|| ratio(good, valid))
        })
        .collect();

    let overall = tally.aspect_counts(meeting.overall_aspect());
    let valid: u64 = overall.iter().map(|&c| u64::from(c)).sum();
    let worst = overall.last().map_or(0, |&c| u64::from(c));
    tally.worst_share = (valid > 0).then(|| ratio(worst, valid));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ballot::{BallotDraft, Credential};
    use crate::domain::demo::small_meeting;
    use crate::domain::exact::format_decimal;

    fn ballot(meeting: &Meeting, group: usize, marks: &[&str]) -> Ballot {
        let mut draft = BallotDraft::new(meeting, Credential::Group(group));
        for (p, text) in marks.iter().enumerate() {
            match *text {
                "R" => draft.set_recused(p),
                "A" => draft.set_abstained(p),
                digits => {
                    for (a, d) in digits.bytes().enumerate() {
                        draft.set_grade(p, a, d - b'1');
                    }
                }
            }
        }
        draft.finish().unwrap()
    }

    /// The worked example of docs/rules.md, computed by hand:
    /// presenter 1, all aspects alike, 考核组 (40) gives 好 好 较好 → mean 280/3,
    /// 乡镇 (30) gives 较好 一般 → 70, 第一书记 (30) gives 好 差 → 70.
    /// Score = (40·280/3 + 30·70 + 30·70) / 100 = (11200/3 + 4200) / 100 = 23800/300 = 238/3 ≈ 79.33.
    #[test]
    fn weighted_score_matches_the_hand_computed_example() {
        let m = small_meeting("open");
        let ballots = vec![
            ballot(&m, 0, &["11111111", "A", "A", "A"]),
            ballot(&m, 0, &["11111111", "A", "A", "A"]),
            ballot(&m, 0, &["22222222", "A", "A", "A"]),
            ballot(&m, 1, &["22222222", "A", "A", "A"]),
            ballot(&m, 1, &["33333333", "A", "A", "A"]),
            ballot(&m, 2, &["11111111", "A", "A", "A"]),
            ballot(&m, 2, &["44444444", "A", "A", "A"]),
        ];
        let tally = Tally::count(&m, &ballots);
        let p = &tally.presenters[0];
        assert_eq!(p.score, Some(ratio(238, 3)));
        assert_eq!(format_decimal(p.score.as_ref().unwrap(), 2), "79.33");
        // 满意率: 好/较好 = 3 + 1 + 1 = 5 of 7.
        assert_eq!(p.satisfaction[0], Some(ratio(5, 7)));
        assert_eq!(p.worst_share, Some(ratio(1, 7)));
        assert_eq!(p.aspect_counts(0), [3, 2, 1, 1]);
        let points = [100, 80, 60, 40];
        assert_eq!(p.group_mean(0, 0, &points), Some(ratio(280, 3)));
        assert_eq!(p.group_mean(0, 2, &points), Some(ratio(70, 1)));
        assert_eq!(p.level, Some(Level::Competent));
        // The other presenters got only abstentions: no score, no rank.
        assert_eq!(tally.presenters[1].score, None);
        assert_eq!(tally.presenters[1].abstained, [3, 2, 2]);
        assert_eq!(tally.ranking(), [0, 1, 2, 3]);
    }

    /// docs/rules.md §4b: trimming above 4 raters. 考核组 gives 好 好 较好 差 on every aspect
    /// (4 graders), 乡镇 较好 一般 (2), 第一书记 好 差 (2): 8 raters > 4, so 考核组 drops one 好
    /// and one 差 → (100 + 80) / 2 = 90; the other groups have fewer than 3 grades and stay.
    /// Score = (40·90 + 30·70 + 30·70) / 100 = 78; untrimmed it would be 74.
    #[test]
    fn a_trimmed_mean_drops_one_highest_and_one_lowest_grade_per_group() {
        let marks: [(usize, &str); 8] = [
            (0, "11111111"),
            (0, "11111111"),
            (0, "22222222"),
            (0, "44444444"),
            (1, "22222222"),
            (1, "33333333"),
            (2, "11111111"),
            (2, "44444444"),
        ];
        let tally_with = |trim_above: Option<u32>| {
            let mut file = small_meeting("open").to_file();
            file.rules.trim_above = trim_above;
            let m = Meeting::try_from(file).unwrap();
            let ballots: Vec<Ballot> = marks
                .iter()
                .map(|&(g, d)| ballot(&m, g, &[d, "A", "A", "A"]))
                .collect();
            Tally::count(&m, &ballots).presenters[0].clone()
        };
        let trimmed = tally_with(Some(4));
        assert!(trimmed.trimmed);
        assert_eq!(trimmed.score, Some(ratio(78, 1)));
        assert_eq!(
            trimmed.satisfaction[0],
            Some(ratio(5, 8)),
            "shares are never trimmed"
        );
        let plain = tally_with(None);
        assert!(!plain.trimmed);
        assert_eq!(plain.score, Some(ratio(74, 1)), "(40·80 + 30·70 + 30·70) / 100");
        // 8 raters are not more than 8: no trimming.
        assert_eq!(tally_with(Some(8)).score, Some(ratio(74, 1)));
        assert!(tally_with(Some(7)).trimmed);
    }

    #[test]
    fn a_group_without_grades_drops_out_with_its_weight() {
        let m = small_meeting("open");
        let ballots = vec![
            ballot(&m, 0, &["11111111", "R", "A", "A"]),
            ballot(&m, 1, &["33333333", "R", "A", "A"]),
        ];
        let tally = Tally::count(&m, &ballots);
        // (40·100 + 30·60) / 70 = 5800/70 = 580/7.
        assert_eq!(tally.presenters[0].score, Some(ratio(580, 7)));
        assert_eq!(tally.presenters[1].recused, [1, 1, 0]);
    }

    #[test]
    fn aspect_weights_make_a_weighted_mean() {
        let mut file = small_meeting("open").to_file();
        for (i, aspect) in file.aspects.iter_mut().enumerate() {
            aspect.weight = Some(if i == 0 { 3 } else { 1 });
        }
        let m = Meeting::try_from(file).unwrap();
        let ballots = vec![ballot(&m, 0, &["14444444", "A", "A", "A"])];
        let tally = Tally::count(&m, &ballots);
        // (3·100 + 7·40) / 10 = 58.
        assert_eq!(tally.presenters[0].score, Some(ratio(58, 1)));
        assert_eq!(tally.presenters[0].level, Some(Level::Unfit));
    }

    #[test]
    fn blank_ballots_are_counted_as_returned_and_blank() {
        let m = small_meeting("open");
        let blank = BallotDraft::new(&m, Credential::Group(2)).finish().unwrap();
        let tally = Tally::count(&m, [&blank, &blank]);
        assert_eq!(tally.ballots, [0, 0, 2]);
        assert_eq!(tally.blank, [0, 0, 2]);
        assert!(tally.presenters.iter().all(|p| p.score.is_none()));
    }

    #[test]
    fn breakdown_is_withheld_below_the_minimum_group_size() {
        let m = small_meeting("open");
        let ballots = vec![
            ballot(&m, 0, &["11111111", "R", "A", "A"]),
            ballot(&m, 0, &["11111111", "11111111", "A", "A"]),
            ballot(&m, 0, &["11111111", "11111111", "A", "A"]),
        ];
        let tally = Tally::count(&m, &ballots);
        assert!(tally.breakdown_visible(0, 0));
        assert!(!tally.breakdown_visible(1, 0), "only two graded presenter 2");
        assert!(!tally.breakdown_visible(0, 1));
    }
}
