//! Sysctls: `allowedUnsafeSysctls` and `forbiddenSysctls`.
//!
//! Reads: `spec.securityContext.sysctls[*].name` (`/`-separated names normalised to `.` as the kubelet does).
//! Allows: a sysctl not matched by `forbiddenSysctls`, and either in the kubelet's safe set or matched by
//! `allowedUnsafeSysctls`. A pattern is an exact name, a prefix ending in `*`, or `*` alone; patterns are
//! normalised as names are, so `kernel/shm_rmid_forced` and `kernel.shm_rmid_forced` are one pattern. Forbidden
//! wins over allowed, and over the safe set. A violation's `allowed:` lists `allowedUnsafeSysctls`: what the
//! settings allow beside the safe set. PSP defaults nothing here.

use super::{FieldFamily, PspSettings};
use crate::object::PodObject;
use crate::safe_sysctls;
use crate::settings::SettingsErrors;
use crate::violation::{quoted, Allowed, Field, Violations};

#[derive(Debug)]
pub struct Sysctls {
    /// The patterns as the settings write them (for messages).
    allowed_unsafe: Vec<String>,
    forbidden: Vec<String>,
    /// The same patterns normalised like pod sysctl names (for matching).
    allowed_unsafe_normalized: Vec<String>,
    forbidden_normalized: Vec<String>,
}

/// `name` with `/` separators turned into `.`, as the kubelet's `NormalizeName` does (a name whose first
/// separator is `/` has its `.` and `/` swapped).
pub fn normalize(name: &str) -> String {
    match name.find(['.', '/']) {
        Some(i) if name.as_bytes().get(i) == Some(&b'/') => name
            .chars()
            .map(|c| match c {
                '/' => '.',
                '.' => '/',
                other => other,
            })
            .collect(),
        _ => name.to_string(),
    }
}

fn matches(pattern: &str, name: &str) -> bool {
    match pattern.strip_suffix('*') {
        Some(prefix) => name.starts_with(prefix),
        None => pattern == name,
    }
}

/// A lower-case letter or digit, `-` or `_`: the characters of a sysctl name segment.
fn is_segment_char(c: &u8) -> bool {
    c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-' || *c == b'_'
}

/// A whole segment: `[a-z0-9]([-_a-z0-9]*[a-z0-9])?`.
fn is_segment(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b.iter().all(is_segment_char)
        && b.first().is_some_and(|c| !matches!(c, b'-' | b'_'))
        && b.last().is_some_and(|c| !matches!(c, b'-' | b'_'))
}

/// The part of a last segment before its `*`: `([a-z0-9][-_a-z0-9]*)?` (`tcp_` in `net.ipv4.tcp_*`).
fn is_segment_prefix(s: &str) -> bool {
    let b = s.as_bytes();
    b.iter().all(is_segment_char) && b.first().is_none_or(|c| !matches!(c, b'-' | b'_'))
}

/// A sysctl name, or a name prefix followed by `*`, or `*` (PSP's `IsValidSysctlPattern`: segments
/// `[a-z0-9]([-_a-z0-9]*[a-z0-9])?`, the last one `([a-z0-9][-_a-z0-9]*)?[a-z0-9*]`).
pub fn is_valid_pattern(pattern: &str) -> bool {
    let Some(body) = pattern.strip_suffix('*') else {
        return !pattern.is_empty() && pattern.split(['.', '/']).all(is_segment);
    };
    let (init, last) = match body.rsplit_once(['.', '/']) {
        Some((init, last)) => (Some(init), last),
        None => (None, body),
    };
    is_segment_prefix(last) && init.is_none_or(|init| init.split(['.', '/']).all(is_segment))
}

/// Reports every allowed pattern that overlaps a forbidden one (compared as they match: normalised).
fn check_no_overlap(allowed_unsafe: &[String], forbidden: &[String], errors: &mut SettingsErrors) {
    for (i, allowed_written) in allowed_unsafe.iter().enumerate() {
        let allowed = normalize(allowed_written);
        for (j, forbidden_written) in forbidden.iter().enumerate() {
            let forbidden_pattern = normalize(forbidden_written);
            let overlap = match (
                allowed.strip_suffix('*'),
                forbidden_pattern.strip_suffix('*'),
            ) {
                (Some(a), Some(f)) => a.starts_with(f) || f.starts_with(a),
                (Some(a), None) => forbidden_pattern.starts_with(a),
                (None, Some(f)) => allowed.starts_with(f),
                (None, None) => allowed == forbidden_pattern,
            };
            if overlap {
                errors.add(
                    format!("allowedUnsafeSysctls[{i}]"),
                    format!(
                        "{allowed_written:?} overlaps forbiddenSysctls[{j}] {forbidden_written:?}"
                    ),
                );
            }
        }
    }
}

impl Sysctls {
    /// The forbidden pattern (as written) that matches the normalised `name`.
    fn forbidding(&self, name: &str) -> Option<&String> {
        self.forbidden
            .iter()
            .zip(&self.forbidden_normalized)
            .find(|(_, p)| matches(p, name))
            .map(|(written, _)| written)
    }

    fn is_allowed(&self, name: &str) -> bool {
        if self.forbidding(name).is_some() {
            return false;
        }
        safe_sysctls::is_safe(name)
            || self
                .allowed_unsafe_normalized
                .iter()
                .any(|p| matches(p, name))
    }
}

impl FieldFamily for Sysctls {
    fn from_settings(settings: &PspSettings, errors: &mut SettingsErrors) -> Self {
        let allowed_unsafe = settings
            .in_effect
            .allowed_unsafe_sysctls
            .clone()
            .unwrap_or_default();
        let forbidden = settings
            .in_effect
            .forbidden_sysctls
            .clone()
            .unwrap_or_default();
        for (key, list) in [
            ("allowedUnsafeSysctls", &allowed_unsafe),
            ("forbiddenSysctls", &forbidden),
        ] {
            for (i, pattern) in list.iter().enumerate() {
                if !is_valid_pattern(pattern) {
                    errors.add(
                        format!("{key}[{i}]"),
                        format!(
                            "{pattern:?} is not a sysctl name or pattern (name, prefix*, or *)"
                        ),
                    );
                }
            }
        }
        let normalized = |list: &[String]| list.iter().map(|p| normalize(p)).collect::<Vec<_>>();
        let allowed_unsafe_normalized = normalized(&allowed_unsafe);
        let forbidden_normalized = normalized(&forbidden);
        // PSP's rule: no sysctl may be both allowed and forbidden. It relates two keys, so it judges them as
        // written: beside a Pod Security Standard an unwritten `allowedUnsafeSysctls` allows every sysctl
        // (`*`) that `forbiddenSysctls` does not forbid, without contradicting it.
        let written = |list: &Option<Vec<String>>| list.as_deref().unwrap_or_default().to_vec();
        check_no_overlap(
            &written(&settings.written.allowed_unsafe_sysctls),
            &written(&settings.written.forbidden_sysctls),
            errors,
        );
        Sysctls {
            allowed_unsafe,
            forbidden,
            allowed_unsafe_normalized,
            forbidden_normalized,
        }
    }

    fn validate_pod(&self, pod: &PodObject, violations: &mut Violations) {
        for (i, sysctl) in pod.spec.sysctls().iter().enumerate() {
            let name = normalize(&sysctl.name);
            if !self.is_allowed(&name) {
                let reason = match self.forbidding(&name) {
                    Some(pattern) => format!(
                        "sysctl is forbidden by forbiddenSysctls {}",
                        quoted(pattern)
                    ),
                    None => {
                        "sysctl is neither a safe sysctl nor in allowedUnsafeSysctls".to_string()
                    }
                };
                // The safe sysctls are allowed too, unless forbidden: the list is what the settings add to them.
                violations.invalid(
                    Field::pod(
                        pod.kind
                            .spec_field(&format!("securityContext.sysctls[{i}].name")),
                    ),
                    quoted(&sysctl.name),
                    reason,
                    Allowed::values(&self.allowed_unsafe),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::psp::test_support::*;
    use serde_json::json;

    fn sysctl_pod(names: &[&str]) -> serde_json::Value {
        let list: Vec<_> = names
            .iter()
            .map(|n| json!({"name": n, "value": "1"}))
            .collect();
        json!({"securityContext": {"sysctls": list}, "containers": []})
    }

    #[test]
    fn patterns() {
        for (p, ok) in [
            ("*", true),
            ("kernel.*", true),
            ("kernel.msg*", true),
            ("net.core.somaxconn", true),
            ("net/ipv4/conf/eth0.100/rp_filter", true),
            ("Kernel.x", false),
            ("kernel..x", false),
            ("", false),
            ("kernel.*.x", false),
            ("*kernel", false),
            // PSP's last segment may end in `-` or `_` before its `*`.
            ("net.ipv4.tcp_*", true),
            ("kernel.msg-*", true),
            ("net/ipv4/tcp_*", true),
            ("kernel._*", false),
            ("kernel..*", false),
            (".*", false),
            ("kernel.msg_", false),
        ] {
            assert_eq!(is_valid_pattern(p), ok, "{p}");
        }
        assert_eq!(
            normalize("net/ipv4/conf/eno2.100/rp_filter"),
            "net.ipv4.conf.eno2/100.rp_filter"
        );
        assert_eq!(
            normalize("net.ipv4.tcp_syncookies"),
            "net.ipv4.tcp_syncookies"
        );
    }

    #[test]
    fn safe_unsafe_and_forbidden() {
        let spec = sysctl_pod(&[
            "kernel.shm_rmid_forced",
            "net.core.somaxconn",
            "kernel/msgmax",
        ]);
        let cases = [
            (json!({}), vec![
                "spec.securityContext.sysctls[1].name: Invalid value: \"net.core.somaxconn\": sysctl is neither a safe sysctl nor in allowedUnsafeSysctls; allowed: none",
                "spec.securityContext.sysctls[2].name: Invalid value: \"kernel/msgmax\": sysctl is neither a safe sysctl nor in allowedUnsafeSysctls; allowed: none",
            ]),
            (json!({"allowedUnsafeSysctls": ["net.core.*", "kernel.msg*"]}), vec![]),
            (json!({"allowedUnsafeSysctls": ["net.core.*"], "forbiddenSysctls": ["kernel.*"]}), vec![
                "spec.securityContext.sysctls[0].name: Invalid value: \"kernel.shm_rmid_forced\": sysctl is forbidden by forbiddenSysctls \"kernel.*\"; allowed: \"net.core.*\"",
                "spec.securityContext.sysctls[2].name: Invalid value: \"kernel/msgmax\": sysctl is forbidden by forbiddenSysctls \"kernel.*\"; allowed: \"net.core.*\"",
            ]),
            (json!({"allowedUnsafeSysctls": ["*"]}), vec![]),
            (json!({"allowedUnsafeSysctls": ["net.ipv4.tcp_*", "kernel.msgmnb"]}), vec![
                "spec.securityContext.sysctls[1].name: Invalid value: \"net.core.somaxconn\": sysctl is neither a safe sysctl nor in allowedUnsafeSysctls; allowed: \"net.ipv4.tcp_*\", \"kernel.msgmnb\"",
                "spec.securityContext.sysctls[2].name: Invalid value: \"kernel/msgmax\": sysctl is neither a safe sysctl nor in allowedUnsafeSysctls; allowed: \"net.ipv4.tcp_*\", \"kernel.msgmnb\"",
            ]),
        ];
        assert_violations_by_settings(&spec, cases);
    }

    #[test]
    fn patterns_written_with_slashes_match_as_names_do() {
        // A forbidden pattern written with `/` forbids the sysctl in either spelling (it matched nothing
        // before patterns were normalised, so a safe sysctl it named was allowed).
        let spec = sysctl_pod(&[
            "kernel.shm_rmid_forced",
            "net/ipv4/tcp_syncookies",
            "net.core.somaxconn",
        ]);
        let p = psp(
            json!({"forbiddenSysctls": ["kernel/shm_rmid_forced", "net/ipv4/tcp_*"], "allowedUnsafeSysctls": ["net/core/*"]}),
        );
        assert_eq!(violations(&p, &pod(spec)), vec![
            "spec.securityContext.sysctls[0].name: Invalid value: \"kernel.shm_rmid_forced\": sysctl is forbidden by forbiddenSysctls \"kernel/shm_rmid_forced\"; allowed: \"net/core/*\"",
            "spec.securityContext.sysctls[1].name: Invalid value: \"net/ipv4/tcp_syncookies\": sysctl is forbidden by forbiddenSysctls \"net/ipv4/tcp_*\"; allowed: \"net/core/*\"",
        ]);
        // An allowed pattern and a forbidden one in different spellings still overlap.
        assert_eq!(
            settings_errors(
                json!({"allowedUnsafeSysctls": ["kernel.*"], "forbiddenSysctls": ["kernel/msgmax"]})
            ),
            "allowedUnsafeSysctls[0]: \"kernel.*\" overlaps forbiddenSysctls[0] \"kernel/msgmax\""
        );
    }

    #[test]
    fn settings_checks() {
        let cases = [
            (
                json!({"allowedUnsafeSysctls": ["kernel.*"], "forbiddenSysctls": ["kernel.msgmax"]}),
                "allowedUnsafeSysctls[0]: \"kernel.*\" overlaps forbiddenSysctls[0]",
            ),
            (
                json!({"allowedUnsafeSysctls": ["net.core.somaxconn"], "forbiddenSysctls": ["*"]}),
                "overlaps",
            ),
            (
                json!({"allowedUnsafeSysctls": ["a.b"], "forbiddenSysctls": ["a.b"]}),
                "overlaps",
            ),
            (
                json!({"forbiddenSysctls": ["Kernel"]}),
                "forbiddenSysctls[0]: \"Kernel\" is not a sysctl name",
            ),
        ];
        assert_settings_errors_contain(cases);
        assert_eq!(
            settings_errors(
                json!({"allowedUnsafeSysctls": ["net.core.*"], "forbiddenSysctls": ["kernel.*"]})
            ),
            ""
        );
    }
}
