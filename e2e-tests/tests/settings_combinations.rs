//! Settings and requests that the policy must take as Pod Security Admission and PSP took them, end to end
//! through the built `policy.wasm`:
//! - a Pod Security Standard combined with any PSP field (the fields given constrain, the others do not);
//! - Pod Security Standards versions newer than this release knows, judged as the newest it knows;
//! - kinds matched on their API group: a custom resource that shares a built-in kind's name is not read;
//! - the legacy `EphemeralContainers` kind of the `pods/ephemeralcontainers` subresource, judged on its
//!   containers.

mod common;

use common::*;
use serde_json::{json, Value};

/// A pod spec that every level of every standard allows, with a UID that PSP's `MustRunAs` below
/// allows.
fn compliant_spec() -> Value {
    let mut spec = restricted_spec();
    spec["securityContext"]["runAsUser"] = json!(1500);
    spec
}

fn with_standard(level: &str, version: &str, extra: Value) -> Value {
    let mut settings = json!({"podSecurityStandard": {"level": level, "version": version}});
    if let (Some(settings), Value::Object(extra)) = (settings.as_object_mut(), extra) {
        settings.extend(extra);
    }
    settings
}

/// `compliant_spec` with `sysctls` set on the pod.
fn with_sysctls(names: &[&str]) -> Value {
    let mut spec = compliant_spec();
    let sysctls: Vec<Value> = names
        .iter()
        .map(|name| json!({"name": name, "value": "1"}))
        .collect();
    spec["securityContext"]["sysctls"] = Value::Array(sysctls);
    spec
}

// ---------------------------------------------------------------------------------------------
// A standard and PSP fields

#[test]
fn a_standard_with_forbidden_sysctls_is_valid_and_forbids_them() {
    for level in ["baseline", "restricted"] {
        let settings = with_standard(
            level,
            "latest",
            json!({"forbiddenSysctls": ["kernel.shm_rmid_forced"]}),
        );
        assert_valid_settings(&settings);

        // A safe sysctl that the PSP field forbids: refused by the PSP part alone.
        let response = validate(
            &create("Pod", pod(with_sysctls(&["kernel.shm_rmid_forced"]))),
            &settings,
        );
        assert_rejected(
            &response,
            &psp_message(&["spec.securityContext.sysctls[0].name: Invalid value: \"kernel.shm_rmid_forced\": \
                            sysctl is forbidden by forbiddenSysctls \"kernel.shm_rmid_forced\"; allowed: \"*\""]),
            level,
        );
        // Another safe sysctl: allowed by both.
        let response = validate(
            &create("Pod", pod(with_sysctls(&["net.ipv4.tcp_syncookies"]))),
            &settings,
        );
        assert_accepted_unchanged(&response, level);
        // An unsafe sysctl that no PSP field names: only the standard refuses it, the PSP part allows it.
        let response = validate(
            &create("Pod", pod(with_sysctls(&["net.core.somaxconn"]))),
            &settings,
        );
        assert_rejected(
            &response,
            &format!(
                "violates PodSecurity \"{level}:latest\": forbidden sysctls (net.core.somaxconn)"
            ),
            level,
        );
    }
}

#[test]
fn a_standard_combines_with_psp_fields_each_of_which_constrains() {
    // (PSP fields, the violating change to a compliant pod spec, the PSP violation, and the standard's when
    // the change breaks it too).
    let cases: Vec<(Value, Value, &str, Option<&str>)> = vec![
        (
            json!({"allowedUnsafeSysctls": ["net.core.somaxconn"], "forbiddenSysctls": ["kernel.shm_rmid_forced"]}),
            with_sysctls(&["net.ipv4.tcp_syncookies", "kernel.shm_rmid_forced"]),
            "spec.securityContext.sysctls[1].name: Invalid value: \"kernel.shm_rmid_forced\": sysctl is forbidden \
             by forbiddenSysctls \"kernel.shm_rmid_forced\"; allowed: \"net.core.somaxconn\"",
            None,
        ),
        (
            json!({"forbiddenSysctls": ["net.ipv4.*"], "hostNetwork": false}),
            with_sysctls(&["net.ipv4.tcp_syncookies"]),
            "spec.securityContext.sysctls[0].name: Invalid value: \"net.ipv4.tcp_syncookies\": sysctl is forbidden \
             by forbiddenSysctls \"net.ipv4.*\"; allowed: \"*\"",
            None,
        ),
        (
            json!({"hostPorts": [{"min": 8000, "max": 8080}]}),
            {
                let mut spec = compliant_spec();
                spec["containers"][0]["ports"] = json!([{"containerPort": 80, "hostPort": 9090}]);
                spec
            },
            "spec.containers[0].ports[0].hostPort (container \"app\"): Invalid value: 9090: host port is not allowed \
             to be used; allowed: 8000-8080",
            Some("hostPort (container \"app\" uses hostPort 9090)"),
        ),
        (
            json!({"volumes": ["configMap", "secret"]}),
            {
                let mut spec = compliant_spec();
                spec["volumes"] = json!([{"name": "scratch", "emptyDir": {}}]);
                spec
            },
            "spec.volumes[0]: Invalid value: \"emptyDir\": emptyDir volumes are not allowed to be used; \
             allowed: \"configMap\", \"secret\"",
            None,
        ),
        (
            json!({"runAsUser": {"rule": "MustRunAs", "ranges": [{"min": 1000, "max": 2000}]}}),
            {
                let mut spec = compliant_spec();
                spec["containers"][0]["securityContext"]["runAsUser"] = json!(3000);
                spec
            },
            "spec.containers[0].securityContext.runAsUser (container \"app\"): Invalid value: 3000: UID is not in \
             the allowed ranges; allowed: 1000-2000",
            None,
        ),
    ];
    for level in ["baseline", "restricted"] {
        for (fields, spec, violation, standard_detail) in &cases {
            let settings = with_standard(level, "latest", fields.clone());
            assert_valid_settings(&settings);
            let context = format!("{level} with {fields}");
            assert_accepted_unchanged(
                &validate(&create("Pod", pod(compliant_spec())), &settings),
                &context,
            );
            let mut expected = psp_message(&[violation]);
            if let Some(detail) = standard_detail {
                expected.push_str(&format!(
                    " | violates PodSecurity \"{level}:latest\": {detail}"
                ));
            }
            assert_rejected(
                &validate(&create("Pod", pod(spec.clone())), &settings),
                &expected,
                &context,
            );
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Versions newer than this release knows

#[test]
fn versions_newer_than_the_newest_known_are_valid_and_judged_as_it() {
    // (spec, verdict at v1.36, verdict at v1.37 and later): a sysctl the standard allows from v1.37.
    let newest_sysctl = with_sysctls(&["net.ipv4.tcp_notsent_lowat"]);
    let mut host_network = compliant_spec();
    host_network["hostNetwork"] = json!(true);
    for level in ["baseline", "restricted"] {
        let denied_before = validate(
            &create("Pod", pod(newest_sysctl.clone())),
            &with_standard(level, "v1.36", json!({})),
        );
        assert_rejected(
            &denied_before,
            &format!(
                "violates PodSecurity \"{level}:v1.36\": forbidden sysctls (net.ipv4.tcp_notsent_lowat)"
            ),
            level,
        );
        for version in ["v1.37", "v1.38", "v1.99", "v1.1000"] {
            let settings = with_standard(level, version, json!({}));
            assert_valid_settings(&settings);
            let context = format!("{level}:{version}");
            assert_accepted_unchanged(
                &validate(&create("Pod", pod(newest_sysctl.clone())), &settings),
                &context,
            );
            // Denials name the version as written, as Pod Security Admission does.
            assert_rejected(
                &validate(&create("Pod", pod(host_network.clone())), &settings),
                &format!("violates PodSecurity \"{level}:{version}\": host namespaces (hostNetwork=true)"),
                &context,
            );
        }
    }
}

#[test]
fn malformed_versions_are_still_refused() {
    for version in ["v1.038", "v1.", "v1.x", "v2.0", "1.38", "v1.-1", "Latest"] {
        let settings = with_standard("baseline", version, json!({}));
        let answer = host().validate_settings_strict(&settings).unwrap();
        assert!(!answer.valid, "{version} must be refused");
        assert!(
            answer.message().starts_with(&format!(
                "podSecurityStandard: invalid Pod Security Standards version \"{version}\""
            )),
            "{version}: {:?}",
            answer.message
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Kinds are matched on their API group

/// A Volcano `Job`: a custom resource named like `batch/v1` Job, with its pods under `spec.tasks`.
fn volcano_job(spec: Value) -> Value {
    json!({
        "apiVersion": "batch.volcano.sh/v1alpha1",
        "kind": "Job",
        "metadata": {"name": "training", "namespace": "default"},
        "spec": {
            "minAvailable": 1,
            "schedulerName": "volcano",
            "tasks": [{"name": "worker", "replicas": 2, "template": {"spec": spec}}],
        },
    })
}

fn volcano_request(object: Value) -> Value {
    RequestBuilder::new("Job", "CREATE", object)
        .group_version("batch.volcano.sh", "v1alpha1")
        .build()
}

#[test]
fn a_job_of_another_api_group_is_accepted_untouched() {
    let privileged = one_container(json!({"privileged": true}));
    for s in [settings(json!({})), validating(json!({}))] {
        let response = validate(&volcano_request(volcano_job(privileged.clone())), &s);
        assert_accepted_unchanged(&response, "a Volcano Job");

        // The same object as a batch/v1 Job would have it: not read under the Volcano group, judged under batch.
        let mut batch_shaped = object_of("Job", Value::Null, privileged.clone());
        batch_shaped["apiVersion"] = json!("batch.volcano.sh/v1alpha1");
        let response = validate(&volcano_request(batch_shaped.clone()), &s);
        assert_accepted_unchanged(&response, "a batch-shaped Volcano Job");
        batch_shaped["apiVersion"] = json!("batch/v1");
        let response = validate(&create("Job", batch_shaped), &s);
        assert_rejected(
            &response,
            &psp_message(&[privileged_violation(
                "spec.template.spec.containers[0]",
                "app",
            )]),
            "a batch/v1 Job",
        );
    }
}

#[test]
fn workloads_of_the_older_api_groups_and_versions_are_judged() {
    let privileged = one_container(json!({"privileged": true}));
    for (kind, group, version, spec_path) in [
        ("Deployment", "extensions", "v1beta1", "spec.template.spec"),
        ("ReplicaSet", "extensions", "v1beta1", "spec.template.spec"),
        ("DaemonSet", "extensions", "v1beta1", "spec.template.spec"),
        ("Deployment", "apps", "v1beta1", "spec.template.spec"),
        ("StatefulSet", "apps", "v1beta1", "spec.template.spec"),
        ("DaemonSet", "apps", "v1beta2", "spec.template.spec"),
        (
            "CronJob",
            "batch",
            "v1beta1",
            "spec.jobTemplate.spec.template.spec",
        ),
    ] {
        let mut object = object_of(kind, Value::Null, privileged.clone());
        object["apiVersion"] = json!(format!("{group}/{version}"));
        let request = RequestBuilder::new(kind, "CREATE", object)
            .group_version(group, version)
            .build();
        let response = validate(&request, &validating(json!({})));
        assert_rejected(
            &response,
            &psp_message(&[privileged_violation(
                &format!("{spec_path}.containers[0]"),
                "app",
            )]),
            &format!("{group}/{version} {kind}"),
        );
    }
}

#[test]
fn a_workload_kind_in_the_wrong_api_group_is_not_read() {
    // No such kind exists: a Deployment of the core group is not an apps Deployment.
    let object = object_of(
        "Deployment",
        Value::Null,
        one_container(json!({"privileged": true})),
    );
    let request = RequestBuilder::new("Deployment", "CREATE", object)
        .group_version("", "v1")
        .build();
    assert_accepted_unchanged(
        &validate(&request, &validating(json!({}))),
        "core-group Deployment",
    );
}

// ---------------------------------------------------------------------------------------------
// The legacy EphemeralContainers kind (pods/ephemeralcontainers, Kubernetes 1.16 to 1.22)

/// The object the API server sent for `pods/ephemeralcontainers` before 1.23: the pod's metadata and its
/// ephemeral containers, nothing else of the pod.
fn ephemeral_containers(containers: Value) -> Value {
    json!({
        "apiVersion": "v1",
        "kind": "EphemeralContainers",
        "metadata": {"name": "p", "namespace": "default", "uid": "6b1f1b9e-0000-4000-8000-000000000001"},
        "ephemeralContainers": containers,
    })
}

fn ephemeral_request(object: Value) -> Value {
    RequestBuilder::new("EphemeralContainers", "UPDATE", object)
        .old_object(ephemeral_containers(json!([])))
        .group_version("", "v1")
        .sub_resource("ephemeralcontainers")
        .build()
}

fn debug_container(sc: Value) -> Value {
    json!({"name": "debug", "image": "busybox", "targetContainerName": "app", "securityContext": sc})
}

#[test]
fn a_privileged_container_of_the_legacy_ephemeral_containers_kind_is_rejected() {
    let request = ephemeral_request(ephemeral_containers(json!([
        debug_container(json!({})),
        debug_container(json!({"privileged": true})),
    ])));
    for s in [settings(json!({})), validating(json!({}))] {
        assert_rejected(
            &validate(&request, &s),
            &psp_message(&[privileged_violation("ephemeralContainers[1]", "debug")]),
            "EphemeralContainers",
        );
    }
    assert_rejected(
        &validate(
            &request,
            &json!({"podSecurityStandard": {"level": "baseline"}}),
        ),
        "violates PodSecurity \"baseline:latest\": privileged (container \"debug\" must not set \
         securityContext.privileged=true)",
        "EphemeralContainers under baseline",
    );
}

#[test]
fn a_compliant_container_of_the_legacy_ephemeral_containers_kind_is_accepted_and_not_defaulted() {
    let hardened = json!({"runAsNonRoot": true, "allowPrivilegeEscalation": false, "readOnlyRootFilesystem": true});
    let strict = json!({
        "runAsUser": {"rule": "MustRunAsNonRoot"},
        "allowPrivilegeEscalation": false,
        "readOnlyRootFilesystem": true,
        "fsGroup": {"rule": "MustRunAs", "ranges": [{"min": 1000, "max": 2000}]},
        "seLinux": {"rule": "MustRunAs", "seLinuxOptions": {"level": "s0:c1,c2"}},
    });
    let request = ephemeral_request(ephemeral_containers(json!([debug_container(
        hardened.clone()
    )])));
    // The pod's own fields (fsGroup, SELinux options) are not in this object: they were judged when the pod
    // was admitted, and only the containers are judged here.
    for s in [settings(strict.clone()), validating(strict.clone())] {
        assert_accepted_unchanged(&validate(&request, &s), "a hardened debug container");
    }
    // An update of a running pod is never defaulted: an unset field that PSP would default is rejected.
    let mut partly = hardened;
    partly
        .as_object_mut()
        .unwrap()
        .remove("allowPrivilegeEscalation");
    let request = ephemeral_request(ephemeral_containers(json!([debug_container(partly)])));
    assert_rejected(
        &validate(&request, &settings(strict)),
        &psp_message(&[
            "ephemeralContainers[0].securityContext.allowPrivilegeEscalation (container \"debug\"): Required value: \
             must be set to false; allowed: false",
        ]),
        "defaulting on",
    );
    // No ephemeral container at all: nothing to judge.
    let request = ephemeral_request(ephemeral_containers(Value::Null));
    assert_accepted_unchanged(
        &validate(&request, &validating(json!({}))),
        "no ephemeral containers",
    );
}

#[test]
fn a_message_about_the_legacy_ephemeral_containers_kind_names_only_fields_it_has() {
    // The pod-level seccomp profile a container would inherit is not in this object: the message must not
    // send the user to a field that the object does not have.
    let settings = validating(json!({"seccomp": {"allowedProfileNames": ["runtime/default"]}}));
    let request = ephemeral_request(ephemeral_containers(json!([debug_container(json!({}))])));
    assert_rejected(
        &validate(&request, &settings),
        &psp_message(&[
            "ephemeralContainers[0].securityContext.seccompProfile (container \"debug\"): Required value: must \
             be set here: this object holds none of the pod's fields; allowed: \"runtime/default\"",
        ]),
        "EphemeralContainers without a seccomp profile",
    );
    let with_profile = ephemeral_request(ephemeral_containers(json!([debug_container(
        json!({"seccompProfile": {"type": "RuntimeDefault"}})
    )])));
    assert_accepted_unchanged(
        &validate(&with_profile, &settings),
        "EphemeralContainers with a seccomp profile",
    );
}

#[test]
fn an_ephemeral_containers_request_whose_object_is_of_another_kind_is_rejected() {
    let request = ephemeral_request(pod(one_container(json!({}))));
    assert_rejected(
        &validate(&request, &validating(json!({}))),
        "the object is of kind \"Pod\" but the request is for kind \"EphemeralContainers\"",
        "EphemeralContainers request with a Pod",
    );
}
