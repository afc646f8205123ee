//! `psp-migrate`: turn PodSecurityPolicies into ClusterAdmissionPolicies that use this module.

use anyhow::{anyhow, bail, Result};
use psp_host::PolicyHost;
use psp_tools::cli::{self, read_text, Flag, Outcome, Parsed};
use psp_tools::crd::{load_crds, validate_manifest};
use psp_tools::migrate::rbac::Rbac;
use psp_tools::migrate::{
    default_policy_name, migrate_combined, migrate_psp, read_psps, render, settings_of,
    Authorization, MigrateOptions,
};
use serde_json::Value;
use std::io::Read;
use std::process::ExitCode;

const USAGE: &str = "\
psp-migrate: turn PodSecurityPolicies into ClusterAdmissionPolicies that use this module

USAGE:
  psp-migrate [OPTIONS] FILE...      (FILE `-`: standard input)
  kubectl get psp -o yaml | psp-migrate -
  kubectl get psp -o yaml > psps.yaml
  kubectl get clusterroles,clusterrolebindings,roles,rolebindings -A -o yaml > rbac.yaml
  psp-migrate --subjects-from rbac.yaml psps.yaml

OPTIONS:
  -o, --output FILE       where to write the manifests (default: standard output)
      --module REF        spec.module (default: this release, from metadata.yml)
      --validate-only     spec.mutating: false and the setting `mutating: false`: check, never
                          default (for clusters that allow no mutating webhooks)
      --name NAME         name of the one policy that holds several PodSecurityPolicies
                          (default: the name prefix + `policies`, i.e. psp-policies); also
                          writes that form for a single PodSecurityPolicy
      --name-prefix TEXT  prefix of each policy name (default: psp-)
      --subjects-from FILE
                          the cluster's RBAC, as `kubectl get clusterroles,clusterrolebindings,
                          roles,rolebindings -A -o yaml` prints it: write `authorization:
                          subjects` and who may use each PodSecurityPolicy; may be repeated
                          (`-`: standard input, which FILE `-` may share); also writes the
                          combined form for a single PodSecurityPolicy
      --separate          one policy per PodSecurityPolicy, as for a single one (Kubewarden then
                          admits a pod only when ALL of them accept it, where PSP admitted it when
                          ANY it was authorised for did)
      --check MODULE      validate each policy's settings with the module's validate_settings
                          (for example policy.wasm) and fail on invalid ones
      --crd FILE          validate each manifest against the ClusterAdmissionPolicy CRD in FILE
                          (Kubewarden's policies.kubewarden.io_clusteradmissionpolicies.yaml)
  -h, --help              this text

Input: PodSecurityPolicy manifests, YAML or JSON, one or many per file, or the List that
`kubectl get psp -o yaml` prints. RBAC objects among them are passed over (so one
`kubectl get psp,clusterroles,clusterrolebindings,roles,rolebindings -A -o yaml` can feed both
FILE and --subjects-from); anything else is refused.

One PodSecurityPolicy becomes one ClusterAdmissionPolicy, psp-NAME, whose settings are the PSP's
spec, with its seccomp and AppArmor annotations under `settings.annotations`. It admits every pod
its spec admits, whoever asks.

Several become ONE ClusterAdmissionPolicy whose settings list them, in name order, under
`policies` (each entry: `name`, its seccomp/AppArmor `annotations`, its `spec`). As the PSP
admission plugin did, the module admits a pod with the first entry that admits it (preferring one
that leaves it unchanged) among those that the requesting user or the pod's service account may
`use`:
  authorization: rbac      (the default) asks the cluster's RBAC through Kubewarden's
                           kubernetes/can_i (Kubewarden 1.27 or newer): keep the ClusterRoles and
                           bindings that grant `use` on podsecuritypolicies;
  authorization: subjects  (--subjects-from) reads each entry's `subjects` (users, groups,
                           serviceAccounts `namespace:name`, and `byNamespace` for RoleBindings'
                           grants), computed here from the RBAC as the API server's RBAC
                           authorizer answers; no cluster needed. It warns about bindings to
                           missing roles, grants of PodSecurityPolicies missing from the input,
                           PodSecurityPolicies nobody may use, and grants of every
                           PodSecurityPolicy that reach privileged ones.
Notes and warnings go to standard error and, as comments, into the output.
";

const FLAGS: &[Flag] = &[
    Flag::with_value(&["-o", "--output"]),
    Flag::with_value(&["--module"]),
    Flag::switch(&["--validate-only"]),
    Flag::with_value(&["--name"]),
    Flag::with_value(&["--name-prefix"]),
    Flag::with_value(&["--subjects-from"]),
    Flag::switch(&["--separate"]),
    Flag::with_value(&["--check"]),
    Flag::with_value(&["--crd"]),
];

/// Reads FILE, or standard input for `-` (read once, so that one dump can feed both the
/// PodSecurityPolicies and --subjects-from).
struct Inputs {
    stdin: Option<String>,
}

impl Inputs {
    fn read(&mut self, path: &str) -> Result<(String, String)> {
        if path != "-" {
            return Ok((read_text(path)?, path.to_string()));
        }
        if self.stdin.is_none() {
            let mut text = String::new();
            std::io::stdin()
                .read_to_string(&mut text)
                .map_err(|e| anyhow!("cannot read standard input: {e}"))?;
            self.stdin = Some(text);
        }
        Ok((
            self.stdin.clone().unwrap_or_default(),
            "<stdin>".to_string(),
        ))
    }
}

fn run(args: Parsed) -> Result<Outcome> {
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
    let name = args.value("--name")?;
    if name.is_some_and(|n| n.trim().is_empty()) {
        bail!("--name must not be empty");
    }
    let subjects_from = args.values("--subjects-from");
    let separate = args.switch("--separate");
    if separate && name.is_some() {
        bail!("--name names the one policy that holds several PodSecurityPolicies; --separate writes one per PodSecurityPolicy (named with --name-prefix)");
    }
    if separate && !subjects_from.is_empty() {
        bail!("--subjects-from writes the subjects of the one policy that holds several PodSecurityPolicies; it cannot be used with --separate");
    }

    let mut inputs = Inputs { stdin: None };
    let mut notes = Vec::new();
    let mut psps: Vec<Value> = Vec::new();
    for input in &args.positional {
        let (text, source) = inputs.read(input)?;
        let read = read_psps(&text, &source)?;
        for psp in read.psps {
            // Refused here, naming the file, rather than once converted.
            settings_of(&psp, false).map_err(|e| anyhow!("{source}: {e}"))?;
            let psp_name = psp.pointer("/metadata/name").and_then(Value::as_str);
            if psps
                .iter()
                .any(|p| p.pointer("/metadata/name").and_then(Value::as_str) == psp_name)
            {
                bail!(
                    "PodSecurityPolicy {:?} appears twice",
                    psp_name.unwrap_or("")
                );
            }
            psps.push(psp);
        }
        if read.rbac_objects > 0 && subjects_from.is_empty() {
            notes.push(format!(
                "{source}: {} RBAC object(s) passed over (give the file to --subjects-from too, to write who may use each PodSecurityPolicy)",
                read.rbac_objects
            ));
        }
    }
    let rbac = if subjects_from.is_empty() {
        None
    } else {
        let mut rbac = Rbac::new();
        for input in subjects_from {
            let (text, source) = inputs.read(input)?;
            rbac.read(&text, &source)?;
        }
        Some(rbac)
    };

    let combined = !separate && (psps.len() > 1 || name.is_some() || rbac.is_some());
    let mut migrated = Vec::new();
    if combined {
        let name = match name {
            Some(name) => name.to_string(),
            None => default_policy_name(&options),
        };
        let authorization = match &rbac {
            Some(rbac) => Authorization::Subjects(rbac),
            None => Authorization::Rbac,
        };
        migrated.push(migrate_combined(&psps, &name, &options, authorization)?);
    } else {
        for psp in &psps {
            migrated.push(migrate_psp(psp, &options)?);
        }
        if let (true, Some(first)) = (psps.len() > 1, migrated.first_mut()) {
            first.warnings.push(format!(
                "--separate: Kubewarden admits a pod only when ALL of these {} policies accept it, \
                 where PSP admitted it when ANY PodSecurityPolicy that the user or the pod's service \
                 account may use did (without --separate, one policy selects among them as PSP did)",
                psps.len()
            ));
        }
    }

    if let Some(module) = args.value("--check")? {
        let host = PolicyHost::load(module)?;
        let mut invalid = Vec::new();
        for one in &migrated {
            let answer = host.validate_settings(one.settings())?;
            if !answer.valid {
                invalid.push(match one.psp_names.as_slice() {
                    [psp] if !combined => format!("{psp}: {}", answer.message()),
                    _ => format!(
                        "{} ({}): {}",
                        one.name(),
                        one.psp_names.join(", "),
                        answer.message()
                    ),
                });
            }
        }
        if !invalid.is_empty() {
            bail!(
                "the module refuses the settings of {} {}:\n  {}",
                invalid.len(),
                match (combined, invalid.len()) {
                    (true, _) => "policy",
                    (false, 1) => "PodSecurityPolicy",
                    (false, _) => "PodSecurityPolicies",
                },
                invalid.join("\n  ")
            );
        }
    }

    if let Some(crd_path) = args.value("--crd")? {
        let crds = load_crds(&read_text(crd_path)?, crd_path)?;
        for one in &migrated {
            validate_manifest(&one.policy, &crds).map_err(|e| match one.psp_names.as_slice() {
                [psp] if !combined => anyhow!("the policy for PodSecurityPolicy {psp:?}: {e:#}"),
                _ => anyhow!("the policy {:?}: {e:#}", one.name()),
            })?;
        }
    }

    notes.extend(migrated.iter().flat_map(|m| m.warnings.iter().cloned()));
    let text = render(&migrated)?;
    let output = args.value("-o")?.map(str::to_string);
    for note in &notes {
        eprintln!("psp-migrate: note: {note}");
    }
    Ok(Outcome::Document { text, output })
}

fn main() -> ExitCode {
    cli::main("psp-migrate", USAGE, FLAGS, run)
}
