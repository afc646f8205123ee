//! The requests of the cases, derived from the realistic model-serving Pod of the fixtures.

use anyhow::Result;
use psp_host::authz::{Authz, Grant};
use psp_host::request;
use serde_json::{json, Value};

pub(crate) fn validate_payload(request: &Value, settings: &Value) -> Result<Vec<u8>> {
    Ok(serde_json::to_vec(
        &json!({"request": request, "settings": settings}),
    )?)
}

/// `pod` as a Deployment (its template).
pub(crate) fn as_deployment(pod: &Value) -> Value {
    let metadata = &pod["metadata"];
    json!({
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {
            "name": "llm-serving-7b",
            "namespace": metadata["namespace"],
            "labels": metadata["labels"],
        },
        "spec": {
            "replicas": 2,
            "revisionHistoryLimit": 5,
            "selector": {"matchLabels": {
                "app.kubernetes.io/name": "llm-serving",
                "app.kubernetes.io/instance": "llm-7b",
            }},
            "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1, "maxUnavailable": 0}},
            "template": {
                "metadata": {"labels": metadata["labels"], "annotations": metadata["annotations"]},
                "spec": pod["spec"],
            },
        },
    })
}

/// `pod` as a CronJob (a nightly batch evaluation of the model).
pub(crate) fn as_cron_job(pod: &Value) -> Value {
    let metadata = &pod["metadata"];
    let mut spec = pod["spec"].clone();
    spec["restartPolicy"] = json!("OnFailure");
    json!({
        "apiVersion": "batch/v1",
        "kind": "CronJob",
        "metadata": {
            "name": "llm-7b-nightly-eval",
            "namespace": metadata["namespace"],
            "labels": metadata["labels"],
        },
        "spec": {
            "schedule": "0 3 * * *",
            "concurrencyPolicy": "Forbid",
            "successfulJobsHistoryLimit": 3,
            "failedJobsHistoryLimit": 1,
            "jobTemplate": {"spec": {
                "backoffLimit": 2,
                "activeDeadlineSeconds": 7200,
                "template": {
                    "metadata": {"labels": metadata["labels"], "annotations": metadata["annotations"]},
                    "spec": spec,
                },
            }},
        },
    })
}

/// `pod` with `count` regular containers: copies of its own, renamed, each on its own ports.
pub(crate) fn with_containers(pod: &Value, count: usize) -> Value {
    let templates = pod["spec"]["containers"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let containers: Vec<Value> = (0..count)
        .map(|i| {
            let mut container = templates[i % templates.len()].clone();
            let name = container["name"].as_str().unwrap_or("c").to_string();
            container["name"] = json!(format!("{name}-{i}"));
            if let Some(ports) = container["ports"].as_array_mut() {
                for (j, port) in ports.iter_mut().enumerate() {
                    port["containerPort"] = json!(10_000 + 4 * i + j);
                    port["name"] = json!(format!("p{i}-{j}"));
                }
            }
            container
        })
        .collect();
    let mut pod = pod.clone();
    pod["spec"]["containers"] = json!(containers);
    pod
}

/// A pod of about `bytes` bytes of request (with `settings`): 100 model servers, each with a
/// long environment (one variable per weight shard).
pub(crate) fn large_pod(pod: &Value, settings: &Value, bytes: usize) -> Result<(Value, Vec<u8>)> {
    const CONTAINERS: usize = 100;
    let build = |shards: usize| -> Result<(Value, Vec<u8>)> {
        let mut big = with_containers(pod, CONTAINERS);
        for container in big["spec"]["containers"].as_array_mut().unwrap() {
            let env = container["env"].as_array_mut().unwrap();
            for shard in 0..shards {
                env.push(json!({
                    "name": format!("MODEL_SHARD_{shard:05}_URI"),
                    "value": format!("s3://models/llm-70b-instruct/v3/model-{shard:05}-of-{shards:05}.safetensors"),
                }));
            }
        }
        let payload = validate_payload(&request("Pod", "CREATE", big.clone()), settings)?;
        Ok((big, payload))
    };
    let (_, base) = build(0)?;
    let (_, one) = build(1)?;
    let per_shard = (one.len() - base.len()).max(1);
    let mut shards = bytes.saturating_sub(base.len()).div_ceil(per_shard);
    loop {
        let (big, payload) = build(shards)?;
        if payload.len() >= bytes {
            return Ok((big, payload));
        }
        shards += 1;
    }
}

/// `pod` with every field PodSecurityPolicy and the Pod Security Standards judge set wrong.
pub(crate) fn violate_everything(pod: &Value) -> Value {
    let mut pod = pod.clone();
    let spec = &mut pod["spec"];
    spec["hostNetwork"] = json!(true);
    spec["hostPID"] = json!(true);
    spec["hostIPC"] = json!(true);
    spec["runtimeClassName"] = json!("kata-unrestricted");
    spec["securityContext"] = json!({
        "runAsNonRoot": false,
        "runAsUser": 0,
        "runAsGroup": 0,
        "fsGroup": 0,
        "supplementalGroups": [0, 4],
        "seLinuxOptions": {"user": "system_u", "role": "system_r", "type": "spc_t", "level": "s0"},
        "seccompProfile": {"type": "Unconfined"},
        "appArmorProfile": {"type": "Unconfined"},
        "sysctls": [
            {"name": "kernel.shm_rmid_forced", "value": "1"},
            {"name": "net.core.somaxconn", "value": "4096"},
            {"name": "kernel.msgmax", "value": "65536"},
        ],
    });
    for list in ["initContainers", "containers"] {
        for container in spec[list].as_array_mut().into_iter().flatten() {
            container["securityContext"] = json!({
                "privileged": true,
                "allowPrivilegeEscalation": true,
                "readOnlyRootFilesystem": false,
                "runAsNonRoot": false,
                "runAsUser": 0,
                "runAsGroup": 0,
                "capabilities": {"add": ["SYS_ADMIN", "NET_RAW", "SYS_PTRACE"]},
                "procMount": "Unmasked",
                "seLinuxOptions": {"type": "spc_t"},
                "seccompProfile": {"type": "Unconfined"},
                "appArmorProfile": {"type": "Unconfined"},
                "windowsOptions": {"hostProcess": true},
            });
            if let Some(ports) = container["ports"].as_array_mut() {
                for port in ports {
                    port["hostPort"] = port["containerPort"].clone();
                }
            }
            if container.get("readinessProbe").is_some() {
                container["readinessProbe"] =
                    json!({"httpGet": {"host": "10.0.0.1", "path": "/health", "port": 8080}});
            }
            container["volumeMounts"]
                .as_array_mut()
                .unwrap()
                .push(json!({"name": "host-etc", "mountPath": "/host/etc"}));
        }
    }
    let volumes = spec["volumes"].as_array_mut().unwrap();
    volumes.push(json!({"name": "host-etc", "hostPath": {"path": "/etc", "type": "Directory"}}));
    volumes.push(json!({"name": "flex", "flexVolume": {"driver": "example.com/unvetted"}}));
    volumes.push(json!({"name": "inline-csi", "csi": {"driver": "unvetted.csi.example.com"}}));
    volumes.push(json!({"name": "nfs", "nfs": {"server": "10.0.0.2", "path": "/exports"}}));
    pod
}

/// `pod` with every security context gone but `runAsNonRoot` (and no runtime class): what PSP
/// fills in.
pub(crate) fn stripped_for_defaults(pod: &Value) -> Value {
    let mut pod = pod.clone();
    let spec = &mut pod["spec"];
    spec.as_object_mut().unwrap().remove("runtimeClassName");
    spec["securityContext"] = json!({"runAsNonRoot": true});
    for list in ["initContainers", "containers"] {
        for container in spec[list].as_array_mut().into_iter().flatten() {
            container.as_object_mut().unwrap().remove("securityContext");
        }
    }
    pod
}

/// Settings with ten PodSecurityPolicies, `psp-00` to `psp-09`, each the `full` settings, where the first nine
/// allow only user IDs from 20000 (so they reject the Pod, whose user is 10001), and who may use them: every
/// authenticated user (RBAC's group `system:authenticated`). The Pod is admitted by `psp-09`, after its service
/// account (asked first, in both API groups) is refused and the user is allowed.
pub(crate) fn last_of_ten_psps(full: &Value) -> (Value, Authz) {
    let mut spec = full.clone();
    let annotations = spec
        .as_object_mut()
        .and_then(|s| s.remove("annotations"))
        .unwrap_or(Value::Null);
    let entries: Vec<Value> = (0..10)
        .map(|i| {
            let mut spec = spec.clone();
            if i < 9 {
                spec["runAsUser"] =
                    json!({"rule": "MustRunAs", "ranges": [{"min": 20000, "max": 65535}]});
            }
            json!({"name": format!("psp-{i:02}"), "annotations": annotations, "spec": spec})
        })
        .collect();
    let authz = Authz::from_grants(vec![Grant {
        policies: vec!["*".into()],
        groups: vec!["system:authenticated".into()],
        ..Grant::default()
    }]);
    (json!({"authorization": "rbac", "policies": entries}), authz)
}
