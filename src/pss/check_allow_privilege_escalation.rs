//! PSA check `allowPrivilegeEscalation` (restricted), after `policy/check_allowPrivilegeEscalation.go`.
//!
//! Privilege escalation (such as via set-user-ID or set-group-ID file modes) must not be allowed.
//!
//! Reads: `spec.{initContainers,containers,ephemeralContainers}[*].securityContext.allowPrivilegeEscalation`.
//! Allows: `false` only (unset means allowed to escalate).
//! Versions: v1.8 introduces the check (the field appeared in Kubernetes 1.8); from v1.25 a pod with
//! `spec.os.name: windows` is exempt.

use super::helpers::forbid_containers;
use super::registry::{Check, Revision};
use super::standard::Level;
use super::{Annotations, Forbidden};
use crate::pod::PodSpec;

pub(super) const CHECK: Check = Check {
    id: "allowPrivilegeEscalation",
    level: Level::Restricted,
    revisions: &[
        Revision::since(8, allow_privilege_escalation_v1_8),
        Revision::since(25, allow_privilege_escalation_v1_25),
    ],
};

pub(super) fn allow_privilege_escalation_v1_8(
    _: &Annotations,
    spec: &PodSpec,
) -> Option<Forbidden> {
    forbid_containers(
        spec,
        "allowPrivilegeEscalation != false",
        "must set securityContext.allowPrivilegeEscalation=false",
        |c| c.sc().and_then(|sc| sc.allow_privilege_escalation) != Some(false),
    )
}

pub(super) fn allow_privilege_escalation_v1_25(
    annotations: &Annotations,
    spec: &PodSpec,
) -> Option<Forbidden> {
    if spec.is_windows() {
        return None;
    }
    allow_privilege_escalation_v1_8(annotations, spec)
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
                json!({"containers": [{"name": "a", "securityContext": {"allowPrivilegeEscalation": false}}]}),
                None,
            ),
            (
                json!({"containers": [{"name": "a"}]}),
                Some(r#"container "a" must set securityContext.allowPrivilegeEscalation=false"#),
            ),
            (
                json!({
                    "initContainers": [{"name": "i", "securityContext": {}}],
                    "containers": [
                        {"name": "a", "securityContext": {"allowPrivilegeEscalation": true}},
                        {"name": "b", "securityContext": {"allowPrivilegeEscalation": false}},
                    ],
                    "ephemeralContainers": [{"name": "e"}],
                }),
                Some(
                    r#"containers "i", "a", "e" must set securityContext.allowPrivilegeEscalation=false"#,
                ),
            ),
        ];
        assert_table(
            &[
                allow_privilege_escalation_v1_8,
                allow_privilege_escalation_v1_25,
            ],
            "allowPrivilegeEscalation != false",
            cases,
        );
    }

    #[test]
    fn windows_pods_are_exempt_from_v1_25() {
        let spec = test_spec(json!({"os": {"name": "windows"}, "containers": [{"name": "a"}]}));
        assert!(allow_privilege_escalation_v1_8(&Annotations::new(), &spec).is_some());
        assert!(allow_privilege_escalation_v1_25(&Annotations::new(), &spec).is_none());
    }
}
