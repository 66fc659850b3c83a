"""Replaying a service over its own fixtures: the smoke run of a bundle check, and benchmarks.

`smoke_run(folder)` loads each service folder of a bundle, answers every port from the
service's ``fixtures.yaml`` (`flows.fixture_ports.FixturePorts`) and drives it to the end with
the headless resident (`flows.headless.drive`). A service that does not reach DONE, or whose
engine raises, is a problem reported as ``file:line: message`` (the line of the step where it
stopped).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import yaml

from flows.definition import FIXTURES_FILE, FLOW_FILE, DefinitionError, load_definition
from flows.engine import FlowRun
from flows.fixture_ports import FixturePorts
from flows.headless import Stuck, drive
from flows.views import StepKind
from flows.yamlsource import Problem, safe_load

#: The date smoke runs are pinned to (fixtures are written against it).
SMOKE_DATE = date(2026, 11, 21)



def smoke_service(folder: Path) -> list[Problem]:
    """Drive one service folder over its fixtures to DONE; problems when it cannot."""
    folder = Path(folder)
    flow = str(folder / FLOW_FILE)
    try:
        definition = load_definition(folder)
    except DefinitionError as exc:
        return list(exc.problems)
    try:
        text = (folder / FIXTURES_FILE).read_text(encoding="utf-8")
        fixtures = safe_load(text) or {}
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return [Problem(flow, 1, f"smoke run: no readable {FIXTURES_FILE}")]
    if not isinstance(fixtures, dict):
        return [Problem(flow, 1, f"smoke run: {FIXTURES_FILE} must be a mapping")]
    try:
        ports = FixturePorts(fixtures)
    except Exception as exc:  # fixtures of an unexpected shape
        return [Problem(flow, 1, f"smoke run: fixtures have an unexpected shape "
                                 f"({type(exc).__name__})")]
    run = FlowRun(definition, ports, today=SMOKE_DATE)
    try:
        views = drive(run, fixtures.get("answers") or {})
    except Stuck as exc:
        step = definition.steps.get(run.page.step)
        return [Problem(flow, step.line if step else 1, f"smoke run: {exc}")]
    except Exception as exc:  # an engine bug must fail the check, not the updater
        step = definition.steps.get(run.page.step)
        return [Problem(flow, step.line if step else 1,
                        f"smoke run crashed on step {run.page.step!r}: "
                        f"{type(exc).__name__}")]
    if views[-1].kind is not StepKind.DONE:  # pragma: no cover - drive only returns at DONE
        return [Problem(flow, 1, "smoke run did not finish")]
    return []


def smoke_run(root: Path) -> list[str]:
    """`BundleCheck`: smoke-run every service folder under ``root``; problems as text lines."""
    root = Path(root)
    folders = [root] if (root / FLOW_FILE).exists() else sorted(
        p for p in root.iterdir() if (p / FLOW_FILE).exists()) if root.is_dir() else []
    return [str(p) for folder in folders for p in smoke_service(folder)]
