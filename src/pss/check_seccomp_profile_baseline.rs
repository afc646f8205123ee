//! PSA check `seccompProfile_baseline` (baseline), after `policy/check_seccompProfile_baseline.go`.
//!
//! If a seccomp profile is set, it must be the runtime default or a node-local profile. In `restricted`,
//! `seccompProfile_restricted` replaces this check from v1.19.
//!
//! v1.0 to v1.18 reads the alpha annotations `metadata.annotations["seccomp.security.alpha.kubernetes.io/pod"]`
//! and `metadata.annotations["container.seccomp.security.alpha.kubernetes.io/<container name>"]` (for each
//! init, regular and ephemeral container); allows unset, `runtime/default`, `docker/default`, `localhost/*`.
//!
//! From v1.19 reads `spec.securityContext.seccompProfile.type` and
//! `spec.{initContainers,containers,ephemeralContainers}[*].securityContext.seccompProfile.type` (annotations
//! are no longer read); allows unset (no `seccompProfile`), `RuntimeDefault`, `Localhost`. A `seccompProfile`
//! without a `type` is forbidden (PSA sees the empty type).
//!
//! Versions: v1.0 (the annotations); v1.19 (the fields).

use std::collections::BTreeSet;

use super::helpers::{containers, forbidden_profile_setters, go_quote, join_quote, pluralize};
use super::registry::{Check, Revision};
use super::standard::Level;
use super::{Annotations, Forbidden};
use crate::pod::PodSpec;

pub(super) const CHECK: Check = Check {
    id: "seccompProfile_baseline",
    level: Level::Baseline,
    revisions: &[
        Revision::since(0, seccomp_profile_baseline_v1_0),
        Revision::since(19, seccomp_profile_baseline_v1_19),
    ],
};

const ANNOTATION_KEY_POD: &str = "seccomp.security.alpha.kubernetes.io/pod";
const ANNOTATION_KEY_CONTAINER_PREFIX: &str = "container.seccomp.security.alpha.kubernetes.io/";

fn valid_annotation_value(value: &str) -> bool {
    value == "runtime/default" || value == "docker/default" || value.starts_with("localhost/")
}

pub(super) fn seccomp_profile_baseline_v1_0(
    annotations: &Annotations,
    spec: &PodSpec,
) -> Option<Forbidden> {
    let mut forbidden: BTreeSet<String> = BTreeSet::new();
    if let Some(value) = annotations.get(ANNOTATION_KEY_POD) {
        if !valid_annotation_value(value) {
            forbidden.insert(format!("{ANNOTATION_KEY_POD}={}", go_quote(value)));
        }
    }
    for container in containers(spec) {
        let key = format!("{ANNOTATION_KEY_CONTAINER_PREFIX}{}", container.name);
        if let Some(value) = annotations.get(&key) {
            if !valid_annotation_value(value) {
                forbidden.insert(format!("{key}={}", go_quote(value)));
            }
        }
    }
    if forbidden.is_empty() {
        return None;
    }
    let list: Vec<&str> = forbidden.iter().map(String::as_str).collect();
    Some(Forbidden::new(
        "seccompProfile",
        format!(
            "forbidden {} {}",
            pluralize("annotation", "annotations", list.len()),
            list.join(", ")
        ),
    ))
}

pub(super) fn seccomp_profile_baseline_v1_19(_: &Annotations, spec: &PodSpec) -> Option<Forbidden> {
    let (setters, bad_values) = forbidden_profile_setters(
        spec,
        spec.pod_security_context()
            .and_then(|sc| sc.seccomp_profile.as_ref()),
        |sc| sc.seccomp_profile.as_ref(),
    );
    if setters.is_empty() {
        return None;
    }
    Some(Forbidden::new(
        "seccompProfile",
        format!(
            "{} must not set securityContext.seccompProfile.type to {}",
            setters.join(" and "),
            join_quote(&bad_values)
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::super::helpers::{assert_verdict, test_annotations, test_spec};
    use super::*;
    use serde_json::json;

    #[test]
    fn annotations_v1_0() {
        let spec = test_spec(json!({
            "containers": [{"name": "a"}, {"name": "b"}],
            "initContainers": [{"name": "i"}],
        }));
        type Case<'a> = (Vec<(&'a str, &'a str)>, Option<&'a str>);
        let cases: Vec<Case> = vec![
            (vec![], None),
            (
                vec![
                    ("seccomp.security.alpha.kubernetes.io/pod", "runtime/default"),
                    ("container.seccomp.security.alpha.kubernetes.io/a", "docker/default"),
                    ("container.seccomp.security.alpha.kubernetes.io/b", "localhost/p.json"),
                    // Not a container of this pod: not read.
                    ("container.seccomp.security.alpha.kubernetes.io/z", "unconfined"),
                ],
                None,
            ),
            (
                vec![("seccomp.security.alpha.kubernetes.io/pod", "unconfined")],
                Some(r#"forbidden annotation seccomp.security.alpha.kubernetes.io/pod="unconfined""#),
            ),
            (
                vec![
                    ("seccomp.security.alpha.kubernetes.io/pod", ""),
                    ("container.seccomp.security.alpha.kubernetes.io/i", "unconfined"),
                    ("container.seccomp.security.alpha.kubernetes.io/b", "runtime/default"),
                ],
                Some(
                    "forbidden annotations container.seccomp.security.alpha.kubernetes.io/i=\"unconfined\", \
                     seccomp.security.alpha.kubernetes.io/pod=\"\"",
                ),
            ),
        ];
        for (pairs, want) in cases {
            let got = seccomp_profile_baseline_v1_0(&test_annotations(&pairs), &spec);
            assert_verdict(got, "seccompProfile", want, format!("{pairs:?}"));
        }
        // v1.0 does not read the fields.
        let fields =
            test_spec(json!({"securityContext": {"seccompProfile": {"type": "Unconfined"}}}));
        assert_eq!(
            seccomp_profile_baseline_v1_0(&Annotations::new(), &fields),
            None
        );
    }

    #[test]
    fn fields_v1_19() {
        let cases = [
            (json!({"containers": [{"name": "a"}]}), None),
            (
                json!({
                    "securityContext": {"seccompProfile": {"type": "RuntimeDefault"}},
                    "containers": [{"name": "a", "securityContext": {"seccompProfile": {"type": "Localhost", "localhostProfile": "p.json"}}}],
                }),
                None,
            ),
            (
                json!({"securityContext": {"seccompProfile": {"type": "Unconfined"}}}),
                Some(r#"pod must not set securityContext.seccompProfile.type to "Unconfined""#),
            ),
            (
                json!({
                    "securityContext": {"seccompProfile": {"type": "Unconfined"}},
                    "containers": [
                        {"name": "a", "securityContext": {"seccompProfile": {"type": "Unconfined"}}},
                        {"name": "b", "securityContext": {"seccompProfile": {}}},
                        {"name": "c", "securityContext": {"seccompProfile": {"type": "RuntimeDefault"}}},
                    ],
                }),
                Some(
                    r#"pod and containers "a", "b" must not set securityContext.seccompProfile.type to "", "Unconfined""#,
                ),
            ),
        ];
        let unconfined_annotation =
            test_annotations(&[("seccomp.security.alpha.kubernetes.io/pod", "unconfined")]);
        for (spec, want) in cases {
            let spec = test_spec(spec);
            // The annotations are not read from v1.19.
            let got = seccomp_profile_baseline_v1_19(&unconfined_annotation, &spec);
            assert_verdict(got, "seccompProfile", want, format!("{spec:?}"));
        }
    }
}
