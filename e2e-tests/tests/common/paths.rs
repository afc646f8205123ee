//! Field paths as the policy writes them (`spec.containers[0].securityContext`,
//! `metadata.annotations[container.apparmor.security.beta.kubernetes.io/app]`), read into
//! segments, turned into JSON pointers, and followed or written in a JSON document.

use serde_json::{Map, Value};

/// One step of a field path: an object key or a list index.
#[derive(Debug, Clone, PartialEq)]
pub enum Segment {
    Key(String),
    Index(usize),
}

/// Splits `spec.containers[0].securityContext` and `metadata.annotations[a.b/c]` into segments.
pub fn segments(path: &str) -> Result<Vec<Segment>, String> {
    let mut out = Vec::new();
    let mut rest = path;
    while !rest.is_empty() {
        if let Some(inner) = rest.strip_prefix('[') {
            let end = inner
                .find(']')
                .ok_or_else(|| format!("unclosed [ in {path:?}"))?;
            let (item, after) = inner.split_at(end);
            out.push(match item.parse::<usize>() {
                Ok(i) => Segment::Index(i),
                Err(_) => Segment::Key(item.to_string()),
            });
            rest = after.get(1..).unwrap_or_default();
        } else {
            let rest_trimmed = rest.strip_prefix('.').unwrap_or(rest);
            let end = rest_trimmed.find(['.', '[']).unwrap_or(rest_trimmed.len());
            let (key, after) = rest_trimmed.split_at(end);
            if key.is_empty() {
                return Err(format!("empty key in {path:?}"));
            }
            out.push(Segment::Key(key.to_string()));
            rest = after;
        }
    }
    Ok(out)
}

fn segments_of(path: &str) -> Vec<Segment> {
    segments(path).unwrap_or_else(|e| panic!("{e}"))
}

/// The JSON pointer of a field path: `spec.template.spec` is `/spec/template/spec`,
/// `spec.containers[0]` is `/spec/containers/0`.
pub fn pointer(path: &str) -> String {
    segments_of(path)
        .iter()
        .map(|segment| match segment {
            Segment::Key(key) => format!("/{}", key.replace('~', "~0").replace('/', "~1")),
            Segment::Index(index) => format!("/{index}"),
        })
        .collect()
}

/// The value at `segments`, treating `null` as absent: `Ok(value)`, or `Err(n)` when only the
/// first `n` segments exist.
pub fn resolve<'v>(root: &'v Value, segments: &[Segment]) -> Result<&'v Value, usize> {
    let mut value = root;
    for (n, segment) in segments.iter().enumerate() {
        let next = match segment {
            Segment::Key(k) => value.get(k.as_str()),
            Segment::Index(i) => value.get(*i),
        };
        match next {
            Some(v) if !v.is_null() => value = v,
            _ => return Err(n),
        }
    }
    Ok(value)
}

/// Sets `value` at field path `path` of `object`, creating objects on the way (a list item must
/// exist).
pub fn set_path(object: &mut Value, path: &str, value: Value) {
    let mut slot = object;
    for segment in segments_of(path) {
        slot = match segment {
            Segment::Key(key) => {
                if slot.is_null() {
                    *slot = Value::Object(Map::new());
                }
                slot.as_object_mut()
                    .expect("an object on the way")
                    .entry(key)
                    .or_insert(Value::Null)
            }
            Segment::Index(index) => slot
                .get_mut(index)
                .unwrap_or_else(|| panic!("no item {index} on the way to {path}")),
        };
    }
    *slot = value;
}

/// Removes the field at `path` from `object`, which must hold it.
pub fn remove_path(object: &mut Value, path: &str) -> Value {
    let (parent, field) = match path.rsplit_once('.') {
        Some((parent, field)) => (pointer(parent), field),
        None => (String::new(), path),
    };
    object
        .pointer_mut(&parent)
        .and_then(Value::as_object_mut)
        .and_then(|parent| parent.remove(field))
        .unwrap_or_else(|| panic!("no {path} to remove"))
}
