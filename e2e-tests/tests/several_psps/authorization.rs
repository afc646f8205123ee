//! Who may use an entry: the pod's service account or the requesting user, a workload template's
//! service account or its controller, RBAC's API groups `policy` and `extensions`, what happens when
//! nobody may, or when the host cannot say (fail closed); and the `subjects` backend deciding as
//! `rbac` does on the same cases.

use super::selection::{
    app_pod, cluster, cni_pod, entry, grants_authz, open, privileged, restricted,
    restricted_defaults, CONTROLLER_GROUPS, DAEMON_SET_CONTROLLER,
};
use super::*;

/// `restricted` and `cni-privileged`, with `grants` instead of the cluster's.
fn two_entries() -> Value {
    json!({"policies": [entry("restricted", restricted()), entry("cni-privileged", privileged())]})
}

/// A pod in `shop` run by `sa` with one plain container, created by `user` (no groups).
fn shop_pod(sa: &str, user: &str) -> Value {
    request_by(
        "Pod",
        "CREATE",
        pod_in("shop", sa, one_container(Value::Null)),
        "shop",
        user,
        &[],
    )
}

#[test]
fn the_user_may_authorise_an_entry_the_service_account_may_not_and_the_reverse() {
    let settings = json!({"policies": [entry("open", open())]});
    let user_only = [grant(&["open"], &["user:alice"])];
    let by_user = evaluate(
        &settings,
        shop_pod("app", "alice"),
        grants_authz(&user_only),
    );
    assert_admitted_by(&by_user, "open", vec![psp_annotation_op("open")]);
    assert_eq!(
        by_user.asked,
        [
            "system:serviceaccount:shop:app use policy/open in shop -> denied",
            "system:serviceaccount:shop:app use extensions/open in shop -> denied",
            "alice use policy/open in shop -> allowed",
        ]
    );

    let sa_only = [grant(&["open"], &["sa:shop:app"])];
    let by_sa = evaluate(&settings, shop_pod("app", "bob"), grants_authz(&sa_only));
    assert_admitted_by(&by_sa, "open", vec![psp_annotation_op("open")]);
    assert_eq!(
        by_sa.asked,
        ["system:serviceaccount:shop:app use policy/open in shop -> allowed"]
    );
    // The service account's identity carries PSP's service-account groups (and not
    // `system:authenticated`).
    let namespace_group = [grant(&["open"], &["group:system:serviceaccounts:shop"])];
    let by_group = evaluate(
        &settings,
        shop_pod("app", "bob"),
        grants_authz(&namespace_group),
    );
    assert_admitted_by(&by_group, "open", vec![psp_annotation_op("open")]);
    let authenticated = [grant(&["open"], &["group:system:authenticated"])];
    let refused = evaluate(
        &settings,
        shop_pod("app", "bob"),
        grants_authz(&authenticated),
    );
    assert_rejected(
        &refused.response,
        "no PodSecurityPolicy is authorised for user \"bob\" or service account \"shop:app\" in \
         namespace \"shop\"",
        "bob has no groups, the service account is not in system:authenticated",
    );
}

#[test]
fn rbac_rules_for_the_extensions_api_group_still_authorise() {
    let settings = two_entries();
    let mut extensions_only = grant(&["cni-privileged"], &["sa:kube-system:cni"]);
    extensions_only.api_groups = Some(vec!["extensions".into()]);
    let evaluation = evaluate(&settings, cni_pod("cni"), grants_authz(&[extensions_only]));
    assert_admitted_by(
        &evaluation,
        "cni-privileged",
        vec![psp_annotation_op("cni-privileged")],
    );
    assert_eq!(
        evaluation.asked,
        [
            "system:serviceaccount:kube-system:cni use policy/cni-privileged in kube-system -> denied",
            "system:serviceaccount:kube-system:cni use extensions/cni-privileged in kube-system -> allowed",
        ]
    );
}

#[test]
fn when_no_entry_is_authorised_the_message_names_the_user_and_the_service_account() {
    let (settings, _) = cluster();
    let evaluation = evaluate(&settings, app_pod(), Authz::default());
    assert_rejected(
        &evaluation.response,
        "no PodSecurityPolicy is authorised for user \"alice\" or service account \"shop:default\" in \
         namespace \"shop\"",
        "nobody may use anything",
    );
    // Every entry was asked: the one that admits the pod during the selection, the others for the
    // rejection, each for both identities in both API groups.
    assert_eq!(evaluation.asked.len(), 8, "{:#?}", evaluation.asked);
}

#[test]
fn a_failed_authorisation_check_denies_the_request() {
    let (settings, _) = cluster();
    let evaluation = evaluate(
        &settings,
        app_pod(),
        Authz::failing("SubjectAccessReview did not return a response"),
    );
    let message = evaluation.response.message();
    assert!(!evaluation.response.accepted);
    assert!(
        message.starts_with(
            "cannot tell whether service account \"shop:default\" may use PodSecurityPolicy \
             \"cni-privileged\", so the request is denied: kubernetes/can_i (API group \"policy\") \
             failed: error invoking host capability kubernetes.can_i: "
        ),
        "{message}"
    );
    assert!(
        message.ends_with("SubjectAccessReview did not return a response"),
        "{message}"
    );
    // The first failure ends the evaluation.
    assert_eq!(
        evaluation.asked,
        ["system:serviceaccount:shop:default use policy/cni-privileged in shop -> failed"]
    );
    // Without any answer for can_i (a host without the capability), the same.
    let response = validate(&app_pod(), &settings);
    assert!(
        !response.accepted && response.message().starts_with("cannot tell whether "),
        "{:?}",
        response.message
    );
}

/// A workload of `kind` in `namespace` whose pod template runs as `sa` (unset when empty) with
/// `spec`, created by alice, who may use nothing.
fn workload_request(kind: &str, namespace: &str, sa: &str, mut spec: Value) -> Value {
    if !sa.is_empty() {
        spec["serviceAccountName"] = json!(sa);
    }
    let mut object = object_of(kind, Value::Null, spec);
    object["metadata"]["namespace"] = json!(namespace);
    request_by(kind, "CREATE", object, namespace, "alice", &[])
}

#[test]
fn a_template_is_authorised_by_its_service_account_or_its_controller() {
    let (settings, grants) = cluster();
    // The CNI's DaemonSet: its template's service account may use `cni-privileged`; no annotation
    // on a template.
    let spec =
        json!({"hostNetwork": true, "containers": [container("cni", json!({"privileged": true}))]});
    let daemon_set = evaluate(
        &settings,
        workload_request("DaemonSet", "kube-system", "cni", spec),
        grants_authz(&grants),
    );
    assert_admitted_by(&daemon_set, "cni-privileged", vec![]);
    assert_eq!(
        daemon_set.asked,
        ["system:serviceaccount:kube-system:cni use policy/cni-privileged in kube-system -> allowed"]
    );

    // An application's Deployment and CronJob: their service account (`default`, unset) may use
    // nothing, their controller (an authenticated service account in kube-system) `restricted`. The
    // user who creates them is never asked.
    for (kind, controller, prefix) in [
        ("Deployment", "replicaset-controller", "/spec/template"),
        (
            "CronJob",
            "job-controller",
            "/spec/jobTemplate/spec/template",
        ),
    ] {
        let evaluation = evaluate(
            &settings,
            workload_request(kind, "shop", "", one_container(Value::Null)),
            grants_authz(&grants),
        );
        let defaults = restricted_defaults();
        let path = format!("{prefix}{}", defaults["path"].as_str().unwrap());
        assert_admitted_by(
            &evaluation,
            "restricted",
            vec![add_op(path, defaults["value"].clone())],
        );
        let controller = format!("system:serviceaccount:kube-system:{controller}");
        let template_sa = "system:serviceaccount:shop:default";
        assert_eq!(
            evaluation.asked,
            [
                format!("{template_sa} use policy/cni-privileged in shop -> denied"),
                format!("{template_sa} use extensions/cni-privileged in shop -> denied"),
                format!("{controller} use policy/cni-privileged in shop -> denied"),
                format!("{controller} use extensions/cni-privileged in shop -> denied"),
                format!("{template_sa} use policy/restricted in shop -> denied"),
                format!("{template_sa} use extensions/restricted in shop -> denied"),
                format!("{controller} use policy/restricted in shop -> allowed"),
            ],
            "{kind}"
        );
    }

    // Only the creating user may use anything: the template is refused, naming who was asked.
    let user_only = [grant(&["*"], &["user:alice"])];
    let evaluation = evaluate(
        &settings,
        workload_request("Deployment", "shop", "", one_container(Value::Null)),
        grants_authz(&user_only),
    );
    assert_rejected(
        &evaluation.response,
        "no PodSecurityPolicy is authorised for service account \"shop:default\" or controller \
         \"kube-system:replicaset-controller\" in namespace \"shop\"",
        "the user is not asked for a template",
    );
}

/// The cases the two backends must agree on: settings, grants and requests.
fn agreement_cases() -> Vec<(&'static str, Value, Vec<Grant>, Value)> {
    let (cluster_settings, cluster_grants) = cluster();
    let open_entries =
        json!({"policies": [entry("b-open", open()), entry("a-restricted", restricted())]});
    let mut kube_system_only = grant(
        &["cni-privileged"],
        &["group:system:serviceaccounts:kube-system"],
    );
    kube_system_only.namespace = Some("kube-system".into());
    let everyone = grant(&["*"], &["group:system:authenticated"]);
    let spec =
        json!({"hostNetwork": true, "containers": [container("cni", json!({"privileged": true}))]});
    vec![
        (
            "the CNI's pod",
            cluster_settings.clone(),
            cluster_grants.clone(),
            cni_pod("cni"),
        ),
        (
            "another kube-system pod",
            cluster_settings.clone(),
            cluster_grants.clone(),
            cni_pod("kube-proxy"),
        ),
        (
            "an application's pod",
            cluster_settings.clone(),
            cluster_grants.clone(),
            app_pod(),
        ),
        (
            "nobody authorised",
            cluster_settings.clone(),
            vec![],
            app_pod(),
        ),
        (
            "unchanged over changed",
            open_entries.clone(),
            vec![everyone.clone()],
            app_pod(),
        ),
        (
            "the user only",
            open_entries.clone(),
            vec![grant(&["a-restricted"], &["user:alice"])],
            app_pod(),
        ),
        (
            "the service account only",
            open_entries,
            vec![grant(&["b-open"], &["sa:shop:app"])],
            shop_pod("app", "bob"),
        ),
        (
            "a RoleBinding's grant, in its namespace",
            two_entries(),
            vec![kube_system_only.clone(), everyone.clone()],
            cni_pod("kube-proxy"),
        ),
        (
            "a RoleBinding's grant, elsewhere",
            two_entries(),
            vec![kube_system_only, everyone],
            request_by(
                "Pod",
                "CREATE",
                pod_in("shop", "kube-proxy", spec.clone()),
                "shop",
                DAEMON_SET_CONTROLLER,
                &CONTROLLER_GROUPS,
            ),
        ),
        (
            "a DaemonSet",
            cluster_settings.clone(),
            cluster_grants.clone(),
            workload_request("DaemonSet", "kube-system", "cni", spec),
        ),
        (
            "a Deployment",
            cluster_settings,
            cluster_grants,
            workload_request("Deployment", "shop", "", one_container(Value::Null)),
        ),
    ]
}

#[test]
fn the_subjects_backend_decides_as_rbac_does() {
    for (case, settings, grants, request) in agreement_cases() {
        let rbac = evaluate(&settings, request.clone(), grants_authz(&grants));
        let subjects = evaluate(&as_subjects(&settings, &grants), request, Authz::default());
        assert_eq!(subjects.response, rbac.response, "{case}");
        assert!(!rbac.asked.is_empty(), "{case}: rbac asks the host");
        assert_eq!(
            subjects.asked,
            Vec::<String>::new(),
            "{case}: subjects are read in the module"
        );
    }
}
