//! Settings: the PodSecurityPolicy spec model and this policy's own keys (`spec`), the named profiles
//! (`profiles`), how a document is read, and how its problems are reported. The checks they configure live in
//! `psp` and `pss`; `policy` assembles them from the settings.

pub mod profiles;
pub mod spec;

pub use spec::RawSettings;
use std::fmt::Display;

/// Every problem found in a settings document, each naming its key.
#[derive(Debug, Default)]
pub struct SettingsErrors(Vec<String>);

impl SettingsErrors {
    pub fn add(&mut self, key: impl Display, problem: impl Display) {
        self.0.push(format!("{key}: {problem}"));
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Every problem, `; `-separated.
    pub fn message(&self) -> String {
        self.0.join("; ")
    }
}

/// Reads a settings document without validating it. The error names the offending key.
pub fn parse_raw(settings: &str) -> Result<RawSettings, String> {
    // serde would also read a struct from a JSON array, by position: settings are an object or nothing.
    if !settings.trim_start().starts_with('{') {
        return Err("settings must be a JSON object".to_string());
    }
    let raw: RawSettings =
        serde_json::from_str(settings).map_err(|e| crate::json_path::describe(settings, &e))?;
    Ok(raw)
}
