//! Known pitfalls of a PodSecurityPolicy as written, which explain a rejection in a note under the
//! table.

use serde_json::Value;

/// A pitfall of a PodSecurityPolicy as written that explains a rejection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Note {
    /// No seccomp allow-list: PSP allows no seccomp profile at all.
    NoSeccompProfileAllowed,
    /// `allowedHostPaths` without `hostPath` among the `volumes`.
    HostPathVolumesNotAllowed,
}

impl Note {
    pub(super) const ALL: [Note; 2] = [
        Note::NoSeccompProfileAllowed,
        Note::HostPathVolumesNotAllowed,
    ];

    /// Whether this pitfall is in `settings` and shows in the rejection `message`. Only plain
    /// PSP settings have these pitfalls: a profile or a standard sets the keys involved.
    pub(super) fn explains(self, settings: &Value, message: &str) -> bool {
        let Some(psp) = settings.as_object() else {
            return false;
        };
        if ["profile", "podSecurityStandard", "policies"]
            .iter()
            .any(|key| psp.contains_key(*key))
        {
            return false;
        }
        match self {
            Note::NoSeccompProfileAllowed => {
                let annotation = settings.pointer(
                    "/annotations/seccomp.security.alpha.kubernetes.io~1allowedProfileNames",
                );
                !psp.contains_key("seccomp")
                    && annotation.is_none()
                    && message.to_ascii_lowercase().contains("seccomp")
            }
            Note::HostPathVolumesNotAllowed => {
                let host_paths = psp
                    .get("allowedHostPaths")
                    .and_then(Value::as_array)
                    .is_some_and(|paths| !paths.is_empty());
                let volumes = psp.get("volumes").and_then(Value::as_array);
                let host_path_volumes = volumes.is_some_and(|volumes| {
                    volumes
                        .iter()
                        .any(|v| v.as_str().is_some_and(|v| v == "hostPath" || v == "*"))
                });
                host_paths && !host_path_volumes && message.contains("hostPath")
            }
        }
    }

    pub(super) fn text(self) -> &'static str {
        match self {
            Note::NoSeccompProfileAllowed => "\
These settings are a PodSecurityPolicy without a seccomp allow-list (the annotation
    seccomp.security.alpha.kubernetes.io/allowedProfileNames). PSP's rule for such a PSP is that no seccomp
    profile may be set at all, RuntimeDefault included, so it rejects well-configured pods. Allow the
    profiles your pods use (`seccomp: {allowedProfileNames: [runtime/default]}`), or start from
    `profile: ai-data-security` (examples/settings/ai-data-security-profile.yml): the sensitive-AI PSP
    corrected, which allows any seccomp profile.",
            Note::HostPathVolumesNotAllowed => "\
These settings list allowedHostPaths but leave hostPath out of volumes. PSP checks the volume type
    first, so every hostPath volume is rejected and the allowed paths never apply. The profile
    `profile: ai-data-security` adds hostPath to the sensitive-AI PSP's volumes: then host paths under
    /data/ai are allowed, mounted read-only, and no other.",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn notes_explain_the_pitfalls_of_plain_psp_settings_only() {
        let psp = json!({"volumes": ["secret"], "allowedHostPaths": [{"pathPrefix": "/data"}]});
        let seccomp = "spec.securityContext.seccompProfile: Forbidden: seccomp may not be set";
        let host_path = "spec.volumes[0]: Invalid value: \"hostPath\": not allowed";
        let explains = |settings: &Value, message: &str| {
            Note::ALL
                .into_iter()
                .filter(|note| note.explains(settings, message))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            explains(&psp, &format!("{seccomp}; {host_path}")),
            [
                Note::NoSeccompProfileAllowed,
                Note::HostPathVolumesNotAllowed
            ]
        );
        assert_eq!(explains(&psp, "privileged"), []);
        // An allow-list, in either spelling, or hostPath among the volumes: no pitfall.
        let mut fixed = psp.clone();
        fixed["seccomp"] = json!({"allowedProfileNames": ["runtime/default"]});
        fixed["volumes"] = json!(["secret", "hostPath"]);
        assert_eq!(explains(&fixed, &format!("{seccomp}; {host_path}")), []);
        let mut annotated = psp.clone();
        annotated["annotations"] =
            json!({"seccomp.security.alpha.kubernetes.io/allowedProfileNames": "*"});
        annotated["volumes"] = json!(["*"]);
        assert_eq!(explains(&annotated, &format!("{seccomp}; {host_path}")), []);
        // Profiles and standards set these keys themselves.
        for key in ["profile", "podSecurityStandard"] {
            let mut preset = psp.clone();
            preset[key] = json!("x");
            assert_eq!(explains(&preset, seccomp), [], "{key}");
        }
    }
}
