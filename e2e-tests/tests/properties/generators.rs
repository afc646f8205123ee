//! Generated pods: containers of the three kinds with random security contexts, volumes and mounts,
//! host namespaces and ports, pod-level security settings and profile annotations, wrapped in any of
//! the kinds of the table of kinds.

use super::*;
use proptest::sample::subsequence;
use serde_json::{json, Map, Value};

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
fn object_with(fields: Vec<(&'static str, BoxedStrategy<Option<Value>>)>) -> BoxedStrategy<Value> {
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
    object_with(vec![
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
    object_with(vec![
        ("privileged", field(bools())),
        ("runAsUser", field(ids())),
        ("runAsGroup", field(ids())),
        ("runAsNonRoot", field(bools())),
        ("readOnlyRootFilesystem", field(bools())),
        ("allowPrivilegeEscalation", field(bools())),
        (
            "capabilities",
            object_field(object_with(vec![
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
    let port = object_with(vec![
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
    object_with(vec![
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
    object_with(vec![
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
    object_with(vec![
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
pub(crate) fn object() -> BoxedStrategy<(Kind, Value)> {
    (
        select(KINDS.to_vec()),
        pod_spec(),
        annotations(),
        any::<bool>(),
    )
        .prop_map(|((kind, _), spec, annotations, with_annotations)| {
            let annotations = if with_annotations {
                annotations
            } else {
                Value::Null
            };
            (policy_kind(kind), object_of(kind, annotations, spec))
        })
        .boxed()
}
