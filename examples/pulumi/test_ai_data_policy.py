"""Unit tests of the Pulumi program under Pulumi's mocks: no cluster, no Pulumi service.

Run with `make pulumi-tests` (it installs requirements.txt in a virtualenv first).
"""

import pathlib

import pulumi
import pytest
import yaml


class Mocks(pulumi.runtime.Mocks):
    """Every resource gets its inputs as outputs; no provider is called."""

    def __init__(self):
        self.resources = []

    def new_resource(self, args: pulumi.runtime.MockResourceArgs):
        self.resources.append(args)
        return [f"{args.name}-id", args.inputs]

    def call(self, args: pulumi.runtime.MockCallArgs):
        return {}


MOCKS = Mocks()
pulumi.runtime.set_mocks(MOCKS, preview=False)

import ai_data_policy  # noqa: E402  (after set_mocks: resources register with the mocks)

REPO = pathlib.Path(__file__).resolve().parents[2]
EXPECTED_RULES = [
    {
        "apiGroups": [""],
        "apiVersions": ["v1"],
        "resources": ["pods", "pods/ephemeralcontainers", "replicationcontrollers"],
        "operations": ["CREATE", "UPDATE"],
    },
    {
        "apiGroups": ["apps"],
        "apiVersions": ["v1"],
        "resources": ["deployments", "replicasets", "statefulsets", "daemonsets"],
        "operations": ["CREATE", "UPDATE"],
    },
    {
        "apiGroups": ["batch"],
        "apiVersions": ["v1"],
        "resources": ["jobs", "cronjobs"],
        "operations": ["CREATE", "UPDATE"],
    },
]


def outputs(resource):
    """What the Kubernetes provider is asked to create for `resource`, once Pulumi resolved it:
    (apiVersion, kind, metadata, spec). apiVersion and kind are read from the registration (the
    provider's inputs), metadata and spec from the resolved outputs."""

    def inputs(values):
        urn, kind, metadata, spec = values
        name = urn.split("::")[-1]
        registered = [r for r in MOCKS.resources if r.name == name]
        assert registered, f"{name} was not registered"
        args = registered[-1]  # the tests run one after the other: the latest is this test's
        assert args.typ == f"kubernetes:{args.inputs['apiVersion']}:{kind}"
        return [args.inputs["apiVersion"], kind, metadata, spec]

    return pulumi.Output.all(resource.urn, resource.kind, resource.metadata, resource.spec).apply(
        inputs
    )


@pulumi.runtime.test
def test_the_policy_runs_this_release_of_the_module():
    policy = ai_data_policy.ai_data_security_policy(name="ai-module")

    def check(values):
        api_version, kind, metadata, spec = values
        assert api_version == "policies.kubewarden.io/v1"
        assert kind == "ClusterAdmissionPolicy"
        assert metadata["name"] == "ai-module"
        assert (
            spec["module"]
            == "registry://ghcr.io/kubewarden-community/policies/pod-security-policy:v0.1.0"
        )

    return outputs(policy).apply(check)


@pulumi.runtime.test
def test_the_policy_sees_every_pod_and_workload_kind():
    policy = ai_data_policy.ai_data_security_policy(name="ai-rules")

    def check(values):
        spec = values[3]
        assert spec["rules"] == EXPECTED_RULES

    return outputs(policy).apply(check)


@pulumi.runtime.test
def test_the_policy_mutates_with_the_ai_data_security_settings():
    policy = ai_data_policy.ai_data_security_policy(name="ai-settings")

    def check(values):
        metadata, spec = values[2], values[3]
        assert spec["mutating"] is True
        assert spec["backgroundAudit"] is True
        assert spec["settings"] == {
            "profile": "ai-data-security",
            "exemptions": {"namespaces": ["kube-system"]},
        }
        assert metadata["annotations"]["io.kubewarden.policy.severity"] == "high"

    return outputs(policy).apply(check)


@pulumi.runtime.test
def test_a_validate_only_deployment_never_mutates():
    policy = ai_data_policy.ai_data_security_policy(name="ai-validate", validate_only=True)

    def check(values):
        spec = values[3]
        assert spec["mutating"] is False
        assert spec["settings"]["mutating"] is False
        assert spec["settings"]["profile"] == "ai-data-security"

    return outputs(policy).apply(check)


@pulumi.runtime.test
def test_the_program_matches_the_example_manifest():
    """examples/policies/ai-data-security.yaml and the Pulumi program declare the same policy."""
    manifest = yaml.safe_load((REPO / "examples/policies/ai-data-security.yaml").read_text())
    policy = ai_data_policy.ai_data_security_policy(name=manifest["metadata"]["name"])

    def check(values):
        api_version, kind, metadata, spec = values
        assert api_version == manifest["apiVersion"]
        assert kind == manifest["kind"]
        assert metadata == manifest["metadata"]
        assert spec == manifest["spec"]

    return outputs(policy).apply(check)


def test_the_rules_are_metadata_yml_rules():
    metadata = yaml.safe_load((REPO / "metadata.yml").read_text())
    assert ai_data_policy.RULES == metadata["rules"]
    assert ai_data_policy.MODULE == "registry://{}:v{}".format(
        metadata["annotations"]["io.kubewarden.policy.ociUrl"],
        metadata["annotations"]["io.kubewarden.policy.version"],
    )


def test_an_empty_module_reference_is_refused():
    with pytest.raises(ValueError, match="module must name the policy module"):
        ai_data_policy.policy_spec(module=" ")


@pulumi.runtime.test
def test_the_program_declares_the_policy_with_its_default_config():
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "ai_data_program", pathlib.Path(__file__).with_name("__main__.py")
    )
    program = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(program)

    def check(values):
        api_version, kind, metadata, spec = values
        assert (api_version, kind) == ("policies.kubewarden.io/v1", "ClusterAdmissionPolicy")
        assert metadata["name"] == "ai-data-security"
        assert spec == ai_data_policy.policy_spec()
        assert spec["mutating"] is True

    return outputs(program.policy).apply(check)
