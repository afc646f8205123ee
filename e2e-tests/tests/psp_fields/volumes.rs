//! `volumes`, `allowedHostPaths`, `allowedFlexVolumes` and `allowedCSIDrivers`.

use super::*;
use serde_json::{json, Value};

/// A pod spec with one container and `volume`.
fn with_volume(volume: Value) -> Value {
    json!({"containers": [container("app", Value::Null)], "volumes": [volume]})
}

#[test]
fn volumes_allow_only_the_listed_types() {
    let settings = json!({"volumes": ["configMap", "emptyDir"]});
    check(vec![
        case("configMap", settings.clone(), with_volume(json!({"name": "v", "configMap": {"name": "c"}})), vec![]),
        case("a volume without source is an emptyDir", settings.clone(), with_volume(json!({"name": "v"})), vec![]),
        case("hostPath", settings.clone(), with_volume(json!({"name": "v", "hostPath": {"path": "/etc"}})), vec![
            "spec.volumes[0]: Invalid value: \"hostPath\": hostPath volumes are not allowed to be used; allowed: \"configMap\", \"emptyDir\"",
        ]),
        case("secret", settings.clone(), with_volume(json!({"name": "v", "secret": {"secretName": "s"}})), vec![
            "spec.volumes[0]: Invalid value: \"secret\": secret volumes are not allowed to be used; allowed: \"configMap\", \"emptyDir\"",
        ]),
        case("volumes: null means none allowed", json!({"volumes": null}), with_volume(json!({"name": "v", "emptyDir": {}})), vec![
            "spec.volumes[0]: Invalid value: \"emptyDir\": emptyDir volumes are not allowed to be used; allowed: none",
        ]),
        case("volumes: null, pod without volumes", json!({"volumes": null}), no_sc(), vec![]),
        case("wildcard", json!({"volumes": ["*"]}), with_volume(json!({"name": "v", "nfs": {"server": "s", "path": "/"}})), vec![]),
    ]);
}

fn host_path_pod(path: &str, mounts: Value) -> Value {
    json!({
        "volumes": [{"name": "h", "hostPath": {"path": path}}],
        "containers": [{"name": "app", "image": "i", "volumeMounts": mounts}],
    })
}

#[test]
fn allowed_host_paths_match_whole_segments_and_enforce_read_only_mounts() {
    let settings = json!({
        "volumes": ["hostPath", "emptyDir"],
        "allowedHostPaths": [{"pathPrefix": "/data/ai", "readOnly": true}, {"pathPrefix": "/var/log/app"}],
    });
    let ro = json!([{"name": "h", "mountPath": "/m", "readOnly": true}]);
    let rw = json!([{"name": "h", "mountPath": "/m"}]);
    check(vec![
        case("under a read-only prefix, mounted read-only", settings.clone(), host_path_pod("/data/ai/models", ro.clone()), vec![]),
        case("the prefix itself, trailing slash", settings.clone(), host_path_pod("/data/ai/", ro.clone()), vec![]),
        case("under a writable prefix, mounted writable", settings.clone(), host_path_pod("/var/log/app/x", rw.clone()), vec![]),
        case("under a read-only prefix, mounted writable", settings.clone(), host_path_pod("/data/ai/models", rw), vec![
            "spec.containers[0].volumeMounts[0].readOnly (container \"app\"): Invalid value: false: host path \"/data/ai/models\" must be mounted read-only; allowed: true",
        ]),
        case("a sibling sharing the prefix's characters", settings.clone(), host_path_pod("/data/aix", ro.clone()), vec![
            "spec.volumes[0].hostPath.path: Invalid value: \"/data/aix\": host path is not under an allowed path prefix; allowed: \"/data/ai\", \"/var/log/app\"",
        ]),
        case("escaping with ..", settings.clone(), host_path_pod("/data/ai/../../etc", ro.clone()), vec![
            "spec.volumes[0].hostPath.path: Invalid value: \"/data/ai/../../etc\": host path is not under an allowed path prefix; allowed: \"/data/ai\", \"/var/log/app\"",
        ]),
        case("no allowedHostPaths: any path", json!({"volumes": ["hostPath"]}), host_path_pod("/etc", json!([{"name": "h", "mountPath": "/m"}])), vec![]),
        case("empty allowedHostPaths: any path", json!({"volumes": ["hostPath"], "allowedHostPaths": []}), host_path_pod("/", ro), vec![]),
    ]);
}

#[test]
fn a_writable_prefix_inside_a_read_only_one_allows_writing_and_every_container_kind_is_checked() {
    // PSP's AllowsHostVolumePath: one writable prefix that matches is enough to write.
    let settings = json!({
        "volumes": ["hostPath"],
        "allowedHostPaths": [{"pathPrefix": "/data", "readOnly": true}, {"pathPrefix": "/data/scratch"}],
    });
    let spec = |path: &str| {
        json!({
            "volumes": [{"name": "h", "hostPath": {"path": path}}],
            "initContainers": [{"name": "init", "image": "i", "volumeMounts": [{"name": "h", "mountPath": "/m", "readOnly": true}]}],
            "containers": [{"name": "app", "image": "i", "volumeMounts": [{"name": "h", "mountPath": "/m"}]}],
            "ephemeralContainers": [{"name": "debug", "image": "i", "volumeMounts": [{"name": "h", "mountPath": "/m", "readOnly": false}]}],
        })
    };
    check(vec![
        case("under the writable prefix", settings.clone(), spec("/data/scratch/run"), vec![]),
        case("under the read-only prefix only", settings.clone(), spec("/data/models"), vec![
            "spec.containers[0].volumeMounts[0].readOnly (container \"app\"): Invalid value: false: host path \"/data/models\" must be mounted read-only; allowed: true",
            "spec.ephemeralContainers[0].volumeMounts[0].readOnly (container \"debug\"): Invalid value: false: host path \"/data/models\" must be mounted read-only; allowed: true",
        ]),
        case("a sibling of the writable prefix", settings, spec("/data/scratchy"), vec![
            "spec.containers[0].volumeMounts[0].readOnly (container \"app\"): Invalid value: false: host path \"/data/scratchy\" must be mounted read-only; allowed: true",
            "spec.ephemeralContainers[0].volumeMounts[0].readOnly (container \"debug\"): Invalid value: false: host path \"/data/scratchy\" must be mounted read-only; allowed: true",
        ]),
    ]);
}

#[test]
fn allowed_flex_volumes_limit_flex_drivers() {
    let flex = |driver: &str| with_volume(json!({"name": "f", "flexVolume": {"driver": driver}}));
    let settings = json!({"allowedFlexVolumes": [{"driver": "example.com/lvm"}]});
    check(vec![
        case("listed driver", settings.clone(), flex("example.com/lvm"), vec![]),
        case("other driver", settings, flex("example.com/cifs"), vec![
            "spec.volumes[0].flexVolume.driver: Invalid value: \"example.com/cifs\": flexVolume driver is not allowed; allowed: \"example.com/lvm\"",
        ]),
        case("empty list: any driver", json!({"allowedFlexVolumes": []}), flex("example.com/cifs"), vec![]),
        case("flexVolume type not allowed", json!({"volumes": ["emptyDir"], "allowedFlexVolumes": [{"driver": "example.com/lvm"}]}), flex("example.com/lvm"), vec![
            "spec.volumes[0]: Invalid value: \"flexVolume\": flexVolume volumes are not allowed to be used; allowed: \"emptyDir\"",
        ]),
    ]);
}

#[test]
fn allowed_csi_drivers_limit_inline_csi_volumes() {
    let csi = |driver: &str| with_volume(json!({"name": "c", "csi": {"driver": driver}}));
    let settings = json!({"allowedCSIDrivers": [{"name": "ebs.csi.aws.com"}]});
    check(vec![
        case("listed driver", settings.clone(), csi("ebs.csi.aws.com"), vec![]),
        case("other driver", settings, csi("secrets-store.csi.k8s.io"), vec![
            "spec.volumes[0].csi.driver: Invalid value: \"secrets-store.csi.k8s.io\": inline CSI driver is not allowed; allowed: \"ebs.csi.aws.com\"",
        ]),
        case("empty list: any driver", json!({"allowedCSIDrivers": []}), csi("secrets-store.csi.k8s.io"), vec![]),
    ]);
}

/// Every volume type name of PSP's `policy/v1beta1` (its `FSType`s, spelled as the API spells them), and
/// `image` beyond PSP: the pod's volume source that each names, with a value of that source.
const VOLUME_TYPES: [(&str, &str, &str); 30] = [
    (
        "azureFile",
        "azureFile",
        r#"{"secretName": "s", "shareName": "share"}"#,
    ),
    ("flocker", "flocker", r#"{"datasetName": "d"}"#),
    (
        "flexVolume",
        "flexVolume",
        r#"{"driver": "example.com/lvm"}"#,
    ),
    ("hostPath", "hostPath", r#"{"path": "/tmp"}"#),
    ("emptyDir", "emptyDir", r#"{}"#),
    (
        "gcePersistentDisk",
        "gcePersistentDisk",
        r#"{"pdName": "d"}"#,
    ),
    (
        "awsElasticBlockStore",
        "awsElasticBlockStore",
        r#"{"volumeID": "v"}"#,
    ),
    (
        "gitRepo",
        "gitRepo",
        r#"{"repository": "https://example.com/r.git"}"#,
    ),
    ("secret", "secret", r#"{"secretName": "s"}"#),
    (
        "nfs",
        "nfs",
        r#"{"server": "nfs.example.com", "path": "/"}"#,
    ),
    (
        "iscsi",
        "iscsi",
        r#"{"targetPortal": "10.0.0.1:3260", "iqn": "iqn.2001-04.com.example:t", "lun": 0}"#,
    ),
    (
        "glusterfs",
        "glusterfs",
        r#"{"endpoints": "e", "path": "p"}"#,
    ),
    (
        "persistentVolumeClaim",
        "persistentVolumeClaim",
        r#"{"claimName": "c"}"#,
    ),
    (
        "rbd",
        "rbd",
        r#"{"monitors": ["10.0.0.1:6789"], "image": "i"}"#,
    ),
    ("cinder", "cinder", r#"{"volumeID": "v"}"#),
    ("cephFS", "cephfs", r#"{"monitors": ["10.0.0.1:6789"]}"#),
    (
        "downwardAPI",
        "downwardAPI",
        r#"{"items": [{"path": "labels", "fieldRef": {"fieldPath": "metadata.labels"}}]}"#,
    ),
    (
        "fc",
        "fc",
        r#"{"targetWWNs": ["500a0982991b8dc5"], "lun": 0}"#,
    ),
    ("configMap", "configMap", r#"{"name": "c"}"#),
    (
        "vsphereVolume",
        "vsphereVolume",
        r#"{"volumePath": "[datastore] v.vmdk"}"#,
    ),
    (
        "quobyte",
        "quobyte",
        r#"{"registry": "r:7861", "volume": "v"}"#,
    ),
    (
        "azureDisk",
        "azureDisk",
        r#"{"diskName": "d", "diskURI": "u"}"#,
    ),
    (
        "photonPersistentDisk",
        "photonPersistentDisk",
        r#"{"pdID": "p"}"#,
    ),
    ("storageos", "storageos", r#"{"volumeName": "v"}"#),
    (
        "projected",
        "projected",
        r#"{"sources": [{"secret": {"name": "s"}}]}"#,
    ),
    ("portworxVolume", "portworxVolume", r#"{"volumeID": "v"}"#),
    (
        "scaleIO",
        "scaleIO",
        r#"{"gateway": "https://g", "system": "s", "secretRef": {"name": "s"}}"#,
    ),
    ("csi", "csi", r#"{"driver": "example.csi.k8s.io"}"#),
    (
        "ephemeral",
        "ephemeral",
        r#"{"volumeClaimTemplate": {"spec": {"accessModes": ["ReadWriteOnce"]}}}"#,
    ),
    (
        "image",
        "image",
        r#"{"reference": "registry.example.com/models:1"}"#,
    ),
];

/// A pod with one volume whose source `key` holds `source` (JSON text).
fn pod_with_source(key: &str, source: &str) -> Value {
    let source: Value = serde_json::from_str(source).expect("a JSON source");
    pod(with_volume(json!({"name": "v", key: source})))
}

#[test]
fn every_volume_type_name_of_psp_is_accepted_and_names_its_source() {
    for (name, key, source) in VOLUME_TYPES {
        let only = validating(json!({"volumes": [name]}));
        assert_valid_settings(&only);
        let object = pod_with_source(key, source);
        assert_accepted_unchanged(&validate(&create("Pod", object.clone()), &only), name);
        // Under a list without it: rejected at the volume.
        let other = if name == "configMap" {
            "secret"
        } else {
            "configMap"
        };
        assert_psp_rejected(
            &validate(&create("Pod", object), &validating(json!({"volumes": [other]}))),
            &[format!(
                "spec.volumes[0]: Invalid value: {}: {name} volumes are not allowed to be used; allowed: {}",
                quoted(name),
                quoted(other)
            )],
            &format!("{name} under [{other}]"),
        );
    }
    // `*`: every type; a list without it: only the listed ones.
    let every = validating(json!({"volumes": ["*"]}));
    assert_valid_settings(&every);
    for (name, key, source) in VOLUME_TYPES {
        let object = pod_with_source(key, source);
        assert_accepted_unchanged(&validate(&create("Pod", object), &every), name);
    }
    assert_psp_rejected(
        &validate(
            &create("Pod", pod_with_source("nfs", r#"{"server": "s", "path": "/"}"#)),
            &validating(json!({"volumes": ["configMap"]})),
        ),
        &["spec.volumes[0]: Invalid value: \"nfs\": nfs volumes are not allowed to be used; allowed: \"configMap\""],
        "nfs without *",
    );
}

#[test]
fn a_pasted_volume_list_with_none_is_accepted_and_none_allows_nothing() {
    // OpenShift's spelling, found in lists pasted from SecurityContextConstraints.
    let none = validating(json!({"volumes": ["none"]}));
    assert_valid_settings(&none);
    let empty_dir = pod_with_source("emptyDir", "{}");
    assert_psp_rejected(
        &validate(&create("Pod", empty_dir.clone()), &none),
        &["spec.volumes[0]: Invalid value: \"emptyDir\": emptyDir volumes are not allowed to be used; allowed: none"],
        "[none]",
    );
    assert_accepted_unchanged(
        &validate(&create("Pod", pod(no_sc())), &none),
        "no volume under [none]",
    );
    let with_others = validating(json!({"volumes": ["none", "emptyDir"]}));
    assert_accepted_unchanged(
        &validate(&create("Pod", empty_dir), &with_others),
        "[none, emptyDir]",
    );
}

#[test]
fn an_unknown_volume_type_name_is_refused_with_the_valid_spellings() {
    let answer = assert_refused(
        &validating(json!({"volumes": ["secret", "cephfS"]})),
        &["volumes[1]: unknown volume type \"cephfS\"; valid: \"*\", \"azureFile\""],
    );
    let valid: Vec<String> = std::iter::once("*")
        .chain(VOLUME_TYPES.iter().map(|(name, _, _)| *name))
        .chain(["none"])
        .map(quoted)
        .collect();
    assert_eq!(
        answer.message(),
        format!(
            "volumes[1]: unknown volume type \"cephfS\"; valid: {}",
            valid.join(", ")
        )
    );
}

/// The service-account token volume as the API server stores it: what the ServiceAccount admission plugin
/// injects (Kubernetes 1.20+), with `extra` appended to its sources.
fn kube_api_access_pod(extra: Option<Value>) -> Value {
    let mut sources = json!([
        {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}},
        {"configMap": {"name": "kube-root-ca.crt", "items": [{"key": "ca.crt", "path": "ca.crt"}]}},
        {"downwardAPI": {"items": [{"path": "namespace", "fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.namespace"}}]}},
    ]);
    if let Some(extra) = extra {
        sources.as_array_mut().unwrap().push(extra);
    }
    pod(json!({
        "serviceAccountName": "default",
        "containers": [{
            "name": "app",
            "image": "registry.example.com/app:1.0",
            "volumeMounts": [{"name": "kube-api-access-x7k2p", "mountPath": "/var/run/secrets/kubernetes.io/serviceaccount", "readOnly": true}],
        }],
        "volumes": [{"name": "kube-api-access-x7k2p", "projected": {"defaultMode": 420, "sources": sources}}],
    }))
}

#[test]
fn the_service_account_token_volume_is_allowed_wherever_secret_is() {
    // A PSP written before the token volume existed: secret, but not projected.
    let without_projected = validating(json!({"volumes": ["configMap", "emptyDir", "secret"]}));
    assert_accepted_unchanged(
        &validate(
            &create("Pod", kube_api_access_pod(None)),
            &without_projected,
        ),
        "kube-api-access under [configMap, emptyDir, secret]",
    );
    let projected_rejected = |allowed: &str| {
        format!(
            "spec.volumes[0]: Invalid value: \"projected\": projected volumes are not allowed to be used; allowed: {allowed}"
        )
    };
    // Other projected volumes still need `projected`.
    let near_misses = [
        (
            "an audience",
            json!({"serviceAccountToken": {"path": "vault-token", "audience": "vault"}}),
        ),
        (
            "a token for an audience at the same path",
            json!({"serviceAccountToken": {"path": "token", "audience": "vault"}}),
        ),
        (
            "a token at another path",
            json!({"serviceAccountToken": {"path": "token2"}}),
        ),
        (
            "another ConfigMap",
            json!({"configMap": {"name": "app-config"}}),
        ),
        ("a secret", json!({"secret": {"name": "db-password"}})),
        (
            "the pod's labels",
            json!({"downwardAPI": {"items": [{"path": "labels", "fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.labels"}}]}}),
        ),
    ];
    for (case, extra) in near_misses {
        let object = kube_api_access_pod(Some(extra));
        assert_psp_rejected(
            &validate(&create("Pod", object.clone()), &without_projected),
            &[projected_rejected(
                "\"configMap\", \"emptyDir\", \"secret\"",
            )],
            case,
        );
        let with_projected = validating(json!({"volumes": ["projected"]}));
        assert_accepted_unchanged(&validate(&create("Pod", object), &with_projected), case);
    }
    // Without `secret`, the token volume needs `projected` too.
    assert_psp_rejected(
        &validate(
            &create("Pod", kube_api_access_pod(None)),
            &validating(json!({"volumes": ["configMap", "emptyDir"]})),
        ),
        &[projected_rejected("\"configMap\", \"emptyDir\"")],
        "kube-api-access under [configMap, emptyDir]",
    );
}
