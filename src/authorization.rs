//! Who may `use` a PodSecurityPolicy entry: the identities a request is authorised for, and the backends that
//! answer for one identity.
//!
//! PSP's admission plugin asked the authorizer whether the pod's service account, then the requesting user,
//! may `use` the PSP (verb `use`, resource `podsecuritypolicies`, API group `policy` then `extensions`, the
//! PSP's name, the request's namespace). Two backends answer here, behind [`Authorizer`]: [`Rbac`] asks the
//! cluster (Kubewarden's `kubernetes/can_i`, a SubjectAccessReview), [`SubjectsBackend`] reads each entry's
//! `subjects` in the module.

mod rbac;
mod subjects;

use crate::object::Kind;

pub(crate) use rbac::Rbac;
pub(crate) use subjects::Subjects;

/// One identity the authorizer is asked about: a user name and its groups. The SubjectAccessReview that
/// `kubernetes/can_i` sends carries no uid and no extra, and RBAC reads neither.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Identity {
    pub(crate) user: String,
    pub(crate) groups: Vec<String>,
}

/// The user name of a service account's token (`serviceaccount.UserInfo` in Kubernetes).
const SERVICE_ACCOUNT_USER_PREFIX: &str = "system:serviceaccount:";

impl Identity {
    /// A service account, as PSP authorised a pod's: its user name and the service-account groups (no
    /// `system:authenticated`: PSP built this identity itself, it was no token's).
    fn service_account(namespace: &str, name: &str) -> Identity {
        Identity {
            user: format!("{SERVICE_ACCOUNT_USER_PREFIX}{namespace}:{name}"),
            groups: vec![
                "system:serviceaccounts".to_string(),
                format!("system:serviceaccounts:{namespace}"),
            ],
        }
    }

    /// `(namespace, name)` when the user name is a service account's.
    pub(crate) fn as_service_account(&self) -> Option<(&str, &str)> {
        let (namespace, name) = self
            .user
            .strip_prefix(SERVICE_ACCOUNT_USER_PREFIX)?
            .split_once(':')?;
        (!namespace.is_empty() && !name.is_empty() && !name.contains(':'))
            .then_some((namespace, name))
    }
}

/// One identity a request is authorised for, and how messages name it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Asked {
    pub(crate) identity: Identity,
    /// `user "alice"`, `service account "ns:sa"`, `controller "kube-system:job-controller"`.
    pub(crate) description: String,
}

/// The identities one request is authorised for, in the order they are asked: the first that may use an entry
/// authorises it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Requester {
    /// The namespace of the request (and of the pod): a RoleBinding's grant holds there only.
    pub(crate) namespace: String,
    asked: Vec<Asked>,
    /// The descriptions in reading order: the user before the service account of their pod.
    described: String,
}

/// The kube-controller-manager's controller that creates the pods of a workload, with its own service account
/// (`--use-service-account-credentials`, kubeadm's default).
fn controller_of(kind: Kind) -> Option<&'static str> {
    match kind {
        Kind::Deployment | Kind::ReplicaSet => Some("replicaset-controller"),
        Kind::StatefulSet => Some("statefulset-controller"),
        Kind::DaemonSet => Some("daemon-set-controller"),
        Kind::ReplicationController => Some("replication-controller"),
        Kind::Job | Kind::CronJob => Some("job-controller"),
        Kind::Pod | Kind::EphemeralContainers => None,
    }
}

impl Requester {
    /// For a request on an object of `kind` whose pod names `service_account` (`spec.serviceAccountName`), by
    /// `user` in `namespace`.
    ///
    /// - A pod: its service account, when it has one (the ServiceAccount admission plugin sets `default`
    ///   before any webhook; a mirror pod has none), then the requesting user.
    /// - A workload template: the pod does not exist yet and its controller, not the user, will create it. So
    ///   the template's service account (`default` when unset), then the controller's identity: its service
    ///   account in kube-system, with the groups its token carries.
    pub(crate) fn new(
        kind: Kind,
        namespace: &str,
        user: Identity,
        service_account: Option<&str>,
    ) -> Requester {
        let service_account = service_account.filter(|sa| !sa.is_empty());
        let account = |name: &str| Asked {
            identity: Identity::service_account(namespace, name),
            description: format!("service account {}", quoted(&format!("{namespace}:{name}"))),
        };
        let (asked, described) = match controller_of(kind) {
            None => {
                let user = Asked {
                    description: format!("user {}", quoted(&user.user)),
                    identity: user,
                };
                match service_account.map(account) {
                    Some(sa) => {
                        let described = format!("{} or {}", user.description, sa.description);
                        (vec![sa, user], described)
                    }
                    None => {
                        let described = user.description.clone();
                        (vec![user], described)
                    }
                }
            }
            Some(controller) => {
                let sa = account(service_account.unwrap_or("default"));
                let mut identity = Identity::service_account("kube-system", controller);
                identity.groups.push("system:authenticated".to_string());
                let controller = Asked {
                    identity,
                    description: format!(
                        "controller {}",
                        quoted(&format!("kube-system:{controller}"))
                    ),
                };
                let described = format!("{} or {}", sa.description, controller.description);
                (vec![sa, controller], described)
            }
        };
        Requester {
            namespace: namespace.to_string(),
            asked,
            described,
        }
    }

    /// The identities, in the order they are asked.
    pub(crate) fn asked(&self) -> &[Asked] {
        &self.asked
    }

    /// `user "alice" or service account "ns:sa"` (a pod), `service account "ns:sa" or controller
    /// "kube-system:job-controller"` (a template).
    pub(crate) fn describe(&self) -> &str {
        &self.described
    }
}

/// A name in a message, as a JSON string.
fn quoted(name: &str) -> String {
    serde_json::Value::from(name).to_string()
}

/// Answers whether one identity may use one entry.
pub(crate) trait Authorizer {
    /// Whether `identity` may use the entry `name` (whose `subjects` are given, when the settings have them)
    /// for a pod in `namespace`. `Err`: no answer could be had; the request is then denied (fail closed).
    fn may_use(
        &mut self,
        identity: &Identity,
        name: &str,
        subjects: Option<&Subjects>,
        namespace: &str,
    ) -> Result<bool, String>;
}

/// `authorization: subjects`: each entry's `subjects`, judged in the module. An entry without them is usable
/// by nobody.
pub(crate) struct SubjectsBackend;

impl Authorizer for SubjectsBackend {
    fn may_use(
        &mut self,
        identity: &Identity,
        _name: &str,
        subjects: Option<&Subjects>,
        namespace: &str,
    ) -> Result<bool, String> {
        Ok(subjects.is_some_and(|s| s.admit(identity, namespace)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user() -> Identity {
        Identity {
            user: "alice".into(),
            groups: vec!["system:authenticated".into()],
        }
    }

    #[test]
    fn a_pod_is_authorised_for_its_service_account_then_the_user() {
        let requester = Requester::new(Kind::Pod, "web", user(), Some("app"));
        let asked: Vec<&Identity> = requester.asked().iter().map(|a| &a.identity).collect();
        assert_eq!(
            asked,
            [
                &Identity {
                    user: "system:serviceaccount:web:app".into(),
                    groups: vec![
                        "system:serviceaccounts".into(),
                        "system:serviceaccounts:web".into()
                    ],
                },
                &user()
            ]
        );
        assert_eq!(
            requester.describe(),
            r#"user "alice" or service account "web:app""#
        );
        // A mirror pod has no service account: only the user (the node) is asked.
        let mirror = Requester::new(Kind::Pod, "web", user(), Some(""));
        assert_eq!(mirror.asked().len(), 1);
        assert_eq!(mirror.asked()[0].identity, user());
        assert_eq!(mirror.describe(), r#"user "alice""#);
    }

    #[test]
    fn a_template_is_authorised_for_its_service_account_then_its_controller() {
        for (kind, controller) in [
            (Kind::Deployment, "replicaset-controller"),
            (Kind::ReplicaSet, "replicaset-controller"),
            (Kind::StatefulSet, "statefulset-controller"),
            (Kind::DaemonSet, "daemon-set-controller"),
            (Kind::ReplicationController, "replication-controller"),
            (Kind::Job, "job-controller"),
            (Kind::CronJob, "job-controller"),
        ] {
            let requester = Requester::new(kind, "web", user(), None);
            let asked: Vec<&Identity> = requester.asked().iter().map(|a| &a.identity).collect();
            assert_eq!(
                asked,
                [
                    &Identity::service_account("web", "default"),
                    &Identity {
                        user: format!("system:serviceaccount:kube-system:{controller}"),
                        groups: vec![
                            "system:serviceaccounts".into(),
                            "system:serviceaccounts:kube-system".into(),
                            "system:authenticated".into()
                        ],
                    }
                ],
                "{kind:?}"
            );
            assert_eq!(
                requester.describe(),
                format!(
                    r#"service account "web:default" or controller "kube-system:{controller}""#
                )
            );
        }
    }

    #[test]
    fn service_account_user_names_are_recognised() {
        let sa = |user: &str| {
            Identity {
                user: user.into(),
                groups: vec![],
            }
            .as_service_account()
            .map(|(ns, name)| format!("{ns}/{name}"))
        };
        assert_eq!(sa("system:serviceaccount:a:b"), Some("a/b".into()));
        for not in [
            "alice",
            "system:serviceaccount:a",
            "system:serviceaccount::b",
            "system:serviceaccount:a:",
            "system:serviceaccount:a:b:c",
        ] {
            assert_eq!(sa(not), None, "{not}");
        }
    }
}
