//! The host capabilities the guest may call (waPC's `__host_call`: binding, namespace,
//! operation, payload), answered as a policy-server without cluster access answers them.
//!
//! [`answer`] dispatches on `(binding, namespace, operation)`: one arm per capability this host
//! implements, each handled by a function of this file. Anything else goes to the caller's
//! [`HostCallback`] (a test's stand-in for a capability), or fails, as it would on a
//! policy-server whose policy lacks the capability.

/// Set this environment variable (to anything) to print the guest's log lines on stderr.
pub const GUEST_LOG_ENV: &str = "PSP_GUEST_LOG";

/// A host capability the guest may call (`binding`, `namespace`, `operation`, `payload`),
/// answered by the caller of the host.
pub type HostCallback =
    dyn Fn(&str, &str, &str, &[u8]) -> std::result::Result<Vec<u8>, String> + Send + Sync;

/// The host's answer to one host call of the guest.
pub fn answer(
    callback: Option<&HostCallback>,
    binding: &str,
    namespace: &str,
    operation: &str,
    payload: &[u8],
) -> std::result::Result<Vec<u8>, String> {
    match (binding, namespace, operation) {
        ("kubewarden", "tracing", "log") => Ok(log(payload)),
        _ => match callback {
            Some(callback) => callback(binding, namespace, operation, payload),
            None => Err(format!(
                "host capability {binding}/{namespace}/{operation} is not available in this host"
            )),
        },
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

    #[test]
    fn logging_is_answered_and_other_calls_need_a_callback() {
        assert_eq!(
            answer(None, "kubewarden", "tracing", "log", b"{}"),
            Ok(Vec::new())
        );
        assert_eq!(
            answer(None, "kubewarden", "kubernetes", "can_i", b"{}"),
            Err("host capability kubewarden/kubernetes/can_i is not available in this host".into())
        );
        let echo: &HostCallback = &|binding, namespace, operation, payload| {
            Ok(format!("{binding}/{namespace}/{operation}:{}", payload.len()).into_bytes())
        };
        assert_eq!(
            answer(Some(echo), "kubewarden", "kubernetes", "can_i", b"{}"),
            Ok(b"kubewarden/kubernetes/can_i:2".to_vec())
        );
        // Logging stays the host's, whatever the callback.
        assert_eq!(
            answer(Some(echo), "kubewarden", "tracing", "log", b"{}"),
            Ok(Vec::new())
        );
    }
}
