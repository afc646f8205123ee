//! PSA check `privileged` (baseline), after `policy/check_privileged.go`.
//!
//! Privileged containers disable most security mechanisms.
//!
//! Reads: `spec.{initContainers,containers,ephemeralContainers}[*].securityContext.privileged`.
//! Allows: unset, `false`.
//! Versions: one rule since v1.0.

use super::helpers::forbid_containers;
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
    forbid_containers(
        spec,
        "privileged",
        "must not set securityContext.privileged=true",
        |c| c.sc().and_then(|sc| sc.privileged) == Some(true),
    )
}

#[cfg(test)]
mod tests {
    use super::super::helpers::assert_table;
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
        assert_table(&[privileged_v1_0], "privileged", cases);
    }
}
