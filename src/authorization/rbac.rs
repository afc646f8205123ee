//! `authorization: rbac`: the cluster answers, through Kubewarden's `kubernetes/can_i` host capability (a
//! SubjectAccessReview sent by the policy-server; Kubewarden 1.27 or newer). The question is PSP's own: verb
//! `use` on `podsecuritypolicies` named after the entry, in the request's namespace, API group `policy` then
//! `extensions` (RBAC rules written for either keep working).

use kubewarden_policy_sdk::host_capabilities::kubernetes::{
    CanIRequest, ResourceAttributes, SubjectAccessReview,
};
use kubewarden_policy_sdk::wapc_guest::host_call;
use serde::Deserialize;

use super::{Authorizer, Identity, Subjects};

/// The API groups PodSecurityPolicies were served from, in the order PSP asked them.
const API_GROUPS: [&str; 2] = ["policy", "extensions"];

/// Asks the cluster's authorizer.
pub(crate) struct Rbac;

/// The `kubernetes/can_i` request for `identity` using the PodSecurityPolicy `name` through `group`, for a pod
/// in `namespace`.
fn request(identity: &Identity, group: &str, name: &str, namespace: &str) -> CanIRequest {
    CanIRequest {
        subject_access_review: SubjectAccessReview {
            groups: (!identity.groups.is_empty()).then(|| identity.groups.clone()),
            resource_attributes: ResourceAttributes {
                group: Some(group.to_string()),
                name: Some(name.to_string()),
                namespace: Some(namespace.to_string()),
                resource: "podsecuritypolicies".to_string(),
                subresource: None,
                verb: "use".to_string(),
                version: Some("*".to_string()),
            },
            user: identity.user.clone(),
        },
        // The answer may be up to 5 s old (the policy-server's cache), as a PSP answer was up to the RBAC
        // authorizer's informers' lag old.
        disable_cache: false,
    }
}

/// The part of the answer (a SubjectAccessReviewStatus) that decides.
#[derive(Deserialize)]
struct Status {
    #[serde(default)]
    allowed: bool,
}

/// `kubernetes/can_i`, as the SDK's `can_i` calls it (the same payload, the same host call), reading only
/// `allowed` of the answer: the SDK's function deserialises the whole SubjectAccessReviewStatus with
/// k8s-openapi's code, which weighs on the module for fields the policy never reads.
fn can_i(request: &CanIRequest) -> Result<bool, String> {
    let payload =
        serde_json::to_vec(request).map_err(|e| format!("cannot write the request: {e}"))?;
    let answer = host_call("kubewarden", "kubernetes", "can_i", &payload)
        .map_err(|e| format!("error invoking host capability kubernetes.can_i: {e}"))?;
    let status: Status = serde_json::from_slice(&answer)
        .map_err(|e| format!("cannot read the can_i answer: {e}"))?;
    Ok(status.allowed)
}

impl Authorizer for Rbac {
    fn may_use(
        &mut self,
        identity: &Identity,
        name: &str,
        _subjects: Option<&Subjects>,
        namespace: &str,
    ) -> Result<bool, String> {
        for group in API_GROUPS {
            let allowed = can_i(&request(identity, group, name, namespace))
                .map_err(|e| format!("kubernetes/can_i (API group {group:?}) failed: {e}"))?;
            if allowed {
                return Ok(true);
            }
        }
        Ok(false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The wire format of the host call: the SDK's `CanIRequest` as JSON (snake_case keys, `null` for none),
    /// what kwctl's replay files and the policy-server read.
    #[test]
    fn asks_for_use_of_the_psp_in_the_namespace() {
        let identity = Identity {
            user: "system:serviceaccount:kube-system:cni".into(),
            groups: vec![
                "system:serviceaccounts".into(),
                "system:serviceaccounts:kube-system".into(),
            ],
        };
        let json = serde_json::to_value(request(&identity, "policy", "privileged", "kube-system"))
            .unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "subject_access_review": {
                    "groups": ["system:serviceaccounts", "system:serviceaccounts:kube-system"],
                    "resource_attributes": {
                        "group": "policy", "name": "privileged", "namespace": "kube-system",
                        "resource": "podsecuritypolicies", "subresource": null, "verb": "use", "version": "*"
                    },
                    "user": "system:serviceaccount:kube-system:cni"
                },
                "disable_cache": false
            })
        );
        let groupless = Identity {
            user: "alice".into(),
            groups: vec![],
        };
        let json = serde_json::to_value(request(&groupless, "extensions", "a", "web")).unwrap();
        assert_eq!(
            json["subject_access_review"]["groups"],
            serde_json::Value::Null
        );
        assert_eq!(
            json["subject_access_review"]["resource_attributes"]["group"],
            "extensions"
        );
    }

    /// Outside a waPC host (native tests, fuzzing) the host call fails: the check fails, it never allows.
    #[test]
    fn without_a_host_the_check_fails() {
        let identity = Identity {
            user: "alice".into(),
            groups: vec![],
        };
        let err = Rbac.may_use(&identity, "a", None, "web").unwrap_err();
        assert!(
            err.starts_with("kubernetes/can_i (API group \"policy\") failed: "),
            "{err}"
        );
    }
}
