//! The PodSecurityPolicy field families. As in PSP's admission code (`pkg/security/podsecuritypolicy`), each
//! family owns its settings check, its defaulting (what PSP's `MutatePod` filled in) and its validation, so a
//! reader finds all of `runAsUser` in `users.rs`.
//!
//! Order matters only for defaulting, and follows PSP's `MutatePod`: pod-level defaults first (groups,
//! SELinux, seccomp, runtime class), then each container's.

pub mod apparmor;
pub mod capabilities;
pub mod groups;
pub mod host;
pub mod privilege_escalation;
pub mod privileged;
pub mod proc_mount;
pub mod profile_names;
pub mod ranges;
pub mod read_only_root_filesystem;
pub mod runtime_class;
pub mod seccomp;
pub mod selinux;
pub mod sysctls;
pub mod users;
pub mod volumes;

use crate::object::PodObject;
use crate::patch::Defaults;
use crate::settings::{RawSettings, SettingsErrors};
use crate::violation::Violations;

/// Every PSP field family, configured from one settings document.
#[derive(Debug)]
pub struct Psp {
    groups: groups::Groups,
    selinux: selinux::SeLinux,
    seccomp: seccomp::Seccomp,
    runtime_class: runtime_class::RuntimeClass,
    users: users::Users,
    apparmor: apparmor::AppArmor,
    capabilities: capabilities::Capabilities,
    read_only_root_filesystem: read_only_root_filesystem::ReadOnlyRootFilesystem,
    privilege_escalation: privilege_escalation::PrivilegeEscalation,
    privileged: privileged::Privileged,
    host: host::Host,
    volumes: volumes::Volumes,
    sysctls: sysctls::Sysctls,
    proc_mount: proc_mount::ProcMount,
}

impl Psp {
    /// Reads every family's keys from `settings`, adding each problem to `errors`.
    pub fn from_settings(settings: &RawSettings, errors: &mut SettingsErrors) -> Psp {
        Psp {
            groups: groups::Groups::from_settings(settings, errors),
            selinux: selinux::SeLinux::from_settings(settings, errors),
            seccomp: seccomp::Seccomp::from_settings(settings, errors),
            runtime_class: runtime_class::RuntimeClass::from_settings(settings, errors),
            users: users::Users::from_settings(settings, errors),
            apparmor: apparmor::AppArmor::from_settings(settings, errors),
            capabilities: capabilities::Capabilities::from_settings(settings, errors),
            read_only_root_filesystem:
                read_only_root_filesystem::ReadOnlyRootFilesystem::from_settings(settings),
            privilege_escalation: privilege_escalation::PrivilegeEscalation::from_settings(
                settings, errors,
            ),
            privileged: privileged::Privileged::from_settings(settings),
            host: host::Host::from_settings(settings, errors),
            volumes: volumes::Volumes::from_settings(settings, errors),
            sysctls: sysctls::Sysctls::from_settings(settings, errors),
            proc_mount: proc_mount::ProcMount::from_settings(settings, errors),
        }
    }

    /// Fills in what PSP would default, on the typed pod and in `defaults` (for the JSON object).
    pub fn default(&self, pod: &mut PodObject, defaults: &mut Defaults) {
        self.groups.default(pod, defaults);
        self.selinux.default(pod, defaults);
        self.seccomp.default(pod, defaults);
        self.runtime_class.default(pod, defaults);
        self.users.default(pod, defaults);
        self.apparmor.default(pod, defaults);
        self.capabilities.default(pod, defaults);
        self.read_only_root_filesystem.default(pod, defaults);
        self.privilege_escalation.default(pod, defaults);
    }

    /// Adds every violation of the pod to `violations`.
    pub fn validate(&self, pod: &PodObject, violations: &mut Violations) {
        self.host.validate(pod, violations);
        self.groups.validate(pod, violations);
        self.selinux.validate(pod, violations);
        self.seccomp.validate(pod, violations);
        self.sysctls.validate(pod, violations);
        self.volumes.validate(pod, violations);
        self.runtime_class.validate(pod, violations);
        self.users.validate(pod, violations);
        self.apparmor.validate(pod, violations);
        self.privileged.validate(pod, violations);
        self.proc_mount.validate(pod, violations);
        self.capabilities.validate(pod, violations);
        self.read_only_root_filesystem.validate(pod, violations);
        self.privilege_escalation.validate(pod, violations);
    }
}

/// Reports a missing or unknown strategy rule under `key`.
pub(crate) fn bad_rule(key: &str, rule: Option<&str>, choices: &str, errors: &mut SettingsErrors) {
    match rule {
        None => errors.add(key, format!("required; use {choices}")),
        Some(rule) => errors.add(key, format!("{rule:?} is not a rule; use {choices}")),
    }
}

#[cfg(test)]
pub(crate) mod test_support {
    //! Builders for the family tests: a settings document on top of RunAsAny rules, and a pod.
    use super::*;
    use crate::object::{Kind, PodObject};
    use serde_json::{json, Value};

    /// The settings `extra` on top of the four required rules set to RunAsAny.
    pub fn settings(extra: Value) -> RawSettings {
        let mut base = json!({
            "runAsUser": {"rule": "RunAsAny"},
            "seLinux": {"rule": "RunAsAny"},
            "supplementalGroups": {"rule": "RunAsAny"},
            "fsGroup": {"rule": "RunAsAny"},
            "volumes": ["*"],
        });
        if let (Some(base), Value::Object(extra)) = (base.as_object_mut(), extra) {
            base.extend(extra);
        }
        let mut raw: RawSettings = serde_json::from_value(base).unwrap();
        let mut errors = SettingsErrors::default();
        raw.normalize_profile_annotations(&mut errors);
        assert!(errors.is_empty(), "{errors:?}");
        raw
    }

    /// The settings errors of `extra`, as one string.
    pub fn settings_errors(extra: Value) -> String {
        let mut errors = SettingsErrors::default();
        Psp::from_settings(&settings(extra), &mut errors);
        errors.message()
    }

    pub fn psp(extra: Value) -> Psp {
        let mut errors = SettingsErrors::default();
        let psp = Psp::from_settings(&settings(extra), &mut errors);
        assert!(errors.is_empty(), "{errors:?}");
        psp
    }

    /// A Pod with `spec` and `annotations`.
    pub fn pod(spec: Value) -> PodObject {
        pod_with_annotations(spec, json!({}))
    }

    pub fn pod_with_annotations(spec: Value, annotations: Value) -> PodObject {
        let object = json!({"kind": "Pod", "metadata": {"annotations": annotations}, "spec": spec});
        PodObject::parse(Kind::Pod, &object.to_string()).unwrap()
    }

    /// The violations of `pod` under `psp`, one string each.
    pub fn violations(psp: &Psp, pod: &PodObject) -> Vec<String> {
        let mut v = Violations::default();
        psp.validate(pod, &mut v);
        v.iter().map(ToString::to_string).collect()
    }

    /// The pod after defaulting, and the JSON object the defaults produce.
    pub fn defaulted(psp: &Psp, spec: Value) -> (PodObject, Value) {
        let mut object = json!({"kind": "Pod", "metadata": {}, "spec": spec});
        let mut pod = PodObject::parse(Kind::Pod, &object.to_string()).unwrap();
        let mut defaults = Defaults::new(Kind::Pod);
        psp.default(&mut pod, &mut defaults);
        defaults.apply(&mut object).unwrap();
        // The typed pod and the JSON must agree: re-parsing the JSON gives the defaulted pod.
        let reparsed = PodObject::parse(Kind::Pod, &object.to_string()).unwrap();
        assert_eq!(
            reparsed, pod,
            "typed defaults and JSON defaults disagree: {object}"
        );
        (pod, object)
    }
}
