//! PSA check `capabilities_restricted` (restricted), after `policy/check_capabilities_restricted.go`.
//!
//! Containers must drop ALL capabilities, and may only add back NET_BIND_SERVICE. Replaces
//! `capabilities_baseline` in `restricted`.
//!
//! Reads: `spec.{initContainers,containers,ephemeralContainers}[*].securityContext.capabilities.drop` and
//! `.add`.
//! Allows: `drop` including `ALL`; `add` unset, empty or only `NET_BIND_SERVICE` (exact spelling, as PSA).
//! Versions: v1.22 introduces the check; from v1.25 a pod with `spec.os.name: windows` is exempt (the API
//! rejects capabilities on Windows pods).

use std::collections::BTreeSet;

use super::helpers::{containers, containers_phrase, join_quote};
use super::registry::{Check, Revision};
use super::standard::Level;
use super::{Annotations, Forbidden};
use crate::pod::PodSpec;

pub(super) const CHECK: Check = Check {
    id: "capabilities_restricted",
    level: Level::Restricted,
    revisions: &[
        Revision::overriding(
            22,
            capabilities_restricted_v1_22,
            &[super::check_capabilities_baseline::CHECK.id],
        ),
        Revision::overriding(
            25,
            capabilities_restricted_v1_25,
            &[super::check_capabilities_baseline::CHECK.id],
        ),
    ],
};

const CAPABILITY_ALL: &str = "ALL";
const CAPABILITY_NET_BIND_SERVICE: &str = "NET_BIND_SERVICE";

pub(super) fn capabilities_restricted_v1_22(_: &Annotations, spec: &PodSpec) -> Option<Forbidden> {
    let mut missing_drop_all: Vec<&str> = Vec::new();
    let mut adding_forbidden: Vec<&str> = Vec::new();
    let mut forbidden: BTreeSet<&str> = BTreeSet::new();
    for container in containers(spec) {
        let Some(caps) = container.sc().and_then(|sc| sc.capabilities.as_ref()) else {
            missing_drop_all.push(container.name.as_str());
            continue;
        };
        let dropped_all = caps
            .drop
            .as_deref()
            .unwrap_or_default()
            .iter()
            .any(|c| c == CAPABILITY_ALL);
        if !dropped_all {
            missing_drop_all.push(container.name.as_str());
        }
        let mut added_forbidden = false;
        for cap in caps.add.as_deref().unwrap_or_default() {
            if cap != CAPABILITY_NET_BIND_SERVICE {
                added_forbidden = true;
                forbidden.insert(cap.as_str());
            }
        }
        if added_forbidden {
            adding_forbidden.push(container.name.as_str());
        }
    }
    let mut details: Vec<String> = Vec::new();
    if !missing_drop_all.is_empty() {
        details.push(format!(
            "{} must set securityContext.capabilities.drop=[\"ALL\"]",
            containers_phrase(&missing_drop_all)
        ));
    }
    if !adding_forbidden.is_empty() {
        details.push(format!(
            "{} must not include {} in securityContext.capabilities.add",
            containers_phrase(&adding_forbidden),
            join_quote(&forbidden)
        ));
    }
    if details.is_empty() {
        return None;
    }
    Some(Forbidden::new(
        "unrestricted capabilities",
        details.join("; "),
    ))
}

pub(super) fn capabilities_restricted_v1_25(
    annotations: &Annotations,
    spec: &PodSpec,
) -> Option<Forbidden> {
    if spec.is_windows() {
        return None;
    }
    capabilities_restricted_v1_22(annotations, spec)
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
                json!({"containers": [{"name": "a", "securityContext": {"capabilities": {"drop": ["ALL"]}}}]}),
                None,
            ),
            (
                json!({"containers": [{"name": "a", "securityContext": {"capabilities": {"drop": ["NET_RAW", "ALL"], "add": ["NET_BIND_SERVICE"]}}}]}),
                None,
            ),
            (
                json!({"containers": [{"name": "a"}]}),
                Some(r#"container "a" must set securityContext.capabilities.drop=["ALL"]"#),
            ),
            (
                json!({"containers": [{"name": "a", "securityContext": {"capabilities": {"drop": ["all"]}}}]}),
                Some(r#"container "a" must set securityContext.capabilities.drop=["ALL"]"#),
            ),
            (
                json!({
                    "containers": [
                        {"name": "a", "securityContext": {"capabilities": {}}},
                        {"name": "b", "securityContext": {"capabilities": {"drop": ["ALL"], "add": ["CHOWN", "NET_BIND_SERVICE"]}}},
                        {"name": "c", "securityContext": {"capabilities": {"add": ["SYS_ADMIN"]}}},
                    ],
                }),
                Some(
                    r#"containers "a", "c" must set securityContext.capabilities.drop=["ALL"]; containers "b", "c" must not include "CHOWN", "SYS_ADMIN" in securityContext.capabilities.add"#,
                ),
            ),
        ];
        assert_table(
            &[capabilities_restricted_v1_22, capabilities_restricted_v1_25],
            "unrestricted capabilities",
            cases,
        );
    }

    #[test]
    fn windows_pods_are_exempt_from_v1_25() {
        let spec = test_spec(json!({"os": {"name": "windows"}, "containers": [{"name": "a"}]}));
        assert!(capabilities_restricted_v1_22(&Annotations::new(), &spec).is_some());
        assert!(capabilities_restricted_v1_25(&Annotations::new(), &spec).is_none());
        let linux = test_spec(json!({"os": {"name": "linux"}, "containers": [{"name": "a"}]}));
        assert!(capabilities_restricted_v1_25(&Annotations::new(), &linux).is_some());
    }
}
