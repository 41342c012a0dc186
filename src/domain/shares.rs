//! Shares of a count in tenths of a percent that add up to exactly 100.0 %: the largest
//! remainder rule (Hamilton), in integers, so a calculator reproduces every figure
//! (docs/rules.md §"Grade shares").
//!
//! Each share starts as the floor of `count × 1000 / total`; the tenths still missing to make
//! 1000 go one each to the largest remainders `count × 1000 mod total`. Equal remainders go to
//! the larger count first, then to the earlier grade in the meeting's order — so the rule
//! never depends on how the counts were listed beyond the grade order itself.

/// The shares of `counts` in tenths of a percent (`400` is 40.0 %), summing to 1000; all zero
/// when every count is zero.
pub fn shares_in_tenths(counts: &[u64]) -> Vec<u32> {
    let total: u128 = counts.iter().map(|&c| u128::from(c)).sum();
    if total == 0 {
        return vec![0; counts.len()];
    }
    let mut shares: Vec<u32> = Vec::with_capacity(counts.len());
    let mut remainders: Vec<(u128, u64, usize)> = Vec::with_capacity(counts.len());
    for (i, &count) in counts.iter().enumerate() {
        let scaled = u128::from(count) * 1000;
        shares.push((scaled / total) as u32);
        remainders.push((scaled % total, count, i));
    }
    let missing = 1000 - shares.iter().sum::<u32>();
    // Largest remainder first; then the larger count; then the earlier grade.
    remainders.sort_by(|a, b| b.0.cmp(&a.0).then(b.1.cmp(&a.1)).then(a.2.cmp(&b.2)));
    for &(_, _, i) in remainders.iter().take(missing as usize) {
        shares[i] += 1;
    }
    shares
}

/// A share in tenths as people read it: `40.0%`.
pub fn share_text(tenths: u32) -> String {
    format!("{}.{}%", tenths / 10, tenths % 10)
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(not(target_arch = "wasm32"))]
    use proptest::prelude::*;

    #[test]
    fn the_worked_example_of_the_rules() {
        // docs/rules.md: 12 好, 11 较好, 6 一般, 1 差 of 30 ballots.
        let shares = shares_in_tenths(&[12, 11, 6, 1]);
        assert_eq!(shares, vec![400, 367, 200, 33]);
        assert_eq!(
            shares.iter().map(|&s| share_text(s)).collect::<Vec<_>>(),
            ["40.0%", "36.7%", "20.0%", "3.3%"]
        );
        // Thirds: 333.33… each; the one missing tenth goes to the earlier grade on a full tie.
        assert_eq!(shares_in_tenths(&[1, 1, 1]), vec![334, 333, 333]);
        // 2 of 7, 2 of 7, 3 of 7: remainders 5/7, 5/7, 4/7 — the two tied go up.
        assert_eq!(shares_in_tenths(&[2, 2, 3]), vec![286, 286, 428]);
        assert_eq!(shares_in_tenths(&[0, 0, 0, 0]), vec![0, 0, 0, 0]);
        assert_eq!(shares_in_tenths(&[5, 0, 0, 0]), vec![1000, 0, 0, 0]);
    }

    #[cfg(not(target_arch = "wasm32"))]
    proptest! {
        #[test]
        fn shares_always_add_up_to_a_hundred_and_stay_within_a_tenth(
            counts in proptest::collection::vec(0u64..5_000, 1..8)
        ) {
            let shares = shares_in_tenths(&counts);
            let total: u64 = counts.iter().sum();
            if total == 0 {
                prop_assert!(shares.iter().all(|&s| s == 0));
            } else {
                prop_assert_eq!(shares.iter().sum::<u32>(), 1000);
                for (&c, &s) in counts.iter().zip(&shares) {
                    // Never more than one tenth away from the exact share.
                    let exact = c as f64 * 1000.0 / total as f64;
                    prop_assert!((f64::from(s) - exact).abs() < 1.0, "{c}/{total}: {s}");
                }
            }
        }

        #[test]
        fn a_larger_count_never_gets_a_smaller_share(
            counts in proptest::collection::vec(0u64..5_000, 2..8)
        ) {
            let shares = shares_in_tenths(&counts);
            for i in 0..counts.len() {
                for j in 0..counts.len() {
                    if counts[i] > counts[j] {
                        prop_assert!(shares[i] >= shares[j]);
                    }
                }
            }
        }
    }
}
