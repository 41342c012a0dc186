//! The publicly verifiable draw of presenters for the plenary (大会述职), exactly as RFC 3797
//! section 4 specifies it, so that anyone with the published numbered pool and the public
//! random numbers can redo it with any RFC 3797 tool.
//!
//! Key string: each source's numbers sorted ascending, each written in decimal without
//! leading zeros and followed by ".", each source followed by "/". For i = 0, 1, … the value
//! MD5(i as 2 bytes big-endian ‖ key string ‖ i as 2 bytes) read as a 128-bit big-endian
//! integer, modulo the number of remaining candidates, picks (0-based) from the remaining pool
//! in its original order; the pick is removed.

use md5::{Digest, Md5};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use thiserror::Error;

use super::meeting::Meeting;

/// RFC 3797 counts with a 2-byte index, so at most 65 536 picks.
pub const MAX_POOL: usize = 65_536;

/// One public source of randomness as announced: its numbers, already normalised (no
/// leading zeros) but in the order they were read out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DrawSource {
    numbers: Vec<String>,
}

/// Why a draw cannot be made from the given input.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum DrawError {
    #[error("抽签名单为空 — the pool is empty")]
    EmptyPool,
    #[error("名单超过 {MAX_POOL} 人 — the pool has more than {MAX_POOL} names")]
    PoolTooLarge,
    #[error("抽取人数须至少为 1 — the number to draw must be at least 1")]
    ZeroCount,
    #[error("要抽取 {count} 人，但名单只有 {pool} 人 — cannot draw {count} from a pool of {pool}")]
    CountTooLarge { count: usize, pool: usize },
    #[error("没有随机数来源 — no source of random numbers was given")]
    NoSources,
    #[error("第 {number} 个随机数来源为空 — source no. {number} has no numbers")]
    EmptySource { number: usize },
    #[error(
        "第 {number} 个随机数来源中的 “{token}” 不是非负整数 — “{token}” in source no. {number} is not a whole number"
    )]
    NotANumber { number: usize, token: String },
}

impl DrawSource {
    /// Reads the numbers of one source separated by spaces, commas (also 、and ，) or
    /// semicolons; `number` is the 1-based source position used in messages.
    pub fn parse(text: &str, number: usize) -> Result<DrawSource, DrawError> {
        let is_separator = |c: char| c.is_whitespace() || matches!(c, ',' | '，' | '、' | ';' | '；');
        let mut numbers = Vec::new();
        for token in text.split(is_separator).filter(|t| !t.is_empty()) {
            if !token.bytes().all(|b| b.is_ascii_digit()) {
                return Err(DrawError::NotANumber {
                    number,
                    token: token.to_owned(),
                });
            }
            let trimmed = token.trim_start_matches('0');
            numbers.push(if trimmed.is_empty() { "0" } else { trimmed }.to_owned());
        }
        if numbers.is_empty() {
            return Err(DrawError::EmptySource { number });
        }
        Ok(DrawSource { numbers })
    }

    /// The numbers as announced, separated by single spaces.
    pub fn to_text(&self) -> String {
        self.numbers.join(" ")
    }

    /// This source's part of the key string: sorted ascending, each number then ".", then "/".
    fn key_part(&self) -> String {
        let mut sorted: Vec<&String> = self.numbers.iter().collect();
        // Numbers without leading zeros compare numerically by (length, digits).
        sorted.sort_by(|a, b| a.len().cmp(&b.len()).then_with(|| a.cmp(b)));
        let mut part = String::new();
        for n in sorted {
            part.push_str(n);
            part.push('.');
        }
        part.push('/');
        part
    }
}

/// Parses every source; at least one is needed.
pub fn parse_sources<S: AsRef<str>>(texts: &[S]) -> Result<Vec<DrawSource>, DrawError> {
    if texts.is_empty() {
        return Err(DrawError::NoSources);
    }
    texts
        .iter()
        .enumerate()
        .map(|(i, t)| DrawSource::parse(t.as_ref(), i + 1))
        .collect()
}

/// The RFC 3797 key string of the sources, e.g. "9319./2.5.8.10.12./9.18.26.34.41.45./".
pub fn key_string(sources: &[DrawSource]) -> String {
    sources.iter().map(DrawSource::key_part).collect()
}

/// One step of the draw, for showing the procedure on the projector line by line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DrawStep {
    /// i, the 0-based step.
    pub index: usize,
    /// MD5 value in upper-case hex, as printed in RFC 3797.
    pub md5_hex: String,
    /// Number of candidates still in the pool before this step.
    pub remaining: usize,
    /// The value modulo `remaining`: 0-based position in the remaining pool.
    pub position: usize,
    /// The picked candidate, as a 0-based index into the original pool.
    pub picked: usize,
}

/// Runs the RFC 3797 selection of `count` out of `pool_len` and returns every step.
pub fn select(pool_len: usize, count: usize, key: &str) -> Result<Vec<DrawStep>, DrawError> {
    if pool_len == 0 {
        return Err(DrawError::EmptyPool);
    }
    if pool_len > MAX_POOL {
        return Err(DrawError::PoolTooLarge);
    }
    if count == 0 {
        return Err(DrawError::ZeroCount);
    }
    if count > pool_len {
        return Err(DrawError::CountTooLarge {
            count,
            pool: pool_len,
        });
    }
    let mut remaining: Vec<usize> = (0..pool_len).collect();
    let mut steps = Vec::with_capacity(count);
    for index in 0..count {
        // count ≤ pool_len ≤ 65 536, so index fits in two bytes.
        let prefix = u16::try_from(index).unwrap_or(u16::MAX).to_be_bytes();
        let mut hasher = Md5::new();
        hasher.update(prefix);
        hasher.update(key.as_bytes());
        hasher.update(prefix);
        let digest: [u8; 16] = hasher.finalize().into();
        let value = u128::from_be_bytes(digest);
        let position = (value % remaining.len() as u128) as usize;
        let picked = remaining.remove(position);
        steps.push(DrawStep {
            index,
            md5_hex: digest.iter().map(|b| format!("{b:02X}")).collect(),
            remaining: remaining.len() + 1,
            position,
            picked,
        });
    }
    Ok(steps)
}

/// SHA-256 (lower-case hex) of the published numbered pool: one line per candidate,
/// "number<TAB>name<LF>", numbers from 1. Pins the exact list the draw ran on.
pub fn pool_digest<S: AsRef<str>>(names: &[S]) -> String {
    let mut hasher = Sha256::new();
    for (i, name) in names.iter().enumerate() {
        hasher.update(format!("{}\t{}\n", i + 1, name.as_ref()).as_bytes());
    }
    hasher.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// A draw that was made (or re-made and checked) on a meeting's presenters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DrawRecord {
    pub sources: Vec<DrawSource>,
    pub key_string: String,
    pub pool_digest: String,
    /// Selected presenters as indices into the meeting's presenters, in draw order.
    pub selected: Vec<usize>,
}

/// The draw as stored in the meeting file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DrawRecordV1 {
    /// Each source's numbers as announced, separated by spaces.
    pub sources: Vec<String>,
    pub key_string: String,
    pub pool_digest: String,
    /// Ids of the selected presenters, in draw order.
    pub selected: Vec<String>,
}

/// Why a stored draw does not match what the procedure gives.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum VerifyDrawError {
    #[error("{0}")]
    Input(#[from] DrawError),
    #[error("密钥串与随机数来源不符 — the key string does not match the sources")]
    KeyStringMismatch,
    #[error("名单摘要与述职人员名单不符 — the pool digest does not match the presenter list")]
    PoolDigestMismatch,
    #[error("抽中人员与按规程重算的结果不符 — the selection differs from the one the procedure gives")]
    SelectionMismatch,
}

impl DrawRecord {
    /// Draws `count` presenters of `meeting` from `sources`.
    pub fn make(meeting: &Meeting, sources: Vec<DrawSource>, count: usize) -> Result<DrawRecord, DrawError> {
        if sources.is_empty() {
            return Err(DrawError::NoSources);
        }
        let names: Vec<&str> = meeting.presenters().iter().map(|p| p.name.as_str()).collect();
        let key = key_string(&sources);
        let steps = select(names.len(), count, &key)?;
        Ok(DrawRecord {
            sources,
            pool_digest: pool_digest(&names),
            key_string: key,
            selected: steps.iter().map(|s| s.picked).collect(),
        })
    }

    /// Re-runs a stored draw on `meeting` and accepts it only if every part matches.
    pub fn verify(stored: DrawRecordV1, meeting: &Meeting) -> Result<DrawRecord, VerifyDrawError> {
        let sources = parse_sources(&stored.sources)?;
        let redone = DrawRecord::make(meeting, sources, stored.selected.len())?;
        if redone.key_string != stored.key_string {
            return Err(VerifyDrawError::KeyStringMismatch);
        }
        if redone.pool_digest != stored.pool_digest {
            return Err(VerifyDrawError::PoolDigestMismatch);
        }
        let ids: Vec<&str> = redone
            .selected
            .iter()
            .map(|&i| meeting.presenters()[i].id.as_str())
            .collect();
        if ids != stored.selected {
            return Err(VerifyDrawError::SelectionMismatch);
        }
        Ok(redone)
    }

    /// Every step of this draw, recomputed from the key string, for display.
    pub fn steps(&self, pool_len: usize) -> Vec<DrawStep> {
        select(pool_len, self.selected.len(), &self.key_string).unwrap_or_default()
    }
}

impl DrawRecordV1 {
    /// The stored form of `record` on `meeting` (the selection is written as presenter ids).
    pub fn of(record: &DrawRecord, meeting: &Meeting) -> DrawRecordV1 {
        DrawRecordV1 {
            sources: record.sources.iter().map(DrawSource::to_text).collect(),
            key_string: record.key_string.clone(),
            pool_digest: record.pool_digest.clone(),
            selected: record
                .selected
                .iter()
                .map(|&i| meeting.presenters()[i].id.clone())
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 3797 section 6: 25 volunteers, three sources, the ten selected by number.
    #[test]
    fn reproduces_the_rfc_3797_worked_example() {
        let sources = parse_sources(&["9319", "2 5 12 8 10", "9 18 26 34 41 45"]).unwrap();
        let key = key_string(&sources);
        assert_eq!(key, "9319./2.5.8.10.12./9.18.26.34.41.45./");
        let steps = select(25, 10, &key).unwrap();
        assert_eq!(steps[0].md5_hex, "990DD0A5692A029A98B5E01AA28F3459");
        assert_eq!(steps[1].md5_hex, "3691E55CB63FCC37914430B2F70B5EC6");
        assert_eq!(steps[2].md5_hex, "FE814EDF564C190AC1D25753979990FA");
        let numbers: Vec<usize> = steps.iter().map(|s| s.picked + 1).collect();
        assert_eq!(numbers, [17, 7, 2, 16, 25, 23, 8, 24, 19, 13]);
    }

    #[test]
    fn an_eleventh_pick_continues_the_same_sequence() {
        let key = "9319./2.5.8.10.12./9.18.26.34.41.45./";
        let numbers: Vec<usize> = select(25, 11, key)
            .unwrap()
            .iter()
            .map(|s| s.picked + 1)
            .collect();
        assert_eq!(numbers, [17, 7, 2, 16, 25, 23, 8, 24, 19, 13, 22]);
    }

    #[test]
    fn leading_zeros_and_separators_do_not_change_the_key() {
        let a = parse_sources(&["07 3，12、005"]).unwrap();
        assert_eq!(key_string(&a), "3.5.7.12./");
    }

    #[test]
    fn bad_input_is_refused_with_the_reason() {
        assert_eq!(
            DrawSource::parse("12 x3", 2),
            Err(DrawError::NotANumber {
                number: 2,
                token: "x3".into()
            })
        );
        assert_eq!(
            DrawSource::parse("  ", 1),
            Err(DrawError::EmptySource { number: 1 })
        );
        assert_eq!(select(0, 1, "1./"), Err(DrawError::EmptyPool));
        assert_eq!(
            select(3, 4, "1./"),
            Err(DrawError::CountTooLarge { count: 4, pool: 3 })
        );
        assert_eq!(select(3, 0, "1./"), Err(DrawError::ZeroCount));
        assert_eq!(parse_sources::<&str>(&[]), Err(DrawError::NoSources));
    }

    #[test]
    fn the_same_sources_always_give_the_same_draw() {
        let key = key_string(&parse_sources(&["1 2 3", "44"]).unwrap());
        assert_eq!(select(40, 15, &key), select(40, 15, &key));
    }

    #[test]
    fn pool_digest_pins_names_and_their_order() {
        assert_ne!(pool_digest(&["甲", "乙"]), pool_digest(&["乙", "甲"]));
        assert_eq!(
            pool_digest(&["甲", "乙"]),
            pool_digest(&["甲".to_string(), "乙".to_string()])
        );
    }
}
