//! What the properties check of a violation's path and of a mutation: the path names a field of the
//! submitted object (or one that can be set under it), and a mutation only adds.

use super::*;
use serde_json::{json, Value};

/// True when `mutated` is `original` with values added: every key and list item of `original` is kept, every
/// scalar is unchanged; only absent keys and `null`s were filled in.
pub(crate) fn only_adds(original: &Value, mutated: &Value) -> bool {
    match (original, mutated) {
        (Value::Null, _) => true,
        (Value::Object(a), Value::Object(b)) => a
            .iter()
            .all(|(k, v)| b.get(k).is_some_and(|w| only_adds(v, w))),
        (Value::Array(a), Value::Array(b)) => {
            a.len() <= b.len() && a.iter().zip(b).all(|(v, w)| only_adds(v, w))
        }
        (a, b) => a == b,
    }
}

/// The values a violation shows for a field that is unset (its API default).
const UNSET_DEFAULTS: [&str; 3] = ["false", "\"Default\"", "\"\""];

pub(crate) fn check_path(kind: Kind, object: &Value, violation: &Violation) -> Result<(), String> {
    let path = violation.path.as_str();
    let spec_path = spec_path_of(kind);
    let annotations = format!("{}.annotations[", metadata_path(spec_path));
    if !(path == spec_path
        || path.starts_with(&format!("{spec_path}."))
        || path.starts_with(&annotations))
    {
        return Err(format!(
            "not under {spec_path} or {annotations} of a {}",
            kind.name()
        ));
    }
    let segments = segments(path)?;
    match (&violation.problem, resolve(object, &segments)) {
        (Problem::Forbidden, Ok(_)) => Ok(()),
        (Problem::Invalid(shown), Ok(value)) => {
            let scalar = !(value.is_object() || value.is_array());
            if scalar && serde_json::from_str::<Value>(shown).ok().as_ref() != Some(value) {
                return Err(format!("the value there is {value}, not {shown}"));
            }
            Ok(())
        }
        (Problem::Forbidden, Err(n)) => {
            Err(format!("only {n} of {} segments exist", segments.len()))
        }
        (Problem::Invalid(shown), Err(existing)) => {
            // An unset field, reported with its API default.
            if !UNSET_DEFAULTS.contains(&shown.as_str()) {
                return Err(format!("the field is unset, yet shown as {shown}"));
            }
            settable(object, &segments, existing)
        }
        (Problem::Required, Ok(value)) if value.is_array() => Ok(()),
        (Problem::Required, Ok(value)) => Err(format!("it is set, to {value}")),
        (Problem::Required, Err(existing)) => settable(object, &segments, existing),
    }
}

/// True when the first `existing` segments lead to an object and the others are keys only: setting the field
/// creates objects, it never needs a list item that is not there.
fn settable(object: &Value, segments: &[Segment], existing: usize) -> Result<(), String> {
    let parent = resolve(object, &segments[..existing]).map_err(|_| "unreachable")?;
    if !parent.is_object() {
        return Err(format!(
            "its nearest existing parent is {parent}, not an object"
        ));
    }
    match segments[existing..]
        .iter()
        .find(|s| matches!(s, Segment::Index(_)))
    {
        Some(missing) => Err(format!("the list item {missing:?} does not exist")),
        None => Ok(()),
    }
}

#[test]
fn path_helpers() {
    let key = |k: &str| Segment::Key(k.into());
    assert_eq!(
        segments("spec.template.spec.containers[2].securityContext").unwrap(),
        vec![
            key("spec"),
            key("template"),
            key("spec"),
            key("containers"),
            Segment::Index(2),
            key("securityContext"),
        ]
    );
    assert_eq!(
        segments("metadata.annotations[container.seccomp.security.alpha.kubernetes.io/a]").unwrap(),
        vec![
            key("metadata"),
            key("annotations"),
            key("container.seccomp.security.alpha.kubernetes.io/a"),
        ]
    );
    let object = json!({"spec": {"containers": [{"name": "a", "securityContext": null, "ports": [{"hostPort": 80}]}]}});
    let violation = |path: &str, problem: Problem| Violation {
        path: path.into(),
        container: None,
        problem,
        reason: String::new(),
        allowed: Allowed::none(),
    };
    let invalid = |shown: &str| Problem::Invalid(shown.into());
    // (path, problem, whether it names a field of `object`)
    let cases = [
        ("spec.containers[0].ports[0].hostPort", invalid("80"), true),
        ("spec.containers[0].ports[0].hostPort", invalid("81"), false),
        ("spec.containers[1].ports[0].hostPort", invalid("80"), false),
        (
            "spec.containers[0].ports[0].readOnly",
            invalid("false"),
            true,
        ),
        (
            "spec.containers[0].securityContext.procMount",
            invalid("\"Default\""),
            true,
        ),
        (
            "spec.containers[0].securityContext.privileged",
            invalid("true"),
            false,
        ),
        (
            "spec.containers[0].ports[0].hostPort",
            Problem::Forbidden,
            true,
        ),
        (
            "spec.containers[0].securityContext.runAsNonRoot",
            Problem::Required,
            true,
        ),
        (
            "spec.containers[3].securityContext.runAsNonRoot",
            Problem::Required,
            false,
        ),
        ("spec.containers[0].name", Problem::Required, false),
        ("spec.template.spec.hostPID", Problem::Forbidden, false),
    ];
    for (path, problem, names_a_field) in cases {
        let checked = check_path(Kind::Pod, &object, &violation(path, problem));
        assert_eq!(checked.is_ok(), names_a_field, "{path}: {checked:?}");
    }
    assert!(only_adds(
        &json!({"a": null, "b": [1]}),
        &json!({"a": {"x": 1}, "b": [1], "c": 2})
    ));
    assert!(!only_adds(&json!({"a": 1}), &json!({"a": 2})));
    assert!(!only_adds(&json!({"a": [1, 2]}), &json!({"a": [1]})));
}
