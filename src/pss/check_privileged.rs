//! PSA check `privileged` (baseline), after `policy/check_privileged.go`.
//!
//! Privileged containers disable most security mechanisms.
//!
//! Reads: `spec.{initContainers,containers,ephemeralContainers}[*].securityContext.privileged`.
//! Allows: unset, `false`.
//! Versions: one rule since v1.0.

use super::helpers::{containers, containers_phrase};
use super::registry::{Check, Revision};
use super::standard::Level;
use super::{Annotations, Forbidden};
use crate::pod::PodSpec;

pub(super) const CHECK: Check = Check {
    id: "privileged",
    level: Level::Baseline,
    revisions: &[Revision::since(0, privileged_v1_0)],
};

pub(super) fn privileged_v1_0(_: &Annotations, spec: &PodSpec) -> Option<Forbidden> {
    let bad: Vec<&str> = containers(spec)
        .filter(|c| c.sc().and_then(|sc| sc.privileged) == Some(true))
        .map(|c| c.name.as_str())
        .collect();
    if bad.is_empty() {
        return None;
    }
    Some(Forbidden::new(
        "privileged",
        format!(
            "{} must not set securityContext.privileged=true",
            containers_phrase(&bad)
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::super::helpers::test_spec;
    use super::*;
    use serde_json::json;

    #[test]
    fn table() {
        let cases = [
            (json!({"containers": [{"name": "a"}]}), None),
            (
                json!({"containers": [{"name": "a", "securityContext": {"privileged": false}}]}),
                None,
            ),
            (
                json!({"containers": [{"name": "a", "securityContext": {"privileged": true}}]}),
                Some(r#"container "a" must not set securityContext.privileged=true"#),
            ),
            (
                json!({
                    "containers": [{"name": "a", "securityContext": {"privileged": true}}, {"name": "b"}],
                    "initContainers": [{"name": "i", "securityContext": {"privileged": true}}],
                    "ephemeralContainers": [{"name": "e", "securityContext": {"privileged": true}}],
                }),
                Some(r#"containers "i", "a", "e" must not set securityContext.privileged=true"#),
            ),
        ];
        for (spec, want) in cases {
            let got = privileged_v1_0(&Annotations::new(), &test_spec(spec.clone()));
            assert_eq!(
                got.as_ref().map(|f| f.reason.as_str()),
                want.map(|_| "privileged"),
                "{spec}"
            );
            assert_eq!(got.as_ref().map(|f| f.detail.as_str()), want, "{spec}");
        }
    }
}
