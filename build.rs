//! Generates the `i18n` module (typed translation keys) from `locales/zh.json` and
//! `locales/en.json` with leptos_i18n's parser and code generator. Chinese is the default
//! locale.

use std::error::Error;
use std::path::PathBuf;

use leptos_i18n_parser::parse_locales::options::{Config, ParseOptions};
use leptos_i18n_parser::parse_locales::parse_locales;

fn main() -> Result<(), Box<dyn Error>> {
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-changed=locales");
    let out = PathBuf::from(std::env::var_os("OUT_DIR").ok_or("OUT_DIR is not set")?).join("i18n");
    // Messages built at run time carry their values into plain strings (`td_string!`).
    let options = ParseOptions::default().interpolate_display(true);
    let config = Config::new("zh")?.add_locale("en")?.parse_options(options);
    let parsed = parse_locales(None, config)?;
    for path in parsed.tracked_files.iter().flatten() {
        println!("cargo::rerun-if-changed={path}");
    }
    for warning in parsed.diag.warnings().iter() {
        println!("cargo::warning={warning}");
    }
    let errors = parsed.diag.errors();
    if !errors.is_empty() {
        let all: Vec<String> = errors.iter().map(ToString::to_string).collect();
        return Err(all.join("\n").into());
    }
    let code = leptos_i18n_codegen::gen_code(&parsed, None, false, None, true)?;
    std::fs::create_dir_all(&out)?;
    std::fs::write(out.join("mod.rs"), code.to_string())?;
    Ok(())
}
