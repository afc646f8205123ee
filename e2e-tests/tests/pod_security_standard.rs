//! The Pod Security Standards presets (`podSecurityStandard: {level, version}`) through the built module:
//! a level alone behaves like Pod Security Admission (the PSP fields constrain nothing), PSP fields beside a
//! level add their constraints (a request must satisfy both), workloads are judged by their pod templates,
//! a pinned version gives that version's verdicts, and bad levels or versions are refused.

mod common;

use common::*;
use serde_json::{json, Value};

// ---- a level alone: exactly Pod Security Admission ----

#[test]
fn baseline_alone_allows_what_psp_defaults_would_forbid() {
    // Root, any group, privilege escalation, baseline capabilities, writable root filesystem, every volume type
    // but hostPath (flexVolume, nfs, gitRepo...), SELinux level and type container_t, no seccomp profile,
    // AppArmor runtime/default, a safe sysctl: a PSP would refuse most of this unless told otherwise
    // (no `allowedCapabilities`, no `volumes` = none allowed); baseline allows all of it.
    let spec = json!({
        "securityContext": {
            "runAsUser": 0, "runAsGroup": 0, "fsGroup": 0, "supplementalGroups": [0],
            "seLinuxOptions": {"type": "container_t", "level": "s0:c123,c456"},
            "sysctls": [{"name": "net.ipv4.ip_local_port_range", "value": "1024 65535"}],
        },
        "containers": [{
            "name": "app",
            "image": "registry.example.com/app:1",
            "ports": [{"containerPort": 8080}],
            "securityContext": {
                "runAsUser": 0,
                "allowPrivilegeEscalation": true,
                "readOnlyRootFilesystem": false,
                "privileged": false,
                "procMount": "Default",
                "capabilities": {"add": ["CHOWN", "NET_BIND_SERVICE", "SETUID"]},
            },
            "volumeMounts": [{"name": "shared", "mountPath": "/shared"}],
        }],
        "volumes": [
            {"name": "shared", "nfs": {"server": "nfs.example.com", "path": "/exports"}},
            {"name": "flex", "flexVolume": {"driver": "example.com/flex"}},
            {"name": "repo", "gitRepo": {"repository": "https://example.com/r.git"}},
            {"name": "block", "rbd": {"monitors": ["10.0.0.1:6789"], "image": "i"}},
            {"name": "claim", "persistentVolumeClaim": {"claimName": "c"}},
            {"name": "scratch", "emptyDir": {}},
        ],
    });
    let object = pod_with(
        json!({"container.apparmor.security.beta.kubernetes.io/app": "runtime/default"}),
        spec,
    );
    for version in ["latest", "v1.0", "v1.25"] {
        let settings = standard("baseline", version);
        assert_valid_settings(&settings);
        assert_accepted_unchanged(
            &validate(&create("Pod", object.clone()), &settings),
            version,
        );
    }
    // The same pod under a PSP spec that only requires what PSP requires is refused: the standard alone
    // really does lift the PSP defaults.
    let psp = json!({
        "runAsUser": {"rule": "RunAsAny"}, "seLinux": {"rule": "RunAsAny"},
        "supplementalGroups": {"rule": "RunAsAny"}, "fsGroup": {"rule": "RunAsAny"},
    });
    let response = validate(&create("Pod", object), &psp);
    assert_rejected_starting_with(&response, "PodSecurityPolicy: ", "PSP's required rules");
}

#[test]
fn restricted_alone_allows_what_psa_restricted_allows() {
    let mut spec = restricted_spec();
    spec["securityContext"] = json!({
        "runAsNonRoot": true, "runAsUser": 1000, "runAsGroup": 0, "fsGroup": 0, "supplementalGroups": [0],
        "seccompProfile": {"type": "Localhost", "localhostProfile": "profiles/app.json"},
    });
    spec["containers"][0]["securityContext"]["capabilities"]["add"] = json!(["NET_BIND_SERVICE"]);
    spec["containers"][0]["volumeMounts"] = json!([{"name": "data", "mountPath": "/data"}]);
    spec["volumes"] = json!([
        {"name": "data", "persistentVolumeClaim": {"claimName": "data"}},
        {"name": "inline", "csi": {"driver": "secrets-store.csi.k8s.io"}},
        {"name": "eph", "ephemeral": {"volumeClaimTemplate": {"spec": {"accessModes": ["ReadWriteOnce"]}}}},
        {"name": "token", "projected": {"sources": []}},
    ]);
    assert_accepted_unchanged(
        &validate(&create("Pod", pod(spec)), &standard("restricted", "latest")),
        "restricted",
    );
}

#[test]
fn a_level_alone_denies_what_psa_denies_in_its_wording() {
    // As a kube-apiserver reports it for a node-exporter pod.
    let node_exporter = pod(json!({
        "hostNetwork": true,
        "hostPID": true,
        "containers": [{
            "name": "node-exporter",
            "image": "quay.io/prometheus/node-exporter:v1.8.0",
            "ports": [{"containerPort": 9100, "hostPort": 9100}],
        }],
        "volumes": [
            {"name": "proc", "hostPath": {"path": "/proc"}},
            {"name": "sys", "hostPath": {"path": "/sys"}},
        ],
    }));
    assert_rejected(&validate(&create("Pod", node_exporter), &standard("baseline", "latest")), "violates PodSecurity \"baseline:latest\": host namespaces (hostNetwork=true, hostPID=true), \
         hostPath volumes (volumes \"proc\", \"sys\"), hostPort (container \"node-exporter\" uses hostPort 9100)", "node-exporter");

    // The README's example, and `version` defaulting to `latest`.
    let mut spec = restricted_spec();
    spec["containers"][0]["securityContext"] = json!({"capabilities": {"drop": ["ALL"]}});
    let response = validate(
        &create("Pod", pod(spec)),
        &json!({"podSecurityStandard": {"level": "restricted"}}),
    );
    assert_rejected(
        &response,
        "violates PodSecurity \"restricted:latest\": allowPrivilegeEscalation != false \
         (container \"app\" must set securityContext.allowPrivilegeEscalation=false)",
        "allowPrivilegeEscalation",
    );

    // Every failed check, baseline checks first, then restricted ones.
    let spec = json!({
        "containers": [
            {"name": "a", "image": "x", "securityContext": {"privileged": true}},
            {"name": "b", "image": "x", "securityContext": {"runAsUser": 0}},
        ],
    });
    assert_rejected(&validate(&create("Pod", pod(spec)), &standard("restricted", "latest")), "violates PodSecurity \"restricted:latest\": \
         privileged (container \"a\" must not set securityContext.privileged=true), \
         allowPrivilegeEscalation != false (containers \"a\", \"b\" must set securityContext.allowPrivilegeEscalation=false), \
         unrestricted capabilities (containers \"a\", \"b\" must set securityContext.capabilities.drop=[\"ALL\"]), \
         runAsNonRoot != true (pod or containers \"a\", \"b\" must set securityContext.runAsNonRoot=true), \
         runAsUser=0 (container \"b\" must not set runAsUser=0), \
         seccompProfile (pod or containers \"a\", \"b\" must set securityContext.seccompProfile.type to \"RuntimeDefault\" or \"Localhost\")", "every check");
}

// ---- PSP fields beside a level ----

/// The README's combination: baseline, plus host paths, host network and runtime classes.
fn baseline_plus_psp() -> Value {
    json!({
        "podSecurityStandard": {"level": "baseline"},
        "allowedHostPaths": [{"pathPrefix": "/data", "readOnly": true}],
        "hostNetwork": false,
        "runtimeClass": {"allowedRuntimeClassNames": ["gvisor"]},
    })
}

#[test]
fn psp_fields_beside_a_level_add_their_constraints() {
    let settings = baseline_plus_psp();
    assert_valid_settings(&settings);

    // Both satisfied. The PSP fields not given constrain nothing (root, privilege escalation, any volume).
    let ok = pod(json!({
        "runtimeClassName": "gvisor",
        "securityContext": {"runAsUser": 0},
        "containers": [container("app", json!({"allowPrivilegeEscalation": true}))],
        "volumes": [{"name": "shared", "nfs": {"server": "nfs", "path": "/"}}],
    }));
    assert_accepted_unchanged(&validate(&create("Pod", ok), &settings), "both satisfied");

    // The PSP fields alone refuse: a runtime class baseline does not care about.
    let runc =
        pod(json!({"runtimeClassName": "runc", "containers": [container("app", json!({}))]}));
    assert_rejected(&validate(&create("Pod", runc), &settings), "PodSecurityPolicy: spec.runtimeClassName: Invalid value: \"runc\": RuntimeClass is not allowed; \
         allowed: \"gvisor\"", "PSP only");

    // The standard alone refuses: the unconstrained PSP base allows privileged containers, baseline does not.
    let privileged = pod(json!({
        "runtimeClassName": "gvisor",
        "containers": [container("app", json!({"privileged": true}))],
    }));
    assert_rejected(&validate(&create("Pod", privileged), &settings), "violates PodSecurity \"baseline:latest\": privileged (container \"app\" must not set securityContext.privileged=true)", "standard only");

    // A host path the PSP fields allow (read-only, under /data) is still a hostPath volume to baseline.
    let data = pod(json!({
        "containers": [{"name": "app", "image": "x",
                        "volumeMounts": [{"name": "data", "mountPath": "/data", "readOnly": true}]}],
        "volumes": [{"name": "data", "hostPath": {"path": "/data/set"}}],
    }));
    assert_rejected(
        &validate(&create("Pod", data), &settings),
        "violates PodSecurity \"baseline:latest\": hostPath volumes (volume \"data\")",
        "allowed host path, forbidden by the standard",
    );

    // Both refuse: the message has both parts, the PSP part first.
    let both = pod(json!({
        "hostNetwork": true,
        "runtimeClassName": "runc",
        "containers": [{"name": "app", "image": "x",
                        "volumeMounts": [{"name": "etc", "mountPath": "/host/etc", "readOnly": true}]}],
        "volumes": [{"name": "etc", "hostPath": {"path": "/etc"}}],
    }));
    let response = validate(&create("Pod", both), &settings);
    assert_rejected(&response, "PodSecurityPolicy: spec.hostNetwork: Forbidden: host network is not allowed; allowed: false; \
         spec.volumes[0].hostPath.path: Invalid value: \"/etc\": host path is not under an allowed path prefix; \
         allowed: \"/data\"; \
         spec.runtimeClassName: Invalid value: \"runc\": RuntimeClass is not allowed; allowed: \"gvisor\" | \
         violates PodSecurity \"baseline:latest\": host namespaces (hostNetwork=true), hostPath volumes (volume \"etc\")", "both");
}

/// The README's example of a rejection with both parts, exactly as the policy prints it.
#[test]
fn the_readme_example_of_a_rejection_with_both_parts() {
    let settings = json!({
        "podSecurityStandard": {"level": "baseline"},
        "hostNetwork": false,
        "runtimeClass": {"allowedRuntimeClassNames": ["gvisor"]},
    });
    let object = pod(json!({
        "hostNetwork": true,
        "runtimeClassName": "runc",
        "containers": [container("app", Value::Null)],
    }));
    assert_rejected(
        &validate(&create("Pod", object), &settings),
        "PodSecurityPolicy: spec.hostNetwork: Forbidden: host network is not allowed; allowed: false; \
         spec.runtimeClassName: Invalid value: \"runc\": RuntimeClass is not allowed; allowed: \"gvisor\" | \
         violates PodSecurity \"baseline:latest\": host namespaces (hostNetwork=true)",
        "the README's example",
    );
}

#[test]
fn psp_fields_beside_a_level_also_default() {
    let settings =
        json!({"podSecurityStandard": {"level": "restricted"}, "readOnlyRootFilesystem": true});
    let req = create("Pod", pod(restricted_spec()));
    let response = validate(&req, &settings);
    assert_accepted_with_patch(
        &response,
        &req,
        vec![add_op(
            "/spec/containers/0/securityContext/readOnlyRootFilesystem",
            json!(true),
        )],
        "restricted and readOnlyRootFilesystem",
    );
    // Without defaulting, the PSP field refuses what the standard allows.
    let mut validating = settings.clone();
    validating["mutating"] = json!(false);
    assert_rejected(&validate(&req, &validating), "PodSecurityPolicy: spec.containers[0].securityContext.readOnlyRootFilesystem (container \"app\"): Required \
         value: must be set to true; allowed: true", "mutating: false");
    // And the standard alone (mutating or not) takes the pod as it is.
    assert_accepted_unchanged(
        &validate(
            &req,
            &json!({"podSecurityStandard": {"level": "restricted"}, "mutating": false}),
        ),
        "restricted, mutating: false",
    );
}

// ---- workloads: judged by their pod templates ----

#[test]
fn workloads_are_judged_by_their_pod_templates() {
    let meta = json!({"name": "w", "namespace": "team"});
    let labels = json!({"labels": {"app": "w"}});
    for (kind, _) in WORKLOADS {
        // A compliant template.
        let ok = workload(kind, meta.clone(), labels.clone(), restricted_spec());
        assert_accepted_unchanged(
            &validate(&create(kind, ok), &standard("restricted", "latest")),
            kind,
        );

        // A privileged container in the template: PSA's message, as for a Pod.
        let mut spec = restricted_spec();
        spec["containers"][0]["securityContext"]["privileged"] = json!(true);
        let bad = workload(kind, meta.clone(), labels.clone(), spec);
        assert_rejected(&validate(&create(kind, bad), &standard("baseline", "latest")), "violates PodSecurity \"baseline:latest\": privileged (container \"app\" must not set securityContext.privileged=true)", kind);

        // AppArmor annotations count on the pod template's metadata, not on the workload's own.
        let annotation =
            json!({"container.apparmor.security.beta.kubernetes.io/app": "unconfined"});
        let on_template = workload(
            kind,
            meta.clone(),
            json!({"labels": {"app": "w"}, "annotations": annotation}),
            restricted_spec(),
        );
        assert_rejected(&validate(&create(kind, on_template), &standard("baseline", "latest")), "violates PodSecurity \"baseline:latest\": forbidden AppArmor profile (annotation must not set \
             AppArmor profile type to \"container.apparmor.security.beta.kubernetes.io/app=\"unconfined\"\")", kind);
        let mut outer = meta.clone();
        outer["annotations"] = annotation;
        let on_workload = workload(kind, outer, labels.clone(), restricted_spec());
        assert_accepted_unchanged(
            &validate(&create(kind, on_workload), &standard("baseline", "latest")),
            kind,
        );
    }
}

#[test]
fn an_ephemeral_container_is_judged_like_any_container() {
    let mut spec = restricted_spec();
    spec["ephemeralContainers"] =
        json!([{"name": "debug", "image": "busybox", "securityContext": {"privileged": true}}]);
    let req = RequestBuilder::new("Pod", "UPDATE", pod(spec))
        .sub_resource("ephemeralcontainers")
        .old_object(pod(restricted_spec()))
        .build();
    assert_rejected(&validate(&req, &standard("baseline", "latest")), "violates PodSecurity \"baseline:latest\": privileged (container \"debug\" must not set securityContext.privileged=true)", "ephemeral");
}

// ---- versions ----

/// Per version: `None` when allowed, else the denial after the `violates PodSecurity "level:version": ` prefix.
type Verdicts<'a> = Vec<(&'a str, Option<&'a str>)>;

#[test]
fn a_pinned_version_gives_that_versions_verdicts() {
    let mut root = restricted_spec();
    root["securityContext"]["runAsUser"] = json!(0);
    let mut no_seccomp = restricted_spec();
    no_seccomp["securityContext"] = json!({"runAsNonRoot": true});
    let mut escalating = restricted_spec();
    escalating["containers"][0]["securityContext"] = json!({"capabilities": {"drop": ["ALL"]}});
    let keepalive = json!({
        "securityContext": {"sysctls": [{"name": "net.ipv4.tcp_keepalive_time", "value": "600"}]},
        "containers": [{"name": "app", "image": "x"}],
    });
    let probe_host = json!({
        "containers": [{"name": "app", "image": "x",
                        "livenessProbe": {"httpGet": {"host": "10.0.0.1", "port": 8080, "path": "/healthz"}}}],
    });
    let windows = json!({
        "os": {"name": "windows"},
        "securityContext": {"runAsNonRoot": true},
        "containers": [{"name": "app", "image": "mcr.microsoft.com/windows/nanoserver:ltsc2022"}],
    });

    // (level, case, spec, verdicts)
    let runs_as_root = Some("runAsUser=0 (pod must not set runAsUser=0)");
    let seccomp = Some(
        "seccompProfile (pod or container \"app\" must set securityContext.seccompProfile.type to \"RuntimeDefault\" or \"Localhost\")",
    );
    let escalation = Some(
        "allowPrivilegeEscalation != false (container \"app\" must set securityContext.allowPrivilegeEscalation=false)",
    );
    let sysctl = Some("forbidden sysctls (net.ipv4.tcp_keepalive_time)");
    let probe = Some(
        "probe or lifecycle host (container \"app\" uses probe or lifecycle host \"10.0.0.1\")",
    );
    let cases: Vec<(&str, &str, Value, Verdicts)> = vec![
        (
            "restricted",
            "runAsUser 0, from v1.23",
            root,
            vec![
                ("v1.0", None),
                ("v1.22", None),
                ("v1.23", runs_as_root),
                ("latest", runs_as_root),
            ],
        ),
        (
            "restricted",
            "no seccomp profile, from v1.19",
            no_seccomp,
            vec![("v1.18", None), ("v1.19", seccomp), ("latest", seccomp)],
        ),
        (
            "restricted",
            "allowPrivilegeEscalation unset, from v1.8",
            escalating,
            vec![("v1.7", None), ("v1.8", escalation), ("latest", escalation)],
        ),
        (
            "baseline",
            "tcp_keepalive_time, allowed from v1.29",
            keepalive,
            vec![
                ("v1.0", sysctl),
                ("v1.28", sysctl),
                ("v1.29", None),
                ("latest", None),
            ],
        ),
        (
            "baseline",
            "probe host, from v1.34",
            probe_host,
            vec![("v1.33", None), ("v1.34", probe), ("latest", probe)],
        ),
    ];
    for (level, case, spec, verdicts) in cases {
        let req = create("Pod", pod(spec));
        for (version, expected) in verdicts {
            let response = validate(&req, &standard(level, version));
            let case = format!("{case} at {level}:{version}");
            match expected {
                None => assert_accepted_unchanged(&response, &case),
                Some(detail) => assert_rejected(
                    &response,
                    &format!("violates PodSecurity \"{level}:{version}\": {detail}"),
                    &case,
                ),
            }
        }
    }

    // Restricted-only checks skip Windows pods from v1.25 (the baseline checks still apply).
    let req = create("Pod", pod(windows));
    assert_rejected_starting_with(
        &validate(&req, &standard("restricted", "v1.24")),
        "violates PodSecurity \"restricted:v1.24\": allowPrivilegeEscalation != false",
        "windows at v1.24",
    );
    for version in ["v1.25", "latest"] {
        assert_accepted_unchanged(&validate(&req, &standard("restricted", version)), version);
    }
}

// ---- settings ----

#[test]
fn bad_levels_and_versions_are_refused_naming_the_key() {
    let cases = [
        (json!({"level": "privileged"}), "\"privileged\""),
        (json!({"level": "Restricted"}), "\"Restricted\""),
        (json!({"level": ""}), "\"\""),
        (json!({"version": "latest"}), "\"\""),
        (json!({"level": "baseline", "version": "1.25"}), "\"1.25\""),
        (
            json!({"level": "baseline", "version": "v1.025"}),
            "\"v1.025\"",
        ),
        (
            json!({"level": "baseline", "version": "Latest"}),
            "\"Latest\"",
        ),
        (json!({"level": "baseline", "version": "v2.0"}), "\"v2.0\""),
        (
            json!({"level": "baseline", "enforce": "restricted"}),
            "unknown field `enforce`",
        ),
        (json!({"level": "baseline", "version": 25}), "invalid type"),
        (json!("restricted"), "invalid type"),
    ];
    for (standard, needle) in cases {
        // Refused by the policy itself; a request evaluated with such settings is refused too (fail
        // closed), with the same reason.
        let settings = json!({"podSecurityStandard": standard});
        let answer = assert_refused(&settings, &[needle]);
        assert!(
            answer.message().starts_with("podSecurityStandard"),
            "{settings}: {:?}",
            answer.message
        );
    }
    for version in ["latest", "v1.0", "v1.9", "v1.10", "v1.37", "v1.38"] {
        for level in ["baseline", "restricted"] {
            assert_valid_settings(&standard(level, version));
        }
    }
}
