//! Which entry of the `policies` form admits a pod, as PSP's admission plugin chose (Kubernetes 1.22-1.24,
//! `computeSecurityContext`):
//!
//! - entries are tried in byte-wise name order; when the pod may not be changed (a Pod update, or
//!   `mutating: false`), the entry its `kubernetes.io/psp` annotation names is tried first;
//! - each entry defaults a copy of the pod and validates it; one that admits the pod only by changing it is
//!   skipped when the pod may not be changed;
//! - authorisation is asked only of the entries that admit the pod: the first authorised one that leaves the
//!   pod unchanged wins, else the first authorised one that changes it;
//! - on rejection, every failing entry is asked too, and the violations of the authorised ones are listed, in
//!   name order, each under its name. PSP listed them in a random order (a Go map) and without names.

use super::{NamedEntry, Rejection, Several};
use crate::authorization::{Authorizer, Requester};
use crate::object::{Kind, PodObject};
use crate::patch::Defaults;
use crate::violation::{quoted, PART_SEPARATOR};

/// The annotation PSP wrote on every pod it admitted: the name of the PodSecurityPolicy that admitted it.
pub(crate) const PSP_ANNOTATION: &str = "kubernetes.io/psp";

/// What is known of the request, besides its pod.
pub(crate) struct Context<'a> {
    pub(crate) kind: Kind,
    /// Whether the winner's defaults may be written: a Pod creation or a template, under `mutating: true`.
    pub(crate) may_mutate: bool,
    pub(crate) requester: &'a Requester,
}

/// The outcome of a selection.
#[derive(Debug)]
pub(crate) enum Selection<'p> {
    /// `name` admits the pod, with `defaults` (none when it admits the pod as it is).
    Admitted {
        name: &'p str,
        defaults: Defaults,
    },
    Rejected(String),
}

/// Why an entry did not admit the pod.
enum Failure {
    Violations(Rejection),
    /// It admits the pod only with these defaults, which this request may not get.
    WouldChange(Vec<String>),
}

impl Failure {
    fn message(&self, name: &str) -> String {
        match self {
            Failure::Violations(rejection) => rejection.message(Some(name)),
            Failure::WouldChange(paths) => format!(
                "PodSecurityPolicy {}: admits the pod only with its defaults ({}), and this request may not be \
                 changed",
                quoted(name),
                paths.join(", ")
            ),
        }
    }
}

/// Selects the entry of `several` that admits `pod`, asking `authorizer` as PSP asked its authorizer.
pub(crate) fn select<'p>(
    several: &'p Several,
    pod: &PodObject,
    context: &Context,
    authorizer: &mut dyn Authorizer,
) -> Selection<'p> {
    let entries = several.entries();
    let mut first_changed: Option<(&NamedEntry, Defaults)> = None;
    // By entry, in name order.
    let mut failures: Vec<Option<Failure>> = entries.iter().map(|_| None).collect();
    for index in order(entries, pod, context) {
        let Some(named) = entries.get(index) else {
            continue;
        };
        let mut candidate = pod.clone();
        let mut defaults = Defaults::new(context.kind);
        let judged = named.entry.judge(&mut candidate, &mut defaults, true);
        let changed = changes(pod, &candidate, &defaults);
        let failure = match judged {
            Err(rejection) => Some(Failure::Violations(rejection)),
            Ok(()) if changed && !context.may_mutate => {
                Some(Failure::WouldChange(defaults.paths()))
            }
            Ok(()) => None,
        };
        if let Some(failure) = failure {
            if let Some(slot) = failures.get_mut(index) {
                *slot = Some(failure);
            }
            continue;
        }
        if changed && first_changed.is_some() {
            // It could only come second to the entry already kept: its authorisation decides nothing.
            continue;
        }
        match authorised(authorizer, named, context.requester) {
            Err(message) => return Selection::Rejected(message),
            Ok(false) => continue,
            Ok(true) => {}
        }
        if !changed {
            return Selection::Admitted {
                name: &named.name,
                defaults: Defaults::new(context.kind),
            };
        }
        first_changed = Some((named, defaults));
    }
    if let Some((named, defaults)) = first_changed {
        return Selection::Admitted {
            name: &named.name,
            defaults,
        };
    }

    let mut parts = Vec::new();
    for (named, failure) in entries.iter().zip(&failures) {
        let Some(failure) = failure else {
            continue;
        };
        match authorised(authorizer, named, context.requester) {
            Err(message) => return Selection::Rejected(message),
            Ok(true) => parts.push(failure.message(&named.name)),
            Ok(false) => {}
        }
    }
    if parts.is_empty() {
        return Selection::Rejected(format!(
            "no PodSecurityPolicy is authorised for {} in namespace {}",
            context.requester.describe(),
            quoted(&context.requester.namespace)
        ));
    }
    Selection::Rejected(format!(
        "no authorised PodSecurityPolicy admits the pod: {}",
        parts.join(PART_SEPARATOR)
    ))
}

/// The indices of `entries` in the order they are tried: name order, the annotated entry first when the pod
/// may not be changed (PSP's validating phase, and every Pod update).
fn order(entries: &[NamedEntry], pod: &PodObject, context: &Context) -> Vec<usize> {
    let annotates_a_pod = matches!(context.kind, Kind::Pod | Kind::EphemeralContainers);
    let hinted = match (context.may_mutate, annotates_a_pod) {
        (false, true) => pod
            .annotations
            .get(PSP_ANNOTATION)
            .and_then(|hint| entries.iter().position(|e| &e.name == hint)),
        _ => None,
    };
    hinted
        .into_iter()
        .chain((0..entries.len()).filter(|&index| Some(index) != hinted))
        .collect()
}

/// Whether an entry's defaults change the pod: PSP compared the defaulted copy with the pod. The defaults
/// are recorded only where a field is unset, so a recorded default is a change; a default equal to what the
/// pod holds (which leaves the typed pod as it was) would not be.
fn changes(pod: &PodObject, defaulted: &PodObject, defaults: &Defaults) -> bool {
    !defaults.is_empty() && pod != defaulted
}

/// Whether any identity of `requester` may use `named` (the first that may decides).
fn authorised(
    authorizer: &mut dyn Authorizer,
    named: &NamedEntry,
    requester: &Requester,
) -> Result<bool, String> {
    for asked in requester.asked() {
        let answer = authorizer
            .may_use(
                &asked.identity,
                &named.name,
                named.subjects.as_ref(),
                &requester.namespace,
            )
            .map_err(|e| {
                format!(
                    "cannot tell whether {} may use PodSecurityPolicy {}, so the request is denied: {e}",
                    asked.description,
                    quoted(&named.name)
                )
            })?;
        if answer {
            return Ok(true);
        }
    }
    Ok(false)
}

#[cfg(test)]
mod tests;
