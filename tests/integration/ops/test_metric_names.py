"""Every metric (and label) the dashboard and the alert rules name is one the code defines: the
indexer's (indexer/metrics.py), the API's, as the running app registers them, and the platform
metrics the workers' collector reads from Redis (impactchain/platform_metrics.py), as it describes
them (tests/integration/workers/test_metrics.py checks a real scrape matches the description)."""

import json

import asyncpg
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from prometheus_client.metrics import MetricWrapperBase
from prometheus_client.metrics_core import Metric
from redis import Redis

from api.kit import request_metrics as api_metrics
from impactchain.platform_metrics import RedisMetricsCollector
from indexer import metrics as indexer_metrics
from tests.support.deployment import REPO, TARGET_LABELS, alert_rules, dashboard_exprs, load_yaml, promql_uses

# Series Prometheus makes itself, not the code.
PROMETHEUS_SERIES: dict[str, frozenset[str]] = {"up": frozenset()}


def exposed_series(metric: MetricWrapperBase) -> dict[str, frozenset[str]]:
    """The series names a prometheus_client metric exposes, with their label names."""
    name: str = metric._name  # prometheus_client keeps the name without the counter's _total
    labels = frozenset(metric._labelnames)
    kind = str(metric._type)
    if kind == "counter":
        return {f"{name}_total": labels, f"{name}_created": labels}
    if kind == "histogram":
        return {
            f"{name}_bucket": labels | {"le"},
            f"{name}_sum": labels,
            f"{name}_count": labels,
            f"{name}_created": labels,
        }
    return {name: labels}


def described_series(family: Metric) -> dict[str, frozenset[str]]:
    """The series a collector's described family exposes (a custom collector sets no _created)."""
    labels = frozenset(getattr(family, "_labelnames", ()))
    if family.type == "counter":
        return {f"{family.name}_total": labels}
    return {family.name: labels}


@pytest.fixture
async def defined_series(db: asyncpg.Connection, client: AsyncTestClient[Litestar]) -> dict[str, frozenset[str]]:
    await client.get("/v1/status")  # the app built and a request through its middleware
    api = [value for value in vars(api_metrics).values() if isinstance(value, MetricWrapperBase)]
    indexer = [value for value in vars(indexer_metrics).values() if isinstance(value, MetricWrapperBase)]
    series: dict[str, frozenset[str]] = dict(PROMETHEUS_SERIES)
    for metric in [*api, *indexer]:
        series.update(exposed_series(metric))
    for family in RedisMetricsCollector(Redis()).describe():  # describing reads nothing from Redis
        series.update(described_series(family))
    return series


def used_exprs() -> list[str]:
    dashboard = json.loads((REPO / "ops" / "grafana" / "dashboards" / "impactchain.json").read_text())
    rules = alert_rules(REPO / "ops" / "prometheus" / "alerts.yml")
    return dashboard_exprs(dashboard) + [rule["expr"] for rule in rules]


async def test_the_code_defines_the_series_the_checks_expect(defined_series: dict[str, frozenset[str]]) -> None:
    assert defined_series["impactchain_api_requests_total"] >= {"path", "status_code", "method"}
    assert defined_series["impactchain_api_request_duration_seconds_bucket"] >= {"path", "le"}
    assert defined_series["impactchain_indexer_lag_blocks"] == {"indexer"}
    assert defined_series["impactchain_indexer_events_total"] == {"indexer"}
    assert "impactchain_indexer_writer" in defined_series
    assert defined_series["impactchain_rq_jobs"] == {"queue", "state"}
    assert defined_series["impactchain_rq_job_failures_total"] == {"queue", "job"}
    assert defined_series["impactchain_keeper_sends_total"] == {"kind", "outcome"}
    assert defined_series["impactchain_keeper_balance_wei"] == {"keeper"}
    assert defined_series["impactchain_keeper_last_run_timestamp_seconds"] == {"keeper"}


async def test_every_metric_and_label_used_is_defined(defined_series: dict[str, frozenset[str]]) -> None:
    missing: list[str] = []
    for expr in used_exprs():
        metrics, groupings = promql_uses(expr)
        for use in metrics:
            if use.name not in defined_series:
                missing.append(f"metric {use.name} in: {expr}")
            elif not use.labels <= defined_series[use.name] | TARGET_LABELS:
                missing.append(f"labels {sorted(use.labels - defined_series[use.name])} of {use.name} in: {expr}")
        for grouping in groupings:
            known = TARGET_LABELS.union(*(defined_series.get(name, frozenset()) for name in grouping.metrics))
            if not grouping.labels <= known:
                missing.append(f"grouping labels {sorted(grouping.labels - known)} in: {expr}")
    assert missing == []


async def test_the_check_catches_an_invented_metric(defined_series: dict[str, frozenset[str]]) -> None:
    metrics, _ = promql_uses('sum(rate(impactchain_worker_jobs_failed_total{queue="default"}[5m]))')
    assert [use.name for use in metrics if use.name not in defined_series] == ["impactchain_worker_jobs_failed_total"]


def test_prometheus_config_names_the_rule_file() -> None:
    assert load_yaml(REPO / "ops" / "prometheus" / "prometheus.yml")["rule_files"] == ["alerts.yml"]
