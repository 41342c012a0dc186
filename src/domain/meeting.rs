//! The meeting: who presents, which aspects are rated with which grades, which rater groups
//! rate with which weight, and the rules that turn scores into levels.
//!
//! [`MeetingFileV1`] is the versioned file format (a boundary type, see `docs/meeting-format.md`);
//! [`Meeting`] is the validated value the rest of the core works with. The only way to get a
//! `Meeting` is [`Meeting::try_from`] a file, so nothing downstream re-checks ids, weights or
//! thresholds.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::draw::{DrawRecord, DrawRecordV1, VerifyDrawError};
use super::exact::Share;
use super::level::{LevelNames, QuotaRounding};
use super::validity::QuorumV1;

/// Format id written in every meeting file.
pub const MEETING_FORMAT: &str = "pingyi-meeting";
/// The meeting file version this build writes and reads.
pub const MEETING_VERSION: u32 = 1;

/// Limits that keep a hostile or mistaken file from freezing a tablet; documented in
/// `docs/meeting-format.md`.
pub const MAX_PRESENTERS: usize = 300;
pub const MAX_ASPECTS: usize = 20;
pub const MAX_GRADES: usize = 9;
pub const MAX_GROUPS: usize = 8;
pub const MAX_TEXT_CHARS: usize = 200;

/// The meeting file, version 1, exactly as stored and exchanged.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MeetingFileV1 {
    pub format: String,
    pub version: u32,
    pub id: String,
    pub title: String,
    pub date: String,
    pub place: String,
    /// "code" (one-time ballot codes) or "open" (rater chooses the group).
    pub credential: String,
    pub presenters: Vec<PresenterV1>,
    pub aspects: Vec<AspectV1>,
    /// Id of the overall aspect (总体评价); its share of the worst grade can decide 不称职.
    pub overall_aspect: String,
    pub grades: Vec<GradeV1>,
    pub groups: Vec<RaterGroupV1>,
    /// Smallest number of ballots a group needs before its breakdown is shown.
    pub min_breakdown_size: u32,
    pub rules: LevelRulesV1,
    #[serde(default)]
    pub draw: Option<DrawRecordV1>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PresenterV1 {
    pub id: String,
    pub name: String,
    pub unit: String,
    pub township: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AspectV1 {
    pub id: String,
    pub name: String,
    /// Relative weight; either every aspect has one or none has (plain mean).
    #[serde(default)]
    pub weight: Option<u32>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GradeV1 {
    pub id: String,
    pub name: String,
    pub points: u32,
    /// Counts towards the satisfaction rate (满意率): 好 and 较好 by default.
    pub satisfied: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RaterGroupV1 {
    pub id: String,
    pub name: String,
    /// Percent; the weights of all groups sum to 100.
    pub weight: u32,
    /// Expected number of raters (应到).
    pub expected: u32,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LevelRulesV1 {
    /// 不称职 when the share of the worst grade on the overall aspect is strictly greater
    /// than this fraction ("p/q").
    pub unfit_worst_share: String,
    /// 不称职 when the score is below this.
    pub unfit_below: u32,
    /// 基本称职 when the score is below this (and not 不称职).
    pub basic_below: u32,
    /// 优秀 needs at least this score …
    pub excellent_min: u32,
    /// … and a place among the top this-many percent of rated presenters.
    pub excellent_top_percent: u32,
    /// "exclude" or "include": presenters tied across the 优秀 quota boundary.
    pub boundary_ties: String,
    /// The names the levels go by: "civil_servant" (优秀 / 称职 / 基本称职 / 不称职, the
    /// default and what a file without this member means), "institution" (优秀 / 合格 / 基本合格
    /// / 不合格) or "satisfaction" (满意 / 基本满意 / 不满意). Names only: the rules are the same.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level_names: Option<String>,
    /// How `excellent_top_percent` becomes places: "down" (不超过, the default and what a file
    /// without this member means) or "nearest" (约, halves up).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub excellent_rounding: Option<String>,
    /// The round is valid only when 实到 exceeds this fraction of 应到: "p/q" with 0 ≤ p/q < 1,
    /// or "off". Absent: "1/2" (过半数), what files written before it existed mean.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quorum: Option<String>,
    /// 去掉一个最高分和一个最低分: when more than this many raters graded a presenter, each
    /// cell's mean on each aspect drops one highest and one lowest grade (docs/rules.md §4b).
    /// Absent: no trimming.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trim_above: Option<u32>,
}

/// How raters prove they may cast a ballot.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CredentialMode {
    /// One-time ballot codes, one per rater, printed on slips.
    Code,
    /// No codes: the rater picks the group; counts are checked against 应到.
    Open,
}

impl CredentialMode {
    pub fn as_str(self) -> &'static str {
        match self {
            CredentialMode::Code => "code",
            CredentialMode::Open => "open",
        }
    }
}

/// What happens to presenters tied across the 优秀 quota boundary.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BoundaryTies {
    /// All of them are left out, so the quota is never exceeded (default).
    ExcludeAll,
    /// All of them are let in, so the quota may be exceeded by the tie.
    IncludeAll,
}

impl BoundaryTies {
    pub fn as_str(self) -> &'static str {
        match self {
            BoundaryTies::ExcludeAll => "exclude",
            BoundaryTies::IncludeAll => "include",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Presenter {
    pub id: String,
    pub name: String,
    pub unit: String,
    pub township: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Aspect {
    pub id: String,
    pub name: String,
    pub weight: Option<u32>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Grade {
    pub id: String,
    pub name: String,
    pub points: u32,
    pub satisfied: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RaterGroup {
    pub id: String,
    pub name: String,
    pub weight: u32,
    pub expected: u32,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LevelRules {
    pub unfit_worst_share: Share,
    pub unfit_below: u32,
    pub basic_below: u32,
    pub excellent_min: u32,
    pub excellent_top_percent: u32,
    pub boundary_ties: BoundaryTies,
    /// The names the levels go by on every screen and paper.
    pub names: LevelNames,
    pub excellent_rounding: QuotaRounding,
    /// What 实到 must exceed for the round to be valid.
    pub quorum: QuorumV1,
    /// Trimmed means for presenters graded by more than this many raters.
    pub trim_above: Option<u32>,
}

impl Default for LevelRules {
    fn default() -> Self {
        LevelRules {
            unfit_worst_share: Share::parse("1/3").expect("one third"),
            unfit_below: 60,
            basic_below: 70,
            excellent_min: 90,
            excellent_top_percent: 20,
            boundary_ties: BoundaryTies::ExcludeAll,
            names: LevelNames::CivilServant,
            excellent_rounding: QuotaRounding::Down,
            quorum: QuorumV1::default(),
            trim_above: None,
        }
    }
}

/// A validated meeting. Grades are ordered best first with strictly falling points; the
/// last grade is the worst (差).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Meeting {
    id: String,
    title: String,
    date: String,
    place: String,
    credential: CredentialMode,
    presenters: Vec<Presenter>,
    aspects: Vec<Aspect>,
    overall_aspect: usize,
    grades: Vec<Grade>,
    groups: Vec<RaterGroup>,
    min_breakdown_size: u32,
    rules: LevelRules,
    draw: Option<DrawRecord>,
}

/// Why a meeting file was refused. Each variant names the field a host has to fix.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum ParseMeetingError {
    #[error("不是评议会议文件（格式为 “{found}”）— not a Pingyi meeting file (format “{found}”)")]
    WrongFormat { found: String },
    #[error(
        "会议文件版本 {found} 不受支持，本程序读取版本 {MEETING_VERSION} — meeting file version {found} is not supported; this build reads version {MEETING_VERSION}"
    )]
    UnsupportedVersion { found: u32 },
    #[error("会议编号为空 — the meeting id is empty")]
    EmptyMeetingId,
    #[error("会议名称为空 — the meeting title is empty")]
    EmptyTitle,
    #[error(
        "“{field}” 过长（最多 {MAX_TEXT_CHARS} 字）— “{field}” is longer than {MAX_TEXT_CHARS} characters"
    )]
    TextTooLong { field: String },
    #[error(
        "投票方式 “{found}” 无效，应为 code 或 open — credential mode “{found}” must be “code” or “open”"
    )]
    UnknownCredentialMode { found: String },
    #[error("述职人员名单为空 — the presenter list is empty")]
    NoPresenters,
    #[error("述职人员超过 {MAX_PRESENTERS} 人 — more than {MAX_PRESENTERS} presenters")]
    TooManyPresenters,
    #[error("第 {number} 位述职人员缺少编号 — presenter no. {number} has no id")]
    EmptyPresenterId { number: usize },
    #[error("第 {number} 位述职人员缺少姓名 — presenter no. {number} has no name")]
    EmptyPresenterName { number: usize },
    #[error("述职人员编号 “{id}” 重复 — presenter id “{id}” appears twice")]
    DuplicatePresenterId { id: String },
    #[error("评议内容为空 — there are no aspects")]
    NoAspects,
    #[error("评议内容超过 {MAX_ASPECTS} 项 — more than {MAX_ASPECTS} aspects")]
    TooManyAspects,
    #[error("第 {number} 项评议内容缺少编号或名称 — aspect no. {number} has no id or no name")]
    EmptyAspect { number: usize },
    #[error("评议内容编号 “{id}” 重复 — aspect id “{id}” appears twice")]
    DuplicateAspectId { id: String },
    #[error(
        "评议内容的权重要么全部填写、要么全部不填，且须大于 0 — aspect weights must be set on every aspect or on none, and be above 0"
    )]
    InconsistentAspectWeights,
    #[error("总体评价项 “{id}” 不在评议内容中 — the overall aspect “{id}” is not one of the aspects")]
    UnknownOverallAspect { id: String },
    #[error("评价等次须有 2 到 {MAX_GRADES} 个 — there must be 2 to {MAX_GRADES} grades")]
    GradeCount,
    #[error("第 {number} 个评价等次缺少编号或名称 — grade no. {number} has no id or no name")]
    EmptyGrade { number: usize },
    #[error("评价等次编号 “{id}” 重复 — grade id “{id}” appears twice")]
    DuplicateGradeId { id: String },
    #[error(
        "评价等次须从好到差排列，分值逐项降低且不超过 100 — grades must go from best to worst with strictly falling points, at most 100"
    )]
    GradePointsNotFalling,
    #[error("评议人员类别为空 — there are no rater groups")]
    NoGroups,
    #[error("评议人员类别超过 {MAX_GROUPS} 个 — more than {MAX_GROUPS} rater groups")]
    TooManyGroups,
    #[error("第 {number} 个评议人员类别缺少编号或名称 — rater group no. {number} has no id or no name")]
    EmptyGroup { number: usize },
    #[error("评议人员类别编号 “{id}” 重复 — rater group id “{id}” appears twice")]
    DuplicateGroupId { id: String },
    #[error("评议人员类别 “{name}” 的权重为 0 — rater group “{name}” has weight 0")]
    ZeroGroupWeight { name: String },
    #[error("各类评议人员权重合计为 {sum}，应为 100 — rater group weights sum to {sum}, not 100")]
    GroupWeightsNot100 { sum: u64 },
    #[error("最少显示人数须至少为 1 — the minimum group size for a breakdown must be at least 1")]
    ZeroMinBreakdown,
    #[error(
        "等次规则中的比例 “{found}” 无效，应为 0 到 1 之间的分数，如 1/3 — the share “{found}” must be a fraction between 0 and 1, like 1/3"
    )]
    BadWorstShare { found: String },
    #[error(
        "等次分数线须满足 不称职线 ≤ 基本称职线 ≤ 优秀线 ≤ 100 — level thresholds must satisfy unfit ≤ basic ≤ excellent ≤ 100"
    )]
    ThresholdsOutOfOrder,
    #[error("优秀比例须在 1% 到 100% 之间 — the 优秀 quota must be between 1 and 100 percent")]
    BadExcellentPercent,
    #[error(
        "并列处理方式 “{found}” 无效，应为 exclude 或 include — boundary ties “{found}” must be “exclude” or “include”"
    )]
    BadBoundaryTies { found: String },
    #[error(
        "等次名称 “{found}” 无效，应为 civil_servant、institution 或 satisfaction — level names “{found}” must be civil_servant, institution or satisfaction"
    )]
    BadLevelNames { found: String },
    #[error(
        "优秀名额取整方式 “{found}” 无效，应为 down 或 nearest — the 优秀 quota rounding “{found}” must be “down” or “nearest”"
    )]
    BadQuotaRounding { found: String },
    #[error(
        "法定人数 “{found}” 无效，应为 off 或小于 1 的分数 p/q（如 1/2、2/3） — the quorum “{found}” must be “off” or a fraction p/q below 1 (such as 1/2 or 2/3)"
    )]
    BadQuorum { found: String },
    #[error(
        "去掉最高分和最低分的人数门槛 {found} 无效，至少为 2 — trimming needs more than {found} raters; the threshold must be at least 2"
    )]
    BadTrimThreshold { found: u32 },
    #[error("抽签记录有误：{0} — the draw record is wrong: {0}")]
    Draw(#[from] VerifyDrawError),
}

fn check_text(field: &str, value: &str) -> Result<(), ParseMeetingError> {
    if value.chars().count() > MAX_TEXT_CHARS {
        return Err(ParseMeetingError::TextTooLong {
            field: field.to_owned(),
        });
    }
    Ok(())
}

fn is_blank(value: &str) -> bool {
    value.trim().is_empty()
}

impl TryFrom<MeetingFileV1> for Meeting {
    type Error = ParseMeetingError;

    fn try_from(file: MeetingFileV1) -> Result<Self, Self::Error> {
        use ParseMeetingError as E;
        if file.format != MEETING_FORMAT {
            return Err(E::WrongFormat { found: file.format });
        }
        if file.version != MEETING_VERSION {
            return Err(E::UnsupportedVersion { found: file.version });
        }
        if is_blank(&file.id) {
            return Err(E::EmptyMeetingId);
        }
        if is_blank(&file.title) {
            return Err(E::EmptyTitle);
        }
        for (field, value) in [
            ("id", &file.id),
            ("title", &file.title),
            ("date", &file.date),
            ("place", &file.place),
        ] {
            check_text(field, value)?;
        }
        let credential = match file.credential.as_str() {
            "code" => CredentialMode::Code,
            "open" => CredentialMode::Open,
            other => {
                return Err(E::UnknownCredentialMode {
                    found: other.to_owned(),
                });
            }
        };

        let presenters = parse_presenters(file.presenters)?;
        let aspects = parse_aspects(file.aspects)?;
        let overall_aspect = aspects
            .iter()
            .position(|aspect| aspect.id == file.overall_aspect)
            .ok_or(E::UnknownOverallAspect {
                id: file.overall_aspect,
            })?;
        let grades = parse_grades(file.grades)?;
        let groups = parse_groups(file.groups)?;
        if file.min_breakdown_size == 0 {
            return Err(E::ZeroMinBreakdown);
        }
        let rules = parse_rules(file.rules)?;

        let mut meeting = Meeting {
            id: file.id,
            title: file.title,
            date: file.date,
            place: file.place,
            credential,
            presenters,
            aspects,
            overall_aspect,
            grades,
            groups,
            min_breakdown_size: file.min_breakdown_size,
            rules,
            draw: None,
        };
        if let Some(draw) = file.draw {
            meeting.draw = Some(DrawRecord::verify(draw, &meeting)?);
        }
        Ok(meeting)
    }
}

fn parse_presenters(raw: Vec<PresenterV1>) -> Result<Vec<Presenter>, ParseMeetingError> {
    use ParseMeetingError as E;
    if raw.is_empty() {
        return Err(E::NoPresenters);
    }
    if raw.len() > MAX_PRESENTERS {
        return Err(E::TooManyPresenters);
    }
    let mut seen = HashSet::new();
    let mut presenters = Vec::with_capacity(raw.len());
    for (index, p) in raw.into_iter().enumerate() {
        let number = index + 1;
        if is_blank(&p.id) {
            return Err(E::EmptyPresenterId { number });
        }
        if is_blank(&p.name) {
            return Err(E::EmptyPresenterName { number });
        }
        for value in [&p.id, &p.name, &p.unit, &p.township] {
            check_text("presenter", value)?;
        }
        if !seen.insert(p.id.clone()) {
            return Err(E::DuplicatePresenterId { id: p.id });
        }
        presenters.push(Presenter {
            id: p.id,
            name: p.name,
            unit: p.unit,
            township: p.township,
        });
    }
    Ok(presenters)
}

fn parse_aspects(raw: Vec<AspectV1>) -> Result<Vec<Aspect>, ParseMeetingError> {
    use ParseMeetingError as E;
    if raw.is_empty() {
        return Err(E::NoAspects);
    }
    if raw.len() > MAX_ASPECTS {
        return Err(E::TooManyAspects);
    }
    let weighted = raw.iter().filter(|a| a.weight.is_some()).count();
    if (weighted != 0 && weighted != raw.len()) || raw.iter().any(|a| a.weight == Some(0)) {
        return Err(E::InconsistentAspectWeights);
    }
    let mut seen = HashSet::new();
    let mut aspects = Vec::with_capacity(raw.len());
    for (index, a) in raw.into_iter().enumerate() {
        if is_blank(&a.id) || is_blank(&a.name) {
            return Err(E::EmptyAspect { number: index + 1 });
        }
        check_text("aspect", &a.id)?;
        check_text("aspect", &a.name)?;
        if !seen.insert(a.id.clone()) {
            return Err(E::DuplicateAspectId { id: a.id });
        }
        aspects.push(Aspect {
            id: a.id,
            name: a.name,
            weight: a.weight,
        });
    }
    Ok(aspects)
}

fn parse_grades(raw: Vec<GradeV1>) -> Result<Vec<Grade>, ParseMeetingError> {
    use ParseMeetingError as E;
    if raw.len() < 2 || raw.len() > MAX_GRADES {
        return Err(E::GradeCount);
    }
    let mut seen = HashSet::new();
    let mut grades: Vec<Grade> = Vec::with_capacity(raw.len());
    for (index, g) in raw.into_iter().enumerate() {
        if is_blank(&g.id) || is_blank(&g.name) {
            return Err(E::EmptyGrade { number: index + 1 });
        }
        check_text("grade", &g.id)?;
        check_text("grade", &g.name)?;
        if !seen.insert(g.id.clone()) {
            return Err(E::DuplicateGradeId { id: g.id });
        }
        let falls = grades.last().is_none_or(|better| better.points > g.points);
        if !falls || g.points > 100 {
            return Err(E::GradePointsNotFalling);
        }
        grades.push(Grade {
            id: g.id,
            name: g.name,
            points: g.points,
            satisfied: g.satisfied,
        });
    }
    Ok(grades)
}

fn parse_groups(raw: Vec<RaterGroupV1>) -> Result<Vec<RaterGroup>, ParseMeetingError> {
    use ParseMeetingError as E;
    if raw.is_empty() {
        return Err(E::NoGroups);
    }
    if raw.len() > MAX_GROUPS {
        return Err(E::TooManyGroups);
    }
    let mut seen = HashSet::new();
    let mut groups = Vec::with_capacity(raw.len());
    let mut sum: u64 = 0;
    for (index, g) in raw.into_iter().enumerate() {
        if is_blank(&g.id) || is_blank(&g.name) {
            return Err(E::EmptyGroup { number: index + 1 });
        }
        check_text("group", &g.id)?;
        check_text("group", &g.name)?;
        if !seen.insert(g.id.clone()) {
            return Err(E::DuplicateGroupId { id: g.id });
        }
        if g.weight == 0 {
            return Err(E::ZeroGroupWeight { name: g.name });
        }
        sum += u64::from(g.weight);
        groups.push(RaterGroup {
            id: g.id,
            name: g.name,
            weight: g.weight,
            expected: g.expected,
        });
    }
    if sum != 100 {
        return Err(E::GroupWeightsNot100 { sum });
    }
    Ok(groups)
}

fn parse_rules(raw: LevelRulesV1) -> Result<LevelRules, ParseMeetingError> {
    use ParseMeetingError as E;
    let share = Share::parse(&raw.unfit_worst_share).ok_or_else(|| E::BadWorstShare {
        found: raw.unfit_worst_share.clone(),
    })?;
    if !(raw.unfit_below <= raw.basic_below
        && raw.basic_below <= raw.excellent_min
        && raw.excellent_min <= 100)
    {
        return Err(E::ThresholdsOutOfOrder);
    }
    if raw.excellent_top_percent == 0 || raw.excellent_top_percent > 100 {
        return Err(E::BadExcellentPercent);
    }
    let boundary_ties = match raw.boundary_ties.as_str() {
        "exclude" => BoundaryTies::ExcludeAll,
        "include" => BoundaryTies::IncludeAll,
        other => {
            return Err(E::BadBoundaryTies {
                found: other.to_owned(),
            });
        }
    };
    let names = match raw.level_names.as_deref() {
        None => LevelNames::default(),
        Some(id) => LevelNames::parse(id).ok_or_else(|| E::BadLevelNames { found: id.to_owned() })?,
    };
    let excellent_rounding = match raw.excellent_rounding.as_deref() {
        None => QuotaRounding::default(),
        Some(id) => QuotaRounding::parse(id).ok_or_else(|| E::BadQuotaRounding { found: id.to_owned() })?,
    };
    let quorum = match raw.quorum.as_deref() {
        None => QuorumV1::default(),
        Some(text) => QuorumV1::parse(text).ok_or_else(|| E::BadQuorum {
            found: text.to_owned(),
        })?,
    };
    if let Some(found) = raw.trim_above.filter(|&n| n < 2) {
        return Err(E::BadTrimThreshold { found });
    }
    Ok(LevelRules {
        unfit_worst_share: share,
        unfit_below: raw.unfit_below,
        basic_below: raw.basic_below,
        excellent_min: raw.excellent_min,
        excellent_top_percent: raw.excellent_top_percent,
        boundary_ties,
        names,
        excellent_rounding,
        quorum,
        trim_above: raw.trim_above,
    })
}

impl From<&Meeting> for MeetingFileV1 {
    fn from(meeting: &Meeting) -> Self {
        MeetingFileV1 {
            format: MEETING_FORMAT.to_owned(),
            version: MEETING_VERSION,
            id: meeting.id.clone(),
            title: meeting.title.clone(),
            date: meeting.date.clone(),
            place: meeting.place.clone(),
            credential: meeting.credential.as_str().to_owned(),
            presenters: meeting
                .presenters
                .iter()
                .map(|p| PresenterV1 {
                    id: p.id.clone(),
                    name: p.name.clone(),
                    unit: p.unit.clone(),
                    township: p.township.clone(),
                })
                .collect(),
            aspects: meeting
                .aspects
                .iter()
                .map(|a| AspectV1 {
                    id: a.id.clone(),
                    name: a.name.clone(),
                    weight: a.weight,
                })
                .collect(),
            overall_aspect: meeting.aspects[meeting.overall_aspect].id.clone(),
            grades: meeting
                .grades
                .iter()
                .map(|g| GradeV1 {
                    id: g.id.clone(),
                    name: g.name.clone(),
                    points: g.points,
                    satisfied: g.satisfied,
                })
                .collect(),
            groups: meeting
                .groups
                .iter()
                .map(|g| RaterGroupV1 {
                    id: g.id.clone(),
                    name: g.name.clone(),
                    weight: g.weight,
                    expected: g.expected,
                })
                .collect(),
            min_breakdown_size: meeting.min_breakdown_size,
            rules: LevelRulesV1 {
                unfit_worst_share: meeting.rules.unfit_worst_share.to_string(),
                unfit_below: meeting.rules.unfit_below,
                basic_below: meeting.rules.basic_below,
                excellent_min: meeting.rules.excellent_min,
                excellent_top_percent: meeting.rules.excellent_top_percent,
                boundary_ties: meeting.rules.boundary_ties.as_str().to_owned(),
                level_names: meeting.rules.names.file_value(),
                excellent_rounding: meeting.rules.excellent_rounding.file_value(),
                quorum: meeting.rules.quorum.file_value(),
                trim_above: meeting.rules.trim_above,
            },
            draw: meeting.draw.as_ref().map(|d| DrawRecordV1::of(d, meeting)),
        }
    }
}

impl Meeting {
    /// Parses a meeting file from JSON text; a file that is not JSON, not a meeting, or not
    /// valid is refused with one error.
    pub fn from_json(text: &str) -> Result<Meeting, ReadMeetingError> {
        let file: MeetingFileV1 = serde_json::from_str(text).map_err(|e| ReadMeetingError::NotJson {
            detail: e.to_string(),
        })?;
        Ok(Meeting::try_from(file)?)
    }

    pub fn to_file(&self) -> MeetingFileV1 {
        MeetingFileV1::from(self)
    }

    /// Returns the meeting with a (verified) draw record attached.
    pub fn with_draw(mut self, draw: DrawRecord) -> Meeting {
        self.draw = Some(draw);
        self
    }

    pub fn id(&self) -> &str {
        &self.id
    }
    pub fn title(&self) -> &str {
        &self.title
    }
    pub fn date(&self) -> &str {
        &self.date
    }
    pub fn place(&self) -> &str {
        &self.place
    }
    pub fn credential(&self) -> CredentialMode {
        self.credential
    }
    pub fn presenters(&self) -> &[Presenter] {
        &self.presenters
    }
    pub fn aspects(&self) -> &[Aspect] {
        &self.aspects
    }
    /// Index of the overall aspect (总体评价) in [`Meeting::aspects`].
    pub fn overall_aspect(&self) -> usize {
        self.overall_aspect
    }
    /// Grades best first; the last one is the worst (差).
    pub fn grades(&self) -> &[Grade] {
        &self.grades
    }
    pub fn worst_grade(&self) -> usize {
        self.grades.len() - 1
    }
    pub fn groups(&self) -> &[RaterGroup] {
        &self.groups
    }
    pub fn min_breakdown_size(&self) -> u32 {
        self.min_breakdown_size
    }
    pub fn rules(&self) -> &LevelRules {
        &self.rules
    }
    pub fn draw(&self) -> Option<&DrawRecord> {
        self.draw.as_ref()
    }
    pub fn group_index(&self, id: &str) -> Option<usize> {
        self.groups.iter().position(|g| g.id == id)
    }
    pub fn presenter_index(&self, id: &str) -> Option<usize> {
        self.presenters.iter().position(|p| p.id == id)
    }
}

/// The part of the meeting form a refusal belongs to, so the message can stand beside it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MeetingField {
    /// Title, date, place, id, format, credential mode.
    Details,
    Presenters,
    Aspects,
    Grades,
    Groups,
    Rules,
}

impl ParseMeetingError {
    /// Where in the meeting form the host fixes this.
    pub fn field(&self) -> MeetingField {
        use ParseMeetingError as E;
        match self {
            E::WrongFormat { .. }
            | E::UnsupportedVersion { .. }
            | E::EmptyMeetingId
            | E::EmptyTitle
            | E::TextTooLong { .. }
            | E::UnknownCredentialMode { .. } => MeetingField::Details,
            E::NoPresenters
            | E::TooManyPresenters
            | E::EmptyPresenterId { .. }
            | E::EmptyPresenterName { .. }
            | E::DuplicatePresenterId { .. } => MeetingField::Presenters,
            E::NoAspects
            | E::TooManyAspects
            | E::EmptyAspect { .. }
            | E::DuplicateAspectId { .. }
            | E::InconsistentAspectWeights
            | E::UnknownOverallAspect { .. } => MeetingField::Aspects,
            E::GradeCount | E::EmptyGrade { .. } | E::DuplicateGradeId { .. } | E::GradePointsNotFalling => {
                MeetingField::Grades
            }
            E::NoGroups
            | E::TooManyGroups
            | E::EmptyGroup { .. }
            | E::DuplicateGroupId { .. }
            | E::ZeroGroupWeight { .. } => MeetingField::Groups,
            _ => MeetingField::Rules,
        }
    }
}

/// Reading a meeting from text: either the text is not a meeting file at all, or it is one
/// that fails validation.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum ReadMeetingError {
    #[error("文件不是有效的 JSON：{detail} — the file is not valid JSON: {detail}")]
    NotJson { detail: String },
    #[error(transparent)]
    Invalid(#[from] ParseMeetingError),
}

/// The default aspects of the reference practice (双述双评); editable per meeting. The first,
/// 总体评价, is the overall aspect.
pub const DEFAULT_ASPECTS: [&str; 8] = [
    "总体评价",
    "履行第一责任人职责",
    "建强基层组织",
    "推动精准扶贫",
    "为民办事服务",
    "提升治理水平",
    "班子建设",
    "基础设施建设",
];

/// A meeting file with the defaults of the reference practice and the given presenters:
/// 8 aspects, grades 好 100 / 较好 80 / 一般 60 / 差 40, groups 考核组 40 / 乡镇分管领导 30 /
/// 第一书记 30, breakdown from 3 ballots, default level rules, ballot codes.
pub fn default_meeting_file(id: &str, title: &str, presenters: Vec<PresenterV1>) -> MeetingFileV1 {
    let rules = LevelRules::default();
    MeetingFileV1 {
        format: MEETING_FORMAT.to_owned(),
        version: MEETING_VERSION,
        id: id.to_owned(),
        title: title.to_owned(),
        date: String::new(),
        place: String::new(),
        credential: CredentialMode::Code.as_str().to_owned(),
        presenters,
        aspects: DEFAULT_ASPECTS
            .iter()
            .enumerate()
            .map(|(i, name)| AspectV1 {
                id: format!("a{}", i + 1),
                name: (*name).to_owned(),
                weight: None,
            })
            .collect(),
        overall_aspect: "a1".to_owned(),
        grades: [
            ("good", "好", 100, true),
            ("fair", "较好", 80, true),
            ("average", "一般", 60, false),
            ("poor", "差", 40, false),
        ]
        .into_iter()
        .map(|(id, name, points, satisfied)| GradeV1 {
            id: id.to_owned(),
            name: name.to_owned(),
            points,
            satisfied,
        })
        .collect(),
        groups: [
            ("assessors", "考核组", 40, 9),
            ("township", "乡镇分管领导", 30, 12),
            ("peers", "第一书记", 30, 40),
        ]
        .into_iter()
        .map(|(id, name, weight, expected)| RaterGroupV1 {
            id: id.to_owned(),
            name: name.to_owned(),
            weight,
            expected,
        })
        .collect(),
        min_breakdown_size: 3,
        rules: LevelRulesV1 {
            unfit_worst_share: rules.unfit_worst_share.to_string(),
            unfit_below: rules.unfit_below,
            basic_below: rules.basic_below,
            excellent_min: rules.excellent_min,
            excellent_top_percent: rules.excellent_top_percent,
            boundary_ties: rules.boundary_ties.as_str().to_owned(),
            level_names: rules.names.file_value(),
            excellent_rounding: rules.excellent_rounding.file_value(),
            quorum: rules.quorum.file_value(),
            trim_above: rules.trim_above,
        },
        draw: None,
    }
}
