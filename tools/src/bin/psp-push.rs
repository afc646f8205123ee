//! `psp-push`: publish the annotated module to an OCI registry, as `kwctl push` does.

use anyhow::{bail, Result};
use psp_tools::cli::{self, read, Flag, Outcome, Parsed};
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

const FLAGS: &[Flag] = &[Flag::switch(&["--insecure"]), Flag::switch(&["--force"])];

fn run(args: Parsed) -> Result<Outcome> {
    let [module_path, target] = args.positional.as_slice() else {
        bail!("give the module and the destination: psp-push annotated-policy.wasm registry://HOST/PATH:TAG");
    };
    let module = read(module_path)?;
    let transport = Transport {
        insecure: args.switch("--insecure"),
    };
    let pushed = push(&module, target, transport, args.switch("--force"))?;
    Ok(Outcome::Print(pushed.immutable_reference))
}

fn main() -> ExitCode {
    cli::main("psp-push", USAGE, FLAGS, run)
}
