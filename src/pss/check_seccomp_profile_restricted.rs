//! PSA check `seccompProfile_restricted` (restricted), after `policy/check_seccompProfile_restricted.go`.
//!
//! A seccomp profile must be set, and be the runtime default or a node-local profile. Replaces
//! `seccompProfile_baseline` in `restricted`.
//!
//! Reads: `spec.securityContext.seccompProfile.type` and
//! `spec.{initContainers,containers,ephemeralContainers}[*].securityContext.seccompProfile.type`.
//! Allows: `RuntimeDefault`, `Localhost`; a container may leave `seccompProfile` unset when the pod sets an
//! allowed one.
//! Versions: v1.19 introduces the check (before it restricted applies baseline's annotation check); from v1.25
//! a pod with `spec.os.name: windows` is exempt.

use super::helpers::{
    bad_setters, containers, containers_phrase, forbidden_profile_type, join_quote,
};
use super::registry::{Check, Revision};
use super::standard::Level;
use super::{Annotations, Forbidden};
use crate::pod::PodSpec;
use std::collections::BTreeSet;

pub(super) const CHECK: Check = Check {
    id: "seccompProfile_restricted",
    level: Level::Restricted,
    revisions: &[
        Revision::overriding(
            19,
            seccomp_profile_restricted_v1_19,
            &[super::check_seccomp_profile_baseline::CHECK.id],
        ),
        Revision::overriding(
            25,
            seccomp_profile_restricted_v1_25,
            &[super::check_seccomp_profile_baseline::CHECK.id],
        ),
    ],
};

pub(super) fn seccomp_profile_restricted_v1_19(
    _: &Annotations,
    spec: &PodSpec,
) -> Option<Forbidden> {
    let pod_profile = spec
        .pod_security_context()
        .and_then(|sc| sc.seccomp_profile.as_ref());
    let pod_bad = forbidden_profile_type(pod_profile);
    let pod_seccomp_set = pod_profile.is_some() && pod_bad.is_none();
    let mut bad_values: BTreeSet<&str> = pod_bad.into_iter().collect();

    // Containers that set a bad type, and containers that set none with no valid pod-level profile.
    let mut explicitly_bad: Vec<&str> = Vec::new();
    let mut implicitly_bad: Vec<&str> = Vec::new();
    for container in containers(spec) {
        match container.sc().and_then(|sc| sc.seccomp_profile.as_ref()) {
            Some(profile) => {
                if let Some(bad) = forbidden_profile_type(Some(profile)) {
                    explicitly_bad.push(container.name.as_str());
                    bad_values.insert(bad);
                }
            }
            None => {
                if !pod_seccomp_set {
                    implicitly_bad.push(container.name.as_str());
                }
            }
        }
    }
    let setters = bad_setters(pod_bad.is_some(), &explicitly_bad);
    if !setters.is_empty() {
        return Some(Forbidden::new(
            "seccompProfile",
            format!(
                "{} must not set securityContext.seccompProfile.type to {}",
                setters.join(" and "),
                join_quote(&bad_values)
            ),
        ));
    }
    if !implicitly_bad.is_empty() {
        return Some(Forbidden::new(
            "seccompProfile",
            format!(
                "pod or {} must set securityContext.seccompProfile.type to \"RuntimeDefault\" or \"Localhost\"",
                containers_phrase(&implicitly_bad)
            ),
        ));
    }
    None
}

pub(super) fn seccomp_profile_restricted_v1_25(
    annotations: &Annotations,
    spec: &PodSpec,
) -> Option<Forbidden> {
    if spec.is_windows() {
        return None;
    }
    seccomp_profile_restricted_v1_19(annotations, spec)
}

#[cfg(test)]
mod tests {
    use super::super::helpers::{assert_table, test_spec};
    use super::*;
    use serde_json::json;

    #[test]
    fn table() {
        let cases = [
            (
                json!({"securityContext": {"seccompProfile": {"type": "RuntimeDefault"}}, "containers": [{"name": "a"}]}),
                None,
            ),
            (
                json!({"containers": [
                    {"name": "a", "securityContext": {"seccompProfile": {"type": "RuntimeDefault"}}},
                    {"name": "b", "securityContext": {"seccompProfile": {"type": "Localhost", "localhostProfile": "p"}}},
                ]}),
                None,
            ),
            (
                json!({"containers": [{"name": "a"}, {"name": "b", "securityContext": {}}]}),
                Some(
                    r#"pod or containers "a", "b" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost""#,
                ),
            ),
            (
                json!({
                    "securityContext": {"seccompProfile": {"type": "Unconfined"}},
                    "containers": [{"name": "a"}],
                }),
                Some(r#"pod must not set securityContext.seccompProfile.type to "Unconfined""#),
            ),
            (
                // Explicitly bad setters are reported before (and instead of) the implicit ones.
                json!({
                    "containers": [
                        {"name": "a", "securityContext": {"seccompProfile": {"type": "Unconfined"}}},
                        {"name": "b"},
                    ],
                }),
                Some(
                    r#"container "a" must not set securityContext.seccompProfile.type to "Unconfined""#,
                ),
            ),
            (
                json!({
                    "securityContext": {"seccompProfile": {"type": "Unconfined"}},
                    "initContainers": [{"name": "i", "securityContext": {"seccompProfile": {"type": "Bogus"}}}],
                    "containers": [{"name": "a", "securityContext": {"seccompProfile": {"type": "Unconfined"}}}],
                }),
                Some(
                    r#"pod and containers "i", "a" must not set securityContext.seccompProfile.type to "Bogus", "Unconfined""#,
                ),
            ),
        ];
        assert_table(
            &[
                seccomp_profile_restricted_v1_19,
                seccomp_profile_restricted_v1_25,
            ],
            "seccompProfile",
            cases,
        );
    }

    #[test]
    fn windows_pods_are_exempt_from_v1_25() {
        let spec = test_spec(json!({"os": {"name": "windows"}, "containers": [{"name": "a"}]}));
        assert!(seccomp_profile_restricted_v1_19(&Annotations::new(), &spec).is_some());
        assert!(seccomp_profile_restricted_v1_25(&Annotations::new(), &spec).is_none());
    }
}
