//! Custom sections of a WebAssembly module, read and written at the level of the binary format's
//! section list (magic, version, then `id: u8, size: u32 LEB128, payload` repeated). The rest of
//! the module is kept byte for byte.

use anyhow::{bail, Context, Result};
use std::ops::Range;

const MAGIC: &[u8; 4] = b"\0asm";
const VERSION_1: [u8; 4] = [1, 0, 0, 0];
const CUSTOM_SECTION_ID: u8 = 0;

/// One section of a module: its id and where its whole encoding (id byte included) and its
/// payload are in the module.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    pub id: u8,
    pub whole: Range<usize>,
    pub payload: Range<usize>,
}

/// A custom section: its name and contents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomSection<'a> {
    pub name: String,
    pub data: &'a [u8],
    pub whole: Range<usize>,
}

/// Reads an unsigned LEB128 `u32` at `*pos`, advancing `*pos`.
fn read_u32(bytes: &[u8], pos: &mut usize) -> Result<u32> {
    let mut result: u64 = 0;
    for shift in (0..35).step_by(7) {
        let Some(&byte) = bytes.get(*pos) else {
            bail!("truncated LEB128 number at byte {}", *pos);
        };
        *pos += 1;
        result |= u64::from(byte & 0x7f) << shift;
        if byte & 0x80 == 0 {
            return u32::try_from(result)
                .with_context(|| format!("LEB128 number too large before byte {}", *pos));
        }
    }
    bail!("LEB128 number longer than 5 bytes before byte {}", *pos)
}

fn write_u32(out: &mut Vec<u8>, mut value: u32) {
    loop {
        let byte = (value & 0x7f) as u8;
        value >>= 7;
        if value == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

/// Every section of `module`, in order. Fails on anything that is not a version-1 wasm module or
/// whose section list is malformed.
pub fn sections(module: &[u8]) -> Result<Vec<Section>> {
    if module.len() < 8 || &module[..4] != MAGIC {
        bail!("not a WebAssembly module (no `\\0asm` magic number)");
    }
    if module[4..8] != VERSION_1 {
        bail!(
            "unsupported WebAssembly binary version {:?} (expected 1: a core module, not a component)",
            &module[4..8]
        );
    }
    let mut pos = 8;
    let mut found = Vec::new();
    while pos < module.len() {
        let start = pos;
        let id = module[pos];
        pos += 1;
        let size = read_u32(module, &mut pos)
            .with_context(|| format!("malformed size of the section at byte {start}"))?
            as usize;
        let end = pos
            .checked_add(size)
            .filter(|end| *end <= module.len())
            .with_context(|| {
                format!(
                    "section {id} at byte {start} claims {size} bytes, past the end of the module ({} bytes)",
                    module.len()
                )
            })?;
        found.push(Section {
            id,
            whole: start..end,
            payload: pos..end,
        });
        pos = end;
    }
    Ok(found)
}

/// Every custom section of `module`, in order.
pub fn custom_sections(module: &[u8]) -> Result<Vec<CustomSection<'_>>> {
    let mut customs = Vec::new();
    for section in sections(module)? {
        if section.id != CUSTOM_SECTION_ID {
            continue;
        }
        let payload = &module[section.payload.clone()];
        let mut pos = 0;
        let name_len = read_u32(payload, &mut pos).with_context(|| {
            format!(
                "malformed name of the custom section at byte {}",
                section.whole.start
            )
        })? as usize;
        let name_end = pos
            .checked_add(name_len)
            .filter(|end| *end <= payload.len())
            .with_context(|| {
                format!(
                    "the name of the custom section at byte {} runs past the section",
                    section.whole.start
                )
            })?;
        let name = std::str::from_utf8(&payload[pos..name_end])
            .with_context(|| {
                format!(
                    "the name of the custom section at byte {} is not UTF-8",
                    section.whole.start
                )
            })?
            .to_string();
        customs.push(CustomSection {
            name,
            data: &payload[name_end..],
            whole: section.whole,
        });
    }
    Ok(customs)
}

/// The contents of the first custom section called `name`, if any (what kwctl and policy-server
/// read).
pub fn read_custom_section<'a>(module: &'a [u8], name: &str) -> Result<Option<&'a [u8]>> {
    Ok(custom_sections(module)?
        .into_iter()
        .find(|section| section.name == name)
        .map(|section| section.data))
}

/// The encoding of a custom section called `name` holding `data`.
pub fn encode_custom_section(name: &str, data: &[u8]) -> Result<Vec<u8>> {
    let name_len = u32::try_from(name.len()).context("custom section name too long")?;
    let mut payload = Vec::with_capacity(name.len() + data.len() + 5);
    write_u32(&mut payload, name_len);
    payload.extend_from_slice(name.as_bytes());
    payload.extend_from_slice(data);
    let size = u32::try_from(payload.len()).context("custom section larger than 4 GiB")?;
    let mut section = Vec::with_capacity(payload.len() + 6);
    section.push(CUSTOM_SECTION_ID);
    write_u32(&mut section, size);
    section.extend_from_slice(&payload);
    Ok(section)
}

/// `module` without its custom sections called `name`, and with one such section holding `data`
/// at the end. Every other byte of the module is kept as it was.
pub fn replace_custom_section(module: &[u8], name: &str, data: &[u8]) -> Result<Vec<u8>> {
    let mut out = without_custom_section(module, name)?;
    out.extend_from_slice(&encode_custom_section(name, data)?);
    Ok(out)
}

/// `module` without its custom sections called `name`.
pub fn without_custom_section(module: &[u8], name: &str) -> Result<Vec<u8>> {
    let drop: Vec<Range<usize>> = custom_sections(module)?
        .into_iter()
        .filter(|section| section.name == name)
        .map(|section| section.whole)
        .collect();
    let mut out = Vec::with_capacity(module.len());
    let mut pos = 0;
    for range in drop {
        out.extend_from_slice(&module[pos..range.start]);
        pos = range.end;
    }
    out.extend_from_slice(&module[pos..]);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `(module)` with a type section `(type (func))` and a custom section `a` = "xy".
    fn module() -> Vec<u8> {
        let mut m = b"\0asm\x01\0\0\0".to_vec();
        m.extend_from_slice(&[1, 4, 1, 0x60, 0, 0]);
        m.extend_from_slice(&[0, 4, 1, b'a', b'x', b'y']);
        m
    }

    #[test]
    fn lists_sections_and_custom_sections() {
        let m = module();
        let all = sections(&m).unwrap();
        assert_eq!(all.len(), 2);
        assert_eq!(all[0].id, 1);
        let customs = custom_sections(&m).unwrap();
        assert_eq!(customs.len(), 1);
        assert_eq!(customs[0].name, "a");
        assert_eq!(customs[0].data, b"xy");
        assert_eq!(read_custom_section(&m, "a").unwrap(), Some(&b"xy"[..]));
        assert_eq!(read_custom_section(&m, "b").unwrap(), None);
    }

    #[test]
    fn replacing_keeps_everything_else_and_leaves_one_section() {
        let m = module();
        let data = vec![7u8; 300]; // a size that needs two LEB128 bytes
        let once = replace_custom_section(&m, "a", &data).unwrap();
        let twice = replace_custom_section(&once, "a", &data).unwrap();
        assert_eq!(once, twice);
        let customs = custom_sections(&twice).unwrap();
        assert_eq!(customs.len(), 1);
        assert_eq!(customs[0].data, &data[..]);
        assert_eq!(without_custom_section(&twice, "a").unwrap(), m[..14]);
        let other = replace_custom_section(&m, "b", b"z").unwrap();
        assert_eq!(custom_sections(&other).unwrap().len(), 2);
        assert!(other.starts_with(&m));
    }

    #[test]
    fn malformed_modules_are_errors_not_panics() {
        let cases: Vec<(Vec<u8>, &str)> = vec![
            (b"hello world".to_vec(), "not a WebAssembly module"),
            (b"\0asm".to_vec(), "not a WebAssembly module"),
            (
                b"\0asm\x0d\0\x01\0".to_vec(),
                "unsupported WebAssembly binary version",
            ),
            (b"\0asm\x01\0\0\0\x01\x09\x00".to_vec(), "past the end"),
            (b"\0asm\x01\0\0\0\x01\xff".to_vec(), "truncated LEB128"),
            (
                b"\0asm\x01\0\0\0\x01\xff\xff\xff\xff\xff\x01".to_vec(),
                "longer than 5 bytes",
            ),
            (
                b"\0asm\x01\0\0\0\x00\x02\x05a".to_vec(),
                "runs past the section",
            ),
            (b"\0asm\x01\0\0\0\x00\x02\x01\xff".to_vec(), "not UTF-8"),
        ];
        for (bytes, needle) in cases {
            let err = format!("{:#}", custom_sections(&bytes).unwrap_err());
            assert!(err.contains(needle), "{bytes:?}: {err}");
        }
    }
}
