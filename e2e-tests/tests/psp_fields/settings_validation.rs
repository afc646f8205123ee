//! `validate_settings`: bad settings are refused by the policy itself, naming the key, and a request
//! evaluated under them is rejected.

use super::*;
use serde_json::{json, Value};

/// [`assert_refused`] for the PSP spec `settings(extra)`.
#[track_caller]
fn assert_psp_settings_refused(extra: Value, needles: &[&str]) {
    assert_refused(&settings(extra), needles);
}

#[test]
fn validate_settings_accepts_a_complete_spec() {
    for s in [settings(json!({})), validating(json!({}))] {
        assert_valid_settings(&s);
    }
}

#[test]
fn validate_settings_refuses_an_unknown_key() {
    assert_psp_settings_refused(json!({"privilegd": false}), &["privilegd"]);
    assert_psp_settings_refused(
        json!({"runAsUser": {"rule": "RunAsAny", "rangez": []}}),
        &["runAsUser", "rangez"],
    );
}

#[test]
fn validate_settings_refuses_a_wrong_type() {
    assert_psp_settings_refused(json!({"privileged": "no"}), &["privileged", "invalid type"]);
    assert_psp_settings_refused(
        json!({"volumes": "configMap"}),
        &["volumes", "invalid type"],
    );
    assert_psp_settings_refused(
        json!({"hostPorts": [{"min": "80", "max": 80}]}),
        &["hostPorts[0].min", "invalid type"],
    );
}

#[test]
fn validate_settings_refuses_an_unknown_rule() {
    assert_psp_settings_refused(
        json!({"runAsUser": {"rule": "NonRoot"}}),
        &["runAsUser.rule", "\"NonRoot\" is not a rule"],
    );
    assert_psp_settings_refused(
        json!({"fsGroup": {"rule": "MustRunAsNonRoot"}}),
        &["fsGroup.rule"],
    );
    assert_psp_settings_refused(json!({"seLinux": {"rule": "MayRunAs"}}), &["seLinux.rule"]);
}

#[test]
fn validate_settings_refuses_must_run_as_without_ranges() {
    for key in ["runAsUser", "runAsGroup", "supplementalGroups", "fsGroup"] {
        let mut extra = json!({});
        extra[key] = json!({"rule": "MustRunAs"});
        assert_psp_settings_refused(
            extra,
            &[&format!("{key}.ranges: MustRunAs needs at least one range")],
        );
    }
}

#[test]
fn validate_settings_refuses_min_greater_than_max() {
    assert_psp_settings_refused(
        json!({"supplementalGroups": {"rule": "MustRunAs", "ranges": [{"min": 1, "max": 2}, {"min": 10, "max": 1}]}}),
        &["supplementalGroups.ranges[1]: min (10) cannot be greater than max (1)"],
    );
    assert_psp_settings_refused(
        json!({"hostPorts": [{"min": 90, "max": 80}]}),
        &["hostPorts[0]: min (90) cannot be greater than max (80)"],
    );
}

#[test]
fn validate_settings_refuses_negative_ids() {
    assert_psp_settings_refused(
        json!({"runAsUser": {"rule": "MustRunAs", "ranges": [{"min": -1, "max": 10}]}}),
        &["runAsUser.ranges[0]: min (-1) and max (10) must not be negative"],
    );
    assert_psp_settings_refused(
        json!({"fsGroup": {"rule": "MayRunAs", "ranges": [{"min": -5, "max": -1}]}}),
        &["fsGroup.ranges[0]"],
    );
}

#[test]
fn validate_settings_refuses_host_ports_above_65535() {
    assert_psp_settings_refused(
        json!({"hostPorts": [{"min": 8000, "max": 65536}]}),
        &["hostPorts[0]: max (65536) must be at most 65535"],
    );
    assert_valid_settings(&settings(json!({"hostPorts": [{"min": 0, "max": 65535}]})));
}

#[test]
fn validate_settings_refuses_an_unknown_volume_type() {
    assert_psp_settings_refused(
        json!({"volumes": ["configMap", "emptydir"]}),
        &["volumes[1]: unknown volume type \"emptydir\""],
    );
}

#[test]
fn validate_settings_refuses_a_malformed_capability() {
    assert_psp_settings_refused(
        json!({"allowedCapabilities": ["SYS ADMIN"]}),
        &["allowedCapabilities[0]: \"SYS ADMIN\" is not a capability name"],
    );
    assert_psp_settings_refused(
        json!({"requiredDropCapabilities": ["NET-RAW"]}),
        &["requiredDropCapabilities[0]"],
    );
    assert_psp_settings_refused(
        json!({"defaultAddCapabilities": ["*"]}),
        &["defaultAddCapabilities[0]"],
    );
}

#[test]
fn validate_settings_refuses_a_bad_sysctl_pattern() {
    assert_psp_settings_refused(
        json!({"forbiddenSysctls": ["kernel.*.x"]}),
        &["forbiddenSysctls[0]: \"kernel.*.x\" is not a sysctl name or pattern"],
    );
    assert_psp_settings_refused(
        json!({"allowedUnsafeSysctls": ["Kernel.Msgmax"]}),
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
        assert_valid_settings(&settings(json!({"forbiddenSysctls": [pattern]})));
    }
}

#[test]
fn validate_settings_refuses_a_sysctl_both_allowed_and_forbidden() {
    assert_psp_settings_refused(json!({"allowedUnsafeSysctls": ["kernel.msg*"], "forbiddenSysctls": ["kernel.msgmax"]}), &["allowedUnsafeSysctls[0]: \"kernel.msg*\" overlaps forbiddenSysctls[0] \"kernel.msgmax\""]);
}

#[test]
fn validate_settings_refuses_a_capability_both_default_added_and_required_dropped() {
    assert_psp_settings_refused(
        json!({"defaultAddCapabilities": ["CHOWN", "NET_RAW"], "requiredDropCapabilities": ["NET_RAW"]}),
        &["defaultAddCapabilities[1]: NET_RAW is also in requiredDropCapabilities"],
    );
}

#[test]
fn validate_settings_refuses_a_default_runtime_class_outside_the_allowed_list() {
    assert_psp_settings_refused(json!({"runtimeClass": {"allowedRuntimeClassNames": ["kata"], "defaultRuntimeClassName": "gvisor"}}), &["runtimeClass.defaultRuntimeClassName: \"gvisor\" must be one of allowedRuntimeClassNames"]);
}

#[test]
fn validate_settings_refuses_selinux_must_run_as_without_options() {
    assert_psp_settings_refused(
        json!({"seLinux": {"rule": "MustRunAs"}}),
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
    assert_psp_settings_refused(
        json!({
            "volumes": ["bogus"],
            "hostPorts": [{"min": 1, "max": 70000}],
            "allowedCapabilities": ["bad name"],
        }),
        &["volumes[0]", "hostPorts[0]", "allowedCapabilities[0]"],
    );
}
