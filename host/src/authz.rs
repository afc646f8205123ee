//! Who may `use` which PodSecurityPolicy: how this host answers the guest's `kubernetes/can_i` host call
//! (a SubjectAccessReview on a real policy-server) without a cluster.
//!
//! An authz file is YAML or JSON, in one of two forms:
//!
//! ```yaml
//! # A list of grants: each lets its users, groups and service accounts use its PodSecurityPolicies.
//! grants:
//!   - policies: [restricted]              # PodSecurityPolicy names; "*" for every one
//!     groups: [system:authenticated]
//!   - policies: [cni-privileged]
//!     serviceAccounts: [kube-system:cni]  # namespace:name
//!     users: []
//!     namespace: kube-system              # only for pods in this namespace (what a RoleBinding grants)
//!     apiGroups: [extensions]             # default: policy and extensions; "*" for any
//! fail: SubjectAccessReview did not return a response   # optional: every can_i call fails so
//! ```
//!
//! or the cluster's RBAC, as `kubectl get clusterroles,clusterrolebindings,roles,rolebindings -A -o yaml`
//! prints it (a `List`, or the objects one per YAML document): its ClusterRoles and Roles that grant `use` on
//! `podsecuritypolicies`, through their bindings, become grants, as the API server's RBAC authorizer reads
//! them (a rule without resourceNames grants every name; a RoleBinding grants in its namespace only).
//!
//! The answer is `{"allowed": true|false}`; a question that is not `use` of `podsecuritypolicies` is answered
//! `false`.

use anyhow::{anyhow, bail, Context, Result};
use serde::Deserialize;
use serde_json::{json, Value};

/// Who may use which PodSecurityPolicy.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Authz {
    grants: Vec<Grant>,
    /// Every can_i call fails with this message.
    fail: Option<String>,
}

/// One grant of `use`.
#[derive(Deserialize, Debug, Clone, Default, PartialEq, Eq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Grant {
    /// PodSecurityPolicy names; `*`: every one.
    pub policies: Vec<String>,
    #[serde(default)]
    pub users: Vec<String>,
    #[serde(default)]
    pub groups: Vec<String>,
    /// `namespace:name`.
    #[serde(default)]
    pub service_accounts: Vec<String>,
    /// Only for requests in this namespace.
    #[serde(default)]
    pub namespace: Option<String>,
    /// The API groups the grant holds in (default: `policy` and `extensions`); `*`: any.
    #[serde(default)]
    pub api_groups: Option<Vec<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct GrantsFile {
    #[serde(default)]
    grants: Vec<Grant>,
    #[serde(default)]
    fail: Option<String>,
}

/// What the guest asks: the SDK's `CanIRequest` (snake_case keys).
#[derive(Deserialize, Debug)]
struct CanIRequest {
    subject_access_review: SubjectAccessReview,
    #[allow(dead_code)]
    disable_cache: bool,
}

#[derive(Deserialize, Debug)]
struct SubjectAccessReview {
    groups: Option<Vec<String>>,
    resource_attributes: ResourceAttributes,
    user: String,
}

#[derive(Deserialize, Debug)]
struct ResourceAttributes {
    group: Option<String>,
    name: Option<String>,
    namespace: Option<String>,
    resource: String,
    verb: String,
}

impl Authz {
    /// Grants `use` as `grants` say.
    pub fn from_grants(grants: Vec<Grant>) -> Authz {
        Authz { grants, fail: None }
    }

    /// Every can_i call fails with `message` (to test that the policy fails closed).
    pub fn failing(message: &str) -> Authz {
        Authz {
            grants: Vec::new(),
            fail: Some(message.to_string()),
        }
    }

    /// Reads an authz document: a grants file, or RBAC objects.
    pub fn from_document(document: &Value) -> Result<Authz> {
        if document.get("grants").is_some() || document.get("fail").is_some() {
            let file: GrantsFile =
                serde_json::from_value(document.clone()).context("not an authz file of grants")?;
            return Ok(Authz {
                grants: file.grants,
                fail: file.fail,
            });
        }
        let objects: Vec<Value> = match document {
            Value::Array(items) => items.clone(),
            Value::Object(map) => match map.get("items") {
                Some(Value::Array(items)) => items.clone(),
                _ => vec![document.clone()],
            },
            _ => bail!("an authz file is a map with `grants`, or RBAC objects"),
        };
        Ok(Authz::from_grants(crate::rbac::grants_of(&objects)?))
    }

    /// Reads an authz file (YAML or JSON; several YAML documents are RBAC objects, one per document).
    pub fn read(path: impl AsRef<std::path::Path>) -> Result<Authz> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read the authz file {}", path.display()))?;
        Authz::parse(&text).with_context(|| format!("{}", path.display()))
    }

    /// Parses authz text (YAML or JSON).
    pub fn parse(text: &str) -> Result<Authz> {
        let mut documents = Vec::new();
        for document in serde_yaml::Deserializer::from_str(text) {
            let value = serde_yaml::Value::deserialize(document)?;
            if !value.is_null() {
                documents.push(serde_json::to_value(value)?);
            }
        }
        match documents.as_slice() {
            [one] => Authz::from_document(one),
            _ => Authz::from_document(&Value::Array(documents)),
        }
    }

    /// The grants.
    pub fn grants(&self) -> &[Grant] {
        &self.grants
    }

    /// The answer to one `kubernetes/can_i` payload: the JSON of a SubjectAccessReviewStatus, or the error
    /// the host call fails with.
    pub fn can_i(&self, payload: &[u8]) -> std::result::Result<Vec<u8>, String> {
        if let Some(message) = &self.fail {
            return Err(message.clone());
        }
        let request: CanIRequest = serde_json::from_slice(payload)
            .map_err(|e| format!("cannot read the can_i request: {e}"))?;
        let allowed = self.allows(&request.subject_access_review);
        Ok(json!({ "allowed": allowed }).to_string().into_bytes())
    }

    fn allows(&self, review: &SubjectAccessReview) -> bool {
        let attributes = &review.resource_attributes;
        if attributes.verb != "use" || attributes.resource != "podsecuritypolicies" {
            return false;
        }
        let groups = review.groups.as_deref().unwrap_or_default();
        self.grants.iter().any(|grant| {
            let name = attributes.name.as_deref().unwrap_or_default();
            let group = attributes.group.as_deref().unwrap_or_default();
            let api_groups_hold = match &grant.api_groups {
                None => group == "policy" || group == "extensions",
                Some(list) => list.iter().any(|g| g == "*" || g == group),
            };
            grant.policies.iter().any(|p| p == "*" || p == name)
                && api_groups_hold
                && grant
                    .namespace
                    .as_ref()
                    .is_none_or(|ns| Some(ns.as_str()) == attributes.namespace.as_deref())
                && (grant.users.contains(&review.user)
                    || groups.iter().any(|g| grant.groups.contains(g))
                    || grant.service_accounts.iter().any(|sa| {
                        review.user.strip_prefix("system:serviceaccount:") == Some(sa.as_str())
                    }))
        })
    }
}

/// A `kubernetes/can_i` payload, in one line: `<user> [<groups>] use <group>/<name> in <namespace>`. For
/// tests and logs.
pub fn describe_can_i(payload: &[u8]) -> String {
    let Ok(request) = serde_json::from_slice::<CanIRequest>(payload) else {
        return format!(
            "unreadable can_i request {}",
            String::from_utf8_lossy(payload)
        );
    };
    let review = request.subject_access_review;
    let attributes = review.resource_attributes;
    format!(
        "{} [{}] {} {}/{} in {}",
        review.user,
        review.groups.unwrap_or_default().join(","),
        attributes.verb,
        attributes.group.unwrap_or_default(),
        attributes.name.unwrap_or_default(),
        attributes.namespace.unwrap_or_default()
    )
}

impl std::str::FromStr for Authz {
    type Err = anyhow::Error;

    fn from_str(text: &str) -> Result<Authz> {
        Authz::parse(text).map_err(|e| anyhow!("{e:#}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ask(authz: &Authz, user: &str, groups: &[&str], group: &str, name: &str, ns: &str) -> bool {
        let payload = json!({
            "subject_access_review": {
                "groups": groups,
                "resource_attributes": {"group": group, "name": name, "namespace": ns,
                    "resource": "podsecuritypolicies", "subresource": null, "verb": "use", "version": "*"},
                "user": user
            },
            "disable_cache": false
        });
        let answer = authz.can_i(payload.to_string().as_bytes()).unwrap();
        let answer: Value = serde_json::from_slice(&answer).unwrap();
        answer["allowed"].as_bool().unwrap()
    }

    #[test]
    fn grants_allow_their_subjects_in_their_namespace_and_api_groups() {
        let authz: Authz = r#"
grants:
  - policies: [restricted]
    groups: [system:authenticated]
  - policies: [cni]
    serviceAccounts: [kube-system:cni]
    namespace: kube-system
    apiGroups: [extensions]
  - policies: ["*"]
    users: [admin]
"#
        .parse()
        .unwrap();
        let sa = "system:serviceaccount:kube-system:cni";
        let cases = [
            (
                "alice",
                vec!["system:authenticated"],
                "policy",
                "restricted",
                "web",
                true,
            ),
            (
                "alice",
                vec!["system:authenticated"],
                "extensions",
                "restricted",
                "web",
                true,
            ),
            ("alice", vec![], "policy", "restricted", "web", false),
            (sa, vec![], "extensions", "cni", "kube-system", true),
            (sa, vec![], "policy", "cni", "kube-system", false),
            (sa, vec![], "extensions", "cni", "web", false),
            ("admin", vec![], "policy", "anything", "web", true),
            ("admin", vec![], "apps", "anything", "web", false),
        ];
        for (user, groups, group, name, ns, expected) in cases {
            assert_eq!(
                ask(&authz, user, &groups, group, name, ns),
                expected,
                "{user} {group}/{name} in {ns}"
            );
        }
    }

    #[test]
    fn a_failing_file_fails_every_call() {
        let authz: Authz = "fail: no SubjectAccessReview\n".parse().unwrap();
        assert_eq!(
            authz.can_i(b"{}"),
            Err("no SubjectAccessReview".to_string())
        );
        assert_eq!(Authz::failing("x").can_i(b"{}"), Err("x".to_string()));
    }

    #[test]
    fn other_questions_are_denied_and_unknown_keys_refused() {
        let authz = Authz::from_grants(vec![Grant {
            policies: vec!["*".into()],
            users: vec!["admin".into()],
            ..Grant::default()
        }]);
        let payload = json!({"subject_access_review": {"groups": null, "resource_attributes": {"group": "",
            "name": null, "namespace": null, "resource": "pods", "subresource": null, "verb": "create",
            "version": null}, "user": "admin"}, "disable_cache": false});
        assert_eq!(
            authz.can_i(payload.to_string().as_bytes()),
            Ok(br#"{"allowed":false}"#.to_vec())
        );
        assert!("grants:\n  - policies: [a]\n    user: [x]\n"
            .parse::<Authz>()
            .is_err());
    }

    #[test]
    fn describes_a_request_in_one_line() {
        let payload = json!({"subject_access_review": {"groups": ["g1", "g2"], "resource_attributes": {
            "group": "policy", "name": "restricted", "namespace": "web", "resource": "podsecuritypolicies",
            "subresource": null, "verb": "use", "version": "*"}, "user": "alice"}, "disable_cache": false});
        assert_eq!(
            describe_can_i(payload.to_string().as_bytes()),
            "alice [g1,g2] use policy/restricted in web"
        );
    }
}
