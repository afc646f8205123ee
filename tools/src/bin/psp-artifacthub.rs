//! `psp-artifacthub`: write artifacthub-pkg.yml from the metadata, as
//! `kwctl scaffold artifacthub` does.

use anyhow::{bail, Result};
use psp_tools::artifacthub::{artifacthub_pkg, is_rfc3339, now_rfc3339, render};
use psp_tools::cli::{self, read_text, Flag, Outcome, Parsed};
use psp_tools::metadata::parse_metadata;
use std::process::ExitCode;

const USAGE: &str = "\
psp-artifacthub: write the Artifact Hub package file, as `kwctl scaffold artifacthub` does

USAGE:
  psp-artifacthub [-m metadata.yml] [-q questions-ui.yml] [--created-at RFC3339] [-o FILE]

OPTIONS:
  -m, --metadata-path FILE   the metadata (default: metadata.yml)
  -q, --questions-path FILE  the Rancher UI questions, stored as kubewarden/questions-ui
      --created-at TIME      createdAt (default: now)
  -o, --output FILE          where to write (default: standard output)
  -h, --help                 this text
";

const FLAGS: &[Flag] = &[
    Flag::with_value(&["-m", "--metadata-path"]),
    Flag::with_value(&["-q", "--questions-path"]),
    Flag::with_value(&["--created-at"]),
    Flag::with_value(&["-o", "--output"]),
];

fn run(args: Parsed) -> Result<Outcome> {
    if let Some(extra) = args.positional.first() {
        bail!("unexpected argument `{extra}`");
    }
    let metadata_path = args.value("-m")?.unwrap_or("metadata.yml");
    let metadata = parse_metadata(&read_text(metadata_path)?)?;
    let questions = args.value("-q")?.map(read_text).transpose()?;
    let created_at = match args.value("--created-at")? {
        Some(time) if is_rfc3339(time) => time.to_string(),
        Some(time) => bail!("--created-at {time:?} is not an RFC 3339 time"),
        None => now_rfc3339(),
    };
    let pkg = artifacthub_pkg(&metadata.metadata, questions.as_deref(), &created_at)?;
    Ok(Outcome::Document {
        text: render(&pkg)?,
        output: args.value("-o")?.map(str::to_string),
    })
}

fn main() -> ExitCode {
    cli::main("psp-artifacthub", USAGE, FLAGS, run)
}
