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
//! Defaults (PSP's AppArmor `Generate`): each container (init, regular and ephemeral) with no profile at all
//! gets `defaultProfileName`, written twice: as PSP did, in the annotation
//! `container.apparmor.security.beta.kubernetes.io/<name>` of the pod (of the pod template, for workloads),
//! which is what API servers and kubelets older than 1.30 read; and in the container's
//! `securityContext.appArmorProfile`, the field that replaces it from 1.30. A container that already has a
//! profile (its own annotation, its own field or the pod's field) gets neither: API servers from 1.30 refuse a
//! pod whose annotation and field disagree, and they write the annotation of a field themselves; older ones
//! drop the fields before admission, so that there a container never has a field without an annotation.

use super::profile_names::{self, ProfileRules};
use super::{security_context_field, FieldFamily, PspSettings};
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
    fn own_profiles(pod: &PodObject, at: ContainerAt, c: &Container) -> Vec<(Field, String)> {
        let key = format!("{CONTAINER_ANNOTATION_PREFIX}{}", c.name);
        let field = c
            .sc()
            .and_then(|sc| sc.app_armor_profile.as_ref())
            .map(|p| {
                (
                    security_context_field(pod, at, c, "appArmorProfile", true),
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

    fn mutate_pod(&self, pod: &mut PodObject, defaults: &mut Defaults) {
        let Some(default) = &self.rules.default else {
            return;
        };
        let PodObject {
            annotations, spec, ..
        } = pod;
        spec.for_each_container_mut(|pod_security_context, at, c| {
            let key = format!("{CONTAINER_ANNOTATION_PREFIX}{}", c.name);
            // An empty annotation is no profile (PSP overwrote it).
            let annotated = annotations.get(&key).is_some_and(|v| !v.is_empty());
            let has_field = c
                .sc()
                .and_then(|sc| sc.app_armor_profile.as_ref())
                .or_else(|| pod_security_context.and_then(|sc| sc.app_armor_profile.as_ref()))
                .is_some();
            if annotated || has_field {
                return;
            }
            annotations.insert(key.clone(), default.clone());
            defaults.set_annotation(&key, default);
            let (json, profile) = profile_names::field_of(default);
            c.sc_mut().app_armor_profile = Some(profile);
            defaults.set_container(at, &["securityContext", "appArmorProfile"], json);
        });
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
            let own = Self::own_profiles(pod, at, c);
            for (source, name) in &own {
                self.judge(source.clone(), name, violations);
            }
            if own.is_empty() && pod_profile.is_none() && !allowed.is_empty() {
                violations.required(
                    security_context_field(pod, at, c, "appArmorProfile", true),
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
        profile_annotations("apparmor.security.beta.kubernetes.io", names, default)
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
        // As PSP wrote it: the annotation of each container that had no profile.
        assert_eq!(
            object["metadata"]["annotations"],
            json!({"container.apparmor.security.beta.kubernetes.io/a": "runtime/default"})
        );
        assert!(violations(&p, &after).is_empty());
    }

    #[test]
    fn a_container_with_any_profile_gets_no_default() {
        let p = psp(allow("runtime/default,localhost/x", Some("localhost/x")));
        let spec = json!({
            "initContainers": [{"name": "i"}],
            "containers": [{"name": "a"}, {"name": "b"}],
            "ephemeralContainers": [{"name": "e"}],
        });
        // The annotation of `a`, and an empty one of `b` (no profile: PSP overwrote it).
        let annotations = json!({
            "container.apparmor.security.beta.kubernetes.io/a": "runtime/default",
            "container.apparmor.security.beta.kubernetes.io/b": "",
        });
        let (after, object) = defaulted_with_annotations(&p, spec.clone(), annotations);
        assert_eq!(
            object["metadata"]["annotations"],
            json!({
                "container.apparmor.security.beta.kubernetes.io/a": "runtime/default",
                "container.apparmor.security.beta.kubernetes.io/b": "localhost/x",
                "container.apparmor.security.beta.kubernetes.io/i": "localhost/x",
                "container.apparmor.security.beta.kubernetes.io/e": "localhost/x",
            })
        );
        let localhost_x =
            json!({"appArmorProfile": {"type": "Localhost", "localhostProfile": "x"}});
        assert_eq!(
            object["spec"]["initContainers"][0]["securityContext"],
            localhost_x
        );
        assert_eq!(object["spec"]["containers"][0].get("securityContext"), None);
        assert_eq!(
            object["spec"]["containers"][1]["securityContext"],
            localhost_x
        );
        assert_eq!(
            object["spec"]["ephemeralContainers"][0]["securityContext"],
            localhost_x
        );
        assert!(violations(&p, &after).is_empty());
        // A profile field of the pod's covers every container: nothing is written, so that no annotation can
        // disagree with the field.
        let mut with_pod_field = spec;
        with_pod_field["securityContext"] = json!({"appArmorProfile": {"type": "RuntimeDefault"}});
        let (_, object) = defaulted(&p, with_pod_field.clone());
        assert_eq!(
            object,
            json!({"kind": "Pod", "metadata": {}, "spec": with_pod_field})
        );
    }
}
