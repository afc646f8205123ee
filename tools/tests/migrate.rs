//! `psp-migrate`: PodSecurityPolicies in, ClusterAdmissionPolicies out, with the same meaning.

mod common;

use common::*;
use psp_tools::crd::validate_manifest;
use psp_tools::metadata::parse_metadata;
use serde_json::{json, Value};

const MIGRATE: &str = env!("CARGO_BIN_EXE_psp-migrate");

const PSPS: [&str; 4] = [
    "examples/psp/sensitive-ai-data.yaml",
    "examples/psp/restricted.yaml",
    "examples/psp/privileged.yaml",
    "examples/psp/kubectl-get-psp.yaml",
];

/// Runs psp-migrate with `args`, checking each output with the module and the CRD as it goes
/// (with the module alone where the CRD is missing and may be skipped), and returns the manifests
/// it wrote.
fn migrate(args: &[&str], stdin: Option<&str>) -> (Vec<Value>, String) {
    let policy = psp_host::wasm_path();
    let crd = cluster_admission_policy_crd_path(&format!(
        "psp-migrate {args:?}: the CRD check of its output (--crd)"
    ));
    let mut all = vec!["--check", policy.to_str().unwrap()];
    if let Some(crd) = &crd {
        all.extend(["--crd", crd.to_str().unwrap()]);
    }
    all.extend_from_slice(args);
    let output = run_tool_with_input(MIGRATE, &all, stdin);
    assert!(output.status.success(), "{args:?}: {}", stderr(&output));
    (yaml_documents(&stdout(&output)), stderr(&output))
}

/// What a PSP means as settings: its spec, plus its seccomp/AppArmor annotations.
fn expected_settings(psp: &Value) -> Value {
    let mut settings = psp["spec"].clone();
    let profile_annotations: serde_json::Map<String, Value> = psp["metadata"]["annotations"]
        .as_object()
        .map(|annotations| {
            annotations
                .iter()
                .filter(|(k, _)| {
                    k.starts_with("seccomp.security.alpha.kubernetes.io/")
                        || k.starts_with("apparmor.security.beta.kubernetes.io/")
                })
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect()
        })
        .unwrap_or_default();
    if !profile_annotations.is_empty() {
        settings["annotations"] = Value::Object(profile_annotations);
    }
    settings
}

fn psps_of(path: &str) -> Vec<Value> {
    let docs = yaml_documents(&read_text(path));
    docs.into_iter()
        .flat_map(|doc| match doc["kind"].as_str() {
            Some("List") => doc["items"].as_array().cloned().unwrap_or_default(),
            _ => vec![doc],
        })
        .collect()
}

#[test]
fn every_example_psp_becomes_a_valid_policy_with_the_same_settings() {
    let metadata = parse_metadata(&read_text("metadata.yml")).unwrap().metadata;
    let rules = serde_json::to_value(&metadata.rules).unwrap();
    let crds = cluster_admission_policy_crd(
        "every_example_psp_becomes_a_valid_policy_with_the_same_settings: 5 policies against the CRD",
    );
    let mut total = 0;
    for path in PSPS {
        let (policies, _) = migrate(&["--separate", path], None);
        let psps = psps_of(path);
        assert_eq!(policies.len(), psps.len(), "{path}: one policy per PSP");
        for (policy, psp) in policies.iter().zip(&psps) {
            let name = psp["metadata"]["name"].as_str().unwrap();
            assert_eq!(policy["apiVersion"], "policies.kubewarden.io/v1");
            assert_eq!(policy["kind"], "ClusterAdmissionPolicy");
            assert_eq!(policy["metadata"]["name"], json!(format!("psp-{name}")));
            assert_eq!(
                policy["spec"]["module"],
                json!(metadata.module_reference().unwrap())
            );
            assert_eq!(policy["spec"]["rules"], rules);
            assert_eq!(policy["spec"]["mutating"], json!(true));
            assert_eq!(policy["spec"]["backgroundAudit"], json!(true));
            assert_eq!(policy["spec"]["settings"], expected_settings(psp), "{name}");
            // Checked here too, not only by --check / --crd.
            let answer = host()
                .validate_settings(&policy["spec"]["settings"])
                .unwrap();
            assert!(answer.valid, "{name}: {:?}", answer.message);
            if let Some(crds) = &crds {
                validate_manifest(policy, crds).unwrap_or_else(|e| panic!("{name}: {e:#}"));
            }
            total += 1;
        }
    }
    assert_eq!(total, 5);
}

#[test]
fn the_sensitive_ai_data_psp_keeps_its_meaning() {
    let (policies, notes) = migrate(&["examples/psp/sensitive-ai-data.yaml"], None);
    let [policy] = policies.as_slice() else {
        panic!("one policy: {policies:?}");
    };
    let settings = &policy["spec"]["settings"];
    assert_eq!(
        settings,
        &json!({
            "privileged": false,
            "allowPrivilegeEscalation": false,
            "runAsUser": {"rule": "MustRunAsNonRoot"},
            "seLinux": {"rule": "RunAsAny"},
            "supplementalGroups": {"rule": "RunAsAny"},
            "fsGroup": {"rule": "RunAsAny"},
            "volumes": ["configMap", "emptyDir", "projected", "secret", "downwardAPI",
                        "persistentVolumeClaim"],
            "readOnlyRootFilesystem": true,
            "allowedHostPaths": [{"pathPrefix": "/data/ai", "readOnly": true}]
        })
    );
    // The same settings as the bundled example settings file.
    assert_eq!(
        settings,
        &read_yaml("examples/settings/ai-data-security.yml")
    );
    // The PSP's oddity is pointed out, not silently fixed.
    assert!(notes.contains("host paths stay forbidden"), "{notes}");
    let text = stdout(&run_tool(MIGRATE, &["examples/psp/sensitive-ai-data.yaml"]));
    assert!(text.contains("# NOTE: PodSecurityPolicy \"sensitive-ai-data\" lists allowedHostPaths"));

    let review = |pod: Value| {
        host()
            .validate(&psp_host::request("Pod", "CREATE", pod), settings)
            .unwrap()
    };
    assert!(review(compliant_pod()).accepted);
    assert!(!review(privileged_pod()).accepted);
    let mut root = compliant_pod();
    root["spec"]["containers"][0]["securityContext"] = json!({"runAsUser": 0});
    assert!(!review(root).accepted, "MustRunAsNonRoot");
    let mut host_path = compliant_pod();
    host_path["spec"]["volumes"] = json!([{"name": "m", "hostPath": {"path": "/data/ai/m"}}]);
    host_path["spec"]["containers"][0]["volumeMounts"] =
        json!([{"name": "m", "mountPath": "/m", "readOnly": true}]);
    assert!(
        !review(host_path).accepted,
        "hostPath is not among the PSP's volumes"
    );
}

#[test]
fn kubectl_get_psp_output_is_read_from_standard_input() {
    let list = read_text("examples/psp/kubectl-get-psp.yaml");
    let (policies, _) = migrate(&["--separate", "-"], Some(&list));
    let names: Vec<&str> = policies
        .iter()
        .map(|p| p["metadata"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["psp-ingress-controller", "psp-storage-node"]);
    // Server-side metadata and unrelated annotations are left behind.
    let ingress = &policies[0]["spec"]["settings"];
    assert_eq!(
        ingress["annotations"],
        json!({
            "seccomp.security.alpha.kubernetes.io/allowedProfileNames": "runtime/default,localhost/ingress",
            "seccomp.security.alpha.kubernetes.io/defaultProfileName": "runtime/default"
        })
    );
    assert_eq!(
        policies[1]["spec"]["settings"]["seLinux"]["seLinuxOptions"]["type"],
        "storage_t"
    );
}

#[test]
fn several_files_make_one_stream_and_options_apply_to_all() {
    let dir = TempDir::new("migrate-out");
    let out = dir.join("policies.yaml");
    let out_str = out.to_str().unwrap();
    let (stdout_docs, _) = migrate(
        &[
            "--separate",
            "--validate-only",
            "--name-prefix",
            "legacy-",
            "--module",
            "registry://registry.example.com/psp:v0.1.0",
            "-o",
            out_str,
            "examples/psp/restricted.yaml",
            "examples/psp/privileged.yaml",
        ],
        None,
    );
    assert!(stdout_docs.is_empty(), "written to the file, not stdout");
    let policies = yaml_documents(&std::fs::read_to_string(&out).unwrap());
    assert_eq!(policies.len(), 2);
    for policy in &policies {
        assert!(policy["metadata"]["name"]
            .as_str()
            .unwrap()
            .starts_with("legacy-"));
        assert_eq!(
            policy["spec"]["module"],
            "registry://registry.example.com/psp:v0.1.0"
        );
        assert_eq!(policy["spec"]["mutating"], json!(false));
        assert_eq!(policy["spec"]["settings"]["mutating"], json!(false));
    }
}

#[test]
fn input_that_is_not_a_psp_is_refused_with_a_clear_message() {
    let dir = TempDir::new("migrate-bad");
    let deployment = dir.join("deployment.yaml");
    std::fs::write(
        &deployment,
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec: {}\n",
    )
    .unwrap();
    let mixed = dir.join("mixed.yaml");
    std::fs::write(
        &mixed,
        format!(
            "{}---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n",
            read_text("examples/psp/restricted.yaml")
        ),
    )
    .unwrap();
    let broken = dir.join("broken.yaml");
    std::fs::write(&broken, "kind: [").unwrap();
    let invalid = dir.join("invalid.yaml");
    std::fs::write(
        &invalid,
        "apiVersion: policy/v1beta1\nkind: PodSecurityPolicy\nmetadata: {name: typo}\n\
         spec: {privilegd: false, runAsUser: {rule: RunAsAny}, seLinux: {rule: RunAsAny},\n\
         supplementalGroups: {rule: RunAsAny}, fsGroup: {rule: RunAsAny}}\n",
    )
    .unwrap();
    let policy = psp_host::wasm_path();
    let policy = policy.to_str().unwrap();
    let (deployment, mixed, broken, invalid) = (
        deployment.to_str().unwrap(),
        mixed.to_str().unwrap(),
        broken.to_str().unwrap(),
        invalid.to_str().unwrap(),
    );
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec![deployment],
            "document 1: Deployment \"web\" (apps/v1) is not a PodSecurityPolicy",
        ),
        (
            vec![mixed],
            "document 2: ConfigMap \"settings\" (v1) is not a PodSecurityPolicy",
        ),
        (
            vec!["examples/requests/privileged-pod.json"],
            "is not a PodSecurityPolicy",
        ),
        (vec![broken], "not valid YAML or JSON"),
        (vec!["missing.yaml"], "cannot read missing.yaml"),
        (vec![], "give the PodSecurityPolicy files"),
        (
            vec![
                "examples/psp/restricted.yaml",
                "examples/psp/restricted.yaml",
            ],
            "appears twice",
        ),
        (vec!["--check", policy, invalid], "privilegd"),
        (
            vec!["--module", "", "examples/psp/restricted.yaml"],
            "--module must not be empty",
        ),
    ];
    for (args, needle) in cases {
        assert_fails_with(&run_tool(MIGRATE, &args), needle);
    }
    let empty = run_tool_with_input(MIGRATE, &["-"], Some(""));
    assert_fails_with(&empty, "no PodSecurityPolicy found");
}
