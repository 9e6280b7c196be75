"""compose.yaml, validated as text against the Compose spec and against the project: the CLI
commands it runs, the settings it sets, the ports and paths Prometheus and Grafana rely on."""

import json
import re
import shlex
import subprocess
from typing import Any

import pytest
from typer.exceptions import TyperException

from impactchain.settings import Settings
from tests.support.deployment import (
    REPO,
    VENV_BIN,
    app_route_paths,
    cli_command,
    load_yaml,
    pinned_image,
    settings_env_names,
)

COMPOSE: dict[str, Any] = load_yaml(REPO / "compose.yaml")
SERVICES: dict[str, Any] = COMPOSE["services"]
# The services that run the runtime image's `impactchain` entry point.
APP_SERVICES = [name for name, service in SERVICES.items() if service.get("build", {}).get("target") == "runtime"]


def test_compose_file_follows_the_compose_spec() -> None:
    result = subprocess.run(
        [str(VENV_BIN / "check-jsonschema"), "--builtin-schema", "vendor.compose-spec", str(REPO / "compose.yaml")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_compose_spec_check_can_fail(tmp_path: Any) -> None:
    broken = tmp_path / "compose.yaml"
    broken.write_text("services:\n  api:\n    image: x:1\n    depends_on: 7\n")
    result = subprocess.run(
        [str(VENV_BIN / "check-jsonschema"), "--builtin-schema", "vendor.compose-spec", str(broken)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0


def test_it_runs_the_whole_platform() -> None:
    expected = {"postgres", "redis", "anvil", "deploy", "migrate", "api", "indexer", "worker", "prometheus", "grafana"}
    assert expected <= set(SERVICES)
    assert {"migrate", "api", "indexer", "worker"} <= set(APP_SERVICES)


def service_cli_args(name: str) -> list[str]:
    """The `impactchain` arguments a service runs: its command under the image's entry point, or
    the `impactchain ...` part of a `sh -c` script."""
    service = SERVICES[name]
    entrypoint = service.get("entrypoint", ["impactchain"])
    if entrypoint == ["sh", "-c"]:
        (script,) = service["command"]
        first = shlex.split(script.split("&&")[0])
        assert first[0] == "impactchain", script
        return first[1:]
    assert entrypoint == ["impactchain"]
    return list(service["command"])


@pytest.mark.parametrize("name", ["migrate", "api", "indexer", "worker", "deploy"])
def test_each_process_is_a_cli_command(name: str) -> None:
    args = service_cli_args(name)
    assert cli_command(args) == args[:1] == [name]


def test_one_shots_run_once_and_gate_the_long_running_processes() -> None:
    for one_shot in ("migrate", "deploy"):
        assert SERVICES[one_shot]["restart"] == "no"
    for name in ("api", "indexer", "worker"):
        depends = SERVICES[name]["depends_on"]
        assert depends["migrate"]["condition"] == "service_completed_successfully", name
        assert depends["deploy"]["condition"] == "service_completed_successfully", name
    for name, service in SERVICES.items():
        depends = service.get("depends_on", {})
        assert set(depends) <= set(SERVICES), name
        for dependency, condition in depends.items() if isinstance(depends, dict) else []:
            if condition["condition"] == "service_healthy":
                assert "healthcheck" in SERVICES[dependency] or SERVICES[dependency].get("build"), dependency


def test_every_impactchain_variable_is_a_setting() -> None:
    names = {
        key
        for service in SERVICES.values()
        for key in (service.get("environment") or {})
        if key.startswith("IMPACTCHAIN_") or key in ("DATABASE_URL", "REDIS_URL")
    }
    assert {"DATABASE_URL", "REDIS_URL", "IMPACTCHAIN_RPC_URL"} <= names
    assert names <= settings_env_names()


def test_the_app_reaches_the_services_it_is_given() -> None:
    env = SERVICES["api"]["environment"]
    urls = [env[key] for key in ("DATABASE_URL", "REDIS_URL", "IMPACTCHAIN_RPC_URL")]
    hosts = {match.group(1) for url in urls if (match := re.search(r"([\w-]+):\d+", url.split("@")[-1]))}
    assert hosts == {"postgres", "redis", "anvil"}
    assert "8545" in " ".join(SERVICES["anvil"]["command"])
    assert service_cli_args("deploy")[-1] == env["IMPACTCHAIN_RPC_URL"]
    # The manifest is written 0600 as root; the runtime image's user must be able to read it.
    assert "chmod a+r /app/deployments/" in SERVICES["deploy"]["command"][0]


def test_the_api_port_is_the_settings_port() -> None:
    published = SERVICES["api"]["ports"]
    assert published == [f"{Settings.model_fields['api_port'].default}:{Settings.model_fields['api_port'].default}"]


def test_images_are_pinned() -> None:
    for name, service in SERVICES.items():
        if "image" in service and "build" not in service and name not in ("deploy",):
            assert pinned_image(service["image"]), f"{name}: {service['image']}"


def test_prometheus_scrapes_the_api_and_the_indexer_where_compose_serves_them() -> None:
    config = load_yaml(REPO / "ops" / "prometheus" / "prometheus.yml")
    jobs = {job["job_name"]: job for job in config["scrape_configs"]}
    api_target = jobs["impactchain-api"]["static_configs"][0]["targets"][0]
    indexer_target = jobs["impactchain-indexer"]["static_configs"][0]["targets"][0]

    assert jobs["impactchain-api"]["metrics_path"] in app_route_paths()
    assert api_target == f"api:{Settings.model_fields['api_port'].default}"
    relay = SERVICES["indexer-metrics"]
    assert relay["network_mode"] == "service:indexer"
    metrics_port = SERVICES["indexer"]["environment"]["IMPACTCHAIN_INDEXER_METRICS_PORT"]
    host, port = indexer_target.split(":")
    assert relay["command"] == [f"TCP-LISTEN:{port},fork,reuseaddr", f"TCP:127.0.0.1:{metrics_port}"]
    assert host == "indexer"
    assert config["rule_files"] == ["alerts.yml"]
    assert (REPO / "ops" / "prometheus" / "alerts.yml").exists()


def test_prometheus_scrapes_the_workers_metrics_port() -> None:
    config = load_yaml(REPO / "ops" / "prometheus" / "prometheus.yml")
    (job,) = [job for job in config["scrape_configs"] if job["job_name"] == "impactchain-worker"]
    worker = SERVICES["worker"]
    port = worker["environment"]["IMPACTCHAIN_WORKER_METRICS_PORT"]

    assert job["static_configs"][0]["targets"] == [f"worker:{port}"]
    assert worker["environment"]["IMPACTCHAIN_WORKER_METRICS_HOST"] == "0.0.0.0"  # noqa: S104 (other containers scrape it)
    assert worker["expose"] == [port]
    assert f"127.0.0.1:{port}/metrics" in " ".join(worker["healthcheck"]["test"])
    # The worker's environment extends the shared one rather than replacing it.
    assert worker["environment"]["REDIS_URL"] == SERVICES["api"]["environment"]["REDIS_URL"]


def _mounts(service: dict[str, Any]) -> dict[str, str]:
    return {
        volume.split(":")[1]: volume.split(":")[0] for volume in service.get("volumes", []) if volume.startswith("./")
    }


def test_prometheus_and_grafana_mount_the_ops_files_where_their_configs_look() -> None:
    prometheus = _mounts(SERVICES["prometheus"])
    grafana = _mounts(SERVICES["grafana"])
    provider = load_yaml(REPO / "ops" / "grafana" / "provisioning" / "dashboards" / "impactchain.yml")["providers"][0]
    datasource = load_yaml(REPO / "ops" / "grafana" / "provisioning" / "datasources" / "prometheus.yml")

    assert prometheus["/etc/prometheus"] == "./ops/prometheus"
    assert "--config.file=/etc/prometheus/prometheus.yml" in SERVICES["prometheus"]["command"]
    assert grafana["/etc/grafana/provisioning"] == "./ops/grafana/provisioning"
    assert grafana[provider["options"]["path"]] == "./ops/grafana/dashboards"
    for source in [*prometheus.values(), *grafana.values()]:
        assert (REPO / source).is_dir(), source
    assert datasource["datasources"][0]["url"] == "http://prometheus:9090"
    dashboard = json.loads((REPO / "ops" / "grafana" / "dashboards" / "impactchain.json").read_text())
    assert dashboard["uid"] == "impactchain"


@pytest.mark.parametrize(
    "args", [["nope"], ["api", "--nope"], ["indexer", "nope"], ["worker", "--burst", "extra"], ["deploy", "--network"]]
)
def test_the_cli_check_refuses_what_the_cli_would(args: list[str]) -> None:
    with pytest.raises(TyperException):
        cli_command(args)
