//! Publishing the annotated module as an OCI artifact, the way `kwctl push` does, and pulling it
//! back, with the `oci-client` crate.
//!
//! The artifact: an OCI image manifest whose config is `{}` of media type
//! `application/vnd.wasm.config.v1+json` and whose one layer, of media type
//! `application/vnd.wasm.content.layer.v1+wasm`, is the module byte for byte; the module's
//! metadata annotations are the manifest's annotations (see [`crate::metadata::oci_annotations`]).

use anyhow::{anyhow, bail, Context, Result};
use base64::Engine as _;
use oci_client::client::{ClientConfig, ClientProtocol, Config, ImageLayer};
use oci_client::manifest::{OciImageManifest, OciManifest};
use oci_client::secrets::RegistryAuth;
use oci_client::{Client, Reference};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::metadata::{embedded_annotations, oci_annotations, METADATA_SECTION};
use crate::wasm::read_custom_section;

pub const WASM_CONFIG_MEDIA_TYPE: &str = "application/vnd.wasm.config.v1+json";
pub const WASM_LAYER_MEDIA_TYPE: &str = "application/vnd.wasm.content.layer.v1+wasm";
pub const OCI_MANIFEST_MEDIA_TYPE: &str = "application/vnd.oci.image.manifest.v1+json";
/// The config blob of a Kubewarden policy artifact.
pub const CONFIG_BLOB: &[u8] = b"{}";

/// How to reach the registry.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Transport {
    /// Plain HTTP (only when asked for: `--insecure`, `INSECURE=1`). HTTPS otherwise.
    pub insecure: bool,
}

/// `sha256:<hex>` of `bytes`.
pub fn sha256_digest(bytes: &[u8]) -> String {
    let hash = Sha256::digest(bytes);
    let mut hex = String::with_capacity(71);
    hex.push_str("sha256:");
    for byte in hash {
        hex.push_str(&format!("{byte:02x}"));
    }
    hex
}

/// Parses `registry://host[:port]/path[:tag|@digest]` (the `registry://` prefix is optional)
/// into a reference. The registry host must be given: nothing is pushed to an implied Docker Hub.
pub fn parse_reference(target: &str) -> Result<Reference> {
    let bare = target.strip_prefix("registry://").unwrap_or(target);
    if bare.is_empty() {
        bail!("empty OCI reference; expected registry://HOST[:PORT]/PATH:TAG");
    }
    if bare.contains("://") {
        bail!("unsupported scheme in {target:?}; expected registry://HOST[:PORT]/PATH:TAG");
    }
    let first = bare.split('/').next().unwrap_or_default();
    let has_host =
        bare.contains('/') && (first.contains('.') || first.contains(':') || first == "localhost");
    if !has_host {
        bail!(
            "{target:?} names no registry host; expected registry://HOST[:PORT]/PATH:TAG \
             (for example registry://ghcr.io/org/policies/pod-security-policy:v0.1.0)"
        );
    }
    Reference::try_from(bare).map_err(|e| anyhow!("invalid OCI reference {target:?}: {e}"))
}

fn client(transport: Transport) -> Client {
    install_crypto_provider();
    Client::new(ClientConfig {
        protocol: if transport.insecure {
            ClientProtocol::Http
        } else {
            ClientProtocol::Https
        },
        ..Default::default()
    })
}

/// rustls needs a process-wide crypto provider; `ring` is the one this crate builds with.
fn install_crypto_provider() {
    // An error only means one is installed already.
    let _ = rustls::crypto::ring::default_provider().install_default();
}

fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")
}

/// Credentials for `registry` from the Docker config (`$DOCKER_CONFIG/config.json`, else
/// `~/.docker/config.json`), as `docker login` writes them without a credential helper;
/// anonymous otherwise.
pub fn registry_auth(registry: &str) -> Result<RegistryAuth> {
    let path = match std::env::var_os("DOCKER_CONFIG") {
        Some(dir) if !dir.is_empty() => PathBuf::from(dir).join("config.json"),
        _ => match std::env::var_os("HOME") {
            Some(home) => PathBuf::from(home).join(".docker/config.json"),
            None => return Ok(RegistryAuth::Anonymous),
        },
    };
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(RegistryAuth::Anonymous),
        Err(e) => return Err(anyhow!("cannot read {}: {e}", path.display())),
    };
    let config: serde_json::Value = serde_json::from_str(&text)
        .with_context(|| format!("{} is not valid JSON", path.display()))?;
    let entry = config.get("auths").and_then(|auths| {
        auths.get(registry).or_else(|| {
            auths.get(format!("https://{registry}")).or_else(|| {
                (registry == "docker.io")
                    .then(|| auths.get("https://index.docker.io/v1/"))
                    .flatten()
            })
        })
    });
    let Some(entry) = entry else {
        return Ok(RegistryAuth::Anonymous);
    };
    if let Some(auth) = entry.get("auth").and_then(|a| a.as_str()) {
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(auth.trim())
            .with_context(|| format!("{}: auths.{registry}.auth is not base64", path.display()))?;
        let decoded = String::from_utf8(decoded)
            .with_context(|| format!("{}: auths.{registry}.auth is not UTF-8", path.display()))?;
        let (user, password) = decoded.split_once(':').ok_or_else(|| {
            anyhow!(
                "{}: auths.{registry}.auth is not `user:password`",
                path.display()
            )
        })?;
        return Ok(RegistryAuth::Basic(user.into(), password.into()));
    }
    match (
        entry.get("username").and_then(|u| u.as_str()),
        entry.get("password").and_then(|p| p.as_str()),
    ) {
        (Some(user), Some(password)) => Ok(RegistryAuth::Basic(user.into(), password.into())),
        _ => Ok(RegistryAuth::Anonymous),
    }
}

/// The artifact `kwctl push` makes of `module`: its one layer, its config and its manifest.
pub fn build_artifact(
    module: &[u8],
    annotations: &BTreeMap<String, String>,
) -> (Vec<ImageLayer>, Config, OciImageManifest) {
    let layers = vec![ImageLayer::new(
        module.to_vec(),
        WASM_LAYER_MEDIA_TYPE.to_string(),
        None,
    )];
    let config = Config::new(
        CONFIG_BLOB.to_vec(),
        WASM_CONFIG_MEDIA_TYPE.to_string(),
        None,
    );
    let annotations = (!annotations.is_empty()).then(|| annotations.clone());
    let manifest = OciImageManifest::build(&layers, &config, annotations);
    (layers, config, manifest)
}

/// The manifest annotations of an annotated module (its metadata annotations, filtered as
/// `kwctl push` does). An unannotated module is refused unless `force`.
pub fn module_annotations(module: &[u8], force: bool) -> Result<BTreeMap<String, String>> {
    let section = read_custom_section(module, METADATA_SECTION)
        .context("cannot read the module's sections")?;
    match section {
        Some(raw) => {
            let metadata: serde_json::Value = serde_json::from_slice(raw).map_err(|e| {
                anyhow!("the module's {METADATA_SECTION} section is not valid JSON: {e}")
            })?;
            Ok(oci_annotations(&embedded_annotations(&metadata)?))
        }
        None if force => Ok(BTreeMap::new()),
        None => bail!(
            "the module is not annotated (no {METADATA_SECTION} section): build annotated-policy.wasm \
             (`make annotated-policy.wasm`), or push anyway with --force"
        ),
    }
}

/// What a push did.
#[derive(Debug, Clone)]
pub struct Pushed {
    /// `host/path@sha256:...`: the immutable reference of what was pushed.
    pub immutable_reference: String,
    /// The manifest digest.
    pub digest: String,
    pub manifest: OciImageManifest,
}

/// Pushes `module` to `target` (`registry://host/path:tag`) as `kwctl push` does.
pub fn push(module: &[u8], target: &str, transport: Transport, force: bool) -> Result<Pushed> {
    let reference = parse_reference(target)?;
    if reference.digest().is_some() {
        bail!("push to a tag, not a digest: {target}");
    }
    let annotations = module_annotations(module, force)?;
    let (layers, config, manifest) = build_artifact(module, &annotations);
    let auth = registry_auth(reference.resolve_registry())?;
    let response = runtime()?
        .block_on(client(transport).push(
            &reference,
            &layers,
            config,
            &auth,
            Some(manifest.clone()),
        ))
        .map_err(|e| transport_error("push to", target, transport, e))?;
    let digest = response
        .manifest_url
        .rsplit_once('/')
        .map(|(_, digest)| digest.to_string())
        .unwrap_or_default();
    let valid = digest
        .strip_prefix("sha256:")
        .is_some_and(|hex| hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit()));
    if !valid {
        bail!(
            "the registry answered a manifest location without a sha256 digest: {}",
            response.manifest_url
        );
    }
    Ok(Pushed {
        immutable_reference: format!(
            "{}/{}@{}",
            reference.registry(),
            reference.repository(),
            digest
        ),
        digest,
        manifest,
    })
}

fn transport_error(
    action: &str,
    target: &str,
    transport: Transport,
    error: impl std::fmt::Display,
) -> anyhow::Error {
    let hint = if transport.insecure {
        ""
    } else {
        " (over HTTPS; for a plain-HTTP registry ask for it: --insecure / INSECURE=1)"
    };
    anyhow!("cannot {action} {target}{hint}: {error}")
}

/// What a pull got.
#[derive(Debug, Clone)]
pub struct Pulled {
    pub manifest: OciImageManifest,
    /// The manifest digest.
    pub digest: String,
    pub config_media_type: String,
    pub config: Vec<u8>,
    /// The module (the one wasm layer), byte for byte.
    pub module: Vec<u8>,
}

/// Pulls the policy at `source` (`registry://host/path:tag` or `...@sha256:...`), checking that
/// it is a Kubewarden policy artifact: an OCI image manifest with the wasm config and one wasm
/// layer, whose digests match what was received.
pub fn pull(source: &str, transport: Transport) -> Result<Pulled> {
    let reference = parse_reference(source)?;
    let auth = registry_auth(reference.resolve_registry())?;
    let client = client(transport);
    runtime()?.block_on(async {
        let (manifest, digest) = client
            .pull_manifest(&reference, &auth)
            .await
            .map_err(|e| transport_error("pull", source, transport, e))?;
        let OciManifest::Image(manifest) = manifest else {
            bail!("{source} is an image index, not a policy (an image manifest)");
        };
        if let Some(wanted) = reference.digest() {
            if wanted != digest {
                bail!("{source}: the registry answered manifest {digest}, not {wanted}");
            }
        }
        if manifest.config.media_type != WASM_CONFIG_MEDIA_TYPE {
            bail!(
                "{source} is not a Kubewarden policy: config media type {:?}, expected {WASM_CONFIG_MEDIA_TYPE}",
                manifest.config.media_type
            );
        }
        let [layer] = manifest.layers.as_slice() else {
            bail!(
                "{source} is not a Kubewarden policy: {} layers, expected one",
                manifest.layers.len()
            );
        };
        if layer.media_type != WASM_LAYER_MEDIA_TYPE {
            bail!(
                "{source} is not a Kubewarden policy: layer media type {:?}, expected {WASM_LAYER_MEDIA_TYPE}",
                layer.media_type
            );
        }
        let mut module = Vec::new();
        client
            .pull_blob(&reference, layer, &mut module)
            .await
            .map_err(|e| transport_error("pull the module of", source, transport, e))?;
        let mut config = Vec::new();
        client
            .pull_blob(&reference, &manifest.config, &mut config)
            .await
            .map_err(|e| transport_error("pull the config of", source, transport, e))?;
        for (what, bytes, descriptor) in [
            ("module layer", &module, layer),
            ("config", &config, &manifest.config),
        ] {
            let got = sha256_digest(bytes);
            if got != descriptor.digest || bytes.len() as i64 != descriptor.size {
                bail!(
                    "{source}: the {what} received ({} bytes, {got}) is not the one the manifest names ({} bytes, {})",
                    bytes.len(),
                    descriptor.size,
                    descriptor.digest
                );
            }
        }
        Ok(Pulled {
            config_media_type: manifest.config.media_type.clone(),
            manifest,
            digest,
            config,
            module,
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_need_a_registry_host() {
        let ok = parse_reference("registry://127.0.0.1:5000/psp/policy:v1").unwrap();
        assert_eq!(ok.registry(), "127.0.0.1:5000");
        assert_eq!(ok.repository(), "psp/policy");
        assert_eq!(ok.tag(), Some("v1"));
        let ok = parse_reference(
            "ghcr.io/org/p@sha256:0123456789012345678901234567890123456789012345678901234567890123",
        )
        .unwrap();
        assert!(ok.digest().is_some());
        assert!(parse_reference("localhost/p:1").is_ok());
        for bad in [
            "",
            "registry://",
            "busybox",
            "org/p:v1",
            "https://ghcr.io/o/p:1",
            "registry://ghcr.io/UPPER:1",
        ] {
            assert!(parse_reference(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_artifact_is_kwctls() {
        let annotations: BTreeMap<String, String> =
            [("a".to_string(), "b".to_string())].into_iter().collect();
        let (layers, config, manifest) = build_artifact(b"\0asm\x01\0\0\0", &annotations);
        assert_eq!(layers.len(), 1);
        assert_eq!(&config.data[..], b"{}");
        assert_eq!(manifest.schema_version, 2);
        assert_eq!(manifest.config.media_type, WASM_CONFIG_MEDIA_TYPE);
        assert_eq!(manifest.config.digest, sha256_digest(b"{}"));
        assert_eq!(manifest.layers[0].media_type, WASM_LAYER_MEDIA_TYPE);
        assert_eq!(manifest.layers[0].size, 8);
        assert_eq!(manifest.annotations, Some(annotations));
        let (_, _, bare) = build_artifact(b"x", &BTreeMap::new());
        assert_eq!(bare.annotations, None);
    }

    #[test]
    fn digests_are_sha256_hex() {
        assert_eq!(
            sha256_digest(b""),
            "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }

    #[test]
    fn unannotated_modules_are_refused_unless_forced() {
        let module = b"\0asm\x01\0\0\0";
        let err = module_annotations(module, false).unwrap_err();
        assert!(err.to_string().contains("not annotated"), "{err}");
        assert!(module_annotations(module, true).unwrap().is_empty());
        let bad = crate::wasm::replace_custom_section(module, METADATA_SECTION, b"{").unwrap();
        let err = module_annotations(&bad, false).unwrap_err();
        assert!(err.to_string().contains("not valid JSON"), "{err}");
    }
}
