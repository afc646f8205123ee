//! PodSecurityPolicies read from text, and what the policy needs of each: its spec, its seccomp and
//! AppArmor annotations, and what a reader should know about it.

use anyhow::{bail, Result};
use serde_json::{json, Map, Value};

use super::objects::{api_version, describe, kind, name, objects};
use super::rbac::is_rbac_object;

/// PSP annotation namespaces the module reads (`allowedProfileNames`, `defaultProfileName`).
pub const PROFILE_ANNOTATION_PREFIXES: [&str; 2] = [
    "seccomp.security.alpha.kubernetes.io/",
    "apparmor.security.beta.kubernetes.io/",
];

/// The API versions PodSecurityPolicy was served under.
pub const PSP_API_VERSIONS: [&str; 2] = ["policy/v1beta1", "extensions/v1beta1"];

/// The PodSecurityPolicies of one input text.
#[derive(Debug, Clone, Default)]
pub struct PspInput {
    pub psps: Vec<Value>,
    /// RBAC objects passed over (a `kubectl get psp,clusterroles,... -o yaml` dump): `--subjects-from`
    /// reads them.
    pub rbac_objects: usize,
}

/// The PodSecurityPolicies of a YAML or JSON text: single objects, multi-document YAML, and
/// `List` / `PodSecurityPolicyList` documents (`kubectl get psp -o yaml`). RBAC objects are passed
/// over and counted; anything else is refused with its location, and so is a text without any
/// PodSecurityPolicy.
pub fn read_psps(text: &str, source: &str) -> Result<PspInput> {
    let mut input = PspInput::default();
    for located in objects(text, source)? {
        if is_rbac_object(&located.object) {
            input.rbac_objects += 1;
            continue;
        }
        input.psps.push(checked_psp(located.object, &located.at)?);
    }
    if input.psps.is_empty() {
        bail!("{source}: no PodSecurityPolicy found (expected `kind: PodSecurityPolicy` objects, or a List of them)");
    }
    Ok(input)
}

fn checked_psp(object: Value, at: &str) -> Result<Value> {
    if kind(&object) != "PodSecurityPolicy" || !PSP_API_VERSIONS.contains(&api_version(&object)) {
        bail!(
            "{at}: {} is not a PodSecurityPolicy (apiVersion policy/v1beta1, kind PodSecurityPolicy); \
             psp-migrate converts PodSecurityPolicies only",
            describe(&object)
        );
    }
    if name(&object).trim().is_empty() {
        bail!("{at}: a PodSecurityPolicy without metadata.name");
    }
    match object.get("spec") {
        Some(Value::Object(_)) => {}
        None => bail!(
            "{at}: PodSecurityPolicy {:?} has no spec",
            psp_name(&object)
        ),
        Some(_) => bail!(
            "{at}: PodSecurityPolicy {:?}: spec is not a mapping",
            psp_name(&object)
        ),
    }
    Ok(object)
}

pub(crate) fn psp_name(psp: &Value) -> &str {
    name(psp)
}

pub(crate) fn spec_of(psp: &Value) -> Result<&Map<String, Value>> {
    match psp.get("spec") {
        Some(Value::Object(spec)) => Ok(spec),
        _ => bail!("PodSecurityPolicy {:?} has no spec", psp_name(psp)),
    }
}

/// The PSP's seccomp and AppArmor annotations (the ones the module reads); the others are left
/// behind.
pub(crate) fn profile_annotations(psp: &Value) -> Result<Map<String, Value>> {
    let mut profile_annotations = Map::new();
    if let Some(annotations) = psp.pointer("/metadata/annotations") {
        let Value::Object(annotations) = annotations else {
            bail!(
                "PodSecurityPolicy {:?}: metadata.annotations is not a mapping",
                psp_name(psp)
            );
        };
        for (key, value) in annotations {
            if PROFILE_ANNOTATION_PREFIXES
                .iter()
                .any(|p| key.starts_with(p))
            {
                profile_annotations.insert(key.clone(), value.clone());
            }
        }
    }
    Ok(profile_annotations)
}

/// The settings that mean what `psp` meant: its spec, its seccomp and AppArmor annotations under
/// `annotations`, and `mutating: false` for a validate-only deployment.
pub fn settings_of(psp: &Value, validate_only: bool) -> Result<Map<String, Value>> {
    let mut settings = spec_of(psp)?.clone();
    let profile_annotations = profile_annotations(psp)?;
    if !profile_annotations.is_empty() {
        if settings.contains_key("annotations") {
            bail!(
                "PodSecurityPolicy {:?}: its spec has an `annotations` key, which is not a PodSecurityPolicy field",
                psp_name(psp)
            );
        }
        settings.insert("annotations".into(), Value::Object(profile_annotations));
    }
    if validate_only {
        settings.insert("mutating".into(), json!(false));
    }
    Ok(settings)
}

fn strings<'a>(spec: &'a Map<String, Value>, key: &str) -> Vec<&'a str> {
    spec.get(key)
        .and_then(Value::as_array)
        .map(|v| v.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default()
}

/// What a reader should know about a PSP's spec: its oddities, which the settings keep.
pub(crate) fn warnings_of(name: &str, spec: &Map<String, Value>) -> Vec<String> {
    let mut warnings = Vec::new();
    let volumes = strings(spec, "volumes");
    let host_paths = spec
        .get("allowedHostPaths")
        .and_then(Value::as_array)
        .is_some_and(|paths| !paths.is_empty());
    if host_paths && !volumes.iter().any(|v| *v == "hostPath" || *v == "*") {
        warnings.push(format!(
            "PodSecurityPolicy {name:?} lists allowedHostPaths but its volumes do not allow hostPath: \
             host paths stay forbidden, as they were under PSP (add hostPath to volumes to allow them)"
        ));
    }
    warnings
}

/// The capabilities the Baseline Pod Security Standard lets a container add.
const BASELINE_CAPABILITIES: [&str; 13] = [
    "AUDIT_WRITE",
    "CHOWN",
    "DAC_OVERRIDE",
    "FOWNER",
    "FSETID",
    "KILL",
    "MKNOD",
    "NET_BIND_SERVICE",
    "SETFCAP",
    "SETGID",
    "SETPCAP",
    "SETUID",
    "SYS_CHROOT",
];

/// What a PSP allows that the Baseline Pod Security Standard forbids (empty: not a privileged PSP),
/// in words, for warnings about who may use it.
pub(crate) fn privileged_features(spec: &Map<String, Value>) -> Vec<String> {
    let flag = |key: &str| spec.get(key) == Some(&json!(true));
    let mut features = Vec::new();
    if flag("privileged") {
        features.push("privileged containers".to_string());
    }
    let namespaces: Vec<&str> = ["hostPID", "hostIPC", "hostNetwork"]
        .into_iter()
        .filter(|key| flag(key))
        .collect();
    if !namespaces.is_empty() {
        features.push(namespaces.join(", "));
    }
    if spec
        .get("hostPorts")
        .and_then(Value::as_array)
        .is_some_and(|ports| !ports.is_empty())
    {
        features.push("host ports".to_string());
    }
    if strings(spec, "volumes")
        .iter()
        .any(|v| *v == "hostPath" || *v == "*")
    {
        features.push("hostPath volumes".to_string());
    }
    let capabilities: Vec<&str> = strings(spec, "allowedCapabilities")
        .into_iter()
        .filter(|c| {
            let bare = c.strip_prefix("CAP_").unwrap_or(c);
            !BASELINE_CAPABILITIES.contains(&bare)
        })
        .collect();
    if capabilities.contains(&"*") {
        features.push("every capability".to_string());
    } else if !capabilities.is_empty() {
        features.push(format!("capabilities {}", capabilities.join(", ")));
    }
    if strings(spec, "allowedProcMountTypes").contains(&"Unmasked") {
        features.push("unmasked /proc".to_string());
    }
    features
}
