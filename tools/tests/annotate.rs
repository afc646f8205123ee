//! `psp-annotate` (the Makefile's annotate step when kwctl is not installed): the metadata it
//! embeds, read back from the module, is metadata.yml plus what kwctl adds.

mod common;

use common::*;
use psp_tools::metadata::{ANNOTATION_USAGE, METADATA_SECTION};
use psp_tools::wasm::{custom_sections, read_custom_section, without_custom_section};
use serde_json::{json, Value};

const ANNOTATE: &str = env!("CARGO_BIN_EXE_psp-annotate");

fn annotate_into(dir: &TempDir, args: &[&str]) -> (std::process::Output, std::path::PathBuf) {
    let out = dir.join("annotated-policy.wasm");
    let out_str = out.to_str().expect("UTF-8 temp path").to_string();
    let policy = psp_host::wasm_path();
    let mut all: Vec<&str> = args.to_vec();
    all.extend(["-o", &out_str, policy.to_str().expect("UTF-8 policy path")]);
    (run_tool(ANNOTATE, &all), out)
}

#[test]
fn the_embedded_metadata_is_metadata_yml_plus_protocol_version_and_readme() {
    let dir = TempDir::new("annotate");
    let (output, path) = annotate_into(&dir, &["-m", "metadata.yml", "-u", "README.md"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let annotated = std::fs::read(&path).unwrap();

    let sections: Vec<_> = custom_sections(&annotated)
        .unwrap()
        .into_iter()
        .filter(|s| s.name == METADATA_SECTION)
        .collect();
    assert_eq!(sections.len(), 1, "exactly one {METADATA_SECTION} section");
    let embedded: Value = serde_json::from_slice(sections[0].data).expect("the section is JSON");

    let mut expected = read_yaml("metadata.yml");
    expected["protocolVersion"] = json!("v1");
    expected["annotations"][ANNOTATION_USAGE] = json!(read_text("README.md"));
    assert_eq!(embedded, expected);

    // Spot checks of what the policy server reads, spelled out.
    assert_eq!(embedded["mutating"], json!(true));
    assert_eq!(embedded["backgroundAudit"], json!(true));
    assert_eq!(embedded["executionMode"], json!("kubewarden-wapc"));
    assert_eq!(embedded["contextAwareResources"], json!([]));
    assert_eq!(
        embedded["annotations"]["io.kubewarden.policy.title"],
        json!("pod-security-policy")
    );

    // Nothing else of the module changed, and it still runs.
    assert_eq!(
        without_custom_section(&annotated, METADATA_SECTION).unwrap(),
        policy_bytes(),
        "the annotated module is policy.wasm plus the metadata section"
    );
    assert_runs_as_the_policy(&annotated);
}

#[test]
fn without_a_usage_file_there_is_no_usage_annotation() {
    let dir = TempDir::new("annotate-no-usage");
    let (output, path) = annotate_into(&dir, &[]);
    assert!(output.status.success(), "{}", stderr(&output));
    let annotated = std::fs::read(&path).unwrap();
    let raw = read_custom_section(&annotated, METADATA_SECTION)
        .unwrap()
        .unwrap();
    let embedded: Value = serde_json::from_slice(raw).unwrap();
    let mut expected = read_yaml("metadata.yml");
    expected["protocolVersion"] = json!("v1");
    assert_eq!(embedded, expected);
}

#[test]
fn an_annotated_module_is_re_annotated_only_with_force() {
    let dir = TempDir::new("annotate-twice");
    let (first, path) = annotate_into(&dir, &["-u", "README.md"]);
    assert!(first.status.success(), "{}", stderr(&first));
    let once = std::fs::read(&path).unwrap();
    let again = dir.join("again.wasm");
    let path_str = path.to_str().unwrap();
    let again_str = again.to_str().unwrap();

    let refused = run_tool(ANNOTATE, &["-u", "README.md", "-o", again_str, path_str]);
    assert_fails_with(&refused, "annotated already");
    assert!(!again.exists(), "no output on failure");

    let forced = run_tool(
        ANNOTATE,
        &["--force", "-u", "README.md", "-o", again_str, path_str],
    );
    assert!(forced.status.success(), "{}", stderr(&forced));
    assert_eq!(std::fs::read(&again).unwrap(), once, "replaced, not added");
}

#[test]
fn bad_inputs_are_refused_with_a_clear_message() {
    let dir = TempDir::new("annotate-bad");
    let bad_metadata = dir.join("metadata.yml");
    std::fs::write(
        &bad_metadata,
        read_text("metadata.yml").replace("mutating: true", "mutatng: true"),
    )
    .unwrap();
    let not_wasm = dir.join("not.wasm");
    std::fs::write(&not_wasm, b"just text").unwrap();
    let out = dir.join("out.wasm");
    let (bad_metadata, not_wasm, out) = (
        bad_metadata.to_str().unwrap(),
        not_wasm.to_str().unwrap(),
        out.to_str().unwrap(),
    );
    let policy = psp_host::wasm_path();
    let policy = policy.to_str().unwrap();

    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec!["-m", bad_metadata, "-o", out, policy],
            "unknown field `mutatng`",
        ),
        (
            vec!["-m", "nope.yml", "-o", out, policy],
            "cannot read nope.yml",
        ),
        (vec!["-o", out, not_wasm], "not a WebAssembly module"),
        (vec!["-o", out, "missing.wasm"], "cannot read missing.wasm"),
        (vec![policy], "give the output path"),
        (vec!["-o", out], "give one module"),
        (
            vec!["--bogus", "-o", out, policy],
            "unknown option `--bogus`",
        ),
    ];
    for (args, needle) in cases {
        let output = run_tool(ANNOTATE, &args);
        assert_fails_with(&output, needle);
    }
    assert!(!std::path::Path::new(out).exists(), "no output on failure");

    let help = run_tool(ANNOTATE, &["--help"]);
    assert!(help.status.success());
    assert!(stdout(&help).contains("USAGE"));
}

#[test]
fn a_module_that_does_not_speak_wapc_is_refused() {
    let dir = TempDir::new("annotate-not-wapc");
    let empty = dir.join("empty.wasm");
    std::fs::write(&empty, b"\0asm\x01\0\0\0").unwrap();
    let out = dir.join("out.wasm");
    let output = run_tool(
        ANNOTATE,
        &["-o", out.to_str().unwrap(), empty.to_str().unwrap()],
    );
    assert_fails_with(&output, "protocol");
}
