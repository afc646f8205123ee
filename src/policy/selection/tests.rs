//! Selection among several entries, with a fake authorizer that records what it is asked.

use super::*;
use crate::authorization::{Identity, Subjects};
use crate::policy::{Form, Policy};
use serde_json::{json, Value};

/// Allows `(user, entry)` pairs; records every question as `user entry namespace`.
#[derive(Default)]
struct Fake {
    allowed: Vec<(&'static str, &'static str)>,
    fail: Option<&'static str>,
    asked: Vec<String>,
}

impl Authorizer for Fake {
    fn may_use(
        &mut self,
        identity: &Identity,
        name: &str,
        _subjects: Option<&Subjects>,
        namespace: &str,
    ) -> Result<bool, String> {
        self.asked
            .push(format!("{} {name} {namespace}", identity.user));
        if let Some(message) = self.fail {
            return Err(message.to_string());
        }
        Ok(self
            .allowed
            .iter()
            .any(|(user, entry)| *user == identity.user && *entry == name))
    }
}

const SA: &str = "system:serviceaccount:web:app";
const USER: &str = "alice";

fn spec(extra: Value) -> Value {
    let mut spec = json!({
        "runAsUser": {"rule": "RunAsAny"}, "seLinux": {"rule": "RunAsAny"},
        "supplementalGroups": {"rule": "RunAsAny"}, "fsGroup": {"rule": "RunAsAny"}
    });
    for (key, value) in extra.as_object().unwrap() {
        spec[key] = value.clone();
    }
    spec
}

/// Entries that admit any pod without change (`open`), that default runAsNonRoot (`nonroot`), that forbid
/// privileged containers (`unprivileged`).
fn entry(name: &str) -> Value {
    let extra = match name.trim_end_matches(|c: char| c.is_ascii_digit()) {
        "open" => json!({}),
        "nonroot" => json!({"runAsUser": {"rule": "MustRunAsNonRoot"}}),
        "unprivileged" => json!({"privileged": false}),
        other => panic!("no entry kind {other}"),
    };
    json!({"name": name, "spec": spec(extra)})
}

fn policy(names: &[&str], mutating: bool) -> Policy {
    let entries: Vec<Value> = names.iter().map(|n| entry(n)).collect();
    let settings = json!({"mutating": mutating, "policies": entries});
    Policy::from_json(&settings.to_string()).unwrap_or_else(|e| panic!("{settings}: {e}"))
}

fn pod(kind: Kind, spec: Value, annotations: Value) -> PodObject {
    let object = json!({"metadata": {"annotations": annotations}, "spec": spec});
    let object = match kind {
        Kind::Pod => object,
        _ => json!({"spec": {"template": object}}),
    };
    PodObject::parse(kind, &object.to_string()).unwrap()
}

fn plain_pod() -> PodObject {
    pod(
        Kind::Pod,
        json!({"serviceAccountName": "app", "containers": [{"name": "c"}]}),
        json!({}),
    )
}

fn privileged_pod() -> PodObject {
    pod(
        Kind::Pod,
        json!({"serviceAccountName": "app", "containers": [{"name": "c",
               "securityContext": {"privileged": true, "runAsNonRoot": true}}]}),
        json!({}),
    )
}

/// The selection, as `(winner, default paths)` or the rejection message.
fn run(
    policy: &Policy,
    pod: &PodObject,
    may_mutate: bool,
    authorizer: &mut Fake,
) -> Result<(String, Vec<String>), String> {
    let Form::Several(several) = policy.form() else {
        panic!("several entries expected");
    };
    let user = Identity {
        user: USER.into(),
        groups: vec!["system:authenticated".into()],
    };
    let requester = Requester::new(pod.kind, "web", user, pod.spec.service_account());
    let context = Context {
        kind: pod.kind,
        may_mutate,
        requester: &requester,
    };
    match select(several, pod, &context, authorizer) {
        Selection::Admitted { name, defaults } => Ok((name.to_string(), defaults.paths())),
        Selection::Rejected(message) => Err(message),
    }
}

fn everyone_may_use(entries: &[&'static str]) -> Fake {
    Fake {
        allowed: entries
            .iter()
            .flat_map(|e| [(SA, *e), (USER, *e)])
            .collect(),
        ..Fake::default()
    }
}

const RUN_AS_NON_ROOT: &str = "spec.containers[0].securityContext.runAsNonRoot";

#[test]
fn an_entry_that_leaves_the_pod_unchanged_wins_over_an_earlier_named_one_that_changes_it() {
    let policy = policy(&["nonroot", "open"], true);
    let mut fake = everyone_may_use(&["nonroot", "open"]);
    assert_eq!(
        run(&policy, &plain_pod(), true, &mut fake),
        Ok(("open".to_string(), vec![]))
    );
    // Each admitting entry is asked, the service account first, which is enough.
    assert_eq!(
        fake.asked,
        [format!("{SA} nonroot web"), format!("{SA} open web")]
    );
}

#[test]
fn between_entries_that_change_the_pod_the_first_in_name_order_wins() {
    // Listed out of order: entries are tried by name.
    let policy = policy(&["nonroot2", "nonroot1"], true);
    let mut fake = everyone_may_use(&["nonroot1", "nonroot2"]);
    assert_eq!(
        run(&policy, &plain_pod(), true, &mut fake),
        Ok(("nonroot1".to_string(), vec![RUN_AS_NON_ROOT.to_string()]))
    );
    // The second cannot win over the first: it is not asked.
    assert_eq!(fake.asked, [format!("{SA} nonroot1 web")]);
}

#[test]
fn only_authorised_entries_count_and_the_user_is_asked_after_the_service_account() {
    let policy = policy(&["nonroot", "open"], true);
    // `open` is the user's only: the service account is asked first, then the user.
    let mut fake = Fake {
        allowed: vec![(SA, "nonroot"), (USER, "open")],
        ..Fake::default()
    };
    assert_eq!(
        run(&policy, &plain_pod(), true, &mut fake),
        Ok(("open".to_string(), vec![]))
    );
    assert_eq!(
        fake.asked,
        [
            format!("{SA} nonroot web"),
            format!("{SA} open web"),
            format!("{USER} open web")
        ]
    );
    // Nobody may use `open`: the entry that changes the pod wins.
    let mut fake = Fake {
        allowed: vec![(SA, "nonroot")],
        ..Fake::default()
    };
    assert_eq!(
        run(&policy, &plain_pod(), true, &mut fake),
        Ok(("nonroot".to_string(), vec![RUN_AS_NON_ROOT.to_string()]))
    );
}

#[test]
fn a_pod_that_may_not_be_changed_tries_its_annotated_entry_first_and_skips_entries_that_would_change_it(
) {
    let policy = policy(&["nonroot", "open1", "open2"], true);
    let annotated = |psp: &str| {
        pod(
            Kind::Pod,
            json!({"serviceAccountName": "app", "containers": [{"name": "c"}]}),
            json!({"kubernetes.io/psp": psp}),
        )
    };
    let mut fake = everyone_may_use(&["nonroot", "open1", "open2"]);
    assert_eq!(
        run(&policy, &annotated("open2"), false, &mut fake),
        Ok(("open2".to_string(), vec![]))
    );
    assert_eq!(fake.asked, [format!("{SA} open2 web")]);
    // An annotation naming no entry, or an entry that would change the pod: name order, without `nonroot`.
    for hint in ["gone", "nonroot"] {
        let mut fake = everyone_may_use(&["nonroot", "open1", "open2"]);
        assert_eq!(
            run(&policy, &annotated(hint), false, &mut fake),
            Ok(("open1".to_string(), vec![])),
            "{hint}"
        );
        assert_eq!(fake.asked, [format!("{SA} open1 web")], "{hint}");
    }
    // When the pod may be changed, the annotation plays no part.
    let mut fake = everyone_may_use(&["nonroot", "open1", "open2"]);
    assert_eq!(
        run(&policy, &annotated("open2"), true, &mut fake),
        Ok(("open1".to_string(), vec![]))
    );
}

#[test]
fn an_entry_skipped_because_it_would_change_the_pod_says_so_on_rejection() {
    let policy = policy(&["nonroot", "unprivileged"], true);
    let mut fake = everyone_may_use(&["nonroot", "unprivileged"]);
    // Violations are listed whether the pod may be changed or not (PSP does not allow privileged containers
    // unless `privileged: true`).
    let message = run(&policy, &privileged_pod(), false, &mut fake).unwrap_err();
    let parts: Vec<&str> = message.split(PART_SEPARATOR).collect();
    assert_eq!(parts.len(), 2, "{message}");
    assert!(
        parts[0].starts_with(
            "no authorised PodSecurityPolicy admits the pod: PodSecurityPolicy \"nonroot\": \
             spec.containers[0].securityContext.privileged"
        ),
        "{message}"
    );
    assert!(
        parts[1].starts_with(
            "PodSecurityPolicy \"unprivileged\": spec.containers[0].securityContext.privileged"
        ),
        "{message}"
    );
    // `nonroot` would admit the plain pod with a default; `unprivileged`, which admits it unchanged, is not
    // authorised.
    let plain = run(
        &policy,
        &plain_pod(),
        false,
        &mut everyone_may_use(&["nonroot"]),
    );
    assert_eq!(
        plain,
        Err(format!(
            "no authorised PodSecurityPolicy admits the pod: PodSecurityPolicy \"nonroot\": admits the pod only \
             with its defaults ({RUN_AS_NON_ROOT}), and this request may not be changed"
        ))
    );
}

#[test]
fn a_rejection_lists_the_authorised_entries_only_each_under_its_name_in_name_order() {
    let policy = policy(&["unprivileged2", "unprivileged3", "unprivileged1"], true);
    let mut fake = Fake {
        allowed: vec![(USER, "unprivileged1"), (SA, "unprivileged3")],
        ..Fake::default()
    };
    let message = run(&policy, &privileged_pod(), true, &mut fake).unwrap_err();
    let parts: Vec<&str> = message
        .strip_prefix("no authorised PodSecurityPolicy admits the pod: ")
        .unwrap_or_else(|| panic!("{message}"))
        .split(PART_SEPARATOR)
        .collect();
    assert_eq!(parts.len(), 2, "{message}");
    for (part, name) in parts.iter().zip(["unprivileged1", "unprivileged3"]) {
        assert!(
            part.starts_with(&format!(
                "PodSecurityPolicy \"{name}\": spec.containers[0].securityContext.privileged"
            )),
            "{message}"
        );
    }
    // Every failing entry was asked, in name order.
    assert_eq!(
        fake.asked,
        [
            format!("{SA} unprivileged1 web"),
            format!("{USER} unprivileged1 web"),
            format!("{SA} unprivileged2 web"),
            format!("{USER} unprivileged2 web"),
            format!("{SA} unprivileged3 web"),
        ]
    );
}

#[test]
fn when_no_entry_is_authorised_the_message_names_who_was_asked() {
    let policy = policy(&["open", "unprivileged"], true);
    let mut fake = Fake::default();
    assert_eq!(
        run(&policy, &privileged_pod(), true, &mut fake),
        Err(
            "no PodSecurityPolicy is authorised for user \"alice\" or service account \"web:app\" in namespace \
             \"web\""
                .to_string()
        )
    );
    let template = pod(
        Kind::Deployment,
        json!({"containers": [{"name": "c"}]}),
        json!({}),
    );
    assert_eq!(
        run(&policy, &template, true, &mut Fake::default()),
        Err(
            "no PodSecurityPolicy is authorised for service account \"web:default\" or controller \
             \"kube-system:replicaset-controller\" in namespace \"web\""
                .to_string()
        )
    );
}

#[test]
fn a_failed_check_denies_the_request_naming_the_entry_and_the_identity() {
    let policy = policy(&["open"], true);
    let mut fake = Fake {
        fail: Some("kubernetes/can_i failed: boom"),
        ..Fake::default()
    };
    assert_eq!(
        run(&policy, &plain_pod(), true, &mut fake),
        Err(
            "cannot tell whether service account \"web:app\" may use PodSecurityPolicy \"open\", so the request \
             is denied: kubernetes/can_i failed: boom"
                .to_string()
        )
    );
    // On the rejection path too.
    let policy = self::policy(&["unprivileged"], true);
    let message = run(&policy, &privileged_pod(), true, &mut fake).unwrap_err();
    assert!(message.starts_with("cannot tell whether "), "{message}");
}

#[test]
fn a_recorded_default_is_a_change_and_a_default_equal_to_the_pod_is_not() {
    let original = plain_pod();
    let mut defaulted = original.clone();
    let mut defaults = Defaults::new(Kind::Pod);
    assert!(!changes(&original, &defaulted, &defaults));
    // A default that writes what the pod already holds leaves the typed pod as it was.
    defaults.set_pod(&["serviceAccountName"], json!("app"));
    assert!(!changes(&original, &defaulted, &defaults));
    defaulted.spec.runtime_class_name = Some("gvisor".into());
    defaults.set_pod(&["runtimeClassName"], json!("gvisor"));
    assert!(changes(&original, &defaulted, &defaults));
}

/// The families record a default exactly when they change the typed pod: over the profiles and pods that
/// need every default or none, "a default was recorded" and "the pod changed" agree.
#[test]
fn recorded_defaults_and_changes_agree_for_every_profile() {
    let pods = [
        plain_pod(),
        privileged_pod(),
        pod(
            Kind::Pod,
            json!({"securityContext": {"runAsNonRoot": true, "seccompProfile": {"type": "RuntimeDefault"}},
                   "containers": [{"name": "c", "securityContext": {"allowPrivilegeEscalation": false,
                                    "capabilities": {"drop": ["ALL"]}}}]}),
            json!({}),
        ),
    ];
    for profile in crate::settings::profiles::NAMES {
        let policy = Policy::from_json(&format!(r#"{{"profile": "{profile}"}}"#)).unwrap();
        for original in &pods {
            let mut defaulted = original.clone();
            let mut defaults = Defaults::new(Kind::Pod);
            let _ = policy
                .entry()
                .expect("an entry")
                .judge(&mut defaulted, &mut defaults, true);
            assert_eq!(
                !defaults.is_empty(),
                &defaulted != original,
                "{profile}: {:?}",
                defaults.paths()
            );
        }
    }
}
