//! PSA check `restrictedVolumes` (restricted), after `policy/check_restrictedVolumes.go`.
//!
//! Besides forbidding HostPath volumes (it replaces baseline's `hostPathVolumes` in `restricted`), only the
//! inline volume sources that cannot reach node or network storage directly are allowed.
//!
//! Reads: the source of every `spec.volumes[*]`.
//! Allows: `configMap`, `csi`, `downwardAPI`, `emptyDir`, `ephemeral`, `image`, `persistentVolumeClaim`,
//! `projected`, `secret`; and a volume with no source (the API server defaults it to `emptyDir` before
//! admission).
//! Forbids every other source, under its own name, and a source this model does not know as `"unknown"`.
//! Differences from PSA, both for inputs the API server rejects anyway: PSA allows a volume as soon as one of
//! its sources is allowed, where this check forbids a volume with any forbidden source; PSA never sees source
//! keys its Go types lack, which are forbidden here.
//! Versions: one rule since v1.0 (PSA added `image` to its v1.0 function in Kubernetes 1.33, so it is allowed at
//! every pinned version).

use std::collections::BTreeSet;

use super::helpers::{join_quote, uses_phrase};
use super::registry::{Check, Revision};
use super::standard::Level;
use super::{Annotations, Forbidden};
use crate::pod::{PodSpec, VolumeType};

pub(super) const CHECK: Check = Check {
    id: "restrictedVolumes",
    level: Level::Restricted,
    revisions: &[Revision::overriding(
        0,
        restricted_volumes_v1_0,
        &[super::check_host_path_volumes::CHECK.id],
    )],
};

const ALLOWED: &[VolumeType] = &[
    VolumeType::ConfigMap,
    VolumeType::Csi,
    VolumeType::DownwardApi,
    VolumeType::EmptyDir,
    VolumeType::Ephemeral,
    VolumeType::Image,
    VolumeType::PersistentVolumeClaim,
    VolumeType::Projected,
    VolumeType::Secret,
];

pub(super) fn restricted_volumes_v1_0(_: &Annotations, spec: &PodSpec) -> Option<Forbidden> {
    let mut bad: Vec<&str> = Vec::new();
    let mut bad_types: BTreeSet<&str> = BTreeSet::new();
    for volume in spec.volumes() {
        let mut forbidden = false;
        for source in &volume.sources {
            if !ALLOWED.contains(source) {
                forbidden = true;
                bad_types.insert(source.source_key());
            }
        }
        if !volume.unknown_sources.is_empty() {
            forbidden = true;
            bad_types.insert("unknown");
        }
        if forbidden {
            bad.push(volume.name.as_str());
        }
    }
    if bad.is_empty() {
        return None;
    }
    Some(Forbidden::new(
        "restricted volume types",
        uses_phrase(
            "volume",
            &bad,
            "restricted volume type",
            bad_types.len(),
            &join_quote(&bad_types),
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::super::helpers::{assert_table, test_spec};
    use super::*;
    use serde_json::json;

    #[test]
    fn allows_the_nine_safe_sources_and_sourceless_volumes() {
        let spec = test_spec(json!({"volumes": [
            {"name": "a0"},
            {"name": "a1", "emptyDir": {}},
            {"name": "a2", "secret": {"secretName": "s"}},
            {"name": "a3", "persistentVolumeClaim": {"claimName": "c"}},
            {"name": "a4", "downwardAPI": {}},
            {"name": "a5", "configMap": {"name": "c"}},
            {"name": "a6", "projected": {"sources": []}},
            {"name": "a7", "csi": {"driver": "d"}},
            {"name": "a8", "ephemeral": {}},
            {"name": "a9", "image": {"reference": "r"}},
            {"name": "a10", "hostPath": null},
        ]}));
        assert_eq!(restricted_volumes_v1_0(&Annotations::new(), &spec), None);
    }

    #[test]
    fn forbids_every_other_source() {
        let spec = test_spec(json!({"volumes": [
            {"name": "a1", "emptyDir": {}},
            {"name": "b1", "hostPath": {"path": "/"}},
            {"name": "b2", "gcePersistentDisk": {}},
            {"name": "b3", "awsElasticBlockStore": {}},
            {"name": "b4", "gitRepo": {}},
            {"name": "b5", "nfs": {}},
            {"name": "b6", "iscsi": {}},
            {"name": "b7", "glusterfs": {}},
            {"name": "b8", "rbd": {}},
            {"name": "b9", "flexVolume": {"driver": "d"}},
            {"name": "b10", "cinder": {}},
            {"name": "b11", "cephfs": {}},
            {"name": "b12", "flocker": {}},
            {"name": "b13", "fc": {}},
            {"name": "b14", "azureFile": {}},
            {"name": "b15", "vsphereVolume": {}},
            {"name": "b16", "quobyte": {}},
            {"name": "b17", "azureDisk": {}},
            {"name": "b18", "photonPersistentDisk": {}},
            {"name": "b19", "portworxVolume": {}},
            {"name": "b20", "scaleIO": {}},
            {"name": "b21", "storageos": {}},
            {"name": "c1", "futureVolume": {}},
        ]}));
        let got = restricted_volumes_v1_0(&Annotations::new(), &spec);
        assert_eq!(
            got,
            Some(Forbidden::new(
                "restricted volume types",
                "volumes \"b1\", \"b2\", \"b3\", \"b4\", \"b5\", \"b6\", \"b7\", \"b8\", \"b9\", \"b10\", \"b11\", \
                 \"b12\", \"b13\", \"b14\", \"b15\", \"b16\", \"b17\", \"b18\", \"b19\", \"b20\", \"b21\", \"c1\" \
                 use restricted volume types \"awsElasticBlockStore\", \"azureDisk\", \"azureFile\", \"cephfs\", \
                 \"cinder\", \"fc\", \"flexVolume\", \"flocker\", \"gcePersistentDisk\", \"gitRepo\", \"glusterfs\", \
                 \"hostPath\", \"iscsi\", \"nfs\", \"photonPersistentDisk\", \"portworxVolume\", \"quobyte\", \
                 \"rbd\", \"scaleIO\", \"storageos\", \"unknown\", \"vsphereVolume\""
            ))
        );
    }

    #[test]
    fn table() {
        let cases = [
            (
                json!({"volumes": [{"name": "h", "hostPath": {"path": "/dev/null"}}]}),
                Some(r#"volume "h" uses restricted volume type "hostPath""#),
            ),
            (
                // Fail closed on a volume with several sources, one of them forbidden.
                json!({"volumes": [{"name": "m", "emptyDir": {}, "nfs": {"server": "s", "path": "/"}}]}),
                Some(r#"volume "m" uses restricted volume type "nfs""#),
            ),
            (
                json!({"volumes": [{"name": "x", "nfs": {}}, {"name": "y", "nfs": {}}]}),
                Some(r#"volumes "x", "y" use restricted volume type "nfs""#),
            ),
        ];
        assert_table(&[restricted_volumes_v1_0], "restricted volume types", cases);
    }
}
