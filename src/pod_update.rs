//! Pod updates that need no new evaluation, as Pod Security Admission skips them: so that controllers can keep
//! managing pods admitted under an older policy.

use crate::object::Annotations;
use serde::Deserialize;

#[derive(Deserialize)]
struct Metadata {
    annotations: Option<Annotations>,
}

/// The parts of a Pod that an UPDATE must leave alone to need no new evaluation: the spec (but for the fields
/// below), and the annotations that carry seccomp and AppArmor profiles. Pod Security Admission skips such
/// updates the same way, so that controllers can keep managing pods admitted under an older policy.
#[derive(Deserialize)]
struct PodSecurityRelevant {
    metadata: Option<Metadata>,
    spec: Option<serde_json::Value>,
}

const PROFILE_ANNOTATION_PREFIXES: [&str; 3] = [
    "seccomp.security.alpha.kubernetes.io/",
    "container.seccomp.security.alpha.kubernetes.io/",
    "container.apparmor.security.beta.kubernetes.io/",
];

/// Pod spec fields that an UPDATE may change on a running pod and that no check reads: removing scheduling
/// gates (Kueue and other queueing controllers), deadlines, grace periods, added tolerations.
const MUTABLE_UNJUDGED_SPEC_FIELDS: [&str; 4] = [
    "schedulingGates",
    "activeDeadlineSeconds",
    "terminationGracePeriodSeconds",
    "tolerations",
];

fn judged_spec(spec: Option<serde_json::Value>) -> Option<serde_json::Value> {
    let mut spec = spec?;
    if let Some(fields) = spec.as_object_mut() {
        for field in MUTABLE_UNJUDGED_SPEC_FIELDS {
            fields.remove(field);
        }
    }
    Some(spec)
}

fn profile_annotations(metadata: Option<Metadata>) -> Annotations {
    let mut annotations = metadata.and_then(|m| m.annotations).unwrap_or_default();
    annotations.retain(|k, _| PROFILE_ANNOTATION_PREFIXES.iter().any(|p| k.starts_with(p)));
    annotations
}

/// True when an UPDATE of a Pod changes nothing that the policy judges.
pub(crate) fn pod_update_is_insignificant(object: &str, old_object: &str) -> bool {
    let (Ok(new), Ok(old)) = (
        serde_json::from_str::<PodSecurityRelevant>(object),
        serde_json::from_str::<PodSecurityRelevant>(old_object),
    ) else {
        return false;
    };
    let spec = judged_spec(new.spec);
    spec.is_some()
        && spec == judged_spec(old.spec)
        && profile_annotations(new.metadata) == profile_annotations(old.metadata)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn pod_updates_that_leave_spec_and_profiles_alone_are_insignificant() {
        let old =
            json!({"metadata": {"labels": {"a": "1"}}, "spec": {"containers": [{"name": "a"}]}});
        let relabelled =
            json!({"metadata": {"labels": {"a": "2"}}, "spec": {"containers": [{"name": "a"}]}});
        let new_image = json!({"spec": {"containers": [{"name": "a", "image": "x"}]}});
        let new_profile = json!({
            "metadata": {"annotations": {"container.apparmor.security.beta.kubernetes.io/a": "unconfined"}},
            "spec": {"containers": [{"name": "a"}]}
        });
        let s = |v: &serde_json::Value| v.to_string();
        assert!(pod_update_is_insignificant(&s(&relabelled), &s(&old)));
        let gated = json!({"spec": {"schedulingGates": [{"name": "kueue"}], "containers": [{"name": "a"}]}});
        let ungated = json!({"spec": {"activeDeadlineSeconds": 5, "containers": [{"name": "a"}]}});
        assert!(pod_update_is_insignificant(&s(&ungated), &s(&gated)));
        assert!(!pod_update_is_insignificant(&s(&new_image), &s(&old)));
        assert!(!pod_update_is_insignificant(&s(&new_profile), &s(&old)));
        assert!(!pod_update_is_insignificant("[]", "[]"));
    }
}
