//! `runAsUser`, `runAsGroup`, `supplementalGroups` and `fsGroup`: their rules and ranges.

use super::*;
use serde_json::{json, Value};

#[test]
fn run_as_user_rules() {
    let must = json!({"runAsUser": {"rule": "MustRunAs", "ranges": [{"min": 1000, "max": 2000}]}});
    let non_root = json!({"runAsUser": {"rule": "MustRunAsNonRoot"}});
    check(vec![
        case("MustRunAs inside", must.clone(), sc(json!({"runAsUser": 1500})), vec![]),
        case("MustRunAs from the pod", must.clone(), json!({"securityContext": {"runAsUser": 2000}, "containers": [container("app", Value::Null)]}), vec![]),
        case("MustRunAs outside", must.clone(), sc(json!({"runAsUser": 999})), vec![
            "spec.containers[0].securityContext.runAsUser (container \"app\"): Invalid value: 999: UID is not in the allowed ranges; allowed: 1000-2000",
        ]),
        case("MustRunAs outside, from the pod", must.clone(), json!({"securityContext": {"runAsUser": 0}, "containers": [container("app", Value::Null)]}), vec![
            "spec.securityContext.runAsUser (container \"app\"): Invalid value: 0: UID is not in the allowed ranges; allowed: 1000-2000",
        ]),
        case("MustRunAs unset", must, no_sc(), vec![
            "spec.containers[0].securityContext.runAsUser (container \"app\"): Required value: must be set; allowed: 1000-2000",
        ]),
        case("MustRunAsNonRoot with runAsNonRoot", non_root.clone(), sc(json!({"runAsNonRoot": true})), vec![]),
        case("MustRunAsNonRoot with a UID", non_root.clone(), sc(json!({"runAsUser": 1000})), vec![]),
        case("MustRunAsNonRoot with root", non_root.clone(), sc(json!({"runAsUser": 0})), vec![
            "spec.containers[0].securityContext.runAsUser (container \"app\"): Invalid value: 0: running as root is not allowed; allowed: 1-9223372036854775807",
        ]),
        case("MustRunAsNonRoot with runAsNonRoot: false", non_root.clone(), sc(json!({"runAsNonRoot": false, "runAsUser": 1000})), vec![
            "spec.containers[0].securityContext.runAsNonRoot (container \"app\"): Invalid value: false: containers must not run as root; allowed: true",
        ]),
        case("MustRunAsNonRoot unset", non_root, no_sc(), vec![
            "spec.containers[0].securityContext.runAsNonRoot (container \"app\"): Required value: must be set to true, or runAsUser to a non-zero UID; allowed: true",
        ]),
        case("RunAsAny", json!({}), sc(json!({"runAsUser": 0})), vec![]),
    ]);
}

#[test]
fn run_as_group_rules() {
    let must = json!({"runAsGroup": {"rule": "MustRunAs", "ranges": [{"min": 100, "max": 200}]}});
    let may = json!({"runAsGroup": {"rule": "MayRunAs", "ranges": [{"min": 100, "max": 200}]}});
    check(vec![
        case("MustRunAs inside", must.clone(), sc(json!({"runAsGroup": 100})), vec![]),
        case("MustRunAs from the pod", must.clone(), json!({"securityContext": {"runAsGroup": 200}, "containers": [container("app", Value::Null)]}), vec![]),
        case("MustRunAs outside", must.clone(), sc(json!({"runAsGroup": 0})), vec![
            "spec.containers[0].securityContext.runAsGroup (container \"app\"): Invalid value: 0: group is not in the allowed ranges; allowed: 100-200",
        ]),
        case("MustRunAs unset", must, no_sc(), vec![
            "spec.containers[0].securityContext.runAsGroup (container \"app\"): Required value: must be set; allowed: 100-200",
        ]),
        case("MayRunAs unset", may.clone(), no_sc(), vec![]),
        case("MayRunAs outside", may, json!({"securityContext": {"runAsGroup": 201}, "containers": [container("app", Value::Null)]}), vec![
            "spec.securityContext.runAsGroup (container \"app\"): Invalid value: 201: group is not in the allowed ranges; allowed: 100-200",
        ]),
        case("absent from settings: anything", json!({}), sc(json!({"runAsGroup": 0})), vec![]),
    ]);
}

#[test]
fn supplemental_groups_rules() {
    let groups = |g: Value| json!({"securityContext": {"supplementalGroups": g}, "containers": [container("app", Value::Null)]});
    let must = json!({"supplementalGroups": {"rule": "MustRunAs", "ranges": [{"min": 100, "max": 200}, {"min": 500, "max": 500}]}});
    let may =
        json!({"supplementalGroups": {"rule": "MayRunAs", "ranges": [{"min": 100, "max": 200}]}});
    check(vec![
        case("MustRunAs inside", must.clone(), groups(json!([100, 500])), vec![]),
        case("MustRunAs one outside", must.clone(), groups(json!([150, 300])), vec![
            "spec.securityContext.supplementalGroups[1]: Invalid value: 300: group is not in the allowed ranges; allowed: 100-200, 500",
        ]),
        case("MustRunAs unset", must, no_sc(), vec![
            "spec.securityContext.supplementalGroups: Required value: must be set; allowed: 100-200, 500",
        ]),
        case("MayRunAs unset", may.clone(), no_sc(), vec![]),
        case("MayRunAs outside", may, groups(json!([0])), vec![
            "spec.securityContext.supplementalGroups[0]: Invalid value: 0: group is not in the allowed ranges; allowed: 100-200",
        ]),
        case("RunAsAny", json!({}), groups(json!([0])), vec![]),
    ]);
}

#[test]
fn fs_group_rules() {
    let fs_group = |g: Value| json!({"securityContext": {"fsGroup": g}, "containers": [container("app", Value::Null)]});
    let must = json!({"fsGroup": {"rule": "MustRunAs", "ranges": [{"min": 1000, "max": 1000}]}});
    let may = json!({"fsGroup": {"rule": "MayRunAs", "ranges": [{"min": 1000, "max": 2000}]}});
    check(vec![
        case("MustRunAs inside", must.clone(), fs_group(json!(1000)), vec![]),
        case("MustRunAs outside", must.clone(), fs_group(json!(5)), vec![
            "spec.securityContext.fsGroup: Invalid value: 5: group is not in the allowed ranges; allowed: 1000",
        ]),
        case("MustRunAs unset", must, no_sc(), vec![
            "spec.securityContext.fsGroup: Required value: must be set; allowed: 1000",
        ]),
        case("MayRunAs unset", may.clone(), no_sc(), vec![]),
        case("MayRunAs outside", may, fs_group(json!(0)), vec![
            "spec.securityContext.fsGroup: Invalid value: 0: group is not in the allowed ranges; allowed: 1000-2000",
        ]),
        case("RunAsAny", json!({}), fs_group(json!(0)), vec![]),
    ]);
}
