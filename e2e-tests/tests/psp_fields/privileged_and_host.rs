//! `privileged`, `hostNetwork`, `hostPID`, `hostIPC` and `hostPorts`.

use super::*;
use serde_json::{json, Value};

#[test]
fn privileged_is_rejected_unless_the_policy_allows_it() {
    let privileged = sc(json!({"privileged": true}));
    check(vec![
        case("unset setting means false", json!({}), privileged.clone(), vec![
            "spec.containers[0].securityContext.privileged (container \"app\"): Invalid value: true: privileged containers are not allowed; allowed: false",
        ]),
        case("privileged: false", json!({"privileged": false}), privileged.clone(), vec![
            "spec.containers[0].securityContext.privileged (container \"app\"): Invalid value: true: privileged containers are not allowed; allowed: false",
        ]),
        case("explicit false is fine", json!({"privileged": false}), sc(json!({"privileged": false})), vec![]),
        case("unset is fine", json!({"privileged": false}), no_sc(), vec![]),
        case("privileged: true allows it", json!({"privileged": true}), privileged, vec![]),
    ]);
}

#[test]
fn host_network_pid_and_ipc_are_rejected_unless_allowed() {
    let spec = |field: &str| {
        let mut s = no_sc();
        s[field] = json!(true);
        s
    };
    check(vec![
        case(
            "hostNetwork",
            json!({}),
            spec("hostNetwork"),
            vec!["spec.hostNetwork: Forbidden: host network is not allowed; allowed: false"],
        ),
        case(
            "hostNetwork allowed",
            json!({"hostNetwork": true}),
            spec("hostNetwork"),
            vec![],
        ),
        case(
            "hostNetwork: false in the pod",
            json!({"hostNetwork": false}),
            json!({"hostNetwork": false, "containers": [container("app", Value::Null)]}),
            vec![],
        ),
        case(
            "hostPID",
            json!({"hostPID": false}),
            spec("hostPID"),
            vec!["spec.hostPID: Forbidden: host PID is not allowed; allowed: false"],
        ),
        case(
            "hostPID allowed",
            json!({"hostPID": true}),
            spec("hostPID"),
            vec![],
        ),
        case(
            "hostIPC",
            json!({"hostIPC": false, "hostPID": true}),
            spec("hostIPC"),
            vec!["spec.hostIPC: Forbidden: host IPC is not allowed; allowed: false"],
        ),
        case(
            "hostIPC allowed",
            json!({"hostIPC": true}),
            spec("hostIPC"),
            vec![],
        ),
    ]);
}

#[test]
fn host_ports_must_lie_in_the_allowed_ranges() {
    let ports =
        |ports: Value| json!({"containers": [{"name": "app", "image": "i", "ports": ports}]});
    let settings = json!({"hostPorts": [{"min": 8000, "max": 8080}, {"min": 443, "max": 443}]});
    check(vec![
        case("inside", settings.clone(), ports(json!([{"containerPort": 80, "hostPort": 8080}, {"containerPort": 443, "hostPort": 443}])), vec![]),
        case("no host port", json!({}), ports(json!([{"containerPort": 80}, {"containerPort": 81, "hostPort": 0}])), vec![]),
        case("outside", settings, ports(json!([{"containerPort": 80, "hostPort": 9090}])), vec![
            "spec.containers[0].ports[0].hostPort (container \"app\"): Invalid value: 9090: host port is not allowed to be used; allowed: 8000-8080, 443",
        ]),
        case("none allowed", json!({}), ports(json!([{"containerPort": 80, "hostPort": 80}])), vec![
            "spec.containers[0].ports[0].hostPort (container \"app\"): Invalid value: 80: host port is not allowed to be used; allowed: none",
        ]),
    ]);
}

/// The violation of the Windows host process container `name`, at `path` (its own field or the pod's).
fn host_process_violation(path: &str, name: &str) -> String {
    format!(
        "{path} (container {}): Invalid value: true: host process containers are not allowed; allowed: false",
        quoted(name)
    )
}

#[test]
fn a_windows_host_process_container_is_privileged() {
    let windows = |pod_level: Option<bool>, containers: Value| {
        let mut spec =
            json!({"os": {"name": "windows"}, "hostNetwork": true, "containers": containers});
        if let Some(host_process) = pod_level {
            spec["securityContext"] = json!({"windowsOptions": {"hostProcess": host_process}});
        }
        spec
    };
    let host_process = |value: bool| json!({"windowsOptions": {"hostProcess": value}});
    // hostNetwork is allowed: under PSP, privileged: false let a host process through.
    let not_privileged = validating(json!({"privileged": false, "hostNetwork": true}));
    let privileged = validating(json!({"privileged": true, "hostNetwork": true}));
    let cases = [
        (
            "container-level",
            windows(None, json!([container("app", host_process(true))])),
            vec![host_process_violation(
                "spec.containers[0].securityContext.windowsOptions.hostProcess",
                "app",
            )],
        ),
        (
            "pod-level, inherited by every container",
            windows(
                Some(true),
                json!([
                    container("app", Value::Null),
                    container("agent", Value::Null)
                ]),
            ),
            vec![
                host_process_violation("spec.securityContext.windowsOptions.hostProcess", "app"),
                host_process_violation("spec.securityContext.windowsOptions.hostProcess", "agent"),
            ],
        ),
        (
            // The kubelet resolves each field as the container's own value, else the pod's.
            "a container's false over the pod's true",
            windows(
                Some(true),
                json!([
                    container("app", host_process(false)),
                    container("agent", Value::Null)
                ]),
            ),
            vec![host_process_violation(
                "spec.securityContext.windowsOptions.hostProcess",
                "agent",
            )],
        ),
    ];
    for (case, spec, violations) in cases {
        let object = pod(spec);
        assert_psp_rejected(
            &validate(&create("Pod", object.clone()), &not_privileged),
            &violations,
            case,
        );
        assert_accepted_unchanged(&validate(&create("Pod", object), &privileged), case);
    }
    // Every container sets false over the pod's true: no host process runs.
    let all_false = windows(Some(true), json!([container("app", host_process(false))]));
    assert_accepted_unchanged(
        &validate(&create("Pod", pod(all_false)), &not_privileged),
        "every container false",
    );
    // A workload template is judged at its own paths.
    let deployment = object_of(
        "Deployment",
        Value::Null,
        windows(None, json!([container("app", host_process(true))])),
    );
    assert_psp_rejected(
        &validate(&create("Deployment", deployment), &not_privileged),
        &[host_process_violation(
            "spec.template.spec.containers[0].securityContext.windowsOptions.hostProcess",
            "app",
        )],
        "Deployment",
    );
}
