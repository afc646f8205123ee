//! Issue 2, end to end through the built `policy.wasm`: every PodSecurityPolicy settings field accepts
//! what PSP accepted and rejects what PSP rejected, with a message naming the field path and what is
//! allowed; `validate_settings` refuses bad settings naming the key; one rejection lists every
//! violation.
//!
//! Field cases run with `"mutating": false` (pure validation); defaulting is in `defaulting.rs`.

mod common;

use common::*;
use serde_json::{json, Value};

/// One request against one settings document, and the verdict expected: accepted unchanged when
/// `violations` is empty, else rejected with exactly these violations (in order).
struct Case {
    name: &'static str,
    settings: Value,
    annotations: Value,
    spec: Value,
    violations: Vec<&'static str>,
}

fn case(name: &'static str, settings: Value, spec: Value, violations: Vec<&'static str>) -> Case {
    Case {
        name,
        settings,
        annotations: Value::Null,
        spec,
        violations,
    }
}

fn annotated(
    name: &'static str,
    settings: Value,
    annotations: Value,
    spec: Value,
    violations: Vec<&'static str>,
) -> Case {
    Case {
        name,
        settings,
        annotations,
        spec,
        violations,
    }
}

/// Runs every case (settings through [`validating`]) and reports every mismatch at once.
fn check(cases: Vec<Case>) {
    let mut accepted = 0;
    let mut rejected = 0;
    for c in &cases {
        let s = validating(c.settings.clone());
        let response = validate(
            &create("Pod", pod_with(c.annotations.clone(), c.spec.clone())),
            &s,
        );
        let context = format!("case {:?} (settings {})", c.name, c.settings);
        if c.violations.is_empty() {
            assert_accepted_unchanged(&response, &context);
            accepted += 1;
        } else {
            assert_rejected(&response, &psp_message(&c.violations), &context);
            rejected += 1;
        }
    }
    // Every field is shown both ways.
    assert!(
        accepted > 0 && rejected > 0,
        "{accepted} accepted, {rejected} rejected"
    );
}

fn sc(value: Value) -> Value {
    one_container(value)
}

fn no_sc() -> Value {
    one_container(Value::Null)
}

#[test]
fn privileged_is_rejected_unless_the_policy_allows_it() {
    let privileged = sc(json!({"privileged": true}));
    check(vec![
        case("unset setting means false", json!({}), privileged.clone(), vec![
            "spec.containers[0].securityContext.privileged: Invalid value: true: privileged containers are not allowed",
        ]),
        case("privileged: false", json!({"privileged": false}), privileged.clone(), vec![
            "spec.containers[0].securityContext.privileged: Invalid value: true: privileged containers are not allowed",
        ]),
        case("explicit false is fine", json!({"privileged": false}), sc(json!({"privileged": false})), vec![]),
        case("unset is fine", json!({"privileged": false}), no_sc(), vec![]),
        case("privileged: true allows it", json!({"privileged": true}), privileged, vec![]),
    ]);
}

#[test]
fn default_add_capabilities_may_be_added_even_when_not_in_allowed_capabilities() {
    let adds = |caps: Value| sc(json!({"capabilities": {"add": caps}}));
    let settings = json!({"defaultAddCapabilities": ["NET_BIND_SERVICE"]});
    check(vec![
        case("a default-added capability", settings.clone(), adds(json!(["NET_BIND_SERVICE"])), vec![]),
        case("nothing added", settings.clone(), no_sc(), vec![]),
        case("another capability", settings.clone(), adds(json!(["NET_BIND_SERVICE", "SYS_TIME"])), vec![
            "spec.containers[0].securityContext.capabilities.add[1]: Invalid value: \"SYS_TIME\": capability SYS_TIME may not be added; allowed: \"NET_BIND_SERVICE\"",
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
            "spec.containers[0].securityContext.capabilities.drop must be set to include \"SYS_ADMIN\" (container \"app\")",
        ]),
        case("no securityContext (no defaulting)", settings.clone(), no_sc(), vec![
            "spec.containers[0].securityContext.capabilities.drop must be set to include \"NET_RAW\", \"SYS_ADMIN\" (container \"app\")",
        ]),
        case("a required drop added back", settings.clone(), caps(json!(["CAP_NET_RAW"]), json!(["NET_RAW", "SYS_ADMIN"])), vec![
            "spec.containers[0].securityContext.capabilities.add[0]: Invalid value: \"CAP_NET_RAW\": NET_RAW is required to be dropped and may not be added",
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
            "spec.containers[0].securityContext.capabilities.add[0]: Invalid value: \"SYS_ADMIN\": capability SYS_ADMIN may not be added; allowed: \"NET_ADMIN\", \"CHOWN\"",
        ]),
        case("not allowed, lower case", settings.clone(), adds(json!(["cap_sys_admin"])), vec![
            "spec.containers[0].securityContext.capabilities.add[0]: Invalid value: \"cap_sys_admin\": capability SYS_ADMIN may not be added; allowed: \"NET_ADMIN\", \"CHOWN\"",
        ]),
        case("no allowed list: nothing may be added", json!({}), adds(json!(["CHOWN"])), vec![
            "spec.containers[0].securityContext.capabilities.add[0]: Invalid value: \"CHOWN\": capability CHOWN may not be added; allowed: none",
        ]),
        case("wildcard", json!({"allowedCapabilities": ["*"]}), adds(json!(["SYS_ADMIN", "NET_RAW"])), vec![]),
    ]);
}

#[test]
fn volumes_allow_only_the_listed_types() {
    let with_volume =
        |volume: Value| json!({"containers": [container("app", Value::Null)], "volumes": [volume]});
    let settings = json!({"volumes": ["configMap", "emptyDir"]});
    check(vec![
        case("configMap", settings.clone(), with_volume(json!({"name": "v", "configMap": {"name": "c"}})), vec![]),
        case("a volume without source is an emptyDir", settings.clone(), with_volume(json!({"name": "v"})), vec![]),
        case("hostPath", settings.clone(), with_volume(json!({"name": "v", "hostPath": {"path": "/etc"}})), vec![
            "spec.volumes[0]: Invalid value: \"hostPath\": hostPath volumes are not allowed to be used; allowed: \"configMap\", \"emptyDir\"",
        ]),
        case("secret", settings.clone(), with_volume(json!({"name": "v", "secret": {"secretName": "s"}})), vec![
            "spec.volumes[0]: Invalid value: \"secret\": secret volumes are not allowed to be used; allowed: \"configMap\", \"emptyDir\"",
        ]),
        case("volumes: null means none allowed", json!({"volumes": null}), with_volume(json!({"name": "v", "emptyDir": {}})), vec![
            "spec.volumes[0]: Invalid value: \"emptyDir\": emptyDir volumes are not allowed to be used; allowed: none",
        ]),
        case("volumes: null, pod without volumes", json!({"volumes": null}), no_sc(), vec![]),
        case("wildcard", json!({"volumes": ["*"]}), with_volume(json!({"name": "v", "nfs": {"server": "s", "path": "/"}})), vec![]),
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
            vec!["spec.hostNetwork: Invalid value: true: host network is not allowed to be used"],
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
            vec!["spec.hostPID: Invalid value: true: host PID is not allowed to be used"],
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
            vec!["spec.hostIPC: Invalid value: true: host IPC is not allowed to be used"],
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
            "spec.containers[0].ports[0].hostPort: Invalid value: 9090: host port 9090 is not allowed to be used; allowed host ports: 8000-8080, 443",
        ]),
        case("none allowed", json!({}), ports(json!([{"containerPort": 80, "hostPort": 80}])), vec![
            "spec.containers[0].ports[0].hostPort: Invalid value: 80: host port 80 is not allowed to be used; no host ports are allowed",
        ]),
    ]);
}

#[test]
fn selinux_must_run_as_the_given_options() {
    let settings = json!({"seLinux": {"rule": "MustRunAs", "seLinuxOptions": {"user": "system_u", "role": "system_r", "type": "container_t", "level": "s0:c123,c456"}}});
    let options = |o: Value| json!({"securityContext": {"seLinuxOptions": o}, "containers": [container("app", Value::Null)]});
    let good = json!({"user": "system_u", "role": "system_r", "type": "container_t", "level": "s0:c456,c123"});
    check(vec![
        case("same options, categories in any order", settings.clone(), options(good.clone()), vec![]),
        case("other type", settings.clone(), options(json!({"user": "system_u", "role": "system_r", "type": "spc_t", "level": "s0:c123,c456"})), vec![
            "spec.securityContext.seLinuxOptions.type: Invalid value: \"spc_t\": must be \"container_t\"",
        ]),
        case("unset (no defaulting)", settings.clone(), no_sc(), vec![
            "spec.securityContext.seLinuxOptions must be set (the seLinux rule is MustRunAs)",
        ]),
        case("a container's own options", settings.clone(), json!({"securityContext": {"seLinuxOptions": good}, "containers": [
            container("app", json!({"seLinuxOptions": {"user": "system_u", "role": "system_r", "type": "container_t", "level": "s0"}}))]}), vec![
            "spec.containers[0].securityContext.seLinuxOptions.level: Invalid value: \"s0\": must be \"s0:c123,c456\"",
        ]),
        case("RunAsAny", json!({"seLinux": {"rule": "RunAsAny"}}), options(json!({"type": "spc_t"})), vec![]),
    ]);
}

#[test]
fn run_as_user_rules() {
    let must = json!({"runAsUser": {"rule": "MustRunAs", "ranges": [{"min": 1000, "max": 2000}]}});
    let non_root = json!({"runAsUser": {"rule": "MustRunAsNonRoot"}});
    check(vec![
        case("MustRunAs inside", must.clone(), sc(json!({"runAsUser": 1500})), vec![]),
        case("MustRunAs from the pod", must.clone(), json!({"securityContext": {"runAsUser": 2000}, "containers": [container("app", Value::Null)]}), vec![]),
        case("MustRunAs outside", must.clone(), sc(json!({"runAsUser": 999})), vec![
            "spec.containers[0].securityContext.runAsUser: Invalid value: 999: container \"app\": UID must be in the ranges: 1000-2000",
        ]),
        case("MustRunAs outside, from the pod", must.clone(), json!({"securityContext": {"runAsUser": 0}, "containers": [container("app", Value::Null)]}), vec![
            "spec.securityContext.runAsUser: Invalid value: 0: container \"app\": UID must be in the ranges: 1000-2000",
        ]),
        case("MustRunAs unset", must, no_sc(), vec![
            "spec.containers[0].securityContext.runAsUser must be set (allowed UIDs: 1000-2000)",
        ]),
        case("MustRunAsNonRoot with runAsNonRoot", non_root.clone(), sc(json!({"runAsNonRoot": true})), vec![]),
        case("MustRunAsNonRoot with a UID", non_root.clone(), sc(json!({"runAsUser": 1000})), vec![]),
        case("MustRunAsNonRoot with root", non_root.clone(), sc(json!({"runAsUser": 0})), vec![
            "spec.containers[0].securityContext.runAsUser: Invalid value: 0: container \"app\": running with the root UID is forbidden",
        ]),
        case("MustRunAsNonRoot with runAsNonRoot: false", non_root.clone(), sc(json!({"runAsNonRoot": false, "runAsUser": 1000})), vec![
            "spec.containers[0].securityContext.runAsNonRoot: Invalid value: false: container \"app\" must not run as root: runAsNonRoot must be true",
        ]),
        case("MustRunAsNonRoot unset", non_root, no_sc(), vec![
            "spec.containers[0].securityContext.runAsNonRoot must be set to true (or runAsUser to a non-zero UID)",
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
            "spec.containers[0].securityContext.runAsGroup: Invalid value: 0: group 0 must be in the ranges: 100-200",
        ]),
        case("MustRunAs unset", must, no_sc(), vec![
            "spec.containers[0].securityContext.runAsGroup must be set (allowed groups: 100-200)",
        ]),
        case("MayRunAs unset", may.clone(), no_sc(), vec![]),
        case("MayRunAs outside", may, json!({"securityContext": {"runAsGroup": 201}, "containers": [container("app", Value::Null)]}), vec![
            "spec.securityContext.runAsGroup: Invalid value: 201: group 201 must be in the ranges: 100-200",
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
            "spec.securityContext.supplementalGroups[1]: Invalid value: 300: group 300 must be in the ranges: 100-200, 500",
        ]),
        case("MustRunAs unset", must, no_sc(), vec![
            "spec.securityContext.supplementalGroups must be set (allowed groups: 100-200, 500)",
        ]),
        case("MayRunAs unset", may.clone(), no_sc(), vec![]),
        case("MayRunAs outside", may, groups(json!([0])), vec![
            "spec.securityContext.supplementalGroups[0]: Invalid value: 0: group 0 must be in the ranges: 100-200",
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
            "spec.securityContext.fsGroup: Invalid value: 5: group 5 must be in the ranges: 1000",
        ]),
        case("MustRunAs unset", must, no_sc(), vec![
            "spec.securityContext.fsGroup must be set (allowed groups: 1000)",
        ]),
        case("MayRunAs unset", may.clone(), no_sc(), vec![]),
        case("MayRunAs outside", may, fs_group(json!(0)), vec![
            "spec.securityContext.fsGroup: Invalid value: 0: group 0 must be in the ranges: 1000-2000",
        ]),
        case("RunAsAny", json!({}), fs_group(json!(0)), vec![]),
    ]);
}

#[test]
fn read_only_root_filesystem_must_be_true_when_required() {
    let settings = json!({"readOnlyRootFilesystem": true});
    check(vec![
        case("true", settings.clone(), sc(json!({"readOnlyRootFilesystem": true})), vec![]),
        case("explicit false", settings.clone(), sc(json!({"readOnlyRootFilesystem": false})), vec![
            "spec.containers[0].securityContext.readOnlyRootFilesystem: Invalid value: false: must be true: the root filesystem must be read-only",
        ]),
        case("unset (no defaulting)", settings, no_sc(), vec![
            "spec.containers[0].securityContext.readOnlyRootFilesystem must be set to true",
        ]),
        case("not required", json!({"readOnlyRootFilesystem": false}), sc(json!({"readOnlyRootFilesystem": false})), vec![]),
    ]);
}

#[test]
fn allow_privilege_escalation_false_requires_false() {
    let settings = json!({"allowPrivilegeEscalation": false});
    check(vec![
        case("false", settings.clone(), sc(json!({"allowPrivilegeEscalation": false})), vec![]),
        case("true", settings.clone(), sc(json!({"allowPrivilegeEscalation": true})), vec![
            "spec.containers[0].securityContext.allowPrivilegeEscalation: Invalid value: true: privilege escalation is not allowed; must be false",
        ]),
        case("unset (no defaulting)", settings, no_sc(), vec![
            "spec.containers[0].securityContext.allowPrivilegeEscalation must be set to false",
        ]),
        case("PSP's default is true: anything", json!({}), sc(json!({"allowPrivilegeEscalation": true})), vec![]),
    ]);
}

#[test]
fn default_allow_privilege_escalation_is_a_default_not_a_restriction() {
    let settings = json!({"defaultAllowPrivilegeEscalation": false});
    check(vec![
        case("explicit true still allowed", settings.clone(), sc(json!({"allowPrivilegeEscalation": true})), vec![]),
        case("unset allowed", settings.clone(), no_sc(), vec![]),
        case("with allowPrivilegeEscalation: false, true is rejected",
            json!({"defaultAllowPrivilegeEscalation": false, "allowPrivilegeEscalation": false}),
            sc(json!({"allowPrivilegeEscalation": true})), vec![
            "spec.containers[0].securityContext.allowPrivilegeEscalation: Invalid value: true: privilege escalation is not allowed; must be false",
        ]),
    ]);
    // A default that contradicts the restriction is refused, and a request evaluated with it rejected.
    let contradictory = validating(
        json!({"defaultAllowPrivilegeEscalation": true, "allowPrivilegeEscalation": false}),
    );
    let response = validate(&create("Pod", pod(no_sc())), &contradictory);
    assert_rejected(
        &response,
        "invalid settings: defaultAllowPrivilegeEscalation: cannot be true when allowPrivilegeEscalation is false",
        "contradictory settings",
    );
}

fn host_path_pod(path: &str, mounts: Value) -> Value {
    json!({
        "volumes": [{"name": "h", "hostPath": {"path": path}}],
        "containers": [{"name": "app", "image": "i", "volumeMounts": mounts}],
    })
}

#[test]
fn allowed_host_paths_match_whole_segments_and_enforce_read_only_mounts() {
    let settings = json!({
        "volumes": ["hostPath", "emptyDir"],
        "allowedHostPaths": [{"pathPrefix": "/data/ai", "readOnly": true}, {"pathPrefix": "/var/log/app"}],
    });
    let ro = json!([{"name": "h", "mountPath": "/m", "readOnly": true}]);
    let rw = json!([{"name": "h", "mountPath": "/m"}]);
    check(vec![
        case("under a read-only prefix, mounted read-only", settings.clone(), host_path_pod("/data/ai/models", ro.clone()), vec![]),
        case("the prefix itself, trailing slash", settings.clone(), host_path_pod("/data/ai/", ro.clone()), vec![]),
        case("under a writable prefix, mounted writable", settings.clone(), host_path_pod("/var/log/app/x", rw.clone()), vec![]),
        case("under a read-only prefix, mounted writable", settings.clone(), host_path_pod("/data/ai/models", rw), vec![
            "spec.containers[0].volumeMounts[0].readOnly: Invalid value: false: host path \"/data/ai/models\" must be mounted read-only",
        ]),
        case("a sibling sharing the prefix's characters", settings.clone(), host_path_pod("/data/aix", ro.clone()), vec![
            "spec.volumes[0].hostPath.path: Invalid value: \"/data/aix\": host path is not allowed to be used; allowed path prefixes: \"/data/ai\", \"/var/log/app\"",
        ]),
        case("escaping with ..", settings.clone(), host_path_pod("/data/ai/../../etc", ro.clone()), vec![
            "spec.volumes[0].hostPath.path: Invalid value: \"/data/ai/../../etc\": host path is not allowed to be used; allowed path prefixes: \"/data/ai\", \"/var/log/app\"",
        ]),
        case("no allowedHostPaths: any path", json!({"volumes": ["hostPath"]}), host_path_pod("/etc", json!([{"name": "h", "mountPath": "/m"}])), vec![]),
        case("empty allowedHostPaths: any path", json!({"volumes": ["hostPath"], "allowedHostPaths": []}), host_path_pod("/", ro), vec![]),
    ]);
}

#[test]
fn a_writable_prefix_inside_a_read_only_one_allows_writing_and_every_container_kind_is_checked() {
    // PSP's AllowsHostVolumePath: one writable prefix that matches is enough to write.
    let settings = json!({
        "volumes": ["hostPath"],
        "allowedHostPaths": [{"pathPrefix": "/data", "readOnly": true}, {"pathPrefix": "/data/scratch"}],
    });
    let spec = |path: &str| {
        json!({
            "volumes": [{"name": "h", "hostPath": {"path": path}}],
            "initContainers": [{"name": "init", "image": "i", "volumeMounts": [{"name": "h", "mountPath": "/m", "readOnly": true}]}],
            "containers": [{"name": "app", "image": "i", "volumeMounts": [{"name": "h", "mountPath": "/m"}]}],
            "ephemeralContainers": [{"name": "debug", "image": "i", "volumeMounts": [{"name": "h", "mountPath": "/m", "readOnly": false}]}],
        })
    };
    check(vec![
        case("under the writable prefix", settings.clone(), spec("/data/scratch/run"), vec![]),
        case("under the read-only prefix only", settings.clone(), spec("/data/models"), vec![
            "spec.containers[0].volumeMounts[0].readOnly: Invalid value: false: host path \"/data/models\" must be mounted read-only",
            "spec.ephemeralContainers[0].volumeMounts[0].readOnly: Invalid value: false: host path \"/data/models\" must be mounted read-only",
        ]),
        case("a sibling of the writable prefix", settings, spec("/data/scratchy"), vec![
            "spec.containers[0].volumeMounts[0].readOnly: Invalid value: false: host path \"/data/scratchy\" must be mounted read-only",
            "spec.ephemeralContainers[0].volumeMounts[0].readOnly: Invalid value: false: host path \"/data/scratchy\" must be mounted read-only",
        ]),
    ]);
}

#[test]
fn allowed_flex_volumes_limit_flex_drivers() {
    let flex = |driver: &str| json!({"volumes": [{"name": "f", "flexVolume": {"driver": driver}}], "containers": [container("app", Value::Null)]});
    let settings = json!({"allowedFlexVolumes": [{"driver": "example.com/lvm"}]});
    check(vec![
        case("listed driver", settings.clone(), flex("example.com/lvm"), vec![]),
        case("other driver", settings, flex("example.com/cifs"), vec![
            "spec.volumes[0].flexVolume.driver: Invalid value: \"example.com/cifs\": flexVolume driver is not allowed; allowed: \"example.com/lvm\"",
        ]),
        case("empty list: any driver", json!({"allowedFlexVolumes": []}), flex("example.com/cifs"), vec![]),
        case("flexVolume type not allowed", json!({"volumes": ["emptyDir"], "allowedFlexVolumes": [{"driver": "example.com/lvm"}]}), flex("example.com/lvm"), vec![
            "spec.volumes[0]: Invalid value: \"flexVolume\": flexVolume volumes are not allowed to be used; allowed: \"emptyDir\"",
        ]),
    ]);
}

#[test]
fn allowed_csi_drivers_limit_inline_csi_volumes() {
    let csi = |driver: &str| json!({"volumes": [{"name": "c", "csi": {"driver": driver}}], "containers": [container("app", Value::Null)]});
    let settings = json!({"allowedCSIDrivers": [{"name": "ebs.csi.aws.com"}]});
    check(vec![
        case("listed driver", settings.clone(), csi("ebs.csi.aws.com"), vec![]),
        case("other driver", settings, csi("secrets-store.csi.k8s.io"), vec![
            "spec.volumes[0].csi.driver: Invalid value: \"secrets-store.csi.k8s.io\": inline CSI driver is not allowed; allowed: \"ebs.csi.aws.com\"",
        ]),
        case("empty list: any driver", json!({"allowedCSIDrivers": []}), csi("secrets-store.csi.k8s.io"), vec![]),
    ]);
}

fn sysctls(names: &[&str]) -> Value {
    let list: Vec<Value> = names
        .iter()
        .map(|n| json!({"name": n, "value": "1"}))
        .collect();
    json!({"securityContext": {"sysctls": list}, "containers": [container("app", Value::Null)]})
}

#[test]
fn allowed_unsafe_sysctls_admit_unsafe_sysctls_beside_the_safe_set() {
    let settings = json!({"allowedUnsafeSysctls": ["net.core.*", "kernel.msgmax"]});
    check(vec![
        case("safe sysctls need nothing", json!({}), sysctls(&["kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range"]), vec![]),
        case("allowed by pattern and by name", settings.clone(), sysctls(&["net.core.somaxconn", "kernel.msgmax", "net.ipv4.tcp_syncookies"]), vec![]),
        case("slash-separated name", settings.clone(), sysctls(&["net/core/somaxconn"]), vec![]),
        case("unsafe, not allowed", settings, sysctls(&["net.core.somaxconn", "kernel.msgmnb"]), vec![
            "spec.securityContext.sysctls[1].name: Invalid value: \"kernel.msgmnb\": sysctl is not allowed: it is neither a safe sysctl nor in allowedUnsafeSysctls (\"net.core.*\", \"kernel.msgmax\")",
        ]),
        case("unsafe, none allowed", json!({}), sysctls(&["vm.swappiness"]), vec![
            "spec.securityContext.sysctls[0].name: Invalid value: \"vm.swappiness\": sysctl is not allowed: it is neither a safe sysctl nor in allowedUnsafeSysctls (none)",
        ]),
    ]);
}

#[test]
fn forbidden_sysctls_win_over_the_safe_set() {
    let settings = json!({"forbiddenSysctls": ["kernel.shm_rmid_forced", "net.ipv4.tcp_*"]});
    check(vec![
        case("a safe sysctl not forbidden", settings.clone(), sysctls(&["net.ipv4.ip_local_port_range"]), vec![]),
        case("a forbidden safe sysctl", settings.clone(), sysctls(&["kernel.shm_rmid_forced"]), vec![
            "spec.securityContext.sysctls[0].name: Invalid value: \"kernel.shm_rmid_forced\": sysctl is not allowed: it is forbidden by forbiddenSysctls (\"kernel.shm_rmid_forced\")",
        ]),
        case("forbidden by pattern", settings, sysctls(&["net.ipv4.tcp_syncookies"]), vec![
            "spec.securityContext.sysctls[0].name: Invalid value: \"net.ipv4.tcp_syncookies\": sysctl is not allowed: it is forbidden by forbiddenSysctls (\"net.ipv4.tcp_*\")",
        ]),
    ]);
}

#[test]
fn allowed_proc_mount_types_default_to_default_only() {
    let unmasked = sc(json!({"procMount": "Unmasked"}));
    check(vec![
        case("absent: Unmasked refused", json!({}), unmasked.clone(), vec![
            "spec.containers[0].securityContext.procMount: Invalid value: \"Unmasked\": proc mount type is not allowed; allowed: \"Default\"",
        ]),
        case("empty list means [Default]", json!({"allowedProcMountTypes": []}), unmasked.clone(), vec![
            "spec.containers[0].securityContext.procMount: Invalid value: \"Unmasked\": proc mount type is not allowed; allowed: \"Default\"",
        ]),
        case("explicit Default", json!({}), sc(json!({"procMount": "Default"})), vec![]),
        case("Unmasked allowed", json!({"allowedProcMountTypes": ["Default", "Unmasked"]}), unmasked, vec![]),
    ]);
}

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
            "spec.runtimeClassName: Invalid value: \"kata\": no RuntimeClass may be set",
        ]),
        case("wildcard", json!({"runtimeClass": {"allowedRuntimeClassNames": ["*"]}}), class("runc"), vec![]),
        case("no runtimeClass key: any", json!({}), class("runc"), vec![]),
    ]);
}

/// The seccomp settings in either spelling: PSP's annotations or the `seccomp` key.
fn seccomp_settings(spelling: &str, allowed: &str, default: Option<&str>) -> Value {
    match spelling {
        "annotations" => {
            let mut a =
                json!({"seccomp.security.alpha.kubernetes.io/allowedProfileNames": allowed});
            if let Some(d) = default {
                a["seccomp.security.alpha.kubernetes.io/defaultProfileName"] = json!(d);
            }
            json!({"annotations": a})
        }
        _ => {
            let names: Vec<&str> = allowed.split(',').collect();
            let mut s = json!({"allowedProfileNames": names});
            if let Some(d) = default {
                s["defaultProfileName"] = json!(d);
            }
            json!({"seccomp": s})
        }
    }
}

fn apparmor_settings(spelling: &str, allowed: &str, default: Option<&str>) -> Value {
    match spelling {
        "annotations" => {
            let mut a =
                json!({"apparmor.security.beta.kubernetes.io/allowedProfileNames": allowed});
            if let Some(d) = default {
                a["apparmor.security.beta.kubernetes.io/defaultProfileName"] = json!(d);
            }
            json!({"annotations": a})
        }
        _ => {
            let names: Vec<&str> = allowed.split(',').collect();
            let mut s = json!({"allowedProfileNames": names});
            if let Some(d) = default {
                s["defaultProfileName"] = json!(d);
            }
            json!({"appArmor": s})
        }
    }
}

fn seccomp_cases(spelling: &str) -> Vec<Case> {
    let settings = seccomp_settings(
        spelling,
        "runtime/default,localhost/profiles/audit.json",
        None,
    );
    let pod_profile = |p: Value| json!({"securityContext": {"seccompProfile": p}, "containers": [container("app", Value::Null)]});
    let audit = json!({"type": "Localhost", "localhostProfile": "profiles/audit.json"});
    vec![
        case("pod RuntimeDefault", settings.clone(), pod_profile(json!({"type": "RuntimeDefault"})), vec![]),
        case("container Localhost on the list", settings.clone(), sc(json!({"seccompProfile": audit})), vec![]),
        annotated("pod annotation on the list", settings.clone(), json!({"seccomp.security.alpha.kubernetes.io/pod": "runtime/default"}), no_sc(), vec![]),
        case("pod Unconfined", settings.clone(), pod_profile(json!({"type": "Unconfined"})), vec![
            "spec.securityContext.seccompProfile: Invalid value: \"unconfined\": seccomp profile is not allowed; allowed: \"runtime/default\", \"localhost/profiles/audit.json\"",
        ]),
        case("a localhost profile that only ends like an allowed one", settings.clone(), sc(json!({"seccompProfile": {"type": "Localhost", "localhostProfile": "evil/profiles/audit.json"}})), vec![
            "spec.containers[0].securityContext.seccompProfile: Invalid value: \"localhost/evil/profiles/audit.json\": seccomp profile is not allowed; allowed: \"runtime/default\", \"localhost/profiles/audit.json\"",
        ]),
        annotated("container annotation unconfined, field allowed", settings.clone(),
            json!({"container.seccomp.security.alpha.kubernetes.io/app": "unconfined"}),
            pod_profile(json!({"type": "RuntimeDefault"})), vec![
            "metadata.annotations[container.seccomp.security.alpha.kubernetes.io/app]: Invalid value: \"unconfined\": seccomp profile is not allowed; allowed: \"runtime/default\", \"localhost/profiles/audit.json\"",
        ]),
        case("no profile anywhere (no defaulting)", settings.clone(), no_sc(), vec![
            "spec.containers[0].securityContext.seccompProfile must be set here or in spec.securityContext.seccompProfile (allowed: \"runtime/default\", \"localhost/profiles/audit.json\")",
        ]),
        case("wildcard", seccomp_settings(spelling, "*", None), pod_profile(json!({"type": "Unconfined"})), vec![]),
    ]
}

#[test]
fn seccomp_allowed_profile_names_annotation() {
    check(seccomp_cases("annotations"));
}

#[test]
fn seccomp_allowed_profile_names_friendly_key() {
    check(seccomp_cases("seccomp"));
}

#[test]
fn without_a_seccomp_allow_list_no_profile_may_be_set() {
    check(vec![
        case("nothing set", json!({}), no_sc(), vec![]),
        case("pod profile set", json!({}), json!({"securityContext": {"seccompProfile": {"type": "RuntimeDefault"}}, "containers": [container("app", Value::Null)]}), vec![
            "spec.securityContext.seccompProfile: Forbidden: seccomp may not be set (the policy allows no seccomp profile; found \"runtime/default\")",
        ]),
    ]);
}

fn seccomp_default_cases(spelling: &str) -> Vec<Case> {
    let settings = seccomp_settings(
        spelling,
        "runtime/default,unconfined",
        Some("runtime/default"),
    );
    vec![
        case("a profile set by the pod", settings.clone(), sc(json!({"seccompProfile": {"type": "Unconfined"}})), vec![]),
        case("no profile and no defaulting", settings, no_sc(), vec![
            "spec.containers[0].securityContext.seccompProfile must be set here or in spec.securityContext.seccompProfile (allowed: \"runtime/default\", \"unconfined\")",
        ]),
    ]
}

#[test]
fn seccomp_default_profile_name_annotation() {
    check(seccomp_default_cases("annotations"));
    default_profile_settings_are_checked("annotations", "seccomp", seccomp_settings);
}

#[test]
fn seccomp_default_profile_name_friendly_key() {
    check(seccomp_default_cases("seccomp"));
    default_profile_settings_are_checked("seccomp", "seccomp", seccomp_settings);
}

/// A default outside the allow-list is refused by name, and a request under it rejected.
fn default_profile_settings_are_checked(
    spelling: &str,
    key: &str,
    build: fn(&str, &str, Option<&str>) -> Value,
) {
    let bad = validating(build(spelling, "runtime/default", Some("localhost/other")));
    let response = validate(&create("Pod", pod(no_sc())), &bad);
    assert_rejected(
        &response,
        &format!(
            "invalid settings: {key}.defaultProfileName: \"localhost/other\" is not in allowedProfileNames"
        ),
        spelling,
    );
    let answer = host().validate_settings_strict(&bad).unwrap();
    assert!(!answer.valid, "{spelling}");
    assert!(
        answer
            .message()
            .contains(&format!("{key}.defaultProfileName")),
        "{spelling}: {answer:?}"
    );
}

fn apparmor_cases(spelling: &str) -> Vec<Case> {
    let settings = apparmor_settings(spelling, "runtime/default,localhost/k8s-nginx", None);
    vec![
        case("container field on the list", settings.clone(), sc(json!({"appArmorProfile": {"type": "RuntimeDefault"}})), vec![]),
        case("pod field on the list", settings.clone(), json!({"securityContext": {"appArmorProfile": {"type": "Localhost", "localhostProfile": "k8s-nginx"}}, "containers": [container("app", Value::Null)]}), vec![]),
        annotated("container annotation on the list", settings.clone(), json!({"container.apparmor.security.beta.kubernetes.io/app": "localhost/k8s-nginx"}), no_sc(), vec![]),
        case("container field Unconfined", settings.clone(), sc(json!({"appArmorProfile": {"type": "Unconfined"}})), vec![
            "spec.containers[0].securityContext.appArmorProfile: Invalid value: \"unconfined\": AppArmor profile is not allowed; allowed: \"runtime/default\", \"localhost/k8s-nginx\"",
        ]),
        annotated("container annotation not on the list", settings.clone(), json!({"container.apparmor.security.beta.kubernetes.io/app": "localhost/other"}), no_sc(), vec![
            "metadata.annotations[container.apparmor.security.beta.kubernetes.io/app]: Invalid value: \"localhost/other\": AppArmor profile is not allowed; allowed: \"runtime/default\", \"localhost/k8s-nginx\"",
        ]),
        case("no profile (no defaulting)", settings, no_sc(), vec![
            "spec.containers[0].securityContext.appArmorProfile must be set (allowed: \"runtime/default\", \"localhost/k8s-nginx\")",
        ]),
    ]
}

#[test]
fn apparmor_allowed_profile_names_annotation() {
    check(apparmor_cases("annotations"));
}

#[test]
fn apparmor_allowed_profile_names_friendly_key() {
    check(apparmor_cases("appArmor"));
}

#[test]
fn without_an_apparmor_allow_list_any_profile_is_allowed() {
    check(vec![
        case("unconfined", json!({}), sc(json!({"appArmorProfile": {"type": "Unconfined"}})), vec![]),
        case("but other fields still count", json!({}), sc(json!({"appArmorProfile": {"type": "Unconfined"}, "privileged": true})), vec![
            "spec.containers[0].securityContext.privileged: Invalid value: true: privileged containers are not allowed",
        ]),
    ]);
}

fn apparmor_default_cases(spelling: &str) -> Vec<Case> {
    let settings = apparmor_settings(
        spelling,
        "runtime/default,unconfined",
        Some("runtime/default"),
    );
    vec![
        case("a profile set by the container", settings.clone(), sc(json!({"appArmorProfile": {"type": "Unconfined"}})), vec![]),
        case("no profile and no defaulting", settings, no_sc(), vec![
            "spec.containers[0].securityContext.appArmorProfile must be set (allowed: \"runtime/default\", \"unconfined\")",
        ]),
    ]
}

#[test]
fn apparmor_default_profile_name_annotation() {
    check(apparmor_default_cases("annotations"));
    default_profile_settings_are_checked("annotations", "appArmor", apparmor_settings);
}

#[test]
fn apparmor_default_profile_name_friendly_key() {
    check(apparmor_default_cases("appArmor"));
    default_profile_settings_are_checked("appArmor", "appArmor", apparmor_settings);
}

#[test]
fn a_pasted_psp_annotations_map_keeps_unrelated_keys_and_refuses_misspelled_profile_keys() {
    let pasted = settings(json!({"annotations": {
        "kubernetes.io/description": "restricted workloads",
        "seccomp.security.alpha.kubernetes.io/allowedProfileNames": "runtime/default",
    }}));
    let answer = host().validate_settings_strict(&pasted).unwrap();
    assert!(answer.valid, "{answer:?}");
    let misspelled = settings(json!({"annotations": {
        "seccomp.security.alpha.kubernetes.io/allowedProfileName": "runtime/default",
    }}));
    assert_refused(
        &misspelled,
        &["annotations[seccomp.security.alpha.kubernetes.io/allowedProfileName]: unknown PodSecurityPolicy annotation"],
    );
}

#[test]
fn the_two_spellings_of_profile_settings_must_agree() {
    let mut both = seccomp_settings("annotations", "runtime/default", None);
    both["seccomp"] = json!({"allowedProfileNames": ["unconfined"]});
    let answer = host().validate_settings_strict(&validating(both)).unwrap();
    assert!(!answer.valid);
    assert!(answer.message().starts_with("seccomp: disagrees with annotations[seccomp.security.alpha.kubernetes.io/allowedProfileNames]"), "{answer:?}");
}

#[test]
fn one_rejection_lists_every_violation() {
    let settings = validating(json!({
        "volumes": ["configMap", "emptyDir"],
        "runAsUser": {"rule": "MustRunAsNonRoot"},
        "allowPrivilegeEscalation": false,
    }));
    let spec = json!({
        "hostNetwork": true,
        "hostPID": true,
        "volumes": [{"name": "root", "hostPath": {"path": "/"}}],
        "initContainers": [{"name": "init", "image": "i", "securityContext": {"runAsUser": 0, "allowPrivilegeEscalation": false}}],
        "containers": [{
            "name": "app", "image": "i",
            "ports": [{"containerPort": 22, "hostPort": 22}],
            "securityContext": {"privileged": true, "runAsNonRoot": true, "allowPrivilegeEscalation": true, "capabilities": {"add": ["SYS_ADMIN"]}},
        }],
    });
    let expected = [
        "spec.hostNetwork: Invalid value: true: host network is not allowed to be used",
        "spec.hostPID: Invalid value: true: host PID is not allowed to be used",
        "spec.containers[0].ports[0].hostPort: Invalid value: 22: host port 22 is not allowed to be used; no host ports are allowed",
        "spec.volumes[0]: Invalid value: \"hostPath\": hostPath volumes are not allowed to be used; allowed: \"configMap\", \"emptyDir\"",
        "spec.initContainers[0].securityContext.runAsUser: Invalid value: 0: container \"init\": running with the root UID is forbidden",
        "spec.containers[0].securityContext.privileged: Invalid value: true: privileged containers are not allowed",
        "spec.containers[0].securityContext.capabilities.add[0]: Invalid value: \"SYS_ADMIN\": capability SYS_ADMIN may not be added; allowed: none",
        "spec.containers[0].securityContext.allowPrivilegeEscalation: Invalid value: true: privilege escalation is not allowed; must be false",
    ];
    let response = validate(&create("Pod", pod(spec)), &settings);
    assert!(!response.accepted);
    let message = response.message();
    for violation in expected {
        assert!(
            message.contains(violation),
            "missing {violation:?} in {message:?}"
        );
    }
    // Nothing else: the message is exactly the prefix and these violations, `; `-separated.
    let expected_len = "PodSecurityPolicy: ".len()
        + expected.iter().map(|v| v.len()).sum::<usize>()
        + "; ".len() * (expected.len() - 1);
    assert_eq!(message.len(), expected_len, "{message}");
    assert!(message.starts_with("PodSecurityPolicy: "), "{message}");
}

// ---------------------------------------------------------------------------------------------
// validate_settings

/// Asserts the settings are refused by the policy itself, with a message containing every needle.
#[track_caller]
fn assert_refused(settings: &Value, needles: &[&str]) {
    let answer = host()
        .validate_settings_strict(settings)
        .unwrap_or_else(|e| panic!("validate_settings must answer, not fail: {e:#}"));
    assert!(!answer.valid, "{settings} must be refused");
    for needle in needles {
        assert!(
            answer.message().contains(needle),
            "{settings}: the message must name {needle:?}: {:?}",
            answer.message
        );
    }
    // And a request evaluated under them is rejected (fail closed), with the same reason.
    let response = validate(&create("Pod", pod(no_sc())), settings);
    assert!(
        !response.accepted,
        "{settings}: a request under bad settings must be rejected"
    );
    assert_eq!(
        response.message(),
        format!("invalid settings: {}", answer.message()),
        "{settings}"
    );
}

#[test]
fn validate_settings_accepts_a_complete_spec() {
    for s in [settings(json!({})), validating(json!({}))] {
        let answer = host().validate_settings_strict(&s).unwrap();
        assert!(answer.valid, "{s}: {answer:?}");
    }
}

#[test]
fn validate_settings_refuses_an_unknown_key() {
    assert_refused(&settings(json!({"privilegd": false})), &["privilegd"]);
    assert_refused(
        &settings(json!({"runAsUser": {"rule": "RunAsAny", "rangez": []}})),
        &["runAsUser", "rangez"],
    );
}

#[test]
fn validate_settings_refuses_a_wrong_type() {
    assert_refused(
        &settings(json!({"privileged": "no"})),
        &["privileged", "invalid type"],
    );
    assert_refused(
        &settings(json!({"volumes": "configMap"})),
        &["volumes", "invalid type"],
    );
    assert_refused(
        &settings(json!({"hostPorts": [{"min": "80", "max": 80}]})),
        &["hostPorts[0].min", "invalid type"],
    );
}

#[test]
fn validate_settings_refuses_an_unknown_rule() {
    assert_refused(
        &settings(json!({"runAsUser": {"rule": "NonRoot"}})),
        &["runAsUser.rule", "\"NonRoot\" is not a rule"],
    );
    assert_refused(
        &settings(json!({"fsGroup": {"rule": "MustRunAsNonRoot"}})),
        &["fsGroup.rule"],
    );
    assert_refused(
        &settings(json!({"seLinux": {"rule": "MayRunAs"}})),
        &["seLinux.rule"],
    );
}

#[test]
fn validate_settings_refuses_must_run_as_without_ranges() {
    for key in ["runAsUser", "runAsGroup", "supplementalGroups", "fsGroup"] {
        let mut extra = json!({});
        extra[key] = json!({"rule": "MustRunAs"});
        assert_refused(
            &settings(extra),
            &[&format!("{key}.ranges: MustRunAs needs at least one range")],
        );
    }
}

#[test]
fn validate_settings_refuses_min_greater_than_max() {
    assert_refused(
        &settings(
            json!({"supplementalGroups": {"rule": "MustRunAs", "ranges": [{"min": 1, "max": 2}, {"min": 10, "max": 1}]}}),
        ),
        &["supplementalGroups.ranges[1]: min (10) cannot be greater than max (1)"],
    );
    assert_refused(
        &settings(json!({"hostPorts": [{"min": 90, "max": 80}]})),
        &["hostPorts[0]: min (90) cannot be greater than max (80)"],
    );
}

#[test]
fn validate_settings_refuses_negative_ids() {
    assert_refused(
        &settings(json!({"runAsUser": {"rule": "MustRunAs", "ranges": [{"min": -1, "max": 10}]}})),
        &["runAsUser.ranges[0]: min (-1) and max (10) must not be negative"],
    );
    assert_refused(
        &settings(json!({"fsGroup": {"rule": "MayRunAs", "ranges": [{"min": -5, "max": -1}]}})),
        &["fsGroup.ranges[0]"],
    );
}

#[test]
fn validate_settings_refuses_host_ports_above_65535() {
    assert_refused(
        &settings(json!({"hostPorts": [{"min": 8000, "max": 65536}]})),
        &["hostPorts[0]: max (65536) must be at most 65535"],
    );
    let answer = host()
        .validate_settings_strict(&settings(json!({"hostPorts": [{"min": 0, "max": 65535}]})))
        .unwrap();
    assert!(answer.valid, "{answer:?}");
}

#[test]
fn validate_settings_refuses_an_unknown_volume_type() {
    assert_refused(
        &settings(json!({"volumes": ["configMap", "emptydir"]})),
        &["volumes[1]: unknown volume type \"emptydir\""],
    );
}

#[test]
fn validate_settings_refuses_a_malformed_capability() {
    assert_refused(
        &settings(json!({"allowedCapabilities": ["SYS ADMIN"]})),
        &["allowedCapabilities[0]: \"SYS ADMIN\" is not a capability name"],
    );
    assert_refused(
        &settings(json!({"requiredDropCapabilities": ["NET-RAW"]})),
        &["requiredDropCapabilities[0]"],
    );
    assert_refused(
        &settings(json!({"defaultAddCapabilities": ["*"]})),
        &["defaultAddCapabilities[0]"],
    );
}

#[test]
fn validate_settings_refuses_a_bad_sysctl_pattern() {
    assert_refused(
        &settings(json!({"forbiddenSysctls": ["kernel.*.x"]})),
        &["forbiddenSysctls[0]: \"kernel.*.x\" is not a sysctl name or pattern"],
    );
    assert_refused(
        &settings(json!({"allowedUnsafeSysctls": ["Kernel.Msgmax"]})),
        &["allowedUnsafeSysctls[0]"],
    );
}

#[test]
fn validate_settings_accepts_psp_sysctl_patterns() {
    // PSP's pattern syntax: the last segment may end in `-` or `_` before its `*`.
    for pattern in [
        "*",
        "kernel.*",
        "kernel.msg*",
        "net.ipv4.tcp_*",
        "kernel.sem-*",
        "net.core.somaxconn",
    ] {
        let answer = host()
            .validate_settings_strict(&settings(json!({"forbiddenSysctls": [pattern]})))
            .unwrap();
        assert!(answer.valid, "{pattern}: {answer:?}");
    }
}

#[test]
fn validate_settings_refuses_a_sysctl_both_allowed_and_forbidden() {
    assert_refused(
        &settings(json!({"allowedUnsafeSysctls": ["kernel.msg*"], "forbiddenSysctls": ["kernel.msgmax"]})),
        &["allowedUnsafeSysctls[0]: \"kernel.msg*\" overlaps forbiddenSysctls[0] \"kernel.msgmax\""],
    );
}

#[test]
fn validate_settings_refuses_a_capability_both_default_added_and_required_dropped() {
    assert_refused(
        &settings(
            json!({"defaultAddCapabilities": ["CHOWN", "NET_RAW"], "requiredDropCapabilities": ["NET_RAW"]}),
        ),
        &["defaultAddCapabilities[1]: NET_RAW is also in requiredDropCapabilities"],
    );
}

#[test]
fn validate_settings_refuses_a_default_runtime_class_outside_the_allowed_list() {
    assert_refused(
        &settings(json!({"runtimeClass": {"allowedRuntimeClassNames": ["kata"], "defaultRuntimeClassName": "gvisor"}})),
        &["runtimeClass.defaultRuntimeClassName: \"gvisor\" must be one of allowedRuntimeClassNames"],
    );
}

#[test]
fn validate_settings_refuses_selinux_must_run_as_without_options() {
    assert_refused(
        &settings(json!({"seLinux": {"rule": "MustRunAs"}})),
        &["seLinux.seLinuxOptions: required when the rule is MustRunAs"],
    );
}

#[test]
fn validate_settings_refuses_empty_settings_naming_the_required_rules() {
    assert_refused(
        &json!({}),
        &["runAsUser, seLinux, supplementalGroups, fsGroup: required"],
    );
    assert_refused(
        &json!({"runAsUser": {"rule": "RunAsAny"}, "fsGroup": {"rule": "RunAsAny"}}),
        &["seLinux, supplementalGroups: required"],
    );
}

#[test]
fn validate_settings_lists_every_problem_at_once() {
    assert_refused(
        &settings(json!({
            "volumes": ["bogus"],
            "hostPorts": [{"min": 1, "max": 70000}],
            "allowedCapabilities": ["bad name"],
        })),
        &["volumes[0]", "hostPorts[0]", "allowedCapabilities[0]"],
    );
}
