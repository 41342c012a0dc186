//! Tables as text for office software: the presenter list pasted from Excel / WPS (tab- or
//! comma-separated) and the tally exported as CSV that Excel and WPS open correctly (UTF-8
//! with BOM, formula-like cells neutralised).

use thiserror::Error;

use super::level::{Level, LevelNames};
use super::meeting::{MAX_PRESENTERS, MAX_TEXT_CHARS, Meeting, PresenterV1};
use super::report::RankingRowV1;

/// A problem in one line of a pasted presenter list.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum RosterError {
    #[error("第 {line} 行没有姓名 — line {line} has no name")]
    NoName { line: usize },
    #[error(
        "第 {line} 行的内容过长（每格最多 {MAX_TEXT_CHARS} 字）— line {line} has a cell longer than {MAX_TEXT_CHARS} characters"
    )]
    TooLong { line: usize },
    #[error("第 {line} 行无法读取：{detail} — line {line} cannot be read: {detail}")]
    Unreadable { line: usize, detail: String },
    #[error("名单超过 {MAX_PRESENTERS} 人 — the list has more than {MAX_PRESENTERS} people")]
    TooMany,
    #[error("名单是空的 — the list is empty")]
    Empty,
}

const HEADER_NAMES: [&str; 4] = ["姓名", "name", "述职人", "述职人员"];

/// Reads a pasted list: one presenter per line as name, unit, township — separated by tabs
/// (a paste from Excel / WPS) or commas. A header row starting with 姓名 / name is skipped;
/// empty lines are ignored. Ids are P001, P002, … in list order.
pub fn parse_roster(text: &str) -> Result<Vec<PresenterV1>, Vec<RosterError>> {
    let delimiter = if text.contains('\t') { b'\t' } else { b',' };
    let text = text.trim_start_matches('\u{feff}');
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .delimiter(delimiter)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let mut presenters = Vec::new();
    let mut errors = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let line = record
            .as_ref()
            .ok()
            .and_then(|r| r.position())
            .map_or(i + 1, |p| p.line() as usize);
        let record = match record {
            Ok(record) => record,
            Err(e) => {
                errors.push(RosterError::Unreadable {
                    line,
                    detail: e.to_string(),
                });
                continue;
            }
        };
        let cells: Vec<&str> = record.iter().collect();
        if cells.iter().all(|c| c.is_empty()) {
            continue;
        }
        let name = cells.first().copied().unwrap_or("");
        if presenters.is_empty()
            && errors.is_empty()
            && HEADER_NAMES.iter().any(|h| name.eq_ignore_ascii_case(h))
        {
            continue;
        }
        if name.is_empty() {
            errors.push(RosterError::NoName { line });
            continue;
        }
        if cells.iter().any(|c| c.chars().count() > MAX_TEXT_CHARS) {
            errors.push(RosterError::TooLong { line });
            continue;
        }
        presenters.push(PresenterV1 {
            id: format!("P{:03}", presenters.len() + 1),
            name: name.to_owned(),
            unit: cells.get(1).copied().unwrap_or("").to_owned(),
            township: cells.get(2).copied().unwrap_or("").to_owned(),
        });
    }
    if presenters.len() > MAX_PRESENTERS {
        errors.push(RosterError::TooMany);
    }
    if presenters.is_empty() && errors.is_empty() {
        errors.push(RosterError::Empty);
    }
    if errors.is_empty() {
        Ok(presenters)
    } else {
        Err(errors)
    }
}

/// The presenter list as tab-separated text, the form [`parse_roster`] reads back.
pub fn roster_text(presenters: &[PresenterV1]) -> String {
    presenters
        .iter()
        .map(|p| format!("{}\t{}\t{}\n", p.name, p.unit, p.township))
        .collect()
}

/// A cell that a spreadsheet would run as a formula gets a leading apostrophe, so it shows as
/// text (OWASP "CSV injection").
pub fn neutralise_cell(cell: &str) -> String {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{cell}"),
        _ => cell.to_owned(),
    }
}

/// Column headers of the tally CSV, in one language.
pub struct CsvHeaders<'a> {
    pub rank: &'a str,
    pub name: &'a str,
    pub unit: &'a str,
    pub township: &'a str,
    pub score: &'a str,
    pub satisfaction: &'a str,
    pub level: &'a str,
    pub recused: &'a str,
    pub abstained: &'a str,
    /// A level id in words, in the meeting's name set.
    pub level_name: fn(LevelNames, &str) -> String,
}

impl CsvHeaders<'static> {
    /// The Chinese headers (the default report language).
    pub fn chinese() -> CsvHeaders<'static> {
        CsvHeaders {
            rank: "名次",
            name: "姓名",
            unit: "单位",
            township: "乡镇",
            score: "得分",
            satisfaction: "满意率",
            level: "等次",
            recused: "回避",
            abstained: "弃权",
            level_name: |names, id| Level::parse(id).map_or(String::new(), |l| names.name_zh(l).to_owned()),
        }
    }

    /// The English headers, when the host works in English.
    pub fn english() -> CsvHeaders<'static> {
        CsvHeaders {
            rank: "Rank",
            name: "Name",
            unit: "Unit",
            township: "Township",
            score: "Score",
            satisfaction: "Satisfaction",
            level: "Level",
            recused: "Recused",
            abstained: "Abstained",
            level_name: |names, id| Level::parse(id).map_or(String::new(), |l| names.name_en(l).to_owned()),
        }
    }
}

/// The ranking as CSV: UTF-8 with BOM (Excel and WPS then read Chinese correctly), CRLF line
/// ends, one row per presenter in ranking order, counts of each grade on the overall aspect.
/// The host passes the rows with the levels that stand (overrides applied).
pub fn tally_csv(meeting: &Meeting, ranking: Vec<RankingRowV1>, headers: &CsvHeaders<'_>) -> String {
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    let mut head = vec![
        headers.rank.to_owned(),
        headers.name.to_owned(),
        headers.unit.to_owned(),
        headers.township.to_owned(),
        headers.score.to_owned(),
        headers.satisfaction.to_owned(),
        headers.level.to_owned(),
    ];
    head.extend(meeting.grades().iter().map(|g| g.name.clone()));
    head.push(headers.recused.to_owned());
    head.push(headers.abstained.to_owned());
    let mut rows = vec![head];
    for row in ranking {
        let mut cells = vec![
            row.rank.map(|r| r.to_string()).unwrap_or_default(),
            row.name,
            row.unit,
            row.township,
            row.score_display.unwrap_or_default(),
            row.satisfaction_display.unwrap_or_default(),
            row.level
                .as_deref()
                .map(|id| (headers.level_name)(meeting.rules().names, id))
                .unwrap_or_default(),
        ];
        cells.extend(row.overall_counts.iter().map(u32::to_string));
        cells.push(row.recused.to_string());
        cells.push(row.abstained.to_string());
        rows.push(cells);
    }
    for row in rows {
        let cells: Vec<String> = row.iter().map(|c| neutralise_cell(c)).collect();
        if writer.write_record(&cells).is_err() {
            break;
        }
    }
    let bytes = writer.into_inner().unwrap_or_default();
    format!("\u{feff}{}", String::from_utf8_lossy(&bytes))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ballot::{BallotDraft, Credential};
    use crate::domain::demo::small_meeting;
    use crate::domain::report::ranking_rows;
    use crate::domain::tally::Tally;

    #[test]
    fn reads_a_paste_from_excel_with_a_header_and_blank_lines() {
        let text = "姓名\t单位\t乡镇\n王建国\t东岗村\t城关镇\n\n李海燕\t西沟村\t石桥镇\n张志强\n";
        let list = parse_roster(text).unwrap();
        assert_eq!(list.len(), 3);
        assert_eq!(list[1].id, "P002");
        assert_eq!(list[1].unit, "西沟村");
        assert_eq!(list[2].township, "");
        assert_eq!(parse_roster(&roster_text(&list)).unwrap(), list);
    }

    #[test]
    fn reads_comma_separated_text_with_quotes() {
        let list = parse_roster("王建国,\"东岗村,一组\",城关镇 \r\n李海燕,西沟村,石桥镇").unwrap();
        assert_eq!(list[0].unit, "东岗村,一组");
        assert_eq!(list.len(), 2);
    }

    #[test]
    fn names_every_bad_line() {
        let long = "长".repeat(MAX_TEXT_CHARS + 1);
        let errors = parse_roster(&format!("王建国\n\t东岗村\n{long}\n")).unwrap_err();
        assert_eq!(
            errors,
            vec![RosterError::NoName { line: 2 }, RosterError::TooLong { line: 3 }]
        );
        assert_eq!(parse_roster(" \n\n").unwrap_err(), vec![RosterError::Empty]);
        let many: String = (0..=MAX_PRESENTERS).map(|i| format!("人{i}\n")).collect();
        assert_eq!(parse_roster(&many).unwrap_err(), vec![RosterError::TooMany]);
    }

    #[test]
    fn formula_cells_are_neutralised() {
        assert_eq!(neutralise_cell("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(neutralise_cell("+1"), "'+1");
        assert_eq!(neutralise_cell("-1"), "'-1");
        assert_eq!(neutralise_cell("@SUM"), "'@SUM");
        assert_eq!(neutralise_cell("王建国"), "王建国");
    }

    #[test]
    fn the_csv_has_a_bom_crlf_and_one_row_per_presenter() {
        let meeting = small_meeting("open");
        let mut d = BallotDraft::new(&meeting, Credential::Group(0));
        for p in 0..4 {
            d.fill_presenter(p, (p % 4) as u8);
        }
        let tally = Tally::count(&meeting, &[d.finish().unwrap()]);
        let headers = CsvHeaders::chinese();
        let csv = tally_csv(&meeting, ranking_rows(&meeting, &tally), &headers);
        assert!(
            csv.starts_with("\u{feff}名次,姓名,单位,乡镇,得分,满意率,等次,好,较好,一般,差,回避,弃权\r\n")
        );
        let lines: Vec<&str> = csv.trim_end().split("\r\n").collect();
        assert_eq!(lines.len(), 5);
        assert!(
            lines[1].starts_with("1,甲某,甲村,城关镇,100.00,100.00%,"),
            "{}",
            lines[1]
        );
    }
}
