"""deploy/k8s, rendered per overlay with `kubectl kustomize` and checked offline: Kubernetes
schemas for built-in kinds (kubernetes-validate), structure for the CRDs (ServiceMonitor,
PodMonitor, KEDA),
and agreement with the image, the CLI, the settings, the routes and RQ's queue keys."""

import base64
import copy
import re
from functools import cache
from typing import Any

import kubernetes_validate
import pytest
from rq import Queue

from tests.support.deployment import (
    OVERLAYS,
    REPO,
    app_route_paths,
    cli_command,
    dockerfile_stages,
    pinned_image,
    render_overlay,
    settings_env_names,
)

# The oldest Kubernetes these manifests target, and the newest the schemas know.
KUBERNETES_VERSIONS = ("1.30.0", kubernetes_validate.latest_version())
CRD_KINDS = {"ServiceMonitor", "PodMonitor", "ScaledObject", "TriggerAuthentication"}


@cache
def rendered(overlay: str) -> tuple[dict[str, Any], ...]:
    return tuple(render_overlay(overlay))


def find(overlay: str, kind: str, name: str | None = None) -> list[dict[str, Any]]:
    return [
        obj for obj in rendered(overlay) if obj["kind"] == kind and (name is None or obj["metadata"]["name"] == name)
    ]


def one(overlay: str, kind: str, name: str) -> dict[str, Any]:
    (obj,) = find(overlay, kind, name)
    return obj


def pod_spec(obj: dict[str, Any]) -> dict[str, Any]:
    spec: dict[str, Any] = obj["spec"]["template"]["spec"]
    return spec


def pod_labels(obj: dict[str, Any]) -> dict[str, str]:
    labels: dict[str, str] = obj["spec"]["template"]["metadata"]["labels"]
    return labels


def workloads(overlay: str) -> list[dict[str, Any]]:
    return find(overlay, "Deployment") + find(overlay, "Job")


def app_containers(overlay: str) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """(workload, container) for every container running the ImpactChain image."""
    return [
        (obj, container)
        for obj in workloads(overlay)
        for container in pod_spec(obj)["containers"]
        if "/impactchain/impactchain" in container["image"] or container["image"].startswith("impactchain:")
    ]


@pytest.mark.parametrize("overlay", OVERLAYS)
@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
def test_builtin_kinds_follow_the_kubernetes_schemas(overlay: str, version: str) -> None:
    checked = 0
    for obj in rendered(overlay):
        if obj["kind"] in CRD_KINDS:
            continue
        kubernetes_validate.validate(obj, version, strict=True)
        checked += 1
    assert checked >= 15


def test_the_schema_check_can_fail() -> None:
    deployment = copy.deepcopy(one("production", "Deployment", "impactchain-api"))
    pod_spec(deployment)["containers"][0]["livenessProbe"]["httpGet"]["paht"] = "/typo"
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(deployment, KUBERNETES_VERSIONS[0], strict=True)


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_the_crds_are_the_kinds_we_skip_and_are_well_formed(overlay: str) -> None:
    kinds = {obj["kind"] for obj in rendered(overlay)}
    assert kinds & CRD_KINDS == CRD_KINDS
    services = find(overlay, "Service")
    for monitor in find(overlay, "ServiceMonitor"):
        assert monitor["apiVersion"] == "monitoring.coreos.com/v1"
        selected = [
            svc
            for svc in services
            if monitor["spec"]["selector"]["matchLabels"].items() <= svc["metadata"]["labels"].items()
        ]
        assert selected, monitor["metadata"]["name"]
        for endpoint in monitor["spec"]["endpoints"]:
            assert endpoint["path"] in app_route_paths() or endpoint["port"] == "metrics"
            assert all(endpoint["port"] in {p["name"] for p in svc["spec"]["ports"]} for svc in selected)
    for monitor in find(overlay, "PodMonitor"):
        assert monitor["apiVersion"] == "monitoring.coreos.com/v1"
        pods = [
            obj
            for obj in workloads(overlay)
            if monitor["spec"]["selector"]["matchLabels"].items() <= pod_labels(obj).items()
        ]
        assert pods, monitor["metadata"]["name"]
        for endpoint in monitor["spec"]["podMetricsEndpoints"]:
            served = {port["name"] for pod in pods for c in pod_spec(pod)["containers"] for port in c.get("ports", [])}
            assert endpoint["port"] in served, monitor["metadata"]["name"]
    for scaled in find(overlay, "ScaledObject"):
        assert scaled["apiVersion"] == "keda.sh/v1alpha1"
        assert find(overlay, "Deployment", scaled["spec"]["scaleTargetRef"]["name"])
        for trigger in scaled["spec"]["triggers"]:
            assert find(overlay, "TriggerAuthentication", trigger["authenticationRef"]["name"])


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_container_runs_a_cli_command_with_known_settings(overlay: str) -> None:
    config_maps = {cm["metadata"]["name"]: cm["data"] for cm in find(overlay, "ConfigMap")}
    commands = set()
    for _, container in app_containers(overlay):
        assert container.get("command") is None, "the image's ENTRYPOINT (impactchain) must run"
        commands.add(tuple(cli_command(container["args"])))
        for source in container["envFrom"]:
            if "configMapRef" in source:
                assert set(config_maps[source["configMapRef"]["name"]]) <= settings_env_names()
        for variable in container.get("env", []):
            assert variable["name"] in settings_env_names(), variable
    assert commands == {("api",), ("indexer",), ("worker",), ("migrate",)}


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_probes_ask_real_routes_on_the_served_port(overlay: str) -> None:
    api = one(overlay, "Deployment", "impactchain-api")
    (container,) = pod_spec(api)["containers"]
    config = next(iter(find(overlay, "ConfigMap")))["data"]
    ports = {port["name"]: port["containerPort"] for port in container["ports"]}

    assert ports["http"] == int(config["IMPACTCHAIN_API_PORT"])
    assert config["IMPACTCHAIN_API_HOST"] == "0.0.0.0"  # noqa: S104 (the pod's IP must answer)
    assert container["livenessProbe"]["httpGet"]["path"] == "/health/live"
    assert container["readinessProbe"]["httpGet"]["path"] == "/health/ready"
    for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
        get = container[probe]["httpGet"]
        assert get["path"] in app_route_paths(), probe
        assert get["port"] in ports, probe
    # Readiness gives each dependency its 5 s (api/health/service.py) before the kubelet gives up.
    assert container["readinessProbe"]["timeoutSeconds"] > 5


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_the_api_scales_on_an_hpa_and_keeps_a_disruption_budget(overlay: str) -> None:
    api = one(overlay, "Deployment", "impactchain-api")
    hpa = one(overlay, "HorizontalPodAutoscaler", "impactchain-api")
    pdb = one(overlay, "PodDisruptionBudget", "impactchain-api")

    assert "replicas" not in api["spec"]  # the HPA owns it
    assert hpa["spec"]["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": "impactchain-api"}
    assert 1 <= hpa["spec"]["minReplicas"] <= hpa["spec"]["maxReplicas"]
    assert pdb["spec"]["selector"]["matchLabels"] == api["spec"]["selector"]["matchLabels"]


def test_production_runs_more_than_one_api_pod() -> None:
    assert one("production", "HorizontalPodAutoscaler", "impactchain-api")["spec"]["minReplicas"] >= 2


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_the_indexer_runs_a_writer_and_a_standby_with_its_metrics_relayed(overlay: str) -> None:
    indexer = one(overlay, "Deployment", "impactchain-indexer")
    config = next(iter(find(overlay, "ConfigMap")))["data"]
    containers = {c["name"]: c for c in pod_spec(indexer)["containers"]}
    relay = containers["metrics-relay"]
    service = one(overlay, "Service", "impactchain-indexer-metrics")

    assert indexer["spec"]["replicas"] == 2
    assert one(overlay, "PodDisruptionBudget", "impactchain-indexer")["spec"]["maxUnavailable"] == 1
    assert relay["args"][1] == f"TCP:127.0.0.1:{config['IMPACTCHAIN_INDEXER_METRICS_PORT']}"
    listen = int(re.match(r"TCP-LISTEN:(\d+)", relay["args"][0]).group(1))  # type: ignore[union-attr]
    assert relay["ports"] == [{"name": "metrics", "containerPort": listen}]
    assert service["spec"]["ports"][0]["targetPort"] == "metrics"
    assert service["spec"]["selector"].items() <= indexer["spec"]["template"]["metadata"]["labels"].items()


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_workers_scale_on_the_rq_list_of_the_configured_queue(overlay: str) -> None:
    config = next(iter(find(overlay, "ConfigMap")))["data"]
    worker = one(overlay, "Deployment", "impactchain-worker")
    (trigger,) = one(overlay, "ScaledObject", "impactchain-worker")["spec"]["triggers"]

    assert "replicas" not in worker["spec"]  # KEDA's HPA owns it
    assert trigger["type"] == "redis"
    assert trigger["metadata"]["listName"] == Queue.redis_queue_namespace_prefix + config["IMPACTCHAIN_QUEUE_NAME"]
    assert int(trigger["metadata"]["listLength"]) > 0


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_workers_serve_their_metrics_where_the_pod_monitor_and_the_policy_look(overlay: str) -> None:
    config = next(iter(find(overlay, "ConfigMap")))["data"]
    worker = one(overlay, "Deployment", "impactchain-worker")
    (container,) = pod_spec(worker)["containers"]
    monitor = one(overlay, "PodMonitor", "impactchain-worker")
    policy = one(overlay, "NetworkPolicy", "impactchain-worker-metrics-ingress")

    assert container["ports"] == [{"name": "metrics", "containerPort": int(config["IMPACTCHAIN_WORKER_METRICS_PORT"])}]
    assert config["IMPACTCHAIN_WORKER_METRICS_HOST"] == "0.0.0.0"  # noqa: S104 (the pod's IP must answer)
    assert [endpoint["port"] for endpoint in monitor["spec"]["podMetricsEndpoints"]] == ["metrics"]
    assert monitor["spec"]["selector"]["matchLabels"] == worker["spec"]["selector"]["matchLabels"]
    assert policy["spec"]["podSelector"]["matchLabels"] == worker["spec"]["selector"]["matchLabels"]
    (rule,) = policy["spec"]["ingress"]
    assert rule["ports"] == [{"port": "metrics", "protocol": "TCP"}]
    assert rule["from"] == [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "monitoring"}}}]


def test_dev_secrets_match_keda_and_the_app() -> None:
    secrets = {secret["metadata"]["name"]: secret for secret in find("dev", "Secret")}
    auth = one("dev", "TriggerAuthentication", "impactchain-redis")
    (trigger,) = one("dev", "ScaledObject", "impactchain-worker")["spec"]["triggers"]

    assert {"DATABASE_URL", "REDIS_URL", "IMPACTCHAIN_RPC_URL"} <= set(secrets["impactchain"]["data"])
    assert set(secrets["impactchain"]["data"]) <= settings_env_names()
    for ref in auth["spec"]["secretTargetRef"]:
        assert ref["key"] in secrets[ref["name"]]["data"]
    redis_url = base64.b64decode(secrets["impactchain"]["data"]["REDIS_URL"]).decode()
    assert redis_url.rsplit("/", 1)[1] == trigger["metadata"]["databaseIndex"]


def test_production_commits_no_secret() -> None:
    assert find("production", "Secret") == []
    referenced = {
        source["secretRef"]["name"]
        for _, container in app_containers("production")
        for source in container["envFrom"]
        if "secretRef" in source
    }
    assert referenced == {"impactchain"}


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_migrations_run_as_a_one_shot_before_the_rollout(overlay: str) -> None:
    job = one(overlay, "Job", "impactchain-migrate")

    assert job["metadata"]["annotations"]["argocd.argoproj.io/hook"] == "PreSync"
    assert pod_spec(job)["restartPolicy"] == "Never"
    assert pod_spec(job)["containers"][0]["args"] == ["migrate"]


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_pods_run_as_the_images_non_root_user_with_a_read_only_root(overlay: str) -> None:
    runtime = dockerfile_stages((REPO / "Dockerfile").read_text())[-1]
    image_uid = int(runtime.values("USER")[-1].split(":")[0])
    for obj in workloads(overlay):
        spec = pod_spec(obj)
        assert spec["securityContext"]["runAsNonRoot"] is True
        assert spec["securityContext"]["runAsUser"] == image_uid
        assert spec["serviceAccountName"] == "impactchain"
        mounts = {volume["name"] for volume in spec.get("volumes", [])}
        for container in spec["containers"]:
            context = container["securityContext"]
            assert context["readOnlyRootFilesystem"] is True
            assert context["allowPrivilegeEscalation"] is False
            assert context["capabilities"]["drop"] == ["ALL"]
            assert container["resources"]["requests"] and container["resources"]["limits"]["memory"]
            for mount in container.get("volumeMounts", []):
                assert mount["name"] in mounts


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_images_are_pinned(overlay: str) -> None:
    for obj in workloads(overlay):
        for container in pod_spec(obj)["containers"]:
            assert pinned_image(container["image"]), container["image"]


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_network_policies_name_ports_the_pods_serve(overlay: str) -> None:
    policies = find(overlay, "NetworkPolicy")
    assert any(
        policy["spec"]["podSelector"]["matchLabels"] == {"app.kubernetes.io/name": "impactchain"} for policy in policies
    )
    for policy in policies:
        selector = policy["spec"]["podSelector"]["matchLabels"]
        pods = [
            obj
            for obj in workloads(overlay)
            if selector.items() <= obj["spec"]["template"]["metadata"]["labels"].items()
        ]
        assert pods, policy["metadata"]["name"]
        served = {port["name"] for pod in pods for c in pod_spec(pod)["containers"] for port in c.get("ports", [])}
        for rule in policy["spec"].get("ingress", []):
            assert {port["port"] for port in rule["ports"]} <= served
