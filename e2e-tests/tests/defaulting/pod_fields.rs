//! Defaults of the pod: `supplementalGroups`, `fsGroup`, `seLinuxOptions`, the seccomp profile and
//! `runtimeClassName`.

use super::*;
use serde_json::{json, Value};

#[test]
fn supplemental_groups_default_to_the_first_ranges_min() {
    let s = settings(
        json!({"supplementalGroups": {"rule": "MustRunAs", "ranges": [{"min": 1000, "max": 2000}, {"min": 10, "max": 20}]}}),
    );
    assert_defaults_everywhere(&s, Value::Null, three_containers(), |spec| {
        vec![add_op(
            format!("{spec}/securityContext/supplementalGroups"),
            json!([1000]),
        )]
    });
}

#[test]
fn fs_group_defaults_to_the_first_ranges_min() {
    let s = settings(json!({"fsGroup": must_run_as(3000, 4000)}));
    assert_defaults_everywhere(&s, Value::Null, three_containers(), |spec| {
        vec![add_op(
            format!("{spec}/securityContext/fsGroup"),
            json!(3000),
        )]
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
        vec![add_op(
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
            vec![add_op(
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
        vec![add_op(format!("{spec}/runtimeClassName"), json!("kata"))]
    });
    // An explicit class is never overwritten.
    let mut spec = three_containers();
    spec["runtimeClassName"] = json!("gvisor");
    assert_defaults_everywhere(&s, Value::Null, spec, |_| vec![]);
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
        let req = create_with_spec(kind, spec);
        let response = validate(&req, &s);
        assert_accepted_with_patch(
            &response,
            &req,
            vec![add_op(
                format!("{}/securityContext/fsGroup", pointer(spec_path)),
                json!(3000),
            )],
            kind,
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
        remove_path(
            &mut rebuilt,
            &format!("{spec_path}.securityContext.fsGroup"),
        );
        assert_eq!(rebuilt, req["object"], "{kind}");
        assert_idempotent(kind, &req, &response, &s);
    }
}
