//! Group IDs: `runAsGroup`, `supplementalGroups` and `fsGroup` (PSP's `group` strategies).
//!
//! Reads: each container's effective `runAsGroup` (container's, else the pod's); the pod's
//! `securityContext.supplementalGroups` and `securityContext.fsGroup`.
//! Allows, by rule:
//! - `MustRunAs` (ranges required): the group(s) must be set and inside the ranges. Defaults an unset value
//!   to the first range's min (`supplementalGroups: [min]`).
//! - `MayRunAs` (ranges required): unset is fine; a set group must be inside the ranges. No default.
//! - `RunAsAny`: anything. `runAsGroup` may be absent from the settings: then it is not checked.
//!
//! The legacy `EphemeralContainers` object holds no pod-level field: there only `runAsGroup` is judged.

use super::ranges;
use super::{security_context_field, FieldFamily, PodContext, PspSettings};
use crate::object::PodObject;
use crate::patch::Defaults;
use crate::pod::{Container, ContainerAt, Effective};
use crate::settings::spec::{IdRange, IdStrategy};
use crate::settings::SettingsErrors;
use crate::violation::{Field, Violations};
use serde_json::Value;

#[derive(Debug, Clone)]
enum Rule {
    MustRunAs(Vec<IdRange>),
    MayRunAs(Vec<IdRange>),
    RunAsAny,
}

impl Rule {
    fn from_settings(key: &str, raw: Option<&IdStrategy>, errors: &mut SettingsErrors) -> Rule {
        let Some(raw) = raw else {
            return Rule::RunAsAny;
        };
        let ranges = raw.ranges.clone().unwrap_or_default();
        ranges::check(&format!("{key}.ranges"), &ranges, ranges::MAX_ID, errors);
        let needs_ranges = |rule: &str, errors: &mut SettingsErrors| {
            if ranges.is_empty() {
                errors.add(
                    format!("{key}.ranges"),
                    format!("{rule} needs at least one range"),
                );
            }
        };
        match raw.rule.as_deref() {
            Some("MustRunAs") => {
                needs_ranges("MustRunAs", errors);
                Rule::MustRunAs(ranges)
            }
            Some("MayRunAs") => {
                needs_ranges("MayRunAs", errors);
                Rule::MayRunAs(ranges)
            }
            Some("RunAsAny") => Rule::RunAsAny,
            other => {
                super::bad_rule(
                    &format!("{key}.rule"),
                    other,
                    "MustRunAs, MayRunAs or RunAsAny",
                    errors,
                );
                Rule::RunAsAny
            }
        }
    }

    /// The value PSP fills in: the first range's minimum, for MustRunAs only.
    fn generated(&self) -> Option<i64> {
        match self {
            Rule::MustRunAs(ranges) => ranges.first().map(|r| r.min),
            _ => None,
        }
    }

    /// Checks the groups set at `at` (an empty slice: unset); `at(Some(i))` is the field of the `i`th group.
    fn check(
        &self,
        at: impl Fn(Option<usize>) -> Field,
        groups: &[i64],
        many: bool,
        v: &mut Violations,
    ) {
        let ranges = match self {
            Rule::RunAsAny => return,
            Rule::MustRunAs(ranges) | Rule::MayRunAs(ranges) => ranges,
        };
        if groups.is_empty() {
            if matches!(self, Rule::MustRunAs(_)) {
                v.required(at(None), "must be set", ranges::allowed(ranges));
            }
            return;
        }
        for (i, group) in groups.iter().enumerate() {
            if !ranges::contains(ranges, *group) {
                v.invalid(
                    at(many.then_some(i)),
                    group,
                    "group is not in the allowed ranges",
                    ranges::allowed(ranges),
                );
            }
        }
    }
}

#[derive(Debug)]
pub struct Groups {
    run_as_group: Rule,
    supplemental_groups: Rule,
    fs_group: Rule,
}

impl FieldFamily for Groups {
    fn from_settings(settings: &PspSettings, errors: &mut SettingsErrors) -> Self {
        Groups {
            run_as_group: Rule::from_settings(
                "runAsGroup",
                settings.in_effect.run_as_group.as_ref(),
                errors,
            ),
            supplemental_groups: Rule::from_settings(
                "supplementalGroups",
                settings.in_effect.supplemental_groups.as_ref(),
                errors,
            ),
            fs_group: Rule::from_settings("fsGroup", settings.in_effect.fs_group.as_ref(), errors),
        }
    }

    fn mutate_pod(&self, pod: &mut PodObject, defaults: &mut Defaults) {
        let supplemental_unset = pod
            .spec
            .pod_security_context()
            .is_none_or(|sc| sc.supplemental_groups.as_ref().is_none_or(|g| g.is_empty()));
        if let (Some(group), true) = (self.supplemental_groups.generated(), supplemental_unset) {
            pod.spec.pod_sc_mut().supplemental_groups = Some(vec![group]);
            defaults.set_pod(
                &["securityContext", "supplementalGroups"],
                Value::from(vec![group]),
            );
        }
        let fs_group_unset = pod
            .spec
            .pod_security_context()
            .is_none_or(|sc| sc.fs_group.is_none());
        if let (Some(group), true) = (self.fs_group.generated(), fs_group_unset) {
            pod.spec.pod_sc_mut().fs_group = Some(group);
            defaults.set_pod(&["securityContext", "fsGroup"], Value::from(group));
        }
    }

    fn mutate_container(
        &self,
        pod: &PodContext,
        at: ContainerAt,
        c: &mut Container,
        defaults: &mut Defaults,
    ) {
        let Some(group) = self.run_as_group.generated() else {
            return;
        };
        let effective = Effective {
            pod: pod.security_context,
            container: c.security_context.as_ref(),
        };
        if effective.run_as_group().is_none() {
            c.sc_mut().run_as_group = Some(group);
            defaults.set_container(at, &["securityContext", "runAsGroup"], Value::from(group));
        }
    }

    fn validate_pod(&self, pod: &PodObject, violations: &mut Violations) {
        if pod.kind.has_pod_fields() {
            self.validate_pod_groups(pod, violations);
        }
        self.validate_run_as_group(pod, violations);
    }
}

impl Groups {
    /// The pod's own `fsGroup` and `supplementalGroups`.
    fn validate_pod_groups(&self, pod: &PodObject, violations: &mut Violations) {
        let sc = pod.spec.pod_security_context();
        let fs_group: Vec<i64> = sc.and_then(|sc| sc.fs_group).into_iter().collect();
        let fs_group_path = pod.kind.spec_field("securityContext.fsGroup");
        self.fs_group.check(
            |_| Field::pod(fs_group_path.clone()),
            &fs_group,
            false,
            violations,
        );

        let supplemental = sc
            .and_then(|sc| sc.supplemental_groups.as_deref())
            .unwrap_or_default();
        let supplemental_path = pod.kind.spec_field("securityContext.supplementalGroups");
        self.supplemental_groups.check(
            |i| {
                Field::pod(i.map_or_else(
                    || supplemental_path.clone(),
                    |i| format!("{supplemental_path}[{i}]"),
                ))
            },
            supplemental,
            true,
            violations,
        );
    }

    /// Each container's effective `runAsGroup`.
    fn validate_run_as_group(&self, pod: &PodObject, violations: &mut Violations) {
        if matches!(self.run_as_group, Rule::RunAsAny) {
            return;
        }
        for (at, c) in pod.spec.all_containers() {
            let group: Vec<i64> = Effective::of(&pod.spec, c)
                .run_as_group()
                .into_iter()
                .collect();
            let own = c.sc().and_then(|sc| sc.run_as_group).is_some() || group.is_empty();
            self.run_as_group.check(
                |_| security_context_field(pod, at, c, "runAsGroup", own),
                &group,
                false,
                violations,
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::psp::test_support::*;
    use serde_json::json;

    fn must(min: i64, max: i64) -> serde_json::Value {
        json!({"rule": "MustRunAs", "ranges": [{"min": min, "max": max}]})
    }

    #[test]
    fn fs_group_and_supplemental_groups() {
        let p = psp(json!({"fsGroup": must(100, 200), "supplementalGroups": must(100, 200)}));
        let cases = [
            (json!({"containers": []}), vec![
                "spec.securityContext.fsGroup: Required value: must be set; allowed: 100-200",
                "spec.securityContext.supplementalGroups: Required value: must be set; allowed: 100-200",
            ]),
            (json!({"securityContext": {"fsGroup": 5, "supplementalGroups": [150, 300]}, "containers": []}), vec![
                "spec.securityContext.fsGroup: Invalid value: 5: group is not in the allowed ranges; allowed: 100-200",
                "spec.securityContext.supplementalGroups[1]: Invalid value: 300: group is not in the allowed ranges; allowed: 100-200",
            ]),
            (json!({"securityContext": {"fsGroup": 100, "supplementalGroups": [200]}, "containers": []}), vec![]),
        ];
        assert_violations_by_pod(&p, cases);
    }

    #[test]
    fn may_run_as_allows_unset() {
        let may = json!({"rule": "MayRunAs", "ranges": [{"min": 100, "max": 200}]});
        let p = psp(json!({"fsGroup": may, "supplementalGroups": may, "runAsGroup": may}));
        assert!(violations(&p, &pod(json!({"containers": [{"name": "a"}]}))).is_empty());
        let bad = json!({"securityContext": {"fsGroup": 1}, "containers": [{"name": "a", "securityContext": {"runAsGroup": 0}}]});
        assert_eq!(violations(&p, &pod(bad)), vec![
            "spec.securityContext.fsGroup: Invalid value: 1: group is not in the allowed ranges; allowed: 100-200",
            "spec.containers[0].securityContext.runAsGroup (container \"a\"): Invalid value: 0: group is not in the allowed ranges; allowed: 100-200",
        ]);
        let (_, object) = defaulted(&p, json!({"containers": [{"name": "a"}]}));
        assert_eq!(
            object,
            json!({"kind": "Pod", "metadata": {}, "spec": {"containers": [{"name": "a"}]}})
        );
    }

    #[test]
    fn defaults_keep_the_rest_of_the_security_context() {
        let p = psp(
            json!({"fsGroup": must(100, 200), "supplementalGroups": must(300, 400), "runAsGroup": must(500, 600)}),
        );
        let (after, object) = defaulted(
            &p,
            json!({
                "securityContext": {"runAsUser": 1000, "runAsNonRoot": true},
                "containers": [{"name": "a"}, {"name": "b", "securityContext": {"runAsGroup": 550}}]
            }),
        );
        assert_eq!(
            object["spec"]["securityContext"],
            json!({
                "runAsUser": 1000, "runAsNonRoot": true, "supplementalGroups": [300], "fsGroup": 100
            })
        );
        assert_eq!(
            object["spec"]["containers"][0]["securityContext"],
            json!({"runAsGroup": 500})
        );
        assert_eq!(
            object["spec"]["containers"][1]["securityContext"],
            json!({"runAsGroup": 550})
        );
        assert_eq!(violations(&p, &after), Vec::<String>::new());
    }

    #[test]
    fn settings_checks() {
        let cases = [
            (
                json!({"fsGroup": {"rule": "MustRunAs"}}),
                "fsGroup.ranges: MustRunAs needs at least one range",
            ),
            (
                json!({"supplementalGroups": {"rule": "MayRunAs", "ranges": []}}),
                "supplementalGroups.ranges: MayRunAs needs",
            ),
            (
                json!({"runAsGroup": {"rule": "MustRunAsNonRoot"}}),
                "runAsGroup.rule: \"MustRunAsNonRoot\" is not a rule",
            ),
            (json!({"fsGroup": {}}), "fsGroup.rule: required"),
            (
                json!({"fsGroup": must(10, 1)}),
                "fsGroup.ranges[0]: min (10) cannot be greater than max (1)",
            ),
        ];
        assert_settings_errors_contain(cases);
    }
}
