//! Where the pod spec lives in each kind the policy handles, its field path prefix, and the one typed parse
//! of the submitted object per request.

use crate::json_path;
use crate::pod::{ContainerAt, PodSpec};
use serde::Deserialize;
use std::collections::BTreeMap;

pub type Annotations = BTreeMap<String, String>;

/// The kinds that carry a pod spec.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Pod,
    Deployment,
    ReplicaSet,
    StatefulSet,
    DaemonSet,
    ReplicationController,
    Job,
    CronJob,
}

impl Kind {
    pub const ALL: [Kind; 8] = [
        Kind::Pod,
        Kind::Deployment,
        Kind::ReplicaSet,
        Kind::StatefulSet,
        Kind::DaemonSet,
        Kind::ReplicationController,
        Kind::Job,
        Kind::CronJob,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Kind::Pod => "Pod",
            Kind::Deployment => "Deployment",
            Kind::ReplicaSet => "ReplicaSet",
            Kind::StatefulSet => "StatefulSet",
            Kind::DaemonSet => "DaemonSet",
            Kind::ReplicationController => "ReplicationController",
            Kind::Job => "Job",
            Kind::CronJob => "CronJob",
        }
    }

    pub fn from_name(name: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.name() == name)
    }

    /// The JSON keys from the object's root to its pod spec.
    pub fn spec_segments(self) -> &'static [&'static str] {
        match self {
            Kind::Pod => &["spec"],
            Kind::CronJob => &["spec", "jobTemplate", "spec", "template", "spec"],
            _ => &["spec", "template", "spec"],
        }
    }

    /// The JSON keys from the object's root to the metadata of its pod (the pod template's for workloads).
    pub fn metadata_segments(self) -> &'static [&'static str] {
        match self {
            Kind::Pod => &["metadata"],
            Kind::CronJob => &["spec", "jobTemplate", "spec", "template", "metadata"],
            _ => &["spec", "template", "metadata"],
        }
    }

    /// `spec`, `spec.template.spec` or `spec.jobTemplate.spec.template.spec`.
    pub fn spec_path(self) -> &'static str {
        match self {
            Kind::Pod => "spec",
            Kind::CronJob => "spec.jobTemplate.spec.template.spec",
            _ => "spec.template.spec",
        }
    }

    fn metadata_path(self) -> &'static str {
        match self {
            Kind::Pod => "metadata",
            Kind::CronJob => "spec.jobTemplate.spec.template.metadata",
            _ => "spec.template.metadata",
        }
    }

    /// The path of a field of the pod spec: `spec.template.spec.hostNetwork`.
    pub fn spec_field(self, field: &str) -> String {
        format!("{}.{}", self.spec_path(), field)
    }

    /// The path of a container: `spec.template.spec.initContainers[0]`.
    pub fn container_path(self, at: ContainerAt) -> String {
        format!("{}.{}[{}]", self.spec_path(), at.kind.field(), at.index)
    }

    /// The path of an annotation of the pod: `metadata.annotations[key]`.
    pub fn annotation_path(self, key: &str) -> String {
        format!("{}.annotations[{}]", self.metadata_path(), key)
    }
}

/// The pod of a request: its spec and its annotations, parsed once.
#[derive(Debug, Clone, PartialEq)]
pub struct PodObject {
    pub kind: Kind,
    pub annotations: Annotations,
    pub spec: PodSpec,
}

#[derive(Deserialize)]
struct Metadata {
    annotations: Option<Annotations>,
}

#[derive(Deserialize)]
struct PodTemplate {
    metadata: Option<Metadata>,
    spec: Option<PodSpec>,
}

#[derive(Deserialize)]
struct PodShape {
    kind: Option<String>,
    metadata: Option<Metadata>,
    spec: Option<PodSpec>,
}

#[derive(Deserialize)]
struct TemplatedSpec {
    template: Option<PodTemplate>,
}

#[derive(Deserialize)]
struct TemplatedShape {
    kind: Option<String>,
    spec: Option<TemplatedSpec>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CronJobSpec {
    job_template: Option<JobTemplate>,
}

#[derive(Deserialize)]
struct JobTemplate {
    spec: Option<TemplatedSpec>,
}

#[derive(Deserialize)]
struct CronJobShape {
    kind: Option<String>,
    spec: Option<CronJobSpec>,
}

impl PodObject {
    /// Parses the object of a request of kind `kind`. Fails, with a message naming the field, when the object
    /// is not a JSON object, claims another kind, lacks its pod spec, or has a field of the wrong type.
    pub fn parse(kind: Kind, object: &str) -> Result<PodObject, String> {
        let (claimed, metadata, spec, spec_path) = match kind {
            Kind::Pod => {
                deserialize::<PodShape>(kind, object).map(|o| (o.kind, o.metadata, o.spec, "spec"))
            }
            Kind::CronJob => deserialize::<CronJobShape>(kind, object).map(|o| {
                let template = o
                    .spec
                    .and_then(|s| s.job_template)
                    .and_then(|j| j.spec)
                    .and_then(|s| s.template);
                let (metadata, spec) = template.map_or((None, None), |t| (t.metadata, t.spec));
                (
                    o.kind,
                    metadata,
                    spec,
                    "spec.jobTemplate.spec.template.spec",
                )
            }),
            _ => deserialize::<TemplatedShape>(kind, object).map(|o| {
                let template = o.spec.and_then(|s| s.template);
                let (metadata, spec) = template.map_or((None, None), |t| (t.metadata, t.spec));
                (o.kind, metadata, spec, "spec.template.spec")
            }),
        }?;
        if let Some(claimed) = claimed {
            if claimed != kind.name() {
                return Err(format!(
                    "the object is of kind {claimed:?} but the request is for kind {:?}",
                    kind.name()
                ));
            }
        }
        let spec = spec.ok_or_else(|| format!("{spec_path} is missing"))?;
        Ok(PodObject {
            kind,
            annotations: metadata.and_then(|m| m.annotations).unwrap_or_default(),
            spec,
        })
    }
}

/// Parses `object` as `T`, saying where it failed.
fn deserialize<T: serde::de::DeserializeOwned>(kind: Kind, object: &str) -> Result<T, String> {
    if !object.trim_start().starts_with('{') {
        return Err(format!("the {} object is not a JSON object", kind.name()));
    }
    // The typed parse skips unread fields at any depth, while building a JSON value (for a mutation) stops at
    // serde_json's limit: checking the depth here gives a request the same verdict either way.
    if json_path::nests_deeper_than(object, json_path::MAX_DEPTH) {
        return Err(format!(
            "the {} object nests deeper than {} levels, more than any pod needs",
            kind.name(),
            json_path::MAX_DEPTH
        ));
    }
    serde_json::from_str(object).map_err(|e| {
        format!(
            "the {} object is malformed at {}",
            kind.name(),
            json_path::describe(object, &e)
        )
    })
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
pub fn pod_update_is_insignificant(object: &str, old_object: &str) -> bool {
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
    use crate::pod::ContainerKind;
    use serde_json::json;

    #[test]
    fn finds_the_pod_spec_of_every_kind() {
        let spec = json!({"containers": [{"name": "a"}]});
        let meta = json!({"annotations": {"k": "v"}});
        let template = json!({"metadata": meta, "spec": spec});
        let cases = [
            (
                Kind::Pod,
                json!({"kind": "Pod", "metadata": meta, "spec": spec}),
            ),
            (
                Kind::Deployment,
                json!({"kind": "Deployment", "spec": {"template": template}}),
            ),
            (Kind::Job, json!({"spec": {"template": template}})),
            (
                Kind::CronJob,
                json!({"kind": "CronJob", "spec": {"jobTemplate": {"spec": {"template": template}}}}),
            ),
        ];
        for (kind, object) in cases {
            let pod = PodObject::parse(kind, &object.to_string()).unwrap();
            assert_eq!(
                pod.spec.containers_of(ContainerKind::Regular)[0].name,
                "a",
                "{kind:?}"
            );
            assert_eq!(
                pod.annotations.get("k").map(String::as_str),
                Some("v"),
                "{kind:?}"
            );
        }
    }

    #[test]
    fn refuses_malformed_objects_with_a_located_message() {
        let cases = [
            (Kind::Pod, json!([1, 2]), "not a JSON object"),
            (Kind::Pod, json!(null), "not a JSON object"),
            (Kind::Pod, json!({"kind": "Pod"}), "spec is missing"),
            (
                Kind::Deployment,
                json!({"kind": "Deployment", "spec": {}}),
                "spec.template.spec is missing",
            ),
            (
                Kind::Pod,
                json!({"kind": "Deployment", "spec": {}}),
                "kind \"Deployment\"",
            ),
            (
                Kind::CronJob,
                json!({"spec": {"jobTemplate": {"spec": {"template": {"spec": {"hostPID": "yes"}}}}}}),
                "spec.jobTemplate.spec.template.spec.hostPID",
            ),
            (
                Kind::Pod,
                json!({"spec": {"containers": [{"name": "a", "securityContext": {"privileged": 1}}]}}),
                "spec.containers[0].securityContext.privileged",
            ),
        ];
        for (kind, object, needle) in cases {
            let err = PodObject::parse(kind, &object.to_string()).unwrap_err();
            assert!(err.contains(needle), "{object}: {err}");
        }
    }

    #[test]
    fn objects_nested_deeper_than_the_limit_are_refused_before_parsing() {
        let deep = format!("{}1{}", "[".repeat(200), "]".repeat(200));
        let object = format!(r#"{{"kind": "Pod", "metadata": {{"x": {deep}}}, "spec": {{}}}}"#);
        assert_eq!(
            PodObject::parse(Kind::Pod, &object).unwrap_err(),
            "the Pod object nests deeper than 128 levels, more than any pod needs"
        );
    }

    #[test]
    fn duplicate_keys_are_refused() {
        let object = r#"{"spec": {"hostPID": false, "hostPID": true, "containers": []}}"#;
        assert!(PodObject::parse(Kind::Pod, object).is_err());
    }

    #[test]
    fn paths_follow_the_submitted_object() {
        let at = ContainerAt {
            kind: ContainerKind::Init,
            index: 2,
        };
        assert_eq!(
            Kind::CronJob.container_path(at),
            "spec.jobTemplate.spec.template.spec.initContainers[2]"
        );
        assert_eq!(
            Kind::Pod.annotation_path("a/b"),
            "metadata.annotations[a/b]"
        );
        assert_eq!(
            Kind::StatefulSet.spec_field("hostIPC"),
            "spec.template.spec.hostIPC"
        );
    }

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
