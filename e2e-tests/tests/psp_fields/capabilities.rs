//! `defaultAddCapabilities`, `requiredDropCapabilities` and `allowedCapabilities`, in every spelling
//! the runtimes read.

use super::*;
use serde_json::{json, Value};

#[test]
fn default_add_capabilities_may_be_added_even_when_not_in_allowed_capabilities() {
    let adds = |caps: Value| sc(json!({"capabilities": {"add": caps}}));
    let settings = json!({"defaultAddCapabilities": ["NET_BIND_SERVICE"]});
    check(vec![
        case("a default-added capability", settings.clone(), adds(json!(["NET_BIND_SERVICE"])), vec![]),
        case("nothing added", settings.clone(), no_sc(), vec![]),
        case("another capability", settings.clone(), adds(json!(["NET_BIND_SERVICE", "SYS_TIME"])), vec![
            "spec.containers[0].securityContext.capabilities.add[1] (container \"app\"): Invalid value: \"SYS_TIME\": capability SYS_TIME may not be added; allowed: \"NET_BIND_SERVICE\"",
        ]),
    ]);
}

#[test]
fn required_drop_capabilities_must_be_dropped_and_never_added() {
    let settings = json!({"requiredDropCapabilities": ["NET_RAW", "SYS_ADMIN"]});
    let caps = |add: Value, drop: Value| sc(json!({"capabilities": {"add": add, "drop": drop}}));
    check(vec![
        case("both dropped", settings.clone(), caps(json!([]), json!(["SYS_ADMIN", "NET_RAW", "MKNOD"])), vec![]),
        case("lower case drop is what the runtime drops", settings.clone(), caps(json!([]), json!(["net_raw", "sys_admin"])), vec![]),
        case("ALL dropped as required", json!({"requiredDropCapabilities": ["ALL"]}), caps(json!([]), json!(["ALL"])), vec![]),
        case("one missing", settings.clone(), caps(json!([]), json!(["NET_RAW"])), vec![
            "spec.containers[0].securityContext.capabilities.drop (container \"app\"): Required value: must include \"SYS_ADMIN\"; allowed: \"NET_RAW\", \"SYS_ADMIN\"",
        ]),
        case("no securityContext (no defaulting)", settings.clone(), no_sc(), vec![
            "spec.containers[0].securityContext.capabilities.drop (container \"app\"): Required value: must include \"NET_RAW\", \"SYS_ADMIN\"; allowed: \"NET_RAW\", \"SYS_ADMIN\"",
        ]),
        case("a required drop added back", settings.clone(), caps(json!(["CAP_NET_RAW"]), json!(["NET_RAW", "SYS_ADMIN"])), vec![
            "spec.containers[0].securityContext.capabilities.add[0] (container \"app\"): Invalid value: \"CAP_NET_RAW\": NET_RAW must be dropped and may not be added; allowed: none",
        ]),
    ]);
}

#[test]
fn allowed_capabilities_limit_what_may_be_added_in_any_spelling() {
    let adds = |caps: Value| sc(json!({"capabilities": {"add": caps}}));
    let settings = json!({"allowedCapabilities": ["NET_ADMIN", "CHOWN"]});
    check(vec![
        case("allowed", settings.clone(), adds(json!(["NET_ADMIN", "chown"])), vec![]),
        case("CAP_ prefix", settings.clone(), adds(json!(["CAP_NET_ADMIN"])), vec![]),
        case("not allowed", settings.clone(), adds(json!(["SYS_ADMIN"])), vec![
            "spec.containers[0].securityContext.capabilities.add[0] (container \"app\"): Invalid value: \"SYS_ADMIN\": capability SYS_ADMIN may not be added; allowed: \"NET_ADMIN\", \"CHOWN\"",
        ]),
        case("not allowed, lower case", settings.clone(), adds(json!(["cap_sys_admin"])), vec![
            "spec.containers[0].securityContext.capabilities.add[0] (container \"app\"): Invalid value: \"cap_sys_admin\": capability SYS_ADMIN may not be added; allowed: \"NET_ADMIN\", \"CHOWN\"",
        ]),
        case("no allowed list: nothing may be added", json!({}), adds(json!(["CHOWN"])), vec![
            "spec.containers[0].securityContext.capabilities.add[0] (container \"app\"): Invalid value: \"CHOWN\": capability CHOWN may not be added; allowed: none",
        ]),
        case("wildcard", json!({"allowedCapabilities": ["*"]}), adds(json!(["SYS_ADMIN", "NET_RAW"])), vec![]),
    ]);
}
