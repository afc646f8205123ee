//! `psp-run` run as `make run` runs it, on the built module (`make policy.wasm` first; `make
//! e2e-tests` does). The table of the bundled examples is checked row by row: each verdict
//! exactly, and the field each rejection names, so that the demo cannot silently stop showing an
//! acceptance, an acceptance with defaults and a rejection.

use std::process::Command;

use psp_host::{wasm_path, workspace_dir};
use serde_json::{json, Value};

/// Runs psp-run from the workspace folder with `args` and the built module: exit code, stdout,
/// stderr.
fn psp_run(args: &[&str]) -> (Option<i32>, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_psp-run"))
        .args(args)
        .arg("--policy")
        .arg(wasm_path())
        .current_dir(workspace_dir())
        .output()
        .expect("psp-run starts");
    (
        output.status.code(),
        String::from_utf8(output.stdout).expect("UTF-8 output"),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// The rows of the table under the header `SETTINGS  REQUEST  VERDICT  FIRST VIOLATION...`, cut
/// into their four columns where the header's titles start.
fn table_rows(output: &str) -> Vec<[String; 4]> {
    let mut lines = output.lines().skip_while(|l| !l.starts_with("SETTINGS "));
    let header = lines.next().expect("the table's header");
    let starts: Vec<usize> = ["SETTINGS", "REQUEST", "VERDICT", "FIRST VIOLATION"]
        .iter()
        .map(|title| header.find(title).expect(title))
        .collect();
    lines
        .take_while(|line| !line.contains(" evaluations: "))
        .filter(|line| !line.is_empty())
        .map(|line| {
            let chars: Vec<char> = line.chars().collect();
            let cell = |i: usize| -> String {
                let end = starts.get(i + 1).copied().unwrap_or(chars.len());
                let from = starts[i].min(chars.len());
                chars[from..end.min(chars.len())]
                    .iter()
                    .collect::<String>()
                    .trim()
                    .to_string()
            };
            [cell(0), cell(1), cell(2), cell(3)]
        })
        .collect()
}

/// The note that starts with `marker` (`[1] `) at the start of a line, with its indented lines,
/// joined by single spaces.
fn note_text(output: &str, marker: &str) -> String {
    let mut lines = output.lines().skip_while(|line| !line.starts_with(marker));
    let first = lines
        .next()
        .unwrap_or_else(|| panic!("note {marker}missing:\n{output}"));
    std::iter::once(first)
        .chain(lines.take_while(|line| line.starts_with("    ")))
        .flat_map(str::split_whitespace)
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn make_run_shows_acceptances_defaults_and_rejections() {
    let (code, output, stderr) = psp_run(&["--examples"]);
    assert_eq!((code, stderr.as_str()), (Some(0), ""), "{output}");
    let defaults = "add /spec/containers/0/securityContext \
                    {\"allowPrivilegeEscalation\":false,\"readOnlyRootFilesystem\":true}";
    // (settings, request, verdict, what the detail says: exactly for a patch, the field a
    // rejection names, empty for an acceptance).
    #[rustfmt::skip]
    let expected = [
        ("ai-data-security", "model-serving-pod", "rejected [1]", "spec.securityContext.seccompProfile: Forbidden: seccomp may not be set; allowed: none"),
        ("ai-data-security", "notebook-pod", "accepted with defaults", defaults),
        ("ai-data-security", "hostpath-data-ai-pod", "rejected [1] [2]", "spec.securityContext.seccompProfile"),
        ("ai-data-security", "privileged-pod", "rejected", "spec.containers[0].securityContext.privileged"),
        ("ai-data-security", "deployment-hostpath-etc", "rejected [2]", "spec.template.spec.volumes[0]"),
        ("ai-data-security-profile", "model-serving-pod", "accepted", ""),
        ("ai-data-security-profile", "notebook-pod", "accepted with defaults", defaults),
        ("ai-data-security-profile", "hostpath-data-ai-pod", "accepted", ""),
        ("ai-data-security-profile", "privileged-pod", "rejected", "spec.containers[0].securityContext.privileged"),
        ("ai-data-security-profile", "deployment-hostpath-etc", "rejected", "spec.template.spec.volumes[0].hostPath.path"),
        ("restricted-standard", "model-serving-pod", "accepted", ""),
        ("restricted-standard", "notebook-pod", "rejected", "securityContext.allowPrivilegeEscalation"),
        ("restricted-standard", "hostpath-data-ai-pod", "rejected", "\"hostPath\""),
        ("restricted-standard", "privileged-pod", "rejected", "securityContext.privileged"),
        ("restricted-standard", "deployment-hostpath-etc", "rejected", "securityContext.capabilities.drop"),
    ];
    let rows = table_rows(&output);
    assert_eq!(rows.len(), expected.len(), "{output}");
    for (row, (settings, request, verdict, detail)) in rows.iter().zip(expected) {
        let context = format!("{settings} x {request}:\n{output}");
        assert_eq!(
            [&row[0], &row[1], &row[2]],
            [settings, request, verdict],
            "{context}"
        );
        if verdict.starts_with("accepted with defaults") {
            assert_eq!(row[3], detail, "{context}");
        } else if verdict == "accepted" {
            assert_eq!(row[3], "", "{context}");
        } else {
            assert!(row[3].contains(detail), "{context}");
        }
    }
    assert!(
        output.contains("\n15 evaluations: 3 accepted, 2 accepted with defaults, 10 rejected.\n"),
        "{output}"
    );
    // Each note says why the verbatim PSP rejects, and points at the profile that fixes it.
    for (note, why) in [
        ("[1] ", "without a seccomp allow-list"),
        (
            "[2] ",
            "list allowedHostPaths but leave hostPath out of volumes",
        ),
    ] {
        let text = note_text(&output, note);
        assert!(text.contains(why), "{text}");
        assert!(text.contains("profile: ai-data-security"), "{text}");
    }
    // The legend names each settings file.
    for file in [
        "examples/settings/ai-data-security.yml",
        "examples/settings/ai-data-security-profile.yml",
        "examples/settings/restricted-standard.yml",
    ] {
        assert!(output.contains(file), "{file}:\n{output}");
    }
}

#[test]
fn one_request_prints_the_response_and_its_patch() {
    let (code, output, stderr) = psp_run(&[
        "--request-path",
        "examples/requests/notebook-pod.json",
        "--settings-path",
        "examples/settings/ai-data-security.yml",
    ]);
    assert_eq!((code, stderr.as_str()), (Some(0), ""), "{output}");
    let (response, patch) = output
        .split_once("JSONPatch (1 operations):\n")
        .unwrap_or_else(|| panic!("{output}"));
    let response: Value = serde_json::from_str(response).expect("the response as JSON");
    assert_eq!(response["accepted"], true, "{output}");
    assert_eq!(
        response["mutated_object"]["spec"]["containers"][0]["securityContext"],
        json!({"allowPrivilegeEscalation": false, "readOnlyRootFilesystem": true})
    );
    let patch: Value = serde_json::from_str(patch).expect("the patch as JSON");
    assert_eq!(
        patch,
        json!([{
            "op": "add",
            "path": "/spec/containers/0/securityContext",
            "value": {"allowPrivilegeEscalation": false, "readOnlyRootFilesystem": true}
        }])
    );
}

#[test]
fn invalid_settings_exit_with_1() {
    let (code, output, stderr) = psp_run(&[
        "--request-path",
        "examples/requests/notebook-pod.json",
        "--settings-json",
        "{\"privileged\": \"yes\"}",
    ]);
    assert_eq!(code, Some(1), "{output}");
    assert!(
        stderr.starts_with("psp-run: invalid settings: "),
        "{stderr}"
    );
    let answer: Value = serde_json::from_str(&output).expect("the settings answer as JSON");
    assert_eq!(answer["settings"]["valid"], false, "{output}");
}
