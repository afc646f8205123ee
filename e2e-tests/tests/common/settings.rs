//! Settings documents: a PSP spec with the required rules, profiles, standards, the example.

use psp_host::example_settings;
use serde_json::{json, Value};

/// [`RUN_AS_ANY`] with `extra` on top (its keys replace the base's).
pub fn settings(extra: Value) -> Value {
    let mut base: Value = serde_json::from_str(RUN_AS_ANY).expect("RUN_AS_ANY is JSON");
    merge(&mut base, extra);
    base
}

/// [`settings`] with defaulting off: pure validation.
pub fn validating(extra: Value) -> Value {
    let mut s = settings(extra);
    s["mutating"] = json!(false);
    s
}

/// The four rules a PSP spec requires, all `RunAsAny`, and every volume type allowed: the base of
/// [`settings`], as JSON text (raw payloads use it as it is).
pub const RUN_AS_ANY: &str = r#"{"runAsUser": {"rule": "RunAsAny"}, "seLinux": {"rule": "RunAsAny"},
    "supplementalGroups": {"rule": "RunAsAny"}, "fsGroup": {"rule": "RunAsAny"}, "volumes": ["*"]}"#;

fn merge(base: &mut Value, extra: Value) {
    match extra {
        Value::Object(extra) => {
            let base = base.as_object_mut().expect("an object");
            for (k, v) in extra {
                base.insert(k, v);
            }
        }
        Value::Null => {}
        other => panic!("settings extras must be an object, got {other}"),
    }
}

/// The named profile alone.
pub fn profile(name: &str) -> Value {
    json!({ "profile": name })
}

/// A Pod Security Standard alone, at `level` and `version`.
pub fn standard(level: &str, version: &str) -> Value {
    json!({"podSecurityStandard": {"level": level, "version": version}})
}

/// The example settings of an AI data platform (`examples/settings/ai-data-security.yml`).
pub fn ai_data_security() -> Value {
    example_settings("ai-data-security.yml").expect("examples/settings/ai-data-security.yml")
}
