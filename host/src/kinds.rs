//! The kinds this project sends to the policy, in one table: each kind's API group, version and
//! resource (for AdmissionRequests), and the dotted path of its pod spec in an object of the kind
//! (the Pod's own spec, or a workload's pod template). The end-to-end tests derive their lists of
//! kinds and the JSON-pointer forms of these paths from this table.

/// A kind, where its API serves it, and where its pod spec is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KindInfo {
    pub kind: &'static str,
    /// The API group (`""` for the core group).
    pub group: &'static str,
    pub version: &'static str,
    /// The plural resource name.
    pub resource: &'static str,
    /// The dotted path of the pod spec; `None` for a kind without one.
    pub pod_spec: Option<&'static str>,
}

const POD_TEMPLATE_SPEC: Option<&str> = Some("spec.template.spec");

/// Every kind with a pod spec (the Pod first, then the workloads), and PodSecurityPolicy, a kind
/// without one.
pub const KINDS: [KindInfo; 9] = [
    KindInfo {
        kind: "Pod",
        group: "",
        version: "v1",
        resource: "pods",
        pod_spec: Some("spec"),
    },
    KindInfo {
        kind: "Deployment",
        group: "apps",
        version: "v1",
        resource: "deployments",
        pod_spec: POD_TEMPLATE_SPEC,
    },
    KindInfo {
        kind: "ReplicaSet",
        group: "apps",
        version: "v1",
        resource: "replicasets",
        pod_spec: POD_TEMPLATE_SPEC,
    },
    KindInfo {
        kind: "StatefulSet",
        group: "apps",
        version: "v1",
        resource: "statefulsets",
        pod_spec: POD_TEMPLATE_SPEC,
    },
    KindInfo {
        kind: "DaemonSet",
        group: "apps",
        version: "v1",
        resource: "daemonsets",
        pod_spec: POD_TEMPLATE_SPEC,
    },
    KindInfo {
        kind: "ReplicationController",
        group: "",
        version: "v1",
        resource: "replicationcontrollers",
        pod_spec: POD_TEMPLATE_SPEC,
    },
    KindInfo {
        kind: "Job",
        group: "batch",
        version: "v1",
        resource: "jobs",
        pod_spec: POD_TEMPLATE_SPEC,
    },
    KindInfo {
        kind: "CronJob",
        group: "batch",
        version: "v1",
        resource: "cronjobs",
        pod_spec: Some("spec.jobTemplate.spec.template.spec"),
    },
    KindInfo {
        kind: "PodSecurityPolicy",
        group: "policy",
        version: "v1beta1",
        resource: "podsecuritypolicies",
        pod_spec: None,
    },
];

impl KindInfo {
    /// `apps/v1`, or `v1` for the core group.
    pub fn api_version(&self) -> String {
        if self.group.is_empty() {
            self.version.to_string()
        } else {
            format!("{}/{}", self.group, self.version)
        }
    }

    /// The dotted path of a workload's pod template (`spec.template`); `None` for a Pod and for
    /// a kind without a pod spec.
    pub fn pod_template(&self) -> Option<&'static str> {
        self.pod_spec?.strip_suffix(".spec")
    }
}

/// The table's entry for `kind`.
pub fn find(kind: &str) -> Option<&'static KindInfo> {
    KINDS.iter().find(|info| info.kind == kind)
}

/// `(group, version, resource)` of `kind`: the table's, or a guess (core group, `v1`, lower-case
/// plural) for a kind it does not list.
pub fn group_version_resource(kind: &str) -> (String, String, String) {
    match find(kind) {
        Some(info) => (
            info.group.to_string(),
            info.version.to_string(),
            info.resource.to_string(),
        ),
        None => (String::new(), "v1".to_string(), plural(kind)),
    }
}

fn plural(kind: &str) -> String {
    let lower = kind.to_ascii_lowercase();
    if let Some(stem) = lower.strip_suffix('y') {
        format!("{stem}ies")
    } else if lower.ends_with('s') || lower.ends_with('x') {
        format!("{lower}es")
    } else {
        format!("{lower}s")
    }
}

/// `(kind, dotted pod spec path)` of the table's kinds with a pod spec, in table order, without
/// the Pod when `workloads_only`. `N` must be their number (checked when the constant is built).
pub const fn pod_spec_paths<const N: usize>(
    workloads_only: bool,
) -> [(&'static str, &'static str); N] {
    let mut out = [("", ""); N];
    let (mut i, mut n) = (0, 0);
    while i < KINDS.len() {
        let info = &KINDS[i];
        // The Pod is the table's first entry.
        let skip = workloads_only && i == 0;
        if let (Some(path), false) = (info.pod_spec, skip) {
            out[n] = (info.kind, path);
            n += 1;
        }
        i += 1;
    }
    assert!(n == N, "N is not the number of kinds with a pod spec");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_gives_requests_their_group_version_and_resource() {
        assert_eq!(
            group_version_resource("CronJob"),
            ("batch".into(), "v1".into(), "cronjobs".into())
        );
        assert_eq!(
            group_version_resource("ReplicationController"),
            ("".into(), "v1".into(), "replicationcontrollers".into())
        );
        assert_eq!(
            group_version_resource("NetworkPolicy"),
            ("".into(), "v1".into(), "networkpolicies".into())
        );
        assert_eq!(group_version_resource("Ingress").2, "ingresses");
        assert_eq!(group_version_resource("ConfigMap").2, "configmaps");
        assert_eq!(
            find("Deployment").map(KindInfo::api_version).as_deref(),
            Some("apps/v1")
        );
        assert_eq!(
            find("Pod").map(KindInfo::api_version).as_deref(),
            Some("v1")
        );
    }

    #[test]
    fn pod_spec_paths_follow_the_table() {
        const ALL: [(&str, &str); 8] = pod_spec_paths(false);
        const WORKLOADS: [(&str, &str); 7] = pod_spec_paths(true);
        assert_eq!(ALL[0], ("Pod", "spec"));
        assert_eq!(&ALL[1..], &WORKLOADS);
        assert_eq!(
            WORKLOADS[6],
            ("CronJob", "spec.jobTemplate.spec.template.spec")
        );
        assert_eq!(
            find("CronJob").and_then(KindInfo::pod_template),
            Some("spec.jobTemplate.spec.template")
        );
        assert_eq!(find("Pod").and_then(KindInfo::pod_template), None);
        assert_eq!(
            find("PodSecurityPolicy").and_then(KindInfo::pod_template),
            None
        );
    }
}
