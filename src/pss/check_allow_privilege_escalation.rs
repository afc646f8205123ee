//! PSA check `allowPrivilegeEscalation` (restricted), after `policy/check_allowPrivilegeEscalation.go`.
//!
//! Privilege escalation (such as via set-user-ID or set-group-ID file modes) must not be allowed.
//!
//! Reads: `spec.{initContainers,containers,ephemeralContainers}[*].securityContext.allowPrivilegeEscalation`.
//! Allows: `false` only (unset means allowed to escalate).
//! Versions: v1.8 introduces the check (the field appeared in Kubernetes 1.8); from v1.25 a pod with
//! `spec.os.name: windows` is exempt.

use super::helpers::{containers, containers_phrase};
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
    let bad: Vec<&str> = containers(spec)
        .filter(|c| c.sc().and_then(|sc| sc.allow_privilege_escalation) != Some(false))
        .map(|c| c.name.as_str())
        .collect();
    if bad.is_empty() {
        return None;
    }
    Some(Forbidden::new(
        "allowPrivilegeEscalation != false",
        format!(
            "{} must set securityContext.allowPrivilegeEscalation=false",
            containers_phrase(&bad)
        ),
    ))
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
    use super::super::helpers::test_spec;
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
        for (spec, want) in cases {
            let spec = test_spec(spec);
            let got = allow_privilege_escalation_v1_8(&Annotations::new(), &spec);
            assert_eq!(
                got.as_ref().map(|f| f.reason.as_str()),
                want.map(|_| "allowPrivilegeEscalation != false")
            );
            assert_eq!(got.as_ref().map(|f| f.detail.as_str()), want, "{spec:?}");
            assert_eq!(
                allow_privilege_escalation_v1_25(&Annotations::new(), &spec),
                got
            );
        }
    }

    #[test]
    fn windows_pods_are_exempt_from_v1_25() {
        let spec = test_spec(json!({"os": {"name": "windows"}, "containers": [{"name": "a"}]}));
        assert!(allow_privilege_escalation_v1_8(&Annotations::new(), &spec).is_some());
        assert!(allow_privilege_escalation_v1_25(&Annotations::new(), &spec).is_none());
    }
}
