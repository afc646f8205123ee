//! Capabilities in the spellings the container runtimes accept (settings: only NET_BIND_SERVICE may
//! be added).

use super::*;
use serde_json::{json, Value};

/// Only NET_BIND_SERVICE may be added.
fn net_bind_service_only() -> Value {
    settings(json!({"allowedCapabilities": ["NET_BIND_SERVICE"]}))
}

fn adding(capability: &str) -> Value {
    pod(json!({"containers": [{
        "name": "app",
        "image": "registry.example.com/app:1.0",
        "securityContext": {"capabilities": {"add": [capability]}},
    }]}))
}

fn sys_admin_denied(spelling: &str) -> String {
    format!(
        "spec.containers[0].securityContext.capabilities.add[0] (container \"app\"): Invalid value: {}: \
         capability SYS_ADMIN may not be added; allowed: \"NET_BIND_SERVICE\"",
        quoted(spelling)
    )
}

/// Attack: add SYS_ADMIN in lower case. containerd and CRI-O upper-case the name and add `CAP_`, so the
/// container gets CAP_SYS_ADMIN; PSP compared exact strings and let it through.
#[test]
fn capability_in_lower_case_is_denied() {
    let response = validate(
        &create("Pod", adding("sys_admin")),
        &net_bind_service_only(),
    );
    assert_psp_rejected(&response, &[&sys_admin_denied("sys_admin")], "the attack");
}

/// Attack: add SYS_ADMIN with the kernel's `CAP_` prefix, which the runtimes accept as the same capability.
#[test]
fn capability_with_the_cap_prefix_is_denied() {
    for spelling in ["CAP_SYS_ADMIN", "cap_sys_admin", "Cap_Sys_Admin"] {
        let response = validate(&create("Pod", adding(spelling)), &net_bind_service_only());
        assert_psp_rejected(&response, &[&sys_admin_denied(spelling)], "the attack");
    }
}

/// Attack: add SYS_ADMIN surrounded by spaces, or in mixed case, hoping for an exact-string allow-list.
#[test]
fn capability_with_spaces_or_mixed_case_is_denied() {
    for spelling in [
        " SYS_ADMIN",
        "SYS_ADMIN ",
        "\tsys_admin\n",
        "Sys_Admin",
        "sYs_aDmIn",
    ] {
        let response = validate(&create("Pod", adding(spelling)), &net_bind_service_only());
        assert_psp_rejected(&response, &[&sys_admin_denied(spelling)], "the attack");
    }
}

/// Attack: a non-ASCII letter that Go's `strings.ToUpper` (the runtimes' upper-casing) turns into ASCII:
/// `ſ` (U+017F) becomes `S` and `ı` (U+0131) becomes `I`, so `ſys_admın` is CAP_SYS_ADMIN to containerd.
/// The name is not on the allow-list in any spelling the policy reads, so it is denied.
#[test]
fn capability_spelled_with_unicode_case_folding_letters_is_denied() {
    for (spelling, judged) in [("ſys_admin", "ſYS_ADMIN"), ("sys_admın", "SYS_ADMıN")] {
        let response = validate(&create("Pod", adding(spelling)), &net_bind_service_only());
        assert_psp_rejected(&response, &[&format!(
                "spec.containers[0].securityContext.capabilities.add[0] (container \"app\"): Invalid value: {}: \
                 capability {judged} may not be added; allowed: \"NET_BIND_SERVICE\"",
                quoted(spelling)
            )], "the attack");
    }
}

/// Control for the capability attacks: the allowed capability, in any spelling, is accepted.
#[test]
fn the_allowed_capability_in_any_spelling_is_accepted() {
    for spelling in [
        "NET_BIND_SERVICE",
        "net_bind_service",
        "CAP_NET_BIND_SERVICE",
        " Net_Bind_Service ",
    ] {
        let response = validate(&create("Pod", adding(spelling)), &net_bind_service_only());
        assert!(response.accepted, "{spelling}: {response:?}");
    }
}

/// Attack: a capability that must be dropped, re-added in another spelling under `allowedCapabilities: ["*"]`.
#[test]
fn a_required_drop_re_added_in_another_spelling_is_denied() {
    let settings =
        settings(json!({"requiredDropCapabilities": ["NET_RAW"], "allowedCapabilities": ["*"]}));
    let object = pod(json!({"containers": [{
        "name": "app",
        "securityContext": {"capabilities": {"add": ["cap_net_raw"], "drop": ["NET_RAW"]}},
    }]}));
    let response = validate(&create("Pod", object), &settings);
    assert_psp_rejected(&response, &["spec.containers[0].securityContext.capabilities.add[0] (container \"app\"): Invalid value: \
           \"cap_net_raw\": NET_RAW must be dropped and may not be added; allowed: \"*\""], "the attack");
}
