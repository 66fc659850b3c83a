"""The failure this guards against: a harness, benchmark or tool building its own `KioskApp`
and so testing or measuring an app production never runs (no voice, no technician mode...).
Only the composition root (kiosk/boot/composition.py, ADR 0400) may construct it; everything else
gets its app from `kiosk.boot.composition.compose`. Checked on the syntax tree of kiosk/ and tests/.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COMPOSITION_ROOT = "kiosk/boot/composition.py"


def _constructions(tree: ast.AST) -> list[int]:
    """Lines where ``KioskApp(...)`` (or ``something.KioskApp(...)``) is called."""
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.id if isinstance(func, ast.Name) else (
                func.attr if isinstance(func, ast.Attribute) else "")
            if name == "KioskApp":
                lines.append(node.lineno)
    return lines


def test_only_the_composition_root_constructs_kiosk_app() -> None:
    offences, found_in_root = [], False
    for folder in ("kiosk", "tests"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            rel = path.relative_to(ROOT).as_posix()
            lines = _constructions(ast.parse(path.read_text(encoding="utf-8"), rel))
            if rel == COMPOSITION_ROOT:
                found_in_root = bool(lines)
            elif lines:
                offences += [f"{rel}:{line}" for line in lines]
    assert found_in_root, "the composition root no longer builds KioskApp: update this test"
    assert not offences, "KioskApp built outside the composition root:\n" + "\n".join(offences)


def test_the_scan_sees_a_construction() -> None:
    assert _constructions(ast.parse("app = ui.KioskApp(c)\nKioskApp(c, voice=v)")) == [1, 2]
    assert _constructions(ast.parse("from kiosk.ui.app import KioskApp\nx: KioskApp")) == []
