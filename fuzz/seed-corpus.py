#!/usr/bin/env python3
"""Writes the seed corpus of the fuzz targets into fuzz/corpus/<target>/ (one file per seed, named by the
SHA-1 of its content, as libFuzzer names what it adds). Run once, then `make fuzz` grows the corpus and
`make fuzz-cmin` minimises it; the result is committed.

Seeds:
- evaluate_raw, evaluate_structured: `validate` payloads: the requests of examples/requests/, the pods of
  e2e-tests/fixtures/, the Pod Security Admission conformance pods (v1.37, from the shared/ folder beside the
  repository, when it is there) and workload wrappings of some of them, each under one of several settings;
  plus an UPDATE of the ephemeralcontainers subresource and a few malformed envelopes.
- settings_raw: the settings of examples/settings/ and e2e-tests/fixtures/, the profiles, Pod Security
  Standards, and a PSP spec with every field set.
"""

import hashlib
import json
import pathlib
import sys

import yaml

ROOT = pathlib.Path(__file__).resolve().parent.parent
CORPUS = ROOT / "fuzz" / "corpus"
PSA = ROOT.parent / "shared" / "conformance" / "psa" / "testdata"

FULL_PSP = {
    "privileged": False,
    "defaultAddCapabilities": ["CHOWN"],
    "requiredDropCapabilities": ["NET_RAW"],
    "allowedCapabilities": ["NET_BIND_SERVICE"],
    "volumes": ["configMap", "emptyDir", "hostPath", "secret", "csi", "flexVolume"],
    "hostNetwork": False,
    "hostPID": False,
    "hostIPC": False,
    "hostPorts": [{"min": 8000, "max": 9000}],
    "seLinux": {"rule": "MustRunAs", "seLinuxOptions": {"type": "container_t", "level": "s0:c1,c2"}},
    "runAsUser": {"rule": "MustRunAs", "ranges": [{"min": 1000, "max": 2000}]},
    "runAsGroup": {"rule": "MustRunAs", "ranges": [{"min": 1000, "max": 2000}]},
    "supplementalGroups": {"rule": "MustRunAs", "ranges": [{"min": 100, "max": 200}]},
    "fsGroup": {"rule": "MayRunAs", "ranges": [{"min": 100, "max": 200}]},
    "readOnlyRootFilesystem": True,
    "defaultAllowPrivilegeEscalation": False,
    "allowPrivilegeEscalation": False,
    "allowedHostPaths": [{"pathPrefix": "/data/ai", "readOnly": True}, {"pathPrefix": "/scratch"}],
    "allowedFlexVolumes": [{"driver": "example/lvm"}],
    "allowedCSIDrivers": [{"name": "ebs.csi.aws.com"}],
    "forbiddenSysctls": ["kernel.*"],
    "allowedUnsafeSysctls": ["net.core.*"],
    "allowedProcMountTypes": ["Default"],
    "runtimeClass": {"allowedRuntimeClassNames": ["gvisor", "runc"], "defaultRuntimeClassName": "gvisor"},
    "annotations": {
        "seccomp.security.alpha.kubernetes.io/allowedProfileNames": "runtime/default,localhost/*",
        "seccomp.security.alpha.kubernetes.io/defaultProfileName": "runtime/default",
        "apparmor.security.beta.kubernetes.io/allowedProfileNames": "runtime/default,localhost/x",
        "apparmor.security.beta.kubernetes.io/defaultProfileName": "runtime/default",
    },
    "exemptions": {"usernames": ["system:serviceaccount:kube-system:admin"], "namespaces": ["kube-system"],
                   "runtimeClasses": ["kata"]},
}


def load(path):
    text = path.read_text()
    return json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)


def ai_data_security():
    settings = load(ROOT / "examples" / "settings" / "ai-data-security.yml")
    settings["volumes"] = settings["volumes"] + ["hostPath"]
    return settings


SETTINGS = [
    ai_data_security(),
    {"profile": "restricted"},
    {"profile": "baseline"},
    FULL_PSP,
    dict(FULL_PSP, mutating=False),
    {"podSecurityStandard": {"level": "restricted"}},
    {"podSecurityStandard": {"level": "baseline", "version": "v1.25"}, "hostNetwork": False},
]

GROUPS = {
    "Pod": ("", "v1"), "Deployment": ("apps", "v1"), "ReplicaSet": ("apps", "v1"),
    "StatefulSet": ("apps", "v1"), "DaemonSet": ("apps", "v1"), "ReplicationController": ("", "v1"),
    "Job": ("batch", "v1"), "CronJob": ("batch", "v1"),
}


def request(obj, operation="CREATE", sub_resource=None, old=None):
    kind = obj.get("kind", "Pod") if isinstance(obj, dict) else "Pod"
    group, version = GROUPS.get(kind, ("", "v1"))
    req = {
        "uid": "00000000-0000-4000-8000-000000000001",
        "kind": {"group": group, "version": version, "kind": kind},
        "operation": operation,
        "namespace": "default",
        "userInfo": {"username": "fuzz", "groups": ["system:authenticated"]},
        "object": obj,
        "oldObject": old,
    }
    if sub_resource:
        req["subResource"] = sub_resource
    return req


def as_request(document):
    if isinstance(document, dict) and isinstance(document.get("request"), dict):
        return document["request"]
    if isinstance(document, dict) and "uid" in document and "operation" in document:
        return document
    return request(document)


def workload(kind, pod):
    template = {"metadata": pod.get("metadata", {}), "spec": pod.get("spec", {})}
    group, version = GROUPS[kind]
    api_version = f"{group}/{version}" if group else version
    spec = {"jobTemplate": {"spec": {"template": template}}, "schedule": "* * * * *"} if kind == "CronJob" \
        else {"template": template}
    return {"apiVersion": api_version, "kind": kind, "metadata": {"name": "w"}, "spec": spec}


def write(target, data):
    directory = CORPUS / target
    directory.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    elif not isinstance(data, bytes):
        data = json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode()
    (directory / hashlib.sha1(data).hexdigest()).write_bytes(data)


def main():
    requests = [as_request(load(p)) for p in sorted((ROOT / "examples" / "requests").glob("*.json"))]
    pods = []
    for path in sorted((ROOT / "e2e-tests" / "fixtures").rglob("*")):
        if path.suffix in (".json", ".yaml", ".yml"):
            document = load(path)
            if isinstance(document, dict) and document.get("kind") == "Pod":
                pods.append(document)
            elif isinstance(document, dict):
                write("settings_raw", document)
    if PSA.is_dir():
        seen = set()
        for level in ("baseline", "restricted"):
            for path in sorted((PSA / level / "v1.37").rglob("*.yaml")):
                text = path.read_text()
                if text not in seen:
                    seen.add(text)
                    pods.append(yaml.safe_load(text))
    else:
        print(f"note: {PSA} not found: no conformance pods in the seeds", file=sys.stderr)
    requests += [request(pod) for pod in pods]
    kinds = list(GROUPS)[1:]
    requests += [request(workload(kinds[i % len(kinds)], pod)) for i, pod in enumerate(pods[:16])]
    running = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
               "spec": {"containers": [{"name": "app", "image": "busybox"}]}}
    debugged = json.loads(json.dumps(running))
    debugged["spec"]["ephemeralContainers"] = [{"name": "debug", "image": "busybox",
                                                "securityContext": {"privileged": True}}]
    requests.append(request(debugged, "UPDATE", "ephemeralcontainers", running))

    for i, req in enumerate(requests):
        payload = {"request": req, "settings": SETTINGS[i % len(SETTINGS)]}
        write("evaluate_raw", payload)
        write("evaluate_structured", payload)
    for malformed in ['{"request": {"kind": {"kind": "Pod"}, "operation": "CREATE", "object": []}}',
                      '{"request": {"kind": {"kind": "Pod"}, "operation": "CREATE"}, "settings": null}',
                      '[{"kind": {"kind": "Pod"}, "operation": "CREATE", "object": {"spec": {}}}, {"profile": "baseline"}]']:
        write("evaluate_raw", malformed)

    for settings in SETTINGS:
        write("settings_raw", settings)
    write("settings_raw", {"profile": "ai-data-security", "podSecurityStandard": {"level": "restricted", "version": "v1.30"},
                           "seccomp": {"allowedProfileNames": ["runtime/default"], "defaultProfileName": "runtime/default"},
                           "appArmor": {"allowedProfileNames": []}})
    write("settings_raw", "{}")
    for target in ("evaluate_raw", "evaluate_structured", "settings_raw"):
        files = list((CORPUS / target).iterdir())
        print(f"{target}: {len(files)} seeds, {sum(f.stat().st_size for f in files)} bytes")


if __name__ == "__main__":
    main()
