//! The structure-aware mutator of `evaluate_structured`: reads the input as JSON, edits one to three nodes (most
//! often inside `request.object`), and writes it back, now and then with a key given twice, a node nested
//! deeper than serde_json's limit or the API server's, or a key spelt with `\u` escapes. Deterministic in
//! its seed, as libFuzzer requires.

mod write;

use serde_json::{Map, Value};

use crate::rng::Rng;
use write::write;

#[derive(Debug, Clone, PartialEq)]
enum Step {
    Key(String),
    Index(usize),
}

/// Keys of the pod and request model, and of the settings, that the mutator inserts.
const KEYS: &[&str] = &[
    "privileged",
    "hostPID",
    "hostNetwork",
    "hostIPC",
    "hostUsers",
    "hostPort",
    "ports",
    "securityContext",
    "runAsUser",
    "runAsGroup",
    "runAsNonRoot",
    "fsGroup",
    "supplementalGroups",
    "capabilities",
    "add",
    "drop",
    "seLinuxOptions",
    "seccompProfile",
    "appArmorProfile",
    "type",
    "localhostProfile",
    "procMount",
    "readOnlyRootFilesystem",
    "allowPrivilegeEscalation",
    "windowsOptions",
    "hostProcess",
    "sysctls",
    "name",
    "value",
    "volumes",
    "volumeMounts",
    "readOnly",
    "hostPath",
    "path",
    "csi",
    "driver",
    "flexVolume",
    "emptyDir",
    "containers",
    "initContainers",
    "ephemeralContainers",
    "annotations",
    "metadata",
    "spec",
    "template",
    "jobTemplate",
    "kind",
    "runtimeClassName",
    "os",
    "livenessProbe",
    "httpGet",
    "host",
    "lifecycle",
    "postStart",
    "object",
    "oldObject",
    "operation",
    "subResource",
    "settings",
    "request",
    "seccomp.security.alpha.kubernetes.io/pod",
    "container.seccomp.security.alpha.kubernetes.io/app",
    "container.apparmor.security.beta.kubernetes.io/app",
    "mutating",
    "profile",
    "allowedHostPaths",
    "pathPrefix",
    "",
];

const STRINGS: &[&str] = &[
    "",
    "SYS_ADMIN",
    "sys_admin",
    "CAP_SYS_ADMIN",
    " SYS_ADMIN ",
    "ſys_admin",
    "sys_admın",
    "ALL",
    "all",
    "NET_RAW",
    "NET_BIND_SERVICE",
    "Default",
    "Unmasked",
    "RuntimeDefault",
    "Unconfined",
    "Localhost",
    "runtime/default",
    "docker/default",
    "unconfined",
    "localhost/",
    "localhost/../x",
    "localhost/*",
    "*",
    "/",
    "//data/ai",
    "/data/ai/",
    "/data/ai/../../etc",
    "/data/ai/./../x",
    "/data/aix",
    "data/ai",
    "kernel.shm_rmid_forced",
    "kernel/shm_rmid_forced",
    "net.ipv4.ip_local_port_range",
    "kernel.*",
    "Pod",
    "Deployment",
    "ReplicaSet",
    "StatefulSet",
    "DaemonSet",
    "ReplicationController",
    "Job",
    "CronJob",
    "ConfigMap",
    "CREATE",
    "UPDATE",
    "DELETE",
    "CONNECT",
    "ephemeralcontainers",
    "status",
    "scale",
    "windows",
    "gvisor",
    "restricted",
    "baseline",
    "ai-data-security",
    "latest",
    "v1.0",
    "v1.37",
    "v1.99",
    "MustRunAs",
    "MayRunAs",
    "MustRunAsNonRoot",
    "RunAsAny",
    "\u{0}",
    "\u{202e}",
    "\u{feff}",
    "\u{212a}",
    "é",
    "😀",
    "\\",
    "\"",
];

const NUMBERS: &[&str] = &[
    "0",
    "-1",
    "1",
    "65535",
    "65536",
    "2147483647",
    "2147483648",
    "4294967296",
    "9007199254740993",
    "9223372036854775807",
    "-9223372036854775808",
    "9223372036854775808",
    "18446744073709551615",
    "18446744073709551616",
    "1e308",
    "-1e308",
    "0.5",
    "-0.0",
    "1e3",
];

fn number(rng: &mut Rng) -> Value {
    serde_json::from_str(rng.pick(NUMBERS)).unwrap_or(Value::Null)
}

/// A value of any type, sometimes a copy of `like`.
fn any_value(rng: &mut Rng, like: &Value) -> Value {
    match rng.below(10) {
        0 => Value::Null,
        1 => Value::Bool(rng.chance(50)),
        2 => number(rng),
        3 => Value::String((*rng.pick(STRINGS)).to_string()),
        4 => Value::Array(Vec::new()),
        5 => Value::Object(Map::new()),
        6 => Value::Array(vec![like.clone()]),
        7 => {
            let mut map = Map::new();
            map.insert((*rng.pick(KEYS)).to_string(), like.clone());
            Value::Object(map)
        }
        8 => Value::String(like.to_string()),
        _ => like.clone(),
    }
}

/// Every node of `value` (the root too), as paths.
fn nodes(value: &Value, path: &mut Vec<Step>, out: &mut Vec<Vec<Step>>) {
    out.push(path.clone());
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                path.push(Step::Key(k.clone()));
                nodes(v, path, out);
                path.pop();
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                path.push(Step::Index(i));
                nodes(v, path, out);
                path.pop();
            }
        }
        _ => {}
    }
}

fn at<'v>(value: &'v mut Value, path: &[Step]) -> Option<&'v mut Value> {
    let mut node = value;
    for step in path {
        node = match step {
            Step::Key(k) => node.as_object_mut()?.get_mut(k)?,
            Step::Index(i) => node.as_array_mut()?.get_mut(*i)?,
        };
    }
    Some(node)
}

fn get<'v>(value: &'v Value, path: &[Step]) -> Option<&'v Value> {
    let mut node = value;
    for step in path {
        node = match step {
            Step::Key(k) => node.get(k.as_str())?,
            Step::Index(i) => node.get(*i)?,
        };
    }
    Some(node)
}

fn mutate_string(rng: &mut Rng, s: &str) -> String {
    match rng.below(9) {
        0 => s.to_uppercase(),
        1 => s.to_lowercase(),
        2 => format!("CAP_{s}"),
        3 => format!(" {s} "),
        4 => {
            let insert = ["ſ", "ı", "\u{212a}", "\u{0}", "\u{202e}", "/", "..", "."];
            let mut chars: Vec<char> = s.chars().collect();
            let i = rng.below(chars.len() + 1);
            chars.splice(i..i, rng.pick(&insert).chars());
            chars.into_iter().collect()
        }
        5 => format!("{s}/../.."),
        6 => "a".repeat(1 + rng.below(4096)),
        7 => format!("{s}{s}"),
        _ => (*rng.pick(STRINGS)).to_string(),
    }
}

/// One edit of `root`, most often inside the request's object.
fn mutate_once(root: &mut Value, rng: &mut Rng) {
    let mut all = Vec::new();
    nodes(root, &mut Vec::new(), &mut all);
    let object = [Step::Key("request".into()), Step::Key("object".into())];
    let in_object: Vec<&Vec<Step>> = all.iter().filter(|p| p.starts_with(&object)).collect();
    let path = if !in_object.is_empty() && rng.chance(80) {
        (*rng.pick(&in_object)).clone()
    } else {
        rng.pick(&all).clone()
    };
    // A copy of another node, for the copying edits.
    let other = get(root, rng.pick(&all)).cloned().unwrap_or(Value::Null);
    let edit = rng.below(12);
    if edit == 9 {
        edit_request(root, rng);
        return;
    }
    let Some(node) = at(root, &path) else {
        return;
    };
    match edit {
        0 => *node = Value::Null,
        1 => *node = any_value(rng, node),
        2 => *node = number(rng),
        3 => match node {
            Value::String(s) => *s = mutate_string(rng, s),
            _ => *node = Value::String((*rng.pick(STRINGS)).to_string()),
        },
        4 => match node {
            Value::Bool(b) => *b = !*b,
            Value::Number(_) => *node = number(rng),
            _ => *node = Value::Bool(rng.chance(50)),
        },
        5 | 6 => match node {
            // Insert a key of the model (or the empty key) with a value of any type.
            Value::Object(map) => {
                let key = (*rng.pick(KEYS)).to_string();
                let value = if rng.chance(30) {
                    other
                } else {
                    any_value(rng, &Value::Null)
                };
                map.insert(key, value);
            }
            Value::Array(items) => items.push(if rng.chance(50) {
                other
            } else {
                any_value(rng, &Value::Null)
            }),
            _ => *node = other,
        },
        7 => match node {
            // Remove a key or an item.
            Value::Object(map) if !map.is_empty() => {
                let i = rng.below(map.len());
                if let Some(key) = map.keys().nth(i).cloned() {
                    map.remove(&key);
                }
            }
            Value::Array(items) if !items.is_empty() => {
                let i = rng.below(items.len());
                items.remove(i);
            }
            _ => *node = Value::Null,
        },
        8 => match node {
            // Duplicate an item (two containers of one name, one volume twice...).
            Value::Array(items) if !items.is_empty() => {
                let i = rng.below(items.len());
                let copy = items[i].clone();
                items.push(copy);
            }
            _ => *node = other,
        },
        _ => {
            // Wrap or unwrap: a spec inside a template, a template's spec out of it.
            if let Value::Object(map) = node {
                if let Some(spec) = map.get("spec").cloned() {
                    map.insert("template".into(), serde_json::json!({"spec": spec}));
                } else if let Some(template) = map.remove("template") {
                    map.insert("spec".into(), template);
                }
            }
        }
    }
}

/// Changes what the request says it is: its kind, operation, subresource or old object.
fn edit_request(root: &mut Value, rng: &mut Rng) {
    let Some(request) = root.get_mut("request").and_then(Value::as_object_mut) else {
        return;
    };
    match rng.below(4) {
        0 => {
            let kinds = [
                "Pod",
                "Deployment",
                "ReplicaSet",
                "StatefulSet",
                "DaemonSet",
                "ReplicationController",
                "Job",
                "CronJob",
                "ConfigMap",
                "pod",
                "",
            ];
            if let Some(kind) = request.get_mut("kind").and_then(Value::as_object_mut) {
                kind.insert("kind".into(), Value::from(*rng.pick(&kinds)));
            }
        }
        1 => {
            let operations = ["CREATE", "UPDATE", "DELETE", "CONNECT", "create", ""];
            request.insert("operation".into(), Value::from(*rng.pick(&operations)));
        }
        2 => {
            let subresources = [
                "",
                "ephemeralcontainers",
                "status",
                "scale",
                "binding",
                "EphemeralContainers",
            ];
            request.insert("subResource".into(), Value::from(*rng.pick(&subresources)));
        }
        _ => {
            if let Some(object) = request.get("object").cloned() {
                request.insert("oldObject".into(), object);
            }
        }
    }
}

/// The mutation of `data` (a JSON document), or `None` when it is not JSON or the result would exceed
/// `max_size`: the caller then falls back to libFuzzer's mutations.
pub fn mutate_json(data: &[u8], max_size: usize, seed: u32) -> Option<Vec<u8>> {
    let mut rng = Rng::new(seed);
    if rng.chance(10) {
        return None;
    }
    let mut value: Value = serde_json::from_slice(data).ok()?;
    for _ in 0..=rng.below(3) {
        mutate_once(&mut value, &mut rng);
    }
    let mut count = Vec::new();
    nodes(&value, &mut Vec::new(), &mut count);
    let text = write(&value, &mut rng, count.len());
    (text.len() <= max_size).then(|| text.into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mutations_are_deterministic_and_mostly_json() {
        let seed = br#"{"request": {"kind": {"kind": "Pod"}, "operation": "CREATE",
            "object": {"kind": "Pod", "spec": {"containers": [{"name": "a", "securityContext": {"privileged": false}}]}}},
            "settings": {"profile": "restricted"}}"#;
        let mut parsed = 0;
        let mut duplicates = 0;
        for s in 0..500 {
            let a = mutate_json(seed, 1 << 20, s);
            assert_eq!(a, mutate_json(seed, 1 << 20, s));
            if let Some(text) = a {
                if serde_json::from_slice::<Value>(&text).is_ok() {
                    parsed += 1;
                }
                let text = String::from_utf8(text).unwrap();
                if text.matches("\"privileged\"").count() > 1
                    || text.matches("\"kind\"").count() > 3
                {
                    duplicates += 1;
                }
            }
        }
        assert!(parsed > 300, "{parsed}");
        assert!(duplicates > 10, "{duplicates}");
    }
}
