//! Settings: the PodSecurityPolicy spec model and this policy's own keys (`spec`), the entries of the
//! several-PodSecurityPolicies form (`entries`), the named profiles (`profiles`), how a document is read, and
//! how its problems are reported. The checks they configure live in `psp` and `pss`; `policy` assembles them
//! from the settings.

pub mod entries;
pub mod profiles;
pub mod spec;

pub use entries::{AuthorizationMode, RawEntry, RawSubjectSet, RawSubjects};
pub use spec::RawSettings;
use std::fmt::Display;

/// Every problem found in a settings document, each naming its key.
#[derive(Default)]
pub struct SettingsErrors(Vec<(String, String)>);

impl std::fmt::Debug for SettingsErrors {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let problems: Vec<String> = self
            .0
            .iter()
            .map(|(key, problem)| format!("{key}: {problem}"))
            .collect();
        f.debug_tuple("SettingsErrors").field(&problems).finish()
    }
}

impl SettingsErrors {
    pub fn add(&mut self, key: impl Display, problem: impl Display) {
        self.0.push((key.to_string(), problem.to_string()));
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Adds every problem of `inner`, a part of the document read on its own, with its key placed by
    /// `locate` (`runAsUser` -> `policies[0] (restricted).spec.runAsUser`).
    pub fn extend_within(&mut self, inner: SettingsErrors, locate: impl Fn(&str) -> String) {
        self.0.extend(
            inner
                .0
                .into_iter()
                .map(|(key, problem)| (locate(&key), problem)),
        );
    }

    /// Every problem, `; `-separated.
    pub fn message(&self) -> String {
        let problems: Vec<String> = self
            .0
            .iter()
            .map(|(key, problem)| format!("{key}: {problem}"))
            .collect();
        problems.join("; ")
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

/// The keys at the top level of a settings document that [`parse_raw`] read.
pub fn top_level_keys(settings: &str) -> Vec<String> {
    serde_json::from_str::<std::collections::BTreeMap<String, serde::de::IgnoredAny>>(settings)
        .map(|keys| keys.into_keys().collect())
        .unwrap_or_default()
}
