//! The example files of examples/several/: the settings in both forms, psp-run's authz file, and
//! kwctl's session file, which must hold the exact calls the module makes, in order.

use std::sync::{Arc, Mutex};

use psp_host::{read_document, workspace_dir, HostCallback};

use super::*;

fn example(name: &str) -> Value {
    read_document(workspace_dir().join("examples/several").join(name))
        .unwrap_or_else(|e| panic!("examples/several/{name}: {e:#}"))
}

fn example_authz() -> Authz {
    Authz::read(workspace_dir().join("examples/several/authz.yaml"))
        .unwrap_or_else(|e| panic!("{e:#}"))
}

/// The example request as an AdmissionRequest, with another service account and user.
fn cni_request_as(sa: &str, user: &str, groups: &[&str]) -> Value {
    let mut request = example("cni-pod.json");
    request["object"]["spec"]["serviceAccountName"] = json!(sa);
    request["userInfo"] = json!({"username": user, "groups": groups});
    request
}

#[test]
fn the_example_settings_select_as_their_comments_say() {
    for name in ["settings.yml", "settings-subjects.yml"] {
        assert_valid_settings(&example(name));
    }
    let rbac = example("settings.yml");
    let subjects = example("settings-subjects.yml");
    let cni = evaluate(&rbac, example("cni-pod.json"), example_authz());
    assert_admitted_by(
        &cni,
        "cni-privileged",
        vec![psp_annotation_op("cni-privileged")],
    );
    let by_subjects = evaluate(&subjects, example("cni-pod.json"), Authz::default());
    assert_eq!(by_subjects.response, cni.response);

    // Another service account's privileged pod: `restricted` only, which refuses it.
    let other = cni_request_as(
        "kube-proxy",
        "system:serviceaccount:kube-system:daemon-set-controller",
        &["system:serviceaccounts", "system:authenticated"],
    );
    for (settings, authz) in [(&rbac, example_authz()), (&subjects, Authz::default())] {
        let evaluation = evaluate(settings, other.clone(), authz);
        let parts = rejection_parts(&evaluation.response);
        assert!(
            parts
                .iter()
                .all(|p| p.starts_with("PodSecurityPolicy \"restricted\": ")),
            "{parts:?}"
        );
    }
}

/// One recorded exchange of a kwctl session: the request (the `KubernetesCanI` variant's fields, as
/// JSON) and the answer.
struct Exchange {
    request: Value,
    answer: std::result::Result<Vec<u8>, String>,
}

fn session(name: &str) -> Vec<Exchange> {
    let text =
        std::fs::read_to_string(workspace_dir().join("examples/several").join(name)).unwrap();
    let exchanges: Vec<serde_yaml::Value> = serde_yaml::from_str(&text).unwrap();
    exchanges
        .into_iter()
        .map(|exchange| {
            assert_eq!(exchange["type"].as_str(), Some("Exchange"));
            let request: serde_yaml::Value =
                serde_yaml::from_str(exchange["request"].as_str().unwrap()).unwrap();
            let serde_yaml::Value::Tagged(tagged) = request else {
                panic!("a request is a tagged value: {request:?}");
            };
            assert_eq!(tagged.tag, "KubernetesCanI");
            let request = serde_json::to_value(&tagged.value).unwrap();
            let response = &exchange["response"];
            let answer = match response["type"].as_str() {
                Some("Success") => Ok(response["payload"].as_str().unwrap().as_bytes().to_vec()),
                Some("Error") => Err(response["message"].as_str().unwrap().to_string()),
                other => panic!("unknown response type {other:?}"),
            };
            Exchange { request, answer }
        })
        .collect()
}

/// Replays `exchanges` as kwctl does: strictly in order, each call equal to the next recorded
/// request (kwctl's `KubernetesCanI { request, disable_cache }` is the SDK's `CanIRequest` with
/// `subject_access_review` named `request`).
fn replaying(exchanges: Vec<Exchange>) -> (Arc<HostCallback>, Arc<Mutex<usize>>) {
    let cursor = Arc::new(Mutex::new(0));
    let position = cursor.clone();
    let callback: Arc<HostCallback> = Arc::new(move |binding, namespace, operation, payload| {
        assert_eq!(
            (binding, namespace, operation),
            ("kubewarden", "kubernetes", "can_i")
        );
        let call: Value = serde_json::from_slice(payload).unwrap();
        let as_recorded = json!({
            "request": call["subject_access_review"],
            "disable_cache": call["disable_cache"],
        });
        let mut next = position.lock().unwrap();
        let exchange = exchanges
            .get(*next)
            .ok_or("the list of recorded responses is empty or has been exhausted")?;
        if exchange.request != as_recorded {
            return Err(format!(
                "Replay error: unexpected request. Was expecting {}, got {as_recorded}",
                exchange.request
            ));
        }
        *next += 1;
        exchange.answer.clone()
    });
    (callback, cursor)
}

#[test]
fn the_kwctl_session_holds_the_calls_the_module_makes_in_order() {
    let exchanges = session("kwctl-session.yml");
    let count = exchanges.len();
    let (callback, cursor) = replaying(exchanges);
    let calls = HostCalls::new().with_callback(callback);
    let request = example("cni-pod.json");
    let response = host()
        .answering(calls.clone())
        .validate(&request, &example("settings.yml"))
        .unwrap();
    assert!(response.accepted, "{:?}", response.message);
    assert_eq!(
        response
            .audit_annotations
            .as_ref()
            .and_then(|a| a.get("admit-policy"))
            .map(String::as_str),
        Some("cni-privileged")
    );
    assert_eq!(*cursor.lock().unwrap(), count, "every exchange replayed");
    // And they are the answers authz.yaml gives.
    let recorded = evaluate(&example("settings.yml"), request, example_authz());
    assert_eq!(
        recorded.asked,
        [
            "system:serviceaccount:kube-system:cni use policy/cni-privileged in kube-system -> denied",
            "system:serviceaccount:kube-system:cni use extensions/cni-privileged in kube-system -> allowed",
        ]
    );
}

#[test]
fn the_cluster_rbac_example_is_an_authz_file() {
    let authz = Authz::read(workspace_dir().join("examples/psp/cluster-rbac.yaml")).unwrap();
    // psp:restricted, psp:privileged (RoleBinding in kube-system), flannel, cluster-admin.
    assert_eq!(authz.grants().len(), 4, "{:#?}", authz.grants());
}
