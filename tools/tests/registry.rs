//! End to end against a real OCI registry (Debian's `docker-registry`, the CNCF distribution
//! registry), started on 127.0.0.1 for each test with its own configuration and storage, and
//! stopped and removed afterwards, also when a test fails. Nothing but 127.0.0.1 is contacted.
//!
//! `bash scripts/setup.sh registry` (run by `make test`) installs docker-registry when missing.

mod common;

use common::*;
use psp_tools::metadata::{
    oci_annotations, parse_metadata, ANNOTATION_SOURCE, ANNOTATION_USAGE, OCI_IMAGE_SOURCE,
};
use psp_tools::oci::{
    pull, sha256_digest, Transport, OCI_MANIFEST_MEDIA_TYPE, WASM_CONFIG_MEDIA_TYPE,
    WASM_LAYER_MEDIA_TYPE,
};
use serde_json::{json, Value};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const PUSH: &str = env!("CARGO_BIN_EXE_psp-push");
const PULL: &str = env!("CARGO_BIN_EXE_psp-pull");
const REPOSITORY: &str = "kubewarden/pod-security-policy";

/// The `docker-registry` binary: `$DOCKER_REGISTRY_BIN`, else on PATH. Fails the test, with
/// what to do, when it is missing.
fn registry_binary() -> PathBuf {
    if let Some(path) = std::env::var_os("DOCKER_REGISTRY_BIN").filter(|p| !p.is_empty()) {
        return PathBuf::from(path);
    }
    let found = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join("docker-registry"))
            .find(|candidate| candidate.is_file())
    });
    found.unwrap_or_else(|| {
        panic!(
            "docker-registry is not installed, and the registry tests need a real registry: run \
             `bash scripts/setup.sh registry` (apt-get install docker-registry), or point \
             $DOCKER_REGISTRY_BIN at a registry binary"
        )
    })
}

/// A registry serving on 127.0.0.1:`port` from a temporary folder. Dropping it stops the
/// process and removes the folder.
struct Registry {
    child: Child,
    port: u16,
    dir: TempDir,
}

impl Registry {
    fn start() -> Registry {
        let binary = registry_binary();
        let mut last_error = String::new();
        // A free port is picked by binding port 0; another process could take it before the
        // registry binds it, so try a few.
        for _ in 0..5 {
            let dir = TempDir::new("registry");
            let port = free_port();
            let storage = dir.join("storage");
            std::fs::create_dir_all(&storage).unwrap();
            let config = dir.join("config.yml");
            std::fs::write(
                &config,
                format!(
                    "version: 0.1\n\
                     log:\n  level: warn\n  accesslog:\n    disabled: true\n\
                     storage:\n  filesystem:\n    rootdirectory: {}\n  delete:\n    enabled: true\n\
                     http:\n  addr: 127.0.0.1:{port}\n",
                    storage.display()
                ),
            )
            .unwrap();
            let log = std::fs::File::create(dir.join("registry.log")).unwrap();
            let child = Command::new(&binary)
                .arg("serve")
                .arg(&config)
                .stdin(Stdio::null())
                .stdout(log.try_clone().unwrap())
                .stderr(log)
                .spawn()
                .unwrap_or_else(|e| panic!("cannot start {}: {e}", binary.display()));
            let mut registry = Registry { child, port, dir };
            match registry.wait_until_ready() {
                Ok(()) => return registry,
                Err(e) => last_error = e,
            }
            // `registry` drops here: process stopped, folder removed.
        }
        panic!("the registry did not start: {last_error}");
    }

    fn wait_until_ready(&mut self) -> Result<(), String> {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                let log =
                    std::fs::read_to_string(self.dir.join("registry.log")).unwrap_or_default();
                return Err(format!("docker-registry exited ({status}): {log}"));
            }
            if let Ok(response) = http_get(self.port, "/v2/", &[]) {
                if response.status == 200 {
                    return Ok(());
                }
            }
            if Instant::now() > deadline {
                return Err("no answer on /v2/ within 20 s".into());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn reference(&self, tag_or_digest: &str) -> String {
        let separator = if tag_or_digest.starts_with("sha256:") {
            "@"
        } else {
            ":"
        };
        format!(
            "registry://127.0.0.1:{}/{REPOSITORY}{separator}{tag_or_digest}",
            self.port
        )
    }
}

impl Drop for Registry {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        // `dir` is removed when it drops, after this.
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|address| address.port())
        .expect("a free port on 127.0.0.1")
}

struct HttpResponse {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl HttpResponse {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }
}

/// A plain HTTP/1.1 GET to 127.0.0.1:`port`, read independently of the OCI client under test.
fn http_get(port: u16, path: &str, headers: &[(&str, &str)]) -> std::io::Result<HttpResponse> {
    let mut stream = TcpStream::connect(("127.0.0.1", port))?;
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut request =
        format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n");
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    stream.write_all(request.as_bytes())?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw)?;
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or_else(|| std::io::Error::other("no end of headers"))?;
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|line| line.split_whitespace().nth(1))
        .and_then(|code| code.parse().ok())
        .ok_or_else(|| std::io::Error::other("no status line"))?;
    let headers: Vec<(String, String)> = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect();
    let mut body = raw[split + 4..].to_vec();
    let chunked = headers.iter().any(|(k, v)| {
        k.eq_ignore_ascii_case("transfer-encoding") && v.eq_ignore_ascii_case("chunked")
    });
    if chunked {
        body = dechunk(&body)?;
    }
    Ok(HttpResponse {
        status,
        headers,
        body,
    })
}

fn dechunk(mut data: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut out = Vec::new();
    loop {
        let line_end = data
            .windows(2)
            .position(|w| w == b"\r\n")
            .ok_or_else(|| std::io::Error::other("bad chunk"))?;
        let size_text = String::from_utf8_lossy(&data[..line_end]);
        let size = usize::from_str_radix(size_text.split(';').next().unwrap_or("").trim(), 16)
            .map_err(|_| std::io::Error::other("bad chunk size"))?;
        data = &data[line_end + 2..];
        if size == 0 {
            return Ok(out);
        }
        if data.len() < size + 2 {
            return Err(std::io::Error::other("short chunk"));
        }
        out.extend_from_slice(&data[..size]);
        data = &data[size + 2..];
    }
}

/// policy.wasm annotated with metadata.yml and the README, as `make annotated-policy.wasm` does.
fn annotated_module(dir: &TempDir) -> (Vec<u8>, PathBuf) {
    let module = psp_tools::annotate::annotate(
        &policy_bytes(),
        &read_text("metadata.yml"),
        Some(&read_text("README.md")),
        false,
    )
    .unwrap_or_else(|e| panic!("{e:#}"));
    let path = dir.join("annotated-policy.wasm");
    std::fs::write(&path, &module).unwrap();
    (module, path)
}

/// The manifest annotations kwctl would write for metadata.yml + README, computed from the files.
fn expected_annotations() -> Value {
    let metadata = parse_metadata(&read_text("metadata.yml")).unwrap();
    let mut annotations = metadata.metadata.annotations.clone().unwrap();
    annotations.insert(ANNOTATION_USAGE.into(), read_text("README.md"));
    let oci = oci_annotations(&annotations);
    assert!(
        !oci.contains_key(ANNOTATION_USAGE),
        "the multi-line README is left out"
    );
    assert_eq!(oci[OCI_IMAGE_SOURCE], annotations[ANNOTATION_SOURCE]);
    serde_json::to_value(oci).unwrap()
}

#[test]
fn push_then_pull_by_tag_and_by_digest_gives_back_the_module_byte_for_byte() {
    let registry = Registry::start();
    let work = TempDir::new("push");
    let (module, module_path) = annotated_module(&work);

    // Push with the built-in publisher, as `make push REF=... INSECURE=1` does.
    let target = registry.reference("v0.1.0");
    let pushed = run_tool(
        PUSH,
        &["--insecure", module_path.to_str().unwrap(), &target],
    );
    assert!(pushed.status.success(), "{}", stderr(&pushed));
    let immutable = stdout(&pushed).trim().to_string();
    let (name, digest) = immutable.split_once('@').expect("HOST/PATH@DIGEST");
    assert_eq!(name, format!("127.0.0.1:{}/{REPOSITORY}", registry.port));
    assert!(
        digest.starts_with("sha256:") && digest.len() == 71,
        "{digest}"
    );

    // The manifest, as the registry serves it to any client.
    let manifest_response = http_get(
        registry.port,
        &format!("/v2/{REPOSITORY}/manifests/v0.1.0"),
        &[("Accept", OCI_MANIFEST_MEDIA_TYPE)],
    )
    .unwrap();
    assert_eq!(manifest_response.status, 200);
    assert_eq!(
        manifest_response.header("Content-Type"),
        Some(OCI_MANIFEST_MEDIA_TYPE)
    );
    assert_eq!(
        manifest_response.header("Docker-Content-Digest"),
        Some(digest)
    );
    assert_eq!(sha256_digest(&manifest_response.body), digest);
    let manifest: Value = serde_json::from_slice(&manifest_response.body).unwrap();
    assert_eq!(
        manifest,
        json!({
            "schemaVersion": 2,
            "config": {
                "mediaType": WASM_CONFIG_MEDIA_TYPE,
                "digest": sha256_digest(b"{}"),
                "size": 2
            },
            "layers": [{
                "mediaType": WASM_LAYER_MEDIA_TYPE,
                "digest": sha256_digest(&module),
                "size": module.len()
            }],
            "annotations": expected_annotations()
        })
    );

    // The blobs: config `{}` and the module itself.
    let config = http_get(
        registry.port,
        &format!("/v2/{REPOSITORY}/blobs/{}", sha256_digest(b"{}")),
        &[],
    )
    .unwrap();
    assert_eq!((config.status, config.body.as_slice()), (200, &b"{}"[..]));
    let layer = http_get(
        registry.port,
        &format!("/v2/{REPOSITORY}/blobs/{}", sha256_digest(&module)),
        &[],
    )
    .unwrap();
    assert_eq!(layer.status, 200);
    assert!(
        layer.body == module,
        "the layer is the annotated module byte for byte"
    );

    // Pull back by tag and by digest, with the CLI and the library.
    for reference in [registry.reference("v0.1.0"), registry.reference(digest)] {
        let out = work.join("pulled.wasm");
        let pulled = run_tool(
            PULL,
            &["--insecure", "-o", out.to_str().unwrap(), &reference],
        );
        assert!(pulled.status.success(), "{reference}: {}", stderr(&pulled));
        assert_eq!(stdout(&pulled).trim(), digest, "{reference}");
        assert!(
            std::fs::read(&out).unwrap() == module,
            "{reference}: byte for byte"
        );

        let pulled = pull(&reference, Transport { insecure: true }).unwrap();
        assert_eq!(pulled.digest, digest);
        assert_eq!(pulled.config_media_type, WASM_CONFIG_MEDIA_TYPE);
        assert_eq!(pulled.config, b"{}");
        assert_eq!(pulled.manifest.layers.len(), 1);
        assert_eq!(pulled.manifest.layers[0].media_type, WASM_LAYER_MEDIA_TYPE);
        assert!(pulled.module == module, "{reference}: byte for byte");

        // The pulled module is the policy: it accepts and rejects through the waPC host.
        assert_runs_as_the_policy(&pulled.module);
        // And it still carries its metadata.
        let embedded = psp_tools::annotate::embedded_metadata(&pulled.module)
            .unwrap()
            .expect("metadata");
        assert_eq!(embedded["protocolVersion"], "v1");
    }
}

#[test]
fn plain_http_is_used_only_when_asked_for() {
    let registry = Registry::start();
    let work = TempDir::new("push-https");
    let (_, module_path) = annotated_module(&work);
    let target = registry.reference("v0.1.0");
    let refused = run_tool(PUSH, &[module_path.to_str().unwrap(), &target]);
    assert_fails_with(&refused, "--insecure / INSECURE=1");
    let absent = http_get(
        registry.port,
        &format!("/v2/{REPOSITORY}/manifests/v0.1.0"),
        &[("Accept", OCI_MANIFEST_MEDIA_TYPE)],
    )
    .unwrap();
    assert_eq!(absent.status, 404, "nothing was pushed");

    let out = work.join("pulled.wasm");
    let refused = run_tool(PULL, &["-o", out.to_str().unwrap(), &target]);
    assert_fails_with(&refused, "--insecure / INSECURE=1");
}

#[test]
fn bad_pushes_and_pulls_fail_with_a_clear_message() {
    let registry = Registry::start();
    let work = TempDir::new("push-bad");
    let plain = psp_host::wasm_path();
    let plain = plain.to_str().unwrap();
    let target = registry.reference("v0.1.0");

    let unannotated = run_tool(PUSH, &["--insecure", plain, &target]);
    assert_fails_with(&unannotated, "not annotated");

    let (_, module_path) = annotated_module(&work);
    let module_path = module_path.to_str().unwrap();
    for (args, needle) in [
        (
            vec!["--insecure", module_path, "busybox"],
            "names no registry host",
        ),
        (
            vec!["--insecure", module_path, "https://127.0.0.1/x:1"],
            "unsupported scheme",
        ),
        (
            vec![
                "--insecure",
                module_path,
                registry.reference(&sha256_digest(b"x")).as_str(),
            ],
            "push to a tag, not a digest",
        ),
        (
            vec!["--insecure", "missing.wasm", target.as_str()],
            "cannot read missing.wasm",
        ),
        (
            vec!["--insecure", module_path],
            "give the module and the destination",
        ),
    ] {
        assert_fails_with(&run_tool(PUSH, &args), needle);
    }

    let out = work.join("pulled.wasm");
    let out = out.to_str().unwrap();
    let missing = run_tool(
        PULL,
        &["--insecure", "-o", out, &registry.reference("v9.9.9")],
    );
    assert_fails_with(&missing, "cannot pull");
    assert!(!std::path::Path::new(out).exists());
}
