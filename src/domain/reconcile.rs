//! Closure reconciliation (清点): expected raters (应到), codes issued, ballots returned,
//! valid, blank and rejected per rater group, with every discrepancy named. More ballots
//! than codes issued (or, in open mode, than raters expected) makes the round fail: it is
//! reported, never hidden.

use thiserror::Error;

use super::meeting::{CredentialMode, Meeting};
use super::tally::Tally;

/// The figures of one rater group.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GroupReconciliation {
    pub expected: u32,
    /// Codes issued to this group (0 in open mode).
    pub codes_issued: u32,
    /// Accepted ballots, blank ones included (实到).
    pub returned: u32,
    /// Accepted ballots that grade at least one presenter.
    pub valid: u32,
    /// Accepted ballots that abstain on everyone.
    pub blank: u32,
    /// Ballots refused for this group (bad signature, unknown code, …).
    pub rejected: u32,
}

/// A discrepancy, in words a host can read out.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum ReconciliationProblem {
    #[error(
        "“{group}” 收回选票 {returned} 张，多于发出的选票码 {issued} 个，本轮评议无效 — “{group}”: {returned} ballots but only {issued} codes issued; the round fails"
    )]
    MoreBallotsThanCodes {
        group: String,
        returned: u32,
        issued: u32,
    },
    #[error(
        "“{group}” 收回选票 {returned} 张，多于应到人数 {expected} 人，本轮评议无效 — “{group}”: {returned} ballots but {expected} raters expected; the round fails"
    )]
    MoreBallotsThanExpected {
        group: String,
        returned: u32,
        expected: u32,
    },
    #[error(
        "“{group}” 发出选票码 {issued} 个，多于应到人数 {expected} 人 — “{group}”: {issued} codes issued for {expected} expected raters"
    )]
    MoreCodesThanExpected {
        group: String,
        issued: u32,
        expected: u32,
    },
    #[error(
        "“{group}” 实到 {returned} 人，应到 {expected} 人 — “{group}”: {returned} of {expected} expected raters returned a ballot"
    )]
    FewerBallotsThanExpected {
        group: String,
        returned: u32,
        expected: u32,
    },
    #[error(
        "有 {count} 张被拒选票无法确定评议人员类别 — {count} rejected ballot(s) could not be assigned to a group"
    )]
    UnattributedRejections { count: u32 },
}

impl ReconciliationProblem {
    /// Problems that invalidate the round, as opposed to ones that are only reported.
    pub fn fails_round(&self) -> bool {
        matches!(
            self,
            ReconciliationProblem::MoreBallotsThanCodes { .. }
                | ReconciliationProblem::MoreBallotsThanExpected { .. }
        )
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reconciliation {
    pub groups: Vec<GroupReconciliation>,
    pub rejected_unattributed: u32,
    pub problems: Vec<ReconciliationProblem>,
}

impl Reconciliation {
    /// Reconciles a tally with the codes issued per group and the groups of the rejected
    /// ballots (None where the group could not be told).
    pub fn compute(
        meeting: &Meeting,
        tally: &Tally,
        codes_issued: &[u32],
        rejected: &[Option<usize>],
    ) -> Reconciliation {
        let mut problems = Vec::new();
        let groups: Vec<GroupReconciliation> = meeting
            .groups()
            .iter()
            .enumerate()
            .map(|(g, group)| {
                let returned = tally.ballots[g];
                let blank = tally.blank[g];
                let issued = codes_issued.get(g).copied().unwrap_or(0);
                let name = group.name.clone();
                match meeting.credential() {
                    CredentialMode::Code => {
                        if returned > issued {
                            problems.push(ReconciliationProblem::MoreBallotsThanCodes {
                                group: name.clone(),
                                returned,
                                issued,
                            });
                        }
                        if issued > group.expected {
                            problems.push(ReconciliationProblem::MoreCodesThanExpected {
                                group: name.clone(),
                                issued,
                                expected: group.expected,
                            });
                        }
                    }
                    CredentialMode::Open => {
                        if returned > group.expected {
                            problems.push(ReconciliationProblem::MoreBallotsThanExpected {
                                group: name.clone(),
                                returned,
                                expected: group.expected,
                            });
                        }
                    }
                }
                if returned < group.expected {
                    problems.push(ReconciliationProblem::FewerBallotsThanExpected {
                        group: name,
                        returned,
                        expected: group.expected,
                    });
                }
                GroupReconciliation {
                    expected: group.expected,
                    codes_issued: issued,
                    returned,
                    valid: returned - blank,
                    blank,
                    rejected: rejected.iter().filter(|r| **r == Some(g)).count() as u32,
                }
            })
            .collect();
        let rejected_unattributed = rejected.iter().filter(|r| r.is_none()).count() as u32;
        if rejected_unattributed > 0 {
            problems.push(ReconciliationProblem::UnattributedRejections {
                count: rejected_unattributed,
            });
        }
        Reconciliation {
            groups,
            rejected_unattributed,
            problems,
        }
    }

    /// True when any problem invalidates the round.
    pub fn failed(&self) -> bool {
        self.problems.iter().any(ReconciliationProblem::fails_round)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ballot::{BallotDraft, Credential};
    use crate::domain::code::{MeetingSecret, issue_codes};
    use crate::domain::demo::small_meeting;

    #[test]
    fn more_ballots_than_codes_fails_the_round() {
        let m = small_meeting("code");
        let secret = MeetingSecret::from_bytes([1; 32]);
        let code = issue_codes(&secret, m.id(), 0, 1).unwrap()[0];
        let blank = BallotDraft::new(&m, Credential::Code(code)).finish().unwrap();
        let tally = Tally::count(&m, [&blank, &blank]);
        let r = Reconciliation::compute(&m, &tally, &[1, 2, 3], &[Some(0), None]);
        assert!(r.failed());
        assert_eq!(r.groups[0].returned, 2);
        assert_eq!(r.groups[0].blank, 2);
        assert_eq!(r.groups[0].valid, 0);
        assert_eq!(r.groups[0].rejected, 1);
        assert_eq!(r.rejected_unattributed, 1);
        assert!(r.problems.contains(&ReconciliationProblem::MoreBallotsThanCodes {
            group: "考核组".into(),
            returned: 2,
            issued: 1
        }));
    }

    #[test]
    fn a_short_turnout_is_reported_but_does_not_fail() {
        let m = small_meeting("open");
        let blank = BallotDraft::new(&m, Credential::Group(1)).finish().unwrap();
        let tally = Tally::count(&m, [&blank]);
        let r = Reconciliation::compute(&m, &tally, &[], &[]);
        assert!(!r.failed());
        assert!(
            r.problems
                .iter()
                .all(|p| matches!(p, ReconciliationProblem::FewerBallotsThanExpected { .. }))
        );
    }

    #[test]
    fn open_mode_fails_when_more_ballots_than_expected() {
        let m = small_meeting("open");
        let blank = BallotDraft::new(&m, Credential::Group(0)).finish().unwrap();
        let many = vec![blank; 4];
        let tally = Tally::count(&m, &many);
        let r = Reconciliation::compute(&m, &tally, &[], &[]);
        assert!(r.failed(), "{:?}", r.problems);
    }
}
