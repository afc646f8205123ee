//! The named profiles through the built module: `ai-data-security` (accept, reject, defaulting, override) and
//! the PSP-field profiles `restricted` and `baseline`.

use psp_host::{apply_json_patch, request, PolicyHost, ValidationResponse};
use serde_json::{json, Value};

fn host() -> &'static PolicyHost {
    PolicyHost::shared().unwrap_or_else(|e| panic!("{e:#}"))
}

fn validate(request: &Value, settings: &Value) -> ValidationResponse {
    host()
        .validate(request, settings)
        .unwrap_or_else(|e| panic!("validate must answer, not fail: {e:#}"))
}

fn profile(name: &str) -> Value {
    json!({ "profile": name })
}

fn pod(spec: Value) -> Value {
    json!({
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "llm-serving-0", "namespace": "ml-platform"},
        "spec": spec,
    })
}

fn create(object: Value) -> Value {
    let kind = object["kind"].as_str().expect("a kind").to_string();
    request(&kind, "CREATE", object)
}

fn assert_accepted_untouched(response: &ValidationResponse, case: &str) {
    assert!(response.accepted, "{case}: {:?}", response.message);
    assert_eq!(response.message, None, "{case}");
    assert_eq!(response.mutated_object, None, "{case}: nothing to default");
}

fn assert_denied(response: &ValidationResponse, expected: &str, case: &str) {
    assert!(!response.accepted, "{case}: accepted");
    assert_eq!(response.message(), expected, "{case}");
}

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

// ---- ai-data-security ----

#[test]
fn ai_data_security_accepts_a_compliant_model_serving_pod() {
    let settings = profile("ai-data-security");
    assert!(host().validate_settings(&settings).unwrap().valid);
    for path in ["/data/ai/models/llm-7b", "/data/ai", "/data/ai/"] {
        assert_accepted_untouched(
            &validate(&create(pod(model_serving_spec(path))), &settings),
            path,
        );
    }
    // The same pod template in a Deployment.
    let deployment = json!({
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "llm-serving", "namespace": "ml-platform"},
        "spec": {
            "selector": {"matchLabels": {"app": "llm"}},
            "template": {"metadata": {"labels": {"app": "llm"}}, "spec": model_serving_spec("/data/ai/models")},
        },
    });
    assert_accepted_untouched(&validate(&create(deployment), &settings), "Deployment");
}

#[test]
fn ai_data_security_rejects() {
    let settings = profile("ai-data-security");
    let with = |edit: &dyn Fn(&mut Value)| {
        let mut spec = model_serving_spec("/data/ai/models/llm-7b");
        edit(&mut spec);
        create(pod(spec))
    };

    let privileged = with(&|s| s["containers"][0]["securityContext"]["privileged"] = json!(true));
    assert_denied(
        &validate(&privileged, &settings),
        "PodSecurityPolicy: spec.containers[0].securityContext.privileged: Invalid value: true: \
         privileged containers are not allowed",
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
        assert_denied(
            &validate(&other_path, &settings),
            &format!(
                "PodSecurityPolicy: spec.volumes[0].hostPath.path: Invalid value: \"{path}\": host path is not \
                 allowed to be used; allowed path prefixes: \"/data/ai\""
            ),
            path,
        );
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
        assert_denied(
            &validate(&req, &settings),
            "PodSecurityPolicy: spec.containers[0].volumeMounts[0].readOnly: Invalid value: false: \
             host path \"/data/ai/models/llm-7b\" must be mounted read-only",
            case,
        );
    }
    // Also when only an init container mounts it writable.
    let init_writable = with(&|s| {
        s["initContainers"] = json!([{
            "name": "fetch", "image": "x",
            "securityContext": {"allowPrivilegeEscalation": false, "readOnlyRootFilesystem": true},
            "volumeMounts": [{"name": "models", "mountPath": "/models"}],
        }]);
    });
    assert_denied(
        &validate(&init_writable, &settings),
        "PodSecurityPolicy: spec.initContainers[0].volumeMounts[0].readOnly: Invalid value: false: \
         host path \"/data/ai/models/llm-7b\" must be mounted read-only",
        "init container",
    );

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
        assert_denied(
            &validate(&req, &settings),
            &format!(
                "PodSecurityPolicy: spec.volumes[4]: Invalid value: \"{type_name}\": {type_name} volumes are not \
                 allowed to be used; {AI_VOLUMES}"
            ),
            type_name,
        );
    }

    let root = with(&|s| s["securityContext"]["runAsUser"] = json!(0));
    assert_denied(
        &validate(&root, &settings),
        "PodSecurityPolicy: spec.securityContext.runAsUser: Invalid value: 0: container \"server\": running with \
         the root UID is forbidden",
        "runAsUser 0",
    );
    let container_root = with(&|s| s["containers"][0]["securityContext"]["runAsUser"] = json!(0));
    assert_denied(
        &validate(&container_root, &settings),
        "PodSecurityPolicy: spec.containers[0].securityContext.runAsUser: Invalid value: 0: container \"server\": \
         running with the root UID is forbidden",
        "container runAsUser 0",
    );

    let escalating =
        with(&|s| s["containers"][0]["securityContext"]["allowPrivilegeEscalation"] = json!(true));
    assert!(
        !validate(&escalating, &settings).accepted,
        "allowPrivilegeEscalation"
    );
    let writable_root =
        with(&|s| s["containers"][0]["securityContext"]["readOnlyRootFilesystem"] = json!(false));
    assert!(
        !validate(&writable_root, &settings).accepted,
        "readOnlyRootFilesystem"
    );

    // A workload template: the same rule, with the template's paths.
    let deployment = json!({
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "etc-reader", "namespace": "ml-platform"},
        "spec": {
            "selector": {"matchLabels": {"app": "x"}},
            "template": {"metadata": {"labels": {"app": "x"}}, "spec": model_serving_spec("/etc")},
        },
    });
    assert_denied(
        &validate(&create(deployment), &settings),
        "PodSecurityPolicy: spec.template.spec.volumes[0].hostPath.path: Invalid value: \"/etc\": host path is \
         not allowed to be used; allowed path prefixes: \"/data/ai\"",
        "Deployment",
    );
}

#[test]
fn ai_data_security_defaults_what_the_pod_leaves_unset() {
    let settings = profile("ai-data-security");
    let spec = json!({
        "initContainers": [{"name": "fetch", "image": "x", "securityContext": {"runAsUser": 1000}}],
        "containers": [{"name": "server", "image": "x"}],
    });
    let req = create(pod(spec));
    let response = validate(&req, &settings);
    assert!(response.accepted, "{:?}", response.message);
    assert_eq!(response.message, None);
    // runAsNonRoot is defaulted only where no runAsUser is set (PSP's MustRunAsNonRoot).
    let patch = response.patch(&req);
    assert_eq!(
        patch,
        vec![
            json!({
                "op": "add",
                "path": "/spec/containers/0/securityContext",
                "value": {"allowPrivilegeEscalation": false, "readOnlyRootFilesystem": true, "runAsNonRoot": true},
            }),
            json!({
                "op": "add",
                "path": "/spec/initContainers/0/securityContext/allowPrivilegeEscalation",
                "value": false,
            }),
            json!({
                "op": "add",
                "path": "/spec/initContainers/0/securityContext/readOnlyRootFilesystem",
                "value": true,
            }),
        ]
    );
    // The defaulted pod is accepted as it is.
    let defaulted = apply_json_patch(&req["object"], &patch).unwrap();
    assert_eq!(Some(&defaulted), response.mutated_object.as_ref());
    assert_accepted_untouched(&validate(&create(defaulted), &settings), "defaulted pod");

    // Explicit values are kept, never overwritten.
    let explicit = create(pod(json!({
        "securityContext": {"runAsNonRoot": true},
        "containers": [{"name": "server", "image": "x",
                        "securityContext": {"readOnlyRootFilesystem": true}}],
    })));
    let response = validate(&explicit, &settings);
    assert!(response.accepted, "{:?}", response.message);
    assert_eq!(
        response.patch(&explicit),
        vec![json!({
            "op": "add",
            "path": "/spec/containers/0/securityContext/allowPrivilegeEscalation",
            "value": false,
        })]
    );
}

#[test]
fn explicit_settings_override_the_profile_key_by_key() {
    // Another host path: /models, read-only, replaces /data/ai.
    let models = json!({
        "profile": "ai-data-security",
        "allowedHostPaths": [{"pathPrefix": "/models", "readOnly": true}],
    });
    assert!(host().validate_settings(&models).unwrap().valid);
    assert_denied(
        &validate(&create(pod(model_serving_spec("/data/ai/models/llm-7b"))), &models),
        "PodSecurityPolicy: spec.volumes[0].hostPath.path: Invalid value: \"/data/ai/models/llm-7b\": host path \
         is not allowed to be used; allowed path prefixes: \"/models\"",
        "/data/ai under the override",
    );
    assert_accepted_untouched(
        &validate(&create(pod(model_serving_spec("/models/llm-7b"))), &models),
        "/models under the override",
    );
    // The other keys still come from the profile.
    let mut root = model_serving_spec("/models/llm-7b");
    root["securityContext"]["runAsUser"] = json!(0);
    assert!(!validate(&create(pod(root)), &models).accepted);

    // Loosening one key: privileged containers.
    let mut privileged = model_serving_spec("/data/ai/models");
    privileged["containers"][0]["securityContext"] =
        json!({"privileged": true, "readOnlyRootFilesystem": true});
    let req = create(pod(privileged));
    assert!(!validate(&req, &profile("ai-data-security")).accepted);
    let response = validate(
        &req,
        &json!({"profile": "ai-data-security", "privileged": true}),
    );
    assert!(response.accepted, "{:?}", response.message);
    // `allowPrivilegeEscalation: false` still comes from the profile and is defaulted, as PSP did (the API
    // server then refuses privileged with allowPrivilegeEscalation=false: loosen both for privileged pods).
    assert_eq!(
        response.patch(&req),
        vec![json!({
            "op": "add",
            "path": "/spec/containers/0/securityContext/allowPrivilegeEscalation",
            "value": false,
        })]
    );
    assert_accepted_untouched(
        &validate(
            &req,
            &json!({"profile": "ai-data-security", "privileged": true, "allowPrivilegeEscalation": true}),
        ),
        "privileged and allowPrivilegeEscalation loosened",
    );

    // Tightening one key: fewer volume types.
    let tighter =
        json!({"profile": "ai-data-security", "volumes": ["configMap", "projected", "hostPath"]});
    assert_denied(
        &validate(&create(pod(model_serving_spec("/data/ai"))), &tighter),
        "PodSecurityPolicy: spec.volumes[2]: Invalid value: \"emptyDir\": emptyDir volumes are not allowed to be \
         used; allowed: \"configMap\", \"projected\", \"hostPath\"",
        "tighter volumes",
    );

    // Turning a default off: no read-only root filesystem required, none defaulted.
    let writable_root = json!({"profile": "ai-data-security", "readOnlyRootFilesystem": false});
    let req = create(pod(json!({
        "securityContext": {"runAsNonRoot": true},
        "containers": [{"name": "server", "image": "x", "securityContext": {"allowPrivilegeEscalation": false}}],
    })));
    assert_accepted_untouched(
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
        create(pod(spec))
    };
    let settings = profile("ai-data-security");
    for profile_type in [None, Some("RuntimeDefault"), Some("Unconfined")] {
        assert_accepted_untouched(
            &validate(&with_seccomp(profile_type), &settings),
            &format!("{profile_type:?}"),
        );
    }

    let hardened = json!({
        "profile": "ai-data-security",
        "seccomp": {"allowedProfileNames": ["runtime/default", "localhost/*"], "defaultProfileName": "runtime/default"},
    });
    assert_accepted_untouched(
        &validate(&with_seccomp(Some("RuntimeDefault")), &hardened),
        "RuntimeDefault",
    );
    let unset = with_seccomp(None);
    let response = validate(&unset, &hardened);
    assert!(response.accepted, "{:?}", response.message);
    assert_eq!(
        response.patch(&unset),
        vec![
            json!({"op": "add", "path": "/spec/securityContext/seccompProfile", "value": {"type": "RuntimeDefault"}})
        ]
    );
    assert_denied(
        &validate(&with_seccomp(Some("Unconfined")), &hardened),
        "PodSecurityPolicy: spec.securityContext.seccompProfile: Invalid value: \"unconfined\": seccomp profile is \
         not allowed; allowed: \"runtime/default\", \"localhost/*\"",
        "Unconfined under the hardened override",
    );
}

#[test]
fn a_profile_and_a_standard_must_both_pass() {
    // ai-data-security allows its read-only host path; restricted forbids every hostPath volume.
    let settings =
        json!({"profile": "ai-data-security", "podSecurityStandard": {"level": "restricted"}});
    assert_denied(
        &validate(&create(pod(model_serving_spec("/data/ai/models"))), &settings),
        "violates PodSecurity \"restricted:latest\": restricted volume types (volume \"models\" uses restricted \
         volume type \"hostPath\")",
        "profile and standard",
    );
    let mut no_host_path = model_serving_spec("/data/ai/models");
    no_host_path["volumes"][0] =
        json!({"name": "models", "persistentVolumeClaim": {"claimName": "llm-7b"}});
    assert_accepted_untouched(
        &validate(&create(pod(no_host_path)), &settings),
        "profile and standard",
    );
}

#[test]
fn an_unknown_profile_is_refused_naming_the_key() {
    let answer = host()
        .validate_settings_strict(&json!({"profile": "ai-data"}))
        .unwrap();
    assert!(!answer.valid);
    assert!(
        answer.message().starts_with(
            "profile: unknown profile \"ai-data\"; known profiles: ai-data-security, restricted, baseline"
        ),
        "{:?}",
        answer.message
    );
}

// ---- restricted and baseline ----

/// PSA's smallest restricted pod, one container `app`.
fn restricted_spec() -> Value {
    json!({
        "securityContext": {"runAsNonRoot": true, "seccompProfile": {"type": "RuntimeDefault"}},
        "containers": [{
            "name": "app",
            "image": "registry.example.com/app:1",
            "securityContext": {"allowPrivilegeEscalation": false, "capabilities": {"drop": ["ALL"]}},
        }],
    })
}

/// Breaks many rules at once: host namespaces and port, root, unconfined seccomp, a host path, an unmasked
/// /proc, an added SYS_ADMIN.
fn everything_wrong() -> Value {
    pod(json!({
        "hostNetwork": true,
        "hostPID": true,
        "securityContext": {"runAsUser": 0, "seccompProfile": {"type": "Unconfined"}},
        "containers": [{
            "name": "app",
            "image": "x",
            "ports": [{"containerPort": 80, "hostPort": 80}],
            "securityContext": {"procMount": "Unmasked", "capabilities": {"add": ["SYS_ADMIN"]}},
        }],
        "volumes": [{"name": "h", "hostPath": {"path": "/var/run/docker.sock"}}],
    }))
}

#[test]
fn the_restricted_profile() {
    let settings = profile("restricted");
    assert_accepted_untouched(
        &validate(&create(pod(restricted_spec())), &settings),
        "PSA's restricted base pod",
    );
    let mut ok = restricted_spec();
    ok["containers"][0]["securityContext"]["capabilities"]["add"] = json!(["NET_BIND_SERVICE"]);
    ok["volumes"] = json!([{"name": "d", "csi": {"driver": "d"}}, {"name": "e", "ephemeral": {}}]);
    assert_accepted_untouched(
        &validate(&create(pod(ok)), &settings),
        "NET_BIND_SERVICE, csi",
    );

    // Defaulting fills in what restricted requires; the result passes Pod Security Admission's restricted.
    let req = create(pod(json!({"containers": [{"name": "app", "image": "x"}]})));
    let response = validate(&req, &settings);
    assert!(response.accepted, "{:?}", response.message);
    assert_eq!(
        response.patch(&req),
        vec![
            json!({
                "op": "add",
                "path": "/spec/containers/0/securityContext",
                "value": {"allowPrivilegeEscalation": false, "capabilities": {"drop": ["ALL"]}, "runAsNonRoot": true},
            }),
            json!({
                "op": "add",
                "path": "/spec/securityContext",
                "value": {"seccompProfile": {"type": "RuntimeDefault"}},
            }),
        ]
    );
    let defaulted = response.mutated_object.clone().unwrap();
    let psa = validate(
        &create(defaulted),
        &json!({"podSecurityStandard": {"level": "restricted"}}),
    );
    assert!(psa.accepted, "{:?}", psa.message);

    assert_denied(
        &validate(&create(everything_wrong()), &settings),
        "PodSecurityPolicy: spec.hostNetwork: Invalid value: true: host network is not allowed to be used; \
         spec.hostPID: Invalid value: true: host PID is not allowed to be used; \
         spec.containers[0].ports[0].hostPort: Invalid value: 80: host port 80 is not allowed to be used; no host \
         ports are allowed; \
         spec.securityContext.seccompProfile: Invalid value: \"unconfined\": seccomp profile is not allowed; \
         allowed: \"runtime/default\", \"localhost/*\"; \
         spec.volumes[0]: Invalid value: \"hostPath\": hostPath volumes are not allowed to be used; allowed: \
         \"configMap\", \"csi\", \"downwardAPI\", \"emptyDir\", \"ephemeral\", \"persistentVolumeClaim\", \
         \"projected\", \"secret\"; \
         spec.securityContext.runAsUser: Invalid value: 0: container \"app\": running with the root UID is \
         forbidden; \
         spec.containers[0].securityContext.procMount: Invalid value: \"Unmasked\": proc mount type is not \
         allowed; allowed: \"Default\"; \
         spec.containers[0].securityContext.capabilities.add[0]: Invalid value: \"SYS_ADMIN\": capability \
         SYS_ADMIN may not be added; allowed: \"NET_BIND_SERVICE\"",
        "everything wrong",
    );
    // Volume types restricted does not allow, one at a time.
    for volume in [
        json!({"nfs": {"server": "s", "path": "/"}}),
        json!({"gitRepo": {"repository": "r"}}),
    ] {
        let mut spec = restricted_spec();
        let mut volume = volume;
        volume["name"] = json!("v");
        spec["volumes"] = json!([volume]);
        assert!(
            !validate(&create(pod(spec)), &settings).accepted,
            "{volume}"
        );
    }
    // An explicit allowPrivilegeEscalation: true.
    let mut escalating = restricted_spec();
    escalating["containers"][0]["securityContext"]["allowPrivilegeEscalation"] = json!(true);
    assert!(!validate(&create(pod(escalating)), &settings).accepted);
}

#[test]
fn the_baseline_profile() {
    let settings = profile("baseline");
    // Root, baseline capabilities, nfs, a sysctl of the latest standard: accepted; baseline defaults the
    // seccomp profile (PSP cannot say "unset is fine").
    let req = create(pod(json!({
        "securityContext": {
            "runAsUser": 0,
            "sysctls": [{"name": "net.ipv4.tcp_notsent_lowat", "value": "16384"}],
        },
        "containers": [{
            "name": "app",
            "image": "x",
            "securityContext": {"allowPrivilegeEscalation": true, "capabilities": {"add": ["CHOWN", "NET_BIND_SERVICE"]}},
            "volumeMounts": [{"name": "shared", "mountPath": "/shared"}],
        }],
        "volumes": [{"name": "shared", "nfs": {"server": "s", "path": "/"}}],
    })));
    let response = validate(&req, &settings);
    assert!(response.accepted, "{:?}", response.message);
    assert_eq!(
        response.patch(&req),
        vec![json!({
            "op": "add",
            "path": "/spec/securityContext/seccompProfile",
            "value": {"type": "RuntimeDefault"},
        })]
    );
    let psa = validate(
        &create(response.mutated_object.clone().unwrap()),
        &json!({"podSecurityStandard": {"level": "baseline"}}),
    );
    assert!(psa.accepted, "{:?}", psa.message);

    let mut with_seccomp = restricted_spec();
    with_seccomp["securityContext"]["runAsUser"] = json!(0);
    assert_accepted_untouched(
        &validate(&create(pod(with_seccomp)), &settings),
        "root, seccomp set",
    );

    assert_denied(
        &validate(&create(everything_wrong()), &settings),
        "PodSecurityPolicy: spec.hostNetwork: Invalid value: true: host network is not allowed to be used; \
         spec.hostPID: Invalid value: true: host PID is not allowed to be used; \
         spec.containers[0].ports[0].hostPort: Invalid value: 80: host port 80 is not allowed to be used; no host \
         ports are allowed; \
         spec.securityContext.seccompProfile: Invalid value: \"unconfined\": seccomp profile is not allowed; \
         allowed: \"runtime/default\", \"localhost/*\"; \
         spec.volumes[0]: Invalid value: \"hostPath\": hostPath volumes are not allowed to be used; allowed: \
         \"azureFile\", \"flocker\", \"flexVolume\", \"emptyDir\", \"gcePersistentDisk\", \"awsElasticBlockStore\", \
         \"gitRepo\", \"secret\", \"nfs\", \"iscsi\", \"glusterfs\", \"persistentVolumeClaim\", \"rbd\", \"cinder\", \
         \"cephfs\", \"downwardAPI\", \"fc\", \"configMap\", \"vsphereVolume\", \"quobyte\", \"azureDisk\", \
         \"photonPersistentDisk\", \"storageos\", \"projected\", \"portworxVolume\", \"scaleIO\", \"csi\", \
         \"ephemeral\", \"image\"; \
         spec.containers[0].securityContext.procMount: Invalid value: \"Unmasked\": proc mount type is not \
         allowed; allowed: \"Default\"; \
         spec.containers[0].securityContext.capabilities.add[0]: Invalid value: \"SYS_ADMIN\": capability \
         SYS_ADMIN may not be added; allowed: \"AUDIT_WRITE\", \"CHOWN\", \"DAC_OVERRIDE\", \"FOWNER\", \"FSETID\", \
         \"KILL\", \"MKNOD\", \"NET_BIND_SERVICE\", \"SETFCAP\", \"SETGID\", \"SETPCAP\", \"SETUID\", \"SYS_CHROOT\"",
        "everything wrong",
    );

    let mut privileged = restricted_spec();
    privileged["containers"][0]["securityContext"] = json!({"privileged": true});
    assert_denied(
        &validate(&create(pod(privileged)), &settings),
        "PodSecurityPolicy: spec.containers[0].securityContext.privileged: Invalid value: true: privileged \
         containers are not allowed",
        "privileged",
    );
    let mut unsafe_sysctl = restricted_spec();
    unsafe_sysctl["securityContext"]["sysctls"] =
        json!([{"name": "net.core.somaxconn", "value": "1024"}]);
    assert_denied(
        &validate(&create(pod(unsafe_sysctl)), &settings),
        "PodSecurityPolicy: spec.securityContext.sysctls[0].name: Invalid value: \"net.core.somaxconn\": sysctl is \
         not allowed: it is neither a safe sysctl nor in allowedUnsafeSysctls (none)",
        "unsafe sysctl",
    );
}

/// `(level, the profile accepts, the standard accepts)`.
type LevelVerdicts = (&'static str, bool, bool);

/// Where the `restricted` and `baseline` profiles and the standards of the same name give different verdicts:
/// the places the README lists, where PSP fields cannot say what the standard says. Each case is PSA's
/// restricted base pod with one change; `(profile accepts, standard accepts)` per level.
#[test]
fn where_the_psp_profiles_differ_from_the_standards() {
    let annotated = |annotations: Value, spec: Value| {
        let mut object = pod(spec);
        object["metadata"]["annotations"] = annotations;
        object
    };
    let edit = |change: &dyn Fn(&mut Value)| {
        let mut spec = restricted_spec();
        change(&mut spec);
        pod(spec)
    };
    let cases: Vec<(&str, Value, [LevelVerdicts; 2])> = vec![
        (
            "runAsUser 1000 without runAsNonRoot (PSP's MustRunAsNonRoot accepts a non-zero UID)",
            edit(&|s| {
                s["securityContext"] =
                    json!({"runAsUser": 1000, "seccompProfile": {"type": "RuntimeDefault"}})
            }),
            [("restricted", true, false), ("baseline", true, true)],
        ),
        (
            "AppArmor unconfined (no PSP field allows unset but forbids unconfined)",
            annotated(
                json!({"container.apparmor.security.beta.kubernetes.io/app": "unconfined"}),
                restricted_spec(),
            ),
            [("restricted", true, false), ("baseline", true, false)],
        ),
        (
            "SELinux type spc_t (PSP: one exact set of options, or any)",
            edit(&|s| s["securityContext"]["seLinuxOptions"] = json!({"type": "spc_t"})),
            [("restricted", true, false), ("baseline", true, false)],
        ),
        (
            "a probe host (no PSP field)",
            edit(&|s| {
                s["containers"][0]["readinessProbe"] =
                    json!({"tcpSocket": {"host": "10.0.0.1", "port": 80}})
            }),
            [("restricted", true, false), ("baseline", true, false)],
        ),
        (
            "capability `chown` (one capability, two spellings: PSA compares strings)",
            edit(&|s| {
                s["containers"][0]["securityContext"]["capabilities"] = json!({"add": ["chown"]});
            }),
            [("restricted", false, false), ("baseline", true, false)],
        ),
        (
            "runAsNonRoot: false in a user namespace (PSA relaxes it from v1.35)",
            edit(&|s| {
                s["hostUsers"] = json!(false);
                s["securityContext"]["runAsNonRoot"] = json!(false);
            }),
            [("restricted", false, true), ("baseline", true, true)],
        ),
        (
            "procMount Unmasked in a user namespace (baseline relaxes it from v1.35)",
            edit(&|s| {
                s["hostUsers"] = json!(false);
                s["containers"][0]["securityContext"]["procMount"] = json!("Unmasked");
            }),
            [("restricted", false, false), ("baseline", false, true)],
        ),
    ];
    for (case, object, verdicts) in cases {
        let req = create(object);
        for (level, profile_accepts, standard_accepts) in verdicts {
            let by_profile = validate(&req, &profile(level));
            let by_standard = validate(&req, &json!({"podSecurityStandard": {"level": level}}));
            assert_eq!(
                (by_profile.accepted, by_standard.accepted),
                (profile_accepts, standard_accepts),
                "{case} at {level}: profile {:?}, standard {:?}",
                by_profile.message,
                by_standard.message
            );
        }
    }

    // Baseline allows an unset seccomp profile; the baseline profile defaults it (PSP cannot say "unset is
    // fine, but not Unconfined").
    let mut unset = restricted_spec();
    unset["securityContext"] = json!({"runAsNonRoot": true});
    let req = create(pod(unset));
    assert_eq!(
        validate(&req, &profile("baseline")).patch(&req),
        vec![
            json!({"op": "add", "path": "/spec/securityContext/seccompProfile", "value": {"type": "RuntimeDefault"}})
        ]
    );
    assert_accepted_untouched(
        &validate(&req, &json!({"podSecurityStandard": {"level": "baseline"}})),
        "baseline standard, seccomp unset",
    );

    // Restricted exempts Windows pods from its restricted-only checks; the restricted profile defaults Linux
    // fields into them (which the API server refuses for `os.name: windows`).
    let windows = create(pod(json!({
        "os": {"name": "windows"},
        "securityContext": {"runAsNonRoot": true},
        "containers": [{"name": "app", "image": "x"}],
    })));
    assert_accepted_untouched(
        &validate(
            &windows,
            &json!({"podSecurityStandard": {"level": "restricted"}}),
        ),
        "windows, restricted standard",
    );
    let by_profile = validate(&windows, &profile("restricted"));
    assert!(by_profile.accepted, "{:?}", by_profile.message);
    assert_eq!(
        by_profile.patch(&windows),
        vec![
            json!({
                "op": "add",
                "path": "/spec/containers/0/securityContext",
                "value": {"allowPrivilegeEscalation": false, "capabilities": {"drop": ["ALL"]}},
            }),
            json!({"op": "add", "path": "/spec/securityContext/seccompProfile", "value": {"type": "RuntimeDefault"}}),
        ]
    );
}
