//! The example cluster of examples/psp/ (cluster-psps.yaml: `privileged`,
//! `psp.flannel.unprivileged`, `restricted`; cluster-rbac.yaml: who may use them), migrated by
//! psp-migrate into one policy, decides as PSP decided on that cluster: with `authorization: rbac`
//! (`kubernetes/can_i` answered from the same RBAC objects) and with `authorization: subjects`
//! (psp-migrate --subjects-from). The migrated policies are committed fixtures
//! (e2e-tests/fixtures/several/); psp-tools' tests keep them equal to psp-migrate's output.
//!
//! What PSP decided, case by case (PSP tried the PSPs in name order, kept the first authorised one
//! that admitted the pod unchanged, else the first authorised one that admitted it with defaults):
//! - an authenticated user's plain pod: `privileged` admits it unchanged but only kube-system's
//!   service accounts (in kube-system) and cluster administrators may use it, nobody here may use
//!   flannel's: `restricted`, with its defaults;
//! - kube-proxy's privileged pod in kube-system: `privileged`, through the RoleBinding to
//!   kube-system's service accounts;
//! - flannel's pod in kube-flannel: flannel's PSP, granted to its service account in API group
//!   `extensions`, with its defaults;
//! - a cluster administrator's privileged pod: `privileged` (cluster-admin's wildcard rule);
//! - an authenticated user's privileged pod: refused by `restricted`, the only PSP they may use;
//! - a user in no group: no PSP is authorised;
//! - a Deployment: `restricted`, through its controller's `system:authenticated`;
//! - an update of the pod `restricted` admitted: `restricted` again, nothing changed.

use psp_host::{read_document, workspace_dir};

use super::*;

/// The settings of the migrated ClusterAdmissionPolicy (`authorization` is `rbac` or `subjects`).
fn migrated_settings(authorization: &str) -> Value {
    let path = workspace_dir().join(format!(
        "e2e-tests/fixtures/several/psp-migrate-{authorization}.yaml"
    ));
    let policy = read_document(&path).unwrap_or_else(|e| panic!("{}: {e:#}", path.display()));
    assert_eq!(policy["kind"], "ClusterAdmissionPolicy");
    let settings = policy["spec"]["settings"].clone();
    assert_eq!(settings["authorization"], authorization);
    settings
}

/// `kubernetes/can_i` answered from the cluster's RBAC objects themselves.
fn cluster_rbac() -> Authz {
    Authz::read(workspace_dir().join("examples/psp/cluster-rbac.yaml")).unwrap()
}

const AUTHENTICATED: &[&str] = &["system:authenticated"];
const ADMIN_GROUPS: &[&str] = &["system:masters", "system:authenticated"];
const DAEMON_SETS: &str = "system:serviceaccount:kube-system:daemon-set-controller";
const CONTROLLER_GROUPS: &[&str] = &[
    "system:serviceaccounts",
    "system:serviceaccounts:kube-system",
    "system:authenticated",
];

fn privileged_spec() -> Value {
    json!({"hostNetwork": true, "containers": [container("app", json!({"privileged": true}))]})
}

fn flannel_spec() -> Value {
    json!({
        "hostNetwork": true,
        "containers": [container("kube-flannel", json!({"privileged": false,
            "capabilities": {"add": ["NET_ADMIN", "NET_RAW"]}}))],
        "volumes": [{"name": "run", "hostPath": {"path": "/run/flannel"}}],
    })
}

fn pod_request(namespace: &str, sa: &str, spec: Value, user: &str, groups: &[&str]) -> Value {
    request_by(
        "Pod",
        "CREATE",
        pod_in(namespace, sa, spec),
        namespace,
        user,
        groups,
    )
}

/// What PSP did with a request.
enum Psp {
    Admitted(&'static str),
    /// Refused, listing the violations of these PSPs only.
    Refused(&'static [&'static str]),
    NoneAuthorised(&'static str),
}

fn cases() -> Vec<(&'static str, Value, Psp)> {
    let mut deployment = object_of("Deployment", Value::Null, one_container(Value::Null));
    deployment["metadata"]["namespace"] = json!("default");
    vec![
        (
            "an authenticated user's plain pod",
            pod_request(
                "default",
                "default",
                one_container(Value::Null),
                "alice",
                AUTHENTICATED,
            ),
            Psp::Admitted("restricted"),
        ),
        (
            "kube-proxy's privileged pod in kube-system",
            pod_request(
                "kube-system",
                "kube-proxy",
                privileged_spec(),
                DAEMON_SETS,
                CONTROLLER_GROUPS,
            ),
            Psp::Admitted("privileged"),
        ),
        (
            "flannel's pod",
            pod_request(
                "kube-flannel",
                "flannel",
                flannel_spec(),
                DAEMON_SETS,
                CONTROLLER_GROUPS,
            ),
            Psp::Admitted("psp.flannel.unprivileged"),
        ),
        (
            "a cluster administrator's privileged pod",
            pod_request(
                "default",
                "default",
                privileged_spec(),
                "kubernetes-admin",
                ADMIN_GROUPS,
            ),
            Psp::Admitted("privileged"),
        ),
        (
            "an authenticated user's privileged pod",
            pod_request(
                "default",
                "default",
                privileged_spec(),
                "alice",
                AUTHENTICATED,
            ),
            Psp::Refused(&["restricted"]),
        ),
        (
            "a user in no group",
            pod_request("default", "default", one_container(Value::Null), "bob", &[]),
            Psp::NoneAuthorised(
                "no PodSecurityPolicy is authorised for user \"bob\" or service account \
                 \"default:default\" in namespace \"default\"",
            ),
        ),
        (
            "a Deployment",
            request_by(
                "Deployment",
                "CREATE",
                deployment,
                "default",
                "alice",
                AUTHENTICATED,
            ),
            Psp::Admitted("restricted"),
        ),
    ]
}

#[track_caller]
fn assert_decides_as_psp(case: &str, evaluation: &Evaluation, psp: &Psp) {
    let response = &evaluation.response;
    match psp {
        Psp::Admitted(name) => {
            assert!(response.accepted, "{case}: {:?}", response.message);
            let admitted_by = response
                .audit_annotations
                .as_ref()
                .and_then(|a| a.get("admit-policy"));
            assert_eq!(admitted_by.map(String::as_str), Some(*name), "{case}");
        }
        Psp::Refused(names) => {
            for part in rejection_parts(response) {
                assert!(
                    names
                        .iter()
                        .any(|n| part.starts_with(&format!("PodSecurityPolicy \"{n}\": "))),
                    "{case}: {part}"
                );
            }
        }
        Psp::NoneAuthorised(message) => assert_rejected(response, message, case),
    }
}

#[test]
fn the_migrated_example_cluster_decides_as_psp_did() {
    let rbac = migrated_settings("rbac");
    let subjects = migrated_settings("subjects");
    for (case, request, psp) in cases() {
        let by_rbac = evaluate(&rbac, request.clone(), cluster_rbac());
        assert_decides_as_psp(case, &by_rbac, &psp);
        let by_subjects = evaluate(&subjects, request, Authz::default());
        assert_eq!(by_subjects.response, by_rbac.response, "{case}");
        assert!(by_subjects.asked.is_empty(), "{case}");
    }
}

#[test]
fn what_the_migrated_cluster_asks() {
    let rbac = migrated_settings("rbac");
    let cases = cases();
    let asked = |index: usize| {
        let (_, request, _) = &cases[index];
        evaluate(&rbac, request.clone(), cluster_rbac()).asked
    };
    // kube-proxy: one check, its service account's, through the RoleBinding in kube-system.
    assert_eq!(
        asked(1),
        ["system:serviceaccount:kube-system:kube-proxy use policy/privileged in kube-system -> allowed"]
    );
    // flannel: `privileged` admits its pod but is not authorised; flannel's PSP is, in API group
    // `extensions` (its ClusterRole's); `restricted` refuses the pod and is not asked.
    let flannel = asked(2);
    assert_eq!(
        flannel[flannel.len() - 2..],
        [
            "system:serviceaccount:kube-flannel:flannel use policy/psp.flannel.unprivileged in kube-flannel -> denied",
            "system:serviceaccount:kube-flannel:flannel use extensions/psp.flannel.unprivileged in kube-flannel -> allowed",
        ]
    );
    assert!(
        flannel.iter().all(|q| !q.contains("/restricted ")),
        "{flannel:?}"
    );
}

#[test]
fn an_update_of_an_admitted_pod_tries_its_psp_first_and_changes_nothing() {
    let rbac = migrated_settings("rbac");
    let (_, create, _) = cases().remove(0);
    let created = evaluate(&rbac, create.clone(), cluster_rbac());
    let patch = created.response.patch(&create);
    // One op for the annotations: restricted's AppArmor default (PSP wrote it as the container's
    // annotation) and the PSP that admitted the pod; then restricted's other defaults.
    assert_eq!(
        patch.first(),
        Some(&add_op(
            "/metadata/annotations",
            json!({
                "container.apparmor.security.beta.kubernetes.io/app": "runtime/default",
                "kubernetes.io/psp": "restricted",
            })
        )),
        "the annotations, then restricted's defaults: {patch:?}"
    );
    assert!(patch.len() > 1, "{patch:?}");
    let admitted = apply_json_patch(&create["object"], &patch).unwrap();
    let mut updated = admitted.clone();
    updated["spec"]["containers"][0]["image"] = json!("registry.example.com/app:2.0");
    let update = RequestBuilder::new("Pod", "UPDATE", updated)
        .old_object(admitted)
        .namespace("default")
        .user("alice", AUTHENTICATED)
        .build();
    for (settings, authz) in [
        (rbac, cluster_rbac()),
        (migrated_settings("subjects"), Authz::default()),
    ] {
        let evaluation = evaluate(&settings, update.clone(), authz);
        assert_admitted_by(&evaluation, "restricted", vec![]);
        assert_eq!(evaluation.response.mutated_object, None);
    }
    let evaluation = evaluate(&migrated_settings("rbac"), update, cluster_rbac());
    assert_eq!(
        evaluation.asked,
        [
            "system:serviceaccount:default:default use policy/restricted in default -> denied",
            "system:serviceaccount:default:default use extensions/restricted in default -> denied",
            "alice use policy/restricted in default -> allowed",
        ]
    );
}
