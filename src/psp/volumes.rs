//! Volumes: `volumes`, `allowedHostPaths`, `allowedFlexVolumes`, `allowedCSIDrivers`.
//!
//! Reads: `spec.volumes[*]` (the source type, `hostPath.path`, `flexVolume.driver`, `csi.driver`) and the
//! `volumeMounts` of every container.
//! Allows:
//! - a volume whose type is in `volumes` (`"*"`: every type; an empty or absent list: none, as in PSP);
//!   a volume of a type this policy does not know only under `"*"`. The names are PSP's `FSType`s as
//!   `policy/v1beta1` spells them (`cephFS`, `storageos`); beyond PSP, `image` (a volume type PSP predates),
//!   `cephfs` (the pod's key for `cephFS`, which earlier versions of this policy took as the name) and `none`
//!   (OpenShift's spelling of "no volume type", found in pasted lists: it adds nothing);
//! - a `projected` volume that holds only the service-account token the ServiceAccount admission plugin
//!   injects, wherever `secret` is allowed (PSP's rule since Kubernetes 1.20);
//! - a `hostPath` only under one of `allowedHostPaths` (none listed: any path). Paths are cleaned (`..`, `.`,
//!   `//`) before matching, and a prefix matches whole path segments only (`/data/ai` does not match
//!   `/data/aix`). When every prefix that matches is `readOnly`, every mount of the volume, in every container,
//!   must be `readOnly: true`;
//! - a `flexVolume` driver in `allowedFlexVolumes`, a `csi` driver in `allowedCSIDrivers` (empty: any).
//!
//! PSP defaults nothing here.

use super::host_paths::has_path_prefix;
use super::{container_field, FieldFamily, PspSettings};
use crate::object::PodObject;
use crate::pod::VolumeType;
use crate::settings::spec::AllowedHostPath;
use crate::settings::SettingsErrors;
use crate::violation::{quoted, quoted_list, Allowed, Field, Violations};

#[derive(Debug)]
pub struct Volumes {
    allow_all: bool,
    allowed: Vec<VolumeType>,
    host_paths: Vec<AllowedHostPath>,
    flex_drivers: Vec<String>,
    csi_drivers: Vec<String>,
}

impl Volumes {
    fn allowed_types(&self) -> Allowed {
        let names: Vec<&str> = self.allowed.iter().map(|t| t.name()).collect();
        Allowed::values(&names)
    }

    /// Whether a volume of type `kind` may be used. As in PSP, the service-account token volume that the
    /// ServiceAccount admission plugin injects (a `projected` volume) is allowed wherever `secret` is, so that a
    /// list written before that volume existed keeps working.
    fn allows_type(&self, kind: VolumeType, volume: &crate::pod::Volume) -> bool {
        self.allow_all
            || self.allowed.contains(&kind)
            || (kind == VolumeType::Projected
                && volume.only_service_account_token
                && self.allowed.contains(&VolumeType::Secret))
    }

    /// Whether `path` may be used, and whether it must then be mounted read-only (PSP's
    /// `AllowsHostVolumePath`: one writable match is enough to allow writing).
    fn host_path_rule(&self, path: &str) -> (bool, bool) {
        if self.host_paths.is_empty() {
            return (true, false);
        }
        let mut allowed = false;
        for prefix in self
            .host_paths
            .iter()
            .filter(|p| has_path_prefix(path, &p.path_prefix))
        {
            if !prefix.read_only {
                return (true, false);
            }
            allowed = true;
        }
        (allowed, allowed)
    }

    fn validate_host_path(
        &self,
        pod: &PodObject,
        i: usize,
        volume: &crate::pod::Volume,
        violations: &mut Violations,
    ) {
        let host_path = volume.host_path.as_deref().unwrap_or_default();
        let (allowed, read_only) = self.host_path_rule(host_path);
        if !allowed {
            let prefixes: Vec<&str> = self
                .host_paths
                .iter()
                .map(|p| p.path_prefix.as_str())
                .collect();
            violations.invalid(
                Field::pod(pod.kind.spec_field(&format!("volumes[{i}].hostPath.path"))),
                quoted(host_path),
                "host path is not under an allowed path prefix",
                Allowed::values(&prefixes),
            );
            return;
        }
        if !read_only {
            return;
        }
        for (at, c) in pod.spec.all_containers() {
            for (j, mount) in c.volume_mounts().iter().enumerate() {
                if mount.name == volume.name && mount.read_only != Some(true) {
                    violations.invalid(
                        container_field(pod, at, c, &format!("volumeMounts[{j}].readOnly")),
                        mount.read_only.unwrap_or(false),
                        format!("host path {} must be mounted read-only", quoted(host_path)),
                        Allowed::literal(true),
                    );
                }
            }
        }
    }
}

impl FieldFamily for Volumes {
    fn from_settings(settings: &PspSettings, errors: &mut SettingsErrors) -> Self {
        let names = settings.in_effect.volumes.clone().unwrap_or_default();
        let mut allowed = Vec::new();
        let mut allow_all = false;
        for (i, name) in names.iter().enumerate() {
            match (name.as_str(), VolumeType::from_name(name)) {
                ("*", _) => allow_all = true,
                // OpenShift's spelling of "no volume type" (PSP has none): it adds nothing to the list.
                ("none", _) => {}
                (_, Some(t)) => allowed.push(t),
                (_, None) => errors.add(
                    format!("volumes[{i}]"),
                    format!(
                        "unknown volume type {name:?}; valid: \"*\", {}, \"none\"",
                        known_types()
                    ),
                ),
            }
        }
        let host_paths = settings
            .in_effect
            .allowed_host_paths
            .clone()
            .unwrap_or_default();
        for (i, p) in host_paths.iter().enumerate() {
            let key = format!("allowedHostPaths[{i}].pathPrefix");
            if p.path_prefix.is_empty() {
                errors.add(key, "required");
            } else if p.path_prefix.split('/').any(|s| s == "..") {
                errors.add(key, format!("{:?} must not contain '..'", p.path_prefix));
            }
        }
        let in_effect = settings.in_effect;
        let flex_drivers = driver_names(
            "allowedFlexVolumes",
            "driver",
            in_effect
                .allowed_flex_volumes
                .iter()
                .flatten()
                .map(|f| &f.driver),
            errors,
        );
        let csi_drivers = driver_names(
            "allowedCSIDrivers",
            "name",
            in_effect
                .allowed_csi_drivers
                .iter()
                .flatten()
                .map(|d| &d.name),
            errors,
        );
        Volumes {
            allow_all,
            allowed,
            host_paths,
            flex_drivers,
            csi_drivers,
        }
    }

    fn validate_pod(&self, pod: &PodObject, violations: &mut Violations) {
        for (i, volume) in pod.spec.volumes().iter().enumerate() {
            let path = pod.kind.spec_field(&format!("volumes[{i}]"));
            if !self.allow_all {
                for unknown in &volume.unknown_sources {
                    violations.invalid(
                        Field::pod(path.clone()),
                        quoted(unknown),
                        "unknown volume type",
                        self.allowed_types(),
                    );
                }
            }
            // A volume with no source is an emptyDir: the API server defaults it so.
            let sources: &[VolumeType] =
                if volume.sources.is_empty() && volume.unknown_sources.is_empty() {
                    &[VolumeType::EmptyDir]
                } else {
                    &volume.sources
                };
            for kind in sources {
                if !self.allows_type(*kind, volume) {
                    violations.invalid(
                        Field::pod(path.clone()),
                        quoted(kind.name()),
                        format!("{} volumes are not allowed to be used", kind.name()),
                        self.allowed_types(),
                    );
                    continue;
                }
                match kind {
                    VolumeType::HostPath => self.validate_host_path(pod, i, volume, violations),
                    VolumeType::FlexVolume => validate_driver(
                        &self.flex_drivers,
                        volume.flex_driver.as_deref(),
                        format!("{path}.flexVolume.driver"),
                        "flexVolume driver is not allowed",
                        violations,
                    ),
                    VolumeType::Csi => validate_driver(
                        &self.csi_drivers,
                        volume.csi_driver.as_deref(),
                        format!("{path}.csi.driver"),
                        "inline CSI driver is not allowed",
                        violations,
                    ),
                    _ => {}
                }
            }
        }
    }
}

/// The drivers that `allowedFlexVolumes` or `allowedCSIDrivers` (`key`) lists, each under `field` in its
/// entry, where it is required.
fn driver_names<'a>(
    key: &str,
    field: &str,
    names: impl Iterator<Item = &'a String>,
    errors: &mut SettingsErrors,
) -> Vec<String> {
    let names: Vec<String> = names.cloned().collect();
    for (i, name) in names.iter().enumerate() {
        if name.is_empty() {
            errors.add(format!("{key}[{i}].{field}"), "required");
        }
    }
    names
}

/// A `flexVolume` or `csi` volume's driver must be one of `allowed` (none listed: any).
fn validate_driver(
    allowed: &[String],
    driver: Option<&str>,
    at: String,
    reason: &str,
    violations: &mut Violations,
) {
    let driver = driver.unwrap_or_default();
    if !allowed.is_empty() && !allowed.iter().any(|d| d == driver) {
        violations.invalid(
            Field::pod(at),
            quoted(driver),
            reason,
            Allowed::values(allowed),
        );
    }
}

fn known_types() -> String {
    let names: Vec<&str> = VolumeType::ALL.iter().map(|t| t.name()).collect();
    quoted_list(&names)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::psp::test_support::*;
    use serde_json::json;

    fn host_path_pod(path: &str, mounts: serde_json::Value) -> serde_json::Value {
        json!({"volumes": [{"name": "h", "hostPath": {"path": path}}], "containers": [{"name": "a", "volumeMounts": mounts}]})
    }

    #[test]
    fn host_paths() {
        let p = psp(
            json!({"volumes": ["hostPath"], "allowedHostPaths": [{"pathPrefix": "/data/ai", "readOnly": true}, {"pathPrefix": "/scratch"}]}),
        );
        let ro = json!([{"name": "h", "mountPath": "/m", "readOnly": true}]);
        let rw = json!([{"name": "h", "mountPath": "/m"}, {"name": "h", "mountPath": "/n", "readOnly": false}]);
        let cases = [
            (host_path_pod("/data/ai/models", ro.clone()), vec![]),
            (host_path_pod("/scratch/tmp", rw.clone()), vec![]),
            (host_path_pod("/data/ai/models", rw.clone()), vec![
                "spec.containers[0].volumeMounts[0].readOnly (container \"a\"): Invalid value: false: host path \"/data/ai/models\" must be mounted read-only; allowed: true",
                "spec.containers[0].volumeMounts[1].readOnly (container \"a\"): Invalid value: false: host path \"/data/ai/models\" must be mounted read-only; allowed: true",
            ]),
            (host_path_pod("/data/ai/../../etc", ro.clone()), vec![
                "spec.volumes[0].hostPath.path: Invalid value: \"/data/ai/../../etc\": host path is not under an allowed path prefix; allowed: \"/data/ai\", \"/scratch\"",
            ]),
            (host_path_pod("/data/aix", ro.clone()), vec![
                "spec.volumes[0].hostPath.path: Invalid value: \"/data/aix\": host path is not under an allowed path prefix; allowed: \"/data/ai\", \"/scratch\"",
            ]),
        ];
        assert_violations_by_pod(&p, cases);
        // A writable mount through an init container is caught too.
        let mut spec = host_path_pod("/data/ai", ro);
        spec["initContainers"] =
            json!([{"name": "i", "volumeMounts": [{"name": "h", "mountPath": "/x"}]}]);
        assert_eq!(violations(&p, &pod(spec)), vec![
            "spec.initContainers[0].volumeMounts[0].readOnly (container \"i\"): Invalid value: false: host path \"/data/ai\" must be mounted read-only; allowed: true",
        ]);
    }

    #[test]
    fn volume_types() {
        let spec = json!({"volumes": [
            {"name": "a", "emptyDir": {}}, {"name": "b", "hostPath": {"path": "/x"}}, {"name": "c", "futureType": {}}, {"name": "d"}
        ], "containers": []});
        let cases = [
            (json!({"volumes": ["emptyDir"]}), vec![
                "spec.volumes[1]: Invalid value: \"hostPath\": hostPath volumes are not allowed to be used; allowed: \"emptyDir\"",
                "spec.volumes[2]: Invalid value: \"futureType\": unknown volume type; allowed: \"emptyDir\"",
            ]),
            (json!({"volumes": []}), vec![
                "spec.volumes[0]: Invalid value: \"emptyDir\": emptyDir volumes are not allowed to be used; allowed: none",
                "spec.volumes[1]: Invalid value: \"hostPath\": hostPath volumes are not allowed to be used; allowed: none",
                "spec.volumes[2]: Invalid value: \"futureType\": unknown volume type; allowed: none",
                "spec.volumes[3]: Invalid value: \"emptyDir\": emptyDir volumes are not allowed to be used; allowed: none",
            ]),
            (json!({"volumes": ["*"]}), vec![]),
        ];
        assert_violations_by_settings(&spec, cases);
    }

    #[test]
    fn the_service_account_token_volume_is_allowed_wherever_secret_is() {
        let token = json!({"name": "kube-api-access-x", "projected": {"sources": [
            {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}},
            {"configMap": {"name": "kube-root-ca.crt", "items": [{"key": "ca.crt", "path": "ca.crt"}]}},
            {"downwardAPI": {"items": [{"path": "namespace", "fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.namespace"}}]}},
        ]}});
        let other = json!({"name": "vault", "projected": {"sources": [
            {"serviceAccountToken": {"path": "token", "audience": "vault"}},
        ]}});
        let spec = json!({"volumes": [token, other], "containers": []});
        assert_eq!(violations(&psp(json!({"volumes": ["secret"]})), &pod(spec.clone())), vec![
            "spec.volumes[1]: Invalid value: \"projected\": projected volumes are not allowed to be used; allowed: \"secret\"",
        ]);
        assert_eq!(violations(&psp(json!({"volumes": ["configMap"]})), &pod(spec.clone())), vec![
            "spec.volumes[0]: Invalid value: \"projected\": projected volumes are not allowed to be used; allowed: \"configMap\"",
            "spec.volumes[1]: Invalid value: \"projected\": projected volumes are not allowed to be used; allowed: \"configMap\"",
        ]);
        assert!(violations(&psp(json!({"volumes": ["projected"]})), &pod(spec)).is_empty());
    }

    #[test]
    fn drivers() {
        let spec = json!({"volumes": [
            {"name": "f", "flexVolume": {"driver": "example/lvm"}}, {"name": "c", "csi": {"driver": "secrets-store.csi.k8s.io"}}
        ], "containers": []});
        assert!(violations(&psp(json!({})), &pod(spec.clone())).is_empty());
        let p = psp(
            json!({"allowedFlexVolumes": [{"driver": "example/cifs"}], "allowedCSIDrivers": [{"name": "ebs.csi.aws.com"}]}),
        );
        assert_eq!(violations(&p, &pod(spec)), vec![
            "spec.volumes[0].flexVolume.driver: Invalid value: \"example/lvm\": flexVolume driver is not allowed; allowed: \"example/cifs\"",
            "spec.volumes[1].csi.driver: Invalid value: \"secrets-store.csi.k8s.io\": inline CSI driver is not allowed; allowed: \"ebs.csi.aws.com\"",
        ]);
    }

    /// The `FSType` constants of `k8s.io/api/policy/v1beta1`, as the API spells them.
    const PSP_FS_TYPES: [&str; 30] = [
        "azureFile",
        "flocker",
        "flexVolume",
        "hostPath",
        "emptyDir",
        "gcePersistentDisk",
        "awsElasticBlockStore",
        "gitRepo",
        "secret",
        "nfs",
        "iscsi",
        "glusterfs",
        "persistentVolumeClaim",
        "rbd",
        "cinder",
        "cephFS",
        "downwardAPI",
        "fc",
        "configMap",
        "vsphereVolume",
        "quobyte",
        "azureDisk",
        "photonPersistentDisk",
        "storageos",
        "projected",
        "portworxVolume",
        "scaleIO",
        "csi",
        "ephemeral",
        "*",
    ];

    #[test]
    fn every_psp_volume_type_name_is_accepted_and_none_adds_nothing() {
        for name in PSP_FS_TYPES.into_iter().chain(["image", "cephfs", "none"]) {
            assert_eq!(settings_errors(json!({"volumes": [name]})), "", "{name}");
        }
        // Every type but `image` is one of PSP's, by its PSP name.
        let names: Vec<&str> = VolumeType::ALL.iter().map(|t| t.name()).collect();
        let mut expected: Vec<&str> = PSP_FS_TYPES.into_iter().filter(|n| *n != "*").collect();
        expected.push("image");
        assert_eq!(names, expected);
        // `cephFS` judges the pod's `cephfs` source; `none` allows nothing.
        let spec =
            json!({"volumes": [{"name": "c", "cephfs": {"monitors": ["m"]}}], "containers": []});
        assert!(violations(&psp(json!({"volumes": ["cephFS"]})), &pod(spec.clone())).is_empty());
        assert!(violations(&psp(json!({"volumes": ["cephfs"]})), &pod(spec.clone())).is_empty());
        assert_eq!(violations(&psp(json!({"volumes": ["none"]})), &pod(spec)), vec![
            "spec.volumes[0]: Invalid value: \"cephFS\": cephFS volumes are not allowed to be used; allowed: none",
        ]);
    }

    #[test]
    fn an_unknown_volume_type_name_is_refused_listing_the_valid_ones() {
        let mut valid: Vec<String> = PSP_FS_TYPES.iter().map(|n| format!("{n:?}")).collect();
        valid.rotate_right(1); // "*" first
        assert_eq!(
            settings_errors(json!({"volumes": ["configMap", "CephFS"]})),
            format!(
                "volumes[1]: unknown volume type \"CephFS\"; valid: {}, \"image\", \"none\"",
                valid.join(", ")
            )
        );
    }

    #[test]
    fn settings_checks() {
        let cases = [
            (
                json!({"volumes": ["emptydir"]}),
                "volumes[0]: unknown volume type \"emptydir\"",
            ),
            (
                json!({"allowedHostPaths": [{"pathPrefix": "/a/../b"}]}),
                "allowedHostPaths[0].pathPrefix: \"/a/../b\" must not contain '..'",
            ),
            (
                json!({"allowedHostPaths": [{"readOnly": true}]}),
                "allowedHostPaths[0].pathPrefix: required",
            ),
            (
                json!({"allowedFlexVolumes": [{}]}),
                "allowedFlexVolumes[0].driver: required",
            ),
            (
                json!({"allowedCSIDrivers": [{"name": ""}]}),
                "allowedCSIDrivers[0].name: required",
            ),
        ];
        assert_settings_errors_contain(cases);
    }
}
