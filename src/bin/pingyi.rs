//! `pingyi`: the command-line tool over the rules core — reproduce a draw, recompute a tally.
//!
//! Thin by design: it reads files, calls `pingyi::domain`, prints. Exit codes: 0 success,
//! 2 bad input (the message says what to fix), 1 a check that did not hold.

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
        print!("{}", pingyi::cli::USAGE);
        return ExitCode::SUCCESS;
    }
    match run(command, &|path| std::fs::read_to_string(path)) {
        Ok(output) => {
            print!("{output}");
            ExitCode::SUCCESS
        }
        // A JSON verdict is for programs reading standard output, whatever it says.
        Err(CliError::JsonVerdict { json, code }) => {
            print!("{json}");
            ExitCode::from(code)
        }
        Err(error) => {
            eprintln!("{error}");
            ExitCode::from(error.exit_code())
        }
    }
}
