"""docs/flows.md was a reference sketch, not an authoring guide. It now walks an admin through
one worked example, docs/examples/senior-bus-card/, and this test keeps the guide true: the
example is the one printed in the guide, it lints clean, runs headless to the end as the guide
says (pre-filled questions skipped, the receipt, the automatic rating), and builds into a bundle
with the whole catalogue; the record and certificate kinds the guide lists are the platform's."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from flows.definition import load_definition
from flows.engine import FlowRun
from flows.fixture_ports import FixturePorts, load_fixtures
from flows.lint import lint_dir
from flows.views import StepKind
from kiosk.boot.cli import main as kiosk
from kiosk.sandbox.certificates import KINDS as CERTIFICATE_KINDS
from kiosk.sandbox.records import RECORD_KINDS
from kiosk.updates.bundle import read_manifest
from tests.flows.conftest import CATALOGUE, TODAY
from tests.flows.driver import drive

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "docs" / "examples" / "senior-bus-card"
GUIDE = ROOT / "docs" / "flows.md"


def _guide() -> str:
    return GUIDE.read_text(encoding="utf-8").split("# Reference")[0]


def test_the_guide_shows_the_example_as_it_is() -> None:
    guide = _guide()
    for name in ("flow.yaml", "fixtures.yaml"):
        assert (EXAMPLE / name).read_text(encoding="utf-8") in guide, name
    assert "replaces the\nbuilt-in catalogue" in guide


def test_the_example_lints_clean() -> None:
    assert [str(p) for p in lint_dir(EXAMPLE)] == []


def test_the_example_runs_as_the_guide_says() -> None:
    fixtures = load_fixtures(EXAMPLE)
    ports = FixturePorts(fixtures)
    run = FlowRun(load_definition(EXAMPLE), ports, today=TODAY)

    views = drive(run, fixtures["answers"])

    assert views[-1].kind is StepKind.DONE
    asked = [v.field.key for v in views if v.kind is StepKind.FORM and v.field is not None]
    assert asked == ["pickup", "remark"]  # name, id_number (card), phone (profile) pre-filled
    check = next(v for v in views if v.kind is StepKind.CHECK)
    assert {"name", "id_number", "phone"} <= {f.key for f in check.fields if f.prefilled}
    expect = fixtures["expect"]
    assert run.record.outcome == expect["outcome"]
    assert len(ports.printed_receipts) == expect["receipts"]
    receipt = " ".join(f"{a} {b}" for a, b in ports.printed_receipts[0].lines)
    for text in expect["receipt_text"]:
        assert text in receipt
    assert "310101********0022" in receipt  # mask(...) in the template
    assert [v.kind for v in views[-2:]] == [StepKind.RATE, StepKind.DONE]  # automatic rating
    assert len(ports.ratings) == 1
    assert ports.ratings[0].case_number == run.record.case_number == "SB20261121000042"


@pytest.mark.slow
def test_the_example_builds_into_a_bundle_with_the_catalogue(tmp_path: Path) -> None:
    bundle = tmp_path / "my-bundle"
    shutil.copytree(CATALOGUE, bundle)             # cp -r flows/catalogue my-bundle
    shutil.copytree(EXAMPLE, bundle / EXAMPLE.name)  # cp -r docs/examples/senior-bus-card ...
    out = tmp_path / "flows-8.tar.gz"

    assert kiosk(["admin", "build", str(bundle), "--version", "8", "--out", str(out)]) == 0

    services = read_manifest(out).services
    builtin = {p.name for p in CATALOGUE.iterdir() if (p / "flow.yaml").exists()}
    assert set(services) == builtin | {"senior-bus-card"}


def test_the_kinds_the_guide_lists_are_the_platforms() -> None:
    section = _guide().split("### 6. What the platform serves")[1].split("### 7.")[0]
    named = set(re.findall(r"`([a-z][a-z-]+)`", section))
    assert set(RECORD_KINDS) <= named
    assert set(CERTIFICATE_KINDS) <= named
