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

/// A Pod Security Standards policy version: `latest` (the newest rules) or `v1.N` with `N` in `0..=37`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Version {
    /// `None` is `latest`.
    minor: Option<u8>,
}

impl Version {
    /// The newest policy version at which any check changes; `latest` evaluates as this version.
    pub const MAX_MINOR: u8 = 37;

    pub const LATEST: Version = Version { minor: None };

    /// Version `v1.<minor>`, if `minor` is at most [`Version::MAX_MINOR`].
    pub fn v1(minor: u8) -> Option<Version> {
        (minor <= Self::MAX_MINOR).then_some(Version { minor: Some(minor) })
    }

    pub fn is_latest(self) -> bool {
        self.minor.is_none()
    }

    /// The pinned minor version, or `None` for `latest`.
    pub fn minor(self) -> Option<u8> {
        self.minor
    }

    /// The minor version whose rules apply: `latest` is [`Version::MAX_MINOR`].
    pub fn resolved_minor(self) -> u8 {
        self.minor.unwrap_or(Self::MAX_MINOR)
    }

    /// Parses `"latest"` or `"v1.0"` .. `"v1.37"` (PSA's `enforce-version` spelling).
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
            .and_then(|digits| digits.parse::<u8>().ok())
            .and_then(Version::v1)
            .ok_or_else(|| {
                format!(
                    "invalid Pod Security Standards version {version:?}: expected \"latest\" or \"v1.0\" to \"v1.{}\"",
                    Self::MAX_MINOR
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
            ("baseline", "latest", Level::Baseline, None),
            ("restricted", "v1.0", Level::Restricted, Some(0)),
            ("restricted", "v1.25", Level::Restricted, Some(25)),
            ("baseline", "v1.37", Level::Baseline, Some(37)),
        ];
        for (level, version, want_level, want_minor) in ok {
            let s = Standard::parse(level, version).unwrap();
            assert_eq!(s.level, want_level);
            assert_eq!(s.version.minor(), want_minor);
            assert_eq!(s.to_string(), format!("{level}:{version}"));
        }
        for (level, version, needle) in [
            ("privileged", "latest", "\"privileged\""),
            ("Baseline", "latest", "\"Baseline\""),
            ("", "latest", "\"\""),
            ("baseline", "v1.38", "\"v1.38\""),
            ("baseline", "1.25", "\"1.25\""),
            ("baseline", "v1.025", "\"v1.025\""),
            ("baseline", "v1.", "\"v1.\""),
            ("baseline", "v2.0", "\"v2.0\""),
            ("baseline", "v1.-1", "\"v1.-1\""),
            ("baseline", "v1.+1", "\"v1.+1\""),
            ("baseline", "v1.300", "\"v1.300\""),
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
        let err = Version::parse("x").unwrap_err();
        assert!(
            err.contains("\"latest\"") && err.contains("\"v1.0\"") && err.contains("\"v1.37\""),
            "{err}"
        );
    }

    #[test]
    fn latest_is_the_newest_version() {
        assert_eq!(Version::LATEST.resolved_minor(), 37);
        assert!(Version::LATEST.is_latest());
        assert_eq!(Version::v1(38), None);
        assert_eq!(
            Version::v1(12).map(|v| v.to_string()),
            Some("v1.12".to_string())
        );
    }
}
