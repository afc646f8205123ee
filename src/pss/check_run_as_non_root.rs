//! PSA check `runAsNonRoot` (restricted), after `policy/check_runAsNonRoot.go`.
//!
//! Containers must be required to run as non-root users.
//!
//! Reads: `spec.securityContext.runAsNonRoot` and
//! `spec.{initContainers,containers,ephemeralContainers}[*].securityContext.runAsNonRoot`; from v1.35 also
//! `spec.hostUsers`.
//! Allows: `true` on every container, or `true` on the pod with containers leaving it unset; no `false`
//! anywhere. From v1.35 anything when `spec.hostUsers` is `false` (root in a user namespace is not root on the
//! node, KEP-127).
//! Versions: v1.0; v1.35 adds the user-namespace relaxation.

use super::helpers::{bad_setters, containers, containers_phrase, in_user_namespace};
use super::registry::{Check, Revision};
use super::standard::Level;
use super::{Annotations, Forbidden};
use crate::pod::PodSpec;

pub(super) const CHECK: Check = Check {
    id: "runAsNonRoot",
    level: Level::Restricted,
    revisions: &[
        Revision::since(0, run_as_non_root_v1_0),
        Revision::since(35, run_as_non_root_v1_35),
    ],
};

pub(super) fn run_as_non_root_v1_0(_: &Annotations, spec: &PodSpec) -> Option<Forbidden> {
    let pod_value = spec
        .pod_security_context()
        .and_then(|sc| sc.run_as_non_root);
    let pod_run_as_non_root = pod_value == Some(true);

    // Containers that set false, and containers that set nothing without a pod-level true.
    let mut explicitly_bad: Vec<&str> = Vec::new();
    let mut implicitly_bad: Vec<&str> = Vec::new();
    for container in containers(spec) {
        match container.sc().and_then(|sc| sc.run_as_non_root) {
            Some(false) => explicitly_bad.push(container.name.as_str()),
            Some(true) => {}
            None => {
                if !pod_run_as_non_root {
                    implicitly_bad.push(container.name.as_str());
                }
            }
        }
    }
    let setters = bad_setters(pod_value == Some(false), &explicitly_bad);
    if !setters.is_empty() {
        return Some(Forbidden::new(
            "runAsNonRoot != true",
            format!(
                "{} must not set securityContext.runAsNonRoot=false",
                setters.join(" and ")
            ),
        ));
    }
    if !implicitly_bad.is_empty() {
        return Some(Forbidden::new(
            "runAsNonRoot != true",
            format!(
                "pod or {} must set securityContext.runAsNonRoot=true",
                containers_phrase(&implicitly_bad)
            ),
        ));
    }
    None
}

pub(super) fn run_as_non_root_v1_35(
    annotations: &Annotations,
    spec: &PodSpec,
) -> Option<Forbidden> {
    if in_user_namespace(spec) {
        return None;
    }
    run_as_non_root_v1_0(annotations, spec)
}

#[cfg(test)]
mod tests {
    use super::super::helpers::{assert_verdict, test_spec};
    use super::*;
    use serde_json::json;

    #[test]
    fn table() {
        let cases = [
            (
                json!({"securityContext": {"runAsNonRoot": true}, "containers": [{"name": "a"}]}),
                None,
            ),
            (
                json!({"containers": [
                    {"name": "a", "securityContext": {"runAsNonRoot": true}},
                    {"name": "b", "securityContext": {"runAsNonRoot": true}},
                ]}),
                None,
            ),
            (
                json!({"containers": [{"name": "a"}, {"name": "b", "securityContext": {"runAsNonRoot": true}}]}),
                Some(r#"pod or container "a" must set securityContext.runAsNonRoot=true"#),
            ),
            (
                json!({"securityContext": {"runAsNonRoot": false}, "containers": [{"name": "a"}]}),
                Some("pod must not set securityContext.runAsNonRoot=false"),
            ),
            (
                json!({
                    "securityContext": {"runAsNonRoot": true},
                    "initContainers": [{"name": "i", "securityContext": {"runAsNonRoot": false}}],
                    "containers": [{"name": "a", "securityContext": {"runAsNonRoot": false}}, {"name": "b"}],
                }),
                Some(r#"containers "i", "a" must not set securityContext.runAsNonRoot=false"#),
            ),
            (
                json!({
                    "securityContext": {"runAsNonRoot": false},
                    "containers": [{"name": "a", "securityContext": {"runAsNonRoot": false}}, {"name": "b"}],
                }),
                Some(r#"pod and container "a" must not set securityContext.runAsNonRoot=false"#),
            ),
        ];
        for (spec, want) in cases {
            for host_users in [None, Some(true)] {
                let mut spec = test_spec(spec.clone());
                spec.host_users = host_users;
                for check in [run_as_non_root_v1_0, run_as_non_root_v1_35] {
                    let got = check(&Annotations::new(), &spec);
                    assert_verdict(got, "runAsNonRoot != true", want, format!("{spec:?}"));
                }
            }
        }
    }

    #[test]
    fn user_namespaced_pods_are_relaxed_from_v1_35() {
        let spec = test_spec(
            json!({"hostUsers": false, "securityContext": {"runAsNonRoot": false}, "containers": [{"name": "a"}]}),
        );
        assert!(run_as_non_root_v1_0(&Annotations::new(), &spec).is_some());
        assert!(run_as_non_root_v1_35(&Annotations::new(), &spec).is_none());
    }
}
