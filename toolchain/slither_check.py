"""Run slither offline and fail on any high- or medium-impact finding without a written triage.

    python toolchain/slither_check.py            (what `make slither` runs)

Slither compiles through crytic-compile's foundry platform (`foundry.toml`: forge from npm,
the repo's solc shim). Each finding is keyed by its detector and the element it names, e.g.
`weak-prng ReputationBadge.decayFactor(uint256)`, so the key survives unrelated line shifts;
`toolchain/slither-triage.json` maps keys to the reason the finding is acceptable.
"""

import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TRIAGE = ROOT / "toolchain" / "slither-triage.json"
GATED_IMPACTS = {"High", "Medium"}


def run_slither(slither: Path) -> list[dict[str, object]]:
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "slither.json"
        subprocess.run(
            [
                str(slither), ".",
                "--compile-force-framework", "foundry",
                "--foundry-out-directory", ".slither/out",
                "--filter-paths", "node_modules|contracts/test",
                "--exclude-informational", "--exclude-low", "--exclude-optimization",
                "--json", str(report),
            ],
            cwd=ROOT,
            check=False,  # slither exits non-zero whenever it finds anything
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
        if not report.exists():
            sys.exit("slither produced no report: see its output above (did forge build fail?)")
        data = json.loads(report.read_text())
    if not data.get("success"):
        sys.exit(f"slither failed: {data.get('error')}")
    detectors: list[dict[str, object]] = data.get("results", {}).get("detectors", [])
    return detectors


def finding_key(finding: dict[str, object]) -> str:
    description = str(finding["description"]).strip()
    return f"{finding['check']} {description.split(' (', 1)[0]}"


def main() -> int:
    slither = Path(sys.executable).parent / "slither"
    triage: dict[str, str] = json.loads(TRIAGE.read_text()) if TRIAGE.exists() else {}
    findings = [f for f in run_slither(slither) if f["impact"] in GATED_IMPACTS]
    keys = {finding_key(f): f for f in findings}
    untriaged = sorted(set(keys) - set(triage))
    stale = sorted(set(triage) - set(keys))
    for key in sorted(keys):
        status = "triaged" if key in triage else "UNTRIAGED"
        print(f"{status:>9}  [{keys[key]['impact']}] {key}")
    for key in stale:
        print(f"    stale  {key} (no longer reported: remove it from {TRIAGE.name})")
    if untriaged:
        print(f"\n{len(untriaged)} high/medium finding(s) lack a triage in {TRIAGE.relative_to(ROOT)}")
        return 1
    print(f"\nslither: {len(keys)} high/medium finding(s), all triaged")
    return 0


if __name__ == "__main__":
    sys.exit(main())
