//! PSA check `seLinuxOptions` (baseline), after `policy/check_seLinuxOptions.go`.
//!
//! Setting the SELinux type is restricted to container types; setting a custom SELinux user or role is
//! forbidden.
//!
//! Reads: `seLinuxOptions.type`, `.user`, `.role` of `spec.securityContext` and of
//! `spec.{initContainers,containers,ephemeralContainers}[*].securityContext`.
//! Allows: `type` unset/empty, `container_t`, `container_init_t`, `container_kvm_t`, and from v1.31
//! `container_engine_t`; `user` and `role` unset/empty. (`level` is not restricted.)
//! Versions: v1.0; v1.31 adds `container_engine_t`.

use std::collections::BTreeSet;

use super::helpers::{bad_containers, bad_setters, join_quote, pluralize};
use super::registry::{Check, Revision};
use super::standard::Level;
use super::{Annotations, Forbidden};
use crate::pod::{PodSpec, SeLinuxOptions};

pub(super) const CHECK: Check = Check {
    id: "seLinuxOptions",
    level: Level::Baseline,
    revisions: &[
        Revision::since(0, se_linux_options_v1_0),
        Revision::since(31, se_linux_options_v1_31),
    ],
};

const ALLOWED_TYPES_V1_0: &[&str] = &["", "container_t", "container_init_t", "container_kvm_t"];
const ALLOWED_TYPES_V1_31: &[&str] = &[
    "",
    "container_t",
    "container_init_t",
    "container_kvm_t",
    "container_engine_t",
];

pub(super) fn se_linux_options_v1_0(_: &Annotations, spec: &PodSpec) -> Option<Forbidden> {
    se_linux_options(spec, ALLOWED_TYPES_V1_0)
}

pub(super) fn se_linux_options_v1_31(_: &Annotations, spec: &PodSpec) -> Option<Forbidden> {
    se_linux_options(spec, ALLOWED_TYPES_V1_31)
}

#[derive(Default)]
struct Findings<'a> {
    bad_types: BTreeSet<&'a str>,
    set_user: bool,
    set_role: bool,
}

impl<'a> Findings<'a> {
    /// Records what `options` sets that is forbidden; `true` if it is valid.
    fn valid(&mut self, options: &'a SeLinuxOptions, allowed_types: &[&str]) -> bool {
        let mut valid = true;
        let selinux_type = options.type_.as_deref().unwrap_or_default();
        if !allowed_types.contains(&selinux_type) {
            valid = false;
            self.bad_types.insert(selinux_type);
        }
        if options.user.as_deref().is_some_and(|u| !u.is_empty()) {
            valid = false;
            self.set_user = true;
        }
        if options.role.as_deref().is_some_and(|r| !r.is_empty()) {
            valid = false;
            self.set_role = true;
        }
        valid
    }
}

fn se_linux_options(spec: &PodSpec, allowed_types: &[&str]) -> Option<Forbidden> {
    let mut findings = Findings::default();
    let pod = spec
        .pod_security_context()
        .and_then(|sc| sc.se_linux_options.as_ref())
        .is_some_and(|options| !findings.valid(options, allowed_types));
    let bad = bad_containers(spec, |c| {
        c.sc()
            .and_then(|sc| sc.se_linux_options.as_ref())
            .is_some_and(|options| !findings.valid(options, allowed_types))
    });
    let setters = bad_setters(pod, &bad);
    if setters.is_empty() {
        return None;
    }

    let mut data: Vec<String> = Vec::new();
    if !findings.bad_types.is_empty() {
        data.push(format!(
            "{} {}",
            pluralize("type", "types", findings.bad_types.len()),
            join_quote(&findings.bad_types)
        ));
    }
    if findings.set_user {
        data.push("user may not be set".to_string());
    }
    if findings.set_role {
        data.push("role may not be set".to_string());
    }
    Some(Forbidden::new(
        "seLinuxOptions",
        format!(
            "{} set forbidden securityContext.seLinuxOptions: {}",
            setters.join(" and "),
            data.join("; ")
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::super::helpers::{assert_table, test_spec};
    use super::*;
    use serde_json::json;

    fn allowed_containers() -> serde_json::Value {
        json!([
            {"name": "a", "securityContext": {"seLinuxOptions": {"type": "container_t"}}},
            {"name": "b", "securityContext": {"seLinuxOptions": {"type": "container_init_t", "level": "s0:c1"}}},
            {"name": "c", "securityContext": {"seLinuxOptions": {"type": "container_kvm_t"}}},
        ])
    }

    #[test]
    fn table() {
        let bad_containers = {
            let mut cs = allowed_containers();
            if let Some(list) = cs.as_array_mut() {
                list.push(
                    json!({"name": "e", "securityContext": {"seLinuxOptions": {"type": "bar"}}}),
                );
                list.push(
                    json!({"name": "f", "securityContext": {"seLinuxOptions": {"user": "bar"}}}),
                );
                list.push(
                    json!({"name": "g", "securityContext": {"seLinuxOptions": {"role": "baz"}}}),
                );
            }
            cs
        };
        let cases = [
            (
                json!({"containers": allowed_containers(), "securityContext": {"seLinuxOptions": {}}}),
                None,
            ),
            (
                json!({"securityContext": {"seLinuxOptions": {"type": "foo", "user": "bar", "role": "baz"}}, "containers": bad_containers.clone()}),
                Some(
                    r#"pod and containers "e", "f", "g" set forbidden securityContext.seLinuxOptions: types "bar", "foo"; user may not be set; role may not be set"#,
                ),
            ),
            (
                json!({"securityContext": {"seLinuxOptions": {"type": "foo", "user": "bar", "role": "baz"}}, "containers": allowed_containers()}),
                Some(
                    r#"pod set forbidden securityContext.seLinuxOptions: type "foo"; user may not be set; role may not be set"#,
                ),
            ),
            (
                json!({"securityContext": {"seLinuxOptions": {}}, "containers": bad_containers}),
                Some(
                    r#"containers "e", "f", "g" set forbidden securityContext.seLinuxOptions: type "bar"; user may not be set; role may not be set"#,
                ),
            ),
            (
                json!({"securityContext": {"seLinuxOptions": {"type": "bad"}}}),
                Some(r#"pod set forbidden securityContext.seLinuxOptions: type "bad""#),
            ),
            (
                json!({"securityContext": {"seLinuxOptions": {"user": "bad"}}}),
                Some("pod set forbidden securityContext.seLinuxOptions: user may not be set"),
            ),
            (
                json!({"securityContext": {"seLinuxOptions": {"role": "bad"}}}),
                Some("pod set forbidden securityContext.seLinuxOptions: role may not be set"),
            ),
        ];
        assert_table(
            &[se_linux_options_v1_0, se_linux_options_v1_31],
            "seLinuxOptions",
            cases,
        );
    }

    #[test]
    fn container_engine_t_is_allowed_from_v1_31() {
        let spec = test_spec(
            json!({"containers": [{"name": "d", "securityContext": {"seLinuxOptions": {"type": "container_engine_t"}}}]}),
        );
        assert_eq!(
            se_linux_options_v1_0(&Annotations::new(), &spec).map(|f| f.detail),
            Some(r#"container "d" set forbidden securityContext.seLinuxOptions: type "container_engine_t""#.to_string())
        );
        assert_eq!(se_linux_options_v1_31(&Annotations::new(), &spec), None);
    }
}
