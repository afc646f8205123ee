//! A violation is one field that breaks the policy. The wording is Kubernetes' `field.Error` (what PSP printed
//! and what admins know from `kubectl`), extended with the container the field concerns and what is allowed:
//!
//! ```text
//! <path>[ (container "<name>")]: Invalid value: <value>: <reason>; allowed: <allowed>
//! <path>[ (container "<name>")]: Forbidden: <reason>; allowed: <allowed>
//! <path>[ (container "<name>")]: Required value: <reason>; allowed: <allowed>
//! ```
//!
//! A rejection lists a PodSecurityPolicy's violations after `PodSecurityPolicy: `, separated by `; `, and
//! joins it to the Pod Security Standard's part with ` | `.

use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// The field holds a value the policy does not allow; the value as JSON.
    Invalid(String),
    /// The field is unset and the policy needs it set.
    Required,
    /// The field (or the feature it turns on) may not be used at all.
    Forbidden,
}

/// What the policy allows in a field: the end of every violation, after `; allowed: `. A list of JSON values
/// (`"configMap", "secret"`), a list of ranges (`1-999, 2000`), a literal (`false`), or `none`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Allowed(String);

impl Allowed {
    /// Nothing is allowed: an empty allow-list.
    pub fn none() -> Allowed {
        Allowed("none".to_string())
    }

    /// The JSON strings `items`, quoted; `none` when there are none.
    pub fn values<S: AsRef<str>>(items: &[S]) -> Allowed {
        if items.is_empty() {
            Allowed::none()
        } else {
            Allowed(quoted_list(items))
        }
    }

    /// A list of ranges already written out (`1-999, 2000`); `none` when empty.
    pub fn ranges(described: String) -> Allowed {
        if described.is_empty() {
            Allowed::none()
        } else {
            Allowed(described)
        }
    }

    /// One JSON value: `false`, `true`, an object.
    pub fn literal(value: impl fmt::Display) -> Allowed {
        Allowed(value.to_string())
    }
}

impl fmt::Display for Allowed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Where a violation is: the path of the field in the submitted object, and the container it concerns, if it
/// concerns one (also when the field is the pod's and the container inherits it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Field {
    path: String,
    container: Option<String>,
}

impl Field {
    /// A field of the pod (or of its metadata) that concerns no one container.
    pub(crate) fn pod(path: String) -> Field {
        Field {
            path,
            container: None,
        }
    }

    /// A field that concerns the container `name`: its own, or the pod's that it inherits.
    pub(crate) fn container(path: String, name: &str) -> Field {
        Field {
            path,
            container: Some(name.to_string()),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    pub path: String,
    /// The name of the container the violation concerns.
    pub container: Option<String>,
    pub problem: Problem,
    pub reason: String,
    pub allowed: Allowed,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.path)?;
        if let Some(name) = &self.container {
            write!(f, " (container {})", quoted(name))?;
        }
        match &self.problem {
            Problem::Invalid(value) => write!(f, ": Invalid value: {value}")?,
            Problem::Required => f.write_str(": Required value")?,
            Problem::Forbidden => f.write_str(": Forbidden")?,
        }
        write!(f, ": {}; allowed: {}", self.reason, self.allowed)
    }
}

/// Every violation found in one evaluation.
#[derive(Debug, Default)]
pub struct Violations(Vec<Violation>);

impl Violations {
    fn push(&mut self, at: Field, problem: Problem, reason: impl Into<String>, allowed: Allowed) {
        self.0.push(Violation {
            path: at.path,
            container: at.container,
            problem,
            reason: reason.into(),
            allowed,
        });
    }

    /// The field at `at` holds `value` (shown as JSON), which is not allowed.
    pub(crate) fn invalid(
        &mut self,
        at: Field,
        value: impl fmt::Display,
        reason: impl Into<String>,
        allowed: Allowed,
    ) {
        self.push(at, Problem::Invalid(value.to_string()), reason, allowed);
    }

    /// The field at `at` is unset and must be set.
    pub(crate) fn required(&mut self, at: Field, reason: impl Into<String>, allowed: Allowed) {
        self.push(at, Problem::Required, reason, allowed);
    }

    /// The field at `at` may not be used at all.
    pub(crate) fn forbidden(&mut self, at: Field, reason: impl Into<String>, allowed: Allowed) {
        self.push(at, Problem::Forbidden, reason, allowed);
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = &Violation> {
        self.0.iter()
    }
}

/// Separates the parts of a rejection: a PodSecurityPolicy's violations, a Pod Security Standard's, another
/// entry's. Violations within a part are separated by `; `.
pub(crate) const PART_SEPARATOR: &str = " | ";

/// The message of one PodSecurityPolicy's rejection: its violations (`PodSecurityPolicy: v1; v2`) and its Pod
/// Security Standard's part (PSA's own words), joined by ` | `. `name` is the PodSecurityPolicy's name when
/// several are configured: then each part starts with `PodSecurityPolicy "<name>": `, so that a message
/// listing several PodSecurityPolicies says which part is whose. `None` when there is nothing to report.
pub(crate) fn rejection(
    name: Option<&str>,
    violations: &Violations,
    standard: Option<String>,
) -> Option<String> {
    let prefix = match name {
        Some(name) => format!("PodSecurityPolicy {}: ", quoted(name)),
        None => "PodSecurityPolicy: ".to_string(),
    };
    let mut parts = Vec::new();
    if !violations.is_empty() {
        let list: Vec<String> = violations.iter().map(ToString::to_string).collect();
        parts.push(format!("{prefix}{}", list.join("; ")));
    }
    if let Some(standard) = standard {
        match name {
            Some(_) => parts.push(format!("{prefix}{standard}")),
            None => parts.push(standard),
        }
    }
    (!parts.is_empty()).then(|| parts.join(PART_SEPARATOR))
}

/// A JSON rendering of a string value for messages: `"x"`.
pub(crate) fn quoted(s: &str) -> String {
    serde_json::Value::from(s).to_string()
}

/// `"a", "b"`: a list of names for messages.
pub(crate) fn quoted_list<S: AsRef<str>>(items: &[S]) -> String {
    let list: Vec<String> = items.iter().map(|s| quoted(s.as_ref())).collect();
    list.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn example() -> Violations {
        let mut v = Violations::default();
        v.forbidden(
            Field::pod("spec.hostNetwork".into()),
            "host network is not allowed",
            Allowed::literal(false),
        );
        v.invalid(
            Field::container(
                "spec.containers[0].securityContext.privileged".into(),
                "app",
            ),
            true,
            "privileged containers are not allowed",
            Allowed::literal(false),
        );
        v.invalid(
            Field::pod("spec.volumes[2]".into()),
            quoted("hostPath"),
            "hostPath volumes are not allowed to be used",
            Allowed::values(&["configMap", "emptyDir", "secret"]),
        );
        v.required(
            Field::container(
                "spec.containers[1].securityContext.allowPrivilegeEscalation".into(),
                "b",
            ),
            "must be set to false",
            Allowed::literal(false),
        );
        v.invalid(
            Field::container("spec.securityContext.runAsUser".into(), "b"),
            0,
            "running as root is not allowed",
            Allowed::ranges("1-65535".into()),
        );
        v.invalid(
            Field::pod("spec.runtimeClassName".into()),
            quoted("kata"),
            "RuntimeClass is not allowed",
            Allowed::values::<&str>(&[]),
        );
        v
    }

    #[test]
    fn renders_the_grammar_of_every_violation() {
        let lines: Vec<String> = example().iter().map(ToString::to_string).collect();
        assert_eq!(
            lines,
            [
                "spec.hostNetwork: Forbidden: host network is not allowed; allowed: false",
                "spec.containers[0].securityContext.privileged (container \"app\"): Invalid value: true: privileged \
                 containers are not allowed; allowed: false",
                "spec.volumes[2]: Invalid value: \"hostPath\": hostPath volumes are not allowed to be used; allowed: \
                 \"configMap\", \"emptyDir\", \"secret\"",
                "spec.containers[1].securityContext.allowPrivilegeEscalation (container \"b\"): Required value: must \
                 be set to false; allowed: false",
                "spec.securityContext.runAsUser (container \"b\"): Invalid value: 0: running as root is not allowed; \
                 allowed: 1-65535",
                "spec.runtimeClassName: Invalid value: \"kata\": RuntimeClass is not allowed; allowed: none",
            ]
        );
        assert_eq!(Allowed::ranges(String::new()).to_string(), "none");
        assert_eq!(quoted_list(&["a", "b\"c"]), r#""a", "b\"c""#);
        // A container name is a JSON string, whatever it holds.
        let mut odd = Violations::default();
        odd.required(
            Field::container("spec.containers[0].x".into(), "a\"b"),
            "must be set",
            Allowed::literal(true),
        );
        assert_eq!(
            odd.iter().map(ToString::to_string).collect::<Vec<_>>(),
            ["spec.containers[0].x (container \"a\\\"b\"): Required value: must be set; allowed: true"]
        );
    }

    #[test]
    fn a_rejection_joins_its_parts_with_a_bar() {
        let mut one = Violations::default();
        one.forbidden(
            Field::pod("spec.hostPID".into()),
            "host PID is not allowed",
            Allowed::literal(false),
        );
        let standard = || {
            Some("violates PodSecurity \"baseline:latest\": host namespaces (hostPID=true)".into())
        };
        assert_eq!(
            rejection(None, &one, standard()).as_deref(),
            Some(
                "PodSecurityPolicy: spec.hostPID: Forbidden: host PID is not allowed; allowed: false | violates \
                 PodSecurity \"baseline:latest\": host namespaces (hostPID=true)"
            )
        );
        assert_eq!(
            rejection(Some("restricted"), &one, standard()).as_deref(),
            Some(
                "PodSecurityPolicy \"restricted\": spec.hostPID: Forbidden: host PID is not allowed; allowed: false \
                 | PodSecurityPolicy \"restricted\": violates PodSecurity \"baseline:latest\": host namespaces \
                 (hostPID=true)"
            )
        );
        let none = Violations::default();
        assert_eq!(
            rejection(None, &none, standard()).as_deref(),
            Some("violates PodSecurity \"baseline:latest\": host namespaces (hostPID=true)")
        );
        assert_eq!(rejection(Some("a"), &none, None), None);
        let two = example();
        let message = rejection(None, &two, None).unwrap();
        assert!(message.starts_with("PodSecurityPolicy: spec.hostNetwork: Forbidden: "));
        assert_eq!(message.matches("; allowed: ").count(), 6, "{message}");
        assert!(!message.contains(" | "));
    }
}
