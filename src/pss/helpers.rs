//! What the checks share, after PSA's `policy/helpers.go` and `policy/visitor.go`: the wording helpers of its
//! messages, the container visitor, the profile types PSA allows, and the user-namespace test.

use std::collections::BTreeSet;

use super::Forbidden;
use crate::pod::{Container, PodSpec, Profile, SecurityContext};

/// `singular` when `count` is 1, else `plural`.
pub(super) fn pluralize<'a>(singular: &'a str, plural: &'a str, count: usize) -> &'a str {
    if count == 1 {
        singular
    } else {
        plural
    }
}

/// `"a", "b", "c"` (PSA's `joinQuote`: wraps in double quotes without escaping), empty for no items.
pub(super) fn join_quote<I, S>(items: I) -> String
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    let quoted: Vec<String> = items
        .into_iter()
        .map(|item| format!("\"{}\"", item.as_ref()))
        .collect();
    quoted.join(", ")
}

/// `container "a"` or `containers "a", "b"`.
pub(super) fn containers_phrase(names: &[&str]) -> String {
    format!(
        "{} {}",
        pluralize("container", "containers", names.len()),
        join_quote(names)
    )
}

/// `s` appended to `noun` unless `count` is 1: every plural of PSA's messages is formed so.
fn noun(noun: &str, count: usize) -> String {
    format!("{noun}{}", pluralize("", "s", count))
}

/// PSA's `<who> "a", "b" use(s) <what> <listed>` (`container "a" uses hostPort 8080`, `volumes "a", "b" use
/// restricted volume types "nfs", "rbd"`): `names` name the users, `count` things are listed.
pub(super) fn uses_phrase(
    who: &str,
    names: &[&str],
    what: &str,
    count: usize,
    listed: &str,
) -> String {
    format!(
        "{} {} {} {} {listed}",
        noun(who, names.len()),
        join_quote(names),
        pluralize("uses", "use", names.len()),
        noun(what, count),
    )
}

/// Who sets a forbidden value, as PSA's messages name them (its `badSetters`): `pod` when the pod does, then
/// the containers `bad` names; the message joins them with ` and `.
pub(super) fn bad_setters(pod: bool, bad: &[&str]) -> Vec<String> {
    let mut setters = Vec::new();
    if pod {
        setters.push("pod".to_string());
    }
    if !bad.is_empty() {
        setters.push(containers_phrase(bad));
    }
    setters
}

/// The names of the containers for which `bad` holds, in PSA's visiting order.
pub(super) fn bad_containers<'a>(
    spec: &'a PodSpec,
    mut bad: impl FnMut(&'a Container) -> bool,
) -> Vec<&'a str> {
    containers(spec)
        .filter(|c| bad(c))
        .map(|c| c.name.as_str())
        .collect()
}

/// A check that blames containers only: `reason`, with the detail `containers "a", "b" <rule>` naming those
/// for which `bad` holds; `None` when there are none.
pub(super) fn forbid_containers(
    spec: &PodSpec,
    reason: &str,
    rule: &str,
    bad: impl Fn(&Container) -> bool,
) -> Option<Forbidden> {
    let bad = bad_containers(spec, bad);
    if bad.is_empty() {
        return None;
    }
    Some(Forbidden::new(
        reason,
        format!("{} {rule}", containers_phrase(&bad)),
    ))
}

/// The forbidden type of a seccomp or AppArmor profile, if it has one: PSA allows `RuntimeDefault` and
/// `Localhost` for both (an unset type is the empty string, as in Go).
pub(super) fn forbidden_profile_type(profile: Option<&Profile>) -> Option<&str> {
    let profile_type = profile?.type_.as_deref().unwrap_or_default();
    match profile_type {
        "RuntimeDefault" | "Localhost" => None,
        other => Some(other),
    }
}

/// The setters (see [`bad_setters`]) of a profile of forbidden type, `pod_profile` the pod's and
/// `container_profile` reading a container's, and the forbidden types.
pub(super) fn forbidden_profile_setters<'a>(
    spec: &'a PodSpec,
    pod_profile: Option<&'a Profile>,
    container_profile: impl Fn(&'a SecurityContext) -> Option<&'a Profile>,
) -> (Vec<String>, BTreeSet<&'a str>) {
    let pod_bad = forbidden_profile_type(pod_profile);
    let mut bad_types: BTreeSet<&str> = pod_bad.into_iter().collect();
    let mut bad = Vec::new();
    for container in containers(spec) {
        if let Some(bad_type) = forbidden_profile_type(container.sc().and_then(&container_profile))
        {
            bad.push(container.name.as_str());
            bad_types.insert(bad_type);
        }
    }
    (bad_setters(pod_bad.is_some(), &bad), bad_types)
}

/// Go's `%q` for a string: double-quoted with Go escapes.
pub(super) fn go_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len().saturating_add(2));
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{b}' => out.push_str("\\v"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                out.push_str(&format!("\\x{:02x}", c as u32));
            }
            c if c.is_control() => {
                let code = c as u32;
                if code <= 0xffff {
                    out.push_str(&format!("\\u{code:04x}"));
                } else {
                    out.push_str(&format!("\\U{code:08x}"));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Every container (init, regular, ephemeral: PSA's `visitContainers` order).
pub(super) fn containers(spec: &PodSpec) -> impl Iterator<Item = &Container> {
    spec.all_containers().map(|(_, container)| container)
}

/// `spec.hostUsers: false` (a user-namespaced pod): relaxes some checks from policy v1.35 (KEP-127).
pub(super) fn in_user_namespace(spec: &PodSpec) -> bool {
    spec.host_users == Some(false)
}

#[cfg(test)]
pub(super) fn test_spec(value: serde_json::Value) -> PodSpec {
    serde_json::from_value(value).expect("test pod spec parses")
}

/// Asserts a check's verdict on one case: allowed when `want` is `None`, else forbidden for `reason` with the
/// detail `want`.
#[cfg(test)]
pub(super) fn assert_verdict(
    got: Option<Forbidden>,
    reason: &str,
    want: Option<&str>,
    case: impl std::fmt::Display,
) {
    assert_eq!(
        got.as_ref().map(|f| (f.reason.as_str(), f.detail.as_str())),
        want.map(|detail| (reason, detail)),
        "{case}"
    );
}

/// Asserts the verdict of every revision in `revisions` on each pod spec of `cases` (without annotations).
#[cfg(test)]
pub(super) fn assert_table<'a>(
    revisions: &[super::registry::CheckFn],
    reason: &str,
    cases: impl IntoIterator<Item = (serde_json::Value, Option<&'a str>)>,
) {
    for (spec, want) in cases {
        let parsed = test_spec(spec.clone());
        for check in revisions {
            assert_verdict(
                check(&super::Annotations::new(), &parsed),
                reason,
                want,
                &spec,
            );
        }
    }
}

#[cfg(test)]
pub(super) fn test_annotations(pairs: &[(&str, &str)]) -> super::Annotations {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_quote_escapes_like_go() {
        assert_eq!(go_quote("unconfined"), "\"unconfined\"");
        assert_eq!(go_quote("a\"b\\c"), "\"a\\\"b\\\\c\"");
        assert_eq!(go_quote("l1\nl2\t\u{1}"), "\"l1\\nl2\\t\\x01\"");
        assert_eq!(go_quote("é"), "\"é\"");
        assert_eq!(go_quote("\u{85}"), "\"\\u0085\"");
    }

    #[test]
    fn join_quote_and_pluralize() {
        assert_eq!(join_quote(Vec::<&str>::new()), "");
        assert_eq!(join_quote(["a"]), "\"a\"");
        assert_eq!(join_quote(["a", "b"]), "\"a\", \"b\"");
        assert_eq!(containers_phrase(&["a"]), "container \"a\"");
        assert_eq!(containers_phrase(&["a", "b"]), "containers \"a\", \"b\"");
        assert_eq!(pluralize("x", "xs", 0), "xs");
    }
}
