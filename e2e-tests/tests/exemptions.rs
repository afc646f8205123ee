//! Exemptions, as in Pod Security Admission's configuration: requesters (usernames), namespaces and runtime
//! class names. An exempt request is accepted untouched (no mutation) with an audit annotation saying why; the
//! same request without the exemption is judged. `validate_settings` refuses empty names and duplicates.

mod common;

use std::collections::BTreeMap;

use common::*;
use serde_json::{json, Value};

/// The API server prefixes audit annotation keys with the webhook name, so the key itself has no `/`.
const EXEMPT: &str = "exempt";

/// `ai-data-security` with every kind of exemption.
fn with_exemptions() -> Value {
    json!({
        "profile": "ai-data-security",
        "exemptions": {
            "usernames": ["system:serviceaccount:kube-system:replicaset-controller", "ops-admin"],
            "namespaces": ["kube-system", "gpu-operator"],
            "runtimeClasses": ["kata", "nvidia"],
        },
    })
}

/// Privileged, a host path outside /data/ai, and nothing set that the profile defaults: rejected and, were it
/// allowed, mutated.
fn violating_spec() -> Value {
    json!({
        "containers": [{"name": "driver", "image": "nvcr.io/nvidia/driver:550", "securityContext": {"privileged": true}}],
        "volumes": [{"name": "dev", "hostPath": {"path": "/dev"}}],
    })
}

fn pod_in(namespace: &str, spec: Value) -> Value {
    in_namespace(pod(spec), namespace)
}

fn deployment_in(namespace: &str, spec: Value) -> Value {
    in_namespace(object_of("Deployment", Value::Null, spec), namespace)
}

const REJECTION: &str = "PodSecurityPolicy: spec.volumes[0].hostPath.path: Invalid value: \"/dev\": host path is not \
                         under an allowed path prefix; allowed: \"/data/ai\"; \
                         spec.containers[0].securityContext.privileged (container \"driver\"): Invalid value: true: \
                         privileged containers are not allowed; allowed: false";

#[track_caller]
fn assert_exempt(response: &ValidationResponse, why: &str, case: &str) {
    assert!(response.accepted, "{case}: {:?}", response.message);
    assert_eq!(response.message, None, "{case}");
    assert_eq!(
        response.mutated_object, None,
        "{case}: an exempt request is not mutated"
    );
    assert_eq!(response.warnings, None, "{case}");
    assert_eq!(
        response.audit_annotations,
        Some(BTreeMap::from([(EXEMPT.to_string(), why.to_string())])),
        "{case}"
    );
}

#[test]
fn the_settings_are_valid() {
    assert_valid_settings(&with_exemptions());
}

#[test]
fn exempt_usernames() {
    for (user, groups) in [
        ("ops-admin", vec!["system:authenticated"]),
        (
            "system:serviceaccount:kube-system:replicaset-controller",
            vec![
                "system:serviceaccounts",
                "system:serviceaccounts:kube-system",
            ],
        ),
    ] {
        let req = RequestBuilder::new("Pod", "CREATE", pod_in("ml-platform", violating_spec()))
            .user(user, &groups)
            .build();
        assert_exempt(
            &validate(&req, &with_exemptions()),
            &format!("username \"{user}\""),
            user,
        );
    }
    // Exact names only: no prefix, no case folding, and groups are not usernames.
    for (user, groups) in [
        ("ops-admin2", vec!["system:authenticated"]),
        ("OPS-ADMIN", vec!["system:authenticated"]),
        ("ops", vec!["system:authenticated"]),
        ("alice", vec!["ops-admin", "system:authenticated"]),
        ("kubernetes-admin", vec!["system:masters"]),
    ] {
        let req = RequestBuilder::new("Pod", "CREATE", pod_in("ml-platform", violating_spec()))
            .user(user, &groups)
            .build();
        assert_rejected(&validate(&req, &with_exemptions()), REJECTION, user);
    }
}

#[test]
fn exempt_namespaces() {
    for namespace in ["kube-system", "gpu-operator"] {
        let req = create("Pod", pod_in(namespace, violating_spec()));
        assert_eq!(req["namespace"], json!(namespace));
        assert_exempt(
            &validate(&req, &with_exemptions()),
            &format!("namespace \"{namespace}\""),
            namespace,
        );
        let req = create("Deployment", deployment_in(namespace, violating_spec()));
        assert_exempt(
            &validate(&req, &with_exemptions()),
            &format!("namespace \"{namespace}\""),
            namespace,
        );
    }
    for namespace in ["default", "kube-system-2", "kube", "Kube-System"] {
        let req = create("Pod", pod_in(namespace, violating_spec()));
        assert_rejected(&validate(&req, &with_exemptions()), REJECTION, namespace);
    }
    // The request's namespace counts (the API server has made the object's agree with it).
    let req = RequestBuilder::new("Pod", "CREATE", pod_in("default", violating_spec()))
        .namespace("kube-system")
        .build();
    assert_exempt(
        &validate(&req, &with_exemptions()),
        "namespace \"kube-system\"",
        "request namespace",
    );
}

#[test]
fn exempt_runtime_classes() {
    for class in ["kata", "nvidia"] {
        let mut spec = violating_spec();
        spec["runtimeClassName"] = json!(class);
        let why = format!("runtimeClassName \"{class}\"");
        assert_exempt(
            &validate(
                &create("Pod", pod_in("ml-platform", spec.clone())),
                &with_exemptions(),
            ),
            &why,
            class,
        );
        // A workload's pod template names the runtime class.
        assert_exempt(
            &validate(
                &create("Deployment", deployment_in("ml-platform", spec)),
                &with_exemptions(),
            ),
            &why,
            class,
        );
    }
    for class in [Some("kata-fc"), Some("runc"), Some("Kata"), None] {
        let mut spec = violating_spec();
        if let Some(class) = class {
            spec["runtimeClassName"] = json!(class);
        }
        let req = create("Pod", pod_in("ml-platform", spec));
        assert_rejected(
            &validate(&req, &with_exemptions()),
            REJECTION,
            &format!("{class:?}"),
        );
    }
    let mut spec = violating_spec();
    spec["runtimeClassName"] = json!("runc");
    assert_rejected(&validate(
            &create("Deployment", deployment_in("ml-platform", spec)),
            &with_exemptions(),
        ), "PodSecurityPolicy: spec.template.spec.volumes[0].hostPath.path: Invalid value: \"/dev\": host path is not \
         under an allowed path prefix; allowed: \"/data/ai\"; \
         spec.template.spec.containers[0].securityContext.privileged (container \"driver\"): Invalid value: true: \
         privileged containers are not allowed; allowed: false", "Deployment, runc");
}

#[test]
fn an_exempt_request_is_not_defaulted() {
    // Compliant once defaulted: a non-exempt request gets PSP's defaults, an exempt one is left as it is.
    let spec = json!({"containers": [{"name": "app", "image": "x"}]});
    let judged = create("Pod", pod_in("ml-platform", spec.clone()));
    let response = validate(&judged, &with_exemptions());
    assert!(response.accepted, "{:?}", response.message);
    assert_eq!(response.audit_annotations, None);
    assert_eq!(
        response.patch(&judged),
        vec![add_op(
            "/spec/containers/0/securityContext",
            json!({"allowPrivilegeEscalation": false, "readOnlyRootFilesystem": true, "runAsNonRoot": true})
        )]
    );
    let exempt = create("Pod", pod_in("kube-system", spec));
    let response = validate(&exempt, &with_exemptions());
    assert_exempt(&response, "namespace \"kube-system\"", "defaultable");
    assert!(response.patch(&exempt).is_empty());
}

#[test]
fn exemptions_apply_to_a_pod_security_standard_too() {
    let settings = json!({
        "podSecurityStandard": {"level": "restricted", "version": "latest"},
        "exemptions": {"namespaces": ["kube-system"], "usernames": ["ops-admin"], "runtimeClasses": ["kata"]},
    });
    let privileged = json!({"containers": [{"name": "app", "image": "x", "securityContext": {"privileged": true}}]});
    assert_exempt(
        &validate(
            &create("Pod", pod_in("kube-system", privileged.clone())),
            &settings,
        ),
        "namespace \"kube-system\"",
        "namespace",
    );
    let by_admin = RequestBuilder::new("Pod", "CREATE", pod_in("default", privileged.clone()))
        .user("ops-admin", &["system:authenticated"])
        .build();
    assert_exempt(
        &validate(&by_admin, &settings),
        "username \"ops-admin\"",
        "user",
    );
    let mut kata = privileged.clone();
    kata["runtimeClassName"] = json!("kata");
    assert_exempt(
        &validate(&create("Pod", pod_in("default", kata)), &settings),
        "runtimeClassName \"kata\"",
        "runtime class",
    );
    let response = validate(&create("Pod", pod_in("default", privileged)), &settings);
    assert_rejected_starting_with(
        &response,
        "violates PodSecurity \"restricted:latest\": privileged (container \"app\" must not set",
        "privileged, not exempt",
    );
}

#[test]
fn bad_exemptions_are_refused_naming_the_key() {
    let cases = [
        (
            json!({"usernames": [""]}),
            "exemptions.usernames[0]: must not be empty",
        ),
        (
            json!({"usernames": ["ops", " "]}),
            "exemptions.usernames[1]: must not be empty",
        ),
        (
            json!({"usernames": ["ops", "ci", "ops"]}),
            "exemptions.usernames[2]: duplicate entry \"ops\"",
        ),
        (
            json!({"namespaces": ["\t"]}),
            "exemptions.namespaces[0]: must not be empty",
        ),
        (
            json!({"namespaces": ["kube-system", "kube-system"]}),
            "exemptions.namespaces[1]: duplicate entry \"kube-system\"",
        ),
        (
            json!({"runtimeClasses": [""]}),
            "exemptions.runtimeClasses[0]: must not be empty",
        ),
        (
            json!({"runtimeClasses": ["kata", "nvidia", "kata"]}),
            "exemptions.runtimeClasses[2]: duplicate entry \"kata\"",
        ),
        (json!({"users": ["ops"]}), "unknown field `users`"),
        (
            json!({"runtimeClassNames": ["kata"]}),
            "unknown field `runtimeClassNames`",
        ),
        (json!({"namespaces": "kube-system"}), "invalid type"),
        (json!({"usernames": [7]}), "invalid type"),
    ];
    for (exemptions, needle) in cases {
        let settings = json!({"profile": "ai-data-security", "exemptions": exemptions});
        let answer = assert_refused(&settings, &[needle]);
        assert!(
            answer.message().starts_with("exemptions"),
            "{settings}: {:?}",
            answer.message
        );
        // Invalid settings never exempt anything: the request is refused.
        let req = create("Pod", pod_in("kube-system", violating_spec()));
        let response = validate(&req, &settings);
        assert!(!response.accepted, "{settings}");
        assert_eq!(response.audit_annotations, None, "{settings}");
    }
    // Every problem is reported, not just the first.
    let answer = host()
        .validate_settings_strict(&json!({
            "profile": "ai-data-security",
            "exemptions": {"usernames": ["a", "a"], "namespaces": [""], "runtimeClasses": ["k", "k"]},
        }))
        .unwrap();
    assert_eq!(
        answer.message(),
        "exemptions.usernames[1]: duplicate entry \"a\"; exemptions.namespaces[0]: must not be empty; \
         exemptions.runtimeClasses[1]: duplicate entry \"k\""
    );
    // Empty lists are fine.
    assert_valid_settings(&json!({
        "profile": "ai-data-security",
        "exemptions": {"usernames": [], "namespaces": [], "runtimeClasses": []},
    }));
}
