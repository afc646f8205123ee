//! What the checks share, after PSA's `policy/helpers.go` and `policy/visitor.go`: the wording helpers of its
//! messages, the container visitor, and the user-namespace test.

use crate::pod::{Container, PodSpec};

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
