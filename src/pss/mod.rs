//! The Pod Security Standards (`baseline` and `restricted`), as Kubernetes' Pod Security Admission (PSA)
//! evaluates them: the same checks, the same per-version behaviour, the same messages.
//!
//! Source of truth: `k8s.io/pod-security-admission`, folder `policy/` (one `check_*.go` per check,
//! `registry.go` for how checks are chosen by level and version). This module mirrors that layout: one
//! `check_*.rs` file per PSA check, each a set of pure functions (one per version at which the check's rule
//! changes) with its table tests, and [`REGISTRY`] below, which lists every check with its level, the policy
//! versions at which each revision starts, and the baseline checks a restricted revision replaces.
//!
//! How a standard is evaluated (as PSA's `checkRegistry.EvaluatePod`):
//! - `latest` means the newest policy version this registry knows (v1.37: the highest version at which any
//!   check changes).
//! - For every check, the revision used is the last one whose minimum version is at or below the requested one;
//!   a check with no such revision does not exist yet at that version.
//! - `baseline` runs the baseline checks. `restricted` runs the baseline checks, minus those named in the
//!   `overrides` of an active restricted revision, plus the restricted checks.
//! - Results are reported baseline checks first, then restricted ones, each group ordered by check ID (Go
//!   byte order), which is the order of [`REGISTRY`].

use std::fmt;

use crate::pod::{Container, PodSpec};

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
pub mod check_sysctls;
mod check_windows_host_process;

#[cfg(test)]
mod conformance_tests;

/// The pod's (or pod template's) `metadata.annotations`.
pub use crate::object::Annotations;

/// A Pod Security Standards level. (`privileged` is not a level here: it checks nothing.)
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Level {
    Baseline,
    Restricted,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Baseline => "baseline",
            Level::Restricted => "restricted",
        }
    }

    /// Parses `"baseline"` or `"restricted"` (exact spelling, as PSA's namespace labels).
    pub fn parse(level: &str) -> Result<Level, String> {
        match level {
            "baseline" => Ok(Level::Baseline),
            "restricted" => Ok(Level::Restricted),
            other => Err(format!(
                "invalid Pod Security Standards level {other:?}: expected \"baseline\" or \"restricted\""
            )),
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A Pod Security Standards policy version: `latest` (the newest rules) or `v1.N` with `N` in `0..=37`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Version {
    /// `None` is `latest`.
    minor: Option<u8>,
}

impl Version {
    /// The newest policy version at which any check changes; `latest` evaluates as this version.
    pub const MAX_MINOR: u8 = 37;

    pub const LATEST: Version = Version { minor: None };

    /// Version `v1.<minor>`, if `minor` is at most [`Version::MAX_MINOR`].
    pub fn v1(minor: u8) -> Option<Version> {
        (minor <= Self::MAX_MINOR).then_some(Version { minor: Some(minor) })
    }

    pub fn is_latest(self) -> bool {
        self.minor.is_none()
    }

    /// The pinned minor version, or `None` for `latest`.
    pub fn minor(self) -> Option<u8> {
        self.minor
    }

    /// The minor version whose rules apply: `latest` is [`Version::MAX_MINOR`].
    pub fn resolved_minor(self) -> u8 {
        self.minor.unwrap_or(Self::MAX_MINOR)
    }

    /// Parses `"latest"` or `"v1.0"` .. `"v1.37"` (PSA's `enforce-version` spelling).
    pub fn parse(version: &str) -> Result<Version, String> {
        if version == "latest" {
            return Ok(Version::LATEST);
        }
        version
            .strip_prefix("v1.")
            .filter(|digits| {
                !digits.is_empty()
                    && digits.bytes().all(|b| b.is_ascii_digit())
                    && (digits.len() == 1 || !digits.starts_with('0'))
            })
            .and_then(|digits| digits.parse::<u8>().ok())
            .and_then(Version::v1)
            .ok_or_else(|| {
                format!(
                    "invalid Pod Security Standards version {version:?}: expected \"latest\" or \"v1.0\" to \"v1.{}\"",
                    Self::MAX_MINOR
                )
            })
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.minor {
            None => f.write_str("latest"),
            Some(minor) => write!(f, "v1.{minor}"),
        }
    }
}

/// A level at a version, e.g. `restricted:latest`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Standard {
    pub level: Level,
    pub version: Version,
}

impl Standard {
    pub fn parse(level: &str, version: &str) -> Result<Standard, String> {
        Ok(Standard {
            level: Level::parse(level)?,
            version: Version::parse(version)?,
        })
    }
}

impl fmt::Display for Standard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.level, self.version)
    }
}

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

/// A check revision: given the pod's annotations and spec, `None` if allowed.
type CheckFn = fn(&Annotations, &PodSpec) -> Option<Forbidden>;

/// One revision of a check, used from policy version `v1.<since>` until the next revision.
struct Revision {
    since: u8,
    check: CheckFn,
    /// Baseline check IDs this (restricted) revision replaces in the restricted level.
    overrides: &'static [&'static str],
}

struct Check {
    id: &'static str,
    level: Level,
    /// Strictly increasing `since`.
    revisions: &'static [Revision],
}

impl Check {
    /// The revision in force at `minor`, if the check exists at that version.
    fn at(&self, minor: u8) -> Option<&Revision> {
        self.revisions.iter().rev().find(|r| r.since <= minor)
    }
}

const fn rev(since: u8, check: CheckFn) -> Revision {
    Revision {
        since,
        check,
        overrides: &[],
    }
}

const fn rev_overriding(since: u8, check: CheckFn, overrides: &'static [&'static str]) -> Revision {
    Revision {
        since,
        check,
        overrides,
    }
}

use check_allow_privilege_escalation as ape;
use check_app_armor_profile as apparmor;
use check_capabilities_baseline as caps_b;
use check_capabilities_restricted as caps_r;
use check_host_namespaces as hostns;
use check_host_path_volumes as hostpath;
use check_host_ports as hostports;
use check_host_probes_and_host_lifecycle as hostprobes;
use check_privileged as privileged;
use check_proc_mount as procmount;
use check_proc_mount_restricted as procmount_r;
use check_restricted_volumes as volumes_r;
use check_run_as_non_root as nonroot;
use check_run_as_user as runasuser;
use check_se_linux_options as selinux;
use check_seccomp_profile_baseline as seccomp_b;
use check_seccomp_profile_restricted as seccomp_r;
use check_sysctls as sysctls;
use check_windows_host_process as hostprocess;

/// Every check, baseline then restricted, each group sorted by ID in Go byte order (PSA's report order).
const REGISTRY: &[Check] = &[
    // ---- baseline ----
    Check {
        id: "appArmorProfile",
        level: Level::Baseline,
        revisions: &[rev(0, apparmor::app_armor_profile_v1_0)],
    },
    Check {
        id: "capabilities_baseline",
        level: Level::Baseline,
        revisions: &[rev(0, caps_b::capabilities_baseline_v1_0)],
    },
    Check {
        id: "hostNamespaces",
        level: Level::Baseline,
        revisions: &[rev(0, hostns::host_namespaces_v1_0)],
    },
    Check {
        id: "hostPathVolumes",
        level: Level::Baseline,
        revisions: &[rev(0, hostpath::host_path_volumes_v1_0)],
    },
    Check {
        id: "hostPorts",
        level: Level::Baseline,
        revisions: &[rev(0, hostports::host_ports_v1_0)],
    },
    Check {
        id: "hostProbesAndHostLifecycle",
        level: Level::Baseline,
        revisions: &[rev(34, hostprobes::host_probes_and_host_lifecycle_v1_34)],
    },
    Check {
        id: "privileged",
        level: Level::Baseline,
        revisions: &[rev(0, privileged::privileged_v1_0)],
    },
    Check {
        id: "procMount",
        level: Level::Baseline,
        revisions: &[
            rev(0, procmount::proc_mount_v1_0),
            rev(35, procmount::proc_mount_v1_35),
        ],
    },
    Check {
        id: "seLinuxOptions",
        level: Level::Baseline,
        revisions: &[
            rev(0, selinux::se_linux_options_v1_0),
            rev(31, selinux::se_linux_options_v1_31),
        ],
    },
    Check {
        id: "seccompProfile_baseline",
        level: Level::Baseline,
        revisions: &[
            rev(0, seccomp_b::seccomp_profile_baseline_v1_0),
            rev(19, seccomp_b::seccomp_profile_baseline_v1_19),
        ],
    },
    Check {
        id: "sysctls",
        level: Level::Baseline,
        revisions: &[
            rev(0, sysctls::sysctls_v1_0),
            rev(27, sysctls::sysctls_v1_27),
            rev(29, sysctls::sysctls_v1_29),
            rev(32, sysctls::sysctls_v1_32),
            rev(37, sysctls::sysctls_v1_37),
        ],
    },
    Check {
        id: "windowsHostProcess",
        level: Level::Baseline,
        revisions: &[rev(0, hostprocess::windows_host_process_v1_0)],
    },
    // ---- restricted ----
    Check {
        id: "allowPrivilegeEscalation",
        level: Level::Restricted,
        revisions: &[
            rev(8, ape::allow_privilege_escalation_v1_8),
            rev(25, ape::allow_privilege_escalation_v1_25),
        ],
    },
    Check {
        id: "capabilities_restricted",
        level: Level::Restricted,
        revisions: &[
            rev_overriding(
                22,
                caps_r::capabilities_restricted_v1_22,
                &["capabilities_baseline"],
            ),
            rev_overriding(
                25,
                caps_r::capabilities_restricted_v1_25,
                &["capabilities_baseline"],
            ),
        ],
    },
    Check {
        id: "procMount_restricted",
        level: Level::Restricted,
        revisions: &[rev_overriding(
            35,
            procmount_r::proc_mount_restricted_v1_35,
            &["procMount"],
        )],
    },
    Check {
        id: "restrictedVolumes",
        level: Level::Restricted,
        revisions: &[rev_overriding(
            0,
            volumes_r::restricted_volumes_v1_0,
            &["hostPathVolumes"],
        )],
    },
    Check {
        id: "runAsNonRoot",
        level: Level::Restricted,
        revisions: &[
            rev(0, nonroot::run_as_non_root_v1_0),
            rev(35, nonroot::run_as_non_root_v1_35),
        ],
    },
    Check {
        id: "runAsUser",
        level: Level::Restricted,
        revisions: &[
            rev(23, runasuser::run_as_user_v1_23),
            rev(35, runasuser::run_as_user_v1_35),
        ],
    },
    Check {
        id: "seccompProfile_restricted",
        level: Level::Restricted,
        revisions: &[
            rev_overriding(
                19,
                seccomp_r::seccomp_profile_restricted_v1_19,
                &["seccompProfile_baseline"],
            ),
            rev_overriding(
                25,
                seccomp_r::seccomp_profile_restricted_v1_25,
                &["seccompProfile_baseline"],
            ),
        ],
    },
];

/// The checks (with the revision in force) that `standard` runs, in report order.
fn checks_for(standard: &Standard) -> Vec<(&'static Check, &'static Revision)> {
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

// ---- helpers shared by the checks (PSA's `helpers.go` / `visitor.go`) ----

/// `singular` when `count` is 1, else `plural`.
fn pluralize<'a>(singular: &'a str, plural: &'a str, count: usize) -> &'a str {
    if count == 1 {
        singular
    } else {
        plural
    }
}

/// `"a", "b", "c"` (PSA's `joinQuote`: wraps in double quotes without escaping), empty for no items.
fn join_quote<I, S>(items: I) -> String
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    let quoted: Vec<String> = items
        .into_iter()
        .map(|item| format!("\"{}\"", item.as_ref()))
        .collect();
    quoted.join(", ")
}

/// `container "a"` or `containers "a", "b"`.
fn containers_phrase(names: &[&str]) -> String {
    format!(
        "{} {}",
        pluralize("container", "containers", names.len()),
        join_quote(names)
    )
}

/// Go's `%q` for a string: double-quoted with Go escapes.
fn go_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len().saturating_add(2));
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{b}' => out.push_str("\\v"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                out.push_str(&format!("\\x{:02x}", c as u32));
            }
            c if c.is_control() => {
                let code = c as u32;
                if code <= 0xffff {
                    out.push_str(&format!("\\u{code:04x}"));
                } else {
                    out.push_str(&format!("\\U{code:08x}"));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Every container (init, regular, ephemeral: PSA's `visitContainers` order).
fn containers(spec: &PodSpec) -> impl Iterator<Item = &Container> {
    spec.all_containers().map(|(_, container)| container)
}

/// `spec.hostUsers: false` (a user-namespaced pod): relaxes some checks from policy v1.35 (KEP-127).
fn in_user_namespace(spec: &PodSpec) -> bool {
    spec.host_users == Some(false)
}

#[cfg(test)]
fn test_spec(value: serde_json::Value) -> PodSpec {
    serde_json::from_value(value).expect("test pod spec parses")
}

#[cfg(test)]
fn test_annotations(pairs: &[(&str, &str)]) -> Annotations {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

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
                assert!(r.since <= Version::MAX_MINOR, "{}", check.id);
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
        assert_eq!(newest, Some(Version::MAX_MINOR));
    }

    #[test]
    fn parses_levels_and_versions() {
        let ok = [
            ("baseline", "latest", Level::Baseline, None),
            ("restricted", "v1.0", Level::Restricted, Some(0)),
            ("restricted", "v1.25", Level::Restricted, Some(25)),
            ("baseline", "v1.37", Level::Baseline, Some(37)),
        ];
        for (level, version, want_level, want_minor) in ok {
            let s = Standard::parse(level, version).unwrap();
            assert_eq!(s.level, want_level);
            assert_eq!(s.version.minor(), want_minor);
            assert_eq!(s.to_string(), format!("{level}:{version}"));
        }
        for (level, version, needle) in [
            ("privileged", "latest", "\"privileged\""),
            ("Baseline", "latest", "\"Baseline\""),
            ("", "latest", "\"\""),
            ("baseline", "v1.38", "\"v1.38\""),
            ("baseline", "1.25", "\"1.25\""),
            ("baseline", "v1.025", "\"v1.025\""),
            ("baseline", "v1.", "\"v1.\""),
            ("baseline", "v2.0", "\"v2.0\""),
            ("baseline", "v1.-1", "\"v1.-1\""),
            ("baseline", "v1.+1", "\"v1.+1\""),
            ("baseline", "v1.300", "\"v1.300\""),
            ("baseline", "Latest", "\"Latest\""),
        ] {
            let err = Standard::parse(level, version).unwrap_err();
            assert!(err.contains(needle), "{err}");
        }
        let err = Level::parse("x").unwrap_err();
        assert!(
            err.contains("\"baseline\"") && err.contains("\"restricted\""),
            "{err}"
        );
        let err = Version::parse("x").unwrap_err();
        assert!(
            err.contains("\"latest\"") && err.contains("\"v1.0\"") && err.contains("\"v1.37\""),
            "{err}"
        );
    }

    #[test]
    fn latest_is_the_newest_version() {
        assert_eq!(Version::LATEST.resolved_minor(), 37);
        assert!(Version::LATEST.is_latest());
        assert_eq!(Version::v1(38), None);
        assert_eq!(
            Version::v1(12).map(|v| v.to_string()),
            Some("v1.12".to_string())
        );
    }

    #[test]
    fn restricted_replaces_overridden_baseline_checks_by_version() {
        let ids = |level, minor| -> Vec<&str> {
            let standard = Standard {
                level,
                version: Version::v1(minor).unwrap(),
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
    }

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
        for minor in 0..=Version::MAX_MINOR {
            let version = Version::v1(minor).unwrap();
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

    #[test]
    fn go_quote_escapes_like_go() {
        assert_eq!(go_quote("unconfined"), "\"unconfined\"");
        assert_eq!(go_quote("a\"b\\c"), "\"a\\\"b\\\\c\"");
        assert_eq!(go_quote("l1\nl2\t\u{1}"), "\"l1\\nl2\\t\\x01\"");
        assert_eq!(go_quote("é"), "\"é\"");
        assert_eq!(go_quote("\u{85}"), "\"\\u0085\"");
    }

    #[test]
    fn join_quote_and_pluralize() {
        assert_eq!(join_quote(Vec::<&str>::new()), "");
        assert_eq!(join_quote(["a"]), "\"a\"");
        assert_eq!(join_quote(["a", "b"]), "\"a\", \"b\"");
        assert_eq!(containers_phrase(&["a"]), "container \"a\"");
        assert_eq!(containers_phrase(&["a", "b"]), "containers \"a\", \"b\"");
        assert_eq!(pluralize("x", "xs", 0), "xs");
    }
}
