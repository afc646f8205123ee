//! `psp-pull`: fetch a published policy module from an OCI registry.

use anyhow::{bail, Result};
use psp_tools::cli::{parse, write_atomically, Flag};
use psp_tools::oci::{pull, Transport};
use std::path::Path;
use std::process::ExitCode;

const USAGE: &str = "\
psp-pull: fetch a published policy module from an OCI registry

USAGE:
  psp-pull [--insecure] -o policy.wasm registry://HOST[:PORT]/PATH(:TAG|@sha256:DIGEST)

OPTIONS:
  -o, --output-path FILE  where to write the module
      --insecure          talk plain HTTP to the registry (HTTPS otherwise)
  -h, --help              this text

Checks that the artifact is a Kubewarden policy (wasm config, one wasm layer) and that what was
received matches the manifest's digests. Prints the manifest digest.
";

const FLAGS: &[Flag] = &[
    Flag {
        names: &["-o", "--output-path"],
        value: true,
    },
    Flag {
        names: &["--insecure"],
        value: false,
    },
];

fn run(args: Vec<String>) -> Result<Option<String>> {
    let args = parse(args, FLAGS)?;
    if args.help {
        return Ok(None);
    }
    let [source] = args.positional.as_slice() else {
        bail!("give one reference: registry://HOST/PATH:TAG");
    };
    let Some(output) = args.value("-o")? else {
        bail!("give the output path: -o policy.wasm");
    };
    let pulled = pull(
        source,
        Transport {
            insecure: args.switch("--insecure"),
        },
    )?;
    write_atomically(Path::new(output), &pulled.module)?;
    Ok(Some(pulled.digest))
}

fn main() -> ExitCode {
    match run(std::env::args().skip(1).collect()) {
        Ok(None) => {
            print!("{USAGE}");
            ExitCode::SUCCESS
        }
        Ok(Some(digest)) => {
            println!("{digest}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("psp-pull: {e:#}\n(psp-pull --help for usage)");
            ExitCode::FAILURE
        }
    }
}
