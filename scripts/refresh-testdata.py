#!/usr/bin/env python3
"""Rebuilds testdata/psa/ from an unpacked `test/testdata` folder of k8s.io/pod-security-admission.

    python3 scripts/refresh-testdata.py PATH/TO/pod-security-admission/test/testdata [--crds DIR]

The PSA tree holds one YAML file per (level, version, pass/fail, check, index): 4,537 files, most of them
repeated from one version folder to the next. This keeps each distinct file once, unchanged, and writes
testdata/psa/cases.tsv, one line per original file. With --crds, the two Kubewarden CRD files in DIR are
copied to testdata/kubewarden-crds/ as well. Standard library only.
"""

import argparse
import hashlib
import re
import shutil
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "testdata"
LEVELS = ("baseline", "restricted")
FOLDERS = {"pass": "allow", "fail": "deny"}
BASE_PODS = ("base", "base_linux", "base_windows")
CRDS = (
    "policies.kubewarden.io_admissionpolicies.yaml",
    "policies.kubewarden.io_clusteradmissionpolicies.yaml",
)
HEADER = "# level\tversion\texpect\tcheck\tindex\tpath\tpod\n"

# PSA's check IDs (`policy/check_*.go`). Fixture files are named after the lower-cased ID plus an index,
# so the ID's spelling cannot be read back from the file name: a new check must be added here.
CHECK_IDS = (
    "allowPrivilegeEscalation",
    "appArmorProfile",
    "capabilities_baseline",
    "capabilities_restricted",
    "hostNamespaces",
    "hostPathVolumes",
    "hostPorts",
    "hostProbesAndHostLifecycle",
    "privileged",
    "procMount",
    "procMount_restricted",
    "restrictedVolumes",
    "runAsNonRoot",
    "runAsUser",
    "seLinuxOptions",
    "seccompProfile_baseline",
    "seccompProfile_restricted",
    "sysctls",
    "windowsHostProcess",
)
CHECK_BY_LOWER = {check.lower(): check for check in CHECK_IDS}


def fail(message):
    sys.exit(f"refresh-testdata: {message}")


def check_and_index(stem, where):
    """The check ID and index a fixture file name stands for; ('-', '-') for the base pods."""
    if stem in BASE_PODS:
        return "-", "-"
    match = re.fullmatch(r"(.*?)(\d+)", stem)
    if not match or match[1] not in CHECK_BY_LOWER:
        fail(f"{where}: not <check><index>.yaml for a known check; add the check's PSA ID to CHECK_IDS")
    return CHECK_BY_LOWER[match[1]], match[2]


def read_cases(source):
    """One (level, version number, folder, file name, bytes) per fixture file under `source`."""
    cases = []
    for level in LEVELS:
        versions = sorted((source / level).glob("v1.*"))
        if not versions:
            fail(f"{source / level}: no v1.<N> folders (is {source} PSA's test/testdata?)")
        for version_dir in versions:
            number = version_dir.name.removeprefix("v1.")
            if not number.isdigit():
                fail(f"{version_dir}: not a v1.<N> folder")
            for entry in version_dir.iterdir():
                if entry.name not in FOLDERS:
                    fail(f"{entry}: expected only pass/ and fail/")
            for folder in FOLDERS:
                for path in sorted((version_dir / folder).iterdir()):
                    if path.suffix != ".yaml" or not path.is_file():
                        fail(f"{path}: not a .yaml file")
                    cases.append((level, int(number), folder, path.name, path.read_bytes()))
    # PSA's own order: level, version, pass before fail, file name.
    cases.sort(key=lambda c: (c[0], c[1], list(FOLDERS).index(c[2]), c[3]))
    return cases


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("psa_testdata", type=Path, help="PSA's test/testdata folder, unpacked")
    parser.add_argument("--crds", type=Path, help="folder holding Kubewarden's two CRD files")
    args = parser.parse_args()

    cases = read_cases(args.psa_testdata)
    psa = OUT / "psa"
    for level in LEVELS:
        shutil.rmtree(psa / level, ignore_errors=True)
    psa.mkdir(parents=True, exist_ok=True)

    # Each distinct content is written once, named after where it first appears:
    # `<level>/<pass|fail>/<file stem>.v1.<N>.yaml` is that file as of folder v1.N.
    pods = {}
    lines = [HEADER]
    for level, number, folder, name, content in cases:
        version = f"v1.{number}"
        path = f"{level}/{version}/{folder}/{name}"
        stem = name.removesuffix(".yaml")
        check, index = check_and_index(stem, path)
        digest = hashlib.sha256(content).digest()
        if digest not in pods:
            pod = f"{level}/{folder}/{stem}.{version}.yaml"
            (psa / pod).parent.mkdir(parents=True, exist_ok=True)
            (psa / pod).write_bytes(content)
            pods[digest] = pod
        fields = (level, version, FOLDERS[folder], check, index, path, pods[digest])
        lines.append("\t".join(fields) + "\n")
    (psa / "cases.tsv").write_text("".join(lines), encoding="utf-8")

    if args.crds:
        crds = OUT / "kubewarden-crds"
        crds.mkdir(parents=True, exist_ok=True)
        for name in CRDS:
            shutil.copyfile(args.crds / name, crds / name)

    newest = max(number for _, number, _, _, _ in cases)
    at_newest = sum(1 for c in cases if c[1] == newest)
    print(f"{len(cases)} cases, {len(pods)} distinct pods, newest folder v1.{newest} ({at_newest} cases)")
    print("If these counts changed, update PSA_CASES and LATEST_CASES in the tests (git grep PSA_CASES).")


if __name__ == "__main__":
    main()
