//! Whether a round of rating is valid, by the rule a county applies to a 民主测评: enough of
//! the people due (应到) took part (实到), and no more ballots came back than were given out
//! or than there are people due (docs/rules.md §"Validity of the round").

use serde::{Deserialize, Serialize};
use thiserror::Error;

/// The quorum a round needs, as a fraction of 应到 that 实到 must **exceed**; on by default at
/// one half (过半数).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuorumV1 {
    /// Off: the round is valid whatever the turnout (the other checks still apply).
    pub enabled: bool,
    pub numerator: u32,
    pub denominator: u32,
}

impl Default for QuorumV1 {
    fn default() -> Self {
        QuorumV1 {
            enabled: true,
            numerator: 1,
            denominator: 2,
        }
    }
}

/// The figures the validity of a round depends on, all per round (every group together).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Turnout {
    /// 应到: the people due to rate, as set up.
    pub expected: u32,
    /// 实到: the people present, as the host counted them in the hall.
    pub present: u32,
    /// Ballot codes given out (None in an open meeting, which has none).
    pub issued: Option<u32>,
    /// Ballots returned (counted or excluded alike).
    pub returned: u32,
}

/// One reason a round is not valid.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum ValidityProblem {
    #[error(
        "实到 {present} 人，未超过应到 {expected} 人的 {numerator}/{denominator}，本轮测评无效 — {present} present is not more than {numerator}/{denominator} of the {expected} due: the round is not valid"
    )]
    NoQuorum {
        present: u32,
        expected: u32,
        numerator: u32,
        denominator: u32,
    },
    #[error(
        "收回选票 {returned} 张，多于发出的 {issued} 张，本轮测评无效 — {returned} ballots returned, more than the {issued} given out: the round is not valid"
    )]
    MoreThanIssued { returned: u32, issued: u32 },
    #[error(
        "收回选票 {returned} 张，多于应到 {expected} 人，本轮测评无效 — {returned} ballots returned, more than the {expected} people due: the round is not valid"
    )]
    MoreThanExpected { returned: u32, expected: u32 },
    #[error(
        "收回选票 {returned} 张，多于实到 {present} 人，本轮测评无效 — {returned} ballots returned, more than the {present} people present: the round is not valid"
    )]
    MoreThanPresent { returned: u32, present: u32 },
}

/// Every reason the round is not valid; empty when it is.
pub fn round_validity(turnout: Turnout, quorum: QuorumV1) -> Vec<ValidityProblem> {
    let Turnout {
        expected,
        present,
        issued,
        returned,
    } = turnout;
    let mut problems = Vec::new();
    // 实到 > n/d × 应到, in integers: 实到 × d > n × 应到.
    if quorum.enabled
        && quorum.denominator > 0
        && u64::from(present) * u64::from(quorum.denominator)
            <= u64::from(quorum.numerator) * u64::from(expected)
    {
        problems.push(ValidityProblem::NoQuorum {
            present,
            expected,
            numerator: quorum.numerator,
            denominator: quorum.denominator,
        });
    }
    if let Some(issued) = issued
        && returned > issued
    {
        problems.push(ValidityProblem::MoreThanIssued { returned, issued });
    }
    if returned > expected {
        problems.push(ValidityProblem::MoreThanExpected { returned, expected });
    }
    if returned > present {
        problems.push(ValidityProblem::MoreThanPresent { returned, present });
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    fn turnout(expected: u32, present: u32, issued: Option<u32>, returned: u32) -> Turnout {
        Turnout {
            expected,
            present,
            issued,
            returned,
        }
    }

    #[test]
    fn the_worked_examples_of_the_rules() {
        let half = QuorumV1::default();
        // docs/rules.md: 41 due, 30 present, 30 codes, 29 back: valid.
        assert_eq!(round_validity(turnout(41, 30, Some(30), 29), half), vec![]);
        // Exactly half is not more than half.
        assert_eq!(
            round_validity(turnout(40, 20, Some(20), 20), half),
            vec![ValidityProblem::NoQuorum {
                present: 20,
                expected: 40,
                numerator: 1,
                denominator: 2
            }]
        );
        assert_eq!(round_validity(turnout(40, 21, Some(21), 21), half), vec![]);
        // More back than given out, than due, than present: each said.
        assert_eq!(
            round_validity(turnout(10, 10, Some(9), 11), half),
            vec![
                ValidityProblem::MoreThanIssued {
                    returned: 11,
                    issued: 9
                },
                ValidityProblem::MoreThanExpected {
                    returned: 11,
                    expected: 10
                },
                ValidityProblem::MoreThanPresent {
                    returned: 11,
                    present: 10
                },
            ]
        );
    }

    #[test]
    fn the_quorum_can_be_set_or_switched_off() {
        let two_thirds = QuorumV1 {
            enabled: true,
            numerator: 2,
            denominator: 3,
        };
        assert!(
            !round_validity(turnout(30, 20, None, 20), two_thirds).is_empty(),
            "20 is not more than 2/3 of 30"
        );
        assert!(round_validity(turnout(30, 21, None, 21), two_thirds).is_empty());
        let off = QuorumV1 {
            enabled: false,
            ..QuorumV1::default()
        };
        assert!(round_validity(turnout(30, 3, None, 3), off).is_empty());
        // The other checks hold with the quorum off.
        assert!(!round_validity(turnout(30, 3, None, 4), off).is_empty());
    }
}
