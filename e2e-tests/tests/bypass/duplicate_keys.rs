//! Duplicate keys: the API server keeps the last value; the policy must judge the last value or
//! refuse, never judge the first. Sent as raw bytes (`serde_json::Value` keeps only one of the two).

use super::*;
use serde_json::{json, Value};

/// Asserts a denial whose message says the object is malformed at `at` (the path of the key given twice)
/// because of the duplicate `field`.
#[track_caller]
fn assert_rejected_for_duplicate(response: &ValidationResponse, at: &str, field: &str) {
    assert_rejected(
        response,
        &format!("the Pod object is malformed at {at}: duplicate field `{field}`"),
        &format!("{field} given twice"),
    );
}

/// Attack: `"privileged": false, "privileged": true`. A parser that keeps the first value sees an unprivileged
/// container; the API server stores the last, a privileged one.
#[test]
fn a_privileged_flag_given_twice_is_denied() {
    for flags in [
        r#""privileged": false, "privileged": true"#,
        r#""privileged": true, "privileged": false"#,
    ] {
        let object = format!(
            r#"{{"apiVersion": "v1", "kind": "Pod", "metadata": {{"name": "dup"}},
                "spec": {{"containers": [{{"name": "app", "securityContext": {{{flags}}}}}]}}}}"#
        );
        let response = validate_raw(&raw_payload("Pod", &object, RUN_AS_ANY));
        assert_rejected_for_duplicate(
            &response,
            "spec.containers[0].securityContext.privileged",
            "privileged",
        );
    }
}

/// Attack: `"hostPID": false, "hostPID": true` in the pod spec.
#[test]
fn host_pid_given_twice_is_denied() {
    let object = r#"{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "dup"},
        "spec": {"hostPID": false, "containers": [{"name": "app"}], "hostPID": true}}"#;
    let response = validate_raw(&raw_payload("Pod", object, RUN_AS_ANY));
    assert_rejected_for_duplicate(&response, "spec.hostPID", "hostPID");
}

/// Attack: a whole second `spec` after a compliant one.
#[test]
fn a_spec_given_twice_is_denied() {
    let object = r#"{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "dup"},
        "spec": {"containers": [{"name": "app"}]},
        "spec": {"hostNetwork": true, "containers": [{"name": "app", "securityContext": {"privileged": true}}]}}"#;
    let response = validate_raw(&raw_payload("Pod", object, RUN_AS_ANY));
    assert_rejected_for_duplicate(&response, "spec", "spec");
}

/// Attack: a read-only mount whose `readOnly` is given twice, the last one false.
#[test]
fn a_mount_read_only_flag_given_twice_is_denied() {
    let object = r#"{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "dup"},
        "spec": {"containers": [{"name": "app", "volumeMounts": [{"name": "data", "mountPath": "/d", "readOnly": true, "readOnly": false}]}],
                 "volumes": [{"name": "data", "hostPath": {"path": "/data/ai"}}]}}"#;
    let settings = serde_json::to_string(&ai_data_security_with_host_paths()).unwrap();
    let response = validate_raw(&raw_payload("Pod", object, &settings));
    assert_rejected_for_duplicate(
        &response,
        "spec.containers[0].volumeMounts[0].readOnly",
        "readOnly",
    );
}

/// Attack: a volume whose name is given twice: `name: safe` (no mount uses it) then `name: data`, the name
/// the writable mount uses. The last name is the volume's: its mounts must be read-only.
#[test]
fn a_volume_name_given_twice_is_judged_by_the_last() {
    let object = r#"{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "dup"},
        "spec": {"containers": [{"name": "app", "volumeMounts": [{"name": "data", "mountPath": "/d"}]}],
                 "volumes": [{"name": "safe", "hostPath": {"path": "/data/ai"}, "name": "data"}]}}"#;
    let settings = serde_json::to_string(&ai_data_security_with_host_paths()).unwrap();
    let response = validate_raw(&raw_payload("Pod", object, &settings));
    assert_denied_as_writable(
        &response,
        "spec.containers[0].volumeMounts[0]",
        "app",
        "/data/ai",
    );
}

/// Attack: a volume source given twice (`hostPath` of an allowed path, then of `/`).
#[test]
fn a_volume_source_given_twice_is_denied() {
    let object = r#"{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "dup"},
        "spec": {"containers": [{"name": "app"}],
                 "volumes": [{"name": "data", "hostPath": {"path": "/data/ai"}, "hostPath": {"path": "/"}}]}}"#;
    let settings = serde_json::to_string(&ai_data_security_with_host_paths()).unwrap();
    let response = validate_raw(&raw_payload("Pod", object, &settings));
    assert!(!response.accepted, "{response:?}");
    assert_rejected(
        &response,
        "the Pod object is malformed at spec.volumes[0]: duplicate volume source hostPath",
        "the attack",
    );
}

/// Attack: the seccomp pod annotation given twice, `runtime/default` then `unconfined`: the API server keeps
/// `unconfined`, and so does the policy. The reverse order is `runtime/default` for both, and accepted.
#[test]
fn an_annotation_given_twice_is_judged_by_the_last() {
    let object = |first: &str, last: &str| {
        format!(
            r#"{{"apiVersion": "v1", "kind": "Pod",
                "metadata": {{"name": "dup", "annotations": {{"seccomp.security.alpha.kubernetes.io/pod": "{first}",
                                                            "seccomp.security.alpha.kubernetes.io/pod": "{last}"}}}},
                "spec": {{"containers": [{{"name": "app"}}]}}}}"#
        )
    };
    let settings = serde_json::to_string(&runtime_default_seccomp_only()).unwrap();
    let response = validate_raw(&raw_payload(
        "Pod",
        &object("runtime/default", "unconfined"),
        &settings,
    ));
    assert_psp_rejected(
        &response,
        &[&seccomp_not_allowed(
            "metadata.annotations[seccomp.security.alpha.kubernetes.io/pod]",
        )],
        "the attack",
    );
    let response = validate_raw(&raw_payload(
        "Pod",
        &object("unconfined", "runtime/default"),
        &settings,
    ));
    assert!(response.accepted, "{response:?}");
}

/// Attack: a settings key given twice (`privileged: false` then `true`) must not configure the policy by its
/// first value; the settings are refused.
#[test]
fn a_settings_key_given_twice_is_refused() {
    let settings = r#"{"privileged": false, "runAsUser": {"rule": "RunAsAny"}, "seLinux": {"rule": "RunAsAny"},
        "supplementalGroups": {"rule": "RunAsAny"}, "fsGroup": {"rule": "RunAsAny"}, "privileged": true}"#;
    let answer = host()
        .call("validate_settings", settings.as_bytes())
        .expect("validate_settings answers");
    let answer: Value = serde_json::from_slice(&answer).unwrap();
    assert_eq!(answer["valid"], json!(false), "{answer}");
    let message = answer["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("duplicate field `privileged`"),
        "{message:?}"
    );
    let object = r#"{"kind": "Pod", "spec": {"containers": [{"name": "app", "securityContext": {"privileged": true}}]}}"#;
    let response = validate_raw(&raw_payload("Pod", object, settings));
    assert!(!response.accepted, "{response:?}");
    assert!(
        response.message().starts_with("invalid settings: ")
            && response.message().contains("duplicate field `privileged`"),
        "{:?}",
        response.message
    );
}
