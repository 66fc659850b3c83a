"""Shared helpers for headless flow tests: the catalogue folder, a fixed date, run factories."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from flows.definition import FlowDefinition, load_definition
from flows.engine import FlowRun
from flows.fixture_ports import FixturePorts, load_fixtures

CATALOGUE = Path(__file__).resolve().parents[2] / "flows" / "catalogue"
TODAY = date(2026, 11, 21)


def service_ids() -> list[str]:
    """Every built-in service folder."""
    return sorted(p.name for p in CATALOGUE.iterdir() if (p / "flow.yaml").exists())


def start(service: str, **port_options: Any) -> tuple[FlowRun, FixturePorts, dict[str, Any]]:
    """A run of a built-in service over its fixtures; returns (run, ports, fixtures)."""
    folder = CATALOGUE / service
    definition: FlowDefinition = load_definition(folder)
    fixtures = load_fixtures(folder)
    ports = FixturePorts(fixtures, **port_options)
    return FlowRun(definition, ports, today=TODAY), ports, fixtures


@pytest.fixture
def today() -> date:
    """The date every headless run is pinned to."""
    return TODAY
