//! The kinds the policy judges, from the host's table of kinds (crate psp-host): every list of
//! kinds and every pod spec path the tests use is derived from that one table.

use psp_host::kinds::{find, pod_spec_paths, KindInfo};

/// Every kind the policy judges, with the dotted path of its pod spec.
pub const KINDS: [(&str, &str); 8] = pod_spec_paths(false);

/// The workload kinds, with the dotted path of their pod template's spec.
pub const WORKLOADS: [(&str, &str); 7] = pod_spec_paths(true);

/// The three container lists of a pod spec.
pub const CONTAINER_FIELDS: [&str; 3] = ["containers", "initContainers", "ephemeralContainers"];

/// The table's entry for `kind`, which the tests only ask for kinds it lists.
pub fn kind_info(kind: &str) -> &'static KindInfo {
    find(kind).unwrap_or_else(|| panic!("{kind} is not in the table of kinds"))
}

/// The dotted path of the pod (template) metadata beside the pod spec at `spec_path`:
/// `metadata` for a Pod, `spec.template.metadata` for a Deployment.
pub fn metadata_path(spec_path: &str) -> String {
    match spec_path.strip_suffix("spec") {
        Some(parent) => format!("{parent}metadata"),
        None => panic!("{spec_path} is not a pod spec path"),
    }
}
