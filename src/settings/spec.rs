//! The settings document: a PodSecurityPolicy `spec` (same keys, same JSON spellings as `policy/v1beta1`),
//! PSP's annotations, and this policy's own keys (profile, Pod Security Standards, exemptions, mutating).
//!
//! Every key is optional here so that a profile can supply what the user leaves out; what is required is
//! decided when the policy is assembled (`policy`). Unknown keys are refused everywhere: a misspelled `privilegd`
//! must not silently weaken the policy.

use serde::Deserialize;
use std::collections::BTreeMap;

use super::entries::{AuthorizationMode, RawEntries};

#[derive(Deserialize, Debug, Default, Clone, PartialEq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RawSettings {
    pub privileged: Option<bool>,
    pub default_add_capabilities: Option<Vec<String>>,
    pub required_drop_capabilities: Option<Vec<String>>,
    pub allowed_capabilities: Option<Vec<String>>,
    pub volumes: Option<Vec<String>>,
    pub host_network: Option<bool>,
    pub host_ports: Option<Vec<IdRange>>,
    #[serde(rename = "hostPID")]
    pub host_pid: Option<bool>,
    #[serde(rename = "hostIPC")]
    pub host_ipc: Option<bool>,
    #[serde(rename = "seLinux")]
    pub se_linux: Option<SeLinuxStrategy>,
    pub run_as_user: Option<IdStrategy>,
    pub run_as_group: Option<IdStrategy>,
    pub supplemental_groups: Option<IdStrategy>,
    pub fs_group: Option<IdStrategy>,
    pub read_only_root_filesystem: Option<bool>,
    pub default_allow_privilege_escalation: Option<bool>,
    pub allow_privilege_escalation: Option<bool>,
    pub allowed_host_paths: Option<Vec<AllowedHostPath>>,
    pub allowed_flex_volumes: Option<Vec<AllowedFlexVolume>>,
    #[serde(rename = "allowedCSIDrivers")]
    pub allowed_csi_drivers: Option<Vec<AllowedCsiDriver>>,
    pub allowed_unsafe_sysctls: Option<Vec<String>>,
    pub forbidden_sysctls: Option<Vec<String>>,
    pub allowed_proc_mount_types: Option<Vec<String>>,
    pub runtime_class: Option<RuntimeClassStrategy>,

    /// A PSP's `metadata.annotations`: the seccomp and AppArmor keys are read, other keys are ignored.
    pub annotations: Option<BTreeMap<String, String>>,
    /// A friendlier spelling of the seccomp annotations.
    pub seccomp: Option<ProfileStrategy>,
    /// A friendlier spelling of the AppArmor annotations.
    pub app_armor: Option<ProfileStrategy>,

    /// A named starting point (`ai-data-security`, `restricted`, `baseline`); explicit keys override its keys.
    pub profile: Option<String>,
    /// A Pod Security Standards level (and version) to enforce beside the PSP fields.
    pub pod_security_standard: Option<PodSecurityStandard>,
    /// Requests that are accepted untouched, as in Pod Security Admission's configuration.
    pub exemptions: Option<Exemptions>,
    /// Fill in PSP's defaults (true, the default) or only validate (for `mutating: false` deployments).
    pub mutating: Option<bool>,

    /// Several named PodSecurityPolicies, selected among per request as PSP's admission plugin did (see
    /// `entries`). With it, the PSP keys above stand in each entry, not here.
    pub policies: Option<RawEntries>,
    /// How the entries of `policies` are authorised.
    pub authorization: Option<AuthorizationMode>,
}

/// A `[min, max]` range of IDs or host ports, both ends included.
#[derive(Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct IdRange {
    pub min: i64,
    pub max: i64,
}

/// `runAsUser`, `runAsGroup`, `supplementalGroups` and `fsGroup`: a rule and its ranges.
#[derive(Deserialize, Debug, Default, Clone, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct IdStrategy {
    pub rule: Option<String>,
    pub ranges: Option<Vec<IdRange>>,
}

#[derive(Deserialize, Debug, Default, Clone, PartialEq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SeLinuxStrategy {
    pub rule: Option<String>,
    #[serde(rename = "seLinuxOptions")]
    pub se_linux_options: Option<SeLinuxOptionsSpec>,
}

#[derive(Deserialize, Debug, Default, Clone, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct SeLinuxOptionsSpec {
    pub user: Option<String>,
    pub role: Option<String>,
    #[serde(rename = "type")]
    pub type_: Option<String>,
    pub level: Option<String>,
}

#[derive(Deserialize, Debug, Default, Clone, PartialEq, Eq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AllowedHostPath {
    #[serde(default)]
    pub path_prefix: String,
    #[serde(default)]
    pub read_only: bool,
}

#[derive(Deserialize, Debug, Default, Clone, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct AllowedFlexVolume {
    #[serde(default)]
    pub driver: String,
}

#[derive(Deserialize, Debug, Default, Clone, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct AllowedCsiDriver {
    #[serde(default)]
    pub name: String,
}

#[derive(Deserialize, Debug, Default, Clone, PartialEq, Eq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RuntimeClassStrategy {
    pub allowed_runtime_class_names: Option<Vec<String>>,
    pub default_runtime_class_name: Option<String>,
}

/// Allowed and default seccomp or AppArmor profiles, in PSP's annotation syntax (`runtime/default`,
/// `localhost/<name>`, `unconfined`, `*`).
#[derive(Deserialize, Debug, Default, Clone, PartialEq, Eq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ProfileStrategy {
    pub allowed_profile_names: Option<Vec<String>>,
    pub default_profile_name: Option<String>,
}

#[derive(Deserialize, Debug, Default, Clone, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct PodSecurityStandard {
    #[serde(default)]
    pub level: String,
    pub version: Option<String>,
}

#[derive(Deserialize, Debug, Default, Clone, PartialEq, Eq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Exemptions {
    pub usernames: Option<Vec<String>>,
    pub namespaces: Option<Vec<String>>,
    pub runtime_classes: Option<Vec<String>>,
}

/// Keys of the four PSP annotations that carry seccomp and AppArmor rules.
pub const SECCOMP_ALLOWED_ANNOTATION: &str =
    "seccomp.security.alpha.kubernetes.io/allowedProfileNames";
pub const SECCOMP_DEFAULT_ANNOTATION: &str =
    "seccomp.security.alpha.kubernetes.io/defaultProfileName";
pub const APPARMOR_ALLOWED_ANNOTATION: &str =
    "apparmor.security.beta.kubernetes.io/allowedProfileNames";
pub const APPARMOR_DEFAULT_ANNOTATION: &str =
    "apparmor.security.beta.kubernetes.io/defaultProfileName";

impl RawSettings {
    /// `self` with every key it leaves unset taken from `base`. Annotations merge key by key.
    pub fn over(self, base: RawSettings) -> RawSettings {
        macro_rules! pick {
            ($($field:ident),* $(,)?) => {
                RawSettings { $($field: self.$field.or(base.$field),)* annotations: merge_maps(self.annotations, base.annotations) }
            };
        }
        pick!(
            privileged,
            default_add_capabilities,
            required_drop_capabilities,
            allowed_capabilities,
            volumes,
            host_network,
            host_ports,
            host_pid,
            host_ipc,
            se_linux,
            run_as_user,
            run_as_group,
            supplemental_groups,
            fs_group,
            read_only_root_filesystem,
            default_allow_privilege_escalation,
            allow_privilege_escalation,
            allowed_host_paths,
            allowed_flex_volumes,
            allowed_csi_drivers,
            allowed_unsafe_sysctls,
            forbidden_sysctls,
            allowed_proc_mount_types,
            runtime_class,
            seccomp,
            app_armor,
            profile,
            pod_security_standard,
            exemptions,
            mutating,
            policies,
            authorization,
        )
    }

    /// Moves the PSP seccomp and AppArmor annotations into the `seccomp` / `appArmor` keys, so that both
    /// spellings mean one thing and merge as one. Refuses the two spellings when they disagree, and
    /// unknown keys in the seccomp and AppArmor annotation namespaces (a misspelled key must not pass).
    pub fn normalize_profile_annotations(&mut self, errors: &mut super::SettingsErrors) {
        let Some(annotations) = self.annotations.as_mut() else {
            return;
        };
        for (allowed_key, default_key, friendly, friendly_name) in [
            (
                SECCOMP_ALLOWED_ANNOTATION,
                SECCOMP_DEFAULT_ANNOTATION,
                &mut self.seccomp,
                "seccomp",
            ),
            (
                APPARMOR_ALLOWED_ANNOTATION,
                APPARMOR_DEFAULT_ANNOTATION,
                &mut self.app_armor,
                "appArmor",
            ),
        ] {
            let allowed = annotations.remove(allowed_key);
            let default = annotations.remove(default_key);
            if allowed.is_none() && default.is_none() {
                continue;
            }
            let from_annotations = ProfileStrategy {
                allowed_profile_names: allowed.map(|list| {
                    list.split(',')
                        .map(str::trim)
                        .filter(|name| !name.is_empty())
                        .map(str::to_owned)
                        .collect()
                }),
                default_profile_name: default.map(|d| d.trim().to_owned()),
            };
            match friendly {
                Some(given) if *given != from_annotations => errors.add(
                    friendly_name,
                    format!("disagrees with annotations[{allowed_key}] / annotations[{default_key}]; give one of the two"),
                ),
                _ => *friendly = Some(from_annotations),
            }
        }
        for key in annotations.keys() {
            let namespace = [
                "seccomp.security.alpha.kubernetes.io/",
                "apparmor.security.beta.kubernetes.io/",
            ];
            if namespace.iter().any(|n| key.starts_with(n)) {
                errors.add(
                    format!("annotations[{key}]"),
                    "unknown PodSecurityPolicy annotation; known: allowedProfileNames, defaultProfileName",
                );
            }
        }
    }

    /// True when any PodSecurityPolicy field (or PSP annotation) is set.
    pub fn has_psp_fields(&self) -> bool {
        let psp_only = RawSettings {
            annotations: None,
            profile: None,
            pod_security_standard: None,
            exemptions: None,
            mutating: None,
            policies: None,
            authorization: None,
            ..self.clone()
        };
        psp_only != RawSettings::default()
    }
}

fn merge_maps(
    top: Option<BTreeMap<String, String>>,
    base: Option<BTreeMap<String, String>>,
) -> Option<BTreeMap<String, String>> {
    match (top, base) {
        (Some(top), Some(mut base)) => {
            base.extend(top);
            Some(base)
        }
        (top, base) => top.or(base),
    }
}
