//! `runAsUser`: which UIDs containers run as (PSP's `user` strategies).
//!
//! Reads: each container's effective `runAsUser` and `runAsNonRoot` (the container's, else the pod's).
//! Allows, by rule:
//! - `MustRunAs` (ranges required): a UID inside the ranges. Defaults an unset UID to the first range's min.
//! - `MustRunAsNonRoot`: `runAsNonRoot` not false and `runAsUser` not 0, and at least one of them set (the
//!   kubelet then refuses a root image). Defaults `runAsNonRoot: true` when neither is set.
//! - `RunAsAny`: anything.

use super::ranges;
use super::{security_context_field, FieldFamily, PodContext, PspSettings};
use crate::object::PodObject;
use crate::patch::Defaults;
use crate::pod::{Container, ContainerAt, Effective};
use crate::settings::spec::IdRange;
use crate::settings::SettingsErrors;
use crate::violation::{Allowed, Violations};
use serde_json::Value;

/// The UIDs `MustRunAsNonRoot` allows: every UID but root's (PSP accepted any non-negative int64).
const NON_ROOT_UIDS: [IdRange; 1] = [IdRange {
    min: 1,
    max: ranges::MAX_ID,
}];

#[derive(Debug)]
enum Rule {
    MustRunAs(Vec<IdRange>),
    MustRunAsNonRoot,
    RunAsAny,
}

#[derive(Debug)]
pub struct Users {
    rule: Rule,
}

impl FieldFamily for Users {
    fn from_settings(settings: &PspSettings, errors: &mut SettingsErrors) -> Self {
        let raw = settings.in_effect.run_as_user.clone().unwrap_or_default();
        let ranges = raw.ranges.unwrap_or_default();
        ranges::check("runAsUser.ranges", &ranges, ranges::MAX_ID, errors);
        let rule = match raw.rule.as_deref() {
            Some("MustRunAs") => {
                if ranges.is_empty() {
                    errors.add("runAsUser.ranges", "MustRunAs needs at least one range");
                }
                Rule::MustRunAs(ranges)
            }
            Some("MustRunAsNonRoot") => Rule::MustRunAsNonRoot,
            Some("RunAsAny") => Rule::RunAsAny,
            other => {
                super::bad_rule(
                    "runAsUser.rule",
                    other,
                    "MustRunAs, MustRunAsNonRoot or RunAsAny",
                    errors,
                );
                Rule::RunAsAny
            }
        };
        Users { rule }
    }

    fn mutate_container(
        &self,
        pod: &PodContext,
        at: ContainerAt,
        c: &mut Container,
        defaults: &mut Defaults,
    ) {
        let effective = Effective {
            pod: pod.security_context,
            container: c.security_context.as_ref(),
        };
        match &self.rule {
            Rule::MustRunAs(ranges) if effective.run_as_user().is_none() => {
                if let Some(first) = ranges.first() {
                    c.sc_mut().run_as_user = Some(first.min);
                    defaults.set_container(
                        at,
                        &["securityContext", "runAsUser"],
                        Value::from(first.min),
                    );
                }
            }
            Rule::MustRunAsNonRoot
                if effective.run_as_user().is_none() && effective.run_as_non_root().is_none() =>
            {
                c.sc_mut().run_as_non_root = Some(true);
                defaults.set_container(at, &["securityContext", "runAsNonRoot"], Value::Bool(true));
            }
            _ => {}
        }
    }

    fn validate_pod(&self, pod: &PodObject, violations: &mut Violations) {
        if matches!(self.rule, Rule::RunAsAny) {
            return;
        }
        for (at, c) in pod.spec.all_containers() {
            let effective = Effective::of(&pod.spec, c);
            // Report a value where it is set: the container's own, else the pod's.
            let own_sc = c.sc();
            let at_field = |field: &str, own: bool| security_context_field(pod, at, c, field, own);
            let user_is_own = own_sc.and_then(|sc| sc.run_as_user).is_some();
            let non_root_is_own = own_sc.and_then(|sc| sc.run_as_non_root).is_some();
            match &self.rule {
                Rule::MustRunAs(ranges) => match effective.run_as_user() {
                    None => violations.required(
                        at_field("runAsUser", true),
                        "must be set",
                        ranges::allowed(ranges),
                    ),
                    Some(uid) if !ranges::contains(ranges, uid) => violations.invalid(
                        at_field("runAsUser", user_is_own),
                        uid,
                        "UID is not in the allowed ranges",
                        ranges::allowed(ranges),
                    ),
                    Some(_) => {}
                },
                Rule::MustRunAsNonRoot => {
                    match (effective.run_as_non_root(), effective.run_as_user()) {
                        (None, None) => violations.required(
                            at_field("runAsNonRoot", true),
                            "must be set to true, or runAsUser to a non-zero UID",
                            Allowed::literal(true),
                        ),
                        (Some(false), _) => violations.invalid(
                            at_field("runAsNonRoot", non_root_is_own),
                            false,
                            "containers must not run as root",
                            Allowed::literal(true),
                        ),
                        (_, Some(0)) => violations.invalid(
                            at_field("runAsUser", user_is_own),
                            0,
                            "running as root is not allowed",
                            ranges::allowed(&NON_ROOT_UIDS),
                        ),
                        _ => {}
                    }
                }
                Rule::RunAsAny => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::psp::test_support::*;
    use serde_json::json;

    #[test]
    fn must_run_as_non_root() {
        let p = psp(json!({"runAsUser": {"rule": "MustRunAsNonRoot"}}));
        let cases = [
            (json!({"containers": [{"name": "a"}]}), vec![
                "spec.containers[0].securityContext.runAsNonRoot (container \"a\"): Required value: must be set to true, or runAsUser to a non-zero UID; allowed: true",
            ]),
            (json!({"securityContext": {"runAsNonRoot": true}, "containers": [{"name": "a", "securityContext": {"runAsUser": 0}}]}), vec![
                "spec.containers[0].securityContext.runAsUser (container \"a\"): Invalid value: 0: running as root is not allowed; allowed: 1-9223372036854775807",
            ]),
            (json!({"securityContext": {"runAsUser": 0}, "containers": [{"name": "a"}]}), vec![
                "spec.securityContext.runAsUser (container \"a\"): Invalid value: 0: running as root is not allowed; allowed: 1-9223372036854775807",
            ]),
            (json!({"containers": [{"name": "a", "securityContext": {"runAsNonRoot": false, "runAsUser": 5}}]}), vec![
                "spec.containers[0].securityContext.runAsNonRoot (container \"a\"): Invalid value: false: containers must not run as root; allowed: true",
            ]),
            (json!({"containers": [{"name": "a", "securityContext": {"runAsUser": 1000}}]}), vec![]),
            (json!({"securityContext": {"runAsNonRoot": true}, "containers": [{"name": "a"}], "ephemeralContainers": [{"name": "e"}]}), vec![]),
        ];
        assert_violations_by_pod(&p, cases);
        let (after, object) = defaulted(
            &p,
            json!({"containers": [{"name": "a"}, {"name": "b", "securityContext": {"runAsUser": 7}}]}),
        );
        assert_eq!(
            object["spec"]["containers"][0]["securityContext"],
            json!({"runAsNonRoot": true})
        );
        assert_eq!(
            object["spec"]["containers"][1]["securityContext"],
            json!({"runAsUser": 7})
        );
        assert!(violations(&p, &after).is_empty());
    }

    #[test]
    fn must_run_as_ranges() {
        let p = psp(
            json!({"runAsUser": {"rule": "MustRunAs", "ranges": [{"min": 1000, "max": 2000}]}}),
        );
        let cases = [
            (json!({"containers": [{"name": "a"}]}), vec!["spec.containers[0].securityContext.runAsUser (container \"a\"): Required value: must be set; allowed: 1000-2000"]),
            (json!({"containers": [{"name": "a", "securityContext": {"runAsUser": 999}}]}), vec![
                "spec.containers[0].securityContext.runAsUser (container \"a\"): Invalid value: 999: UID is not in the allowed ranges; allowed: 1000-2000",
            ]),
            (json!({"securityContext": {"runAsUser": 1500}, "containers": [{"name": "a"}]}), vec![]),
        ];
        assert_violations_by_pod(&p, cases);
        let (after, object) = defaulted(
            &p,
            json!({"initContainers": [{"name": "i"}], "containers": [{"name": "a"}]}),
        );
        assert_eq!(
            object["spec"]["initContainers"][0]["securityContext"]["runAsUser"],
            json!(1000)
        );
        assert!(violations(&p, &after).is_empty());
        // The pod's UID satisfies every container: nothing to default.
        let (_, object) = defaulted(
            &p,
            json!({"securityContext": {"runAsUser": 1500}, "containers": [{"name": "a"}]}),
        );
        assert_eq!(object["spec"]["containers"][0], json!({"name": "a"}));
    }

    #[test]
    fn settings_checks() {
        let cases = [
            (json!({"runAsUser": {"rule": "MustRunAs"}}), "runAsUser.ranges: MustRunAs needs at least one range"),
            (json!({"runAsUser": {"rule": "MustRunAs", "ranges": [{"min": 5, "max": 1}]}}), "runAsUser.ranges[0]: min (5) cannot be greater"),
            (json!({"runAsUser": {"rule": "MustRunAs", "ranges": [{"min": -5, "max": 1}]}}), "runAsUser.ranges[0]: min (-5) and max (1) must not be negative"),
            (json!({"runAsUser": {"rule": "NonRoot"}}), "runAsUser.rule: \"NonRoot\" is not a rule; use MustRunAs, MustRunAsNonRoot or RunAsAny"),
        ];
        assert_settings_errors_contain(cases);
    }
}
