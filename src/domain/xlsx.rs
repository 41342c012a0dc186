//! The 测评结果汇总表 as an .xlsx workbook (rust_xlsxwriter): five sheets laid out from a
//! [`Summary`] — 汇总, 分项, 分类别, 清点, 说明 (Summary, Aspects, Groups, Turnout, Notes in
//! English) — print-ready on A4 landscape with frozen and repeated header rows, the meeting in
//! the page header and page numbers in the footer. Every figure is a typed number cell with a
//! number format, never text; the figures themselves come from the summary, not from here.

use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Workbook, Worksheet, XlsxError};

use super::summary::Summary;

/// Rows above the data on every sheet: the title, the meeting line, the column headers.
pub const HEADER_ROWS: u32 = 3;

/// The sheet names, in order.
pub fn sheet_names(english: bool) -> [&'static str; 5] {
    if english {
        ["Summary", "Aspects", "Groups", "Turnout", "Notes"]
    } else {
        ["汇总", "分项", "分类别", "清点", "说明"]
    }
}

struct Formats {
    title: Format,
    header: Format,
    text: Format,
    wrap: Format,
    integer: Format,
    score: Format,
    percent: Format,
    share: Format,
}

impl Formats {
    fn new() -> Formats {
        let cell = || Format::new().set_border(FormatBorder::Thin).set_font_size(10);
        Formats {
            title: Format::new()
                .set_bold()
                .set_font_size(14)
                .set_align(FormatAlign::Left),
            header: cell()
                .set_bold()
                .set_text_wrap()
                .set_align(FormatAlign::Center)
                .set_align(FormatAlign::VerticalCenter),
            text: cell(),
            wrap: cell().set_text_wrap().set_align(FormatAlign::Top),
            integer: cell().set_num_format("0"),
            score: cell().set_num_format("0.00"),
            percent: cell().set_num_format("0.00%"),
            share: cell().set_num_format("0.0%"),
        }
    }
}

/// Header and footer codes treat `&` as a command: a literal one is doubled.
fn header_text(text: &str) -> String {
    text.replace('&', "&&")
}

/// One sheet's frame: name, print setup, title and meeting lines, column headers and widths.
fn frame(
    sheet: &mut Worksheet,
    name: &str,
    summary: &Summary,
    heading: &str,
    columns: &[(String, f64)],
    f: &Formats,
) -> Result<(), XlsxError> {
    sheet.set_name(name)?;
    sheet
        .set_paper_size(9)
        .set_landscape()
        .set_print_fit_to_pages(1, 0)
        .set_print_center_horizontally(true);
    let meeting = [&summary.title, &summary.date, &summary.place]
        .into_iter()
        .filter(|t| !t.is_empty())
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join(" ");
    sheet.set_header(format!("&L{}&R{}", header_text(&meeting), header_text(heading)));
    sheet.set_footer(if summary.english {
        "&CPage &P of &N"
    } else {
        "&C第 &P 页，共 &N 页"
    });
    sheet.write_string_with_format(0, 0, format!("{} — {heading}", summary.title), &f.title)?;
    let line = [summary.date.clone(), summary.place.clone(), summary.verdict()]
        .into_iter()
        .filter(|t| !t.is_empty())
        .collect::<Vec<_>>()
        .join(" · ");
    sheet.write_string(1, 0, line)?;
    for (c, (title, width)) in columns.iter().enumerate() {
        sheet.write_string_with_format(2, c as u16, title, &f.header)?;
        sheet.set_column_width(c as u16, *width)?;
    }
    sheet.set_freeze_panes(HEADER_ROWS, 0)?;
    sheet.set_repeat_rows(0, HEADER_ROWS - 1)?;
    Ok(())
}

fn number(
    sheet: &mut Worksheet,
    row: u32,
    col: u16,
    value: Option<f64>,
    format: &Format,
    blank: &Format,
) -> Result<(), XlsxError> {
    match value {
        Some(v) => sheet.write_number_with_format(row, col, v, format)?,
        None => sheet.write_blank(row, col, blank)?,
    };
    Ok(())
}

/// One grade count per column from `first`, a blank cell where the count is not published.
fn counts(
    sheet: &mut Worksheet,
    row: u32,
    first: u16,
    counts: &[u32],
    grades: usize,
    f: &Formats,
) -> Result<(), XlsxError> {
    for k in 0..grades {
        number(
            sheet,
            row,
            first + k as u16,
            counts.get(k).map(|&c| f64::from(c)),
            &f.integer,
            &f.text,
        )?;
    }
    Ok(())
}

/// The workbook's bytes.
pub fn summary_xlsx(summary: &Summary) -> Result<Vec<u8>, XlsxError> {
    let en = summary.english;
    let t = |zh: &str, english: &str| if en { english } else { zh }.to_owned();
    let names = sheet_names(en);
    let f = Formats::new();
    let mut book = Workbook::new();
    let hundredths = |v: Option<i64>| v.map(|x| x as f64 / 100.0);

    // 汇总: the ranking with the overall aspect's counts and shares.
    {
        let sheet = book.add_worksheet();
        let mut columns = vec![
            (t("名次", "Rank"), 6.0),
            (t("姓名", "Name"), 10.0),
            (t("单位", "Unit"), 18.0),
            (t("乡镇", "Township"), 10.0),
            (t("得分", "Score"), 8.0),
            (t("满意率", "Satisfaction"), 9.0),
            (t("等次", "Level"), 10.0),
            (t("计算等次（调整前）", "Computed level (before override)"), 12.0),
            (t("去掉最高最低分", "Trimmed"), 8.0),
        ];
        for g in &summary.grades {
            columns.push((
                if en {
                    format!("{g} votes")
                } else {
                    format!("{g} 票数")
                },
                7.0,
            ));
            columns.push((
                if en {
                    format!("{g} share")
                } else {
                    format!("{g} 占比")
                },
                7.0,
            ));
        }
        frame(
            sheet,
            names[0],
            summary,
            &t("测评结果汇总表", "Summary of the rating"),
            &columns,
            &f,
        )?;
        for (i, row) in summary.rows.iter().enumerate() {
            let r = HEADER_ROWS + i as u32;
            number(sheet, r, 0, row.rank.map(f64::from), &f.integer, &f.text)?;
            sheet.write_string_with_format(r, 1, &row.name, &f.text)?;
            sheet.write_string_with_format(r, 2, &row.unit, &f.text)?;
            sheet.write_string_with_format(r, 3, &row.township, &f.text)?;
            number(sheet, r, 4, hundredths(row.score_hundredths), &f.score, &f.text)?;
            number(
                sheet,
                r,
                5,
                row.satisfaction_basis_points.map(|x| x as f64 / 10_000.0),
                &f.percent,
                &f.text,
            )?;
            let level = match (&row.level, row.withheld) {
                (Some(level), _) => level.clone(),
                (None, true) => t("评议人数不足", "too few raters"),
                (None, false) => String::new(),
            };
            sheet.write_string_with_format(r, 6, level, &f.text)?;
            sheet.write_string_with_format(r, 7, row.computed_level.clone().unwrap_or_default(), &f.text)?;
            sheet.write_string_with_format(
                r,
                8,
                if row.trimmed {
                    t("是", "yes")
                } else {
                    String::new()
                },
                &f.text,
            )?;
            for k in 0..summary.grades.len() {
                let col = 9 + 2 * k as u16;
                number(
                    sheet,
                    r,
                    col,
                    row.overall_counts.get(k).map(|&c| f64::from(c)),
                    &f.integer,
                    &f.text,
                )?;
                number(
                    sheet,
                    r,
                    col + 1,
                    row.overall_tenths.get(k).map(|&s| f64::from(s) / 1000.0),
                    &f.share,
                    &f.text,
                )?;
            }
        }
    }

    // 分项: presenter × aspect.
    {
        let sheet = book.add_worksheet();
        let mut columns = vec![
            (t("姓名", "Name"), 10.0),
            (t("测评项目", "Aspect"), 22.0),
            (t("项目得分", "Aspect score"), 9.0),
        ];
        for g in &summary.grades {
            columns.push((
                if en {
                    format!("{g} votes")
                } else {
                    format!("{g} 票数")
                },
                8.0,
            ));
        }
        frame(
            sheet,
            names[1],
            summary,
            &t("分项得分", "Scores per aspect"),
            &columns,
            &f,
        )?;
        for (i, row) in summary.aspects.iter().enumerate() {
            let r = HEADER_ROWS + i as u32;
            sheet.write_string_with_format(r, 0, &row.name, &f.text)?;
            sheet.write_string_with_format(r, 1, &row.aspect, &f.text)?;
            number(sheet, r, 2, hundredths(row.score_hundredths), &f.score, &f.text)?;
            counts(sheet, r, 3, &row.counts, summary.grades.len(), &f)?;
        }
    }

    // 分类别: per published cell (small groups pooled; rules.md §4a).
    {
        let sheet = book.add_worksheet();
        let mut columns = vec![
            (t("姓名", "Name"), 10.0),
            (
                t(
                    "评议人类别（人数不足的已合并）",
                    "Rater group (small ones pooled)",
                ),
                26.0,
            ),
            (t("评分人数", "Graders"), 8.0),
            (t("类别得分", "Group score"), 9.0),
        ];
        for g in &summary.grades {
            columns.push((
                if en {
                    format!("{g} votes (overall)")
                } else {
                    format!("总体评价 {g}")
                },
                8.0,
            ));
        }
        frame(
            sheet,
            names[2],
            summary,
            &t("分类别统计", "Per rater group"),
            &columns,
            &f,
        )?;
        for (i, row) in summary.cells.iter().enumerate() {
            let r = HEADER_ROWS + i as u32;
            sheet.write_string_with_format(r, 0, &row.name, &f.text)?;
            sheet.write_string_with_format(r, 1, &row.groups, &f.text)?;
            sheet.write_number_with_format(r, 2, f64::from(row.graders), &f.integer)?;
            number(sheet, r, 3, hundredths(row.score_hundredths), &f.score, &f.text)?;
            counts(sheet, r, 4, &row.overall_counts, summary.grades.len(), &f)?;
        }
    }

    // 清点: turnout per group and the verdict.
    {
        let sheet = book.add_worksheet();
        let columns = vec![
            (t("类别", "Group"), 22.0),
            (t("应到", "Due"), 8.0),
            (t("实到", "Present"), 8.0),
            (t("发出票码", "Codes issued"), 9.0),
            (t("收回", "Returned"), 8.0),
            (t("剔除", "Excluded"), 8.0),
            (t("有效", "Counted"), 8.0),
            (t("其中空白票", "Of them blank"), 9.0),
        ];
        frame(sheet, names[3], summary, &t("清点", "Turnout"), &columns, &f)?;
        for (i, row) in summary.turnout.iter().enumerate() {
            let r = HEADER_ROWS + i as u32;
            sheet.write_string_with_format(r, 0, &row.group, &f.text)?;
            let cells = [
                Some(row.expected),
                row.present,
                row.codes_issued,
                Some(row.returned),
                Some(row.excluded),
                Some(row.counted),
                Some(row.blank),
            ];
            for (c, value) in cells.into_iter().enumerate() {
                number(sheet, r, 1 + c as u16, value.map(f64::from), &f.integer, &f.text)?;
            }
        }
        let mut r = HEADER_ROWS + summary.turnout.len() as u32 + 1;
        sheet.write_string_with_format(r, 0, summary.verdict(), &f.title)?;
        for problem in &summary.problems {
            r += 1;
            sheet.write_string(r, 0, problem)?;
        }
    }

    // 说明: the rules and the meeting's facts in words.
    {
        let sheet = book.add_worksheet();
        let columns = vec![(t("项目", "Item"), 16.0), (t("说明", "Explanation"), 110.0)];
        frame(
            sheet,
            names[4],
            summary,
            &t("计分规则说明", "How the figures are computed"),
            &columns,
            &f,
        )?;
        for (i, (label, text)) in summary.notes.iter().enumerate() {
            let r = HEADER_ROWS + i as u32;
            sheet.write_string_with_format(r, 0, label, &f.wrap)?;
            sheet.write_string_with_format(r, 1, text, &f.wrap)?;
        }
    }
    book.save_to_buffer()
}
