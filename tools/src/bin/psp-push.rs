//! `psp-push`: publish the annotated module to an OCI registry, as `kwctl push` does.

use anyhow::{bail, Result};
use psp_tools::cli::{parse, read, Flag};
use psp_tools::oci::{push, Transport};
use std::process::ExitCode;

const USAGE: &str = "\
psp-push: publish the annotated module to an OCI registry, as `kwctl push` does

USAGE:
  psp-push [--insecure] [--force] annotated-policy.wasm registry://HOST[:PORT]/PATH:TAG

OPTIONS:
      --insecure  talk plain HTTP to the registry (HTTPS otherwise)
      --force     push a module that has no metadata
  -h, --help      this text

The artifact: an OCI image manifest, config `{}` (application/vnd.wasm.config.v1+json), one
layer holding the module byte for byte (application/vnd.wasm.content.layer.v1+wasm), and the
module's metadata annotations as manifest annotations (multi-line values left out;
org.opencontainers.image.source from io.kubewarden.policy.source). Credentials come from the
Docker config (`docker login`, without a credential helper); anonymous otherwise.
Prints the immutable reference (HOST/PATH@sha256:...) of what was pushed.
";

const FLAGS: &[Flag] = &[
    Flag {
        names: &["--insecure"],
        value: false,
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
    let [module_path, target] = args.positional.as_slice() else {
        bail!("give the module and the destination: psp-push annotated-policy.wasm registry://HOST/PATH:TAG");
    };
    let module = read(module_path)?;
    let transport = Transport {
        insecure: args.switch("--insecure"),
    };
    let pushed = push(&module, target, transport, args.switch("--force"))?;
    Ok(Some(pushed.immutable_reference))
}

fn main() -> ExitCode {
    match run(std::env::args().skip(1).collect()) {
        Ok(None) => {
            print!("{USAGE}");
            ExitCode::SUCCESS
        }
        Ok(Some(reference)) => {
            println!("{reference}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("psp-push: {e:#}\n(psp-push --help for usage)");
            ExitCode::FAILURE
        }
    }
}
