//! `readOnlyRootFilesystem`: whether containers must run with a read-only root filesystem.
//!
//! Reads: every container's `securityContext.readOnlyRootFilesystem`.
//! Allows: anything when the setting is false (the default). When true, the value must be true; PSP defaults an
//! unset value to true and rejects an explicit false (without defaulting, unset is rejected too).

use crate::object::PodObject;
use crate::patch::Defaults;
use crate::settings::RawSettings;
use crate::violation::Violations;
use serde_json::Value;

#[derive(Debug)]
pub struct ReadOnlyRootFilesystem {
    required: bool,
}

impl ReadOnlyRootFilesystem {
    pub fn from_settings(settings: &RawSettings) -> Self {
        ReadOnlyRootFilesystem {
            required: settings.read_only_root_filesystem.unwrap_or(false),
        }
    }

    pub fn default(&self, pod: &mut PodObject, defaults: &mut Defaults) {
        if !self.required {
            return;
        }
        pod.spec.for_each_container_mut(|at, c| {
            if c.sc().and_then(|sc| sc.read_only_root_filesystem).is_none() {
                c.sc_mut().read_only_root_filesystem = Some(true);
                defaults.set_container(
                    at,
                    &["securityContext", "readOnlyRootFilesystem"],
                    Value::Bool(true),
                );
            }
        });
    }

    pub fn validate(&self, pod: &PodObject, violations: &mut Violations) {
        if !self.required {
            return;
        }
        for (at, c) in pod.spec.all_containers() {
            let path = format!(
                "{}.securityContext.readOnlyRootFilesystem",
                pod.kind.container_path(at)
            );
            match c.sc().and_then(|sc| sc.read_only_root_filesystem) {
                None => violations.required(path, " to true"),
                Some(false) => violations.invalid(
                    path,
                    false,
                    "must be true: the root filesystem must be read-only",
                ),
                Some(true) => {}
            }
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
            "spec.containers[0].securityContext.readOnlyRootFilesystem: Invalid value: false: must be true: the root filesystem must be read-only",
            "spec.containers[1].securityContext.readOnlyRootFilesystem must be set to true",
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
