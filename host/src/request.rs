//! AdmissionRequests as the API server sends them: built for an object ([`RequestBuilder`]), or
//! read from a document (an AdmissionReview, a bare AdmissionRequest, a plain object).

use std::sync::atomic::{AtomicU64, Ordering};

use anyhow::{bail, Result};
use serde_json::{json, Value};

use crate::kinds::group_version_resource;

/// Splits an `apiVersion` (`apps/v1`, `v1`) into `(group, version)`.
pub fn split_api_version(api_version: &str) -> (String, String) {
    match api_version.split_once('/') {
        Some((group, version)) => (group.to_string(), version.to_string()),
        None => (String::new(), api_version.to_string()),
    }
}

/// A realistic `admission.k8s.io/v1` AdmissionRequest for `operation` (`CREATE`, `UPDATE`,
/// `DELETE`, `CONNECT`) on `object` of `kind`. See [`RequestBuilder`] for the details and the
/// knobs (sub-resource, old object, namespace, user).
pub fn request(kind: &str, operation: &str, object: Value) -> Value {
    RequestBuilder::new(kind, operation, object).build()
}

/// Builds an AdmissionRequest. Defaults:
/// * `kind`/`resource`/`requestKind`/`requestResource` from the table of kinds
///   ([`crate::kinds::group_version_resource`]);
/// * `object` as given, with `apiVersion` and `kind` filled in when it is a JSON object that
///   lacks them; for `DELETE`, `object` is null and the given object becomes `oldObject`;
/// * `oldObject`: for `UPDATE` a copy of `object` unless [`RequestBuilder::old_object`] sets it;
/// * `name`/`namespace` from the object's metadata (namespace `default` when unset);
/// * user `kubernetes-admin` in `system:masters`, `system:authenticated`;
/// * a fresh `uid` per request.
#[derive(Debug, Clone)]
pub struct RequestBuilder {
    kind: String,
    operation: String,
    object: Value,
    old_object: Option<Value>,
    sub_resource: Option<String>,
    namespace: Option<String>,
    group_version: Option<(String, String)>,
    username: String,
    groups: Vec<String>,
    dry_run: bool,
}

impl RequestBuilder {
    pub fn new(kind: &str, operation: &str, object: Value) -> Self {
        RequestBuilder {
            kind: kind.to_string(),
            operation: operation.to_ascii_uppercase(),
            object,
            old_object: None,
            sub_resource: None,
            namespace: None,
            group_version: None,
            username: "kubernetes-admin".into(),
            groups: vec!["system:masters".into(), "system:authenticated".into()],
            dry_run: false,
        }
    }

    /// Sets `oldObject` (for `UPDATE`, and for `DELETE` when `object` is to be kept as given).
    pub fn old_object(mut self, old_object: Value) -> Self {
        self.old_object = Some(old_object);
        self
    }

    /// Sets `subResource`/`requestSubResource` (e.g. `ephemeralcontainers`, `status`).
    pub fn sub_resource(mut self, sub_resource: &str) -> Self {
        self.sub_resource = Some(sub_resource.to_string());
        self
    }

    /// Sets the request's namespace (default: the object's, else `default`).
    pub fn namespace(mut self, namespace: &str) -> Self {
        self.namespace = Some(namespace.to_string());
        self
    }

    /// Overrides the group and version of the kind (default from the table of kinds).
    pub fn group_version(mut self, group: &str, version: &str) -> Self {
        self.group_version = Some((group.to_string(), version.to_string()));
        self
    }

    /// Sets `userInfo`.
    pub fn user(mut self, username: &str, groups: &[&str]) -> Self {
        self.username = username.to_string();
        self.groups = groups.iter().map(|g| g.to_string()).collect();
        self
    }

    /// Sets `dryRun`.
    pub fn dry_run(mut self, dry_run: bool) -> Self {
        self.dry_run = dry_run;
        self
    }

    pub fn build(self) -> Value {
        static NEXT_UID: AtomicU64 = AtomicU64::new(1);
        let uid = format!(
            "00000000-0000-4000-8000-{:012x}",
            NEXT_UID.fetch_add(1, Ordering::Relaxed)
        );
        let (default_group, default_version, resource) = group_version_resource(&self.kind);
        let (group, version) = self
            .group_version
            .clone()
            .unwrap_or((default_group, default_version));
        let api_version = if group.is_empty() {
            version.clone()
        } else {
            format!("{group}/{version}")
        };

        let mut object = self.object;
        if let Value::Object(map) = &mut object {
            map.entry("apiVersion")
                .or_insert_with(|| json!(api_version));
            map.entry("kind").or_insert_with(|| json!(self.kind));
        }
        let (object, old_object) = match (self.operation.as_str(), self.old_object) {
            ("DELETE", None) => (Value::Null, object),
            ("UPDATE", None) => (object.clone(), object),
            (_, Some(old)) => (object, old),
            (_, None) => (object, Value::Null),
        };
        let described = if object.is_null() {
            &old_object
        } else {
            &object
        };
        let metadata = |field: &str| {
            described
                .get("metadata")
                .and_then(|m| m.get(field))
                .and_then(Value::as_str)
                .map(str::to_string)
        };
        let namespace = self
            .namespace
            .or_else(|| metadata("namespace"))
            .unwrap_or_else(|| "default".into());
        let options = match self.operation.as_str() {
            "CREATE" => json!({"apiVersion": "meta.k8s.io/v1", "kind": "CreateOptions"}),
            "UPDATE" => json!({"apiVersion": "meta.k8s.io/v1", "kind": "UpdateOptions"}),
            "DELETE" => json!({"apiVersion": "meta.k8s.io/v1", "kind": "DeleteOptions"}),
            _ => Value::Null,
        };

        let gvk = json!({"group": group, "version": version, "kind": self.kind});
        let gvr = json!({"group": group, "version": version, "resource": resource});
        let mut request = json!({
            "uid": uid,
            "kind": gvk,
            "resource": gvr,
            "requestKind": gvk,
            "requestResource": gvr,
            "namespace": namespace,
            "operation": self.operation,
            "userInfo": {"username": self.username, "groups": self.groups},
            "object": object,
            "oldObject": old_object,
            "dryRun": self.dry_run,
            "options": options,
        });
        if let Some(name) = metadata("name") {
            request["name"] = json!(name);
        }
        if let Some(sub_resource) = self.sub_resource {
            request["subResource"] = json!(sub_resource);
            request["requestSubResource"] = json!(sub_resource);
        }
        request
    }
}

/// Turns a document into an AdmissionRequest: an AdmissionReview (`{"request": ...}`) gives its
/// request; a bare AdmissionRequest (has `uid` and `operation`) is kept; a plain Kubernetes
/// object (has `kind`) becomes a `CREATE` request of its kind, group and version.
pub fn admission_request_from_document(document: Value) -> Result<Value> {
    if document.get("request").is_some_and(Value::is_object) {
        return Ok(document["request"].clone());
    }
    if document.get("uid").is_some() && document.get("operation").is_some() {
        return Ok(document);
    }
    if let Some(kind) = document.get("kind").and_then(Value::as_str) {
        let kind = kind.to_string();
        let mut builder = RequestBuilder::new(&kind, "CREATE", document.clone());
        if let Some(api_version) = document.get("apiVersion").and_then(Value::as_str) {
            let (group, version) = split_api_version(api_version);
            builder = builder.group_version(&group, &version);
        }
        return Ok(builder.build());
    }
    bail!("neither an AdmissionReview, an AdmissionRequest nor a Kubernetes object (no `request`, `uid`/`operation` or `kind`)")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_builder_fills_a_realistic_request() {
        let deployment = json!({"metadata": {"name": "web", "namespace": "shop"}, "spec": {}});
        let req = request("Deployment", "create", deployment);
        assert_eq!(
            req["kind"],
            json!({"group": "apps", "version": "v1", "kind": "Deployment"})
        );
        assert_eq!(
            req["resource"],
            json!({"group": "apps", "version": "v1", "resource": "deployments"})
        );
        assert_eq!(req["operation"], json!("CREATE"));
        assert_eq!(req["namespace"], json!("shop"));
        assert_eq!(req["name"], json!("web"));
        assert_eq!(req["object"]["apiVersion"], json!("apps/v1"));
        assert_eq!(req["object"]["kind"], json!("Deployment"));
        assert!(req["oldObject"].is_null());

        let cron = request("CronJob", "UPDATE", json!({"metadata": {"name": "c"}}));
        assert_eq!(cron["kind"]["group"], json!("batch"));
        assert_eq!(cron["oldObject"], cron["object"]);
        assert_eq!(cron["namespace"], json!("default"));

        let pod = json!({"metadata": {"name": "p"}, "spec": {"containers": []}});
        let ephemeral = RequestBuilder::new("Pod", "UPDATE", pod.clone())
            .sub_resource("ephemeralcontainers")
            .old_object(json!({"old": true}))
            .build();
        assert_eq!(ephemeral["subResource"], json!("ephemeralcontainers"));
        assert_eq!(ephemeral["oldObject"], json!({"old": true}));
        assert_eq!(ephemeral["kind"]["group"], json!(""));

        let deleted = request("Pod", "DELETE", pod);
        assert!(deleted["object"].is_null());
        assert_eq!(deleted["oldObject"]["metadata"]["name"], json!("p"));

        assert_ne!(request("Pod", "CREATE", json!({}))["uid"], deleted["uid"]);
        assert_eq!(
            request("ReplicationController", "CREATE", json!({}))["kind"]["version"],
            json!("v1")
        );
    }

    #[test]
    fn documents_become_admission_requests() {
        let object =
            json!({"apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": {"name": "d"}});
        let from_object = admission_request_from_document(object.clone()).unwrap();
        assert_eq!(from_object["operation"], json!("CREATE"));
        assert_eq!(from_object["kind"]["group"], json!("apps"));
        assert_eq!(from_object["object"], object);

        let review = json!({"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": from_object});
        assert_eq!(
            admission_request_from_document(review).unwrap(),
            from_object
        );
        assert_eq!(
            admission_request_from_document(from_object.clone()).unwrap(),
            from_object
        );
        assert!(admission_request_from_document(json!([1])).is_err());
    }
}
