"""A 1 KB YAML alias bomb ("billion laughs": nine aliases per level, nine levels, 10**9 values
once expanded) in a bundle's flow or fixtures file is refused at once, before anything expands
it: by the loader with line numbers, by the drop-in ``safe_load``, by lint and by the updater's
manifest check, with a plain reason. Recursive aliases are refused too; a few plain aliases and
merge keys still load.
"""

from __future__ import annotations

import shutil
import time
import tracemalloc
from pathlib import Path

import pytest
import yaml

from flows.lint import lint_dir
from flows.yamlsource import (
    MAX_ALIASES,
    YamlBombError,
    YamlError,
    load_yaml,
    safe_load,
)
from kiosk.updates.bundle import MANIFEST_NAME, check_bundle, make_manifest
from tests.flows.conftest import CATALOGUE


def _laughs(levels: int = 9, width: int = 9) -> str:
    lines = ["a0: &a0 [" + ", ".join(['"lol"'] * width) + "]"]
    for level in range(1, levels):
        refs = ", ".join([f"*a{level - 1}"] * width)
        lines.append(f"a{level}: &a{level} [{refs}]")
    return "\n".join(lines) + "\n"


def _wide(aliases: int) -> str:
    """Few levels, many alias uses (more than the limit, each one small)."""
    return "base: &b {x: 1}\n" + "".join(f"k{i}: *b\n" for i in range(aliases))


def _doubling(levels: int = 10) -> str:
    """Within the alias limit (two per level), but 2000 * 2**9 values once expanded."""
    lines = ["l0: &l0 [" + ", ".join(["0"] * 2000) + "]"]
    for level in range(1, levels):
        lines.append(f"l{level}: &l{level} [*l{level - 1}, *l{level - 1}]")
    return "\n".join(lines) + "\n"


BOMBS = {
    "billion_laughs_1kb": _laughs(),
    "many_small_aliases": _wide(MAX_ALIASES + 1),
    "doubling_within_the_alias_limit": _doubling(),
    "recursive_alias": "a: &a [1, *a]\n",
    "recursive_mapping": "a: &a {self: *a}\n",
}


def _refused_within_budget(call) -> BaseException:  # type: ignore[no-untyped-def]
    tracemalloc.start()
    try:
        with pytest.raises((YamlError, YamlBombError)) as refused:
            call()
        _, peak_bytes = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak_bytes < 8 * 1024 * 1024, f"{peak_bytes} bytes allocated: it expanded"
    return refused.value


@pytest.mark.parametrize("case", list(BOMBS), ids=list(BOMBS))
def test_alias_bomb_is_refused_by_the_loader(case: str) -> None:
    text = BOMBS[case]
    refused = _refused_within_budget(lambda: load_yaml(text, "svc/flow.yaml"))
    assert isinstance(refused, YamlError)
    assert str(refused).startswith("svc/flow.yaml:1: YAML refused: ")
    assert "alias" in str(refused)


@pytest.mark.parametrize("case", list(BOMBS), ids=list(BOMBS))
def test_alias_bomb_is_refused_by_safe_load(case: str) -> None:
    refused = _refused_within_budget(lambda: safe_load(BOMBS[case]))
    assert isinstance(refused, yaml.YAMLError)


def _service_with(tmp_path: Path, file: str, text: str) -> Path:
    folder = tmp_path / "appointment"
    shutil.copytree(CATALOGUE / "appointment", folder)
    target = folder / file
    target.write_text(target.read_text(encoding="utf-8") + text.replace("a0:", "zz0:", 1)
                      if file == "fixtures.yaml" else text, encoding="utf-8")
    return folder


def test_the_billion_laughs_is_one_kilobyte() -> None:
    assert len(_laughs().encode()) <= 1024
    assert _doubling().count("*") <= MAX_ALIASES


@pytest.mark.parametrize("file", ["flow.yaml", "fixtures.yaml"])
def test_lint_refuses_a_bomb_in_a_service(tmp_path: Path, file: str) -> None:
    folder = _service_with(tmp_path, file, _laughs())
    started = time.process_time()
    problems = lint_dir(folder)
    assert time.process_time() - started < 5  # generous: expanding would take minutes
    assert any("alias" in p.message for p in problems), problems


def test_updater_manifest_check_refuses_a_bomb(tmp_path: Path) -> None:
    folder = _service_with(tmp_path, "flow.yaml", _laughs()).parent
    (folder / MANIFEST_NAME).write_bytes(make_manifest(folder, 1, "0.1.0").to_json())
    problems = check_bundle(folder)
    assert problems and "not valid YAML" in problems[0] and "alias" in problems[0]


def test_overlong_yaml_is_refused_before_parsing() -> None:
    with pytest.raises(YamlError, match="longer than"):
        load_yaml("x: " + "a" * 1_000_001, "svc/flow.yaml")


def test_plain_aliases_and_merge_keys_still_load() -> None:
    text = "base: &b {x: 1, y: 2}\none: {<<: *b, y: 3}\ntwo: *b\nlist: &l [1, 2]\nboth: [*l, *l]\n"
    data, _ = load_yaml(text, "f.yaml")
    assert data["one"] == {"x": 1, "y": 3} and data["two"] == {"x": 1, "y": 2}
    assert data["both"] == [[1, 2], [1, 2]]
    assert safe_load(text) == data
