//! PSP's selection among several entries: name order, an entry that leaves the pod unchanged first,
//! the annotated entry first on an update (which never mutates), the `kubernetes.io/psp` annotation
//! and the `admit-policy` audit annotation, and rejections that list the authorised entries only.

use super::*;

/// A restrictive PSP: no privilege, no host network, non-root (defaulted), no privilege escalation
/// (defaulted), a few volume types.
pub fn restricted() -> Value {
    settings(json!({
        "privileged": false,
        "hostNetwork": false,
        "runAsUser": {"rule": "MustRunAsNonRoot"},
        "allowPrivilegeEscalation": false,
        "volumes": ["configMap", "emptyDir", "projected", "secret"],
    }))
}

/// A privileged PSP, for a CNI's DaemonSet: privileged containers, the host network, any capability.
pub fn privileged() -> Value {
    settings(json!({"privileged": true, "hostNetwork": true, "allowedCapabilities": ["*"]}))
}

/// A PSP that admits any unprivileged pod as it is.
pub fn open() -> Value {
    settings(json!({}))
}

pub fn entry(name: &str, spec: Value) -> Value {
    json!({"name": name, "spec": spec})
}

/// `restricted` for every authenticated user, `cni-privileged` for the CNI's service account.
pub fn cluster() -> (Value, Vec<Grant>) {
    (
        json!({"policies": [entry("restricted", restricted()), entry("cni-privileged", privileged())]}),
        vec![
            grant(&["restricted"], &["group:system:authenticated"]),
            grant(&["cni-privileged"], &["sa:kube-system:cni"]),
        ],
    )
}

pub const DAEMON_SET_CONTROLLER: &str = "system:serviceaccount:kube-system:daemon-set-controller";
pub const CONTROLLER_GROUPS: [&str; 3] = [
    "system:serviceaccounts",
    "system:serviceaccounts:kube-system",
    "system:authenticated",
];

/// The CNI's pod: privileged, on the host network, run by `sa` in kube-system, created by the
/// DaemonSet controller.
pub fn cni_pod(sa: &str) -> Value {
    let spec = json!({"hostNetwork": true,
                      "containers": [container("cni", json!({"privileged": true}))]});
    request_by(
        "Pod",
        "CREATE",
        pod_in("kube-system", sa, spec),
        "kube-system",
        DAEMON_SET_CONTROLLER,
        &CONTROLLER_GROUPS,
    )
}

/// An application pod in `shop` (service account `default`), one container without a
/// securityContext, created by alice, an authenticated user.
pub fn app_pod() -> Value {
    request_by(
        "Pod",
        "CREATE",
        pod_in("shop", "default", one_container(Value::Null)),
        "shop",
        "alice",
        &["system:authenticated"],
    )
}

/// The JSONPatch of `restricted`'s defaults on the app pod's container.
pub fn restricted_defaults() -> Value {
    add_op(
        "/spec/containers/0/securityContext",
        json!({"allowPrivilegeEscalation": false, "runAsNonRoot": true}),
    )
}

pub fn grants_authz(grants: &[Grant]) -> Authz {
    Authz::from_grants(grants.to_vec())
}

#[test]
fn the_cnis_service_account_gets_privileged_and_everyone_else_restricted() {
    let (settings, grants) = cluster();
    let cni = evaluate(&settings, cni_pod("cni"), grants_authz(&grants));
    assert_admitted_by(
        &cni,
        "cni-privileged",
        vec![psp_annotation_op("cni-privileged")],
    );
    // Only the winning entry's check: the service account, in API group `policy`.
    assert_eq!(
        cni.asked,
        ["system:serviceaccount:kube-system:cni use policy/cni-privileged in kube-system -> allowed"]
    );

    let app = evaluate(&settings, app_pod(), grants_authz(&grants));
    assert_admitted_by(
        &app,
        "restricted",
        vec![psp_annotation_op("restricted"), restricted_defaults()],
    );
    // `cni-privileged` (first in name order) admits the pod unchanged, but nobody here may use it:
    // service account, then user, each in `policy` then `extensions`.
    assert_eq!(
        app.asked,
        [
            "system:serviceaccount:shop:default use policy/cni-privileged in shop -> denied",
            "system:serviceaccount:shop:default use extensions/cni-privileged in shop -> denied",
            "alice use policy/cni-privileged in shop -> denied",
            "alice use extensions/cni-privileged in shop -> denied",
            "system:serviceaccount:shop:default use policy/restricted in shop -> denied",
            "system:serviceaccount:shop:default use extensions/restricted in shop -> denied",
            "alice use policy/restricted in shop -> allowed",
        ]
    );

    // Another kube-system service account may not use `cni-privileged`: only restricted's
    // violations are listed.
    let other = evaluate(&settings, cni_pod("kube-proxy"), grants_authz(&grants));
    let parts = rejection_parts(&other.response);
    assert!(!parts.is_empty());
    for part in &parts {
        assert!(
            part.starts_with("PodSecurityPolicy \"restricted\": "),
            "{parts:?}"
        );
    }
    let message = other.response.message();
    for field in [
        "spec.hostNetwork",
        "spec.containers[0].securityContext.privileged",
    ] {
        assert!(message.contains(field), "{message}");
    }
    assert!(!message.contains("cni-privileged"), "{message}");
}

#[test]
fn an_entry_that_leaves_the_pod_unchanged_wins_over_an_earlier_named_one_that_changes_it() {
    let settings =
        json!({"policies": [entry("b-open", open()), entry("a-restricted", restricted())]});
    let grants = [grant(&["*"], &["group:system:authenticated"])];
    let app = evaluate(&settings, app_pod(), grants_authz(&grants));
    assert_admitted_by(&app, "b-open", vec![psp_annotation_op("b-open")]);
    assert_eq!(
        app.asked,
        [
            "system:serviceaccount:shop:default use policy/a-restricted in shop -> denied",
            "system:serviceaccount:shop:default use extensions/a-restricted in shop -> denied",
            "alice use policy/a-restricted in shop -> allowed",
            "system:serviceaccount:shop:default use policy/b-open in shop -> denied",
            "system:serviceaccount:shop:default use extensions/b-open in shop -> denied",
            "alice use policy/b-open in shop -> allowed",
        ]
    );
}

#[test]
fn between_entries_that_change_the_pod_the_first_in_name_order_wins() {
    let mut m2 = restricted();
    m2["runAsUser"] = json!({"rule": "MustRunAs", "ranges": [{"min": 1000, "max": 2000}]});
    let settings = json!({"policies": [entry("m2", m2), entry("m1", restricted())]});
    let grants = [grant(&["*"], &["user:alice"])];
    let app = evaluate(&settings, app_pod(), grants_authz(&grants));
    assert_admitted_by(
        &app,
        "m1",
        vec![psp_annotation_op("m1"), restricted_defaults()],
    );
    // `m2` could only come second: it is not asked.
    assert_eq!(
        app.asked,
        [
            "system:serviceaccount:shop:default use policy/m1 in shop -> denied",
            "system:serviceaccount:shop:default use extensions/m1 in shop -> denied",
            "alice use policy/m1 in shop -> allowed",
        ]
    );
    // The first is not authorised: the second's defaults.
    let grants = [grant(&["m2"], &["user:alice"])];
    let app = evaluate(&settings, app_pod(), grants_authz(&grants));
    assert_admitted_by(
        &app,
        "m2",
        vec![
            psp_annotation_op("m2"),
            add_op(
                "/spec/containers/0/securityContext",
                json!({"allowPrivilegeEscalation": false, "runAsUser": 1000}),
            ),
        ],
    );
}

/// An update of the app pod, annotated with `psp`, changing its image.
fn app_pod_update(psp: &str) -> Value {
    let old = pod_in("shop", "default", one_container(Value::Null));
    let mut old = old;
    old["metadata"]["annotations"] = json!({"kubernetes.io/psp": psp});
    let mut new = old.clone();
    new["spec"]["containers"][0]["image"] = json!("registry.example.com/app:2.0");
    RequestBuilder::new("Pod", "UPDATE", new)
        .old_object(old)
        .namespace("shop")
        .user("alice", &["system:authenticated"])
        .build()
}

#[test]
fn an_update_tries_the_annotated_entry_first_and_never_mutates() {
    let settings = json!({"policies": [
        entry("a-restricted", restricted()), entry("b-open", open()), entry("c-open", open())
    ]});
    let grants = [grant(&["*"], &["user:alice"])];
    let update = evaluate(&settings, app_pod_update("c-open"), grants_authz(&grants));
    assert_admitted_by(&update, "c-open", vec![]);
    assert_eq!(update.response.mutated_object, None);
    assert_eq!(
        update.asked,
        [
            "system:serviceaccount:shop:default use policy/c-open in shop -> denied",
            "system:serviceaccount:shop:default use extensions/c-open in shop -> denied",
            "alice use policy/c-open in shop -> allowed",
        ]
    );
    // Annotated with an entry that would have to change the pod: it is skipped (not even asked),
    // and the next in name order admits the pod as it is.
    let update = evaluate(
        &settings,
        app_pod_update("a-restricted"),
        grants_authz(&grants),
    );
    assert_admitted_by(&update, "b-open", vec![]);
    assert!(
        update.asked.iter().all(|q| !q.contains("a-restricted")),
        "{:?}",
        update.asked
    );
    // When only that entry is authorised, the update is refused, saying why.
    let grants = [grant(&["a-restricted"], &["user:alice"])];
    let update = evaluate(
        &settings,
        app_pod_update("a-restricted"),
        grants_authz(&grants),
    );
    assert_eq!(
        rejection_parts(&update.response),
        ["PodSecurityPolicy \"a-restricted\": admits the pod only with its defaults \
          (spec.containers[0].securityContext.runAsNonRoot, \
          spec.containers[0].securityContext.allowPrivilegeEscalation), and this request may not be \
          changed"]
    );
}

#[test]
fn a_created_pod_records_the_admitting_entry_in_its_annotations() {
    let (settings, grants) = cluster();
    // Beside other annotations: one `add` of the key (`/` escaped as `~1`).
    let mut annotated = cni_pod("cni");
    annotated["object"]["metadata"]["annotations"] = json!({"team": "network"});
    let evaluation = evaluate(&settings, annotated, grants_authz(&grants));
    assert_admitted_by(
        &evaluation,
        "cni-privileged",
        vec![add_op(
            "/metadata/annotations/kubernetes.io~1psp",
            json!("cni-privileged"),
        )],
    );
    // Naming another entry: replaced.
    let mut stale = cni_pod("cni");
    stale["object"]["metadata"]["annotations"] = json!({"kubernetes.io/psp": "restricted"});
    let evaluation = evaluate(&settings, stale, grants_authz(&grants));
    assert_admitted_by(
        &evaluation,
        "cni-privileged",
        vec![
            json!({"op": "replace", "path": "/metadata/annotations/kubernetes.io~1psp",
                    "value": "cni-privileged"}),
        ],
    );
    // Already naming the admitting entry: nothing to change.
    let mut current = cni_pod("cni");
    current["object"]["metadata"]["annotations"] = json!({"kubernetes.io/psp": "cni-privileged"});
    let evaluation = evaluate(&settings, current, grants_authz(&grants));
    assert_admitted_by(&evaluation, "cni-privileged", vec![]);
    assert_eq!(evaluation.response.mutated_object, None);
}

#[test]
fn with_mutating_false_no_entry_may_change_the_pod() {
    let mut settings =
        json!({"policies": [entry("a-restricted", restricted()), entry("b-open", open())]});
    settings["mutating"] = json!(false);
    let grants = [grant(&["*"], &["user:alice"])];
    let app = evaluate(&settings, app_pod(), grants_authz(&grants));
    // No defaults and no annotation: `b-open` admits the pod as it is.
    assert_admitted_by(&app, "b-open", vec![]);
    assert_eq!(app.response.mutated_object, None);
}

#[test]
fn a_rejection_lists_only_the_authorised_entries_in_name_order() {
    let settings = json!({"policies": [
        entry("z-restricted", restricted()),
        entry("cni-privileged", privileged()),
        entry("a-restricted", restricted()),
        entry("m-restricted", restricted()),
    ]});
    // alice may use `a-` and `z-restricted`, the pod's service account `m-restricted`... in another
    // namespace only; the CNI's pod is privileged and on the host network.
    let mut other_namespace = grant(&["m-restricted"], &["sa:shop:default"]);
    other_namespace.namespace = Some("elsewhere".into());
    let grants = [
        grant(&["a-restricted", "z-restricted"], &["user:alice"]),
        grant(&["cni-privileged"], &["sa:kube-system:cni"]),
        other_namespace,
    ];
    let spec =
        json!({"hostNetwork": true, "containers": [container("app", json!({"privileged": true}))]});
    let request = request_by(
        "Pod",
        "CREATE",
        pod_in("shop", "default", spec),
        "shop",
        "alice",
        &["system:authenticated"],
    );
    let evaluation = evaluate(&settings, request, grants_authz(&grants));
    let parts = rejection_parts(&evaluation.response);
    let names: Vec<&str> = parts
        .iter()
        .map(|part| {
            part.strip_prefix("PodSecurityPolicy \"")
                .and_then(|rest| rest.split_once('"'))
                .map(|(name, _)| name)
                .unwrap_or_else(|| panic!("{part}"))
        })
        .collect();
    let mut unique = names.clone();
    unique.dedup();
    assert_eq!(unique, ["a-restricted", "z-restricted"], "{parts:?}");
    for part in &parts {
        assert!(
            part.contains("spec.containers[0].securityContext.privileged")
                || part.contains("spec.hostNetwork"),
            "{part}"
        );
    }
    // `cni-privileged` admits the pod but is not authorised; each failing entry is asked too.
    assert_eq!(
        evaluation.asked.len(),
        4 + 3 + 4 + 3,
        "{:#?}",
        evaluation.asked
    );
}
