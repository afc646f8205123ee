//! The PSP-field profiles `restricted` and `baseline` through the built module, and where they differ
//! from the Pod Security Standards of the same name (the places the README lists).

mod common;

use common::*;
use serde_json::{json, Value};

/// Breaks many rules at once: host namespaces and port, root, unconfined seccomp, a host path, an unmasked
/// /proc, an added SYS_ADMIN.
fn everything_wrong() -> Value {
    pod(json!({
        "hostNetwork": true,
        "hostPID": true,
        "securityContext": {"runAsUser": 0, "seccompProfile": {"type": "Unconfined"}},
        "containers": [{
            "name": "app",
            "image": "x",
            "ports": [{"containerPort": 80, "hostPort": 80}],
            "securityContext": {"procMount": "Unmasked", "capabilities": {"add": ["SYS_ADMIN"]}},
        }],
        "volumes": [{"name": "h", "hostPath": {"path": "/var/run/docker.sock"}}],
    }))
}

/// What a profile reports of `everything_wrong()`, in order: the host namespaces, the host port, the
/// seccomp profile, the volume type (`volumes`: the allowed list), the root UID when the profile forbids
/// it, the proc mount, and the capability (`capabilities`: the allowed list).
fn everything_wrong_violations(
    volumes: &str,
    root_forbidden: bool,
    capabilities: &str,
) -> Vec<String> {
    let mut violations = vec![
        "spec.hostNetwork: Forbidden: host network is not allowed; allowed: false".to_string(),
        "spec.hostPID: Forbidden: host PID is not allowed; allowed: false".to_string(),
        "spec.containers[0].ports[0].hostPort (container \"app\"): Invalid value: 80: host port is not allowed \
         to be used; allowed: none"
            .to_string(),
        "spec.securityContext.seccompProfile: Invalid value: \"unconfined\": seccomp profile is not allowed; \
         allowed: \"runtime/default\", \"localhost/*\""
            .to_string(),
        format!(
            "spec.volumes[0]: Invalid value: \"hostPath\": hostPath volumes are not allowed to be used; \
             allowed: {volumes}"
        ),
    ];
    if root_forbidden {
        violations.push(
            "spec.securityContext.runAsUser (container \"app\"): Invalid value: 0: running as root is not \
             allowed; allowed: 1-9223372036854775807"
                .to_string(),
        );
    }
    violations.push(
        "spec.containers[0].securityContext.procMount (container \"app\"): Invalid value: \"Unmasked\": proc \
         mount type is not allowed; allowed: \"Default\""
            .to_string(),
    );
    violations.push(format!(
        "spec.containers[0].securityContext.capabilities.add[0] (container \"app\"): Invalid value: \
         \"SYS_ADMIN\": capability SYS_ADMIN may not be added; allowed: {capabilities}"
    ));
    violations
}

#[test]
fn the_restricted_profile() {
    let settings = profile("restricted");
    assert_accepted_unchanged(
        &validate(&create("Pod", pod(restricted_spec())), &settings),
        "PSA's restricted base pod",
    );
    let mut ok = restricted_spec();
    ok["containers"][0]["securityContext"]["capabilities"]["add"] = json!(["NET_BIND_SERVICE"]);
    ok["volumes"] = json!([{"name": "d", "csi": {"driver": "d"}}, {"name": "e", "ephemeral": {}}]);
    assert_accepted_unchanged(
        &validate(&create("Pod", pod(ok)), &settings),
        "NET_BIND_SERVICE, csi",
    );

    // Defaulting fills in what restricted requires; the result passes Pod Security Admission's restricted.
    let req = create(
        "Pod",
        pod(json!({"containers": [{"name": "app", "image": "x"}]})),
    );
    let response = validate(&req, &settings);
    assert_accepted_with_patch(
        &response,
        &req,
        vec![
            add_op(
                "/spec/containers/0/securityContext",
                json!({"allowPrivilegeEscalation": false, "capabilities": {"drop": ["ALL"]}, "runAsNonRoot": true}),
            ),
            add_op(
                "/spec/securityContext",
                json!({"seccompProfile": {"type": "RuntimeDefault"}}),
            ),
        ],
        "restricted defaults",
    );
    let defaulted = response.mutated_object.clone().unwrap();
    let psa = validate(
        &create("Pod", defaulted),
        &json!({"podSecurityStandard": {"level": "restricted"}}),
    );
    assert!(psa.accepted, "{:?}", psa.message);

    assert_psp_rejected(
        &validate(&create("Pod", everything_wrong()), &settings),
        &everything_wrong_violations(
            "\"configMap\", \"csi\", \"downwardAPI\", \"emptyDir\", \"ephemeral\", \
             \"persistentVolumeClaim\", \"projected\", \"secret\"",
            true,
            "\"NET_BIND_SERVICE\"",
        ),
        "everything wrong",
    );
    // Volume types restricted does not allow, one at a time.
    for volume in [
        json!({"nfs": {"server": "s", "path": "/"}}),
        json!({"gitRepo": {"repository": "r"}}),
    ] {
        let mut spec = restricted_spec();
        let mut volume = volume;
        volume["name"] = json!("v");
        spec["volumes"] = json!([volume]);
        assert!(
            !validate(&create("Pod", pod(spec)), &settings).accepted,
            "{volume}"
        );
    }
    // An explicit allowPrivilegeEscalation: true.
    let mut escalating = restricted_spec();
    escalating["containers"][0]["securityContext"]["allowPrivilegeEscalation"] = json!(true);
    assert!(!validate(&create("Pod", pod(escalating)), &settings).accepted);
}

#[test]
fn the_baseline_profile() {
    let settings = profile("baseline");
    // Root, baseline capabilities, nfs, a sysctl of the latest standard: accepted; baseline defaults the
    // seccomp profile (PSP cannot say "unset is fine").
    let req = create(
        "Pod",
        pod(json!({
            "securityContext": {
                "runAsUser": 0,
                "sysctls": [{"name": "net.ipv4.tcp_notsent_lowat", "value": "16384"}],
            },
            "containers": [{
                "name": "app",
                "image": "x",
                "securityContext": {"allowPrivilegeEscalation": true, "capabilities": {"add": ["CHOWN", "NET_BIND_SERVICE"]}},
                "volumeMounts": [{"name": "shared", "mountPath": "/shared"}],
            }],
            "volumes": [{"name": "shared", "nfs": {"server": "s", "path": "/"}}],
        })),
    );
    let response = validate(&req, &settings);
    assert_accepted_with_patch(
        &response,
        &req,
        vec![add_op(
            "/spec/securityContext/seccompProfile",
            json!({"type": "RuntimeDefault"}),
        )],
        "baseline defaults",
    );
    let psa = validate(
        &create("Pod", response.mutated_object.clone().unwrap()),
        &json!({"podSecurityStandard": {"level": "baseline"}}),
    );
    assert!(psa.accepted, "{:?}", psa.message);

    let mut with_seccomp = restricted_spec();
    with_seccomp["securityContext"]["runAsUser"] = json!(0);
    assert_accepted_unchanged(
        &validate(&create("Pod", pod(with_seccomp)), &settings),
        "root, seccomp set",
    );

    assert_psp_rejected(
        &validate(&create("Pod", everything_wrong()), &settings),
        &everything_wrong_violations(
            "\"azureFile\", \"flocker\", \"flexVolume\", \"emptyDir\", \"gcePersistentDisk\", \
             \"awsElasticBlockStore\", \"gitRepo\", \"secret\", \"nfs\", \"iscsi\", \"glusterfs\", \
             \"persistentVolumeClaim\", \"rbd\", \"cinder\", \"cephFS\", \"downwardAPI\", \"fc\", \
             \"configMap\", \"vsphereVolume\", \"quobyte\", \"azureDisk\", \"photonPersistentDisk\", \
             \"storageos\", \"projected\", \"portworxVolume\", \"scaleIO\", \"csi\", \"ephemeral\", \
             \"image\"",
            false,
            "\"AUDIT_WRITE\", \"CHOWN\", \"DAC_OVERRIDE\", \"FOWNER\", \"FSETID\", \"KILL\", \"MKNOD\", \
             \"NET_BIND_SERVICE\", \"SETFCAP\", \"SETGID\", \"SETPCAP\", \"SETUID\", \"SYS_CHROOT\"",
        ),
        "everything wrong",
    );

    let mut privileged = restricted_spec();
    privileged["containers"][0]["securityContext"] = json!({"privileged": true});
    assert_rejected(&validate(&create("Pod", pod(privileged)), &settings), "PodSecurityPolicy: spec.containers[0].securityContext.privileged (container \"app\"): Invalid value: \
         true: privileged containers are not allowed; allowed: false", "privileged");
    let mut unsafe_sysctl = restricted_spec();
    unsafe_sysctl["securityContext"]["sysctls"] =
        json!([{"name": "net.core.somaxconn", "value": "1024"}]);
    assert_rejected(&validate(&create("Pod", pod(unsafe_sysctl)), &settings), "PodSecurityPolicy: spec.securityContext.sysctls[0].name: Invalid value: \"net.core.somaxconn\": sysctl is \
         neither a safe sysctl nor in allowedUnsafeSysctls; allowed: none", "unsafe sysctl");
}

/// `(level, the profile accepts, the standard accepts)`.
type LevelVerdicts = (&'static str, bool, bool);

/// Where the `restricted` and `baseline` profiles and the standards of the same name give different verdicts:
/// the places the README lists, where PSP fields cannot say what the standard says. Each case is PSA's
/// restricted base pod with one change; `(profile accepts, standard accepts)` per level.
#[test]
fn where_the_psp_profiles_differ_from_the_standards() {
    let edit = |change: &dyn Fn(&mut Value)| {
        let mut spec = restricted_spec();
        change(&mut spec);
        pod(spec)
    };
    let cases: Vec<(&str, Value, [LevelVerdicts; 2])> = vec![
        (
            "runAsUser 1000 without runAsNonRoot (PSP's MustRunAsNonRoot accepts a non-zero UID)",
            edit(&|s| {
                s["securityContext"] =
                    json!({"runAsUser": 1000, "seccompProfile": {"type": "RuntimeDefault"}})
            }),
            [("restricted", true, false), ("baseline", true, true)],
        ),
        (
            "AppArmor unconfined (no PSP field allows unset but forbids unconfined)",
            pod_with(
                json!({"container.apparmor.security.beta.kubernetes.io/app": "unconfined"}),
                restricted_spec(),
            ),
            [("restricted", true, false), ("baseline", true, false)],
        ),
        (
            "SELinux type spc_t (PSP: one exact set of options, or any)",
            edit(&|s| s["securityContext"]["seLinuxOptions"] = json!({"type": "spc_t"})),
            [("restricted", true, false), ("baseline", true, false)],
        ),
        (
            "a probe host (no PSP field)",
            edit(&|s| {
                s["containers"][0]["readinessProbe"] =
                    json!({"tcpSocket": {"host": "10.0.0.1", "port": 80}})
            }),
            [("restricted", true, false), ("baseline", true, false)],
        ),
        (
            "capability `chown` (one capability, two spellings: PSA compares strings)",
            edit(&|s| {
                s["containers"][0]["securityContext"]["capabilities"] = json!({"add": ["chown"]});
            }),
            [("restricted", false, false), ("baseline", true, false)],
        ),
        (
            "runAsNonRoot: false in a user namespace (PSA relaxes it from v1.35)",
            edit(&|s| {
                s["hostUsers"] = json!(false);
                s["securityContext"]["runAsNonRoot"] = json!(false);
            }),
            [("restricted", false, true), ("baseline", true, true)],
        ),
        (
            "procMount Unmasked in a user namespace (baseline relaxes it from v1.35)",
            edit(&|s| {
                s["hostUsers"] = json!(false);
                s["containers"][0]["securityContext"]["procMount"] = json!("Unmasked");
            }),
            [("restricted", false, false), ("baseline", false, true)],
        ),
    ];
    for (case, object, verdicts) in cases {
        let req = create("Pod", object);
        for (level, profile_accepts, standard_accepts) in verdicts {
            let by_profile = validate(&req, &profile(level));
            let by_standard = validate(&req, &json!({"podSecurityStandard": {"level": level}}));
            assert_eq!(
                (by_profile.accepted, by_standard.accepted),
                (profile_accepts, standard_accepts),
                "{case} at {level}: profile {:?}, standard {:?}",
                by_profile.message,
                by_standard.message
            );
        }
    }

    // Baseline allows an unset seccomp profile; the baseline profile defaults it (PSP cannot say "unset is
    // fine, but not Unconfined").
    let mut unset = restricted_spec();
    unset["securityContext"] = json!({"runAsNonRoot": true});
    let req = create("Pod", pod(unset));
    assert_eq!(
        validate(&req, &profile("baseline")).patch(&req),
        vec![add_op(
            "/spec/securityContext/seccompProfile",
            json!({"type": "RuntimeDefault"})
        )]
    );
    assert_accepted_unchanged(
        &validate(&req, &json!({"podSecurityStandard": {"level": "baseline"}})),
        "baseline standard, seccomp unset",
    );

    // Restricted exempts Windows pods from its restricted-only checks; the restricted profile defaults Linux
    // fields into them (which the API server refuses for `os.name: windows`).
    let windows = create(
        "Pod",
        pod(json!({
            "os": {"name": "windows"},
            "securityContext": {"runAsNonRoot": true},
            "containers": [{"name": "app", "image": "x"}],
        })),
    );
    assert_accepted_unchanged(
        &validate(
            &windows,
            &json!({"podSecurityStandard": {"level": "restricted"}}),
        ),
        "windows, restricted standard",
    );
    let by_profile = validate(&windows, &profile("restricted"));
    assert_accepted_with_patch(
        &by_profile,
        &windows,
        vec![
            add_op(
                "/spec/containers/0/securityContext",
                json!({"allowPrivilegeEscalation": false, "capabilities": {"drop": ["ALL"]}}),
            ),
            add_op(
                "/spec/securityContext/seccompProfile",
                json!({"type": "RuntimeDefault"}),
            ),
        ],
        "windows, restricted profile",
    );
}
