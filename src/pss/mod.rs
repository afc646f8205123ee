//! The Pod Security Standards (`baseline` and `restricted`), as Kubernetes' Pod Security Admission (PSA)
//! evaluates them: the same checks, the same per-version behaviour, the same messages.
//!
//! Source of truth: `k8s.io/pod-security-admission`, folder `policy/` (one `check_*.go` per check,
//! `registry.go` for how checks are chosen by level and version). This module mirrors that layout:
//! - one `check_*.rs` file per PSA check: a set of pure functions (one per version at which the check's rule
//!   changes) with its table tests, and its `CHECK` (ID, level, and the version at which each revision
//!   starts);
//! - [`registry`], which lists the checks and picks those a standard runs;
//! - [`standard`], the level and version a standard is named by;
//! - [`helpers`], what the checks share (PSA's `helpers.go` and `visitor.go`).
//!
//! How a standard is evaluated (as PSA's `checkRegistry.EvaluatePod`): `latest`, and any version newer than
//! this registry knows, means the newest version it knows (`Version::NEWEST_KNOWN_MINOR`, v1.37: the highest
//! version at which any check changes); the registry picks each check's revision in force; failed checks are
//! reported in the registry's order.

mod helpers;
mod registry;
mod standard;

mod check_allow_privilege_escalation;
mod check_app_armor_profile;
mod check_capabilities_baseline;
mod check_capabilities_restricted;
mod check_host_namespaces;
mod check_host_path_volumes;
mod check_host_ports;
mod check_host_probes_and_host_lifecycle;
mod check_privileged;
mod check_proc_mount;
mod check_proc_mount_restricted;
mod check_restricted_volumes;
mod check_run_as_non_root;
mod check_run_as_user;
mod check_se_linux_options;
mod check_seccomp_profile_baseline;
mod check_seccomp_profile_restricted;
mod check_sysctls;
mod check_windows_host_process;

#[cfg(test)]
mod conformance_tests;

/// The pod's (or pod template's) `metadata.annotations`.
pub use crate::object::Annotations;
use crate::pod::PodSpec;
use registry::checks_for;
pub use standard::Standard;

/// One failed check: PSA's `CheckResult.ForbiddenReason` and `ForbiddenDetail`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Forbidden {
    pub reason: String,
    pub detail: String,
}

impl Forbidden {
    fn new(reason: impl Into<String>, detail: impl Into<String>) -> Forbidden {
        Forbidden {
            reason: reason.into(),
            detail: detail.into(),
        }
    }
}

/// Evaluates a pod (its annotations and spec) against `standard`: every failed check, in PSA's order. An empty
/// result means the pod is allowed.
pub fn evaluate(standard: &Standard, annotations: &Annotations, spec: &PodSpec) -> Vec<Forbidden> {
    evaluate_by_check(standard, annotations, spec)
        .into_iter()
        .map(|(_, forbidden)| forbidden)
        .collect()
}

/// As [`evaluate`], with the ID of the check that failed.
fn evaluate_by_check(
    standard: &Standard,
    annotations: &Annotations,
    spec: &PodSpec,
) -> Vec<(&'static str, Forbidden)> {
    checks_for(standard)
        .into_iter()
        .filter_map(|(check, revision)| {
            (revision.check)(annotations, spec).map(|forbidden| (check.id, forbidden))
        })
        .collect()
}

/// PSA's denial message: `violates PodSecurity "restricted:latest": reason (detail), reason (detail)`.
pub fn message(standard: &Standard, forbidden: &[Forbidden]) -> String {
    let details: Vec<String> = forbidden
        .iter()
        .map(|f| {
            let reason = if f.reason.is_empty() {
                "unknown forbidden reason"
            } else {
                f.reason.as_str()
            };
            if f.detail.is_empty() {
                reason.to_string()
            } else {
                format!("{reason} ({})", f.detail)
            }
        })
        .collect();
    format!(
        "violates PodSecurity \"{standard}\": {}",
        details.join(", ")
    )
}

#[cfg(test)]
mod tests {
    use super::helpers::test_spec;
    use super::standard::{Level, Version};
    use super::*;
    use serde_json::json;

    #[test]
    fn message_matches_psa_wording() {
        let standard = Standard::parse("restricted", "latest").unwrap();
        let spec = test_spec(json!({
            "containers": [{"name": "app", "securityContext": {"privileged": true}}],
            "securityContext": {"runAsNonRoot": true, "seccompProfile": {"type": "RuntimeDefault"}},
        }));
        let forbidden = evaluate(&standard, &Annotations::new(), &spec);
        assert_eq!(
            message(&standard, &forbidden),
            "violates PodSecurity \"restricted:latest\": \
             privileged (container \"app\" must not set securityContext.privileged=true), \
             allowPrivilegeEscalation != false (container \"app\" must set securityContext.allowPrivilegeEscalation=false), \
             unrestricted capabilities (container \"app\" must set securityContext.capabilities.drop=[\"ALL\"])"
        );
        let no_detail = [
            Forbidden::new("host namespaces", ""),
            Forbidden::new("", "x"),
        ];
        assert_eq!(
            message(&Standard::parse("baseline", "v1.3").unwrap(), &no_detail),
            "violates PodSecurity \"baseline:v1.3\": host namespaces, unknown forbidden reason (x)"
        );
    }

    #[test]
    fn a_pod_without_containers_passes_both_levels() {
        let spec = PodSpec::default();
        for minor in 0..=Version::NEWEST_KNOWN_MINOR {
            let version = Version::v1(u64::from(minor));
            let baseline = Standard {
                level: Level::Baseline,
                version,
            };
            assert!(evaluate(&baseline, &Annotations::new(), &spec).is_empty());
            // No containers: runAsNonRoot has no container to blame, so even restricted allows it.
            let restricted = Standard {
                level: Level::Restricted,
                version,
            };
            assert!(evaluate(&restricted, &Annotations::new(), &spec).is_empty());
        }
        let spec = test_spec(json!({"containers": [{"name": "a"}]}));
        let restricted = Standard::parse("restricted", "latest").unwrap();
        assert!(!evaluate(&restricted, &Annotations::new(), &spec).is_empty());
    }

    #[test]
    fn message_matches_a_real_psa_denial() {
        // As reported by a kube-apiserver for a node-exporter DaemonSet's pod.
        let standard = Standard::parse("baseline", "latest").unwrap();
        let spec = test_spec(json!({
            "hostNetwork": true,
            "hostPID": true,
            "containers": [{"name": "node-exporter", "ports": [{"containerPort": 9100, "hostPort": 9100}]}],
            "volumes": [
                {"name": "proc", "hostPath": {"path": "/proc"}},
                {"name": "sys", "hostPath": {"path": "/sys"}},
            ],
        }));
        assert_eq!(
            message(&standard, &evaluate(&standard, &Annotations::new(), &spec)),
            "violates PodSecurity \"baseline:latest\": host namespaces (hostNetwork=true, hostPID=true), \
             hostPath volumes (volumes \"proc\", \"sys\"), hostPort (container \"node-exporter\" uses hostPort 9100)"
        );
    }
}
