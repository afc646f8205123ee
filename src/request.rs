//! The waPC `validate` payload: `{"request": <AdmissionRequest>, "settings": {...}}`, read in one pass.
//!
//! The object, old object and settings stay raw JSON slices of the payload: each is parsed once, by the code
//! that needs it, into only the fields it reads.

use serde::Deserialize;
use serde_json::value::RawValue;

#[derive(Deserialize, Debug)]
pub struct Envelope<'a> {
    #[serde(borrow)]
    pub request: AdmissionRequest<'a>,
    #[serde(borrow, default)]
    pub settings: Option<&'a RawValue>,
}

#[derive(Deserialize, Debug, Default)]
#[serde(rename_all = "camelCase")]
pub struct AdmissionRequest<'a> {
    #[serde(default)]
    pub kind: GroupKind,
    #[serde(default)]
    pub sub_resource: String,
    #[serde(default)]
    pub operation: String,
    #[serde(default)]
    pub namespace: String,
    #[serde(default)]
    pub user_info: UserInfo,
    #[serde(borrow, default)]
    pub object: Option<&'a RawValue>,
    #[serde(borrow, default)]
    pub old_object: Option<&'a RawValue>,
}

/// The request's `kind`: its API group and kind name, which name the kind (every version of a kind that this
/// policy reads has the same layout).
#[derive(Deserialize, Debug, Default)]
pub struct GroupKind {
    #[serde(default)]
    pub group: String,
    #[serde(default)]
    pub kind: String,
}

/// Who sends the request. The uid and extra are not read: the authorisation of a PodSecurityPolicy asks RBAC,
/// which matches the user name and the groups only.
#[derive(Deserialize, Debug, Default)]
pub struct UserInfo {
    #[serde(default)]
    pub username: String,
    #[serde(default)]
    pub groups: Option<Vec<String>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_object_raw_and_maps_null_to_none() {
        let payload = r#"{"settings": {"a": 1}, "request": {"uid": "u", "kind": {"group": "", "version": "v1", "kind": "Pod"},
            "operation": "CREATE", "userInfo": {"username": "alice", "groups": ["x"]}, "object": {"kind": "Pod", "spec": {}},
            "oldObject": null, "dryRun": false}}"#;
        let envelope: Envelope = serde_json::from_str(payload).unwrap();
        assert_eq!(envelope.request.kind.kind, "Pod");
        assert_eq!(envelope.request.user_info.username, "alice");
        assert_eq!(
            envelope.request.user_info.groups,
            Some(vec!["x".to_string()])
        );
        assert_eq!(
            envelope.request.object.unwrap().get(),
            r#"{"kind": "Pod", "spec": {}}"#
        );
        assert!(envelope.request.old_object.is_none());
        assert_eq!(envelope.settings.unwrap().get(), r#"{"a": 1}"#);
    }

    #[test]
    fn a_request_given_twice_is_refused() {
        let payload = r#"{"request": {"operation": "CREATE"}, "request": {"operation": "DELETE"}}"#;
        let err = serde_json::from_str::<Envelope>(payload).unwrap_err();
        assert!(
            err.to_string().starts_with("duplicate field `request`"),
            "{err}"
        );
    }
}
