//! What `kwctl annotate -m metadata.yml -u README.md` does, without kwctl: ask the module for its
//! protocol version through the waPC host, and embed the metadata as JSON in the custom section
//! `io.kubewarden.metadata`.

use anyhow::{anyhow, bail, Context, Result};
use psp_host::PolicyHost;
use serde_json::Value;

use crate::metadata::{annotated_metadata, parse_metadata, METADATA_SECTION};
use crate::wasm::{read_custom_section, replace_custom_section};

/// The metadata JSON `annotate` embeds for `module`.
pub fn metadata_for(module: &[u8], metadata_yaml: &str, usage: Option<&str>) -> Result<Value> {
    let metadata = parse_metadata(metadata_yaml)?;
    let host = PolicyHost::from_bytes(module)
        .map_err(|e| anyhow!("cannot load the module to ask its protocol version: {e:#}"))?;
    let protocol_version = host
        .protocol_version()
        .map_err(|e| anyhow!("the module does not answer `protocol_version`: {e:#}"))?;
    annotated_metadata(&metadata, &protocol_version, usage)
}

/// `module` with its metadata embedded. A module that is annotated already is refused unless
/// `force` (then its metadata is replaced), as kwctl does.
pub fn annotate(
    module: &[u8],
    metadata_yaml: &str,
    usage: Option<&str>,
    force: bool,
) -> Result<Vec<u8>> {
    let existing =
        read_custom_section(module, METADATA_SECTION).context("cannot read the module")?;
    if existing.is_some() && !force {
        bail!("the module is annotated already ({METADATA_SECTION} section); use --force to replace its metadata");
    }
    let metadata = metadata_for(module, metadata_yaml, usage)?;
    let json = serde_json::to_vec(&metadata)?;
    replace_custom_section(module, METADATA_SECTION, &json)
}

/// The metadata embedded in `module`, if any.
pub fn embedded_metadata(module: &[u8]) -> Result<Option<Value>> {
    match read_custom_section(module, METADATA_SECTION)? {
        None => Ok(None),
        Some(raw) => serde_json::from_slice(raw)
            .map(Some)
            .map_err(|e| anyhow!("the {METADATA_SECTION} section is not valid JSON: {e}")),
    }
}
