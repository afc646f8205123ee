//! ID and host port ranges: PSP's `IDRange` / `HostPortRange` checks, shared by users, groups and host ports.

use crate::settings::spec::IdRange;
use crate::settings::SettingsErrors;
use crate::violation::Allowed;

/// True when `id` lies in one of `ranges` (both ends included).
pub fn contains(ranges: &[IdRange], id: i64) -> bool {
    ranges.iter().any(|r| r.min <= id && id <= r.max)
}

/// `1000-2000, 5000`: ranges for messages.
pub fn describe(ranges: &[IdRange]) -> String {
    let parts: Vec<String> = ranges
        .iter()
        .map(|r| {
            if r.min == r.max {
                r.min.to_string()
            } else {
                format!("{}-{}", r.min, r.max)
            }
        })
        .collect();
    parts.join(", ")
}

/// The ranges as what a violation allows (`none` when there are none).
pub fn allowed(ranges: &[IdRange]) -> Allowed {
    Allowed::ranges(describe(ranges))
}

/// Checks `ranges` as PSP's API validation does: no negative ends, `min <= max`, and ends within `limit`.
pub fn check(key: &str, ranges: &[IdRange], limit: i64, errors: &mut SettingsErrors) {
    for (i, r) in ranges.iter().enumerate() {
        if r.min < 0 || r.max < 0 {
            errors.add(
                format!("{key}[{i}]"),
                format!("min ({}) and max ({}) must not be negative", r.min, r.max),
            );
        } else if r.min > r.max {
            errors.add(
                format!("{key}[{i}]"),
                format!("min ({}) cannot be greater than max ({})", r.min, r.max),
            );
        } else if r.max > limit {
            errors.add(
                format!("{key}[{i}]"),
                format!("max ({}) must be at most {limit}", r.max),
            );
        }
    }
}

/// Kubernetes IDs are int64 but the kernel's are 32-bit: PSP accepted any non-negative int64.
pub const MAX_ID: i64 = i64::MAX;
pub const MAX_PORT: i64 = 65535;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn membership_and_description() {
        let ranges = [IdRange { min: 10, max: 20 }, IdRange { min: 30, max: 30 }];
        for (id, inside) in [
            (9, false),
            (10, true),
            (20, true),
            (21, false),
            (30, true),
            (-1, false),
        ] {
            assert_eq!(contains(&ranges, id), inside, "{id}");
        }
        assert_eq!(describe(&ranges), "10-20, 30");
    }

    #[test]
    fn refuses_bad_ranges() {
        let mut errors = SettingsErrors::default();
        check(
            "hostPorts",
            &[
                IdRange { min: 5, max: 1 },
                IdRange { min: -1, max: 3 },
                IdRange { min: 1, max: 70000 },
            ],
            MAX_PORT,
            &mut errors,
        );
        let message = format!("{errors:?}");
        assert!(
            message.contains("hostPorts[0]: min (5) cannot be greater than max (1)"),
            "{message}"
        );
        assert!(
            message.contains("hostPorts[1]: min (-1) and max (3) must not be negative"),
            "{message}"
        );
        assert!(
            message.contains("hostPorts[2]: max (70000) must be at most 65535"),
            "{message}"
        );
    }
}
