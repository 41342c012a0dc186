//! One-time ballot codes (选票码): short, typeable, self-checking, unforgeable without the
//! meeting secret.
//!
//! A code is 9 symbols from a 32-symbol alphabet without 0, O, 1 and I, shown as
//! `GSS-STT-TTC`-style groups of three:
//!
//! | symbols | meaning |
//! |---|---|
//! | 1 | the rater group (index into the meeting's groups) |
//! | 2–4 | serial, pseudo-random from the meeting secret (15 bits) |
//! | 5–8 | tag: HMAC-SHA-256(secret, meeting id, group, serial), 20 bits |
//! | 9 | check symbol (Damm scheme over GF(32)) |
//!
//! The check symbol catches every single wrong symbol and every swap of two neighbours before
//! a rater starts rating. The tag lets the host tell issued codes from invented ones with no
//! list at hand; the secret never leaves the host device. The code says the group and nothing
//! about the person: slips are handed out at random.

use std::collections::HashSet;
use std::fmt;

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use thiserror::Error;

/// The symbols, in value order. No 0/O or 1/I, which are mistaken for each other.
pub const ALPHABET: &[u8; 32] = b"23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
/// Symbols in a code, check symbol included.
pub const CODE_LEN: usize = 9;
/// Most codes one group can be issued (the serial space is 32 768).
pub const MAX_CODES_PER_GROUP: usize = 4000;

/// The host device's secret for one meeting: 32 random bytes, never exported.
#[derive(Clone, PartialEq, Eq)]
pub struct MeetingSecret([u8; 32]);

impl MeetingSecret {
    pub fn from_bytes(bytes: [u8; 32]) -> MeetingSecret {
        MeetingSecret(bytes)
    }
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }
}

impl fmt::Debug for MeetingSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("MeetingSecret(…)")
    }
}

/// A well-formed ballot code: right length, known symbols, check symbol holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct BallotCode {
    symbols: [u8; CODE_LEN],
}

/// Why typed text is not a ballot code.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum ParseCodeError {
    #[error(
        "选票码应为 {CODE_LEN} 位，输入了 {found} 位 — a ballot code has {CODE_LEN} characters, {found} were typed"
    )]
    WrongLength { found: usize },
    #[error("选票码中不含字符 “{found}” — “{found}” is never used in ballot codes")]
    UnknownSymbol { found: char },
    #[error("选票码有误，请核对选票条 — the code has a typo; please check it against the slip")]
    CheckFailed,
}

/// Multiplication by x in GF(2^5) with the polynomial x^5 + x^2 + 1.
fn times_x(value: u8) -> u8 {
    let shifted = value << 1;
    if shifted & 0b10_0000 != 0 {
        (shifted ^ 0b10_0101) & 0b1_1111
    } else {
        shifted
    }
}

/// Damm step over the quasigroup a ∘ b = x·a + b of GF(32). Because x ≠ 0, 1 the scheme
/// is totally anti-symmetric: any single change or adjacent swap moves the final state off 0.
fn damm_fold(values: &[u8]) -> u8 {
    values.iter().fold(0, |state, &v| times_x(state) ^ v)
}

fn symbol_value(c: char) -> Option<u8> {
    let upper = c.to_ascii_uppercase();
    ALPHABET
        .iter()
        .position(|&a| char::from(a) == upper)
        .map(|p| p as u8)
}

impl BallotCode {
    /// Reads a code as typed: case, spaces and dashes do not matter.
    pub fn parse(text: &str) -> Result<BallotCode, ParseCodeError> {
        let kept: Vec<char> = text
            .chars()
            .filter(|c| !c.is_whitespace() && !matches!(c, '-' | '–' | '—' | '_'))
            .collect();
        if kept.len() != CODE_LEN {
            return Err(ParseCodeError::WrongLength { found: kept.len() });
        }
        let mut symbols = [0u8; CODE_LEN];
        for (slot, &c) in symbols.iter_mut().zip(&kept) {
            *slot = symbol_value(c).ok_or(ParseCodeError::UnknownSymbol { found: c })?;
        }
        if damm_fold(&symbols) != 0 {
            return Err(ParseCodeError::CheckFailed);
        }
        Ok(BallotCode { symbols })
    }

    fn from_parts(group: u8, serial: [u8; 3], tag: [u8; 4]) -> BallotCode {
        let mut symbols = [0u8; CODE_LEN];
        symbols[0] = group;
        symbols[1..4].copy_from_slice(&serial);
        symbols[4..8].copy_from_slice(&tag);
        symbols[8] = times_x(damm_fold(&symbols[..8]));
        BallotCode { symbols }
    }

    /// Index of the rater group this code was issued for.
    pub fn group(&self) -> usize {
        usize::from(self.symbols[0])
    }

    /// True if this code carries the tag that `secret` gives it for `meeting_id`, i.e. the
    /// host issued it.
    pub fn is_issued_by(&self, secret: &MeetingSecret, meeting_id: &str) -> bool {
        let serial = [self.symbols[1], self.symbols[2], self.symbols[3]];
        tag(secret, meeting_id, self.symbols[0], serial) == self.symbols[4..8]
    }
}

impl fmt::Display for BallotCode {
    /// Three groups of three: "K7Q-XM4-RT9".
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, &s) in self.symbols.iter().enumerate() {
            if i > 0 && i % 3 == 0 {
                f.write_str("-")?;
            }
            write!(f, "{}", char::from(ALPHABET[usize::from(s)]))?;
        }
        Ok(())
    }
}

fn mac(secret: &MeetingSecret, parts: &[&[u8]]) -> [u8; 32] {
    let mut m =
        <Hmac<Sha256> as KeyInit>::new_from_slice(secret.as_bytes()).expect("HMAC takes keys of any length");
    for part in parts {
        // Length-prefix every part so no two different inputs share bytes.
        m.update(&(part.len() as u32).to_be_bytes());
        m.update(part);
    }
    m.finalize().into_bytes().into()
}

/// First `n` 5-bit symbols of a byte string, most significant bits first.
fn symbols_of(bytes: &[u8], n: usize) -> Vec<u8> {
    (0..n)
        .map(|i| {
            let bit = i * 5;
            let word = u16::from(bytes[bit / 8]) << 8 | u16::from(bytes[bit / 8 + 1]);
            ((word >> (11 - bit % 8)) & 0b1_1111) as u8
        })
        .collect()
}

fn tag(secret: &MeetingSecret, meeting_id: &str, group: u8, serial: [u8; 3]) -> [u8; 4] {
    let digest = mac(
        secret,
        &[b"pingyi-code-tag-v1", meeting_id.as_bytes(), &[group], &serial],
    );
    let s = symbols_of(&digest, 4);
    [s[0], s[1], s[2], s[3]]
}

/// Why codes cannot be issued.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum IssueCodesError {
    #[error("每类最多生成 {MAX_CODES_PER_GROUP} 个选票码 — at most {MAX_CODES_PER_GROUP} codes per group")]
    TooMany,
    #[error("评议人员类别超出选票码可表示的范围 — the rater group cannot be encoded in a code")]
    GroupOutOfRange,
}

/// The first `count` codes of group `group`, deterministic from the secret and meeting id:
/// issuing 10 and later 20 gives the same first 10. Serials never repeat within a group.
pub fn issue_codes(
    secret: &MeetingSecret,
    meeting_id: &str,
    group: usize,
    count: usize,
) -> Result<Vec<BallotCode>, IssueCodesError> {
    if count > MAX_CODES_PER_GROUP {
        return Err(IssueCodesError::TooMany);
    }
    let group = u8::try_from(group)
        .ok()
        .filter(|&g| usize::from(g) < ALPHABET.len())
        .ok_or(IssueCodesError::GroupOutOfRange)?;
    let mut seen = HashSet::new();
    let mut codes = Vec::with_capacity(count);
    let mut counter: u32 = 0;
    while codes.len() < count {
        let digest = mac(
            secret,
            &[
                b"pingyi-code-serial-v1",
                meeting_id.as_bytes(),
                &[group],
                &counter.to_be_bytes(),
            ],
        );
        counter += 1;
        let s = symbols_of(&digest, 3);
        let serial = [s[0], s[1], s[2]];
        if seen.insert(serial) {
            codes.push(BallotCode::from_parts(
                group,
                serial,
                tag(secret, meeting_id, group, serial),
            ));
        }
    }
    Ok(codes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secret() -> MeetingSecret {
        MeetingSecret::from_bytes([7; 32])
    }

    #[test]
    fn issued_codes_parse_back_and_carry_their_group() {
        for group in 0..3 {
            for code in issue_codes(&secret(), "m1", group, 50).unwrap() {
                let text = code.to_string();
                assert_eq!(text.len(), 11);
                let parsed = BallotCode::parse(&text).unwrap();
                assert_eq!(parsed, code);
                assert_eq!(parsed.group(), group);
                assert!(parsed.is_issued_by(&secret(), "m1"));
                assert!(!parsed.is_issued_by(&secret(), "m2"));
                assert!(!parsed.is_issued_by(&MeetingSecret::from_bytes([8; 32]), "m1"));
            }
        }
    }

    #[test]
    fn issuing_more_keeps_the_first_ones_and_never_repeats() {
        let ten = issue_codes(&secret(), "m", 1, 10).unwrap();
        let many = issue_codes(&secret(), "m", 1, 2000).unwrap();
        assert_eq!(ten[..], many[..10]);
        let distinct: HashSet<_> = many.iter().collect();
        assert_eq!(distinct.len(), 2000);
    }

    #[test]
    fn parse_is_lenient_about_case_spaces_and_dashes() {
        let code = issue_codes(&secret(), "m", 0, 1).unwrap()[0];
        let loose = code.to_string().to_lowercase().replace('-', " ");
        assert_eq!(BallotCode::parse(&loose), Ok(code));
    }

    #[test]
    fn parse_names_what_is_wrong() {
        assert_eq!(
            BallotCode::parse("ABC"),
            Err(ParseCodeError::WrongLength { found: 3 })
        );
        assert_eq!(
            BallotCode::parse("ABC-DEF-GH0"),
            Err(ParseCodeError::UnknownSymbol { found: '0' })
        );
    }

    #[test]
    fn limits_are_enforced() {
        assert_eq!(
            issue_codes(&secret(), "m", 0, MAX_CODES_PER_GROUP + 1),
            Err(IssueCodesError::TooMany)
        );
        assert_eq!(
            issue_codes(&secret(), "m", 32, 1),
            Err(IssueCodesError::GroupOutOfRange)
        );
    }

    #[test]
    fn every_single_substitution_and_adjacent_swap_is_caught_exhaustively() {
        for code in issue_codes(&secret(), "exhaustive", 2, 200).unwrap() {
            let symbols = code.symbols;
            for pos in 0..CODE_LEN {
                for v in 0..32u8 {
                    if v == symbols[pos] {
                        continue;
                    }
                    let mut typo = symbols;
                    typo[pos] = v;
                    assert_ne!(damm_fold(&typo), 0, "substitution at {pos} slipped through");
                }
                if pos + 1 < CODE_LEN && symbols[pos] != symbols[pos + 1] {
                    let mut swapped = symbols;
                    swapped.swap(pos, pos + 1);
                    assert_ne!(damm_fold(&swapped), 0, "swap at {pos} slipped through");
                }
            }
        }
    }
}
