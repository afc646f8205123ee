"""The sensitive-AI-data ClusterAdmissionPolicy as a Pulumi resource.

The same policy as examples/policies/ai-data-security.yaml: Kubewarden runs the
pod-security-policy module with the `ai-data-security` profile on Pods (ephemeral containers
included) and on the pod templates of every workload kind.
"""

from __future__ import annotations

import copy
from typing import Optional

import pulumi
import pulumi_kubernetes as k8s

MODULE = "registry://ghcr.io/kubewarden-community/policies/pod-security-policy:v0.1.0"

# What the policy sees: metadata.yml's rules.
RULES = [
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

# No privilege, non-root, read-only root filesystem, only configMap / emptyDir / projected /
# secret / downwardAPI / persistentVolumeClaim volumes and read-only host paths under /data/ai.
SETTINGS = {
    "profile": "ai-data-security",
    "exemptions": {"namespaces": ["kube-system"]},
}


def policy_spec(module: str = MODULE, validate_only: bool = False) -> dict:
    """The ClusterAdmissionPolicy spec. `validate_only`: a validating webhook whose settings
    never default (`mutating: false` in both places)."""
    if not module or not module.strip():
        raise ValueError("module must name the policy module (registry://HOST/PATH:TAG)")
    settings = copy.deepcopy(SETTINGS)
    if validate_only:
        settings["mutating"] = False
    return {
        "module": module,
        "rules": copy.deepcopy(RULES),
        "mutating": not validate_only,
        "backgroundAudit": True,
        "settings": settings,
    }


def ai_data_security_policy(
    name: str = "ai-data-security",
    module: str = MODULE,
    validate_only: bool = False,
    opts: Optional[pulumi.ResourceOptions] = None,
) -> k8s.apiextensions.CustomResource:
    """Declares the ClusterAdmissionPolicy `name`."""
    return k8s.apiextensions.CustomResource(
        name,
        api_version="policies.kubewarden.io/v1",
        kind="ClusterAdmissionPolicy",
        metadata={
            "name": name,
            "annotations": {
                "io.kubewarden.policy.category": "PSP",
                "io.kubewarden.policy.severity": "high",
            },
        },
        spec=policy_spec(module, validate_only),
        opts=opts,
    )
