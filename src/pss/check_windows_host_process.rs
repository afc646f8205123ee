//! PSA check `windowsHostProcess` (baseline), after `policy/check_windowsHostProcess.go`.
//!
//! Windows HostProcess containers have privileged access to the Windows node.
//!
//! Reads: `spec.securityContext.windowsOptions.hostProcess` and
//! `spec.{initContainers,containers,ephemeralContainers}[*].securityContext.windowsOptions.hostProcess`.
//! Allows: unset, `false`.
//! Versions: one rule since v1.0.

use super::helpers::{bad_containers, bad_setters};
use super::registry::{Check, Revision};
use super::standard::Level;
use super::{Annotations, Forbidden};
use crate::pod::{PodSpec, WindowsOptions};

pub(super) const CHECK: Check = Check {
    id: "windowsHostProcess",
    level: Level::Baseline,
    revisions: &[Revision::since(0, windows_host_process_v1_0)],
};

fn host_process(options: Option<&WindowsOptions>) -> bool {
    options.and_then(|o| o.host_process) == Some(true)
}

pub(super) fn windows_host_process_v1_0(_: &Annotations, spec: &PodSpec) -> Option<Forbidden> {
    let pod = host_process(
        spec.pod_security_context()
            .and_then(|sc| sc.windows_options.as_ref()),
    );
    let bad = bad_containers(spec, |c| {
        host_process(c.sc().and_then(|sc| sc.windows_options.as_ref()))
    });
    let setters = bad_setters(pod, &bad);
    if setters.is_empty() {
        return None;
    }
    Some(Forbidden::new(
        "hostProcess",
        format!(
            "{} must not set securityContext.windowsOptions.hostProcess=true",
            setters.join(" and ")
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
            (json!({"containers": [{"name": "a"}]}), None),
            (
                json!({
                    "securityContext": {"windowsOptions": {"hostProcess": false}},
                    "containers": [{"name": "a", "securityContext": {"windowsOptions": {"hostProcess": false}}}],
                }),
                None,
            ),
            (
                json!({"securityContext": {"windowsOptions": {"hostProcess": true}}, "containers": [{"name": "a"}]}),
                Some("pod must not set securityContext.windowsOptions.hostProcess=true"),
            ),
            (
                json!({
                    "securityContext": {"windowsOptions": {"hostProcess": true}},
                    "containers": [
                        {"name": "a", "securityContext": {"windowsOptions": {"hostProcess": true}}},
                        {"name": "b", "securityContext": {"windowsOptions": {"hostProcess": true}}},
                    ],
                }),
                Some(
                    r#"pod and containers "a", "b" must not set securityContext.windowsOptions.hostProcess=true"#,
                ),
            ),
        ];
        assert_table(&[windows_host_process_v1_0], "hostProcess", cases);
    }
}
