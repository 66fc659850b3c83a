"""Guards for the end-to-end suite itself: every built-in service has its own scenario test here,
and every application flow sends every answer the platform says its service needs
(`GET /v1/services`), under the platform's key."""

from __future__ import annotations

import ast
from pathlib import Path

import requests

from flows.services import Catalogue
from kiosk.boot.composition import BUILTIN_CATALOGUE
from tests.integration.conftest import HTTP_TIMEOUT_SECONDS, Terminal

HERE = Path(__file__).parent


def _scenario_names() -> set[str]:
    names: set[str] = set()
    for path in HERE.glob("test_*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names |= {node.name for node in tree.body if isinstance(node, ast.FunctionDef)}
    return names


def test_every_builtin_service_has_its_own_scenario_test() -> None:
    catalogue = Catalogue.load(BUILTIN_CATALOGUE, check_fixtures=False)
    # licence items share the one generic flow: it has its own scenarios (licence_copy)
    services = sorted(e.id for e in catalogue.entries.values() if e.folder != catalogue.root)
    services.append("licence-copy")
    assert len(services) >= 20
    names = _scenario_names()
    missing = [s for s in services
               if not any(n.startswith(f"test_{s.replace('-', '_')}_") for n in names)]
    assert missing == []


def test_application_flows_send_every_answer_the_platform_needs(terminal: Terminal) -> None:
    answer = requests.get(f"{terminal.sandbox_url}/v1/services", timeout=HTTP_TIMEOUT_SECONDS,
                          **terminal.tls)
    answer.raise_for_status()
    needs = {item["code"]: set(item["answers"]) for item in answer.json()["items"]}
    catalogue = Catalogue.load(BUILTIN_CATALOGUE, check_fixtures=False)
    covered = set()
    for entry in catalogue.entries.values():
        definition = entry.definition
        assert definition is not None, entry.id
        for step in definition.steps.values():
            if step.type != "submit" or step.target == "appointment":
                continue
            code = step.service or definition.service_code
            if code not in needs:
                continue
            sent = {f.key for s in definition.steps.values() for f in s.fields} | set(step.answers)
            assert needs[code] <= sent, (entry.id, needs[code] - sent)
            covered.add(code)
    assert covered == set(needs)  # every service with rules is reached by a built-in flow
