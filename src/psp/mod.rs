//! The PodSecurityPolicy field families. As in PSP's admission code (`pkg/security/podsecuritypolicy`), each
//! family owns its settings check, its defaulting (what PSP's `MutatePod` filled in) and its validation (PSP's
//! `ValidatePod`), behind one trait, [`FieldFamily`], so a reader finds all of `runAsUser` in `users.rs`.
//!
//! Defaulting follows PSP's `MutatePod` (`provider.go`): every family's pod-level defaults first (in PSP's
//! order: supplementalGroups, fsGroup, SELinux, seccomp, runtime class), then each container in turn (init,
//! regular, ephemeral), every family's defaults for that container. Within a container the families write
//! disjoint fields, so their order there does not change the result. AppArmor's per-container defaults are
//! written in its pod-level step, since they go into the pod's annotations as well; no other family reads
//! or writes what it does, so that changes nothing either.
//!
//! Validation reports family by family, in the order of [`Psp::families`]: the order of the violations in a
//! message.

mod apparmor;
mod capabilities;
mod container_flag;
mod groups;
mod host;
mod host_paths;
mod privilege_escalation;
mod privileged;
mod proc_mount;
mod profile_names;
mod ranges;
mod read_only_root_filesystem;
mod runtime_class;
mod seccomp;
mod selinux;
mod sysctls;
mod users;
mod volumes;

use crate::object::PodObject;
use crate::patch::Defaults;
use crate::pod::{Container, ContainerAt, PodSecurityContext};
use crate::settings::{RawSettings, SettingsErrors};
use crate::violation::{Field, Violations};

/// A field of the container at `at`, `rest` below it (`ports[0].hostPort`), reported under the container's
/// name. Built only when there is a violation to report: most containers pass every check.
fn container_field(pod: &PodObject, at: ContainerAt, c: &Container, rest: &str) -> Field {
    Field::container(format!("{}.{rest}", pod.kind.container_path(at)), &c.name)
}

/// A securityContext field as container `c` has it: its own (`spec.containers[0].securityContext.runAsUser`)
/// when `own`, else the pod's that it inherits (`spec.securityContext.runAsUser`); reported under the
/// container's name either way.
fn security_context_field(
    pod: &PodObject,
    at: ContainerAt,
    c: &Container,
    field: &str,
    own: bool,
) -> Field {
    if own {
        container_field(pod, at, c, &format!("securityContext.{field}"))
    } else {
        Field::container(
            pod.kind.spec_field(&format!("securityContext.{field}")),
            &c.name,
        )
    }
}

/// The settings a PodSecurityPolicy is built from.
pub(crate) struct PspSettings<'a> {
    /// The keys in force.
    pub(crate) in_effect: &'a RawSettings,
    /// The keys as written: the user's, over a named profile's. Beside a Pod Security Standard the keys left
    /// out are filled in so that they constrain nothing (`settings::profiles::unconstrained`); a rule that
    /// relates two keys judges them as written, so that the filling never contradicts a written key.
    pub(crate) written: &'a RawSettings,
}

impl<'a> PspSettings<'a> {
    /// Settings in force just as they are written.
    pub(crate) fn as_written(settings: &'a RawSettings) -> Self {
        PspSettings {
            in_effect: settings,
            written: settings,
        }
    }
}

/// What a container's defaults depend on besides the container: the pod's own securityContext, which the
/// container inherits.
pub(crate) struct PodContext<'a> {
    pub(crate) security_context: Option<&'a PodSecurityContext>,
}

/// One PodSecurityPolicy field family: the strategy PSP's provider builds from a PSP's spec, and the provider's
/// two steps on a pod.
pub(crate) trait FieldFamily {
    /// Reads the family's keys, adding each problem to `errors` (PSP's API validation of the spec).
    fn from_settings(settings: &PspSettings, errors: &mut SettingsErrors) -> Self
    where
        Self: Sized;

    /// The pod-level part of PSP's `MutatePod`: fills in the pod's own fields, on the typed pod and in
    /// `defaults` (for the JSON object).
    fn mutate_pod(&self, _pod: &mut PodObject, _defaults: &mut Defaults) {}

    /// The per-container part of PSP's `MutatePod` (its `mutateContainer`), for the container at `at`.
    fn mutate_container(
        &self,
        _pod: &PodContext,
        _at: ContainerAt,
        _container: &mut Container,
        _defaults: &mut Defaults,
    ) {
    }

    /// PSP's `ValidatePod`: adds every violation of the pod to `violations`.
    fn validate_pod(&self, pod: &PodObject, violations: &mut Violations);
}

/// Every PSP field family, configured from one settings document: PSP's provider.
#[derive(Debug)]
pub struct Psp {
    host: host::Host,
    groups: groups::Groups,
    selinux: selinux::SeLinux,
    seccomp: seccomp::Seccomp,
    sysctls: sysctls::Sysctls,
    volumes: volumes::Volumes,
    runtime_class: runtime_class::RuntimeClass,
    users: users::Users,
    apparmor: apparmor::AppArmor,
    privileged: privileged::Privileged,
    proc_mount: proc_mount::ProcMount,
    capabilities: capabilities::Capabilities,
    read_only_root_filesystem: read_only_root_filesystem::ReadOnlyRootFilesystem,
    privilege_escalation: privilege_escalation::PrivilegeEscalation,
}

impl Psp {
    /// Reads every family's keys from `settings`, adding each problem to `errors`. The families read their keys
    /// in the order written here, which is the order settings problems are listed in.
    pub(crate) fn from_settings(settings: &PspSettings, errors: &mut SettingsErrors) -> Psp {
        let groups = FieldFamily::from_settings(settings, errors);
        let selinux = FieldFamily::from_settings(settings, errors);
        let seccomp = FieldFamily::from_settings(settings, errors);
        let runtime_class = FieldFamily::from_settings(settings, errors);
        let users = FieldFamily::from_settings(settings, errors);
        let apparmor = FieldFamily::from_settings(settings, errors);
        let capabilities = FieldFamily::from_settings(settings, errors);
        let read_only_root_filesystem = FieldFamily::from_settings(settings, errors);
        let privilege_escalation = FieldFamily::from_settings(settings, errors);
        let privileged = FieldFamily::from_settings(settings, errors);
        let host = FieldFamily::from_settings(settings, errors);
        let volumes = FieldFamily::from_settings(settings, errors);
        let sysctls = FieldFamily::from_settings(settings, errors);
        let proc_mount = FieldFamily::from_settings(settings, errors);
        Psp {
            host,
            groups,
            selinux,
            seccomp,
            sysctls,
            volumes,
            runtime_class,
            users,
            apparmor,
            privileged,
            proc_mount,
            capabilities,
            read_only_root_filesystem,
            privilege_escalation,
        }
    }

    /// Every family, in the order their violations are reported.
    fn families(&self) -> [&dyn FieldFamily; 14] {
        [
            &self.host,
            &self.groups,
            &self.selinux,
            &self.seccomp,
            &self.sysctls,
            &self.volumes,
            &self.runtime_class,
            &self.users,
            &self.apparmor,
            &self.privileged,
            &self.proc_mount,
            &self.capabilities,
            &self.read_only_root_filesystem,
            &self.privilege_escalation,
        ]
    }

    /// PSP's `MutatePod`: fills in what PSP would default, on the typed pod and in `defaults` (for the JSON
    /// object).
    pub fn mutate_pod(&self, pod: &mut PodObject, defaults: &mut Defaults) {
        let families = self.families();
        for family in families {
            family.mutate_pod(pod, defaults);
        }
        pod.spec
            .for_each_container_mut(|security_context, at, container| {
                let context = PodContext { security_context };
                for family in families {
                    family.mutate_container(&context, at, container, defaults);
                }
            });
    }

    /// PSP's `ValidatePod`: adds every violation of the pod to `violations`.
    pub fn validate_pod(&self, pod: &PodObject, violations: &mut Violations) {
        for family in self.families() {
            family.validate_pod(pod, violations);
        }
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
        Psp::from_settings(&PspSettings::as_written(&settings(extra)), &mut errors);
        errors.message()
    }

    pub fn psp(extra: Value) -> Psp {
        let mut errors = SettingsErrors::default();
        let psp = Psp::from_settings(&PspSettings::as_written(&settings(extra)), &mut errors);
        assert!(errors.is_empty(), "{errors:?}");
        psp
    }

    /// Settings of PSP's seccomp or AppArmor annotations, under `prefix`: `allowedProfileNames` `names` and,
    /// when given, `defaultProfileName` `default`.
    pub fn profile_annotations(prefix: &str, names: &str, default: Option<&str>) -> Value {
        let mut annotations = json!({ format!("{prefix}/allowedProfileNames"): names });
        if let Some(d) = default {
            annotations[format!("{prefix}/defaultProfileName")] = json!(d);
        }
        json!({ "annotations": annotations })
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
        psp.validate_pod(pod, &mut v);
        v.iter().map(ToString::to_string).collect()
    }

    /// Asserts the violations of the pod `spec` under each settings document of `cases`, on top of
    /// [`settings`]'s base.
    pub fn assert_violations_by_settings<'a>(
        spec: &Value,
        cases: impl IntoIterator<Item = (Value, Vec<&'a str>)>,
    ) {
        for (settings, expected) in cases {
            assert_eq!(
                violations(&psp(settings.clone()), &pod(spec.clone())),
                expected,
                "{settings}"
            );
        }
    }

    /// Asserts the violations of each pod spec of `cases` under `psp`.
    pub fn assert_violations_by_pod<'a>(
        psp: &Psp,
        cases: impl IntoIterator<Item = (Value, Vec<&'a str>)>,
    ) {
        for (spec, expected) in cases {
            assert_eq!(violations(psp, &pod(spec.clone())), expected, "{spec}");
        }
    }

    /// Asserts that the settings errors of each settings document of `cases` contain its text.
    pub fn assert_settings_errors_contain<'a>(cases: impl IntoIterator<Item = (Value, &'a str)>) {
        for (settings, needle) in cases {
            let errors = settings_errors(settings.clone());
            assert!(errors.contains(needle), "{settings}: {errors}");
        }
    }

    /// The pod after defaulting, and the JSON object the defaults produce.
    pub fn defaulted(psp: &Psp, spec: Value) -> (PodObject, Value) {
        defaulted_with_annotations(psp, spec, Value::Null)
    }

    /// [`defaulted`] for a pod with `annotations` (none when null).
    pub fn defaulted_with_annotations(
        psp: &Psp,
        spec: Value,
        annotations: Value,
    ) -> (PodObject, Value) {
        let mut object = json!({"kind": "Pod", "metadata": {}, "spec": spec});
        if !annotations.is_null() {
            object["metadata"]["annotations"] = annotations;
        }
        let mut pod = PodObject::parse(Kind::Pod, &object.to_string()).unwrap();
        let mut defaults = Defaults::new(Kind::Pod);
        psp.mutate_pod(&mut pod, &mut defaults);
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
