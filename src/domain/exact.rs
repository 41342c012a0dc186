//! Exact numbers: every score and rate is a [`BigRational`]; this module is the one place
//! where one is written as text — as "p/q" in files, and rounded for display.
//!
//! Display rounding is half-up (half away from zero) to a fixed number of decimals, done in
//! [`format_decimal`] and nowhere else, so the board, the CSV and the CLI always agree.

use num_bigint::BigInt;
use num_integer::Integer;
use num_rational::BigRational;
use num_traits::{Signed, Zero};

/// Writes a rational exactly as "p/q" in lowest terms ("85/1" for an integer), the form used
/// inside signed files.
pub fn ratio_to_string(value: &BigRational) -> String {
    format!("{}/{}", value.numer(), value.denom())
}

/// One integer of a ratio's text: whether it is negative, and its decimal digits.
struct IntegerText<'a> {
    negative: bool,
    digits: &'a str,
}

/// The syntax both [`parse_ratio`] and [`Share::parse`] read: "p/q" or a plain integer "p"
/// (q = 1), each part an optionally negative decimal integer with surrounding spaces allowed.
fn ratio_parts(text: &str) -> Option<(IntegerText<'_>, IntegerText<'_>)> {
    fn integer(s: &str) -> Option<IntegerText<'_>> {
        let s = s.trim();
        let (negative, digits) = match s.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, s),
        };
        (!digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()))
            .then_some(IntegerText { negative, digits })
    }
    match text.split_once('/') {
        Some((p, q)) => Some((integer(p)?, integer(q)?)),
        None => Some((
            integer(text)?,
            IntegerText {
                negative: false,
                digits: "1",
            },
        )),
    }
}

/// Reads "p/q" or a plain integer "p"; `None` on anything else or a zero denominator.
pub fn parse_ratio(text: &str) -> Option<BigRational> {
    let (p, q) = ratio_parts(text)?;
    let signed = |part: IntegerText<'_>| -> Option<BigInt> {
        let value: BigInt = part.digits.parse().ok()?;
        Some(if part.negative { -value } else { value })
    };
    let q = signed(q)?;
    if q.is_zero() {
        return None;
    }
    Some(BigRational::new(signed(p)?, q))
}

/// Rounds half away from zero to `decimals` places and writes it with exactly that many
/// decimals: 85.125 → "85.13", 2/3 → "0.67", -0.005 → "-0.01".
pub fn format_decimal(value: &BigRational, decimals: u32) -> String {
    let scale = BigInt::from(10u32).pow(decimals);
    let scaled = value.abs() * BigRational::from_integer(scale.clone());
    let (whole, rest) = scaled.numer().div_rem(scaled.denom());
    // rest / denom ≥ 1/2  ⇔  2·rest ≥ denom
    let rounded = if rest * 2 >= *scaled.denom() {
        whole + 1
    } else {
        whole
    };
    let (int_part, frac_part) = rounded.div_rem(&scale);
    let sign = if value.is_negative() && !(int_part.is_zero() && frac_part.is_zero()) {
        "-"
    } else {
        ""
    };
    if decimals == 0 {
        return format!("{sign}{int_part}");
    }
    format!("{sign}{int_part}.{frac_part:0>width$}", width = decimals as usize)
}

/// A rate as a percentage with two decimals: 7/8 → "87.50%".
pub fn format_percent(value: &BigRational) -> String {
    let hundred = BigRational::from_integer(BigInt::from(100));
    format!("{}%", format_decimal(&(value * hundred), 2))
}

/// A share between 0 and 1 that a meeting's rules state (e.g. 不称职 when more than 1/3 of
/// the raters gave the worst grade), held as a small exact fraction in lowest terms. The
/// tablet reads meetings too and needs no big integers for it; the tally compares it as a
/// [`BigRational`] ([`Share::to_ratio`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Share {
    numer: u64,
    denom: u64,
}

impl Share {
    /// Reads what [`parse_ratio`] reads ("p/q" or "p", each an optionally negative decimal
    /// integer) when the value lies in [0, 1] and its parts fit 64 bits; `None` otherwise.
    pub fn parse(text: &str) -> Option<Share> {
        let (p_text, q_text) = ratio_parts(text)?;
        let (p, q): (u64, u64) = (p_text.digits.parse().ok()?, q_text.digits.parse().ok()?);
        // Negative only when exactly one part is (and the value is not zero).
        if q == 0 || (p != 0 && p_text.negative != q_text.negative) || p > q {
            return None;
        }
        let common = p.gcd(&q);
        Some(Share {
            numer: p / common,
            denom: q / common,
        })
    }

    /// The share as an exact rational, for comparing with counted shares.
    pub fn to_ratio(self) -> BigRational {
        ratio(self.numer, self.denom)
    }
}

/// "p/q" in lowest terms, as [`ratio_to_string`] writes the same value ("1/1" for one).
impl std::fmt::Display for Share {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.numer, self.denom)
    }
}

/// Shorthand for an integer ratio, used where counts become rates.
pub fn ratio(numer: u64, denom: u64) -> BigRational {
    BigRational::new(BigInt::from(numer), BigInt::from(denom))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(p: i64, q: i64) -> BigRational {
        BigRational::new(p.into(), q.into())
    }

    #[test]
    fn display_rounds_half_up_to_two_decimals() {
        let cases = [
            (r(85125, 1000), "85.13"),
            (r(85124, 1000), "85.12"),
            (r(2, 3), "0.67"),
            (r(1, 3), "0.33"),
            (r(100, 1), "100.00"),
            (r(0, 1), "0.00"),
            (r(1, 200), "0.01"),
            (r(-1, 200), "-0.01"),
            (r(-1, 1000), "0.00"),
            (r(2533, 30), "84.43"),
        ];
        for (value, expected) in cases {
            assert_eq!(format_decimal(&value, 2), expected, "{value}");
        }
    }

    #[test]
    fn percent_has_two_decimals() {
        assert_eq!(format_percent(&r(7, 8)), "87.50%");
        assert_eq!(format_percent(&r(2, 3)), "66.67%");
    }

    #[test]
    fn ratio_text_round_trips_in_lowest_terms() {
        assert_eq!(ratio_to_string(&r(2, 6)), "1/3");
        assert_eq!(parse_ratio("1/3"), Some(r(1, 3)));
        assert_eq!(parse_ratio("85"), Some(r(85, 1)));
        assert_eq!(parse_ratio("1/0"), None);
        assert_eq!(parse_ratio("0.5"), None);
        assert_eq!(parse_ratio("+1/2"), None);
        assert_eq!(parse_ratio(""), None);
    }

    #[test]
    fn a_share_reads_and_writes_as_the_rational_does() {
        for text in ["1/3", "2/6", "0", "1", "0/7", "-1/-3", "-0/5", " 3 / 9 ", "9/9"] {
            let share = Share::parse(text).expect(text);
            let exact = parse_ratio(text).expect(text);
            assert_eq!(share.to_ratio(), exact, "{text}");
            assert_eq!(share.to_string(), ratio_to_string(&exact), "{text}");
        }
        // Outside [0, 1], not a ratio, or too large for 64 bits.
        for text in [
            "4/3",
            "-1/3",
            "1/-3",
            "2",
            "1/0",
            "0.5",
            "+1/2",
            "",
            "1/",
            "99999999999999999999/1",
        ] {
            assert_eq!(Share::parse(text), None, "{text}");
        }
    }
}
