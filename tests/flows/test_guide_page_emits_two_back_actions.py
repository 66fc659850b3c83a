"""办事指南 opened from a step emitted two 返回 actions (its own primary ``next`` labelled 返回,
and the common ``back``); the screen hid one by label. The engine now emits one: a primary
``back``, handled like back on every page. No screen of any built-in service, nor the guide
page opened from any of them, offers two actions with the same words or the same name, so the
screen shows what the run offers, as it is."""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

import pytest

from flows.definition import load_definition
from flows.engine import FlowRun
from flows.fixture_ports import FixturePorts, load_fixtures
from flows.headless import drive, intent_for
from flows.views import Intent, IntentAction, StepKind, View
from tests.flows.conftest import CATALOGUE, TODAY, service_ids, start


def _duplicates(view: View) -> list[str]:
    labels = Counter(a.label for a in view.actions)
    names = Counter(a.name for a in view.actions)
    return [f"{view.step_id}: {k} x{n}" for k, n in (labels + names).items() if n > 1]


@pytest.mark.parametrize("service", service_ids())
def test_guide_page_from_every_screen_has_one_back(service: str) -> None:
    run, _ports, fx = start(service)
    answers = fx.get("answers") or {}
    view, problems = run.view(), []
    while view.kind is not StepKind.DONE:
        problems += _duplicates(view)
        if any(a.name == IntentAction.GUIDE for a in view.actions):
            guide = run.send(Intent(IntentAction.GUIDE))
            assert guide.kind is StepKind.GUIDE
            problems += _duplicates(guide)
            backs = [a for a in guide.actions if a.label == "返回"]
            assert [(a.name, a.primary) for a in backs] == [(IntentAction.BACK, True)], backs
            assert IntentAction.NEXT not in {a.name for a in guide.actions}
            back = run.send(intent_for(guide, answers, run))  # the headless resident's answer
            assert back.step_id == view.step_id and back.kind is view.kind
        view = run.send(intent_for(view, answers, run))
    assert not problems, problems


def test_the_guide_page_in_english_has_one_back() -> None:
    run, _ports, _fx = start("residence-registration")
    run.locale = "en"
    first = run.view()
    guide = run.send(Intent(IntentAction.GUIDE))
    assert [a.name for a in guide.actions if a.label == "Back"] == [IntentAction.BACK]
    assert not _duplicates(guide)
    assert run.send(Intent(IntentAction.BACK)).step_id == first.step_id


def test_next_on_the_guide_page_is_not_a_second_way_back() -> None:
    run, _ports, _fx = start("residence-registration")
    run.send(Intent(IntentAction.GUIDE))
    assert run.send(Intent(IntentAction.NEXT)).kind is StepKind.GUIDE  # not offered: ignored


def test_a_guide_step_offers_next_and_one_back(tmp_path: Path) -> None:
    folder = tmp_path / "residence-registration"
    shutil.copytree(CATALOGUE / "residence-registration", folder)
    flow = folder / "flow.yaml"
    text = flow.read_text(encoding="utf-8")
    flow.write_text(text.replace("- id: applicant\n", "- id: read\n  type: guide\n"
                                 "- id: applicant\n", 1), encoding="utf-8")
    fixtures = load_fixtures(folder)
    run = FlowRun(load_definition(folder), FixturePorts(fixtures), today=TODAY)
    answers = fixtures.get("answers") or {}
    view = run.view()
    while view.step_id != "read":
        view = run.send(intent_for(view, answers, run))
    assert view.kind is StepKind.GUIDE and not _duplicates(view)
    backs = [a.name for a in view.actions if a.label == "返回"]
    assert backs == ([IntentAction.BACK] if run.can_go_back() else []), backs
    assert next((a.name, a.label) for a in view.actions if a.primary) == (IntentAction.NEXT,
                                                                          "下一步")
    assert run.send(Intent(IntentAction.NEXT)).step_id.startswith("applicant")
    assert drive(run, answers)[-1].kind is StepKind.DONE
