//! Which checks a standard runs, after PSA's `policy/registry.go`: every check declares itself (its ID, level
//! and versioned revisions, in its own `check_*.rs`), and [`REGISTRY`] only lists them.
//!
//! - For every check, the revision used is the last one whose minimum version is at or below the requested
//!   one; a check with no such revision does not exist yet at that version.
//! - `baseline` runs the baseline checks. `restricted` runs the baseline checks, minus those named in the
//!   `overrides` of an active restricted revision, plus the restricted checks.
//! - Results are reported baseline checks first, then restricted ones, each group ordered by check ID (Go
//!   byte order), which is the order of [`REGISTRY`].

use super::standard::{Level, Standard};
use super::*;
use crate::pod::PodSpec;

/// A check revision: given the pod's annotations and spec, `None` if allowed.
pub(super) type CheckFn = fn(&Annotations, &PodSpec) -> Option<Forbidden>;

/// One revision of a check, used from policy version `v1.<since>` until the next revision.
pub(super) struct Revision {
    pub(super) since: u8,
    pub(super) check: CheckFn,
    /// Baseline check IDs this (restricted) revision replaces in the restricted level.
    pub(super) overrides: &'static [&'static str],
}

impl Revision {
    pub(super) const fn since(minor: u8, check: CheckFn) -> Revision {
        Revision {
            since: minor,
            check,
            overrides: &[],
        }
    }

    /// A restricted revision that replaces the baseline checks `overrides` in the restricted level.
    pub(super) const fn overriding(
        minor: u8,
        check: CheckFn,
        overrides: &'static [&'static str],
    ) -> Revision {
        Revision {
            since: minor,
            check,
            overrides,
        }
    }
}

/// A check: PSA's `Check`, with its `Versions`.
pub(super) struct Check {
    pub(super) id: &'static str,
    pub(super) level: Level,
    /// Strictly increasing `since`.
    pub(super) revisions: &'static [Revision],
}

impl Check {
    /// The revision in force at `minor`, if the check exists at that version.
    fn at(&self, minor: u8) -> Option<&Revision> {
        self.revisions.iter().rev().find(|r| r.since <= minor)
    }
}

/// Every check, baseline then restricted, each group sorted by ID in Go byte order (PSA's report order).
const REGISTRY: &[Check] = &[
    check_app_armor_profile::CHECK,
    check_capabilities_baseline::CHECK,
    check_host_namespaces::CHECK,
    check_host_path_volumes::CHECK,
    check_host_ports::CHECK,
    check_host_probes_and_host_lifecycle::CHECK,
    check_privileged::CHECK,
    check_proc_mount::CHECK,
    check_se_linux_options::CHECK,
    check_seccomp_profile_baseline::CHECK,
    check_sysctls::CHECK,
    check_windows_host_process::CHECK,
    check_allow_privilege_escalation::CHECK,
    check_capabilities_restricted::CHECK,
    check_proc_mount_restricted::CHECK,
    check_restricted_volumes::CHECK,
    check_run_as_non_root::CHECK,
    check_run_as_user::CHECK,
    check_seccomp_profile_restricted::CHECK,
];

/// The checks (with the revision in force) that `standard` runs, in report order.
pub(super) fn checks_for(standard: &Standard) -> Vec<(&'static Check, &'static Revision)> {
    let minor = standard.version.resolved_minor();
    let active = REGISTRY
        .iter()
        .filter_map(|check| check.at(minor).map(|revision| (check, revision)));
    match standard.level {
        Level::Baseline => active
            .filter(|(check, _)| check.level == Level::Baseline)
            .collect(),
        Level::Restricted => {
            let active: Vec<_> = active.collect();
            let overridden: Vec<&str> = active
                .iter()
                .filter(|(check, _)| check.level == Level::Restricted)
                .flat_map(|(_, revision)| revision.overrides.iter().copied())
                .collect();
            active
                .into_iter()
                .filter(|(check, _)| {
                    check.level == Level::Restricted || !overridden.contains(&check.id)
                })
                .collect()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::standard::Version;
    use super::*;

    #[test]
    fn registry_is_well_formed() {
        let mut seen: Vec<&str> = Vec::new();
        let mut last: Option<(Level, &str)> = None;
        for check in REGISTRY {
            assert!(!seen.contains(&check.id), "duplicate check {}", check.id);
            seen.push(check.id);
            assert!(!check.revisions.is_empty(), "{} has no revision", check.id);
            let mut since = None;
            for r in check.revisions {
                assert!(r.since <= Version::NEWEST_KNOWN_MINOR, "{}", check.id);
                assert!(
                    since.is_none_or(|s| s < r.since),
                    "{}: versions must increase",
                    check.id
                );
                since = Some(r.since);
                assert!(
                    r.overrides.is_empty() || check.level == Level::Restricted,
                    "{}: only restricted checks override",
                    check.id
                );
            }
            // Baseline first, then restricted, each sorted by byte order like Go's sort.Strings.
            if let Some((level, id)) = last {
                match (level, check.level) {
                    (Level::Baseline, Level::Restricted) => {}
                    (a, b) if a == b => assert!(
                        id.as_bytes() < check.id.as_bytes(),
                        "{id} before {}",
                        check.id
                    ),
                    _ => panic!("restricted check before baseline check {}", check.id),
                }
            }
            last = Some((check.level, check.id));
        }
        // Every override names a baseline check.
        for check in REGISTRY {
            for r in check.revisions {
                for o in r.overrides {
                    assert!(
                        REGISTRY
                            .iter()
                            .any(|c| c.id == *o && c.level == Level::Baseline),
                        "{} overrides unknown baseline check {o}",
                        check.id
                    );
                }
            }
        }
        // `latest` is the newest version at which anything changes.
        let newest = REGISTRY
            .iter()
            .flat_map(|c| c.revisions.iter().map(|r| r.since))
            .max();
        assert_eq!(newest, Some(Version::NEWEST_KNOWN_MINOR));
    }

    /// Each check file, to hold its header prose to what it declares.
    const SOURCES: [(&str, &str); 19] = [
        (
            check_allow_privilege_escalation::CHECK.id,
            include_str!("check_allow_privilege_escalation.rs"),
        ),
        (
            check_app_armor_profile::CHECK.id,
            include_str!("check_app_armor_profile.rs"),
        ),
        (
            check_capabilities_baseline::CHECK.id,
            include_str!("check_capabilities_baseline.rs"),
        ),
        (
            check_capabilities_restricted::CHECK.id,
            include_str!("check_capabilities_restricted.rs"),
        ),
        (
            check_host_namespaces::CHECK.id,
            include_str!("check_host_namespaces.rs"),
        ),
        (
            check_host_path_volumes::CHECK.id,
            include_str!("check_host_path_volumes.rs"),
        ),
        (
            check_host_ports::CHECK.id,
            include_str!("check_host_ports.rs"),
        ),
        (
            check_host_probes_and_host_lifecycle::CHECK.id,
            include_str!("check_host_probes_and_host_lifecycle.rs"),
        ),
        (
            check_privileged::CHECK.id,
            include_str!("check_privileged.rs"),
        ),
        (
            check_proc_mount::CHECK.id,
            include_str!("check_proc_mount.rs"),
        ),
        (
            check_proc_mount_restricted::CHECK.id,
            include_str!("check_proc_mount_restricted.rs"),
        ),
        (
            check_restricted_volumes::CHECK.id,
            include_str!("check_restricted_volumes.rs"),
        ),
        (
            check_run_as_non_root::CHECK.id,
            include_str!("check_run_as_non_root.rs"),
        ),
        (
            check_run_as_user::CHECK.id,
            include_str!("check_run_as_user.rs"),
        ),
        (
            check_se_linux_options::CHECK.id,
            include_str!("check_se_linux_options.rs"),
        ),
        (
            check_seccomp_profile_baseline::CHECK.id,
            include_str!("check_seccomp_profile_baseline.rs"),
        ),
        (
            check_seccomp_profile_restricted::CHECK.id,
            include_str!("check_seccomp_profile_restricted.rs"),
        ),
        (check_sysctls::CHECK.id, include_str!("check_sysctls.rs")),
        (
            check_windows_host_process::CHECK.id,
            include_str!("check_windows_host_process.rs"),
        ),
    ];

    /// The minor versions written `v1.N` in `text`.
    fn versions_named(text: &str) -> Vec<u8> {
        let mut found: Vec<u8> = text
            .split("v1.")
            .skip(1)
            .filter_map(|rest| {
                let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
                digits.parse().ok()
            })
            .collect();
        found.sort_unstable();
        found.dedup();
        found
    }

    /// The header of each check file says what the check declares: `PSA check `<id>` (<level>)` on its first
    /// line, the baseline checks its revisions replace, and in its `Versions:` paragraph exactly the
    /// versions at which its revisions start.
    #[test]
    fn each_check_header_agrees_with_its_declaration() {
        let mut covered: Vec<&str> = SOURCES.iter().map(|(id, _)| *id).collect();
        let mut registered: Vec<&str> = REGISTRY.iter().map(|c| c.id).collect();
        covered.sort_unstable();
        registered.sort_unstable();
        assert_eq!(covered, registered);
        for check in REGISTRY {
            let source = SOURCES
                .iter()
                .find(|(id, _)| *id == check.id)
                .map(|(_, source)| *source)
                .unwrap();
            let header: Vec<&str> = source
                .lines()
                .map_while(|line| line.strip_prefix("//!"))
                .map(str::trim)
                .collect();
            let first = format!("PSA check `{}` ({})", check.id, check.level);
            assert!(header[0].starts_with(&first), "{}: {}", check.id, header[0]);
            for replaced in check.revisions.iter().flat_map(|r| r.overrides) {
                assert!(
                    header
                        .iter()
                        .any(|line| line.contains(&format!("`{replaced}`"))),
                    "{}: the header does not name {replaced}, which it replaces",
                    check.id
                );
            }
            let versions: Vec<&str> = header
                .iter()
                .skip_while(|line| !line.starts_with("Versions:"))
                .take_while(|line| !line.is_empty())
                .copied()
                .collect();
            assert!(!versions.is_empty(), "{}: no Versions: line", check.id);
            let declared: Vec<u8> = check.revisions.iter().map(|r| r.since).collect();
            assert_eq!(
                versions_named(&versions.join(" ")),
                declared,
                "{}: {versions:?}",
                check.id
            );
        }
    }

    #[test]
    fn restricted_replaces_overridden_baseline_checks_by_version() {
        let ids = |level, minor| -> Vec<&str> {
            let standard = Standard {
                level,
                version: Version::v1(minor),
            };
            checks_for(&standard)
                .into_iter()
                .map(|(c, _)| c.id)
                .collect()
        };
        let v0 = ids(Level::Restricted, 0);
        assert!(v0.contains(&"capabilities_baseline") && v0.contains(&"seccompProfile_baseline"));
        assert!(!v0.contains(&"hostPathVolumes") && v0.contains(&"restrictedVolumes"));
        assert!(!v0.contains(&"allowPrivilegeEscalation") && !v0.contains(&"runAsUser"));
        let v22 = ids(Level::Restricted, 22);
        assert!(
            !v22.contains(&"capabilities_baseline") && !v22.contains(&"seccompProfile_baseline")
        );
        assert!(v22.contains(&"procMount") && !v22.contains(&"procMount_restricted"));
        let v35 = ids(Level::Restricted, 35);
        assert!(!v35.contains(&"procMount") && v35.contains(&"procMount_restricted"));
        assert!(v35.contains(&"hostProbesAndHostLifecycle"));
        assert!(!ids(Level::Restricted, 33).contains(&"hostProbesAndHostLifecycle"));
        let b = ids(Level::Baseline, 37);
        assert_eq!(
            b,
            [
                "appArmorProfile",
                "capabilities_baseline",
                "hostNamespaces",
                "hostPathVolumes",
                "hostPorts",
                "hostProbesAndHostLifecycle",
                "privileged",
                "procMount",
                "seLinuxOptions",
                "seccompProfile_baseline",
                "sysctls",
                "windowsHostProcess",
            ]
        );
        assert!(!ids(Level::Baseline, 33).contains(&"hostProbesAndHostLifecycle"));
        // A version newer than the registry knows runs what the newest known version runs.
        for level in [Level::Baseline, Level::Restricted] {
            assert_eq!(ids(level, 38), ids(level, 37));
            assert_eq!(ids(level, 1000), ids(level, 37));
        }
    }
}
