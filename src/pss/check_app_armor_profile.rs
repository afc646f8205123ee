//! PSA check `appArmorProfile` (baseline), after `policy/check_appArmorProfile.go`.
//!
//! The runtime's default AppArmor profile must not be overridden by an unconfined (or unknown) one.
//!
//! Reads:
//! - `spec.securityContext.appArmorProfile.type` and
//!   `spec.{initContainers,containers,ephemeralContainers}[*].securityContext.appArmorProfile.type`:
//!   allows unset (no `appArmorProfile`), `RuntimeDefault`, `Localhost`. An `appArmorProfile` without a
//!   `type` is forbidden (PSA sees the empty type).
//! - `metadata.annotations["container.apparmor.security.beta.kubernetes.io/*"]`: allows empty,
//!   `runtime/default`, `localhost/*`.
//!
//! Versions: one rule since v1.0 (PSA added the field check to its v1.0 function in Kubernetes 1.30, so it
//! applies at every pinned version).

use super::helpers::{forbidden_profile_setters, go_quote, join_quote, pluralize};
use super::registry::{Check, Revision};
use super::standard::Level;
use super::{Annotations, Forbidden};
use crate::pod::PodSpec;

pub(super) const CHECK: Check = Check {
    id: "appArmorProfile",
    level: Level::Baseline,
    revisions: &[Revision::since(0, app_armor_profile_v1_0)],
};

const ANNOTATION_PREFIX: &str = "container.apparmor.security.beta.kubernetes.io/";

fn allowed_annotation_value(value: &str) -> bool {
    value.is_empty() || value == "runtime/default" || value.starts_with("localhost/")
}

pub(super) fn app_armor_profile_v1_0(
    annotations: &Annotations,
    spec: &PodSpec,
) -> Option<Forbidden> {
    let (mut setters, bad_values) = forbidden_profile_setters(
        spec,
        spec.pod_security_context()
            .and_then(|sc| sc.app_armor_profile.as_ref()),
        |sc| sc.app_armor_profile.as_ref(),
    );

    let mut bad_annotations: Vec<String> = annotations
        .iter()
        .filter(|(key, value)| {
            key.starts_with(ANNOTATION_PREFIX) && !allowed_annotation_value(value)
        })
        .map(|(key, value)| format!("{key}={}", go_quote(value)))
        .collect();
    bad_annotations.sort();

    let mut bad_value_list: Vec<String> = bad_values.iter().map(|v| v.to_string()).collect();
    if !bad_annotations.is_empty() {
        setters.push(pluralize("annotation", "annotations", bad_annotations.len()).to_string());
        bad_value_list.extend(bad_annotations);
    }

    if setters.is_empty() {
        return None;
    }
    Some(Forbidden::new(
        pluralize(
            "forbidden AppArmor profile",
            "forbidden AppArmor profiles",
            bad_value_list.len(),
        ),
        format!(
            "{} must not set AppArmor profile type to {}",
            setters.join(" and "),
            join_quote(&bad_value_list)
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::super::helpers::{test_annotations, test_spec};
    use super::*;
    use serde_json::json;

    #[test]
    fn table() {
        let p = ANNOTATION_PREFIX;
        type Case<'a> = (
            Vec<(String, &'a str)>,
            serde_json::Value,
            Option<(&'a str, &'a str)>,
        );
        let cases: Vec<Case> = vec![
            (vec![], json!({}), None),
            (
                vec![(format!("{p}test"), "runtime/default"), ("env".into(), "prod")],
                json!({}),
                None,
            ),
            (vec![(format!("{p}test"), "localhost/sec-profile01")], json!({}), None),
            (vec![(format!("{p}a"), "")], json!({}), None),
            (
                vec![],
                json!({
                    "securityContext": {"appArmorProfile": {"type": "RuntimeDefault"}},
                    "containers": [{"name": "foo", "securityContext": {"appArmorProfile": {"type": "Localhost", "localhostProfile": "x"}}}],
                }),
                None,
            ),
            (
                vec![],
                json!({"securityContext": {"appArmorProfile": {"type": "Unconfined"}}}),
                Some(("forbidden AppArmor profile", r#"pod must not set AppArmor profile type to "Unconfined""#)),
            ),
            (
                vec![],
                json!({
                    "securityContext": {"appArmorProfile": {"type": "RuntimeDefault"}},
                    "containers": [{"name": "foo", "securityContext": {"appArmorProfile": {"type": "Unconfined"}}}],
                }),
                Some(("forbidden AppArmor profile", r#"container "foo" must not set AppArmor profile type to "Unconfined""#)),
            ),
            (
                vec![],
                json!({"initContainers": [{"name": "bar", "securityContext": {"appArmorProfile": {}}}]}),
                Some(("forbidden AppArmor profile", r#"container "bar" must not set AppArmor profile type to """#)),
            ),
            (
                vec![
                    (p.to_string(), "bogus"),
                    (format!("{p}a"), ""),
                    (format!("{p}b"), "runtime/default"),
                    (format!("{p}c"), "localhost/"),
                    (format!("{p}d"), "localhost/foo"),
                    (format!("{p}e"), "unconfined"),
                    (format!("{p}f"), "unknown"),
                ],
                json!({}),
                Some((
                    "forbidden AppArmor profiles",
                    "annotations must not set AppArmor profile type to \
                     \"container.apparmor.security.beta.kubernetes.io/=\"bogus\"\", \
                     \"container.apparmor.security.beta.kubernetes.io/e=\"unconfined\"\", \
                     \"container.apparmor.security.beta.kubernetes.io/f=\"unknown\"\"",
                )),
            ),
            (
                vec![(format!("{p}a"), "unconfined")],
                json!({
                    "securityContext": {"appArmorProfile": {"type": "Unconfined"}},
                    "containers": [{"name": "a", "securityContext": {"appArmorProfile": {"type": "Unconfined"}}}],
                }),
                Some((
                    "forbidden AppArmor profiles",
                    "pod and container \"a\" and annotation must not set AppArmor profile type to \
                     \"Unconfined\", \"container.apparmor.security.beta.kubernetes.io/a=\"unconfined\"\"",
                )),
            ),
        ];
        for (annotations, spec, want) in cases {
            let pairs: Vec<(&str, &str)> =
                annotations.iter().map(|(k, v)| (k.as_str(), *v)).collect();
            let got = app_armor_profile_v1_0(&test_annotations(&pairs), &test_spec(spec.clone()));
            assert_eq!(
                got.as_ref().map(|f| (f.reason.as_str(), f.detail.as_str())),
                want,
                "{spec} {annotations:?}"
            );
        }
    }
}
