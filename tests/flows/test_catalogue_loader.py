"""The catalogue loader refuses a bad bundle, keeps the others and the previous version,
and finds services by Chinese, English, full pinyin and pinyin initials."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from flows.ports import DeviceAvailability
from flows.services import Catalogue, ids
from tests.flows.conftest import CATALOGUE


@pytest.fixture(scope="module")
def builtin() -> Catalogue:
    return Catalogue.load(CATALOGUE)


def test_builtin_catalogue_has_at_least_20_working_services(builtin: Catalogue) -> None:
    assert len(builtin.available()) >= 20
    assert builtin.unavailable() == [] and builtin.problems() == []
    assert {e.category for e in builtin.available()} == {"查询", "办理", "打印"}
    assert len(builtin.in_category("打印")) >= 8


@pytest.mark.parametrize("query, expected", [
    ("sbjf", "social-insurance-payments"),
    ("社保缴费", "social-insurance-payments"),
    ("shebaojiaofei", "social-insurance-payments"),
    ("She Bao", "social-insurance-payments"),
    ("gjj", "provident-fund-deposits"),
    ("公积金", "provident-fund-certificate"),
    ("xsecs", "newborn-bundle"),
    ("新生儿", "newborn-bundle"),
    ("yyqh", "appointment"),
    ("取号", "appointment"),
    ("wfzjl", "no-criminal-record"),
    ("yingyezhizhao", "business-licence"),
    ("tax", "tax-payment"),
    ("Marriage", "marriage-record"),
    ("bbcs", "problem-report"),
    ("msjx", "benefits"),
])
def test_search_finds(builtin: Catalogue, query: str, expected: str) -> None:
    assert expected in ids(builtin.search(query)), ids(builtin.search(query))


def test_search_ranks_title_matches_first(builtin: Catalogue) -> None:
    assert ids(builtin.search("社保缴费记录查询"))[0] == "social-insurance-payments"
    assert builtin.search("zzzzqqq") == []
    assert builtin.search("") == []


def _copy(tmp_path: Path, *names: str) -> Path:
    root = tmp_path / "catalogue"
    for name in names:
        shutil.copytree(CATALOGUE / name, root / name)
    return root


def test_bad_bundle_is_refused_and_others_kept(tmp_path: Path) -> None:
    root = _copy(tmp_path, "archives", "tax-payment")
    flow = root / "tax-payment" / "flow.yaml"
    flow.write_text(flow.read_text(encoding="utf-8").replace("type: print_certificate",
                                                             "type: teleport"), encoding="utf-8")
    catalogue = Catalogue.load(root)
    assert ids(catalogue.available()) == ["archives"]
    entry = catalogue.get("tax-payment")
    assert entry is not None and not entry.available and not entry.stale
    assert entry.title() == "纳税证明打印"  # still listed, greyed out
    assert any("unknown step type" in p.message for p in entry.problems)
    assert ids(catalogue.search("nszm")) == ["tax-payment"]


def test_refused_update_keeps_the_previous_version(tmp_path: Path) -> None:
    root = _copy(tmp_path, "archives", "tax-payment")
    previous = Catalogue.load(root)
    flow = root / "tax-payment" / "flow.yaml"
    flow.write_text("schema: 1\nid: tax-payment\n  broken: [", encoding="utf-8")
    current = Catalogue.load(root, previous=previous)
    entry = current.get("tax-payment")
    assert entry is not None and entry.available and entry.stale
    assert entry.definition is previous.get("tax-payment").definition
    assert entry.problems and "malformed YAML" in entry.problems[0].message


def test_template_error_refuses_the_bundle(tmp_path: Path) -> None:
    root = _copy(tmp_path, "residence-registration")
    flow = root / "residence-registration" / "flow.yaml"
    text = flow.read_text(encoding="utf-8").replace("{{ answers.address }}",
                                                    "{{ answers.address + 1 }}")
    flow.write_text(text, encoding="utf-8")
    entry = Catalogue.load(root).get("residence-registration")
    assert entry is not None and not entry.available
    assert any("template error" in p.message for p in entry.problems)


def test_required_device_makes_a_service_unusable(builtin: Catalogue) -> None:
    entry = builtin.get("tax-payment")
    devices = {"document_printer": DeviceAvailability(False, "证照打印机缺纸")}
    assert entry.usable(devices) == (False, "证照打印机缺纸")
    assert entry.usable({"document_printer": DeviceAvailability(True)}) == (True, "")
    assert builtin.get("archives").usable({}) == (True, "")


def test_missing_root_is_an_empty_catalogue(tmp_path: Path) -> None:
    assert Catalogue.load(tmp_path / "nothing").entries == {}


@pytest.mark.parametrize("fixtures", [
    "records: [1, 2]\n", "certificates: 3\n", "- a list\n", "answers: 5\nresident: x\n",
    "application: [1]\n", "licences: {a: 1}\n",
])
def test_odd_fixtures_are_a_problem_not_a_crash(tmp_path: Path, fixtures: str) -> None:
    root = _copy(tmp_path, "case-progress")
    (root / "case-progress" / "fixtures.yaml").write_text(fixtures, encoding="utf-8")
    catalogue = Catalogue.load(root)
    entry = catalogue.get("case-progress")
    assert entry is not None  # loaded or refused, but never raised
    from flows.lint import lint_dir
    from flows.smoke import smoke_run
    assert isinstance(lint_dir(root), list)
    assert isinstance(smoke_run(root), list)
