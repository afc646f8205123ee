//! The `ai-data-security` profile through the built module: a compliant model-serving pod is accepted,
//! what the profile forbids is rejected with its field path, what a pod leaves unset is defaulted, and
//! explicit settings override the profile key by key.

mod common;

use common::*;
use serde_json::{json, Value};

/// A model-serving pod that complies with `ai-data-security`: non-root, read-only root filesystem, no privilege
/// escalation, the runtime's seccomp profile, the model weights read from the node under /data/ai, read-only.
fn model_serving_spec(host_path: &str) -> Value {
    json!({
        "serviceAccountName": "llm-serving",
        "securityContext": {
            "runAsNonRoot": true, "runAsUser": 10001, "runAsGroup": 10001, "fsGroup": 10001,
            "seccompProfile": {"type": "RuntimeDefault"},
        },
        "containers": [{
            "name": "server",
            "image": "registry.example.com/ml/llm-server:2.3.0",
            "ports": [{"name": "http", "containerPort": 8080}],
            "securityContext": {
                "allowPrivilegeEscalation": false,
                "readOnlyRootFilesystem": true,
                "capabilities": {"drop": ["ALL"]},
            },
            "volumeMounts": [
                {"name": "models", "mountPath": "/models", "readOnly": true},
                {"name": "config", "mountPath": "/etc/llm-server", "readOnly": true},
                {"name": "tmp", "mountPath": "/tmp"},
                {"name": "token", "mountPath": "/var/run/secrets/kubernetes.io/serviceaccount", "readOnly": true},
            ],
        }],
        "volumes": [
            {"name": "models", "hostPath": {"path": host_path, "type": "Directory"}},
            {"name": "config", "configMap": {"name": "llm-server-config"}},
            {"name": "tmp", "emptyDir": {"sizeLimit": "1Gi"}},
            {"name": "token", "projected": {"sources": [{"serviceAccountToken": {"path": "token"}}]}},
        ],
    })
}

const AI_VOLUMES: &str =
    "allowed: \"configMap\", \"emptyDir\", \"projected\", \"secret\", \"downwardAPI\", \
                          \"persistentVolumeClaim\", \"hostPath\"";

#[test]
fn ai_data_security_accepts_a_compliant_model_serving_pod() {
    let settings = profile("ai-data-security");
    assert_valid_settings(&settings);
    for path in ["/data/ai/models/llm-7b", "/data/ai", "/data/ai/"] {
        assert_accepted_unchanged(
            &validate(&create("Pod", pod(model_serving_spec(path))), &settings),
            path,
        );
    }
    // The same pod template in a Deployment.
    let deployment = object_of(
        "Deployment",
        Value::Null,
        model_serving_spec("/data/ai/models"),
    );
    assert_accepted_unchanged(
        &validate(&create("Deployment", deployment), &settings),
        "Deployment",
    );
}

#[test]
fn ai_data_security_rejects() {
    let settings = profile("ai-data-security");
    let with = |edit: &dyn Fn(&mut Value)| {
        let mut spec = model_serving_spec("/data/ai/models/llm-7b");
        edit(&mut spec);
        create("Pod", pod(spec))
    };

    let privileged = with(&|s| s["containers"][0]["securityContext"]["privileged"] = json!(true));
    assert_rejected(
        &validate(&privileged, &settings),
        "PodSecurityPolicy: spec.containers[0].securityContext.privileged (container \"server\"): Invalid \
         value: true: privileged containers are not allowed; allowed: false",
        "privileged",
    );

    for path in [
        "/etc",
        "/",
        "/data",
        "/data/aix",
        "/data/ai-other",
        "/data/ai/../../etc",
    ] {
        let other_path = with(&|s| s["volumes"][0]["hostPath"]["path"] = json!(path));
        assert_rejected(&validate(&other_path, &settings), &format!(
                "PodSecurityPolicy: spec.volumes[0].hostPath.path: Invalid value: \"{path}\": host path is not \
                 under an allowed path prefix; allowed: \"/data/ai\""
            ), path);
    }

    // /data/ai mounted writable, explicitly or by leaving `readOnly` out.
    let writable = with(&|s| s["containers"][0]["volumeMounts"][0]["readOnly"] = json!(false));
    let unset = with(&|s| {
        s["containers"][0]["volumeMounts"][0]
            .as_object_mut()
            .unwrap()
            .remove("readOnly");
    });
    for (case, req) in [("readOnly: false", writable), ("readOnly unset", unset)] {
        assert_rejected(&validate(&req, &settings), "PodSecurityPolicy: spec.containers[0].volumeMounts[0].readOnly (container \"server\"): Invalid \
             value: false: host path \"/data/ai/models/llm-7b\" must be mounted read-only; allowed: true", case);
    }
    // Also when only an init container mounts it writable.
    let init_writable = with(&|s| {
        s["initContainers"] = json!([{
            "name": "fetch", "image": "x",
            "securityContext": {"allowPrivilegeEscalation": false, "readOnlyRootFilesystem": true},
            "volumeMounts": [{"name": "models", "mountPath": "/models"}],
        }]);
    });
    assert_rejected(&validate(&init_writable, &settings), "PodSecurityPolicy: spec.initContainers[0].volumeMounts[0].readOnly (container \"fetch\"): Invalid \
         value: false: host path \"/data/ai/models/llm-7b\" must be mounted read-only; allowed: true", "init container");

    // Volume types not in the list.
    for (volume, type_name) in [
        (
            json!({"nfs": {"server": "nfs.example.com", "path": "/models"}}),
            "nfs",
        ),
        (json!({"csi": {"driver": "s3.csi.example.com"}}), "csi"),
        (
            json!({"ephemeral": {"volumeClaimTemplate": {"spec": {}}}}),
            "ephemeral",
        ),
    ] {
        let req = with(&|s| {
            let mut v = volume.clone();
            v["name"] = json!("extra");
            s["volumes"].as_array_mut().unwrap().push(v);
        });
        assert_rejected(&validate(&req, &settings), &format!(
                "PodSecurityPolicy: spec.volumes[4]: Invalid value: \"{type_name}\": {type_name} volumes are not \
                 allowed to be used; {AI_VOLUMES}"
            ), type_name);
    }

    let root = with(&|s| s["securityContext"]["runAsUser"] = json!(0));
    assert_rejected(&validate(&root, &settings), "PodSecurityPolicy: spec.securityContext.runAsUser (container \"server\"): Invalid value: 0: running as \
         root is not allowed; allowed: 1-9223372036854775807", "runAsUser 0");
    let container_root = with(&|s| s["containers"][0]["securityContext"]["runAsUser"] = json!(0));
    assert_rejected(&validate(&container_root, &settings), "PodSecurityPolicy: spec.containers[0].securityContext.runAsUser (container \"server\"): Invalid value: \
         0: running as root is not allowed; allowed: 1-9223372036854775807", "container runAsUser 0");

    let escalating =
        with(&|s| s["containers"][0]["securityContext"]["allowPrivilegeEscalation"] = json!(true));
    assert_rejected(
        &validate(&escalating, &settings),
        "PodSecurityPolicy: spec.containers[0].securityContext.allowPrivilegeEscalation (container \"server\"): \
         Invalid value: true: privilege escalation is not allowed; allowed: false",
        "allowPrivilegeEscalation",
    );
    let writable_root =
        with(&|s| s["containers"][0]["securityContext"]["readOnlyRootFilesystem"] = json!(false));
    assert_rejected(
        &validate(&writable_root, &settings),
        "PodSecurityPolicy: spec.containers[0].securityContext.readOnlyRootFilesystem (container \"server\"): \
         Invalid value: false: the root filesystem must be read-only; allowed: true",
        "readOnlyRootFilesystem",
    );

    // A workload template: the same rule, with the template's paths.
    let deployment = object_of("Deployment", Value::Null, model_serving_spec("/etc"));
    assert_rejected(&validate(&create("Deployment", deployment), &settings), "PodSecurityPolicy: spec.template.spec.volumes[0].hostPath.path: Invalid value: \"/etc\": host path is \
         not under an allowed path prefix; allowed: \"/data/ai\"", "Deployment");
}

#[test]
fn ai_data_security_defaults_what_the_pod_leaves_unset() {
    let settings = profile("ai-data-security");
    let spec = json!({
        "initContainers": [{"name": "fetch", "image": "x", "securityContext": {"runAsUser": 1000}}],
        "containers": [{"name": "server", "image": "x"}],
    });
    let req = create("Pod", pod(spec));
    let response = validate(&req, &settings);
    assert!(response.accepted, "{:?}", response.message);
    assert_eq!(response.message, None);
    // runAsNonRoot is defaulted only where no runAsUser is set (PSP's MustRunAsNonRoot).
    let patch = response.patch(&req);
    assert_eq!(
        patch,
        vec![
            add_op(
                "/spec/containers/0/securityContext",
                json!({"allowPrivilegeEscalation": false, "readOnlyRootFilesystem": true, "runAsNonRoot": true})
            ),
            add_op(
                "/spec/initContainers/0/securityContext/allowPrivilegeEscalation",
                json!(false)
            ),
            add_op(
                "/spec/initContainers/0/securityContext/readOnlyRootFilesystem",
                json!(true)
            ),
        ]
    );
    // The defaulted pod is accepted as it is.
    let defaulted = apply_json_patch(&req["object"], &patch).unwrap();
    assert_eq!(Some(&defaulted), response.mutated_object.as_ref());
    assert_accepted_unchanged(
        &validate(&create("Pod", defaulted), &settings),
        "defaulted pod",
    );

    // Explicit values are kept, never overwritten.
    let explicit = create(
        "Pod",
        pod(json!({
            "securityContext": {"runAsNonRoot": true},
            "containers": [{"name": "server", "image": "x",
                            "securityContext": {"readOnlyRootFilesystem": true}}],
        })),
    );
    let response = validate(&explicit, &settings);
    assert_accepted_with_patch(
        &response,
        &explicit,
        vec![add_op(
            "/spec/containers/0/securityContext/allowPrivilegeEscalation",
            json!(false),
        )],
        "explicit values kept",
    );
}

#[test]
fn explicit_settings_override_the_profile_key_by_key() {
    // Another host path: /models, read-only, replaces /data/ai.
    let models = json!({
        "profile": "ai-data-security",
        "allowedHostPaths": [{"pathPrefix": "/models", "readOnly": true}],
    });
    assert_valid_settings(&models);
    assert_rejected(&validate(&create("Pod", pod(model_serving_spec("/data/ai/models/llm-7b"))), &models), "PodSecurityPolicy: spec.volumes[0].hostPath.path: Invalid value: \"/data/ai/models/llm-7b\": host path \
         is not under an allowed path prefix; allowed: \"/models\"", "/data/ai under the override");
    assert_accepted_unchanged(
        &validate(
            &create("Pod", pod(model_serving_spec("/models/llm-7b"))),
            &models,
        ),
        "/models under the override",
    );
    // The other keys still come from the profile.
    let mut root = model_serving_spec("/models/llm-7b");
    root["securityContext"]["runAsUser"] = json!(0);
    assert!(!validate(&create("Pod", pod(root)), &models).accepted);

    // Loosening one key: privileged containers.
    let mut privileged = model_serving_spec("/data/ai/models");
    privileged["containers"][0]["securityContext"] =
        json!({"privileged": true, "readOnlyRootFilesystem": true});
    let req = create("Pod", pod(privileged));
    assert!(!validate(&req, &profile("ai-data-security")).accepted);
    let response = validate(
        &req,
        &json!({"profile": "ai-data-security", "privileged": true}),
    );
    // `allowPrivilegeEscalation: false` still comes from the profile and is defaulted, as PSP did (the API
    // server then refuses privileged with allowPrivilegeEscalation=false: loosen both for privileged pods).
    assert_accepted_with_patch(
        &response,
        &req,
        vec![add_op(
            "/spec/containers/0/securityContext/allowPrivilegeEscalation",
            json!(false),
        )],
        "privileged allowed",
    );
    assert_accepted_unchanged(
        &validate(
            &req,
            &json!({"profile": "ai-data-security", "privileged": true, "allowPrivilegeEscalation": true}),
        ),
        "privileged and allowPrivilegeEscalation loosened",
    );

    // Tightening one key: fewer volume types.
    let tighter =
        json!({"profile": "ai-data-security", "volumes": ["configMap", "projected", "hostPath"]});
    assert_rejected(&validate(&create("Pod", pod(model_serving_spec("/data/ai"))), &tighter), "PodSecurityPolicy: spec.volumes[2]: Invalid value: \"emptyDir\": emptyDir volumes are not allowed to be \
         used; allowed: \"configMap\", \"projected\", \"hostPath\"", "tighter volumes");

    // Turning a default off: no read-only root filesystem required, none defaulted.
    let writable_root = json!({"profile": "ai-data-security", "readOnlyRootFilesystem": false});
    let req = create(
        "Pod",
        pod(json!({
            "securityContext": {"runAsNonRoot": true},
            "containers": [{"name": "server", "image": "x", "securityContext": {"allowPrivilegeEscalation": false}}],
        })),
    );
    assert_accepted_unchanged(
        &validate(&req, &writable_root),
        "readOnlyRootFilesystem: false",
    );
    assert!(validate(&req, &profile("ai-data-security"))
        .mutated_object
        .is_some());
}

#[test]
fn ai_data_security_allows_any_seccomp_profile_and_can_be_hardened() {
    // A PSP without seccomp rules forbids setting any seccomp profile; the profile allows any (`*`), so that the
    // runtime's profile is accepted. One `seccomp` key turns that into an allow-list with a default.
    let with_seccomp = |profile_type: Option<&str>| {
        let mut spec = model_serving_spec("/data/ai/models");
        let pod_context = spec["securityContext"].as_object_mut().unwrap();
        match profile_type {
            Some(profile_type) => {
                pod_context.insert("seccompProfile".into(), json!({"type": profile_type}))
            }
            None => pod_context.remove("seccompProfile"),
        };
        create("Pod", pod(spec))
    };
    let settings = profile("ai-data-security");
    for profile_type in [None, Some("RuntimeDefault"), Some("Unconfined")] {
        assert_accepted_unchanged(
            &validate(&with_seccomp(profile_type), &settings),
            &format!("{profile_type:?}"),
        );
    }

    let hardened = json!({
        "profile": "ai-data-security",
        "seccomp": {"allowedProfileNames": ["runtime/default", "localhost/*"], "defaultProfileName": "runtime/default"},
    });
    assert_accepted_unchanged(
        &validate(&with_seccomp(Some("RuntimeDefault")), &hardened),
        "RuntimeDefault",
    );
    let unset = with_seccomp(None);
    let response = validate(&unset, &hardened);
    assert_accepted_with_patch(
        &response,
        &unset,
        vec![add_op(
            "/spec/securityContext/seccompProfile",
            json!({"type": "RuntimeDefault"}),
        )],
        "seccomp unset, hardened",
    );
    assert_rejected(&validate(&with_seccomp(Some("Unconfined")), &hardened), "PodSecurityPolicy: spec.securityContext.seccompProfile: Invalid value: \"unconfined\": seccomp profile is \
         not allowed; allowed: \"runtime/default\", \"localhost/*\"", "Unconfined under the hardened override");
}

#[test]
fn a_profile_and_a_standard_must_both_pass() {
    // ai-data-security allows its read-only host path; restricted forbids every hostPath volume.
    let settings =
        json!({"profile": "ai-data-security", "podSecurityStandard": {"level": "restricted"}});
    assert_rejected(&validate(&create("Pod", pod(model_serving_spec("/data/ai/models"))), &settings), "violates PodSecurity \"restricted:latest\": restricted volume types (volume \"models\" uses restricted \
         volume type \"hostPath\")", "profile and standard");
    let mut no_host_path = model_serving_spec("/data/ai/models");
    no_host_path["volumes"][0] =
        json!({"name": "models", "persistentVolumeClaim": {"claimName": "llm-7b"}});
    assert_accepted_unchanged(
        &validate(&create("Pod", pod(no_host_path)), &settings),
        "profile and standard",
    );
}

#[test]
fn an_unknown_profile_is_refused_naming_the_key() {
    let answer = assert_refused(&json!({"profile": "ai-data"}), &[]);
    assert!(
        answer.message().starts_with(
            "profile: unknown profile \"ai-data\"; known profiles: ai-data-security, restricted, baseline"
        ),
        "{:?}",
        answer.message
    );
}
