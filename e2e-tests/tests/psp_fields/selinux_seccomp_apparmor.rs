//! `seLinux`, and the seccomp and AppArmor profiles in both spellings: PSP's annotations and the
//! `seccomp` and `appArmor` keys.

use super::*;
use serde_json::{json, Value};

#[test]
fn selinux_must_run_as_the_given_options() {
    let settings = json!({"seLinux": {"rule": "MustRunAs", "seLinuxOptions": {"user": "system_u", "role": "system_r", "type": "container_t", "level": "s0:c123,c456"}}});
    let options = |o: Value| json!({"securityContext": {"seLinuxOptions": o}, "containers": [container("app", Value::Null)]});
    let good = json!({"user": "system_u", "role": "system_r", "type": "container_t", "level": "s0:c456,c123"});
    check(vec![
        case("same options, categories in any order", settings.clone(), options(good.clone()), vec![]),
        case("other type", settings.clone(), options(json!({"user": "system_u", "role": "system_r", "type": "spc_t", "level": "s0:c123,c456"})), vec![
            "spec.securityContext.seLinuxOptions.type: Invalid value: \"spc_t\": SELinux type is not allowed; allowed: \"container_t\"",
        ]),
        case("unset (no defaulting)", settings.clone(), no_sc(), vec![
            "spec.securityContext.seLinuxOptions: Required value: must be set when the seLinux rule is MustRunAs; allowed: {\"user\":\"system_u\",\"role\":\"system_r\",\"type\":\"container_t\",\"level\":\"s0:c123,c456\"}",
        ]),
        case("a container's own options", settings.clone(), json!({"securityContext": {"seLinuxOptions": good}, "containers": [
            container("app", json!({"seLinuxOptions": {"user": "system_u", "role": "system_r", "type": "container_t", "level": "s0"}}))]}), vec![
            "spec.containers[0].securityContext.seLinuxOptions.level (container \"app\"): Invalid value: \"s0\": SELinux level is not allowed; allowed: \"s0:c123,c456\"",
        ]),
        case("RunAsAny", json!({"seLinux": {"rule": "RunAsAny"}}), options(json!({"type": "spc_t"})), vec![]),
    ]);
}

/// A family of profiles that PSP configured in annotations: seccomp or AppArmor.
struct ProfileFamily {
    /// The settings key of its friendly spelling.
    key: &'static str,
    /// The security context field of a profile of the family.
    field: &'static str,
    /// The prefix of its PSP annotations.
    annotation_prefix: &'static str,
}

const SECCOMP: ProfileFamily = ProfileFamily {
    key: "seccomp",
    field: "seccompProfile",
    annotation_prefix: "seccomp.security.alpha.kubernetes.io",
};

const APPARMOR: ProfileFamily = ProfileFamily {
    key: "appArmor",
    field: "appArmorProfile",
    annotation_prefix: "apparmor.security.beta.kubernetes.io",
};

/// The settings of `family` in either spelling: PSP's annotations (`spelling` "annotations") or the
/// family's key; `allowed` is comma-separated.
fn profile_settings(
    family: &ProfileFamily,
    spelling: &str,
    allowed: &str,
    default: Option<&str>,
) -> Value {
    let mut settings = json!({});
    if spelling == "annotations" {
        let prefix = family.annotation_prefix;
        settings["annotations"][format!("{prefix}/allowedProfileNames")] = json!(allowed);
        if let Some(default) = default {
            settings["annotations"][format!("{prefix}/defaultProfileName")] = json!(default);
        }
    } else {
        let names: Vec<&str> = allowed.split(',').collect();
        settings[family.key]["allowedProfileNames"] = json!(names);
        if let Some(default) = default {
            settings[family.key]["defaultProfileName"] = json!(default);
        }
    }
    settings
}

fn seccomp_cases(spelling: &str) -> Vec<Case> {
    let settings = profile_settings(
        &SECCOMP,
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
            "spec.containers[0].securityContext.seccompProfile (container \"app\"): Invalid value: \"localhost/evil/profiles/audit.json\": seccomp profile is not allowed; allowed: \"runtime/default\", \"localhost/profiles/audit.json\"",
        ]),
        annotated("container annotation unconfined, field allowed", settings.clone(),
            json!({"container.seccomp.security.alpha.kubernetes.io/app": "unconfined"}),
            pod_profile(json!({"type": "RuntimeDefault"})), vec![
            "metadata.annotations[container.seccomp.security.alpha.kubernetes.io/app] (container \"app\"): Invalid value: \"unconfined\": seccomp profile is not allowed; allowed: \"runtime/default\", \"localhost/profiles/audit.json\"",
        ]),
        case("no profile anywhere (no defaulting)", settings.clone(), no_sc(), vec![
            "spec.containers[0].securityContext.seccompProfile (container \"app\"): Required value: must be set here or in spec.securityContext.seccompProfile; allowed: \"runtime/default\", \"localhost/profiles/audit.json\"",
        ]),
        case("wildcard", profile_settings(
        &SECCOMP,
        spelling, "*", None), pod_profile(json!({"type": "Unconfined"})), vec![]),
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
        case(
            "pod profile set",
            json!({}),
            json!({"securityContext": {"seccompProfile": {"type": "RuntimeDefault"}}, "containers": [container("app", Value::Null)]}),
            vec![
            "spec.securityContext.seccompProfile: Forbidden: seccomp may not be set; allowed: none",
        ],
        ),
    ]);
}

/// What is reported, with defaulting off, of a container without a seccomp profile under the allow-list
/// `runtime/default`, `unconfined`.
const SECCOMP_MISSING: &str =
    "spec.containers[0].securityContext.seccompProfile (container \"app\"): Required value: must be set here or \
     in spec.securityContext.seccompProfile; allowed: \"runtime/default\", \"unconfined\"";

#[test]
fn seccomp_default_profile_name_annotation() {
    check_default_profile_name(&SECCOMP, "annotations", SECCOMP_MISSING);
}

#[test]
fn seccomp_default_profile_name_friendly_key() {
    check_default_profile_name(&SECCOMP, "seccomp", SECCOMP_MISSING);
}

/// With a default profile (`runtime/default`, allowed beside `unconfined`) in `spelling`: a profile the
/// container sets is kept; with defaulting off, a container without one is reported as `missing`.
fn check_default_profile_name(family: &ProfileFamily, spelling: &str, missing: &'static str) {
    let settings = profile_settings(
        family,
        spelling,
        "runtime/default,unconfined",
        Some("runtime/default"),
    );
    let mut unconfined = json!({});
    unconfined[family.field] = json!({"type": "Unconfined"});
    check(vec![
        case(
            "a profile set by the container",
            settings.clone(),
            sc(unconfined),
            vec![],
        ),
        case(
            "no profile and no defaulting",
            settings,
            no_sc(),
            vec![missing],
        ),
    ]);
    default_profile_settings_are_checked(family, spelling);
}

/// A default outside the allow-list is refused by name, and a request under it rejected.
fn default_profile_settings_are_checked(family: &ProfileFamily, spelling: &str) {
    let key = family.key;
    let bad = validating(profile_settings(
        family,
        spelling,
        "runtime/default",
        Some("localhost/other"),
    ));
    let response = validate(&create("Pod", pod(no_sc())), &bad);
    assert_rejected(&response, &format!(
            "invalid settings: {key}.defaultProfileName: \"localhost/other\" is not in allowedProfileNames"
        ), spelling);
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
    let settings = profile_settings(
        &APPARMOR,
        spelling,
        "runtime/default,localhost/k8s-nginx",
        None,
    );
    vec![
        case("container field on the list", settings.clone(), sc(json!({"appArmorProfile": {"type": "RuntimeDefault"}})), vec![]),
        case("pod field on the list", settings.clone(), json!({"securityContext": {"appArmorProfile": {"type": "Localhost", "localhostProfile": "k8s-nginx"}}, "containers": [container("app", Value::Null)]}), vec![]),
        annotated("container annotation on the list", settings.clone(), json!({"container.apparmor.security.beta.kubernetes.io/app": "localhost/k8s-nginx"}), no_sc(), vec![]),
        case("container field Unconfined", settings.clone(), sc(json!({"appArmorProfile": {"type": "Unconfined"}})), vec![
            "spec.containers[0].securityContext.appArmorProfile (container \"app\"): Invalid value: \"unconfined\": AppArmor profile is not allowed; allowed: \"runtime/default\", \"localhost/k8s-nginx\"",
        ]),
        annotated("container annotation not on the list", settings.clone(), json!({"container.apparmor.security.beta.kubernetes.io/app": "localhost/other"}), no_sc(), vec![
            "metadata.annotations[container.apparmor.security.beta.kubernetes.io/app] (container \"app\"): Invalid value: \"localhost/other\": AppArmor profile is not allowed; allowed: \"runtime/default\", \"localhost/k8s-nginx\"",
        ]),
        case("no profile (no defaulting)", settings, no_sc(), vec![
            "spec.containers[0].securityContext.appArmorProfile (container \"app\"): Required value: must be set; allowed: \"runtime/default\", \"localhost/k8s-nginx\"",
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
            "spec.containers[0].securityContext.privileged (container \"app\"): Invalid value: true: privileged containers are not allowed; allowed: false",
        ]),
    ]);
}

/// What is reported, with defaulting off, of a container without an AppArmor profile under the
/// allow-list `runtime/default`, `unconfined`.
const APPARMOR_MISSING: &str =
    "spec.containers[0].securityContext.appArmorProfile (container \"app\"): Required value: must be set; allowed: \
     \"runtime/default\", \"unconfined\"";

#[test]
fn apparmor_default_profile_name_annotation() {
    check_default_profile_name(&APPARMOR, "annotations", APPARMOR_MISSING);
}

#[test]
fn apparmor_default_profile_name_friendly_key() {
    check_default_profile_name(&APPARMOR, "appArmor", APPARMOR_MISSING);
}

#[test]
fn a_pasted_psp_annotations_map_keeps_unrelated_keys_and_refuses_misspelled_profile_keys() {
    let pasted = settings(json!({"annotations": {
        "kubernetes.io/description": "restricted workloads",
        "seccomp.security.alpha.kubernetes.io/allowedProfileNames": "runtime/default",
    }}));
    assert_valid_settings(&pasted);
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
    let mut both = profile_settings(&SECCOMP, "annotations", "runtime/default", None);
    both["seccomp"] = json!({"allowedProfileNames": ["unconfined"]});
    let answer = host().validate_settings_strict(&validating(both)).unwrap();
    assert!(!answer.valid);
    assert!(answer.message().starts_with("seccomp: disagrees with annotations[seccomp.security.alpha.kubernetes.io/allowedProfileNames]"), "{answer:?}");
}
