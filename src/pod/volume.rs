//! Pod volumes: each volume's name, its source type(s) by the names PSP's `volumes` list uses, and the
//! details the checks read (`hostPath.path`, the `flexVolume` and `csi` drivers).

use serde::de::{self, IgnoredAny, MapAccess, Visitor};
use serde::{Deserialize, Deserializer};
use std::collections::BTreeMap;
use std::fmt;

/// The volume source types: every `FSType` of PSP's `policy/v1beta1` but `*` (`util.GetVolumeFSType` maps a
/// pod's source to one), plus `image` (the OCI image volume of Kubernetes 1.31+), which PSP predates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum VolumeType {
    AzureFile,
    Flocker,
    FlexVolume,
    HostPath,
    EmptyDir,
    GcePersistentDisk,
    AwsElasticBlockStore,
    GitRepo,
    Secret,
    Nfs,
    Iscsi,
    Glusterfs,
    PersistentVolumeClaim,
    Rbd,
    Cinder,
    CephFs,
    DownwardApi,
    Fc,
    ConfigMap,
    VsphereVolume,
    Quobyte,
    AzureDisk,
    PhotonPersistentDisk,
    StorageOs,
    Projected,
    PortworxVolume,
    ScaleIo,
    Csi,
    Ephemeral,
    Image,
}

impl VolumeType {
    /// In the order of PSP's `FSType` constants, then the types beyond PSP.
    pub const ALL: [VolumeType; 30] = [
        VolumeType::AzureFile,
        VolumeType::Flocker,
        VolumeType::FlexVolume,
        VolumeType::HostPath,
        VolumeType::EmptyDir,
        VolumeType::GcePersistentDisk,
        VolumeType::AwsElasticBlockStore,
        VolumeType::GitRepo,
        VolumeType::Secret,
        VolumeType::Nfs,
        VolumeType::Iscsi,
        VolumeType::Glusterfs,
        VolumeType::PersistentVolumeClaim,
        VolumeType::Rbd,
        VolumeType::Cinder,
        VolumeType::CephFs,
        VolumeType::DownwardApi,
        VolumeType::Fc,
        VolumeType::ConfigMap,
        VolumeType::VsphereVolume,
        VolumeType::Quobyte,
        VolumeType::AzureDisk,
        VolumeType::PhotonPersistentDisk,
        VolumeType::StorageOs,
        VolumeType::Projected,
        VolumeType::PortworxVolume,
        VolumeType::ScaleIo,
        VolumeType::Csi,
        VolumeType::Ephemeral,
        VolumeType::Image,
    ];

    /// The name in PSP's `volumes` list, as `policy/v1beta1` spells it (`cephFS`, `storageos`).
    pub fn name(self) -> &'static str {
        match self {
            VolumeType::CephFs => "cephFS",
            other => other.source_key(),
        }
    }

    /// The key of the volume source in a pod's volume: the name, but for `cephFS`, whose key is `cephfs`.
    pub fn source_key(self) -> &'static str {
        match self {
            VolumeType::AzureFile => "azureFile",
            VolumeType::Flocker => "flocker",
            VolumeType::FlexVolume => "flexVolume",
            VolumeType::HostPath => "hostPath",
            VolumeType::EmptyDir => "emptyDir",
            VolumeType::GcePersistentDisk => "gcePersistentDisk",
            VolumeType::AwsElasticBlockStore => "awsElasticBlockStore",
            VolumeType::GitRepo => "gitRepo",
            VolumeType::Secret => "secret",
            VolumeType::Nfs => "nfs",
            VolumeType::Iscsi => "iscsi",
            VolumeType::Glusterfs => "glusterfs",
            VolumeType::PersistentVolumeClaim => "persistentVolumeClaim",
            VolumeType::Rbd => "rbd",
            VolumeType::Cinder => "cinder",
            VolumeType::CephFs => "cephfs",
            VolumeType::DownwardApi => "downwardAPI",
            VolumeType::Fc => "fc",
            VolumeType::ConfigMap => "configMap",
            VolumeType::VsphereVolume => "vsphereVolume",
            VolumeType::Quobyte => "quobyte",
            VolumeType::AzureDisk => "azureDisk",
            VolumeType::PhotonPersistentDisk => "photonPersistentDisk",
            VolumeType::StorageOs => "storageos",
            VolumeType::Projected => "projected",
            VolumeType::PortworxVolume => "portworxVolume",
            VolumeType::ScaleIo => "scaleIO",
            VolumeType::Csi => "csi",
            VolumeType::Ephemeral => "ephemeral",
            VolumeType::Image => "image",
        }
    }

    /// The type named `name` in a `volumes` list: its PSP name, or (beyond PSP) `cephfs`, the pod's key for
    /// `cephFS`, which earlier versions of this policy took as the name.
    pub fn from_name(name: &str) -> Option<VolumeType> {
        if name == "cephfs" {
            return Some(VolumeType::CephFs);
        }
        VolumeType::ALL.into_iter().find(|t| t.name() == name)
    }

    /// The type whose source is at `key` in a pod's volume.
    fn from_source_key(key: &str) -> Option<VolumeType> {
        VolumeType::ALL.into_iter().find(|t| t.source_key() == key)
    }
}

/// A pod volume: its name and the source(s) it sets. The API allows one source per volume; a volume with
/// several, or with a key this model does not know, keeps them all so that each is judged (fail closed).
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Volume {
    pub name: String,
    pub sources: Vec<VolumeType>,
    /// Keys that are neither `name` nor a known volume source.
    pub unknown_sources: Vec<String>,
    pub host_path: Option<String>,
    pub flex_driver: Option<String>,
    pub csi_driver: Option<String>,
    /// A `projected` volume that holds only what the ServiceAccount admission plugin injects (PSP's
    /// `IsOnlyServiceAccountTokenSources`): each source a `serviceAccountToken` at path `token` with no
    /// audience, the `kube-root-ca.crt` ConfigMap, or the pod's namespace from the downward API.
    pub only_service_account_token: bool,
}

/// A `projected` volume source: only what tells a service-account token volume from others is read.
#[derive(Deserialize)]
struct ProjectedSource {
    sources: Option<Vec<Projection>>,
}

/// One source of a projected volume. Any other source (`secret`, `clusterTrustBundle`, one newer than this
/// model) is kept by its key, so that such a volume is never taken for a token volume.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Projection {
    service_account_token: Option<TokenProjection>,
    config_map: Option<NameField>,
    #[serde(rename = "downwardAPI")]
    downward_api: Option<DownwardApiProjection>,
    #[serde(flatten)]
    others: BTreeMap<String, Option<IgnoredAny>>,
}

#[derive(Deserialize)]
struct TokenProjection {
    #[serde(default)]
    path: String,
    audience: Option<String>,
}

#[derive(Deserialize)]
struct NameField {
    name: Option<String>,
}

#[derive(Deserialize)]
struct DownwardApiProjection {
    items: Option<Vec<DownwardApiItem>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct DownwardApiItem {
    #[serde(default)]
    path: String,
    field_ref: Option<FieldRef>,
    resource_field_ref: Option<IgnoredAny>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct FieldRef {
    api_version: Option<String>,
    field_path: Option<String>,
}

impl Projection {
    /// PSP's test of one source, after `IsOnlyServiceAccountTokenSources` (`pkg/security/podsecuritypolicy/util`):
    /// at least one of the three injected kinds, each as injected. Stricter than PSP, a source that also sets
    /// another kind is not one of them (the API server refuses such a source anyway).
    fn is_injected(&self) -> bool {
        if self.others.values().any(Option::is_some) {
            return false;
        }
        if self.service_account_token.is_none()
            && self.config_map.is_none()
            && self.downward_api.is_none()
        {
            return false;
        }
        let token_ok = self.service_account_token.as_ref().is_none_or(|t| {
            t.path == "token" && t.audience.as_deref().unwrap_or_default().is_empty()
        });
        let config_map_ok = self
            .config_map
            .as_ref()
            .is_none_or(|c| c.name.as_deref() == Some("kube-root-ca.crt"));
        let downward_api_ok = self.downward_api.as_ref().is_none_or(|d| {
            d.items.iter().flatten().all(|item| {
                item.path == "namespace"
                    && item.resource_field_ref.is_none()
                    && item.field_ref.as_ref().is_some_and(|f| {
                        f.api_version.as_deref() == Some("v1")
                            && f.field_path.as_deref() == Some("metadata.namespace")
                    })
            })
        });
        token_ok && config_map_ok && downward_api_ok
    }
}

#[derive(Deserialize)]
struct PathField {
    #[serde(default)]
    path: String,
}

#[derive(Deserialize)]
struct DriverField {
    #[serde(default)]
    driver: String,
}

impl<'de> Deserialize<'de> for Volume {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct VolumeVisitor;
        impl<'de> Visitor<'de> for VolumeVisitor {
            type Value = Volume;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a volume object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Volume, A::Error> {
                let mut volume = Volume::default();
                while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
                    let key = key.as_ref();
                    if key == "name" {
                        volume.name = map.next_value()?;
                        continue;
                    }
                    let Some(kind) = VolumeType::from_source_key(key) else {
                        // A null value means the key is unset; anything else is a source we cannot judge.
                        let value: Option<IgnoredAny> = map.next_value()?;
                        if value.is_some() {
                            volume.unknown_sources.push(key.to_owned());
                        }
                        continue;
                    };
                    let present = match kind {
                        VolumeType::HostPath => map
                            .next_value::<Option<PathField>>()?
                            .map(|p| volume.host_path = Some(p.path))
                            .is_some(),
                        VolumeType::FlexVolume => map
                            .next_value::<Option<DriverField>>()?
                            .map(|d| volume.flex_driver = Some(d.driver))
                            .is_some(),
                        VolumeType::Csi => map
                            .next_value::<Option<DriverField>>()?
                            .map(|d| volume.csi_driver = Some(d.driver))
                            .is_some(),
                        VolumeType::Projected => map
                            .next_value::<Option<ProjectedSource>>()?
                            .map(|p| {
                                volume.only_service_account_token =
                                    p.sources.iter().flatten().all(Projection::is_injected);
                            })
                            .is_some(),
                        _ => map.next_value::<Option<IgnoredAny>>()?.is_some(),
                    };
                    if present {
                        if volume.sources.contains(&kind) {
                            return Err(de::Error::custom(format!(
                                "duplicate volume source {key}"
                            )));
                        }
                        volume.sources.push(kind);
                    }
                }
                Ok(volume)
            }
        }
        deserializer.deserialize_map(VolumeVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn volume_records_every_source_and_its_details() {
        let cases = [
            (
                json!({"name": "a", "emptyDir": {}}),
                vec![VolumeType::EmptyDir],
                vec![],
            ),
            (
                json!({"name": "a", "hostPath": {"path": "/x"}}),
                vec![VolumeType::HostPath],
                vec![],
            ),
            (
                json!({"name": "a", "cephfs": {"monitors": []}}),
                vec![VolumeType::CephFs],
                vec![],
            ),
            (
                json!({"name": "a", "emptyDir": null, "secret": {}}),
                vec![VolumeType::Secret],
                vec![],
            ),
            (
                json!({"name": "a", "futureVolume": {}}),
                vec![],
                vec!["futureVolume".to_string()],
            ),
            (
                json!({"name": "a", "hostPath": {"path": "/x"}, "nfs": {}}),
                vec![VolumeType::HostPath, VolumeType::Nfs],
                vec![],
            ),
        ];
        for (input, sources, unknown) in cases {
            let v: Volume = serde_json::from_value(input.clone()).unwrap();
            assert_eq!(v.sources, sources, "{input}");
            assert_eq!(v.unknown_sources, unknown, "{input}");
        }
        let v: Volume =
            serde_json::from_value(json!({"name": "a", "csi": {"driver": "d.example.com"}}))
                .unwrap();
        assert_eq!(v.csi_driver.as_deref(), Some("d.example.com"));
    }

    /// The volume the ServiceAccount admission plugin injects, as the API server stores it.
    fn kube_api_access() -> serde_json::Value {
        json!({"name": "kube-api-access-5v8xk", "projected": {"defaultMode": 420, "sources": [
            {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}},
            {"configMap": {"name": "kube-root-ca.crt", "items": [{"key": "ca.crt", "path": "ca.crt"}]}},
            {"downwardAPI": {"items": [{"path": "namespace", "fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.namespace"}}]}},
        ]}})
    }

    #[test]
    fn a_projected_volume_is_told_apart_from_the_service_account_token_volume() {
        let only_token = |volume: serde_json::Value| {
            serde_json::from_value::<Volume>(volume)
                .unwrap()
                .only_service_account_token
        };
        assert!(only_token(kube_api_access()));
        assert!(only_token(
            json!({"name": "p", "projected": {"sources": []}})
        ));
        assert!(only_token(json!({"name": "p", "projected": {"sources": [
            {"serviceAccountToken": {"path": "token", "audience": ""}, "secret": null},
        ]}})));
        let near_misses = [
            (
                "audience set",
                json!({"serviceAccountToken": {"path": "token", "audience": "vault"}}),
            ),
            (
                "other path",
                json!({"serviceAccountToken": {"path": "vault-token"}}),
            ),
            (
                "other ConfigMap",
                json!({"configMap": {"name": "app-config"}}),
            ),
            ("ConfigMap without a name", json!({"configMap": {}})),
            ("a secret", json!({"secret": {"name": "s"}})),
            (
                "a cluster trust bundle",
                json!({"clusterTrustBundle": {"signerName": "x"}}),
            ),
            (
                "a token and a secret in one source",
                json!({"serviceAccountToken": {"path": "token"}, "secret": {"name": "s"}}),
            ),
            ("an empty source", json!({})),
            (
                "other downward API path",
                json!({"downwardAPI": {"items": [{"path": "ns", "fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.namespace"}}]}}),
            ),
            (
                "other field",
                json!({"downwardAPI": {"items": [{"path": "namespace", "fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.labels"}}]}}),
            ),
            (
                "no apiVersion",
                json!({"downwardAPI": {"items": [{"path": "namespace", "fieldRef": {"fieldPath": "metadata.namespace"}}]}}),
            ),
            (
                "a resource field",
                json!({"downwardAPI": {"items": [{"path": "namespace", "resourceFieldRef": {"resource": "limits.cpu"}}]}}),
            ),
        ];
        for (case, extra) in near_misses {
            let mut volume = kube_api_access();
            volume["projected"]["sources"]
                .as_array_mut()
                .unwrap()
                .push(extra);
            assert!(!only_token(volume), "{case}");
        }
        // Other volume types never count as a token volume.
        assert!(!only_token(
            json!({"name": "s", "secret": {"secretName": "s"}})
        ));
    }
}
