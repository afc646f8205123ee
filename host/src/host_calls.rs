//! The host capabilities the guest may call (waPC's `__host_call`: binding, namespace,
//! operation, payload), answered as a policy-server without cluster access answers them.
//!
//! [`HostCalls::answer`] dispatches on `(binding, namespace, operation)`: one arm per capability
//! this host implements, each handled by a function of this file or by [`Authz`]. Anything else
//! goes to the caller's [`HostCallback`] (a test's stand-in for a capability), or fails, as it
//! would on a policy-server whose policy lacks the capability. Every call but logging is recorded,
//! in order, with its answer.

use std::sync::{Arc, Mutex};

use crate::authz::{describe_can_i, Authz};

/// Set this environment variable (to anything) to print the guest's log lines on stderr.
pub const GUEST_LOG_ENV: &str = "PSP_GUEST_LOG";

/// A host capability the guest may call (`binding`, `namespace`, `operation`, `payload`),
/// answered by the caller of the host.
pub type HostCallback =
    dyn Fn(&str, &str, &str, &[u8]) -> std::result::Result<Vec<u8>, String> + Send + Sync;

/// One host call of the guest, as recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostCall {
    /// `binding/namespace/operation`, e.g. `kubewarden/kubernetes/can_i`.
    pub capability: String,
    /// The request in one line: for can_i, `<user> [<groups>] use <group>/<name> in <namespace>`;
    /// else the payload as text.
    pub request: String,
    /// The answer as text, or the error the call failed with.
    pub answer: std::result::Result<String, String>,
}

/// How the guest's host calls are answered: `kubernetes/can_i` from an [`Authz`], others by a
/// callback. Clones share one record of the calls.
#[derive(Clone)]
pub struct HostCalls {
    authz: Option<Arc<Authz>>,
    callback: Option<Arc<HostCallback>>,
    /// `None`: the calls are not recorded (for timing).
    record: Option<Arc<Mutex<Vec<HostCall>>>>,
}

impl Default for HostCalls {
    fn default() -> Self {
        HostCalls::new()
    }
}

impl std::fmt::Debug for HostCalls {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HostCalls")
            .field("authz", &self.authz)
            .field("callback", &self.callback.is_some())
            .finish_non_exhaustive()
    }
}

impl HostCalls {
    /// No capability but logging.
    pub fn new() -> HostCalls {
        HostCalls {
            authz: None,
            callback: None,
            record: Some(Arc::default()),
        }
    }

    /// Records nothing (the record costs time: for benchmarks).
    pub fn unrecorded(mut self) -> HostCalls {
        self.record = None;
        self
    }

    /// Answers `kubernetes/can_i` from `authz`.
    pub fn with_authz(mut self, authz: Authz) -> HostCalls {
        self.authz = Some(Arc::new(authz));
        self
    }

    /// Answers the calls this host does not implement with `callback`.
    pub fn with_callback(mut self, callback: Arc<HostCallback>) -> HostCalls {
        self.callback = Some(callback);
        self
    }

    /// Every call answered so far (logging aside), in order.
    pub fn recorded(&self) -> Vec<HostCall> {
        self.record
            .as_ref()
            .and_then(|record| record.lock().ok().map(|calls| calls.clone()))
            .unwrap_or_default()
    }

    /// Forgets the calls recorded so far.
    pub fn clear(&self) {
        if let Some(Ok(mut calls)) = self.record.as_ref().map(|record| record.lock()) {
            calls.clear();
        }
    }

    /// The host's answer to one host call of the guest.
    pub fn answer(
        &self,
        binding: &str,
        namespace: &str,
        operation: &str,
        payload: &[u8],
    ) -> std::result::Result<Vec<u8>, String> {
        let capability = (binding, namespace, operation);
        let answer = match (capability, &self.authz, &self.callback) {
            (("kubewarden", "tracing", "log"), _, _) => return Ok(log(payload)),
            (("kubewarden", "kubernetes", "can_i"), Some(authz), _) => authz.can_i(payload),
            (_, _, Some(callback)) => callback(binding, namespace, operation, payload),
            _ => Err(format!(
                "host capability {binding}/{namespace}/{operation} is not available in this host"
            )),
        };
        if let Some(Ok(mut calls)) = self.record.as_ref().map(|record| record.lock()) {
            let request = match capability {
                ("kubewarden", "kubernetes", "can_i") => describe_can_i(payload),
                _ => String::from_utf8_lossy(payload).into_owned(),
            };
            calls.push(HostCall {
                capability: format!("{binding}/{namespace}/{operation}"),
                request,
                answer: answer
                    .as_ref()
                    .map(|bytes| String::from_utf8_lossy(bytes).into_owned())
                    .map_err(Clone::clone),
            });
        }
        answer
    }
}

/// `kubewarden/tracing/log`: the guest's log line (JSON), printed on stderr when
/// `$PSP_GUEST_LOG` is set; the answer is empty.
fn log(payload: &[u8]) -> Vec<u8> {
    if std::env::var_os(GUEST_LOG_ENV).is_some() {
        eprintln!("[guest] {}", String::from_utf8_lossy(payload));
    }
    Vec::new()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::authz::Grant;

    #[test]
    fn logging_is_answered_and_other_calls_need_a_callback() {
        let calls = HostCalls::new();
        assert_eq!(
            calls.answer("kubewarden", "tracing", "log", b"{}"),
            Ok(Vec::new())
        );
        assert_eq!(
            calls.answer("kubewarden", "kubernetes", "can_i", b"{}"),
            Err("host capability kubewarden/kubernetes/can_i is not available in this host".into())
        );
        let echo: Arc<HostCallback> = Arc::new(|binding, namespace, operation, payload| {
            Ok(format!("{binding}/{namespace}/{operation}:{}", payload.len()).into_bytes())
        });
        let calls = HostCalls::new().with_callback(echo);
        assert_eq!(
            calls.answer("kubewarden", "kubernetes", "can_i", b"{}"),
            Ok(b"kubewarden/kubernetes/can_i:2".to_vec())
        );
        // Logging stays the host's, whatever the callback.
        assert_eq!(
            calls.answer("kubewarden", "tracing", "log", b"{}"),
            Ok(Vec::new())
        );
    }

    #[test]
    fn can_i_is_answered_from_the_authz_and_recorded() {
        let calls = HostCalls::new().with_authz(Authz::from_grants(vec![Grant {
            policies: vec!["restricted".into()],
            users: vec!["alice".into()],
            ..Grant::default()
        }]));
        let payload = br#"{"subject_access_review": {"groups": null, "resource_attributes": {"group": "policy",
            "name": "restricted", "namespace": "web", "resource": "podsecuritypolicies", "subresource": null,
            "verb": "use", "version": "*"}, "user": "alice"}, "disable_cache": false}"#;
        assert_eq!(
            calls.answer("kubewarden", "kubernetes", "can_i", payload),
            Ok(br#"{"allowed":true}"#.to_vec())
        );
        calls.answer("kubewarden", "tracing", "log", b"{}").unwrap();
        let shared = calls.clone();
        assert_eq!(
            shared.recorded(),
            [HostCall {
                capability: "kubewarden/kubernetes/can_i".into(),
                request: "alice [] use policy/restricted in web".into(),
                answer: Ok(r#"{"allowed":true}"#.into()),
            }]
        );
        shared.clear();
        assert_eq!(calls.recorded(), []);
    }
}
