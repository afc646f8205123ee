//! `artifacthub-pkg.yml`, the Artifact Hub package file of a Kubewarden policy, derived from the
//! metadata the way `kwctl scaffold artifacthub --metadata-path metadata.yml --questions-path
//! questions-ui.yml` derives it.

use anyhow::{anyhow, bail, Result};
use serde::Serialize;
use std::collections::BTreeMap;

use crate::metadata::{
    Metadata, ANNOTATION_AUTHOR, ANNOTATION_DESCRIPTION, ANNOTATION_DISPLAY_NAME,
    ANNOTATION_KEYWORDS, ANNOTATION_LICENSE, ANNOTATION_OCI_URL, ANNOTATION_RESOURCES,
    ANNOTATION_SOURCE, ANNOTATION_TITLE, ANNOTATION_URL, ANNOTATION_VERSION,
};

pub const HEADER: &str = "\
# Kubewarden Artifacthub Package config
#
# Use this config to submit the policy to https://artifacthub.io.
#
# Generated from metadata.yml and questions-ui.yml: `make artifacthub-pkg.yml`
# (`kwctl scaffold artifacthub --metadata-path metadata.yml --questions-path questions-ui.yml`,
# or the built-in `psp-artifacthub`). A test keeps it in sync with metadata.yml.
";

pub const KUBEWARDEN_CONTROLLER_PACKAGE: &str =
    "https://artifacthub.io/packages/helm/kubewarden/kubewarden-controller";

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ArtifactHubPkg {
    pub version: String,
    pub name: String,
    pub display_name: String,
    pub created_at: String,
    pub description: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub license: Option<String>,
    #[serde(rename = "homeURL", skip_serializing_if = "Option::is_none")]
    pub home_url: Option<String>,
    pub containers_images: Vec<NamedImage>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub keywords: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub links: Option<Vec<Link>>,
    pub install: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub maintainers: Option<Vec<Maintainer>>,
    pub provider: Provider,
    pub recommendations: Vec<Recommendation>,
    pub annotations: BTreeMap<String, String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NamedImage {
    pub name: String,
    pub image: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Link {
    pub name: String,
    pub url: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Maintainer {
    pub name: String,
    pub email: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Provider {
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Recommendation {
    pub url: String,
}

fn is_semver(version: &str) -> bool {
    let core = version.split(['-', '+']).next().unwrap_or("");
    let parts: Vec<&str> = core.split('.').collect();
    parts.len() == 3
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
}

/// `Name <email>, Other <email>` → maintainers.
pub fn parse_maintainers(authors: &str) -> Result<Vec<Maintainer>> {
    let mut maintainers = Vec::new();
    for author in authors.split(',').map(str::trim).filter(|a| !a.is_empty()) {
        let (name, rest) = author
            .split_once('<')
            .ok_or_else(|| anyhow!("`{ANNOTATION_AUTHOR}`: {author:?} is not `Name <email>`"))?;
        let email = rest
            .strip_suffix('>')
            .ok_or_else(|| anyhow!("`{ANNOTATION_AUTHOR}`: {author:?} is not `Name <email>`"))?;
        let valid_email = email
            .split_once('@')
            .is_some_and(|(user, host)| !user.is_empty() && host.contains('.'))
            && !email.contains(char::is_whitespace);
        if !valid_email {
            bail!("`{ANNOTATION_AUTHOR}`: {email:?} is not an email address");
        }
        maintainers.push(Maintainer {
            name: name.trim().to_string(),
            email: email.to_string(),
        });
    }
    if maintainers.is_empty() {
        bail!("`{ANNOTATION_AUTHOR}` names no maintainer (`Name <email>`)");
    }
    Ok(maintainers)
}

/// The package for `metadata`, with `questions` (the questions-ui.yml text) and `created_at`
/// (RFC 3339).
pub fn artifacthub_pkg(
    metadata: &Metadata,
    questions: Option<&str>,
    created_at: &str,
) -> Result<ArtifactHubPkg> {
    let version = metadata.required_annotation(ANNOTATION_VERSION)?;
    if !is_semver(version) {
        bail!("`{ANNOTATION_VERSION}` must be a semantic version (MAJOR.MINOR.PATCH), not {version:?}");
    }
    if questions.is_some_and(|q| q.trim().is_empty()) {
        bail!("the questions-ui file is empty");
    }
    let oci_url = metadata.required_annotation(ANNOTATION_OCI_URL)?;
    let image = format!("{oci_url}:v{version}");
    let keywords = metadata
        .annotation(ANNOTATION_KEYWORDS)
        .map(|csv| {
            let words: Vec<String> = csv.split(',').map(|w| w.trim().to_string()).collect();
            if words.iter().any(String::is_empty) {
                bail!("`{ANNOTATION_KEYWORDS}` must be comma-separated words, without empty ones");
            }
            Ok(words)
        })
        .transpose()?;
    let links = metadata.annotation(ANNOTATION_SOURCE).map(|source| {
        let mut links = Vec::new();
        if source.starts_with("https://github.com/") {
            links.push(Link {
                name: "policy".into(),
                url: format!(
                    "{}/releases/download/v{version}/policy.wasm",
                    source.trim_end_matches('/')
                ),
            });
        }
        links.push(Link {
            name: "source".into(),
            url: source.to_string(),
        });
        links
    });
    let maintainers = metadata
        .annotation(ANNOTATION_AUTHOR)
        .map(parse_maintainers)
        .transpose()?;

    let mut annotations = BTreeMap::new();
    annotations.insert(
        "kubewarden/mutation".to_string(),
        metadata.mutating.to_string(),
    );
    annotations.insert(
        "kubewarden/rules".to_string(),
        serde_yaml::to_string(&metadata.rules)?,
    );
    if let Some(resources) = metadata
        .context_aware_resources
        .as_ref()
        .filter(|r| !r.is_empty())
    {
        annotations.insert(
            "kubewarden/contextAwareResources".to_string(),
            serde_yaml::to_string(resources)?,
        );
    }
    if let Some(questions) = questions {
        annotations.insert("kubewarden/questions-ui".to_string(), questions.to_string());
    }
    if let Some(resources) = metadata.annotation(ANNOTATION_RESOURCES) {
        annotations.insert("kubewarden/resources".to_string(), resources.to_string());
    }

    Ok(ArtifactHubPkg {
        version: version.to_string(),
        name: metadata.required_annotation(ANNOTATION_TITLE)?.to_string(),
        display_name: metadata
            .required_annotation(ANNOTATION_DISPLAY_NAME)?
            .to_string(),
        created_at: created_at.to_string(),
        description: metadata
            .required_annotation(ANNOTATION_DESCRIPTION)?
            .to_string(),
        license: metadata.annotation(ANNOTATION_LICENSE).map(str::to_string),
        home_url: metadata.annotation(ANNOTATION_URL).map(str::to_string),
        containers_images: vec![NamedImage {
            name: "policy".into(),
            image: image.clone(),
        }],
        keywords,
        links,
        install: format!(
            "Pull the policy with [`kwctl`](https://github.com/kubewarden/kwctl):\n\
             ```console\nkwctl pull registry://{image}\n```\n\
             and write a ClusterAdmissionPolicy to tune, for example:\n\
             ```console\nkwctl scaffold manifest -t ClusterAdmissionPolicy registry://{image}\n```\n"
        ),
        maintainers,
        provider: Provider {
            name: "kubewarden".into(),
        },
        recommendations: vec![Recommendation {
            url: KUBEWARDEN_CONTROLLER_PACKAGE.into(),
        }],
        annotations,
    })
}

/// The file: [`HEADER`] then the package as YAML.
pub fn render(pkg: &ArtifactHubPkg) -> Result<String> {
    Ok(format!("{HEADER}{}", serde_yaml::to_string(pkg)?))
}

/// `now` as RFC 3339 UTC (`2026-01-02T03:04:05Z`).
pub fn now_rfc3339() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    rfc3339(secs)
}

/// Seconds since the Unix epoch as RFC 3339 UTC.
pub fn rfc3339(secs: u64) -> String {
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    // Civil date from days since 1970-01-01 (proleptic Gregorian calendar).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// True for `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`.
pub fn is_rfc3339(text: &str) -> bool {
    let b = text.as_bytes();
    let digits =
        |r: std::ops::Range<usize>| b.get(r).is_some_and(|s| s.iter().all(u8::is_ascii_digit));
    if b.len() < 20
        || !digits(0..4)
        || b[4] != b'-'
        || !digits(5..7)
        || b[7] != b'-'
        || !digits(8..10)
        || b[10] != b'T'
        || !digits(11..13)
        || b[13] != b':'
        || !digits(14..16)
        || b[16] != b':'
        || !digits(17..19)
    {
        return false;
    }
    let mut rest = &text[19..];
    if let Some(fraction) = rest.strip_prefix('.') {
        let n = fraction.bytes().take_while(u8::is_ascii_digit).count();
        if n == 0 {
            return false;
        }
        rest = &fraction[n..];
    }
    rest == "Z"
        || (rest.len() == 6
            && (rest.starts_with('+') || rest.starts_with('-'))
            && rest.as_bytes()[3] == b':'
            && rest[1..3]
                .bytes()
                .chain(rest[4..6].bytes())
                .all(|c| c.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_rfc3339() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(rfc3339(1_798_761_599), "2026-12-31T23:59:59Z");
        assert!(is_rfc3339(&now_rfc3339()));
        assert!(is_rfc3339("2026-01-21T16:16:49.943509217Z"));
        assert!(is_rfc3339("2023-01-19T14:46:21+02:00"));
        for bad in [
            "2026-01-21",
            "2026-01-21T16:16:49",
            "2026-01-21T16:16:49.Z",
            "x026-01-21T16:16:49Z",
        ] {
            assert!(!is_rfc3339(bad), "{bad}");
        }
    }

    #[test]
    fn maintainers_parse() {
        let m =
            parse_maintainers("Tux Tuxedo <tux@example.com>, Pidgin <pidgin@example.com>").unwrap();
        assert_eq!(m.len(), 2);
        assert_eq!(m[1].name, "Pidgin");
        for bad in [
            "",
            "Tux tux@example.com",
            "Tux <tux>",
            "Tux <tux@example.com",
        ] {
            assert!(parse_maintainers(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn versions_must_be_semver() {
        assert!(is_semver("0.1.0") && is_semver("1.2.3-rc.1"));
        assert!(!is_semver("v0.1.0") && !is_semver("0.1") && !is_semver("0.1.x"));
    }
}
