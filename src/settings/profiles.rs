//! Named starting points. Explicit settings override a profile key by key.
//!
//! - `ai-data-security`: the sensitive-AI-data PodSecurityPolicy of the product brief, with one correction:
//!   that PSP lists `/data/ai` as an allowed read-only host path but leaves `hostPath` out of `volumes`, which
//!   forbids the very path it meant to allow. Here `hostPath` volumes are allowed, under `/data/ai` only and
//!   read-only (every mount of such a volume must be `readOnly: true`).
//! - `restricted` and `baseline`: the Pod Security Standards levels, as far as PSP fields can say them
//!   (the README lists where they cannot).

use super::spec::RawSettings;
use serde_json::{json, Value};

pub const NAMES: [&str; 3] = ["ai-data-security", "restricted", "baseline"];

/// Capabilities the baseline Pod Security Standard lets containers add.
const BASELINE_CAPABILITIES: [&str; 13] = [
    "AUDIT_WRITE",
    "CHOWN",
    "DAC_OVERRIDE",
    "FOWNER",
    "FSETID",
    "KILL",
    "MKNOD",
    "NET_BIND_SERVICE",
    "SETFCAP",
    "SETGID",
    "SETPCAP",
    "SETUID",
    "SYS_CHROOT",
];

fn document(name: &str) -> Option<Value> {
    let run_as_any = json!({"rule": "RunAsAny"});
    let doc = match name {
        "ai-data-security" => json!({
            "privileged": false,
            "allowPrivilegeEscalation": false,
            "runAsUser": {"rule": "MustRunAsNonRoot"},
            "seLinux": run_as_any,
            "supplementalGroups": run_as_any,
            "fsGroup": run_as_any,
            "volumes": ["configMap", "emptyDir", "projected", "secret", "downwardAPI",
                        "persistentVolumeClaim", "hostPath"],
            "readOnlyRootFilesystem": true,
            "allowedHostPaths": [{"pathPrefix": "/data/ai", "readOnly": true}],
        }),
        "restricted" => json!({
            "privileged": false,
            "allowPrivilegeEscalation": false,
            "requiredDropCapabilities": ["ALL"],
            "allowedCapabilities": ["NET_BIND_SERVICE"],
            "volumes": ["configMap", "csi", "downwardAPI", "emptyDir", "ephemeral",
                        "persistentVolumeClaim", "projected", "secret"],
            "hostNetwork": false,
            "hostIPC": false,
            "hostPID": false,
            "runAsUser": {"rule": "MustRunAsNonRoot"},
            "seLinux": run_as_any,
            "supplementalGroups": run_as_any,
            "fsGroup": run_as_any,
            "allowedProcMountTypes": ["Default"],
            "seccomp": {"allowedProfileNames": ["runtime/default", "localhost/*"],
                        "defaultProfileName": "runtime/default"},
        }),
        "baseline" => {
            let volumes: Vec<&str> = crate::pod::VolumeType::ALL
                .into_iter()
                .filter(|t| *t != crate::pod::VolumeType::HostPath)
                .map(|t| t.name())
                .collect();
            json!({
                "privileged": false,
                "allowedCapabilities": BASELINE_CAPABILITIES,
                "volumes": volumes,
                "hostNetwork": false,
                "hostIPC": false,
                "hostPID": false,
                "runAsUser": run_as_any,
                "seLinux": run_as_any,
                "supplementalGroups": run_as_any,
                "fsGroup": run_as_any,
                "allowedProcMountTypes": ["Default"],
                "seccomp": {"allowedProfileNames": ["runtime/default", "localhost/*"],
                            "defaultProfileName": "runtime/default"},
            })
        }
        _ => return None,
    };
    Some(doc)
}

/// The settings of the profile `name`.
pub fn named(name: &str) -> Option<RawSettings> {
    serde_json::from_value(document(name)?).ok()
}

/// PSP fields that constrain nothing: the base under the PSP fields given beside a Pod Security Standard.
pub fn unconstrained() -> RawSettings {
    let run_as_any = || {
        Some(super::spec::IdStrategy {
            rule: Some("RunAsAny".into()),
            ranges: None,
        })
    };
    RawSettings {
        privileged: Some(true),
        allowed_capabilities: Some(vec!["*".into()]),
        volumes: Some(vec!["*".into()]),
        host_network: Some(true),
        host_ports: Some(vec![super::spec::IdRange { min: 0, max: 65535 }]),
        host_pid: Some(true),
        host_ipc: Some(true),
        se_linux: Some(super::spec::SeLinuxStrategy {
            rule: Some("RunAsAny".into()),
            se_linux_options: None,
        }),
        run_as_user: run_as_any(),
        supplemental_groups: run_as_any(),
        fs_group: run_as_any(),
        allow_privilege_escalation: Some(true),
        allowed_unsafe_sysctls: Some(vec!["*".into()]),
        allowed_proc_mount_types: Some(vec!["Default".into(), "Unmasked".into()]),
        // A PSP without seccomp rules forbids setting any profile; unconstrained means any profile.
        seccomp: Some(super::spec::ProfileStrategy {
            allowed_profile_names: Some(vec!["*".into()]),
            default_profile_name: None,
        }),
        ..RawSettings::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_profile_parses() {
        for name in NAMES {
            assert!(named(name).is_some(), "{name}");
        }
        assert!(named("nope").is_none());
    }

    #[test]
    fn ai_data_security_allows_its_host_path() {
        let ai = named("ai-data-security").unwrap();
        assert!(ai.volumes.unwrap().contains(&"hostPath".to_string()));
        assert_eq!(ai.allowed_host_paths.unwrap()[0].path_prefix, "/data/ai");
    }
}
