//! The benchmark cases: one request (or settings document) each, with the answer it must get.

use std::path::Path;

use anyhow::{bail, Context, Result};
use psp_host::{
    read_document, request, workspace_dir, Authz, HostCalls, PolicyHost, SettingsResponse,
    ValidationResponse,
};
use serde_json::{json, Value};

use crate::pods::{
    as_cron_job, as_deployment, large_pod, last_of_ten_psps, stripped_for_defaults,
    validate_payload, violate_everything, with_containers,
};
use crate::units::size;

/// Size of the generated large request (the whole `validate` payload).
const LARGE_REQUEST_BYTES: usize = 5 * 1024 * 1024;

#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Expect {
    Accepted,
    Rejected,
    Mutated,
    ValidSettings,
}

pub(crate) struct Case {
    pub(crate) name: &'static str,
    pub(crate) settings_name: &'static str,
    pub(crate) operation: &'static str,
    pub(crate) payload: Vec<u8>,
    pub(crate) expect: Expect,
    /// Who may use which PodSecurityPolicy, for settings that ask `kubernetes/can_i`.
    pub(crate) authz: Option<Authz>,
}

impl Case {
    /// How the case's host calls are answered (and counted).
    pub(crate) fn host_calls(&self) -> HostCalls {
        match &self.authz {
            Some(authz) => HostCalls::new().with_authz(authz.clone()),
            None => HostCalls::new(),
        }
    }
}

fn fixture(name: &str) -> Result<Value> {
    read_document(workspace_dir().join("e2e-tests/fixtures/bench").join(name))
}

pub(crate) struct Fixtures {
    pub(crate) cases: Vec<Case>,
    pub(crate) large_request_bytes: usize,
}

pub(crate) fn cases() -> Result<Fixtures> {
    let pod = fixture("model-serving-pod.json")?;
    let ai = fixture("ai-data-security-platform.json")?;
    let restricted = json!({"podSecurityStandard": {"level": "restricted"}});
    let full = fixture("full-psp-restricted.json")?;
    let (_, large_payload) = large_pod(&pod, &full, LARGE_REQUEST_BYTES)?;
    let large_request_bytes = large_payload.len();

    let validate = |name, settings_name, object: Value, kind, settings: &Value, expect| {
        Ok::<_, anyhow::Error>(Case {
            name,
            settings_name,
            operation: "validate",
            payload: validate_payload(&request(kind, "CREATE", object), settings)?,
            expect,
            authz: None,
        })
    };
    let (ten_psps, authz) = last_of_ten_psps(&full);
    use Expect::*;
    let cases = vec![
        validate(
            "Pod",
            "ai-data-security+",
            pod.clone(),
            "Pod",
            &ai,
            Accepted,
        )?,
        validate(
            "Deployment",
            "ai-data-security+",
            as_deployment(&pod),
            "Deployment",
            &ai,
            Accepted,
        )?,
        validate(
            "CronJob",
            "ai-data-security+",
            as_cron_job(&pod),
            "CronJob",
            &ai,
            Accepted,
        )?,
        validate(
            "Pod, restricted",
            "restricted",
            pod.clone(),
            "Pod",
            &restricted,
            Accepted,
        )?,
        validate(
            "Pod, full PSP + restricted",
            "full",
            pod.clone(),
            "Pod",
            &full,
            Accepted,
        )?,
        validate(
            "Pod, 50 containers",
            "full",
            with_containers(&pod, 50),
            "Pod",
            &full,
            Accepted,
        )?,
        validate(
            "Pod, 500 containers",
            "full",
            with_containers(&pod, 500),
            "Pod",
            &full,
            Accepted,
        )?,
        validate(
            "Pod, every field violated",
            "full",
            violate_everything(&pod),
            "Pod",
            &full,
            Rejected,
        )?,
        validate(
            "Pod, mutated (defaults)",
            "full",
            stripped_for_defaults(&pod),
            "Pod",
            &full,
            Mutated,
        )?,
        Case {
            name: "Pod, 5 MB request",
            settings_name: "full",
            operation: "validate",
            payload: large_payload,
            expect: Accepted,
            authz: None,
        },
        // PSP's selection: the first nine entries in name order reject the pod (after checking every
        // field), the tenth admits it, and only it is authorised (RBAC through `kubernetes/can_i`).
        Case {
            authz: Some(authz),
            ..validate(
                "Pod, 10 PSPs, admitted by the last",
                "10 × full",
                pod.clone(),
                "Pod",
                &ten_psps,
                Mutated,
            )?
        },
        Case {
            name: "validate_settings",
            settings_name: "full",
            operation: "validate_settings",
            payload: serde_json::to_vec(&full)?,
            expect: ValidSettings,
            authz: None,
        },
    ];
    Ok(Fixtures {
        cases,
        large_request_bytes,
    })
}

/// Checks that `case` answers as it says, so that its timing measures what its name says. The
/// summary counts the host calls of one evaluation, when there are any.
pub(crate) fn check_answer(host: &PolicyHost, case: &Case) -> Result<String> {
    let calls = case.host_calls();
    let answer = host
        .answering(calls.clone())
        .call(case.operation, &case.payload)?;
    let host_calls = match calls.recorded().len() {
        0 => String::new(),
        1 => ", 1 host call".to_string(),
        n => format!(", {n} host calls"),
    };
    let summary = if case.expect == Expect::ValidSettings {
        let response: SettingsResponse = serde_json::from_slice(&answer)?;
        if !response.valid {
            bail!("settings refused: {}", response.message());
        }
        "valid".to_string()
    } else {
        let response: ValidationResponse = serde_json::from_slice(&answer)?;
        let got = match (response.accepted, response.mutated_object.is_some()) {
            (true, false) => Expect::Accepted,
            (true, true) => Expect::Mutated,
            (false, _) => Expect::Rejected,
        };
        if got != case.expect {
            bail!(
                "expected {:?}, got {got:?}: {}",
                case.expect,
                response.message()
            );
        }
        match got {
            Expect::Rejected => format!("rejected ({} message)", size(response.message().len())),
            other => format!("{other:?}").to_lowercase(),
        }
    };
    Ok(summary + &host_calls)
}

/// Writes each case as `<case>.request.json` (the AdmissionRequest) and `<case>.settings.json`.
pub(crate) fn write_requests(dir: &Path, cases: &[&Case]) -> Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    for case in cases {
        let slug: String = case
            .name
            .to_ascii_lowercase()
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
            .collect::<String>()
            .split('-')
            .filter(|part| !part.is_empty())
            .collect::<Vec<_>>()
            .join("-");
        let payload: Value = serde_json::from_slice(&case.payload)?;
        let (request, settings) = match case.operation {
            "validate" => (Some(&payload["request"]), &payload["settings"]),
            _ => (None, &payload),
        };
        if let Some(request) = request {
            let path = dir.join(format!("{slug}.request.json"));
            std::fs::write(&path, serde_json::to_vec_pretty(request)?)?;
            println!("{}", path.display());
        }
        let path = dir.join(format!("{slug}.settings.json"));
        std::fs::write(&path, serde_json::to_vec_pretty(settings)?)?;
        println!("{}", path.display());
    }
    Ok(())
}
