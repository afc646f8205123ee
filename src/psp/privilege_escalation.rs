//! `allowPrivilegeEscalation` and `defaultAllowPrivilegeEscalation`.
//!
//! Reads: every container's `securityContext.allowPrivilegeEscalation`.
//! Allows: anything when `allowPrivilegeEscalation` is true (PSP's default). When false, the value must be
//! false: PSP defaults an unset value to false (or to `defaultAllowPrivilegeEscalation` when that is set) and,
//! without defaulting, rejects an unset value, since the kernel's default allows escalation.

use super::container_flag::ALLOW_PRIVILEGE_ESCALATION;
use super::{FieldFamily, PodContext, PspSettings};
use crate::object::PodObject;
use crate::patch::Defaults;
use crate::pod::{Container, ContainerAt};
use crate::settings::SettingsErrors;
use crate::violation::Violations;

#[derive(Debug)]
pub struct PrivilegeEscalation {
    allowed: bool,
    default: Option<bool>,
}

impl FieldFamily for PrivilegeEscalation {
    fn from_settings(settings: &PspSettings, errors: &mut SettingsErrors) -> Self {
        let allowed = settings
            .in_effect
            .allow_privilege_escalation
            .unwrap_or(true);
        let default = settings.in_effect.default_allow_privilege_escalation;
        if !allowed && default == Some(true) {
            errors.add(
                "defaultAllowPrivilegeEscalation",
                "cannot be true when allowPrivilegeEscalation is false",
            );
        }
        PrivilegeEscalation { allowed, default }
    }

    fn mutate_container(
        &self,
        _pod: &PodContext,
        at: ContainerAt,
        c: &mut Container,
        defaults: &mut Defaults,
    ) {
        if let Some(value) = self.default.or((!self.allowed).then_some(false)) {
            ALLOW_PRIVILEGE_ESCALATION.default_to(value, at, c, defaults);
        }
    }

    fn validate_pod(&self, pod: &PodObject, violations: &mut Violations) {
        if !self.allowed {
            ALLOW_PRIVILEGE_ESCALATION.require(
                false,
                "privilege escalation is not allowed",
                pod,
                violations,
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::psp::test_support::*;
    use serde_json::json;

    #[test]
    fn escalation_forbidden() {
        let spec = json!({"initContainers": [{"name": "i"}], "containers": [
            {"name": "a", "securityContext": {"allowPrivilegeEscalation": true}},
            {"name": "b", "securityContext": {"allowPrivilegeEscalation": false}},
        ]});
        let forbidden = psp(json!({"allowPrivilegeEscalation": false}));
        assert_eq!(violations(&forbidden, &pod(spec.clone())), vec![
            "spec.initContainers[0].securityContext.allowPrivilegeEscalation (container \"i\"): Required value: must be set to false; allowed: false",
            "spec.containers[0].securityContext.allowPrivilegeEscalation (container \"a\"): Invalid value: true: privilege escalation is not allowed; allowed: false",
        ]);
        let (after, object) = defaulted(&forbidden, spec.clone());
        assert_eq!(
            object["spec"]["initContainers"][0]["securityContext"]["allowPrivilegeEscalation"],
            json!(false)
        );
        assert_eq!(violations(&forbidden, &after).len(), 1);
        assert!(violations(&psp(json!({})), &pod(spec)).is_empty());
    }

    #[test]
    fn default_when_allowed() {
        let allowed_default_false = psp(json!({"defaultAllowPrivilegeEscalation": false}));
        let (_, object) = defaulted(
            &allowed_default_false,
            json!({"containers": [{"name": "a"}]}),
        );
        assert_eq!(
            object["spec"]["containers"][0]["securityContext"]["allowPrivilegeEscalation"],
            json!(false)
        );
        let nothing = psp(json!({}));
        let (_, object) = defaulted(&nothing, json!({"containers": [{"name": "a"}]}));
        assert_eq!(object["spec"]["containers"][0], json!({"name": "a"}));
        assert!(settings_errors(
            json!({"allowPrivilegeEscalation": false, "defaultAllowPrivilegeEscalation": true})
        )
        .contains("defaultAllowPrivilegeEscalation: cannot be true"));
    }
}
