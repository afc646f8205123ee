//! examples/policies/: ClusterAdmissionPolicy (and AdmissionPolicy) manifests that use this
//! module. Each one satisfies its Kubewarden CRD's schema, runs this release with metadata.yml's
//! rules, and has settings the built module accepts, meaning what the manifest says.

mod common;

use common::*;
use psp_tools::crd::validate_manifest;
use psp_tools::metadata::parse_metadata;
use psp_tools::migrate::settings_of;
use serde_json::{json, Value};

const EXAMPLES: [&str; 5] = [
    "examples/policies/ai-data-security.yaml",
    "examples/policies/ai-data-security-validate-only.yaml",
    "examples/policies/ai-data-security-namespaced.yaml",
    "examples/policies/restricted.yaml",
    "examples/policies/psp-restricted.yaml",
];

fn manifest(path: &str) -> Value {
    let docs = yaml_documents(&read_text(path));
    assert_eq!(docs.len(), 1, "{path}: one manifest per file");
    docs.into_iter().next().unwrap()
}

fn review(settings: &Value, pod: Value) -> psp_host::ValidationResponse {
    host()
        .validate(&psp_host::request("Pod", "CREATE", pod), settings)
        .unwrap_or_else(|e| panic!("{e:#}"))
}

#[test]
fn every_example_is_listed_here() {
    let mut found: Vec<String> = std::fs::read_dir(workspace().join("examples/policies"))
        .unwrap()
        .map(|entry| {
            format!(
                "examples/policies/{}",
                entry.unwrap().file_name().to_string_lossy()
            )
        })
        .collect();
    found.sort();
    let mut listed: Vec<String> = EXAMPLES.iter().map(|s| s.to_string()).collect();
    listed.sort();
    assert_eq!(found, listed);
}

#[test]
fn every_example_satisfies_the_crd_schema() {
    let skipped = format!(
        "every_example_satisfies_the_crd_schema: {} example manifests against the CRDs",
        EXAMPLES.len()
    );
    let Some(crds) = kubewarden_crds(&skipped) else {
        return;
    };
    for path in EXAMPLES {
        validate_manifest(&manifest(path), &crds).unwrap_or_else(|e| panic!("{path}: {e:#}"));
    }
}

#[test]
fn the_crd_check_catches_broken_manifests() {
    let good = manifest(EXAMPLES[0]);
    let mut cases = Vec::new();
    let mut missing_module = good.clone();
    missing_module["spec"]
        .as_object_mut()
        .unwrap()
        .remove("module");
    cases.push((missing_module, "\"module\" is a required property"));
    let mut misspelled = good.clone();
    misspelled["spec"]["mutatng"] = json!(true);
    cases.push((misspelled, "mutatng"));
    let mut wrong_type = good.clone();
    wrong_type["spec"]["mutating"] = json!("yes");
    cases.push((wrong_type, "/spec/mutating"));
    let mut bad_rules = good.clone();
    bad_rules["spec"]["rules"][0]["resources"] = json!("pods");
    cases.push((bad_rules, "/spec/rules/0/resources"));
    let mut bad_timeout = good.clone();
    bad_timeout["spec"]["timeoutSeconds"] = json!(60);
    cases.push((bad_timeout, "/spec/timeoutSeconds"));
    let mut bad_version = good;
    bad_version["apiVersion"] = json!("policies.kubewarden.io/v9");
    cases.push((bad_version, "no CRD serves"));
    let skipped = format!(
        "the_crd_check_catches_broken_manifests: {} broken manifests against the CRD",
        cases.len()
    );
    let Some(crds) = cluster_admission_policy_crd(&skipped) else {
        return;
    };
    for (broken, needle) in cases {
        let err = format!("{:#}", validate_manifest(&broken, &crds).unwrap_err());
        assert!(err.contains(needle), "{needle}: {err}");
    }
}

#[test]
fn every_example_runs_this_release_with_the_metadata_rules() {
    let metadata = parse_metadata(&read_text("metadata.yml")).unwrap().metadata;
    let module = metadata.module_reference().unwrap();
    let rules = serde_json::to_value(&metadata.rules).unwrap();
    for path in EXAMPLES {
        let m = manifest(path);
        assert_eq!(m["apiVersion"], "policies.kubewarden.io/v1", "{path}");
        let kind = m["kind"].as_str().unwrap_or_default();
        let namespaced = kind == "AdmissionPolicy";
        assert!(
            namespaced || kind == "ClusterAdmissionPolicy",
            "{path}: {kind}"
        );
        assert_eq!(m["metadata"]["namespace"].is_string(), namespaced, "{path}");
        assert_eq!(m["spec"]["module"], json!(module), "{path}");
        assert_eq!(m["spec"]["rules"], rules, "{path}");
        assert_eq!(m["spec"]["backgroundAudit"], json!(true), "{path}");
        assert_eq!(
            m["metadata"]["annotations"]["io.kubewarden.policy.severity"], "high",
            "{path}"
        );
        // A validate-only deployment is validate-only in both places.
        let settings_mutating = m["spec"]["settings"]
            .get("mutating")
            .cloned()
            .unwrap_or(json!(true));
        assert_eq!(m["spec"]["mutating"], settings_mutating, "{path}");
    }
}

#[test]
fn every_examples_settings_pass_validate_settings_of_the_built_module() {
    for path in EXAMPLES {
        let settings = &manifest(path)["spec"]["settings"];
        let answer = host().validate_settings(settings).unwrap();
        assert!(answer.valid, "{path}: {:?}", answer.message);
    }
}

#[test]
fn the_ai_data_security_policy_admits_compliant_pods_and_rejects_the_rest() {
    let settings = manifest("examples/policies/ai-data-security.yaml")["spec"]["settings"].clone();
    assert_eq!(
        settings,
        json!({"profile": "ai-data-security", "exemptions": {"namespaces": ["kube-system"]}})
    );
    assert!(review(&settings, compliant_pod()).accepted);
    assert!(!review(&settings, privileged_pod()).accepted);

    // hostPath under /data/ai, read-only: allowed by the profile.
    let mut model = compliant_pod();
    model["spec"]["volumes"] = json!([{"name": "models", "hostPath": {"path": "/data/ai/models"}}]);
    model["spec"]["containers"][0]["volumeMounts"] =
        json!([{"name": "models", "mountPath": "/models", "readOnly": true}]);
    let answer = review(&settings, model.clone());
    assert!(answer.accepted, "{:?}", answer.message);
    // Anywhere else on the node: rejected.
    model["spec"]["volumes"][0]["hostPath"]["path"] = json!("/etc");
    assert!(!review(&settings, model).accepted);

    // `kubectl debug`: an ephemeral container added through the pods/ephemeralcontainers
    // subresource (in metadata.yml's rules) is judged like the others.
    let mut debugged = compliant_pod();
    debugged["spec"]["ephemeralContainers"] = json!([{
        "name": "debugger",
        "image": "busybox",
        "securityContext": {"privileged": true}
    }]);
    let request = psp_host::RequestBuilder::new("Pod", "UPDATE", debugged)
        .sub_resource("ephemeralcontainers")
        .old_object(compliant_pod())
        .build();
    let answer = host().validate(&request, &settings).unwrap();
    assert!(!answer.accepted, "{answer:?}");
    assert!(
        answer.message().contains("ephemeralContainers[0]"),
        "{:?}",
        answer.message
    );

    // kube-system is exempt.
    let mut system = privileged_pod();
    system["metadata"]["namespace"] = json!("kube-system");
    assert!(review(&settings, system).accepted);
}

#[test]
fn the_validate_only_policy_rejects_what_the_mutating_one_defaults() {
    let mutating = manifest("examples/policies/ai-data-security.yaml")["spec"]["settings"].clone();
    let validating = manifest("examples/policies/ai-data-security-validate-only.yaml")["spec"]
        ["settings"]
        .clone();
    let mut unset = compliant_pod();
    unset["spec"]["containers"][0]["securityContext"]
        .as_object_mut()
        .unwrap()
        .remove("readOnlyRootFilesystem");
    let defaulted = review(&mutating, unset.clone());
    assert!(defaulted.accepted, "{:?}", defaulted.message);
    assert!(
        defaulted.mutated_object.is_some(),
        "PSP defaults readOnlyRootFilesystem"
    );
    let checked = review(&validating, unset);
    assert!(!checked.accepted);
    assert!(checked.mutated_object.is_none());
    assert!(review(&validating, compliant_pod()).accepted);
}

#[test]
fn the_namespaced_policy_is_the_cluster_policy_for_one_namespace() {
    let namespaced = manifest("examples/policies/ai-data-security-namespaced.yaml");
    let cluster = manifest("examples/policies/ai-data-security.yaml");
    assert_eq!(namespaced["spec"]["module"], cluster["spec"]["module"]);
    assert_eq!(namespaced["spec"]["rules"], cluster["spec"]["rules"]);
    assert_eq!(
        namespaced["spec"]["settings"]["profile"],
        "ai-data-security"
    );
    // The CRD check tells the two kinds apart: a ClusterAdmissionPolicy has no namespace field
    // to match, an AdmissionPolicy has no cluster-only fields.
    let skipped = "the_namespaced_policy_is_the_cluster_policy_for_one_namespace: 2 manifests against the CRDs";
    let Some(crds) = kubewarden_crds(skipped) else {
        return;
    };
    let mut as_cluster = namespaced.clone();
    as_cluster["kind"] = json!("ClusterAdmissionPolicy");
    as_cluster["spec"]["namespaceSelector"] = json!({"matchLabels": {"a": "b"}});
    validate_manifest(&as_cluster, &crds).unwrap();
    let mut as_namespaced = namespaced;
    as_namespaced["spec"]["namespaceSelector"] = json!({"matchLabels": {"a": "b"}});
    let err = format!(
        "{:#}",
        validate_manifest(&as_namespaced, &crds).unwrap_err()
    );
    assert!(err.contains("namespaceSelector"), "{err}");
}

#[test]
fn the_restricted_preset_is_the_pod_security_standard() {
    let settings = manifest("examples/policies/restricted.yaml")["spec"]["settings"].clone();
    assert_eq!(
        settings,
        json!({"podSecurityStandard": {"level": "restricted"}})
    );
    assert!(!review(&settings, privileged_pod()).accepted);
}

#[test]
fn the_pasted_psp_is_the_psp_spec_and_annotations_as_they_are() {
    let settings = manifest("examples/policies/psp-restricted.yaml")["spec"]["settings"].clone();
    let psp = read_yaml("examples/psp/restricted.yaml");
    assert_eq!(
        settings,
        Value::Object(settings_of(&psp, false).unwrap()),
        "examples/policies/psp-restricted.yaml must carry examples/psp/restricted.yaml unchanged"
    );
    assert!(!review(&settings, privileged_pod()).accepted);
}
