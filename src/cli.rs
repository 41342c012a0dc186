//! The command-line tool's logic, kept out of `src/bin/pingyi.rs` so it is tested natively:
//! argument parsing into a [`Command`], and [`run`], which reads files through a function it
//! is given and returns the text to print.

use std::collections::HashMap;

use serde::Serialize;
use thiserror::Error;

use crate::domain::ballot::{
    BALLOT_FILE_FORMAT, BALLOT_FILE_VERSION, Ballot, BallotFileV1, ParseBallotError,
};
use crate::domain::draw::{DrawError, key_string, parse_sources, pool_digest, select};
use crate::domain::meeting::{Meeting, ReadMeetingError};
use crate::domain::record::batch::RoundContext;
use crate::domain::record::commit::Generators;
use crate::domain::record::join::SignedJoinV2;
use crate::domain::record::minutes::{Minutes, check_minutes};
use crate::domain::record::result::{ReconciliationV2, verify_result_v2};
use crate::domain::record::score::tally_cells;
use crate::domain::record::verify::{RoundProofV1, verify_round};
use crate::domain::report::cell_ranking_rows;
use crate::domain::report::{RankingRowV1, ranking_rows, ranking_table, rows_table};
use crate::domain::result_file::{ReadResultError, Verdict, verify_result};
use crate::domain::signing::fingerprint;
use crate::domain::tally::Tally;

pub const USAGE: &str = "\
pingyi — 评议 command-line tool

USAGE:
  pingyi draw --pool NAMES.txt --source \"NUMBERS\" [--source \"NUMBERS\" …] --count N [--json]
      Reproduce an RFC 3797 draw: NAMES.txt has one name per line (UTF-8), numbered from 1.
  pingyi tally MEETING.json BALLOTS.json [BALLOTS.json …] [--json]
      Recompute the tally of a meeting from ballot files and print the ranking.
  pingyi verify RESULT.json [--minutes MINUTES.txt] [--json]
      Check a signed result file. Version 2 (counts, not ballots; docs/result-format.md): the
      host signature by the key of the signed join, every tablet hello and batch signature,
      the batch chains, the code list, every published count against the tablets'
      commitments, the tally and reconciliation recomputed from the counts, the validity of
      the round and the audit log; --minutes also compares what witnesses wrote in the hall.
      Version 1 (files of earlier builds, which publish ballots): host signature, meeting and
      draw, every ballot signature and tablet chain, ballot codes, and the tally recomputed
      from the ballots. Prints the recomputed ranking.
  pingyi verify-round ROUND.json [--minutes MINUTES.txt] [--json]
      Check a record-format-2 round (docs/record-format.md; a file with \"join\" and \"proof\",
      e.g. docs/examples/record-round.json): the host-signed join, every tablet hello and
      batch signature, the batch chains, the code list, and that every published count is
      what the tablets committed; prints the ranking recomputed from the counts. --minutes
      also compares what witnesses wrote in the hall (docs/record-format.md). With --json
      the verdict is JSON on standard output for a pass, a failure and unreadable input.
  pingyi xlsx RESULT.json --out SUMMARY.xlsx [--en]
      Write the 测评结果汇总表 of a version-2 result file as an .xlsx workbook (sheets 汇总, 分项,
      分类别, 清点, 说明; English with --en), after checking the file as `verify` does: a file
      that does not verify gets no workbook.

Exit codes: 0 done (verify: every check holds), 1 a verify check failed,
2 bad input (the message says what to fix).
";

/// Files larger than this are refused before parsing (a meeting or ballot file is far smaller).
pub const MAX_INPUT_BYTES: usize = 64 * 1024 * 1024;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Command {
    Help,
    Draw {
        pool: String,
        sources: Vec<String>,
        count: usize,
        json: bool,
    },
    Tally {
        meeting: String,
        ballots: Vec<String>,
        json: bool,
    },
    Verify {
        result: String,
        minutes: Option<String>,
        json: bool,
    },
    VerifyRound {
        round: String,
        minutes: Option<String>,
        json: bool,
    },
    Xlsx {
        result: String,
        out: String,
        english: bool,
    },
}

/// Parses the arguments after the program name; the error is a message for the user.
pub fn parse_args(args: &[String]) -> Result<Command, String> {
    let usage = |why: &str| format!("{why}\n\n{USAGE}");
    let Some((command, rest)) = args.split_first() else {
        return Ok(Command::Help);
    };
    let json = rest.iter().any(|a| a == "--json");
    match command.as_str() {
        "help" | "--help" | "-h" => Ok(Command::Help),
        "draw" => {
            let (mut pool, mut sources, mut count) = (None, Vec::new(), None);
            let mut iter = rest.iter().filter(|a| *a != "--json");
            while let Some(flag) = iter.next() {
                let mut value = || {
                    iter.next()
                        .cloned()
                        .ok_or_else(|| usage(&format!("{flag} needs a value")))
                };
                match flag.as_str() {
                    "--pool" => pool = Some(value()?),
                    "--source" => sources.push(value()?),
                    "--count" => {
                        let text = value()?;
                        count = Some(text.parse::<usize>().map_err(|_| {
                            usage(&format!(
                                "--count “{text}” 不是整数 — --count “{text}” is not a whole number"
                            ))
                        })?);
                    }
                    other => return Err(usage(&format!("unknown option {other}"))),
                }
            }
            Ok(Command::Draw {
                pool: pool.ok_or_else(|| usage("draw needs --pool"))?,
                sources,
                count: count.ok_or_else(|| usage("draw needs --count"))?,
                json,
            })
        }
        "tally" => {
            let files: Vec<String> = rest.iter().filter(|a| *a != "--json").cloned().collect();
            if let Some(flag) = files.iter().find(|f| f.starts_with("--")) {
                return Err(usage(&format!("unknown option {flag}")));
            }
            let Some((meeting, ballots)) = files.split_first() else {
                return Err(usage("tally needs a meeting file and at least one ballot file"));
            };
            if ballots.is_empty() {
                return Err(usage("tally needs at least one ballot file"));
            }
            Ok(Command::Tally {
                meeting: meeting.clone(),
                ballots: ballots.to_vec(),
                json,
            })
        }
        "verify" | "verify-round" => {
            let what = if command == "verify" {
                "verify needs exactly one result file"
            } else {
                "verify-round needs exactly one round file"
            };
            let (mut round, mut minutes) = (None, None);
            let mut iter = rest.iter().filter(|a| *a != "--json");
            while let Some(arg) = iter.next() {
                match arg.as_str() {
                    "--minutes" => {
                        minutes = Some(
                            iter.next()
                                .cloned()
                                .ok_or_else(|| usage("--minutes needs a file"))?,
                        )
                    }
                    flag if flag.starts_with("--") => return Err(usage(&format!("unknown option {flag}"))),
                    file if round.is_none() => round = Some(file.to_owned()),
                    _ => return Err(usage(what)),
                }
            }
            let file = round.ok_or_else(|| usage(what))?;
            Ok(if command == "verify" {
                Command::Verify {
                    result: file,
                    minutes,
                    json,
                }
            } else {
                Command::VerifyRound {
                    round: file,
                    minutes,
                    json,
                }
            })
        }
        "xlsx" => {
            let (mut result, mut out, mut english) = (None, None, false);
            let mut iter = rest.iter();
            while let Some(arg) = iter.next() {
                match arg.as_str() {
                    "--out" => out = Some(iter.next().cloned().ok_or_else(|| usage("--out needs a file"))?),
                    "--en" => english = true,
                    flag if flag.starts_with("--") => return Err(usage(&format!("unknown option {flag}"))),
                    file if result.is_none() => result = Some(file.to_owned()),
                    _ => return Err(usage("xlsx needs exactly one result file")),
                }
            }
            Ok(Command::Xlsx {
                result: result.ok_or_else(|| usage("xlsx needs a result file"))?,
                out: out.ok_or_else(|| usage("xlsx needs --out SUMMARY.xlsx"))?,
                english,
            })
        }
        other => Err(usage(&format!("unknown command “{other}”"))),
    }
}

/// The 汇总表 workbook of a version-2 result file that verifies; refused otherwise.
pub fn result_xlsx(text: &str, path: &str, english: bool) -> Result<Vec<u8>, CliError> {
    use crate::domain::record::result::read_result_v2;
    use crate::domain::summary::{Summary, SummaryInput};
    let unreadable = |detail: String| CliError::NotRoundFile {
        path: path.to_owned(),
        detail,
    };
    if result_version(text) != Some(2) {
        return Err(unreadable(
            "not a version-2 result file — 不是版本 2 的结果文件".to_owned(),
        ));
    }
    let verdict = verify_result_v2(text, None).map_err(|e| unreadable(e.to_string()))?;
    if !verdict.holds() {
        return Err(CliError::VerificationFailed {
            report: format!(
                "{path}: {} 项检查未通过 — {} checks fail; `pingyi verify` lists them\n",
                verdict.problems.len(),
                verdict.problems.len()
            ),
        });
    }
    let (file, _) = read_result_v2(text).map_err(|e| unreadable(e.to_string()))?;
    let payload = &file.payload;
    let meeting = payload
        .join
        .check()
        .map_err(|e| unreadable(e.to_string()))?
        .meeting;
    let tally = tally_cells(&meeting, &payload.proof.counts).map_err(|e| unreadable(e.to_string()))?;
    let summary = Summary::new(&SummaryInput {
        meeting: &meeting,
        tally: &tally,
        reconciliation: &payload.reconciliation,
        overrides: &payload.level_overrides,
        host_fingerprint: &verdict.host_fingerprint,
        code_list_digest: verdict.code_list.as_deref(),
        english,
    });
    crate::domain::xlsx::summary_xlsx(&summary).map_err(|e| unreadable(e.to_string()))
}

/// Everything that can stop a command, each with the file or item it concerns.
#[derive(Debug, Error)]
pub enum CliError {
    #[error("无法读取 {path}：{detail} — cannot read {path}: {detail}")]
    Read { path: String, detail: String },
    #[error("无法写入 {path}：{detail} — cannot write {path}: {detail}")]
    Write { path: String, detail: String },
    #[error("{path} 过大 — {path} is larger than {MAX_INPUT_BYTES} bytes")]
    TooLarge { path: String },
    #[error("{0}")]
    Draw(#[from] DrawError),
    #[error("{path}: {error}")]
    Meeting { path: String, error: ReadMeetingError },
    #[error("{path} 不是选票文件：{detail} — {path} is not a ballot file: {detail}")]
    NotBallotFile { path: String, detail: String },
    #[error("{path} 第 {number} 张选票：{error} — {path}, ballot no. {number}: {error}")]
    Ballot {
        path: String,
        number: usize,
        error: ParseBallotError,
    },
    #[error(
        "选票码 {code} 出现在两张内容不同的选票上，须由主持人裁定 — ballot code {code} is on two different ballots; the host must decide"
    )]
    Conflict { code: String },
    #[error("{path}: {error}")]
    Result { path: String, error: ReadResultError },
    #[error("{path} 不是可验证的记录文件：{detail} — {path} is not a readable round file: {detail}")]
    NotRoundFile { path: String, detail: String },
    #[error("{report}验证未通过 — verification FAILED")]
    VerificationFailed { report: String },
    /// A verdict asked for as JSON that is not a pass: printed on standard output as it is.
    #[error("{json}")]
    JsonVerdict { json: String, code: u8 },
}

impl CliError {
    /// 1 when a verification check failed, 2 for bad input.
    pub fn exit_code(&self) -> u8 {
        match self {
            CliError::VerificationFailed { .. } => 1,
            CliError::JsonVerdict { code, .. } => *code,
            _ => 2,
        }
    }
}

type Reader<'a> = &'a dyn Fn(&str) -> std::io::Result<String>;

fn read(reader: Reader<'_>, path: &str) -> Result<String, CliError> {
    let text = reader(path).map_err(|e| CliError::Read {
        path: path.to_owned(),
        detail: e.to_string(),
    })?;
    if text.len() > MAX_INPUT_BYTES {
        return Err(CliError::TooLarge {
            path: path.to_owned(),
        });
    }
    Ok(text.trim_start_matches('\u{feff}').to_owned())
}

#[derive(Serialize)]
struct DrawStepJson {
    index: usize,
    md5: String,
    remaining: usize,
    position: usize,
    number: usize,
    name: String,
}

#[derive(Serialize)]
struct DrawJson {
    key_string: String,
    pool_size: usize,
    pool_digest: String,
    count: usize,
    selected: Vec<String>,
    selected_numbers: Vec<usize>,
    steps: Vec<DrawStepJson>,
}

#[derive(Serialize)]
struct TallyJson {
    meeting: String,
    ballots_counted: usize,
    duplicates_ignored: usize,
    ranking: Vec<RankingRowV1>,
}

/// Runs a command and returns what to print on standard output.
pub fn run(command: Command, reader: Reader<'_>) -> Result<String, CliError> {
    match command {
        Command::Help => Ok(USAGE.to_owned()),
        Command::Draw {
            pool,
            sources,
            count,
            json,
        } => {
            let text = read(reader, &pool)?;
            let names: Vec<String> = text
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(str::to_owned)
                .collect();
            let sources = parse_sources(&sources)?;
            let key = key_string(&sources);
            let steps = select(names.len(), count, &key)?;
            let draw = DrawJson {
                pool_size: names.len(),
                pool_digest: pool_digest(&names),
                count,
                selected: steps.iter().map(|s| names[s.picked].clone()).collect(),
                selected_numbers: steps.iter().map(|s| s.picked + 1).collect(),
                steps: steps
                    .iter()
                    .map(|s| DrawStepJson {
                        index: s.index,
                        md5: s.md5_hex.clone(),
                        remaining: s.remaining,
                        position: s.position,
                        number: s.picked + 1,
                        name: names[s.picked].clone(),
                    })
                    .collect(),
                key_string: key,
            };
            if json {
                return Ok(to_json_line(&draw));
            }
            let mut out = format!(
                "密钥串 key string: {}\n名单 pool: {} 人, SHA-256 {}\n",
                draw.key_string, draw.pool_size, draw.pool_digest
            );
            for (i, step) in draw.steps.iter().enumerate() {
                out.push_str(&format!("{:>3}. {:>4}  {}\n", i + 1, step.number, step.name));
            }
            Ok(out)
        }
        Command::Verify {
            result,
            minutes,
            json,
        } => {
            let text = read(reader, &result)?;
            let minutes = match minutes {
                Some(path) => Some((read(reader, &path)?, path)),
                None => None,
            };
            if result_version(&text) == Some(2) || minutes.is_some() {
                return verify_result_file_v2(&text, &result, minutes, json);
            }
            let verdict = verify_result(&text).map_err(|error| {
                if json {
                    let unreadable = serde_json::json!({"holds": false, "unreadable": error.to_string()});
                    CliError::JsonVerdict {
                        json: to_json_line(&unreadable),
                        code: 2,
                    }
                } else {
                    CliError::Result {
                        path: result.clone(),
                        error,
                    }
                }
            })?;
            if json {
                let report = to_json_line(&VerdictJson::from(&verdict));
                return if verdict.holds() {
                    Ok(report)
                } else {
                    Err(CliError::JsonVerdict {
                        json: report,
                        code: 1,
                    })
                };
            }
            let report = verdict_report(&verdict);
            if verdict.holds() {
                Ok(format!("{report}\n验证通过 — verification PASSED\n"))
            } else {
                Err(CliError::VerificationFailed { report })
            }
        }
        // The workbook is bytes for a file, not text to print: `run` checks and builds it and
        // says how large it is; the binary writes it (src/bin/pingyi.rs).
        Command::Xlsx { result, english, .. } => {
            let text = read(reader, &result)?;
            let bytes = result_xlsx(&text, &result, english)?;
            Ok(format!("{} bytes\n", bytes.len()))
        }
        Command::VerifyRound { round, minutes, json } => {
            let minutes = match minutes {
                Some(path) => Some((read(reader, &path)?, path)),
                None => None,
            };
            verify_round_file(&read(reader, &round)?, &round, minutes, json)
        }
        Command::Tally {
            meeting,
            ballots,
            json,
        } => {
            let meeting_text = read(reader, &meeting)?;
            let meeting_value = Meeting::from_json(&meeting_text).map_err(|error| CliError::Meeting {
                path: meeting.clone(),
                error,
            })?;
            let (counted, duplicates) = read_ballots(&meeting_value, &ballots, reader)?;
            let tally = Tally::count(&meeting_value, &counted);
            if json {
                return Ok(to_json_line(&TallyJson {
                    meeting: meeting_value.id().to_owned(),
                    ballots_counted: counted.len(),
                    duplicates_ignored: duplicates,
                    ranking: ranking_rows(&meeting_value, &tally),
                }));
            }
            let mut out = format!(
                "{}\n选票 ballots: {} 张计入 counted, {} 张重复已忽略 duplicates ignored\n\n",
                meeting_value.title(),
                counted.len(),
                duplicates
            );
            out.push_str(&ranking_table(&meeting_value, &tally));
            Ok(out)
        }
    }
}

/// The verdict as lines of text: one line per check, problems indented under it.
pub fn verdict_report(verdict: &Verdict) -> String {
    let mut out = format!(
        "{}\n主持人电脑公钥指纹 host key fingerprint: {}\n已接受选票 accepted ballots: {}, 被拒选票 rejected: {}\n\n",
        verdict.meeting_title, verdict.host_fingerprint, verdict.accepted, verdict.rejected
    );
    for check in &verdict.checks {
        let mark = if check.holds() {
            "通过 PASS"
        } else {
            "未通过 FAIL"
        };
        out.push_str(&format!("[{mark}] {}\n", check.title));
        for problem in &check.problems {
            out.push_str(&format!("    - {problem}\n"));
        }
    }
    if !verdict.ranking.is_empty() {
        out.push_str("\n按选票重新计票的名次 — ranking recomputed from the ballots\n");
        out.push_str(&rows_table(
            &verdict.grades,
            verdict.level_names,
            verdict.ranking.clone(),
        ));
    }
    out
}

/// The part of a round file `verify-round` reads; other fields (a note, an example hand-in)
/// are ignored.
#[derive(serde::Deserialize)]
struct RoundFileView {
    join: SignedJoinV2,
    proof: RoundProofV1,
}

#[derive(Serialize)]
struct RoundProblemJson {
    id: String,
    message: String,
}

/// `pingyi verify-round --json`: pass, fail or unreadable, always this shape.
#[derive(Serialize)]
struct RoundVerdictJson {
    holds: bool,
    /// Why the file could not be read at all; absent when it could.
    #[serde(skip_serializing_if = "Option::is_none")]
    unreadable: Option<String>,
    meeting_title: String,
    host_fingerprint: String,
    tablets: usize,
    batches: usize,
    problems: Vec<RoundProblemJson>,
    /// Recomputed from the published counts, empty when the proof does not hold.
    ranking: Vec<RankingRowV1>,
}

fn verify_round_file(
    text: &str,
    path: &str,
    minutes: Option<(String, String)>,
    json: bool,
) -> Result<String, CliError> {
    let unreadable = |message: String| {
        if json {
            CliError::JsonVerdict {
                json: to_json_line(&RoundVerdictJson {
                    holds: false,
                    unreadable: Some(message),
                    meeting_title: String::new(),
                    host_fingerprint: String::new(),
                    tablets: 0,
                    batches: 0,
                    problems: Vec::new(),
                    ranking: Vec::new(),
                }),
                code: 2,
            }
        } else {
            CliError::NotRoundFile {
                path: path.to_owned(),
                detail: message,
            }
        }
    };
    let file: RoundFileView = serde_json::from_str(text).map_err(|e| unreadable(e.to_string()))?;
    let checked = file.join.check().map_err(|e| unreadable(e.to_string()))?;
    let minutes = match minutes {
        Some((text, minutes_path)) => {
            Some(Minutes::parse(&text).map_err(|e| unreadable(format!("{minutes_path}: {e}")))?)
        }
        None => None,
    };
    let generators = Generators::for_meeting(&checked.meeting);
    let round = RoundContext::new(&checked.meeting, checked.session, &generators);
    let mut problems: Vec<RoundProblemJson> = verify_round(&round, &file.proof)
        .iter()
        .map(|p| RoundProblemJson {
            id: p.id().to_owned(),
            message: p.to_string(),
        })
        .collect();
    if let Some(minutes) = &minutes {
        problems.extend(
            check_minutes(minutes, &file.join.host, &file.proof)
                .iter()
                .map(|p| RoundProblemJson {
                    id: p.id().to_owned(),
                    message: p.to_string(),
                }),
        );
    }
    let ranking = if problems.is_empty() {
        tally_cells(&checked.meeting, &file.proof.counts)
            .map(|tally| cell_ranking_rows(&checked.meeting, &tally))
            .unwrap_or_default()
    } else {
        Vec::new()
    };
    let verdict = RoundVerdictJson {
        holds: problems.is_empty(),
        unreadable: None,
        meeting_title: checked.meeting.title().to_owned(),
        host_fingerprint: fingerprint(&file.join.host).unwrap_or_default(),
        tablets: file.proof.hellos.len(),
        batches: file.proof.batches.len(),
        problems,
        ranking,
    };
    if json {
        let text = to_json_line(&verdict);
        return if verdict.holds {
            Ok(text)
        } else {
            Err(CliError::JsonVerdict { json: text, code: 1 })
        };
    }
    let mut out = format!(
        "{}\n主持人电脑公钥指纹 host key fingerprint: {}\n平板 tablets: {}, 交票批次 batches: {}\n\n",
        verdict.meeting_title, verdict.host_fingerprint, verdict.tablets, verdict.batches
    );
    for problem in &verdict.problems {
        out.push_str(&format!("[未通过 FAIL] {}: {}\n", problem.id, problem.message));
    }
    if !verdict.holds {
        return Err(CliError::VerificationFailed { report: out });
    }
    out.push_str("[通过 PASS] 签名、批次链、选票码清单与每个公布的票数均与平板的承诺相符 — signatures, batch chains, code list and every published count match what the tablets committed\n");
    out.push_str("\n按公布的票数重新计票的名次 — ranking recomputed from the published counts\n");
    let grades: Vec<String> = checked.meeting.grades().iter().map(|g| g.name.clone()).collect();
    out.push_str(&rows_table(
        &grades,
        checked.meeting.rules().names,
        verdict.ranking,
    ));
    out.push_str("\n验证通过 — verification PASSED\n");
    Ok(out)
}

/// The version a result file says it is, when it says one.
fn result_version(text: &str) -> Option<u64> {
    #[derive(serde::Deserialize)]
    struct Version {
        version: u64,
    }
    serde_json::from_str::<Version>(text.trim_start_matches('\u{feff}'))
        .ok()
        .map(|v| v.version)
}

/// `pingyi verify --json` on a version-2 file: pass, fail or unreadable, always this shape.
#[derive(Serialize)]
struct ResultVerdictV2Json {
    holds: bool,
    version: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    unreadable: Option<String>,
    meeting_title: String,
    host_fingerprint: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    code_list: Option<String>,
    tablets: usize,
    batches: usize,
    problems: Vec<RoundProblemJson>,
    /// Recomputed from the published counts, empty when the proof does not hold.
    ranking: Vec<RankingRowV1>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reconciliation: Option<ReconciliationV2>,
}

fn verify_result_file_v2(
    text: &str,
    path: &str,
    minutes: Option<(String, String)>,
    json: bool,
) -> Result<String, CliError> {
    let unreadable = |message: String| {
        if json {
            CliError::JsonVerdict {
                json: to_json_line(&ResultVerdictV2Json {
                    holds: false,
                    version: 2,
                    unreadable: Some(message),
                    meeting_title: String::new(),
                    host_fingerprint: String::new(),
                    code_list: None,
                    tablets: 0,
                    batches: 0,
                    problems: Vec::new(),
                    ranking: Vec::new(),
                    reconciliation: None,
                }),
                code: 2,
            }
        } else {
            CliError::NotRoundFile {
                path: path.to_owned(),
                detail: message,
            }
        }
    };
    let minutes = match minutes {
        Some((text, minutes_path)) => {
            Some(Minutes::parse(&text).map_err(|e| unreadable(format!("{minutes_path}: {e}")))?)
        }
        None => None,
    };
    let verdict = verify_result_v2(text, minutes.as_ref()).map_err(|e| unreadable(e.to_string()))?;
    let holds = verdict.holds();
    let report = ResultVerdictV2Json {
        holds,
        version: 2,
        unreadable: None,
        meeting_title: verdict.meeting_title.clone(),
        host_fingerprint: verdict.host_fingerprint.clone(),
        code_list: verdict.code_list.clone(),
        tablets: verdict.tablets,
        batches: verdict.batches,
        problems: verdict
            .problems
            .iter()
            .map(|p| RoundProblemJson {
                id: p.id(),
                message: p.to_string(),
            })
            .collect(),
        ranking: verdict.ranking.clone(),
        reconciliation: verdict.reconciliation.clone(),
    };
    if json {
        let text = to_json_line(&report);
        return if holds {
            Ok(text)
        } else {
            Err(CliError::JsonVerdict { json: text, code: 1 })
        };
    }
    let mut out = format!(
        "{}\n结果文件版本 2（公布票数，不公布选票）— result file version 2 (counts published, never ballots)\n主持人电脑公钥指纹 host key fingerprint: {}\n",
        report.meeting_title, report.host_fingerprint
    );
    if let Some(code_list) = &report.code_list {
        out.push_str(&format!("选票码清单摘要 code-list digest: {code_list}\n"));
    }
    out.push_str(&format!(
        "平板 tablets: {}, 交票批次 batches: {}\n\n",
        report.tablets, report.batches
    ));
    if let Some(rec) = &report.reconciliation {
        out.push_str("清点 reconciliation (应到 expected / 实到 present / 发码 codes / 交回 handed in / 剔除 excluded / 计入 counted)\n");
        for g in &rec.groups {
            let opt = |v: Option<u32>| v.map_or("-".to_owned(), |n| n.to_string());
            out.push_str(&format!(
                "  {}: {} / {} / {} / {} / {} / {}\n",
                g.group,
                g.expected,
                opt(g.present),
                opt(g.codes_issued),
                g.handed_in,
                g.excluded,
                g.counted
            ));
        }
        out.push('\n');
    }
    for problem in &report.problems {
        out.push_str(&format!("[未通过 FAIL] {}: {}\n", problem.id, problem.message));
    }
    if !holds {
        return Err(CliError::VerificationFailed { report: out });
    }
    out.push_str("[通过 PASS] 主持人签名、平板签名、批次链、选票码清单、每个公布的票数、计票、清点与审计记录均已核对 — host and tablet signatures, batch chains, code list, every published count, the tally, the reconciliation and the audit log all check\n");
    out.push_str("\n按公布的票数重新计票的名次 — ranking recomputed from the published counts\n");
    out.push_str(&rows_table(&verdict.grades, verdict.level_names, verdict.ranking));
    out.push_str("\n验证通过 — verification PASSED\n");
    Ok(out)
}

/// `pingyi verify --json`: the verdict for programs.
#[derive(Serialize)]
struct VerdictJson<'a> {
    holds: bool,
    meeting_title: &'a str,
    host_fingerprint: &'a str,
    accepted: usize,
    rejected: usize,
    checks: Vec<CheckJson<'a>>,
    /// Recomputed from the ballots, not read from the file.
    ranking: &'a [RankingRowV1],
}

#[derive(Serialize)]
struct CheckJson<'a> {
    id: &'a str,
    title: &'a str,
    problems: &'a [String],
}

impl<'a> From<&'a Verdict> for VerdictJson<'a> {
    fn from(v: &'a Verdict) -> Self {
        VerdictJson {
            holds: v.holds(),
            meeting_title: &v.meeting_title,
            host_fingerprint: &v.host_fingerprint,
            accepted: v.accepted,
            rejected: v.rejected,
            checks: v
                .checks
                .iter()
                .map(|c| CheckJson {
                    id: c.id,
                    title: c.title,
                    problems: &c.problems,
                })
                .collect(),
            ranking: &v.ranking,
        }
    }
}

fn to_json_line<T: Serialize>(value: &T) -> String {
    let mut text = serde_json::to_string_pretty(value).unwrap_or_default();
    text.push('\n');
    text
}

/// Reads every ballot file; the same ballot twice is counted once, two different ballots
/// with one code are a conflict the host has to resolve.
fn read_ballots(
    meeting: &Meeting,
    paths: &[String],
    reader: Reader<'_>,
) -> Result<(Vec<Ballot>, usize), CliError> {
    let mut counted: Vec<Ballot> = Vec::new();
    let mut by_code: HashMap<String, usize> = HashMap::new();
    let mut duplicates = 0;
    for path in paths {
        let text = read(reader, path)?;
        let not_ballots = |detail: String| CliError::NotBallotFile {
            path: path.clone(),
            detail,
        };
        let file: BallotFileV1 = serde_json::from_str(&text).map_err(|e| not_ballots(e.to_string()))?;
        if file.format != BALLOT_FILE_FORMAT {
            return Err(not_ballots(format!("format “{}”", file.format)));
        }
        if file.version != BALLOT_FILE_VERSION {
            return Err(not_ballots(format!("version {} is not supported", file.version)));
        }
        for (i, entry) in file.ballots.iter().enumerate() {
            let ballot = Ballot::from_v1(&entry.ballot, meeting).map_err(|error| CliError::Ballot {
                path: path.clone(),
                number: i + 1,
                error,
            })?;
            if let Some(code) = ballot.code() {
                let code = code.to_string();
                if let Some(&earlier) = by_code.get(&code) {
                    if counted[earlier] == ballot {
                        duplicates += 1;
                        continue;
                    }
                    return Err(CliError::Conflict { code });
                }
                by_code.insert(code, counted.len());
            }
            counted.push(ballot);
        }
    }
    Ok((counted, duplicates))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn draw_arguments_parse() {
        let cmd = parse_args(&args(&[
            "draw", "--pool", "n.txt", "--source", "9319", "--source", "2 5", "--count", "3", "--json",
        ]));
        assert_eq!(
            cmd,
            Ok(Command::Draw {
                pool: "n.txt".into(),
                sources: vec!["9319".into(), "2 5".into()],
                count: 3,
                json: true
            })
        );
        assert!(parse_args(&args(&["draw", "--pool", "n.txt", "--count", "x"])).is_err());
        assert!(parse_args(&args(&["draw", "--count", "3"])).is_err());
        assert!(parse_args(&args(&["tally", "m.json"])).is_err());
        assert!(parse_args(&args(&["frobnicate"])).is_err());
        assert_eq!(parse_args(&[]), Ok(Command::Help));
    }

    #[test]
    fn draw_reproduces_the_rfc_example_by_name() {
        let names = "John\nMary\nBashful\nDopey\nSleepy\nGrouchy\nDoc\nSneazy\nHandsome\nCassandra\nPollyanna\nPendragon\nPandora\nFaith\nHope\nCharity\nLee\nLongsuffering\nChastity\nSmith\nPride\nSloth\nEnvy\nAnger\nKasczynski\n";
        let reader = move |_: &str| Ok(names.to_owned());
        let out = run(
            Command::Draw {
                pool: "pool.txt".into(),
                sources: vec!["9319".into(), "2 5 12 8 10".into(), "9 18 26 34 41 45".into()],
                count: 10,
                json: true,
            },
            &reader,
        )
        .unwrap();
        let value: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(value["key_string"], "9319./2.5.8.10.12./9.18.26.34.41.45./");
        let selected: Vec<&str> = value["selected"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        assert_eq!(
            selected,
            [
                "Lee",
                "Doc",
                "Mary",
                "Charity",
                "Kasczynski",
                "Envy",
                "Sneazy",
                "Anger",
                "Chastity",
                "Pandora"
            ]
        );
    }

    #[test]
    fn draw_refuses_a_count_larger_than_the_pool() {
        let reader = |_: &str| Ok("甲\n乙\n".to_owned());
        let err = run(
            Command::Draw {
                pool: "p".into(),
                sources: vec!["1".into()],
                count: 3,
                json: false,
            },
            &reader,
        )
        .unwrap_err();
        assert!(matches!(
            err,
            CliError::Draw(DrawError::CountTooLarge { count: 3, pool: 2 })
        ));
        assert_eq!(err.exit_code(), 2);
    }
}
