//! Seccomp: PSP's `seccomp.security.alpha.kubernetes.io/allowedProfileNames` and `.../defaultProfileName`
//! annotations (or the `seccomp` settings key).
//!
//! Reads: the pod's `securityContext.seccompProfile` and annotation `seccomp.security.alpha.kubernetes.io/pod`;
//! each container's `securityContext.seccompProfile` and annotation
//! `container.seccomp.security.alpha.kubernetes.io/<name>`. Every one that is set is judged, so a field and an
//! annotation that disagree cannot hide an `unconfined` behind an allowed value.
//! Allows:
//! - no allow-list: no profile may be set at all (PSP: "seccomp may not be set");
//! - `*` on the list: anything;
//! - otherwise every set profile must be on the list (`runtime/default` and `docker/default` are one), and
//!   every container must end up with a profile, its own or the pod's.
//!
//! Defaults: the pod's `securityContext.seccompProfile` to `defaultProfileName` when the pod sets none (the
//! field the API server and kubelet read since Kubernetes 1.19; the annotation is not written).

use super::profile_names::{self, ProfileRules};
use super::{security_context_field, FieldFamily, PspSettings};
use crate::object::PodObject;
use crate::patch::Defaults;
use crate::pod::{Container, ContainerAt, Profile};
use crate::settings::SettingsErrors;
use crate::violation::{quoted, Allowed, Field, Violations};

pub const POD_ANNOTATION: &str = "seccomp.security.alpha.kubernetes.io/pod";
pub const CONTAINER_ANNOTATION_PREFIX: &str = "container.seccomp.security.alpha.kubernetes.io/";

#[derive(Debug)]
pub struct Seccomp {
    rules: ProfileRules,
}

/// A profile set somewhere: its field and its name.
struct Source {
    at: Field,
    name: String,
}

fn field_source(at: impl FnOnce() -> Field, profile: Option<&Profile>) -> Option<Source> {
    profile.map(|p| Source {
        at: at(),
        name: profile_names::name_of(p),
    })
}

impl Seccomp {
    fn pod_sources(pod: &PodObject) -> Vec<Source> {
        let annotation = pod
            .annotations
            .get(POD_ANNOTATION)
            .filter(|v| !v.is_empty())
            .map(|v| Source {
                at: Field::pod(pod.kind.annotation_path(POD_ANNOTATION)),
                name: v.clone(),
            });
        let field = field_source(
            || Field::pod(pod.kind.spec_field("securityContext.seccompProfile")),
            pod.spec
                .pod_security_context()
                .and_then(|sc| sc.seccomp_profile.as_ref()),
        );
        annotation.into_iter().chain(field).collect()
    }

    fn container_sources(pod: &PodObject, at: ContainerAt, c: &Container) -> Vec<Source> {
        let key = format!("{CONTAINER_ANNOTATION_PREFIX}{}", c.name);
        let annotation = pod
            .annotations
            .get(&key)
            .filter(|v| !v.is_empty())
            .map(|v| Source {
                at: Field::container(pod.kind.annotation_path(&key), &c.name),
                name: v.clone(),
            });
        let field = field_source(
            || security_context_field(pod, at, c, "seccompProfile", true),
            c.sc().and_then(|sc| sc.seccomp_profile.as_ref()),
        );
        annotation.into_iter().chain(field).collect()
    }

    fn judge(&self, source: &Source, violations: &mut Violations) {
        match &self.rules.allowed {
            Some(list) if !list.is_empty() => {
                if !self.rules.allows(&source.name) {
                    violations.invalid(
                        source.at.clone(),
                        quoted(&source.name),
                        "seccomp profile is not allowed",
                        self.rules.allowed(),
                    );
                }
            }
            _ => violations.forbidden(source.at.clone(), "seccomp may not be set", Allowed::none()),
        }
    }
}

impl FieldFamily for Seccomp {
    fn from_settings(settings: &PspSettings, errors: &mut SettingsErrors) -> Self {
        let rules = ProfileRules::from_settings(
            "seccomp",
            settings.in_effect.seccomp.as_ref(),
            true,
            errors,
        );
        if rules.default.is_some() && rules.allowed.as_ref().is_none_or(|a| a.is_empty()) {
            errors.add(
                "seccomp.defaultProfileName",
                "needs allowedProfileNames that include it (without an allow-list no profile may be set)",
            );
        }
        Seccomp { rules }
    }

    fn mutate_pod(&self, pod: &mut PodObject, defaults: &mut Defaults) {
        let Some(default) = &self.rules.default else {
            return;
        };
        if !Self::pod_sources(pod).is_empty() {
            return;
        }
        let (json, profile) = profile_names::field_of(default);
        pod.spec.pod_sc_mut().seccomp_profile = Some(profile);
        defaults.set_pod(&["securityContext", "seccompProfile"], json);
    }

    fn validate_pod(&self, pod: &PodObject, violations: &mut Violations) {
        if self
            .rules
            .allowed
            .as_ref()
            .is_some_and(|a| a.iter().any(|n| n == "*"))
        {
            return;
        }
        let pod_sources = Self::pod_sources(pod);
        for source in &pod_sources {
            self.judge(source, violations);
        }
        let required = self.rules.allowed.as_ref().is_some_and(|a| !a.is_empty());
        for (at, c) in pod.spec.all_containers() {
            let sources = Self::container_sources(pod, at, c);
            for source in &sources {
                self.judge(source, violations);
            }
            if required && sources.is_empty() && pod_sources.is_empty() {
                // The legacy EphemeralContainers object holds none of the pod's fields: none to name.
                let reason = if pod.kind.has_pod_fields() {
                    format!(
                        "must be set here or in {}",
                        pod.kind.spec_field("securityContext.seccompProfile")
                    )
                } else {
                    "must be set here: this object holds none of the pod's fields".to_string()
                };
                violations.required(
                    security_context_field(pod, at, c, "seccompProfile", true),
                    reason,
                    self.rules.allowed(),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::object::{Kind, PodObject};
    use crate::psp::test_support::*;
    use serde_json::json;

    fn allow(names: &str, default: Option<&str>) -> serde_json::Value {
        profile_annotations("seccomp.security.alpha.kubernetes.io", names, default)
    }

    #[test]
    fn without_an_allow_list_no_profile_may_be_set() {
        let p = psp(json!({}));
        assert!(violations(&p, &pod(json!({"containers": [{"name": "a"}]}))).is_empty());
        let set = json!({"securityContext": {"seccompProfile": {"type": "RuntimeDefault"}}, "containers": [{"name": "a"}]});
        assert_eq!(
            violations(&p, &pod(set)),
            vec![
            "spec.securityContext.seccompProfile: Forbidden: seccomp may not be set; allowed: none",
        ]
        );
    }

    #[test]
    fn field_and_annotation_are_both_judged() {
        let p = psp(allow("runtime/default", None));
        let field_unconfined = pod_with_annotations(
            json!({"securityContext": {"seccompProfile": {"type": "Unconfined"}}, "containers": [{"name": "a"}]}),
            json!({"seccomp.security.alpha.kubernetes.io/pod": "runtime/default"}),
        );
        assert_eq!(violations(&p, &field_unconfined), vec![
            "spec.securityContext.seccompProfile: Invalid value: \"unconfined\": seccomp profile is not allowed; allowed: \"runtime/default\"",
        ]);
        let annotation_unconfined = pod_with_annotations(
            json!({"containers": [{"name": "a", "securityContext": {"seccompProfile": {"type": "RuntimeDefault"}}}]}),
            json!({"container.seccomp.security.alpha.kubernetes.io/a": "unconfined"}),
        );
        assert_eq!(violations(&p, &annotation_unconfined), vec![
            "metadata.annotations[container.seccomp.security.alpha.kubernetes.io/a] (container \"a\"): Invalid value: \"unconfined\": seccomp profile is not allowed; allowed: \"runtime/default\"",
        ]);
    }

    #[test]
    fn every_container_needs_a_profile() {
        let p = psp(allow("runtime/default,localhost/prof.json", None));
        let spec = json!({"containers": [
            {"name": "a", "securityContext": {"seccompProfile": {"type": "Localhost", "localhostProfile": "prof.json"}}},
            {"name": "b"},
        ]});
        assert_eq!(violations(&p, &pod(spec)), vec![
            "spec.containers[1].securityContext.seccompProfile (container \"b\"): Required value: must be set here or in spec.securityContext.seccompProfile; allowed: \"runtime/default\", \"localhost/prof.json\"",
        ]);
        let suffix = json!({"containers": [{"name": "a", "securityContext": {"seccompProfile": {"type": "Localhost", "localhostProfile": "evil/prof.json"}}}]});
        assert_eq!(violations(&p, &pod(suffix)).len(), 1);
        // The legacy EphemeralContainers object has no pod-level field to name.
        let object = json!({"kind": "EphemeralContainers", "ephemeralContainers": [{"name": "e"}]});
        let legacy = PodObject::parse(Kind::EphemeralContainers, &object.to_string()).unwrap();
        assert_eq!(violations(&p, &legacy), vec![
            "ephemeralContainers[0].securityContext.seccompProfile (container \"e\"): Required value: must be set here: this object holds none of the pod's fields; allowed: \"runtime/default\", \"localhost/prof.json\"",
        ]);
    }

    #[test]
    fn default_profile_is_written_to_the_pod_field() {
        let p = psp(allow("runtime/default", Some("runtime/default")));
        let (after, object) = defaulted(&p, json!({"containers": [{"name": "a"}]}));
        assert_eq!(
            object["spec"]["securityContext"],
            json!({"seccompProfile": {"type": "RuntimeDefault"}})
        );
        assert!(violations(&p, &after).is_empty());
        let (_, object) = defaulted(
            &p,
            json!({"securityContext": {"seccompProfile": {"type": "Localhost", "localhostProfile": "x"}}, "containers": []}),
        );
        assert_eq!(
            object["spec"]["securityContext"]["seccompProfile"]["type"],
            json!("Localhost")
        );
    }

    #[test]
    fn settings_checks() {
        assert!(settings_errors(allow("runtime/default,bogus", None))
            .contains("seccomp.allowedProfileNames[1]: \"bogus\" is not a profile name"));
        assert!(
            settings_errors(allow("runtime/default", Some("unconfined"))).contains(
                "seccomp.defaultProfileName: \"unconfined\" is not in allowedProfileNames"
            )
        );
        assert!(
            settings_errors(json!({"seccomp": {"defaultProfileName": "runtime/default"}}))
                .contains("seccomp.defaultProfileName: needs allowedProfileNames")
        );
        assert_eq!(settings_errors(allow("*", Some("runtime/default"))), "");
    }
}
