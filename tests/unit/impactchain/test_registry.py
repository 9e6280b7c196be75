"""The deployment manifest on disk: whole, round-tripping, readable by the services' users."""

import stat
from pathlib import Path

import pytest

from impactchain.registry import DeployedContract, DeploymentManifest, ManifestError, load_manifest, write_manifest

ADDRESS = "0x5FbDB2315678afecb367f032d93F642f64180aa3"


def manifest() -> DeploymentManifest:
    contract = DeployedContract(address=ADDRESS, abi=[], block=7)
    return DeploymentManifest(chain_id=31337, contracts={"HelpDesk": contract})


def test_written_manifest_round_trips_and_is_world_readable(tmp_path: Path) -> None:
    path = write_manifest(tmp_path, manifest())

    assert load_manifest(tmp_path, 31337).contract("HelpDesk").address == ADDRESS
    # A root deploy must not lock the non-root API, indexer and worker out of it.
    assert stat.S_IMODE(path.stat().st_mode) == 0o644
    assert [p.name for p in tmp_path.iterdir()] == [path.name]  # no temp file left behind


def test_missing_manifest_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ManifestError, match="31337"):
        load_manifest(tmp_path, 31337)
