//! The `policies` form of the settings: what it accepts and how it names what it refuses.

use super::*;
use crate::policy::{Form, Policy};
use serde_json::{json, Value};

fn run_as_any() -> Value {
    json!({
        "runAsUser": {"rule": "RunAsAny"}, "seLinux": {"rule": "RunAsAny"},
        "supplementalGroups": {"rule": "RunAsAny"}, "fsGroup": {"rule": "RunAsAny"}
    })
}

fn several(settings: &Value) -> Policy {
    Policy::from_json(&settings.to_string()).unwrap_or_else(|e| panic!("{settings}: {e}"))
}

fn error_of(settings: Value) -> String {
    Policy::from_json(&settings.to_string()).unwrap_err()
}

#[test]
fn entries_are_kept_in_name_order_with_the_whole_policy_keys() {
    let policy = several(&json!({
        "authorization": "subjects",
        "mutating": false,
        "exemptions": {"namespaces": ["kube-system"]},
        "policies": [
            {"name": "restricted", "spec": {"profile": "restricted"},
             "subjects": {"groups": ["system:authenticated"]}},
            {"name": "cni-privileged", "spec": {"privileged": true, "runAsUser": {"rule": "RunAsAny"},
             "seLinux": {"rule": "RunAsAny"}, "supplementalGroups": {"rule": "RunAsAny"},
             "fsGroup": {"rule": "RunAsAny"}},
             "annotations": {"seccomp.security.alpha.kubernetes.io/allowedProfileNames": "*",
                             "kubectl.kubernetes.io/last-applied-configuration": "{}"}},
            {"name": "baseline-pss", "spec": {"podSecurityStandard": {"level": "baseline"}}}
        ]
    }));
    let Form::Several(several) = policy.form() else {
        panic!("several entries expected");
    };
    let names: Vec<&str> = several.entries().iter().map(|e| e.name.as_str()).collect();
    assert_eq!(names, ["baseline-pss", "cni-privileged", "restricted"]);
    assert_eq!(several.authorization(), AuthorizationMode::Subjects);
    assert!(!several.mutating());
    assert_eq!(policy.exemptions().namespaces, ["kube-system"]);
    // Entries default their copy of the pod; whether that may be kept is the whole policy's decision.
    assert!(several.entries().iter().all(|e| e.entry.mutating()));
    let subjects: Vec<bool> = several
        .entries()
        .iter()
        .map(|e| e.subjects.is_some())
        .collect();
    assert_eq!(subjects, [false, false, true]);
    // `entry()` is the first in name order.
    assert!(
        policy.entry().expect("an entry").has_standard()
            && policy.entry().expect("an entry").psp().is_none()
    );
}

#[test]
fn authorization_defaults_to_rbac_and_needs_policies() {
    let policy = several(&json!({"policies": [{"name": "a", "spec": run_as_any()}]}));
    let Form::Several(several) = policy.form() else {
        panic!("several entries expected");
    };
    assert_eq!(several.authorization(), AuthorizationMode::Rbac);
    assert!(several.mutating());

    let mut single = run_as_any();
    single["authorization"] = json!("rbac");
    assert!(error_of(single).starts_with("authorization: only read with `policies`"),);
    let err = error_of(json!({"authorization": "everyone", "policies": []}));
    assert!(
        err.starts_with("authorization: unknown variant `everyone`, expected `rbac` or `subjects`"),
        "{err}"
    );
}

#[test]
fn problems_name_the_entry_by_index_and_name() {
    let mut bad_rule = run_as_any();
    bad_rule["runAsUser"] = json!({"rule": "MustRunAs"});
    let mut missing = run_as_any();
    missing.as_object_mut().unwrap().remove("fsGroup");
    let err = error_of(json!({"policies": [
        {"name": "restricted", "spec": run_as_any()},
        {"name": "cni-privileged", "spec": bad_rule},
        {"name": "restricted", "spec": run_as_any()},
        {"name": "Bad_Name", "spec": run_as_any()},
        {"spec": run_as_any()},
        {"name": "no-spec"},
        {"name": "typo", "spec": {"privileged": "yes"}},
        {"name": "partial", "spec": missing},
        {"name": "notes", "spec": run_as_any(), "annotations": {
            "seccomp.security.alpha.kubernetes.io/allowedProfileName": "*"}},
        "restricted"
    ]}));
    // Problems are `; `-separated, and some of their texts hold `; ` too.
    let problems: Vec<String> = err
        .split("; policies[")
        .enumerate()
        .map(|(i, p)| {
            if i == 0 {
                p.to_string()
            } else {
                format!("policies[{p}")
            }
        })
        .collect();
    let expected_starts = [
        "policies[1] (cni-privileged).spec.runAsUser.ranges: ",
        "policies[2].name: duplicate name \"restricted\" (also policies[0])",
        "policies[3].name: \"Bad_Name\": not a PodSecurityPolicy name (a DNS subdomain",
        "policies[4].name: required: the PodSecurityPolicy's name",
        "policies[5] (no-spec).spec: required: the PodSecurityPolicy's spec",
        "policies[6] (typo).spec.privileged: invalid type: string \"yes\", expected a boolean",
        "policies[7] (partial).spec.fsGroup: required",
        "policies[8] (notes).annotations[seccomp.security.alpha.kubernetes.io/allowedProfileName]: unknown \
         PodSecurityPolicy annotation",
        "policies[9]: an entry must be an object with `name` and `spec`",
    ];
    assert_eq!(problems.len(), expected_starts.len(), "{err}");
    for (problem, start) in problems.iter().zip(expected_starts) {
        assert!(
            problem.starts_with(start),
            "{problem:?} must start with {start:?}\n{err}"
        );
    }
}

#[test]
fn top_level_psp_keys_are_refused_naming_where_they_belong() {
    let err = error_of(json!({
        "privileged": false,
        "profile": "restricted",
        "annotations": {},
        "podSecurityStandard": {"level": "baseline"},
        "policies": [{"name": "a", "spec": run_as_any()}]
    }));
    assert_eq!(
        err,
        "annotations: with `policies`, each PodSecurityPolicy's keys stand in its entry: move it into \
         policies[i].annotations; \
         podSecurityStandard: with `policies`, each PodSecurityPolicy's keys stand in its entry: move it into \
         policies[i].spec; \
         privileged: with `policies`, each PodSecurityPolicy's keys stand in its entry: move it into \
         policies[i].spec; \
         profile: with `policies`, each PodSecurityPolicy's keys stand in its entry: move it into policies[i].spec"
    );
    assert_eq!(
        error_of(json!({"policies": []})),
        "policies: must list at least one PodSecurityPolicy"
    );
}

#[test]
fn whole_policy_keys_are_refused_in_an_entry() {
    let mut spec = run_as_any();
    spec["mutating"] = json!(false);
    spec["exemptions"] = json!({});
    spec["annotations"] = json!({});
    spec["authorization"] = json!("rbac");
    spec["policies"] = json!([]);
    let err = error_of(json!({"policies": [{"name": "a", "spec": spec}]}));
    assert_eq!(
        err,
        "policies[0] (a).spec.annotations: a PodSecurityPolicy's annotations stand beside its spec: move them \
         into the entry's `annotations`; \
         policies[0] (a).spec.exemptions: a whole-policy key: set it at the top level, beside `policies`; \
         policies[0] (a).spec.mutating: a whole-policy key: set it at the top level, beside `policies`; \
         policies[0] (a).spec.authorization: a whole-policy key: set it at the top level, beside `policies`; \
         policies[0] (a).spec.policies: entries do not nest"
    );
}

#[test]
fn subjects_are_read_with_authorization_subjects_only() {
    let entry = json!({"name": "a", "spec": run_as_any(), "subjects": {"users": ["alice"],
                       "serviceAccounts": ["kube-system"]}});
    assert_eq!(
        error_of(json!({"policies": [entry.clone()]})),
        "policies[0] (a).subjects: only read with `authorization: subjects`"
    );
    assert_eq!(
        error_of(json!({"authorization": "subjects", "policies": [entry]})),
        "policies[0] (a).subjects.serviceAccounts[0]: \"kube-system\": not namespace:name or namespace:* (the \
         namespace must not be empty)"
    );
    // An entry without subjects is usable by nobody, which is not an error.
    several(
        &json!({"authorization": "subjects", "policies": [{"name": "a", "spec": run_as_any()}]}),
    );
}
