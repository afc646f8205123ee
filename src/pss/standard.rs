//! A Pod Security Standard as Pod Security Admission names it: a level at a policy version, e.g.
//! `restricted:latest` or `baseline:v1.30` (PSA's `LevelVersion`, from its `api` package).

use std::fmt;

/// A Pod Security Standards level. (`privileged` is not a level here: it checks nothing.)
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Level {
    Baseline,
    Restricted,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Baseline => "baseline",
            Level::Restricted => "restricted",
        }
    }

    /// Parses `"baseline"` or `"restricted"` (exact spelling, as PSA's namespace labels).
    pub fn parse(level: &str) -> Result<Level, String> {
        match level {
            "baseline" => Ok(Level::Baseline),
            "restricted" => Ok(Level::Restricted),
            other => Err(format!(
                "invalid Pod Security Standards level {other:?}: expected \"baseline\" or \"restricted\""
            )),
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A Pod Security Standards policy version: `latest` (the newest rules) or `v1.N`. As in Pod Security
/// Admission, any `v1.N` is valid, and a version newer than this release knows is judged as the newest it knows
/// ([`Version::NEWEST_KNOWN_MINOR`]), while messages name it as written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Version {
    /// `None` is `latest`.
    minor: Option<u64>,
}

impl Version {
    /// The newest policy version this release knows (v1.37): the highest at which any check changes. `latest`,
    /// and every newer version, are evaluated as this one.
    pub const NEWEST_KNOWN_MINOR: u8 = 37;

    pub const LATEST: Version = Version { minor: None };

    /// Version `v1.<minor>`.
    pub const fn v1(minor: u64) -> Version {
        Version { minor: Some(minor) }
    }

    /// The minor version whose rules apply: the pinned one, or [`Version::NEWEST_KNOWN_MINOR`] for `latest` and
    /// for any newer version.
    pub fn resolved_minor(self) -> u8 {
        match self.minor.map(u8::try_from) {
            Some(Ok(minor)) if minor < Self::NEWEST_KNOWN_MINOR => minor,
            _ => Self::NEWEST_KNOWN_MINOR,
        }
    }

    /// Parses `"latest"` or `"v1.N"` as PSA's `ParseVersion` does: `N` is `0` or a number without a leading
    /// zero, within Go's `int` (which PSA's `strconv.Atoi` reads it into).
    pub fn parse(version: &str) -> Result<Version, String> {
        if version == "latest" {
            return Ok(Version::LATEST);
        }
        version
            .strip_prefix("v1.")
            .filter(|digits| {
                !digits.is_empty()
                    && digits.bytes().all(|b| b.is_ascii_digit())
                    && (digits.len() == 1 || !digits.starts_with('0'))
            })
            .and_then(|digits| digits.parse::<i64>().ok())
            .and_then(|minor| u64::try_from(minor).ok())
            .map(Version::v1)
            .ok_or_else(|| {
                format!(
                    "invalid Pod Security Standards version {version:?}: expected \"latest\" or \"v1.N\" \
                     (N a whole number without leading zeros, such as \"v1.0\" or \"v1.{}\")",
                    Self::NEWEST_KNOWN_MINOR
                )
            })
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.minor {
            None => f.write_str("latest"),
            Some(minor) => write!(f, "v1.{minor}"),
        }
    }
}

/// A level at a version, e.g. `restricted:latest`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Standard {
    pub level: Level,
    pub version: Version,
}

impl Standard {
    pub fn parse(level: &str, version: &str) -> Result<Standard, String> {
        Ok(Standard {
            level: Level::parse(level)?,
            version: Version::parse(version)?,
        })
    }
}

impl fmt::Display for Standard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.level, self.version)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_levels_and_versions() {
        let ok = [
            ("baseline", "latest", Level::Baseline, 37),
            ("restricted", "v1.0", Level::Restricted, 0),
            ("restricted", "v1.25", Level::Restricted, 25),
            ("baseline", "v1.37", Level::Baseline, 37),
            ("baseline", "v1.38", Level::Baseline, 37),
            ("restricted", "v1.300", Level::Restricted, 37),
            ("baseline", "v1.9223372036854775807", Level::Baseline, 37),
        ];
        for (level, version, want_level, want_minor) in ok {
            let s = Standard::parse(level, version).unwrap();
            assert_eq!(s.level, want_level);
            assert_eq!(s.version.resolved_minor(), want_minor, "{version}");
            // Named as written, as PSA names it in its messages.
            assert_eq!(s.to_string(), format!("{level}:{version}"));
        }
        for (level, version, needle) in [
            ("privileged", "latest", "\"privileged\""),
            ("Baseline", "latest", "\"Baseline\""),
            ("", "latest", "\"\""),
            ("baseline", "1.25", "\"1.25\""),
            ("baseline", "v1.025", "\"v1.025\""),
            ("baseline", "v1.00", "\"v1.00\""),
            ("baseline", "v1.", "\"v1.\""),
            ("baseline", "v2.0", "\"v2.0\""),
            ("baseline", "v1.-1", "\"v1.-1\""),
            ("baseline", "v1.+1", "\"v1.+1\""),
            (
                "baseline",
                "v1.9223372036854775808",
                "\"v1.9223372036854775808\"",
            ),
            ("baseline", "v1.3 ", "\"v1.3 \""),
            ("baseline", "Latest", "\"Latest\""),
        ] {
            let err = Standard::parse(level, version).unwrap_err();
            assert!(err.contains(needle), "{err}");
        }
        let err = Level::parse("x").unwrap_err();
        assert!(
            err.contains("\"baseline\"") && err.contains("\"restricted\""),
            "{err}"
        );
        assert_eq!(
            Version::parse("x").unwrap_err(),
            "invalid Pod Security Standards version \"x\": expected \"latest\" or \"v1.N\" (N a whole number \
             without leading zeros, such as \"v1.0\" or \"v1.37\")"
        );
    }

    #[test]
    fn latest_and_newer_versions_are_the_newest_known() {
        assert_eq!(Version::LATEST.resolved_minor(), 37);
        assert_eq!(Version::LATEST.to_string(), "latest");
        assert_eq!(Version::v1(38).resolved_minor(), 37);
        assert_eq!(Version::v1(u64::MAX).resolved_minor(), 37);
        assert_eq!(Version::v1(12).resolved_minor(), 12);
        assert_eq!(Version::v1(12).to_string(), "v1.12");
    }
}
