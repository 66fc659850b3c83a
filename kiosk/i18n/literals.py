"""Chinese text that reaches residents without the gettext catalogues.

A string literal with CJK characters in a module that produces resident text must be the msgid of
a translation call (``_``, ``N_``, ``translate``, a ``tr`` translator), or an English-mode
resident reads Chinese. `untranslated_literals` lists every other one, except docstrings and the
short, explained `ALLOWED` list. Drivers produce no resident text at all: in drivers/ only the
data modules in `DRIVER_DATA` may hold Chinese (code tables and simulated cards).
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

from kiosk import REPO_ROOT

#: CJK ideographs and full-width punctuation.
CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]")
#: Calls whose first argument is a msgid (kiosk.i18n.tools.KEYWORDS).
TRANSLATION_CALLS = frozenset({"_", "N_", "translate", "tr", "_tr"})

#: Where resident text is made: screens, the controller, printing, platform faults and the
#: adapters that turn device and platform faults into messages.
RESIDENT_TEXT_SOURCES = (
    "kiosk/ui", "kiosk/core/controller.py", "kiosk/printing", "kiosk/platform",
    "kiosk/adapters/capture.py", "kiosk/adapters/catalogue.py", "kiosk/core/device_labels.py",
    "kiosk/adapters/devices.py",
    "kiosk/core/face_check.py", "kiosk/core/face_flow.py", "kiosk/adapters/identity.py",
    "kiosk/ops/outbox.py",
    "kiosk/adapters/session_ports.py",
)

#: path -> why its Chinese literals stay outside gettext (whole file), or
#: (path, literal) -> why that one literal does.
ALLOWED: dict[str | tuple[str, str], str] = {
    "kiosk/ui/screens/technician.py": "technician pages, Chinese only; residents never see them",
    "kiosk/harness/tour.py": "screenshot tour: captions for reviewers and synthetic typed input",
    "kiosk/harness/ui_journeys.py": "test driver: finds buttons by the Chinese they show",
    ("kiosk/printing/receipts.py", "打印码"):
        "printed on paper; printed documents stay in Chinese for the hall's staff",
    ("kiosk/printing/service.py", "reissued at the resident's request (证明补打)"):
        "journal note for technicians, never shown on screen",
}

#: drivers/ modules that may hold Chinese: data, not messages.
DRIVER_DATA = frozenset({
    "drivers/idcard/tables.py",  # GB/T 2261.1 sex and GB 3304 ethnic group code tables
    "drivers/idcard/text.py",  # "长期" as written on the card itself
    "drivers/idcard/sim_cards.py",  # simulated cards' synthetic residents
    "drivers/smartcard/fields.py",  # the same code tables on the social security card
    "drivers/smartcard/sscard.py",  # card application name and code values
    "drivers/smartcard/virtual_card.py",  # the virtual card's synthetic residents
    "drivers/receipt/model.py",  # the full-width colon that aligns printed label: value lines
})


@dataclass(frozen=True, slots=True)
class Literal:
    """One Chinese literal outside gettext."""

    path: str
    line: int
    text: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.text[:40]!r} is not wrapped in _()/N_()"


def _call_name(node: ast.Call) -> str:
    func = node.func
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


def chinese_literals(path: Path, root: Path = REPO_ROOT) -> list[Literal]:
    """Every CJK string literal in ``path`` that is neither a docstring nor a msgid."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    exempt: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and _call_name(node) in TRANSLATION_CALLS and node.args:
            exempt.add(id(node.args[0]))
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            first = node.body[0] if node.body else None
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                exempt.add(id(first.value))
    rel = path.resolve().relative_to(root.resolve()).as_posix()
    found = [Literal(rel, node.lineno, node.value) for node in ast.walk(tree)
             if isinstance(node, ast.Constant) and isinstance(node.value, str)
             and id(node) not in exempt and CJK.search(node.value)]
    return sorted(found, key=lambda lit: lit.line)


def _files(root: Path, sources: tuple[str, ...]) -> list[Path]:
    files: list[Path] = []
    for source in sources:
        path = root / source
        files.extend(sorted(path.rglob("*.py")) if path.is_dir() else [path] if path.exists()
                     else [])
    return files


def untranslated_literals(root: Path = REPO_ROOT,
                          sources: tuple[str, ...] = RESIDENT_TEXT_SOURCES) -> list[Literal]:
    """Chinese literals in the resident-text sources that bypass gettext (not `ALLOWED`)."""
    return [lit for path in _files(root, sources) for lit in chinese_literals(path, root)
            if lit.path not in ALLOWED and (lit.path, lit.text) not in ALLOWED]


def driver_texts(root: Path = REPO_ROOT) -> list[Literal]:
    """Chinese literals in drivers/ outside the data modules (drivers return states)."""
    return [lit for path in _files(root, ("drivers",)) for lit in chinese_literals(path, root)
            if lit.path not in DRIVER_DATA]


def stale_allowances(root: Path = REPO_ROOT) -> list[str]:
    """Entries of `ALLOWED` and `DRIVER_DATA` that no longer match anything (keep them short)."""
    stale = []
    for key in ALLOWED:
        path, text = (key, None) if isinstance(key, str) else key
        file = root / path
        literals = chinese_literals(file, root) if file.exists() else []
        if not any(text is None or lit.text == text for lit in literals):
            stale.append(str(key))
    for path in DRIVER_DATA:
        file = root / path
        if not file.exists() or not chinese_literals(file, root):
            stale.append(path)
    return sorted(stale)
