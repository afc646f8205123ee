//! PSA check `windowsHostProcess` (baseline), after `policy/check_windowsHostProcess.go`.
//!
//! Windows HostProcess containers have privileged access to the Windows node.
//!
//! Reads: `spec.securityContext.windowsOptions.hostProcess` and
//! `spec.{initContainers,containers,ephemeralContainers}[*].securityContext.windowsOptions.hostProcess`.
//! Allows: unset, `false`.
//! Versions: one rule since v1.0.

use super::helpers::{containers, containers_phrase};
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
    let bad: Vec<&str> = containers(spec)
        .filter(|c| host_process(c.sc().and_then(|sc| sc.windows_options.as_ref())))
        .map(|c| c.name.as_str())
        .collect();
    let mut setters: Vec<String> = Vec::new();
    if host_process(
        spec.pod_security_context()
            .and_then(|sc| sc.windows_options.as_ref()),
    ) {
        setters.push("pod".to_string());
    }
    if !bad.is_empty() {
        setters.push(containers_phrase(&bad));
    }
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
    use super::super::helpers::test_spec;
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
        for (spec, want) in cases {
            let got = windows_host_process_v1_0(&Annotations::new(), &test_spec(spec.clone()));
            assert_eq!(
                got.as_ref().map(|f| f.reason.as_str()),
                want.map(|_| "hostProcess")
            );
            assert_eq!(got.as_ref().map(|f| f.detail.as_str()), want, "{spec}");
        }
    }
}
