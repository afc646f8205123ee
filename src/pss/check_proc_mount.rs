//! PSA check `procMount` (baseline), after `policy/check_procMount_baseline.go`.
//!
//! The default /proc masks reduce the attack surface and are required, except (from v1.35) in a pod that runs
//! in its own user namespace. In `restricted`, `procMount_restricted` replaces this check from v1.35.
//!
//! Reads: `spec.{initContainers,containers,ephemeralContainers}[*].securityContext.procMount`, and from v1.35
//! `spec.hostUsers`.
//! Allows: unset, `Default`; from v1.35 any value when `spec.hostUsers` is `false`.
//! Versions: v1.0; v1.35 adds the user-namespace relaxation.

use std::collections::BTreeSet;

use super::helpers::{containers, containers_phrase, in_user_namespace, join_quote};
use super::registry::{Check, Revision};
use super::standard::Level;
use super::{Annotations, Forbidden};
use crate::pod::PodSpec;

pub(super) const CHECK: Check = Check {
    id: "procMount",
    level: Level::Baseline,
    revisions: &[
        Revision::since(0, proc_mount_v1_0),
        Revision::since(35, proc_mount_v1_35),
    ],
};

const DEFAULT_PROC_MOUNT: &str = "Default";

/// Forbids any `procMount` but `Default`, whatever the pod.
pub(super) fn proc_mount_v1_0(_: &Annotations, spec: &PodSpec) -> Option<Forbidden> {
    let mut bad: Vec<&str> = Vec::new();
    let mut bad_types: BTreeSet<&str> = BTreeSet::new();
    for container in containers(spec) {
        if let Some(proc_mount) = container.sc().and_then(|sc| sc.proc_mount.as_deref()) {
            if proc_mount != DEFAULT_PROC_MOUNT {
                bad.push(container.name.as_str());
                bad_types.insert(proc_mount);
            }
        }
    }
    if bad.is_empty() {
        return None;
    }
    Some(Forbidden::new(
        "procMount",
        format!(
            "{} must not set securityContext.procMount to {}",
            containers_phrase(&bad),
            join_quote(&bad_types)
        ),
    ))
}

/// As v1.0, but a pod with `hostUsers: false` may set any `procMount`.
pub(super) fn proc_mount_v1_35(annotations: &Annotations, spec: &PodSpec) -> Option<Forbidden> {
    if in_user_namespace(spec) {
        return None;
    }
    proc_mount_v1_0(annotations, spec)
}

#[cfg(test)]
mod tests {
    use super::super::helpers::{assert_verdict, test_spec};
    use super::*;
    use serde_json::json;

    #[test]
    fn table() {
        // (spec, v1.0 detail, v1.35 detail)
        let unmasked = r#"container "a" must not set securityContext.procMount to "Unmasked""#;
        let cases = [
            (
                json!({"containers": [{"name": "a"}, {"name": "b", "securityContext": {}}]}),
                None,
                None,
            ),
            (
                json!({"containers": [{"name": "a", "securityContext": {"procMount": "Default"}}]}),
                None,
                None,
            ),
            (
                json!({"containers": [{"name": "a", "securityContext": {"procMount": "Unmasked"}}]}),
                Some(unmasked),
                Some(unmasked),
            ),
            (
                json!({"hostUsers": true, "containers": [{"name": "a", "securityContext": {"procMount": "Unmasked"}}]}),
                Some(unmasked),
                Some(unmasked),
            ),
            (
                json!({"hostUsers": false, "containers": [{"name": "a", "securityContext": {"procMount": "Unmasked"}}]}),
                Some(unmasked),
                None,
            ),
            (
                json!({
                    "initContainers": [{"name": "i", "securityContext": {"procMount": "Unmasked"}}],
                    "containers": [{"name": "a", "securityContext": {"procMount": "Other"}}],
                }),
                Some(
                    r#"containers "i", "a" must not set securityContext.procMount to "Other", "Unmasked""#,
                ),
                Some(
                    r#"containers "i", "a" must not set securityContext.procMount to "Other", "Unmasked""#,
                ),
            ),
        ];
        for (spec, want_v1_0, want_v1_35) in cases {
            let spec = test_spec(spec);
            for (got, want) in [
                (proc_mount_v1_0(&Annotations::new(), &spec), want_v1_0),
                (proc_mount_v1_35(&Annotations::new(), &spec), want_v1_35),
            ] {
                assert_verdict(got, "procMount", want, format!("{spec:?}"));
            }
        }
    }
}
