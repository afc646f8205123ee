//! The kind table, its paths, and the parse of the submitted object.

use super::*;
use crate::pod::ContainerKind;
use serde_json::json;

#[test]
fn a_request_names_a_kind_by_group_and_kind() {
    let cases = [
        ("", "Pod", Some(Kind::Pod)),
        (
            "",
            "ReplicationController",
            Some(Kind::ReplicationController),
        ),
        ("apps", "Deployment", Some(Kind::Deployment)),
        ("extensions", "Deployment", Some(Kind::Deployment)),
        ("extensions", "ReplicaSet", Some(Kind::ReplicaSet)),
        ("extensions", "DaemonSet", Some(Kind::DaemonSet)),
        ("apps", "StatefulSet", Some(Kind::StatefulSet)),
        ("batch", "Job", Some(Kind::Job)),
        ("batch", "CronJob", Some(Kind::CronJob)),
        ("", "EphemeralContainers", Some(Kind::EphemeralContainers)),
        ("batch.volcano.sh", "Job", None),
        ("", "Deployment", None),
        ("apps", "Pod", None),
        ("extensions", "StatefulSet", None),
        ("", "ConfigMap", None),
    ];
    for (group, name, kind) in cases {
        assert_eq!(Kind::of(group, name), kind, "{group}/{name}");
    }
    for kind in Kind::ALL {
        assert_eq!(Kind::of(kind.group(), kind.name()), Some(kind));
    }
}

#[test]
fn paths_derive_from_the_table() {
    let cases = [
        (Kind::Pod, "spec", "/spec", "metadata"),
        (
            Kind::Deployment,
            "spec.template.spec",
            "/spec/template/spec",
            "spec.template.metadata",
        ),
        (
            Kind::Job,
            "spec.template.spec",
            "/spec/template/spec",
            "spec.template.metadata",
        ),
        (
            Kind::CronJob,
            "spec.jobTemplate.spec.template.spec",
            "/spec/jobTemplate/spec/template/spec",
            "spec.jobTemplate.spec.template.metadata",
        ),
        (Kind::EphemeralContainers, "", "", "metadata"),
    ];
    for (kind, dotted, pointer, metadata) in cases {
        assert_eq!(kind.spec_path(), dotted, "{kind:?}");
        assert_eq!(kind.spec_pointer(), pointer, "{kind:?}");
        assert_eq!(
            kind.annotation_path("a/b"),
            format!("{metadata}.annotations[a/b]"),
            "{kind:?}"
        );
    }
    let at = ContainerAt {
        kind: ContainerKind::Init,
        index: 2,
    };
    assert_eq!(
        Kind::CronJob.container_path(at),
        "spec.jobTemplate.spec.template.spec.initContainers[2]"
    );
    assert_eq!(
        Kind::StatefulSet.spec_field("hostIPC"),
        "spec.template.spec.hostIPC"
    );
    let at = ContainerAt {
        kind: ContainerKind::Ephemeral,
        index: 0,
    };
    assert_eq!(
        Kind::EphemeralContainers.container_path(at),
        "ephemeralContainers[0]"
    );
}

#[test]
fn finds_the_pod_spec_of_every_kind() {
    let spec = json!({"containers": [{"name": "a"}]});
    let meta = json!({"annotations": {"k": "v"}});
    let template = json!({"metadata": meta, "spec": spec});
    let cases = [
        (
            Kind::Pod,
            json!({"apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": spec}),
        ),
        (
            Kind::Deployment,
            json!({"apiVersion": "apps/v1", "kind": "Deployment", "spec": {"template": template}}),
        ),
        (
            Kind::Deployment,
            json!({"apiVersion": "extensions/v1beta1", "spec": {"template": template}}),
        ),
        (Kind::Job, json!({"spec": {"template": template}})),
        (
            Kind::CronJob,
            json!({"kind": "CronJob", "spec": {"jobTemplate": {"spec": {"template": template}}}}),
        ),
    ];
    for (kind, object) in cases {
        let pod = PodObject::parse(kind, &object.to_string()).unwrap();
        assert_eq!(
            pod.spec.containers_of(ContainerKind::Regular)[0].name,
            "a",
            "{kind:?}"
        );
        assert_eq!(
            pod.annotations.get("k").map(String::as_str),
            Some("v"),
            "{kind:?}"
        );
    }
}

#[test]
fn the_legacy_ephemeral_containers_object_holds_only_ephemeral_containers() {
    let object = json!({
        "apiVersion": "v1", "kind": "EphemeralContainers",
        "metadata": {"name": "p", "annotations": {"k": "v"}},
        "ephemeralContainers": [{"name": "debug", "securityContext": {"privileged": true}}],
    });
    let pod = PodObject::parse(Kind::EphemeralContainers, &object.to_string()).unwrap();
    let names: Vec<&str> = pod
        .spec
        .all_containers()
        .map(|(_, c)| c.name.as_str())
        .collect();
    assert_eq!(names, ["debug"]);
    assert_eq!(pod.spec.containers_of(ContainerKind::Ephemeral).len(), 1);
    assert_eq!(pod.annotations.get("k").map(String::as_str), Some("v"));
    assert!(!Kind::EphemeralContainers.has_pod_fields() && Kind::Pod.has_pod_fields());
    let none = PodObject::parse(
        Kind::EphemeralContainers,
        r#"{"kind": "EphemeralContainers"}"#,
    )
    .unwrap();
    assert_eq!(none.spec, PodSpec::default());
}

#[test]
fn refuses_malformed_objects_with_a_located_message() {
    let cases = [
        (Kind::Pod, json!([1, 2]), "the Pod object is not a JSON object"),
        (Kind::Pod, json!(null), "the Pod object is not a JSON object"),
        (Kind::Pod, json!({"kind": "Pod"}), "spec is missing"),
        (
            Kind::Deployment,
            json!({"kind": "Deployment", "spec": {}}),
            "spec.template.spec is missing",
        ),
        (
            Kind::Pod,
            json!({"kind": "Deployment", "spec": {}}),
            "the object is of kind \"Deployment\" but the request is for kind \"Pod\"",
        ),
        (
            Kind::EphemeralContainers,
            json!({"kind": "Pod", "spec": {}}),
            "the object is of kind \"Pod\" but the request is for kind \"EphemeralContainers\"",
        ),
        (
            Kind::Job,
            json!({"apiVersion": "batch.volcano.sh/v1alpha1", "kind": "Job", "spec": {"template": {"spec": {}}}}),
            "the object is of apiVersion \"batch.volcano.sh/v1alpha1\" but the request is for kind \"Job\" \
             of API group \"batch\"",
        ),
        (
            Kind::Deployment,
            json!({"apiVersion": "v1", "kind": "Deployment", "spec": {"template": {"spec": {}}}}),
            "the object is of apiVersion \"v1\" but the request is for kind \"Deployment\" of API group \
             \"apps\" or \"extensions\"",
        ),
        (
            Kind::CronJob,
            json!({"spec": {"jobTemplate": {"spec": {"template": {"spec": {"hostPID": "yes"}}}}}}),
            "the CronJob object is malformed at spec.jobTemplate.spec.template.spec.hostPID: invalid type: \
             string \"yes\", expected a boolean",
        ),
        (
            Kind::Pod,
            json!({"spec": {"containers": [{"name": "a", "securityContext": {"privileged": 1}}]}}),
            "the Pod object is malformed at spec.containers[0].securityContext.privileged: invalid type: \
             integer `1`, expected a boolean",
        ),
        (
            Kind::EphemeralContainers,
            json!({"ephemeralContainers": [{"name": "a", "securityContext": {"privileged": "no"}}]}),
            "the EphemeralContainers object is malformed at ephemeralContainers[0].securityContext.privileged: \
             invalid type: string \"no\", expected a boolean",
        ),
        (
            Kind::Pod,
            json!({"apiVersion": 1, "spec": {}}),
            "the Pod object is malformed at apiVersion: invalid type: integer `1`, expected a string",
        ),
    ];
    for (kind, object, message) in cases {
        let err = PodObject::parse(kind, &object.to_string()).unwrap_err();
        assert!(err.starts_with(message), "{object}: {err}");
    }
}

#[test]
fn objects_nested_deeper_than_the_limit_are_refused_before_parsing() {
    let deep = format!("{}1{}", "[".repeat(200), "]".repeat(200));
    let object = format!(r#"{{"kind": "Pod", "metadata": {{"x": {deep}}}, "spec": {{}}}}"#);
    assert_eq!(
        PodObject::parse(Kind::Pod, &object).unwrap_err(),
        "the Pod object nests deeper than 128 levels, more than any pod needs"
    );
}

#[test]
fn duplicate_keys_are_refused() {
    let object = r#"{"spec": {"hostPID": false, "hostPID": true, "containers": []}}"#;
    let err = PodObject::parse(Kind::Pod, object).unwrap_err();
    assert!(
        err.starts_with("the Pod object is malformed at spec.hostPID: duplicate field `hostPID`"),
        "{err}"
    );
}
