//! `psp-migrate` on the example cluster of examples/psp/: its PodSecurityPolicies
//! (cluster-psps.yaml) and its RBAC (cluster-rbac.yaml) become one ClusterAdmissionPolicy.

mod common;

use common::*;
use psp_tools::crd::validate_manifest;
use serde_json::{json, Value};

const MIGRATE: &str = env!("CARGO_BIN_EXE_psp-migrate");

/// Runs psp-migrate; on success returns its standard output and its notes (standard error, one
/// per line, without their prefix).
fn run(args: &[&str]) -> (String, Vec<String>) {
    let output = run_tool(MIGRATE, args);
    assert!(output.status.success(), "{args:?}: {}", stderr(&output));
    let notes = stderr(&output)
        .lines()
        .map(|line| {
            line.strip_prefix("psp-migrate: note: ")
                .unwrap_or(line)
                .to_string()
        })
        .collect();
    (stdout(&output), notes)
}

/// The example cluster: restricted for every authenticated user, privileged for kube-system's
/// service accounts in kube-system, flannel's PSP for flannel's service account.
#[test]
fn the_example_cluster_migrates_to_one_policy() {
    let crds = cluster_admission_policy_crd(
        "the_example_cluster_migrates_to_one_policy: the combined policies against the CRD",
    );
    let psps = psps_of("examples/psp/cluster-psps.yaml");
    let (rbac_text, rbac_notes) = run(&["examples/psp/cluster-psps.yaml"]);
    let (subjects_text, subjects_notes) = run(&[
        "--subjects-from",
        "examples/psp/cluster-rbac.yaml",
        "examples/psp/cluster-psps.yaml",
    ]);
    assert!(rbac_notes.is_empty(), "{rbac_notes:?}");
    assert_eq!(
        subjects_notes,
        ["ClusterRoleBinding \"cluster-admin\" (ClusterRole \"cluster-admin\") grants use of every \
          PodSecurityPolicy (a rule without resourceNames) to group \"system:masters\", so they may \
          use the privileged ones: \"privileged\" (privileged containers, hostPID, hostIPC, \
          hostNetwork, host ports, hostPath volumes, every capability), \"psp.flannel.unprivileged\" \
          (hostNetwork, host ports, hostPath volumes, capabilities NET_ADMIN, NET_RAW)"]
    );
    let expected_subjects = [
        json!({"groups": ["system:masters"],
               "byNamespace": {"kube-system": {"groups": ["system:serviceaccounts:kube-system"]}}}),
        json!({"groups": ["system:masters"], "serviceAccounts": ["kube-flannel:flannel"]}),
        json!({"groups": ["system:authenticated", "system:masters"]}),
    ];
    for (text, authorization) in [(&rbac_text, "rbac"), (&subjects_text, "subjects")] {
        let documents = yaml_documents(text);
        let [policy] = documents.as_slice() else {
            panic!("one policy: {text}");
        };
        assert_eq!(policy["metadata"]["name"], "psp-policies");
        assert_eq!(policy["spec"]["mutating"], true);
        let settings = &policy["spec"]["settings"];
        assert_eq!(
            settings.as_object().unwrap().keys().collect::<Vec<_>>(),
            ["authorization", "policies"]
        );
        assert_eq!(settings["authorization"], authorization);
        let entries = settings["policies"].as_array().unwrap();
        let names: Vec<&str> = entries
            .iter()
            .map(|e| e["name"].as_str().unwrap())
            .collect();
        assert_eq!(
            names,
            ["privileged", "psp.flannel.unprivileged", "restricted"]
        );
        for (i, entry) in entries.iter().enumerate() {
            let name = names[i];
            let psp = psps.iter().find(|p| p["metadata"]["name"] == name).unwrap();
            assert_eq!(entry["spec"], psp["spec"], "{name}");
            // Each entry's spec and annotations are valid settings of the module on their own.
            let mut single = entry["spec"].clone();
            if let Some(annotations) = entry.get("annotations") {
                single["annotations"] = annotations.clone();
            }
            let answer = host().validate_settings(&single).unwrap();
            assert!(answer.valid, "{name}: {:?}", answer.message);
            if authorization == "subjects" {
                assert_eq!(entry["subjects"], expected_subjects[i], "{name}");
            } else {
                assert!(entry.get("subjects").is_none(), "{name}");
            }
        }
        // Only the seccomp/AppArmor annotations come along.
        assert_eq!(
            entries[1]["annotations"],
            json!({
                "apparmor.security.beta.kubernetes.io/allowedProfileNames": "runtime/default",
                "apparmor.security.beta.kubernetes.io/defaultProfileName": "runtime/default",
                "seccomp.security.alpha.kubernetes.io/allowedProfileNames": "docker/default,runtime/default",
                "seccomp.security.alpha.kubernetes.io/defaultProfileName": "runtime/default"
            })
        );
        if let Some(crds) = &crds {
            validate_manifest(policy, crds).unwrap_or_else(|e| panic!("{authorization}: {e:#}"));
        }
    }
    // psp-migrate's own --crd check agrees.
    if let Some(crd) =
        cluster_admission_policy_crd_path("the_example_cluster_migrates_to_one_policy: --crd")
    {
        let (checked, _) = run(&[
            "--crd",
            crd.to_str().unwrap(),
            "--subjects-from",
            "examples/psp/cluster-rbac.yaml",
            "examples/psp/cluster-psps.yaml",
        ]);
        assert_eq!(checked, subjects_text);
    }
}

fn psps_of(path: &str) -> Vec<Value> {
    yaml_documents(&read_text(path))
        .into_iter()
        .flat_map(|doc| doc["items"].as_array().cloned().unwrap_or_default())
        .collect()
}

/// The end-to-end tests (e2e-tests/tests/several_psps) check that the example cluster, migrated,
/// decides as PSP did; they read psp-migrate's output from these fixtures, which must stay what
/// psp-migrate writes.
#[test]
fn the_end_to_end_fixtures_are_psp_migrates_output() {
    let (rbac, _) = run(&["examples/psp/cluster-psps.yaml"]);
    let (subjects, _) = run(&[
        "--subjects-from",
        "examples/psp/cluster-rbac.yaml",
        "examples/psp/cluster-psps.yaml",
    ]);
    for (output, fixture) in [
        (rbac, "e2e-tests/fixtures/several/psp-migrate-rbac.yaml"),
        (
            subjects,
            "e2e-tests/fixtures/several/psp-migrate-subjects.yaml",
        ),
    ] {
        assert_eq!(
            output,
            read_text(fixture),
            "{fixture}: regenerate it with psp-migrate (see the test for the arguments)"
        );
    }
}
