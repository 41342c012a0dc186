//! Ranks and levels (优秀 / 称职 / 基本称职 / 不称职) from exact scores, by the meeting's
//! level rules. See `docs/rules.md` for the rules in words and a worked example.

use num_bigint::BigInt;
use num_rational::BigRational;
use thiserror::Error;

use super::meeting::{BoundaryTies, LevelRules};

/// The level a presenter ends up with.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Level {
    /// 优秀
    Excellent,
    /// 称职
    Competent,
    /// 基本称职
    Basic,
    /// 不称职
    Unfit,
}

impl Level {
    /// Every level, best first.
    pub const ALL: [Level; 4] = [Level::Excellent, Level::Competent, Level::Basic, Level::Unfit];

    /// Stable id used in files.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Excellent => "excellent",
            Level::Competent => "competent",
            Level::Basic => "basic",
            Level::Unfit => "unfit",
        }
    }
    pub fn parse(id: &str) -> Option<Level> {
        Level::ALL.into_iter().find(|l| l.as_str() == id)
    }
    /// The English name, for the English screens and CSV.
    pub fn name_en(self) -> &'static str {
        match self {
            Level::Excellent => "excellent",
            Level::Competent => "competent",
            Level::Basic => "basically competent",
            Level::Unfit => "not competent",
        }
    }

    /// The Chinese name used on the board and in reports.
    pub fn name_zh(self) -> &'static str {
        match self {
            Level::Excellent => "优秀",
            Level::Competent => "称职",
            Level::Basic => "基本称职",
            Level::Unfit => "不称职",
        }
    }
}

/// The names the levels go by, chosen per meeting (the rules stay the same):
/// 公务员 述职 use 优秀 / 称职 / 基本称职 / 不称职; 事业单位 and 第一书记 优秀 / 合格 / 基本合格 /
/// 不合格; a 满意度测评 满意 / 基本满意 / 不满意, where 优秀 and 称职 are both 满意.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum LevelNames {
    #[default]
    CivilServant,
    Institution,
    Satisfaction,
}

impl LevelNames {
    pub const ALL: [LevelNames; 3] = [
        LevelNames::CivilServant,
        LevelNames::Institution,
        LevelNames::Satisfaction,
    ];

    /// Stable id used in meeting files.
    pub fn as_str(self) -> &'static str {
        match self {
            LevelNames::CivilServant => "civil_servant",
            LevelNames::Institution => "institution",
            LevelNames::Satisfaction => "satisfaction",
        }
    }

    pub fn parse(id: &str) -> Option<LevelNames> {
        LevelNames::ALL.into_iter().find(|n| n.as_str() == id)
    }

    /// The value a meeting file carries: absent for the default, so files written before
    /// name sets existed stay byte for byte the same.
    pub fn file_value(self) -> Option<String> {
        (self != LevelNames::CivilServant).then(|| self.as_str().to_owned())
    }

    /// The Chinese name of `level` in this set.
    pub fn name_zh(self, level: Level) -> &'static str {
        match (self, level) {
            (LevelNames::CivilServant, _) => level.name_zh(),
            (LevelNames::Institution, Level::Excellent) => "优秀",
            (LevelNames::Institution, Level::Competent) => "合格",
            (LevelNames::Institution, Level::Basic) => "基本合格",
            (LevelNames::Institution, Level::Unfit) => "不合格",
            (LevelNames::Satisfaction, Level::Excellent | Level::Competent) => "满意",
            (LevelNames::Satisfaction, Level::Basic) => "基本满意",
            (LevelNames::Satisfaction, Level::Unfit) => "不满意",
        }
    }

    /// The set as people choose it: "优秀 / 称职 / 基本称职 / 不称职" (English when `english`).
    pub fn summary(self, english: bool) -> String {
        let mut words: Vec<&str> = Vec::new();
        for level in Level::ALL {
            let word = if english {
                self.name_en(level)
            } else {
                self.name_zh(level)
            };
            if !words.contains(&word) {
                words.push(word);
            }
        }
        words.join(" / ")
    }

    /// The English name of `level` in this set.
    pub fn name_en(self, level: Level) -> &'static str {
        match (self, level) {
            (LevelNames::CivilServant, _) => level.name_en(),
            (LevelNames::Institution, Level::Excellent) => "excellent",
            (LevelNames::Institution, Level::Competent) => "qualified",
            (LevelNames::Institution, Level::Basic) => "basically qualified",
            (LevelNames::Institution, Level::Unfit) => "not qualified",
            (LevelNames::Satisfaction, Level::Excellent | Level::Competent) => "satisfied",
            (LevelNames::Satisfaction, Level::Basic) => "basically satisfied",
            (LevelNames::Satisfaction, Level::Unfit) => "not satisfied",
        }
    }
}

/// Competition ranking by exact score, best first: equal scores share a rank and the next
/// rank skips (1, 2, 2, 4). Presenters without a score get no rank.
pub fn rank(scores: &[Option<BigRational>]) -> Vec<Option<u32>> {
    let standing = Standing::of(scores);
    (0..scores.len())
        .map(|p| standing.higher(p).map(|h| h as u32 + 1))
        .collect()
}

/// How many scores are above and at-or-above each presenter's, from one sort
/// (n log n comparisons instead of n²).
struct Standing {
    /// (strictly higher, higher or equal incl. self) per presenter; None without a score.
    counts: Vec<Option<(usize, usize)>>,
}

impl Standing {
    fn of(scores: &[Option<BigRational>]) -> Standing {
        let mut order: Vec<usize> = (0..scores.len()).filter(|&p| scores[p].is_some()).collect();
        order.sort_by(|&a, &b| scores[b].cmp(&scores[a]));
        let mut counts = vec![None; scores.len()];
        let mut start = 0;
        while start < order.len() {
            let mut end = start + 1;
            while end < order.len() && scores[order[end]] == scores[order[start]] {
                end += 1;
            }
            for &p in &order[start..end] {
                counts[p] = Some((start, end));
            }
            start = end;
        }
        Standing { counts }
    }
    fn higher(&self, presenter: usize) -> Option<usize> {
        self.counts[presenter].map(|(h, _)| h)
    }
    fn at_least(&self, presenter: usize) -> Option<usize> {
        self.counts[presenter].map(|(_, a)| a)
    }
}

/// How the 优秀 quota turns a percentage into places.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum QuotaRounding {
    /// "不超过 p %": rounded down (the default).
    #[default]
    Down,
    /// "约 p %": rounded to the nearest place, halves up.
    Nearest,
}

impl QuotaRounding {
    pub fn as_str(self) -> &'static str {
        match self {
            QuotaRounding::Down => "down",
            QuotaRounding::Nearest => "nearest",
        }
    }

    pub fn parse(id: &str) -> Option<QuotaRounding> {
        [QuotaRounding::Down, QuotaRounding::Nearest]
            .into_iter()
            .find(|r| r.as_str() == id)
    }

    /// The value a meeting file carries: absent for the default.
    pub fn file_value(self) -> Option<String> {
        (self != QuotaRounding::Down).then(|| self.as_str().to_owned())
    }
}

/// Number of 优秀 places: `percent` of the rated presenters, rounded down or to the nearest
/// (halves up), but at least one.
pub fn excellent_seats(rated: usize, percent: u32, rounding: QuotaRounding) -> usize {
    let hundredths = rated * percent as usize;
    let seats = match rounding {
        QuotaRounding::Down => hundredths / 100,
        QuotaRounding::Nearest => (hundredths + 50) / 100,
    };
    seats.max(1)
}

/// The quota presets the set-up offers: (percent, rounding), with the words for them.
pub const QUOTA_PRESETS: [(u32, QuotaRounding, &str, &str); 3] = [
    (
        15,
        QuotaRounding::Down,
        "优秀不超过 15%",
        "excellent: at most 15%",
    ),
    (
        20,
        QuotaRounding::Down,
        "优秀不超过 20%",
        "excellent: at most 20%",
    ),
    (
        10,
        QuotaRounding::Nearest,
        "优秀约 10%（第一书记）",
        "excellent: about 10% (first secretaries)",
    ),
];

/// Computed levels, one per presenter (None when the presenter has no score).
///
/// In order: 不称职 if the worst grade's share on the overall aspect is strictly above
/// `unfit_worst_share` or the score is below `unfit_below`; else 基本称职 if the score is
/// below `basic_below`; else 优秀 if the score is at least `excellent_min` and the presenter
/// is inside the 优秀 quota; else 称职. Inside the quota means fewer than `seats` presenters
/// score strictly higher and, with [`BoundaryTies::ExcludeAll`], the presenter's whole tie
/// fits within the seats.
pub fn assign_levels(
    scores: &[Option<BigRational>],
    worst_shares: &[Option<BigRational>],
    rules: &LevelRules,
) -> Vec<Option<Level>> {
    let rated = scores.iter().flatten().count();
    let seats = excellent_seats(rated, rules.excellent_top_percent, rules.excellent_rounding);
    let threshold = |points: u32| BigRational::from_integer(BigInt::from(points));
    let standing = Standing::of(scores);
    scores
        .iter()
        .zip(worst_shares)
        .enumerate()
        .map(|(p, (score, worst_share))| {
            let score = score.as_ref()?;
            let too_many_worst = worst_share
                .as_ref()
                .is_some_and(|s| *s > rules.unfit_worst_share.to_ratio());
            if too_many_worst || *score < threshold(rules.unfit_below) {
                return Some(Level::Unfit);
            }
            if *score < threshold(rules.basic_below) {
                return Some(Level::Basic);
            }
            let higher = standing.higher(p).unwrap_or(0);
            let at_least = standing.at_least(p).unwrap_or(0);
            let in_quota = match rules.boundary_ties {
                BoundaryTies::ExcludeAll => at_least <= seats,
                BoundaryTies::IncludeAll => higher < seats,
            };
            if in_quota && *score >= threshold(rules.excellent_min) {
                Some(Level::Excellent)
            } else {
                Some(Level::Competent)
            }
        })
        .collect()
}

/// A level set by the host instead of the computed one, with the written reason. The
/// computed level is always kept and shown beside it; the override goes into the audit log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LevelOverride {
    /// Index of the presenter in the meeting.
    pub presenter: usize,
    pub level: Level,
    pub reason: String,
}

/// A level override as stored in the host record and published in the result file.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LevelOverrideV1 {
    /// Presenter id.
    pub presenter: String,
    /// The level the rules gave (level id), kept beside the override.
    pub computed: String,
    /// The level the host set (level id).
    pub level: String,
    pub reason: String,
    /// When, RFC 3339 UTC from the host clock.
    pub time: String,
}

/// Why an override was refused.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum OverrideLevelError {
    #[error("调整等次须写明理由 — overriding a level needs a written reason")]
    EmptyReason,
    #[error("没有这位述职人员 — there is no such presenter")]
    UnknownPresenter,
    #[error(
        "该述职人员没有得分，无法调整等次 — the presenter has no score, so there is no level to override"
    )]
    Unrated,
}

impl LevelOverride {
    /// Checks an override against the computed levels.
    pub fn new(
        computed: &[Option<Level>],
        presenter: usize,
        level: Level,
        reason: &str,
    ) -> Result<LevelOverride, OverrideLevelError> {
        let current = computed
            .get(presenter)
            .ok_or(OverrideLevelError::UnknownPresenter)?;
        if current.is_none() {
            return Err(OverrideLevelError::Unrated);
        }
        if reason.trim().is_empty() {
            return Err(OverrideLevelError::EmptyReason);
        }
        Ok(LevelOverride {
            presenter,
            level,
            reason: reason.trim().to_owned(),
        })
    }
}

/// The level that stands for each presenter: the last override if there is one, else the
/// computed level.
pub fn final_levels(computed: &[Option<Level>], overrides: &[LevelOverride]) -> Vec<Option<Level>> {
    let mut levels = computed.to_vec();
    for o in overrides {
        if let Some(slot) = levels.get_mut(o.presenter) {
            *slot = Some(o.level);
        }
    }
    levels
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::exact::ratio;

    fn s(points: u64) -> Option<BigRational> {
        Some(ratio(points, 1))
    }

    #[test]
    fn ties_share_a_rank_and_the_next_rank_skips() {
        let scores = [s(80), s(95), s(80), None, s(70)];
        assert_eq!(rank(&scores), [Some(2), Some(1), Some(2), None, Some(4)]);
    }

    #[test]
    fn seats_are_twenty_percent_rounded_down_but_at_least_one() {
        assert_eq!(excellent_seats(40, 20, QuotaRounding::Down), 8);
        assert_eq!(excellent_seats(15, 20, QuotaRounding::Down), 3);
        assert_eq!(excellent_seats(4, 20, QuotaRounding::Down), 1);
        assert_eq!(excellent_seats(0, 20, QuotaRounding::Down), 1);
    }

    #[test]
    fn about_ten_percent_rounds_to_the_nearest_place() {
        // docs/rules.md §5: 40 → 4, 35 → 3.5 → 4, 34 → 3.4 → 3, 4 → 0.4 → at least 1.
        for (rated, seats) in [(40, 4), (35, 4), (34, 3), (44, 4), (45, 5), (4, 1)] {
            assert_eq!(
                excellent_seats(rated, 10, QuotaRounding::Nearest),
                seats,
                "{rated}"
            );
        }
        assert_eq!(excellent_seats(35, 10, QuotaRounding::Down), 3);
    }

    #[test]
    fn levels_follow_the_default_thresholds() {
        let rules = LevelRules::default();
        // Ten rated presenters (the eleventh has no score): two seats for 优秀.
        let scores = [
            s(96),
            s(91),
            s(90),
            s(75),
            s(70),
            s(69),
            s(60),
            s(59),
            s(85),
            s(40),
            None,
        ];
        let shares = vec![Some(ratio(0, 1)); scores.len()];
        let levels = assign_levels(&scores, &shares, &rules);
        use Level::*;
        assert_eq!(
            levels,
            [
                Some(Excellent),
                Some(Excellent),
                Some(Competent), // ≥ 90 but third: outside the two seats
                Some(Competent),
                Some(Competent), // exactly 70
                Some(Basic),
                Some(Basic), // exactly 60
                Some(Unfit),
                Some(Competent),
                Some(Unfit),
                None
            ]
        );
    }

    #[test]
    fn more_than_a_third_worst_on_the_overall_aspect_is_unfit_whatever_the_score() {
        let rules = LevelRules::default();
        // Exactly one third is not "more than" a third.
        let scores = [s(95), s(80)];
        let shares = [Some(ratio(1, 3)), Some(ratio(34, 100))];
        assert_eq!(
            assign_levels(&scores, &shares, &rules),
            [Some(Level::Excellent), Some(Level::Unfit)]
        );
    }

    #[test]
    fn a_tie_across_the_quota_boundary_is_all_out_by_default_and_all_in_if_chosen() {
        // Five presenters: one seat; two tie at the top.
        let scores = [s(95), s(95), s(80), s(80), s(80)];
        let shares = vec![None; 5];
        let mut rules = LevelRules::default();
        let out = assign_levels(&scores, &shares, &rules);
        assert_eq!(out[0], Some(Level::Competent));
        assert_eq!(out[1], Some(Level::Competent));
        rules.boundary_ties = BoundaryTies::IncludeAll;
        let all_in = assign_levels(&scores, &shares, &rules);
        assert_eq!(all_in[0], Some(Level::Excellent));
        assert_eq!(all_in[1], Some(Level::Excellent));
    }

    #[test]
    fn an_override_needs_a_reason_and_keeps_the_computed_level_beside_it() {
        let computed = [Some(Level::Competent), None];
        assert_eq!(
            LevelOverride::new(&computed, 0, Level::Excellent, "  "),
            Err(OverrideLevelError::EmptyReason)
        );
        assert_eq!(
            LevelOverride::new(&computed, 1, Level::Basic, "x"),
            Err(OverrideLevelError::Unrated)
        );
        assert_eq!(
            LevelOverride::new(&computed, 5, Level::Basic, "x"),
            Err(OverrideLevelError::UnknownPresenter)
        );
        let o = LevelOverride::new(&computed, 0, Level::Excellent, "抗洪抢险表现突出").unwrap();
        assert_eq!(final_levels(&computed, &[o]), [Some(Level::Excellent), None]);
        assert_eq!(computed[0], Some(Level::Competent));
    }

    #[test]
    fn level_ids_round_trip() {
        for level in [Level::Excellent, Level::Competent, Level::Basic, Level::Unfit] {
            assert_eq!(Level::parse(level.as_str()), Some(level));
        }
        assert_eq!(Level::parse("great"), None);
    }
}
