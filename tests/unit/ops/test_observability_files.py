"""ops/ and the CI workflow, as files: every YAML/JSON parses, every PromQL expression parses,
the dashboard and rules are well-formed, the workflow follows GitHub's schema and runs `make test`.
(That every metric they name exists: tests/integration/ops/test_metric_names.py.)"""

import json
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.support.deployment import (
    REPO,
    VENV_BIN,
    alert_rules,
    dashboard_exprs,
    load_yaml,
    promql_uses,
)

OPS = REPO / "ops"
DASHBOARD: dict[str, Any] = json.loads((OPS / "grafana" / "dashboards" / "impactchain.json").read_text())
ALERTS = OPS / "prometheus" / "alerts.yml"
WORKFLOW = REPO / ".github" / "workflows" / "ci.yml"
DURATION = re.compile(r"^\d+[smhd]$")


@pytest.mark.parametrize(
    "path",
    sorted([*OPS.rglob("*.yml"), *OPS.rglob("*.yaml"), *REPO.joinpath("deploy").rglob("*.yaml"), WORKFLOW]),
    ids=lambda path: str(path.relative_to(REPO)),
)
def test_every_yaml_file_parses(path: Path) -> None:
    documents = list(yaml.safe_load_all(path.read_text()))
    assert documents and all(document is not None for document in documents)


@pytest.mark.parametrize("path", sorted(OPS.rglob("*.json")), ids=lambda path: str(path.relative_to(REPO)))
def test_every_json_file_parses(path: Path) -> None:
    assert json.loads(path.read_text())


def test_every_dashboard_and_alert_expression_is_promql() -> None:
    exprs = dashboard_exprs(DASHBOARD) + [rule["expr"] for rule in alert_rules(ALERTS)]
    assert len(exprs) > 20
    for expr in exprs:
        metrics, _ = promql_uses(expr)
        assert metrics, expr


def test_the_promql_check_can_fail() -> None:
    with pytest.raises(ValueError, match="parenthesis"):
        promql_uses("sum by (indexer (rate(impactchain_indexer_events_total[5m]))")


def test_the_dashboard_covers_the_indexer_and_the_api() -> None:
    panels = [panel for panel in DASHBOARD["panels"] if panel["type"] != "row"]
    ids = [panel["id"] for panel in DASHBOARD["panels"]]
    titles = " | ".join(panel["title"] for panel in panels).lower()

    assert len(ids) == len(set(ids))
    for topic in ("lag", "events", "reorg", "requests per second", "latency", "errors", "alerts"):
        assert topic in titles, topic
    for panel in panels:
        grid = panel["gridPos"]
        assert grid["x"] + grid["w"] <= 24, panel["title"]
        if panel["type"] == "timeseries":
            assert panel["targets"] and panel["datasource"]["uid"] == "${datasource}", panel["title"]
    assert DASHBOARD["templating"]["list"][0] == {
        "name": "datasource",
        "label": "Data source",
        "type": "datasource",
        "query": "prometheus",
        "current": {},
        "hide": 0,
        "refresh": 1,
    }


def test_alert_rules_are_complete() -> None:
    rules = alert_rules(ALERTS)
    names = [rule["alert"] for rule in rules]

    assert len(names) == len(set(names))
    for expected in ("IndexerLagHigh", "IndexerHalted", "IndexerNoWriter", "ApiHighErrorRate"):
        assert expected in names
    for rule in rules:
        assert rule["labels"]["severity"] in ("warning", "critical"), rule["alert"]
        assert rule["annotations"]["summary"] and rule["annotations"]["description"], rule["alert"]
        assert DURATION.match(rule.get("for", "0s")), rule["alert"]


def test_the_lag_alert_fires_where_readiness_starts_failing() -> None:
    production = load_yaml(REPO / "deploy" / "k8s" / "overlays" / "production" / "kustomization.yaml")
    literals = dict(item.split("=", 1) for item in production["configMapGenerator"][0]["literals"])
    lag_rule = next(rule for rule in alert_rules(ALERTS) if rule["alert"] == "IndexerLagHigh")

    threshold = int(literals["IMPACTCHAIN_INDEXER_CONFIRMATIONS"]) + int(
        literals["IMPACTCHAIN_API_READY_MAX_LAG_BLOCKS"]
    )
    assert lag_rule["expr"].strip().endswith(f"> {threshold}")


def test_the_ci_workflow_follows_githubs_schema() -> None:
    result = subprocess.run(
        [str(VENV_BIN / "check-jsonschema"), "--builtin-schema", "vendor.github-workflows", str(WORKFLOW)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_ci_workflow_lints_then_runs_make_test_then_builds_the_image() -> None:
    jobs = load_yaml(WORKFLOW)["jobs"]
    test_steps = " ".join(step.get("run", "") for step in jobs["test"]["steps"])
    image_steps = [step for step in jobs["image"]["steps"] if "build-push-action" in step.get("uses", "")]

    assert list(jobs) == ["lint", "test", "image"]
    assert jobs["test"]["needs"] == "lint" and jobs["image"]["needs"] == "test"
    assert "make test" in test_steps
    assert {"postgres", "redis"} <= set(jobs["test"]["services"])
    assert jobs["test"]["env"]["DATABASE_URL"].startswith("postgresql://")
    assert image_steps and image_steps[0]["with"]["target"] == "runtime"
    lint = " ".join(step.get("run", "") for step in jobs["lint"]["steps"])
    assert "ruff check" in lint and "hadolint" in lint


# Read from Redis by every worker at scrape time: each worker pod exports the same values.
PLATFORM_METRIC = re.compile(r"\bimpactchain_(rq|keeper|platform)_\w+")


def test_the_dashboard_and_the_alerts_cover_queues_failed_jobs_and_the_keeper() -> None:
    titles = " | ".join(panel["title"] for panel in DASHBOARD["panels"]).lower()
    names = {rule["alert"] for rule in alert_rules(ALERTS)}

    for topic in ("queue depth", "failed", "job failures", "keeper sends", "keeper balance", "keeper's last pass"):
        assert topic in titles, topic
    assert {"WorkerQueueBacklog", "WorkerJobsFailing", "KeeperBalanceLow", "KeeperNotRunning"} <= names


def test_platform_metrics_are_never_summed_over_workers() -> None:
    exprs = dashboard_exprs(DASHBOARD) + [rule["expr"] for rule in alert_rules(ALERTS)]
    platform = [expr for expr in exprs if PLATFORM_METRIC.search(expr)]

    assert len(platform) >= 10
    for expr in platform:
        assert "sum" not in expr and re.search(r"\b(max|min)\b", expr), expr


def test_the_keeper_balance_panel_marks_the_alerts_threshold() -> None:
    rule = next(rule for rule in alert_rules(ALERTS) if rule["alert"] == "KeeperBalanceLow")
    match = re.fullmatch(r"min by \(keeper\) \(impactchain_keeper_balance_wei\) < (\S+)", rule["expr"].strip())
    assert match, rule["expr"]
    panel = next(panel for panel in DASHBOARD["panels"] if panel["title"] == "Keeper balance (MATIC)")
    (target,) = panel["targets"]
    steps = panel["fieldConfig"]["defaults"]["thresholds"]["steps"]

    assert target["expr"].endswith("/ 1e18")  # wei shown in MATIC
    assert [step["color"] for step in steps] == ["red", "green"]
    assert steps[1]["value"] * 10**18 == float(match.group(1))
