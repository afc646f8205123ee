//! Pods that the tests of the end-to-end crate and of the tools both submit: one that the ai-data-security
//! settings (`examples/settings/ai-data-security.yml`) accept as it is, and its privileged variant.

use serde_json::{json, Value};

/// A pod that the ai-data-security settings accept as it is.
pub fn compliant_pod() -> Value {
    json!({
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "compliant", "namespace": "default"},
        "spec": {
            "securityContext": {"runAsNonRoot": true},
            "containers": [{
                "name": "app",
                "image": "registry.example.com/app:1.0",
                "securityContext": {
                    "runAsNonRoot": true,
                    "readOnlyRootFilesystem": true,
                    "allowPrivilegeEscalation": false
                },
                "volumeMounts": [{"name": "config", "mountPath": "/etc/app", "readOnly": true}]
            }],
            "volumes": [{"name": "config", "configMap": {"name": "app-config"}}]
        }
    })
}

/// [`compliant_pod`] with a privileged container.
pub fn privileged_pod() -> Value {
    let mut pod = compliant_pod();
    pod["metadata"]["name"] = "privileged".into();
    pod["spec"]["containers"][0]["securityContext"]["privileged"] = true.into();
    pod
}
