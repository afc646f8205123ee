"""Deploys the sensitive-AI-data ClusterAdmissionPolicy (`pulumi up` against a cluster that runs
Kubewarden). Config: `module` (default: this release), `validateOnly` (default: false)."""

import pulumi

from ai_data_policy import MODULE, ai_data_security_policy

config = pulumi.Config()
policy = ai_data_security_policy(
    module=config.get("module") or MODULE,
    validate_only=config.get_bool("validateOnly") or False,
)

pulumi.export("policy", policy.metadata["name"])
pulumi.export("module", policy.spec["module"])
