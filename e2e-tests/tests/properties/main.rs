//! Property tests of the policy's engine, run natively (the root crate is also an rlib) on generated
//! pods and settings:
//!
//! - evaluation always answers: no panic, a message on every denial and none on an acceptance, the same
//!   answer twice, and never the internal "cannot write the default" failure;
//! - a mutated object adds to the submitted one without changing or dropping anything, and is accepted with no
//!   further change when evaluated again;
//! - every PodSecurityPolicy violation names a path of the submitted object: an invalid value is at its path
//!   (and is the value shown), or is the default of a field that is unset under an existing object; a field
//!   that "must be set" lies under an existing object, reached by keys only (no missing list item); and these
//!   violations are exactly what `evaluate` reports.
//!
//! Pods come from `generators`, settings from `settings_documents`, the checks of a violation's path from
//! `violation_paths`. The kinds and their pod spec paths are the test-support table's (`common`); the
//! policy's own items are named in this file only.

#[path = "../common/mod.rs"]
mod common;

mod generators;
mod settings_documents;
mod violation_paths;

use common::*;
use generators::object;
use pod_security_policy::{
    evaluate, Allowed, Defaults, Kind, PodObject, Policy, Problem, Violation, Violations,
};
use proptest::prelude::*;
use proptest::sample::select;
use proptest::test_runner::Config;
use serde_json::{json, Value};
use settings_documents::SETTINGS;
use violation_paths::{check_path, only_adds};

/// The policy's kind named `kind`.
fn policy_kind(kind: &str) -> Kind {
    Kind::ALL
        .into_iter()
        .find(|k| k.name() == kind)
        .unwrap_or_else(|| panic!("the policy has no kind {kind}"))
}

/// The dotted path of the pod spec in an object of `kind`, from the table of kinds.
fn spec_path_of(kind: Kind) -> &'static str {
    kind_info(kind.name())
        .pod_spec
        .unwrap_or_else(|| panic!("{} has no pod spec", kind.name()))
}

/// One of the settings documents.
fn settings_document() -> BoxedStrategy<&'static str> {
    select(SETTINGS.to_vec()).boxed()
}

/// A `validate` payload.
fn payload(
    kind: Kind,
    operation: &str,
    sub_resource: &str,
    object: &Value,
    old_object: &Value,
    settings: &str,
) -> Vec<u8> {
    let info = kind_info(kind.name());
    let request = json!({
        "uid": "generated",
        "kind": {"group": info.group, "version": info.version, "kind": kind.name()},
        "subResource": sub_resource,
        "operation": operation,
        "namespace": "default",
        "userInfo": {"username": "generated"},
        "object": object,
        "oldObject": old_object,
    });
    format!(r#"{{"request": {request}, "settings": {settings}}}"#).into_bytes()
}

fn create_payload(kind: Kind, object: &Value, settings: &str) -> Vec<u8> {
    payload(kind, "CREATE", "", object, &Value::Null, settings)
}

fn config(cases: u32) -> Config {
    Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    }
}

proptest! {
    #![proptest_config(config(1024))]

    /// Every generated request (CREATE, UPDATE of the object or of the ephemeral containers) gets an answer
    /// that is consistent and the same twice.
    #[test]
    fn evaluation_always_answers(
        settings in settings_document(),
        (kind, object) in object(),
        (_, old) in object(),
        operation in select(vec!["CREATE", "UPDATE", "UPDATE-same", "UPDATE-ephemeralcontainers"]),
    ) {
        let (operation, sub_resource, old) = match operation {
            "UPDATE" => ("UPDATE", "", old),
            "UPDATE-same" => ("UPDATE", "", object.clone()),
            "UPDATE-ephemeralcontainers" => ("UPDATE", "ephemeralcontainers", old),
            other => (other, "", Value::Null),
        };
        let payload = payload(kind, operation, sub_resource, &object, &old, settings);
        let response = evaluate(&payload);
        match &response.message {
            Some(message) => {
                prop_assert!(!response.accepted, "an acceptance with a message: {message}");
                prop_assert!(!message.is_empty());
                prop_assert!(
                    !message.starts_with("cannot write the default"),
                    "the JSON defaults did not follow the typed ones: {message}\nobject: {object}"
                );
            }
            None => prop_assert!(response.accepted, "a denial without a message"),
        }
        if !response.accepted {
            prop_assert!(response.mutated_object.is_none());
        }
        let again = evaluate(&payload);
        prop_assert_eq!(serde_json::to_value(&again).unwrap(), serde_json::to_value(&response).unwrap());
    }

    /// Every PodSecurityPolicy violation, of the pod as submitted and of the pod after defaulting, names a path
    /// of that object; and they are what `evaluate` reports.
    #[test]
    fn every_violation_names_a_path_of_the_object(
        settings in settings_document(),
        (kind, object) in object(),
    ) {
        let policy = Policy::from_json(settings).expect("valid settings");
        let Some(psp) = policy.entry().expect("an entry").psp() else {
            return Ok(());
        };
        let text = object.to_string();
        let pod = PodObject::parse(kind, &text).expect("a generated object parses");

        let mut violations = Violations::default();
        psp.validate_pod(&pod, &mut violations);
        for violation in violations.iter() {
            if let Err(e) = check_path(kind, &object, violation) {
                return Err(TestCaseError::fail(format!("{violation}: {e}\nobject: {object}")));
            }
        }

        let mut defaulted = pod.clone();
        let mut defaults = Defaults::new(kind);
        psp.mutate_pod(&mut defaulted, &mut defaults);
        let mut mutated = object.clone();
        defaults.apply(&mut mutated).expect("defaults apply to a parsed object");
        let mut defaulted_violations = Violations::default();
        psp.validate_pod(&defaulted, &mut defaulted_violations);
        for violation in defaulted_violations.iter() {
            if let Err(e) = check_path(kind, &mutated, violation) {
                return Err(TestCaseError::fail(format!("{violation} (after defaulting): {e}\nobject: {mutated}")));
            }
        }

        // And these are the violations that `evaluate` reports: the defaulted pod's when the policy
        // defaults, the submitted pod's when it only validates (before any Pod Security Standard's).
        let response = evaluate(&create_payload(kind, &object, settings));
        if response.audit_annotations.is_some() {
            return Ok(()); // exempt
        }
        let reported = if policy.entry().expect("an entry").mutating() { &defaulted_violations } else { &violations };
        if reported.is_empty() {
            if !policy.entry().expect("an entry").has_standard() {
                prop_assert!(response.accepted, "{:?}", response.message);
            }
        } else {
            let list: Vec<String> = reported.iter().map(ToString::to_string).collect();
            let expected = format!("PodSecurityPolicy: {}", list.join("; "));
            let message = response.message.unwrap_or_default();
            if !policy.entry().expect("an entry").has_standard() {
                prop_assert_eq!(message, expected);
            } else {
                // The standard's part, if any, follows after ` | `.
                let standard_part = message.strip_prefix(&expected);
                prop_assert!(
                    standard_part.is_some_and(|rest| rest.is_empty() || rest.starts_with(" | violates PodSecurity ")),
                    "{message}\nexpected first: {expected}"
                );
            }
        }
    }
}

proptest! {
    // Few generated pods pass and get defaults (about 1 in 20): more cases for this one.
    #![proptest_config(config(4096))]

    /// A mutated object only adds to the submitted one, and is accepted unchanged when submitted again.
    #[test]
    fn a_mutated_object_is_accepted_with_no_further_change(
        settings in settings_document(),
        (kind, object) in object(),
    ) {
        let response = evaluate(&create_payload(kind, &object, settings));
        if let (true, Some(mutated)) = (response.accepted, &response.mutated_object) {
            prop_assert!(only_adds(&object, mutated), "the mutation changed or dropped a field:\n{object}\n{mutated}");
            let again = evaluate(&create_payload(kind, mutated, settings));
            prop_assert!(again.accepted, "the mutated object is denied: {:?}\nmutated: {mutated}", again.message);
            prop_assert!(
                again.mutated_object.is_none(),
                "a second mutation: {}",
                again.mutated_object.as_ref().map(Value::to_string).unwrap_or_default()
            );
        }
    }
}
