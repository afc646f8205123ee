//! Defaults that PSP would fill in, recorded at their exact JSON paths and applied to the submitted object.
//!
//! The mutated object is the submitted JSON with the defaults added and nothing else: no round trip through
//! typed structs, so no field is dropped, renamed or reordered. The host turns the difference into the
//! JSONPatch that the API server applies.

use crate::object::Kind;
use crate::pod::ContainerAt;
use serde_json::{Map, Value};
use std::borrow::Cow;

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Segment {
    Key(Cow<'static, str>),
    Index(usize),
}

#[derive(Debug, Clone, PartialEq)]
enum Op {
    /// Set the value at the path, creating missing parent objects.
    Set(Value),
    /// Append to the array at the path, creating it when missing.
    Append(Value),
}

/// The defaults of one evaluation, in the order they were decided.
#[derive(Debug)]
pub struct Defaults {
    kind: Kind,
    ops: Vec<(Vec<Segment>, Op)>,
}

impl Defaults {
    pub fn new(kind: Kind) -> Self {
        Defaults {
            kind,
            ops: Vec::new(),
        }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.ops.is_empty()
    }

    /// The path of `rest` below the object's pod spec.
    fn spec_path(&self, rest: &[&'static str]) -> Vec<Segment> {
        self.kind
            .spec_segments()
            .chain(rest.iter().copied())
            .map(|k| Segment::Key(Cow::Borrowed(k)))
            .collect()
    }

    fn container_path(&self, at: ContainerAt, rest: &[&'static str]) -> Vec<Segment> {
        let mut path = self.spec_path(&[at.kind.field()]);
        path.push(Segment::Index(at.index));
        path.extend(rest.iter().map(|k| Segment::Key(Cow::Borrowed(*k))));
        path
    }

    /// Sets a field of the pod spec, e.g. `["securityContext", "fsGroup"]`.
    pub(crate) fn set_pod(&mut self, rest: &[&'static str], value: Value) {
        self.ops.push((self.spec_path(rest), Op::Set(value)));
    }

    /// Sets a field of a container, e.g. `["securityContext", "runAsUser"]`.
    pub(crate) fn set_container(&mut self, at: ContainerAt, rest: &[&'static str], value: Value) {
        self.ops
            .push((self.container_path(at, rest), Op::Set(value)));
    }

    /// Appends to a list of a container, e.g. `["securityContext", "capabilities", "drop"]`.
    pub(crate) fn append_container(
        &mut self,
        at: ContainerAt,
        rest: &[&'static str],
        value: Value,
    ) {
        self.ops
            .push((self.container_path(at, rest), Op::Append(value)));
    }

    /// Sets an annotation of the pod (the pod template's for a workload).
    pub(crate) fn set_annotation(&mut self, key: &str, value: &str) {
        let path = self
            .kind
            .metadata_segments()
            .chain(["annotations"])
            .map(|k| Segment::Key(Cow::Borrowed(k)))
            .chain([Segment::Key(Cow::Owned(key.to_string()))])
            .collect();
        self.ops
            .push((path, Op::Set(Value::String(value.to_string()))));
    }

    /// The field path of each default, in the order they were decided (`spec.containers[0].securityContext
    /// .runAsNonRoot`; an appended item is named by its list).
    pub(crate) fn paths(&self) -> Vec<String> {
        self.ops
            .iter()
            .map(|(path, _)| {
                let mut text = String::new();
                for segment in path {
                    match segment {
                        Segment::Key(key) if key.contains(['.', '/']) => {
                            text.push_str(&format!("[{key}]"))
                        }
                        Segment::Key(key) if text.is_empty() => text.push_str(key),
                        Segment::Key(key) => text.push_str(&format!(".{key}")),
                        Segment::Index(i) => text.push_str(&format!("[{i}]")),
                    }
                }
                text
            })
            .collect()
    }

    /// Applies every default to `object`. Fails when a path crosses a value that is not an object or array
    /// of the expected shape, which cannot happen for an object that parsed as a pod.
    pub fn apply(&self, object: &mut Value) -> Result<(), String> {
        for (path, op) in &self.ops {
            let slot = walk(object, path).ok_or_else(|| describe(path))?;
            match op {
                Op::Set(value) => *slot = value.clone(),
                Op::Append(value) => match slot {
                    Value::Array(items) => items.push(value.clone()),
                    Value::Null => *slot = Value::Array(vec![value.clone()]),
                    _ => return Err(describe(path)),
                },
            }
        }
        Ok(())
    }
}

/// The slot at `path`, creating objects for missing or null keys on the way.
fn walk<'v>(mut value: &'v mut Value, path: &[Segment]) -> Option<&'v mut Value> {
    for segment in path {
        value = match segment {
            Segment::Key(key) => {
                if value.is_null() {
                    *value = Value::Object(Map::new());
                }
                value
                    .as_object_mut()?
                    .entry(key.as_ref())
                    .or_insert(Value::Null)
            }
            Segment::Index(i) => value.as_array_mut()?.get_mut(*i)?,
        };
    }
    Some(value)
}

fn describe(path: &[Segment]) -> String {
    let parts: Vec<String> = path
        .iter()
        .map(|s| match s {
            Segment::Key(k) => k.to_string(),
            Segment::Index(i) => i.to_string(),
        })
        .collect();
    format!("cannot write the default at /{}", parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pod::ContainerKind;
    use serde_json::json;

    #[test]
    fn adds_defaults_and_keeps_everything_else() {
        let mut object = json!({
            "kind": "Deployment",
            "spec": {"replicas": 2, "template": {"spec": {
                "securityContext": {"runAsUser": 5, "sysctls": []},
                "containers": [{"name": "a", "securityContext": {"capabilities": {"drop": ["NET_RAW"]}}},
                               {"name": "b", "securityContext": null}]
            }}}
        });
        let mut d = Defaults::new(Kind::Deployment);
        d.set_pod(&["securityContext", "fsGroup"], json!(1000));
        let a = ContainerAt {
            kind: ContainerKind::Regular,
            index: 0,
        };
        let b = ContainerAt {
            kind: ContainerKind::Regular,
            index: 1,
        };
        d.append_container(
            a,
            &["securityContext", "capabilities", "drop"],
            json!("ALL"),
        );
        d.append_container(
            b,
            &["securityContext", "capabilities", "drop"],
            json!("ALL"),
        );
        d.apply(&mut object).unwrap();
        assert_eq!(
            object,
            json!({
                "kind": "Deployment",
                "spec": {"replicas": 2, "template": {
                    "spec": {
                    "securityContext": {"runAsUser": 5, "sysctls": [], "fsGroup": 1000},
                    "containers": [{"name": "a", "securityContext": {"capabilities": {"drop": ["NET_RAW", "ALL"]}}},
                                   {"name": "b", "securityContext": {"capabilities": {"drop": ["ALL"]}}}]
                }}}
            })
        );
    }

    #[test]
    fn annotations_go_to_the_pod_template_metadata() {
        let key = "container.apparmor.security.beta.kubernetes.io/app";
        let mut deployment = json!({"kind": "Deployment", "spec": {"template": {"spec": {}}}});
        let mut d = Defaults::new(Kind::Deployment);
        d.set_annotation(key, "runtime/default");
        d.apply(&mut deployment).unwrap();
        assert_eq!(
            deployment,
            json!({"kind": "Deployment", "spec": {"template": {
                "metadata": {"annotations": {key: "runtime/default"}}, "spec": {}
            }}})
        );
        let mut pod = json!({"kind": "Pod", "metadata": {"name": "p", "annotations": {"a": "b"}}, "spec": {}});
        let mut d = Defaults::new(Kind::Pod);
        d.set_annotation(key, "localhost/x");
        d.apply(&mut pod).unwrap();
        assert_eq!(
            pod["metadata"],
            json!({"name": "p", "annotations": {"a": "b", key: "localhost/x"}})
        );
    }

    #[test]
    fn names_each_default_by_its_field_path() {
        let mut d = Defaults::new(Kind::CronJob);
        d.set_pod(&["securityContext", "fsGroup"], json!(1));
        d.append_container(
            ContainerAt {
                kind: ContainerKind::Init,
                index: 2,
            },
            &["securityContext", "capabilities", "drop"],
            json!("ALL"),
        );
        d.set_annotation("kubernetes.io/psp", "restricted");
        assert_eq!(
            d.paths(),
            [
                "spec.jobTemplate.spec.template.spec.securityContext.fsGroup",
                "spec.jobTemplate.spec.template.spec.initContainers[2].securityContext.capabilities.drop",
                "spec.jobTemplate.spec.template.metadata.annotations[kubernetes.io/psp]",
            ]
        );
    }

    #[test]
    fn sets_an_annotation_creating_the_map() {
        let mut d = Defaults::new(Kind::Pod);
        d.set_annotation("kubernetes.io/psp", "restricted");
        for (mut object, expected) in [
            (
                json!({"metadata": {"name": "a"}, "spec": {}}),
                json!({"metadata": {"name": "a", "annotations": {"kubernetes.io/psp": "restricted"}}, "spec": {}}),
            ),
            (
                json!({"metadata": {"annotations": {"a": "b", "kubernetes.io/psp": "x"}}}),
                json!({"metadata": {"annotations": {"a": "b", "kubernetes.io/psp": "restricted"}}}),
            ),
            (
                json!({"metadata": {"annotations": null}}),
                json!({"metadata": {"annotations": {"kubernetes.io/psp": "restricted"}}}),
            ),
        ] {
            d.apply(&mut object).unwrap();
            assert_eq!(object, expected);
        }
    }

    #[test]
    fn refuses_paths_through_scalars() {
        let mut object = json!({"spec": {"containers": "x"}});
        let mut d = Defaults::new(Kind::Pod);
        d.set_container(
            ContainerAt {
                kind: ContainerKind::Regular,
                index: 0,
            },
            &["securityContext"],
            json!({}),
        );
        assert_eq!(
            d.apply(&mut object),
            Err("cannot write the default at /spec/containers/0/securityContext".to_string())
        );
    }
}
