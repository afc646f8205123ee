//! `psp-annotate`: embed the policy metadata in the module, as `kwctl annotate` does.

use anyhow::{bail, Result};
use psp_tools::annotate::annotate;
use psp_tools::cli::{parse, read, read_text, write_atomically, Flag};
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
    Flag {
        names: &["-m", "--metadata-path"],
        value: true,
    },
    Flag {
        names: &["-u", "--usage-path"],
        value: true,
    },
    Flag {
        names: &["-o", "--output-path"],
        value: true,
    },
    Flag {
        names: &["--force"],
        value: false,
    },
];

fn run(args: Vec<String>) -> Result<Option<String>> {
    let args = parse(args, FLAGS)?;
    if args.help {
        return Ok(None);
    }
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
    Ok(Some(format!(
        "{output}: {module_path} annotated with {metadata_path}"
    )))
}

fn main() -> ExitCode {
    match run(std::env::args().skip(1).collect()) {
        Ok(None) => {
            print!("{USAGE}");
            ExitCode::SUCCESS
        }
        Ok(Some(done)) => {
            eprintln!("{done}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("psp-annotate: {e:#}\n(psp-annotate --help for usage)");
            ExitCode::FAILURE
        }
    }
}
