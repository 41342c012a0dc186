//! The 测评结果汇总表 as figures and words: everything the xlsx workbook and the printed report
//! show, computed once from the tally of the published count tables, the reconciliation and the
//! host's overrides — so the board, the xlsx, the CSV and the report can never disagree.
//! Numbers are integers (scores in hundredths, rates in basis points, shares in tenths of a
//! percent) rounded by the rules core; the writers only lay them out.

use super::exact::format_decimal;
use super::level::{Level, LevelOverrideV1, excellent_seats};
use super::meeting::{BoundaryTies, CredentialMode, Meeting};
use super::record::result::ReconciliationV2;
use super::record::score::CellTally;
use super::report::cell_ranking_rows;
use super::shares::shares_in_tenths;
use num_rational::BigRational;

/// What a summary is made from.
pub struct SummaryInput<'a> {
    pub meeting: &'a Meeting,
    pub tally: &'a CellTally,
    pub reconciliation: &'a ReconciliationV2,
    /// The host's overrides in order; the last one per presenter stands.
    pub overrides: &'a [LevelOverrideV1],
    pub host_fingerprint: &'a str,
    pub code_list_digest: Option<&'a str>,
    /// English words and names; Chinese otherwise.
    pub english: bool,
}

/// One presenter's line of the 汇总 sheet, in ranking order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SummaryRow {
    pub rank: Option<u32>,
    pub name: String,
    pub unit: String,
    pub township: String,
    /// Score rounded half-up to hundredths (7933 is 79.33).
    pub score_hundredths: Option<i64>,
    /// 满意率 rounded half-up to basis points of one (7143 is 71.43 %).
    pub satisfaction_basis_points: Option<i64>,
    /// The level that stands, and the computed one when the host overrode it.
    pub level: Option<String>,
    pub computed_level: Option<String>,
    /// The score is a trimmed mean (docs/rules.md §4b).
    pub trimmed: bool,
    /// Grade counts on the overall aspect, best grade first, and their shares in tenths of a
    /// percent (largest remainder: they sum to 1000 when any grade was given).
    pub overall_counts: Vec<u32>,
    pub overall_tenths: Vec<u32>,
    /// No grade published: fewer graders than the minimum group size.
    pub withheld: bool,
}

/// One presenter × aspect line of the 分项 sheet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AspectRow {
    pub name: String,
    pub aspect: String,
    pub score_hundredths: Option<i64>,
    pub counts: Vec<u32>,
}

/// One presenter × published cell line of the 分类别 sheet: a rater group, or small groups
/// pooled so no group of fewer than the minimum size can be read off (rules.md §4a).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CellRow {
    pub name: String,
    /// The cell's rater groups, joined with "、" (", " in English).
    pub groups: String,
    pub graders: u32,
    pub score_hundredths: Option<i64>,
    /// Grade counts on the overall aspect.
    pub overall_counts: Vec<u32>,
}

/// One rater group's line of the 清点 sheet (the last line is the total).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TurnoutRow {
    pub group: String,
    pub expected: u32,
    pub present: Option<u32>,
    pub codes_issued: Option<u32>,
    pub returned: u32,
    pub excluded: u32,
    pub counted: u32,
    pub blank: u32,
}

/// The whole summary.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Summary {
    pub english: bool,
    pub title: String,
    pub date: String,
    pub place: String,
    pub grades: Vec<String>,
    pub rows: Vec<SummaryRow>,
    pub aspects: Vec<AspectRow>,
    pub cells: Vec<CellRow>,
    pub turnout: Vec<TurnoutRow>,
    pub valid: bool,
    /// Each validity problem in words.
    pub problems: Vec<String>,
    /// The rules and the meeting's facts in words, as (label, text) lines.
    pub notes: Vec<(String, String)>,
}

/// The half of a bilingual core text ("中文 — English") for the language.
fn half(text: &str, english: bool) -> String {
    match text.split_once(" — ") {
        Some((zh, en)) => if english { en } else { zh }.trim().to_owned(),
        None => text.to_owned(),
    }
}

fn hundredths(value: &BigRational) -> i64 {
    format_decimal(value, 2).replace('.', "").parse().unwrap_or(0)
}

fn basis_points(value: &BigRational) -> i64 {
    hundredths(&(value * BigRational::from_integer(100.into())))
}

impl Summary {
    pub fn new(input: &SummaryInput<'_>) -> Summary {
        let SummaryInput {
            meeting,
            tally,
            reconciliation,
            overrides,
            english,
            ..
        } = *input;
        let names = meeting.rules().names;
        let level_name = |id: &str| {
            Level::parse(id).map(|l| {
                if english {
                    names.name_en(l).to_owned()
                } else {
                    names.name_zh(l).to_owned()
                }
            })
        };
        let overall = meeting.overall_aspect();
        let mut rows = Vec::new();
        let mut aspects = Vec::new();
        let mut cells = Vec::new();
        for row in cell_ranking_rows(meeting, tally) {
            let p = meeting.presenter_index(&row.presenter).unwrap_or(0);
            let cell = &tally.presenters[p];
            let t = &cell.tally;
            let last = overrides.iter().rev().find(|o| o.presenter == row.presenter);
            let computed = row.level.as_deref().and_then(level_name);
            let counts64: Vec<u64> = row.overall_counts.iter().map(|&c| u64::from(c)).collect();
            rows.push(SummaryRow {
                rank: row.rank,
                name: row.name.clone(),
                unit: row.unit.clone(),
                township: row.township.clone(),
                score_hundredths: t.score.as_ref().map(hundredths),
                satisfaction_basis_points: t
                    .satisfaction
                    .get(overall)
                    .cloned()
                    .flatten()
                    .as_ref()
                    .map(basis_points),
                level: last.map_or(computed.clone(), |o| level_name(&o.level)),
                computed_level: last.and(computed),
                trimmed: t.trimmed,
                overall_tenths: shares_in_tenths(&counts64),
                overall_counts: row.overall_counts,
                withheld: cell.withheld,
            });
            for (a, aspect) in meeting.aspects().iter().enumerate() {
                aspects.push(AspectRow {
                    name: row.name.clone(),
                    aspect: aspect.name.clone(),
                    score_hundredths: t.aspect_scores[a].as_ref().map(hundredths),
                    counts: t.aspect_counts(a),
                });
            }
            for (c, groups) in cell.cells.iter().enumerate() {
                let groups = groups
                    .iter()
                    .map(|&g| meeting.groups()[g].name.as_str())
                    .collect::<Vec<_>>()
                    .join(if english { ", " } else { "、" });
                cells.push(CellRow {
                    name: row.name.clone(),
                    groups,
                    graders: t.counts[overall][c].iter().sum(),
                    score_hundredths: t.unit_score(meeting, c).as_ref().map(hundredths),
                    overall_counts: t.counts[overall][c].clone(),
                });
            }
        }
        let mut turnout: Vec<TurnoutRow> = reconciliation
            .groups
            .iter()
            .zip(meeting.groups())
            .enumerate()
            .map(|(g, (r, group))| TurnoutRow {
                group: group.name.clone(),
                expected: r.expected,
                present: r.present,
                codes_issued: r.codes_issued,
                returned: r.handed_in,
                excluded: r.excluded,
                counted: r.counted,
                blank: tally.blank.get(g).copied().unwrap_or(0),
            })
            .collect();
        let sum = |f: &dyn Fn(&TurnoutRow) -> Option<u32>| -> Option<u32> { turnout.iter().map(f).sum() };
        let total = TurnoutRow {
            group: if english { "Total" } else { "合计" }.to_owned(),
            expected: sum(&|r| Some(r.expected)).unwrap_or(0),
            present: sum(&|r| r.present),
            codes_issued: sum(&|r| r.codes_issued),
            returned: sum(&|r| Some(r.returned)).unwrap_or(0),
            excluded: sum(&|r| Some(r.excluded)).unwrap_or(0),
            counted: sum(&|r| Some(r.counted)).unwrap_or(0),
            blank: sum(&|r| Some(r.blank)).unwrap_or(0),
        };
        turnout.push(total);
        let rated = tally
            .presenters
            .iter()
            .filter(|p| p.tally.score.is_some())
            .count();
        let mut notes = rules_in_words(meeting, rated, english);
        notes.extend(meeting_facts(input));
        Summary {
            english,
            title: meeting.title().to_owned(),
            date: meeting.date().to_owned(),
            place: meeting.place().to_owned(),
            grades: meeting.grades().iter().map(|g| g.name.clone()).collect(),
            rows,
            aspects,
            cells,
            turnout,
            valid: reconciliation.valid,
            problems: reconciliation
                .problems
                .iter()
                .map(|p| half(&p.to_string(), english))
                .collect(),
            notes,
        }
    }

    /// The verdict on the round in words: 本轮测评有效 / 无效.
    pub fn verdict(&self) -> String {
        match (self.valid, self.english) {
            (true, false) => "本轮测评有效".to_owned(),
            (false, false) => "本轮测评无效".to_owned(),
            (true, true) => "The round is valid".to_owned(),
            (false, true) => "The round is not valid".to_owned(),
        }
    }
}

/// The rules of the meeting in words a county reader checks with a calculator (docs/rules.md):
/// points, groups and weights, the formula, small groups, trimming, rounding, ties, the levels
/// and the quota (its places for `rated` presenters), the quorum.
pub fn rules_in_words(meeting: &Meeting, rated: usize, english: bool) -> Vec<(String, String)> {
    let rules = meeting.rules();
    let names = rules.names;
    let level = |l: Level| {
        if english {
            names.name_en(l)
        } else {
            names.name_zh(l)
        }
    };
    let sep = if english { "; " } else { "；" };
    let list = if english { ", " } else { "、" };
    let grades = meeting
        .grades()
        .iter()
        .map(|g| {
            if english {
                format!("{} {} points", g.name, g.points)
            } else {
                format!("{} {} 分", g.name, g.points)
            }
        })
        .collect::<Vec<_>>()
        .join(sep);
    let satisfied = meeting
        .grades()
        .iter()
        .filter(|g| g.satisfied)
        .map(|g| g.name.as_str())
        .collect::<Vec<_>>()
        .join(list);
    let groups = meeting
        .groups()
        .iter()
        .map(|g| {
            if english {
                format!("{} {}% ({} due)", g.name, g.weight, g.expected)
            } else {
                format!("{} 权重 {}%（应到 {} 人）", g.name, g.weight, g.expected)
            }
        })
        .collect::<Vec<_>>()
        .join(sep);
    let weighted = meeting.aspects().iter().any(|a| a.weight.is_some());
    let aspects = meeting
        .aspects()
        .iter()
        .map(|a| match a.weight {
            Some(w) if english => format!("{} (weight {w})", a.name),
            Some(w) => format!("{}（权重 {w}）", a.name),
            None => a.name.clone(),
        })
        .collect::<Vec<_>>()
        .join(list);
    let overall = &meeting.aspects()[meeting.overall_aspect()].name;
    let k = meeting.min_breakdown_size();
    let seats = excellent_seats(rated, rules.excellent_top_percent, rules.excellent_rounding);
    let mut lines: Vec<(&str, &str, String)> = vec![
        ("评分标准", "Points", grades),
        ("满意票", "Satisfied grades", satisfied.clone()),
        ("评议人类别", "Rater groups", groups),
        ("测评项目", "Aspects", aspects),
        (
            "计分方法",
            "Formula",
            if english {
                format!(
                    "each aspect: the mean points of each rater group (its points ÷ its grades; recusals and abstentions are not in the denominator), then the weighted mean over the groups that graded it (a group without grades drops out with its weight); the score: the {} of the aspect scores; satisfaction rate: grades {satisfied} on “{overall}” ÷ all grades on it",
                    if weighted { "weighted mean" } else { "mean" }
                )
            } else {
                format!(
                    "每个测评项目先求各类别的平均分（该类别所得分数之和 ÷ 该类别评分人数，回避、弃权不计入分母），再按类别权重加权平均（某类别无人评分则连同其权重不计）；总分为各项目得分的{}；满意率 = “{overall}”中“{satisfied}”票数 ÷ “{overall}”有效票数",
                    if weighted { "加权平均" } else { "平均" }
                )
            },
        ),
        (
            "小类别合并",
            "Small groups",
            if english {
                format!(
                    "a group with fewer than {k} graders of a presenter is pooled with others into one cell; a presenter with fewer than {k} graders in all gets no score (secret ballot, rules.md §4a)"
                )
            } else {
                format!(
                    "某类别对某人的评分人数少于 {k} 人时，与其他类别合并计算；合计不足 {k} 人时不公布该人得分（无记名，规则 §4a）"
                )
            },
        ),
        (
            "去掉最高最低分",
            "Trimmed mean",
            match (rules.trim_above, english) {
                (None, false) => "不去掉".to_owned(),
                (None, true) => "none".to_owned(),
                (Some(n), false) => format!(
                    "评分人数超过 {n} 人者，每个测评项目在每个类别（合并后）中去掉一个最高分和一个最低分（该类别不少于 3 票时）后再求平均；满意率不去掉"
                ),
                (Some(n), true) => format!(
                    "for presenters graded by more than {n} raters, each aspect's mean in each group (cell) of at least 3 grades drops one highest and one lowest grade; 满意率 is not trimmed"
                ),
            },
        ),
        (
            "取整",
            "Rounding",
            if english {
                "exact fractions throughout; shown rounded half-up to two decimals; grade shares to one decimal by the largest remainder, adding up to 100.0%".to_owned()
            } else {
                "全程精确计算，仅显示时四舍五入保留两位小数；各等次票数占比按最大余数法保留一位小数，合计 100.0%".to_owned()
            },
        ),
        (
            "并列",
            "Ties",
            if english {
                "equal scores share a rank and the next rank is skipped (1, 2, 2, 4); tied presenters are listed in roster order".to_owned()
            } else {
                "得分相同者名次相同，其后名次顺延（如 1、2、2、4）；并列者按名单顺序排列".to_owned()
            },
        ),
        (
            "等次",
            "Levels",
            if english {
                format!(
                    "{}: score below {} or more than {} of the grades on “{overall}” are {}; {}: below {}; {}: at least {} and within the quota; otherwise {}",
                    level(Level::Unfit),
                    rules.unfit_below,
                    rules.unfit_worst_share,
                    meeting.grades().last().map_or("", |g| g.name.as_str()),
                    level(Level::Basic),
                    rules.basic_below,
                    level(Level::Excellent),
                    rules.excellent_min,
                    level(Level::Competent),
                )
            } else {
                format!(
                    "{}：得分低于 {} 分，或“{overall}”中“{}”票超过 {}；{}：低于 {} 分；{}：不低于 {} 分且在名额内；其余为{}",
                    level(Level::Unfit),
                    rules.unfit_below,
                    meeting.grades().last().map_or("", |g| g.name.as_str()),
                    rules.unfit_worst_share,
                    level(Level::Basic),
                    rules.basic_below,
                    level(Level::Excellent),
                    rules.excellent_min,
                    level(Level::Competent),
                )
            },
        ),
        ("优秀名额", "Excellent quota", {
            let ties = match (rules.boundary_ties, english) {
                (BoundaryTies::ExcludeAll, false) => "名额边界上的并列者均不计入",
                (BoundaryTies::IncludeAll, false) => "名额边界上的并列者均计入",
                (BoundaryTies::ExcludeAll, true) => "presenters tied across the boundary are all left out",
                (BoundaryTies::IncludeAll, true) => "presenters tied across the boundary are all let in",
            };
            let rounding = match (rules.excellent_rounding, english) {
                (super::level::QuotaRounding::Down, false) => "不超过",
                (super::level::QuotaRounding::Nearest, false) => "约",
                (super::level::QuotaRounding::Down, true) => "at most",
                (super::level::QuotaRounding::Nearest, true) => "about",
            };
            if english {
                format!(
                    "{rounding} {}% of the {rated} rated: {seats} places (at least one); {ties}",
                    rules.excellent_top_percent
                )
            } else {
                format!(
                    "{rounding}参评人数 {rated} 人的 {}%，即 {seats} 名（至少 1 名）；{ties}",
                    rules.excellent_top_percent
                )
            }
        }),
        ("有效性", "Validity", {
            let quorum = rules.quorum;
            let expected: u32 = meeting.groups().iter().map(|g| g.expected).sum();
            let limits = if english {
                "no more ballots back than codes given out, than those due, or than those present"
            } else {
                "收回票数不得多于发出票码数、应到人数和实到人数"
            };
            match (quorum.enabled, english) {
                (true, false) => format!(
                    "实到人数须超过应到的 {quorum}（应到 {expected} 人，至少 {} 人）；{limits}",
                    quorum.least_present(expected)
                ),
                (true, true) => format!(
                    "those present must exceed {quorum} of those due ({expected} due: at least {}); {limits}",
                    quorum.least_present(expected)
                ),
                (false, false) => format!("不设法定人数；{limits}"),
                (false, true) => format!("no quorum; {limits}"),
            }
        }),
    ];
    if meeting.credential() == CredentialMode::Open {
        lines.push((
            "投票方式",
            "Credentials",
            if english {
                "open mode: no ballot codes; each group is counted against those due".to_owned()
            } else {
                "开放模式：不使用票码，各类别按应到人数核对".to_owned()
            },
        ));
    }
    lines
        .into_iter()
        .map(|(zh, en, text)| (if english { en } else { zh }.to_owned(), text))
        .collect()
}

/// The meeting's facts: title, date and place, the draw, the keys and digests to check.
fn meeting_facts(input: &SummaryInput<'_>) -> Vec<(String, String)> {
    let meeting = input.meeting;
    let english = input.english;
    let label = |zh: &str, en: &str| if english { en } else { zh }.to_owned();
    let mut facts = vec![
        (label("会议", "Meeting"), meeting.title().to_owned()),
        (label("日期", "Date"), meeting.date().to_owned()),
        (label("地点", "Place"), meeting.place().to_owned()),
    ];
    if let Some(draw) = meeting.draw() {
        let selected = draw
            .selected
            .iter()
            .map(|&i| meeting.presenters()[i].name.as_str())
            .collect::<Vec<_>>()
            .join(if english { ", " } else { "、" });
        facts.push((label("抽签", "Draw"), format!("{} → {selected}", draw.key_string)));
    }
    facts.push((
        label("主持人公钥指纹", "Host key fingerprint"),
        input.host_fingerprint.to_owned(),
    ));
    if let Some(digest) = input.code_list_digest {
        facts.push((label("选票码清单摘要", "Code-list digest"), digest.to_owned()));
    }
    facts
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::demo::small_meeting;
    use crate::domain::record::counts::plain_count_tables;
    use crate::domain::record::result::reconcile_returns;
    use crate::domain::record::score::tally_cells;

    #[test]
    fn the_summary_holds_the_tally_in_integers_and_the_rules_in_both_languages() {
        let meeting = small_meeting("open");
        let ballots = crate::domain::sample::random_ballots(&meeting, 12, 3);
        let ballots: Vec<&_> = ballots.iter().collect();
        let tally = tally_cells(&meeting, &plain_count_tables(&meeting, &ballots)).unwrap();
        let rec = reconcile_returns(&meeting, &[Default::default(); 3], &[], None);
        for english in [false, true] {
            let summary = Summary::new(&SummaryInput {
                meeting: &meeting,
                tally: &tally,
                reconciliation: &rec,
                overrides: &[],
                host_fingerprint: "ABCD",
                code_list_digest: None,
                english,
            });
            assert_eq!(summary.rows.len(), meeting.presenters().len());
            for row in &summary.rows {
                if row.overall_counts.iter().any(|&c| c > 0) {
                    assert_eq!(row.overall_tenths.iter().sum::<u32>(), 1000);
                }
            }
            assert_eq!(
                summary.aspects.len(),
                meeting.presenters().len() * meeting.aspects().len()
            );
            assert_eq!(summary.turnout.len(), meeting.groups().len() + 1);
            let words: String = summary.notes.iter().map(|(l, t)| format!("{l}{t}")).collect();
            let han = words.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c));
            // Grade and group names are the meeting's own (Chinese in the demo); the labels and
            // sentences follow the language.
            assert!(han);
            assert_eq!(words.contains("计分方法"), !english);
            assert_eq!(words.contains("Formula"), english);
        }
    }
}
