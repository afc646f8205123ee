//! PSA check `hostPathVolumes` (baseline), after `policy/check_hostPathVolumes.go`.
//!
//! HostPath volumes must be forbidden. In `restricted`, `restrictedVolumes` replaces this check.
//!
//! Reads: `spec.volumes[*].hostPath`.
//! Allows: unset.
//! Versions: one rule since v1.0.

use super::helpers::{join_quote, pluralize};
use super::registry::{Check, Revision};
use super::standard::Level;
use super::{Annotations, Forbidden};
use crate::pod::{PodSpec, VolumeType};

pub(super) const CHECK: Check = Check {
    id: "hostPathVolumes",
    level: Level::Baseline,
    revisions: &[Revision::since(0, host_path_volumes_v1_0)],
};

pub(super) fn host_path_volumes_v1_0(_: &Annotations, spec: &PodSpec) -> Option<Forbidden> {
    let bad: Vec<&str> = spec
        .volumes()
        .iter()
        .filter(|v| v.sources.contains(&VolumeType::HostPath))
        .map(|v| v.name.as_str())
        .collect();
    if bad.is_empty() {
        return None;
    }
    Some(Forbidden::new(
        "hostPath volumes",
        format!(
            "{} {}",
            pluralize("volume", "volumes", bad.len()),
            join_quote(&bad)
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::super::helpers::assert_table;
    use super::*;
    use serde_json::json;

    #[test]
    fn table() {
        let cases = [
            (json!({}), None),
            (
                json!({"volumes": [{"name": "a", "emptyDir": {}}, {"name": "b"}]}),
                None,
            ),
            (json!({"volumes": [{"name": "a", "hostPath": null}]}), None),
            (
                json!({"volumes": [{"name": "a", "hostPath": {"path": "/"}}]}),
                Some(r#"volume "a""#),
            ),
            (
                json!({"volumes": [
                    {"name": "a", "hostPath": {"path": "/"}},
                    {"name": "b", "secret": {}},
                    {"name": "c", "hostPath": {"path": "/var"}},
                ]}),
                Some(r#"volumes "a", "c""#),
            ),
        ];
        assert_table(&[host_path_volumes_v1_0], "hostPath volumes", cases);
    }
}
