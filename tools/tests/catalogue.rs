//! metadata.yml, artifacthub-pkg.yml and questions-ui.yml: what they say, and that they agree
//! with each other and with the built module.

mod common;

use common::*;
use psp_tools::artifacthub::{artifacthub_pkg, is_rfc3339};
use psp_tools::metadata::parse_metadata;
use serde_json::{json, Value};
use std::collections::BTreeSet;

fn metadata() -> psp_tools::metadata::MetadataDocument {
    parse_metadata(&read_text("metadata.yml")).unwrap_or_else(|e| panic!("{e:#}"))
}

/// The `version` of the root package (Cargo.toml's first `version = "..."`).
fn crate_version() -> String {
    let manifest = read_text("Cargo.toml");
    let package = manifest
        .split("\n[")
        .find(|section| section.starts_with("[package]") || section.starts_with("package]"))
        .expect("a [package] section");
    package
        .lines()
        .find_map(|line| {
            let (key, value) = line.split_once('=')?;
            (key.trim() == "version").then(|| value.trim().trim_matches('"').to_string())
        })
        .expect("a package version")
}

#[test]
fn metadata_covers_every_resource_the_policy_handles() {
    let doc = metadata();
    let rules = serde_json::to_value(&doc.metadata.rules).unwrap();
    assert_eq!(
        rules,
        json!([
            {"apiGroups": [""], "apiVersions": ["v1"],
             "resources": ["pods", "pods/ephemeralcontainers", "replicationcontrollers"],
             "operations": ["CREATE", "UPDATE"]},
            {"apiGroups": ["apps"], "apiVersions": ["v1"],
             "resources": ["deployments", "replicasets", "statefulsets", "daemonsets"],
             "operations": ["CREATE", "UPDATE"]},
            {"apiGroups": ["batch"], "apiVersions": ["v1"],
             "resources": ["jobs", "cronjobs"],
             "operations": ["CREATE", "UPDATE"]}
        ])
    );
    assert!(doc.metadata.mutating);
    assert_eq!(doc.metadata.background_audit, Some(true));
    assert_eq!(
        doc.metadata.execution_mode.as_deref(),
        Some("kubewarden-wapc")
    );
    assert_eq!(doc.metadata.context_aware_resources, Some(vec![]));
    assert_eq!(
        doc.metadata.host_capabilities,
        Some(vec!["kubernetes/can_i".to_string()])
    );
    assert_eq!(doc.metadata.protocol_version, None, "annotate adds it");
}

#[test]
fn metadata_annotations_describe_the_policy() {
    let doc = metadata();
    let version = crate_version();
    let oci = "ghcr.io/kubewarden-community/policies/pod-security-policy";
    let source = "https://github.com/kubewarden-community/pod-security-policy";
    let expected = [
        ("io.kubewarden.policy.title", "pod-security-policy"),
        ("io.kubewarden.policy.version", version.as_str()),
        ("io.kubewarden.policy.url", source),
        ("io.kubewarden.policy.source", source),
        ("io.kubewarden.policy.ociUrl", oci),
        ("io.kubewarden.policy.license", "Apache-2.0"),
        ("io.kubewarden.policy.category", "PSP"),
        ("io.kubewarden.policy.severity", "high"),
        ("io.artifacthub.displayName", "Pod Security Policy"),
        (
            "io.artifacthub.resources",
            "Pod, ReplicationController, Deployment, ReplicaSet, StatefulSet, DaemonSet, Job, CronJob",
        ),
    ];
    for (key, value) in expected {
        assert_eq!(doc.metadata.annotation(key), Some(value), "{key}");
    }
    for key in [
        "io.kubewarden.policy.description",
        "io.kubewarden.policy.author",
        "io.artifacthub.keywords",
    ] {
        let value = doc.metadata.annotation(key).unwrap_or_default();
        assert!(!value.trim().is_empty() && !value.contains('\n'), "{key}");
    }
    let keywords = doc.metadata.annotation("io.artifacthub.keywords").unwrap();
    assert!(keywords.split(',').any(|k| k.trim() == "psp"), "{keywords}");
    assert_eq!(
        doc.metadata.module_reference().unwrap(),
        format!("registry://{oci}:v{version}")
    );
    // Every annotation key is one of Kubewarden's or Artifact Hub's.
    for key in doc.metadata.annotations.as_ref().unwrap().keys() {
        assert!(
            key.starts_with("io.kubewarden.policy.") || key.starts_with("io.artifacthub."),
            "{key}"
        );
    }
}

#[test]
fn artifacthub_pkg_is_what_scaffold_writes_from_metadata_and_questions() {
    let file = read_yaml("artifacthub-pkg.yml");
    let created_at = file["createdAt"].as_str().expect("createdAt");
    assert!(is_rfc3339(created_at), "{created_at}");
    let questions = read_text("questions-ui.yml");
    let expected = artifacthub_pkg(&metadata().metadata, Some(&questions), created_at)
        .unwrap_or_else(|e| panic!("{e:#}"));
    let expected = serde_json::to_value(expected).unwrap();
    // Compared as data: whatever the YAML formatting, every field must be what it is derived to be.
    assert_eq!(
        file, expected,
        "artifacthub-pkg.yml is stale: regenerate it with `make artifacthub-pkg.yml`"
    );
    // Spelled out: what Artifact Hub and the Rancher UI read.
    assert_eq!(file["version"], json!(crate_version()));
    assert_eq!(file["annotations"]["kubewarden/mutation"], json!("true"));
    assert_eq!(
        file["annotations"]["kubewarden/questions-ui"],
        json!(questions)
    );
    let rules: Value =
        serde_yaml::from_str(file["annotations"]["kubewarden/rules"].as_str().unwrap()).unwrap();
    assert_eq!(rules, read_yaml("metadata.yml")["rules"]);
    assert_eq!(
        file["containersImages"][0]["image"],
        json!(format!(
            "ghcr.io/kubewarden-community/policies/pod-security-policy:v{}",
            crate_version()
        ))
    );
}

// ------------------------------------------------------------------------------------------------
// questions-ui.yml against the settings the module accepts

/// A step of a settings path: a key, or "an item of the list".
#[derive(Clone, Debug)]
enum Step {
    Key(String),
    Item,
}

/// `leaf` wrapped at `path`: `[Key(a), Item, Key(b)]` → `{"a": [{"b": leaf}]}`.
fn wrap(path: &[Step], leaf: Value) -> Value {
    path.iter().rev().fold(leaf, |inner, step| match step {
        Step::Key(key) => json!({ key: inner }),
        Step::Item => json!([inner]),
    })
}

fn dotted(path: &[Step]) -> String {
    let mut out = String::new();
    for step in path {
        match step {
            Step::Key(key) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(key);
            }
            Step::Item => out.push_str("[]"),
        }
    }
    out
}

const PROBE: &str = "__probe__";

/// The field names the module's settings parser lists when it meets an unknown field at `path`
/// (serde's `unknown field ..., expected one of ...`), or None when `path` is not a struct.
fn fields_at(path: &[Step]) -> Option<Vec<String>> {
    let settings = wrap(path, json!({ PROBE: 1 }));
    let answer = host().validate_settings(&settings).unwrap();
    assert!(
        !answer.valid,
        "{settings}: an unknown field must be refused"
    );
    let message = answer.message();
    if !message.contains(&format!("unknown field `{PROBE}`")) {
        return None;
    }
    let listed = message
        .split_once(", expected")
        .map(|(_, rest)| rest)
        .unwrap_or("");
    if listed.contains("there are no fields") {
        return Some(vec![]);
    }
    Some(
        listed
            .split('`')
            .skip(1)
            .step_by(2)
            .map(str::to_string)
            .collect(),
    )
}

/// True when the module refuses an object at `path` because it wants a list there.
fn wants_a_list(path: &[Step]) -> bool {
    let answer = host()
        .validate_settings(&wrap(path, json!({ PROBE: 1 })))
        .unwrap();
    answer.message().contains("expected a sequence")
}

/// Every settings path the module accepts, found by asking it: `runAsUser`, `runAsUser.rule`,
/// `runAsUser.ranges`, `runAsUser.ranges[].min`, ...
fn settings_paths(path: &mut Vec<Step>, out: &mut BTreeSet<String>) {
    let Some(fields) = fields_at(path) else {
        return;
    };
    for field in fields {
        path.push(Step::Key(field));
        out.insert(dotted(path));
        if fields_at(path).is_some() {
            settings_paths(path, out);
        } else if wants_a_list(path) {
            path.push(Step::Item);
            if fields_at(path).is_some() {
                settings_paths(path, out);
            }
            path.pop();
        }
        path.pop();
    }
}

/// Every settings path questions-ui.yml asks for. Rancher's conventions: `subquestions` carry
/// full dotted variables, `sequence_questions` variables relative to one item of the list.
fn question_paths(questions: &[Value], prefix: &str, out: &mut Vec<String>) {
    for question in questions {
        let variable = question["variable"]
            .as_str()
            .unwrap_or_else(|| panic!("a question without variable: {question}"));
        let path = if prefix.is_empty() || !prefix.ends_with("[]") {
            variable.to_string()
        } else {
            format!("{prefix}.{variable}")
        };
        out.push(path.clone());
        let kind = question["type"].as_str().unwrap_or("");
        if let Some(sub) = question["subquestions"].as_array() {
            assert_eq!(
                kind, "map[",
                "{path}: subquestions belong to a map[ question"
            );
            for s in sub {
                let v = s["variable"].as_str().unwrap_or("");
                assert!(
                    v.starts_with(&format!("{path}.")),
                    "{path}: subquestion {v} must be spelled {path}.<field>"
                );
            }
            question_paths(sub, &path, out);
        }
        if let Some(seq) = question["sequence_questions"].as_array() {
            assert_eq!(
                kind, "sequence[",
                "{path}: sequence_questions belong to a sequence[ question"
            );
            question_paths(seq, &format!("{path}[]"), out);
        }
    }
}

#[test]
fn questions_ui_asks_for_every_settings_key_and_only_those() {
    let mut module_paths = BTreeSet::new();
    settings_paths(&mut Vec::new(), &mut module_paths);
    // The discovery itself works: the well-known keys are found, nested ones too.
    for known in [
        "privileged",
        "runAsUser.ranges[].max",
        "seLinux.seLinuxOptions.type",
        "hostPorts[].min",
        "allowedHostPaths[].readOnly",
        "podSecurityStandard.level",
        "exemptions.runtimeClasses",
        "mutating",
        "annotations",
    ] {
        assert!(
            module_paths.contains(known),
            "{known} not found in {module_paths:?}"
        );
    }

    // The form with several PodSecurityPolicies (`policies`, `authorization`) is written by
    // psp-migrate or by hand, not through the questions UI, which configures one PodSecurityPolicy.
    for several in [
        "authorization",
        "policies",
        "policies[].spec.runAsUser.rule",
    ] {
        assert!(
            module_paths.contains(several),
            "{several} not found in {module_paths:?}"
        );
    }
    module_paths.retain(|path| path != "authorization" && !path.starts_with("policies"));

    let questions = read_yaml("questions-ui.yml");
    let list = questions["questions"].as_array().expect("questions: [...]");
    let mut asked = Vec::new();
    question_paths(list, "", &mut asked);
    let asked_set: BTreeSet<String> = asked.iter().cloned().collect();
    assert_eq!(
        asked.len(),
        asked_set.len(),
        "a variable is asked twice: {asked:?}"
    );

    let missing: Vec<_> = module_paths.difference(&asked_set).collect();
    let unknown: Vec<_> = asked_set.difference(&module_paths).collect();
    assert!(
        missing.is_empty(),
        "questions-ui.yml does not ask for {missing:?}"
    );
    assert!(
        unknown.is_empty(),
        "questions-ui.yml asks for keys the module refuses: {unknown:?}"
    );
}

#[test]
fn questions_ui_is_well_formed() {
    fn check(questions: &[Value], out: &mut usize) {
        for q in questions {
            *out += 1;
            let variable = q["variable"].as_str().unwrap();
            for key in ["label", "group", "type"] {
                assert!(q[key].is_string(), "{variable}: {key}");
            }
            let kind = q["type"].as_str().unwrap();
            assert!(
                [
                    "boolean",
                    "string",
                    "int",
                    "enum",
                    "array[",
                    "map[",
                    "sequence["
                ]
                .contains(&kind),
                "{variable}: type {kind}"
            );
            if kind == "enum" {
                let options: Vec<&str> = q["options"]
                    .as_array()
                    .unwrap_or_else(|| panic!("{variable}: enum without options"))
                    .iter()
                    .map(|o| o.as_str().unwrap())
                    .collect();
                if let Some(default) = q["default"].as_str() {
                    assert!(options.contains(&default), "{variable}: default {default}");
                }
            }
            assert!(
                q["tooltip"].is_string() || q["description"].is_string() || q["label"].is_string(),
                "{variable}"
            );
            for nested in ["subquestions", "sequence_questions"] {
                if let Some(list) = q[nested].as_array() {
                    check(list, out);
                }
            }
        }
    }
    let questions = read_yaml("questions-ui.yml");
    let mut count = 0;
    check(questions["questions"].as_array().unwrap(), &mut count);
    assert!(count > 50, "{count}");

    // The form's only preset default, the restricted profile, is valid settings on its own.
    let answer = host()
        .validate_settings(&json!({"profile": "restricted", "mutating": true}))
        .unwrap();
    assert!(answer.valid, "{:?}", answer.message);
}
