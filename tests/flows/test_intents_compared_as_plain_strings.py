"""Intents were produced and compared as plain strings in flows/ (``action == "back"``,
``Intent("next")``, ``Action("print", ...)``): a typo there is a button that silently does
nothing. Every intent name the engine, the step kinds, the headless resident and the kiosk's
controller produce or compare is now an `IntentAction` member; this test reads the source and
fails on any string literal that names an intent in those places."""

from __future__ import annotations

import ast
from pathlib import Path

from flows.views import Action, Intent, IntentAction

REPO = Path(__file__).resolve().parents[2]
CHECKED = [REPO / "flows", REPO / "kiosk" / "core"]
NAMES = {action.value for action in IntentAction}


def _name(node: ast.AST) -> str:
    if isinstance(node, ast.Attribute):
        return node.attr
    return node.id if isinstance(node, ast.Name) else ""


def _literals(node: ast.AST) -> list[ast.Constant]:
    items = node.elts if isinstance(node, (ast.Tuple, ast.List, ast.Set)) else [node]
    return [n for n in items if isinstance(n, ast.Constant) and n.value in NAMES]


def plain_string_intents(source: str) -> list[tuple[int, str]]:
    """(line, name) of every intent name written as a string where an intent is made or
    compared: ``Intent("x")``, ``Action("x", ...)``, ``<...>.action == "x"``, ``a.name in (...)``.
    """
    found: list[ast.Constant] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Compare):
            sides = [node.left, *node.comparators]
            if any("action" in _name(s) or _name(s) == "name" for s in sides):
                for side in sides:
                    found += _literals(side)
        elif isinstance(node, ast.Call) and _name(node.func) in ("Intent", "Action"):
            found += [c for arg in node.args[:1] for c in _literals(arg)]
            found += [c for kw in node.keywords if kw.arg in ("action", "name")
                      for c in _literals(kw.value)]
    return sorted((c.lineno, str(c.value)) for c in found)


def test_the_scan_finds_the_old_forms() -> None:
    old = ('if intent.action in ("next", "resume"):\n    x = Intent("print")\n'
           'y = [Action("back", "返回")]\nz = any(a.name == "resume" for a in v)\n'
           'w = say("back")\n')
    assert plain_string_intents(old) == [(1, "next"), (1, "resume"), (2, "print"), (3, "back"),
                                         (4, "resume")]


def test_no_intent_is_a_plain_string_in_flows_or_the_core() -> None:
    offenders = [f"{path.relative_to(REPO)}:{line}: {name!r}"
                 for root in CHECKED for path in sorted(root.rglob("*.py"))
                 for line, name in plain_string_intents(path.read_text(encoding="utf-8"))]
    assert not offenders, "use IntentAction:\n" + "\n".join(offenders)


def test_a_string_intent_from_the_screen_is_still_the_same_intent() -> None:
    assert Intent("next") == Intent(IntentAction.NEXT)
    assert Action(IntentAction.BACK, "返回").name == "back"
