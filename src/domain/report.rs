//! The tally written out for people and programs: a plain-text ranking table (what the host
//! sees on the board, and what `pingyi tally` prints) and a JSON form with every exact value
//! as a "p/q" string beside its rounded display.

use serde::{Deserialize, Serialize};

use super::exact::{format_decimal, format_percent, ratio_to_string};
use super::meeting::Meeting;
use super::record::score::CellTally;
use super::tally::{PresenterTally, Tally};

/// One row of the ranking, JSON-ready: integers and strings only.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RankingRowV1 {
    /// Shared by tied presenters; absent when the presenter has no score.
    pub rank: Option<u32>,
    pub presenter: String,
    pub name: String,
    pub unit: String,
    pub township: String,
    /// Exact score "p/q"; absent without grades.
    pub score: Option<String>,
    /// Score rounded half-up to two decimals.
    pub score_display: Option<String>,
    /// Exact satisfaction rate on the overall aspect "p/q".
    pub satisfaction: Option<String>,
    pub satisfaction_display: Option<String>,
    /// Level id: excellent, competent, basic, unfit.
    pub level: Option<String>,
    /// Grades on the overall aspect, all groups, best grade first.
    pub overall_counts: Vec<u32>,
    /// Recusals and abstentions on this presenter, all groups.
    pub recused: u32,
    pub abstained: u32,
}

/// The ranking table of a tally, in ranking order (ties in pool order, unrated last).
pub fn ranking_rows(meeting: &Meeting, tally: &Tally) -> Vec<RankingRowV1> {
    tally
        .ranking()
        .into_iter()
        .map(|p| ranking_row(meeting, p, &tally.presenters[p]))
        .collect()
}

/// The ranking table of a tally recomputed from published count tables (record format 2), in
/// the same order as [`ranking_rows`].
pub fn cell_ranking_rows(meeting: &Meeting, tally: &CellTally) -> Vec<RankingRowV1> {
    let mut order: Vec<usize> = (0..tally.presenters.len()).collect();
    order.sort_by_key(|&p| (tally.presenters[p].tally.rank.unwrap_or(u32::MAX), p));
    order
        .into_iter()
        .map(|p| ranking_row(meeting, p, &tally.presenters[p].tally))
        .collect()
}

fn ranking_row(meeting: &Meeting, p: usize, t: &PresenterTally) -> RankingRowV1 {
    let presenter = &meeting.presenters()[p];
    let overall = meeting.overall_aspect();
    RankingRowV1 {
        rank: t.rank,
        presenter: presenter.id.clone(),
        name: presenter.name.clone(),
        unit: presenter.unit.clone(),
        township: presenter.township.clone(),
        score: t.score.as_ref().map(ratio_to_string),
        score_display: t.score.as_ref().map(|s| format_decimal(s, 2)),
        satisfaction: t
            .satisfaction
            .get(overall)
            .cloned()
            .flatten()
            .as_ref()
            .map(ratio_to_string),
        satisfaction_display: t
            .satisfaction
            .get(overall)
            .cloned()
            .flatten()
            .as_ref()
            .map(format_percent),
        level: t.level.map(|l| l.as_str().to_owned()),
        overall_counts: t.aspect_counts(overall),
        recused: t.recused.iter().sum(),
        abstained: t.abstained.iter().sum(),
    }
}

/// Display width of a string in a monospace terminal: CJK characters take two columns.
fn display_width(text: &str) -> usize {
    text.chars()
        .map(|c| {
            if (c as u32) >= 0x1100 && !matches!(c as u32, 0x2000..=0x206F) {
                2
            } else {
                1
            }
        })
        .sum()
}

fn pad(text: &str, width: usize) -> String {
    let w = display_width(text);
    format!("{text}{}", " ".repeat(width.saturating_sub(w)))
}

/// The ranking as an aligned text table with a header line, one row per presenter.
pub fn ranking_table(meeting: &Meeting, tally: &Tally) -> String {
    let grades: Vec<String> = meeting.grades().iter().map(|g| g.name.clone()).collect();
    rows_table(&grades, meeting.rules().names, ranking_rows(meeting, tally))
}

/// Ranking rows (as computed, or as read from a result file) as an aligned text table;
/// `grades` names the overall-aspect count columns, best grade first.
pub fn rows_table(grades: &[String], names: super::level::LevelNames, rows: Vec<RankingRowV1>) -> String {
    let mut header = vec![
        "名次".to_owned(),
        "姓名".to_owned(),
        "单位".to_owned(),
        "得分".to_owned(),
        "满意率".to_owned(),
        "等次".to_owned(),
    ];
    header.extend(grades.iter().cloned());
    header.push("回避".to_owned());
    header.push("弃权".to_owned());
    let mut lines: Vec<Vec<String>> = vec![header];
    for row in rows {
        let mut line = vec![
            row.rank.map_or("-".to_owned(), |r| r.to_string()),
            row.name,
            row.unit,
            row.score_display.unwrap_or_else(|| "-".to_owned()),
            row.satisfaction_display.unwrap_or_else(|| "-".to_owned()),
            row.level
                .as_deref()
                .and_then(super::level::Level::parse)
                .map_or("-", |l| names.name_zh(l))
                .to_owned(),
        ];
        line.extend(row.overall_counts.iter().map(u32::to_string));
        line.push(row.recused.to_string());
        line.push(row.abstained.to_string());
        lines.push(line);
    }
    let columns = lines[0].len();
    let widths: Vec<usize> = (0..columns)
        .map(|c| lines.iter().map(|l| display_width(&l[c])).max().unwrap_or(0))
        .collect();
    let mut out = String::new();
    for line in &lines {
        let cells: Vec<String> = line.iter().zip(&widths).map(|(cell, &w)| pad(cell, w)).collect();
        out.push_str(cells.join("  ").trim_end());
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ballot::{BallotDraft, Credential};
    use crate::domain::demo::small_meeting;

    #[test]
    fn table_lists_presenters_in_rank_order_with_rounded_scores() {
        let m = small_meeting("open");
        let mut a = BallotDraft::new(&m, Credential::Group(0));
        a.fill_presenter(0, 1);
        a.fill_presenter(1, 0);
        a.set_recused(2);
        a.set_abstained(3);
        let ballot = a.finish().unwrap();
        let tally = Tally::count(&m, [&ballot]);
        let rows = ranking_rows(&m, &tally);
        assert_eq!(rows[0].presenter, "p2");
        assert_eq!(rows[0].score.as_deref(), Some("100/1"));
        assert_eq!(rows[1].score_display.as_deref(), Some("80.00"));
        assert_eq!(rows[2].rank, None);
        let table = ranking_table(&m, &tally);
        let lines: Vec<&str> = table.lines().collect();
        assert!(lines[0].starts_with("名次"));
        assert!(lines[1].starts_with("1 ") && lines[1].contains("乙某") && lines[1].contains("100.00"));
        assert!(lines[2].contains("80.00") && lines[2].contains("称职"));
        assert_eq!(lines.len(), 5);
    }
}
