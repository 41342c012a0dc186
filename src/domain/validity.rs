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

impl QuorumV1 {
    /// The quorum as the meeting file writes it (`rules.quorum`): "off", or "p/q" with
    /// 0 ≤ p/q < 1 in lowest terms or not ("2/3", "1/2"). `None` when the text is neither.
    pub fn parse(text: &str) -> Option<QuorumV1> {
        if text == "off" {
            return Some(QuorumV1 {
                enabled: false,
                ..QuorumV1::default()
            });
        }
        let (p, q) = text.split_once('/')?;
        let digits = |s: &str| !s.is_empty() && s.len() <= 4 && s.bytes().all(|b| b.is_ascii_digit());
        if !digits(p) || !digits(q) {
            return None;
        }
        let (numerator, denominator) = (p.parse::<u32>().ok()?, q.parse::<u32>().ok()?);
        (denominator > 0 && numerator < denominator).then_some(QuorumV1 {
            enabled: true,
            numerator,
            denominator,
        })
    }

    /// What the meeting file writes: nothing for the default (more than one half), so files
    /// written before the quorum was configurable keep their bytes.
    pub fn file_value(self) -> Option<String> {
        (self != QuorumV1::default()).then(|| self.to_string())
    }

    /// The least 实到 that passes with `expected` due: the smallest p with p × d > n × 应到 (0
    /// when the quorum is off).
    pub fn least_present(self, expected: u32) -> u32 {
        if !self.enabled {
            return 0;
        }
        ((u64::from(self.numerator) * u64::from(expected)) / u64::from(self.denominator.max(1))) as u32 + 1
    }
}

impl std::fmt::Display for QuorumV1 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.enabled {
            write!(f, "{}/{}", self.numerator, self.denominator)
        } else {
            f.write_str("off")
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
    fn the_quorum_is_read_as_the_meeting_file_writes_it() {
        assert_eq!(QuorumV1::parse("1/2"), Some(QuorumV1::default()));
        assert_eq!(
            QuorumV1::parse("1/2").unwrap().file_value(),
            None,
            "the default is not written"
        );
        let two_thirds = QuorumV1::parse("2/3").unwrap();
        assert_eq!(two_thirds.file_value().as_deref(), Some("2/3"));
        assert_eq!(two_thirds.least_present(30), 21, "21 × 3 > 2 × 30, 20 × 3 is not");
        assert_eq!(QuorumV1::default().least_present(41), 21);
        assert_eq!(QuorumV1::default().least_present(40), 21);
        let off = QuorumV1::parse("off").unwrap();
        assert!(!off.enabled);
        assert_eq!(off.file_value().as_deref(), Some("off"));
        assert_eq!(off.least_present(40), 0);
        for bad in [
            "",
            "1",
            "1/0",
            "2/2",
            "3/2",
            "-1/2",
            "1 /2",
            "0.5",
            "1/2/3",
            "99999/100000",
        ] {
            assert_eq!(QuorumV1::parse(bad), None, "{bad:?}");
        }
        assert_eq!(
            round_validity(turnout(40, 0, None, 0), off),
            vec![],
            "off: any turnout"
        );
        assert_eq!(round_validity(turnout(30, 20, None, 20), two_thirds).len(), 1);
        assert_eq!(round_validity(turnout(30, 21, None, 21), two_thirds), vec![]);
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
