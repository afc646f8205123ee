//! PSA check `sysctls` (baseline), after `policy/check_sysctls.go`.
//!
//! Sysctls can disable security mechanisms or affect every container on the node; only a "safe" subset
//! (namespaced and isolated from other pods) is allowed.
//!
//! Reads: `spec.securityContext.sysctls[*].name`.
//! Allows: the safe set of the policy version (`crate::safe_sysctls`, which lists the names each version adds).
//! Versions: v1.0; v1.27, v1.29, v1.32 and v1.37 each add names to the safe set.

use super::registry::{Check, Revision};
use super::standard::Level;
use super::{Annotations, Forbidden};
use crate::pod::PodSpec;
use crate::safe_sysctls;

pub(super) const CHECK: Check = Check {
    id: "sysctls",
    level: Level::Baseline,
    revisions: &[
        Revision::since(0, sysctls_v1_0),
        Revision::since(27, sysctls_v1_27),
        Revision::since(29, sysctls_v1_29),
        Revision::since(32, sysctls_v1_32),
        Revision::since(37, sysctls_v1_37),
    ],
};

pub(super) fn sysctls_v1_0(_: &Annotations, spec: &PodSpec) -> Option<Forbidden> {
    sysctls(spec, 0)
}

pub(super) fn sysctls_v1_27(_: &Annotations, spec: &PodSpec) -> Option<Forbidden> {
    sysctls(spec, 27)
}

pub(super) fn sysctls_v1_29(_: &Annotations, spec: &PodSpec) -> Option<Forbidden> {
    sysctls(spec, 29)
}

pub(super) fn sysctls_v1_32(_: &Annotations, spec: &PodSpec) -> Option<Forbidden> {
    sysctls(spec, 32)
}

pub(super) fn sysctls_v1_37(_: &Annotations, spec: &PodSpec) -> Option<Forbidden> {
    sysctls(spec, 37)
}

/// Forbids every sysctl outside the safe set of policy version `v1.<minor>`.
fn sysctls(spec: &PodSpec, minor: u8) -> Option<Forbidden> {
    // In pod order, duplicates kept, as PSA.
    let forbidden: Vec<&str> = spec
        .sysctls()
        .iter()
        .map(|s| s.name.as_str())
        .filter(|name| !safe_sysctls::is_safe_at(minor, name))
        .collect();
    if forbidden.is_empty() {
        return None;
    }
    Some(Forbidden::new("forbidden sysctls", forbidden.join(", ")))
}

#[cfg(test)]
mod tests {
    use super::super::helpers::{assert_verdict, test_spec};
    use super::*;
    use serde_json::json;

    type CheckFn = fn(&Annotations, &PodSpec) -> Option<Forbidden>;

    fn pod(names: &[&str]) -> PodSpec {
        let sysctls: Vec<_> = names
            .iter()
            .map(|n| json!({"name": n, "value": "1"}))
            .collect();
        test_spec(json!({"securityContext": {"sysctls": sysctls}}))
    }

    #[test]
    fn allow_list_grows_by_version() {
        let versions: [(u8, CheckFn); 5] = [
            (0, sysctls_v1_0),
            (27, sysctls_v1_27),
            (29, sysctls_v1_29),
            (32, sysctls_v1_32),
            (37, sysctls_v1_37),
        ];
        let added = safe_sysctls::ADDED;
        for (version, check) in versions {
            for (since, names) in added {
                let got = check(&Annotations::new(), &pod(names));
                if since <= version {
                    assert_eq!(got, None, "v1.{version} allows {names:?}");
                } else {
                    assert_eq!(
                        got.map(|f| f.detail),
                        Some(names.join(", ")),
                        "v1.{version} forbids {names:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn a_revision_starts_wherever_the_safe_set_grows() {
        let starts: Vec<u8> = CHECK.revisions.iter().map(|r| r.since).collect();
        let growth: Vec<u8> = safe_sysctls::ADDED
            .iter()
            .map(|(minor, _)| *minor)
            .collect();
        assert_eq!(starts, growth);
    }

    #[test]
    fn table() {
        let cases = [
            (pod(&[]), None),
            (test_spec(json!({"securityContext": {}})), None),
            (pod(&["othersysctl"]), Some("othersysctl")),
            (
                pod(&["b.sysctl", "kernel.shm_rmid_forced", "a.sysctl", "b.sysctl"]),
                Some("b.sysctl, a.sysctl, b.sysctl"),
            ),
        ];
        for (spec, want) in cases {
            let got = sysctls_v1_37(&Annotations::new(), &spec);
            assert_verdict(got, "forbidden sysctls", want, format!("{spec:?}"));
        }
    }
}
