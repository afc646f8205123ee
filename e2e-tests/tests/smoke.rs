//! The first checks of the built `policy.wasm`, through the waPC wire format only, as any Kubewarden
//! host (kwctl, policy-server) calls it: the protocol version, the example settings, one rejection
//! naming its field path, one acceptance without a patch, and a malformed request. Build the module
//! first (`make policy.wasm`, or `make e2e-tests` which does it); `$POLICY_WASM` points at another
//! module.

mod common;

use common::*;
use psp_host::test_pods::compliant_pod;
use serde_json::json;

#[test]
fn protocol_version_is_v1() {
    assert_eq!(host().protocol_version().unwrap(), "v1");
}

#[test]
fn the_ai_data_security_example_settings_are_valid() {
    assert_valid_settings(&ai_data_security());
}

#[test]
fn a_misspelled_settings_key_is_invalid_and_named() {
    // A misspelled key must not be ignored.
    assert_refused(&settings(json!({"privilegd": false})), &["privilegd"]);
}

#[test]
fn a_privileged_pod_is_rejected_with_the_field_path() {
    let privileged = pod(one_container(json!({"privileged": true})));
    let response = validate(&create("Pod", privileged), &ai_data_security());
    assert_rejected_mentioning(
        &response,
        &["spec.containers[0].securityContext.privileged"],
        "privileged",
    );
}

#[test]
fn a_compliant_pod_is_accepted() {
    let req = create("Pod", compliant_pod());
    let response = validate(&req, &ai_data_security());
    assert_accepted_with_patch(
        &response,
        &req,
        Vec::new(),
        "nothing to default on a pod that sets everything",
    );
}

#[test]
fn a_request_whose_object_is_an_array_is_rejected_not_a_trap() {
    let req = create("Pod", json!([compliant_pod()]));
    assert!(req["object"].is_array());
    let response = validate(&req, &ai_data_security());
    assert!(!response.accepted, "fail closed: {response:?}");
}
