//! Issue 6, property tests of the policy's engine, run natively (the root crate is also an rlib) on generated
//! pods and settings:
//!
//! - evaluation always answers: no panic, a message on every denial and none on an acceptance, the same
//!   answer twice, and never the internal "cannot write the default" failure;
//! - a mutated object adds to the submitted one without changing or dropping anything, and is accepted with no
//!   further change when evaluated again;
//! - every PodSecurityPolicy violation names a path of the submitted object: an invalid value is at its path
//!   (and is the value shown), or is the default of a field that is unset under an existing object; a field
//!   that "must be set" lies under an existing object, reached by keys only (no missing list item); and these
//!   violations are exactly what `evaluate` reports.
//!
//! Pods have containers of the three kinds with random security contexts, volumes and mounts, host
//! namespaces and ports, pod-level security settings and profile annotations, wrapped in any of the eight
//! workload kinds; settings come from a set of valid PSP specs, profiles and Pod Security Standards.

use pod_security_policy::{
    evaluate, Defaults, Kind, PodObject, Policy, Problem, Violation, Violations,
};
use proptest::prelude::*;
use proptest::sample::{select, subsequence};
use proptest::test_runner::Config;
use serde_json::{json, Map, Value};

// ---------------------------------------------------------------------------------------------
// Settings

/// Valid settings documents: profiles, PSP specs from permissive to every family constrained (mutating and
/// not), annotations and friendly spellings, and Pod Security Standards alone or beside PSP fields.
const SETTINGS: [&str; 11] = [
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

// ---------------------------------------------------------------------------------------------
// Pod generators

/// A field: absent (most often), `null`, or one of `values`.
fn field(values: Vec<Value>) -> BoxedStrategy<Option<Value>> {
    prop_oneof![
        5 => Just(None),
        1 => Just(Some(Value::Null)),
        4 => select(values).prop_map(Some),
    ]
    .boxed()
}

/// A field holding an object built by `strategy`: absent, `null` or the object.
fn object_field(strategy: BoxedStrategy<Value>) -> BoxedStrategy<Option<Value>> {
    prop_oneof![
        3 => Just(None),
        1 => Just(Some(Value::Null)),
        5 => strategy.prop_map(Some),
    ]
    .boxed()
}

/// A field holding a list of up to `max` of `values`.
fn list_field(values: Vec<Value>, max: usize) -> BoxedStrategy<Option<Value>> {
    object_field(subsequence(values, 0..=max).prop_map(Value::Array).boxed())
}

/// An object with the fields that are present.
fn object_of(fields: Vec<(&'static str, BoxedStrategy<Option<Value>>)>) -> BoxedStrategy<Value> {
    let (names, strategies): (Vec<&'static str>, Vec<_>) = fields.into_iter().unzip();
    strategies
        .prop_map(move |values| {
            let mut map = Map::new();
            for (name, value) in names.iter().zip(values) {
                if let Some(value) = value {
                    map.insert((*name).to_string(), value);
                }
            }
            Value::Object(map)
        })
        .boxed()
}

fn bools() -> Vec<Value> {
    vec![json!(true), json!(false)]
}

fn ids() -> Vec<Value> {
    [
        0,
        1,
        100,
        150,
        1000,
        1500,
        2000,
        5000,
        65534,
        2_147_483_648,
        i64::MAX,
    ]
    .into_iter()
    .map(Value::from)
    .collect()
}

fn profiles(localhost: &str) -> Vec<Value> {
    vec![
        json!({"type": "RuntimeDefault"}),
        json!({"type": "Unconfined"}),
        json!({"type": "Localhost", "localhostProfile": localhost}),
        json!({"type": "Localhost", "localhostProfile": "other"}),
        json!({"type": "Localhost"}),
        json!({}),
    ]
}

fn se_linux_options() -> BoxedStrategy<Value> {
    object_of(vec![
        ("user", field(vec![json!("system_u"), json!("")])),
        ("role", field(vec![json!("system_r")])),
        ("type", field(vec![json!("container_t"), json!("spc_t")])),
        (
            "level",
            field(vec![json!("s0:c1,c2"), json!("s0:c2,c1"), json!("s0")]),
        ),
    ])
}

fn container_security_context() -> BoxedStrategy<Value> {
    let capability_names: Vec<Value> = [
        "SYS_ADMIN",
        "sys_admin",
        "CAP_NET_RAW",
        "NET_RAW",
        "NET_BIND_SERVICE",
        "CHOWN",
        "chown",
        "NET_ADMIN",
        "ALL",
        "all",
    ]
    .into_iter()
    .map(Value::from)
    .collect();
    object_of(vec![
        ("privileged", field(bools())),
        ("runAsUser", field(ids())),
        ("runAsGroup", field(ids())),
        ("runAsNonRoot", field(bools())),
        ("readOnlyRootFilesystem", field(bools())),
        ("allowPrivilegeEscalation", field(bools())),
        (
            "capabilities",
            object_field(object_of(vec![
                ("add", list_field(capability_names.clone(), 3)),
                ("drop", list_field(capability_names, 3)),
            ])),
        ),
        ("seLinuxOptions", object_field(se_linux_options())),
        ("seccompProfile", field(profiles("prof.json"))),
        ("appArmorProfile", field(profiles("x"))),
        (
            "procMount",
            field(vec![json!("Default"), json!("Unmasked")]),
        ),
        (
            "windowsOptions",
            field(vec![
                json!({"hostProcess": true}),
                json!({"hostProcess": false}),
            ]),
        ),
    ])
}

const VOLUME_NAMES: [&str; 4] = ["v0", "v1", "v2", "v3"];

fn container() -> BoxedStrategy<Value> {
    let port = object_of(vec![
        ("containerPort", Just(Some(json!(80))).boxed()),
        (
            "hostPort",
            field(
                [0, 80, 443, 8080, 8500, 65535]
                    .into_iter()
                    .map(Value::from)
                    .collect(),
            ),
        ),
    ]);
    let mount = (select(VOLUME_NAMES.to_vec()), field(bools())).prop_map(|(name, read_only)| {
        let mut m = json!({"name": name, "mountPath": format!("/mnt/{name}")});
        if let Some(read_only) = read_only {
            m["readOnly"] = read_only;
        }
        m
    });
    object_of(vec![
        (
            "image",
            Just(Some(json!("registry.example.com/app:1.0"))).boxed(),
        ),
        (
            "securityContext",
            object_field(container_security_context()),
        ),
        (
            "ports",
            object_field(
                prop::collection::vec(port, 0..=2)
                    .prop_map(Value::Array)
                    .boxed(),
            ),
        ),
        (
            "volumeMounts",
            object_field(
                prop::collection::vec(mount, 0..=3)
                    .prop_map(Value::Array)
                    .boxed(),
            ),
        ),
        (
            "livenessProbe",
            field(vec![
                json!({"httpGet": {"host": "10.0.0.1", "port": 80}}),
                json!({"tcpSocket": {"port": 80}}),
            ]),
        ),
    ])
    .boxed()
}

/// Up to `max` containers named `<prefix><index>`.
fn containers(prefix: &'static str, max: usize) -> BoxedStrategy<Option<Value>> {
    object_field(
        prop::collection::vec(container(), 0..=max)
            .prop_map(move |list| {
                let named = list
                    .into_iter()
                    .enumerate()
                    .map(|(i, mut c)| {
                        c["name"] = json!(format!("{prefix}{i}"));
                        c
                    })
                    .collect();
                Value::Array(named)
            })
            .boxed(),
    )
}

fn volume() -> BoxedStrategy<Value> {
    select(vec![
        json!({"emptyDir": {}}),
        json!({"configMap": {"name": "cm"}}),
        json!({"secret": {"secretName": "s"}}),
        json!({"projected": {"sources": []}}),
        json!({"persistentVolumeClaim": {"claimName": "c"}}),
        json!({"hostPath": {"path": "/data/ai"}}),
        json!({"hostPath": {"path": "/data/ai/models", "type": "Directory"}}),
        json!({"hostPath": {"path": "//data/ai/"}}),
        json!({"hostPath": {"path": "/data/ai/../../etc"}}),
        json!({"hostPath": {"path": "/data/aix"}}),
        json!({"hostPath": {"path": "/scratch/tmp"}}),
        json!({"hostPath": {"path": "/"}}),
        json!({"hostPath": {}}),
        json!({"csi": {"driver": "ebs.csi.aws.com"}}),
        json!({"csi": {"driver": "secrets-store.csi.k8s.io"}}),
        json!({"flexVolume": {"driver": "example/lvm"}}),
        json!({"flexVolume": {"driver": "example/cifs"}}),
        json!({"nfs": {"server": "nfs", "path": "/"}}),
        json!({"ephemeral": {"volumeClaimTemplate": {}}}),
        json!({"image": {"reference": "registry.example.com/data:1"}}),
        json!({"futureVolume": {}}),
        json!({"emptyDir": null}),
        json!({}),
    ])
    .boxed()
}

fn volumes() -> BoxedStrategy<Option<Value>> {
    object_field(
        prop::collection::vec(volume(), 0..=4)
            .prop_map(|list| {
                Value::Array(
                    list.into_iter()
                        .zip(VOLUME_NAMES)
                        .map(|(mut v, name)| {
                            v["name"] = json!(name);
                            v
                        })
                        .collect(),
                )
            })
            .boxed(),
    )
}

fn pod_security_context() -> BoxedStrategy<Value> {
    let sysctls: Vec<Value> = [
        "kernel.shm_rmid_forced",
        "net.ipv4.tcp_syncookies",
        "net/ipv4/ip_local_port_range",
        "net.core.somaxconn",
        "kernel.msgmax",
        "vm.swappiness",
    ]
    .into_iter()
    .map(|name| json!({"name": name, "value": "1"}))
    .collect();
    object_of(vec![
        ("runAsUser", field(ids())),
        ("runAsGroup", field(ids())),
        ("runAsNonRoot", field(bools())),
        ("fsGroup", field(ids())),
        ("supplementalGroups", list_field(ids(), 3)),
        ("seLinuxOptions", object_field(se_linux_options())),
        ("seccompProfile", field(profiles("prof.json"))),
        ("appArmorProfile", field(profiles("x"))),
        ("sysctls", list_field(sysctls, 3)),
        (
            "windowsOptions",
            field(vec![
                json!({"hostProcess": true}),
                json!({"hostProcess": false}),
            ]),
        ),
    ])
}

fn pod_spec() -> BoxedStrategy<Value> {
    object_of(vec![
        ("initContainers", containers("i", 2)),
        ("containers", containers("c", 3)),
        ("ephemeralContainers", containers("e", 2)),
        ("volumes", volumes()),
        ("securityContext", object_field(pod_security_context())),
        ("hostNetwork", field(bools())),
        ("hostPID", field(bools())),
        ("hostIPC", field(bools())),
        ("hostUsers", field(bools())),
        (
            "runtimeClassName",
            field(vec![json!("gvisor"), json!("runc"), json!("kata")]),
        ),
        (
            "os",
            field(vec![json!({"name": "linux"}), json!({"name": "windows"})]),
        ),
    ])
}

/// Seccomp and AppArmor annotations of the pod and of its first containers.
fn annotations() -> BoxedStrategy<Value> {
    let mut entries = Vec::new();
    for value in [
        "runtime/default",
        "unconfined",
        "localhost/prof.json",
        "docker/default",
        "",
    ] {
        entries.push((
            "seccomp.security.alpha.kubernetes.io/pod".to_string(),
            value,
        ));
    }
    for container in ["c0", "i0", "e0"] {
        for value in ["runtime/default", "unconfined", "localhost/x"] {
            entries.push((
                format!("container.seccomp.security.alpha.kubernetes.io/{container}"),
                value,
            ));
            entries.push((
                format!("container.apparmor.security.beta.kubernetes.io/{container}"),
                value,
            ));
        }
    }
    subsequence(entries, 0..=3)
        .prop_map(|entries| {
            let map: Map<String, Value> = entries
                .into_iter()
                .map(|(k, v)| (k, Value::from(v)))
                .collect();
            Value::Object(map)
        })
        .boxed()
}

/// `(kind, object)`: a pod spec and annotations, in a Pod or in the template of a workload kind.
fn object() -> BoxedStrategy<(Kind, Value)> {
    let kinds: Vec<Kind> = Kind::ALL
        .into_iter()
        .filter(|k| *k != Kind::EphemeralContainers)
        .collect();
    (select(kinds), pod_spec(), annotations(), any::<bool>())
        .prop_map(|(kind, spec, annotations, with_annotations)| {
            let mut metadata = json!({"name": "generated", "namespace": "default"});
            if with_annotations {
                metadata["annotations"] = annotations;
            }
            let template = json!({"metadata": metadata, "spec": spec});
            let (api_version, body) = match kind {
                Kind::Pod => ("v1", template),
                Kind::CronJob => (
                    "batch/v1",
                    json!({"metadata": {"name": "generated"},
                           "spec": {"schedule": "* * * * *", "jobTemplate": {"spec": {"template": template}}}}),
                ),
                Kind::Job => (
                    "batch/v1",
                    json!({"metadata": {"name": "generated"}, "spec": {"template": template}}),
                ),
                Kind::ReplicationController => (
                    "v1",
                    json!({"metadata": {"name": "generated"}, "spec": {"template": template}}),
                ),
                _ => (
                    "apps/v1",
                    json!({"metadata": {"name": "generated"}, "spec": {"template": template}}),
                ),
            };
            let mut object = body;
            object["apiVersion"] = json!(api_version);
            object["kind"] = json!(kind.name());
            (kind, object)
        })
        .boxed()
}

fn settings() -> BoxedStrategy<&'static str> {
    select(SETTINGS.to_vec()).boxed()
}

/// A `validate` payload.
fn payload(
    kind: Kind,
    operation: &str,
    sub_resource: &str,
    object: &Value,
    old_object: &Value,
    settings: &str,
) -> Vec<u8> {
    let request = json!({
        "uid": "generated",
        "kind": {"group": kind.group(), "version": "v1", "kind": kind.name()},
        "subResource": sub_resource,
        "operation": operation,
        "namespace": "default",
        "userInfo": {"username": "generated"},
        "object": object,
        "oldObject": old_object,
    });
    format!(r#"{{"request": {request}, "settings": {settings}}}"#).into_bytes()
}

fn create(kind: Kind, object: &Value, settings: &str) -> Vec<u8> {
    payload(kind, "CREATE", "", object, &Value::Null, settings)
}

fn config(cases: u32) -> Config {
    Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    }
}

// ---------------------------------------------------------------------------------------------
// Properties

proptest! {
    #![proptest_config(config(1024))]

    /// Every generated request (CREATE, UPDATE of the object or of the ephemeral containers) gets an answer
    /// that is consistent and the same twice.
    #[test]
    fn evaluation_always_answers(
        settings in settings(),
        (kind, object) in object(),
        (_, old) in object(),
        operation in select(vec!["CREATE", "UPDATE", "UPDATE-same", "UPDATE-ephemeralcontainers"]),
    ) {
        let (operation, sub_resource, old) = match operation {
            "UPDATE" => ("UPDATE", "", old),
            "UPDATE-same" => ("UPDATE", "", object.clone()),
            "UPDATE-ephemeralcontainers" => ("UPDATE", "ephemeralcontainers", old),
            other => (other, "", Value::Null),
        };
        let payload = payload(kind, operation, sub_resource, &object, &old, settings);
        let response = evaluate(&payload);
        match &response.message {
            Some(message) => {
                prop_assert!(!response.accepted, "an acceptance with a message: {message}");
                prop_assert!(!message.is_empty());
                prop_assert!(
                    !message.starts_with("cannot write the default"),
                    "the JSON defaults did not follow the typed ones: {message}\nobject: {object}"
                );
            }
            None => prop_assert!(response.accepted, "a denial without a message"),
        }
        if !response.accepted {
            prop_assert!(response.mutated_object.is_none());
        }
        let again = evaluate(&payload);
        prop_assert_eq!(serde_json::to_value(&again).unwrap(), serde_json::to_value(&response).unwrap());
    }

    /// Every PodSecurityPolicy violation, of the pod as submitted and of the pod after defaulting, names a path
    /// of that object; and they are what `evaluate` reports.
    #[test]
    fn every_violation_names_a_path_of_the_object(
        settings in settings(),
        (kind, object) in object(),
    ) {
        let policy = Policy::from_json(settings).expect("valid settings");
        let Some(psp) = policy.entry().psp() else {
            return Ok(());
        };
        let text = object.to_string();
        let pod = PodObject::parse(kind, &text).expect("a generated object parses");

        let mut violations = Violations::default();
        psp.validate_pod(&pod, &mut violations);
        for violation in violations.iter() {
            if let Err(e) = check_path(kind, &object, violation) {
                return Err(TestCaseError::fail(format!("{violation}: {e}\nobject: {object}")));
            }
        }

        let mut defaulted = pod.clone();
        let mut defaults = Defaults::new(kind);
        psp.mutate_pod(&mut defaulted, &mut defaults);
        let mut mutated = object.clone();
        defaults.apply(&mut mutated).expect("defaults apply to a parsed object");
        let mut defaulted_violations = Violations::default();
        psp.validate_pod(&defaulted, &mut defaulted_violations);
        for violation in defaulted_violations.iter() {
            if let Err(e) = check_path(kind, &mutated, violation) {
                return Err(TestCaseError::fail(format!("{violation} (after defaulting): {e}\nobject: {mutated}")));
            }
        }

        // And these are the violations that `evaluate` reports: the defaulted pod's when the policy
        // defaults, the submitted pod's when it only validates (before any Pod Security Standard's).
        let response = evaluate(&create(kind, &object, settings));
        if response.audit_annotations.is_some() {
            return Ok(()); // exempt
        }
        let reported = if policy.entry().mutating() { &defaulted_violations } else { &violations };
        if reported.is_empty() {
            if !policy.entry().has_standard() {
                prop_assert!(response.accepted, "{:?}", response.message);
            }
        } else {
            let list: Vec<String> = reported.iter().map(ToString::to_string).collect();
            let expected = format!("PodSecurityPolicy: {}", list.join("; "));
            let message = response.message.unwrap_or_default();
            if !policy.entry().has_standard() {
                prop_assert_eq!(message, expected);
            } else {
                prop_assert!(message.starts_with(&expected), "{message}\nexpected first: {expected}");
            }
        }
    }
}

proptest! {
    // Few generated pods pass and get defaults (about 1 in 20): more cases for this one.
    #![proptest_config(config(4096))]

    /// A mutated object only adds to the submitted one, and is accepted unchanged when submitted again.
    #[test]
    fn a_mutated_object_is_accepted_with_no_further_change(
        settings in settings(),
        (kind, object) in object(),
    ) {
        let response = evaluate(&create(kind, &object, settings));
        if let (true, Some(mutated)) = (response.accepted, &response.mutated_object) {
            prop_assert!(only_adds(&object, mutated), "the mutation changed or dropped a field:\n{object}\n{mutated}");
            let again = evaluate(&create(kind, mutated, settings));
            prop_assert!(again.accepted, "the mutated object is denied: {:?}\nmutated: {mutated}", again.message);
            prop_assert!(
                again.mutated_object.is_none(),
                "a second mutation: {}",
                again.mutated_object.as_ref().map(Value::to_string).unwrap_or_default()
            );
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Helpers

/// True when `mutated` is `original` with values added: every key and list item of `original` is kept, every
/// scalar is unchanged; only absent keys and `null`s were filled in.
fn only_adds(original: &Value, mutated: &Value) -> bool {
    match (original, mutated) {
        (Value::Null, _) => true,
        (Value::Object(a), Value::Object(b)) => a
            .iter()
            .all(|(k, v)| b.get(k).is_some_and(|w| only_adds(v, w))),
        (Value::Array(a), Value::Array(b)) => {
            a.len() <= b.len() && a.iter().zip(b).all(|(v, w)| only_adds(v, w))
        }
        (a, b) => a == b,
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Segment {
    Key(String),
    Index(usize),
}

/// Splits `spec.containers[0].securityContext` and `metadata.annotations[a.b/c]` into segments.
fn segments(path: &str) -> Result<Vec<Segment>, String> {
    let mut out = Vec::new();
    let mut rest = path;
    while !rest.is_empty() {
        if let Some(inner) = rest.strip_prefix('[') {
            let end = inner
                .find(']')
                .ok_or_else(|| format!("unclosed [ in {path:?}"))?;
            let (item, after) = inner.split_at(end);
            out.push(match item.parse::<usize>() {
                Ok(i) => Segment::Index(i),
                Err(_) => Segment::Key(item.to_string()),
            });
            rest = after.get(1..).unwrap_or_default();
        } else {
            let rest_trimmed = rest.strip_prefix('.').unwrap_or(rest);
            let end = rest_trimmed.find(['.', '[']).unwrap_or(rest_trimmed.len());
            let (key, after) = rest_trimmed.split_at(end);
            if key.is_empty() {
                return Err(format!("empty key in {path:?}"));
            }
            out.push(Segment::Key(key.to_string()));
            rest = after;
        }
    }
    Ok(out)
}

/// The value at `segments`, treating `null` as absent: `Ok(value)`, or `Err(n)` when only the first `n`
/// segments exist.
fn resolve<'v>(root: &'v Value, segments: &[Segment]) -> Result<&'v Value, usize> {
    let mut value = root;
    for (n, segment) in segments.iter().enumerate() {
        let next = match segment {
            Segment::Key(k) => value.get(k.as_str()),
            Segment::Index(i) => value.get(*i),
        };
        match next {
            Some(v) if !v.is_null() => value = v,
            _ => return Err(n),
        }
    }
    Ok(value)
}

/// The values a violation shows for a field that is unset (its API default).
const UNSET_DEFAULTS: [&str; 3] = ["false", "\"Default\"", "\"\""];

fn check_path(kind: Kind, object: &Value, violation: &Violation) -> Result<(), String> {
    let path = violation.path.as_str();
    let spec_path = kind.spec_path();
    let annotations = kind.annotation_path("");
    let annotations = annotations.trim_end_matches(']');
    if !(path == spec_path
        || path.starts_with(&format!("{spec_path}."))
        || path.starts_with(annotations))
    {
        return Err(format!(
            "not under {spec_path} or {annotations} of a {}",
            kind.name()
        ));
    }
    let segments = segments(path)?;
    match (&violation.problem, resolve(object, &segments)) {
        (Problem::Forbidden, Ok(_)) => Ok(()),
        (Problem::Invalid(shown), Ok(value)) => {
            let scalar = !(value.is_object() || value.is_array());
            if scalar && serde_json::from_str::<Value>(shown).ok().as_ref() != Some(value) {
                return Err(format!("the value there is {value}, not {shown}"));
            }
            Ok(())
        }
        (Problem::Forbidden, Err(n)) => {
            Err(format!("only {n} of {} segments exist", segments.len()))
        }
        (Problem::Invalid(shown), Err(existing)) => {
            // An unset field, reported with its API default.
            if !UNSET_DEFAULTS.contains(&shown.as_str()) {
                return Err(format!("the field is unset, yet shown as {shown}"));
            }
            settable(object, &segments, existing)
        }
        (Problem::Required, Ok(value)) if value.is_array() => Ok(()),
        (Problem::Required, Ok(value)) => Err(format!("it is set, to {value}")),
        (Problem::Required, Err(existing)) => settable(object, &segments, existing),
    }
}

/// True when the first `existing` segments lead to an object and the others are keys only: setting the field
/// creates objects, it never needs a list item that is not there.
fn settable(object: &Value, segments: &[Segment], existing: usize) -> Result<(), String> {
    let parent = resolve(object, &segments[..existing]).map_err(|_| "unreachable")?;
    if !parent.is_object() {
        return Err(format!(
            "its nearest existing parent is {parent}, not an object"
        ));
    }
    match segments[existing..]
        .iter()
        .find(|s| matches!(s, Segment::Index(_)))
    {
        Some(missing) => Err(format!("the list item {missing:?} does not exist")),
        None => Ok(()),
    }
}

#[test]
fn path_helpers() {
    assert_eq!(
        segments("spec.template.spec.containers[2].securityContext").unwrap(),
        vec![
            Segment::Key("spec".into()),
            Segment::Key("template".into()),
            Segment::Key("spec".into()),
            Segment::Key("containers".into()),
            Segment::Index(2),
            Segment::Key("securityContext".into()),
        ]
    );
    assert_eq!(
        segments("metadata.annotations[container.seccomp.security.alpha.kubernetes.io/a]").unwrap(),
        vec![
            Segment::Key("metadata".into()),
            Segment::Key("annotations".into()),
            Segment::Key("container.seccomp.security.alpha.kubernetes.io/a".into()),
        ]
    );
    let object = json!({"spec": {"containers": [{"name": "a", "securityContext": null, "ports": [{"hostPort": 80}]}]}});
    let violation = |path: &str, problem: Problem| Violation {
        path: path.into(),
        problem,
        detail: String::new(),
    };
    let check = |v: Violation| check_path(Kind::Pod, &object, &v);
    assert!(check(violation(
        "spec.containers[0].ports[0].hostPort",
        Problem::Invalid("80".into())
    ))
    .is_ok());
    assert!(check(violation(
        "spec.containers[0].ports[0].hostPort",
        Problem::Invalid("81".into())
    ))
    .is_err());
    assert!(check(violation(
        "spec.containers[1].ports[0].hostPort",
        Problem::Invalid("80".into())
    ))
    .is_err());
    assert!(check(violation(
        "spec.containers[0].ports[0].readOnly",
        Problem::Invalid("false".into())
    ))
    .is_ok());
    assert!(check(violation(
        "spec.containers[0].securityContext.procMount",
        Problem::Invalid("\"Default\"".into())
    ))
    .is_ok());
    assert!(check(violation(
        "spec.containers[0].securityContext.privileged",
        Problem::Invalid("true".into())
    ))
    .is_err());
    assert!(check(violation(
        "spec.containers[0].ports[0].hostPort",
        Problem::Forbidden
    ))
    .is_ok());
    assert!(check(violation(
        "spec.containers[0].securityContext.runAsNonRoot",
        Problem::Required
    ))
    .is_ok());
    assert!(check(violation(
        "spec.containers[3].securityContext.runAsNonRoot",
        Problem::Required
    ))
    .is_err());
    assert!(check(violation("spec.containers[0].name", Problem::Required)).is_err());
    assert!(check(violation("spec.template.spec.hostPID", Problem::Forbidden)).is_err());
    assert!(only_adds(
        &json!({"a": null, "b": [1]}),
        &json!({"a": {"x": 1}, "b": [1], "c": 2})
    ));
    assert!(!only_adds(&json!({"a": 1}), &json!({"a": 2})));
    assert!(!only_adds(&json!({"a": [1, 2]}), &json!({"a": [1]})));
}
