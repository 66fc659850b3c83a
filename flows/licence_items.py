"""Catalogue items from the licence directory: one findable item per licence kind, all run by
the one generic licence flow (flows/licences/flow.yaml, step kind ``licence_copy``).

The bundle carries a snapshot of the platform's directory (``licence-directory.json`` at the
catalogue root). `load_directory` checks it and returns the good kinds and the problems (a
duplicate code, a kind without name or department, a holder type other than person or
enterprise, a layout naming a field the kind lacks): a bad kind is left out or printed with the
generic field table, the rest of the catalogue keeps working.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from typing import Any

from flows.definition import FlowDefinition, load_definition
from flows.yamlsource import Problem

DIRECTORY_FILE = "licence-directory.json"
GENERIC_FLOW = Path(__file__).with_name("licences")
ITEM_PREFIX = "licence-"
HOLDER_TYPES = ("person", "enterprise")
MAX_KINDS = 5000


@dataclass(frozen=True, slots=True)
class LicenceKind:
    """One kind of the directory snapshot, as the catalogue needs it."""

    code: str
    name: str
    department: str
    holder_type: str
    fields: tuple[str, ...]
    themes: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    layout_fields: tuple[str, ...] = ()
    name_en: str = ""  # English mode's name ("" = the Chinese name)

    @property
    def service_id(self) -> str:
        """The catalogue item's id."""
        return ITEM_PREFIX + self.code


@cache
def generic_definition() -> FlowDefinition:
    """The generic licence flow (parsed once)."""
    return load_definition(GENERIC_FLOW)


def load_directory(root: Path) -> tuple[list[LicenceKind], list[Problem]]:
    """The kinds of ``root/licence-directory.json`` and every problem found (no file: none)."""
    path = root / DIRECTORY_FILE
    if not path.exists():
        return [], []
    where = str(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        raw_kinds = data["kinds"]
        if not isinstance(raw_kinds, list):
            raise TypeError
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError):
        return [], [Problem(where, 1, "licence directory unreadable: expected {\"kinds\": [...]}")]
    kinds: list[LicenceKind] = []
    problems: list[Problem] = []
    seen: set[str] = set()
    for index, raw in enumerate(raw_kinds[:MAX_KINDS]):
        kind, problem = _kind(raw, index)
        if problem:
            problems.append(Problem(where, 1, problem))
        if kind is None:
            continue
        if kind.code in seen:
            problems.append(Problem(where, 1, f"kind {kind.code!r}: duplicate code (kept the "
                                              "first)"))
            continue
        seen.add(kind.code)
        kinds.append(kind)
    return kinds, problems


def _kind(raw: Any, index: int) -> tuple[LicenceKind | None, str]:
    if not isinstance(raw, Mapping):
        return None, f"kind #{index + 1}: not an object"
    code, name, department = (str(raw.get(k) or "") for k in ("code", "name", "department"))
    label = code or f"#{index + 1}"
    if not code or not code.replace("-", "").isalnum() or not code.isascii() or len(code) > 56:
        return None, f"kind {label}: code must be lower-case letters, digits and dashes"
    if not name or not department:
        return None, f"kind {label}: needs a name and an issuing department"
    holder = str(raw.get("holder_type") or "")
    if holder not in HOLDER_TYPES:
        return None, f"kind {label}: holder_type must be person or enterprise"
    fields = tuple(str(f) for f in raw.get("fields") or ())
    if not fields:
        return None, f"kind {label}: has no fields"
    layout = raw.get("layout")
    layout_fields: tuple[str, ...] = ()
    problem = ""
    if isinstance(layout, Mapping):
        layout_fields = tuple(str(f) for f in layout.get("fields") or ())
        missing = [f for f in layout_fields if f not in fields]
        if missing:
            problem = (f"kind {label}: layout names fields the licence lacks ({', '.join(missing)})"
                       "; printed with the generic field table")
            layout_fields = ()
    name_en = str(raw.get("name_en") or "")[:120]
    kind = LicenceKind(code.lower(), name, department, holder, fields,
                       tuple(str(t) for t in raw.get("themes") or ()),
                       tuple(str(k) for k in raw.get("keywords") or ()), layout_fields, name_en)
    return kind, problem


def item_definition(kind: LicenceKind, base: FlowDefinition | None = None) -> FlowDefinition:
    """The catalogue item for ``kind``: the generic flow with ``licence_kind`` set."""
    base = base or generic_definition()
    steps = {sid: (replace(step, licence_kind=kind.code) if step.type == "licence_copy"
                   else step) for sid, step in base.steps.items()}
    return replace(
        base, id=kind.service_id, service_code=kind.service_id,
        title={"zh-CN": f"{kind.name}打印",
               "en": f"Print: {kind.name_en}" if kind.name_en else f"Licence copy: {kind.name}"},
        summary={"zh-CN": kind.department, "en": kind.department},
        keywords=(kind.name, kind.department, *kind.keywords, *kind.themes,
                  *((kind.name_en,) if kind.name_en else ())), steps=steps,
    )
