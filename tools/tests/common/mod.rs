//! Shared by the psp-tools tests: paths, the built module, temporary folders, and running the
//! tools' binaries.

#![allow(dead_code)]

use psp_host::reference_data::reference_data;
pub use psp_host::test_pods::{compliant_pod, privileged_pod};
use psp_host::{workspace_dir, PolicyHost};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicU64, Ordering};

/// The module under test (`$POLICY_WASM`, else `<workspace>/policy.wasm`), loaded once.
pub fn host() -> &'static PolicyHost {
    PolicyHost::shared().unwrap_or_else(|e| panic!("{e:#}"))
}

/// The bytes of the module under test.
pub fn policy_bytes() -> Vec<u8> {
    let path = psp_host::wasm_path();
    std::fs::read(&path).unwrap_or_else(|e| {
        panic!(
            "cannot read {} ({e}): build it with `make policy.wasm`",
            path.display()
        )
    })
}

pub fn workspace() -> PathBuf {
    workspace_dir()
}

pub fn read_text(relative: &str) -> String {
    let path = workspace().join(relative);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// A YAML or JSON file of the workspace, as JSON.
pub fn read_yaml(relative: &str) -> Value {
    serde_yaml::from_str(&read_text(relative))
        .unwrap_or_else(|e| panic!("{relative} is not valid YAML: {e}"))
}

/// Every document of a multi-document YAML text.
pub fn yaml_documents(text: &str) -> Vec<Value> {
    use serde::Deserialize;
    serde_yaml::Deserializer::from_str(text)
        .map(|doc| Value::deserialize(doc).expect("valid YAML"))
        .filter(|doc| !doc.is_null())
        .collect()
}

/// Kubewarden's ClusterAdmissionPolicy CRD file, or `None` when it is missing and `skipped` may be skipped.
pub fn cluster_admission_policy_crd_path(skipped: &str) -> Option<PathBuf> {
    reference_data(
        workspace()
            .join("testdata/kubewarden-crds/policies.kubewarden.io_clusteradmissionpolicies.yaml"),
        skipped,
    )
}

fn load_crd(path: &Path) -> Vec<psp_tools::crd::CrdVersion> {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    psp_tools::crd::load_crds(&text, &path.display().to_string())
        .unwrap_or_else(|e| panic!("{e:#}"))
}

/// The ClusterAdmissionPolicy CRD's served versions, or `None` when it is missing and `skipped` may be
/// skipped.
pub fn cluster_admission_policy_crd(skipped: &str) -> Option<Vec<psp_tools::crd::CrdVersion>> {
    cluster_admission_policy_crd_path(skipped).map(|path| load_crd(&path))
}

/// The served versions of Kubewarden's ClusterAdmissionPolicy and AdmissionPolicy CRDs, or `None` when
/// they are missing and `skipped` may be skipped.
pub fn kubewarden_crds(skipped: &str) -> Option<Vec<psp_tools::crd::CrdVersion>> {
    let mut crds = cluster_admission_policy_crd(skipped)?;
    let path = reference_data(
        workspace().join("testdata/kubewarden-crds/policies.kubewarden.io_admissionpolicies.yaml"),
        skipped,
    )?;
    crds.extend(load_crd(&path));
    Some(crds)
}

/// A temporary folder, removed with everything in it when dropped (also when a test fails).
pub struct TempDir(PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> TempDir {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        let path = std::env::temp_dir().join(format!(
            "psp-tools-{tag}-{}-{nanos}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&path)
            .unwrap_or_else(|e| panic!("cannot create {}: {e}", path.display()));
        TempDir(path)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }

    pub fn join(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Runs one of the tools (`psp-annotate`, `psp-push`, ...) from the workspace folder.
pub fn run_tool(binary: &str, args: &[&str]) -> Output {
    run_tool_with_input(binary, args, None)
}

pub fn run_tool_with_input(binary: &str, args: &[&str], stdin: Option<&str>) -> Output {
    use std::io::Write;
    use std::process::Stdio;
    let mut command = Command::new(binary);
    command
        .args(args)
        .current_dir(workspace())
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = command
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {binary}: {e}"));
    if let Some(input) = stdin {
        let mut pipe = child.stdin.take().expect("piped stdin");
        pipe.write_all(input.as_bytes()).expect("write stdin");
    }
    let output = child
        .wait_with_output()
        .unwrap_or_else(|e| panic!("{binary} did not finish: {e}"));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        !stderr.contains("panicked"),
        "{binary} {args:?} panicked:\n{stderr}"
    );
    output
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Asserts that `module` runs as the policy through the waPC host: it answers protocol version v1,
/// takes the ai-data-security example settings, accepts [`compliant_pod`] and rejects
/// [`privileged_pod`] for being privileged.
pub fn assert_runs_as_the_policy(module: &[u8]) {
    let host = PolicyHost::from_bytes(module).unwrap_or_else(|e| panic!("{e:#}"));
    assert_eq!(host.protocol_version().unwrap(), "v1");
    let settings = read_yaml("examples/settings/ai-data-security.yml");
    assert!(host.validate_settings(&settings).unwrap().valid);
    let review = |pod| {
        host.validate(&psp_host::request("Pod", "CREATE", pod), &settings)
            .unwrap()
    };
    let accepted = review(compliant_pod());
    assert!(accepted.accepted, "{:?}", accepted.message);
    let rejected = review(privileged_pod());
    assert!(!rejected.accepted);
    assert!(
        rejected.message().contains("privileged"),
        "{:?}",
        rejected.message
    );
}

/// Asserts that a tool failed (exit 1) with `needle` in its error output, and wrote nothing on
/// its standard output.
pub fn assert_fails_with(output: &Output, needle: &str) {
    let err = stderr(output);
    assert_eq!(
        output.status.code(),
        Some(1),
        "expected exit code 1; stderr:\n{err}"
    );
    assert!(err.contains(needle), "expected {needle:?} in:\n{err}");
    assert!(
        output.stdout.is_empty(),
        "nothing on stdout on failure: {}",
        stdout(output)
    );
}
