"""Screens, step kinds and harnesses that reach into a run's private attributes break whenever
the engine changes shape: outside flows/engine.py nothing reads or writes ``run._x`` (nor
``getattr(run, "_x")``); they use the run's public methods and its ``state``."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCANNED = ("flows", "kiosk", "tests", "scripts", "tools")
ENGINE = ROOT / "flows" / "engine.py"


def _is_run(node: ast.expr) -> bool:
    """An expression naming a flow run: ``run``, ``_run``, ``flow_run``, ``x._run``..."""
    name = node.id if isinstance(node, ast.Name) else (
        node.attr if isinstance(node, ast.Attribute) else "")
    return name in ("run", "_run") or name.endswith("_run")


def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def _touches_private(node: ast.AST) -> bool:
    if isinstance(node, ast.Attribute):
        return _private(node.attr) and _is_run(node.value)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and len(node.args) >= 2:
        name = node.args[1]
        return (node.func.id in ("getattr", "setattr", "hasattr", "delattr")
                and _is_run(node.args[0]) and isinstance(name, ast.Constant)
                and isinstance(name.value, str) and _private(name.value))
    return False


def offences(source: str) -> list[int]:
    """Line numbers where ``source`` touches a private attribute of a run."""
    return sorted(node.lineno for node in ast.walk(ast.parse(source))
                  if isinstance(node, (ast.Attribute, ast.Call)) and _touches_private(node))


def test_the_detector_sees_each_form_of_access() -> None:
    sample = ("a = run._page\nrun._x = 1\nb = getattr(run, '_y', 0)\n"
              "c = self._run._state\nd = run.state\ne = controller._run\n")
    assert offences(sample) == [1, 2, 3, 4]


def test_no_private_run_attribute_is_touched_outside_the_engine() -> None:
    found = []
    for folder in SCANNED:
        for path in sorted((ROOT / folder).rglob("*.py")) if (ROOT / folder).is_dir() else ():
            if path == ENGINE or ".venv" in path.parts:
                continue
            for line in offences(path.read_text(encoding="utf-8")):
                found.append(f"{path.relative_to(ROOT)}:{line}")
    assert found == []
