"""The service catalogue: every service folder under a root, loaded and checked.

`Catalogue.load(root, previous)` reads each ``<root>/<service-id>/flow.yaml``. A bundle that
fails its checks (schema, references, expressions, templates against its fixtures) is refused:
when the previous catalogue had a working version of that service, that version is kept (and
marked ``stale``); otherwise the service is listed as unavailable with the problems, so the UI
can grey it out. A refused bundle never raises and never affects the other services.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

import yaml

from flows.definition import FLOW_FILE, FlowDefinition
from flows.finding import ENTERPRISE, OTHER_THEME, PERSON, Finding, usage_boost
from flows.licence_items import item_definition, load_directory
from flows.lint import lint_service
from flows.ports import DeviceAvailability
from flows.search import SearchIndex, normalise, sound_of
from flows.wide_search import WideIndex
from flows.yamlsource import Problem, safe_load

#: The built-in catalogue shipped with the code.
BUILTIN_ROOT = Path(__file__).with_name("catalogue")
CATEGORIES = ("查询", "办理", "打印")


def synonym_score(direct: int) -> int:
    """A hit through a synonym ranks below direct hits in Chinese and pinyin (50 and up):
    100 -> 45, 80 -> 41, 30 -> 31."""
    return 25 + direct // 5 if direct else 0


@dataclass(frozen=True, slots=True)
class ServiceEntry:
    """One service: its definition when usable, else why not."""

    id: str
    folder: Path
    definition: FlowDefinition | None
    problems: tuple[Problem, ...] = ()
    stale: bool = False  # the new bundle was refused; this is the previous version
    fallback_title: Mapping[str, str] = field(default_factory=dict)
    index: SearchIndex | None = field(default=None, repr=False, compare=False)
    themes: tuple[str, ...] = ()  # where residents browse for it (生育, 就业, ...)
    department: str = ""  # the department responsible (issuing department of a licence)
    audience: str = PERSON  # person (个人办事) | enterprise (法人办事; enterprise licences)

    def search_index(self) -> SearchIndex:
        """The entry's search index (built on first use: pinyin costs ~0.2 s to load, and a
        kiosk's first screen must not wait for it)."""
        if self.index is not None:
            return self.index
        if self.definition is not None:
            return SearchIndex.build(list(self.definition.title.values()),
                                     self.definition.keywords)
        return SearchIndex.build(self.fallback_title.values(), ())

    @property
    def available(self) -> bool:
        """True when the service can be started."""
        return self.definition is not None

    @property
    def category(self) -> str:
        """查询 / 办理 / 打印 ("" when unknown)."""
        return self.definition.category if self.definition else ""

    def title(self, locale: str = "zh-CN") -> str:
        """The service title in ``locale`` (the folder name when nothing is readable)."""
        source = self.definition.title if self.definition else self.fallback_title
        return source.get(locale) or source.get("zh-CN") or self.id

    def usable(self, devices: Mapping[str, DeviceAvailability]) -> tuple[bool, str]:
        """Whether it can run with these devices now, and the first reason it cannot."""
        if self.definition is None:
            return False, "该服务暂不可用"
        for name in self.definition.devices:
            state = devices.get(name)
            if state is None or not state.usable:
                return False, (state.reason if state and state.reason else "设备暂不可用")
        return True, ""


@dataclass(frozen=True, slots=True)
class Catalogue:
    """All services under one root, by id."""

    root: Path
    entries: Mapping[str, ServiceEntry]
    _indexes: dict[str, SearchIndex] = field(default_factory=dict, repr=False, compare=False)
    _wide: list[WideIndex] = field(default_factory=list, repr=False, compare=False)
    finding: Finding = field(default_factory=Finding)
    directory_problems: tuple[Problem, ...] = ()

    @classmethod
    def load(cls, root: Path | str = BUILTIN_ROOT, previous: Catalogue | None = None,
             check_fixtures: bool = True) -> Catalogue:
        """Load every service folder under ``root``; never raises for a bad bundle."""
        root = Path(root)
        entries: dict[str, ServiceEntry] = {}
        folders = sorted(p for p in root.iterdir() if p.is_dir() and (p / FLOW_FILE).exists()) \
            if root.is_dir() else []
        for folder in folders:
            entry = _load_entry(folder, check_fixtures)
            old = previous.entries.get(entry.id) if previous else None
            if not entry.available and old is not None and old.definition is not None:
                entry = ServiceEntry(old.id, old.folder, old.definition, entry.problems,
                                     stale=True, index=old.index)
            entries[entry.id] = entry
        finding = Finding.load(root)
        for sid, entry in entries.items():
            place = finding.services.get(sid)
            entries[sid] = replace(entry, themes=place.themes if place and place.themes
                                   else (OTHER_THEME,), department=place.department if place
                                   else "", audience=place.audience if place else PERSON)
        kinds, directory_problems = load_directory(root)
        for kind in kinds:
            if kind.service_id in entries:
                directory_problems.append(Problem(str(root), 1, f"licence item {kind.service_id!r}"
                                                  " has the id of a service folder; left out"))
                continue
            entries[kind.service_id] = ServiceEntry(
                kind.service_id, root, item_definition(kind),
                themes=tuple(t for t in kind.themes if t in finding.themes) or (OTHER_THEME,),
                department=kind.department,
                audience=ENTERPRISE if kind.holder_type == "enterprise" else PERSON)
        return cls(root, entries, finding=finding,
                   directory_problems=tuple(directory_problems) + finding.problems)

    def get(self, service_id: str) -> ServiceEntry | None:
        """The entry for ``service_id``."""
        return self.entries.get(service_id)

    def available(self) -> list[ServiceEntry]:
        """Services that can be started."""
        return [e for e in self.entries.values() if e.available]

    def unavailable(self) -> list[ServiceEntry]:
        """Services refused at load (to show greyed out, and for the technician)."""
        return [e for e in self.entries.values() if not e.available]

    def in_category(self, category: str) -> list[ServiceEntry]:
        """Services of one category (查询 / 办理 / 打印)."""
        return [e for e in self.entries.values() if e.category == category]

    def search(self, query: str, limit: int = 20,
               usage: Mapping[str, int] | None = None) -> list[ServiceEntry]:
        """Services matching ``query`` in Chinese, English, full pinyin or initials, or through
        a synonym (开证明, 退休), or with one character wrong; ranked by match, then lifted by
        how often each was completed at this terminal (``usage``)."""
        q = normalise(query)
        wide = self._wide_index()
        if not q:
            self.finding.expansions(q)  # and the synonyms' pinyin
            return []
        entries = [self.entries[i] for i in wide.ids]
        found = wide.scores(q, sound_of(q))
        through: dict[int, int] = {}
        for word in self.finding.expansions(q):  # a synonym: below the direct hits
            for i, score in wide.scores(word, sound_of(word)).items():
                if i not in found:
                    through[i] = max(through.get(i, 0), synonym_score(score))
        found.update(through)
        if not found and len(q) >= 3:  # a near miss: one character wrong or left out
            found = dict.fromkeys(wide.near_misses(q), 10)
        counts = usage or {}
        scored = [(score + usage_boost(counts.get(entries[i].id, 0)), entries[i].id, entries[i])
                  for i, score in found.items() if score > 0]
        hits = heapq.nsmallest(limit, scored, key=lambda s: (-s[0], s[1]))
        return [e for _, _, e in hits]

    def _wide_index(self) -> WideIndex:
        """The catalogue-wide index (built on the first search: an empty query at start-up)."""
        if not self._wide:
            indexes = self._indexes
            for entry in self.entries.values():
                if entry.id not in indexes:
                    indexes[entry.id] = entry.search_index()
            self._wide.append(WideIndex.build([(sid, indexes[sid]) for sid in self.entries]))
        return self._wide[0]

    def themes(self) -> list[tuple[str, int]]:
        """Every theme with its number of available items, in display order (empty ones
        left out; `problems` reports them)."""
        counts: dict[str, int] = {}
        for entry in self.available():
            for theme in entry.themes:
                counts[theme] = counts.get(theme, 0) + 1
        order = [*self.finding.themes, *sorted(set(counts) - set(self.finding.themes))]
        return [(t, counts[t]) for t in order if counts.get(t)]

    def departments(self) -> list[tuple[str, int]]:
        """Every department with its number of available items, most items first."""
        counts: dict[str, int] = {}
        for entry in self.available():
            if entry.department:
                counts[entry.department] = counts.get(entry.department, 0) + 1
        return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))

    def problems(self) -> list[Problem]:
        """Every load problem, for the technician and the heartbeat (a theme with no items
        among them)."""
        found = [p for e in self.entries.values() for p in e.problems]
        used = {t for e in self.available() for t in e.themes}
        empty = [Problem(str(self.root), 1, f"theme {t!r} has no items")
                 for t in self.finding.themes if t not in used]
        return found + list(self.directory_problems) + empty


def _load_entry(folder: Path, check_fixtures: bool) -> ServiceEntry:
    try:
        problems, definition = lint_service(folder, check_fixtures=check_fixtures)
    except Exception as exc:  # whatever a bundle holds, loading never raises
        problems = [Problem(str(folder / FLOW_FILE), 1,
                            f"cannot load ({type(exc).__name__})")]
        definition = None
    if definition is not None and not problems:
        return ServiceEntry(definition.id, folder, definition)  # indexed on first search
    fallback = _readable_title(folder / FLOW_FILE)
    return ServiceEntry(folder.name, folder, None, tuple(problems), fallback_title=fallback)


def _readable_title(path: Path) -> dict[str, str]:
    try:
        data = safe_load(path.read_text(encoding="utf-8"))
        title = data.get("title") if isinstance(data, dict) else None
        if isinstance(title, dict):
            return {str(k): str(v) for k, v in title.items()}
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        pass
    return {}


def ids(entries: Iterable[ServiceEntry]) -> list[str]:
    """The ids of some entries (handy in tests and logs)."""
    return [e.id for e in entries]
