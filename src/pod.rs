//! The parts of a pod spec that PodSecurityPolicy and the Pod Security Standards read.
//!
//! This is deliberately not `k8s-openapi`'s `PodSpec`: a model of only the fields the checks read parses
//! faster and compiles much smaller, and every field it does read is strictly typed, so an object whose
//! security-relevant fields have the wrong JSON type fails to parse and is rejected (fail closed). Fields the
//! policy never reads are skipped by serde without being materialised.
//!
//! Lists are `Option<Vec<_>>` because the API server omits empty lists and YAML users write `key:` (null);
//! the accessors return slices.

mod volume;

use serde::Deserialize;
pub use volume::{Volume, VolumeType};

#[derive(Deserialize, Debug, Default, Clone, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct PodSpec {
    pub containers: Option<Vec<Container>>,
    pub init_containers: Option<Vec<Container>>,
    pub ephemeral_containers: Option<Vec<Container>>,
    pub volumes: Option<Vec<Volume>>,
    pub security_context: Option<PodSecurityContext>,
    #[serde(rename = "hostNetwork")]
    pub host_network: Option<bool>,
    #[serde(rename = "hostPID")]
    pub host_pid: Option<bool>,
    #[serde(rename = "hostIPC")]
    pub host_ipc: Option<bool>,
    pub host_users: Option<bool>,
    pub runtime_class_name: Option<String>,
    pub os: Option<PodOs>,
    /// Whose identity the pod runs with; PSP authorised the pod for it.
    pub service_account_name: Option<String>,
    /// The deprecated alias of `serviceAccountName`, read when that is unset (as the API server converts it).
    #[serde(rename = "serviceAccount")]
    pub deprecated_service_account: Option<String>,
}

#[derive(Deserialize, Debug, Default, Clone, PartialEq)]
pub struct PodOs {
    pub name: Option<String>,
}

#[derive(Deserialize, Debug, Default, Clone, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct PodSecurityContext {
    pub run_as_user: Option<i64>,
    pub run_as_group: Option<i64>,
    pub run_as_non_root: Option<bool>,
    pub fs_group: Option<i64>,
    pub supplemental_groups: Option<Vec<i64>>,
    #[serde(rename = "seLinuxOptions")]
    pub se_linux_options: Option<SeLinuxOptions>,
    pub seccomp_profile: Option<Profile>,
    pub app_armor_profile: Option<Profile>,
    pub sysctls: Option<Vec<Sysctl>>,
    pub windows_options: Option<WindowsOptions>,
}

#[derive(Deserialize, Debug, Default, Clone, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct SecurityContext {
    pub privileged: Option<bool>,
    pub capabilities: Option<Capabilities>,
    pub run_as_user: Option<i64>,
    pub run_as_group: Option<i64>,
    pub run_as_non_root: Option<bool>,
    pub read_only_root_filesystem: Option<bool>,
    pub allow_privilege_escalation: Option<bool>,
    #[serde(rename = "seLinuxOptions")]
    pub se_linux_options: Option<SeLinuxOptions>,
    pub seccomp_profile: Option<Profile>,
    pub app_armor_profile: Option<Profile>,
    pub proc_mount: Option<String>,
    pub windows_options: Option<WindowsOptions>,
}

#[derive(Deserialize, Debug, Default, Clone, PartialEq)]
pub struct Capabilities {
    pub add: Option<Vec<String>>,
    pub drop: Option<Vec<String>>,
}

#[derive(Deserialize, Debug, Default, Clone, PartialEq, Eq)]
pub struct SeLinuxOptions {
    pub user: Option<String>,
    pub role: Option<String>,
    #[serde(rename = "type")]
    pub type_: Option<String>,
    pub level: Option<String>,
}

/// A `seccompProfile` or `appArmorProfile`: `type` is RuntimeDefault, Localhost or Unconfined.
#[derive(Deserialize, Debug, Default, Clone, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Profile {
    #[serde(rename = "type")]
    pub type_: Option<String>,
    pub localhost_profile: Option<String>,
}

#[derive(Deserialize, Debug, Default, Clone, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct WindowsOptions {
    pub host_process: Option<bool>,
}

#[derive(Deserialize, Debug, Default, Clone, PartialEq)]
pub struct Sysctl {
    pub name: String,
}

#[derive(Deserialize, Debug, Default, Clone, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Container {
    #[serde(default)]
    pub name: String,
    pub ports: Option<Vec<ContainerPort>>,
    pub security_context: Option<SecurityContext>,
    pub volume_mounts: Option<Vec<VolumeMount>>,
    pub liveness_probe: Option<Handler>,
    pub readiness_probe: Option<Handler>,
    pub startup_probe: Option<Handler>,
    pub lifecycle: Option<Lifecycle>,
}

#[derive(Deserialize, Debug, Default, Clone, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct ContainerPort {
    pub host_port: Option<i64>,
}

#[derive(Deserialize, Debug, Default, Clone, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct VolumeMount {
    #[serde(default)]
    pub name: String,
    pub read_only: Option<bool>,
}

/// A probe or lifecycle handler: only the `host` of its network actions matters here.
#[derive(Deserialize, Debug, Default, Clone, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Handler {
    pub http_get: Option<HostField>,
    pub tcp_socket: Option<HostField>,
}

#[derive(Deserialize, Debug, Default, Clone, PartialEq)]
pub struct HostField {
    pub host: Option<String>,
}

#[derive(Deserialize, Debug, Default, Clone, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Lifecycle {
    pub post_start: Option<Handler>,
    pub pre_stop: Option<Handler>,
}

/// The kinds of container a pod holds, in the order PSP visits them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContainerKind {
    Init,
    Regular,
    Ephemeral,
}

impl ContainerKind {
    pub const ALL: [ContainerKind; 3] = [
        ContainerKind::Init,
        ContainerKind::Regular,
        ContainerKind::Ephemeral,
    ];

    /// The JSON field that holds containers of this kind.
    pub fn field(self) -> &'static str {
        match self {
            ContainerKind::Init => "initContainers",
            ContainerKind::Regular => "containers",
            ContainerKind::Ephemeral => "ephemeralContainers",
        }
    }
}

/// Where a container sits in the pod spec.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ContainerAt {
    pub kind: ContainerKind,
    pub index: usize,
}

impl PodSpec {
    pub fn containers_of(&self, kind: ContainerKind) -> &[Container] {
        let list = match kind {
            ContainerKind::Init => &self.init_containers,
            ContainerKind::Regular => &self.containers,
            ContainerKind::Ephemeral => &self.ephemeral_containers,
        };
        list.as_deref().unwrap_or_default()
    }

    /// Every container: init, regular, then ephemeral.
    pub fn all_containers(&self) -> impl Iterator<Item = (ContainerAt, &Container)> {
        ContainerKind::ALL.into_iter().flat_map(move |kind| {
            self.containers_of(kind)
                .iter()
                .enumerate()
                .map(move |(index, c)| (ContainerAt { kind, index }, c))
        })
    }

    /// Calls `f` on every container, mutably, in the order of [`PodSpec::all_containers`], with the pod's own
    /// securityContext (which the container inherits).
    pub fn for_each_container_mut(
        &mut self,
        mut f: impl FnMut(Option<&PodSecurityContext>, ContainerAt, &mut Container),
    ) {
        let pod_security_context = self.security_context.as_ref();
        for (kind, list) in [
            (ContainerKind::Init, &mut self.init_containers),
            (ContainerKind::Regular, &mut self.containers),
            (ContainerKind::Ephemeral, &mut self.ephemeral_containers),
        ] {
            for (index, c) in list.iter_mut().flatten().enumerate() {
                f(pod_security_context, ContainerAt { kind, index }, c);
            }
        }
    }

    pub fn volumes(&self) -> &[Volume] {
        self.volumes.as_deref().unwrap_or_default()
    }

    pub fn pod_security_context(&self) -> Option<&PodSecurityContext> {
        self.security_context.as_ref()
    }

    pub fn sysctls(&self) -> &[Sysctl] {
        self.security_context
            .as_ref()
            .and_then(|sc| sc.sysctls.as_deref())
            .unwrap_or_default()
    }

    /// `spec.os.name: windows`: the restricted-only standard checks exempt such pods from v1.25.
    pub fn is_windows(&self) -> bool {
        self.os.as_ref().and_then(|os| os.name.as_deref()) == Some("windows")
    }
}

impl Container {
    pub fn ports(&self) -> &[ContainerPort] {
        self.ports.as_deref().unwrap_or_default()
    }

    pub fn volume_mounts(&self) -> &[VolumeMount] {
        self.volume_mounts.as_deref().unwrap_or_default()
    }

    pub fn sc(&self) -> Option<&SecurityContext> {
        self.security_context.as_ref()
    }

    /// The container's securityContext, created empty when absent (for defaulting).
    pub fn sc_mut(&mut self) -> &mut SecurityContext {
        self.security_context.get_or_insert_with(Default::default)
    }

    /// Every probe and lifecycle handler of the container.
    pub fn handlers(&self) -> impl Iterator<Item = &Handler> {
        let lifecycle = self.lifecycle.as_ref();
        [
            self.liveness_probe.as_ref(),
            self.readiness_probe.as_ref(),
            self.startup_probe.as_ref(),
            lifecycle.and_then(|l| l.post_start.as_ref()),
            lifecycle.and_then(|l| l.pre_stop.as_ref()),
        ]
        .into_iter()
        .flatten()
    }
}

impl PodSpec {
    /// The pod's service account: `serviceAccountName`, else its deprecated alias `serviceAccount`; `None` when
    /// neither names one.
    pub fn service_account(&self) -> Option<&str> {
        [&self.service_account_name, &self.deprecated_service_account]
            .into_iter()
            .flatten()
            .map(String::as_str)
            .find(|name| !name.is_empty())
    }

    /// The securityContext of the pod, created empty when absent (for defaulting).
    pub fn pod_sc_mut(&mut self) -> &mut PodSecurityContext {
        self.security_context.get_or_insert_with(Default::default)
    }
}

/// The effective security settings of one container: the container's own value, else the pod's, as the kubelet
/// resolves them (`securitycontext.NewEffectiveContainerSecurityContextAccessor` in PSP).
pub struct Effective<'a> {
    pub pod: Option<&'a PodSecurityContext>,
    pub container: Option<&'a SecurityContext>,
}

impl<'a> Effective<'a> {
    pub fn of(spec: &'a PodSpec, container: &'a Container) -> Self {
        Effective {
            pod: spec.security_context.as_ref(),
            container: container.security_context.as_ref(),
        }
    }

    pub fn run_as_user(&self) -> Option<i64> {
        self.container
            .and_then(|c| c.run_as_user)
            .or_else(|| self.pod.and_then(|p| p.run_as_user))
    }

    pub fn run_as_group(&self) -> Option<i64> {
        self.container
            .and_then(|c| c.run_as_group)
            .or_else(|| self.pod.and_then(|p| p.run_as_group))
    }

    pub fn run_as_non_root(&self) -> Option<bool> {
        self.container
            .and_then(|c| c.run_as_non_root)
            .or_else(|| self.pod.and_then(|p| p.run_as_non_root))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn wrongly_typed_security_fields_do_not_parse() {
        for (bad, message) in [
            (
                json!({"containers": [{"name": "a", "securityContext": {"privileged": "true"}}]}),
                "invalid type: string \"true\", expected a boolean",
            ),
            (
                json!({"containers": [{"name": "a", "securityContext": {"runAsUser": 1.5}}]}),
                "invalid type: floating point `1.5`, expected i64",
            ),
            (
                json!({"containers": {"name": "a"}}),
                "invalid type: map, expected a sequence",
            ),
            (
                json!({"hostPID": 1}),
                "invalid type: integer `1`, expected a boolean",
            ),
            (
                json!({"volumes": [{"name": "a", "hostPath": {"path": 7}}]}),
                "invalid type: integer `7`, expected a string",
            ),
        ] {
            let err = serde_json::from_value::<PodSpec>(bad.clone()).unwrap_err();
            assert_eq!(err.to_string(), message, "{bad}");
        }
    }

    #[test]
    fn containers_are_visited_init_regular_ephemeral() {
        let spec: PodSpec = serde_json::from_value(json!({
            "containers": [{"name": "c0"}, {"name": "c1"}],
            "initContainers": [{"name": "i0"}],
            "ephemeralContainers": [{"name": "e0"}],
        }))
        .unwrap();
        let names: Vec<_> = spec
            .all_containers()
            .map(|(_, c)| c.name.as_str())
            .collect();
        assert_eq!(names, ["i0", "c0", "c1", "e0"]);
    }

    #[test]
    fn effective_values_prefer_the_container() {
        let spec: PodSpec = serde_json::from_value(json!({
            "securityContext": {"runAsUser": 1, "runAsNonRoot": true},
            "containers": [{"name": "a", "securityContext": {"runAsUser": 0}}, {"name": "b"}],
        }))
        .unwrap();
        let cs = spec.containers_of(ContainerKind::Regular);
        assert_eq!(Effective::of(&spec, &cs[0]).run_as_user(), Some(0));
        assert_eq!(Effective::of(&spec, &cs[1]).run_as_user(), Some(1));
        assert_eq!(Effective::of(&spec, &cs[0]).run_as_non_root(), Some(true));
    }
}
