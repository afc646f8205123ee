//! The kinds whose objects hold a pod, in one table: how a request names each (API group and kind), where its
//! pod sits in the object (from which the JSON keys, dotted field paths and JSON pointers are derived), and
//! the one typed parse of the submitted object per request.

use crate::json_path;
use crate::pod::{Container, ContainerAt, PodSpec};
use serde::Deserialize;
use std::collections::BTreeMap;

pub type Annotations = BTreeMap<String, String>;

/// The kinds whose objects hold a pod (or a pod template).
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
    /// The object of the `pods/ephemeralcontainers` subresource in Kubernetes 1.16 to 1.22: the pod's
    /// `metadata` and its `ephemeralContainers`, nothing else of the pod. Its containers are judged on what the
    /// object holds: one that would inherit a pod-level setting (`runAsNonRoot`, a seccomp profile) is judged
    /// as if the pod set none, and the pod's RuntimeClass cannot exempt it.
    EphemeralContainers,
}

/// Where the pod sits in an object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Layout {
    /// The object is the pod: `metadata` and `spec`.
    Pod,
    /// A pod template (`metadata` and `spec`) at `spec.template`.
    Template,
    /// A job template's pod template, at `spec.jobTemplate.spec.template`.
    JobTemplate,
    /// The pod's `metadata` and `ephemeralContainers` at the top; none of the pod's own fields.
    EphemeralContainers,
}

/// One row of the table.
struct KindInfo {
    name: &'static str,
    /// The API groups that serve the kind, the preferred one first. Every version they serve has this layout
    /// (`apps/v1`, `v1beta1`, `v1beta2` and `extensions/v1beta1`; `batch/v1` and `v1beta1` CronJobs).
    groups: &'static [&'static str],
    layout: Layout,
    /// The subresources whose requests carry the object (`""`: the resource itself). Only a pod and its
    /// ephemeral containers carry a pod spec; `status`, `binding`, `scale`... do not.
    subresources: &'static [&'static str],
}

const RESOURCE_ONLY: &[&str] = &[""];

impl Kind {
    /// Every kind of the table.
    pub const ALL: [Kind; 9] = [
        Kind::Pod,
        Kind::Deployment,
        Kind::ReplicaSet,
        Kind::StatefulSet,
        Kind::DaemonSet,
        Kind::ReplicationController,
        Kind::Job,
        Kind::CronJob,
        Kind::EphemeralContainers,
    ];

    /// The table.
    const fn info(self) -> KindInfo {
        let (name, groups, layout, subresources): (_, &[&str], _, &[&str]) = match self {
            Kind::Pod => ("Pod", &[""], Layout::Pod, &["", "ephemeralcontainers"]),
            Kind::Deployment => (
                "Deployment",
                &["apps", "extensions"],
                Layout::Template,
                RESOURCE_ONLY,
            ),
            Kind::ReplicaSet => (
                "ReplicaSet",
                &["apps", "extensions"],
                Layout::Template,
                RESOURCE_ONLY,
            ),
            Kind::StatefulSet => ("StatefulSet", &["apps"], Layout::Template, RESOURCE_ONLY),
            Kind::DaemonSet => (
                "DaemonSet",
                &["apps", "extensions"],
                Layout::Template,
                RESOURCE_ONLY,
            ),
            Kind::ReplicationController => (
                "ReplicationController",
                &[""],
                Layout::Template,
                RESOURCE_ONLY,
            ),
            Kind::Job => ("Job", &["batch"], Layout::Template, RESOURCE_ONLY),
            Kind::CronJob => ("CronJob", &["batch"], Layout::JobTemplate, RESOURCE_ONLY),
            // Never accepted unread: judged whatever subresource names it.
            Kind::EphemeralContainers => (
                "EphemeralContainers",
                &[""],
                Layout::EphemeralContainers,
                &["ephemeralcontainers", ""],
            ),
        };
        KindInfo {
            name,
            groups,
            layout,
            subresources,
        }
    }

    /// The kind a request names, by API group and kind: another group's kind of the same name (a Volcano
    /// `batch.volcano.sh` Job) is none of these.
    pub(crate) fn of(group: &str, kind: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| {
            let info = k.info();
            info.name == kind && info.groups.contains(&group)
        })
    }

    pub fn name(self) -> &'static str {
        self.info().name
    }

    /// The kind's preferred API group (`""` for the core group).
    pub fn group(self) -> &'static str {
        self.info().groups.first().copied().unwrap_or_default()
    }

    /// True when a request for `subresource` of this kind carries the object to judge.
    pub(crate) fn carries_object(self, subresource: &str) -> bool {
        self.info().subresources.contains(&subresource)
    }

    /// True when PSP's defaults are filled in on `operation`. PSP defaulted pods on creation only (an update of
    /// a running pod, its ephemeral containers included, is validated only); workload templates are
    /// defaulted whenever they are written.
    pub(crate) fn defaults_on(self, operation: &str) -> bool {
        match self.info().layout {
            Layout::Pod => operation != "UPDATE",
            Layout::Template | Layout::JobTemplate => true,
            Layout::EphemeralContainers => false,
        }
    }

    /// False when the object holds only part of a pod (the legacy `EphemeralContainers`): the pod's own fields
    /// were judged when it was admitted, and only its containers are judged here.
    pub(crate) fn has_pod_fields(self) -> bool {
        self.info().layout != Layout::EphemeralContainers
    }

    /// The JSON keys from the object's root to the pod (or the pod template).
    fn pod_segments(self) -> &'static [&'static str] {
        match self.info().layout {
            Layout::Pod | Layout::EphemeralContainers => &[],
            Layout::Template => &["spec", "template"],
            Layout::JobTemplate => &["spec", "jobTemplate", "spec", "template"],
        }
    }

    /// The JSON keys from the object's root to its pod spec: the object holding the containers.
    pub(crate) fn spec_segments(self) -> impl Iterator<Item = &'static str> {
        let spec: &[&str] = match self.info().layout {
            Layout::EphemeralContainers => &[],
            _ => &["spec"],
        };
        self.pod_segments().iter().chain(spec).copied()
    }

    /// The JSON keys from the object's root to the metadata of its pod (the pod template's for workloads).
    pub(crate) fn metadata_segments(self) -> impl Iterator<Item = &'static str> {
        self.pod_segments().iter().copied().chain(["metadata"])
    }

    /// `spec`, `spec.template.spec` or `spec.jobTemplate.spec.template.spec` (empty for `EphemeralContainers`).
    pub fn spec_path(self) -> String {
        self.spec_segments().collect::<Vec<_>>().join(".")
    }

    /// The JSON pointer of the pod spec: `/spec/template/spec`.
    pub fn spec_pointer(self) -> String {
        self.spec_segments().map(|key| format!("/{key}")).collect()
    }

    /// The path of a field of the pod spec: `spec.template.spec.hostNetwork`.
    pub(crate) fn spec_field(self, field: &str) -> String {
        let spec = self.spec_path();
        if spec.is_empty() {
            field.to_string()
        } else {
            format!("{spec}.{field}")
        }
    }

    /// The path of a container: `spec.template.spec.initContainers[0]`.
    pub(crate) fn container_path(self, at: ContainerAt) -> String {
        self.spec_field(&format!("{}[{}]", at.kind.field(), at.index))
    }

    /// The path of an annotation of the pod: `metadata.annotations[key]`.
    pub fn annotation_path(self, key: &str) -> String {
        let metadata: Vec<&str> = self.metadata_segments().collect();
        format!("{}.annotations[{key}]", metadata.join("."))
    }
}

/// The pod of a request: its spec and its annotations, parsed once.
#[derive(Debug, Clone, PartialEq)]
pub struct PodObject {
    pub(crate) kind: Kind,
    pub(crate) annotations: Annotations,
    pub(crate) spec: PodSpec,
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
#[serde(rename_all = "camelCase")]
struct PodShape {
    api_version: Option<String>,
    kind: Option<String>,
    metadata: Option<Metadata>,
    spec: Option<PodSpec>,
}

#[derive(Deserialize)]
struct TemplatedSpec {
    template: Option<PodTemplate>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct TemplatedShape {
    api_version: Option<String>,
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
#[serde(rename_all = "camelCase")]
struct CronJobShape {
    api_version: Option<String>,
    kind: Option<String>,
    spec: Option<CronJobSpec>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct EphemeralContainersShape {
    api_version: Option<String>,
    kind: Option<String>,
    metadata: Option<Metadata>,
    ephemeral_containers: Option<Vec<Container>>,
}

/// What any layout yields: the kind and apiVersion the object claims, and its pod's metadata and spec.
struct Parts {
    api_version: Option<String>,
    kind: Option<String>,
    metadata: Option<Metadata>,
    spec: Option<PodSpec>,
}

impl PodObject {
    /// Parses the object of a request of kind `kind`. Fails, with a message naming the field, when the object
    /// is not a JSON object, claims another kind, lacks its pod spec, or has a field of the wrong type.
    pub fn parse(kind: Kind, object: &str) -> Result<PodObject, String> {
        let parts = match kind.info().layout {
            Layout::Pod => deserialize::<PodShape>(kind, object).map(|o| Parts {
                api_version: o.api_version,
                kind: o.kind,
                metadata: o.metadata,
                spec: o.spec,
            }),
            Layout::Template => deserialize::<TemplatedShape>(kind, object).map(|o| {
                let template = o.spec.and_then(|s| s.template);
                templated(o.api_version, o.kind, template)
            }),
            Layout::JobTemplate => deserialize::<CronJobShape>(kind, object).map(|o| {
                let template = o
                    .spec
                    .and_then(|s| s.job_template)
                    .and_then(|j| j.spec)
                    .and_then(|s| s.template);
                templated(o.api_version, o.kind, template)
            }),
            Layout::EphemeralContainers => deserialize::<EphemeralContainersShape>(kind, object)
                .map(|o| Parts {
                    api_version: o.api_version,
                    kind: o.kind,
                    metadata: o.metadata,
                    spec: Some(PodSpec {
                        ephemeral_containers: o.ephemeral_containers,
                        ..PodSpec::default()
                    }),
                }),
        }?;
        if let Some(claimed) = parts.kind {
            if claimed != kind.name() {
                return Err(format!(
                    "the object is of kind {claimed:?} but the request is for kind {:?}",
                    kind.name()
                ));
            }
        }
        if let Some(api_version) = parts.api_version {
            let group = api_version.split_once('/').map_or("", |(group, _)| group);
            let groups = kind.info().groups;
            if !groups.contains(&group) {
                let groups: Vec<String> = groups.iter().map(|g| format!("{g:?}")).collect();
                return Err(format!(
                    "the object is of apiVersion {api_version:?} but the request is for kind {:?} of API group {}",
                    kind.name(),
                    groups.join(" or ")
                ));
            }
        }
        let spec = parts
            .spec
            .ok_or_else(|| format!("{} is missing", kind.spec_path()))?;
        Ok(PodObject {
            kind,
            annotations: parts
                .metadata
                .and_then(|m| m.annotations)
                .unwrap_or_default(),
            spec,
        })
    }
}

fn templated(
    api_version: Option<String>,
    kind: Option<String>,
    template: Option<PodTemplate>,
) -> Parts {
    let (metadata, spec) = template.map_or((None, None), |t| (t.metadata, t.spec));
    Parts {
        api_version,
        kind,
        metadata,
        spec,
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

#[cfg(test)]
mod tests;
