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
