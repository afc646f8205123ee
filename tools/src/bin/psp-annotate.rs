//! `psp-annotate`: embed the policy metadata in the module, as `kwctl annotate` does.

use anyhow::{bail, Result};
use psp_tools::annotate::annotate;
use psp_tools::cli::{self, read, read_text, write_atomically, Flag, Outcome, Parsed};
use std::path::Path;
use std::process::ExitCode;

const USAGE: &str = "\
psp-annotate: embed the policy metadata in the module, as `kwctl annotate` does

USAGE:
  psp-annotate [-m metadata.yml] [-u README.md] -o annotated-policy.wasm [--force] policy.wasm

OPTIONS:
  -m, --metadata-path FILE  the metadata (default: metadata.yml)
  -u, --usage-path FILE     text stored as the io.kubewarden.policy.usage annotation (the README)
  -o, --output-path FILE    where to write the annotated module
      --force               replace the metadata of a module that is annotated already
  -h, --help                this text

The module is asked for its protocol version (waPC `protocol_version`); the metadata, with
`protocolVersion` and the usage annotation added, goes as JSON into the wasm custom section
`io.kubewarden.metadata`. Every other byte of the module is kept.
";

const FLAGS: &[Flag] = &[
    Flag::with_value(&["-m", "--metadata-path"]),
    Flag::with_value(&["-u", "--usage-path"]),
    Flag::with_value(&["-o", "--output-path"]),
    Flag::switch(&["--force"]),
];

fn run(args: Parsed) -> Result<Outcome> {
    let [module_path] = args.positional.as_slice() else {
        bail!("give one module (policy.wasm)");
    };
    let Some(output) = args.value("-o")? else {
        bail!("give the output path: -o annotated-policy.wasm");
    };
    let metadata_path = args.value("-m")?.unwrap_or("metadata.yml");
    let metadata = read_text(metadata_path)?;
    let usage = args.value("-u")?.map(read_text).transpose()?;
    let module = read(module_path)?;
    let annotated = annotate(&module, &metadata, usage.as_deref(), args.switch("--force"))
        .map_err(|e| {
            e.context(format!(
                "cannot annotate {module_path} with {metadata_path}"
            ))
        })?;
    write_atomically(Path::new(output), &annotated)?;
    Ok(Outcome::Report(format!(
        "{output}: {module_path} annotated with {metadata_path}"
    )))
}

fn main() -> ExitCode {
    cli::main("psp-annotate", USAGE, FLAGS, run)
}
