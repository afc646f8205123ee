//! `runtimeClass.allowedRuntimeClassNames`.

use super::*;
use serde_json::{json, Value};

#[test]
fn runtime_class_allow_list() {
    let class = |name: &str| json!({"runtimeClassName": name, "containers": [container("app", Value::Null)]});
    let settings = json!({"runtimeClass": {"allowedRuntimeClassNames": ["kata", "gvisor"]}});
    check(vec![
        case("listed", settings.clone(), class("gvisor"), vec![]),
        case("unset is always allowed", settings.clone(), no_sc(), vec![]),
        case("not listed", settings, class("runc"), vec![
            "spec.runtimeClassName: Invalid value: \"runc\": RuntimeClass is not allowed; allowed: \"kata\", \"gvisor\"",
        ]),
        case("empty list: none may be set", json!({"runtimeClass": {"allowedRuntimeClassNames": []}}), class("kata"), vec![
            "spec.runtimeClassName: Invalid value: \"kata\": RuntimeClass is not allowed; allowed: none",
        ]),
        case("wildcard", json!({"runtimeClass": {"allowedRuntimeClassNames": ["*"]}}), class("runc"), vec![]),
        case("no runtimeClass key: any", json!({}), class("runc"), vec![]),
    ]);
}
