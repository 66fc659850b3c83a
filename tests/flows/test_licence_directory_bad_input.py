"""A damaged licence directory or themes file in a bundle: duplicate codes, a kind without
layout, a layout naming fields the licence lacks, a bad holder type, a kind with a service's id,
unreadable JSON, a theme with no items. Each is a located problem; the rest keeps working."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from flows.licence_items import DIRECTORY_FILE, load_directory
from flows.services import Catalogue
from tests.flows.conftest import CATALOGUE

GOOD = {"code": "x-good", "name": "好证", "department": "演示局", "holder_type": "person",
        "fields": ["甲", "乙"], "themes": ["婚姻"], "layout": None}


def _bundle(tmp_path: Path, kinds: object, themes: str | None = None) -> Path:
    root = tmp_path / "bundle"
    shutil.copytree(CATALOGUE / "marriage-record", root / "marriage-record")
    (root / DIRECTORY_FILE).write_text(json.dumps({"kinds": kinds}, ensure_ascii=False),
                                       encoding="utf-8")
    if themes is not None:
        (root / "themes.yaml").write_text(themes, encoding="utf-8")
    return root


def test_bad_kinds_are_reported_and_the_good_ones_listed(tmp_path: Path) -> None:
    kinds = [
        GOOD,
        {**GOOD, "name": "重复"},  # duplicate code
        {**GOOD, "code": "x-layout", "layout": {"fields": ["甲", "丙"]}},  # 丙 is not a field
        {**GOOD, "code": "x-holder", "holder_type": "robot"},
        {**GOOD, "code": "x-nameless", "name": ""},
        {**GOOD, "code": "X Bad!"},
        {**GOOD, "code": "x-empty", "fields": []},
        "not an object",
        {**GOOD, "code": "x-nolayout"},  # no layout: the generic field table, no problem
    ]
    root = _bundle(tmp_path, kinds)
    found, problems = load_directory(root)
    assert [k.code for k in found] == ["x-good", "x-layout", "x-nolayout"]
    text = "\n".join(str(p) for p in problems)
    for needle in ("duplicate code", "layout names fields the licence lacks (丙)",
                   "holder_type", "name and an issuing department", "code must be",
                   "has no fields", "not an object"):
        assert needle in text, needle
    assert found[1].layout_fields == ()  # printed with the generic table
    catalogue = Catalogue.load(root, check_fixtures=False)
    assert catalogue.get("marriage-record") is not None
    good = catalogue.get("licence-x-good")
    assert good is not None and good.available


def test_unreadable_directory_is_one_problem(tmp_path: Path) -> None:
    root = _bundle(tmp_path, [])
    (root / DIRECTORY_FILE).write_text("{not json", encoding="utf-8")
    catalogue = Catalogue.load(root, check_fixtures=False)
    assert [e.id for e in catalogue.available()] == ["marriage-record"]
    assert any("licence directory unreadable" in str(p) for p in catalogue.problems())


def test_a_kind_with_a_service_id_and_an_empty_theme(tmp_path: Path) -> None:
    clash = {**GOOD, "code": "x"}
    root = _bundle(tmp_path, [clash], themes="themes: [婚姻, 生育]\nservices: {}\n")
    (root / "marriage-record").rename(root / "licence-x")
    text = (root / "licence-x" / "flow.yaml").read_text(encoding="utf-8")
    (root / "licence-x" / "flow.yaml").write_text(text.replace("id: marriage-record",
                                                               "id: licence-x"), encoding="utf-8")
    catalogue = Catalogue.load(root, check_fixtures=False)
    problems = "\n".join(str(p) for p in catalogue.problems())
    assert "has the id of a service folder" in problems
    assert "theme '生育' has no items" in problems
    kept = catalogue.get("licence-x")
    assert kept is not None and kept.folder.name == "licence-x"  # the service folder won


def test_unreadable_themes_file_leaves_search_working(tmp_path: Path) -> None:
    root = _bundle(tmp_path, [GOOD], themes="themes: [unclosed\n")
    catalogue = Catalogue.load(root, check_fixtures=False)
    assert any("themes file unreadable" in str(p) for p in catalogue.problems())
    assert [e.id for e in catalogue.search("好证")] == ["licence-x-good"]
