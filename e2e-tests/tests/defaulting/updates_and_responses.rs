//! Updates (a Pod is validated, a workload's template defaulted) and the AdmissionResponse that
//! carries the patch.

use super::*;
use serde_json::{json, Value};

#[test]
fn a_pod_update_is_validated_not_mutated() {
    let s = everything();
    let old = pod(fully_specified());
    // The new spec drops fields that a CREATE would have defaulted.
    let mut new = old.clone();
    new["spec"]["containers"][0]["image"] = json!("registry.example.com/app:2.0");
    remove_path(
        &mut new,
        "spec.containers[0].securityContext.readOnlyRootFilesystem",
    );
    remove_path(&mut new, "spec.securityContext.fsGroup");
    let response = validate(&update("Pod", new, old.clone()), &s);
    assert_psp_rejected(
        &response,
        &[
            "spec.securityContext.fsGroup: Required value: must be set; allowed: 3000-4000",
            "spec.containers[0].securityContext.readOnlyRootFilesystem (container \"app\"): Required value: must be \
             set to true; allowed: true",
        ],
        "Pod UPDATE",
    );
    // A compliant update is accepted as it is.
    let mut new = old.clone();
    new["spec"]["containers"][0]["image"] = json!("registry.example.com/app:2.0");
    assert_accepted_unchanged(
        &validate(&update("Pod", new, old), &s),
        "compliant Pod UPDATE",
    );
}

#[test]
fn a_workload_update_defaults_its_template() {
    let s = settings(json!({"readOnlyRootFilesystem": true}));
    for (kind, spec_path) in WORKLOADS {
        let old = object_of(kind, Value::Null, three_containers());
        let mut new = old.clone();
        set_path(&mut new, "metadata.labels", json!({"release": "2"}));
        let req = update(kind, new, old);
        let response = validate(&req, &s);
        assert!(response.accepted, "{kind}: {:?}", response.message);
        assert_eq!(
            sorted(response.patch(&req)),
            sorted(per_container(
                &pointer(spec_path),
                "readOnlyRootFilesystem",
                json!(true)
            )),
            "{kind}"
        );
        assert_idempotent(kind, &req, &response, &s);
    }
}

#[test]
fn the_admission_response_carries_the_patch_for_a_default_and_none_without() {
    let s = settings(json!({"readOnlyRootFilesystem": true}));
    let req = create(
        "Pod",
        pod(json!({"containers": [container("app", Value::Null)]})),
    );
    let answer = host().review(&req, &s);
    assert_eq!(answer["allowed"], json!(true));
    assert_eq!(answer["patchType"], json!("JSONPatch"));
    let response = validate(&req, &s);
    assert_eq!(
        response.patch(&req),
        vec![add_op(
            "/spec/containers/0/securityContext",
            json!({"readOnlyRootFilesystem": true})
        )]
    );
    assert_idempotent("Pod", &req, &response, &s);
    let compliant = create(
        "Pod",
        pod(json!({"containers": [container("app", json!({"readOnlyRootFilesystem": true}))]})),
    );
    let answer = host().review(&compliant, &s);
    assert_eq!(answer["allowed"], json!(true));
    assert!(answer.get("patch").is_none(), "{answer}");
}
