//! Named starting points. Explicit settings override a profile key by key.
//!
//! - `ai-data-security`: the sensitive-AI-data PodSecurityPolicy that this project started from, with one
//!   correction: that PSP lists `/data/ai` as an allowed read-only host path but leaves `hostPath` out of
//!   `volumes`, which forbids the very path it meant to allow. Here `hostPath` volumes are allowed, under
//!   `/data/ai` only and read-only (every mount of such a volume must be `readOnly: true`). And one adjustment:
//!   a PSP without seccomp annotations forbids setting any seccomp profile (PSP's "seccomp may not be set"),
//!   which would refuse the `RuntimeDefault` profile that hardened images and the restricted standard ask for.
//!   The profile allows any seccomp profile (`*`): no weaker than the PSP, since a pod without a profile
//!   already runs unconfined, and it can be combined with `podSecurityStandard: restricted`.
//! - `restricted` and `baseline`: the Pod Security Standards levels, as far as PSP fields can say them
//!   (the README lists where they cannot). As the restricted standard is the baseline one and more,
//!   `restricted` is written as the keys it sets over `baseline`'s.

use super::spec::RawSettings;

pub const NAMES: [&str; 3] = ["ai-data-security", "restricted", "baseline"];

/// Each profile as a settings document (parsed by the same code as the user's settings), and the profile it
/// builds on, if any: its keys then stand over that profile's.
fn document(name: &str) -> Option<(&'static str, Option<&'static str>)> {
    let document = match name {
        "ai-data-security" => (
            r#"{
            "privileged": false,
            "allowPrivilegeEscalation": false,
            "runAsUser": {"rule": "MustRunAsNonRoot"},
            "seLinux": {"rule": "RunAsAny"},
            "supplementalGroups": {"rule": "RunAsAny"},
            "fsGroup": {"rule": "RunAsAny"},
            "volumes": ["configMap", "emptyDir", "projected", "secret", "downwardAPI", "persistentVolumeClaim",
                        "hostPath"],
            "readOnlyRootFilesystem": true,
            "allowedHostPaths": [{"pathPrefix": "/data/ai", "readOnly": true}],
            "seccomp": {"allowedProfileNames": ["*"]}
        }"#,
            None,
        ),
        // The restricted standard is the baseline one and more: these keys over baseline's.
        "restricted" => (
            r#"{
            "allowPrivilegeEscalation": false,
            "requiredDropCapabilities": ["ALL"],
            "allowedCapabilities": ["NET_BIND_SERVICE"],
            "volumes": ["configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim",
                        "projected", "secret"],
            "runAsUser": {"rule": "MustRunAsNonRoot"}
        }"#,
            Some("baseline"),
        ),
        // Every volume type but hostPath; the capabilities the baseline standard lets containers add.
        "baseline" => (
            r#"{
            "privileged": false,
            "allowedCapabilities": ["AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD",
                                    "NET_BIND_SERVICE", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT"],
            "volumes": ["azureFile", "flocker", "flexVolume", "emptyDir", "gcePersistentDisk",
                        "awsElasticBlockStore", "gitRepo", "secret", "nfs", "iscsi", "glusterfs",
                        "persistentVolumeClaim", "rbd", "cinder", "cephFS", "downwardAPI", "fc", "configMap",
                        "vsphereVolume", "quobyte", "azureDisk", "photonPersistentDisk", "storageos", "projected",
                        "portworxVolume", "scaleIO", "csi", "ephemeral", "image"],
            "hostNetwork": false,
            "hostIPC": false,
            "hostPID": false,
            "runAsUser": {"rule": "RunAsAny"},
            "seLinux": {"rule": "RunAsAny"},
            "supplementalGroups": {"rule": "RunAsAny"},
            "fsGroup": {"rule": "RunAsAny"},
            "allowedProcMountTypes": ["Default"],
            "seccomp": {"allowedProfileNames": ["runtime/default", "localhost/*"],
                        "defaultProfileName": "runtime/default"}
        }"#,
            None,
        ),
        _ => return None,
    };
    Some(document)
}

/// The settings of the profile `name`.
pub fn named(name: &str) -> Option<RawSettings> {
    let (doc, base) = document(name)?;
    let own = super::parse_raw(doc).ok()?;
    match base {
        Some(base) => Some(own.over(named(base)?)),
        None => Some(own),
    }
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
    fn baseline_allows_every_volume_type_but_host_path() {
        let volumes = named("baseline").unwrap().volumes.unwrap();
        let expected: Vec<&str> = crate::pod::VolumeType::ALL
            .into_iter()
            .filter(|t| *t != crate::pod::VolumeType::HostPath)
            .map(|t| t.name())
            .collect();
        assert_eq!(volumes, expected);
    }

    #[test]
    fn ai_data_security_allows_its_host_path() {
        let ai = named("ai-data-security").unwrap();
        assert!(ai.volumes.unwrap().contains(&"hostPath".to_string()));
        assert_eq!(ai.allowed_host_paths.unwrap()[0].path_prefix, "/data/ai");
    }
}
