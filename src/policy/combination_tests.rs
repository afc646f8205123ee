//! Every PodSecurityPolicy field combined with a Pod Security Standard: the settings are valid, and the field
//! constrains (a pod that breaks only that field is rejected at the field's path, or gets the field's default),
//! while the fields left out constrain nothing.

use super::*;
use crate::object::Kind;
use serde_json::{json, Value};

/// What a PSP field does to the pod that breaks it.
enum Effect {
    /// One PSP violation, at this path of the pod.
    Rejects(&'static str),
    /// A default, at this JSON pointer of the pod object.
    Defaults(&'static str, Value),
}

/// A pod that both levels of the standard allow, and that every field below (with the value given to it)
/// allows as well.
fn compliant() -> Value {
    json!({
        "securityContext": {
            "runAsNonRoot": true, "runAsUser": 1500, "runAsGroup": 1500, "fsGroup": 1500,
            "supplementalGroups": [1500],
            "seLinuxOptions": {"level": "s0:c1,c2"},
            "seccompProfile": {"type": "RuntimeDefault"},
            "appArmorProfile": {"type": "RuntimeDefault"},
        },
        "containers": [{
            "name": "app",
            "securityContext": {
                "allowPrivilegeEscalation": false, "readOnlyRootFilesystem": true,
                "capabilities": {"drop": ["ALL"]},
            },
        }],
    })
}

/// [`compliant`] with the value at each JSON pointer replaced (objects created on the way).
fn changed(changes: &[(&str, Value)]) -> Value {
    let mut spec = compliant();
    for (pointer, value) in changes {
        let mut slot = &mut spec;
        for key in pointer.trim_start_matches('/').split('/') {
            slot = match key.parse::<usize>() {
                Ok(index) => &mut slot[index],
                Err(_) => {
                    if slot.is_null() {
                        *slot = json!({});
                    }
                    slot.as_object_mut()
                        .unwrap()
                        .entry(key)
                        .or_insert(Value::Null)
                }
            };
        }
        *slot = value.clone();
    }
    spec
}

fn pod(spec: Value) -> (PodObject, Value) {
    let object =
        json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": spec});
    let pod = PodObject::parse(Kind::Pod, &object.to_string()).unwrap();
    (pod, object)
}

/// Each PSP field with a typical value that constrains, the change that breaks it, and what follows.
fn cases() -> Vec<(&'static str, Value, Value, Effect)> {
    use Effect::*;
    let unconfined_seccomp = changed(&[(
        "/securityContext/seccompProfile",
        json!({"type": "Localhost", "localhostProfile": "audit.json"}),
    )]);
    vec![
        (
            "privileged",
            json!(false),
            changed(&[("/containers/0/securityContext/privileged", json!(true))]),
            Rejects("spec.containers[0].securityContext.privileged"),
        ),
        (
            "defaultAddCapabilities",
            json!(["NET_BIND_SERVICE"]),
            compliant(),
            Defaults(
                "/spec/containers/0/securityContext/capabilities/add",
                json!(["NET_BIND_SERVICE"]),
            ),
        ),
        (
            "requiredDropCapabilities",
            json!(["ALL"]),
            changed(&[("/containers/0/securityContext/capabilities", json!({}))]),
            Defaults(
                "/spec/containers/0/securityContext/capabilities/drop",
                json!(["ALL"]),
            ),
        ),
        (
            "allowedCapabilities",
            json!(["NET_BIND_SERVICE"]),
            changed(&[(
                "/containers/0/securityContext/capabilities/add",
                json!(["SYS_TIME"]),
            )]),
            Rejects("spec.containers[0].securityContext.capabilities.add[0]"),
        ),
        (
            "volumes",
            json!(["configMap", "secret"]),
            changed(&[("/volumes", json!([{"name": "v", "emptyDir": {}}]))]),
            Rejects("spec.volumes[0]"),
        ),
        (
            "hostNetwork",
            json!(false),
            changed(&[("/hostNetwork", json!(true))]),
            Rejects("spec.hostNetwork"),
        ),
        (
            "hostPorts",
            json!([{"min": 8000, "max": 8080}]),
            changed(&[(
                "/containers/0/ports",
                json!([{"containerPort": 80, "hostPort": 9090}]),
            )]),
            Rejects("spec.containers[0].ports[0].hostPort"),
        ),
        (
            "hostPID",
            json!(false),
            changed(&[("/hostPID", json!(true))]),
            Rejects("spec.hostPID"),
        ),
        (
            "hostIPC",
            json!(false),
            changed(&[("/hostIPC", json!(true))]),
            Rejects("spec.hostIPC"),
        ),
        (
            "seLinux",
            json!({"rule": "MustRunAs", "seLinuxOptions": {"level": "s0:c1,c2"}}),
            changed(&[("/securityContext/seLinuxOptions/level", json!("s0:c3"))]),
            Rejects("spec.securityContext.seLinuxOptions.level"),
        ),
        (
            "runAsUser",
            json!({"rule": "MustRunAs", "ranges": [{"min": 1000, "max": 2000}]}),
            changed(&[("/securityContext/runAsUser", json!(3000))]),
            Rejects("spec.securityContext.runAsUser"),
        ),
        (
            "runAsGroup",
            json!({"rule": "MustRunAs", "ranges": [{"min": 1000, "max": 2000}]}),
            changed(&[("/securityContext/runAsGroup", json!(3000))]),
            Rejects("spec.securityContext.runAsGroup"),
        ),
        (
            "supplementalGroups",
            json!({"rule": "MustRunAs", "ranges": [{"min": 1000, "max": 2000}]}),
            changed(&[("/securityContext/supplementalGroups", json!([3000]))]),
            Rejects("spec.securityContext.supplementalGroups[0]"),
        ),
        (
            "fsGroup",
            json!({"rule": "MustRunAs", "ranges": [{"min": 1000, "max": 2000}]}),
            changed(&[("/securityContext/fsGroup", json!(3000))]),
            Rejects("spec.securityContext.fsGroup"),
        ),
        (
            "readOnlyRootFilesystem",
            json!(true),
            changed(&[(
                "/containers/0/securityContext/readOnlyRootFilesystem",
                json!(false),
            )]),
            Rejects("spec.containers[0].securityContext.readOnlyRootFilesystem"),
        ),
        (
            "defaultAllowPrivilegeEscalation",
            json!(false),
            changed(&[(
                "/containers/0/securityContext/allowPrivilegeEscalation",
                Value::Null,
            )]),
            Defaults(
                "/spec/containers/0/securityContext/allowPrivilegeEscalation",
                json!(false),
            ),
        ),
        (
            "allowPrivilegeEscalation",
            json!(false),
            changed(&[(
                "/containers/0/securityContext/allowPrivilegeEscalation",
                json!(true),
            )]),
            Rejects("spec.containers[0].securityContext.allowPrivilegeEscalation"),
        ),
        (
            "allowedHostPaths",
            json!([{"pathPrefix": "/data", "readOnly": true}]),
            changed(&[(
                "/volumes",
                json!([{"name": "v", "hostPath": {"path": "/etc"}}]),
            )]),
            Rejects("spec.volumes[0].hostPath.path"),
        ),
        (
            "allowedFlexVolumes",
            json!([{"driver": "example.com/allowed"}]),
            changed(&[(
                "/volumes",
                json!([{"name": "v", "flexVolume": {"driver": "example.com/other"}}]),
            )]),
            Rejects("spec.volumes[0].flexVolume.driver"),
        ),
        (
            "allowedCSIDrivers",
            json!([{"name": "allowed.csi.example.com"}]),
            changed(&[(
                "/volumes",
                json!([{"name": "v", "csi": {"driver": "other.csi.example.com"}}]),
            )]),
            Rejects("spec.volumes[0].csi.driver"),
        ),
        (
            "allowedUnsafeSysctls",
            json!(["net.core.somaxconn"]),
            changed(&[(
                "/securityContext/sysctls",
                json!([{"name": "kernel.msgmax", "value": "1"}]),
            )]),
            Rejects("spec.securityContext.sysctls[0].name"),
        ),
        (
            "forbiddenSysctls",
            json!(["kernel.shm_rmid_forced"]),
            changed(&[(
                "/securityContext/sysctls",
                json!([{"name": "kernel.shm_rmid_forced", "value": "1"}]),
            )]),
            Rejects("spec.securityContext.sysctls[0].name"),
        ),
        (
            "allowedProcMountTypes",
            json!(["Default"]),
            changed(&[("/containers/0/securityContext/procMount", json!("Unmasked"))]),
            Rejects("spec.containers[0].securityContext.procMount"),
        ),
        (
            "runtimeClass",
            json!({"allowedRuntimeClassNames": ["gvisor"]}),
            changed(&[("/runtimeClassName", json!("runc"))]),
            Rejects("spec.runtimeClassName"),
        ),
        (
            "annotations",
            json!({"seccomp.security.alpha.kubernetes.io/allowedProfileNames": "runtime/default"}),
            unconfined_seccomp.clone(),
            Rejects("spec.securityContext.seccompProfile"),
        ),
        (
            "seccomp",
            json!({"allowedProfileNames": ["runtime/default"]}),
            unconfined_seccomp,
            Rejects("spec.securityContext.seccompProfile"),
        ),
        (
            "appArmor",
            json!({"allowedProfileNames": ["runtime/default"]}),
            changed(&[(
                "/containers/0/securityContext/appArmorProfile",
                json!({"type": "Localhost", "localhostProfile": "x"}),
            )]),
            Rejects("spec.containers[0].securityContext.appArmorProfile"),
        ),
    ]
}

/// The settings keys that are PSP fields: every key of the settings document but this policy's own.
fn psp_keys() -> Vec<String> {
    let err = serde_json::from_str::<RawSettings>(r#"{"?": 0}"#)
        .unwrap_err()
        .to_string();
    let expected = err.split("expected one of").nth(1).unwrap();
    let own = [
        "profile",
        "podSecurityStandard",
        "exemptions",
        "mutating",
        "policies",
        "authorization",
    ];
    expected
        .split('`')
        .skip(1)
        .step_by(2)
        .filter(|key| !own.contains(key))
        .map(str::to_owned)
        .collect()
}

#[test]
fn the_cases_cover_every_psp_field() {
    let mut covered: Vec<String> = cases().iter().map(|(key, ..)| key.to_string()).collect();
    let mut keys = psp_keys();
    covered.sort();
    keys.sort();
    assert_eq!(covered, keys);
}

#[test]
fn every_psp_field_combines_with_a_standard_and_constrains() {
    for level in ["baseline", "restricted"] {
        for (key, value, breaking, effect) in cases() {
            let settings = json!({"podSecurityStandard": {"level": level}, key: value});
            let policy = Policy::from_json(&settings.to_string())
                .unwrap_or_else(|e| panic!("{settings}: {e}"));
            let entry = policy.entry().expect("an entry");
            let psp = entry.psp().expect("a PSP field is set");

            // The compliant pod passes, whatever the field defaults.
            let (mut allowed, _) = pod(compliant());
            let mut defaults = Defaults::new(Kind::Pod);
            assert_eq!(
                entry.admit(&mut allowed, &mut defaults, true),
                Ok(()),
                "{settings}"
            );

            let (mut breaking, mut object) = pod(breaking);
            let mut defaults = Defaults::new(Kind::Pod);
            let verdict = entry.admit(&mut breaking, &mut defaults, true);
            match effect {
                Effect::Rejects(path) => {
                    let message = verdict.expect_err(&format!("{settings} must reject"));
                    let mut violations = Violations::default();
                    psp.validate_pod(&breaking, &mut violations);
                    let paths: Vec<&str> = violations.iter().map(|v| v.path.as_str()).collect();
                    assert_eq!(paths, [path], "{settings}: {message}");
                    assert!(
                        message.starts_with(&format!("PodSecurityPolicy: {path}")),
                        "{settings}: {message}"
                    );
                }
                Effect::Defaults(pointer, expected) => {
                    assert_eq!(verdict, Ok(()), "{settings}");
                    defaults.apply(&mut object).unwrap();
                    assert_eq!(object.pointer(pointer), Some(&expected), "{settings}");
                }
            }
        }
    }
}
