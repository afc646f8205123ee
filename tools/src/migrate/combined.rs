//! Several PodSecurityPolicies in one ClusterAdmissionPolicy, in the `policies` form of the settings:
//! the module then selects among them as the PSP admission plugin did (the first entry, in name
//! order, that admits the pod and that the requesting user or the pod's service account may `use`).

use anyhow::{bail, Result};
use serde_json::{json, Map, Value};
use std::collections::BTreeSet;

use super::psp::{privileged_features, profile_annotations, psp_name, spec_of, warnings_of};
use super::rbac::{Grant, Rbac, SubjectSet, Subjects};
use super::{cluster_admission_policy, MigrateOptions, Migrated};

/// How the module decides who may `use` each entry.
#[derive(Debug, Clone, Copy)]
pub enum Authorization<'a> {
    /// `authorization: rbac`: the cluster's RBAC, asked through Kubewarden's `kubernetes/can_i`.
    Rbac,
    /// `authorization: subjects`: each entry's `subjects`, computed here from this RBAC.
    Subjects(&'a Rbac),
}

/// The default name of the combined ClusterAdmissionPolicy: the name prefix + `policies`
/// (`psp-policies`).
pub fn default_policy_name(options: &MigrateOptions) -> String {
    format!("{}policies", options.name_prefix)
}

/// One ClusterAdmissionPolicy named `policy_name` holding every PodSecurityPolicy of `psps`, each
/// one an entry of `settings.policies` (name, seccomp/AppArmor annotations, spec), in name order.
pub fn migrate_combined(
    psps: &[Value],
    policy_name: &str,
    options: &MigrateOptions,
    authorization: Authorization,
) -> Result<Migrated> {
    if psps.is_empty() {
        bail!("no PodSecurityPolicy to migrate");
    }
    let mut psps: Vec<&Value> = psps.iter().collect();
    // Byte-wise, as the PSP admission plugin ordered them.
    psps.sort_by(|a, b| psp_name(a).cmp(psp_name(b)));
    let mut names = BTreeSet::new();
    let mut warnings = Vec::new();
    let mut entries = Vec::new();
    let mut privileged = Vec::new();
    for psp in &psps {
        let name = psp_name(psp);
        if !names.insert(name.to_string()) {
            bail!("PodSecurityPolicy {name:?} appears twice");
        }
        let spec = spec_of(psp)?;
        warnings.extend(warnings_of(name, spec));
        let features = privileged_features(spec);
        if !features.is_empty() {
            privileged.push(format!("{name:?} ({})", features.join(", ")));
        }
        let mut entry = Map::new();
        entry.insert("name".into(), json!(name));
        let annotations = profile_annotations(psp)?;
        if !annotations.is_empty() {
            entry.insert("annotations".into(), Value::Object(annotations));
        }
        entry.insert("spec".into(), Value::Object(spec.clone()));
        if let Authorization::Subjects(rbac) = authorization {
            let subjects = rbac.subjects_of(name);
            if subjects.is_empty() {
                warnings.push(format!(
                    "PodSecurityPolicy {name:?}: no RBAC binding grants use of it, so it admits no \
                     pod (its subjects are empty)"
                ));
            } else if only_cluster_administrators(&subjects) {
                // cluster-admin's wildcard reaches every PSP on every cluster: that grant alone
                // leaves the PSP as unused as no grant at all.
                warnings.push(format!(
                    "PodSecurityPolicy {name:?}: only group \"system:masters\" (cluster \
                     administrators) may use it, so it admits no pod of anyone else"
                ));
            }
            entry.insert("subjects".into(), serde_json::to_value(&subjects)?);
        }
        entries.push(Value::Object(entry));
    }
    if let Authorization::Subjects(rbac) = authorization {
        warnings.extend(rbac.warnings(&names));
        if !privileged.is_empty() {
            for granting in rbac.grantings() {
                if granting.grant != Grant::Every || granting.subjects.is_empty() {
                    continue;
                }
                let scope = match &granting.namespace {
                    None => String::new(),
                    Some(ns) => format!(" for pods in namespace {ns:?}"),
                };
                warnings.push(format!(
                    "{} ({}) grants use of every PodSecurityPolicy (a rule without resourceNames) \
                     to {}{scope}, so they may use the privileged ones: {}",
                    granting.binding,
                    granting.role,
                    granting.subjects.describe(),
                    privileged.join(", ")
                ));
            }
        }
    }

    let mut settings = Map::new();
    settings.insert(
        "authorization".into(),
        json!(match authorization {
            Authorization::Rbac => "rbac",
            Authorization::Subjects(_) => "subjects",
        }),
    );
    if options.validate_only {
        settings.insert("mutating".into(), json!(false));
    }
    settings.insert("policies".into(), Value::Array(entries));
    Ok(Migrated {
        psp_names: names.into_iter().collect(),
        policy: cluster_admission_policy(policy_name, options, settings)?,
        warnings,
    })
}

/// Whether only the API server's superuser group may use a PSP.
fn only_cluster_administrators(subjects: &Subjects) -> bool {
    subjects.by_namespace.values().all(SubjectSet::is_empty)
        && subjects.cluster.users.is_empty()
        && subjects.cluster.service_accounts.is_empty()
        && subjects.cluster.groups.iter().eq(["system:masters"].iter())
}

/// Whether `policy` is a combined one (its settings hold `policies`).
pub(crate) fn is_combined(policy: &Value) -> bool {
    policy
        .pointer("/spec/settings/policies")
        .is_some_and(Value::is_array)
}

/// The comment that introduces a combined policy: what it holds and how it selects.
pub(crate) fn header(migrated: &Migrated) -> String {
    let names: Vec<String> = migrated
        .psp_names
        .iter()
        .map(|n| format!("{n:?}"))
        .collect();
    let what = match names.as_slice() {
        [one] => format!("PodSecurityPolicy {one}"),
        _ => format!("PodSecurityPolicies {}", names.join(", ")),
    };
    let how = match migrated
        .policy
        .pointer("/spec/settings/authorization")
        .and_then(Value::as_str)
    {
        Some("subjects") => {
            "# authorization: subjects reads each entry's subjects, computed by psp-migrate from the cluster's RBAC.\n"
        }
        _ => {
            "# authorization: rbac asks the cluster's RBAC (keep its grants of `use` on podsecuritypolicies).\n"
        }
    };
    format!(
        "# Migrated by psp-migrate from {what}, in one policy.\n\
         # As under PSP, a pod is admitted by the first entry in name order that admits it (one that\n\
         # leaves it unchanged first) and that the requesting user or the pod's service account may use:\n\
         {how}"
    )
}

/// The YAML of a combined policy, each entry written name first and its subjects in the order of
/// the settings' documentation (users, groups, serviceAccounts, byNamespace).
pub(crate) fn to_yaml(policy: &Value) -> Result<String> {
    const ENTRY_KEYS: [&str; 4] = ["name", "annotations", "spec", "subjects"];
    const SUBJECT_KEYS: [&str; 4] = ["users", "groups", "serviceAccounts", "byNamespace"];
    let mut yaml = serde_yaml::to_value(policy)?;
    let entries = yaml
        .get_mut("spec")
        .and_then(|spec| spec.get_mut("settings"))
        .and_then(|settings| settings.get_mut("policies"))
        .and_then(serde_yaml::Value::as_sequence_mut);
    for entry in entries.into_iter().flatten() {
        reorder(entry, &ENTRY_KEYS);
        let Some(subjects) = entry.get_mut("subjects") else {
            continue;
        };
        reorder(subjects, &SUBJECT_KEYS);
        let namespaces = subjects
            .get_mut("byNamespace")
            .and_then(serde_yaml::Value::as_mapping_mut);
        for (_, set) in namespaces.into_iter().flatten() {
            reorder(set, &SUBJECT_KEYS);
        }
    }
    Ok(serde_yaml::to_string(&yaml)?)
}

/// Puts the keys of `order` first, in that order, the others after them as they were.
fn reorder(value: &mut serde_yaml::Value, order: &[&str]) {
    let serde_yaml::Value::Mapping(map) = value else {
        return;
    };
    let mut ordered = serde_yaml::Mapping::new();
    for key in order {
        if let Some(v) = map.remove(*key) {
            ordered.insert((*key).into(), v);
        }
    }
    for (k, v) in std::mem::take(map) {
        ordered.insert(k, v);
    }
    *map = ordered;
}
