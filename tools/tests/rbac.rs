//! Who may `use` a PodSecurityPolicy, from RBAC objects: each rule form, binding form and subject
//! kind the API server's RBAC authorizer knows, and what psp-migrate warns about.

use psp_tools::migrate::rbac::{Grant, Rbac};
use serde_json::{json, Value};
use std::collections::BTreeSet;

fn rbac(text: &str) -> Rbac {
    let mut rbac = Rbac::new();
    rbac.read(text, "rbac.yaml")
        .unwrap_or_else(|e| panic!("{e:#}\n{text}"));
    rbac
}

fn subjects(rbac: &Rbac, psp: &str) -> Value {
    serde_json::to_value(rbac.subjects_of(psp)).unwrap()
}

fn names(list: &[&str]) -> BTreeSet<String> {
    list.iter().map(|s| s.to_string()).collect()
}

/// A ClusterRole `r` with `rules` (a YAML flow sequence), bound to group `g` everywhere.
fn bound_cluster_role(rules: &str) -> String {
    format!(
        "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {{name: r}}\nrules: {rules}\n---\n\
         apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: {{name: rb}}\n\
         roleRef: {{apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: r}}\n\
         subjects: [{{apiGroup: rbac.authorization.k8s.io, kind: Group, name: g}}]\n"
    )
}

#[test]
fn a_rule_grants_use_when_verb_resource_group_and_name_all_match() {
    const PSP: &str = "{apiGroups: [policy], resources: [podsecuritypolicies], verbs: [use]";
    let cases: Vec<(String, &[&str])> = vec![
        (format!("[{PSP}, resourceNames: [a]}}]"), &["a"]),
        // The API group: policy, extensions (the PSP plugin asks both) or *.
        ("[{apiGroups: [extensions], resources: [podsecuritypolicies], verbs: [use], resourceNames: [a]}]".into(), &["a"]),
        ("[{apiGroups: ['*'], resources: [podsecuritypolicies], verbs: [use], resourceNames: [a]}]".into(), &["a"]),
        ("[{apiGroups: [''], resources: [podsecuritypolicies], verbs: [use], resourceNames: [a]}]".into(), &[]),
        ("[{apiGroups: [apps], resources: [podsecuritypolicies], verbs: [use], resourceNames: [a]}]".into(), &[]),
        ("[{resources: [podsecuritypolicies], verbs: [use], resourceNames: [a]}]".into(), &[]),
        // The verb: use or *.
        ("[{apiGroups: [policy], resources: [podsecuritypolicies], verbs: ['*'], resourceNames: [a]}]".into(), &["a"]),
        ("[{apiGroups: [policy], resources: [podsecuritypolicies], verbs: [get, list, watch], resourceNames: [a]}]".into(), &[]),
        ("[{apiGroups: [policy], resources: [podsecuritypolicies], verbs: [USE], resourceNames: [a]}]".into(), &[]),
        // The resource: podsecuritypolicies or *; no subresource, no other spelling.
        ("[{apiGroups: [policy], resources: ['*'], verbs: [use], resourceNames: [a]}]".into(), &["a"]),
        ("[{apiGroups: [policy], resources: [pods, poddisruptionbudgets], verbs: [use]}]".into(), &[]),
        ("[{apiGroups: [policy], resources: [podsecuritypolicies/status], verbs: [use]}]".into(), &[]),
        ("[{apiGroups: [policy], resources: ['*/*'], verbs: [use]}]".into(), &[]),
        ("[{apiGroups: [policy], resources: [PodSecurityPolicies], verbs: [use]}]".into(), &[]),
        // resourceNames: none (or empty) is every PSP; otherwise exact names, `*` included.
        (format!("[{PSP}}}]"), &["a", "b"]),
        (format!("[{PSP}, resourceNames: []}}]"), &["a", "b"]),
        (format!("[{PSP}, resourceNames: null}}]"), &["a", "b"]),
        (format!("[{PSP}, resourceNames: [a, b]}}]"), &["a", "b"]),
        (format!("[{PSP}, resourceNames: [c]}}]"), &[]),
        (format!("[{PSP}, resourceNames: ['*']}}]"), &[]),
        (format!("[{PSP}, resourceNames: [A]}}]"), &[]),
        // Several rules add up.
        (format!("[{PSP}, resourceNames: [a]}}, {PSP}, resourceNames: [b]}}]"), &["a", "b"]),
        (format!("[{PSP}, resourceNames: [a]}}, {PSP}}}]"), &["a", "b"]),
        // cluster-admin's rules.
        ("[{apiGroups: ['*'], resources: ['*'], verbs: ['*']}, {nonResourceURLs: ['*'], verbs: ['*']}]".into(), &["a", "b"]),
        ("[{nonResourceURLs: ['*'], verbs: ['*']}]".into(), &[]),
        ("[]".into(), &[]),
        ("null".into(), &[]),
    ];
    for (rules, granted) in cases {
        let rbac = rbac(&bound_cluster_role(&rules));
        for psp in ["a", "b"] {
            let expected = if granted.contains(&psp) {
                json!({"groups": ["g"]})
            } else {
                json!({})
            };
            assert_eq!(subjects(&rbac, psp), expected, "{rules}: PSP {psp}");
        }
    }
}

#[test]
fn the_grant_of_a_binding_is_every_psp_or_its_names() {
    const PSP: &str = "{apiGroups: [policy], resources: [podsecuritypolicies], verbs: [use]";
    let cases = [
        (format!("[{PSP}}}]"), Grant::Every),
        (
            format!("[{PSP}, resourceNames: [b, a]}}]"),
            Grant::Names(names(&["a", "b"])),
        ),
        (
            format!("[{PSP}, resourceNames: [a]}}, {PSP}}}]"),
            Grant::Every,
        ),
    ];
    for (rules, grant) in cases {
        let grantings = rbac(&bound_cluster_role(&rules)).grantings();
        assert_eq!(grantings.len(), 1, "{rules}");
        assert_eq!(grantings[0].grant, grant, "{rules}");
        assert_eq!(grantings[0].binding, "ClusterRoleBinding \"rb\"");
        assert_eq!(grantings[0].role, "ClusterRole \"r\"");
        assert_eq!(grantings[0].namespace, None);
    }
    let unrelated = "[{apiGroups: [''], resources: [pods], verbs: [get]}]";
    assert!(rbac(&bound_cluster_role(unrelated)).grantings().is_empty());
}

const ROLES: &str = "\
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: use-a}
rules: [{apiGroups: [policy], resources: [podsecuritypolicies], verbs: [use], resourceNames: [a]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: use-a, namespace: ns1}
rules: [{apiGroups: [policy], resources: [podsecuritypolicies], verbs: [use], resourceNames: [a]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: only-in-ns2, namespace: ns2}
rules: [{apiGroups: [policy], resources: [podsecuritypolicies], verbs: [use], resourceNames: [a]}]
";

/// A binding: `kind` ClusterRoleBinding (namespace None) or RoleBinding, to `role_ref` (`Kind name`),
/// with `subjects` (a YAML flow sequence).
fn binding(namespace: Option<&str>, role_ref: &str, subjects: &str) -> String {
    let (ref_kind, ref_name) = role_ref.split_once(' ').unwrap();
    let (kind, metadata) = match namespace {
        None => ("ClusterRoleBinding", "{name: b}".to_string()),
        Some(ns) => ("RoleBinding", format!("{{name: b, namespace: {ns}}}")),
    };
    format!(
        "---\napiVersion: rbac.authorization.k8s.io/v1\nkind: {kind}\nmetadata: {metadata}\n\
         roleRef: {{apiGroup: rbac.authorization.k8s.io, kind: {ref_kind}, name: {ref_name}}}\n\
         subjects: {subjects}\n"
    )
}

#[test]
fn bindings_grant_cluster_wide_or_in_their_namespace() {
    let group = "[{kind: Group, name: g}]";
    let cases = [
        // ClusterRoleBinding -> ClusterRole: everywhere.
        (None, "ClusterRole use-a", json!({"groups": ["g"]})),
        // RoleBinding in ns1 -> Role in ns1, or -> ClusterRole: for pods in ns1.
        (
            Some("ns1"),
            "Role use-a",
            json!({"byNamespace": {"ns1": {"groups": ["g"]}}}),
        ),
        (
            Some("ns1"),
            "ClusterRole use-a",
            json!({"byNamespace": {"ns1": {"groups": ["g"]}}}),
        ),
        (
            Some("ns2"),
            "ClusterRole use-a",
            json!({"byNamespace": {"ns2": {"groups": ["g"]}}}),
        ),
        // A RoleBinding's Role is looked up in the binding's namespace only.
        (Some("ns1"), "Role only-in-ns2", json!({})),
        (Some("ns2"), "Role use-a", json!({})),
        // A ClusterRoleBinding cannot refer to a Role; roles missing from the input grant nothing.
        (None, "Role use-a", json!({})),
        (None, "ClusterRole missing", json!({})),
    ];
    for (namespace, role_ref, expected) in cases {
        let rbac = rbac(&format!("{ROLES}{}", binding(namespace, role_ref, group)));
        assert_eq!(
            subjects(&rbac, "a"),
            expected,
            "{namespace:?} -> {role_ref}"
        );
        assert_eq!(
            subjects(&rbac, "b"),
            json!({}),
            "{namespace:?} -> {role_ref}"
        );
    }
}

#[test]
fn subjects_are_users_groups_and_namespaced_service_accounts() {
    let cases = [
        ("[{kind: User, name: alice, apiGroup: rbac.authorization.k8s.io}]", None, json!({"users": ["alice"]})),
        ("[{kind: Group, name: system:authenticated}]", None, json!({"groups": ["system:authenticated"]})),
        ("[{kind: ServiceAccount, name: cni, namespace: kube-system}]", None,
         json!({"serviceAccounts": ["kube-system:cni"]})),
        // A RoleBinding's service account without namespace is in the binding's namespace...
        ("[{kind: ServiceAccount, name: cni}]", Some("ns1"),
         json!({"byNamespace": {"ns1": {"serviceAccounts": ["ns1:cni"]}}})),
        // ...and one with a namespace is that one, though the grant holds in ns1 only.
        ("[{kind: ServiceAccount, name: prom, namespace: monitoring}]", Some("ns1"),
         json!({"byNamespace": {"ns1": {"serviceAccounts": ["monitoring:prom"]}}})),
        // A ClusterRoleBinding's service account without namespace matches nobody.
        ("[{kind: ServiceAccount, name: cni}]", None, json!({})),
        ("[{kind: ServiceAccount, name: cni, namespace: ''}]", None, json!({})),
        // RBAC matches a User subject by the user name: a service account's name stays a user.
        ("[{kind: User, name: 'system:serviceaccount:kube-system:cni'}]", None,
         json!({"users": ["system:serviceaccount:kube-system:cni"]})),
        ("[{kind: Robot, name: r2}]", None, json!({})),
        // No service account has such a name: `ns:*` would mean any of them.
        ("[{kind: ServiceAccount, name: '*', namespace: kube-system}]", None, json!({})),
        ("[{kind: User, name: ''}]", None, json!({})),
        ("[]", None, json!({})),
        ("null", None, json!({})),
        // Deduplicated and sorted, each kind in its list.
        ("[{kind: Group, name: z}, {kind: User, name: bob}, {kind: Group, name: a}, {kind: Group, name: z},
           {kind: ServiceAccount, name: x, namespace: n2}, {kind: ServiceAccount, name: x, namespace: n1},
           {kind: User, name: alice}]", None,
         json!({"users": ["alice", "bob"], "groups": ["a", "z"], "serviceAccounts": ["n1:x", "n2:x"]})),
    ];
    for (list, namespace, expected) in cases {
        let role_ref = match namespace {
            None => "ClusterRole use-a",
            Some(_) => "Role use-a",
        };
        let rbac = rbac(&format!("{ROLES}{}", binding(namespace, role_ref, list)));
        assert_eq!(subjects(&rbac, "a"), expected, "{list}");
    }
}

#[test]
fn grants_of_several_bindings_add_up_per_scope() {
    let text = format!(
        "{ROLES}{}{}{}{}",
        binding(
            None,
            "ClusterRole use-a",
            "[{kind: Group, name: g2}, {kind: User, name: u}]"
        ),
        binding(Some("ns1"), "Role use-a", "[{kind: Group, name: g1}]"),
        binding(
            Some("ns2"),
            "ClusterRole use-a",
            "[{kind: ServiceAccount, name: s}]"
        ),
        binding(
            Some("ns1"),
            "ClusterRole use-a",
            "[{kind: Group, name: g0}]"
        ),
    )
    // Each binding needs its own name.
    .replacen("name: b}", "name: b1}", 1)
    .replacen("name: b,", "name: b2,", 1)
    .replacen("name: b,", "name: b3,", 1)
    .replacen("name: b,", "name: b4,", 1);
    let rbac = rbac(&text);
    assert_eq!(
        subjects(&rbac, "a"),
        json!({
            "users": ["u"],
            "groups": ["g2"],
            "byNamespace": {
                "ns1": {"groups": ["g0", "g1"]},
                "ns2": {"serviceAccounts": ["ns2:s"]}
            }
        })
    );
    assert!(rbac.warnings(&names(&["a"])).is_empty());
}

#[test]
fn warnings_name_what_rbac_cannot_match_or_the_input_lacks() {
    let cases: Vec<(String, Vec<String>)> = vec![
        (binding(None, "ClusterRole missing", "[{kind: Group, name: g}]"), vec![
            "ClusterRoleBinding \"b\" refers to ClusterRole \"missing\", which is not in the RBAC input: nothing it grants is known here (add that role to the input if the cluster has it)".into(),
        ]),
        (binding(Some("ns1"), "Role only-in-ns2", "[{kind: Group, name: g}]"), vec![
            "RoleBinding \"ns1/b\" refers to Role \"ns1/only-in-ns2\", which is not in the RBAC input: nothing it grants is known here (add that role to the input if the cluster has it)".into(),
        ]),
        (binding(None, "Role use-a", "[{kind: Group, name: g}]"), vec![
            "ClusterRoleBinding \"b\" refers to Role \"use-a\", which is not in the RBAC input: nothing it grants is known here (add that role to the input if the cluster has it)".into(),
        ]),
        (binding(None, "ClusterRole use-a", "[{kind: ServiceAccount, name: cni}]"), vec![
            "ClusterRoleBinding \"b\": the service account subject \"cni\" has no namespace, so RBAC matches it to nobody".into(),
        ]),
        (binding(None, "ClusterRole use-a", "[{kind: ServiceAccount, name: '*', namespace: ns1}]"), vec![
            "ClusterRoleBinding \"b\": no service account is named \"*\", so RBAC matches that subject to nobody".into(),
        ]),
        (binding(Some("ns1"), "Role use-a", "[{kind: Robot, name: r2}]"), vec![
            "RoleBinding \"ns1/b\": subject kind \"Robot\" (\"r2\") is none of User, Group, ServiceAccount, so RBAC matches it to nobody".into(),
        ]),
        // Bindings of roles that grant no PSP are not looked at.
        (binding(None, "ClusterRole unrelated", "[{kind: ServiceAccount, name: x}]")
            + "---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: unrelated}\nrules: []\n",
         vec![]),
        (binding(None, "ClusterRole use-a", "[{kind: Group, name: g}]"), vec![]),
    ];
    for (bindings, expected) in cases {
        let rbac = rbac(&format!("{ROLES}{bindings}"));
        assert_eq!(rbac.warnings(&names(&["a"])), expected, "{bindings}");
    }

    // Grants of PSPs the migration does not have, and of the literal name `*`.
    let text = format!(
        "{ROLES}{}{}",
        binding(None, "ClusterRole use-a", "[{kind: Group, name: g}]"),
        binding(Some("ns1"), "Role use-a", "[{kind: Group, name: g}]"),
    );
    let rbac_a = rbac(&text);
    assert_eq!(
        rbac_a.warnings(&names(&["b"])),
        ["RBAC grants use of PodSecurityPolicy \"a\" through ClusterRoleBinding \"b\" (ClusterRole \"use-a\"), RoleBinding \"ns1/b\" (Role \"ns1/use-a\"), but that PodSecurityPolicy is not among the ones migrated: the grant is left out"]
    );
    let star = bound_cluster_role(
        "[{apiGroups: [policy], resources: [podsecuritypolicies], verbs: [use], resourceNames: ['*']}]",
    );
    assert_eq!(
        rbac(&star).warnings(&names(&["a"])),
        ["RBAC grants use of PodSecurityPolicy \"*\" through ClusterRoleBinding \"rb\" (ClusterRole \"r\"): RBAC compares resourceNames literally, so that grants no PodSecurityPolicy (a rule without resourceNames grants every one)"]
    );
    // A grant of every PSP names none that could be missing.
    let every = bound_cluster_role("[{apiGroups: ['*'], resources: ['*'], verbs: ['*']}]");
    assert!(rbac(&every).warnings(&names(&["a"])).is_empty());
}

#[test]
fn kubectl_output_lists_documents_and_typed_lists_are_read() {
    let list = "\
apiVersion: v1
kind: List
metadata: {resourceVersion: ''}
items:
- apiVersion: rbac.authorization.k8s.io/v1
  kind: ClusterRole
  metadata: {name: use-a}
  rules: [{apiGroups: [policy], resources: [podsecuritypolicies], verbs: [use], resourceNames: [a]}]
- apiVersion: policy/v1beta1
  kind: PodSecurityPolicy
  metadata: {name: a}
  spec: {}
";
    let typed = "\
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBindingList
items:
- metadata: {name: b}
  roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: use-a}
  subjects: [{kind: Group, name: g}]
";
    let mut rbac = Rbac::new();
    // PodSecurityPolicies are passed over: one dump may hold both.
    assert_eq!(rbac.read(list, "one.yaml").unwrap(), 1);
    assert_eq!(rbac.read(typed, "two.yaml").unwrap(), 1);
    assert_eq!(subjects(&rbac, "a"), json!({"groups": ["g"]}));
    // JSON and several documents.
    let json_text = r#"{"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": {"name": "x"}, "rules": []}"#;
    assert_eq!(Rbac::new().read(json_text, "x.json").unwrap(), 1);
    assert_eq!(
        Rbac::new()
            .read(
                &format!("{ROLES}{}", binding(None, "ClusterRole use-a", "[]")),
                "r.yaml"
            )
            .unwrap(),
        4
    );
    // Older RBAC API versions are RBAC too.
    let beta =
        "apiVersion: rbac.authorization.k8s.io/v1beta1\nkind: ClusterRole\nmetadata: {name: old}\n";
    assert_eq!(Rbac::new().read(beta, "beta.yaml").unwrap(), 1);
}

#[test]
fn bad_rbac_input_is_refused_with_its_location() {
    let cm = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n";
    let cases = [
        (cm.to_string(), "rbac.yaml: document 1: ConfigMap \"c\" (v1) is not a ClusterRole, ClusterRoleBinding, Role or RoleBinding"),
        (format!("{ROLES}---\n{cm}"), "rbac.yaml: document 4: ConfigMap"),
        (
            "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Secret\n  metadata: {name: s}\n".into(),
            "rbac.yaml: document 1, item 1: Secret \"s\" (v1) is not",
        ),
        ("apiVersion: policy/v1beta1\nkind: PodSecurityPolicy\nmetadata: {name: a}\n".into(),
         "rbac.yaml: no ClusterRole, ClusterRoleBinding, Role or RoleBinding found"),
        ("".into(), "rbac.yaml: no ClusterRole"),
        ("kind: [".into(), "not valid YAML or JSON"),
        ("apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: r}\n".into(),
         "Role \"r\" has no metadata.namespace"),
        ("apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: r}\nroleRef: {kind: Role, name: x}\n".into(),
         "RoleBinding \"r\" has no metadata.namespace"),
        ("apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: {name: b}\n".into(),
         "ClusterRoleBinding \"b\" has no roleRef"),
        ("apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {}\n".into(),
         "a ClusterRole without metadata.name"),
        ("apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: r}\nrules: [{verbs: use}]\n".into(),
         "ClusterRole \"r\": rules[0].verbs: invalid type"),
        (format!("{ROLES}---\n{}", ROLES.lines().take(4).collect::<Vec<_>>().join("\n")),
         "rbac.yaml: document 4: ClusterRole \"use-a\" appears twice"),
        (format!("{ROLES}{}{}", binding(Some("ns1"), "Role use-a", "[]"), binding(Some("ns1"), "Role use-a", "[]")),
         "document 5: RoleBinding \"ns1/b\" appears twice"),
    ];
    for (text, needle) in cases {
        let err = format!("{:#}", Rbac::new().read(&text, "rbac.yaml").unwrap_err());
        assert!(err.contains(needle), "{needle}\n got: {err}");
    }
    // The same name in two namespaces, or as a Role and a ClusterRole, is no duplicate.
    let text = format!(
        "{ROLES}{}{}",
        binding(Some("ns1"), "Role use-a", "[]"),
        binding(Some("ns2"), "Role use-a", "[]")
    );
    assert_eq!(Rbac::new().read(&text, "rbac.yaml").unwrap(), 5);
}
