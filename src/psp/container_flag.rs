//! A boolean of each container's securityContext that a setting requires to hold one value:
//! `allowPrivilegeEscalation` (false, under `allowPrivilegeEscalation: false`) and `readOnlyRootFilesystem`
//! (true, under `readOnlyRootFilesystem: true`). PSP treats the two alike: defaulting fills in an unset value,
//! and validation rejects an unset value as well as the other one.

use super::security_context_field;
use crate::object::PodObject;
use crate::patch::Defaults;
use crate::pod::{Container, ContainerAt, SecurityContext};
use crate::violation::{Allowed, Violations};
use serde_json::Value;

/// One such boolean: its name under `securityContext`, and how to read and write it.
pub(super) struct ContainerFlag {
    field: &'static str,
    get: fn(&SecurityContext) -> Option<bool>,
    slot: fn(&mut SecurityContext) -> &mut Option<bool>,
}

pub(super) const ALLOW_PRIVILEGE_ESCALATION: ContainerFlag = ContainerFlag {
    field: "allowPrivilegeEscalation",
    get: |sc| sc.allow_privilege_escalation,
    slot: |sc| &mut sc.allow_privilege_escalation,
};

pub(super) const READ_ONLY_ROOT_FILESYSTEM: ContainerFlag = ContainerFlag {
    field: "readOnlyRootFilesystem",
    get: |sc| sc.read_only_root_filesystem,
    slot: |sc| &mut sc.read_only_root_filesystem,
};

impl ContainerFlag {
    /// Sets the flag to `value` where the container leaves it unset, on the typed container and in
    /// `defaults`.
    pub(super) fn default_to(
        &self,
        value: bool,
        at: ContainerAt,
        c: &mut Container,
        defaults: &mut Defaults,
    ) {
        if c.sc().and_then(self.get).is_some() {
            return;
        }
        *(self.slot)(c.sc_mut()) = Some(value);
        defaults.set_container(at, &["securityContext", self.field], Value::Bool(value));
    }

    /// Adds a violation for every container whose flag is not `required`: unset, or set to the other value
    /// (which `reason` explains).
    pub(super) fn require(
        &self,
        required: bool,
        reason: &str,
        pod: &PodObject,
        violations: &mut Violations,
    ) {
        for (at, c) in pod.spec.all_containers() {
            let field = || security_context_field(pod, at, c, self.field, true);
            match c.sc().and_then(self.get) {
                None => violations.required(
                    field(),
                    format!("must be set to {required}"),
                    Allowed::literal(required),
                ),
                Some(value) if value != required => {
                    violations.invalid(field(), value, reason, Allowed::literal(required))
                }
                Some(_) => {}
            }
        }
    }
}
