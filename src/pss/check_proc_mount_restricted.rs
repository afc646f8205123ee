//! PSA check `procMount_restricted` (restricted), after `policy/check_procMount_restricted.go`.
//!
//! From v1.35 baseline's `procMount` lets user-namespaced pods unmask /proc; restricted keeps the unconditional
//! rule by replacing `procMount` with this check.
//!
//! Reads: `spec.{initContainers,containers,ephemeralContainers}[*].securityContext.procMount`.
//! Allows: unset, `Default` (whatever `spec.hostUsers`).
//! Versions: v1.35 (before that, baseline's unconditional `procMount` applies in restricted too).

use super::check_proc_mount::proc_mount_v1_0;
use super::registry::{Check, Revision};
use super::standard::Level;
use super::{Annotations, Forbidden};
use crate::pod::PodSpec;

pub(super) const CHECK: Check = Check {
    id: "procMount_restricted",
    level: Level::Restricted,
    revisions: &[Revision::overriding(
        35,
        proc_mount_restricted_v1_35,
        &[super::check_proc_mount::CHECK.id],
    )],
};

pub(super) fn proc_mount_restricted_v1_35(
    annotations: &Annotations,
    spec: &PodSpec,
) -> Option<Forbidden> {
    proc_mount_v1_0(annotations, spec)
}

#[cfg(test)]
mod tests {
    use super::super::helpers::assert_table;
    use super::*;
    use serde_json::json;

    #[test]
    fn table() {
        let cases = [
            (
                json!({"hostUsers": false, "containers": [{"name": "a"}]}),
                None,
            ),
            (
                json!({"hostUsers": false, "containers": [{"name": "a", "securityContext": {"procMount": "Default"}}]}),
                None,
            ),
            (
                json!({"hostUsers": false, "containers": [{"name": "a", "securityContext": {"procMount": "Unmasked"}}]}),
                Some(r#"container "a" must not set securityContext.procMount to "Unmasked""#),
            ),
            (
                json!({"containers": [{"name": "a", "securityContext": {"procMount": "Unmasked"}}]}),
                Some(r#"container "a" must not set securityContext.procMount to "Unmasked""#),
            ),
        ];
        assert_table(&[proc_mount_restricted_v1_35], "procMount", cases);
    }
}
