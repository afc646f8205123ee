//! A violation is one field that breaks the policy: its path in the submitted object, the offending value and
//! what is allowed. The wording follows Kubernetes' `field.Error` (`path: Invalid value: v: detail`), which PSP
//! used and admins know from `kubectl` output.

use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// The field holds a value the policy does not allow; the value as JSON.
    Invalid(String),
    /// The field is unset and the policy needs it set; the detail completes "must be set".
    Required,
    /// The field (or the feature it turns on) is not allowed at all.
    Forbidden,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    pub path: String,
    pub problem: Problem,
    pub detail: String,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.problem {
            Problem::Invalid(value) => write!(
                f,
                "{}: Invalid value: {}: {}",
                self.path, value, self.detail
            ),
            Problem::Required => write!(f, "{} must be set{}", self.path, self.detail),
            Problem::Forbidden => write!(f, "{}: Forbidden: {}", self.path, self.detail),
        }
    }
}

/// Every violation found in one evaluation.
#[derive(Debug, Default)]
pub struct Violations(Vec<Violation>);

impl Violations {
    pub(crate) fn invalid(
        &mut self,
        path: String,
        value: impl fmt::Display,
        detail: impl Into<String>,
    ) {
        self.0.push(Violation {
            path,
            problem: Problem::Invalid(value.to_string()),
            detail: detail.into(),
        });
    }

    /// `detail` completes the sentence "`path` must be set": ` to false`, ` (allowed ranges: 1-2)`.
    pub(crate) fn required(&mut self, path: String, detail: impl Into<String>) {
        self.0.push(Violation {
            path,
            problem: Problem::Required,
            detail: detail.into(),
        });
    }

    pub(crate) fn forbidden(&mut self, path: String, detail: impl Into<String>) {
        self.0.push(Violation {
            path,
            problem: Problem::Forbidden,
            detail: detail.into(),
        });
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = &Violation> {
        self.0.iter()
    }

    /// One line listing every violation, as the API server shows an admission message.
    pub(crate) fn message(&self) -> String {
        let list: Vec<String> = self.0.iter().map(ToString::to_string).collect();
        format!("PodSecurityPolicy: {}", list.join("; "))
    }
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

    #[test]
    fn renders_like_kubernetes_field_errors() {
        let mut v = Violations::default();
        v.invalid(
            "spec.containers[0].securityContext.privileged".into(),
            true,
            "privileged containers are not allowed",
        );
        v.required(
            "spec.containers[0].securityContext.allowPrivilegeEscalation".into(),
            " to false",
        );
        v.forbidden("spec.hostNetwork".into(), "host network is not allowed");
        assert_eq!(
            v.message(),
            "PodSecurityPolicy: spec.containers[0].securityContext.privileged: Invalid value: true: privileged \
             containers are not allowed; spec.containers[0].securityContext.allowPrivilegeEscalation must be set to \
             false; spec.hostNetwork: Forbidden: host network is not allowed"
        );
        assert_eq!(quoted_list(&["a", "b\"c"]), r#""a", "b\"c""#);
    }
}
