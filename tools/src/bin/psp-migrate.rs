//! `psp-migrate`: turn PodSecurityPolicies into ClusterAdmissionPolicies that use this module.

use anyhow::{anyhow, bail, Result};
use psp_host::PolicyHost;
use psp_tools::cli::{parse, read_text, write_atomically, Flag};
use psp_tools::crd::{load_crds, validate_manifest};
use psp_tools::migrate::{migrate, render, MigrateOptions};
use std::io::Read;
use std::path::Path;
use std::process::ExitCode;

const USAGE: &str = "\
psp-migrate: turn PodSecurityPolicies into ClusterAdmissionPolicies that use this module

USAGE:
  psp-migrate [OPTIONS] FILE...      (FILE `-`: standard input)
  kubectl get psp -o yaml | psp-migrate -

OPTIONS:
  -o, --output FILE       where to write the manifests (default: standard output)
      --module REF        spec.module (default: this release, from metadata.yml)
      --validate-only     spec.mutating: false and the setting `mutating: false`: check, never
                          default (for clusters that allow no mutating webhooks)
      --name-prefix TEXT  prefix of each policy name (default: psp-)
      --check MODULE      validate each policy's settings with the module's validate_settings
                          (for example policy.wasm) and fail on invalid ones
      --crd FILE          validate each manifest against the ClusterAdmissionPolicy CRD in FILE
                          (Kubewarden's policies.kubewarden.io_clusteradmissionpolicies.yaml)
  -h, --help              this text

Input: PodSecurityPolicy manifests, YAML or JSON, one or many per file, or the List that
`kubectl get psp -o yaml` prints. Anything else is refused. Each PodSecurityPolicy becomes one
ClusterAdmissionPolicy whose settings are the PSP's spec, with its seccomp and AppArmor
annotations under `settings.annotations`.
";

const FLAGS: &[Flag] = &[
    Flag {
        names: &["-o", "--output"],
        value: true,
    },
    Flag {
        names: &["--module"],
        value: true,
    },
    Flag {
        names: &["--validate-only"],
        value: false,
    },
    Flag {
        names: &["--name-prefix"],
        value: true,
    },
    Flag {
        names: &["--check"],
        value: true,
    },
    Flag {
        names: &["--crd"],
        value: true,
    },
];

struct Outcome {
    text: String,
    output: Option<String>,
    notes: Vec<String>,
}

fn run(args: Vec<String>) -> Result<Option<Outcome>> {
    let args = parse(args, FLAGS)?;
    if args.help {
        return Ok(None);
    }
    if args.positional.is_empty() {
        bail!("give the PodSecurityPolicy files (or `-` for standard input)");
    }
    let mut options = MigrateOptions::project_defaults()?;
    if let Some(module) = args.value("--module")? {
        if module.trim().is_empty() {
            bail!("--module must not be empty");
        }
        options.module = module.to_string();
    }
    if let Some(prefix) = args.value("--name-prefix")? {
        options.name_prefix = prefix.to_string();
    }
    options.validate_only = args.switch("--validate-only");

    let mut migrated = Vec::new();
    for input in &args.positional {
        let (text, source) = if input == "-" {
            let mut text = String::new();
            std::io::stdin()
                .read_to_string(&mut text)
                .map_err(|e| anyhow!("cannot read standard input: {e}"))?;
            (text, "<stdin>".to_string())
        } else {
            (read_text(input)?, input.clone())
        };
        for one in migrate(&text, &source, &options)? {
            if migrated
                .iter()
                .any(|m: &psp_tools::migrate::Migrated| m.psp_name == one.psp_name)
            {
                bail!("PodSecurityPolicy {:?} appears twice", one.psp_name);
            }
            migrated.push(one);
        }
    }

    if let Some(module) = args.value("--check")? {
        let host = PolicyHost::load(module)?;
        let mut invalid = Vec::new();
        for one in &migrated {
            let answer = host.validate_settings(one.settings())?;
            if !answer.valid {
                invalid.push(format!("{}: {}", one.psp_name, answer.message()));
            }
        }
        if !invalid.is_empty() {
            bail!(
                "the module refuses the settings of {} PodSecurityPolic{}:\n  {}",
                invalid.len(),
                if invalid.len() == 1 { "y" } else { "ies" },
                invalid.join("\n  ")
            );
        }
    }

    if let Some(crd_path) = args.value("--crd")? {
        let crds = load_crds(&read_text(crd_path)?, crd_path)?;
        for one in &migrated {
            validate_manifest(&one.policy, &crds).map_err(|e| {
                anyhow!("the policy for PodSecurityPolicy {:?}: {e:#}", one.psp_name)
            })?;
        }
    }

    let notes = migrated
        .iter()
        .flat_map(|m| m.warnings.iter().cloned())
        .collect();
    Ok(Some(Outcome {
        text: render(&migrated)?,
        output: args.value("-o")?.map(str::to_string),
        notes,
    }))
}

fn main() -> ExitCode {
    match run(std::env::args().skip(1).collect()) {
        Ok(None) => {
            print!("{USAGE}");
            ExitCode::SUCCESS
        }
        Ok(Some(outcome)) => {
            for note in &outcome.notes {
                eprintln!("psp-migrate: note: {note}");
            }
            match outcome.output {
                None => {
                    print!("{}", outcome.text);
                    ExitCode::SUCCESS
                }
                Some(path) => match write_atomically(Path::new(&path), outcome.text.as_bytes()) {
                    Ok(()) => ExitCode::SUCCESS,
                    Err(e) => {
                        eprintln!("psp-migrate: {e:#}");
                        ExitCode::FAILURE
                    }
                },
            }
        }
        Err(e) => {
            eprintln!("psp-migrate: {e:#}\n(psp-migrate --help for usage)");
            ExitCode::FAILURE
        }
    }
}
