"""The Dockerfile and .dockerignore, linted as text (no container engine here): hadolint, the
project's own rules, and agreement with the CLI, the settings and the API's routes."""

import fnmatch
import re
import subprocess

import pytest

from impactchain.settings import Settings
from tests.support.deployment import (
    REPO,
    VENV_BIN,
    app_route_paths,
    cli_command,
    dockerfile_stages,
    dockerfile_violations,
    exec_form,
    settings_env_names,
)

DOCKERFILE = (REPO / "Dockerfile").read_text()


def test_hadolint_finds_nothing_at_any_level() -> None:
    result = subprocess.run(
        [str(VENV_BIN / "hadolint"), "--no-color", "--failure-threshold", "info", "-"],
        input=DOCKERFILE,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_hadolint_fails_on_a_bad_dockerfile() -> None:
    result = subprocess.run(
        [str(VENV_BIN / "hadolint"), "--no-color", "-"],
        input="FROM python:latest\nRUN apt-get install -y gcc\n",
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "DL3007" in result.stdout  # `latest`


def test_the_project_rules_hold() -> None:
    assert dockerfile_violations(DOCKERFILE) == []


@pytest.mark.parametrize(
    ("dockerfile", "problem"),
    [
        ('FROM python:latest\nUSER 10001\nHEALTHCHECK CMD true\nENTRYPOINT ["x"]\n', "not pinned"),
        ('FROM python:3.11-slim\nHEALTHCHECK CMD true\nENTRYPOINT ["x"]\n', "numeric non-root"),
        ('FROM python:3.11-slim\nUSER app\nHEALTHCHECK CMD true\nENTRYPOINT ["x"]\n', "numeric non-root"),
        ('FROM python:3.11-slim\nUSER 0:0\nHEALTHCHECK CMD true\nENTRYPOINT ["x"]\n', "numeric non-root"),
        ('FROM python:3.11-slim\nUSER 10001\nENTRYPOINT ["x"]\n', "no HEALTHCHECK"),
        ("FROM python:3.11-slim\nUSER 10001\nHEALTHCHECK CMD true\n", "no ENTRYPOINT"),
        (
            "FROM python:3.11-slim\nRUN curl -fsSL https://x.example/i.sh | sh\nUSER 10001\n"
            'HEALTHCHECK CMD true\nENTRYPOINT ["x"]\n',
            "pipes a download",
        ),
        (
            "FROM python:3.11-slim\nRUN apt-get install -y build-essential\nUSER 10001\n"
            'HEALTHCHECK CMD true\nENTRYPOINT ["x"]\n',
            "installs with",
        ),
        (
            "FROM node:20 AS node\nFROM python:3.11-slim\nCOPY --from=node /usr/local/bin/node /usr/local/bin/\n"
            'USER 10001\nHEALTHCHECK CMD true\nENTRYPOINT ["x"]\n',
            "copies a toolchain",
        ),
    ],
)
def test_the_project_rules_catch(dockerfile: str, problem: str) -> None:
    assert any(problem in found for found in dockerfile_violations(dockerfile)), dockerfile_violations(dockerfile)


def test_stages_build_with_the_toolchain_and_run_slim() -> None:
    stages = dockerfile_stages(DOCKERFILE)
    build = next(stage for stage in stages if stage.alias == "build")
    runtime = stages[-1]

    assert runtime.alias == "runtime"
    assert "slim" in runtime.base
    runs = " && ".join(build.values("RUN"))
    assert "npm ci" in runs
    assert "ape compile --force" in runs
    assert "-c requirements.lock" in runs  # the lock's pins, runtime deps only
    assert any("/app/.build" in value for value in runtime.values("COPY"))  # the compiled contracts


def test_the_entry_point_is_the_cli_and_the_default_command_exists() -> None:
    runtime = dockerfile_stages(DOCKERFILE)[-1]

    assert exec_form(runtime.values("ENTRYPOINT")[-1]) == ["impactchain"]
    cli_command(exec_form(runtime.values("CMD")[-1]))


def test_the_healthcheck_asks_a_real_route_on_the_api_port() -> None:
    runtime = dockerfile_stages(DOCKERFILE)[-1]
    healthcheck = runtime.values("HEALTHCHECK")[-1]
    env = dict(re.findall(r"(\w+)=(\S+)", " ".join(runtime.values("ENV"))))

    path = re.search(r"'(/[\w/]+)'", healthcheck)
    assert path is not None, healthcheck
    assert path.group(1) in app_route_paths()
    assert f"'IMPACTCHAIN_API_PORT', '{env['IMPACTCHAIN_API_PORT']}'" in healthcheck
    assert int(env["IMPACTCHAIN_API_PORT"]) == Settings.model_fields["api_port"].default
    assert env["IMPACTCHAIN_API_HOST"] == "0.0.0.0"  # noqa: S104 (reachable from outside the container)
    exposed = {int(port) for value in runtime.values("EXPOSE") for port in value.split()}
    assert int(env["IMPACTCHAIN_API_PORT"]) in exposed


def test_every_impactchain_variable_it_sets_is_a_setting() -> None:
    names = set()
    for stage in dockerfile_stages(DOCKERFILE):
        for value in stage.values("ENV"):
            names |= {name for name in re.findall(r"(\w+)=", value) if name.startswith("IMPACTCHAIN_")}

    assert names
    assert names <= settings_env_names()


def _ignored(path: str, patterns: list[str]) -> bool:
    return any(fnmatch.fnmatch(path, pattern) or path.startswith(pattern.rstrip("/") + "/") for pattern in patterns)


def test_dockerignore_keeps_out_local_state_but_not_what_the_build_copies() -> None:
    patterns = [
        line.strip()
        for line in (REPO / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    build = next(stage for stage in dockerfile_stages(DOCKERFILE) if stage.alias == "build")
    copied = [
        source
        for value in build.values("COPY")
        if not value.startswith("--from")
        for source in value.split()[:-1]
        if source != "."
    ]

    for local in (".git", ".venv", "node_modules", ".ape", ".build", ".data", "deployments/31337.json"):
        assert _ignored(local, patterns), local
    assert copied
    for source in [*copied, "contracts/helpdesk", "toolchain/solc", "scripts/deploy.py", "ape-config.yaml"]:
        assert (REPO / source).exists(), source
        assert not _ignored(source, patterns), source
