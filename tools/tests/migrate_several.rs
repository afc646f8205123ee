//! `psp-migrate` with several PodSecurityPolicies: one ClusterAdmissionPolicy in the `policies`
//! form, `authorization: rbac` by default and `subjects` computed from RBAC with
//! `--subjects-from`; and a single PodSecurityPolicy written exactly as before.
//!
//! The multi-PSP output is checked as text and against the CRD, not with `--check`: the module
//! accepts the `policies` form only once its selection among several PSPs is built.

mod common;

use common::*;
use psp_tools::metadata::parse_metadata;
use serde_json::json;

const MIGRATE: &str = env!("CARGO_BIN_EXE_psp-migrate");
const MODULE: &str = "registry://registry.example.com/psp:v1";

/// `text` with `{module}` and `{rules}` replaced by metadata.yml's module reference and rules,
/// as psp-migrate writes them by default.
fn with_project_defaults(text: &str) -> String {
    let metadata = parse_metadata(&read_text("metadata.yml")).unwrap().metadata;
    let rules = serde_yaml::to_string(&serde_json::to_value(&metadata.rules).unwrap()).unwrap();
    let rules: String = rules.lines().map(|line| format!("\n  {line}")).collect();
    text.replace("{module}", &metadata.module_reference().unwrap())
        .replace(" {rules}", &rules)
}

/// Runs psp-migrate; on success returns its standard output and error.
fn run(args: &[&str], stdin: Option<&str>) -> (String, String) {
    let output = run_tool_with_input(MIGRATE, args, stdin);
    assert!(output.status.success(), "{args:?}: {}", stderr(&output));
    (stdout(&output), stderr(&output))
}

/// The notes psp-migrate printed on standard error, without their prefix.
fn notes(stderr: &str) -> Vec<&str> {
    stderr
        .lines()
        .map(|line| line.strip_prefix("psp-migrate: note: ").unwrap_or(line))
        .collect()
}

#[test]
fn a_single_psp_is_written_exactly_as_before() {
    // tools/tests/golden/ holds what psp-migrate wrote for these inputs before it learnt to
    // combine several PodSecurityPolicies.
    for (args, golden) in [
        (
            &["examples/psp/restricted.yaml"][..],
            "tools/tests/golden/restricted.yaml",
        ),
        (
            &["examples/psp/sensitive-ai-data.yaml"][..],
            "tools/tests/golden/sensitive-ai-data.yaml",
        ),
        (
            &["--separate", "examples/psp/restricted.yaml"][..],
            "tools/tests/golden/restricted.yaml",
        ),
    ] {
        let (text, _) = run(args, None);
        assert_eq!(text, with_project_defaults(&read_text(golden)), "{args:?}");
    }
    // --separate writes several as before, plus a note on what that means.
    let (text, err) = run(&["--separate", "examples/psp/kubectl-get-psp.yaml"], None);
    let note = "--separate: Kubewarden admits a pod only when ALL of these 2 policies accept it, \
                where PSP admitted it when ANY PodSecurityPolicy that the user or the pod's service \
                account may use did (without --separate, one policy selects among them as PSP did)";
    let golden = with_project_defaults(&read_text("tools/tests/golden/kubectl-get-psp.yaml"));
    let (header, rest) = golden.split_once('\n').unwrap();
    assert_eq!(text, format!("{header}\n# NOTE: {note}\n{rest}"));
    assert_eq!(notes(&err), [note]);
}

const TWO_PSPS: &str = "\
apiVersion: policy/v1beta1
kind: PodSecurityPolicy
metadata:
  name: wide
  annotations:
    seccomp.security.alpha.kubernetes.io/allowedProfileNames: '*'
    kubectl.kubernetes.io/last-applied-configuration: '{}'
spec:
  privileged: true
  volumes: ['*']
  runAsUser: {rule: RunAsAny}
  seLinux: {rule: RunAsAny}
  supplementalGroups: {rule: RunAsAny}
  fsGroup: {rule: RunAsAny}
---
apiVersion: policy/v1beta1
kind: PodSecurityPolicy
metadata:
  name: narrow
spec:
  runAsUser: {rule: MustRunAsNonRoot}
  seLinux: {rule: RunAsAny}
  supplementalGroups: {rule: RunAsAny}
  fsGroup: {rule: RunAsAny}
  volumes: [configMap, secret]
";

/// `narrow` for every authenticated user; every PSP (through API group extensions) for kube-system's
/// `cni` service account and the user `admin`, in kube-system.
const TWO_PSPS_RBAC: &str = "\
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: use-narrow}
rules: [{apiGroups: [policy], resources: [podsecuritypolicies], verbs: [use], resourceNames: [narrow]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: everyone}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: use-narrow}
subjects: [{apiGroup: rbac.authorization.k8s.io, kind: Group, name: system:authenticated}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: use-all}
rules: [{apiGroups: [extensions], resources: [podsecuritypolicies], verbs: [use]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: system, namespace: kube-system}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: use-all}
subjects: [{kind: ServiceAccount, name: cni}, {kind: User, name: admin}]
";

const HEADER: &str = "\
# Migrated by psp-migrate from PodSecurityPolicies \"narrow\", \"wide\", in one policy.
# As under PSP, a pod is admitted by the first entry in name order that admits it (one that
# leaves it unchanged first) and that the requesting user or the pod's service account may use:
";

const POLICY_START: &str = "\
apiVersion: policies.kubewarden.io/v1
kind: ClusterAdmissionPolicy
metadata:
  annotations:
    io.kubewarden.policy.category: PSP
    io.kubewarden.policy.severity: high
  name: psp-policies
spec:
  backgroundAudit: true
  module: registry://registry.example.com/psp:v1
  mutating: true
  rules: {rules}
  settings:
";

const NARROW: &str = "    - name: narrow
      spec:
        fsGroup:
          rule: RunAsAny
        runAsUser:
          rule: MustRunAsNonRoot
        seLinux:
          rule: RunAsAny
        supplementalGroups:
          rule: RunAsAny
        volumes:
        - configMap
        - secret
";

const WIDE: &str = "    - name: wide
      annotations:
        seccomp.security.alpha.kubernetes.io/allowedProfileNames: '*'
      spec:
        fsGroup:
          rule: RunAsAny
        privileged: true
        runAsUser:
          rule: RunAsAny
        seLinux:
          rule: RunAsAny
        supplementalGroups:
          rule: RunAsAny
        volumes:
        - '*'
";

#[test]
fn several_psps_become_one_policy_with_authorization_rbac() {
    let (text, err) = run(&["--module", MODULE, "-"], Some(TWO_PSPS));
    let expected = format!(
        "{HEADER}# authorization: rbac asks the cluster's RBAC (keep its grants of `use` on podsecuritypolicies).\n\
         {POLICY_START}    authorization: rbac\n    policies:\n{NARROW}{WIDE}"
    );
    assert_eq!(text, with_project_defaults(&expected));
    assert_eq!(err, "");
}

#[test]
fn subjects_from_rbac_writes_who_may_use_each_psp() {
    let dir = TempDir::new("migrate-several");
    let psps = dir.join("psps.yaml");
    let rbac = dir.join("rbac.yaml");
    std::fs::write(&psps, TWO_PSPS).unwrap();
    std::fs::write(&rbac, TWO_PSPS_RBAC).unwrap();
    let (text, err) = run(
        &[
            "--module",
            MODULE,
            "--subjects-from",
            rbac.to_str().unwrap(),
            psps.to_str().unwrap(),
        ],
        None,
    );
    let note = "RoleBinding \"kube-system/system\" (ClusterRole \"use-all\") grants use of every \
                PodSecurityPolicy (a rule without resourceNames) to user \"admin\", service account \
                \"kube-system:cni\" for pods in namespace \"kube-system\", so they may use the \
                privileged ones: \"wide\" (privileged containers, hostPath volumes)";
    let expected = format!(
        "{HEADER}# authorization: subjects reads each entry's subjects, computed by psp-migrate from the cluster's RBAC.\n\
         # NOTE: {note}\n\
         {POLICY_START}    authorization: subjects\n    policies:\n{NARROW}\
         \x20     subjects:
        groups:
        - system:authenticated
        byNamespace:
          kube-system:
            users:
            - admin
            serviceAccounts:
            - kube-system:cni
{WIDE}\
         \x20     subjects:
        byNamespace:
          kube-system:
            users:
            - admin
            serviceAccounts:
            - kube-system:cni
"
    );
    assert_eq!(text, with_project_defaults(&expected));
    assert_eq!(notes(&err), [note]);

    // The same from one dump of both on standard input (`kubectl get psp,clusterroles,... -o yaml`).
    let dump = format!("{TWO_PSPS}---\n{TWO_PSPS_RBAC}");
    let (from_stdin, _) = run(
        &["--module", MODULE, "--subjects-from", "-", "-"],
        Some(&dump),
    );
    assert_eq!(from_stdin, text);
    // And with the RBAC split over several files.
    let (roles, bindings): (Vec<&str>, Vec<&str>) = TWO_PSPS_RBAC
        .split("---\n")
        .partition(|doc| doc.contains("kind: ClusterRole\n"));
    let roles_file = dir.join("roles.yaml");
    let bindings_file = dir.join("bindings.yaml");
    std::fs::write(&roles_file, roles.join("---\n")).unwrap();
    std::fs::write(&bindings_file, bindings.join("---\n")).unwrap();
    let (split, _) = run(
        &[
            "--module",
            MODULE,
            "--subjects-from",
            roles_file.to_str().unwrap(),
            "--subjects-from",
            bindings_file.to_str().unwrap(),
            psps.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(split, text);
}

/// Every warning --subjects-from gives, on standard error and as comments in the output.
#[test]
fn rbac_warnings_reach_stderr_and_the_output() {
    let rbac = "\
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: legacy}
rules: [{apiGroups: [policy], resources: [podsecuritypolicies], verbs: [use], resourceNames: [gone, narrow, '*']}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: legacy}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: legacy}
subjects: [{kind: Group, name: system:authenticated}, {kind: ServiceAccount, name: nowhere}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: dangling, namespace: apps}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: deleted}
subjects: [{kind: Group, name: system:serviceaccounts:apps}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: cluster-admin}
rules: [{apiGroups: ['*'], resources: ['*'], verbs: ['*']}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: cluster-admin}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects: [{kind: Group, name: system:masters}]
";
    let psps = format!(
        "{TWO_PSPS}---\napiVersion: policy/v1beta1\nkind: PodSecurityPolicy\n\
         metadata: {{name: ai}}\nspec: {{allowedHostPaths: [{{pathPrefix: /data}}], volumes: [secret]}}\n"
    );
    let dir = TempDir::new("migrate-warnings");
    let rbac_file = dir.join("rbac.yaml");
    std::fs::write(&rbac_file, rbac).unwrap();
    let (text, err) = run(
        &["--subjects-from", rbac_file.to_str().unwrap(), "-"],
        Some(&psps),
    );
    let expected = [
        // The PSP's own oddity, as for a single one.
        "PodSecurityPolicy \"ai\" lists allowedHostPaths but its volumes do not allow hostPath: host paths stay forbidden, as they were under PSP (add hostPath to volumes to allow them)",
        // Only cluster-admin's grant of every PSP reaches these two: as good as nobody.
        "PodSecurityPolicy \"ai\": only group \"system:masters\" (cluster administrators) may use it, so it admits no pod of anyone else",
        "PodSecurityPolicy \"wide\": only group \"system:masters\" (cluster administrators) may use it, so it admits no pod of anyone else",
        // A service account subject without namespace in a ClusterRoleBinding.
        "ClusterRoleBinding \"legacy\": the service account subject \"nowhere\" has no namespace, so RBAC matches it to nobody",
        // A binding whose role is missing.
        "RoleBinding \"apps/dangling\" refers to Role \"apps/deleted\", which is not in the RBAC input: nothing it grants is known here (add that role to the input if the cluster has it)",
        // Grants of names missing from the input, and of the literal `*`.
        "RBAC grants use of PodSecurityPolicy \"*\" through ClusterRoleBinding \"legacy\" (ClusterRole \"legacy\"): RBAC compares resourceNames literally, so that grants no PodSecurityPolicy (a rule without resourceNames grants every one)",
        "RBAC grants use of PodSecurityPolicy \"gone\" through ClusterRoleBinding \"legacy\" (ClusterRole \"legacy\"), but that PodSecurityPolicy is not among the ones migrated: the grant is left out",
        // A grant of every PSP that reaches a privileged one.
        "ClusterRoleBinding \"cluster-admin\" (ClusterRole \"cluster-admin\") grants use of every PodSecurityPolicy (a rule without resourceNames) to group \"system:masters\", so they may use the privileged ones: \"wide\" (privileged containers, hostPath volumes)",
    ];
    assert_eq!(notes(&err), expected);
    let comments: Vec<&str> = text
        .lines()
        .filter_map(|line| line.strip_prefix("# NOTE: "))
        .collect();
    assert_eq!(comments, expected);
    let policy = &yaml_documents(&text)[0];
    let subjects = |i: usize| policy["spec"]["settings"]["policies"][i]["subjects"].clone();
    assert_eq!(policy["spec"]["settings"]["policies"][0]["name"], "ai");
    assert_eq!(subjects(0), json!({"groups": ["system:masters"]}));
    assert_eq!(
        subjects(1),
        json!({"groups": ["system:authenticated", "system:masters"]})
    );
    assert_eq!(subjects(2), json!({"groups": ["system:masters"]}));

    // Nobody at all: an entry with empty subjects.
    let unrelated = "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: view}\nrules: []\n";
    std::fs::write(&rbac_file, unrelated).unwrap();
    let (text, err) = run(
        &["--subjects-from", rbac_file.to_str().unwrap(), "-"],
        Some(TWO_PSPS),
    );
    assert_eq!(
        notes(&err),
        [
            "PodSecurityPolicy \"narrow\": no RBAC binding grants use of it, so it admits no pod (its subjects are empty)",
            "PodSecurityPolicy \"wide\": no RBAC binding grants use of it, so it admits no pod (its subjects are empty)",
        ]
    );
    let policy = &yaml_documents(&text)[0];
    for entry in policy["spec"]["settings"]["policies"].as_array().unwrap() {
        assert_eq!(entry["subjects"], json!({}), "{}", entry["name"]);
    }
}

#[test]
fn options_apply_to_the_combined_policy() {
    // --validate-only: mutating false in the spec and, once, for the whole policy.
    let (text, _) = run(
        &["--validate-only", "--name-prefix", "legacy-", "-"],
        Some(TWO_PSPS),
    );
    let policy = &yaml_documents(&text)[0];
    assert_eq!(policy["metadata"]["name"], "legacy-policies");
    assert_eq!(policy["spec"]["mutating"], false);
    assert_eq!(policy["spec"]["settings"]["mutating"], false);
    for entry in policy["spec"]["settings"]["policies"].as_array().unwrap() {
        assert!(entry["spec"].get("mutating").is_none());
    }
    // --name names it.
    let (text, _) = run(&["--name", "cluster-psps", "-"], Some(TWO_PSPS));
    assert_eq!(yaml_documents(&text)[0]["metadata"]["name"], "cluster-psps");
    // --name and --subjects-from write the combined form for a single PSP too.
    for args in [
        &["--name", "psp", "examples/psp/restricted.yaml"][..],
        &[
            "--subjects-from",
            "examples/psp/cluster-rbac.yaml",
            "examples/psp/restricted.yaml",
        ][..],
    ] {
        let (text, _) = run(args, None);
        assert!(text.starts_with(
            "# Migrated by psp-migrate from PodSecurityPolicy \"restricted\", in one policy.\n"
        ));
        let policy = &yaml_documents(&text)[0];
        let entries = policy["spec"]["settings"]["policies"].as_array().unwrap();
        assert_eq!(entries.len(), 1, "{args:?}");
        assert_eq!(entries[0]["name"], "restricted");
    }
    // RBAC objects in the PodSecurityPolicy input are passed over, with a note.
    let dump = format!("{TWO_PSPS}---\n{TWO_PSPS_RBAC}");
    let (text, err) = run(&["-"], Some(&dump));
    assert_eq!(
        notes(&err),
        ["<stdin>: 4 RBAC object(s) passed over (give the file to --subjects-from too, to write who may use each PodSecurityPolicy)"]
    );
    assert_eq!(
        yaml_documents(&text)[0]["spec"]["settings"]["authorization"],
        "rbac"
    );
}

#[test]
fn conflicting_or_bad_options_are_refused() {
    let cases: [(&[&str], &str); 7] = [
        (
            &["--separate", "--name", "x", "examples/psp/cluster-psps.yaml"],
            "--separate writes one per PodSecurityPolicy",
        ),
        (
            &[
                "--separate",
                "--subjects-from",
                "examples/psp/cluster-rbac.yaml",
                "examples/psp/cluster-psps.yaml",
            ],
            "it cannot be used with --separate",
        ),
        (
            &["--name", " ", "examples/psp/cluster-psps.yaml"],
            "--name must not be empty",
        ),
        (
            &["--subjects-from", "missing.yaml", "examples/psp/cluster-psps.yaml"],
            "cannot read missing.yaml",
        ),
        (
            &[
                "--subjects-from",
                "examples/psp/cluster-psps.yaml",
                "examples/psp/cluster-psps.yaml",
            ],
            "examples/psp/cluster-psps.yaml: no ClusterRole, ClusterRoleBinding, Role or RoleBinding found",
        ),
        (
            &[
                "--subjects-from",
                "examples/psp/restricted.yaml",
                "--subjects-from",
                "examples/settings/ai-data-security.yml",
                "examples/psp/cluster-psps.yaml",
            ],
            "examples/psp/restricted.yaml: no ClusterRole",
        ),
        (
            &["examples/psp/cluster-psps.yaml", "examples/psp/restricted.yaml"],
            "PodSecurityPolicy \"restricted\" appears twice",
        ),
    ];
    for (args, needle) in cases {
        assert_fails_with(&run_tool(MIGRATE, args), needle);
    }
    // A file of RBAC alone is no PodSecurityPolicy input.
    assert_fails_with(
        &run_tool(MIGRATE, &["examples/psp/cluster-rbac.yaml"]),
        "examples/psp/cluster-rbac.yaml: no PodSecurityPolicy found",
    );
}

#[test]
fn the_help_describes_both_forms() {
    let (help, _) = run(&["--help"], None);
    for needle in [
        "One PodSecurityPolicy becomes one ClusterAdmissionPolicy, psp-NAME",
        "Several become ONE ClusterAdmissionPolicy",
        "authorization: rbac",
        "authorization: subjects",
        "--subjects-from FILE",
        "--separate",
        "--name NAME",
    ] {
        assert!(help.contains(needle), "{needle}");
    }
}
