//! PSA check `runAsUser` (restricted), after `policy/check_runAsUser.go`.
//!
//! Containers must not explicitly run as the root user ID.
//!
//! Reads: `spec.securityContext.runAsUser` and
//! `spec.{initContainers,containers,ephemeralContainers}[*].securityContext.runAsUser`; from v1.35 also
//! `spec.hostUsers`.
//! Allows: unset or non-zero. From v1.35 anything when `spec.hostUsers` is `false` (KEP-127).
//! Versions: v1.23 introduces the check; v1.35 adds the user-namespace relaxation.

use super::helpers::{bad_containers, bad_setters, in_user_namespace};
use super::registry::{Check, Revision};
use super::standard::Level;
use super::{Annotations, Forbidden};
use crate::pod::PodSpec;

pub(super) const CHECK: Check = Check {
    id: "runAsUser",
    level: Level::Restricted,
    revisions: &[
        Revision::since(23, run_as_user_v1_23),
        Revision::since(35, run_as_user_v1_35),
    ],
};

pub(super) fn run_as_user_v1_23(_: &Annotations, spec: &PodSpec) -> Option<Forbidden> {
    let pod = spec.pod_security_context().and_then(|sc| sc.run_as_user) == Some(0);
    let bad = bad_containers(spec, |c| c.sc().and_then(|sc| sc.run_as_user) == Some(0));
    let setters = bad_setters(pod, &bad);
    if setters.is_empty() {
        return None;
    }
    Some(Forbidden::new(
        "runAsUser=0",
        format!("{} must not set runAsUser=0", setters.join(" and ")),
    ))
}

pub(super) fn run_as_user_v1_35(annotations: &Annotations, spec: &PodSpec) -> Option<Forbidden> {
    if in_user_namespace(spec) {
        return None;
    }
    run_as_user_v1_23(annotations, spec)
}

#[cfg(test)]
mod tests {
    use super::super::helpers::{assert_table, test_spec};
    use super::*;
    use serde_json::json;

    #[test]
    fn table() {
        let cases = [
            (json!({"containers": [{"name": "a"}]}), None),
            (
                json!({"securityContext": {"runAsUser": 1000}, "containers": [{"name": "a", "securityContext": {"runAsUser": 1}}]}),
                None,
            ),
            (
                json!({"securityContext": {"runAsUser": 0}, "containers": [{"name": "a"}]}),
                Some("pod must not set runAsUser=0"),
            ),
            (
                json!({
                    "securityContext": {"runAsUser": 0},
                    "containers": [
                        {"name": "a", "securityContext": {"runAsUser": 0}},
                        {"name": "b", "securityContext": {"runAsUser": 1000}},
                    ],
                    "ephemeralContainers": [{"name": "e", "securityContext": {"runAsUser": 0}}],
                }),
                Some(r#"pod and containers "a", "e" must not set runAsUser=0"#),
            ),
        ];
        assert_table(
            &[run_as_user_v1_23, run_as_user_v1_35],
            "runAsUser=0",
            cases,
        );
    }

    #[test]
    fn user_namespaced_pods_are_relaxed_from_v1_35() {
        let spec = test_spec(
            json!({"hostUsers": false, "securityContext": {"runAsUser": 0}, "containers": [{"name": "a"}]}),
        );
        assert!(run_as_user_v1_23(&Annotations::new(), &spec).is_some());
        assert!(run_as_user_v1_35(&Annotations::new(), &spec).is_none());
    }
}
