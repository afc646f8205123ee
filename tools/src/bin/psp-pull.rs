//! `psp-pull`: fetch a published policy module from an OCI registry.

use anyhow::{bail, Result};
use psp_tools::cli::{self, write_atomically, Flag, Outcome, Parsed};
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
    Flag::with_value(&["-o", "--output-path"]),
    Flag::switch(&["--insecure"]),
];

fn run(args: Parsed) -> Result<Outcome> {
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
    Ok(Outcome::Print(pulled.digest))
}

fn main() -> ExitCode {
    cli::main("psp-pull", USAGE, FLAGS, run)
}
