//! AppArmor: PSP's `apparmor.security.beta.kubernetes.io/allowedProfileNames` and `.../defaultProfileName`
//! annotations (or the `appArmor` settings key).
//!
//! Reads: each container's `securityContext.appArmorProfile` and annotation
//! `container.apparmor.security.beta.kubernetes.io/<name>`, and the pod's `securityContext.appArmorProfile`
//! (the fields are GA since Kubernetes 1.30). Every one that is set is judged.
//! Allows:
//! - no allow-list: anything (PSP: unrestricted);
//! - an empty allow-list: no profile may be set;
//! - otherwise every set profile must be on the list, and every container must end up with one.
//!
//! Defaults: each container with no profile (own or pod's) gets `securityContext.appArmorProfile` set to
//! `defaultProfileName`. The field is what API servers from 1.30 and their kubelets read; on older clusters
//! the field is pruned, so there use the legacy annotation on the pod template instead.

use super::profile_names::{self, ProfileRules};
use super::{FieldFamily, PodContext, PspSettings};
use crate::object::PodObject;
use crate::patch::Defaults;
use crate::pod::{Container, ContainerAt};
use crate::settings::SettingsErrors;
use crate::violation::{quoted, Field, Violations};

pub const CONTAINER_ANNOTATION_PREFIX: &str = "container.apparmor.security.beta.kubernetes.io/";

#[derive(Debug)]
pub struct AppArmor {
    rules: ProfileRules,
}

impl AppArmor {
    /// The container's own profiles: (field, name) for the field and the annotation, where set.
    fn own_profiles(pod: &PodObject, path: &str, c: &Container) -> Vec<(Field, String)> {
        let key = format!("{CONTAINER_ANNOTATION_PREFIX}{}", c.name);
        let field = c
            .sc()
            .and_then(|sc| sc.app_armor_profile.as_ref())
            .map(|p| {
                (
                    Field::container(format!("{path}.securityContext.appArmorProfile"), &c.name),
                    profile_names::name_of(p),
                )
            });
        let annotation = pod
            .annotations
            .get(&key)
            .filter(|v| !v.is_empty())
            .map(|v| {
                (
                    Field::container(pod.kind.annotation_path(&key), &c.name),
                    v.clone(),
                )
            });
        field.into_iter().chain(annotation).collect()
    }

    fn judge(&self, at: Field, name: &str, violations: &mut Violations) {
        if !self.rules.allows(name) {
            violations.invalid(
                at,
                quoted(name),
                "AppArmor profile is not allowed",
                self.rules.allowed(),
            );
        }
    }
}

impl FieldFamily for AppArmor {
    fn from_settings(settings: &PspSettings, errors: &mut SettingsErrors) -> Self {
        AppArmor {
            rules: ProfileRules::from_settings(
                "appArmor",
                settings.in_effect.app_armor.as_ref(),
                false,
                errors,
            ),
        }
    }

    fn mutate_container(
        &self,
        pod: &PodContext,
        at: ContainerAt,
        c: &mut Container,
        defaults: &mut Defaults,
    ) {
        let Some(default) = &self.rules.default else {
            return;
        };
        // A profile of the pod's applies to every container that sets none.
        if pod
            .security_context
            .and_then(|sc| sc.app_armor_profile.as_ref())
            .is_some()
        {
            return;
        }
        let has_annotation = pod
            .annotations
            .get(&format!("{CONTAINER_ANNOTATION_PREFIX}{}", c.name))
            .is_some_and(|v| !v.is_empty());
        if !has_annotation
            && c.sc()
                .and_then(|sc| sc.app_armor_profile.as_ref())
                .is_none()
        {
            let (json, profile) = profile_names::field_of(default);
            c.sc_mut().app_armor_profile = Some(profile);
            defaults.set_container(at, &["securityContext", "appArmorProfile"], json);
        }
    }

    fn validate_pod(&self, pod: &PodObject, violations: &mut Violations) {
        let Some(allowed) = &self.rules.allowed else {
            return;
        };
        let pod_profile = pod
            .spec
            .pod_security_context()
            .and_then(|sc| sc.app_armor_profile.as_ref());
        if let Some(profile) = pod_profile {
            let at = Field::pod(pod.kind.spec_field("securityContext.appArmorProfile"));
            self.judge(at, &profile_names::name_of(profile), violations);
        }
        for (at, c) in pod.spec.all_containers() {
            let path = pod.kind.container_path(at);
            let own = Self::own_profiles(pod, &path, c);
            for (source, name) in &own {
                self.judge(source.clone(), name, violations);
            }
            if own.is_empty() && pod_profile.is_none() && !allowed.is_empty() {
                violations.required(
                    Field::container(format!("{path}.securityContext.appArmorProfile"), &c.name),
                    "must be set",
                    self.rules.allowed(),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::psp::test_support::*;
    use serde_json::json;

    fn allow(names: &str, default: Option<&str>) -> serde_json::Value {
        let mut annotations =
            json!({"apparmor.security.beta.kubernetes.io/allowedProfileNames": names});
        if let Some(d) = default {
            annotations["apparmor.security.beta.kubernetes.io/defaultProfileName"] = json!(d);
        }
        json!({"annotations": annotations})
    }

    #[test]
    fn unrestricted_without_an_allow_list() {
        let spec = json!({"containers": [{"name": "a", "securityContext": {"appArmorProfile": {"type": "Unconfined"}}}]});
        assert!(violations(&psp(json!({})), &pod(spec)).is_empty());
    }

    #[test]
    fn field_annotation_and_pod_level_are_judged() {
        let p = psp(allow("runtime/default", None));
        let cases = [
            (json!({"containers": [{"name": "a", "securityContext": {"appArmorProfile": {"type": "Unconfined"}}}]}), json!({}), vec![
                "spec.containers[0].securityContext.appArmorProfile (container \"a\"): Invalid value: \"unconfined\": AppArmor profile is not allowed; allowed: \"runtime/default\"",
            ]),
            (json!({"containers": [{"name": "a"}]}), json!({"container.apparmor.security.beta.kubernetes.io/a": "localhost/x"}), vec![
                "metadata.annotations[container.apparmor.security.beta.kubernetes.io/a] (container \"a\"): Invalid value: \"localhost/x\": AppArmor profile is not allowed; allowed: \"runtime/default\"",
            ]),
            (json!({"securityContext": {"appArmorProfile": {"type": "Unconfined"}}, "containers": [{"name": "a", "securityContext": {"appArmorProfile": {"type": "RuntimeDefault"}}}]}), json!({}), vec![
                "spec.securityContext.appArmorProfile: Invalid value: \"unconfined\": AppArmor profile is not allowed; allowed: \"runtime/default\"",
            ]),
            (json!({"containers": [{"name": "a"}]}), json!({}), vec![
                "spec.containers[0].securityContext.appArmorProfile (container \"a\"): Required value: must be set; allowed: \"runtime/default\"",
            ]),
            (json!({"securityContext": {"appArmorProfile": {"type": "RuntimeDefault"}}, "containers": [{"name": "a"}]}), json!({}), vec![]),
        ];
        for (spec, annotations, expected) in cases {
            assert_eq!(
                violations(&p, &pod_with_annotations(spec.clone(), annotations)),
                expected,
                "{spec}"
            );
        }
    }

    #[test]
    fn default_goes_to_containers_without_a_profile() {
        let p = psp(allow(
            "runtime/default,localhost/x",
            Some("runtime/default"),
        ));
        let (after, object) = defaulted(
            &p,
            json!({"containers": [
                {"name": "a"}, {"name": "b", "securityContext": {"appArmorProfile": {"type": "Localhost", "localhostProfile": "x"}}}
            ]}),
        );
        assert_eq!(
            object["spec"]["containers"][0]["securityContext"],
            json!({"appArmorProfile": {"type": "RuntimeDefault"}})
        );
        assert_eq!(
            object["spec"]["containers"][1]["securityContext"]["appArmorProfile"]["type"],
            json!("Localhost")
        );
        assert!(violations(&p, &after).is_empty());
    }
}
