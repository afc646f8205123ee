//! The settings documents the properties run under: profiles, PSP specs from permissive to every family
//! constrained (mutating and not), annotations and friendly spellings, and Pod Security Standards alone
//! or beside PSP fields. All of them valid.

use super::*;

/// Valid settings documents: profiles, PSP specs from permissive to every family constrained (mutating and
/// not), annotations and friendly spellings, and Pod Security Standards alone or beside PSP fields.
pub(crate) const SETTINGS: [&str; 11] = [
    r#"{"profile": "ai-data-security"}"#,
    r#"{"profile": "restricted"}"#,
    r#"{"profile": "baseline"}"#,
    r#"{"privileged": true, "allowedCapabilities": ["*"], "volumes": ["*"], "hostNetwork": true, "hostPID": true,
        "hostIPC": true, "hostPorts": [{"min": 0, "max": 65535}], "runAsUser": {"rule": "RunAsAny"},
        "seLinux": {"rule": "RunAsAny"}, "supplementalGroups": {"rule": "RunAsAny"}, "fsGroup": {"rule": "RunAsAny"},
        "allowedUnsafeSysctls": ["*"], "allowedProcMountTypes": ["Default", "Unmasked"],
        "seccomp": {"allowedProfileNames": ["*"]}}"#,
    STRICT,
    r#"{"mutating": false, "profile": "ai-data-security", "runAsUser": {"rule": "MustRunAs", "ranges": [{"min": 1000, "max": 2000}]},
        "runAsGroup": {"rule": "MustRunAs", "ranges": [{"min": 1000, "max": 2000}]},
        "fsGroup": {"rule": "MustRunAs", "ranges": [{"min": 100, "max": 200}]},
        "supplementalGroups": {"rule": "MustRunAs", "ranges": [{"min": 100, "max": 200}]},
        "seLinux": {"rule": "MustRunAs", "seLinuxOptions": {"type": "container_t", "level": "s0:c1,c2"}},
        "requiredDropCapabilities": ["ALL"], "allowedProcMountTypes": ["Unmasked"],
        "seccomp": {"allowedProfileNames": ["runtime/default"]}, "appArmor": {"allowedProfileNames": ["runtime/default"]},
        "runtimeClass": {"allowedRuntimeClassNames": ["gvisor"]}}"#,
    r#"{"runAsUser": {"rule": "MustRunAsNonRoot"}, "seLinux": {"rule": "RunAsAny"},
        "supplementalGroups": {"rule": "MayRunAs", "ranges": [{"min": 100, "max": 200}, {"min": 1000, "max": 1000}]},
        "fsGroup": {"rule": "MayRunAs", "ranges": [{"min": 100, "max": 200}]},
        "runAsGroup": {"rule": "MayRunAs", "ranges": [{"min": 1, "max": 65535}]},
        "volumes": ["configMap", "emptyDir", "projected", "secret", "hostPath", "ephemeral", "image"],
        "defaultAllowPrivilegeEscalation": false, "requiredDropCapabilities": ["ALL"], "allowedCapabilities": ["*"],
        "runtimeClass": {"allowedRuntimeClassNames": ["*"], "defaultRuntimeClassName": "kata"},
        "annotations": {"seccomp.security.alpha.kubernetes.io/allowedProfileNames": "runtime/default, localhost/prof.json",
                        "seccomp.security.alpha.kubernetes.io/defaultProfileName": "localhost/prof.json",
                        "apparmor.security.beta.kubernetes.io/allowedProfileNames": ""}}"#,
    r#"{"podSecurityStandard": {"level": "restricted"}}"#,
    r#"{"podSecurityStandard": {"level": "baseline", "version": "v1.25"}, "hostNetwork": false,
        "allowedHostPaths": [{"pathPrefix": "/scratch"}], "exemptions": {"runtimeClasses": ["kata"], "namespaces": ["kube-system"]}}"#,
    r#"{"profile": "restricted", "podSecurityStandard": {"level": "restricted", "version": "v1.30"}}"#,
    r#"{"profile": "baseline", "runAsUser": {"rule": "MustRunAs", "ranges": [{"min": 0, "max": 0}, {"min": 5000, "max": 6000}]},
        "defaultAddCapabilities": ["NET_ADMIN", "chown"], "readOnlyRootFilesystem": true,
        "appArmor": {"allowedProfileNames": ["localhost/x", "runtime/default"], "defaultProfileName": "localhost/x"},
        "seccomp": {"allowedProfileNames": ["docker/default", "unconfined"], "defaultProfileName": "docker/default"},
        "forbiddenSysctls": ["net.ipv4.tcp_syncookies", "kernel.shm_rmid_forced"]}"#,
];

const STRICT: &str = r#"{"privileged": false, "defaultAddCapabilities": ["CHOWN"],
    "requiredDropCapabilities": ["NET_RAW"], "allowedCapabilities": ["NET_BIND_SERVICE"],
    "volumes": ["configMap", "emptyDir", "hostPath", "secret", "csi", "flexVolume"],
    "hostPorts": [{"min": 8000, "max": 9000}],
    "seLinux": {"rule": "MustRunAs", "seLinuxOptions": {"type": "container_t", "level": "s0:c1,c2"}},
    "runAsUser": {"rule": "MustRunAs", "ranges": [{"min": 1000, "max": 2000}]},
    "runAsGroup": {"rule": "MustRunAs", "ranges": [{"min": 1000, "max": 2000}]},
    "supplementalGroups": {"rule": "MustRunAs", "ranges": [{"min": 100, "max": 200}]},
    "fsGroup": {"rule": "MustRunAs", "ranges": [{"min": 100, "max": 200}]},
    "readOnlyRootFilesystem": true, "allowPrivilegeEscalation": false,
    "allowedHostPaths": [{"pathPrefix": "/data/ai", "readOnly": true}, {"pathPrefix": "/scratch"}],
    "allowedFlexVolumes": [{"driver": "example/lvm"}], "allowedCSIDrivers": [{"name": "ebs.csi.aws.com"}],
    "forbiddenSysctls": ["kernel.*"], "allowedUnsafeSysctls": ["net.core.*"],
    "allowedProcMountTypes": ["Default"],
    "runtimeClass": {"allowedRuntimeClassNames": ["gvisor", "runc"], "defaultRuntimeClassName": "gvisor"},
    "seccomp": {"allowedProfileNames": ["runtime/default", "localhost/*"], "defaultProfileName": "runtime/default"},
    "appArmor": {"allowedProfileNames": ["runtime/default", "localhost/x"], "defaultProfileName": "runtime/default"}}"#;

#[test]
fn every_generated_settings_document_is_valid() {
    for (i, settings) in SETTINGS.iter().enumerate() {
        if let Err(e) = Policy::from_json(settings) {
            panic!("SETTINGS[{i}] is invalid: {e}");
        }
    }
}
