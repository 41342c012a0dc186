//! `pingyi`: the command-line tool over the rules core — reproduce a draw, recompute a tally.
//!
//! Thin by design: it reads files, calls `pingyi::domain`, prints. Exit codes: 0 success,
//! 2 bad input (the message says what to fix), 1 a check that did not hold.

use std::io::Write;
use std::process::ExitCode;

use pingyi::cli::{CliError, Command, parse_args, run};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let command = match parse_args(&args) {
        Ok(command) => command,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    if let Command::Help = command {
        out(pingyi::cli::USAGE);
        return ExitCode::SUCCESS;
    }
    if let Command::Xlsx {
        result,
        out: path,
        english,
    } = &command
    {
        let written = std::fs::read_to_string(result)
            .map_err(|e| CliError::Read {
                path: result.clone(),
                detail: e.to_string(),
            })
            .and_then(|text| pingyi::cli::result_xlsx(&text, result, *english))
            .and_then(|bytes| {
                std::fs::write(path, bytes).map_err(|e| CliError::Write {
                    path: path.clone(),
                    detail: e.to_string(),
                })
            });
        return match written {
            Ok(()) => {
                out(&format!("{path}\n"));
                ExitCode::SUCCESS
            }
            Err(error) => {
                eprintln!("{error}");
                ExitCode::from(error.exit_code())
            }
        };
    }
    match run(command, &|path| std::fs::read_to_string(path)) {
        Ok(output) => {
            out(&output);
            ExitCode::SUCCESS
        }
        // A JSON verdict is for programs reading standard output, whatever it says.
        Err(CliError::JsonVerdict { json, code }) => {
            out(&json);
            ExitCode::from(code)
        }
        Err(error) => {
            eprintln!("{error}");
            ExitCode::from(error.exit_code())
        }
    }
}

/// Writes to standard output. A reader that stops early (`pingyi … | head`) is not an error of
/// ours: the exit code still says what was found, so a closed pipe is ignored, never a panic.
fn out(text: &str) {
    let mut stdout = std::io::stdout().lock();
    let _ = stdout.write_all(text.as_bytes()).and_then(|()| stdout.flush());
}
