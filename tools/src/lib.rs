//! Tools that ship `pod-security-policy` without kwctl: embed the metadata in the module
//! (`psp-annotate`), publish it to an OCI registry and pull it back (`psp-push`, `psp-pull`),
//! write its Artifact Hub package file (`psp-artifacthub`), and turn PodSecurityPolicies into
//! ClusterAdmissionPolicies that use it (`psp-migrate`).
//!
//! Each does what its kwctl counterpart does (`kwctl annotate`, `kwctl push`, `kwctl pull`,
//! `kwctl scaffold artifacthub`); the Makefile prefers kwctl when it is installed.

pub mod annotate;
pub mod artifacthub;
pub mod cli;
pub mod crd;
pub mod metadata;
pub mod migrate;
pub mod oci;
pub mod wasm;
