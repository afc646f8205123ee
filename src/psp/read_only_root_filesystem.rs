//! `readOnlyRootFilesystem`: whether containers must run with a read-only root filesystem.
//!
//! Reads: every container's `securityContext.readOnlyRootFilesystem`.
//! Allows: anything when the setting is false (the default). When true, the value must be true; PSP defaults an
//! unset value to true and rejects an explicit false (without defaulting, unset is rejected too).

use super::container_flag::READ_ONLY_ROOT_FILESYSTEM;
use super::{FieldFamily, PodContext, PspSettings};
use crate::object::PodObject;
use crate::patch::Defaults;
use crate::pod::{Container, ContainerAt};
use crate::settings::SettingsErrors;
use crate::violation::Violations;

#[derive(Debug)]
pub struct ReadOnlyRootFilesystem {
    required: bool,
}

impl FieldFamily for ReadOnlyRootFilesystem {
    fn from_settings(settings: &PspSettings, _errors: &mut SettingsErrors) -> Self {
        ReadOnlyRootFilesystem {
            required: settings
                .in_effect
                .read_only_root_filesystem
                .unwrap_or(false),
        }
    }

    fn mutate_container(
        &self,
        _pod: &PodContext,
        at: ContainerAt,
        c: &mut Container,
        defaults: &mut Defaults,
    ) {
        if self.required {
            READ_ONLY_ROOT_FILESYSTEM.default_to(true, at, c, defaults);
        }
    }

    fn validate_pod(&self, pod: &PodObject, violations: &mut Violations) {
        if self.required {
            READ_ONLY_ROOT_FILESYSTEM.require(
                true,
                "the root filesystem must be read-only",
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
    fn read_only_root_filesystem() {
        let spec = json!({"containers": [
            {"name": "a", "securityContext": {"readOnlyRootFilesystem": false}},
            {"name": "b"},
            {"name": "c", "securityContext": {"readOnlyRootFilesystem": true}},
        ]});
        assert_eq!(
            violations(&psp(json!({})), &pod(spec.clone())),
            Vec::<String>::new()
        );
        let required = psp(json!({"readOnlyRootFilesystem": true}));
        assert_eq!(violations(&required, &pod(spec.clone())), vec![
            "spec.containers[0].securityContext.readOnlyRootFilesystem (container \"a\"): Invalid value: false: the root filesystem must be read-only; allowed: true",
            "spec.containers[1].securityContext.readOnlyRootFilesystem (container \"b\"): Required value: must be set to true; allowed: true",
        ]);
        let (defaulted_pod, object) = defaulted(&required, spec);
        assert_eq!(
            object["spec"]["containers"][1]["securityContext"],
            json!({"readOnlyRootFilesystem": true})
        );
        assert_eq!(
            object["spec"]["containers"][0]["securityContext"],
            json!({"readOnlyRootFilesystem": false})
        );
        assert_eq!(violations(&required, &defaulted_pod).len(), 1);
    }
}
