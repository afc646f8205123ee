//! Issue 3, end to end through the built `policy.wasm`: PSP's defaulting. For every defaulted field,
//! the exact JSONPatch policy-server would send, for a Pod and for each workload kind (CronJob's nested
//! template too), with containers of all three kinds; set values are never changed; an object that
//! needs nothing is not mutated; the patch is idempotent; Pod updates are validated, not mutated;
//! `mutating: false` rejects instead; defaults are validated in the same evaluation.

mod common;

use common::*;
use serde_json::{json, Value};

/// A pod spec with one container of each kind, each with a securityContext holding only
/// `privileged: false` (which no default touches), and a pod securityContext holding only
/// `fsGroupChangePolicy` (which the policy does not read): defaults land at their exact field paths.
fn three_containers() -> Value {
    let sc = json!({"privileged": false});
    json!({
        "securityContext": {"fsGroupChangePolicy": "OnRootMismatch"},
        "initContainers": [container("init", sc.clone())],
        "containers": [container("app", sc.clone())],
        "ephemeralContainers": [container("debug", sc)],
    })
}

/// The same, with no securityContext anywhere.
fn bare_three_containers() -> Value {
    json!({
        "initContainers": [container("init", Value::Null)],
        "containers": [container("app", Value::Null)],
        "ephemeralContainers": [container("debug", Value::Null)],
    })
}

fn op(path: String, value: Value) -> Value {
    json!({"op": "add", "path": path, "value": value})
}

/// One `add` of `value` at `<container>/securityContext/<field>` for each container kind.
fn per_container(spec: &str, field: &str, value: Value) -> Vec<Value> {
    CONTAINER_FIELDS
        .iter()
        .map(|list| {
            op(
                format!("{spec}/{list}/0/securityContext/{field}"),
                value.clone(),
            )
        })
        .collect()
}

fn sorted(mut ops: Vec<Value>) -> Vec<Value> {
    ops.sort_by_key(|o| o.to_string());
    ops
}

/// Evaluates `spec` (with pod annotations `annotations`) as a CREATE of every kind under `settings`,
/// and asserts: accepted, the JSONPatch is exactly `expected(spec_pointer)` (order aside), the patch
/// rebuilds the mutated object, and the defaulted object is accepted again with no mutation.
#[track_caller]
fn assert_defaults_everywhere(
    settings: &Value,
    annotations: Value,
    spec: Value,
    expected: impl Fn(&str) -> Vec<Value>,
) {
    for (kind, spec_path) in KINDS {
        let req = create(kind, object_of(kind, annotations.clone(), spec.clone()));
        let response = validate(&req, settings);
        assert!(
            response.accepted,
            "{kind}: defaults must make the object compliant: {:?}",
            response.message
        );
        let patch = response.patch(&req);
        assert_eq!(
            sorted(patch),
            sorted(expected(&pointer(spec_path))),
            "{kind}: the JSONPatch"
        );
        assert_idempotent(kind, &req, &response, settings);
    }
}

fn must_run_as(min: i64, max: i64) -> Value {
    json!({"rule": "MustRunAs", "ranges": [{"min": min, "max": max}]})
}

#[test]
fn supplemental_groups_default_to_the_first_ranges_min() {
    let s = settings(
        json!({"supplementalGroups": {"rule": "MustRunAs", "ranges": [{"min": 1000, "max": 2000}, {"min": 10, "max": 20}]}}),
    );
    assert_defaults_everywhere(&s, Value::Null, three_containers(), |spec| {
        vec![op(
            format!("{spec}/securityContext/supplementalGroups"),
            json!([1000]),
        )]
    });
}

#[test]
fn fs_group_defaults_to_the_first_ranges_min() {
    let s = settings(json!({"fsGroup": must_run_as(3000, 4000)}));
    assert_defaults_everywhere(&s, Value::Null, three_containers(), |spec| {
        vec![op(format!("{spec}/securityContext/fsGroup"), json!(3000))]
    });
}

#[test]
fn may_run_as_groups_default_nothing() {
    let may = json!({"rule": "MayRunAs", "ranges": [{"min": 1, "max": 2}]});
    let s = settings(json!({"fsGroup": may, "supplementalGroups": may, "runAsGroup": may}));
    assert_defaults_everywhere(&s, Value::Null, three_containers(), |_| vec![]);
}

#[test]
fn selinux_options_default_on_the_pod() {
    let s = settings(
        json!({"seLinux": {"rule": "MustRunAs", "seLinuxOptions": {"type": "container_t", "level": "s0:c1,c2"}}}),
    );
    assert_defaults_everywhere(&s, Value::Null, three_containers(), |spec| {
        vec![op(
            format!("{spec}/securityContext/seLinuxOptions"),
            json!({"type": "container_t", "level": "s0:c1,c2"}),
        )]
    });
}

#[test]
fn seccomp_default_profile_goes_to_the_pod_security_context() {
    for (settings_extra, profile) in [
        (
            json!({"annotations": {
                "seccomp.security.alpha.kubernetes.io/allowedProfileNames": "runtime/default",
                "seccomp.security.alpha.kubernetes.io/defaultProfileName": "runtime/default",
            }}),
            json!({"type": "RuntimeDefault"}),
        ),
        (
            json!({"seccomp": {"allowedProfileNames": ["localhost/profiles/audit.json"], "defaultProfileName": "localhost/profiles/audit.json"}}),
            json!({"type": "Localhost", "localhostProfile": "profiles/audit.json"}),
        ),
    ] {
        let s = settings(settings_extra);
        assert_defaults_everywhere(&s, Value::Null, three_containers(), |spec| {
            vec![op(
                format!("{spec}/securityContext/seccompProfile"),
                profile.clone(),
            )]
        });
    }
}

#[test]
fn seccomp_default_is_not_applied_when_the_pod_has_a_profile() {
    let s = settings(
        json!({"seccomp": {"allowedProfileNames": ["runtime/default", "unconfined"], "defaultProfileName": "runtime/default"}}),
    );
    // In the field, or in the legacy pod annotation.
    let mut spec = three_containers();
    spec["securityContext"]["seccompProfile"] = json!({"type": "Unconfined"});
    assert_defaults_everywhere(&s, Value::Null, spec, |_| vec![]);
    assert_defaults_everywhere(
        &s,
        json!({"seccomp.security.alpha.kubernetes.io/pod": "unconfined"}),
        three_containers(),
        |_| vec![],
    );
}

#[test]
fn runtime_class_name_defaults_from_default_runtime_class_name() {
    let s = settings(
        json!({"runtimeClass": {"allowedRuntimeClassNames": ["kata", "gvisor"], "defaultRuntimeClassName": "kata"}}),
    );
    assert_defaults_everywhere(&s, Value::Null, three_containers(), |spec| {
        vec![op(format!("{spec}/runtimeClassName"), json!("kata"))]
    });
    // An explicit class is never overwritten.
    let mut spec = three_containers();
    spec["runtimeClassName"] = json!("gvisor");
    assert_defaults_everywhere(&s, Value::Null, spec, |_| vec![]);
}

#[test]
fn run_as_user_defaults_in_every_container() {
    let s = settings(json!({"runAsUser": must_run_as(5000, 6000)}));
    assert_defaults_everywhere(&s, Value::Null, three_containers(), |spec| {
        per_container(spec, "runAsUser", json!(5000))
    });
}

#[test]
fn run_as_user_is_not_defaulted_where_the_pod_sets_it() {
    let s = settings(json!({"runAsUser": must_run_as(5000, 6000)}));
    let mut spec = three_containers();
    spec["securityContext"]["runAsUser"] = json!(5500);
    assert_defaults_everywhere(&s, Value::Null, spec, |_| vec![]);
}

#[test]
fn run_as_group_defaults_in_every_container() {
    let s = settings(json!({"runAsGroup": must_run_as(7000, 8000)}));
    assert_defaults_everywhere(&s, Value::Null, three_containers(), |spec| {
        per_container(spec, "runAsGroup", json!(7000))
    });
}

#[test]
fn apparmor_default_profile_goes_to_every_container() {
    for settings_extra in [
        json!({"annotations": {
            "apparmor.security.beta.kubernetes.io/allowedProfileNames": "runtime/default,localhost/k8s-nginx",
            "apparmor.security.beta.kubernetes.io/defaultProfileName": "runtime/default",
        }}),
        json!({"appArmor": {"allowedProfileNames": ["runtime/default", "localhost/k8s-nginx"], "defaultProfileName": "runtime/default"}}),
    ] {
        let s = settings(settings_extra);
        assert_defaults_everywhere(&s, Value::Null, three_containers(), |spec| {
            per_container(spec, "appArmorProfile", json!({"type": "RuntimeDefault"}))
        });
        // A container with its own profile (field or legacy annotation) keeps it.
        let mut spec = three_containers();
        spec["containers"][0]["securityContext"]["appArmorProfile"] =
            json!({"type": "Localhost", "localhostProfile": "k8s-nginx"});
        assert_defaults_everywhere(
            &s,
            json!({"container.apparmor.security.beta.kubernetes.io/init": "localhost/k8s-nginx"}),
            spec,
            |spec| {
                vec![op(
                    format!("{spec}/ephemeralContainers/0/securityContext/appArmorProfile"),
                    json!({"type": "RuntimeDefault"}),
                )]
            },
        );
    }
}

#[test]
fn run_as_non_root_defaults_to_true_when_neither_field_is_set() {
    let s = settings(json!({"runAsUser": {"rule": "MustRunAsNonRoot"}}));
    assert_defaults_everywhere(&s, Value::Null, three_containers(), |spec| {
        per_container(spec, "runAsNonRoot", json!(true))
    });
    // A container with a UID needs nothing; nor does a pod that sets runAsNonRoot for all.
    let mut spec = three_containers();
    spec["containers"][0]["securityContext"]["runAsUser"] = json!(1000);
    spec["initContainers"][0]["securityContext"]["runAsNonRoot"] = json!(true);
    assert_defaults_everywhere(&s, Value::Null, spec, |spec| {
        vec![op(
            format!("{spec}/ephemeralContainers/0/securityContext/runAsNonRoot"),
            json!(true),
        )]
    });
    let mut spec = three_containers();
    spec["securityContext"]["runAsNonRoot"] = json!(true);
    assert_defaults_everywhere(&s, Value::Null, spec, |_| vec![]);
}

#[test]
fn capabilities_default_add_and_required_drop_are_set() {
    let s = settings(
        json!({"defaultAddCapabilities": ["NET_BIND_SERVICE"], "requiredDropCapabilities": ["ALL"]}),
    );
    assert_defaults_everywhere(&s, Value::Null, three_containers(), |spec| {
        per_container(
            spec,
            "capabilities",
            json!({"add": ["NET_BIND_SERVICE"], "drop": ["ALL"]}),
        )
    });
}

#[test]
fn capabilities_defaults_are_appended_to_what_the_container_lists() {
    let s = settings(json!({
        "defaultAddCapabilities": ["NET_BIND_SERVICE", "CHOWN"],
        "requiredDropCapabilities": ["ALL"],
        "allowedCapabilities": ["SETUID"],
    }));
    let mut spec = three_containers();
    // Adds SETUID and drops NET_RAW: both defaults are appended.
    spec["containers"][0]["securityContext"]["capabilities"] =
        json!({"add": ["SETUID"], "drop": ["NET_RAW"]});
    // Drops CHOWN itself: CHOWN is not added (PSP: a default add the container drops is left out).
    spec["initContainers"][0]["securityContext"]["capabilities"] =
        json!({"drop": ["CHOWN", "ALL"]});
    // Already compliant.
    spec["ephemeralContainers"][0]["securityContext"]["capabilities"] =
        json!({"add": ["NET_BIND_SERVICE", "CHOWN"], "drop": ["ALL"]});
    assert_defaults_everywhere(&s, Value::Null, spec, |spec| {
        vec![
            op(
                format!("{spec}/containers/0/securityContext/capabilities/add/1"),
                json!("NET_BIND_SERVICE"),
            ),
            op(
                format!("{spec}/containers/0/securityContext/capabilities/add/2"),
                json!("CHOWN"),
            ),
            op(
                format!("{spec}/containers/0/securityContext/capabilities/drop/1"),
                json!("ALL"),
            ),
            op(
                format!("{spec}/initContainers/0/securityContext/capabilities/add"),
                json!(["NET_BIND_SERVICE"]),
            ),
        ]
    });
}

#[test]
fn read_only_root_filesystem_defaults_to_true() {
    let s = settings(json!({"readOnlyRootFilesystem": true}));
    assert_defaults_everywhere(&s, Value::Null, three_containers(), |spec| {
        per_container(spec, "readOnlyRootFilesystem", json!(true))
    });
}

#[test]
fn allow_privilege_escalation_defaults_from_default_allow_privilege_escalation() {
    for default in [false, true] {
        let s = settings(json!({"defaultAllowPrivilegeEscalation": default}));
        assert_defaults_everywhere(&s, Value::Null, three_containers(), |spec| {
            per_container(spec, "allowPrivilegeEscalation", json!(default))
        });
    }
}

#[test]
fn allow_privilege_escalation_defaults_to_false_when_it_is_forbidden() {
    for extra in [
        json!({"allowPrivilegeEscalation": false}),
        json!({"allowPrivilegeEscalation": false, "defaultAllowPrivilegeEscalation": false}),
    ] {
        let s = settings(extra);
        assert_defaults_everywhere(&s, Value::Null, three_containers(), |spec| {
            per_container(spec, "allowPrivilegeEscalation", json!(false))
        });
    }
}

/// Every defaulted field at once.
fn everything() -> Value {
    settings(json!({
        "supplementalGroups": must_run_as(1000, 2000),
        "fsGroup": must_run_as(3000, 4000),
        "seLinux": {"rule": "MustRunAs", "seLinuxOptions": {"type": "container_t", "level": "s0:c1,c2"}},
        "seccomp": {"allowedProfileNames": ["runtime/default"], "defaultProfileName": "runtime/default"},
        "runtimeClass": {"allowedRuntimeClassNames": ["kata"], "defaultRuntimeClassName": "kata"},
        "runAsUser": must_run_as(5000, 6000),
        "runAsGroup": must_run_as(7000, 8000),
        "appArmor": {"allowedProfileNames": ["runtime/default"], "defaultProfileName": "runtime/default"},
        "defaultAddCapabilities": ["NET_BIND_SERVICE"],
        "requiredDropCapabilities": ["ALL"],
        "readOnlyRootFilesystem": true,
        "allowPrivilegeEscalation": false,
    }))
}

#[test]
fn every_default_at_once_on_objects_without_any_security_context() {
    assert_defaults_everywhere(
        &everything(),
        Value::Null,
        bare_three_containers(),
        |spec| {
            let mut ops = vec![
                op(
                    format!("{spec}/securityContext"),
                    json!({
                        "supplementalGroups": [1000],
                        "fsGroup": 3000,
                        "seLinuxOptions": {"type": "container_t", "level": "s0:c1,c2"},
                        "seccompProfile": {"type": "RuntimeDefault"},
                    }),
                ),
                op(format!("{spec}/runtimeClassName"), json!("kata")),
            ];
            for list in CONTAINER_FIELDS {
                ops.push(op(
                    format!("{spec}/{list}/0/securityContext"),
                    json!({
                        "runAsUser": 5000,
                        "runAsGroup": 7000,
                        "appArmorProfile": {"type": "RuntimeDefault"},
                        "capabilities": {"add": ["NET_BIND_SERVICE"], "drop": ["ALL"]},
                        "readOnlyRootFilesystem": true,
                        "allowPrivilegeEscalation": false,
                    }),
                ));
            }
            ops
        },
    );
}

/// A pod spec that sets every field `everything()` would default, to allowed values.
fn fully_specified() -> Value {
    let sc = json!({
        "privileged": false,
        "runAsUser": 5999,
        "runAsGroup": 7999,
        "appArmorProfile": {"type": "RuntimeDefault"},
        "capabilities": {"add": ["NET_BIND_SERVICE"], "drop": ["ALL"]},
        "readOnlyRootFilesystem": true,
        "allowPrivilegeEscalation": false,
    });
    json!({
        "runtimeClassName": "kata",
        "securityContext": {
            "supplementalGroups": [1999, 1000],
            "fsGroup": 4000,
            "seLinuxOptions": {"type": "container_t", "level": "s0:c2,c1"},
            "seccompProfile": {"type": "RuntimeDefault"},
        },
        "initContainers": [container("init", sc.clone())],
        "containers": [container("app", sc.clone())],
        "ephemeralContainers": [container("debug", sc)],
    })
}

#[test]
fn an_object_needing_nothing_produces_no_mutated_object() {
    for (kind, _) in KINDS {
        let req = create(kind, object_of(kind, Value::Null, fully_specified()));
        let response = validate(&req, &everything());
        assert_accepted_unchanged(&response, kind);
    }
}

#[test]
fn a_set_value_is_never_changed_even_when_it_is_outside_the_rules() {
    // Each set value is judged as it is: a value outside the rules is rejected, not overwritten.
    let cases: [(&str, &str, Value, String); 5] = [
        ("fsGroup", "securityContext.fsGroup", json!(1),
         "securityContext.fsGroup: Invalid value: 1: group 1 must be in the ranges: 3000-4000".into()),
        ("runAsUser", "containers.0.securityContext.runAsUser", json!(1),
         "containers[0].securityContext.runAsUser: Invalid value: 1: container \"app\": UID must be in the ranges: 5000-6000".into()),
        ("readOnlyRootFilesystem", "containers.0.securityContext.readOnlyRootFilesystem", json!(false),
         "containers[0].securityContext.readOnlyRootFilesystem: Invalid value: false: must be true: the root filesystem must be read-only".into()),
        ("allowPrivilegeEscalation", "containers.0.securityContext.allowPrivilegeEscalation", json!(true),
         "containers[0].securityContext.allowPrivilegeEscalation: Invalid value: true: privilege escalation is not allowed; must be false".into()),
        ("runtimeClassName", "runtimeClassName", json!("runc"),
         "runtimeClassName: Invalid value: \"runc\": RuntimeClass is not allowed; allowed: \"kata\"".into()),
    ];
    for (name, field, value, violation) in cases {
        for (kind, spec_path) in KINDS {
            let mut spec = bare_three_containers();
            // `containers.0.rest`: the first container's field; anything else: a pod spec field.
            match field.split_once(".0.") {
                Some((list, rest)) => {
                    let c = &mut spec[list][0];
                    set_path(c, rest, value.clone());
                }
                None => set_path(&mut spec, field, value.clone()),
            }
            let req = create(kind, object_of(kind, Value::Null, spec));
            let response = validate(&req, &everything());
            assert_rejected(
                &response,
                &psp_message(&[&format!("{spec_path}.{violation}")]),
                &format!("{name} in {kind}"),
            );
        }
    }
}

#[test]
fn an_existing_pod_security_context_is_kept_when_fs_group_is_defaulted() {
    let s = settings(json!({"fsGroup": must_run_as(3000, 4000)}));
    let pod_sc = json!({
        "runAsUser": 1000,
        "runAsGroup": 1000,
        "runAsNonRoot": true,
        "supplementalGroups": [4242],
        "sysctls": [{"name": "net.ipv4.ip_local_port_range", "value": "1024 65535"}],
        "seLinuxOptions": {"level": "s0:c9"},
        "fsGroupChangePolicy": "OnRootMismatch",
    });
    for (kind, spec_path) in KINDS {
        let mut spec = bare_three_containers();
        spec["securityContext"] = pod_sc.clone();
        let req = create(kind, object_of(kind, Value::Null, spec));
        let response = validate(&req, &s);
        assert!(response.accepted, "{kind}: {:?}", response.message);
        assert_eq!(
            response.patch(&req),
            vec![op(
                format!("{}/securityContext/fsGroup", pointer(spec_path)),
                json!(3000)
            )],
            "{kind}"
        );
        let mutated = response.mutated_object.clone().unwrap();
        let mut expected_sc = pod_sc.clone();
        expected_sc["fsGroup"] = json!(3000);
        assert_eq!(
            mutated.pointer(&format!("{}/securityContext", pointer(spec_path))),
            Some(&expected_sc),
            "{kind}"
        );
        // Nothing else of the object changed.
        let mut rebuilt = mutated.clone();
        rebuilt
            .pointer_mut(&format!("{}/securityContext", pointer(spec_path)))
            .unwrap()
            .as_object_mut()
            .unwrap()
            .remove("fsGroup");
        assert_eq!(rebuilt, req["object"], "{kind}");
        assert_idempotent(kind, &req, &response, &s);
    }
}

#[test]
fn a_pod_update_is_validated_not_mutated() {
    let s = everything();
    let old = pod(fully_specified());
    // The new spec drops fields that a CREATE would have defaulted.
    let mut new = old.clone();
    new["spec"]["containers"][0]["image"] = json!("registry.example.com/app:2.0");
    new["spec"]["containers"][0]["securityContext"]
        .as_object_mut()
        .unwrap()
        .remove("readOnlyRootFilesystem");
    new["spec"]["securityContext"]
        .as_object_mut()
        .unwrap()
        .remove("fsGroup");
    let response = validate(&update("Pod", new, old.clone()), &s);
    assert_rejected(
        &response,
        &psp_message(&[
            "spec.securityContext.fsGroup must be set (allowed groups: 3000-4000)",
            "spec.containers[0].securityContext.readOnlyRootFilesystem must be set to true",
        ]),
        "Pod UPDATE",
    );
    // A compliant update is accepted as it is.
    let mut new = old.clone();
    new["spec"]["containers"][0]["image"] = json!("registry.example.com/app:2.0");
    assert_accepted_unchanged(
        &validate(&update("Pod", new, old), &s),
        "compliant Pod UPDATE",
    );
}

#[test]
fn a_workload_update_defaults_its_template() {
    let s = settings(json!({"readOnlyRootFilesystem": true}));
    for (kind, spec_path) in WORKLOADS {
        let old = object_of(kind, Value::Null, three_containers());
        let mut new = old.clone();
        set_path(&mut new, "metadata.labels", json!({"release": "2"}));
        let req = update(kind, new, old);
        let response = validate(&req, &s);
        assert!(response.accepted, "{kind}: {:?}", response.message);
        assert_eq!(
            sorted(response.patch(&req)),
            sorted(per_container(
                &pointer(spec_path),
                "readOnlyRootFilesystem",
                json!(true)
            )),
            "{kind}"
        );
        assert_idempotent(kind, &req, &response, &s);
    }
}

#[test]
fn null_security_contexts_and_lists_are_replaced_by_the_defaults() {
    // YAML's `securityContext:` (null) is an unset value: it gets the defaults, as a `replace`.
    let s = settings(json!({
        "readOnlyRootFilesystem": true,
        "requiredDropCapabilities": ["ALL"],
        "fsGroup": must_run_as(1, 2),
        "runtimeClass": {"allowedRuntimeClassNames": ["kata"], "defaultRuntimeClassName": "kata"},
    }));
    let spec = json!({
        "securityContext": null,
        "runtimeClassName": null,
        "containers": [
            {"name": "a", "image": "i", "securityContext": null},
            {"name": "b", "image": "i", "securityContext": {"capabilities": {"drop": null, "add": null}}},
        ],
    });
    for (kind, spec_path) in KINDS {
        let p = pointer(spec_path);
        let req = create(kind, object_of(kind, Value::Null, spec.clone()));
        let response = validate(&req, &s);
        assert!(response.accepted, "{kind}: {:?}", response.message);
        let replace =
            |path: String, value: Value| json!({"op": "replace", "path": path, "value": value});
        assert_eq!(
            sorted(response.patch(&req)),
            sorted(vec![
                replace(format!("{p}/securityContext"), json!({"fsGroup": 1})),
                replace(format!("{p}/runtimeClassName"), json!("kata")),
                replace(
                    format!("{p}/containers/0/securityContext"),
                    json!({"capabilities": {"drop": ["ALL"]}, "readOnlyRootFilesystem": true}),
                ),
                replace(
                    format!("{p}/containers/1/securityContext/capabilities/drop"),
                    json!(["ALL"])
                ),
                op(
                    format!("{p}/containers/1/securityContext/readOnlyRootFilesystem"),
                    json!(true)
                ),
            ]),
            "{kind}"
        );
        assert_idempotent(kind, &req, &response, &s);
    }
}

#[test]
fn with_mutating_false_what_would_be_defaulted_is_rejected_instead() {
    let mut s = everything();
    s["mutating"] = json!(false);
    for (kind, spec_path) in KINDS {
        let req = create(kind, object_of(kind, Value::Null, bare_three_containers()));
        let response = validate(&req, &s);
        let mut expected = vec![
            format!("{spec_path}.securityContext.fsGroup must be set (allowed groups: 3000-4000)"),
            format!("{spec_path}.securityContext.supplementalGroups must be set (allowed groups: 1000-2000)"),
            format!("{spec_path}.securityContext.seLinuxOptions must be set (the seLinux rule is MustRunAs)"),
        ];
        let containers = [
            ("initContainers", "init"),
            ("containers", "app"),
            ("ephemeralContainers", "debug"),
        ];
        for (list, _) in containers {
            expected.push(format!("{spec_path}.{list}[0].securityContext.seccompProfile must be set here or in {spec_path}.securityContext.seccompProfile (allowed: \"runtime/default\")"));
        }
        for (list, _) in containers {
            expected.push(format!("{spec_path}.{list}[0].securityContext.runAsUser must be set (allowed UIDs: 5000-6000)"));
        }
        for (list, _) in containers {
            expected.push(format!("{spec_path}.{list}[0].securityContext.appArmorProfile must be set (allowed: \"runtime/default\")"));
        }
        for (list, name) in containers {
            expected.push(format!("{spec_path}.{list}[0].securityContext.capabilities.drop must be set to include \"ALL\" (container \"{name}\")"));
        }
        for (list, _) in containers {
            expected.push(format!(
                "{spec_path}.{list}[0].securityContext.readOnlyRootFilesystem must be set to true"
            ));
        }
        for (list, _) in containers {
            expected.push(format!("{spec_path}.{list}[0].securityContext.allowPrivilegeEscalation must be set to false"));
        }
        let message = response.message().to_string();
        assert!(!response.accepted, "{kind}");
        assert_eq!(response.mutated_object, None, "{kind}");
        for violation in &expected {
            assert!(
                message.contains(violation.as_str()),
                "{kind}: missing {violation:?} in {message}"
            );
        }
        // runAsGroup: each container.
        for (list, _) in containers {
            let v = format!("{spec_path}.{list}[0].securityContext.runAsGroup must be set (allowed groups: 7000-8000)");
            assert!(message.contains(&v), "{kind}: missing {v:?} in {message}");
            expected.push(v);
        }
        let expected_len = "PodSecurityPolicy: ".len()
            + expected.iter().map(String::len).sum::<usize>()
            + 2 * (expected.len() - 1);
        assert_eq!(
            message.len(),
            expected_len,
            "{kind}: nothing else is reported: {message}"
        );
    }
}

#[test]
fn with_mutating_false_the_escalation_message_says_what_to_set() {
    let s = validating(json!({"allowPrivilegeEscalation": false}));
    for (kind, spec_path) in KINDS {
        let req = create(
            kind,
            object_of(
                kind,
                Value::Null,
                json!({"containers": [container("app", Value::Null)]}),
            ),
        );
        assert_rejected(
            &validate(&req, &s),
            &psp_message(&[&format!("{spec_path}.containers[0].securityContext.allowPrivilegeEscalation must be set to false")]),
            kind,
        );
    }
}

#[test]
fn with_mutating_false_a_compliant_object_is_accepted_unchanged() {
    let mut s = everything();
    s["mutating"] = json!(false);
    for (kind, _) in KINDS {
        let req = create(kind, object_of(kind, Value::Null, fully_specified()));
        assert_accepted_unchanged(&validate(&req, &s), kind);
    }
}

#[test]
fn defaults_are_validated_in_the_same_evaluation() {
    // Defaulting fills in allowPrivilegeEscalation and readOnlyRootFilesystem, but cannot fix a
    // privileged container or a root UID: the request is rejected, for those alone, with no patch.
    let s = settings(json!({
        "allowPrivilegeEscalation": false,
        "readOnlyRootFilesystem": true,
        "runAsUser": {"rule": "MustRunAsNonRoot"},
    }));
    for (kind, spec_path) in KINDS {
        let spec = json!({"containers": [
            container("ok", Value::Null),
            container("bad", json!({"privileged": true, "runAsUser": 0})),
        ]});
        let response = validate(&create(kind, object_of(kind, Value::Null, spec)), &s);
        assert_rejected(
            &response,
            &psp_message(&[
                &format!("{spec_path}.containers[1].securityContext.runAsUser: Invalid value: 0: container \"bad\": running with the root UID is forbidden"),
                &format!("{spec_path}.containers[1].securityContext.privileged: Invalid value: true: privileged containers are not allowed"),
            ]),
            kind,
        );
    }
}

#[test]
fn the_admission_response_carries_the_patch_for_a_default_and_none_without() {
    let s = settings(json!({"readOnlyRootFilesystem": true}));
    let req = create(
        "Pod",
        pod(json!({"containers": [container("app", Value::Null)]})),
    );
    let answer = host().review(&req, &s);
    assert_eq!(answer["allowed"], json!(true));
    assert_eq!(answer["patchType"], json!("JSONPatch"));
    let response = validate(&req, &s);
    assert_eq!(
        response.patch(&req),
        vec![op(
            "/spec/containers/0/securityContext".into(),
            json!({"readOnlyRootFilesystem": true})
        )]
    );
    assert_idempotent("Pod", &req, &response, &s);
    let compliant = create(
        "Pod",
        pod(json!({"containers": [container("app", json!({"readOnlyRootFilesystem": true}))]})),
    );
    let answer = host().review(&compliant, &s);
    assert_eq!(answer["allowed"], json!(true));
    assert!(answer.get("patch").is_none(), "{answer}");
}
