"""pip-audit on requirements.txt, when its vulnerability database can be reached.

Fails on any known vulnerability not accepted below. When the database cannot be reached (a
mirror without PyPI's JSON API, no network), pip-audit skips every package: that is said, and
is not a failure, since nothing could be checked.
"""

import json
import subprocess
import sys

# Accepted findings, each with why: none today. `"PYSEC-...": "why it does not apply"`.
ACCEPTED: dict[str, str] = {}


def main() -> int:
    command = [
        sys.executable, "-m", "pip_audit", "-r", "requirements.txt", "--format", "json",
        "--progress-spinner", "off", "--vulnerability-service", "pypi",
        *(arg for vuln in ACCEPTED for arg in ("--ignore-vuln", vuln)),
    ]  # fmt: skip
    run = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
    try:
        report = json.loads(run.stdout or "{}")
    except json.JSONDecodeError:
        print(run.stdout, run.stderr, sep="\n")
        return 1
    dependencies = report.get("dependencies", [])
    audited = [d for d in dependencies if "skip_reason" not in d]
    found = [(d["name"], d["version"], v["id"]) for d in audited for v in d.get("vulns", [])]
    if not audited:
        print(f"pip-audit: its database could not be reached; {len(dependencies)} packages "
              "not audited.")  # fmt: skip
        return 0
    for name, version, vuln in found:
        print(f"pip-audit: {name} {version}: {vuln}")
    print(f"pip-audit: {len(audited)} packages audited, {len(found)} known vulnerabilities.")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
