//! The witnesses' minutes (docs/record-format.md "Minutes"): what people wrote down in the
//! hall — the host fingerprint, the code-list digest, and each tablet's fingerprint with its
//! batches and ballots — typed into a small text file and compared with a round's proof. This
//! catches what no signature can: a tablet the host invented, or a batch it never published.

use thiserror::Error;

use super::group::parse_hex;
use super::verify::RoundProofV1;
use crate::domain::signing::{digest_symbols, fingerprint};

/// First line of a minutes file.
pub const MINUTES_HEADER: &str = "pingyi-minutes 1";
/// Largest minutes file read (a hall has a few dozen tablets at most).
pub const MAX_MINUTES_BYTES: usize = 64 * 1024;

/// A tablet as the witnesses wrote it down at the end of the round.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WitnessedTablet {
    /// Canonical fingerprint, `XXXX-XXXX-XXXX-XXXX`.
    pub fingerprint: String,
    pub batches: u32,
    pub returned: u32,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Minutes {
    pub host: String,
    /// The code-list digest as people read it (absent in open mode).
    pub code_list: Option<String>,
    pub tablets: Vec<WitnessedTablet>,
    /// Paper ballots the host keyed in, as the witnesses counted them (0 when not written).
    pub paper: u32,
}

/// Why a minutes file cannot be read.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum ReadMinutesError {
    #[error("记录文件过大 — the minutes file is too large")]
    TooLarge,
    #[error("第一行应为 “{MINUTES_HEADER}” — the first line must be “{MINUTES_HEADER}”")]
    Header,
    #[error("第 {line} 行无法识别：{text} — line {line} is not understood: {text}")]
    Line { line: usize, text: String },
    #[error("记录中没有主持人指纹 — the minutes have no host fingerprint")]
    NoHost,
    #[error("平板 {0} 记录了两次 — tablet {0} is written down twice")]
    TabletTwice(String),
}

/// A fingerprint or digest as people write it: case, spaces and dashes do not matter; it must
/// be 16 symbols of the code alphabet. Written back in four groups of four.
fn canonical_symbols(text: &str) -> Option<String> {
    let kept: String = text
        .chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '-' | '–' | '—' | '_'))
        .map(|c| c.to_ascii_uppercase())
        .collect();
    let alphabet = crate::domain::code::ALPHABET;
    if kept.len() != 16 || !kept.bytes().all(|b| alphabet.contains(&b)) {
        return None;
    }
    Some(
        kept.as_bytes()
            .chunks(4)
            .map(|c| String::from_utf8_lossy(c).into_owned())
            .collect::<Vec<_>>()
            .join("-"),
    )
}

/// The code-list digest as shown to people: its first 16 symbols, four groups of four.
pub fn code_list_for_people(digest_hex: &str) -> Option<String> {
    let digest = parse_hex::<32>(digest_hex)?;
    canonical_symbols(&digest_symbols(&digest, 16))
}

impl Minutes {
    /// Reads the text format: a header line, then `host FP`, optionally `code-list DIGEST`, and
    /// one `tablet FP BATCHES BALLOTS` per tablet; `#` starts a comment.
    pub fn parse(text: &str) -> Result<Minutes, ReadMinutesError> {
        if text.len() > MAX_MINUTES_BYTES {
            return Err(ReadMinutesError::TooLarge);
        }
        let mut lines = text
            .trim_start_matches('\u{feff}')
            .lines()
            .enumerate()
            .map(|(i, l)| (i + 1, l.split('#').next().unwrap_or("").trim()))
            .filter(|(_, l)| !l.is_empty());
        match lines.next() {
            Some((_, first)) if first.split_whitespace().collect::<Vec<_>>().join(" ") == MINUTES_HEADER => {}
            _ => return Err(ReadMinutesError::Header),
        }
        let (mut host, mut code_list, mut tablets) = (None, None, Vec::<WitnessedTablet>::new());
        let mut paper = 0u32;
        for (number, line) in lines {
            let bad = || ReadMinutesError::Line {
                line: number,
                text: line.chars().take(80).collect(),
            };
            let (key, rest) = line.split_once(char::is_whitespace).ok_or_else(bad)?;
            let rest = rest.trim();
            match key.to_ascii_lowercase().as_str() {
                "host" => host = Some(canonical_symbols(rest).ok_or_else(bad)?),
                "code-list" => code_list = Some(canonical_symbols(rest).ok_or_else(bad)?),
                "paper" => paper = rest.parse().map_err(|_| bad())?,
                "tablet" => {
                    // The fingerprint may be written with spaces: the last two words are numbers.
                    let words: Vec<&str> = rest.split_whitespace().collect();
                    let [fp @ .., batches, returned] = words.as_slice() else {
                        return Err(bad());
                    };
                    let fingerprint = canonical_symbols(&fp.join("")).ok_or_else(bad)?;
                    if tablets.iter().any(|t| t.fingerprint == fingerprint) {
                        return Err(ReadMinutesError::TabletTwice(fingerprint));
                    }
                    tablets.push(WitnessedTablet {
                        fingerprint,
                        batches: batches.parse().map_err(|_| bad())?,
                        returned: returned.parse().map_err(|_| bad())?,
                    });
                }
                _ => return Err(bad()),
            }
        }
        Ok(Minutes {
            host: host.ok_or(ReadMinutesError::NoHost)?,
            code_list,
            tablets,
            paper,
        })
    }
}

/// A difference between the minutes and the published record. Ids and numbers; words for display.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum MinutesProblem {
    #[error("主持人指纹与记录不符 — the host fingerprint differs from the minutes")]
    Host,
    #[error("选票码清单摘要与记录不符 — the code-list digest differs from the minutes")]
    CodeList,
    #[error("见证人记录的平板 {0} 不在结果中 — tablet {0} of the minutes is not in the result")]
    TabletMissing(String),
    #[error(
        "见证人记录纸质选票 {witnessed} 张，结果中主持人录入 {published} 张 — the minutes say {witnessed} paper ballots, the result {published}"
    )]
    Paper { witnessed: u32, published: u32 },
    #[error("结果中的平板 {0} 不在见证人记录中 — tablet {0} of the result is not in the minutes")]
    TabletUnwitnessed(String),
    #[error(
        "平板 {tablet}：记录 {witnessed_batches} 批 {witnessed_returned} 张，结果 {batches} 批 {returned} 张 — tablet {tablet}: the minutes say {witnessed_batches} batches and {witnessed_returned} ballots, the result {batches} and {returned}"
    )]
    TabletCounts {
        tablet: String,
        witnessed_batches: u32,
        witnessed_returned: u32,
        batches: u32,
        returned: u32,
    },
}

impl MinutesProblem {
    pub fn id(&self) -> &'static str {
        match self {
            MinutesProblem::Host => "minutes_host",
            MinutesProblem::CodeList => "minutes_code_list",
            MinutesProblem::TabletMissing(_) => "minutes_tablet_missing",
            MinutesProblem::TabletUnwitnessed(_) => "minutes_tablet_unwitnessed",
            MinutesProblem::TabletCounts { .. } => "minutes_tablet_counts",
            MinutesProblem::Paper { .. } => "minutes_paper",
        }
    }
}

/// Compares the minutes with a round's proof and the host key that signed its join.
pub fn check_minutes(minutes: &Minutes, host_key: &str, proof: &RoundProofV1) -> Vec<MinutesProblem> {
    let mut problems = Vec::new();
    if fingerprint(host_key).as_deref() != Some(minutes.host.as_str()) {
        problems.push(MinutesProblem::Host);
    }
    let published = proof
        .code_list
        .as_ref()
        .and_then(|l| code_list_for_people(&l.digest));
    if minutes.code_list.is_some() && published != minutes.code_list {
        problems.push(MinutesProblem::CodeList);
    }
    // The host's own batch holds the paper ballots; the witnesses count those apart.
    let published: u32 = proof
        .batches
        .iter()
        .filter(|b| b.tablet == host_key)
        .map(|b| b.groups.iter().map(|g| g.returned).sum::<u32>())
        .sum();
    if published != minutes.paper {
        problems.push(MinutesProblem::Paper {
            witnessed: minutes.paper,
            published,
        });
    }
    let tablets: Vec<(String, u32, u32)> = proof
        .hellos
        .iter()
        .filter(|hello| hello.tablet != host_key)
        .map(|hello| {
            let mine = proof.batches.iter().filter(|b| b.tablet == hello.tablet);
            let (batches, returned) = mine.fold((0u32, 0u32), |(n, r), b| {
                (n + 1, r + b.groups.iter().map(|g| g.returned).sum::<u32>())
            });
            (fingerprint(&hello.tablet).unwrap_or_default(), batches, returned)
        })
        .collect();
    for witnessed in &minutes.tablets {
        match tablets.iter().find(|(fp, ..)| *fp == witnessed.fingerprint) {
            None => problems.push(MinutesProblem::TabletMissing(witnessed.fingerprint.clone())),
            Some(&(_, batches, returned))
                if (batches, returned) != (witnessed.batches, witnessed.returned) =>
            {
                problems.push(MinutesProblem::TabletCounts {
                    tablet: witnessed.fingerprint.clone(),
                    witnessed_batches: witnessed.batches,
                    witnessed_returned: witnessed.returned,
                    batches,
                    returned,
                })
            }
            Some(_) => {}
        }
    }
    for (fp, ..) in &tablets {
        if !minutes.tablets.iter().any(|t| t.fingerprint == *fp) {
            problems.push(MinutesProblem::TabletUnwitnessed(fp.clone()));
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minutes_are_read_as_people_write_them() {
        let text = "\u{feff}# 现场记录\npingyi-minutes  1\nHOST js6k wwxu fu9n ups7\ncode-list ABCD-EFGH-JKLM-NPQR # read from the board\n\ntablet K7QX M4RT 9ABC DEFG  2 5\n";
        let minutes = Minutes::parse(text).unwrap();
        assert_eq!(minutes.host, "JS6K-WWXU-FU9N-UPS7");
        assert_eq!(minutes.code_list.as_deref(), Some("ABCD-EFGH-JKLM-NPQR"));
        assert_eq!(
            minutes.tablets,
            vec![WitnessedTablet {
                fingerprint: "K7QX-M4RT-9ABC-DEFG".into(),
                batches: 2,
                returned: 5
            }]
        );
    }

    #[test]
    fn malformed_minutes_are_refused_with_the_line() {
        let cases = [
            ("host JS6K", ReadMinutesError::Header),
            (
                "pingyi-minutes 1\ntablet K7QX-M4RT-9ABC-DEFG 2 5",
                ReadMinutesError::NoHost,
            ),
            (
                "pingyi-minutes 1\nhost JS6K-WWXU-FU9N-UPS0",
                ReadMinutesError::Line {
                    line: 2,
                    text: "host JS6K-WWXU-FU9N-UPS0".into(),
                },
            ),
            (
                "pingyi-minutes 1\nhost JS6K-WWXU-FU9N-UPS7\ntablet K7QX-M4RT-9ABC-DEFG two 5",
                ReadMinutesError::Line {
                    line: 3,
                    text: "tablet K7QX-M4RT-9ABC-DEFG two 5".into(),
                },
            ),
            (
                "pingyi-minutes 1\nhost JS6K-WWXU-FU9N-UPS7\ntablet K7QX-M4RT-9ABC-DEFG 1 1\ntablet k7qx m4rt 9abc defg 1 1",
                ReadMinutesError::TabletTwice("K7QX-M4RT-9ABC-DEFG".into()),
            ),
        ];
        for (text, expected) in cases {
            assert_eq!(Minutes::parse(text), Err(expected), "{text}");
        }
    }
}
