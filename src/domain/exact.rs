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

/// Reads "p/q" or a plain integer "p"; `None` on anything else or a zero denominator.
pub fn parse_ratio(text: &str) -> Option<BigRational> {
    let parse_int = |s: &str| -> Option<BigInt> {
        let s = s.trim();
        let digits = s.strip_prefix('-').unwrap_or(s);
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        s.parse().ok()
    };
    match text.split_once('/') {
        Some((p, q)) => {
            let q = parse_int(q)?;
            if q.is_zero() {
                return None;
            }
            Some(BigRational::new(parse_int(p)?, q))
        }
        None => Some(BigRational::from_integer(parse_int(text)?)),
    }
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
}
